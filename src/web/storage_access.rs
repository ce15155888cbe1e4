//! Tahto's own storage inside a partner's frame, where the browser grants it.
//!
//! In a frame of another site every current browser keeps IndexedDB, localStorage, Web Locks and
//! BroadcastChannel for the partner's site only. The Storage Access API (beyond cookies) hands
//! such a frame Tahto's own: `document.requestStorageAccess({ indexedDB, localStorage, locks,
//! BroadcastChannel })`. Once granted, everything Tahto keeps goes through the handle (the
//! accessors here are the only way to storage); where the browser does not offer it (Firefox and
//! Safari give cookies only) or refuses, through the window, and the frame says so.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::window;

// The handle is used through `Reflect`: typed bindings cost the first load a glue function each.
thread_local! {
    /// What `requestStorageAccess` granted: the storage of Tahto's own origin.
    static GRANTED: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// The part `name` of the granted handle (`None` if nothing was granted).
fn granted<T: JsCast>(name: &str) -> Option<T> {
    GRANTED.with(|g| Some(get(g.borrow().as_ref()?, name)?.unchecked_into()))
}

/// Whether Tahto keeps its data in its own storage through a granted handle.
pub fn is_granted() -> bool {
    GRANTED.with(|g| g.borrow().is_some())
}

/// IndexedDB: Tahto's own where granted, else the window's.
pub fn indexed_db() -> Option<web_sys::IdbFactory> {
    granted("indexedDB").or_else(|| window()?.indexed_db().ok().flatten())
}

/// localStorage: Tahto's own where granted, else the window's.
pub fn local_storage() -> Option<web_sys::Storage> {
    granted("localStorage").or_else(|| window()?.local_storage().ok().flatten())
}

/// The Web Locks manager: Tahto's own where granted, else the window's (`None` without one).
pub fn locks() -> Option<JsValue> {
    granted("locks").or_else(|| get(&window()?.navigator(), "locks"))
}

/// A broadcast channel to Tahto's other tabs: those of its own storage where granted.
pub fn broadcast_channel(name: &str) -> Option<web_sys::BroadcastChannel> {
    let own = GRANTED.with(|g| {
        let handle = g.borrow().clone()?;
        let make: js_sys::Function = granted("BroadcastChannel")?;
        make.call1(&handle, &JsValue::from_str(name)).ok()
    });
    own.map(JsCast::unchecked_into)
        .or_else(|| window_channel(name))
}

/// The window's own IndexedDB and localStorage: in a frame of another site, the partner site's
/// (what Tahto kept there before it was granted its own).
pub fn window_storage() -> (Option<web_sys::IdbFactory>, Option<web_sys::Storage>) {
    let window = window();
    (
        window.as_ref().and_then(|w| w.indexed_db().ok().flatten()),
        window.and_then(|w| w.local_storage().ok().flatten()),
    )
}

/// A broadcast channel in the window's own storage: in a frame of another site, to Tahto's frames
/// on the same partner site, whatever was granted.
pub fn window_channel(name: &str) -> Option<web_sys::BroadcastChannel> {
    web_sys::BroadcastChannel::new(name).ok()
}

/// Whether this browser has the Storage Access API at all.
pub fn can_ask() -> bool {
    window()
        .and_then(|w| w.document())
        .and_then(|d| get(&d, "requestStorageAccess"))
        .is_some()
}

/// Asks for Tahto's own storage. With `tapped` (the citizen's tap, which the browser requires
/// before it may ask) the browser may ask the citizen; without it the browser grants only what it
/// already allows (third-party cookies allowed, or a grant the citizen gave before) and refuses
/// the rest at once, and Tahto never waits long on it. Returns whether it was granted.
pub async fn ask(tapped: bool) -> bool {
    let Some(document) = window().and_then(|w| w.document()) else {
        return false;
    };
    if is_granted() {
        return true;
    }
    let types = js_sys::Object::new();
    for name in ["indexedDB", "localStorage", "locks", "BroadcastChannel"] {
        let _set = js_sys::Reflect::set(&types, &JsValue::from_str(name), &JsValue::TRUE);
    }
    // Absent in older browsers.
    let request: Option<js_sys::Function> =
        get(&document, "requestStorageAccess").map(JsCast::unchecked_into);
    let Some(promise) = request.and_then(|r| r.call1(&document, &types).ok()) else {
        return false;
    };
    // Whatever it answered, as a promise (a browser of old answered with none).
    let promise = js_sys::Promise::resolve(&promise);
    let promise = if tapped {
        promise
    } else {
        // Answered at once; a browser that would wait is not waited for.
        let timeout = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
            if let Some(window) = window() {
                let _timer =
                    window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 3_000);
            }
        });
        js_sys::Promise::race(&js_sys::Array::of2(&promise, &timeout))
    };
    // A browser that grants cookies only (Safari, Firefox) answers without a handle.
    match JsFuture::from(promise).await {
        Ok(handle) if handle.is_object() => {
            GRANTED.with(|g| *g.borrow_mut() = Some(handle));
            true
        }
        _ => false,
    }
}
