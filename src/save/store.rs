//! Where the outbox lives: IndexedDB, with localStorage as the fallback when IndexedDB is
//! unavailable (some private modes). Entries are stored as JSON text under their id.
//!
//! Written on `web-sys` directly: the four calls Tahto needs (open, read all, write and delete in
//! one transaction) cost ~2 KB of wasm; the `idb` crate with its dependencies was ~14 KB.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

use super::driver::Change;
use super::outbox::OutboxEntry;
use super::record::{Citizen, Kept, Record, STORAGE_PREFIX};

const DB_NAME: &str = STORAGE_PREFIX;
const DB_VERSION: u32 = 1;
const ENTRIES: &str = "outbox";

/// A decision about the stored entries, made on what storage holds when it is made.
pub type Decide = Box<dyn FnOnce(Vec<OutboxEntry>) -> Change>;

/// Storage failed; the citizen is told their save is not yet safe on this device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreError(pub &'static str);

fn to_json(entry: &OutboxEntry) -> String {
    crate::json::to_text(&entry.to_stored())
}

fn from_json(text: &str) -> Option<OutboxEntry> {
    // An entry written by a future version that this one cannot read, or for a record it does
    // not know, is left untouched: neither sent nor shown, and never deleted.
    crate::web::parse_json(text)
        .and_then(|v| OutboxEntry::from_stored(&v))
        .filter(|e| Record::parse(&e.record).is_some())
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

/// Where the entries are kept.
#[derive(Clone)]
enum Backend {
    IndexedDb(IdbDatabase),
    LocalStorage(web_sys::Storage),
    /// The browser refused both: this tab's memory (see [`OutboxStore::problem`]).
    Memory,
}

/// The home of the outbox.
///
/// If the browser refuses storage (blocked, full, some private modes), the outbox carries on in
/// this tab's memory: saves are still sent and confirmed, and [`OutboxStore::problem`] says why
/// they are not kept on the device, so the citizen is told to keep the page open. A save is never
/// left unsent because storage failed.
pub struct OutboxStore {
    /// Whose entries this store reads and writes; others' stay untouched where they are.
    citizen: Citizen,
    backend: RefCell<Backend>,
    /// The entries, when they live in memory; until then, the last ones read from storage.
    memory: RefCell<Vec<OutboxEntry>>,
    problem: Cell<Option<StoreError>>,
}

impl OutboxStore {
    /// Opens IndexedDB, else localStorage, else memory.
    pub async fn open(citizen: Citizen) -> OutboxStore {
        let (backend, problem) = match open_idb(crate::web::storage_access::indexed_db()).await {
            Ok(db) => (Backend::IndexedDb(db), None),
            Err(idb_error) => match crate::web::storage_access::local_storage() {
                Some(storage) => (Backend::LocalStorage(storage), None),
                None => (Backend::Memory, Some(idb_error)),
            },
        };
        OutboxStore {
            citizen,
            backend: RefCell::new(backend),
            memory: RefCell::new(Vec::new()),
            problem: Cell::new(problem),
        }
    }

    /// Why entries are only in memory, if they are.
    pub fn problem(&self) -> Option<StoreError> {
        self.problem.get()
    }

    /// Where entries are kept now: `IndexedDB`, `localStorage` or `memory`.
    pub fn kind(&self) -> &'static str {
        match &*self.backend.borrow() {
            Backend::IndexedDb(_) => "IndexedDB",
            Backend::LocalStorage(_) => "localStorage",
            Backend::Memory => "memory",
        }
    }

    /// Every entry, in no particular order (the outbox rules order them by `seq`).
    pub async fn entries(&self) -> Vec<OutboxEntry> {
        let backend = self.backend.borrow().clone();
        match read(&backend, &self.citizen).await {
            Ok(Some(entries)) => {
                // The last entries read: what the tab carries on with if storage fails later.
                *self.memory.borrow_mut() = entries.clone();
                entries
            }
            Ok(None) => self.memory.borrow().clone(),
            Err(problem) => {
                // The entries as last read carry on in memory (the unsent stay shown and sent),
                // not an empty outbox.
                let held = self.memory.borrow().clone();
                self.degrade(problem, held);
                self.memory.borrow().clone()
            }
        }
    }

    /// Writes `put` and removes `delete` (one transaction in IndexedDB); returns once committed.
    pub async fn apply(&self, put: &[OutboxEntry], delete: &[String]) {
        let backend = self.backend.borrow().clone();
        if let Err(problem) = write(&backend, &self.citizen, put, delete).await {
            self.degrade_holding(&backend, problem).await;
        }
        if matches!(&*self.backend.borrow(), Backend::Memory) {
            self.apply_in_memory(put, delete);
        }
    }

    /// Reads the entries and stores what `decide` makes of them, as one step: in IndexedDB one
    /// transaction, which the browser runs alone, so no change made meanwhile (by this tab or
    /// another) can be read by neither and overwritten. A read and a write apart lost an edit:
    /// the driver read an entry, the citizen's edit replaced it, and marking the old content "in
    /// flight" wrote it back. `decide` runs exactly once (on memory, if storage fails first).
    pub async fn update(&self, decide: Decide) {
        let backend = self.backend.borrow().clone();
        let Backend::IndexedDb(db) = &backend else {
            // localStorage and memory answer at once: nothing runs between the read and the write.
            let (put, delete) = decide(self.entries().await);
            self.apply(&put, &delete).await;
            return;
        };
        let decide = Rc::new(RefCell::new(Some(decide)));
        let Err((problem, decided)) = update_idb(db, self.citizen.tag(), &decide).await else {
            return;
        };
        self.degrade_holding(&backend, problem).await;
        let pending = decide.borrow_mut().take();
        let (put, delete) = match (decided, pending) {
            (Some(change), _) => change,
            (None, Some(decide)) => decide(self.memory.borrow().clone()),
            (None, None) => return,
        };
        self.apply_in_memory(&put, &delete);
    }

    fn apply_in_memory(&self, put: &[OutboxEntry], delete: &[String]) {
        let mut memory = self.memory.borrow_mut();
        memory.retain(|e| !delete.contains(&e.id) && !put.iter().any(|p| p.id == e.id));
        memory.extend(put.iter().cloned());
    }

    /// A write failed: the outbox goes on in memory, with whatever storage still holds (else
    /// what was last read).
    async fn degrade_holding(&self, backend: &Backend, problem: StoreError) {
        let held = read(backend, &self.citizen)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| self.memory.borrow().clone());
        self.degrade(problem, held);
    }

    fn degrade(&self, problem: StoreError, held: Vec<OutboxEntry>) {
        self.problem.set(Some(problem));
        *self.memory.borrow_mut() = held;
        *self.backend.borrow_mut() = Backend::Memory;
    }
}

