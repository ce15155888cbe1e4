//! The advance directive (hoitotahto): structured treatment wishes, place of care, a person to
//! consult and free text, saved as one `Consent` (scope `adr`, category `acd`) through the save
//! pipeline; a print view that is a dated, signable document.

use crate::i18n::saving::SaveText;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::ui::reactive::effect;

use crate::domain::advance_directive::{
    from_consent, is_advance_directive, to_consent, AdvanceDirective, Contact, DirectiveProblem,
    PlaceOfCare, Treatment, Wish, NOTE_MAX_CHARS,
};
use crate::fhir::resources::{last_updated, version_id};
use crate::i18n::declarations::DeclText;
use crate::i18n::Msg;
use crate::save::handle::{Finder, Load, RecordHandle};
use crate::save::Record;
use crate::ui::declaration::{
    ConflictActions, DeclarationForm, DraftActions, RecordedSection, StaleDraft,
};
use crate::ui::save_status::why_not_loaded;
use crate::ui::text_field::{show_in, CleanTextArea};
use crate::ui::{use_announcer, use_i18n, I18n, SaveStatus};

fn treatment_text(t: Treatment) -> DeclText {
    match t {
        Treatment::Resuscitation => DeclText::Resuscitation,
        Treatment::Ventilation => DeclText::Ventilation,
        Treatment::TubeFeeding => DeclText::TubeFeeding,
        Treatment::Dialysis => DeclText::Dialysis,
    }
}

fn place_text(p: PlaceOfCare) -> DeclText {
    match p {
        PlaceOfCare::Home => DeclText::PlaceHome,
        PlaceOfCare::Hospice => DeclText::PlaceHospice,
        PlaceOfCare::Hospital => DeclText::PlaceHospital,
    }
}

fn problem_text(i18n: &I18n, problem: DirectiveProblem) -> String {
    let too_long = |chars: usize, max: usize| {
        i18n.format(
            DeclText::ProblemTooLong,
            &[("count", &chars.to_string()), ("max", &max.to_string())],
        )
    };
    match problem {
        DirectiveProblem::Empty => i18n.t(DeclText::ProblemEmpty).to_owned(),
        DirectiveProblem::ContactWithoutName => i18n.t(DeclText::ProblemContactName).to_owned(),
        DirectiveProblem::NameTooLong { chars } => {
            too_long(chars, crate::domain::advance_directive::NAME_MAX_CHARS)
        }
        DirectiveProblem::NoteTooLong { chars } => too_long(chars, NOTE_MAX_CHARS),
        DirectiveProblem::PhoneInvalid => i18n.t(DeclText::ProblemPhone).to_owned(),
    }
}

/// The directive in words: the summary on the page and the body of the printout.
fn directive_lines(i18n: &I18n, d: &AdvanceDirective) -> Vec<String> {
    let mut lines: Vec<String> = d
        .wishes
        .iter()
        .map(|(t, w)| {
            let wish = if *w == Wish::Accept {
                DeclText::Accept
            } else {
                DeclText::Refuse
            };
            format!("{}: {}", i18n.t(treatment_text(*t)), i18n.t(wish))
        })
        .collect();
    if let Some(p) = d.place_of_care {
        lines.push(format!(
            "{}: {}",
            i18n.t(DeclText::PlaceLegend),
            i18n.t(place_text(p))
        ));
    }
    if let Some(c) = &d.consult {
        let phone = if c.phone.is_empty() {
            String::new()
        } else {
            format!(", {}", c.phone)
        };
        lines.push(format!(
            "{}: {}{phone}",
            i18n.t(DeclText::ConsultLegend),
            c.name
        ));
    }
    if !d.note.is_empty() {
        lines.push(d.note.clone());
    }
    lines
}

