//! The one error type of the FHIR client.

use super::resources::OperationOutcome;

/// Everything that can go wrong talking to the FHIR server.
#[derive(Clone, Debug, PartialEq)]
pub enum FhirError {
    /// No answer at all: offline, connection refused or dropped, blocked by CORS.
    Unreachable(String),
    /// No answer within the client's time limit; the request was aborted.
    Timeout,
    /// The server answered with a status other than 2xx.
    Status {
        status: u16,
        outcome: Option<OperationOutcome>,
        /// The `Retry-After` header, in seconds, when the server sent one.
        retry_after_secs: Option<u32>,
    },
    /// A 2xx answer that is not the stored resource: truncated JSON, an HTML page (captive portal,
    /// maintenance), the wrong resource, an id or version no FHIR server stores, or an empty
    /// answer whose stored copy could not be read. The save may or may not have been stored: it
    /// is retried, and `If-None-Exist`/`If-Match` find out which.
    Malformed(String),
    /// A 2xx answer without the stored resource's id and versionId: not proof of a save.
    MissingVersion,
}

impl FhirError {
    /// The server's own words, when it gave a reason.
    pub fn server_message(&self) -> Option<String> {
        match self {
            FhirError::Status {
                outcome: Some(outcome),
                ..
            } => outcome.message(),
            _ => None,
        }
    }
}

/// Reads `Retry-After` (delta-seconds; an HTTP date is ignored as clocks disagree).
pub fn parse_retry_after(value: Option<&str>) -> Option<u32> {
    value?.trim().parse::<u32>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(Some("120")), Some(120));
        assert_eq!(parse_retry_after(Some(" 3 ")), Some(3));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn server_words_come_from_the_operation_outcome() {
        let outcome = OperationOutcome::parse(
            r#"{"resourceType":"OperationOutcome","issue":[
                {"severity":"information","diagnostics":"fyi"},
                {"severity":"error","code":"processing","details":{"text":"Patient/x does not exist"}},
                {"severity":"error","diagnostics":"Patient/x does not exist"}]}"#,
        );
        let err = FhirError::Status {
            status: 400,
            outcome,
            retry_after_secs: None,
        };
        assert_eq!(
            err.server_message().as_deref(),
            Some("Patient/x does not exist · fyi")
        );
    }

    #[test]
    fn hostile_outcomes_are_bounded_and_other_bodies_ignored() {
        let huge = format!(
            r#"{{"resourceType":"OperationOutcome","issue":[{{"severity":"error","diagnostics":"{}\u0007"}}]}}"#,
            "x".repeat(100_000)
        );
        let message = OperationOutcome::parse(&huge).unwrap().message().unwrap();
        assert!(message.chars().count() <= 601);
        assert!(!message.contains('\u{7}'));
        assert_eq!(OperationOutcome::parse("<html>502</html>"), None);
        assert_eq!(
            OperationOutcome::parse(r#"{"resourceType":"Patient"}"#),
            None
        );
        assert_eq!(
            OperationOutcome::parse(r#"{"resourceType":"OperationOutcome","issue":"#),
            None
        );
    }
}
