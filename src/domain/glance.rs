//! What the home page shows at a glance, from the citizen's records as the server returns them:
//! when each declaration was last recorded, the disclosure decisions in force, and the renewal
//! requests still waiting. Pure, so the rules are tested natively.

use serde_json::Value;

use crate::domain::advance_directive::is_advance_directive;
use crate::domain::disclosure::{from_consent as disclosure_of, Disclosure};
use crate::domain::living_will::is_current_living_will;
use crate::domain::organ_donation::is_organ_donation;
use crate::domain::renewal::{renewal_status, RenewalStatus, RENEWAL_CODE};
use crate::fhir::resources::{has_code, last_updated, str_at, SNOMED};

/// The home page's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Glance {
    /// When each declaration was last recorded (`meta.lastUpdated`); `None`: not recorded.
    pub organ_donation: Option<String>,
    pub advance_directive: Option<String>,
    pub living_will: Option<String>,
    /// Consent to disclose is in force.
    pub disclosure_consent: bool,
    /// Refusals to disclose in force.
    pub refusals: usize,
    /// Renewal requests sent and not yet processed (nor expired).
    pub renewals_waiting: usize,
}

fn active(resource: &Value) -> bool {
    str_at(resource, &["status"]) == Some("active")
}

fn newest<'a>(found: impl Iterator<Item = &'a Value>) -> Option<String> {
    found.filter_map(last_updated).max().map(str::to_owned)
}

/// Reads the glance from every `Consent`, the current living wills and the renewal `Task`s.
/// `parse_ms` turns an ISO date into milliseconds (the browser's parser in the app).
pub fn glance(
    consents: &[Value],
    wills: &[Value],
    tasks: &[Value],
    now_ms: i64,
    parse_ms: impl Fn(&str) -> Option<i64>,
) -> Glance {
    let in_force: Vec<Disclosure> = consents
        .iter()
        .filter_map(disclosure_of)
        .filter(|r| r.active)
        .map(|r| r.disclosure)
        .collect();
    Glance {
        organ_donation: newest(
            consents
                .iter()
                .filter(|c| is_organ_donation(c) && active(c)),
        ),
        advance_directive: newest(
            consents
                .iter()
                .filter(|c| is_advance_directive(c) && active(c)),
        ),
        living_will: newest(wills.iter().filter(|d| is_current_living_will(d))),
        disclosure_consent: in_force.contains(&Disclosure::ConsentToDisclose),
        refusals: in_force
            .iter()
            .filter(|d| matches!(d, Disclosure::Refusal { .. }))
            .count(),
        renewals_waiting: tasks
            .iter()
            .filter(|t| {
                t.get("code")
                    .is_some_and(|c| has_code(c, SNOMED, RENEWAL_CODE))
            })
            .filter(|t| {
                let authored = str_at(t, &["authoredOn"]).and_then(&parse_ms);
                renewal_status(t, authored, now_ms) == RenewalStatus::Requested
            })
            .count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::disclosure::to_consent;
    use serde_json::json;

    fn stored(mut v: Value, status: &str, updated: &str) -> Value {
        v["status"] = json!(status);
        v["meta"] = json!({"versionId": "1", "lastUpdated": updated});
        v
    }

    #[test]
    fn reads_declarations_disclosures_and_waiting_renewals() {
        let consent = to_consent(
            &Disclosure::ConsentToDisclose,
            "p",
            "2026-01-01",
            "urn:uuid:1",
        );
        let refusal = to_consent(
            &Disclosure::Refusal {
                target: "Encounter/e1".into(),
            },
            "p",
            "2026-01-01",
            "urn:uuid:2",
        );
        let withdrawn = to_consent(
            &Disclosure::Refusal {
                target: "Encounter/e2".into(),
            },
            "p",
            "2026-01-01",
            "urn:uuid:3",
        );
        let consents = vec![
            stored(consent, "active", "2026-01-01T10:00:00Z"),
            stored(refusal, "active", "2026-01-02T10:00:00Z"),
            stored(withdrawn, "inactive", "2026-01-03T10:00:00Z"),
        ];
        let task = |status: &str, authored_ms: i64| {
            json!({"resourceType": "Task", "status": status, "authoredOn": authored_ms.to_string(),
                   "code": {"coding": [{"system": SNOMED, "code": RENEWAL_CODE}]}})
        };
        let day = 86_400_000;
        let now = 100 * day;
        let tasks = vec![
            task("requested", now - day),
            task("requested", now - 9 * day),
            task("accepted", now - day),
        ];
        let g = glance(&consents, &[], &tasks, now, |s| s.parse().ok());
        assert!(g.disclosure_consent);
        assert_eq!(g.refusals, 1, "the withdrawn refusal is not in force");
        assert_eq!(
            g.renewals_waiting, 1,
            "expired and accepted ones are not waiting"
        );
        assert_eq!(g.organ_donation, None);
        assert_eq!(g.living_will, None);
    }
}
