//! Where the outbox lives: IndexedDB, with localStorage as the fallback when IndexedDB is
//! unavailable (some private modes). Values are stored as JSON text, keys out of line.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use super::outbox::OutboxEntry;

const DB_NAME: &str = "tahto";
const DB_VERSION: u32 = 1;
const ENTRIES: &str = "outbox";
const LOCAL_PREFIX: &str = "tahto.outbox.";

/// Storage failed; the citizen is told their save is not yet safe on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct StoreError(pub String);

impl From<idb::Error> for StoreError {
    // The variant names the failing step; formatting the error itself would pull in the text of
    // every IndexedDB error there is.
    fn from(e: idb::Error) -> Self {
        let step = match e {
            idb::Error::IndexedDbNotFound(_) | idb::Error::IndexedDbOpenFailed(_) => "open",
            idb::Error::TransactionOpenFailed(_) | idb::Error::TransactionCommitError(_) => {
                "transaction"
            }
            idb::Error::GetAllFailed(_) => "read",
            idb::Error::UpdateFailed(_) | idb::Error::DeleteFailed(_) => "write",
            _ => "IndexedDB",
        };
        StoreError(format!("IndexedDB {step} failed"))
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError(e.to_string()))
}

fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    // An entry written by a future version that this one cannot read is left untouched.
    serde_json::from_str::<T>(text).ok()
}

/// The home of the outbox.
pub enum OutboxStore {
    IndexedDb(idb::Database),
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

    async fn open_idb() -> Result<idb::Database, StoreError> {
        let db = idb::builder::DatabaseBuilder::new(DB_NAME)
            .version(DB_VERSION)
            .add_object_store(idb::builder::ObjectStoreBuilder::new(ENTRIES))
            .build()
            .await?;
        Ok(db)
    }

    /// Every entry, oldest first.
    pub async fn entries(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut entries: Vec<OutboxEntry> = match self {
            OutboxStore::IndexedDb(db) => {
                let tx = db.transaction(&[ENTRIES], idb::TransactionMode::ReadOnly)?;
                let values = tx.object_store(ENTRIES)?.get_all(None, None)?.await?;
                values
                    .iter()
                    .filter_map(|v| v.as_string())
                    .filter_map(|t| from_json::<OutboxEntry>(&t))
                    .map(OutboxEntry::restored)
                    .collect()
            }
            OutboxStore::LocalStorage(storage) => {
                let len = storage.length().unwrap_or(0);
                (0..len)
                    .filter_map(|i| storage.key(i).ok().flatten())
                    .filter(|k| k.starts_with(LOCAL_PREFIX))
                    .filter_map(|k| storage.get_item(&k).ok().flatten())
                    .filter_map(|t| from_json::<OutboxEntry>(&t))
                    .map(OutboxEntry::restored)
                    .collect()
            }
        };
        entries.sort_by_key(|e| e.seq);
        Ok(entries)
    }

    /// Writes `put` and removes `delete` in one transaction.
    pub async fn apply(&self, put: &[OutboxEntry], delete: &[String]) -> Result<(), StoreError> {
        match self {
            OutboxStore::IndexedDb(db) => {
                let tx = db.transaction(&[ENTRIES], idb::TransactionMode::ReadWrite)?;
                let store = tx.object_store(ENTRIES)?;
                for entry in put {
                    let key = JsValue::from_str(&entry.id);
                    store.put(&JsValue::from_str(&to_json(entry)?), Some(&key))?;
                }
                for id in delete {
                    store.delete(JsValue::from_str(id))?;
                }
                tx.commit()?.await?;
                Ok(())
            }
            OutboxStore::LocalStorage(storage) => {
                for entry in put {
                    storage
                        .set_item(&format!("{LOCAL_PREFIX}{}", entry.id), &to_json(entry)?)
                        .map_err(|_| StoreError("localStorage refused the entry".into()))?;
                }
                for id in delete {
                    let _absent_is_fine = storage.remove_item(&format!("{LOCAL_PREFIX}{id}"));
                }
                Ok(())
            }
        }
    }
}
