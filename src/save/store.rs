//! Where the outbox lives: IndexedDB, with localStorage as the fallback when IndexedDB is
//! unavailable (some private modes). Entries are stored as JSON text under their id.
//!
//! Written on `web-sys` directly: the four calls Tahto needs (open, read all, write and delete in
//! one transaction) cost ~2 KB of wasm; the `idb` crate with its dependencies was ~14 KB.

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

use super::outbox::OutboxEntry;

const DB_NAME: &str = "tahto";
const DB_VERSION: u32 = 1;
const ENTRIES: &str = "outbox";
const LOCAL_PREFIX: &str = "tahto.outbox.";

/// Storage failed; the citizen is told their save is not yet safe on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreError(pub &'static str);

fn to_json(entry: &OutboxEntry) -> String {
    crate::json::to_text(&entry.to_stored())
}

fn from_json(text: &str) -> Option<OutboxEntry> {
    // An entry written by a future version that this one cannot read is left untouched.
    crate::web::parse_json(text).and_then(|v| OutboxEntry::from_stored(&v))
}

/// Waits for an IndexedDB request (or transaction) to fire `ok` or one of `failed`.
async fn settled(target: &web_sys::EventTarget, ok: &str, failed: &[&str]) -> Result<(), ()> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let _added = target.add_event_listener_with_callback(ok, &resolve);
        for event in failed {
            let _added = target.add_event_listener_with_callback(event, &reject);
        }
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| ())
}

async fn result_of(request: IdbRequest) -> Result<JsValue, ()> {
    settled(&request, "success", &["error"]).await?;
    request.result().map_err(|_| ())
}

/// The home of the outbox.
pub enum OutboxStore {
    IndexedDb(IdbDatabase),
    LocalStorage(web_sys::Storage),
}

impl OutboxStore {
    /// Opens IndexedDB, or falls back to localStorage.
    pub async fn open() -> Result<OutboxStore, StoreError> {
        match Self::open_idb().await {
            Ok(db) => Ok(OutboxStore::IndexedDb(db)),
            Err(idb_error) => web_sys::window()
                .and_then(|w| w.local_storage().ok().flatten())
                .map(OutboxStore::LocalStorage)
                .ok_or(idb_error),
        }
    }

    async fn open_idb() -> Result<IdbDatabase, StoreError> {
        const FAILED: StoreError = StoreError("IndexedDB open failed");
        let request = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or(FAILED)?
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(|_| FAILED)?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
            let request = request.clone();
            move |_| {
                if let Ok(db) = request.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                    if !db.object_store_names().contains(ENTRIES) {
                        let _created = db.create_object_store(ENTRIES);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let opened = result_of(request.clone().unchecked_into()).await;
        request.set_onupgradeneeded(None);
        opened
            .and_then(|db| db.dyn_into::<IdbDatabase>().map_err(|_| ()))
            .map_err(|_| FAILED)
    }

    /// Every entry, in no particular order (the outbox rules order them by `seq`).
    pub async fn entries(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let entries: Vec<OutboxEntry> = match self {
            OutboxStore::IndexedDb(db) => {
                const FAILED: StoreError = StoreError("IndexedDB read failed");
                let request = db
                    .transaction_with_str(ENTRIES)
                    .and_then(|tx| tx.object_store(ENTRIES))
                    .and_then(|store| store.get_all())
                    .map_err(|_| FAILED)?;
                let values: js_sys::Array = result_of(request)
                    .await
                    .map_err(|_| FAILED)?
                    .unchecked_into();
                values
                    .iter()
                    .filter_map(|v| v.as_string())
                    .filter_map(|t| from_json(&t))
                    .collect()
            }
            OutboxStore::LocalStorage(storage) => {
                let len = storage.length().unwrap_or(0);
                (0..len)
                    .filter_map(|i| storage.key(i).ok().flatten())
                    .filter(|k| k.starts_with(LOCAL_PREFIX))
                    .filter_map(|k| storage.get_item(&k).ok().flatten())
                    .filter_map(|t| from_json(&t))
                    .collect()
            }
        };
        Ok(entries)
    }

    /// Writes `put` and removes `delete` in one transaction; returns once it is committed.
    pub async fn apply(&self, put: &[OutboxEntry], delete: &[String]) -> Result<(), StoreError> {
        match self {
            OutboxStore::IndexedDb(db) => {
                const FAILED: StoreError = StoreError("IndexedDB write failed");
                let tx = db
                    .transaction_with_str_and_mode(ENTRIES, IdbTransactionMode::Readwrite)
                    .map_err(|_| FAILED)?;
                let store = tx.object_store(ENTRIES).map_err(|_| FAILED)?;
                for entry in put {
                    let text = JsValue::from_str(&to_json(entry));
                    store
                        .put_with_key(&text, &JsValue::from_str(&entry.id))
                        .map_err(|_| FAILED)?;
                }
                for id in delete {
                    store.delete(&JsValue::from_str(id)).map_err(|_| FAILED)?;
                }
                settled(&tx, "complete", &["error", "abort"])
                    .await
                    .map_err(|_| FAILED)
            }
            OutboxStore::LocalStorage(storage) => {
                for entry in put {
                    storage
                        .set_item(&format!("{LOCAL_PREFIX}{}", entry.id), &to_json(entry))
                        .map_err(|_| StoreError("localStorage refused the entry"))?;
                }
                for id in delete {
                    let _absent_is_fine = storage.remove_item(&format!("{LOCAL_PREFIX}{id}"));
                }
                Ok(())
            }
        }
    }
}
