//! The outbox at work in the browser: what the first load needs of it.
//!
//! [`Outbox`] keeps every unconfirmed save in IndexedDB, sends them one at a time — from one tab at
//! a time, under a cross-tab lock — and publishes each change to the pages of every open tab over a
//! `BroadcastChannel`. All decisions are made by the pure functions of `outbox.rs`.
//!
//! This file reads and shows (the start page shows what is unsent) and knows *when* to send: at
//! start with saves left from an earlier visit, when a try falls due, back online, back to the
//! tab. *How* saves are stored and sent is `sending.rs`, in the rest of the app (`rest.rs`),
//! which every page that saves has already fetched.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::kept::{Outcome, Outcomes};
use super::outbox::{next_wake_ms, service_refusing_saves, OutboxEntry};
use super::record::{Citizen, Kept, Record};
use super::retry::RetryPolicy;
use super::state::{NotYetSaved, SaveState};
use super::store::OutboxStore;
use crate::fhir::client::FhirClient;

/// Past this long in `Saving` the citizen is told the service is slow (the watchdog).
pub const SLOW_AFTER_MS: f64 = 4_000.0;
/// When the sending code could not be fetched (offline on a first visit), it is asked for again
/// this much later, and as soon as the browser is back online.
const CODE_AGAIN_MS: f64 = 15_000.0;
const CHANNEL_NAME: &str = "tahto-outbox";
/// The one message tabs send each other: "storage changed, read it again".
const CHANGED: &str = "changed";

/// Why the sending side is woken (`sending.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// At start, or a try fell due: send what is due.
    Due,
    /// Back online: every waiting save is due soon, spread out.
    Online,
    /// Back to the tab: every waiting save is due almost at once.
    Visible,
}

/// Browser-side parts that are not `Send` (storage handle, channel, timer).
pub(super) struct Local {
    pub(super) store: RefCell<Option<Rc<OutboxStore>>>,
    pub(super) client: FhirClient,
    pub(super) citizen: Citizen,
    pub(super) channel: Option<web_sys::BroadcastChannel>,
    pub(super) flushing: Cell<bool>,
    pub(super) flush_again: Cell<bool>,
    pub(super) wake: RefCell<Option<gloo_timers::callback::Timeout>>,
    pub(super) watchdog: RefCell<Option<gloo_timers::callback::Timeout>>,
    pub(super) nudge: RefCell<Option<gloo_timers::callback::Timeout>>,
    /// How saves ended, as last read (or, when the browser refuses storage, only here).
    pub(super) outcomes: RefCell<Outcomes>,
    /// The browser refused the last write of the outcomes: this tab's copy is the newest.
    pub(super) outcomes_only_here: Cell<bool>,
    pub(super) asked_to_persist: Cell<bool>,
}

/// The app-wide outbox handle (a context).
#[derive(Clone, Copy)]
pub struct Outbox {
    /// Unconfirmed saves as last read from storage; every tab converges on the same list.
    pub entries: RwSignal<Vec<OutboxEntry>>,
    /// Bumped whenever storage may have changed (here or in another tab).
    pub(super) generation: RwSignal<u64>,
    /// The time the states were last looked at; the watchdog moves it when a send turns slow.
    clock: RwSignal<f64>,
    /// Why saves are only in this tab's memory (storage refused), if they are; the citizen is
    /// told (the technical reason stays here).
    pub storage_error: RwSignal<Option<&'static str>>,
    /// The service keeps refusing saves (`outbox::service_refusing_saves`): everyone is told it
    /// is not their mistake. Cleared when a save gets through or nothing waits any more.
    pub service_down: RwSignal<bool>,
    pub(super) policy: RetryPolicy,
    pub(super) local: StoredValue<Local, LocalStorage>,
}

pub(super) fn now() -> f64 {
    js_sys::Date::now()
}

/// The entry of record `key` the page shows: one in a conflict, which waits for the citizen's
/// choice (and holds back every later save of the record), else the newest. Showing a newer save
/// instead hid the choice, and that save waited for ever behind it.
fn shown_entry<'a>(entries: &'a [OutboxEntry], key: &str) -> Option<&'a OutboxEntry> {
    let of_record = entries.iter().filter(|e| e.record == key);
    let in_conflict = of_record
        .clone()
        .find(|e| matches!(e.state, SaveState::Conflict { .. }));
    in_conflict.or_else(|| of_record.max_by_key(|e| e.seq))
}

