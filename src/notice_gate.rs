//! The gate in front of declarations: they stay locked until the server holds a confirmation of
//! the current "Kanta information" notice (DESIGN §1: pages that depend on a save read the
//! confirmed state, not the optimistic one). An app-wide context, started by the app shell.

use crate::i18n::declarations::DeclText;
use leptos::prelude::*;

use crate::ui::reactive::{effect, memo};
use leptos::task::spawn_local;
use serde_json::Value;

pub use crate::domain::kanta_notice::GateState;
use crate::domain::kanta_notice::{
    confirmations_search, confirms, current_notice, gate_state, KantaNotice, NOTICE_CODE,
    NOTICE_SYSTEM,
};
use crate::fhir::client::FhirClient;
use crate::fhir::FhirError;
use crate::i18n::Msg;
use crate::save::record::{Kept, Record};
use crate::save::sync::Outbox;
use crate::ui::save_status::why_not_loaded;
use crate::ui::use_i18n;

/// The notice and its confirmations, as the server holds them (an app-wide context).
#[derive(Clone, Copy)]
pub struct NoticeGate {
    /// The notice documents; `None` while loading.
    docs: RwSignal<Option<Vec<Value>>>,
    failed: RwSignal<Option<FhirError>>,
    /// Versions the server holds a read-confirmation of.
    confirmed: RwSignal<Vec<String>>,
    state: Memo<GateState>,
    client: StoredValue<FhirClient>,
    patient_id: StoredValue<String>,
}

impl NoticeGate {
    /// Loads the notice and the citizen's confirmations.
    pub fn start(client: FhirClient, outbox: Outbox) -> Self {
        let citizen = outbox.citizen();
        let patient_id = citizen.patient_id().to_owned();
        let docs = RwSignal::new(None::<Vec<Value>>);
        let failed = RwSignal::new(None::<FhirError>);
        let confirmed = RwSignal::new(Vec::<String>::new());
        let cache_key = citizen.key(Kept::NoticeConfirmedSeen);
        let state = memo({
            let cache_key = cache_key.clone();
            move |_| {
                let current = docs.with(|d| {
                    d.as_ref()
                        .map(|d| current_notice(d, "fi").map(|n| n.version))
                });
                // Confirmed on the server: found there, or stored by the outbox (in any tab).
                let confirmed = match &current {
                    Some(Some(v)) => {
                        confirmed.with(|c| c.contains(v))
                            || outbox
                                .confirmed_copy(&Record::NoticeConfirmation { version: v.clone() })
                                .is_some_and(|copy| confirms(&copy, v))
                    }
                    _ => false,
                };
                let check_failed = failed.with(Option::is_some);
                let seen = check_failed
                    .then(|| crate::web::stored(&cache_key))
                    .flatten();
                gate_state(
                    current.as_ref().map(Option::as_deref),
                    confirmed,
                    check_failed,
                    seen.as_deref(),
                )
            }
        });
        // Which version this device last saw the server hold confirmed, for a check that fails.
        effect(move || match state.get() {
            GateState::Open if failed.with_untracked(Option::is_none) => {
                let version = docs.with_untracked(|d| {
                    d.as_ref()
                        .and_then(|d| current_notice(d, "fi"))
                        .map(|n| n.version)
                });
                if let Some(version) = version {
                    let _kept = crate::web::store(&cache_key, &version);
                }
            }
            GateState::Locked => crate::web::forget(&cache_key),
            _ => {}
        });
        let gate = Self {
            docs,
            failed,
            confirmed,
            state,
            client: StoredValue::new(client),
            patient_id: StoredValue::new(patient_id),
        };
        gate.load();
        gate
    }

