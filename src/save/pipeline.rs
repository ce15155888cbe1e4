//! The save of one record, as the app's pages use it today.
//!
//! A [`SaveSlot`] keeps at most one unconfirmed save of its record. It keeps the promises of the
//! save contract that fit in the first-load budget:
//! - optimistic `Saving` at once, then a visible end: confirmed with the server's receipt, refused
//!   with the server's words, a conflict, or queued with the reason and the next automatic try;
//! - automatic retries with backoff, full jitter and `Retry-After` ([`RetryPolicy`]);
//! - idempotent resends: every retry is the same request (the same client identifier for
//!   `If-None-Exist`, the same `If-Match`), so a lost response can never make a duplicate;
//! - the unconfirmed request is kept in localStorage before it is sent, so a reload, a crash or a
//!   closed tab loses nothing: the next visit sends it again;
//! - the citizen's tabs share that request and the record's creation key: two tabs saving the
//!   same record store it once, and each tab follows what another has sent or confirmed.
//!
//! Not yet (see `save/mod.rs`): IndexedDB, several unsent records queued in order, one tab
//! sending for all — the pure rules for those are in `outbox.rs`.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsCast;

use super::outbox::Write;
use super::retry::RetryPolicy;
use super::state::{Receipt, SaveState};
use crate::fhir::client::FhirClient;

/// The watchdog: past this long in `Saving` the citizen is told the service is slow.
pub const SLOW_AFTER_MS: u32 = 4_000;
const STORAGE_PREFIX: &str = "tahto.unsent.";
const SAVED_PREFIX: &str = "tahto.saved.";

/// What a finished attempt reports to the page: its state and, when stored, the server's copy.
pub type OnDone = std::sync::Arc<dyn Fn(&SaveState, Option<Value>) + Send + Sync>;

/// An unconfirmed save, exactly as it is (re)sent.
#[derive(Clone, Serialize, Deserialize)]
struct Unsent {
    resource: Value,
    write: Write,
    attempts: u32,
}

/// The last confirmed save of a record, so another tab can show it too.
#[derive(Serialize, Deserialize)]
struct Saved {
    receipt: Receipt,
    stored: Value,
}

struct Local {
    client: FhirClient,
    on_done: OnDone,
    next_try: RefCell<Option<gloo_timers::callback::Timeout>>,
}

/// The save of one record.
#[derive(Clone, Copy)]
pub struct SaveSlot {
    /// What the citizen sees on the item.
    pub state: RwSignal<SaveState>,
    unsent: RwSignal<Option<Unsent>, LocalStorage>,
    storage_key: StoredValue<String>,
    /// Answers to older sends are ignored once a newer send has started.
    generation: StoredValue<u64>,
    /// Storage refused the save: the citizen must know it is not safe on this device yet.
    pub storage_error: RwSignal<bool>,
    local: StoredValue<Local, LocalStorage>,
}

/// Every save slot of the app, for the header badge, the "Unsent saves" view and the warning on
/// leaving the page (an app-wide context).
#[derive(Clone, Copy)]
pub struct UnsentSaves {
    slots: RwSignal<Vec<(String, SaveSlot)>>,
}

impl UnsentSaves {
    /// Starts watching for the browser coming back online, the citizen returning to the tab,
    /// and the citizen leaving with saves that have not reached the service.
    pub fn start() -> Self {
        let saves = Self {
            slots: RwSignal::new(Vec::new()),
        };
        let policy = RetryPolicy::default();
        // Back online: retry, spread so a whole city regaining the network does not arrive in
        // the same second. Back to the tab: retry almost at once.
        crate::web::on_window("online", move |_| {
            saves.wake(policy.wake_delay_ms(js_sys::Math::random()))
        });
        crate::web::on_window("visibilitychange", move |_| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                saves.wake(policy.return_delay_ms(js_sys::Math::random()));
            }
        });
        // Another tab saved, retried or finished a save: every tab shows the same.
        crate::web::on_window("storage", move |_| {
            for (_, slot) in saves.slots.get_untracked() {
                slot.follow();
            }
        });
        crate::web::on_window("beforeunload", move |event| {
            if saves.count_untracked() > 0 {
                event.prevent_default();
                if let Some(e) = event.dyn_ref::<web_sys::BeforeUnloadEvent>() {
                    e.set_return_value("unsent");
                }
            }
        });
        saves
    }

    fn register(&self, record: &str, slot: SaveSlot) {
        self.slots.update(|s| {
            s.retain(|(r, _)| r != record);
            s.push((record.to_owned(), slot));
        });
    }

    /// The slots with a save not yet confirmed, with their record.
    pub fn unsent(&self) -> Vec<(String, SaveSlot)> {
        self.slots
            .get()
            .into_iter()
            .filter(|(_, slot)| slot.has_unsent())
            .collect()
    }

    fn count_untracked(&self) -> usize {
        self.slots.with_untracked(|s| {
            s.iter()
                .filter(|(_, slot)| slot.has_unsent_untracked())
                .count()
        })
    }

    fn wake(&self, delay_ms: f64) {
        let slots = self.slots.get_untracked();
        gloo_timers::callback::Timeout::new(delay_ms as u32, move || {
            for (_, slot) in &slots {
                if slot
                    .state
                    .with_untracked(|s| matches!(s, SaveState::Queued { .. }))
                {
                    slot.attempt();
                }
            }
        })
        .forget();
    }
}

