//! What Tahto writes, and whose it is.
//!
//! [`Record`] names every record a citizen can save: its identity in the outbox, the resource type
//! it is written as, how it is written, what the citizen calls it and the section it lives in. A
//! new kind of record is a new variant: every `match` here must then say what it is, so it can
//! never borrow another record's identity.
//!
//! [`Citizen`] is one person on one backend. Everything Tahto keeps in the browser — drafts,
//! unsent saves, copies of confirmed records, outcomes — is stored under a key built here from
//! both, so a second person on the same browser (or the same person on another backend) never sees
//! or sends the first one's entries. No other module writes a storage key by hand.

use crate::i18n::saving::SaveText;
use crate::sections::View;

/// Every record a citizen can save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// The organ donation decision (one `Consent`, updated in place).
    OrganDonation,
    /// The advance directive, hoitotahto (one `Consent`, updated in place).
    AdvanceDirective,
    /// The living will (a new `DocumentReference` per save, replacing the previous one).
    LivingWill,
    /// The read-confirmation of one version of the Kanta information notice.
    NoticeConfirmation { version: String },
    /// The consent to disclose data between care providers.
    DisclosureConsent,
    /// A refusal to disclose one visit or prescription (`target`: `Encounter/<id>` or
    /// `MedicationRequest/<id>`).
    DisclosureRefusal { target: String },
    /// Renewal requests of one prescription (a new `Task` per request).
    RenewalRequest { prescription: String },
    /// One measurement the citizen entered (`id`: the client identifier of its `Observation`).
    Measurement { id: String },
}

/// How a save of a record reaches the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WritePolicy {
    /// An `If-Match` update of the version in force, or a create when there is none.
    UpdateInForce,
    /// Always a new resource (its own history: every request, every document, every value).
    AlwaysNew,
}

impl Record {
    /// The record's identity within one citizen's outbox (stable: it is stored).
    pub fn key(&self) -> String {
        match self {
            Record::OrganDonation => "organ-donation".into(),
            Record::AdvanceDirective => "advance-directive".into(),
            Record::LivingWill => "living-will".into(),
            Record::NoticeConfirmation { version } => format!("notice/{version}"),
            Record::DisclosureConsent => "disclosure-consent".into(),
            Record::DisclosureRefusal { target } => format!("disclosure-refusal/{target}"),
            Record::RenewalRequest { prescription } => format!("renewal/{prescription}"),
            Record::Measurement { id } => format!("measurement/{id}"),
        }
    }

