//! The events between the first load and a lazily loaded bundle: the only things two WebAssembly
//! instances of Tahto share besides the DOM and the browser's storage.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

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
