//! One record's whole life on a page: the version in force, the citizen's draft, the save and
//! its state, a conflict and its resolution. Every page saves through a [`RecordHandle`]; pages
//! describe their fields and say "save", they never build a write.
//!
//! The rules it keeps:
//! - A draft is only what the citizen typed ([`RecordHandle::edit`]); opening a page copies
//!   nothing into drafts. It stays until the server confirms the save made of it; a refusal
//!   leaves it to be fixed, across a reload too. Only the citizen discards it.
//! - A draft started on a version that has since changed elsewhere is [`RecordHandle::stale`]:
//!   nothing is saved until the citizen has seen both and chosen.
//! - A save updates the version in force with `If-Match`, or creates a new resource with an
//!   idempotency key kept until the server holds it (`Record::write_policy`).
//! - The draft is kept on the device, one per record, shared by the tabs: each tab follows what
//!   another writes there, and writes over it (but for the citizen's own typing) only while it
//!   still holds this tab's draft (`draft.rs` decides). The newest typing wins, in every tab.

use leptos::prelude::*;

use crate::ui::reactive::{effect, effect_with, memo};
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::draft::{after_confirmed, heard_from_other_tab, version_of, AfterConfirmed, Draft};
use super::draft::{Heard, InStorage};
use super::outbox::OutboxEntry;
use super::record::{Citizen, Kept, Record, WritePolicy};
use super::state::SaveState;
use super::sync::Outbox;
use crate::context::AppContext;
use crate::fhir::resources::IDENTIFIER_SYSTEM;
use crate::fhir::write::LookFirst;
use crate::fhir::{FhirError, Write};

/// Loading the version in force.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Loaded,
    Failed(FhirError),
}

