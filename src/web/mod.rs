//! Thin browser glue, one module per concern: `storage` (local and session storage), `json`
//! (JSON through the browser's parser), `format` (dates and numbers in the citizen's language),
//! `lock` (the cross-tab lock). Here: the clock, random
//! ids, window events and the few DOM helpers.

mod format;
mod json;
mod lock;
mod storage;

pub use format::{format_date, format_date_time, format_number, format_time, format_time_seconds};
pub use json::{bundle_resources_paced, parse_json};
pub use lock::with_tab_lock;
pub use storage::{
    ask_persistent_storage, forget, forget_all_with_prefix, session_forget, session_store,
    session_stored, store, stored,
};

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The device clock as ISO 8601 UTC.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// A fresh `urn:uuid:` from the browser's cryptographic random source.
pub fn new_uuid_urn() -> String {
    let mut bytes = [0u8; 16];
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
    crate::ids::uuid_urn(bytes)
}

/// Listens to a window event for the app's lifetime.
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