impl Outbox {
    /// Opens the outbox, wires its triggers, and sends whatever an earlier visit left behind.
    pub fn start(client: FhirClient, citizen: Citizen) -> Outbox {
        let channel = crate::web::storage_access::broadcast_channel(CHANNEL_NAME);
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

        // Back online, back to the tab: whatever waits is tried again (`sending.rs`).
        crate::web::on_window("online", move |_| {
            if !outbox.entries.with_untracked(Vec::is_empty) {
                outbox.wake(Wake::Online);
            }
        });
        crate::web::on_window("visibilitychange", move |_| {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible && !outbox.entries.with_untracked(Vec::is_empty) {
                outbox.wake(Wake::Visible);
            }
        });
        // Leaving with unsent saves: the browser asks "leave site?". Not in a partner's frame:
        // the partner's page is told instead (`embed/frame.rs`), and its own leaving is its own.
        let framed = crate::web::is_framed();
        crate::web::on_window("beforeunload", move |event: web_sys::Event| {
            if framed {
                return;
            }
            if !outbox.entries.with_untracked(Vec::is_empty) {
                event.prevent_default();
                if let Some(e) = event.dyn_ref::<web_sys::BeforeUnloadEvent>() {
                    e.set_return_value("unsent");
                }
            }
        });
        // What an earlier visit left behind is sent; with nothing waiting, the sending code is
        // not needed yet.
        spawn_local(async move {
            outbox.reload_now().await;
            if !outbox.entries.with_untracked(Vec::is_empty) {
                outbox.flush();
            }
        });
        outbox
    }

    pub(super) async fn store(self) -> Rc<OutboxStore> {
        if let Some(store) = self.local.with_value(|l| l.store.borrow().clone()) {
            return store;
        }
        let store = Rc::new(OutboxStore::open(self.citizen()).await);
        self.local
            .with_value(|l| *l.store.borrow_mut() = Some(store.clone()));
        store
    }

    pub(super) fn client(self) -> FhirClient {
        self.local.with_value(|l| l.client.clone())
    }

    /// Whose outbox this is.
    pub fn citizen(self) -> Citizen {
        self.local.with_value(|l| l.citizen.clone())
    }

    /// Tells the other tabs that storage changed.
    pub(super) fn broadcast(self) {
        if let Some(channel) = self.local.with_value(|l| l.channel.clone()) {
            let _delivered_or_not = channel.post_message(&JsValue::from_str(CHANGED));
        }
    }

    fn reload(self) {
        spawn_local(async move { self.reload_now().await });
    }

    pub(super) async fn reload_now(self) {
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
    pub(super) fn load_outcomes(self) {
        if self.local.with_value(|l| l.outcomes_only_here.get()) {
            return;
        }
        let key = self.citizen().key(Kept::Outcomes);
        let read = crate::web::stored(&key).and_then(|t| crate::web::parse_json(&t));
        // None stored: none kept (another tab forgot the device); memory must not write them back.
        let outcomes = read.map_or_else(Outcomes::default, |s| Outcomes::from_stored(&s));
        self.local
            .with_value(|l| *l.outcomes.borrow_mut() = outcomes);
    }

    /// The saves that ended (confirmed or refused) after `since_ms`, in any tab: each record with
    /// how and when (tracked).
    pub fn ended_since(self, since_ms: f64) -> Vec<(Record, SaveState, f64)> {
        self.generation.track();
        self.local.with_value(|l| {
            l.outcomes
                .borrow()
                .iter()
                .filter(|(_, o)| o.at_ms > since_ms)
                .filter_map(|(key, o)| Some((Record::parse(key)?, o.state.clone()?, o.at_ms)))
                .collect()
        })
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
            shown_entry(entries, &key).map(|e| (e.state.clone(), e.sending_since_ms))
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

    /// Whether saves are kept on this device (`false`: the browser refused storage, and they live
    /// in this tab's memory until sent). Tracked: what the citizen is told follows it.
    pub fn keeps_on_device(self) -> bool {
        self.storage_error.with(Option::is_none)
    }

    /// Whether every unsent save waits for the citizen (a choice in a conflict, a new sign-in),
    /// itself or behind one of its record that does: none will go by waiting.
    pub fn only_waiting_on_citizen(self) -> bool {
        let waits = |e: &OutboxEntry| {
            matches!(
                e.state,
                SaveState::Conflict { .. }
                    | SaveState::Queued {
                        why: NotYetSaved::SignInNeeded,
                        ..
                    }
            )
        };
        self.entries.with(|entries| {
            !entries.is_empty()
                && entries
                    .iter()
                    .all(|e| entries.iter().any(|o| o.record == e.record && waits(o)))
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
        self.entries
            .with(|entries| shown_entry(entries, &key).cloned())
    }

    /// The server copy the outbox stored last for `record` (in any tab).
    pub fn confirmed_copy(self, record: &Record) -> Option<Value> {
        self.kept(record, |o| o.copy.clone())
    }

    /// Sends what is due (`sending.rs`), if this tab can take the lock; otherwise the tab holding
    /// it does.
    pub fn flush(self) {
        self.wake(Wake::Due);
    }

    /// Wakes the sending side. Should its code not arrive, the saves wait as stored (each item
    /// says what it last knew) and it is asked for again.
    fn wake(self, why: Wake) {
        spawn_local(async move {
            if crate::rest::send(self, why).await.is_err() {
                self.wake_in(CODE_AGAIN_MS);
            }
        });
    }

    /// Schedules a flush after `delay_ms`, replacing any earlier wake-up.
    pub(super) fn wake_in(self, delay_ms: f64) {
        // Rounded up: a timer that fires a fraction early finds nothing due yet.
        let delay = delay_ms.ceil().clamp(0.0, f64::from(i32::MAX)) as u32;
        let timer = gloo_timers::callback::Timeout::new(delay, move || self.flush());
        self.local
            .with_value(|l| *l.wake.borrow_mut() = Some(timer));
    }
}
