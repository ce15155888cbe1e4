//! Disclosure consents and refusals (DESIGN §2): whether care providers may disclose the citizen's
//! data to each other, and refusals for a single visit or prescription. Each is a `Consent` (scope
//! `patient-privacy`, action `disclose`); withdrawing one makes it `inactive`, so the record of
//! what was given and when stays.

use serde_json::Value;

use crate::fhir::resources::{
    any_has_code, concept, has_code, items, new_consent, resource_type, revised, str_at, LOINC,
};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
/// LOINC "Patient consent".
const CATEGORY_PATIENT_CONSENT: &str = "59284-0";
/// The Finnish act on electronic processing of client data in health and social care (784/2021).
const POLICY_URI: &str = "https://www.finlex.fi/fi/laki/ajantasa/2021/20210784";

/// One disclosure decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disclosure {
    /// Care providers may disclose the citizen's data to each other for their care.
    ConsentToDisclose,
    /// The data of one visit (`Encounter/<id>`) or prescription (`MedicationRequest/<id>`) may
    /// not be disclosed.
    Refusal { target: String },
}

/// What a stored decision says, and whether it is in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisclosureRecord {
    pub disclosure: Disclosure,
    pub active: bool,
}

/// Whether `target` names something a refusal can be about.
pub fn is_refusable(target: &str) -> bool {
    target.split_once('/').is_some_and(|(kind, id)| {
        matches!(kind, "Encounter" | "MedicationRequest") && !id.is_empty()
    })
}

/// The `Consent` that gives `disclosure`.
pub fn to_consent(
    disclosure: &Disclosure,
    patient_id: &str,
    recorded_at: &str,
    new_identifier: &str,
) -> Value {
    let mut provision = crate::object! {
        "type": if *disclosure == Disclosure::ConsentToDisclose { "permit" } else { "deny" },
        "action": vec![concept(CONSENT_ACTION, "disclose", "Disclose")],
    };
    if let (Disclosure::Refusal { target }, Some(fields)) = (disclosure, provision.as_object_mut())
    {
        fields.insert(
            "data".into(),
            Value::from(vec![crate::object! {
                "meaning": "related",
                "reference": crate::object! { "reference": target.as_str() },
            }]),
        );
    }
    new_consent(
        new_identifier,
        patient_id,
        concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        vec![concept(LOINC, CATEGORY_PATIENT_CONSENT, "Patient Consent")],
        crate::object! {
            "dateTime": recorded_at,
            "policy": vec![crate::object! { "uri": POLICY_URI }],
            "provision": provision,
        },
    )
}

/// The stored decision, withdrawn at `at`: `inactive`, everything else as the server holds it
/// (but its narrative: `revised`).
pub fn withdrawn(stored: &Value, at: &str) -> Value {
    let mut consent = revised(stored);
    if let Some(fields) = consent.as_object_mut() {
        fields.insert("status".into(), Value::String("inactive".into()));
        fields.insert("dateTime".into(), Value::String(at.to_owned()));
    }
    consent
}

/// Reads a disclosure decision; `None` for any other kind of consent.
pub fn from_consent(consent: &Value) -> Option<DisclosureRecord> {
    if resource_type(consent) != Some("Consent")
        || !consent
            .get("scope")
            .is_some_and(|s| has_code(s, CONSENT_SCOPE, "patient-privacy"))
        || !any_has_code(consent, "category", LOINC, CATEGORY_PATIENT_CONSENT)
    {
        return None;
    }
    let provision = consent.get("provision")?;
    if !items(provision, "action")
        .iter()
        .any(|a| has_code(a, CONSENT_ACTION, "disclose"))
    {
        return None;
    }
    let disclosure = match str_at(provision, &["type"])? {
        "permit" => Disclosure::ConsentToDisclose,
        "deny" => Disclosure::Refusal {
            target: items(provision, "data")
                .iter()
                .find_map(|d| str_at(d, &["reference", "reference"]))
                .filter(|t| is_refusable(t))?
                .to_owned(),
        },
        _ => return None,
    };
    Some(DisclosureRecord {
        disclosure,
        active: str_at(consent, &["status"]) == Some("active"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2026-11-23T10:15:00.000Z";

    #[test]
    fn consents_and_refusals_map_and_read_back() {
        for d in [
            Disclosure::ConsentToDisclose,
            Disclosure::Refusal {
                target: "Encounter/enc-7".into(),
            },
            Disclosure::Refusal {
                target: "MedicationRequest/mr-2".into(),
            },
        ] {
            let c = to_consent(&d, "helmi", NOW, "urn:uuid:1");
            assert_eq!(c["scope"]["coding"][0]["code"], "patient-privacy");
            assert_eq!(c["provision"]["action"][0]["coding"][0]["code"], "disclose");
            let text = serde_json::to_string(&c).unwrap_or_default();
            let back: Value = serde_json::from_str(&text).unwrap_or_default();
            assert_eq!(
                from_consent(&back),
                Some(DisclosureRecord {
                    disclosure: d,
                    active: true
                })
            );
        }
    }

    #[test]
    fn withdrawing_keeps_the_record_and_makes_it_inactive() {
        let mut stored = to_consent(&Disclosure::ConsentToDisclose, "helmi", NOW, "urn:uuid:1");
        stored["id"] = json!("c9");
        stored["meta"] = json!({"versionId": "1"});
        stored["text"] = json!({"status": "generated", "div": "<div>Consent in force</div>"});
        let w = withdrawn(&stored, "2026-12-01T09:00:00Z");
        assert_eq!(w["status"], "inactive");
        assert_eq!(w.get("text"), None, "a narrative saying 'in force' goes");
        assert_eq!(w["id"], "c9");
        assert_eq!(w["identifier"], stored["identifier"]);
        assert_eq!(from_consent(&w).map(|r| r.active), Some(false));
    }

    #[test]
    fn other_consents_and_odd_targets_are_not_read_as_disclosures() {
        let organ = json!({"resourceType": "Consent", "status": "active",
            "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "adr"}]},
            "category": [{"coding": [{"system": LOINC, "code": "59284-0"}]}],
            "provision": {"type": "permit"}});
        assert_eq!(from_consent(&organ), None);
        assert!(is_refusable("Encounter/e1"));
        assert!(!is_refusable("Patient/helmi"));
        assert!(!is_refusable("Encounter/"));
        let odd = to_consent(
            &Disclosure::Refusal {
                target: "Patient/helmi".into(),
            },
            "helmi",
            NOW,
            "urn:uuid:2",
        );
        assert_eq!(from_consent(&odd), None);
    }
}
