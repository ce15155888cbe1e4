//! Shows one save's state on the item, and announces every change (DESIGN §1 table).

use leptos::html::Div;
use leptos::prelude::*;

use super::i18n::{use_i18n, I18n};
use super::live_region::use_announcer;
use crate::i18n::Msg;
use crate::save::{NotYetSaved, Receipt, SaveState};

fn why(i18n: &I18n, why: &NotYetSaved) -> String {
    match why {
        NotYetSaved::Unreachable => i18n.t(Msg::WhyUnreachable).to_owned(),
        NotYetSaved::Timeout => i18n.t(Msg::WhyTimeout).to_owned(),
        NotYetSaved::ServiceError { status } => {
            i18n.format(Msg::WhyServiceError, &[("status", &status.to_string())])
        }
        NotYetSaved::GarbledAnswer => i18n.t(Msg::WhyGarbled).to_owned(),
    }
}

fn confirmed_line(i18n: &I18n, receipt: &Receipt) -> String {
    let when = receipt
        .server_time
        .clone()
        .unwrap_or_else(crate::web::now_iso);
    let time = crate::web::format_time(&when, i18n.lang.get());
    i18n.format(
        Msg::StateConfirmed,
        &[("time", &time), ("version", &receipt.version_id)],
    )
}

/// Why a read failed, in the citizen's words (the sentence around it is the page's).
pub fn why_not_loaded(i18n: &I18n, error: &crate::fhir::FhirError) -> String {
    use crate::fhir::FhirError;
    match error {
        FhirError::Unreachable(_) => why(i18n, &NotYetSaved::Unreachable),
        FhirError::Timeout => why(i18n, &NotYetSaved::Timeout),
        FhirError::Status { status, .. } => {
            why(i18n, &NotYetSaved::ServiceError { status: *status })
        }
        FhirError::Malformed(_) | FhirError::MissingVersion => {
            why(i18n, &NotYetSaved::GarbledAnswer)
        }
    }
}

/// The headline of a state, as shown and as announced.
pub fn describe(i18n: &I18n, state: &SaveState) -> String {
    match state {
        SaveState::Draft => String::new(),
        SaveState::Saving { slow: false, .. } => i18n.t(Msg::StateSaving).to_owned(),
        SaveState::Saving { slow: true, .. } => i18n.t(Msg::StateSavingSlow).to_owned(),
        SaveState::Queued { why: w, .. } => {
            i18n.format(Msg::StateQueued, &[("why", &why(i18n, w))])
        }
        SaveState::Confirmed(receipt) => confirmed_line(i18n, receipt),
        SaveState::Rejected {
            reason: Some(reason),
            ..
        } => i18n.format(Msg::StateRejected, &[("reason", reason)]),
        SaveState::Rejected { status, .. } => i18n.format(
            Msg::StateRejectedNoReason,
            &[("status", &status.to_string())],
        ),
        SaveState::Conflict { .. } => i18n.t(Msg::StateConflict).to_owned(),
    }
}

/// The server's receipt: id, version and time of the stored record.
#[component]
fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let i18n = use_i18n();
    let server_time = receipt.server_time.clone();
    view! {
        <details class="tahto-receipt" data-testid="receipt" open>
            <summary>{i18n.tr(Msg::ReceiptHeading)}</summary>
            <ul>
                <li>{move || i18n.format(Msg::ReceiptId, &[("id", &receipt.id)])}</li>
                <li>{move || i18n.format(Msg::ReceiptVersion, &[("version", &receipt.version_id)])}</li>
                {server_time.map(|time| view! {
                    <li>{move || i18n.format(
                        Msg::ReceiptServerTime,
                        &[("time", &crate::web::format_date_time(&time, i18n.lang.get()))],
                    )}</li>
                })}
            </ul>
        </details>
    }
}

/// The state of one save, shown where the citizen saved.
#[component]
pub fn SaveStatus(
    /// The save being shown.
    #[prop(into)]
    state: Signal<SaveState>,
    /// Sends the same save again at once (`Queued`).
    on_retry: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let node = NodeRef::<Div>::new();

    // Announce each change; move focus to problems so nobody misses them.
    Effect::new(move |_| {
        let state = state.get();
        let text = describe(&i18n, &state);
        match state {
            SaveState::Draft => {}
            SaveState::Saving { .. } | SaveState::Confirmed(_) => announcer.status(text),
            SaveState::Queued { .. } | SaveState::Rejected { .. } | SaveState::Conflict { .. } => {
                announcer.alert(text);
                if let Some(el) = node.get_untracked() {
                    let _focused = el.focus();
                }
            }
        }
    });

    view! {
        <div
            class="tahto-save-status"
            data-testid="save-status"
            data-state=move || state.with(|s| s.name())
            tabindex="-1"
            node_ref=node
        >
            {move || {
                let current = state.get();
                let headline = describe(&i18n, &current);
                match current {
                    SaveState::Draft => ().into_any(),
                    SaveState::Saving { .. } => view! {
                        <p class="tahto-state tahto-state-saving">
                            <span class="tahto-spinner" aria-hidden="true"></span>
                            {headline}
                        </p>
                    }
                    .into_any(),
                    SaveState::Queued { retry_after_secs, next_try_at_ms, .. } => view! {
                        <div class="tahto-state tahto-state-queued">
                            <p class="tahto-state-headline">{headline}</p>
                            <p>{i18n.t(Msg::QueuedKept)}</p>
                            {retry_after_secs.map(|s| view! {
                                <p>{i18n.format(Msg::RetryAfter, &[("seconds", &s.to_string())])}</p>
                            })}
                            {next_try_at_ms.map(|at| {
                                let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
                                let iso: String = at.to_iso_string().into();
                                let time = crate::web::format_time_seconds(&iso, i18n.lang.get());
                                view! { <p>{i18n.format(Msg::NextTryAt, &[("time", &time)])}</p> }
                            })}
                            <button type="button" class="tahto-button" on:click=move |_| on_retry.run(())>
                                {i18n.t(Msg::RetryNow)}
                            </button>
                        </div>
                    }
                    .into_any(),
                    SaveState::Confirmed(receipt) => view! {
                        <div class="tahto-state tahto-state-confirmed">
                            <p class="tahto-state-headline">
                                <span aria-hidden="true">"✓ "</span>
                                {headline}
                            </p>
                            <ReceiptView receipt=receipt />
                        </div>
                    }
                    .into_any(),
                    SaveState::Rejected { .. } => view! {
                        <div class="tahto-state tahto-state-rejected">
                            <p class="tahto-state-headline">{headline}</p>
                            <p>{i18n.t(Msg::RejectedKept)}</p>
                        </div>
                    }
                    .into_any(),
                    SaveState::Conflict { .. } => view! {
                        <div class="tahto-state tahto-state-conflict">
                            <p class="tahto-state-headline">{headline}</p>
                        </div>
                    }
                    .into_any(),
                }
            }}
        </div>
    }
}
