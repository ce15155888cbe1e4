//! Own measurements: blood pressure, weight and blood glucose, checked against plausible ranges
//! before anything is sent, saved as `Observation`s through the save pipeline. What is typed is
//! kept on this device until it is saved; saves not yet confirmed are listed with their state.

use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;

use crate::ui::reactive::{effect, effect_with, memo};

use crate::domain::measurement::{
    from_observation, parse_number, to_observation, Field, Measurement, RangeProblem,
};
use crate::i18n::records::RecordsText;
use crate::i18n::{Lang, Msg};
use crate::save::handle::RecordHandle;
use crate::save::record::Kept;
use crate::save::sync::Outbox;
use crate::save::{Record, SaveState};
use crate::sections::View;
use crate::ui::save_status::describe;
use crate::ui::search::{PagedSearch, SearchState};
use crate::ui::{use_i18n, SaveStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    BloodPressure,
    Weight,
    Glucose,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::BloodPressure, Kind::Weight, Kind::Glucose];

    fn text(self) -> RecordsText {
        match self {
            Kind::BloodPressure => RecordsText::BloodPressure,
            Kind::Weight => RecordsText::Weight,
            Kind::Glucose => RecordsText::Glucose,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Kind::BloodPressure => "bp",
            Kind::Weight => "weight",
            Kind::Glucose => "glucose",
        }
    }
}

/// What the citizen has typed, field by field.
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    kind: Kind,
    values: [String; 4],
}

impl Draft {
    fn to_stored(&self) -> String {
        std::iter::once(self.kind.code().to_owned())
            .chain(self.values.iter().cloned())
            .collect::<Vec<_>>()
            .join("\u{1f}")
    }

    fn from_stored(text: &str) -> Option<Draft> {
        let mut parts = text.split('\u{1f}');
        let kind = parts.next()?;
        let kind = Kind::ALL.into_iter().find(|k| k.code() == kind)?;
        let mut values: [String; 4] = Default::default();
        for value in &mut values {
            *value = crate::text::truncate_chars(parts.next()?, 20);
        }
        Some(Draft { kind, values })
    }
}

impl Default for Draft {
    fn default() -> Self {
        Draft {
            kind: Kind::BloodPressure,
            values: Default::default(),
        }
    }
}

const FIELDS: [(Field, RecordsText); 4] = [
    (Field::Systolic, RecordsText::Systolic),
    (Field::Diastolic, RecordsText::Diastolic),
    (Field::Weight, RecordsText::WeightKg),
    (Field::Glucose, RecordsText::GlucoseMmol),
];

fn field_index(field: Field) -> usize {
    match field {
        Field::Systolic => 0,
        Field::Diastolic => 1,
        Field::Weight => 2,
        Field::Glucose => 3,
    }
}

fn fields_of(kind: Kind) -> &'static [usize] {
    match kind {
        Kind::BloodPressure => &[0, 1],
        Kind::Weight => &[2],
        Kind::Glucose => &[3],
    }
}

/// Why a measurement is not sent, and which field to fix.
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    NotANumber(usize),
    Range(RangeProblem, String),
}

fn measurement_of(draft: &Draft) -> Result<Measurement, Problem> {
    let number = |i: usize| parse_number(&draft.values[i]).ok_or(Problem::NotANumber(i));
    let measurement = match draft.kind {
        Kind::BloodPressure => Measurement::BloodPressure {
            systolic: number(0)?,
            diastolic: number(1)?,
        },
        Kind::Weight => Measurement::Weight { kg: number(2)? },
        Kind::Glucose => Measurement::Glucose {
            mmol_per_l: number(3)?,
        },
    };
    measurement.validate().map_err(|p| {
        let typed = match p {
            RangeProblem::OutOfRange { field, .. } => draft.values[field_index(field)].clone(),
            RangeProblem::SystolicNotAboveDiastolic => String::new(),
        };
        Problem::Range(p, typed)
    })?;
    Ok(measurement)
}

fn problem_field(problem: &Problem) -> usize {
    match problem {
        Problem::NotANumber(i) => *i,
        Problem::Range(RangeProblem::OutOfRange { field, .. }, _) => field_index(*field),
        Problem::Range(RangeProblem::SystolicNotAboveDiastolic, _) => 0,
    }
}

