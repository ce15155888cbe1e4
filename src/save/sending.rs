//! The outbox's sending side, in the rest of the app (`rest.rs`): storing a save, sending what is
//! due under the cross-tab lock, and the citizen's choices about a save (retry now, keep mine,
//! take theirs, forget the device). The first load only reads and shows the outbox (`sync.rs`);
//! a page that saves has this part already.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use super::driver::{send_next, Change, Link, Step};
use super::kept::Outcomes;
use super::outbox::{enqueue, keep_mine, next_wake_ms, take_theirs, Enqueue, NewSave, OutboxEntry};
use super::record::{Kept, Record, FORGOTTEN_KEY, LANGUAGE_KEY, SECTION_KEY};
use super::state::SaveState;
use super::store::OutboxStore;
use super::sync::{now, Outbox, Wake};
use crate::fhir::client::FhirClient;
use crate::fhir::{FhirError, Receipt, Write};

const LOCK_NAME: &str = "tahto-outbox";

impl Outbox {
    /// Woken by the first load (`sync.rs`) for `why`.
    pub fn woken(self, why: Wake) {
        match why {
            Wake::Due => self.flush_now(),
            // Spread, so that a whole city regaining the network does not arrive in the same
            // second.
            Wake::Online => self.nudge(self.policy.wake_delay_ms(js_sys::Math::random())),
            Wake::Visible => self.nudge(self.policy.return_delay_ms(js_sys::Math::random())),
        }
    }

    /// Changes the kept outcomes (as stored now, in case another tab changed them) and keeps them
    /// for every tab and the next visit; in this tab's memory when the browser refuses.
    fn change_outcomes(self, change: impl FnOnce(&mut Outcomes) -> bool) {
        self.load_outcomes();
        let key = self.citizen().key(Kept::Outcomes);
        let text = self.local.with_value(|l| {
            let mut outcomes = l.outcomes.borrow_mut();
            change(&mut outcomes).then(|| crate::json::to_text(&outcomes.to_stored()))
        });
        if let Some(text) = text {
            let kept = crate::web::store(&key, &text);
            self.local.with_value(|l| l.outcomes_only_here.set(!kept));
            self.generation.update(|g| *g += 1);
        }
    }

    /// Keeps how a save of `record` ended (and the server's copy when stored) for every tab.
    fn remember_outcome(self, record: &Record, ended: &SaveState, stored: Option<&Value>) {
        let copy = stored.filter(|_| record.keeps_confirmed_copy()).cloned();
        let key = record.key();
        // The server holds what that key created: the next new resource needs its own. So does
        // the next request after a refused one: were the refused one stored after all, the next
        // create's search would find it if it still answers (`LookFirst::Answer`).
        if matches!(ended, SaveState::Confirmed(_))
            || (record.is_request() && matches!(ended, SaveState::Rejected { .. }))
        {
            crate::web::forget(&self.citizen().key(Kept::CreationKey(record)));
        }
        self.change_outcomes(|o| {
            o.remember(&key, ended, copy, now());
            true
        });
    }

    /// Saves `resource` as the new content of `record`. Shows `Saving` at once; the rest follows.
    /// Only a record's handle (`handle.rs`) calls this: it alone knows how the record is written.
    pub(super) fn save(self, record: &Record, resource: Value, write: Write) {
        crate::embed::frame::save_made_here(record);
        let owner = self.citizen().tag().to_owned();
        let made_by = crate::auth::session::user();
        let key = record.key();
        let save = |entry_id: String| NewSave {
            entry_id,
            owner: owner.clone(),
            made_by: made_by.clone(),
            record: key.clone(),
            resource_type: record.resource_type().to_owned(),
            resource: resource.clone(),
            write: write.clone(),
            now_ms: now(),
        };
        let entry_id = crate::web::new_uuid_urn();
        // Something worth keeping is on the device now: ask the browser not to evict it.
        if !self.local.with_value(|l| l.asked_to_persist.replace(true)) {
            crate::web::ask_persistent_storage();
        }
        // Optimistic: the item shows "Saving…" in this frame, before storage has answered.
        let shown = self
            .entries
            .with_untracked(|e| enqueue(e, save(entry_id.clone())));
        self.entries.update(|entries| match shown {
            Enqueue::Add(entry) => entries.push(entry),
            Enqueue::Replace(entry) => {
                if let Some(slot) = entries.iter_mut().find(|e| e.id == entry.id) {
                    *slot = entry;
                }
            }
        });
        self.change_outcomes(|o| o.clear_state(&key));
        let new_save = save(entry_id);
        // Decided again against what storage holds: another tab may have changed it.
        self.change(move |stored| {
            let entry = match enqueue(stored, new_save) {
                Enqueue::Add(entry) | Enqueue::Replace(entry) => entry,
            };
            Some((vec![entry], Vec::new()))
        });
    }

