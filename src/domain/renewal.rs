//! Prescription renewal requests (DESIGN §2): a `Task` (intent `order`, code SNOMED 103742009)
//! whose focus is the `MedicationRequest` to renew. A request nobody has processed in 8 days has
//! expired: the citizen is told so and can ask again.

use serde_json::Value;

use crate::fhir::resources::{
    concept, has_code, items, resource_type, str_at, IDENTIFIER_SYSTEM, SNOMED,
};

/// SNOMED CT "Renewal of prescription".
pub const RENEWAL_CODE: &str = "103742009";
/// Marks a `MedicationRequest` the citizen may ask to renew (the demo server's extension).
pub const RENEWABLE_EXTENSION: &str = "https://fhir.tahto.fi/StructureDefinition/renewable";
/// How long a request may wait unprocessed before it has expired.
pub const EXPIRES_AFTER_DAYS: i64 = 8;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Where a renewal request stands, as the citizen sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenewalStatus {
    /// Sent, not yet processed.
    Requested,
    /// Accepted (in progress or done).
    Accepted,
    /// Refused by the care provider.
    Rejected,
    /// Not processed within `EXPIRES_AFTER_DAYS`.
    Expired,
}

/// Whether the prescription may be renewed from Tahto: active and marked renewable.
pub fn is_renewable(medication_request: &Value) -> bool {
    resource_type(medication_request) == Some("MedicationRequest")
        && str_at(medication_request, &["status"]) == Some("active")
        && items(medication_request, "extension").iter().any(|e| {
            str_at(e, &["url"]) == Some(RENEWABLE_EXTENSION)
                && e.get("valueBoolean").and_then(Value::as_bool) == Some(true)
        })
}

/// The `Task` asking to renew `MedicationRequest/<prescription_id>`, made at `authored_on`
/// (ISO 8601), carrying `identifier` so a retried create is never a duplicate.
pub fn renewal_request(
    prescription_id: &str,
    patient_id: &str,
    authored_on: &str,
    identifier: &str,
) -> Value {
    let patient = crate::object! { "reference": format!("Patient/{patient_id}") };
    crate::object! {
        "resourceType": "Task",
        "identifier": vec![crate::object! { "system": IDENTIFIER_SYSTEM, "value": identifier }],
        "status": "requested",
        "intent": "order",
        "code": concept(SNOMED, RENEWAL_CODE, "Renewal of prescription"),
        "focus": crate::object! { "reference": format!("MedicationRequest/{prescription_id}") },
        "for": patient.clone(),
        "requester": patient,
        "authoredOn": authored_on,
    }
}

/// Whether `task` is a renewal request for `MedicationRequest/<prescription_id>`.
pub fn is_renewal_of(task: &Value, prescription_id: &str) -> bool {
    resource_type(task) == Some("Task")
        && task
            .get("code")
            .is_some_and(|c| has_code(c, SNOMED, RENEWAL_CODE))
        && str_at(task, &["focus", "reference"]).is_some_and(|r| names(r, prescription_id))
}

/// Whether `reference` is `MedicationRequest/<id>`: relative, absolute (`https://…/R4/…`) or
/// versioned (`…/_history/2`), as a server may write back what Tahto sent relative. A renewal
/// request missed would be offered again.
fn names(reference: &str, id: &str) -> bool {
    let path = reference.split("/_history/").next().unwrap_or(reference);
    path.strip_suffix(id)
        .and_then(|p| p.strip_suffix("MedicationRequest/"))
        .is_some_and(|base| base.is_empty() || base.ends_with('/'))
}

/// The status of a renewal request at `now_ms` (milliseconds since the epoch). `authored_ms` is
/// when it was made (parsed by the caller; `None` when unreadable: then it never expires silently).
pub fn renewal_status(task: &Value, authored_ms: Option<i64>, now_ms: i64) -> RenewalStatus {
    match str_at(task, &["status"]) {
        Some("accepted" | "in-progress" | "completed" | "ready") => RenewalStatus::Accepted,
        Some("rejected" | "cancelled" | "failed" | "entered-in-error") => RenewalStatus::Rejected,
        _ => match authored_ms {
            Some(at) if now_ms - at > EXPIRES_AFTER_DAYS * DAY_MS => RenewalStatus::Expired,
            _ => RenewalStatus::Requested,
        },
    }
}

/// Whether `task` is a request for the renewal of `MedicationRequest/<prescription_id>` that
/// makes another unneeded at `now_ms`: waiting (not expired) or accepted (`can_request`).
pub fn answers_request(task: &Value, prescription_id: &str, now_ms: i64) -> bool {
    let authored = str_at(task, &["authoredOn"]).and_then(crate::fhir::resources::instant_ms);
    is_renewal_of(task, prescription_id) && !can_request(&[renewal_status(task, authored, now_ms)])
}

/// The search for the renewal requests of `MedicationRequest/<prescription_id>` (with the
/// patient's, which the caller adds), newest first: one page holds every request that matters.
pub fn requests_search(prescription_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("focus", format!("MedicationRequest/{prescription_id}")),
        ("code", format!("{SNOMED}|{RENEWAL_CODE}")),
        ("_sort", "-_lastUpdated".to_owned()),
        ("_count", "100".to_owned()),
    ]
}