/// A measurement as the citizen reads it: `128/82 mmHg`, `72,5 kg`, `5,6 mmol/l`.
fn measurement_text(m: &Measurement, lang: Lang) -> String {
    let n = |v: f64| crate::web::format_number(v, lang);
    match *m {
        Measurement::BloodPressure {
            systolic,
            diastolic,
        } => format!("{}/{} mmHg", n(systolic), n(diastolic)),
        Measurement::Weight { kg } => format!("{} kg", n(kg)),
        Measurement::Glucose { mmol_per_l } => format!("{} mmol/l", n(mmol_per_l)),
    }
}

#[component]
pub fn MeasurementsPage() -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<Outbox>();
    // The form as typed survives a reload; it is kept only once the citizen has typed.
    let form_key = StoredValue::new(outbox.citizen().key(Kept::MeasurementForm));
    let draft = RwSignal::new(
        crate::web::stored(&form_key.get_value())
            .and_then(|t| Draft::from_stored(&t))
            .unwrap_or_default(),
    );
    effect_with(move |previous: Option<Draft>| {
        let now = draft.get();
        if previous.is_some_and(|p| p != now) {
            let _kept = crate::web::store(&form_key.get_value(), &now.to_stored());
        }
        now
    });
    let problem = RwSignal::new(None::<Problem>);
    // The last measurement saved here: its state is shown under the form.
    let edited = RecordHandle::new(Record::Measurement { id: String::new() }, None);
    let inputs: [NodeRef<Input>; 4] = Default::default();
    let search = PagedSearch::new(
        View::Measurements,
        "Observation",
        "patient",
        &[("category", "vital-signs"), ("_sort", "-date")],
        50,
    );
    let state = edited.state;
    // After a reload the form follows the newest measurement not yet saved, so its state, its
    // Retry now and, once stored, its receipt are where the citizen made it.
    effect(move || {
        let newest = outbox
            .unsent_records()
            .into_iter()
            .rev()
            .find(|r| matches!(r, Record::Measurement { .. }));
        let unpointed = matches!(edited.record(), Record::Measurement { id } if id.is_empty());
        if let (Some(newest), true) = (newest, unpointed) {
            edited.point_at(newest);
        }
    });
    // A measurement that reached the server (in this tab or another, before or after a reload)
    // leaves the outbox: then the server's list is fetched again to show it there.
    let pending_count = memo(move |_| {
        outbox
            .unsent_records()
            .iter()
            .filter(|r| matches!(r, Record::Measurement { .. }))
            .count()
    });
    effect_with(move |before: Option<usize>| {
        let now = pending_count.get();
        if before.is_some_and(|b| now < b) {
            search.reload();
        }
        now
    });
    // What was sent, until its save ends: the form is cleared for the next measurement, and a
    // refusal brings what was typed back to be corrected (the status says it is kept).
    let sent = StoredValue::new(None::<Draft>);
    effect(move || match state.get() {
        SaveState::Rejected { .. } => {
            if let Some(typed) = sent.try_update_value(Option::take).flatten() {
                // Unless the citizen has started typing the next one.
                draft.update(|d| {
                    if d.values.iter().all(String::is_empty) {
                        *d = typed;
                    }
                });
            }
        }
        SaveState::Confirmed(_) => sent.set_value(None),
        _ => {}
    });
    let announcer = crate::ui::use_announcer();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match draft.with(measurement_of) {
            Err(p) => {
                if let Some(input) = inputs[problem_field(&p)].get_untracked() {
                    let _focused = input.focus();
                }
                problem.set(Some(p));
            }
            Ok(measurement) => {
                problem.set(None);
                // Each measurement is a record of its own, identified by its client identifier.
                edited.point_at(Record::Measurement {
                    id: crate::web::new_uuid_urn(),
                });
                let patient = edited.patient_id();
                edited.save(|_, identifier| {
                    Some(to_observation(
                        &measurement,
                        &patient,
                        &crate::web::now_iso(),
                        identifier,
                    ))
                });
                sent.set_value(Some(draft.get_untracked()));
                draft.update(|d| d.values = Default::default());
            }
        }
    };
    let on_retry = Callback::new(move |_| edited.retry_now());
    let problem_text = move || {
        let lang = i18n.lang.get();
        problem.get().map(|p| match p {
            Problem::NotANumber(_) => i18n.t(RecordsText::NotANumber).to_owned(),
            Problem::Range(RangeProblem::SystolicNotAboveDiastolic, _) => {
                i18n.t(RecordsText::SystolicNotAbove).to_owned()
            }
            Problem::Range(RangeProblem::OutOfRange { field, min, max }, typed) => i18n.format(
                RecordsText::OutOfRange,
                &[
                    ("field", i18n.t(FIELDS[field_index(field)].1)),
                    ("value", &typed),
                    ("min", &crate::web::format_number(min, lang)),
                    ("max", &crate::web::format_number(max, lang)),
                ],
            ),
        })
    };
    // A problem is read out at once (the field with it has focus).
    effect(move || {
        if let Some(text) = problem_text() {
            announcer.alert(text);
        }
    });
    let kind_option = move |kind: Kind| {
        let id = format!("tahto-m-kind-{}", kind.code());
        view! {
            <div class="tahto-option">
                <input
                    type="radio"
                    name="tahto-measurement-kind"
                    id=id.clone()
                    prop:checked=move || draft.with(|d| d.kind == kind)
                    on:change=move |_| {
                        problem.set(None);
                        draft.update(|d| d.kind = kind);
                    }
                />
                <label for=id>{i18n.tr(kind.text())}</label>
            </div>
        }
    };
    let field = move |i: usize| {
        let id = format!("tahto-m-field-{i}");
        let invalid = move || problem.with(|p| p.as_ref().is_some_and(|p| problem_field(p) == i));
        view! {
            <div class="tahto-field" hidden=move || !draft.with(|d| fields_of(d.kind).contains(&i))>
                <label for=id.clone()>{i18n.tr(FIELDS[i].1)}</label>
                <input
                    id=id
                    node_ref=inputs[i]
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    maxlength="20"
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby=move || invalid().then_some("tahto-m-problem")
                    prop:value=move || draft.with(|d| d.values[i].clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        problem.set(None);
                        draft.update(|d| d.values[i] = value);
                    }
                />
            </div>
        }
    };
    // Saves not confirmed yet, from the outbox (they survive a reload), above the server's list.
    let pending = move || {
        let lang = i18n.lang.get();
        outbox
            .unsent_records()
            .into_iter()
            .filter(|r| matches!(r, Record::Measurement { .. }))
            .filter_map(|r| {
                let entry = outbox.open_entry(&r)?;
                let m = from_observation(&entry.resource)?;
                let state = describe(&i18n, &outbox.state_of(&r));
                Some(view! {
                    <li class="tahto-card tahto-record" data-testid="measurement-pending">
                        <p><strong>{measurement_text(&m, lang)}</strong></p>
                        <p class="tahto-hint">{state}</p>
                    </li>
                })
            })
            .collect_view()
    };
    let saved = move || {
        let lang = i18n.lang.get();
        search.items.with(|items| {
            items
                .iter()
                .filter_map(|o| {
                    let m = from_observation(o)?;
                    let when =
                        crate::fhir::resources::str_at(o, &["effectiveDateTime"]).unwrap_or("");
                    Some(view! {
                        <li class="tahto-card tahto-record" data-testid="measurement">
                            <p><strong>{measurement_text(&m, lang)}</strong></p>
                            <p class="tahto-hint">{crate::web::format_date_time(when, lang)}</p>
                        </li>
                    })
                })
                .collect_view()
        })
    };
    view! {
        <article class="tahto-page" aria-labelledby="tahto-m-title">
            <h1 id="tahto-m-title">{i18n.tr(Msg::MeasurementsTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(RecordsText::MeasurementsIntro)}</p>
            <form class="tahto-card" on:submit=on_submit novalidate=true>
                <fieldset class="tahto-fieldset">
                    <legend>{i18n.tr(RecordsText::KindLegend)}</legend>
                    {Kind::ALL.into_iter().map(kind_option).collect_view()}
                </fieldset>
                {(0..4).map(field).collect_view()}
                <p id="tahto-m-problem" class="tahto-error">{problem_text}</p>
                <button type="submit" class="tahto-button tahto-primary">
                    {i18n.tr(RecordsText::SaveMeasurement)}
                </button>
                <SaveStatus state on_retry />
            </form>
            <section aria-labelledby="tahto-m-earlier">
                <h2 id="tahto-m-earlier">{i18n.tr(RecordsText::EarlierMeasurements)}</h2>
                <ul class="tahto-records" data-testid="measurements">{pending}{saved}</ul>
                <SearchState search />
            </section>
        </article>
    }
}