    /// "Forget this device": removes everything Tahto keeps for this citizen — unsent saves,
    /// drafts, outcomes, copies of confirmed records, creation keys — and the device's language
    /// and section. The caller has made sure the unsent saves were sent, or the citizen chose to
    /// discard them; then the page is reloaded, so nothing stays in memory either.
    pub async fn forget_device(self) {
        let store = self.store().await;
        store
            .update(Box::new(|entries| {
                (Vec::new(), entries.into_iter().map(|e| e.id).collect())
            }))
            .await;
        crate::web::forget_all_with_prefix(&self.citizen().key_prefix());
        crate::web::forget(LANGUAGE_KEY);
        crate::web::session_forget(SECTION_KEY);
        crate::web::session_store(FORGOTTEN_KEY, "1");
        self.local
            .with_value(|l| *l.outcomes.borrow_mut() = Outcomes::default());
        self.reload_now().await;
        self.broadcast();
    }

    /// Signing out, keeping the unsent saves: everything else Tahto kept for the citizen goes
    /// (how saves ended, copies of confirmed records); the unsent saves and what they need to be
    /// sent exactly once (their creation keys, the drafts they came from) stay, for this citizen's
    /// next sign-in on this device only.
    pub async fn forget_all_but_unsent(self) {
        let citizen = self.citizen();
        crate::web::forget_all_matching(|key| citizen.owns(key) && !citizen.needed_unsent(key));
        crate::web::session_forget(SECTION_KEY);
        self.local
            .with_value(|l| *l.outcomes.borrow_mut() = Outcomes::default());
    }

    /// Sends every waiting save now (the first step of "send them, then forget").
    pub fn send_all_now(self) {
        self.make_due(|_| true);
    }

    /// *Retry now*: the record's waiting entries are due at once.
    pub fn retry_now(self, record: &Record) {
        let record = record.key();
        self.make_due(move |e| e.record == record);
    }

    /// Back online, or back to the tab: every waiting entry is due after `delay_ms`, without
    /// waiting out its backoff. The backoff timer stays armed in case this tab is closed first.
    fn nudge(self, delay_ms: f64) {
        let delay = delay_ms.ceil().clamp(0.0, f64::from(i32::MAX)) as u32;
        let timer = gloo_timers::callback::Timeout::new(delay, move || self.make_due(|_| true));
        self.local
            .with_value(|l| *l.nudge.borrow_mut() = Some(timer));
    }

    /// Makes the waiting entries that match due now (not those in flight or in a conflict).
    fn make_due(self, which: impl Fn(&OutboxEntry) -> bool + 'static) {
        self.change(move |entries| {
            let due: Vec<OutboxEntry> = entries
                .iter()
                .filter(|e| which(e) && !e.in_flight(now()))
                .filter(|e| !matches!(e.state, SaveState::Conflict { .. }))
                .cloned()
                .map(|mut e| {
                    e.make_due(now());
                    e
                })
                .collect();
            Some((due, Vec::new()))
        });
    }

    /// "Keep mine" in a conflict: send `resource` over the version stored elsewhere.
    pub(super) fn keep_mine(self, record: &Record, resource: Value) {
        let record = record.key();
        self.change(move |entries| {
            keep_mine(entries, &record, resource, now()).map(|entry| (vec![entry], Vec::new()))
        });
    }

    /// "Take theirs" in a conflict: drop this device's version; later edits build on theirs.
    pub(super) fn take_theirs(self, record: &Record) {
        let record = record.key();
        self.change(move |entries| {
            take_theirs(entries, &record).map(|(rest, dropped)| (rest, vec![dropped]))
        });
    }

