//! The advance directive (hoitotahto, DESIGN §2): structured wishes about care at the end of life
//! plus free text, as a `Consent` (scope `adr`, category consentcategorycodes `acd`).
//!
//! Each treatment wish is a nested provision that permits or denies the treatment (SNOMED CT
//! action); "not decided" is simply absent. The place of care and the person to be consulted,
//! which R4 `Consent` has no element for, travel in Tahto's extensions.

use serde_json::{Map, Value};

use super::organ_donation::NOTE_EXTENSION;
use crate::fhir::resources::{
    concept, extension_string, has_code, items, new_consent, replace_extensions, resource_type,
    revised, str_at, SNOMED,
};

const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const CATEGORY_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/consentcategorycodes";
/// The Finnish act on the status and rights of patients (785/1992), which gives the directive force.
const POLICY_URI: &str = "https://www.finlex.fi/fi/laki/ajantasa/1992/19920785";
pub const PLACE_EXTENSION: &str = "https://fhir.tahto.fi/StructureDefinition/place-of-care";
pub const CONSULT_EXTENSION: &str = "https://fhir.tahto.fi/StructureDefinition/person-to-consult";
/// Limits shown as the citizen types.
pub const NOTE_MAX_CHARS: usize = 4000;
pub const NAME_MAX_CHARS: usize = 200;
/// The longest phone number taken: an international number with spaces is about 20.
pub const PHONE_MAX_CHARS: usize = 30;

/// A treatment the citizen can accept or refuse in advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Treatment {
    Resuscitation,
    Ventilation,
    TubeFeeding,
    Dialysis,
}

impl Treatment {
    pub const ALL: [Treatment; 4] = [
        Treatment::Resuscitation,
        Treatment::Ventilation,
        Treatment::TubeFeeding,
        Treatment::Dialysis,
    ];

    /// SNOMED CT procedure code and English display.
    pub fn snomed(self) -> (&'static str, &'static str) {
        match self {
            Treatment::Resuscitation => ("89666000", "Cardiopulmonary resuscitation"),
            Treatment::Ventilation => ("40617009", "Artificial respiration"),
            Treatment::TubeFeeding => ("229912004", "Enteral feeding"),
            Treatment::Dialysis => ("108241001", "Dialysis procedure"),
        }
    }

    fn of(concept: &Value) -> Option<Treatment> {
        Treatment::ALL
            .into_iter()
            .find(|t| has_code(concept, SNOMED, t.snomed().0))
    }
}

/// What the citizen wants about one treatment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wish {
    Accept,
    Refuse,
}

/// Where the citizen wishes to be cared for at the end of life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceOfCare {
    Home,
    Hospice,
    Hospital,
}

impl PlaceOfCare {
    pub const ALL: [PlaceOfCare; 3] = [
        PlaceOfCare::Home,
        PlaceOfCare::Hospice,
        PlaceOfCare::Hospital,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlaceOfCare::Home => "home",
            PlaceOfCare::Hospice => "hospice",
            PlaceOfCare::Hospital => "hospital",
        }
    }
}

/// A person the care team should consult.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

/// A phone number as people write them: digits, spaces and `+ - ( ) /`, with at least one digit
/// and at most `PHONE_MAX_CHARS` characters (`+358 40 123 4567`, `(09) 123-456`).
pub fn is_phone_number(text: &str) -> bool {
    crate::text::char_count(text) <= PHONE_MAX_CHARS
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()/".contains(c))
}

/// A complete directive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdvanceDirective {
    /// The treatments decided about; a treatment not listed is "not decided".
    pub wishes: Vec<(Treatment, Wish)>,
    pub place_of_care: Option<PlaceOfCare>,
    pub consult: Option<Contact>,
    /// Cleaned free text; empty when none.
    pub note: String,
}

/// Why a directive cannot be saved yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectiveProblem {
    /// Nothing decided and nothing written: there is nothing to record.
    Empty,
    /// A phone number without the person's name.
    ContactWithoutName,
    NameTooLong {
        chars: usize,
    },
    /// Not a phone number: a letter or other sign in it, no digit, or far too long (a paste).
    PhoneInvalid,
    NoteTooLong {
        chars: usize,
    },
}

