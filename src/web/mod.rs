//! Thin browser glue, one module per concern: `storage` (local and session storage), `json`
//! (JSON through the browser's parser), `format` (dates and numbers in the citizen's language),
//! `lock` (the cross-tab lock), `storage_access` (Tahto's own storage in a partner's
//! frame). Here: the clock, random ids, window events, yielding to the
//! browser and the few DOM helpers.

mod format;
mod json;
mod lock;
mod storage;
pub mod storage_access;

pub use format::{format_date, format_date_time, format_number, format_time, format_time_seconds};
pub use json::{
    bundle_resources_paced, from_js as json_from_js_value, parse_json, parse_json_text,
};
pub use lock::with_tab_lock;
pub use storage::{
    ask_persistent_storage, forget, forget_all_matching, forget_all_with_prefix, session_forget,
    session_store, session_store_checked, session_stored, store, stored,
};

use wasm_bindgen::JsValue;

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The device clock as ISO 8601 UTC.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// A fresh `urn:uuid:` from the browser's cryptographic random source.
pub fn new_uuid_urn() -> String {
    crate::ids::uuid_urn(random_bytes::<16>())
}

/// `N` bytes from the browser's cryptographic random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let filled = window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    if !filled {
        // Without WebCrypto (very old browsers) fall back to Math.random: still unique enough for
        // an idempotency key, which only has to differ between this citizen's saves.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// Shows `path` (with its query) in the address bar instead, without a new history entry.
pub fn replace_address(path: &str) {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _replaced = history.replace_state_with_url(&JsValue::NULL, "", Some(path));
    }
}

/// Lets the browser run what is waiting (a tap, a scroll, painting) before going on: long work
/// awaits this between slices so that no task blocks the page for long. `scheduler.yield()` where
/// the browser has it (the rest of the work then goes ahead of other queued tasks, and is not
/// throttled like nested timers), else a zero timeout.
pub async fn yield_now() {
    use wasm_bindgen::JsCast;
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key));
    let scheduler = get(&js_sys::global(), "scheduler").unwrap_or(JsValue::UNDEFINED);
    let yielded = get(&scheduler, "yield")
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&scheduler).ok())
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
    match yielded {
        // A rejected yield (the task was aborted) still means: go on.
        Some(promise) => drop(wasm_bindgen_futures::JsFuture::from(promise).await),
        None => gloo_timers::future::TimeoutFuture::new(0).await,
    }
}

/// Runs `f` when the browser is idle (`requestIdleCallback`; no time limit, so that work done
/// ahead never runs in the middle of what the citizen is doing), else after a second where the
/// browser lacks it (Safari).
pub fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    let Ok(function) = callback.dyn_into::<js_sys::Function>() else {
        return;
    };
    let idle = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let scheduled = idle.is_some_and(|idle| idle.call1(&window, &function).is_ok());
    if !scheduled {
        let _timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(&function, 1_000);
    }
}

/// Paces work done in steps: `step().await` after each lets what the step started run (Leptos
/// effects, queued as microtasks: the redraw is part of the step) and yields to the browser once
/// the steps since the last yield have taken `budget_ms`. Cheap steps share a task, so the browser
/// does not render a frame after each; a costly one is alone in its task.
pub struct Pacer {
    budget_ms: f64,
    since: f64,
}

impl Pacer {
    pub fn new(budget_ms: f64) -> Pacer {
        Pacer {
            budget_ms,
            since: js_sys::Date::now(),
        }
    }

    pub async fn step(&mut self) {
        let settled = js_sys::Promise::resolve(&JsValue::UNDEFINED);
        drop(wasm_bindgen_futures::JsFuture::from(settled).await);
        if js_sys::Date::now() - self.since >= self.budget_ms {
            yield_now().await;
            self.since = js_sys::Date::now();
        }
    }
}

/// Listens to a window event for the app's lifetime.
/// Whether Tahto runs inside a frame of another page.
pub fn is_framed() -> bool {
    window().is_some_and(|w| {
        w.parent()
            .ok()
            .flatten()
            .is_some_and(|parent| !js_sys::Object::is(&parent, &w))
    })
}

pub fn on_window(event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    use wasm_bindgen::JsCast;
    if let Some(window) = window() {
        let closure = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(handler);
        let _added =
            window.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        closure.forget();
    }
}

/// Opens the browser's print dialog (the print stylesheet shows the printable record only).
pub fn print() {
    if let Some(window) = window() {
        let _shown = window.print();
    }
}

/// Moves focus to the heading of the section now shown, so keyboard and screen reader users
/// start there after moving between sections (it gets `tabindex="-1"` to take focus).
pub fn focus_heading() {
    use wasm_bindgen::JsCast;
    let Some(list) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("#tahto main h1").ok())
    else {
        return;
    };
    for i in 0..list.length() {
        let heading = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
        // Hidden sections have no offset parent.
        if let Some(heading) = heading.filter(|h| h.offset_parent().is_some()) {
            let _focusable = heading.set_attribute("tabindex", "-1");
            let _focused = heading.focus();
            return;
        }
    }
}
