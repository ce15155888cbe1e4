//! The save of one record, as the app's pages use it today.
//!
//! A [`SaveSlot`] keeps at most one unconfirmed save of its record as an outbox entry in IndexedDB
//! (`store.rs`), so a reload, a crash or a closed tab loses nothing: the next visit resumes it.
//! Every send goes through `send.rs` and the pure rules of `outbox.rs`: the same client
//! identifier (`If-None-Exist`) or `If-Match` on every retry, a 412 read back before it is called
//! a conflict, automatic retries with backoff and full jitter, and a visible end.
//!
//! What the full multi-tab outbox (`sync.rs`) adds on top — one flushing tab under a lock, several
//! records queued in order, the "Unsent saves" view — is not wired in yet (size budget, see
//! `save/mod.rs`). Two tabs resuming the same entry cannot duplicate it: both send the same
//! idempotent request.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use super::outbox::{enqueue, start_attempt, Enqueue, NewSave, Next, OutboxEntry, Write};
use super::retry::RetryPolicy;
use super::send::send_entry;
use super::state::SaveState;
use super::store::OutboxStore;
use crate::fhir::client::FhirClient;

/// The watchdog: past this long in `Saving` the citizen is told the service is slow.
pub const SLOW_AFTER_MS: u32 = 4_000;

/// What a finished attempt reports to the page: its state and the server's copy (stored, or
/// theirs in a conflict).
pub type OnDone = std::sync::Arc<dyn Fn(&SaveState, Option<Value>) + Send + Sync>;

struct Local {
    client: FhirClient,
    on_done: OnDone,
    store: RefCell<Option<Rc<OutboxStore>>>,
    next_try: RefCell<Option<gloo_timers::callback::Timeout>>,
}

