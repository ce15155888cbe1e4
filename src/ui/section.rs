//! The section shown inside a lazily loaded bundle, and the page wrapper that follows it.

use leptos::prelude::*;

use crate::bundle::protocol::{dispatch, NAVIGATE_EVENT};
use crate::sections::View;

/// The section shown inside a lazily loaded bundle (a context there).
#[derive(Clone, Copy)]
pub struct Shown {
    pub view: RwSignal<View>,
    host: StoredValue<Option<web_sys::EventTarget>, LocalStorage>,
}

impl Shown {
    pub fn new(view: View, host: web_sys::EventTarget) -> Shown {
        Shown {
            view: RwSignal::new(view),
            host: StoredValue::new_local(Some(host)),
        }
    }

    /// Asks the first load to show `view` (which may live in another bundle).
    pub fn navigate(&self, view: View) {
        self.host.with_value(|host| {
            if let Some(host) = host {
                dispatch(host, NAVIGATE_EVENT, view.key());
            }
        });
    }
}

pub fn use_shown() -> Option<Shown> {
    use_context::<Shown>()
}

/// Keeps `children` mounted (so nothing typed is lost by a visit elsewhere), shown only while
/// `view` is the section shown in this bundle.
#[component]
pub fn SectionPage(
    /// The section this page is.
    view: View,
    children: Children,
) -> impl IntoView {
    let shown = use_shown();
    let hidden = move || shown.is_some_and(|s| s.view.get() != view);
    view! { <div data-section=view.key() hidden=hidden>{children()}</div> }
}
