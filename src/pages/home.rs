//! The home page: at a glance, what the citizen has declared and what needs them.

use leptos::prelude::*;

use crate::ui::reactive::effect;

use crate::i18n::shell::ShellText;
use leptos::task::spawn_local;

use crate::context::AppContext;
use crate::domain::glance::{glance, Glance};
use crate::fhir::FhirError;
use crate::i18n::Msg;
use crate::notice_gate::{GateState, NoticeGate};
use crate::router::use_router;
use crate::save::sync::Outbox;
use crate::save::{Record, SaveState};
use crate::sections::View;
use crate::ui::save_status::describe;
use crate::ui::section::SectionLink;
use crate::ui::use_i18n;

/// The glance: loading, read, or why not.
#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Loaded(Glance),
    Failed,
}

/// Fetches what the glance is read from (three searches).
async fn fetch_glance(ctx: &AppContext) -> Result<Glance, FhirError> {
    let patient = format!("Patient/{}", ctx.config.patient_id);
    let client = &ctx.client;
    // Newest first: a page of the oldest (a server's default order) would give an old date.
    let consents = client
        .search(
            "Consent",
            &[
                ("patient", &patient),
                ("_sort", "-_lastUpdated"),
                ("_count", "500"),
            ],
        )
        .await?;
    let wills = client
        .search(
            "DocumentReference",
            &[
                ("patient", &patient),
                ("type", "http://loinc.org|86533-7"),
                ("status", "current"),
                ("_sort", "-_lastUpdated"),
                ("_count", "20"),
            ],
        )
        .await?;
    let tasks = client
        .search(
            "Task",
            &[
                ("patient", &patient),
                ("code", "http://snomed.info/sct|103742009"),
                ("_sort", "-_lastUpdated"),
                ("_count", "200"),
            ],
        )
        .await?;
    let now = js_sys::Date::now() as i64;
    Ok(glance(&consents, &wills, &tasks, now, |iso| {
        let ms = js_sys::Date::parse(iso);
        ms.is_finite().then_some(ms as i64)
    }))
}

/// The declarations on the home page, each with the record whose save its card follows.
const DECLARATION_RECORDS: [(View, Record); 4] = [
    (View::OrganDonation, Record::OrganDonation),
    (View::AdvanceDirective, Record::AdvanceDirective),
    (View::LivingWill, Record::LivingWill),
    (View::Disclosures, Record::DisclosureConsent),
];

