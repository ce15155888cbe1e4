//! The living will (hoitotestamentti): the citizen's own words as a `DocumentReference`
//! (LOINC 86533-7). Each save is a new document that replaces the previous one, so every earlier
//! version stays on record. Pasted text is cleaned of hidden characters, with a visible note.

use crate::i18n::saving::SaveText;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::ui::reactive::effect;
use serde_json::Value;

use crate::domain::living_will::{
    is_current_living_will, prepare, text_of, to_document, WillProblem, MAX_CHARS,
};
use crate::fhir::resources::{id, last_updated, str_at};
use crate::i18n::declarations::DeclText;
use crate::i18n::Msg;
use crate::save::handle::{Finder, Load, RecordHandle};
use crate::save::Record;
use crate::ui::declaration::{DeclarationForm, DraftActions, RecordedSection, StaleDraft};
use crate::ui::save_status::why_not_loaded;
use crate::ui::text_field::CleanTextArea;
use crate::ui::{use_announcer, use_i18n, I18n, SaveStatus};

fn problem_text(i18n: &I18n, problem: WillProblem) -> String {
    match problem {
        WillProblem::Empty => i18n.t(DeclText::LwEmpty).to_owned(),
        WillProblem::TooLong { chars } => i18n.format(
            DeclText::ProblemTooLong,
            &[
                ("count", &chars.to_string()),
                ("max", &MAX_CHARS.to_string()),
            ],
        ),
    }
}

#[component]
pub fn LivingWillPage(
    /// Opens the notice (from the explanation shown while the form is locked).
    on_open_notice: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let edited = RecordHandle::new(
        Record::LivingWill,
        Some(Finder::new(
            &[
                ("type", "http://loinc.org|86533-7"),
                ("status", "current"),
                ("_sort", "-_lastUpdated"),
                ("_count", "5"),
            ],
            is_current_living_will,
        )),
    );
    // The text: the citizen's draft, or the recorded will while there is none.
    let text = RwSignal::new(String::new());
    edited.bind_form(
        text,
        text_of,
        |t| Value::String(t.clone()),
        |v| v.as_str().map(str::to_owned),
    );
    let problem = RwSignal::new(None::<WillProblem>);
    effect(move || {
        text.track();
        problem.set(None);
    });
    let on_submit = Callback::new(move |ev: SubmitEvent| {
        ev.prevent_default();
        match prepare(&text.get_untracked()) {
            Ok((clean, _)) => {
                let patient = edited.patient_id();
                let previous = edited
                    .recorded
                    .get_untracked()
                    .and_then(|r| id(&r).map(str::to_owned));
                edited.save(|_, key| {
                    Some(to_document(
                        &clean,
                        &patient,
                        &crate::web::now_iso(),
                        previous.as_deref(),
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
    let on_retry = Callback::new(move |_| edited.retry_now());
    let status = move || match edited.load.get() {
        Load::Loading => i18n.t(Msg::Loading).to_owned(),
        Load::Failed(e) => {
            i18n.format(SaveText::LoadFailed, &[("why", &why_not_loaded(&i18n, &e))])
        }
        Load::Loaded => edited.recorded.with(|r| match r {
            None => i18n.t(DeclText::LwNone).to_owned(),
            Some(r) => i18n.format(
                DeclText::LwRecorded,
                &[(
                    "time",
                    &crate::web::format_date_time(
                        str_at(r, &["date"]).or(last_updated(r)).unwrap_or(""),
                        i18n.lang.get(),
                    ),
                )],
            ),
        }),
    };
    let recorded_text = move || edited.recorded.with(|r| r.as_ref().and_then(text_of));
    view! {
        <article class="tahto-page" aria-labelledby="tahto-lw-title">
            <h1 id="tahto-lw-title">{i18n.tr(Msg::LivingWillTitle)}</h1>
            <p class="tahto-lead tahto-no-print">{i18n.tr(DeclText::LwIntro)}</p>
            <RecordedSection edited heading_id="tahto-lw-current" test_id="living-will-current">
                <p>{status}</p>
                <p class="tahto-print-only tahto-preformatted">{recorded_text}</p>
            </RecordedSection>
            <StaleDraft edited mine=text saved=Signal::derive(move || recorded_text().unwrap_or_default()) />
            <DeclarationForm edited on_open_notice on_submit>
                        <CleanTextArea id="tahto-lw-text" label=DeclText::LwLabel value=text max=MAX_CHARS rows=12 />
                        <p class="tahto-problem" hidden=move || problem.get().is_none()>
                            {move || problem.get().map(|p| problem_text(&i18n, p))}
                        </p>
                        <button type="submit" class="tahto-button tahto-primary" disabled=move || edited.busy() || edited.stale.get()>
                            {i18n.tr(DeclText::LwSave)}
                        </button>
                        <DraftActions edited />
                        <SaveStatus state=edited.state on_retry />
            </DeclarationForm>
        </article>
    }
}
