//! Disclosure consents and refusals: consent to disclose data between care providers, and
//! refusals for one visit or prescription. Each is a `Consent` saved through the save pipeline;
//! withdrawing one makes it `inactive` (an `If-Match` update), so its history stays on record.

use leptos::prelude::*;

use crate::ui::reactive::{effect, effect_with, memo};
use serde_json::Value;

use crate::domain::disclosure::{
    from_consent, to_consent, withdrawn, Disclosure, DisclosureRecord,
};
use crate::domain::records::{Prescription, Visit};
use crate::fhir::resources::{id, last_updated, str_at};
use crate::i18n::declarations::DeclText;
use crate::i18n::Msg;
use crate::notice_gate::DeclarationGate;
use crate::save::handle::RecordHandle;
use crate::save::sync::Outbox;
use crate::save::{Record, SaveState};
use crate::sections::View;
use crate::ui::declaration::ConflictActions;
use crate::ui::search::{PagedSearch, SearchState};
use crate::ui::{use_i18n, SaveStatus};

/// The record of a disclosure decision.
fn record_of(disclosure: &Disclosure) -> Record {
    match disclosure {
        Disclosure::ConsentToDisclose => Record::DisclosureConsent,
        Disclosure::Refusal { target } => Record::DisclosureRefusal {
            target: target.clone(),
        },
    }
}

/// The stored version of `disclosure` the page shows and acts on: the newest in force, else the
/// newest (the server's, or the one a save here stored last). In force if any is: two decisions
/// may be (one given at a health centre, one here), and each is withdrawn in its turn, as the
/// home page counts them.
fn latest(stored: &[Value], confirmed: Option<Value>, disclosure: &Disclosure) -> Option<Value> {
    let of_this: Vec<(DisclosureRecord, &Value)> = stored
        .iter()
        .chain(confirmed.as_ref())
        .filter_map(|c| Some((from_consent(c)?, c)))
        .filter(|(r, _)| r.disclosure == *disclosure)
        .collect();
    // Of one resource, its newest version only (a withdrawal stored here is newer than the
    // search's copy of the same consent, still active).
    let superseded = |c: &Value| {
        of_this
            .iter()
            .any(|(_, o)| id(o) == id(c) && last_updated(o) > last_updated(c))
    };
    of_this
        .iter()
        .filter(|(_, c)| !superseded(c))
        .max_by(|(a, x), (b, y)| (a.active, last_updated(x)).cmp(&(b.active, last_updated(y))))
        .map(|(_, c)| (*c).clone())
}

/// One decision: what it means, whether it is in force, and the button to give or withdraw it.
#[component]
fn DisclosureItem(
    /// The decision.
    disclosure: Disclosure,
    /// What the decision is about, for the citizen.
    title: String,
    /// The label of the button that gives it.
    give: DeclText,
    /// The label of the button that withdraws it.
    withdraw: DeclText,
    /// The sentence shown while it is in force (`{date}`).
    in_force: DeclText,
    /// The sentence shown while it is not (none for refusals: the button says it).
    #[prop(optional)]
    not_in_force: Option<DeclText>,
    /// Every disclosure Consent the server returned.
    consents: PagedSearch,
) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<Outbox>();
    let record = record_of(&disclosure);
    let edited = RecordHandle::new(record.clone(), None);
    let disclosure = StoredValue::new(disclosure);
    let state = edited.state;
    let current = memo(move |_| {
        let confirmed = outbox.confirmed_copy(&record);
        consents
            .items
            .with(|items| disclosure.with_value(|d| latest(items, confirmed, d)))
    });
    // A save here ended: the decisions are read again. Only the last confirmed copy of a record
    // is kept, so with two consents in force, the first one withdrawn would otherwise show as
    // the search found it before: still in force.
    effect_with(move |was_pending: Option<bool>| {
        let state = state.get();
        if matches!(state, SaveState::Confirmed(_)) && was_pending == Some(true) {
            consents.reload();
        }
        state.is_pending()
    });
    // The version in force is the one a withdrawal updates; without one, giving creates anew.
    effect(move || {
        let in_force = current
            .get()
            .filter(|c| from_consent(c).is_some_and(|r| r.active));
        edited.set_recorded(in_force);
    });
    let active =
        move || current.with(|c| c.as_ref().and_then(from_consent).is_some_and(|r| r.active));
    let line = move || {
        let lang = i18n.lang.get();
        if active() {
            let date = current.with(|c| {
                c.as_ref()
                    .and_then(|c| {
                        str_at(c, &["dateTime"])
                            .or(last_updated(c))
                            .map(str::to_owned)
                    })
                    .unwrap_or_default()
            });
            i18n.format(in_force, &[("date", &crate::web::format_date(&date, lang))])
        } else {
            not_in_force
                .map(|m| i18n.t(m).to_owned())
                .unwrap_or_default()
        }
    };
    let busy = move || {
        matches!(
            state.get(),
            SaveState::Saving { .. } | SaveState::Queued { .. } | SaveState::Conflict { .. }
        )
    };
    let on_give = move |_| {
        let patient = edited.patient_id();
        edited.save(|_, key| {
            Some(disclosure.with_value(|d| to_consent(d, &patient, &crate::web::now_iso(), key)))
        });
    };
    let on_withdraw = move |_| {
        edited.save(|in_force, _| Some(withdrawn(in_force?, &crate::web::now_iso())));
    };
    let on_retry = Callback::new(move |_| edited.retry_now());
    // Only a withdrawal updates a stored decision (giving one creates it), so only a withdrawal
    // meets a version changed elsewhere: keeping it withdraws that version.
    let on_keep_withdrawal = Callback::new(move |_| {
        edited.keep_mine(|theirs| withdrawn(theirs, &crate::web::now_iso()))
    });
    view! {
        <li class="tahto-card tahto-record" data-testid="disclosure">
            {(!title.is_empty()).then(|| view! { <h3>{title}</h3> })}
            <p data-testid="disclosure-state" hidden=move || line().is_empty()>{line}</p>
            <div class="tahto-actions">
                <button
                    type="button"
                    class="tahto-button tahto-primary"
                    hidden=active
                    disabled=busy
                    on:click=on_give
                >
                    {i18n.tr(give)}
                </button>
                <button
                    type="button"
                    class="tahto-button"
                    hidden=move || !active()
                    disabled=busy
                    on:click=on_withdraw
                >
                    {i18n.tr(withdraw)}
                </button>
            </div>
            <SaveStatus state on_retry />
            <ConflictActions edited on_keep_mine=on_keep_withdrawal />
        </li>
    }
}

