//! The organ donation decision (elinluovutustahto) and its FHIR `Consent` form (DESIGN §2).

use serde_json::{Map, Value};

use crate::fhir::resources::{
    any_has_code, concept, extension_string, items, new_consent, replace_extensions, resource_type,
    revised, str_at,
};

pub use crate::fhir::resources::{IDENTIFIER_SYSTEM, LOINC, SNOMED};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// LOINC "Patient consent" and the organ donation category: together they identify the decision.
pub const CATEGORY_PATIENT_CONSENT: &str = "59284-0";
pub const CATEGORY_ORGAN_DONATION: &str = "64300-7";
/// SNOMED CT "Donation of organ" — the action the provision permits or denies.
const ACTION_ORGAN_DONATION: &str = "53958007";
/// The Finnish act on the medical use of human organs, tissues and cells (101/2001).
const POLICY_URI: &str = "https://www.finlex.fi/fi/laki/ajantasa/2001/20010101";
const POLICY_AUTHORITY: &str = "https://www.finlex.fi";
/// Where the citizen's free-text note travels: R4 `Consent` has no note element of its own.
pub const NOTE_EXTENSION: &str = "https://fhir.tahto.fi/StructureDefinition/citizen-note";
/// A note longer than this is refused before sending, with the count shown as the citizen types.
pub const NOTE_MAX_CHARS: usize = 1000;

/// What the citizen decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DonationChoice {
    /// Consents to donating organs and tissues.
    Consent,
    /// Refuses donation.
    Refuse,
    /// Consents, except for the listed organs and tissues.
    ConsentExcept,
}

/// Organs and tissues a citizen can exclude, with their SNOMED CT body structure codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Organ {
    Kidneys,
    Liver,
    Heart,
    Lungs,
    Pancreas,
    SmallIntestine,
    Corneas,
    Skin,
    Bones,
    HeartValves,
}

/// The organs of `organs`, each once, in the order of [`Organ::ALL`] (what a sort and dedup
/// would give, without a generic sort's code in the wasm).
fn in_order(organs: &[Organ]) -> Vec<Organ> {
    Organ::ALL
        .into_iter()
        .filter(|o| organs.contains(o))
        .collect()
}

impl Organ {
    pub const ALL: [Organ; 10] = [
        Organ::Kidneys,
        Organ::Liver,
        Organ::Heart,
        Organ::Lungs,
        Organ::Pancreas,
        Organ::SmallIntestine,
        Organ::Corneas,
        Organ::Skin,
        Organ::Bones,
        Organ::HeartValves,
    ];

    /// SNOMED CT code and English display.
    pub fn snomed(self) -> (&'static str, &'static str) {
        match self {
            Organ::Kidneys => ("64033007", "Kidney structure"),
            Organ::Liver => ("10200004", "Liver structure"),
            Organ::Heart => ("80891009", "Heart structure"),
            Organ::Lungs => ("39607008", "Lung structure"),
            Organ::Pancreas => ("15776009", "Pancreatic structure"),
            Organ::SmallIntestine => ("30315005", "Small intestine structure"),
            Organ::Corneas => ("28726007", "Corneal structure"),
            Organ::Skin => ("39937001", "Skin structure"),
            Organ::Bones => ("272673000", "Bone structure"),
            Organ::HeartValves => ("17401000", "Cardiac valve structure"),
        }
    }

    fn from_code(code: &Value) -> Option<Organ> {
        Organ::ALL
            .into_iter()
            .find(|organ| crate::fhir::resources::has_code(code, SNOMED, organ.snomed().0))
    }
}

/// A complete decision, ready to be saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganDonation {
    pub choice: DonationChoice,
    /// Sorted, without duplicates; empty unless `choice` is `ConsentExcept`.
    pub excluded: Vec<Organ>,
    /// Cleaned free text; empty when none.
    pub note: String,
}

/// What the form holds while the citizen is deciding (persisted as they type).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganDonationDraft {
    pub choice: Option<DonationChoice>,
    pub excluded: Vec<Organ>,
    pub note: String,
}

