//! How Tahto writes a resource, and the proof that the server stored it.
//!
//! Plain HTTP semantics of FHIR writes; the save pipeline (`save/`) decides which to use. The
//! checks on a server's answer live here, free of browser code, so they are tested natively:
//! whatever a server or something in between answers, only the stored resource with its id and
//! versionId becomes a [`Receipt`].

use serde_json::Value;

use super::resources::{id, last_updated, resource_type, version_id};
use super::FhirError;

/// How a resource is written to the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// `POST`, with `If-None-Exist: identifier=<key>` so a retry can never store a second copy.
    Create {
        /// The identifier (`system|value`) the new resource carries.
        creation_key: String,
        /// What to look for on the server before the create is sent, if anything
        /// (`outbox::after_look_first`).
        look_first: Option<LookFirst>,
    },
    /// `PUT <type>/<id>` with `If-Match: W/"<version>"`: never overwrites a change made elsewhere.
    Update { id: String, if_match: String },
}

/// A search a create makes before it is sent (a query string), and what a find means. Made on
/// another device meanwhile, what it finds is one the citizen's device could not have seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookFirst {
    /// The version in force of a record that has one: a version found is a conflict, shown to
    /// the citizen, never joined by a second decision.
    InForce(String),
    /// A resource that already does what the create would (`Record::answered_by`: a renewal
    /// request still open, a confirmation of the same notice version): one found settles the
    /// save against it, so two devices never make two requests.
    Answer(String),
}

impl LookFirst {
    pub fn query(&self) -> &str {
        match self {
            LookFirst::InForce(query) | LookFirst::Answer(query) => query,
        }
    }
}

/// `params` as a URL query (without the `?`) or an `application/x-www-form-urlencoded` body,
/// every name and value percent-encoded.
pub fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Proof that the server stored a save: only ever built from a 2xx answer carrying both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    pub version_id: String,
    /// When the server stored it (`Last-Modified` or `meta.lastUpdated`), as the server said it.
    pub server_time: Option<String>,
}

/// The resource types Tahto writes. Anything else is refused before a request is made: a write
/// of another type would be a bug, and must not reach a national health record.
pub const WRITTEN_TYPES: [&str; 4] = ["Consent", "DocumentReference", "Task", "Observation"];

pub fn is_written_type(resource_type: &str) -> bool {
    WRITTEN_TYPES.contains(&resource_type)
}

/// FHIR R4 `id` (and `meta.versionId`, an `id` too): `[A-Za-z0-9\-\.]{1,64}`. Anything else is not
/// a version the server can have stored, and may not even be sendable back in `If-Match`.
pub fn is_fhir_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// A resource type as FHIR spells one (`Consent`): safe as a URL path segment.
pub fn is_resource_type_name(value: &str) -> bool {
    let mut bytes = value.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && value.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric())
}

/// `If-Match` for `version`, or `None` when the version cannot be what a FHIR server stored
/// (a browser throws on some such header values instead of sending them).
pub fn if_match_header(version: &str) -> Option<String> {
    is_fhir_id(version).then(|| format!("W/\"{version}\""))
}

/// Whether a header value is plain visible ASCII (and spaces inside): always accepted by
/// `Headers.set`, and sent as is.
pub fn is_header_safe(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 1024
        && value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && !value.starts_with(' ')
        && !value.ends_with(' ')
}

/// Percent-encodes a URL path segment or query value (RFC 3986 unreserved characters pass).
pub fn encode(value: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Reads a weak or strong ETag (`W/"3"`, `"3"`) into a versionId; `None` unless it is exactly
/// one quoted FHIR id.
pub fn version_from_etag(etag: &str) -> Option<String> {
    let etag = etag.trim();
    let quoted = etag.strip_prefix("W/").unwrap_or(etag);
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    is_fhir_id(inner).then(|| inner.to_owned())
}

/// Reads `Location` (`[<base>/]<type>/<id>[/_history/<vid>]`, absolute or relative, perhaps with
/// a query) into the id and, when present, the version. `None` when it names no `resource_type`
/// with a valid id, or its version is not a valid id.
pub fn location_of(location: &str, resource_type: &str) -> Option<(String, Option<String>)> {
    let path = location.trim().split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // The last `<type>/<id>` pair: a base URL may itself contain the type's name.
    let at = segments
        .windows(2)
        .rposition(|w| matches!(w, [t, i] if *t == resource_type && *i != "_history"))?;
    let rest = segments.get(at + 1..).unwrap_or_default();
    let (id, version) = match rest {
        [id] => (*id, None),
        [id, "_history", vid] => (*id, Some(*vid)),
        _ => return None,
    };
    if !is_fhir_id(id) || version.is_some_and(|v| !is_fhir_id(v)) {
        return None;
    }
    Some((id.to_owned(), version.map(str::to_owned)))
}

/// Whether a `Content-Type` may carry a FHIR JSON resource. A missing one is left to the parser;
/// any other declared type (a captive portal's or maintenance page's `text/html`) is not an
/// answer from the FHIR server, even if its body happens to parse.
pub fn is_json_content_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return true;
    };
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media.is_empty()
        || [
            "application/json",
            "application/fhir+json",
            "application/json+fhir",
        ]
        .iter()
        .any(|t| media.eq_ignore_ascii_case(t))
}