impl SaveSlot {
    /// Whether a save of this record has not been confirmed (queued, saving, or in conflict).
    pub fn has_unsent(&self) -> bool {
        self.unsent.with(Option::is_some)
    }

    fn has_unsent_untracked(&self) -> bool {
        self.unsent.with_untracked(Option::is_some)
    }

    /// The slot of `record`. A save an earlier visit left unconfirmed is sent again at once.
    pub fn new(record: &str, client: FhirClient, on_done: OnDone) -> Self {
        let storage_key = format!("{STORAGE_PREFIX}{record}");
        let left: Option<Unsent> =
            crate::web::stored(&storage_key).and_then(|t| serde_json::from_str(&t).ok());
        let slot = Self {
            state: RwSignal::new(SaveState::Draft),
            unsent: RwSignal::new_local(left.clone()),
            storage_key: StoredValue::new(storage_key),
            generation: StoredValue::new(0),
            storage_error: RwSignal::new(false),
            local: StoredValue::new_local(Local {
                client,
                on_done,
                next_try: RefCell::new(None),
            }),
        };
        if let Some(saves) = use_context::<UnsentSaves>() {
            saves.register(record, slot);
        }
        if left.is_some() {
            slot.attempt();
        }
        slot
    }

    /// The resource being saved, for the optimistic display.
    pub fn pending(&self) -> Option<Value> {
        self.unsent.with(|u| u.as_ref().map(|u| u.resource.clone()))
    }

    /// Saves a new version of the record: `Saving` at once, kept, then sent.
    pub fn send(&self, resource: Value, write: Write) {
        self.unsent.set(Some(Unsent {
            resource,
            write,
            attempts: 0,
        }));
        // Kept first: it is now the record's newest request, for every tab. An older
        // confirmation no longer speaks for this record.
        crate::web::forget(&self.saved_key());
        self.keep();
        self.attempt();
    }

    /// The record's unconfirmed request as kept in localStorage: the newest one, from any tab.
    fn shared(&self) -> Option<Unsent> {
        crate::web::stored(&self.storage_key.get_value())
            .and_then(|t| serde_json::from_str(&t).ok())
    }

    /// Another tab changed the record's save: follow it. A newer request replaces ours (the
    /// other tab made it later); a request gone from storage was confirmed by another tab.
    fn follow(&self) {
        match (self.shared(), self.unsent.with_untracked(Option::is_some)) {
            (Some(shared), _) => self.unsent.set(Some(shared)),
            (None, true) if !self.storage_error.get_untracked() => self.finished_elsewhere(),
            _ => {}
        }
    }

    fn finished_elsewhere(&self) {
        self.generation.update_value(|g| *g += 1);
        self.local.with_value(|l| l.next_try.borrow_mut().take());
        self.unsent.set(None);
        let saved = crate::web::stored(&self.saved_key())
            .and_then(|t| serde_json::from_str::<Saved>(&t).ok());
        let state = match saved {
            Some(Saved { receipt, stored }) => {
                let state = SaveState::Confirmed(receipt);
                let on_done = self.local.with_value(|l| l.on_done.clone());
                on_done(&state, Some(stored));
                state
            }
            None => SaveState::Draft,
        };
        self.state.set(state);
    }

