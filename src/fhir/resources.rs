//! FHIR R4 resources as JSON, with small typed helpers to read and build them.
//!
//! Resources stay `serde_json::Value` from the wire to the domain mapping: an update starts from
//! the server's copy, so everything Tahto does not own is kept as sent. Typed serde structs with a
//! catch-all `#[serde(flatten)]` map did the same at ~10 KB of wasm per resource type (measured:
//! the `Consent` visitor alone was 13 KB), which the first-load budget cannot pay for every page.

use serde_json::{Map, Value};

pub const LOINC: &str = "http://loinc.org";
pub const SNOMED: &str = "http://snomed.info/sct";
/// The system of the client's `urn:uuid:` identifier on every resource Tahto creates, which makes
/// a retried create recognisable (`If-None-Exist`) and never a duplicate.
pub const IDENTIFIER_SYSTEM: &str = "urn:ietf:rfc:3986";

/// A JSON object from `"key": value` pairs, each value turned into JSON by `Value::from`
/// (nest with `object!` and `vec![..]`).
///
/// Used instead of `serde_json::json!`, which sends every interpolated value through serde's
/// serializer and unwraps the result: that alone brought serde_json's error texts and formatting
/// (~6 KB) into the wasm.
#[macro_export]
macro_rules! object {
    ($($key:literal : $value:expr),* $(,)?) => {{
        let mut map = serde_json::Map::new();
        $( map.insert($key.into(), serde_json::Value::from($value)); )*
        serde_json::Value::Object(map)
    }};
}

/// A string at `path` (object keys; array positions as numbers in text, e.g. `"0"`).
pub fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path)?.as_str()
}

/// The value at `path` (see [`str_at`]).
pub fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| match v {
        Value::Array(items) => items.get(key.parse::<usize>().ok()?),
        _ => v.get(key),
    })
}

/// The items of the array at `key` (none when it is missing or not an array).
pub fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The resource type, id, versionId and lastUpdated of a resource.
pub fn resource_type(resource: &Value) -> Option<&str> {
    str_at(resource, &["resourceType"])
}

pub fn id(resource: &Value) -> Option<&str> {
    str_at(resource, &["id"])
}

pub fn version_id(resource: &Value) -> Option<&str> {
    str_at(resource, &["meta", "versionId"])
}

pub fn last_updated(resource: &Value) -> Option<&str> {
    str_at(resource, &["meta", "lastUpdated"])
}