/// A card that opens a section.
#[component]
fn SectionCard(
    /// The section opened.
    target: View,
    /// One line of state under the title, if any.
    #[prop(optional, into)]
    state: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="tahto-card tahto-home-card" data-testid=format!("home-{}", target.key())>
            <h3>{i18n.tr(target.title())}</h3>
            {state.map(|s| view! {
                <p class="tahto-home-state" data-testid="home-state" hidden=move || s.with(String::is_empty)>{s}</p>
            })}
            <SectionLink
                to=target
                label=Signal::derive(move || format!("{} {}", i18n.t(ShellText::Open), i18n.t(target.title())))
            >
                {i18n.tr(ShellText::Open)}
            </SectionLink>
        </li>
    }
}

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let router = use_router();
    let gate = use_context::<NoticeGate>();
    let outbox = use_context::<Outbox>();
    let notice_state = Signal::derive(move || {
        match gate.map(|g| g.state()) {
            Some(GateState::Open) => i18n.t(ShellText::HomeNoticeConfirmed),
            Some(GateState::Locked) => i18n.t(ShellText::HomeNoticeUnread),
            Some(GateState::NoNotice) => i18n.t(Msg::NoticeMissing),
            Some(GateState::Failed) => i18n.t(ShellText::HomeNoticeUnknown),
            Some(GateState::Checking) | None => i18n.t(Msg::NoticeLoading),
        }
        .to_owned()
    });
    let unsent = move || outbox.map(|o| o.unsent_records().len()).unwrap_or(0);
    let load = RwSignal::new(Load::Loading);
    // Fetched each time the home page is shown: it must show what was just saved elsewhere. Only
    // the latest fetch is shown: an earlier one answering last (a slow network) would show what
    // was true before the citizen's save.
    let fetches = StoredValue::new(0_u32);
    effect(move || {
        if !router.is_shown(View::Home) {
            return;
        }
        let Some(ctx) = use_context::<AppContext>() else {
            return;
        };
        let this = fetches.try_update_value(|n| {
            *n = n.wrapping_add(1);
            *n
        });
        spawn_local(async move {
            let result = fetch_glance(&ctx).await;
            if fetches.try_get_value() == this {
                load.try_set(result.map_or(Load::Failed, Load::Loaded));
            }
        });
    });
    // A declaration's line: its save while one is under way, else when it was recorded.
    let declaration_state = move |target: View, record: Record| {
        Signal::derive(move || {
            if let Some(state) = outbox.map(|o| o.state_of(&record)) {
                if !matches!(state, SaveState::Draft | SaveState::Confirmed(_)) {
                    return describe(&i18n, &state);
                }
            }
            let lang = i18n.lang.get();
            let recorded = |at: &Option<String>| match at {
                Some(at) => i18n.format(
                    ShellText::HomeRecorded,
                    &[("date", &crate::web::format_date(at, lang))],
                ),
                None => i18n.t(ShellText::HomeNotRecorded).to_owned(),
            };
            match load.get() {
                Load::Loading => i18n.t(Msg::Loading).to_owned(),
                Load::Failed => i18n.t(ShellText::HomeUnknown).to_owned(),
                Load::Loaded(g) => match target {
                    View::OrganDonation => recorded(&g.organ_donation),
                    View::AdvanceDirective => recorded(&g.advance_directive),
                    View::LivingWill => recorded(&g.living_will),
                    _ => {
                        let consent = if g.disclosure_consent {
                            ShellText::HomeConsentInForce
                        } else {
                            ShellText::HomeNotRecorded
                        };
                        format!(
                            "{} · {}",
                            i18n.t(consent),
                            i18n.format(
                                ShellText::HomeRefusals,
                                &[("count", &g.refusals.to_string())]
                            )
                        )
                    }
                },
            }
        })
    };
    let renewals = Signal::derive(move || match load.get() {
        Load::Loaded(g) if g.renewals_waiting > 0 => i18n.format(
            ShellText::HomeRenewalsWaiting,
            &[("count", &g.renewals_waiting.to_string())],
        ),
        _ => String::new(),
    });
    view! {
        <article class="tahto-page" aria-labelledby="tahto-home-title">
            <h1 id="tahto-home-title">{i18n.tr(Msg::HomeTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(ShellText::HomeIntro)}</p>
            <p class="tahto-card tahto-home-unsent" data-testid="home-unsent" hidden=move || unsent() == 0>
                {move || i18n.format(ShellText::UnsentBadge, &[("count", &unsent().to_string())])}
                " "
                <SectionLink to=View::Unsent>{i18n.tr(Msg::UnsentTitle)}</SectionLink>
            </p>
            <section aria-labelledby="tahto-home-declarations">
                <h2 id="tahto-home-declarations">{i18n.tr(ShellText::NavDeclarations)}</h2>
                <ul class="tahto-home-grid">
                    <SectionCard target=View::Notice state=notice_state />
                    {DECLARATION_RECORDS
                        .into_iter()
                        .map(|(target, record)| {
                            let state = declaration_state(target, record);
                            view! { <SectionCard target state /> }
                        })
                        .collect_view()}
                </ul>
            </section>
            <section aria-labelledby="tahto-home-records">
                <h2 id="tahto-home-records">{i18n.tr(ShellText::NavRecords)}</h2>
                <ul class="tahto-home-grid">
                    <SectionCard target=View::Prescriptions state=renewals />
                    {View::RECORDS
                        .into_iter()
                        .skip(1)
                        .map(|target| view! { <SectionCard target /> })
                        .collect_view()}
                </ul>
            </section>
        </article>
    }
}