#[component]
pub fn DisclosuresPage(
    /// Opens the notice (from the explanation shown while the page is locked).
    on_open_notice: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let consents = PagedSearch::new(
        View::Disclosures,
        "Consent",
        "patient",
        &[("category", "http://loinc.org|59284-0")],
        200,
    );
    let visits = PagedSearch::new(
        View::Disclosures,
        "Encounter",
        "patient",
        &[("_sort", "-date")],
        50,
    );
    let prescriptions = PagedSearch::new(
        View::Disclosures,
        "MedicationRequest",
        "patient",
        &[("_sort", "-authoredon")],
        50,
    );
    let refusal = move |target: String, title: String, give: DeclText| {
        view! {
            <DisclosureItem
                disclosure=Disclosure::Refusal { target }
                title
                give
                withdraw=DeclText::WithdrawRefusal
                in_force=DeclText::Refused
                consents
            />
        }
    };
    let visit_items = move || {
        let lang = i18n.lang.get();
        visits.items.with(|items| {
            items
                .iter()
                .filter_map(|e| {
                    let target = format!("Encounter/{}", id(e)?);
                    // A visit recorded in error or cancelled has nothing to disclose.
                    let v = Visit::from_resource(e)?;
                    let title = format!(
                        "{} · {} · {}",
                        crate::web::format_date(&v.start, lang),
                        v.kind,
                        v.reason
                    );
                    Some(refusal(target, title, DeclText::RefuseVisit))
                })
                .collect_view()
        })
    };
    let prescription_items = move || {
        let lang = i18n.lang.get();
        prescriptions.items.with(|items| {
            items
                .iter()
                .filter_map(Prescription::from_resource)
                .map(|rx| {
                    let title = format!(
                        "{} · {}",
                        crate::web::format_date(&rx.authored, lang),
                        rx.medication
                    );
                    refusal(
                        format!("MedicationRequest/{}", rx.id),
                        title,
                        DeclText::RefusePrescription,
                    )
                })
                .collect_view()
        })
    };
    view! {
        <article class="tahto-page" aria-labelledby="tahto-disc-title">
            <h1 id="tahto-disc-title">{i18n.tr(Msg::DisclosuresTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(DeclText::DiscIntro)}</p>
            <DeclarationGate on_open_notice>
                <section aria-labelledby="tahto-disc-consent">
                    <h2 id="tahto-disc-consent">{i18n.tr(DeclText::ConsentHeading)}</h2>
                    <p>{i18n.tr(DeclText::ConsentMeaning)}</p>
                    <ul class="tahto-records">
                        <DisclosureItem
                            disclosure=Disclosure::ConsentToDisclose
                            title=String::new()
                            give=DeclText::GiveConsent
                            withdraw=DeclText::WithdrawConsent
                            in_force=DeclText::ConsentGiven
                            not_in_force=DeclText::ConsentNotGiven
                            consents
                        />
                    </ul>
                    <SearchState search=consents />
                </section>
                <section aria-labelledby="tahto-disc-refusals">
                    <h2 id="tahto-disc-refusals">{i18n.tr(DeclText::RefusalsHeading)}</h2>
                    <p>{i18n.tr(DeclText::RefusalMeaning)}</p>
                    <h3>{i18n.tr(DeclText::VisitsHeading)}</h3>
                    <ul class="tahto-records" data-testid="refusal-visits">{visit_items}</ul>
                    <SearchState search=visits />
                    <h3>{i18n.tr(DeclText::PrescriptionsHeading)}</h3>
                    <ul class="tahto-records" data-testid="refusal-prescriptions">{prescription_items}</ul>
                    <SearchState search=prescriptions />
                </section>
            </DeclarationGate>
        </article>
    }
}
