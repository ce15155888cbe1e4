//! The "Kanta information" notice: read it, confirm it. The gate that keeps declarations locked
//! until it is confirmed is `notice_gate.rs`.

use crate::i18n::declarations::DeclText;
use leptos::prelude::*;

use crate::ui::reactive::effect;

use crate::domain::kanta_notice::read_confirmation;
use crate::i18n::Msg;
use crate::notice_gate::{GateState, NoticeGate};
use crate::save::handle::RecordHandle;
use crate::save::Record;
use crate::ui::{use_i18n, SaveStatus};

/// The notice, and the citizen's confirmation of having read it.
///
/// The structure is static and only texts and `hidden` follow the state: every branch of a view
/// is its own rendering code in the wasm, and the first-load budget is tight.
#[component]
pub fn KantaNoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let gate = expect_context::<NoticeGate>();
    let notice = move || gate.notice(i18n.lang.get().code());
    let version = move || gate.notice("fi").map(|n| n.version);
    // The confirmation of the version shown; its handle follows a newly published version.
    let confirmation = RecordHandle::new(
        Record::NoticeConfirmation {
            version: String::new(),
        },
        None,
    );
    effect(move || {
        if let Some(v) = version() {
            confirmation.point_at(gate.record(&v));
        }
    });
    let state = confirmation.state;
    let on_confirm = move |_| {
        let Some(version) = version() else {
            return;
        };
        confirmation.point_at(gate.record(&version));
        let patient = gate.patient_id();
        confirmation.save(|_, key| {
            Some(read_confirmation(
                &version,
                &patient,
                &crate::web::now_iso(),
                key,
            ))
        });
    };
    let on_retry = Callback::new(move |_| confirmation.retry_now());
    let message = move || match gate.state() {
        GateState::Checking => i18n.t(Msg::NoticeLoading).to_owned(),
        GateState::NoNotice => i18n.t(Msg::NoticeMissing).to_owned(),
        // The notice was read, its confirmations not.
        GateState::Failed if notice().is_some() => {
            gate.failure_text(&i18n, DeclText::LockedCheckFailed)
        }
        GateState::Failed => gate.failure_text(&i18n, DeclText::NoticeLoadFailed),
        GateState::Open | GateState::Locked => String::new(),
    };
    let failed = move || gate.state() == GateState::Failed;
    let confirmed = move || gate.state() == GateState::Open;
    let shown = move || notice().is_some();
    let language = move || notice().map(|n| n.language).unwrap_or_default();
    let published = move || {
        let date = notice().and_then(|n| n.date).unwrap_or_default();
        i18n.format(
            DeclText::NoticeVersion,
            &[("date", &crate::web::format_date(&date, i18n.lang.get()))],
        )
    };

    view! {
        <article class="tahto-page" aria-labelledby="tahto-notice-title">
            <h1 id="tahto-notice-title">{i18n.tr(Msg::NoticeTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(DeclText::NoticeIntro)}</p>
            // Shown with the notice too when the confirmations could not be read.
            <p hidden=move || shown() && !failed()>{message}</p>
            <button type="button" class="tahto-button" hidden=move || !failed() on:click=move |_| gate.load()>
                {i18n.tr(Msg::TryAgain)}
            </button>
            <section class="tahto-card" data-testid="notice" hidden=move || !shown()>
                <h2 lang=language>{move || notice().map(|n| n.title)}</h2>
                <p class="tahto-hint">{published}</p>
                <p class="tahto-hint" hidden=move || language() == i18n.lang.get().code()>
                    {i18n.tr(DeclText::NoticeOtherLanguage)}
                </p>
                <div lang=language>
                    {move || notice()
                        .map(|n| n.paragraphs)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| view! { <p>{p}</p> })
                        .collect_view()}
                </div>
            </section>
            <div class="tahto-card" hidden=move || !shown()>
                <p class="tahto-recorded" data-testid="notice-confirmed" hidden=move || !confirmed()>
                    {i18n.tr(DeclText::NoticeConfirmed)}
                </p>
                <button
                    type="button"
                    class="tahto-button tahto-primary"
                    // Not while the confirmations cannot be read: one may be there already, and
                    // a confirmation is a new record each time (Try again reads them).
                    hidden=move || confirmed() || failed()
                    disabled=move || state.with(|s| matches!(s, crate::save::SaveState::Saving { .. }))
                    on:click=on_confirm
                >
                    {i18n.tr(DeclText::NoticeConfirm)}
                </button>
                <SaveStatus state on_retry />
            </div>
        </article>
    }
}