impl AdvanceDirective {
    /// The directive as it will be saved (texts cleaned of hidden characters and trimmed, an
    /// empty contact dropped, one wish per treatment), or the first reason it cannot be.
    pub fn checked(&self) -> Result<AdvanceDirective, DirectiveProblem> {
        let clean = |s: &str| crate::text::clean_input(s).0.trim().to_owned();
        let note = clean(&self.note);
        let chars = crate::text::char_count(&note);
        if chars > NOTE_MAX_CHARS {
            return Err(DirectiveProblem::NoteTooLong { chars });
        }
        let consult = match &self.consult {
            Some(c) => {
                let (name, phone) = (clean(&c.name), clean(&c.phone));
                let chars = crate::text::char_count(&name);
                if chars > NAME_MAX_CHARS {
                    return Err(DirectiveProblem::NameTooLong { chars });
                }
                if !phone.is_empty() && !is_phone_number(&phone) {
                    return Err(DirectiveProblem::PhoneInvalid);
                }
                match (name.is_empty(), phone.is_empty()) {
                    (true, true) => None,
                    (true, false) => return Err(DirectiveProblem::ContactWithoutName),
                    _ => Some(Contact { name, phone }),
                }
            }
            None => None,
        };
        let mut wishes: Vec<(Treatment, Wish)> = Vec::new();
        for (treatment, wish) in &self.wishes {
            wishes.retain(|(t, _)| t != treatment);
            wishes.push((*treatment, *wish));
        }
        let directive = AdvanceDirective {
            wishes,
            place_of_care: self.place_of_care,
            consult,
            note,
        };
        if directive.wishes.is_empty()
            && directive.place_of_care.is_none()
            && directive.consult.is_none()
            && directive.note.is_empty()
        {
            return Err(DirectiveProblem::Empty);
        }
        Ok(directive)
    }
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// Whether `consent` is an advance directive (not an organ donation decision or another consent).
pub fn is_advance_directive(consent: &Value) -> bool {
    resource_type(consent) == Some("Consent")
        && items(consent, "category")
            .iter()
            .any(|c| has_code(c, CATEGORY_SYSTEM, "acd"))
}

/// The `Consent` that records `directive` (checked first). With `previous`, everything Tahto does
/// not own is kept as the server sent it; without it, a new resource carrying `new_identifier`.
pub fn to_consent(
    directive: &AdvanceDirective,
    patient_id: &str,
    recorded_at: &str,
    previous: Option<&Value>,
    new_identifier: &str,
) -> Value {
    let mut consent = match previous {
        Some(previous) if previous.is_object() => revised(previous),
        _ => new_consent(
            new_identifier,
            patient_id,
            concept(CONSENT_SCOPE, "adr", "Advanced Care Directive"),
            vec![concept(CATEGORY_SYSTEM, "acd", "Advance Directive")],
            crate::object! { "policy": vec![crate::object! { "uri": POLICY_URI }] },
        ),
    };
    let nested: Vec<Value> = directive
        .wishes
        .iter()
        .map(|(treatment, wish)| {
            let (code, display) = treatment.snomed();
            crate::object! {
                "type": if *wish == Wish::Accept { "permit" } else { "deny" },
                "action": vec![concept(SNOMED, code, display)],
            }
        })
        .collect();
    let Some(fields) = consent.as_object_mut() else {
        return consent;
    };
    fields.insert("status".into(), text("active"));
    fields.insert("dateTime".into(), text(recorded_at));
    let provision = fields
        .entry("provision")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(provision) = provision.as_object_mut() {
        provision.insert("type".into(), text("permit"));
        // Nested provisions Tahto does not understand (no treatment it knows) stay.
        let foreign = provision
            .get("provision")
            .map(|p| {
                p.as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter(|n| {
                        !items(n, "action")
                            .iter()
                            .any(|a| Treatment::of(a).is_some())
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let all: Vec<Value> = nested.into_iter().chain(foreign).collect();
        if all.is_empty() {
            provision.remove("provision");
        } else {
            provision.insert("provision".into(), Value::Array(all));
        }
    }

    let mut extensions: Vec<Value> = Vec::new();
    if let Some(place) = directive.place_of_care {
        extensions.push(crate::object! { "url": PLACE_EXTENSION, "valueCode": place.code() });
    }
    if let Some(contact) = &directive.consult {
        let mut parts =
            vec![crate::object! { "url": "name", "valueString": contact.name.as_str() }];
        if !contact.phone.is_empty() {
            parts.push(crate::object! { "url": "phone", "valueString": contact.phone.as_str() });
        }
        extensions.push(crate::object! { "url": CONSULT_EXTENSION, "extension": parts });
    }
    if !directive.note.is_empty() {
        extensions
            .push(crate::object! { "url": NOTE_EXTENSION, "valueString": directive.note.as_str() });
    }
    let owned = [NOTE_EXTENSION, PLACE_EXTENSION, CONSULT_EXTENSION];
    replace_extensions(fields, &owned, extensions);
    consent
}

/// Reads a directive back from a stored `Consent`; `None` when it is not an active directive.
pub fn from_consent(consent: &Value) -> Option<AdvanceDirective> {
    if !is_advance_directive(consent) || str_at(consent, &["status"]) != Some("active") {
        return None;
    }
    let wishes = consent
        .get("provision")
        .map(|p| items(p, "provision"))
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            let treatment = items(n, "action").iter().find_map(Treatment::of)?;
            let wish = match str_at(n, &["type"])? {
                "permit" => Wish::Accept,
                "deny" => Wish::Refuse,
                _ => return None,
            };
            Some((treatment, wish))
        })
        .collect();
    let extension = |url: &str| {
        items(consent, "extension")
            .iter()
            .find(|e| str_at(e, &["url"]) == Some(url))
    };
    let place_of_care = extension(PLACE_EXTENSION)
        .and_then(|e| str_at(e, &["valueCode"]))
        .and_then(|code| PlaceOfCare::ALL.into_iter().find(|p| p.code() == code));
    let consult = extension(CONSULT_EXTENSION).map(|e| {
        let part = |name: &str| {
            items(e, "extension")
                .iter()
                .find(|p| str_at(p, &["url"]) == Some(name))
                .and_then(|p| str_at(p, &["valueString"]))
                .unwrap_or_default()
                .to_owned()
        };
        Contact {
            name: part("name"),
            phone: part("phone"),
        }
    });
    Some(AdvanceDirective {
        wishes,
        place_of_care,
        consult,
        note: extension_string(consent, NOTE_EXTENSION)
            .unwrap_or_default()
            .to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2026-11-23T10:15:00.000Z";

    fn directive() -> AdvanceDirective {
        AdvanceDirective {
            wishes: vec![
                (Treatment::Resuscitation, Wish::Refuse),
                (Treatment::Dialysis, Wish::Accept),
            ],
            place_of_care: Some(PlaceOfCare::Home),
            consult: Some(Contact {
                name: "Aino Esimerkki".into(),
                phone: "+358 40 123 4567".into(),
            }),
            note: "Haluan kivunlievitystä.".into(),
        }
    }

    #[test]
    fn a_directive_is_an_acd_consent_and_reads_back() {
        let d = directive();
        let c = to_consent(&d, "helmi", NOW, None, "urn:uuid:1");
        assert_eq!(c["scope"]["coding"][0]["code"], "adr");
        assert_eq!(c["category"][0]["coding"][0]["code"], "acd");
        assert_eq!(c["provision"]["type"], "permit");
        assert_eq!(c["provision"]["provision"][0]["type"], "deny");
        assert_eq!(
            c["provision"]["provision"][0]["action"][0]["coding"][0]["code"],
            "89666000"
        );
        assert_eq!(c["provision"]["provision"][1]["type"], "permit");
        assert!(is_advance_directive(&c));
        let text = serde_json::to_string(&c).unwrap_or_default();
        let back: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(from_consent(&back), Some(d));
    }

    #[test]
    fn an_update_keeps_what_tahto_does_not_own() {
        let stored = json!({
            "resourceType": "Consent", "id": "ad1", "meta": {"versionId": "2"}, "status": "active",
            "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "adr"}]},
            "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": "acd"}]}],
            "patient": {"reference": "Patient/helmi"},
            "extension": [{"url": "https://example.org/other", "valueBoolean": true},
                          {"url": PLACE_EXTENSION, "valueCode": "hospital"}],
            "provision": {"type": "permit", "period": {"start": "2020-01-01"},
                "provision": [{"type": "deny", "action": [{"coding": [{"system": "urn:oid:1.2.246", "code": "X"}]}]}]},
            "futureField": [1]
        });
        let mut d = directive();
        d.consult = None;
        d.note.clear();
        let c = to_consent(&d, "helmi", NOW, Some(&stored), "urn:uuid:new");
        for kept in ["id", "meta", "futureField", "patient"] {
            assert_eq!(c[kept], stored[kept], "{kept} survives");
        }
        assert_eq!(c["provision"]["period"], stored["provision"]["period"]);
        let nested = c["provision"]["provision"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(nested.len(), 3, "two wishes and the foreign provision");
        assert_eq!(
            c["extension"],
            json!([{"url": "https://example.org/other", "valueBoolean": true},
                   {"url": PLACE_EXTENSION, "valueCode": "home"}])
        );
        assert!(
            c.get("identifier").is_none(),
            "no new identifier on an existing record"
        );
    }

    #[test]
    fn checking_cleans_and_explains() {
        assert_eq!(
            AdvanceDirective::default().checked(),
            Err(DirectiveProblem::Empty)
        );
        let mut d = AdvanceDirective {
            consult: Some(Contact {
                name: " \u{200B}".into(),
                phone: "040 1".into(),
            }),
            ..Default::default()
        };
        assert_eq!(d.checked(), Err(DirectiveProblem::ContactWithoutName));
        d.consult = Some(Contact::default());
        d.wishes = vec![
            (Treatment::Ventilation, Wish::Accept),
            (Treatment::Ventilation, Wish::Refuse),
        ];
        let checked = d.checked().unwrap_or_default();
        assert_eq!(checked.consult, None, "an empty contact is dropped");
        assert_eq!(
            checked.wishes,
            vec![(Treatment::Ventilation, Wish::Refuse)],
            "the last wish counts"
        );
        d.note = "x".repeat(NOTE_MAX_CHARS + 1);
        assert_eq!(
            d.checked(),
            Err(DirectiveProblem::NoteTooLong {
                chars: NOTE_MAX_CHARS + 1
            })
        );
    }

    #[test]
    fn a_phone_number_is_digits_as_people_write_them() {
        for ok in ["+358 40 123 4567", "(09) 123-456", "040/1234567", "112"] {
            assert!(is_phone_number(ok), "{ok}");
        }
        let huge = "4".repeat(PHONE_MAX_CHARS + 1);
        for bad in ["040 ABC", "soita", "+-()", "040\u{202E}123", huge.as_str()] {
            assert!(!is_phone_number(bad), "{bad}");
        }
        let d = AdvanceDirective {
            consult: Some(Contact {
                name: "Maija".into(),
                phone: "040 l23".into(),
            }),
            ..Default::default()
        };
        assert_eq!(d.checked(), Err(DirectiveProblem::PhoneInvalid));
        let pasted = AdvanceDirective {
            consult: Some(Contact {
                name: "Maija".into(),
                phone: " 040\u{200B} 123\n".into(),
            }),
            ..Default::default()
        };
        let checked = pasted.checked().map(|d| d.consult);
        assert_eq!(
            checked,
            Ok(Some(Contact {
                name: "Maija".into(),
                phone: "040 123".into()
            })),
            "hidden characters and the spaces around are cleaned before the check"
        );
    }

    #[test]
    fn other_consents_are_not_directives() {
        let organ = json!({"resourceType": "Consent", "status": "active",
            "category": [{"coding": [{"system": "http://loinc.org", "code": "64300-7"}]}]});
        assert!(!is_advance_directive(&organ));
        assert_eq!(from_consent(&organ), None);
    }
}