/// A FHIR `instant` or `dateTime` as milliseconds since the epoch, read without the browser (the
/// save pipeline decides natively too). A date without a time is its first moment in UTC.
/// `None` for anything else, a 30 February or a time without its offset.
pub fn instant_ms(text: &str) -> Option<i64> {
    use crate::i18n::format::{calendar_date, CalendarDate};
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let (year, month, day) = match calendar_date(date)? {
        CalendarDate::Year(y) => (y, 1, 1),
        CalendarDate::Month(y, m) => (y, m, 1),
        CalendarDate::Day(y, m, d) => (y, m, d),
    };
    let number = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i64>().ok())
            .flatten()
    };
    let mut ms = days_from_civil(i64::from(year), i64::from(month), i64::from(day)) * 86_400_000;
    let Some(time) = time else {
        return Some(ms);
    };
    let (clock, offset_minutes) = match time.strip_suffix('Z') {
        Some(clock) => (clock, 0),
        None => {
            let at = time.rfind(['+', '-'])?;
            let (clock, offset) = time.split_at(at);
            let (hours, minutes) = offset[1..].split_once(':')?;
            let (hours, minutes) = (number(hours)?, number(minutes).filter(|m| *m < 60)?);
            if hours > 14 || (hours == 14 && minutes > 0) {
                return None;
            }
            let minutes = hours * 60 + minutes;
            (
                clock,
                if offset.starts_with('-') {
                    -minutes
                } else {
                    minutes
                },
            )
        }
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let hour = number(parts.next()?).filter(|h| *h < 24)?;
    let minute = number(parts.next()?).filter(|m| *m < 60)?;
    // FHIR allows a leap second (`:60`); it reads as the next second's start.
    let second = number(parts.next()?).filter(|s| *s <= 60)?;
    if parts.next().is_some() {
        return None;
    }
    let millis = match fraction {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => f
            .bytes()
            .chain(*b"00")
            .take(3)
            .fold(0, |n, b| n * 10 + i64::from(b - b'0')),
        Some(_) => return None,
        None => 0,
    };
    ms += ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + millis;
    Some(ms)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The stored version of a resource as the base of Tahto's update: all of it is kept but its
/// narrative (`text`). The narrative says in words what the stored data says; Tahto changes the
/// data and cannot write the words again, and a reader shown only the narrative would see the
/// decision the citizen has just changed.
pub fn revised(stored: &Value) -> Value {
    let mut next = stored.clone();
    if let Some(fields) = next.as_object_mut() {
        fields.remove("text");
    }
    next
}

/// A `Coding`.
pub fn coding(system: &str, code: &str, display: &str) -> Value {
    crate::object! { "system": system, "code": code, "display": display }
}

/// A `CodeableConcept` with one coding.
pub fn concept(system: &str, code: &str, display: &str) -> Value {
    crate::object! { "coding": vec![coding(system, code, display)] }
}

/// A new `Consent` of `patient_id`: what every consent Tahto creates has (client identifier,
/// `active`, scope, category, patient), plus the elements of `rest` (an object).
pub fn new_consent(
    identifier: &str,
    patient_id: &str,
    scope: Value,
    category: Vec<Value>,
    rest: Value,
) -> Value {
    let mut consent = crate::object! {
        "resourceType": "Consent",
        "identifier": vec![crate::object! { "system": IDENTIFIER_SYSTEM, "value": identifier }],
        "status": "active",
        "scope": scope,
        "category": category,
        "patient": crate::object! { "reference": format!("Patient/{patient_id}") },
    };
    if let (Some(fields), Value::Object(rest)) = (consent.as_object_mut(), rest) {
        fields.extend(rest);
    }
    consent
}

/// Replaces the extensions Tahto owns (a URL in `owned`) by `ours`, keeping every other extension
/// as the server sent it; no `extension` element when none is left.
pub fn replace_extensions(fields: &mut Map<String, Value>, owned: &[&str], ours: Vec<Value>) {
    let mut extensions = match fields.remove("extension") {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    extensions.retain(|e| !str_at(e, &["url"]).is_some_and(|u| owned.contains(&u)));
    extensions.extend(ours);
    if !extensions.is_empty() {
        fields.insert("extension".into(), Value::Array(extensions));
    }
}

/// Whether a `CodeableConcept` carries `system|code`.
pub fn has_code(concept: &Value, system: &str, code: &str) -> bool {
    items(concept, "coding")
        .iter()
        .any(|c| str_at(c, &["system"]) == Some(system) && str_at(c, &["code"]) == Some(code))
}

/// Whether any concept of the array at `key` carries `system|code` (e.g. `category`).
pub fn any_has_code(resource: &Value, key: &str, system: &str, code: &str) -> bool {
    items(resource, key)
        .iter()
        .any(|c| has_code(c, system, code))
}

/// The value of the extension `url` (its `valueString`).
pub fn extension_string<'a>(resource: &'a Value, url: &str) -> Option<&'a str> {
    items(resource, "extension")
        .iter()
        .find(|e| str_at(e, &["url"]) == Some(url))
        .and_then(|e| str_at(e, &["valueString"]))
}

/// `OperationOutcome`: the server's reason for refusing a request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OperationOutcome {
    pub issue: Vec<OutcomeIssue>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutcomeIssue {
    pub severity: Option<String>,
    /// The readable text: `details.text`, else `diagnostics`, else a coding's display.
    pub text: Option<String>,
}

impl OperationOutcome {
    /// Parses an error body; `None` when it is not an OperationOutcome.
    pub fn parse(body: &str) -> Option<Self> {
        let document: Value = serde_json::from_str(body).ok()?;
        Self::of(&document)
    }

    /// Reads an OperationOutcome resource; `None` for anything else.
    pub fn of(document: &Value) -> Option<Self> {
        if resource_type(document) != Some("OperationOutcome") {
            return None;
        }
        let owned = |v: Option<&str>| v.map(str::to_owned);
        let issue = items(document, "issue")
            .iter()
            .map(|i| OutcomeIssue {
                severity: owned(str_at(i, &["severity"])),
                text: owned(
                    str_at(i, &["details", "text"])
                        .or_else(|| str_at(i, &["diagnostics"]))
                        .or_else(|| {
                            items(i.get("details").unwrap_or(&Value::Null), "coding")
                                .iter()
                                .find_map(|c| str_at(c, &["display"]))
                        }),
                ),
            })
            .collect();
        Some(Self { issue })
    }

