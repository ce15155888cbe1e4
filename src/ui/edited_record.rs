//! A declaration the citizen edits that the server keeps as one resource (the advance directive,
//! the living will): the recorded version is loaded, a save is built on it and sent through the
//! outbox (an `If-Match` update of it, or a create with an idempotency key), and a version stored
//! elsewhere meanwhile is a conflict the citizen resolves (keep mine / take theirs).

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::app::AppContext;
use crate::fhir::resources::{id, version_id, IDENTIFIER_SYSTEM};
use crate::fhir::FhirError;
use crate::i18n::declarations::DeclText;
use crate::save::outbox::OutboxEntry;
use crate::save::sync::Outbox;
use crate::save::{SaveState, Write};
use crate::ui::use_i18n;

/// Loading the recorded version.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Loaded,
    Failed(FhirError),
}

/// How a save is written: on top of the recorded version, or as a new resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveAs {
    /// `PUT` with `If-Match` when a version is recorded (the organ-donation way).
    Update,
    /// Always a new resource (the living will: every version is kept as its own document).
    NewVersion,
}

/// The handles of one edited record.
#[derive(Clone, Copy)]
pub struct EditedRecord {
    pub record: StoredValue<String>,
    pub load: RwSignal<Load>,
    /// The version the server holds (or that a save here stored last).
    pub recorded: RwSignal<Option<Value>>,
    pub state: Signal<SaveState>,
    pub open: Memo<Option<OutboxEntry>>,
    /// The version stored elsewhere, while the citizen chooses.
    pub theirs: Memo<Option<Value>>,
    resource_type: &'static str,
    save_as: SaveAs,
    creation_key: StoredValue<String>,
    outbox: Outbox,
    patient_id: StoredValue<String>,
    search: StoredValue<Search>,
}

