//! The app's two live regions: one polite (`role="status"`) and one assertive (`role="alert"`).
//! Components announce state changes through the [`Announcer`] context.

use leptos::prelude::*;

/// Handle for announcing to screen readers.
#[derive(Clone, Copy)]
pub struct Announcer {
    status: RwSignal<String>,
    alert: RwSignal<String>,
    /// When the alert last changed (ms since the epoch).
    alerted_at: StoredValue<f64>,
}

/// Two alerts within this long are read together: the second would otherwise replace the first
/// before a screen reader (or anyone) could take it in. (A status supersedes the one before it:
/// "Saved" after "Saving…".)
const TOGETHER_MS: f64 = 1000.0;

/// `text`, after `before` when that was said a moment ago.
fn together(before: &str, text: String, said_at: f64, now: f64) -> String {
    if now - said_at < TOGETHER_MS && !before.is_empty() && !before.contains(text.as_str()) {
        format!("{before} {text}")
    } else {
        text
    }
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
            alerted_at: StoredValue::new(0.0),
        }
    }

    /// Something happened: read out when the reader is idle.
    pub fn status(&self, text: String) {
        self.alert.set(String::new());
        self.status.set(text);
    }

    /// Something went wrong: read out at once.
    pub fn alert(&self, text: String) {
        let now = js_sys::Date::now();
        let text = together(
            &self.alert.get_untracked(),
            text,
            self.alerted_at.get_value(),
            now,
        );
        self.alerted_at.set_value(now);
        self.status.set(String::new());
        self.alert.set(text);
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