async fn open_idb(factory: Option<web_sys::IdbFactory>) -> Result<IdbDatabase, StoreError> {
    const FAILED: StoreError = StoreError("IndexedDB open failed");
    let request = factory
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

/// The citizen's entries in a durable backend (`None` for memory).
async fn read(
    backend: &Backend,
    citizen: &Citizen,
) -> Result<Option<Vec<OutboxEntry>>, StoreError> {
    let entries = read_all(backend, citizen).await?;
    Ok(entries.map(|mut entries| {
        entries.retain(|e| e.owner == citizen.tag());
        entries
    }))
}

async fn read_all(
    backend: &Backend,
    citizen: &Citizen,
) -> Result<Option<Vec<OutboxEntry>>, StoreError> {
    match backend {
        Backend::IndexedDb(db) => {
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
            Ok(Some(
                values
                    .iter()
                    .filter_map(|v| v.as_string())
                    .filter_map(|t| from_json(&t))
                    .collect(),
            ))
        }
        Backend::LocalStorage(storage) => {
            let prefix = citizen.key(Kept::OutboxEntry(""));
            let len = storage
                .length()
                .map_err(|_| StoreError("localStorage read failed"))?;
            Ok(Some(
                (0..len)
                    .filter_map(|i| storage.key(i).ok().flatten())
                    .filter(|k| k.starts_with(&prefix))
                    .filter_map(|k| storage.get_item(&k).ok().flatten())
                    .filter_map(|t| from_json(&t))
                    .collect(),
            ))
        }
        Backend::Memory => Ok(None),
    }
}

async fn write(
    backend: &Backend,
    citizen: &Citizen,
    put: &[OutboxEntry],
    delete: &[String],
) -> Result<(), StoreError> {
    match backend {
        Backend::IndexedDb(db) => {
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
        Backend::LocalStorage(storage) => {
            for entry in put {
                storage
                    .set_item(&citizen.key(Kept::OutboxEntry(&entry.id)), &to_json(entry))
                    .map_err(|_| StoreError("localStorage refused the entry"))?;
            }
            for id in delete {
                let _absent_is_fine = storage.remove_item(&citizen.key(Kept::OutboxEntry(id)));
            }
            Ok(())
        }
        Backend::Memory => Ok(()),
    }
}

/// [`OutboxStore::update`] in one IndexedDB transaction: `decide` runs in the read's `success`
/// event, while the transaction is still active, and its writes join it. On failure, what was
/// decided (if `decide` ran) for the memory fallback.
async fn update_idb(
    db: &IdbDatabase,
    owner: &str,
    decide: &Rc<RefCell<Option<Decide>>>,
) -> Result<(), (StoreError, Option<Change>)> {
    const FAILED: StoreError = StoreError("IndexedDB write failed");
    let tx = db
        .transaction_with_str_and_mode(ENTRIES, IdbTransactionMode::Readwrite)
        .map_err(|_| (FAILED, None))?;
    let store = tx.object_store(ENTRIES).map_err(|_| (FAILED, None))?;
    let request = store.get_all().map_err(|_| (FAILED, None))?;
    let decided: Rc<RefCell<Option<Change>>> = Rc::default();
    let on_read = Closure::once({
        let (request, tx, owner) = (request.clone(), tx.clone(), owner.to_owned());
        let (decide, decided) = (decide.clone(), decided.clone());
        move || {
            let Some(decide) = decide.borrow_mut().take() else {
                return;
            };
            let entries = request
                .result()
                .map(|all| js_sys::Array::from(&all))
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_string())
                .filter_map(|t| from_json(&t))
                .filter(|e| e.owner == owner)
                .collect();
            let (put, delete) = decide(entries);
            let written = put.iter().all(|entry| {
                let text = JsValue::from_str(&to_json(entry));
                store
                    .put_with_key(&text, &JsValue::from_str(&entry.id))
                    .is_ok()
            }) && delete
                .iter()
                .all(|id| store.delete(&JsValue::from_str(id)).is_ok());
            if !written {
                // All or nothing: the memory fallback takes the whole decision.
                let _aborted = tx.abort();
            }
            *decided.borrow_mut() = Some((put, delete));
        }
    });
    request.set_onsuccess(Some(on_read.as_ref().unchecked_ref()));
    let committed = settled(&tx, "complete", &["error", "abort"]).await;
    request.set_onsuccess(None);
    let decided = decided.borrow_mut().take();
    committed.map_err(|_| (FAILED, decided))
}

/// Moves what this site's storage holds for `citizen` (the outbox, drafts, how saves ended) into
/// Tahto's own storage, once a partner's frame was granted it. Copied first, removed here only
/// once the copy is committed: interrupted, a save is in both (its idempotent write keeps that
/// harmless), never in neither. Returns how many were moved.
pub async fn move_to_granted(citizen: &Citizen) -> usize {
    let (site_idb, site_local) = crate::web::storage_access::window_storage();
    let mut moved = 0;
    if let (Ok(site), Ok(own)) = (
        open_idb(site_idb).await,
        open_idb(crate::web::storage_access::indexed_db()).await,
    ) {
        let (site, own) = (Backend::IndexedDb(site), Backend::IndexedDb(own));
        if let Ok(Some(entries)) = read(&site, citizen).await {
            let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
            if write(&own, citizen, &entries, &[]).await.is_ok()
                && write(&site, citizen, &[], &ids).await.is_ok()
            {
                moved += ids.len();
            }
        }
    }
    if let (Some(site), Some(own)) = (site_local, crate::web::storage_access::local_storage()) {
        let prefix = citizen.key_prefix();
        let keys: Vec<String> = (0..site.length().unwrap_or(0))
            .filter_map(|i| site.key(i).ok().flatten())
            .filter(|k| k.starts_with(&prefix))
            .collect();
        for key in keys {
            let Some(value) = site.get_item(&key).ok().flatten() else {
                continue;
            };
            match own.get_item(&key).ok().flatten() {
                // Tahto's own has another (a draft typed there): this one stays where it is.
                Some(there) if there != value => continue,
                Some(_) => {}
                None if own.set_item(&key, &value).is_err() => continue,
                None => {}
            }
            let _removed = site.remove_item(&key);
            moved += 1;
        }
    }
    moved
}