/// A radio group for one choice of several, `None` meaning "no preference".
fn choice_group<T: Copy + PartialEq + Send + Sync + 'static>(
    i18n: I18n,
    name: String,
    legend: DeclText,
    options: Vec<(Option<T>, DeclText)>,
    get: impl Fn() -> Option<T> + Copy + Send + Sync + 'static,
    set: impl Fn(Option<T>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="tahto-fieldset">
            <legend>{i18n.tr(legend)}</legend>
            {options
                .into_iter()
                .enumerate()
                .map(|(i, (value, text))| {
                    let id = format!("{name}-{i}");
                    view! {
                        <div class="tahto-option">
                            <input
                                type="radio"
                                name=name.clone()
                                id=id.clone()
                                prop:checked=move || get() == value
                                on:change=move |_| set(value)
                            />
                            <label for=id>{i18n.tr(text)}</label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

#[component]
pub fn AdvanceDirectivePage(
    /// Opens the notice (from the explanation shown while the form is locked).
    on_open_notice: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let edited = RecordHandle::new(
        Record::AdvanceDirective,
        Some(Finder::new(
            &[
                (
                    "category",
                    "http://terminology.hl7.org/CodeSystem/consentcategorycodes|acd",
                ),
                ("status", "active"),
                ("_sort", "-_lastUpdated"),
                ("_count", "5"),
            ],
            is_advance_directive,
        )),
    );
    // The form: the citizen's draft (kept as the Consent it would become, read back with the same
    // mapping), or the recorded directive while there is none.
    let draft = RwSignal::new(AdvanceDirective::default());
    edited.bind_form(
        draft,
        from_consent,
        |d| to_consent(d, "draft", "", None, "draft"),
        from_consent,
    );
    let note = RwSignal::new(String::new());
    // The note field edits the form's note, and shows it when the form changes otherwise.
    effect(move || {
        let n = draft.with(|d| d.note.clone());
        if note.with_untracked(|x| *x != n) {
            note.set(n);
        }
    });
    effect(move || {
        let n = note.get();
        if draft.with_untracked(|d| d.note != n) {
            draft.update(|d| d.note = n);
        }
    });
    let problem = RwSignal::new(None::<DirectiveProblem>);
    effect(move || {
        draft.track();
        problem.set(None);
    });
    let on_submit = Callback::new(move |ev: SubmitEvent| {
        ev.prevent_default();
        match draft.get_untracked().checked() {
            Ok(directive) => {
                let patient = edited.patient_id();
                edited.save(|base, key| {
                    Some(to_consent(
                        &directive,
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
    });
    let on_keep_mine = Callback::new(move |_| match draft.get_untracked().checked() {
        Ok(directive) => {
            let patient = edited.patient_id();
            edited.keep_mine(|theirs| {
                to_consent(
                    &directive,
                    &patient,
                    &crate::web::now_iso(),
                    Some(theirs),
                    "",
                )
            });
        }
        // Mine cannot be kept as it is (edited during the conflict): said, as a save says it.
        Err(p) => {
            problem.set(Some(p));
            announcer.alert(problem_text(&i18n, p));
        }
    });
    let on_retry = Callback::new(move |_| edited.retry_now());

    let recorded = move || edited.recorded.get().as_ref().and_then(from_consent);
    let summary = move || match edited.load.get() {
        Load::Loading => vec![i18n.t(DeclText::AdLoading).to_owned()],
        Load::Failed(e) => {
            vec![i18n.format(SaveText::LoadFailed, &[("why", &why_not_loaded(&i18n, &e))])]
        }
        Load::Loaded => match recorded() {
            None => vec![i18n.t(DeclText::AdCurrentNone).to_owned()],
            Some(d) => directive_lines(&i18n, &d),
        },
    };
    let recorded_at = move || {
        edited.recorded.with(|r| {
            r.as_ref().map(|r| {
                i18n.format(
                    DeclText::AdRecorded,
                    &[
                        (
                            "time",
                            &crate::web::format_date_time(
                                last_updated(r).unwrap_or(""),
                                i18n.lang.get(),
                            ),
                        ),
                        ("version", version_id(r).unwrap_or("")),
                    ],
                )
            })
        })
    };
    let treatment_group = move |t: Treatment| {
        choice_group(
            i18n,
            format!("tahto-ad-{}", t.snomed().0),
            treatment_text(t),
            vec![
                (Some(Wish::Accept), DeclText::Accept),
                (Some(Wish::Refuse), DeclText::Refuse),
                (None, DeclText::Undecided),
            ],
            move || draft.with(|d| d.wishes.iter().find(|(x, _)| *x == t).map(|(_, w)| *w)),
            move |w| {
                draft.update(|d| {
                    d.wishes.retain(|(x, _)| *x != t);
                    if let Some(w) = w {
                        d.wishes.push((t, w));
                    }
                })
            },
        )
    };
    let contact = move |name: bool| {
        move || {
            draft.with(|d| {
                d.consult
                    .as_ref()
                    .map(|c| {
                        if name {
                            c.name.clone()
                        } else {
                            c.phone.clone()
                        }
                    })
                    .unwrap_or_default()
            })
        }
    };
    let set_contact = move |name: bool, value: String| {
        draft.update(|d| {
            let c = d.consult.get_or_insert_with(Contact::default);
            if name {
                c.name = value;
            } else {
                c.phone = value;
            }
        })
    };
    let (name_field, phone_field) = (NodeRef::new(), NodeRef::new());
    show_in(name_field, contact(true));
    show_in(phone_field, contact(false));
    view! {
        <article class="tahto-page" aria-labelledby="tahto-ad-title">
            <h1 id="tahto-ad-title">{i18n.tr(Msg::AdvanceDirectiveTitle)}</h1>
            <p class="tahto-lead tahto-no-print">{i18n.tr(DeclText::AdIntro)}</p>
            <RecordedSection edited heading_id="tahto-ad-current" test_id="advance-directive-current">
                <ul class="tahto-plain-list">{move || summary().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                <p class="tahto-hint" hidden=move || recorded_at().is_none()>{recorded_at}</p>
            </RecordedSection>
            <StaleDraft
                edited
                mine=Signal::derive(move || draft.with(|d| directive_lines(&i18n, d).join("\n")))
                saved=Signal::derive(move || recorded().map(|d| directive_lines(&i18n, &d).join("\n")).unwrap_or_default())
            />
            <DeclarationForm edited on_open_notice on_submit>
                        <fieldset class="tahto-fieldset">
                            <legend>{i18n.tr(DeclText::TreatmentsLegend)}</legend>
                            {Treatment::ALL.into_iter().map(treatment_group).collect_view()}
                        </fieldset>
                        {choice_group(
                            i18n,
                            "tahto-ad-place".to_owned(),
                            DeclText::PlaceLegend,
                            PlaceOfCare::ALL
                                .into_iter()
                                .map(|p| (Some(p), place_text(p)))
                                .chain(std::iter::once((None, DeclText::Undecided)))
                                .collect(),
                            move || draft.with(|d| d.place_of_care),
                            move |p| draft.update(|d| d.place_of_care = p),
                        )}
                        <fieldset class="tahto-fieldset">
                            <legend>{i18n.tr(DeclText::ConsultLegend)}</legend>
                            <div class="tahto-field">
                                <label for="tahto-ad-consult-name">{i18n.tr(DeclText::ConsultName)}</label>
                                <input
                                    id="tahto-ad-consult-name"
                                    type="text"
                                    autocomplete="off"
                                    node_ref=name_field
                                    on:input=move |ev| set_contact(true, event_target_value(&ev))
                                />
                            </div>
                            <div class="tahto-field">
                                <label for="tahto-ad-consult-phone">{i18n.tr(DeclText::ConsultPhone)}</label>
                                <input
                                    id="tahto-ad-consult-phone"
                                    type="tel"
                                    autocomplete="off"
                                    node_ref=phone_field
                                    on:input=move |ev| set_contact(false, event_target_value(&ev))
                                />
                            </div>
                        </fieldset>
                        <CleanTextArea id="tahto-ad-note" label=DeclText::AdNoteLabel value=note max=NOTE_MAX_CHARS />
                        <p class="tahto-problem" hidden=move || problem.get().is_none()>
                            {move || problem.get().map(|p| problem_text(&i18n, p))}
                        </p>
                        <button type="submit" class="tahto-button tahto-primary" disabled=move || edited.busy() || edited.stale.get()>
                            {i18n.tr(DeclText::SaveDirective)}
                        </button>
                        <DraftActions edited />
                        <SaveStatus state=edited.state on_retry />
                        <ConflictActions edited on_keep_mine />
            </DeclarationForm>
        </article>
    }
}
