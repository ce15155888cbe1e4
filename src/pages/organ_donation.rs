//! Organ donation decision (elinluovutustahto): load, decide, save through the save pipeline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::AppContext;
use crate::domain::organ_donation::{
    from_consent, is_organ_donation, to_consent, DonationChoice, DraftProblem, Organ,
    OrganDonation, OrganDonationDraft, CATEGORY_ORGAN_DONATION, IDENTIFIER_SYSTEM, LOINC,
    NOTE_MAX_CHARS,
};
use crate::fhir::client::FhirClient;
use crate::fhir::resources::{id, last_updated, version_id};
use crate::fhir::FhirError;
use crate::i18n::Msg;
use crate::pages::kanta_notice::DeclarationGate;
use crate::save::sync::Outbox;
use crate::save::{SaveState, Write};
use crate::ui::print::PrintSheet;
use crate::ui::save_status::why_not_loaded;
use crate::ui::text_field::{CharLimit, CleanText};
use crate::ui::{use_announcer, use_i18n, SaveStatus};
use serde_json::Value;

/// Loading the recorded decision.
#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Loaded,
    Failed(FhirError),
}

fn load_error_text(i18n: &crate::ui::I18n, error: &FhirError) -> String {
    i18n.format(Msg::LoadFailed, &[("why", &why_not_loaded(i18n, error))])
}

fn choice_id(choice: DonationChoice) -> &'static str {
    match choice {
        DonationChoice::Consent => "tahto-od-consent",
        DonationChoice::Refuse => "tahto-od-refuse",
        DonationChoice::ConsentExcept => "tahto-od-except",
    }
}