    /// Applies a decision about the stored entries (`put`, `delete`), then tells every tab and
    /// sends what became due.
    fn change(
        self,
        decide: impl FnOnce(&[OutboxEntry]) -> Option<(Vec<OutboxEntry>, Vec<String>)> + 'static,
    ) {
        spawn_local(async move {
            let store = self.store().await;
            // Decided on what storage holds as it is changed, in one step (`OutboxStore::update`).
            let changed = Rc::new(Cell::new(false));
            let told = changed.clone();
            store
                .update(Box::new(move |entries| {
                    let change = decide(&entries).unwrap_or_default();
                    told.set(!change.0.is_empty() || !change.1.is_empty());
                    change
                }))
                .await;
            if changed.get() {
                self.reload_now().await;
                self.broadcast();
            }
            self.flush_now();
        });
    }

    /// Sends what is due, if this tab can take the lock; otherwise the tab holding it does.
    fn flush_now(self) {
        let busy = self.local.with_value(|l| {
            let busy = l.flushing.replace(true);
            if busy {
                l.flush_again.set(true);
            }
            busy
        });
        if busy {
            return;
        }
        spawn_local(async move {
            let ran_here = crate::web::with_tab_lock(LOCK_NAME, self.drain()).await;
            let again = self.local.with_value(|l| {
                l.flushing.set(false);
                l.flush_again.replace(false)
            });
            // Showing the entries arms the next try (`show`). Also covers a tab that held the
            // lock and died: its lock is released, and we go on.
            self.reload_now().await;
            if again {
                self.flush_now();
            } else if !ran_here {
                // Another tab holds the lock and sends what is due; look again in a second.
                if let Some(at) = self.entries.with_untracked(|e| next_wake_ms(e)) {
                    self.wake_in((at - now()).max(1_000.0));
                }
            }
        });
    }

    /// Sends due entries one by one until none is due. Runs under the cross-tab lock.
    async fn drain(self) {
        let store = self.store().await;
        // Holding the lock, nobody else is sending: in-flight marks are from tabs that died.
        store
            .update(Box::new(|entries| {
                let stale = entries
                    .into_iter()
                    .filter(|e| e.sending_since_ms.is_some())
                    .map(|mut e| {
                        e.sending_since_ms = None;
                        e
                    })
                    .collect();
                (stale, Vec::new())
            }))
            .await;
        let owner = self.citizen().tag().to_owned();
        let mut link = BrowserLink {
            outbox: self,
            store,
            client: self.client(),
        };
        // `flush` shows what is left, and arms the next try, once the lock is released.
        while let Step::Sent = send_next(&mut link, &owner, &self.policy).await {}
    }
}

/// The driver's link in the browser: the FHIR client, IndexedDB, and every tab told of each
/// change.
struct BrowserLink {
    outbox: Outbox,
    store: Rc<OutboxStore>,
    client: FhirClient,
}

impl Link for BrowserLink {
    async fn write(&mut self, entry: &OutboxEntry) -> Result<(Value, Receipt), FhirError> {
        self.client
            .write_value(&entry.resource_type, &entry.resource, &entry.write)
            .await
    }

    async fn read(&mut self, resource_type: &str, id: &str) -> Result<Value, FhirError> {
        self.client.read_value(resource_type, id).await
    }

    async fn find(&mut self, resource_type: &str, query: &str) -> Result<Vec<Value>, FhirError> {
        self.client.search_query(resource_type, query).await
    }

    async fn update<R: 'static>(
        &mut self,
        decide: impl FnOnce(Vec<OutboxEntry>) -> (Change, R) + 'static,
    ) -> Option<R> {
        let said = Rc::new(Cell::new(None));
        let into = said.clone();
        self.store
            .update(Box::new(move |entries| {
                let (change, also) = decide(entries);
                into.set(Some(also));
                change
            }))
            .await;
        said.take()
    }

    async fn changed(&mut self) {
        self.outbox.reload_now().await;
        self.outbox.broadcast();
    }

    fn ended(&mut self, entry: &OutboxEntry, state: &SaveState, stored: Option<&Value>) {
        if let SaveState::Confirmed(_) = state {
            // A save got through: the service accepts saves again.
            self.outbox.service_down.try_set(false);
        }
        if let Some(record) = Record::parse(&entry.record) {
            self.outbox.remember_outcome(&record, state, stored);
        }
    }

    fn now(&self) -> f64 {
        now()
    }

    fn random(&mut self) -> f64 {
        js_sys::Math::random()
    }
}
