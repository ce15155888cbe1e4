//! Organ donation decision (elinluovutustahto): load, decide, save through the record's handle.

use crate::i18n::saving::SaveText;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::ui::reactive::{effect, memo};
use serde_json::Value;

use crate::domain::organ_donation::{
    from_consent, is_organ_donation, to_consent, DonationChoice, DraftProblem, Organ,
    OrganDonation, OrganDonationDraft, CATEGORY_ORGAN_DONATION, LOINC, NOTE_MAX_CHARS,
};
use crate::fhir::resources::{last_updated, version_id};
use crate::fhir::FhirError;
use crate::i18n::organ_donation::OdText;
use crate::i18n::Msg;
use crate::notice_gate::DeclarationGate;
use crate::save::handle::{Finder, Load, RecordHandle};
use crate::save::{Record, SaveState};
use crate::ui::declaration::{DraftActions, StaleDraft};
use crate::ui::print::PrintSheet;
use crate::ui::save_status::why_not_loaded;
use crate::ui::text_field::{CharLimit, CleanText};
use crate::ui::{use_announcer, use_i18n, SaveStatus};

fn load_error_text(i18n: &crate::ui::I18n, error: &FhirError) -> String {
    i18n.format(
        SaveText::LoadFailed,
        &[("why", &why_not_loaded(i18n, error))],
    )
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
    effect(move || {
        note.with(|n| {
            if draft.with_untracked(|d| d.note != *n) {
                draft.update(|d| d.note = n.clone());
            }
        })
    });
    effect(move || {
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
                <label for=choice_id(c)>{i18n.tr(OdText::choice(c))}</label>
            </div>
        }
    };

    view! {
        <fieldset class="tahto-fieldset">
            <legend>{i18n.tr(OdText::DecisionLegend)}</legend>
            {choice(DonationChoice::Consent)}
            {choice(DonationChoice::Refuse)}
            {choice(DonationChoice::ConsentExcept)}
            <Show when=excepting>
                <fieldset class="tahto-fieldset tahto-organs">
                    <legend>{i18n.tr(OdText::ExcludedLegend)}</legend>
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
                                    <label for=id>{i18n.tr(OdText::organ(organ))}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
            </Show>
        </fieldset>
        <div class="tahto-field">
            <label for="tahto-od-note">{i18n.tr(OdText::NoteLabel)}</label>
            <p class="tahto-hint" id="tahto-od-note-hint">{i18n.tr(OdText::NoteHint)}</p>
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
                    {move || i18n.format(OdText::NoteCleaned, &[("count", &cleaned.get().to_string())])}
                </p>
            </Show>
        </div>
    }
}