    /// (Re)loads the current notice and the confirmations from the server.
    pub fn load(self) {
        let client = self.client.get_value();
        let patient = format!("Patient/{}", self.patient_id.get_value());
        self.failed.set(None);
        self.docs.set(None);
        spawn_local(async move {
            let notice_type = format!("{NOTICE_SYSTEM}|{NOTICE_CODE}");
            let docs = client
                .search(
                    "DocumentReference",
                    &[("type", &notice_type), ("status", "current")],
                )
                .await;
            let docs = match docs {
                Ok(docs) => docs,
                Err(e) => {
                    self.failed.try_set(Some(e));
                    return;
                }
            };
            let mut query = vec![("patient", patient.as_str())];
            let search = confirmations_search();
            query.extend(search.iter().map(|(name, value)| (*name, value.as_str())));
            let confirmations = client.search("Consent", &query).await;
            match confirmations {
                Ok(confirmations) => {
                    let versions = current_notice(&docs, "fi")
                        .map(|n| n.version)
                        .filter(|v| confirmations.iter().any(|c| confirms(c, v)));
                    self.confirmed.try_set(versions.into_iter().collect());
                }
                // The notice is known all the same: a confirmation this device saw of an older
                // version does not open the gate (`gate_state`).
                Err(e) => {
                    self.failed.try_set(Some(e));
                }
            }
            self.docs.try_set(Some(docs));
        });
    }

    pub fn state(self) -> GateState {
        self.state.get()
    }

    /// The current notice in the citizen's language (tracked).
    pub fn notice(self, lang: &str) -> Option<KantaNotice> {
        self.docs
            .with(|d| d.as_ref().and_then(|d| current_notice(d, lang)))
    }

    /// The record of the confirmation of `version`.
    pub fn record(self, version: &str) -> Record {
        Record::NoticeConfirmation {
            version: version.to_owned(),
        }
    }

    pub fn patient_id(self) -> String {
        self.patient_id.get_value()
    }

    /// Why the notice could not be checked (with `GateState::Failed`), in `msg`'s sentence.
    pub fn failure_text(self, i18n: &crate::ui::I18n, msg: DeclText) -> String {
        let why = self
            .failed
            .with(|e| e.as_ref().map(|e| why_not_loaded(i18n, e)))
            .unwrap_or_default();
        i18n.format(msg, &[("why", &why)])
    }
}

/// Shows `children` (a declaration) only once the current notice is confirmed; otherwise says why
/// it is locked and leads to the notice. The declaration stays mounted (its reads may run), but
/// hidden: nothing can be saved from it while locked.
#[component]
pub fn DeclarationGate(
    /// Opens the notice.
    on_open_notice: Callback<()>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let gate = expect_context::<NoticeGate>();
    let open = move || gate.state() == GateState::Open;
    let checking = move || gate.state() == GateState::Checking;
    let failed = move || gate.state() == GateState::Failed;
    // Each declaration page has its own gate: the ids must differ.
    static GATES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let title_id = format!(
        "tahto-locked-title-{}",
        GATES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let label_id = title_id.clone();
    let explanation = move || match gate.state() {
        GateState::Failed => gate.failure_text(&i18n, DeclText::LockedCheckFailed),
        _ => i18n.t(DeclText::LockedBody).to_owned(),
    };
    view! {
        <p hidden=move || !checking()>{i18n.tr(Msg::NoticeLoading)}</p>
        <section
            class="tahto-card tahto-locked"
            data-testid="locked"
            aria-labelledby=label_id
            hidden=move || open() || checking()
        >
            <h2 id=title_id>{i18n.tr(DeclText::LockedTitle)}</h2>
            <p>{explanation}</p>
            <button type="button" class="tahto-button" hidden=move || !failed() on:click=move |_| gate.load()>
                {i18n.tr(Msg::TryAgain)}
            </button>
            <button type="button" class="tahto-button tahto-primary" on:click=move |_| on_open_notice.run(())>
                {i18n.tr(DeclText::OpenNotice)}
            </button>
        </section>
        <div hidden=move || !open()>{children()}</div>
    }
    .into_any()
}