/// The search that finds the recorded version, and which result is it.
type Search = (Vec<(&'static str, String)>, fn(&Value) -> bool);

impl EditedRecord {
    /// `record` is the outbox key; the recorded version is the first result of searching
    /// `resource_type` with `params` (plus `patient`) that `is_ours`.
    pub fn new(
        record: String,
        resource_type: &'static str,
        params: &[(&'static str, &str)],
        is_ours: fn(&Value) -> bool,
        save_as: SaveAs,
    ) -> Option<EditedRecord> {
        let (ctx, outbox) = (use_context::<AppContext>()?, use_context::<Outbox>()?);
        let mut all: Vec<(&'static str, String)> =
            vec![("patient", format!("Patient/{}", ctx.config.patient_id))];
        all.extend(params.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let creation_key = StoredValue::new(crate::web::creation_key(&record));
        let record = StoredValue::new(record);
        let open = Memo::new(move |_| record.with_value(|r| outbox.open_entry(r)));
        let edited = EditedRecord {
            record,
            load: RwSignal::new(Load::Loading),
            recorded: RwSignal::new(None),
            state: Signal::derive(move || record.with_value(|r| outbox.state_of(r))),
            open,
            theirs: Memo::new(move |_| open.with(|e| e.as_ref().and_then(|e| e.theirs.clone()))),
            resource_type,
            save_as,
            creation_key,
            outbox,
            patient_id: StoredValue::new(ctx.config.patient_id.clone()),
            search: StoredValue::new((all, is_ours)),
        };
        // A save confirmed here or in another tab is the recorded version now.
        Effect::new(move |previous: Option<Option<Value>>| {
            let copy = record.with_value(|r| outbox.confirmed_copy(r));
            if previous.is_some_and(|p| p != copy) {
                if let Some(stored) = &copy {
                    edited.recorded.set(Some(stored.clone()));
                    // The next new resource needs its own idempotency key.
                    creation_key
                        .set_value(record.with_value(|r| crate::web::renew_creation_key(r)));
                }
            }
            copy
        });
        edited.fetch(ctx);
        Some(edited)
    }

    fn fetch(self, ctx: AppContext) {
        self.load.set(Load::Loading);
        let (params, is_ours) = self.search.get_value();
        let resource_type = self.resource_type;
        spawn_local(async move {
            let query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            match ctx.client.search(resource_type, &query).await {
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

    /// Loads the recorded version again (Try again).
    pub fn reload(self) {
        if let Some(ctx) = use_context::<AppContext>() {
            self.fetch(ctx);
        }
    }

    pub fn patient_id(self) -> String {
        self.patient_id.get_value()
    }

    /// Saves what `build` makes from the recorded version (if any) and a new identifier.
    pub fn save(self, build: impl FnOnce(Option<&Value>, &str) -> Value) {
        let base = match self.save_as {
            SaveAs::Update => self.recorded.get_untracked(),
            SaveAs::NewVersion => None,
        };
        let key = self.creation_key.get_value();
        let write = match base.as_ref().and_then(|b| Some((id(b)?, version_id(b)?))) {
            Some((id, version)) => Write::Update {
                id: id.to_owned(),
                if_match: version.to_owned(),
            },
            None => Write::Create {
                creation_key: format!("{IDENTIFIER_SYSTEM}|{key}"),
            },
        };
        let resource = build(base.as_ref(), &key);
        let resource_type = self.resource_type;
        self.record
            .with_value(|r| self.outbox.save(r, resource_type, resource, write));
    }

    /// Resolves a conflict with the citizen's content written over the other version.
    pub fn keep_mine(self, build: impl FnOnce(&Value) -> Value) {
        if let Some(theirs) = self.theirs.get_untracked() {
            let resource = build(&theirs);
            self.record
                .with_value(|r| self.outbox.keep_mine(r, resource));
        }
    }

    /// Resolves a conflict by taking the other version as the recorded one.
    pub fn take_theirs(self) {
        if let Some(theirs) = self.theirs.get_untracked() {
            self.recorded.set(Some(theirs));
            self.record.with_value(|r| self.outbox.take_theirs(r));
        }
    }

    /// *Retry now* for this record's waiting save.
    pub fn retry_now(self) {
        self.record.with_value(|r| self.outbox.retry_now(r));
    }

    /// A save is on its way (nothing more should be sent until it ends).
    pub fn busy(self) -> bool {
        self.state.with(|s| matches!(s, SaveState::Saving { .. }))
    }
}

/// The choice shown in a conflict.
#[component]
pub fn ConflictActions(
    /// The record in conflict.
    edited: EditedRecord,
    /// Writes the citizen's version over the other one.
    on_keep_mine: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="tahto-card tahto-conflict" hidden=move || edited.theirs.with(Option::is_none)>
            <p>{i18n.tr(DeclText::ConflictExplain)}</p>
            <div class="tahto-actions">
                <button type="button" class="tahto-button tahto-primary" on:click=move |_| on_keep_mine.run(())>
                    {i18n.tr(DeclText::KeepMine)}
                </button>
                <button type="button" class="tahto-button" on:click=move |_| edited.take_theirs()>
                    {i18n.tr(DeclText::TakeTheirs)}
                </button>
            </div>
        </div>
    }
}

/// The recorded version of a declaration: what the page says of it (`children`), its printout,
/// and Try again when it could not be loaded.
#[component]
pub fn RecordedSection(
    /// The declaration.
    edited: EditedRecord,
    /// The heading's id.
    heading_id: &'static str,
    /// The section's test id.
    test_id: &'static str,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="tahto-card tahto-printable" data-testid=test_id aria-labelledby=heading_id>
            <h2 id=heading_id>{i18n.tr(crate::i18n::Msg::CurrentHeading)}</h2>
            {children()}
            <crate::ui::print::PrintSheet recorded=edited.recorded />
            <button
                type="button"
                class="tahto-button tahto-no-print"
                hidden=move || !matches!(edited.load.get(), Load::Failed(_))
                on:click=move |_| edited.reload()
            >
                {i18n.tr(crate::i18n::Msg::TryAgain)}
            </button>
        </section>
    }
}

/// A declaration's form: behind the notice gate, shown once the recorded version is loaded.
#[component]
pub fn DeclarationForm(
    /// The declaration.
    edited: EditedRecord,
    /// Opens the notice (from the explanation shown while the form is locked).
    on_open_notice: Callback<()>,
    /// Checks and saves.
    on_submit: Callback<leptos::ev::SubmitEvent>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="tahto-no-print">
            <crate::pages::kanta_notice::DeclarationGate on_open_notice>
                <form
                    class="tahto-card tahto-form"
                    hidden=move || edited.load.get() != Load::Loaded
                    on:submit=move |ev| on_submit.run(ev)
                    novalidate
                >
                    {children()}
                </form>
            </crate::pages::kanta_notice::DeclarationGate>
        </div>
    }
}