/// One line saying what a decision is, in the citizen's language.
fn summarize(i18n: &crate::ui::I18n, decision: &OrganDonation) -> String {
    let mut text = i18n.t(OdText::choice(decision.choice)).to_owned();
    if !decision.excluded.is_empty() {
        let organs: Vec<&str> = decision
            .excluded
            .iter()
            .map(|o| i18n.t(OdText::organ(*o)))
            .collect();
        text.push_str(". ");
        text.push_str(&i18n.format(OdText::ExcludedSummary, &[("organs", &organs.join(", "))]));
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
                i18n.t(OdText::CurrentPending).into(),
                true,
            );
        }
        match load.get() {
            Load::Loading => return (i18n.t(OdText::CurrentLoading).into(), String::new(), false),
            // Unknown is not "none": the error below says what failed and offers to try again.
            Load::Failed(_) => return (String::new(), String::new(), false),
            Load::Loaded => {}
        }
        let Some(consent) = recorded.get() else {
            return (i18n.t(OdText::CurrentNone).into(), String::new(), false);
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
                OdText::CurrentRecorded,
                &[("time", &time), ("version", version)],
            ),
            false,
        )
    };
    let error = move || match load.get() {
        Load::Failed(error) => Some(load_error_text(&i18n, &error)),
        _ => None,
    };
    // While a save is open the page shows the new decision, but a printout is signed as what is
    // recorded: it shows the recorded one (under its stamp), never the one not yet recorded.
    let printed_instead = move || {
        pending.with(Option::is_some).then(|| {
            recorded
                .with(|r| r.as_ref().and_then(from_consent))
                .map(|d| summarize(&i18n, &d))
                .unwrap_or_else(|| i18n.t(OdText::CurrentNone).into())
        })
    };
    view! {
        <section class="tahto-card tahto-current tahto-printable" aria-labelledby="tahto-od-current-heading">
            <h2 id="tahto-od-current-heading">{i18n.tr(SaveText::CurrentHeading)}</h2>
            <div data-testid="current-decision">
                <p class=move || if lines().2 { "tahto-optimistic tahto-no-print" } else { "tahto-recorded" }>
                    {move || lines().0}
                </p>
                <p class=move || if lines().2 { "tahto-hint tahto-no-print" } else { "tahto-hint" }>{move || lines().1}</p>
                <p class="tahto-recorded tahto-print-only" data-testid="printed-decision">{printed_instead}</p>
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
        DraftProblem::NoChoice => i18n.t(OdText::ProblemNoChoice).to_owned(),
        DraftProblem::NoOrganExcluded => i18n.t(OdText::ProblemNoOrgan).to_owned(),
        DraftProblem::NoteTooLong { chars } => i18n.format(
            OdText::ProblemNoteTooLong,
            &[
                ("count", &chars.to_string()),
                ("max", &NOTE_MAX_CHARS.to_string()),
            ],
        ),
    }
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
                <h3>{i18n.tr(OdText::ConflictMine)}</h3>
                <p>{move || mine.as_ref().map(|d| summarize(&i18n, d))}</p>
                <button type="button" class="tahto-button" on:click=move |_| on_keep_mine.run(())>
                    {i18n.tr(OdText::KeepMine)}
                </button>
            </section>
            <section class="tahto-conflict-side" data-testid="conflict-theirs">
                <h3>{move || i18n.format(OdText::ConflictTheirs, &[("version", &version)])}</h3>
                <p>{move || theirs_decision.as_ref().map(|d| summarize(&i18n, d))}</p>
                <button type="button" class="tahto-button" on:click=move |_| on_take_theirs.run(())>
                    {i18n.tr(OdText::TakeTheirs)}
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
    let category = format!("{LOINC}|{CATEGORY_ORGAN_DONATION}");
    let edited = RecordHandle::new(
        Record::OrganDonation,
        Some(Finder::new(
            &[
                ("category", &category),
                ("status", "active"),
                ("_sort", "-_lastUpdated"),
                ("_count", "1"),
            ],
            is_organ_donation,
        )),
    );
    let (load, recorded, state, open, theirs) = (
        edited.load,
        edited.recorded,
        edited.state,
        edited.open,
        edited.theirs,
    );
    // The form: the citizen's draft, or the recorded decision while there is none.
    let draft = RwSignal::new(OrganDonationDraft::default());
    edited.bind_form(
        draft,
        |consent| from_consent(consent).map(|d| OrganDonationDraft::from(&d)),
        OrganDonationDraft::to_stored,
        |stored| Some(OrganDonationDraft::from_stored(stored)),
    );
    let problem = RwSignal::new(None::<DraftProblem>);
    let cleaned = RwSignal::new(0usize);
    effect(move || {
        draft.track();
        problem.set(None);
    });

    // The optimistic value: what is being saved, shown at once and marked as not yet recorded.
    let pending = memo(move |_| {
        open.with(|e| {
            e.as_ref()
                .filter(|e| !matches!(e.state, SaveState::Conflict { .. }))
                .and_then(|e| from_consent(&e.resource))
        })
    });
    let mine = memo(move |_| open.with(|e| e.as_ref().and_then(|e| from_consent(&e.resource))));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match draft.get_untracked().decision() {
            Ok(decision) => {
                let patient = edited.patient_id();
                edited.save(|base, key| {
                    Some(to_consent(
                        &decision,
                        &patient,
                        &crate::web::now_iso(),
                        base,
                        key,
                    ))
                });
            }
            Err(p) => {
                problem.set(Some(p));
                announcer.alert(problem_text(&i18n, p));
            }
        }
    };
    let on_retry = Callback::new(move |_| edited.retry_now());
    let on_keep_mine = Callback::new(move |_| {
        // Mine is what the form holds now, written on top of their version so nothing of
        // theirs that Tahto does not own is dropped.
        let mine = draft
            .get_untracked()
            .decision()
            .ok()
            .or_else(|| mine.get_untracked());
        if let Some(mine) = mine {
            let patient = edited.patient_id();
            edited.keep_mine(|theirs| {
                to_consent(&mine, &patient, &crate::web::now_iso(), Some(theirs), "")
            });
        }
    });
    let on_take_theirs = Callback::new(move |_| edited.take_theirs());
    let on_reload = Callback::new(move |_| edited.reload());
    let busy = move || edited.busy();
    let form_ready = move || load.with(|l| *l == Load::Loaded);
    let nothing_chosen = move || draft.with(|d| d.choice.is_none());
    let stale_mine = Signal::derive(move || {
        draft.with(|d| {
            d.decision()
                .map(|d| summarize(&i18n, &d))
                .unwrap_or_default()
        })
    });
    let stale_saved = Signal::derive(move || {
        recorded.with(|r| {
            r.as_ref()
                .and_then(from_consent)
                .map(|d| summarize(&i18n, &d))
                .unwrap_or_default()
        })
    });

    view! {
        <article class="tahto-page" aria-labelledby="tahto-od-title">
            <h1 id="tahto-od-title">{i18n.tr(Msg::OrganDonationTitle)}</h1>
            <p class="tahto-lead tahto-no-print">{i18n.tr(OdText::OrganDonationIntro)}</p>
            <CurrentDecision load recorded pending on_reload />
            // Static structure, `hidden` toggled: each `Show` is its own code in the wasm.
            <div class="tahto-no-print">
            <DeclarationGate on_open_notice>
            <StaleDraft edited mine=stale_mine saved=stale_saved />
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
                            disabled=move || busy() || nothing_chosen() || edited.stale.get()
                            aria-describedby="tahto-od-save-hint"
                        >
                            {i18n.tr(OdText::SaveDecision)}
                        </button>
                        // Empty rather than hidden once a choice is made: the button's description
                        // follows this text, and a hidden target would still describe it.
                        <p class="tahto-hint" id="tahto-od-save-hint">
                            {move || if nothing_chosen() { i18n.t(OdText::ProblemNoChoice) } else { "" }}
                        </p>
                    </div>
                    <DraftActions edited />
                    <SaveStatus state on_retry />
                    {move || theirs.get().map(|theirs| view! {
                        <ConflictChoice mine=mine.get() theirs on_keep_mine on_take_theirs />
                    })}
            </form>
            </DeclarationGate>
            </div>
        </article>
    }
}