/// The save of one record.
#[derive(Clone, Copy)]
pub struct SaveSlot {
    /// What the citizen sees on the item.
    pub state: RwSignal<SaveState>,
    /// The unconfirmed save, if any (also in storage).
    entry: RwSignal<Option<OutboxEntry>>,
    record: StoredValue<String>,
    /// Answers to older sends are ignored once a newer send has started.
    generation: StoredValue<u64>,
    /// Storage refused the save: the citizen must know it is not safe on this device yet.
    pub storage_error: RwSignal<Option<String>>,
    local: StoredValue<Local, LocalStorage>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl SaveSlot {
    /// The slot of `record`; resumes a save an earlier visit left unconfirmed.
    pub fn new(record: String, client: FhirClient, on_done: OnDone) -> Self {
        let slot = Self {
            state: RwSignal::new(SaveState::Draft),
            entry: RwSignal::new(None),
            record: StoredValue::new(record),
            generation: StoredValue::new(0),
            storage_error: RwSignal::new(None),
            local: StoredValue::new_local(Local {
                client,
                on_done,
                store: RefCell::new(None),
                next_try: RefCell::new(None),
            }),
        };
        spawn_local(async move {
            let Some(store) = slot.store().await else {
                return;
            };
            let record = slot.record.get_value();
            let left = store
                .entries()
                .await
                .ok()
                .and_then(|entries| entries.into_iter().find(|e| e.record == record));
            if let Some(entry) = left {
                if slot.entry.get_untracked().is_none() {
                    slot.state.try_set(entry.state.clone());
                    slot.entry.try_set(Some(entry));
                    slot.attempt();
                }
            }
        });
        slot
    }

    async fn store(self) -> Option<Rc<OutboxStore>> {
        if let Some(store) = self.local.with_value(|l| l.store.borrow().clone()) {
            return Some(store);
        }
        match OutboxStore::open().await {
            Ok(store) => {
                let store = Rc::new(store);
                self.local
                    .with_value(|l| *l.store.borrow_mut() = Some(store.clone()));
                Some(store)
            }
            Err(e) => {
                self.storage_error.try_set(Some(e.0));
                None
            }
        }
    }

    async fn persist(self, put: Option<&OutboxEntry>, delete: Option<&str>) {
        let Some(store) = self.store().await else {
            return;
        };
        let put: Vec<OutboxEntry> = put.into_iter().cloned().collect();
        let delete: Vec<String> = delete.into_iter().map(str::to_owned).collect();
        if let Err(e) = store.apply(&put, &delete).await {
            self.storage_error.try_set(Some(e.0));
        }
    }

    /// The resource being saved, for the optimistic display.
    pub fn pending(&self) -> Option<Value> {
        self.entry.with(|e| e.as_ref().map(|e| e.resource.clone()))
    }

    /// Saves a new version of the record: shown as `Saving` at once, stored, then sent.
    ///
    /// An unconfirmed earlier save of the record is replaced, keeping its idempotency key: if it
    /// did reach the server, the new content is written over it rather than beside it.
    pub fn send(&self, resource: Value, write: Write) {
        let earlier: Vec<OutboxEntry> = self.entry.get_untracked().into_iter().collect();
        let save = NewSave {
            entry_id: crate::web::new_uuid_urn(),
            record: self.record.get_value(),
            resource_type: "Consent".into(),
            resource,
            write,
            now_ms: now(),
        };
        let (entry, superseded) = match enqueue(&earlier, save) {
            Enqueue::Replace(entry) => (entry, None),
            // The earlier entry is in a conflict the citizen has just answered, or in flight:
            // this slot holds one save, the newest.
            Enqueue::Add(mut entry) => {
                entry.after = None;
                (entry, earlier.first().map(|e| e.id.clone()))
            }
        };
        self.generation.update_value(|g| *g += 1);
        self.state.set(entry.state.clone());
        self.entry.set(Some(entry));
        if let Some(id) = superseded {
            let slot = *self;
            spawn_local(async move { slot.persist(None, Some(&id)).await });
        }
        self.attempt();
    }

    /// *Retry now*: sends the unconfirmed save again, unchanged.
    pub fn retry(&self) {
        self.attempt();
    }

    /// "Take theirs": forgets this device's unconfirmed version.
    pub fn discard(&self) {
        self.generation.update_value(|g| *g += 1);
        self.local.with_value(|l| l.next_try.borrow_mut().take());
        let dropped = self.entry.get_untracked().map(|e| e.id);
        self.entry.set(None);
        self.state.set(SaveState::Draft);
        let slot = *self;
        spawn_local(async move { slot.persist(None, dropped.as_deref()).await });
    }

    fn attempt(&self) {
        let Some(mut entry) = self.entry.get_untracked() else {
            return;
        };
        self.local.with_value(|l| l.next_try.borrow_mut().take());
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        start_attempt(&mut entry, now());
        self.state.set(entry.state.clone());
        self.entry.set(Some(entry.clone()));

        let slot = *self;
        // No save may sit silently in "Saving": after a while it says so. One-shot, so forgotten.
        gloo_timers::callback::Timeout::new(SLOW_AFTER_MS, move || {
            if slot.generation.try_get_value() == Some(generation) {
                slot.state.try_update(|s| {
                    if let SaveState::Saving { slow, .. } = s {
                        *slow = true;
                    }
                });
            }
        })
        .forget();

        let client = self.local.with_value(|l| l.client.clone());
        spawn_local(async move {
            // Stored before it is sent: if the tab dies now, the next visit sends it again.
            slot.persist(Some(&entry), None).await;
            let policy = RetryPolicy::default();
            let (current, next) = send_entry(&client, entry, &policy, |e| {
                let e = e.clone();
                async move { slot.persist(Some(&e), None).await }
            })
            .await;
            if slot.generation.try_get_value() != Some(generation) {
                return;
            }
            slot.settle(current, next).await;
        });
    }

    async fn settle(self, current: OutboxEntry, next: Next) {
        let on_done = self.local.with_value(|l| l.on_done.clone());
        match next {
            Next::Confirmed { receipt, stored } => {
                self.persist(None, Some(&current.id)).await;
                self.entry.try_set(None);
                let state = SaveState::Confirmed(receipt);
                on_done(&state, Some(stored));
                self.state.try_set(state);
            }
            Next::Rejected { entry, state } => {
                self.persist(None, Some(&entry.id)).await;
                self.entry.try_set(None);
                on_done(&state, None);
                self.state.try_set(state);
            }
            Next::Keep(entry) | Next::ReadBack(entry) | Next::SendAgain(entry) => {
                self.persist(Some(&entry), None).await;
                let state = entry.state.clone();
                if matches!(state, SaveState::Queued { .. }) {
                    let wait = (entry.next_attempt_at_ms - now()).clamp(0.0, f64::from(i32::MAX));
                    let slot = self;
                    let timer = gloo_timers::callback::Timeout::new(wait as u32, move || {
                        slot.attempt();
                    });
                    self.local
                        .with_value(|l| *l.next_try.borrow_mut() = Some(timer));
                }
                on_done(&state, entry.theirs.clone());
                self.entry.try_set(Some(entry));
                self.state.try_set(state);
            }
        }
    }
}
