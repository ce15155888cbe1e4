//! The "Kanta information" notice and the citizen's confirmation of having read it (DESIGN §2).
//!
//! The notice is a `DocumentReference` whose attachments (one per language) all name the same
//! version in `attachment.url`. Reading it is confirmed with a `Consent` (category LOINC 57016-8,
//! `policy.uri` = that version). Declarations stay locked until the *current* version is
//! confirmed by the server: a new version locks them again.

use serde_json::Value;

use crate::fhir::resources::{
    any_has_code, concept, has_code, items, new_consent, resource_type, str_at, LOINC,
};

pub const NOTICE_SYSTEM: &str = "https://fhir.tahto.fi/CodeSystem/notice";
pub const NOTICE_CODE: &str = "kanta-information";
/// LOINC "Privacy policy acknowledgment Document".
pub const CATEGORY_NOTICE_READ: &str = "57016-8";
const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";

/// One version of the notice, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KantaNotice {
    /// The version: the `attachment.url` every language of this version shares.
    pub version: String,
    pub title: String,
    /// Paragraphs of the text, cleaned for display.
    pub paragraphs: Vec<String>,
    /// The language of the text (a citizen may read it in another language than the app's).
    pub language: String,
    /// When the version was published.
    pub date: Option<String>,
}

/// The notice in `lang` (else Finnish, else the first language there is); `None` when `doc` is not
/// a current notice with a readable version.
pub fn notice_from(doc: &Value, lang: &str) -> Option<KantaNotice> {
    if resource_type(doc) != Some("DocumentReference")
        || str_at(doc, &["status"]) != Some("current")
        || !doc
            .get("type")
            .is_some_and(|t| has_code(t, NOTICE_SYSTEM, NOTICE_CODE))
    {
        return None;
    }
    let attachments: Vec<&Value> = items(doc, "content")
        .iter()
        .filter_map(|c| c.get("attachment"))
        .filter(|a| str_at(a, &["url"]).is_some())
        .collect();
    let in_language = |l: &str| {
        attachments
            .iter()
            .copied()
            .find(|a| str_at(a, &["language"]) == Some(l))
    };
    let chosen = in_language(lang)
        .or_else(|| in_language("fi"))
        .or_else(|| attachments.first().copied())?;
    let text = str_at(chosen, &["data"])
        .and_then(crate::text::base64_decode)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    // Written on Windows, the text's line breaks are `\r\n`.
    let paragraphs = text
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| crate::text::clean_for_display(p.trim()))
        .filter(|p| !p.is_empty())
        .collect();
    let owned = |v: Option<&str>| v.map(str::to_owned);
    Some(KantaNotice {
        version: str_at(chosen, &["url"])?.to_owned(),
        title: owned(str_at(chosen, &["title"])).unwrap_or_default(),
        paragraphs,
        language: owned(str_at(chosen, &["language"])).unwrap_or_else(|| "fi".into()),
        date: owned(str_at(doc, &["date"])),
    })
}

/// The current notice among `docs`: the newest by date.
pub fn current_notice(docs: &[Value], lang: &str) -> Option<KantaNotice> {
    docs.iter()
        .filter_map(|d| notice_from(d, lang))
        .max_by(|a, b| a.date.cmp(&b.date))
}

/// The `Consent` that records that the citizen read `version` of the notice.
pub fn read_confirmation(
    version: &str,
    patient_id: &str,
    recorded_at: &str,
    new_identifier: &str,
) -> Value {
    new_consent(
        new_identifier,
        patient_id,
        concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        vec![concept(
            LOINC,
            CATEGORY_NOTICE_READ,
            "Privacy policy acknowledgment Document",
        )],
        crate::object! {
            "dateTime": recorded_at,
            "policy": vec![crate::object! { "uri": version }],
            "provision": crate::object! { "type": "permit" },
        },
    )
}

/// The search for the citizen's confirmations of the notice (with the patient's, which the
/// caller adds). `Consent` has no search parameter for `policy.uri`: the version is [`confirms`]'s.
pub fn confirmations_search() -> Vec<(&'static str, String)> {
    vec![
        ("category", format!("{LOINC}|{CATEGORY_NOTICE_READ}")),
        ("status", "active".to_owned()),
        // Newest first, one page: a confirmation of the current version is among the latest.
        ("_sort", "-_lastUpdated".to_owned()),
        ("_count", "100".to_owned()),
    ]
}

/// Whether `consent` is an active confirmation of having read `version`.
pub fn confirms(consent: &Value, version: &str) -> bool {
    resource_type(consent) == Some("Consent")
        && str_at(consent, &["status"]) == Some("active")
        && any_has_code(consent, "category", LOINC, CATEGORY_NOTICE_READ)
        && items(consent, "policy")
            .iter()
            .any(|p| str_at(p, &["uri"]) == Some(version))
}

/// Whether declarations may be saved (`notice_gate.rs` keeps it for the app).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateState {
    Checking,
    /// The current version is confirmed on the server.
    Open,
    /// Not confirmed (or a newer version has been published since).
    Locked,
    /// No current notice is published: nothing can be confirmed yet.
    NoNotice,
    /// Could not be checked, and this device has not seen the current version confirmed.
    Failed,
}

