//! Which section is shown, and where that is kept: the page's URL standalone, memory embedded.
//!
//! Standalone (`data-routing="url"`), each section has a path under the base path
//! (`View::path`): opening one pushes a history entry, so the phone's back button returns to the
//! previous section, a section can be linked and bookmarked, and a reload stays where it was.
//! Embedded (the default), the section is kept in memory and in this tab's session storage, so a
//! reload keeps it too but the host page's history and address never change.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::config::Routing;
use crate::save::record::SECTION_KEY;
use crate::sections::View;

/// The app's router (a context).
#[derive(Clone, Copy)]
pub struct Router {
    view: RwSignal<View>,
    base: StoredValue<Option<String>>,
    /// Whether the section shown is where the citizen went: only then does it take the focus (a
    /// page that just loaded keeps it, and so does a partner's page that changed the section).
    moved: StoredValue<bool>,
}

impl Router {
    /// Starts on the section the address (or, in memory, this tab's session) names.
    pub fn start(routing: &Routing) -> Router {
        let base = match routing {
            Routing::Url { base } => Some(base.clone()),
            Routing::Memory => None,
        };
        let initial = match &base {
            Some(base) => match current_path(base).as_deref().and_then(View::from_path) {
                Some(view) => view,
                None => {
                    // An address Tahto does not know (an old bookmark, a typo): home, and the
                    // address says so, rather than a blank page.
                    replace_url(&format!("{base}{}", View::Home.path()));
                    View::Home
                }
            },
            None => crate::web::session_stored(SECTION_KEY)
                .and_then(|key| View::parse(&key))
                .unwrap_or(View::Home),
        };
        let router = Router {
            view: RwSignal::new(initial),
            base: StoredValue::new(base.clone()),
            moved: StoredValue::new(false),
        };
        if let Some(base) = base {
            // Back and forward: the address changed, the section follows (no new entry).
            crate::web::on_window("popstate", move |_| {
                let view = current_path(&base)
                    .as_deref()
                    .and_then(View::from_path)
                    .unwrap_or(View::Home);
                router.moved.set_value(true);
                router.view.set(view);
            });
        }
        router
    }

    /// A router for a page that is not the app (tests): in memory, on `view`.
    pub fn fixed(view: View) -> Router {
        Router {
            view: RwSignal::new(view),
            base: StoredValue::new(None),
            moved: StoredValue::new(false),
        }
    }

    /// The section shown (tracked).
    pub fn view(self) -> View {
        self.view.get()
    }

    /// Whether `view` is the section shown (tracked).
    pub fn is_shown(self, view: View) -> bool {
        self.view.with(|v| *v == view)
    }

    /// Shows `view`: standalone a new history entry, embedded this tab's session remembers it.
    pub fn go(self, view: View) {
        if self.view.get_untracked() == view {
            return;
        }
        match self.href(view) {
            Some(url) => push_url(&url),
            None => crate::web::session_store(SECTION_KEY, view.key()),
        }
        self.moved.set_value(true);
        self.view.set(view);
    }

    /// Shows `view` because the partner's page asked: the focus stays where the citizen has it,
    /// unless that is in this frame, where the section it was in is going away.
    pub fn show_for_partner(self, view: View) {
        if self.view.get_untracked() == view {
            return;
        }
        if self.href(view).is_none() {
            crate::web::session_store(SECTION_KEY, view.key());
        }
        let focused_here = crate::web::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.has_focus().unwrap_or(false));
        self.moved.set_value(focused_here);
        self.view.set(view);
    }

    /// Starts on `view` instead (a partner's frame asked for it): nothing moved yet.
    pub fn start_on(self, view: View) {
        if self.href(view).is_none() {
            crate::web::session_store(SECTION_KEY, view.key());
        }
        self.view.set(view);
    }

    /// Whether the section shown is where the citizen went (untracked): it takes the focus.
    pub fn has_moved(self) -> bool {
        self.moved.get_value()
    }

    /// The address of `view` when sections have addresses (standalone), for links.
    pub fn href(self, view: View) -> Option<String> {
        self.base
            .with_value(|base| base.as_ref().map(|base| format!("{base}{}", view.path())))
    }

    /// Whether sections have addresses (links) or not (buttons).
    pub fn has_urls(self) -> bool {
        self.base.with_value(Option::is_some)
    }
}

/// Use the app's router.
pub fn use_router() -> Router {
    expect_context::<Router>()
}

/// The address's path under `base`, or `None` when it is not under it.
fn current_path(base: &str) -> Option<String> {
    let path = crate::web::window()?.location().pathname().ok()?;
    path.strip_prefix(base)
        .or_else(|| (path == base.trim_end_matches('/')).then_some(""))
        .map(str::to_owned)
}

/// Opens `url` as a new history entry.
fn push_url(url: &str) {
    set_url(url, true);
}

/// Corrects the address to `url` without a new history entry.
fn replace_url(url: &str) {
    set_url(url, false);
}

/// The query stays: it is the page's, not the section's.
fn set_url(url: &str, new_entry: bool) {
    let Some(window) = crate::web::window() else {
        return;
    };
    let search = window.location().search().unwrap_or_default();
    let Ok(history) = window.history() else {
        return;
    };
    let url = format!("{url}{search}");
    // A refused change (a sandboxed frame) leaves the address as it was; the section still shows.
    let _changed = if new_entry {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}