    /// The server's own words, for showing to the citizen: errors first, duplicates removed,
    /// bounded in length so a hostile or huge body cannot flood the page.
    pub fn message(&self) -> Option<String> {
        const MAX_CHARS: usize = 600;
        // Most severe first, the server's order kept within a severity.
        let rank = |i: &OutcomeIssue| match i.severity.as_deref() {
            Some("fatal") => 0,
            Some("error") => 1,
            Some("warning") => 2,
            _ => 3,
        };
        let issues = (0..4).flat_map(|r| self.issue.iter().filter(move |i| rank(i) == r));
        let mut parts: Vec<String> = Vec::new();
        for issue in issues {
            if let Some(text) = issue.text.as_deref().map(crate::text::clean_for_display) {
                if !text.is_empty() && !parts.contains(&text) {
                    parts.push(text);
                }
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(crate::text::truncate_chars(&parts.join(" · "), MAX_CHARS))
    }
}

/// The resources of type `resource_type` in a search `Bundle`; other entries (e.g. an
/// `OperationOutcome` with warnings) are skipped. `None` when the body is not a Bundle.
pub fn bundle_resources(bundle: Value, resource_type_wanted: &str) -> Option<Vec<Value>> {
    let Value::Object(mut bundle) = bundle else {
        return None;
    };
    if bundle.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return None;
    }
    let entries = match bundle.remove("entry") {
        Some(Value::Array(entries)) => entries,
        None => Vec::new(),
        Some(_) => return None,
    };
    Some(
        entries
            .into_iter()
            .filter_map(|mut e| e.get_mut("resource").map(Value::take))
            .filter(|r| resource_type(r) == Some(resource_type_wanted))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_read_as_milliseconds_since_the_epoch() {
        assert_eq!(instant_ms("1970-01-01T00:00:00Z"), Some(0));
        // As JavaScript's Date.parse reads them.
        assert_eq!(instant_ms("2026-11-23T08:00:00Z"), Some(1_795_420_800_000));
        assert_eq!(
            instant_ms("2026-11-23T10:00:00+02:00"),
            Some(1_795_420_800_000)
        );
        assert_eq!(
            instant_ms("2026-11-23T03:30:00-04:30"),
            Some(1_795_420_800_000)
        );
        assert_eq!(
            instant_ms("2026-11-23T08:00:00.5Z"),
            Some(1_795_420_800_500)
        );
        assert_eq!(
            instant_ms("2026-11-23T08:00:00.123456Z"),
            Some(1_795_420_800_123)
        );
        assert_eq!(instant_ms("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(instant_ms("2024-03"), Some(1_709_251_200_000));
        assert_eq!(instant_ms("2026"), Some(1_767_225_600_000));
        assert_eq!(instant_ms("1969-12-31T23:59:59Z"), Some(-1000));
        for wrong in [
            "",
            "2026-11-23T08:00:00",
            "2026-02-30",
            "2026-11-23T24:00:00Z",
            "2026-11-23T08:00Z",
            "2026-11-23T08:00:00.Z",
            "2026-11-23T08:00:00+2:00",
            "2026-11-23T08:00:00+02",
            "23.11.2026",
            "2026-11-23T08:00:00Zjunk",
            "2026-11-23T08:00:00+02:60",
            "2026-11-23T08:00:00+14:30",
            "2026-11-23T08:00:00+15:00",
        ] {
            assert_eq!(instant_ms(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn paths_reach_into_objects_and_arrays() {
        let v = json!({"meta": {"versionId": "3"}, "coding": [{"code": "a"}, {"code": "b"}]});
        assert_eq!(version_id(&v), Some("3"));
        assert_eq!(str_at(&v, &["coding", "1", "code"]), Some("b"));
        assert_eq!(str_at(&v, &["coding", "x", "code"]), None);
        assert_eq!(str_at(&v, &["meta", "versionId", "deeper"]), None);
        assert!(items(&v, "missing").is_empty());
    }

    #[test]
    fn codes_are_matched_on_system_and_code() {
        let c = concept("http://loinc.org", "64300-7", "x");
        assert!(has_code(&c, "http://loinc.org", "64300-7"));
        assert!(!has_code(&c, "http://snomed.info/sct", "64300-7"));
        assert!(!has_code(&json!("not a concept"), "a", "b"));
    }

    #[test]
    fn bundles_keep_only_the_wanted_type() {
        let b = json!({"resourceType": "Bundle", "entry": [
            {"resource": {"resourceType": "Consent", "id": "1"}},
            {"resource": {"resourceType": "OperationOutcome"}},
            {"search": {"mode": "match"}}
        ]});
        let found = bundle_resources(b, "Consent").unwrap_or_default();
        assert_eq!(found.len(), 1);
        assert_eq!(
            bundle_resources(json!({"resourceType": "Bundle"}), "Consent"),
            Some(vec![])
        );
        assert_eq!(bundle_resources(json!([1, 2]), "Consent"), None);
        assert_eq!(
            bundle_resources(json!({"resourceType": "Bundle", "entry": 5}), "Consent"),
            None
        );
    }
}
