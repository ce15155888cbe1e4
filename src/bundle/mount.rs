//! A lazily loaded bundle's `main`: mounts its pages with the app-wide handles they expect.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::protocol::{dispatch, listen, ANNOUNCE_EVENT, STORAGE_EVENT, SYNC_EVENT};
use crate::config::{AppConfig, ConfigError};
use crate::context::{AppContext, HOST_ID};
use crate::fhir::client::FhirClient;
use crate::i18n::{Lang, Msg};
use crate::pages::{DeclarationPages, RecordPages};
use crate::save::sync::Outbox;
use crate::save::Citizen;
use crate::sections::{parse_sync_detail, Bundle, View};
use crate::ui::section::Shown;
use crate::ui::{use_i18n, Announcer, I18n};

/// A problem of the host page, shown in place of the bundle (it cannot happen when the first load
/// started: the same configuration was read there).
#[component]
fn BundleProblem(error: ConfigError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="tahto-card tahto-error" role="alert">
            // The first load says precisely what is wrong; a bundle keeps to the short form.
            {move || i18n.format(Msg::ConfigProblem, &[("detail", &error.detail())])}
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
        let shown = Shown::new(view, target.clone());
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
            Err(error) => view! { <BundleProblem error /> }.into_any(),
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

/// `main` of the declarations bundle.
pub fn mount_declarations() {
    mount_lazy(Bundle::Declarations, || view! { <DeclarationPages /> });
}

/// `main` of the health records bundle.
pub fn mount_records() {
    mount_lazy(Bundle::Records, || view! { <RecordPages /> });
}
