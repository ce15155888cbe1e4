//! Sends a save and keeps its visible state: the browser half of the save contract.
//!
//! A page owns one [`SaveSlot`] per record. The slot remembers the exact resource last sent, so
//! *Retry now* resends the same bytes: the same client identifier (`If-None-Exist`) for a create,
//! the same `If-Match` version for an update. A retry can therefore never store a second copy, nor
//! overwrite a change made elsewhere.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::SaveState;
use crate::fhir::client::{FhirClient, Resource, Stored};

/// The watchdog: past this long in `Saving` the citizen is told the service is slow.
pub const SLOW_AFTER_MS: u32 = 4_000;

/// The save of one record.
pub struct SaveSlot<T: Send + Sync + 'static> {
    /// What the citizen sees on the item.
    pub state: RwSignal<SaveState>,
    last_sent: StoredValue<Option<T>>,
    attempts: StoredValue<u32>,
    /// Answers to older sends are ignored once a newer send has started.
    generation: StoredValue<u64>,
}

impl<T: Send + Sync + 'static> Clone for SaveSlot<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for SaveSlot<T> {}

impl<T: Resource + Send + Sync + 'static> Default for SaveSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Resource + Send + Sync + 'static> SaveSlot<T> {
    pub fn new() -> Self {
        Self {
            state: RwSignal::new(SaveState::Draft),
            last_sent: StoredValue::new(None),
            attempts: StoredValue::new(0),
            generation: StoredValue::new(0),
        }
    }

    /// The resource last sent, for a retry or to show what is pending.
    pub fn last_sent(&self) -> Option<T> {
        self.last_sent.get_value()
    }

    /// Sends a new version of the record. `on_done` sees the final state of this attempt and,
    /// when confirmed, the server's copy.
    pub fn send(
        &self,
        client: &FhirClient,
        resource: T,
        on_done: impl FnOnce(&SaveState, Option<Stored<T>>) + 'static,
    ) {
        self.attempts.set_value(0);
        self.last_sent.set_value(Some(resource));
        self.retry(client, on_done);
    }

    /// Sends the last resource again, unchanged.
    pub fn retry(
        &self,
        client: &FhirClient,
        on_done: impl FnOnce(&SaveState, Option<Stored<T>>) + 'static,
    ) {
        let Some(resource) = self.last_sent.get_value() else {
            return;
        };
        let attempt = self.attempts.get_value() + 1;
        self.attempts.set_value(attempt);
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.state.set(SaveState::Saving {
            attempt,
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

        let client = client.clone();
        spawn_local(async move {
            let result = client.save(&resource).await;
            if slot.generation.try_get_value() != Some(generation) {
                return;
            }
            let (state, stored) = match result {
                Ok(stored) => (
                    SaveState::after_attempt(attempt, Ok(stored.receipt.clone())),
                    Some(stored),
                ),
                Err(error) => (SaveState::after_attempt(attempt, Err(error)), None),
            };
            let stored = stored.filter(|_| matches!(state, SaveState::Confirmed(_)));
            on_done(&state, stored);
            slot.state.try_set(state);
        });
    }
}