/// Why a draft cannot be saved yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftProblem {
    NoChoice,
    NoOrganExcluded,
    NoteTooLong { chars: usize },
}

impl DonationChoice {
    pub const ALL: [DonationChoice; 3] = [
        DonationChoice::Consent,
        DonationChoice::Refuse,
        DonationChoice::ConsentExcept,
    ];

    /// Its name in a stored draft.
    pub fn code(self) -> &'static str {
        match self {
            DonationChoice::Consent => "consent",
            DonationChoice::Refuse => "refuse",
            DonationChoice::ConsentExcept => "consent-except",
        }
    }
}

impl OrganDonationDraft {
    /// The draft as kept on the device while the citizen types: the choice, the SNOMED CT codes
    /// of the excluded organs, the note.
    pub fn to_stored(&self) -> Value {
        crate::object! {
            "choice": self.choice.map(DonationChoice::code),
            "excluded": self.excluded.iter().map(|o| o.snomed().0).collect::<Vec<_>>(),
            "note": self.note.as_str(),
        }
    }

    /// Reads a kept draft; what it cannot read is left out rather than guessed.
    pub fn from_stored(v: &Value) -> Self {
        let choice = str_at(v, &["choice"])
            .and_then(|c| DonationChoice::ALL.into_iter().find(|d| d.code() == c));
        let excluded: Vec<Organ> = items(v, "excluded")
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|code| Organ::ALL.into_iter().find(|o| o.snomed().0 == code))
            .collect();
        let excluded = in_order(&excluded);
        Self {
            choice,
            excluded,
            note: str_at(v, &["note"]).unwrap_or_default().to_owned(),
        }
    }

    pub fn toggle(&mut self, organ: Organ, on: bool) {
        self.excluded.retain(|o| *o != organ);
        if on {
            self.excluded.push(organ);
            self.excluded = in_order(&self.excluded);
        }
    }

    /// The decision this draft describes, or the first reason it is not complete.
    pub fn decision(&self) -> Result<OrganDonation, DraftProblem> {
        let choice = self.choice.ok_or(DraftProblem::NoChoice)?;
        let (note, _) = crate::text::clean_input(self.note.trim());
        let chars = crate::text::char_count(&note);
        if chars > NOTE_MAX_CHARS {
            return Err(DraftProblem::NoteTooLong { chars });
        }
        let excluded = if choice == DonationChoice::ConsentExcept {
            in_order(&self.excluded)
        } else {
            Vec::new()
        };
        if choice == DonationChoice::ConsentExcept && excluded.is_empty() {
            return Err(DraftProblem::NoOrganExcluded);
        }
        Ok(OrganDonation {
            choice,
            excluded,
            note: note.trim().to_owned(),
        })
    }
}

impl From<&OrganDonation> for OrganDonationDraft {
    fn from(d: &OrganDonation) -> Self {
        Self {
            choice: Some(d.choice),
            excluded: d.excluded.clone(),
            note: d.note.clone(),
        }
    }
}

fn action() -> Value {
    concept(SNOMED, ACTION_ORGAN_DONATION, "Donation of organ")
}

/// True when the resource is an organ donation decision (and not another kind of consent).
pub fn is_organ_donation(consent: &Value) -> bool {
    resource_type(consent) == Some("Consent")
        && any_has_code(consent, "category", LOINC, CATEGORY_ORGAN_DONATION)
}

/// A new `Consent` for the decision of `patient_id`, carrying `new_identifier` (a `urn:uuid:`) so
/// a retried create can be recognised and never duplicated.
fn new_decision(patient_id: &str, new_identifier: &str) -> Value {
    let category = vec![
        concept(LOINC, CATEGORY_PATIENT_CONSENT, "Patient Consent"),
        crate::object! {
            "coding": vec![crate::object! { "system": LOINC, "code": CATEGORY_ORGAN_DONATION }],
            "text": "Organ donation decision",
        },
    ];
    let rest = crate::object! {
        "policy": vec![crate::object! { "authority": POLICY_AUTHORITY, "uri": POLICY_URI }],
    };
    let scope = concept(CONSENT_SCOPE, "adr", "Advanced Care Directive");
    new_consent(new_identifier, patient_id, scope, category, rest)
}

