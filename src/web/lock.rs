//! The cross-tab lock: one tab at a time sends the outbox.

use wasm_bindgen::JsValue;

use super::new_uuid_urn;
use super::storage::{local_storage, store, stored};

/// Runs `work` while holding the cross-tab lock `name`, if no other tab holds it.
///
/// Uses the Web Locks API (released by the browser even when a tab crashes). Where the browser has
/// no Web Locks, or refuses them, a lease in localStorage stands in: it expires on its own if its
/// tab dies. Where it refuses storage too, the work goes on: no other tab can see this one's saves.
/// Returns `false` when another tab holds the lock (it is doing the work).
pub async fn with_tab_lock<F>(name: &str, work: F) -> bool
where
    F: std::future::Future<Output = ()> + 'static,
{
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let locks = super::storage_access::locks();
    let request = locks.as_ref().and_then(|l| {
        js_sys::Reflect::get(l, &JsValue::from_str("request"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return with_lease(name, work).await;
    };

    let work = Rc::new(RefCell::new(Some(work)));
    let acquired = Rc::new(std::cell::Cell::new(false));
    let callback = {
        let work = work.clone();
        let acquired = acquired.clone();
        Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |lock: JsValue| {
            let job = work.borrow_mut().take();
            match job {
                Some(job) if !lock.is_null() => {
                    acquired.set(true);
                    wasm_bindgen_futures::future_to_promise(async move {
                        job.await;
                        Ok(JsValue::UNDEFINED)
                    })
                }
                _ => js_sys::Promise::resolve(&JsValue::UNDEFINED),
            }
        })
    };
    let options = js_sys::Object::new();
    let _set = js_sys::Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    let promise = request.call3(
        &locks,
        &JsValue::from_str(name),
        &options,
        callback.as_ref(),
    );
    match promise.map(js_sys::Promise::from) {
        Ok(promise) => {
            let done = wasm_bindgen_futures::JsFuture::from(promise).await;
            // Refused before the work began (a frame of another site where the browser blocks
            // storage): the lease stands in.
            let unstarted = work.borrow_mut().take();
            match (done, unstarted) {
                (Err(_), Some(job)) => with_lease(name, job).await,
                _ => acquired.get(),
            }
        }
        Err(_) => {
            // The lock API threw (e.g. an opaque origin): fall back to the lease.
            let job = work.borrow_mut().take();
            match job {
                Some(job) => with_lease(name, job).await,
                None => false,
            }
        }
    }
}

/// How long a localStorage lease lasts. If a flush outlives it, a second tab may flush too: the
/// in-flight marks of entries and idempotent requests keep that overlap harmless.
const LEASE_MS: u64 = 60_000;

async fn with_lease<F>(name: &str, work: F) -> bool
where
    F: std::future::Future<Output = ()>,
{
    let key = format!("{name}.lease");
    let me = new_uuid_urn();
    // Whole milliseconds: the lease is text in localStorage.
    let now = js_sys::Date::now() as u64;
    let held_by_other = stored(&key)
        .and_then(|v| {
            let (holder, until) = v.split_once(' ')?;
            Some((holder.to_owned(), until.parse::<u64>().ok()?))
        })
        .is_some_and(|(holder, until)| holder != me && until > now);
    if held_by_other {
        return false;
    }
    // A lease that cannot be written (storage refused, as in a frame of another site, or full)
    // does not stop the work: without storage no other tab shares this one's saves, and where
    // one does, the entries' in-flight marks and idempotent writes keep an overlap harmless.
    let leased = store(&key, &format!("{me} {}", now + LEASE_MS));
    work.await;
    if let Some(storage) = local_storage().filter(|_| leased) {
        let _released = storage.remove_item(&key);
    }
    true
}
