//! The outbox at work in the browser.
//!
//! [`Outbox`] keeps every unconfirmed save in IndexedDB, sends them one at a time — from one tab at
//! a time, under a cross-tab lock — and publishes each change to the pages of every open tab over a
//! `BroadcastChannel`. All decisions are made by the pure functions of `outbox.rs`; this file only
//! stores, sends and tells.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::driver::{send_next, Link, Step};
use super::kept::{Outcome, Outcomes};
use super::outbox::{
    enqueue, keep_mine, next_wake_ms, service_refusing_saves, take_theirs, Enqueue, NewSave,
    OutboxEntry,
};
use super::record::{Citizen, Kept, Record, FORGOTTEN_KEY, LANGUAGE_KEY, SECTION_KEY};
use super::retry::RetryPolicy;
use super::state::SaveState;
use super::store::OutboxStore;
use crate::fhir::client::FhirClient;
use crate::fhir::{FhirError, Receipt, Write};

/// Past this long in `Saving` the citizen is told the service is slow (the watchdog).
pub const SLOW_AFTER_MS: f64 = 4_000.0;
const LOCK_NAME: &str = "tahto-outbox";
const CHANNEL_NAME: &str = "tahto-outbox";
/// The one message tabs send each other: "storage changed, read it again".
const CHANGED: &str = "changed";

/// Browser-side parts that are not `Send` (storage handle, channel, timer).
struct Local {
    store: RefCell<Option<Rc<OutboxStore>>>,
    client: FhirClient,
    citizen: Citizen,
    channel: Option<web_sys::BroadcastChannel>,
    flushing: Cell<bool>,
    flush_again: Cell<bool>,
    wake: RefCell<Option<gloo_timers::callback::Timeout>>,
    watchdog: RefCell<Option<gloo_timers::callback::Timeout>>,
    nudge: RefCell<Option<gloo_timers::callback::Timeout>>,
    /// How saves ended, as last read (or, when the browser refuses storage, only here).
    outcomes: RefCell<Outcomes>,
    /// The browser refused the last write of the outcomes: this tab's copy is the newest.
    outcomes_only_here: Cell<bool>,
    asked_to_persist: Cell<bool>,
}

/// The app-wide outbox handle (a context).
#[derive(Clone, Copy)]
pub struct Outbox {
    /// Unconfirmed saves as last read from storage; every tab converges on the same list.
    pub entries: RwSignal<Vec<OutboxEntry>>,
    /// Bumped whenever storage may have changed (here or in another tab).
    generation: RwSignal<u64>,
    /// The time the states were last looked at; the watchdog moves it when a send turns slow.
    clock: RwSignal<f64>,
    /// Why saves are only in this tab's memory (storage refused), if they are; the citizen is
    /// told (the technical reason stays here).
    pub storage_error: RwSignal<Option<&'static str>>,
    /// The service keeps refusing saves (`outbox::service_refusing_saves`): everyone is told it
    /// is not their mistake. Cleared when a save gets through or nothing waits any more.
    pub service_down: RwSignal<bool>,
    policy: RetryPolicy,
    local: StoredValue<Local, LocalStorage>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl Outbox {
    /// Opens the outbox, wires its triggers, and sends whatever an earlier visit left behind.
    pub fn start(client: FhirClient, citizen: Citizen) -> Outbox {
        let channel = web_sys::BroadcastChannel::new(CHANNEL_NAME).ok();
        let outbox = Outbox {
            entries: RwSignal::new(Vec::new()),
            generation: RwSignal::new(0),
            clock: RwSignal::new(now()),
            storage_error: RwSignal::new(None),
            service_down: RwSignal::new(false),
            policy: RetryPolicy::default(),
            local: StoredValue::new_local(Local {
                store: RefCell::new(None),
                client,
                citizen,
                channel,
                flushing: Cell::new(false),
                flush_again: Cell::new(false),
                wake: RefCell::new(None),
                watchdog: RefCell::new(None),
                nudge: RefCell::new(None),
                outcomes: RefCell::new(Outcomes::default()),
                outcomes_only_here: Cell::new(false),
                asked_to_persist: Cell::new(false),
            }),
        };

        if let Some(channel) = outbox.local.with_value(|l| l.channel.clone()) {
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    if event.data().as_string().as_deref() == Some(CHANGED) {
                        outbox.reload();
                    }
                },
            );
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            on_message.forget();
        }

