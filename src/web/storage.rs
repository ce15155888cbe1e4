//! Local storage (kept on the device) and session storage (this tab only). Every failure is
//! an answer (`None`, `false`), never a panic: private modes and full disks are ordinary.

use super::window;

pub(super) fn local_storage() -> Option<web_sys::Storage> {
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

/// This tab's storage: what is shown survives a reload, not a new tab.
fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

pub fn session_stored(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// Best effort: without session storage a reload starts at the home page.
pub fn session_store(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _kept = storage.set_item(key, value);
    }
}

/// Removes a stored value (absent or blocked storage: nothing to remove).
pub fn forget(key: &str) {
    if let Some(storage) = local_storage() {
        let _removed = storage.remove_item(key);
    }
}