    /// What kind of record this is, without which one (`key` without its identifying part): what
    /// a partner's page is told of a save, never its content.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::OrganDonation => "organ-donation",
            Record::AdvanceDirective => "advance-directive",
            Record::LivingWill => "living-will",
            Record::NoticeConfirmation { .. } => "notice",
            Record::DisclosureConsent => "disclosure-consent",
            Record::DisclosureRefusal { .. } => "disclosure-refusal",
            Record::RenewalRequest { .. } => "renewal",
            Record::Measurement { .. } => "measurement",
        }
    }

    /// Reads a key written by [`Record::key`]; `None` for anything else.
    pub fn parse(key: &str) -> Option<Record> {
        let (kind, rest) = match key.split_once('/') {
            Some((kind, rest)) if !rest.is_empty() => (kind, Some(rest.to_owned())),
            Some(_) => return None,
            None => (key, None),
        };
        Some(match (kind, rest) {
            ("organ-donation", None) => Record::OrganDonation,
            ("advance-directive", None) => Record::AdvanceDirective,
            ("living-will", None) => Record::LivingWill,
            ("disclosure-consent", None) => Record::DisclosureConsent,
            ("notice", Some(version)) => Record::NoticeConfirmation { version },
            ("disclosure-refusal", Some(target)) => Record::DisclosureRefusal { target },
            ("renewal", Some(prescription)) => Record::RenewalRequest { prescription },
            ("measurement", Some(id)) => Record::Measurement { id },
            _ => return None,
        })
    }

    /// The FHIR resource type the record is written as.
    pub fn resource_type(&self) -> &'static str {
        match self {
            Record::OrganDonation
            | Record::AdvanceDirective
            | Record::NoticeConfirmation { .. }
            | Record::DisclosureConsent
            | Record::DisclosureRefusal { .. } => "Consent",
            Record::LivingWill => "DocumentReference",
            Record::RenewalRequest { .. } => "Task",
            Record::Measurement { .. } => "Observation",
        }
    }

    pub fn write_policy(&self) -> WritePolicy {
        match self {
            Record::OrganDonation
            | Record::AdvanceDirective
            | Record::DisclosureConsent
            | Record::DisclosureRefusal { .. } => WritePolicy::UpdateInForce,
            Record::LivingWill
            | Record::NoticeConfirmation { .. }
            | Record::RenewalRequest { .. }
            | Record::Measurement { .. } => WritePolicy::AlwaysNew,
        }
    }

    /// What the citizen calls it (the unsent list, the service notice).
    pub fn label(&self) -> SaveText {
        match self {
            Record::OrganDonation => SaveText::RecordOrganDonation,
            Record::AdvanceDirective => SaveText::RecordAdvanceDirective,
            Record::LivingWill => SaveText::RecordLivingWill,
            Record::NoticeConfirmation { .. } => SaveText::RecordNotice,
            Record::DisclosureConsent | Record::DisclosureRefusal { .. } => {
                SaveText::RecordDisclosure
            }
            Record::RenewalRequest { .. } => SaveText::RecordRenewal,
            Record::Measurement { .. } => SaveText::RecordMeasurement,
        }
    }

    /// The section where the citizen makes and sees it.
    pub fn section(&self) -> View {
        match self {
            Record::OrganDonation => View::OrganDonation,
            Record::AdvanceDirective => View::AdvanceDirective,
            Record::LivingWill => View::LivingWill,
            Record::NoticeConfirmation { .. } => View::Notice,
            Record::DisclosureConsent | Record::DisclosureRefusal { .. } => View::Disclosures,
            Record::RenewalRequest { .. } => View::Prescriptions,
            Record::Measurement { .. } => View::Measurements,
        }
    }

    /// Whether it is a request or confirmation the citizen makes and others process (a renewal
    /// request, a notice confirmation): never edited after it is made, and a change to it on
    /// the server is its processing, not a conflict.
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            Record::RenewalRequest { .. } | Record::NoticeConfirmation { .. }
        )
    }

    /// Whether `stored`, found on the server by the identifier of a create of this request, is
    /// the request `sent` (made at the same moment), processed since, rather than an earlier
    /// request the same key made. Not a request: never.
    pub fn same_request(&self, stored: &serde_json::Value, sent: &serde_json::Value) -> bool {
        let made_at = match self {
            Record::RenewalRequest { .. } => "authoredOn",
            Record::NoticeConfirmation { .. } => "dateTime",
            Record::OrganDonation
            | Record::AdvanceDirective
            | Record::LivingWill
            | Record::DisclosureConsent
            | Record::DisclosureRefusal { .. }
            | Record::Measurement { .. } => return false,
        };
        let at = |resource: &serde_json::Value| {
            resource
                .get(made_at)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        at(sent).is_some() && at(stored) == at(sent)
    }

    /// For a record written anew each time, the search (without the patient) for what may
    /// already do what a new save would (`answered_by`): its create looks first
    /// (`LookFirst::Answer`), so two devices never make two.
    pub fn answer_search(&self) -> Option<Vec<(&'static str, String)>> {
        match self {
            Record::RenewalRequest { prescription } => {
                Some(crate::domain::renewal::requests_search(prescription))
            }
            Record::NoticeConfirmation { .. } => {
                Some(crate::domain::kanta_notice::confirmations_search())
            }
            Record::OrganDonation
            | Record::AdvanceDirective
            | Record::LivingWill
            | Record::DisclosureConsent
            | Record::DisclosureRefusal { .. }
            | Record::Measurement { .. } => None,
        }
    }

    /// Whether `stored`, found on the server by [`Record::answer_search`], already does at
    /// `now_ms` what a new save of this record would: a renewal request of the same prescription
    /// still waiting or accepted, a confirmation of the same notice version. A new document or
    /// measurement is never answered by another.
    pub fn answered_by(&self, stored: &serde_json::Value, now_ms: f64) -> bool {
        match self {
            Record::RenewalRequest { prescription } => {
                crate::domain::renewal::answers_request(stored, prescription, now_ms as i64)
            }
            Record::NoticeConfirmation { version } => {
                crate::domain::kanta_notice::confirms(stored, version)
            }
            Record::OrganDonation
            | Record::AdvanceDirective
            | Record::LivingWill
            | Record::DisclosureConsent
            | Record::DisclosureRefusal { .. }
            | Record::Measurement { .. } => false,
        }
    }

    /// Whether a copy of its confirmed version is worth keeping on the device: the page shows it
    /// as the recorded version before the server is asked again. A measurement's page lists the
    /// server's values instead, so measurements leave nothing behind.
    pub fn keeps_confirmed_copy(&self) -> bool {
        !matches!(self, Record::Measurement { .. })
    }
}