/// The `Consent` that records `decision`.
///
/// With `previous` (the stored version), everything Tahto does not own is kept as the server sent
/// it — id, meta, identifiers, unknown fields, other extensions, exclusions coded by other systems —
/// so an update never drops data. Without it, a new resource (see [`new_decision`]).
pub fn to_consent(
    decision: &OrganDonation,
    patient_id: &str,
    recorded_at: &str,
    previous: Option<&Value>,
    new_identifier: &str,
) -> Value {
    let mut consent = match previous {
        Some(previous) if previous.is_object() => revised(previous),
        _ => new_decision(patient_id, new_identifier),
    };
    let permit = decision.choice != DonationChoice::Refuse;
    // Exclusions Tahto cannot name (coded elsewhere) survive while the decision stays "except".
    let foreign_exclusions = consent
        .get("provision")
        .map(|p| items(p, "provision"))
        .unwrap_or_default()
        .iter()
        .filter(|_| decision.choice == DonationChoice::ConsentExcept)
        .filter(|n| {
            !items(n, "code")
                .iter()
                .any(|c| Organ::from_code(c).is_some())
        })
        .cloned();
    let nested: Vec<Value> = decision
        .excluded
        .iter()
        .map(|organ| {
            let (code, display) = organ.snomed();
            crate::object! {
                "type": "deny",
                "action": vec![action()],
                "code": vec![concept(SNOMED, code, display)],
            }
        })
        .chain(foreign_exclusions)
        .collect();
    let Some(fields) = consent.as_object_mut() else {
        return consent;
    };
    fields.insert("status".into(), "active".into());
    fields.insert("dateTime".into(), recorded_at.into());
    fields.insert(
        "policyRule".into(),
        if permit {
            concept(ACT_CODE, "OPTIN", "opt-in")
        } else {
            concept(ACT_CODE, "OPTOUT", "opt-out")
        },
    );

    let provision = fields
        .entry("provision")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(provision) = provision.as_object_mut() {
        provision.insert("type".into(), if permit { "permit" } else { "deny" }.into());
        provision.insert("action".into(), Value::from(vec![action()]));
        if nested.is_empty() {
            provision.remove("provision");
        } else {
            provision.insert("provision".into(), Value::Array(nested));
        }
    }

    let note = (!decision.note.is_empty())
        .then(|| crate::object! { "url": NOTE_EXTENSION, "valueString": decision.note.as_str() });
    replace_extensions(fields, &[NOTE_EXTENSION], note.into_iter().collect());
    consent
}