/// A server time worth showing: short, printable. Anything else is dropped, not shown.
fn plausible_time(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    (!value.is_empty() && value.len() <= 64 && value.bytes().all(|b| (0x20..0x7f).contains(&b)))
        .then(|| value.to_owned())
}

/// The receipt a 2xx answer's resource `stored` proves, or why it proves nothing.
///
/// `expected_id` is the id written to (an update) or read (a read-back); `expected_version` the
/// version asked for (a version read). Every check failure is `Malformed` or `MissingVersion`:
/// the pipeline keeps the save, retries, and its `If-None-Exist`/`If-Match` read-back finds out
/// whether it was stored.
pub fn receipt_of(
    stored: &Value,
    expected_type: &str,
    expected_id: Option<&str>,
    expected_version: Option<&str>,
    last_modified: Option<&str>,
) -> Result<Receipt, FhirError> {
    let wrong = |what: &str| Err(FhirError::Malformed(what.to_owned()));
    if !stored.is_object() || resource_type(stored) != Some(expected_type) {
        return wrong("not the resource written");
    }
    let Some(stored_id) = id(stored).filter(|i| is_fhir_id(i)) else {
        return wrong("no valid id");
    };
    if expected_id.is_some_and(|e| e != stored_id) {
        return wrong("another resource's id");
    }
    let version = match stored.get("meta").and_then(|m| m.get("versionId")) {
        None | Some(Value::Null) => return Err(FhirError::MissingVersion),
        Some(_) => version_id(stored).filter(|v| is_fhir_id(v)),
    };
    let Some(version) = version else {
        return wrong("no valid versionId");
    };
    if expected_version.is_some_and(|e| e != version) {
        return wrong("another version");
    }
    Ok(Receipt {
        id: stored_id.to_owned(),
        version_id: version.to_owned(),
        server_time: plausible_time(last_updated(stored)).or_else(|| plausible_time(last_modified)),
    })
}