/// One person on one backend: whose data something is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citizen {
    fhir_base: String,
    patient_id: String,
    tag: String,
}

/// What Tahto keeps in the browser for a citizen (each is one storage key).
#[derive(Clone, Copy, Debug)]
pub enum Kept<'a> {
    /// What the citizen typed for a record and has not saved.
    Draft(&'a Record),
    /// The idempotency key of the next new resource of a record.
    CreationKey(&'a Record),
    /// The measurement form as typed (a measurement is a record only once saved).
    MeasurementForm,
    /// How saves ended and the copies of confirmed records, bounded (`save/kept.rs`).
    Outcomes,
    /// That this device saw the server hold a confirmation of the current notice.
    NoticeConfirmedSeen,
    /// Unsent saves, when the browser has no IndexedDB (one key per entry id).
    OutboxEntry(&'a str),
}

/// Prefix of every key Tahto stores in localStorage (and the name of its IndexedDB database).
pub const STORAGE_PREFIX: &str = "tahto";
/// The keys of the device rather than of a person (neither holds health data): the language
/// the citizen chose, and, in this tab's session storage only, the section shown.
pub const LANGUAGE_KEY: &str = "tahto.lang";
pub const SECTION_KEY: &str = "tahto.view";
/// Session only: this tab has just forgotten the device (said once after the reload).
pub const FORGOTTEN_KEY: &str = "tahto.forgotten";
/// Session only, across the redirect to the authorization server and back: the sign-in's
/// `state` and PKCE verifier (never a token).
pub const SIGN_IN_KEY: &str = "tahto.sign-in";
/// Session only: this tab has signed out (it starts on the sign-in page, which asks for the
/// password again) until someone signs in.
pub const SIGNED_OUT_KEY: &str = "tahto.signed-out";
/// Written and removed at once when a tab signs out: every other tab hears it and signs out too.
pub const SIGN_OUT_EVERYWHERE_KEY: &str = "tahto.sign-out-everywhere";

impl Citizen {
    pub fn new(fhir_base: &str, patient_id: &str) -> Citizen {
        Citizen {
            fhir_base: fhir_base.to_owned(),
            patient_id: patient_id.to_owned(),
            tag: tag_of(fhir_base, patient_id),
        }
    }

    pub fn patient_id(&self) -> &str {
        &self.patient_id
    }

    pub fn fhir_base(&self) -> &str {
        &self.fhir_base
    }

    /// A short, stable name of this person on this backend, carried by every outbox entry.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The storage key of `what`, for this citizen only.
    pub fn key(&self, what: Kept) -> String {
        let tag = &self.tag;
        match what {
            Kept::Draft(record) => format!("{STORAGE_PREFIX}.{tag}.draft.{}", record.key()),
            Kept::CreationKey(record) => format!("{STORAGE_PREFIX}.{tag}.key.{}", record.key()),
            Kept::MeasurementForm => format!("{STORAGE_PREFIX}.{tag}.measurement-form"),
            Kept::Outcomes => format!("{STORAGE_PREFIX}.{tag}.outcomes"),
            Kept::NoticeConfirmedSeen => format!("{STORAGE_PREFIX}.{tag}.notice-seen"),
            Kept::OutboxEntry(id) => format!("{STORAGE_PREFIX}.{tag}.outbox.{id}"),
        }
    }

    /// Whether `key` is one of this citizen's.
    pub fn owns(&self, key: &str) -> bool {
        key.starts_with(&self.key_prefix())
    }

    /// Whether `key` is one of this citizen's that an unsent save needs to be sent exactly once,
    /// or that holds what they typed: an entry (without IndexedDB), a creation key, a draft, the
    /// measurement form. Kept when the citizen signs out keeping their unsent saves.
    pub fn needed_unsent(&self, key: &str) -> bool {
        let Some(rest) = key.strip_prefix(&self.key_prefix()) else {
            return false;
        };
        ["outbox.", "key.", "draft."]
            .iter()
            .any(|p| rest.starts_with(p))
            || key == self.key(Kept::MeasurementForm)
    }

    /// The prefix of every key of this citizen (to forget them all).
    pub fn key_prefix(&self) -> String {
        format!("{STORAGE_PREFIX}.{}.", self.tag)
    }
}

/// FNV-1a (64 bit) of base and patient, as 16 hex digits: short, stable across versions, and
/// distinct for every person and backend a browser will ever see.
fn tag_of(fhir_base: &str, patient_id: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in fhir_base
        .bytes()
        .chain(std::iter::once(b'\n'))
        .chain(patient_id.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_renewal_request_or_notice_confirmation_can_be_answered_by_one_already_made() {
        use crate::domain::{kanta_notice, renewal};
        let now = crate::fhir::resources::instant_ms("2026-11-23T08:00:00Z").unwrap_or(0) as f64;
        let renewal = Record::RenewalRequest {
            prescription: "mr-1".into(),
        };
        let search = renewal.answer_search().unwrap_or_default();
        assert!(search.contains(&("focus", "MedicationRequest/mr-1".into())));
        let task = renewal::renewal_request("mr-1", "helmi", "2026-11-22T08:00:00Z", "urn:uuid:1");
        assert!(renewal.answered_by(&task, now));
        let other = Record::RenewalRequest {
            prescription: "mr-2".into(),
        };
        assert!(!other.answered_by(&task, now));

        let notice = Record::NoticeConfirmation {
            version: "v2".into(),
        };
        assert!(notice.answer_search().is_some());
        let read = |v| kanta_notice::read_confirmation(v, "helmi", "2026-11-22T08:00:00Z", "k");
        assert!(notice.answered_by(&read("v2"), now));
        assert!(!notice.answered_by(&read("v1"), now), "an older version's");

        assert!(renewal.is_request() && notice.is_request());
        // The request sent, processed since; not an earlier request the same key made.
        let mut accepted = task.clone();
        accepted["status"] = "accepted".into();
        assert!(renewal.same_request(&accepted, &task));
        let earlier =
            renewal::renewal_request("mr-1", "helmi", "2026-11-02T08:00:00Z", "urn:uuid:1");
        assert!(!renewal.same_request(&earlier, &task));
        let mut withdrawn = read("v2");
        withdrawn["status"] = "inactive".into();
        assert!(notice.same_request(&withdrawn, &read("v2")));
        let mut later = read("v2");
        later["dateTime"] = "2026-11-23T09:00:00Z".into();
        assert!(!notice.same_request(&withdrawn, &later));
        // Each new document, measurement or decision is the citizen's own: never answered.
        for record in [
            Record::LivingWill,
            Record::OrganDonation,
            Record::Measurement { id: "m".into() },
        ] {
            assert_eq!(record.answer_search(), None);
            assert!(!record.is_request());
            assert!(!record.same_request(&task, &task));
            assert!(!record.answered_by(&task, now));
        }
    }

    #[test]
    fn signing_out_keeps_only_what_unsent_saves_need() {
        let helmi = Citizen::new("https://fhir.example.fi/R4", "helmi");
        let matti = Citizen::new("https://fhir.example.fi/R4", "matti");
        let record = Record::OrganDonation;
        for kept in [
            Kept::OutboxEntry("urn:uuid:1"),
            Kept::CreationKey(&record),
            Kept::Draft(&record),
            Kept::MeasurementForm,
        ] {
            let key = helmi.key(kept);
            assert!(helmi.owns(&key) && helmi.needed_unsent(&key), "{key}");
            assert!(!matti.owns(&key) && !matti.needed_unsent(&key), "{key}");
        }
        for gone in [Kept::Outcomes, Kept::NoticeConfirmedSeen] {
            let key = helmi.key(gone);
            assert!(helmi.owns(&key) && !helmi.needed_unsent(&key), "{key}");
        }
    }
    use super::*;

    fn every_kind() -> Vec<Record> {
        vec![
            Record::OrganDonation,
            Record::AdvanceDirective,
            Record::LivingWill,
            Record::NoticeConfirmation {
                version: "2026-01/fi".into(),
            },
            Record::DisclosureConsent,
            Record::DisclosureRefusal {
                target: "Encounter/e1".into(),
            },
            Record::RenewalRequest {
                prescription: "rx-1".into(),
            },
            Record::Measurement {
                id: "urn:uuid:1".into(),
            },
        ]
    }

    #[test]
    fn every_record_has_its_own_key_that_parses_back() {
        let records = every_kind();
        for record in &records {
            assert_eq!(Record::parse(&record.key()).as_ref(), Some(record));
            assert!(crate::fhir::write::is_written_type(record.resource_type()));
            // The kind is the key's first part: nothing that identifies the record.
            assert_eq!(record.key().split('/').next(), Some(record.kind()));
        }
        let mut keys: Vec<String> = records.iter().map(Record::key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), records.len());
        for bad in [
            "",
            "notice",
            "notice/",
            "renewal",
            "x/y",
            "organ-donation/Patient/p",
        ] {
            assert_eq!(Record::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn records_of_one_kind_with_other_targets_are_other_records() {
        let a = Record::DisclosureRefusal {
            target: "Encounter/1".into(),
        };
        let b = Record::DisclosureRefusal {
            target: "MedicationRequest/1".into(),
        };
        assert_ne!(a.key(), b.key());
        assert_eq!(a.section(), View::Disclosures);
        assert_eq!(a.label(), SaveText::RecordDisclosure);
    }

    #[test]
    fn every_key_belongs_to_one_person_on_one_backend() {
        let helmi = Citizen::new("https://fhir.example.fi/R4", "helmi");
        let other_person = Citizen::new("https://fhir.example.fi/R4", "matti");
        let other_backend = Citizen::new("https://test.example.fi/R4", "helmi");
        // Base and patient cannot be shifted into each other.
        let shifted = Citizen::new("https://fhir.example.fi/R", "4\nhelmi");
        let record = Record::OrganDonation;
        let keys = |c: &Citizen| {
            vec![
                c.key(Kept::Draft(&record)),
                c.key(Kept::CreationKey(&record)),
                c.key(Kept::MeasurementForm),
                c.key(Kept::Outcomes),
                c.key(Kept::NoticeConfirmedSeen),
                c.key(Kept::OutboxEntry("urn:uuid:1")),
            ]
        };
        for other in [&other_person, &other_backend, &shifted] {
            assert_ne!(helmi.tag(), other.tag());
            for (a, b) in keys(&helmi).iter().zip(keys(other)) {
                assert_ne!(*a, b);
            }
        }
        for key in keys(&helmi) {
            assert!(key.starts_with(&helmi.key_prefix()), "{key}");
        }
        assert_eq!(
            helmi.tag(),
            Citizen::new("https://fhir.example.fi/R4", "helmi").tag()
        );
        assert_eq!(helmi.tag().len(), 16);
    }
}