        // Back online: try again, spread so that a whole city regaining the network does not
        // arrive in the same second. Back to the tab: try again almost at once.
        crate::web::on_window("online", move |_| {
            outbox.nudge(outbox.policy.wake_delay_ms(js_sys::Math::random()));
        });
        crate::web::on_window("visibilitychange", move |_| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible && !outbox.entries.with_untracked(Vec::is_empty) {
                outbox.nudge(outbox.policy.return_delay_ms(js_sys::Math::random()));
            }
        });
        // Leaving with unsent saves: the browser asks "leave site?".
        crate::web::on_window("beforeunload", move |event: web_sys::Event| {
            if !outbox.entries.with_untracked(Vec::is_empty) {
                event.prevent_default();
                if let Some(e) = event.dyn_ref::<web_sys::BeforeUnloadEvent>() {
                    e.set_return_value("unsent");
                }
            }
        });
        spawn_local(async move {
            outbox.reload_now().await;
            outbox.flush();
        });
        outbox
    }

    async fn store(self) -> Rc<OutboxStore> {
        if let Some(store) = self.local.with_value(|l| l.store.borrow().clone()) {
            return store;
        }
        let store = Rc::new(OutboxStore::open(self.citizen()).await);
        self.local
            .with_value(|l| *l.store.borrow_mut() = Some(store.clone()));
        store
    }

    fn client(self) -> FhirClient {
        self.local.with_value(|l| l.client.clone())
    }

    /// Whose outbox this is.
    pub fn citizen(self) -> Citizen {
        self.local.with_value(|l| l.citizen.clone())
    }

    /// Tells the other tabs that storage changed.
    fn broadcast(self) {
        if let Some(channel) = self.local.with_value(|l| l.channel.clone()) {
            let _delivered_or_not = channel.post_message(&JsValue::from_str(CHANGED));
        }
    }

    fn reload(self) {
        spawn_local(async move { self.reload_now().await });
    }

    async fn reload_now(self) {
        let store = self.store().await;
        let entries = store.entries().await;
        self.load_outcomes();
        // Storage refused: the saves go on from memory, and the citizen is told (app.rs).
        self.storage_error.try_set(store.problem().map(|p| p.0));
        self.show(entries);
        self.generation.try_update(|g| *g += 1);
    }

    /// Shows `entries` and arms the two timers that follow from them, so that whatever the citizen
    /// sees is already on its way:
    /// - the next try: a flush when the next entry falls due (the time shown on its item);
    /// - the watchdog: no save sits silently in "Saving"; once a send has taken `SLOW_AFTER_MS`,
    ///   its item says the service is slow. One timer, not a ticking clock.
    fn show(self, entries: Vec<OutboxEntry>) {
        let now = now();
        if let Some(at) = next_wake_ms(&entries) {
            self.wake_in(at - now);
        }
        let slow_at = entries
            .iter()
            .filter_map(|e| e.sending_since_ms)
            .map(|since| since + SLOW_AFTER_MS)
            .filter(|at| *at > now)
            .min_by(f64::total_cmp);
        if service_refusing_saves(&entries) {
            self.service_down.try_set(true);
        } else if entries.is_empty() {
            self.service_down.try_set(false);
        }
        self.entries.try_set(entries);
        self.clock.try_set(now);
        let timer = slow_at.map(|at| {
            let delay = (at - now).ceil().clamp(0.0, f64::from(i32::MAX)) as u32 + 1;
            gloo_timers::callback::Timeout::new(delay, move || {
                self.clock.try_set(self::now());
            })
        });
        self.local.with_value(|l| *l.watchdog.borrow_mut() = timer);
    }

    /// Reads how this citizen's saves ended, as every tab keeps it, into this tab.
    fn load_outcomes(self) {
        if self.local.with_value(|l| l.outcomes_only_here.get()) {
            return;
        }
        let key = self.citizen().key(Kept::Outcomes);
        let read = crate::web::stored(&key).and_then(|t| crate::web::parse_json(&t));
        if let Some(stored) = read {
            self.local
                .with_value(|l| *l.outcomes.borrow_mut() = Outcomes::from_stored(&stored));
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
        if let SaveState::Confirmed(_) = ended {
            // The server holds what that key created: the next new resource needs its own.
            crate::web::forget(&self.citizen().key(Kept::CreationKey(record)));
        }
        self.change_outcomes(|o| {
            o.remember(&key, ended, copy, now());
            true
        });
    }

    /// What was kept of `record`'s last save (tracked: follows every change, in any tab).
    fn kept<T>(self, record: &Record, read: impl FnOnce(&Outcome) -> Option<T>) -> Option<T> {
        self.generation.track();
        let key = record.key();
        self.local
            .with_value(|l| l.outcomes.borrow().get(&key).and_then(read))
    }

    /// The state to show for `record`: its open entry, else how its last save ended.
    pub fn state_of(self, record: &Record) -> SaveState {
        let key = record.key();
        let open = self.entries.with(|entries| {
            entries
                .iter()
                .filter(|e| e.record == key)
                .max_by_key(|e| e.seq)
                .map(|e| (e.state.clone(), e.sending_since_ms))
        });
        if let Some((state, since)) = open {
            return match state {
                SaveState::Saving { attempt, .. }
                    if since.is_some_and(|s| self.clock.get() - s > SLOW_AFTER_MS) =>
                {
                    SaveState::Saving {
                        attempt,
                        slow: true,
                    }
                }
                state => state,
            };
        }
        self.kept(record, |o| o.state.clone()).unwrap_or_default()
    }

    /// The records with a save not yet confirmed, oldest first.
    pub fn unsent_records(self) -> Vec<Record> {
        self.entries.with(|entries| {
            let mut left: Vec<&OutboxEntry> = entries.iter().collect();
            let mut records: Vec<Record> = Vec::new();
            while let Some(oldest) = left.iter().min_by_key(|e| e.seq).map(|e| e.record.clone()) {
                left.retain(|e| e.record != oldest);
                records.extend(Record::parse(&oldest));
            }
            records
        })
    }

    /// When the oldest unsent save of `record` was made (ms since the epoch).
    pub fn unsent_since(self, record: &Record) -> Option<f64> {
        let key = record.key();
        self.entries.with(|entries| {
            entries
                .iter()
                .filter(|e| e.record == key)
                .map(|e| e.created_at_ms)
                .min_by(f64::total_cmp)
        })
    }

    /// The open entry of `record`, if any (what is being saved, and theirs in a conflict).
    pub fn open_entry(self, record: &Record) -> Option<OutboxEntry> {
        let key = record.key();
        self.entries.with(|entries| {
            entries
                .iter()
                .filter(|e| e.record == key)
                .max_by_key(|e| e.seq)
                .cloned()
        })
    }

    /// The server copy the outbox stored last for `record` (in any tab).
    pub fn confirmed_copy(self, record: &Record) -> Option<Value> {
        self.kept(record, |o| o.copy.clone())
    }

    /// Saves `resource` as the new content of `record`. Shows `Saving` at once; the rest follows.
    /// Only a record's handle (`handle.rs`) calls this: it alone knows how the record is written.
    pub(super) fn save(self, record: &Record, resource: Value, write: Write) {
        let owner = self.citizen().tag().to_owned();
        let key = record.key();
        let save = |entry_id: String| NewSave {
            entry_id,
            owner: owner.clone(),
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
        let ids: Vec<String> = store.entries().await.into_iter().map(|e| e.id).collect();
        store.apply(&[], &ids).await;
        crate::web::forget_all_with_prefix(&self.citizen().key_prefix());
        crate::web::forget(LANGUAGE_KEY);
        crate::web::session_forget(SECTION_KEY);
        crate::web::session_store(FORGOTTEN_KEY, "1");
        self.local
            .with_value(|l| *l.outcomes.borrow_mut() = Outcomes::default());
        self.reload_now().await;
        self.broadcast();
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
            let entries = store.entries().await;
            if let Some((put, delete)) = decide(&entries) {
                store.apply(&put, &delete).await;
                self.reload_now().await;
                self.broadcast();
            }
            self.flush();
        });
    }

    /// Schedules a flush after `delay_ms`, replacing any earlier wake-up.
    fn wake_in(self, delay_ms: f64) {
        // Rounded up: a timer that fires a fraction early finds nothing due yet.
        let delay = delay_ms.ceil().clamp(0.0, f64::from(i32::MAX)) as u32;
        let timer = gloo_timers::callback::Timeout::new(delay, move || self.flush());
        self.local
            .with_value(|l| *l.wake.borrow_mut() = Some(timer));
    }

    /// Sends what is due, if this tab can take the lock; otherwise the tab holding it does.
    pub fn flush(self) {
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
                self.flush();
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
        let stale: Vec<OutboxEntry> = store
            .entries()
            .await
            .into_iter()
            .filter(|e| e.sending_since_ms.is_some())
            .map(|mut e| {
                e.sending_since_ms = None;
                e
            })
            .collect();
        if !stale.is_empty() {
            store.apply(&stale, &[]).await;
        }
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

    async fn entries(&mut self) -> Vec<OutboxEntry> {
        self.store.entries().await
    }

    async fn apply(&mut self, put: &[OutboxEntry], delete: &[String]) {
        self.store.apply(put, delete).await;
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

/// The app's outbox.
pub fn use_outbox() -> Option<Outbox> {
    use_context::<Outbox>()
}