    fn saved_key(&self) -> String {
        self.storage_key
            .with_value(|k| k.replacen(STORAGE_PREFIX, SAVED_PREFIX, 1))
    }

    /// *Retry now*: sends the unconfirmed save again, unchanged.
    pub fn retry(&self) {
        self.attempt();
    }

    /// Forgets the unconfirmed save ("take theirs" in a conflict).
    pub fn discard(&self) {
        self.generation.update_value(|g| *g += 1);
        self.local.with_value(|l| l.next_try.borrow_mut().take());
        self.unsent.set(None);
        crate::web::forget(&self.saved_key());
        self.keep();
        self.state.set(SaveState::Draft);
    }

    /// Mirrors the unconfirmed save into localStorage (or removes it there).
    fn keep(&self) {
        let key = self.storage_key.get_value();
        let kept = match self
            .unsent
            .with_untracked(|u| u.as_ref().map(serde_json::to_string))
        {
            Some(Ok(text)) => crate::web::store(&key, &text),
            Some(Err(_)) => false,
            None => {
                crate::web::forget(&key);
                true
            }
        };
        self.storage_error.set(!kept);
    }

    fn attempt(&self) {
        // Several tabs keep one request per record: send the newest, or notice it is done.
        self.follow();
        self.local.with_value(|l| l.next_try.borrow_mut().take());
        self.unsent.update(|u| {
            if let Some(u) = u {
                u.attempts += 1;
            }
        });
        let Some(Unsent {
            resource,
            write,
            attempts,
        }) = self.unsent.get_untracked()
        else {
            return;
        };
        // Kept before it is sent: if the tab dies now, the next visit sends it again.
        self.keep();
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.state.set(SaveState::Saving {
            attempt: attempts,
            slow: false,
        });

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
            let result = client.write_value("Consent", &resource, &write).await;
            if slot.generation.try_get_value() != Some(generation) {
                return;
            }
            let (stored, result) = match result {
                Ok((stored, receipt)) => (Some(stored), Ok(receipt)),
                Err(error) => (None, Err(error)),
            };
            let mut state = SaveState::after_attempt(attempts, result);
            // Found by our identifier but holding an earlier edit of ours (its answer was lost,
            // then the citizen changed the decision): write the latest over it.
            if let (SaveState::Confirmed(receipt), Some(stored), Write::Create { .. }) =
                (&state, &stored, &write)
            {
                if !super::outbox::same_content(stored, &resource) {
                    let write = Write::Update {
                        id: receipt.id.clone(),
                        if_match: receipt.version_id.clone(),
                    };
                    slot.unsent.try_set(Some(Unsent {
                        resource,
                        write,
                        attempts,
                    }));
                    slot.attempt();
                    return;
                }
            }
            match &mut state {
                SaveState::Queued {
                    attempts,
                    retry_after_secs,
                    next_try_at_ms,
                    ..
                } => {
                    let wait = RetryPolicy::default().delay_ms(
                        *attempts,
                        *retry_after_secs,
                        js_sys::Math::random(),
                    );
                    *next_try_at_ms = Some((js_sys::Date::now() + wait) as u64);
                    let timer = gloo_timers::callback::Timeout::new(wait as u32, move || {
                        slot.attempt();
                    });
                    slot.local
                        .with_value(|l| *l.next_try.borrow_mut() = Some(timer));
                }
                // Settled: nothing left to send. (A conflict is the citizen's to settle; the
                // page shows both versions and sends again or discards.)
                SaveState::Confirmed(receipt) => {
                    if let Some(stored) = &stored {
                        let saved = Saved {
                            receipt: receipt.clone(),
                            stored: stored.clone(),
                        };
                        if let Ok(text) = serde_json::to_string(&saved) {
                            let _kept = crate::web::store(&slot.saved_key(), &text);
                        }
                    }
                    slot.unsent.try_set(None);
                    slot.keep();
                }
                SaveState::Rejected { .. } => {
                    slot.unsent.try_set(None);
                    slot.keep();
                }
                _ => {}
            }
            let stored = stored.filter(|_| matches!(state, SaveState::Confirmed(_)));
            let on_done = slot.local.with_value(|l| l.on_done.clone());
            on_done(&state, stored);
            slot.state.try_set(state);
        });
    }
}
