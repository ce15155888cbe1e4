//! Local storage (kept on the device) and session storage (this tab only). Every failure is
//! an answer (`None`, `false`), never a panic: private modes and full disks are ordinary.

use super::window;

pub(super) use super::storage_access::local_storage;

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

/// This tab's storage: what is shown survives a reload, not a new tab.
fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

pub fn session_stored(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// Best effort: without session storage a reload starts at the home page.
pub fn session_store(key: &str, value: &str) {
    session_store_checked(key, value);
}

/// Stores a value for this tab's session; `false` when the browser refused.
pub fn session_store_checked(key: &str, value: &str) -> bool {
    session_storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Removes a stored value (absent or blocked storage: nothing to remove).
pub fn forget(key: &str) {
    if let Some(storage) = local_storage() {
        let _removed = storage.remove_item(key);
    }
}

/// Removes every local key that starts with `prefix`.
pub fn forget_all_with_prefix(prefix: &str) {
    forget_all_matching(|key| key.starts_with(prefix));
}

/// Removes every local key that `matches`.
pub fn forget_all_matching(matches: impl Fn(&str) -> bool) {
    let Some(storage) = local_storage() else {
        return;
    };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| matches(k))
        .collect();
    for key in keys {
        let _removed = storage.remove_item(&key);
    }
}

/// Removes a value of this tab's session.
pub fn session_forget(key: &str) {
    if let Some(storage) = session_storage() {
        let _removed = storage.remove_item(key);
    }
}

/// Asks the browser to keep Tahto's storage when space runs low (`navigator.storage.persist()`).
/// The browser decides, often silently; unsent saves are kept either way until it evicts them.
pub fn ask_persistent_storage() {
    use wasm_bindgen::{JsCast, JsValue};
    let Some(window) = window() else {
        return;
    };
    let storage = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("storage"))
        .ok()
        .filter(|s| s.is_object());
    let persist = storage.as_ref().and_then(|s| {
        js_sys::Reflect::get(s, &JsValue::from_str("persist"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    if let (Some(storage), Some(persist)) = (storage, persist) {
        // The promise's answer changes nothing Tahto does.
        let _asked = persist.call0(&storage);
    }
}
