//! The app's two live regions: one polite (`role="status"`) and one assertive (`role="alert"`).
//! Components announce state changes through the [`Announcer`] context.

use leptos::prelude::*;

/// Handle for announcing to screen readers.
#[derive(Clone, Copy)]
pub struct Announcer {
    status: RwSignal<String>,
    alert: RwSignal<String>,
}

impl Default for Announcer {
    fn default() -> Self {
        Self::new()
    }
}

impl Announcer {
    pub fn new() -> Self {
        Self {
            status: RwSignal::new(String::new()),
            alert: RwSignal::new(String::new()),
        }
    }

    /// Something happened: read out when the reader is idle.
    pub fn status(&self, text: String) {
        self.alert.set(String::new());
        self.status.set(text);
    }

    /// Something went wrong: read out at once.
    pub fn alert(&self, text: String) {
        self.status.set(String::new());
        self.alert.set(text);
    }
}

impl Announcer {
    /// What is being announced politely (tracked: for forwarding from a lazily loaded bundle).
    pub fn status_text(&self) -> String {
        self.status.get()
    }

    /// What is being announced assertively (tracked).
    pub fn alert_text(&self) -> String {
        self.alert.get()
    }
}

pub fn use_announcer() -> Announcer {
    use_context::<Announcer>().unwrap_or_default()
}

/// Renders the regions. Mounted once, empty at start, as screen readers require.
#[component]
pub fn LiveRegions() -> impl IntoView {
    let announcer = use_announcer();
    view! {
        <div class="tahto-sr-only" role="status" aria-live="polite" data-testid="announcer">
            {move || announcer.status.get()}
        </div>
        <div class="tahto-sr-only" role="alert" aria-live="assertive" data-testid="alerts">
            {move || announcer.alert.get()}
        </div>
    }
}
