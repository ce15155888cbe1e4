//! How the lazily loaded bundles (`sections::Bundle`) start and talk to the first load.
//!
//! The first load renders an empty host element per bundle (`ui::LazyBundle`) and, the first time
//! one of its sections is opened, imports the bundle's JS glue, which runs the bundle's `main`:
//! [`mount_lazy`]. From then on the two WebAssembly instances share only the DOM and the browser's
//! storage:
//! - the first load tells the bundle which view and language to show with a [`SYNC_EVENT`] on the
//!   host element (detail: `"<view key> <lang code>"`);
//! - the bundle asks for another section with a [`NAVIGATE_EVENT`] (detail: the view key), which
//!   bubbles to the first load;
//! - each has its own save pipeline over the same IndexedDB outbox, coordinated like two tabs are
//!   (one flusher under the Web Lock, a `BroadcastChannel` for changes): nothing new to keep in sync.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::config::AppConfig;
use crate::context::{AppContext, HOST_ID};
use crate::fhir::client::FhirClient;
use crate::i18n::{Lang, Msg};
use crate::save::sync::Outbox;
use crate::save::Citizen;
use crate::sections::{parse_sync_detail, Bundle, View};
use crate::ui::{use_i18n, Announcer, I18n};

/// Sent by the first load to a bundle's host element: show this view in this language.
pub const SYNC_EVENT: &str = "tahto:sync";
/// Sent (bubbling) from inside a bundle: the citizen asked for another section.
pub const NAVIGATE_EVENT: &str = "tahto:navigate";
/// Sent (bubbling) from inside a bundle: read this out (`"status <text>"` or `"alert <text>"`) in
/// the app's one pair of live regions, so a screen reader hears one voice, not one per bundle.
pub const ANNOUNCE_EVENT: &str = "tahto:announce";
/// Sent (bubbling) from inside a bundle: this browser refused to keep a save (detail: why).
pub const STORAGE_EVENT: &str = "tahto:storage";

/// Dispatches a Tahto event carrying `detail` on `target`.
pub fn dispatch(target: &web_sys::EventTarget, name: &str, detail: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&JsValue::from_str(detail));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _delivered = target.dispatch_event(&event);
    }
}

/// Calls `handler` with the detail of every `name` event reaching `target`, for the app's life.
pub fn listen(
    target: &web_sys::EventTarget,
    name: &str,
    mut handler: impl FnMut(String) + 'static,
) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let detail = event
            .dyn_ref::<web_sys::CustomEvent>()
            .and_then(|e| e.detail().as_string());
        if let Some(detail) = detail {
            handler(detail);
        }
    });
    let _added = target.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// The section shown inside a lazily loaded bundle (a context there).
#[derive(Clone, Copy)]
pub struct Shown {
    pub view: RwSignal<View>,
    host: StoredValue<Option<web_sys::EventTarget>, LocalStorage>,
}

impl Shown {
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

/// A problem of the host page, shown in place of the bundle (it cannot happen when the first load
/// started: the same configuration was read there).
#[component]
fn BundleProblem(detail: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="tahto-card tahto-error" role="alert">
            {move || i18n.format(Msg::ConfigProblem, &[("detail", &detail)])}
        </p>
    }
}

/// The `main` of a lazily loaded bundle: mounts `pages` into the bundle's host element with the
/// app-wide handles the pages expect (language, announcer, outbox, client, configuration).
pub fn mount_lazy<V: IntoView + 'static>(bundle: Bundle, pages: impl FnOnce() -> V + 'static) {
    let Some(document) = crate::web::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(host) = document
        .get_element_by_id(&bundle.host_id())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let config = document
        .get_element_by_id(HOST_ID)
        .ok_or(crate::config::ConfigError::Missing("#tahto"))
        .and_then(|app| AppConfig::from_attributes(|name| app.get_attribute(name)));
    let (view, lang) = host
        .get_attribute("data-sync")
        .as_deref()
        .and_then(parse_sync_detail)
        .unwrap_or((View::Home, Lang::default()));
    let target: web_sys::EventTarget = host.clone().into();
    leptos::mount::mount_to(host, move || {
        let i18n = I18n::fixed(lang);
        provide_context(i18n);
        let announcer = Announcer::new();
        provide_context(announcer);
        forward_announcements(announcer, target.clone());
        let shown = Shown {
            view: RwSignal::new(view),
            host: StoredValue::new_local(Some(target.clone())),
        };
        listen(&target, SYNC_EVENT, move |detail| {
            if let Some((view, lang)) = parse_sync_detail(&detail) {
                i18n.lang.set(lang);
                shown.view.set(view);
            }
        });
        provide_context(shown);
        match config {
            Ok(config) => {
                let client = FhirClient::new(config.fhir_base.clone());
                let citizen = Citizen::new(&config.fhir_base, &config.patient_id);
                let outbox = Outbox::start(client.clone(), citizen);
                let storage_target = target.clone();
                Effect::new(move |_| {
                    if let Some(why) = outbox.storage_error.get() {
                        dispatch(&storage_target, STORAGE_EVENT, why);
                    }
                });
                provide_context(outbox);
                provide_context(AppContext { client, config });
                pages().into_any()
            }
            Err(error) => view! { <BundleProblem detail=error.detail() /> }.into_any(),
        }
    })
    .forget();
}

/// Sends what the bundle's pages announce to the first load's live regions.
fn forward_announcements(announcer: Announcer, target: web_sys::EventTarget) {
    let status_target = target.clone();
    Effect::new(move |_| {
        let text = announcer.status_text();
        if !text.is_empty() {
            dispatch(&status_target, ANNOUNCE_EVENT, &format!("status {text}"));
        }
    });
    Effect::new(move |_| {
        let text = announcer.alert_text();
        if !text.is_empty() {
            dispatch(&target, ANNOUNCE_EVENT, &format!("alert {text}"));
        }
    });
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