/// How the version in force is found: the first result of searching the record's resource type
/// with `params` (plus the patient) that `is_ours`.
pub struct Finder {
    pub params: Vec<(&'static str, String)>,
    pub is_ours: fn(&Value) -> bool,
}

impl Finder {
    pub fn new(params: &[(&'static str, &str)], is_ours: fn(&Value) -> bool) -> Finder {
        Finder {
            params: params.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            is_ours,
        }
    }
}

/// The draft kept under `key`, as this tab finds it.
fn in_storage(key: &str) -> InStorage {
    match crate::web::stored(key) {
        None => InStorage::Nothing,
        Some(text) => crate::web::parse_json(&text)
            .and_then(|v| Draft::from_stored(&v))
            .map_or(InStorage::Unreadable, InStorage::Draft),
    }
}

/// The handles of one record on a page (`Copy`: pass it around freely).
#[derive(Clone, Copy)]
pub struct RecordHandle {
    record: RwSignal<Record>,
    pub load: RwSignal<Load>,
    /// The version in force: the server's, or the one a save here stored last.
    pub recorded: RwSignal<Option<Value>>,
    /// What the citizen typed and has not saved; `None`: the form shows `recorded`.
    pub draft: RwSignal<Option<Draft>>,
    pub state: Signal<SaveState>,
    pub open: Memo<Option<OutboxEntry>>,
    /// The version stored elsewhere, while the citizen chooses (a conflict).
    pub theirs: Memo<Option<Value>>,
    /// The draft was started on a version that changed elsewhere since.
    pub stale: Memo<bool>,
    /// The browser refused to keep the draft (storage full or blocked): it lives only in this
    /// page, and the citizen is told.
    pub draft_only_here: RwSignal<bool>,
    outbox: Outbox,
    citizen: StoredValue<Citizen>,
    finder: StoredValue<Option<Finder>>,
}

impl RecordHandle {
    /// The handle of `record`; with a `finder`, the version in force is loaded from the server.
    /// Needs the app's context and outbox (a page cannot work without them).
    pub fn new(record: Record, finder: Option<Finder>) -> RecordHandle {
        let outbox = expect_context::<Outbox>();
        let citizen = StoredValue::new(outbox.citizen());
        let restored = in_storage(&outbox.citizen().key(Kept::Draft(&record))).into_draft();
        let record = RwSignal::new(record);
        let open = memo(move |_| record.with(|r| outbox.open_entry(r)));
        let recorded = RwSignal::new(None::<Value>);
        let load = RwSignal::new(if finder.is_some() {
            Load::Loading
        } else {
            Load::Loaded
        });
        let draft = RwSignal::new(restored);
        let finds_its_own = finder.is_some();
        let handle = RecordHandle {
            record,
            load,
            recorded,
            draft,
            state: Signal::derive(move || record.with(|r| outbox.state_of(r))),
            open,
            theirs: memo(move |_| open.with(|e| e.as_ref().and_then(|e| e.theirs.clone()))),
            stale: memo(move |_| {
                load.with(|l| *l == Load::Loaded)
                    && draft.with(|d| {
                        d.as_ref()
                            .is_some_and(|d| recorded.with(|r| d.is_stale(r.as_ref())))
                    })
            }),
            draft_only_here: RwSignal::new(false),
            outbox,
            citizen,
            finder: StoredValue::new(finder),
        };
        // A save seen to end confirmed (here or in another tab) is the version in force now; a
        // draft typed since builds on it (the citizen's own save is not "changed elsewhere").
        // Only a save seen to end: a copy kept from an earlier visit may be older than what the
        // server has now.
        effect_with(move |was_pending: Option<bool>| {
            let state = handle.state.get();
            let confirmed = matches!(state, SaveState::Confirmed(_));
            if confirmed && was_pending == Some(true) {
                let copy = record.with_untracked(|r| outbox.confirmed_copy(r));
                if let Some(stored) = copy {
                    // A page that finds the version in force itself (a list) decides it.
                    if finds_its_own {
                        recorded.set(Some(stored.clone()));
                    }
                    if draft.with_untracked(|d| d.as_ref().is_some_and(|d| !d.submitted)) {
                        handle.update_draft(|d| d.base = version_of(&stored));
                    }
                }
            }
            state.is_pending() || matches!(state, SaveState::Conflict { .. })
        });
        // A sent draft has done its job once the server confirms it; refused, it is the
        // citizen's draft again, to fix or to discard. Only as the save's state changes: a sent
        // draft taken from another tab is that tab's save, which this tab's outbox may not have
        // heard of yet, and the state shown here until then is an earlier save's.
        effect_with(move |before: Option<Option<SaveState>>| {
            let state = handle.state.get();
            let submitted = draft.with_untracked(|d| d.as_ref().is_some_and(|d| d.submitted));
            if submitted && before.flatten().as_ref() != Some(&state) {
                match state {
                    SaveState::Confirmed(_) => handle.settle_sent_draft(),
                    SaveState::Rejected { .. } => handle.update_draft(|d| d.submitted = false),
                    _ => {}
                }
            }
            Some(state)
        });
        handle.follow_other_tabs();
        handle.fetch();
        handle
    }

    /// Follows the draft as the other tabs change it, until the page goes: the browser tells
    /// every other tab of the origin when one changes localStorage (`storage`), never the tab
    /// that changed it. Taking it writes nothing back, so two tabs do not echo each other.
    fn follow_other_tabs(self) {
        let Some(window) = crate::web::window() else {
            return;
        };
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(event) = event.dyn_ref::<web_sys::StorageEvent>() else {
                return;
            };
            // No key: all of storage was cleared.
            let ours = match event.key() {
                Some(key) => self.try_draft_key().is_some_and(|k| k == key),
                None => true,
            };
            if ours {
                self.heard_other_tab();
            }
        });
        let _listening =
            window.add_event_listener_with_callback("storage", listener.as_ref().unchecked_ref());
        let listening = StoredValue::new_local(Some(listener));
        on_cleanup(move || {
            let listener = listening.try_update_value(Option::take).flatten();
            if let (Some(listener), Some(window)) = (listener, crate::web::window()) {
                let _stopped = window.remove_event_listener_with_callback(
                    "storage",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }

    /// Another tab changed this record's kept draft (or all of storage). What storage holds is
    /// read again, not taken from the event: events queue behind later writes, and in a
    /// partner's frame granted Tahto's own storage the window's events are of the partner
    /// site's storage, while the draft is in Tahto's own.
    fn heard_other_tab(self) {
        let (Some(key), Some(mine)) = (self.try_draft_key(), self.draft.try_get_untracked()) else {
            return;
        };
        let only_here = self.draft_only_here.try_get_untracked().unwrap_or(false);
        match heard_from_other_tab(mine.as_ref(), in_storage(&key), only_here) {
            Heard::Keep => {}
            Heard::Take(theirs) => self.draft.set(Some(theirs)),
            Heard::Drop => self.draft.set(None),
        }
    }

    pub fn record(self) -> Record {
        self.record.get_untracked()
    }

    /// Points the handle at another record of the page (the current notice version, a new
    /// measurement). Its state and draft follow.
    pub fn point_at(self, record: Record) {
        if self.record.with_untracked(|r| *r != record) {
            self.record.set(record);
            let restored = self.stored_draft();
            self.draft.set(restored);
        }
    }

    pub fn patient_id(self) -> String {
        self.citizen.with_value(|c| c.patient_id().to_owned())
    }

    fn draft_key(self) -> String {
        self.record
            .with_untracked(|r| self.citizen.with_value(|c| c.key(Kept::Draft(r))))
    }

    /// [`Self::draft_key`], or `None` once the page has gone.
    fn try_draft_key(self) -> Option<String> {
        let record = self.record.try_get_untracked()?;
        self.citizen.try_with_value(|c| c.key(Kept::Draft(&record)))
    }

    fn stored_draft(self) -> Option<Draft> {
        in_storage(&self.draft_key()).into_draft()
    }

    fn keep_draft(self, draft: &Draft) {
        let kept = crate::web::store(&self.draft_key(), &crate::json::to_text(&draft.to_stored()));
        if self.draft_only_here.get_untracked() == kept {
            self.draft_only_here.set(!kept);
        }
    }

    /// Changes the draft for something other than the citizen's typing here (sent, refused,
    /// moved onto a new version). Kept only over this tab's own: a newer draft another tab wrote
    /// meanwhile, not heard of yet, is not written over (it comes with its event).
    fn update_draft(self, change: impl FnOnce(&mut Draft)) {
        let Some(mine) = self.draft.get_untracked() else {
            return;
        };
        let mut changed = mine.clone();
        change(&mut changed);
        if self.draft_only_here.get_untracked() || in_storage(&self.draft_key()).holds(&mine) {
            self.keep_draft(&changed);
        }
        self.draft.set(Some(changed));
    }

    /// The save of the sent draft is confirmed: the draft goes, unless another tab has written a
    /// newer one since, which stays and is this tab's draft now.
    fn settle_sent_draft(self) {
        let Some(sent) = self.draft.get_untracked() else {
            return;
        };
        let confirmed = self
            .record
            .with_untracked(|r| self.outbox.confirmed_copy(r))
            .as_ref()
            .and_then(version_of);
        let stored = in_storage(&self.draft_key());
        match after_confirmed(
            &sent,
            stored,
            self.draft_only_here.get_untracked(),
            confirmed,
        ) {
            AfterConfirmed::Forget => self.forget_draft(),
            AfterConfirmed::Leave => {
                self.draft_only_here.set(false);
                self.draft.set(None);
            }
            AfterConfirmed::Adopt { draft, rebased } => {
                if rebased {
                    self.keep_draft(&draft);
                }
                self.draft.set(Some(draft));
            }
        }
    }

    fn forget_draft(self) {
        crate::web::forget(&self.draft_key());
        self.draft_only_here.set(false);
        self.draft.set(None);
    }

    /// The citizen changed the form: `content` is the whole form in the page's stored form.
    pub fn edit(self, content: Value) {
        let draft = match self.draft.get_untracked() {
            Some(mut d) => {
                d.content = content;
                d.submitted = false;
                d
            }
            None => Draft::started_on(content, self.recorded.get_untracked().as_ref()),
        };
        self.keep_draft(&draft);
        self.draft.set(Some(draft));
    }

    /// The citizen deliberately throws their draft away; the form shows the version in force.
    pub fn discard_draft(self) {
        self.forget_draft();
    }

    /// After seeing both versions, the citizen goes on with their draft over the version in
    /// force now.
    pub fn keep_draft_over_current(self) {
        let base = self
            .recorded
            .with_untracked(|r| r.as_ref().and_then(version_of));
        self.update_draft(|d| d.base = base);
    }

    fn fetch(self) {
        let (Some(query), Some(is_ours)) = (
            self.finder_query(true),
            self.finder.with_value(|f| f.as_ref().map(|f| f.is_ours)),
        ) else {
            return;
        };
        let ctx = expect_context::<AppContext>();
        let resource_type = self.record.with_untracked(|r| r.resource_type());
        self.load.set(Load::Loading);
        spawn_local(async move {
            match ctx.client.search_query(resource_type, &query).await {
                Ok(found) => {
                    self.recorded.try_set(found.into_iter().find(is_ours));
                    self.load.try_set(Load::Loaded);
                }
                Err(error) => {
                    self.load.try_set(Load::Failed(error));
                }
            }
        });
    }

    /// The finder's search, with the patient, as a query; `paging`: with its order and count
    /// (the page's read), else without (a create's search for the version in force).
    fn finder_query(self, paging: bool) -> Option<String> {
        self.finder.with_value(|finder| {
            let params = finder
                .as_ref()?
                .params
                .iter()
                .filter(|(name, _)| paging || !name.starts_with('_'))
                .map(|(name, value)| (*name, value.as_str()))
                .collect::<Vec<_>>();
            Some(self.patient_query(&params))
        })
    }

    /// `params` after the citizen's `patient`, as a query.
    fn patient_query(self, params: &[(&str, &str)]) -> String {
        let patient = format!("Patient/{}", self.patient_id());
        let mut query = vec![("patient", patient.as_str())];
        query.extend_from_slice(params);
        crate::fhir::write::query_string(&query)
    }

    /// What a create of this record looks for first (`Write::Create`): the version in force of a
    /// record that has one, or what may already do what a new one would (`Record::answer_search`).
    fn look_first(self) -> Option<LookFirst> {
        let record = self.record.get_untracked();
        if let WritePolicy::UpdateInForce = record.write_policy() {
            return self.finder_query(false).map(LookFirst::InForce);
        }
        let search = record.answer_search()?;
        let params: Vec<_> = search
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        Some(LookFirst::Answer(self.patient_query(&params)))
    }

    /// Loads the version in force again (Try again).
    pub fn reload(self) {
        self.fetch();
    }

    /// Sets the version in force, for pages that find it themselves (a disclosure in a list).
    pub fn set_recorded(self, recorded: Option<Value>) {
        if self.recorded.with_untracked(|r| *r != recorded) {
            self.recorded.set(recorded);
        }
    }

    /// The idempotency key of the record's next new resource: the same on every attempt and in
    /// every tab until the server holds it (the outbox forgets it then).
    fn creation_key(self) -> String {
        if let Record::Measurement { id } = self.record.get_untracked() {
            return id;
        }
        let key = self
            .record
            .with_untracked(|r| self.citizen.with_value(|c| c.key(Kept::CreationKey(r))));
        crate::web::stored(&key).unwrap_or_else(|| {
            let fresh = crate::web::new_uuid_urn();
            let _kept = crate::web::store(&key, &fresh);
            fresh
        })
    }

    /// Saves what `build` makes of the version in force (if it is updated) and the identifier
    /// of a new resource (`None`: nothing to save). Refused while the draft is stale: the
    /// citizen chooses first.
    pub fn save(self, build: impl FnOnce(Option<&Value>, &str) -> Option<Value>) {
        if self.stale.get_untracked() {
            return;
        }
        let record = self.record.get_untracked();
        let recorded = self.recorded.get_untracked();
        let base = match record.write_policy() {
            WritePolicy::UpdateInForce => recorded.clone(),
            WritePolicy::AlwaysNew => None,
        };
        let key = self.creation_key();
        let write = match base.as_ref().and_then(version_of) {
            Some((id, version)) => Write::Update {
                id,
                if_match: version,
            },
            None => Write::Create {
                creation_key: format!("{IDENTIFIER_SYSTEM}|{key}"),
                look_first: self.look_first(),
            },
        };
        let Some(resource) = build(base.as_ref(), &key) else {
            return;
        };
        self.outbox.save(&record, resource, write);
        self.update_draft(|d| {
            d.submitted = true;
            // The version in force it was made on, for a record written anew each time too: an
            // edit after a refusal, or while the save waits, is not "changed elsewhere".
            d.base = recorded.as_ref().and_then(version_of);
        });
    }

    /// Resolves a conflict with the citizen's content written over the other version.
    pub fn keep_mine(self, build: impl FnOnce(&Value) -> Value) {
        if let Some(theirs) = self.theirs.get_untracked() {
            let resource = build(&theirs);
            self.record
                .with_untracked(|r| self.outbox.keep_mine(r, resource));
            // What the page sent is the draft as it is now (edits made during the conflict
            // too): once confirmed, it goes, not left as "not saved yet".
            self.update_draft(|d| d.submitted = true);
        }
    }

    /// Resolves a conflict by taking the other version as the one in force; the draft goes.
    pub fn take_theirs(self) {
        if let Some(theirs) = self.theirs.get_untracked() {
            self.recorded.set(Some(theirs));
            self.forget_draft();
            self.record.with_untracked(|r| self.outbox.take_theirs(r));
        }
    }

    /// *Retry now* for this record's waiting save.
    pub fn retry_now(self) {
        self.record.with_untracked(|r| self.outbox.retry_now(r));
    }

    /// A save is on its way, or waits for the citizen's choice in a conflict (nothing more
    /// should be sent until it ends).
    pub fn busy(self) -> bool {
        // A conflict too: the citizen chooses first (keep mine, take theirs), or a new save
        // would wait behind the undecided one.
        self.state
            .with(|s| matches!(s, SaveState::Saving { .. } | SaveState::Conflict { .. }))
    }
}

impl RecordHandle {
    /// Keeps `form` showing the draft, or the version in force while there is none, and makes
    /// every change the citizen makes to it the draft (and nothing else: loading the version in
    /// force fills the form, not the draft).
    ///
    /// `read` makes the form from the version in force; `to_stored`/`from_stored` map the form to
    /// the draft's stored content.
    pub fn bind_form<T>(
        self,
        form: RwSignal<T>,
        read: fn(&Value) -> Option<T>,
        to_stored: fn(&T) -> Value,
        from_stored: fn(&Value) -> Option<T>,
    ) where
        T: Clone + PartialEq + Default + Send + Sync + 'static,
    {
        let source = memo(move |_| {
            let drafted = self
                .draft
                .with(|d| d.as_ref().map(|d| from_stored(&d.content)));
            match drafted {
                Some(Some(form)) => form,
                // A draft this version cannot read: keep what the form holds.
                Some(None) => form.get_untracked(),
                None => self
                    .recorded
                    .with(|r| r.as_ref().and_then(read))
                    .unwrap_or_default(),
            }
        });
        // At once, before the page's fields are built: a restored draft is in them from the start.
        let initial = source.get_untracked();
        if form.with_untracked(|f| *f != initial) {
            form.set(initial);
        }
        effect(move || {
            let shown = source.get();
            if form.with_untracked(|f| *f != shown) {
                form.set(shown);
            }
        });
        effect(move || {
            let now = form.get();
            if source.with_untracked(|s| *s != now) {
                self.edit(to_stored(&now));
            }
        });
    }
}
