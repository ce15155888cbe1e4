//! The parts every declaration page shares: the recorded version with its printout, the form
//! behind the notice gate, a conflict's choice, a draft changed elsewhere, and discarding a
//! draft. The record itself lives in its handle (`save::handle`).

use leptos::prelude::*;

use crate::ui::reactive::effect;

use crate::fhir::resources::version_id;
use crate::i18n::declarations::DeclText;
use crate::i18n::saving::SaveText;
use crate::save::handle::{Load, RecordHandle};
use crate::ui::use_i18n;

/// An element id unique in the document: several declaration pages are mounted at once.
fn unique_id(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}-{n}")
}

/// The choice shown in a conflict.
#[component]
pub fn ConflictActions(
    /// The record in conflict.
    edited: RecordHandle,
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
    edited: RecordHandle,
    /// The heading's id.
    heading_id: &'static str,
    /// The section's test id.
    test_id: &'static str,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="tahto-card tahto-printable" data-testid=test_id aria-labelledby=heading_id>
            <h2 id=heading_id>{i18n.tr(SaveText::CurrentHeading)}</h2>
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
    edited: RecordHandle,
    /// Opens the notice (from the explanation shown while the form is locked).
    on_open_notice: Callback<()>,
    /// Checks and saves.
    on_submit: Callback<leptos::ev::SubmitEvent>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="tahto-no-print">
            <crate::notice_gate::DeclarationGate on_open_notice>
                <form
                    class="tahto-card tahto-form"
                    hidden=move || edited.load.get() != Load::Loaded
                    on:submit=move |ev| on_submit.run(ev)
                    novalidate
                >
                    {children()}
                </form>
            </crate::notice_gate::DeclarationGate>
        </div>
    }
}

/// A draft started on a version that has changed elsewhere since: both side by side, and the
/// citizen chooses. Nothing is saved meanwhile (`RecordHandle::save` refuses).
#[component]
pub fn StaleDraft(
    /// The record.
    edited: RecordHandle,
    /// The draft in words.
    #[prop(into)]
    mine: Signal<String>,
    /// The version in force in words.
    #[prop(into)]
    saved: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = crate::ui::use_announcer();
    let opened = crate::ui::section::use_section_opened();
    effect(move || {
        if edited.stale.get() && opened.get() {
            announcer.alert(i18n.t(SaveText::StaleTitle).to_owned());
        }
    });
    let saved_heading = move || {
        edited
            .recorded
            .with(|r| match r.as_ref().and_then(version_id) {
                Some(v) => i18n.format(SaveText::StaleSaved, &[("version", v)]),
                None => i18n.t(SaveText::StaleSavedNone).to_owned(),
            })
    };
    let title_id = unique_id("tahto-stale-title");
    let labelled_by = title_id.clone();
    view! {
        <section
            class="tahto-card tahto-conflict"
            data-testid="stale-draft"
            aria-labelledby=labelled_by
            hidden=move || !edited.stale.get()
        >
            <h2 id=title_id>{i18n.tr(SaveText::StaleTitle)}</h2>
            <p>{i18n.tr(SaveText::StaleExplain)}</p>
            <div class="tahto-conflict-side" data-testid="stale-mine">
                <h3>{i18n.tr(SaveText::StaleMine)}</h3>
                <p class="tahto-preformatted">{move || edited.stale.get().then(|| mine.get())}</p>
                <button type="button" class="tahto-button tahto-primary" on:click=move |_| edited.keep_draft_over_current()>
                    {i18n.tr(SaveText::ContinueWithMine)}
                </button>
            </div>
            <div class="tahto-conflict-side" data-testid="stale-saved">
                <h3>{saved_heading}</h3>
                <p class="tahto-preformatted">{move || edited.stale.get().then(|| saved.get())}</p>
                <button type="button" class="tahto-button" on:click=move |_| edited.discard_draft()>
                    {i18n.tr(SaveText::UseSaved)}
                </button>
            </div>
        </section>
    }
}

/// Says that unsaved changes are kept on this device, and lets the citizen discard them, with a
/// confirmation: a draft goes only by the citizen's explicit choice.
#[component]
pub fn DraftActions(
    /// The record.
    edited: RecordHandle,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = crate::ui::use_announcer();
    let asking = RwSignal::new(false);
    let unsaved = move || {
        edited
            .draft
            .with(|d| d.as_ref().is_some_and(|d| !d.submitted))
            && !edited.stale.get()
    };
    let question_id = unique_id("tahto-discard-q");
    let labelled_by = question_id.clone();
    view! {
        <div class="tahto-draft-actions" data-testid="draft-actions" hidden=move || !unsaved()>
            <p class="tahto-hint" hidden=move || edited.draft_only_here.get()>{i18n.tr(SaveText::DraftKept)}</p>
            <p class="tahto-notice" data-testid="draft-only-here" hidden=move || !edited.draft_only_here.get()>
                {i18n.tr(SaveText::DraftOnlyHere)}
            </p>
            <button type="button" class="tahto-button" hidden=move || asking.get() on:click=move |_| asking.set(true)>
                {i18n.tr(SaveText::Discard)}
            </button>
            <div role="group" aria-labelledby=labelled_by hidden=move || !asking.get()>
                <p id=question_id>{i18n.tr(SaveText::DiscardConfirm)}</p>
                <button
                    type="button"
                    class="tahto-button"
                    on:click=move |_| {
                        asking.set(false);
                        edited.discard_draft();
                        announcer.status(i18n.t(SaveText::Discarded).to_owned());
                    }
                >
                    {i18n.tr(SaveText::DiscardYes)}
                </button>
                <button type="button" class="tahto-button tahto-primary" on:click=move |_| asking.set(false)>
                    {i18n.tr(SaveText::DiscardNo)}
                </button>
            </div>
        </div>
    }
}
