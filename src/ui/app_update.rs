//! The service worker (`public/sw.js`): registered for Tahto's own pages, and a new version of
//! Tahto offered to the citizen, never forced on them in the middle of a save.

use leptos::prelude::*;

use crate::ui::reactive::effect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::{use_announcer, use_i18n};
use crate::i18n::later::LaterText;
use crate::save::sync::Outbox;
use crate::save::SaveState;

/// The browser's service workers, where it has them: not in an insecure context (plain http to
/// another computer) or where a policy turns them off, and then `navigator.serviceWorker` is
/// missing, which web-sys would not check.
fn service_workers() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = crate::web::window()?.navigator();
    js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .ok()?
        .dyn_into::<web_sys::ServiceWorkerContainer>()
        .ok()
}

/// Registers the service worker under `base` and watches for a new version.
fn register(base: &str, waiting: RwSignal<bool>) {
    let Some(container) = service_workers() else {
        return;
    };
    let options = web_sys::RegistrationOptions::new();
    options.set_scope(base);
    let promise = container.register_with_options(&format!("{base}sw.js"), &options);
    leptos::task::spawn_local(async move {
        // Without a service worker (refused, or a browser that answers with nothing) Tahto still
        // works, online: nothing for the citizen to do.
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        watch(&registration, waiting);
    });
}

/// Follows `registration` until a new version is installed and waiting.
fn watch(registration: &web_sys::ServiceWorkerRegistration, waiting: RwSignal<bool>) {
    let has_controller = || service_workers().and_then(|c| c.controller()).is_some();
    // Only an update is offered: the first install has no version to replace.
    if registration.waiting().is_some() && has_controller() {
        waiting.set(true);
    }
    let reg = registration.clone();
    let on_update = Closure::<dyn FnMut()>::new(move || {
        let Some(installing) = reg.installing() else {
            return;
        };
        let worker = installing.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if worker.state() == web_sys::ServiceWorkerState::Installed && has_controller() {
                waiting.set(true);
            }
        });
        installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
    on_update.forget();
}

/// Reloads the page, into the version that now controls it.
fn reload() {
    if let Some(window) = crate::web::window() {
        let _reloading = window.location().reload();
    }
}

/// Asks the waiting version to take over; `took_over` is set once it has, and the page is then
/// reloaded into it (`AppUpdate`).
fn update_now(took_over: RwSignal<bool>) {
    let Some(container) = service_workers() else {
        return;
    };
    let on_change = Closure::<dyn FnMut()>::new(move || took_over.set(true));
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    let ready = container.ready();
    leptos::task::spawn_local(async move {
        let Ok(registration) = ready.map(wasm_bindgen_futures::JsFuture::from) else {
            return;
        };
        let Ok(registration) = registration.await else {
            return;
        };
        let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>() else {
            return;
        };
        let Some(waiting) = registration.waiting() else {
            // Another tab applied the update already: the new version is active and took this
            // page over when it did, so no `controllerchange` is coming. Reload into it.
            took_over.set(true);
            return;
        };
        let message = js_sys::Object::new();
        let _set = js_sys::Reflect::set(
            &message,
            &JsValue::from_str("type"),
            &JsValue::from_str("tahto:update-now"),
        );
        let _posted = waiting.post_message(&message);
    });
}

/// "A new version of Tahto is ready": offered, and applied only when no save is on its way.
#[component]
pub fn AppUpdate() -> impl IntoView {
    let i18n = use_i18n();
    // Tahto's own pages only (`app::App` places it there): the service worker serves the base path.
    let base = match &expect_context::<crate::context::AppContext>()
        .config
        .routing
    {
        crate::config::Routing::Url { base } => base.clone(),
        crate::config::Routing::Memory => "/".to_owned(),
    };
    let announcer = use_announcer();
    let outbox = expect_context::<Outbox>();
    let waiting = RwSignal::new(false);
    effect(move || {
        if waiting.get() {
            announcer.status(i18n.t(LaterText::UpdateReady).to_owned());
        }
    });
    let asked = RwSignal::new(false);
    let took_over = RwSignal::new(false);
    // A save on its way finishes under the version that sent it; a reload would only interrupt
    // it (nothing would be lost, but the citizen would wait for it again). That holds for a save
    // begun after "Update now" too, while the new version takes over.
    let saving = move || {
        outbox
            .unsent_records()
            .iter()
            .any(|r| matches!(outbox.state_of(r), SaveState::Saving { .. }))
    };
    let requested = StoredValue::new(false);
    effect(move || {
        if asked.get() && !saving() && !requested.get_value() {
            requested.set_value(true);
            update_now(took_over);
        }
    });
    effect(move || {
        if took_over.get() && !saving() {
            reload();
        }
    });
    // Registered once the page is up, so it never competes with the first load.
    request_animation_frame(move || register(&base, waiting));
    view! {
        <div class="tahto-card tahto-update" data-testid="app-update" hidden=move || !waiting.get()>
            <p>
                {move || if asked.get() && saving() {
                    i18n.t(LaterText::UpdateAfterSave)
                } else {
                    i18n.t(LaterText::UpdateReady)
                }}
            </p>
            <button
                type="button"
                class="tahto-button"
                disabled=move || asked.get()
                on:click=move |_| asked.set(true)
            >
                {i18n.tr(LaterText::UpdateNow)}
            </button>
        </div>
    }
}