/// The citizen's choices: three options, the organs to exclude, and a note.
#[component]
pub fn OrganDonationFields(
    /// What the citizen has chosen so far.
    draft: RwSignal<OrganDonationDraft>,
    /// How many hidden characters were removed from the last paste into the note.
    #[prop(optional)]
    cleaned: Option<RwSignal<usize>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let excepting = move || draft.with(|d| d.choice == Some(DonationChoice::ConsentExcept));
    // The note as its own text (cleaned, counted once per change, never echoed back into the
    // field: see `ui::text_field`), kept in step with the draft both ways.
    let note = RwSignal::new(draft.with_untracked(|d| d.note.clone()));
    let text = CleanText::new(note, false);
    let text = cleaned.map_or(text, |c| text.counting_cleaned_in(c));
    let cleaned = text.cleaned;
    Effect::new(move |_| {
        note.with(|n| {
            if draft.with_untracked(|d| d.note != *n) {
                draft.update(|d| d.note = n.clone());
            }
        })
    });
    Effect::new(move |_| {
        draft.with(|d| {
            if note.with_untracked(|n| *n != d.note) {
                note.set(d.note.clone());
            }
        })
    });

    let choice = move |c: DonationChoice| {
        view! {
            <div class="tahto-option">
                <input
                    type="radio"
                    name="tahto-organ-donation-choice"
                    id=choice_id(c)
                    prop:checked=move || draft.with(|d| d.choice == Some(c))
                    on:change=move |_| draft.update(|d| d.choice = Some(c))
                />
                <label for=choice_id(c)>{i18n.tr(Msg::choice(c))}</label>
            </div>
        }
    };

    view! {
        <fieldset class="tahto-fieldset">
            <legend>{i18n.tr(Msg::DecisionLegend)}</legend>
            {choice(DonationChoice::Consent)}
            {choice(DonationChoice::Refuse)}
            {choice(DonationChoice::ConsentExcept)}
            <Show when=excepting>
                <fieldset class="tahto-fieldset tahto-organs">
                    <legend>{i18n.tr(Msg::ExcludedLegend)}</legend>
                    {Organ::ALL
                        .into_iter()
                        .map(|organ| {
                            let id = format!("tahto-od-organ-{}", organ.snomed().0);
                            view! {
                                <div class="tahto-option">
                                    <input
                                        type="checkbox"
                                        id=id.clone()
                                        prop:checked=move || draft.with(|d| d.excluded.contains(&organ))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            draft.update(|d| d.toggle(organ, on));
                                        }
                                    />
                                    <label for=id>{i18n.tr(Msg::organ(organ))}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
            </Show>
        </fieldset>
        <div class="tahto-field">
            <label for="tahto-od-note">{i18n.tr(Msg::NoteLabel)}</label>
            <p class="tahto-hint" id="tahto-od-note-hint">{i18n.tr(Msg::NoteHint)}</p>
            <textarea
                id="tahto-od-note"
                rows="4"
                aria-describedby="tahto-od-note-hint tahto-od-note-count"
                node_ref=text.node
                on:input=move |_| text.input()
                on:paste=move |ev| text.paste(ev)
                on:beforeinput=move |ev| text.before_input(ev)
            ></textarea>
            <CharLimit id="tahto-od-note-count".to_owned() chars=text.chars max=NOTE_MAX_CHARS />
            <Show when=move || { cleaned.get() > 0 }>
                <p class="tahto-notice" role="status">
                    {move || i18n.format(Msg::NoteCleaned, &[("count", &cleaned.get().to_string())])}
                </p>
            </Show>
        </div>
    }
}

/// One line saying what a decision is, in the citizen's language.
fn summarize(i18n: &crate::ui::I18n, decision: &OrganDonation) -> String {
    let mut text = i18n.t(Msg::choice(decision.choice)).to_owned();
    if !decision.excluded.is_empty() {
        let organs: Vec<&str> = decision
            .excluded
            .iter()
            .map(|o| i18n.t(Msg::organ(*o)))
            .collect();
        text.push_str(". ");
        text.push_str(&i18n.format(Msg::ExcludedSummary, &[("organs", &organs.join(", "))]));
    }
    text
}

/// What is recorded now — or, while a save is open, the new decision marked as not yet recorded.
/// One static structure whose texts follow the state (each branching view costs its own code).
#[component]
fn CurrentDecision(
    load: RwSignal<Load>,
    recorded: RwSignal<Option<Value>>,
    #[prop(into)] pending: Signal<Option<OrganDonation>>,
    /// Loads the recorded decision again after a failure.
    on_reload: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    // (the decision line, the line under it, whether it is the optimistic value)
    let lines = move || -> (String, String, bool) {
        if let Some(decision) = pending.get() {
            return (
                summarize(&i18n, &decision),
                i18n.t(Msg::CurrentPending).into(),
                true,
            );
        }
        match load.get() {
            Load::Loading => return (i18n.t(Msg::CurrentLoading).into(), String::new(), false),
            // Unknown is not "none": the error below says what failed and offers to try again.
            Load::Failed(_) => return (String::new(), String::new(), false),
            Load::Loaded => {}
        }
        let Some(consent) = recorded.get() else {
            return (i18n.t(Msg::CurrentNone).into(), String::new(), false);
        };
        let version = version_id(&consent).unwrap_or("?");
        let time = last_updated(&consent)
            .map(|t| crate::web::format_date_time(t, i18n.lang.get()))
            .unwrap_or_default();
        (
            from_consent(&consent)
                .map(|d| summarize(&i18n, &d))
                .unwrap_or_default(),
            i18n.format(
                Msg::CurrentRecorded,
                &[("time", &time), ("version", version)],
            ),
            false,
        )
    };
    let error = move || match load.get() {
        Load::Failed(error) => Some(load_error_text(&i18n, &error)),
        _ => None,
    };
    view! {
        <section class="tahto-card tahto-current tahto-printable" aria-labelledby="tahto-od-current-heading">
            <h2 id="tahto-od-current-heading">{i18n.tr(Msg::CurrentHeading)}</h2>
            <div data-testid="current-decision">
                <p class=move || if lines().2 { "tahto-optimistic" } else { "tahto-recorded" }>
                    {move || lines().0}
                </p>
                <p class="tahto-hint">{move || lines().1}</p>
                <div class="tahto-state tahto-error" data-testid="load-error" hidden=move || error().is_none()>
                    <p>{error}</p>
                    <button type="button" class="tahto-button" on:click=move |_| on_reload.run(())>
                        {i18n.tr(Msg::TryAgain)}
                    </button>
                </div>
            </div>
            <PrintSheet recorded />
        </section>
    }
}

fn problem_text(i18n: &crate::ui::I18n, problem: DraftProblem) -> String {
    match problem {
        DraftProblem::NoChoice => i18n.t(Msg::ProblemNoChoice).to_owned(),
        DraftProblem::NoOrganExcluded => i18n.t(Msg::ProblemNoOrgan).to_owned(),
        DraftProblem::NoteTooLong { chars } => i18n.format(
            Msg::ProblemNoteTooLong,
            &[
                ("count", &chars.to_string()),
                ("max", &NOTE_MAX_CHARS.to_string()),
            ],
        ),
    }
}

async fn load_latest(client: &FhirClient, patient_id: &str) -> Result<Option<Value>, FhirError> {
    let patient = format!("Patient/{patient_id}");
    let category = format!("{LOINC}|{CATEGORY_ORGAN_DONATION}");
    let found = client
        .search(
            "Consent",
            &[
                ("patient", &patient),
                ("category", &category),
                ("status", "active"),
                ("_sort", "-_lastUpdated"),
                ("_count", "1"),
            ],
        )
        .await?;
    Ok(found.into_iter().find(is_organ_donation))
}

/// The saved record of a citizen's organ donation decision (its key in the outbox).
pub fn record_key(patient_id: &str) -> String {
    format!("organ-donation/Patient/{patient_id}")
}

/// Both versions side by side when the decision changed elsewhere: keep mine or take theirs.
#[component]
fn ConflictChoice(
    /// This device's unsent version.
    mine: Option<OrganDonation>,
    /// The version stored elsewhere.
    theirs: Value,
    on_keep_mine: Callback<()>,
    on_take_theirs: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let theirs_decision = from_consent(&theirs);
    let version = version_id(&theirs).unwrap_or("?").to_owned();
    view! {
        <div class="tahto-conflict" data-testid="conflict">
            <section class="tahto-conflict-side" data-testid="conflict-mine">
                <h3>{i18n.tr(Msg::ConflictMine)}</h3>
                <p>{move || mine.as_ref().map(|d| summarize(&i18n, d))}</p>
                <button type="button" class="tahto-button" on:click=move |_| on_keep_mine.run(())>
                    {i18n.tr(Msg::KeepMine)}
                </button>
            </section>
            <section class="tahto-conflict-side" data-testid="conflict-theirs">
                <h3>{move || i18n.format(Msg::ConflictTheirs, &[("version", &version)])}</h3>
                <p>{move || theirs_decision.as_ref().map(|d| summarize(&i18n, d))}</p>
                <button type="button" class="tahto-button" on:click=move |_| on_take_theirs.run(())>
                    {i18n.tr(Msg::TakeTheirs)}
                </button>
            </section>
        </div>
    }
}

/// The organ donation page. The recorded decision is always shown; the form only once the
/// current "Kanta information" is confirmed.
#[component]
pub fn OrganDonationPage(
    /// Opens the notice (from the explanation shown while the form is locked).
    on_open_notice: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let (Some(ctx), Some(outbox)) = (use_context::<AppContext>(), use_context::<Outbox>()) else {
        return ().into_any();
    };
    let patient_id = ctx.config.patient_id.clone();
    let record = StoredValue::new(record_key(&patient_id));
    let draft_key = format!("tahto.draft.{}", record.get_value());

    // What the citizen typed last time survives a reload, a crash or a closed tab.
    let restored: Option<OrganDonationDraft> = crate::web::stored(&draft_key)
        .and_then(|t| crate::web::parse_json(&t))
        .map(|v| OrganDonationDraft::from_stored(&v));
    let load = RwSignal::new(Load::Loading);
    let recorded = RwSignal::new(None::<Value>);
    let touched = RwSignal::new(restored.is_some());
    let draft = RwSignal::new(restored.unwrap_or_default());
    let problem = RwSignal::new(None::<DraftProblem>);
    let cleaned = RwSignal::new(0usize);
    // One idempotency key per new record, shared by every attempt and tab (see `creation_key`).
    let creation_key = StoredValue::new(record.with_value(|r| crate::web::creation_key(r)));

    {
        let draft_key = draft_key.clone();
        Effect::new(move |previous: Option<OrganDonationDraft>| {
            let now = draft.get();
            problem.set(None);
            if previous.as_ref().is_some_and(|p| *p != now) {
                touched.set(true);
                let _kept = crate::web::store(&draft_key, &crate::json::to_text(&now.to_stored()));
            }
            now
        });
    }

    let fetch = {
        let client = ctx.client.clone();
        let patient_id = patient_id.clone();
        move || {
            let client = client.clone();
            let patient_id = patient_id.clone();
            load.set(Load::Loading);
            spawn_local(async move {
                match load_latest(&client, &patient_id).await {
                    Ok(latest) => {
                        // The form is only filled while the citizen has not started editing:
                        // their input is never replaced behind their back.
                        if !touched.get_untracked() {
                            if let Some(d) = latest.as_ref().and_then(from_consent) {
                                draft.try_set(OrganDonationDraft::from(&d));
                                touched.try_set(false);
                            }
                        }
                        recorded.try_set(latest);
                        load.try_set(Load::Loaded);
                    }
                    Err(error) => {
                        load.try_set(Load::Failed(error));
                    }
                }
            });
        }
    };
    fetch();

    // The save of this record, as the outbox (in any tab) has it.
    let state = Signal::derive(move || record.with_value(|r| outbox.state_of(r)));
    let open = Memo::new(move |_| record.with_value(|r| outbox.open_entry(r)));
    // The optimistic value: what is being saved, shown at once and marked as not yet recorded.
    let pending = Memo::new(move |_| {
        open.with(|e| {
            e.as_ref()
                .filter(|e| !matches!(e.state, SaveState::Conflict { .. }))
                .and_then(|e| from_consent(&e.resource))
        })
    });
    // The version stored elsewhere, while the citizen chooses between it and theirs.
    let theirs = Memo::new(move |_| open.with(|e| e.as_ref().and_then(|e| e.theirs.clone())));
    let mine =
        Memo::new(move |_| open.with(|e| e.as_ref().and_then(|e| from_consent(&e.resource))));

    // A save confirmed here or in another tab: that is the recorded decision now.
    Effect::new({
        let draft_key = draft_key.clone();
        move |previous: Option<Option<Value>>| {
            let copy = record.with_value(|r| outbox.confirmed_copy(r));
            if previous.is_some_and(|p| p != copy) {
                if let Some(stored) = &copy {
                    // Saved: the draft has done its job unless the citizen has changed it since.
                    if from_consent(stored) == draft.get_untracked().decision().ok() {
                        crate::web::forget(&draft_key);
                        touched.set(false);
                    }
                    recorded.set(Some(stored.clone()));
                    // The record exists now: later saves update it. A new key is only for a
                    // record created again after this one (never reused across records).
                    creation_key
                        .set_value(record.with_value(|r| crate::web::renew_creation_key(r)));
                }
            }
            copy
        }
    });

    let consent_for = {
        let patient_id = patient_id.clone();
        move |decision: &OrganDonation, base: Option<&Value>| {
            to_consent(
                decision,
                &patient_id,
                &crate::web::now_iso(),
                base,
                &creation_key.get_value(),
            )
        }
    };
    let send = {
        let consent_for = consent_for.clone();
        move |decision: OrganDonation| {
            let base = recorded.get_untracked();
            let write = match base.as_ref().and_then(|b| Some((id(b)?, version_id(b)?))) {
                Some((id, version)) => Write::Update {
                    id: id.to_owned(),
                    if_match: version.to_owned(),
                },
                None => Write::Create {
                    creation_key: format!("{IDENTIFIER_SYSTEM}|{}", creation_key.get_value()),
                },
            };
            let consent = consent_for(&decision, base.as_ref());
            record.with_value(|r| outbox.save(r, "Consent", consent, write));
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match draft.get_untracked().decision() {
            Ok(decision) => send(decision),
            Err(p) => {
                problem.set(Some(p));
                announcer.alert(problem_text(&i18n, p));
            }
        }
    };
    let on_retry = Callback::new(move |_| record.with_value(|r| outbox.retry_now(r)));
    let on_keep_mine = Callback::new(move |_| {
        // Mine is what the form holds now, written on top of their version so nothing of
        // theirs that Tahto does not own is dropped.
        let mine = draft
            .get_untracked()
            .decision()
            .ok()
            .or_else(|| mine.get_untracked());
        if let (Some(mine), Some(theirs)) = (mine, theirs.get_untracked()) {
            let resource = consent_for(&mine, Some(&theirs));
            record.with_value(|r| outbox.keep_mine(r, resource));
        }
    });
    let on_take_theirs = {
        let draft_key = draft_key.clone();
        Callback::new(move |_| {
            if let Some(latest) = theirs.get_untracked() {
                if let Some(d) = from_consent(&latest) {
                    draft.set(OrganDonationDraft::from(&d));
                }
                crate::web::forget(&draft_key);
                touched.set(false);
                recorded.set(Some(latest));
                record.with_value(|r| outbox.take_theirs(r));
            }
        })
    };
    let on_reload = Callback::new(move |_| fetch());
    let busy = move || state.with(|s| matches!(s, SaveState::Saving { .. }));
    let form_ready = move || load.with(|l| *l == Load::Loaded);
    let nothing_chosen = move || draft.with(|d| d.choice.is_none());

    view! {
        <article class="tahto-page" aria-labelledby="tahto-od-title">
            <h1 id="tahto-od-title">{i18n.tr(Msg::OrganDonationTitle)}</h1>
            <p class="tahto-lead tahto-no-print">{i18n.tr(Msg::OrganDonationIntro)}</p>
            <CurrentDecision load recorded pending on_reload />
            // Static structure, `hidden` toggled: each `Show` is its own code in the wasm.
            <div class="tahto-no-print">
            <DeclarationGate on_open_notice>
            <form
                class="tahto-card tahto-form"
                hidden=move || !form_ready()
                on:submit=on_submit
                novalidate
            >
                    <OrganDonationFields draft cleaned />
                    <p class="tahto-problem" id="tahto-od-problem" hidden=move || problem.get().is_none()>
                        {move || problem.get().map(|p| problem_text(&i18n, p))}
                    </p>
                    <div class="tahto-actions">
                        <button
                            type="submit"
                            class="tahto-button tahto-primary"
                            disabled=move || busy() || nothing_chosen()
                            aria-describedby="tahto-od-save-hint"
                        >
                            {i18n.tr(Msg::SaveDecision)}
                        </button>
                        // Empty rather than hidden once a choice is made: the button's description
                        // follows this text, and a hidden target would still describe it.
                        <p class="tahto-hint" id="tahto-od-save-hint">
                            {move || if nothing_chosen() { i18n.t(Msg::ProblemNoChoice) } else { "" }}
                        </p>
                    </div>
                    <SaveStatus state on_retry />
                    {move || theirs.get().map(|theirs| view! {
                        <ConflictChoice mine=mine.get() theirs on_keep_mine on_take_theirs />
                    })}
            </form>
            </DeclarationGate>
            </div>
        </article>
    }
    .into_any()
}
