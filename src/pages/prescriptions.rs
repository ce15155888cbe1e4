//! Prescriptions, valid and past, and renewal requests: a `Task` per request, saved through the
//! save pipeline like every other write (`renewal/<prescription id>` in the outbox).

use leptos::prelude::*;
use serde_json::Value;

use crate::domain::records::Prescription;
use crate::domain::renewal::{
    can_request, is_renewal_of, renewal_request, renewal_status, RenewalStatus,
};
use crate::fhir::resources::{instant_ms, str_at};
use crate::i18n::records::RecordsText;
use crate::i18n::Msg;
use crate::save::handle::RecordHandle;
use crate::save::sync::Outbox;
use crate::save::{Record, SaveState};
use crate::sections::View;
use crate::ui::search::{Fetching, PagedSearch, SearchState};
use crate::ui::{use_i18n, SaveStatus};

/// The renewal requests of a prescription known here: the server's and the one this device saved
/// last (which the server list may not show yet), newest first.
fn requests_for(tasks: &[Value], confirmed: Option<Value>, prescription_id: &str) -> Vec<Value> {
    let mut found: Vec<Value> = tasks
        .iter()
        .filter(|t| is_renewal_of(t, prescription_id))
        .cloned()
        .collect();
    if let Some(copy) = confirmed.filter(|c| is_renewal_of(c, prescription_id)) {
        let same = |t: &Value| str_at(t, &["id"]) == str_at(&copy, &["id"]);
        if !found.iter().any(same) {
            found.push(copy);
        }
    }
    crate::domain::records::newest_first(&mut found, |t| str_at(t, &["authoredOn"]).unwrap_or(""));
    found
}

/// One prescription, with its renewal requests and the button to ask for one.
#[component]
fn PrescriptionCard(
    /// The prescription.
    rx: Prescription,
    /// Every renewal `Task` of the citizen the server returned.
    tasks: PagedSearch,
) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<Outbox>();
    let record = Record::RenewalRequest {
        prescription: rx.id.clone(),
    };
    let edited = RecordHandle::new(record.clone(), None);
    let record = StoredValue::new(record);
    let rx = StoredValue::new(rx);
    let state = edited.state;
    let requests = move || {
        let confirmed = record.with_value(|r| outbox.confirmed_copy(r));
        tasks
            .items
            .with(|t| rx.with_value(|rx| requests_for(t, confirmed, &rx.id)))
    };
    let statuses = move || {
        let now = js_sys::Date::now() as i64;
        requests()
            .iter()
            .map(|t| {
                let authored = str_at(t, &["authoredOn"]).unwrap_or("").to_owned();
                (renewal_status(t, instant_ms(&authored), now), authored)
            })
            .collect::<Vec<_>>()
    };
    let latest = move || {
        let lang = i18n.lang.get();
        statuses().first().map(|(status, authored)| {
            let msg = match status {
                RenewalStatus::Requested => RecordsText::RenewalRequested,
                RenewalStatus::Accepted => RecordsText::RenewalAccepted,
                RenewalStatus::Rejected => RecordsText::RenewalRejected,
                RenewalStatus::Expired => RecordsText::RenewalExpired,
            };
            i18n.format(msg, &[("date", &crate::web::format_date(authored, lang))])
        })
    };
    let saving = move || {
        matches!(
            state.get(),
            SaveState::Saving { .. } | SaveState::Queued { .. } | SaveState::Conflict { .. }
        )
    };
    // Only once the requests made are known: before they are fetched (or if they could not
    // be), a request made on another device would not be seen, and the prescriber would get it
    // twice.
    let may_request = move || {
        rx.with_value(|rx| rx.renewable)
            && tasks.fetching.with(|f| *f == Fetching::Done)
            && !saving()
            && can_request(&statuses().iter().map(|(s, _)| *s).collect::<Vec<_>>())
    };
    let on_request = move |_| {
        let patient = edited.patient_id();
        edited.save(|_, key| {
            Some(rx.with_value(|rx| renewal_request(&rx.id, &patient, &crate::web::now_iso(), key)))
        });
    };
    let on_retry = Callback::new(move |_| edited.retry_now());
    let lang = move || i18n.lang.get();
    view! {
        <li class="tahto-card tahto-record" data-testid="prescription">
            <h3>{rx.with_value(|r| r.medication.clone())}</h3>
            <p>
                <span class="tahto-label">{i18n.tr(RecordsText::Dosage)}": "</span>
                {rx.with_value(|r| r.dosage.clone())}
            </p>
            <p class="tahto-hint">
                {move || rx.with_value(|r| i18n.format(
                    RecordsText::Prescribed,
                    &[("date", &crate::web::format_date(&r.authored, lang())), ("who", &r.prescriber)],
                ))}
            </p>
            <p class="tahto-hint">
                {move || rx.with_value(|r| i18n.format(
                    RecordsText::ValidUntil,
                    &[("date", &crate::web::format_date(&r.valid_until, lang()))],
                ))}
            </p>
            <p class="tahto-renewal" data-testid="renewal-status" hidden=move || latest().is_none()>
                {latest}
            </p>
            <button
                type="button"
                class="tahto-button tahto-primary"
                hidden=move || !may_request()
                on:click=on_request
            >
                {i18n.tr(RecordsText::RequestRenewal)}
            </button>
            <SaveStatus state on_retry />
        </li>
    }
}

#[component]
pub fn PrescriptionsPage() -> impl IntoView {
    let i18n = use_i18n();
    let search = PagedSearch::new(
        View::Prescriptions,
        "MedicationRequest",
        "patient",
        &[("_sort", "-authoredon")],
        100,
    );
    // Newest first: a request still waiting is among the latest made.
    let tasks = PagedSearch::new(
        View::Prescriptions,
        "Task",
        "patient",
        &[
            ("code", "http://snomed.info/sct|103742009"),
            ("_sort", "-_lastUpdated"),
        ],
        200,
    );
    let renewals_failed = move || tasks.failure();
    let list = move |past: bool| {
        move || {
            search.items.with(|items| {
                items
                    .iter()
                    .filter_map(Prescription::from_resource)
                    .filter(|rx| rx.past == past)
                    .map(|rx| view! { <PrescriptionCard rx tasks /> })
                    .collect_view()
            })
        }
    };
    view! {
        <article class="tahto-page" aria-labelledby="tahto-rx-title">
            <h1 id="tahto-rx-title">{i18n.tr(Msg::PrescriptionsTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(RecordsText::PrescriptionsIntro)}</p>
            <section aria-labelledby="tahto-rx-active">
                <h2 id="tahto-rx-active">{i18n.tr(RecordsText::ActiveHeading)}</h2>
                <ul class="tahto-records" data-testid="prescriptions-active">{list(false)}</ul>
            </section>
            <section aria-labelledby="tahto-rx-past">
                <h2 id="tahto-rx-past">{i18n.tr(RecordsText::PastHeading)}</h2>
                <ul class="tahto-records" data-testid="prescriptions-past">{list(true)}</ul>
            </section>
            <SearchState search />
            // The renewal requests made: without them, renewal is not offered (said, with Try again).
            <div class="tahto-card tahto-error" data-testid="renewals-failed" hidden=move || renewals_failed().is_none()>
                <p>{renewals_failed}</p>
                <button type="button" class="tahto-button" on:click=move |_| tasks.fetch_more()>
                    {i18n.tr(Msg::TryAgain)}
                </button>
            </div>
        </article>
    }
}