/// What an empty 2xx answer (`Prefer: return=minimal` honoured, or no body sent) says about the
/// stored copy: its id and, when given, its version; the client then reads that copy. `None`
/// when the answer does not say which resource it stored (a create without `Location`), or
/// contradicts the write (an update answered with another id).
pub fn minimal_answer(
    resource_type: &str,
    write: &Write,
    location: Option<&str>,
    etag: Option<&str>,
) -> Option<(String, Option<String>)> {
    let located = location.and_then(|l| location_of(l, resource_type));
    let etag_version = etag.and_then(version_from_etag);
    let (id, location_version) = match (write, located) {
        (Write::Update { id, .. }, Some((located_id, _))) if located_id != *id => return None,
        (Write::Update { id, .. }, located) => (id.clone(), located.and_then(|(_, v)| v)),
        (Write::Create { .. }, Some((id, version))) => (id, version),
        (Write::Create { .. }, None) => return None,
    };
    // Both given and different: one of them is not what the server stored; ask for neither.
    let version = match (location_version, etag_version) {
        (Some(l), Some(e)) if l != e => None,
        (l, e) => l.or(e),
    };
    Some((id, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fhir_ids() {
        for ok in ["1", "abc-DEF.09", &"a".repeat(64)] {
            assert!(is_fhir_id(ok), "{ok}");
        }
        for bad in [
            "",
            &"a".repeat(65),
            "1 \"x\"",
            "1\n",
            "1\r\n2",
            "ä",
            "1\u{2028}",
            "a/b",
            "a_b",
            "\u{0}",
            "W/\"1\"",
        ] {
            assert!(!is_fhir_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn written_types_and_type_names() {
        for t in WRITTEN_TYPES {
            assert!(is_written_type(t) && is_resource_type_name(t));
        }
        assert!(!is_written_type("Patient"));
        assert!(!is_written_type("consent"));
        assert!(!is_written_type("Consent/x"));
        assert!(is_resource_type_name("MedicationRequest"));
        for bad in [
            "",
            "consent",
            "Consent/1",
            "Consent?x=1",
            "Con sent",
            "Cönsent",
        ] {
            assert!(!is_resource_type_name(bad), "{bad}");
        }
    }

    #[test]
    fn if_match_only_for_sendable_versions() {
        assert_eq!(if_match_header("3").as_deref(), Some("W/\"3\""));
        assert_eq!(if_match_header("1 \"x\""), None);
        assert_eq!(if_match_header("1\n"), None);
        assert_eq!(if_match_header("versiö"), None);
        assert_eq!(if_match_header(&"9".repeat(65)), None);
    }

    #[test]
    fn header_safety() {
        assert!(is_header_safe("identifier=urn:ietf:rfc:3986|urn:uuid:1-2"));
        assert!(!is_header_safe(""));
        assert!(!is_header_safe("a\nb"));
        assert!(!is_header_safe("a\u{7f}"));
        assert!(!is_header_safe("ä"));
        assert!(!is_header_safe(" a"));
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode("abc-1.2_~"), "abc-1.2_~");
        assert_eq!(encode("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode("../x"), "..%2Fx");
        assert_eq!(encode("ä "), "%C3%A4%20");
    }

    #[test]
    fn etags() {
        assert_eq!(version_from_etag("W/\"3\""), Some("3".into()));
        assert_eq!(version_from_etag("\"12\""), Some("12".into()));
        assert_eq!(version_from_etag(" W/\"a-1\" "), Some("a-1".into()));
        for bad in [
            "W/\"\"",
            "3",
            "W/3",
            "W/\"1 \"x\"\"",
            "\"1\"\"",
            "W/\"ä\"",
            "\"",
        ] {
            assert_eq!(version_from_etag(bad), None, "{bad}");
        }
    }

    #[test]
    fn locations() {
        let full = "http://127.0.0.1:8104/fhir/R4/Consent/c-1/_history/3";
        assert_eq!(
            location_of(full, "Consent"),
            Some(("c-1".into(), Some("3".into())))
        );
        assert_eq!(
            location_of("Consent/c-1", "Consent"),
            Some(("c-1".into(), None))
        );
        assert_eq!(
            location_of("/fhir/R4/Consent/c-1/_history/3?x=1#y", "Consent"),
            Some(("c-1".into(), Some("3".into())))
        );
        // A base that contains the type's name.
        assert_eq!(
            location_of("https://x/Consent/fhir/Consent/9/_history/2", "Consent"),
            Some(("9".into(), Some("2".into())))
        );
        for bad in [
            "",
            "http://x/fhir/R4/Task/1/_history/2",
            "http://x/fhir/R4/Consent",
            "http://x/fhir/R4/Consent/_history/2",
            "http://x/fhir/R4/Consent/a%20b",
            "http://x/fhir/R4/Consent/1/_history/1%22x",
            "http://x/fhir/R4/Consent/1/_history",
            "http://x/fhir/R4/Consent/1/extra",
        ] {
            assert_eq!(location_of(bad, "Consent"), None, "{bad}");
        }
    }

    #[test]
    fn content_types() {
        for ok in [
            None,
            Some("application/fhir+json; charset=utf-8"),
            Some("Application/JSON"),
            Some("application/json+fhir"),
            Some(""),
        ] {
            assert!(is_json_content_type(ok), "{ok:?}");
        }
        for bad in [
            "text/html; charset=utf-8",
            "text/plain",
            "application/xml",
            "application/fhir+xml",
        ] {
            assert!(!is_json_content_type(Some(bad)), "{bad}");
        }
    }

    fn consent(id: Value, version: Value) -> Value {
        json!({"resourceType": "Consent", "id": id,
               "meta": {"versionId": version, "lastUpdated": "2026-11-23T10:00:00Z"}})
    }

    #[test]
    fn a_receipt_only_from_the_stored_resource() {
        let ok = receipt_of(
            &consent(json!("c1"), json!("2")),
            "Consent",
            Some("c1"),
            Some("2"),
            None,
        );
        assert_eq!(
            ok,
            Ok(Receipt {
                id: "c1".into(),
                version_id: "2".into(),
                server_time: Some("2026-11-23T10:00:00Z".into()),
            })
        );
        let cases = [
            (json!({"resourceType": "Bundle"}), "Malformed"),
            (
                json!({"resourceType": "OperationOutcome", "issue": []}),
                "Malformed",
            ),
            (json!(["Consent"]), "Malformed"),
            (json!({"resourceType": "Consent"}), "Malformed"),
            (
                json!({"resourceType": "Consent", "id": "c1"}),
                "MissingVersion",
            ),
            (
                json!({"resourceType": "Consent", "id": "c1", "meta": {}}),
                "MissingVersion",
            ),
            (consent(json!(7), json!("2")), "Malformed"),
            (consent(json!("a b"), json!("2")), "Malformed"),
            (consent(json!("c1"), json!(2)), "Malformed"),
            (consent(json!("c1"), json!("1 \"x\"")), "Malformed"),
            (consent(json!("c1"), json!("2\u{00e4}")), "Malformed"),
            (consent(json!("c1"), json!("x".repeat(65))), "Malformed"),
            (consent(json!("other"), json!("2")), "Malformed"),
        ];
        for (stored, expected) in cases {
            let got = receipt_of(&stored, "Consent", Some("c1"), None, None);
            let name = match got {
                Err(FhirError::Malformed(_)) => "Malformed",
                Err(FhirError::MissingVersion) => "MissingVersion",
                _ => "other",
            };
            assert_eq!(name, expected, "{stored}");
        }
        // A version read that answers another version is not proof of that version.
        assert!(receipt_of(
            &consent(json!("c1"), json!("3")),
            "Consent",
            None,
            Some("2"),
            None
        )
        .is_err());
        assert!(receipt_of(&consent(json!("c1"), json!("2")), "Task", None, None, None).is_err());
    }

    #[test]
    fn server_time_falls_back_to_last_modified_and_is_bounded() {
        let stored = json!({"resourceType": "Task", "id": "t", "meta": {"versionId": "1"}});
        let time = |lm: Option<&str>| {
            receipt_of(&stored, "Task", None, None, lm)
                .ok()
                .and_then(|r| r.server_time)
        };
        assert_eq!(
            time(Some("Mon, 23 Nov 2026 10:00:00 GMT")).as_deref(),
            Some("Mon, 23 Nov 2026 10:00:00 GMT")
        );
        assert_eq!(time(Some("x\u{7}")), None);
        assert_eq!(time(Some(&"1".repeat(100))), None);
        assert_eq!(time(None), None);
    }

    #[test]
    fn a_query_is_percent_encoded() {
        let search = query_string(&[
            ("patient", "Patient/p 1"),
            ("category", "http://loinc.org|64300-7"),
        ]);
        assert_eq!(
            search,
            "patient=Patient%2Fp%201&category=http%3A%2F%2Floinc.org%7C64300-7"
        );
    }

    #[test]
    fn empty_answers_name_what_to_read() {
        let create = Write::Create {
            creation_key: "urn:ietf:rfc:3986|urn:uuid:1".into(),
            look_first: None,
        };
        let update = Write::Update {
            id: "c1".into(),
            if_match: "2".into(),
        };
        let loc = Some("http://x/fhir/R4/Consent/c1/_history/3");
        assert_eq!(
            minimal_answer("Consent", &create, loc, Some("W/\"3\"")),
            Some(("c1".into(), Some("3".into())))
        );
        assert_eq!(
            minimal_answer("Consent", &create, None, Some("W/\"3\"")),
            None
        );
        assert_eq!(
            minimal_answer("Consent", &update, None, Some("W/\"3\"")),
            Some(("c1".into(), Some("3".into())))
        );
        assert_eq!(
            minimal_answer("Consent", &update, None, None),
            Some(("c1".into(), None))
        );
        assert_eq!(
            minimal_answer(
                "Consent",
                &update,
                Some("http://x/fhir/R4/Consent/c2"),
                None
            ),
            None
        );
        // Location and ETag disagree: read the current copy rather than trust either.
        assert_eq!(
            minimal_answer("Consent", &update, loc, Some("W/\"4\"")),
            Some(("c1".into(), None))
        );
        // An ETag that cannot be a version is ignored, not sent back.
        assert_eq!(
            minimal_answer("Consent", &update, None, Some("W/\"1 \"x\"\"")),
            Some(("c1".into(), None))
        );
    }
}