/// The gate, from what is known of the notice:
/// - `current`: the current version (`None` while not known; `Some(None)`: none is published);
/// - `confirmed`: the server (or this device's outbox) holds a confirmation of it;
/// - `check_failed`: the check could not be made (offline, the service failing);
/// - `seen`: the version this device last saw the server hold confirmed.
///
/// During an outage a confirmation this device has seen still counts, so a citizen can go on
/// deciding (the saves wait); but not once the device knows a newer version is current.
pub fn gate_state(
    current: Option<Option<&str>>,
    confirmed: bool,
    check_failed: bool,
    seen: Option<&str>,
) -> GateState {
    match current {
        Some(None) => GateState::NoNotice,
        Some(Some(_)) if confirmed => GateState::Open,
        Some(Some(version)) if check_failed => match seen == Some(version) {
            true => GateState::Open,
            false => GateState::Failed,
        },
        Some(Some(_)) => GateState::Locked,
        None if check_failed => match seen {
            Some(_) => GateState::Open,
            None => GateState::Failed,
        },
        None => GateState::Checking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const V1: &str = "https://fhir.tahto.fi/notice/kanta-information/2026-10";
    const V2: &str = "https://fhir.tahto.fi/notice/kanta-information/2027-01";

    fn doc(version: &str, date: &str) -> Value {
        let attachment = |language: &str, text: &str| {
            json!({"attachment": {
                "language": language, "url": version, "title": format!("Title {language}"),
                "data": crate::text::base64_encode(text.as_bytes())
            }})
        };
        json!({
            "resourceType": "DocumentReference", "status": "current", "date": date,
            "type": {"coding": [{"system": NOTICE_SYSTEM, "code": NOTICE_CODE}]},
            "content": [
                attachment("fi", "Eka kappale.\n\nToka\u{200B} kappale."),
                attachment("sv", "Första.\r\n\r\nAndra, skrivet på Windows.")
            ]
        })
    }

    #[test]
    fn the_notice_is_read_in_the_citizens_language_or_finnish() {
        let d = doc(V1, "2026-10-01");
        let sv = notice_from(&d, "sv").unwrap();
        assert_eq!((sv.language.as_str(), sv.version.as_str()), ("sv", V1));
        assert_eq!(sv.paragraphs, vec!["Första.", "Andra, skrivet på Windows."]);
        let en = notice_from(&d, "en").unwrap();
        assert_eq!(en.language, "fi");
        assert_eq!(en.paragraphs, vec!["Eka kappale.", "Toka kappale."]);
        assert_eq!(en.title, "Title fi");
        let mut superseded = d.clone();
        superseded["status"] = json!("superseded");
        assert_eq!(notice_from(&superseded, "fi"), None);
        assert_eq!(notice_from(&json!({"resourceType": "Consent"}), "fi"), None);
    }

    #[test]
    fn the_newest_version_is_current_and_only_its_confirmation_counts() {
        let docs = [doc(V1, "2026-10-01"), doc(V2, "2027-01-15")];
        let current = current_notice(&docs, "fi").unwrap();
        assert_eq!(current.version, V2);
        let read_v1 = read_confirmation(V1, "helmi", "2026-11-23T10:00:00Z", "urn:uuid:1");
        assert!(confirms(&read_v1, V1));
        assert!(
            !confirms(&read_v1, V2),
            "a new version locks declarations again"
        );
        assert_eq!(read_v1["category"][0]["coding"][0]["code"], "57016-8");
        assert_eq!(read_v1["policy"][0]["uri"], V1);
        assert_eq!(read_v1["patient"]["reference"], "Patient/helmi");
        let mut withdrawn = read_v1.clone();
        withdrawn["status"] = json!("inactive");
        assert!(!confirms(&withdrawn, V1));
    }

    #[test]
    fn the_gate_counts_a_seen_confirmation_in_an_outage_only_for_the_current_version() {
        use GateState::*;
        assert_eq!(gate_state(None, false, false, None), Checking);
        assert_eq!(gate_state(Some(None), false, false, Some(V1)), NoNotice);
        assert_eq!(gate_state(Some(Some(V1)), true, false, None), Open);
        assert_eq!(gate_state(Some(Some(V1)), false, false, Some(V1)), Locked);
        // Nothing could be read: what this device saw confirmed counts, else the reason.
        assert_eq!(gate_state(None, false, true, Some(V1)), Open);
        assert_eq!(gate_state(None, false, true, None), Failed);
        // The notice was read but not the confirmations: only the current version counts.
        assert_eq!(gate_state(Some(Some(V1)), false, true, Some(V1)), Open);
        assert_eq!(gate_state(Some(Some(V2)), false, true, Some(V1)), Failed);
        assert_eq!(gate_state(Some(Some(V2)), false, true, None), Failed);
        assert_eq!(gate_state(Some(Some(V2)), true, true, Some(V1)), Open);
    }
}