/// Whether a new request may be made for a prescription, given its requests so far: not while
/// one is waiting (requested and not expired) or accepted.
pub fn can_request(statuses: &[RenewalStatus]) -> bool {
    !statuses
        .iter()
        .any(|s| matches!(s, RenewalStatus::Requested | RenewalStatus::Accepted))
}

/// Whether `medication_request` belongs in the "past" list rather than the "active" one.
pub fn is_past(medication_request: &Value) -> bool {
    !matches!(
        str_at(medication_request, &["status"]),
        Some("active" | "on-hold" | "draft")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_795_000_000_000;

    #[test]
    fn only_active_prescriptions_marked_renewable_can_be_renewed() {
        let mr = |status: &str, renewable: bool| {
            json!({"resourceType": "MedicationRequest", "status": status,
                   "extension": [{"url": RENEWABLE_EXTENSION, "valueBoolean": renewable}]})
        };
        assert!(is_renewable(&mr("active", true)));
        assert!(!is_renewable(&mr("active", false)));
        assert!(!is_renewable(&mr("completed", true)));
        assert!(!is_renewable(
            &json!({"resourceType": "MedicationRequest", "status": "active"})
        ));
        assert!(is_past(&mr("completed", true)));
        assert!(!is_past(&mr("active", true)));
    }

    #[test]
    fn a_request_waiting_or_accepted_answers_another_one_an_ended_or_expired_one_does_not() {
        let day = 24 * 60 * 60 * 1000;
        let now = crate::fhir::resources::instant_ms("2026-11-23T08:00:00Z").unwrap_or(0);
        let mut task = renewal_request("mr-1", "helmi", "2026-11-20T08:00:00Z", "urn:uuid:9");
        assert!(answers_request(&task, "mr-1", now));
        assert!(!answers_request(&task, "mr-2", now));
        assert!(
            !answers_request(&task, "mr-1", now + 6 * day),
            "expired after 8 days"
        );
        task["status"] = "in-progress".into();
        assert!(answers_request(&task, "mr-1", now + 6 * day), "accepted");
        task["status"] = "rejected".into();
        assert!(!answers_request(&task, "mr-1", now));
        // An unreadable date never expires silently.
        task["status"] = "requested".into();
        task["authoredOn"] = "yesterday".into();
        assert!(answers_request(&task, "mr-1", now + 100 * day));
    }

    #[test]
    fn a_request_is_a_task_on_the_prescription() {
        let task = renewal_request("mr-1", "helmi", "2026-11-23T08:00:00Z", "urn:uuid:9");
        assert_eq!(task["intent"], "order");
        assert_eq!(task["status"], "requested");
        assert_eq!(task["code"]["coding"][0]["code"], RENEWAL_CODE);
        assert_eq!(task["focus"]["reference"], "MedicationRequest/mr-1");
        assert_eq!(task["for"]["reference"], "Patient/helmi");
        assert!(is_renewal_of(&task, "mr-1"));
        assert!(!is_renewal_of(&task, "mr-2"));
        // As a server may write the reference back.
        let mut written_back = task.clone();
        for (reference, names_mr_1) in [
            ("https://fhir.example.fi/R4/MedicationRequest/mr-1", true),
            ("MedicationRequest/mr-1/_history/2", true),
            ("MedicationRequest/xmr-1", false),
            ("MedicationRequest/mr-11", false),
            ("Patient/mr-1", false),
            ("mr-1", false),
        ] {
            written_back["focus"]["reference"] = serde_json::json!(reference);
            assert_eq!(
                is_renewal_of(&written_back, "mr-1"),
                names_mr_1,
                "{reference}"
            );
        }
    }

    #[test]
    fn an_unprocessed_request_expires_after_eight_days() {
        let task = renewal_request("mr-1", "helmi", "x", "urn:uuid:9");
        let day = DAY_MS;
        assert_eq!(
            renewal_status(&task, Some(NOW - 7 * day), NOW),
            RenewalStatus::Requested
        );
        assert_eq!(
            renewal_status(&task, Some(NOW - 8 * day - 1), NOW),
            RenewalStatus::Expired
        );
        assert_eq!(renewal_status(&task, None, NOW), RenewalStatus::Requested);
        let mut accepted = task.clone();
        accepted["status"] = json!("accepted");
        assert_eq!(
            renewal_status(&accepted, Some(NOW - 30 * day), NOW),
            RenewalStatus::Accepted,
            "a processed request does not expire"
        );
        let mut rejected = task.clone();
        rejected["status"] = json!("rejected");
        assert_eq!(
            renewal_status(&rejected, Some(NOW), NOW),
            RenewalStatus::Rejected
        );
        assert!(can_request(&[
            RenewalStatus::Expired,
            RenewalStatus::Rejected
        ]));
        assert!(!can_request(&[
            RenewalStatus::Expired,
            RenewalStatus::Requested
        ]));
    }
}