/// Reads a decision back from a stored `Consent`; `None` when it is not one Tahto can show.
pub fn from_consent(consent: &Value) -> Option<OrganDonation> {
    if !is_organ_donation(consent) || str_at(consent, &["status"]) != Some("active") {
        return None;
    }
    let provision = consent.get("provision")?;
    let note = extension_string(consent, NOTE_EXTENSION)
        .unwrap_or_default()
        .to_owned();
    let nested = items(provision, "provision");
    let excluded: Vec<Organ> = nested
        .iter()
        .filter(|n| str_at(n, &["type"]) == Some("deny"))
        .flat_map(|n| items(n, "code").iter().filter_map(Organ::from_code))
        .collect();
    let mut excluded = in_order(&excluded);
    let choice = match str_at(provision, &["type"])? {
        "deny" => DonationChoice::Refuse,
        "permit" if excluded.is_empty() && nested.is_empty() => DonationChoice::Consent,
        "permit" => DonationChoice::ConsentExcept,
        _ => return None,
    };
    if choice != DonationChoice::ConsentExcept {
        excluded.clear();
    }
    Some(OrganDonation {
        choice,
        excluded,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2026-11-23T10:15:00.000Z";
    const UUID: &str = "urn:uuid:6f1c1f4e-8f0a-4f7e-9a51-3f7f0f2b9d11";

    fn except(organs: &[Organ], note: &str) -> OrganDonation {
        OrganDonation {
            choice: DonationChoice::ConsentExcept,
            excluded: organs.to_vec(),
            note: note.into(),
        }
    }

    #[test]
    fn a_new_consent_has_the_codes_of_design_section_2() {
        let decision = OrganDonation {
            choice: DonationChoice::Consent,
            excluded: vec![],
            note: String::new(),
        };
        let v = to_consent(&decision, "helmi", NOW, None, UUID);
        assert_eq!(v["resourceType"], "Consent");
        assert_eq!(v["status"], "active");
        assert_eq!(v["scope"]["coding"][0]["code"], "adr");
        assert_eq!(v["category"][0]["coding"][0]["code"], "59284-0");
        assert_eq!(v["category"][1]["coding"][0]["code"], "64300-7");
        assert_eq!(v["patient"]["reference"], "Patient/helmi");
        assert_eq!(v["dateTime"], NOW);
        assert_eq!(v["identifier"][0]["system"], "urn:ietf:rfc:3986");
        assert_eq!(v["identifier"][0]["value"], UUID);
        assert_eq!(v["provision"]["type"], "permit");
        assert_eq!(v["provision"]["action"][0]["coding"][0]["code"], "53958007");
        assert_eq!(v["policyRule"]["coding"][0]["code"], "OPTIN");
        assert!(v.get("provision").unwrap().get("provision").is_none());
        assert!(v.get("id").is_none() && v.get("meta").is_none());
    }

    #[test]
    fn refusal_is_a_deny_provision() {
        let decision = OrganDonation {
            choice: DonationChoice::Refuse,
            excluded: vec![],
            note: String::new(),
        };
        let consent = to_consent(&decision, "helmi", NOW, None, UUID);
        let v = consent.clone();
        assert_eq!(v["provision"]["type"], "deny");
        assert_eq!(v["policyRule"]["coding"][0]["code"], "OPTOUT");
        assert_eq!(from_consent(&consent), Some(decision));
    }

    #[test]
    fn exceptions_are_nested_deny_provisions_and_read_back() {
        let decision = except(&[Organ::Kidneys, Organ::Corneas], "Äidin toive: ei sydäntä");
        let consent = to_consent(&decision, "helmi", NOW, None, UUID);
        let v = consent.clone();
        let nested = v["provision"]["provision"].as_array().unwrap();
        assert_eq!(nested.len(), 2);
        assert!(nested.iter().all(|n| n["type"] == "deny"));
        assert_eq!(nested[0]["code"][0]["coding"][0]["code"], "64033007");
        assert_eq!(v["extension"][0]["url"], NOTE_EXTENSION);
        assert_eq!(v["extension"][0]["valueString"], "Äidin toive: ei sydäntä");
        // Through JSON text, as it travels.
        let text = serde_json::to_string(&consent).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(from_consent(&back), Some(decision));
    }

    #[test]
    fn an_update_keeps_everything_the_server_sent_that_tahto_does_not_own() {
        let stored = json!({
            "resourceType": "Consent",
            "id": "c1",
            "meta": {"versionId": "3", "lastUpdated": "2026-11-20T08:00:00Z", "source": "kanta", "tag": [{"code": "x"}]},
            "language": "fi",
            "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
            "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:old", "use": "official"}],
            "status": "active",
            "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "adr", "userSelected": true}]},
            "category": [
                {"coding": [{"system": LOINC, "code": "59284-0"}]},
                {"coding": [{"system": LOINC, "code": "64300-7"}]}
            ],
            "patient": {"reference": "Patient/helmi", "display": "Helmi Esimerkki"},
            "performer": [{"reference": "Patient/helmi"}],
            "organization": [{"display": "Kanta"}],
            "extension": [{"url": "https://example.org/other", "valueBoolean": true},
                          {"url": NOTE_EXTENSION, "valueString": "old note"}],
            "provision": {
                "type": "permit",
                "period": {"start": "2020-01-01"},
                "provision": [
                    {"type": "deny", "code": [{"coding": [{"system": "urn:oid:1.2.246.537", "code": "99"}], "text": "Local code"}]}
                ]
            },
            "futureR5Field": {"kept": [1, 2, 3]}
        });
        let decision = except(&[Organ::Heart], "");
        let updated = to_consent(&decision, "helmi", NOW, Some(&stored), UUID);

        for kept in [
            "id",
            "meta",
            "language",
            "identifier",
            "scope",
            "patient",
            "performer",
            "organization",
            "futureR5Field",
        ] {
            assert_eq!(
                updated[kept], stored[kept],
                "field {kept} must survive an update"
            );
        }
        // The narrative said the old decision in words; Tahto cannot write it again.
        assert_eq!(updated.get("text"), None, "the old narrative goes");
        assert_eq!(updated["dateTime"], NOW);
        assert_eq!(
            updated["provision"]["period"],
            stored["provision"]["period"]
        );
        // The old note is gone (the citizen cleared it); the other extension stays.
        assert_eq!(
            updated["extension"],
            json!([{"url": "https://example.org/other", "valueBoolean": true}])
        );
        let nested = updated["provision"]["provision"].as_array().unwrap();
        assert_eq!(nested.len(), 2, "Tahto's exclusion plus the foreign one");
        assert!(nested.iter().any(|n| n["code"][0]["text"] == "Local code"));
        // The retry identifier of a new resource is never forced onto an existing one.
        assert_eq!(updated["identifier"][0]["value"], "urn:uuid:old");
    }

    #[test]
    fn other_consents_are_not_taken_for_a_donation_decision() {
        let other = json!({
            "resourceType": "Consent", "status": "active",
            "scope": {"coding": [{"code": "patient-privacy"}]},
            "category": [{"coding": [{"system": LOINC, "code": "57016-8"}]}],
            "provision": {"type": "permit"}
        });
        assert_eq!(from_consent(&other), None);
    }

    #[test]
    fn drafts_are_kept_and_read_back() {
        let draft = OrganDonationDraft {
            choice: Some(DonationChoice::ConsentExcept),
            excluded: vec![Organ::Kidneys, Organ::HeartValves],
            note: "ei sydäntä".into(),
        };
        let text = serde_json::to_string(&draft.to_stored()).unwrap();
        let back = OrganDonationDraft::from_stored(&serde_json::from_str(&text).unwrap());
        assert_eq!(back, draft);
        assert_eq!(
            OrganDonationDraft::from_stored(&json!({"choice": "maybe", "excluded": [1, "x"]})),
            OrganDonationDraft::default()
        );
    }

    #[test]
    fn drafts_explain_what_is_missing() {
        let mut draft = OrganDonationDraft::default();
        assert_eq!(draft.decision(), Err(DraftProblem::NoChoice));
        draft.choice = Some(DonationChoice::ConsentExcept);
        assert_eq!(draft.decision(), Err(DraftProblem::NoOrganExcluded));
        draft.toggle(Organ::Liver, true);
        draft.toggle(Organ::Kidneys, true);
        draft.toggle(Organ::Liver, true);
        assert_eq!(
            draft.decision().unwrap().excluded,
            vec![Organ::Kidneys, Organ::Liver]
        );
        draft.note = "x".repeat(NOTE_MAX_CHARS + 1);
        assert_eq!(
            draft.decision(),
            Err(DraftProblem::NoteTooLong {
                chars: NOTE_MAX_CHARS + 1
            })
        );
        draft.note = "  ei\u{200B} sydäntä  ".into();
        assert_eq!(draft.decision().unwrap().note, "ei sydäntä");
        draft.choice = Some(DonationChoice::Refuse);
        assert!(draft.decision().unwrap().excluded.is_empty());
    }
}
