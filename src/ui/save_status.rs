//! Shows one save's state on the item, and announces every change (DESIGN §1 table).

use crate::i18n::saving::SaveText;
use leptos::html::Div;
use leptos::prelude::*;

use crate::ui::reactive::effect_with;

use super::i18n::{use_i18n, I18n};
use super::live_region::use_announcer;
use crate::i18n::{Lang, Msg};
use crate::save::sync::Outbox;
use crate::save::{NotYetSaved, Receipt, SaveState};

fn why(i18n: &I18n, why: &NotYetSaved) -> String {
    match why {
        NotYetSaved::Unreachable => i18n.t(Msg::WhyUnreachable).to_owned(),
        NotYetSaved::Timeout => i18n.t(Msg::WhyTimeout).to_owned(),
        NotYetSaved::ServiceError { status } => {
            i18n.format(Msg::WhyServiceError, &[("status", &status.to_string())])
        }
        NotYetSaved::GarbledAnswer => i18n.t(Msg::WhyGarbled).to_owned(),
        NotYetSaved::SignInNeeded => i18n.t(Msg::WhySignIn).to_owned(),
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
        FhirError::Status { status: 401, .. } => i18n.t(Msg::WhySignInRead).to_owned(),
        FhirError::Status { status: 403, .. } => i18n.t(Msg::WhyForbidden).to_owned(),
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
        SaveState::Rejected { status: 0, .. } => i18n.t(Msg::StateNotSendable).to_owned(),
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

/// The state of one save, shown where the citizen saved.
///
/// One static structure whose texts and `hidden` follow the state: a view per state would each be
/// its own code in the wasm.
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
    let opened = super::section::use_section_opened();
    // A waiting save is "kept on this device" only where the browser keeps it; otherwise it is
    // in this tab's memory, and the citizen must keep the page open. (A status shown outside the
    // app, with no outbox, has nothing to say otherwise.)
    let outbox = use_context::<Outbox>();
    let kept_on_device = move || outbox.is_none_or(|o| o.keeps_on_device());

    // Announce each change; move focus to problems so nobody misses them. A page built ahead
    // says its state when it is first shown, not while the citizen is elsewhere. Only a change:
    // the state is read again for any news of the outbox (another record's save, another tab)
    // and the text for a language switch, and saying an old refusal again moved focus to it.
    effect_with(move |said: Option<Option<SaveState>>| {
        let state = state.get();
        if !opened.get() {
            return None;
        }
        if said.flatten().as_ref() == Some(&state) {
            return Some(state);
        }
        let text = untrack(|| describe(&i18n, &state));
        match &state {
            SaveState::Draft => {}
            SaveState::Saving { .. } | SaveState::Confirmed(_) => announcer.status(text),
            SaveState::Queued { .. } | SaveState::Rejected { .. } | SaveState::Conflict { .. } => {
                announcer.alert(text);
                if let Some(el) = node.get_untracked() {
                    let _focused = el.focus();
                }
            }
        }
        Some(state)
    });

    let name = move || state.with(|s| s.name());
    let queued = move || state.with(|s| matches!(s, SaveState::Queued { .. }));
    let receipt = move || match state.get() {
        SaveState::Confirmed(receipt) => Some(receipt),
        _ => None,
    };
    // The lines under the headline, in order; empty ones are not shown.
    let details = move || -> [String; 3] {
        match state.get() {
            SaveState::Queued {
                retry_after_secs,
                next_try_at_ms,
                ..
            } => [
                i18n.t(if kept_on_device() {
                    SaveText::QueuedKept
                } else {
                    SaveText::QueuedOnlyHere
                })
                .into(),
                retry_after_secs
                    .map(|s| i18n.format(SaveText::RetryAfter, &[("seconds", &s.to_string())]))
                    .unwrap_or_default(),
                next_try_at_ms
                    .map(|at| {
                        let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
                        let iso: String = at.to_iso_string().into();
                        let time = crate::web::format_time_seconds(&iso, i18n.lang.get());
                        i18n.format(SaveText::NextTryAt, &[("time", &time)])
                    })
                    .unwrap_or_default(),
            ],
            SaveState::Rejected { status: 0, .. } => [
                i18n.t(SaveText::NotSentUnchanged).into(),
                String::new(),
                String::new(),
            ],
            SaveState::Rejected { .. } => [
                i18n.t(SaveText::RejectedKept).into(),
                String::new(),
                String::new(),
            ],
            _ => Default::default(),
        }
    };
    let line = move |i: usize| {
        view! { <p hidden=move || details()[i].is_empty()>{move || details()[i].clone()}</p> }
    };
    let receipt_line =
        move |msg: SaveText, name: &'static str, field: fn(&Receipt, Lang) -> String| {
            let value = move || {
                receipt()
                    .map(|r| field(&r, i18n.lang.get()))
                    .unwrap_or_default()
            };
            view! {
                <li hidden=move || value().is_empty()>
                    {move || {
                        let value = value();
                        if value.is_empty() { value } else { i18n.format(msg, &[(name, &value)]) }
                    }}
                </li>
            }
        };

    view! {
        <div
            class="tahto-save-status"
            data-testid="save-status"
            data-state=name
            tabindex="-1"
            node_ref=node
        >
            <div class=move || format!("tahto-state tahto-state-{}", name()) hidden=move || name() == "draft">
                <p class="tahto-state-headline">
                    <span class="tahto-spinner" aria-hidden="true" hidden=move || name() != "saving"></span>
                    {move || describe(&i18n, &state.get())}
                </p>
                {line(0)}
                {line(1)}
                {line(2)}
                <button type="button" class="tahto-button" hidden=move || !queued() on:click=move |_| on_retry.run(())>
                    {i18n.tr(Msg::RetryNow)}
                </button>
                <details class="tahto-receipt" data-testid="receipt" open hidden=move || receipt().is_none()>
                    <summary>{i18n.tr(SaveText::ReceiptHeading)}</summary>
                    <ul>
                        {receipt_line(SaveText::ReceiptId, "id", |r, _| r.id.clone())}
                        {receipt_line(SaveText::ReceiptVersion, "version", |r, _| r.version_id.clone())}
                        {receipt_line(SaveText::ReceiptServerTime, "time", |r, lang| {
                            r.server_time
                                .as_deref()
                                .map(|t| crate::web::format_date_time(t, lang))
                                .unwrap_or_default()
                        })}
                    </ul>
                </details>
            </div>
        </div>
    }
}
