//! The living will (DESIGN §2): the citizen's free text as a `DocumentReference` (type LOINC
//! 86533-7) with a `text/plain; charset=utf-8` attachment. A new version is a new document that
//! `replaces` the previous one, so every earlier version stays on record.

use serde_json::Value;

use crate::fhir::resources::{
    concept, has_code, items, resource_type, str_at, IDENTIFIER_SYSTEM, LOINC,
};
use crate::text::{base64_decode, base64_encode, char_count, clean_input, Removed};

/// LOINC "Living will".
pub const LIVING_WILL: &str = "86533-7";
/// The longest text accepted, shown to the citizen as they type.
pub const MAX_CHARS: usize = 20_000;

/// Why a living will cannot be saved yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WillProblem {
    Empty,
    TooLong { chars: usize },
}

/// The text as it will be saved, with what cleaning removed (for the visible note), or the
/// reason it cannot be saved.
pub fn prepare(input: &str) -> Result<(String, Removed), WillProblem> {
    let (text, removed) = clean_input(input);
    let text = text.trim().to_owned();
    let chars = char_count(&text);
    if chars == 0 {
        return Err(WillProblem::Empty);
    }
    if chars > MAX_CHARS {
        return Err(WillProblem::TooLong { chars });
    }
    Ok((text, removed))
}

/// A living will document holding `text`, written at `date`. With `previous` (the current
/// document's id), the new one replaces it.
pub fn to_document(
    text: &str,
    patient_id: &str,
    date: &str,
    previous: Option<&str>,
    identifier: &str,
) -> Value {
    let mut document = crate::object! {
        "resourceType": "DocumentReference",
        "identifier": vec![crate::object! { "system": IDENTIFIER_SYSTEM, "value": identifier }],
        "status": "current",
        "type": concept(LOINC, LIVING_WILL, "Living will"),
        "subject": crate::object! { "reference": format!("Patient/{patient_id}") },
        "author": vec![crate::object! { "reference": format!("Patient/{patient_id}") }],
        "date": date,
        "content": vec![crate::object! {
            "attachment": crate::object! {
                "contentType": "text/plain; charset=utf-8",
                "data": base64_encode(text.as_bytes()),
                "creation": date,
            },
        }],
    };
    if let (Some(previous), Some(fields)) = (previous, document.as_object_mut()) {
        fields.insert(
            "relatesTo".into(),
            Value::from(vec![crate::object! {
                "code": "replaces",
                "target": crate::object! { "reference": format!("DocumentReference/{previous}") },
            }]),
        );
    }
    document
}

/// Whether `doc` is a current living will.
pub fn is_current_living_will(doc: &Value) -> bool {
    resource_type(doc) == Some("DocumentReference")
        && str_at(doc, &["status"]) == Some("current")
        && doc
            .get("type")
            .is_some_and(|t| has_code(t, LOINC, LIVING_WILL))
}

/// The text of a living will document; `None` when it has no readable UTF-8 text.
pub fn text_of(doc: &Value) -> Option<String> {
    items(doc, "content")
        .iter()
        .filter_map(|c| c.get("attachment"))
        .filter(|a| str_at(a, &["contentType"]).is_none_or(|t| t.starts_with("text/plain")))
        .find_map(|a| str_at(a, &["data"]))
        .and_then(base64_decode)
        .and_then(|bytes| String::from_utf8(bytes).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_text_is_cleaned_and_the_limit_is_kept() {
        let (text, removed) =
            prepare("  En halua\u{200B} elvytystä.\u{0007}\r\n  ").unwrap_or_default();
        assert_eq!(text, "En halua elvytystä.");
        assert_eq!((removed.invisible, removed.control), (1, 1));
        assert_eq!(prepare(" \u{200B} "), Err(WillProblem::Empty));
        let long = "ä".repeat(MAX_CHARS + 1);
        assert_eq!(
            prepare(&long),
            Err(WillProblem::TooLong {
                chars: MAX_CHARS + 1
            })
        );
    }

    #[test]
    fn a_new_version_replaces_the_old_and_the_text_round_trips() {
        let text = "Toivon kotihoitoa.\n\nÄlä elvytä. 🙂";
        let doc = to_document(
            text,
            "helmi",
            "2026-11-23T08:00:00Z",
            Some("lw-1"),
            "urn:uuid:1",
        );
        assert_eq!(doc["type"]["coding"][0]["code"], LIVING_WILL);
        assert_eq!(
            doc["content"][0]["attachment"]["contentType"],
            "text/plain; charset=utf-8"
        );
        assert_eq!(doc["relatesTo"][0]["code"], "replaces");
        assert_eq!(
            doc["relatesTo"][0]["target"]["reference"],
            "DocumentReference/lw-1"
        );
        assert!(is_current_living_will(&doc));
        assert_eq!(text_of(&doc).as_deref(), Some(text));
        let first = to_document(text, "helmi", "2026-11-23T08:00:00Z", None, "urn:uuid:1");
        assert!(first.get("relatesTo").is_none());
    }
}
