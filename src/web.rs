//! Thin browser glue: clock, random ids, local storage, dates in the citizen's language.

use crate::i18n::Lang;
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

fn local_storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

/// Reads a value the app stored; `None` when storage is unavailable (private mode, blocked).
pub fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Stores a value; `false` when the browser refused (quota, private mode).
pub fn store(key: &str, value: &str) -> bool {
    local_storage()
        .map(|s| s.set_item(key, value).is_ok())
        .unwrap_or(false)
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

/// Removes a stored value (absent or blocked storage: nothing to remove).
pub fn forget(key: &str) {
    if let Some(storage) = local_storage() {
        let _removed = storage.remove_item(key);
    }
}

fn parse_date(iso: &str) -> Option<js_sys::Date> {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    (!date.get_time().is_nan()).then_some(date)
}

fn format_with(iso: &str, lang: Lang, options: &str) -> String {
    match (parse_date(iso), js_sys::JSON::parse(options)) {
        (Some(date), Ok(options)) => date.to_locale_string(lang.locale(), &options).into(),
        // An unreadable server date is shown as the server wrote it rather than hidden.
        _ => crate::text::truncate_chars(&crate::text::clean_for_display(iso), 40),
    }
}

/// `14.03` / `14:03`, local time.
pub fn format_time(iso: &str, lang: Lang) -> String {
    format_with(iso, lang, r#"{"hour":"2-digit","minute":"2-digit"}"#)
}

/// `14.03.30`, local time with seconds (for "next try at").
pub fn format_time_seconds(iso: &str, lang: Lang) -> String {
    format_with(
        iso,
        lang,
        r#"{"hour":"2-digit","minute":"2-digit","second":"2-digit"}"#,
    )
}

/// Date and time, local, for receipts and "recorded" lines.
pub fn format_date_time(iso: &str, lang: Lang) -> String {
    format_with(
        iso,
        lang,
        r#"{"year":"numeric","month":"numeric","day":"numeric","hour":"2-digit","minute":"2-digit","second":"2-digit"}"#,
    )
}
