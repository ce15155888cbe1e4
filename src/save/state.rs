//! The states of one save (DESIGN §1) and how a server answer moves between them.
//!
//! Plain data, no browser code: the whole contract is tested natively.

use serde_json::Value;

use crate::fhir::{FhirError, Receipt};

/// Why a save has not reached the server yet; every one of these is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotYetSaved {
    /// No connection to the service.
    Unreachable,
    /// The service did not answer in time.
    Timeout,
    /// The service answered with an error it may recover from (5xx, 408, 429, unexpected).
    ServiceError { status: u16 },
    /// The answer was cut off or unreadable; the save may or may not have been stored.
    GarbledAnswer,
    /// The sign-in has ended (401): never a refusal of the save, which waits for the citizen to
    /// sign in again and is sent then, for the person it was made for.
    SignInNeeded,
}

/// Where one save stands, as the citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum SaveState {
    /// Edited, not submitted.
    #[default]
    Draft,
    /// Sent, waiting for the server. `slow` once the watchdog has fired.
    Saving { attempt: u32, slow: bool },
    /// Not stored yet; kept and retried.
    Queued {
        why: NotYetSaved,
        attempts: u32,
        /// Seconds the server asked us to wait (`Retry-After`).
        retry_after_secs: Option<u32>,
        /// When the next automatic try is due (ms since the epoch), once scheduled.
        next_try_at_ms: Option<u64>,
    },
    /// Stored by the server.
    Confirmed(Receipt),
    /// Refused by the server; the citizen's input is kept for fixing.
    Rejected {
        /// The HTTP status; [`SaveState::NOT_SENDABLE`]'s 0 when Tahto itself refused to send it.
        status: u16,
        /// The server's own words, if it gave any.
        reason: Option<String>,
    },
    /// The record changed elsewhere since it was loaded (409/412).
    Conflict { status: u16 },
}

impl SaveState {
    /// A stored save this version will not send: not the resource type its record is written
    /// as, or an id that is not a FHIR id. Only storage altered outside Tahto holds one.
    pub const NOT_SENDABLE: SaveState = SaveState::Rejected {
        status: 0,
        reason: None,
    };

    /// The state after an attempt (`attempt`, from 1) ended with `result`.
    pub fn after_attempt(attempt: u32, result: Result<Receipt, FhirError>) -> SaveState {
        let error = match result {
            Ok(receipt) if !receipt.id.is_empty() && !receipt.version_id.is_empty() => {
                return SaveState::Confirmed(receipt)
            }
            Ok(_) => FhirError::MissingVersion,
            Err(error) => error,
        };
        let queued = |why| SaveState::Queued {
            why,
            attempts: attempt,
            retry_after_secs: None,
            next_try_at_ms: None,
        };
        match error {
            FhirError::Unreachable(_) => queued(NotYetSaved::Unreachable),
            FhirError::Timeout => queued(NotYetSaved::Timeout),
            FhirError::Malformed(_) | FhirError::MissingVersion => {
                queued(NotYetSaved::GarbledAnswer)
            }
            FhirError::Status {
                status,
                outcome,
                retry_after_secs,
            } => match status {
                409 | 412 => SaveState::Conflict { status },
                401 => queued(NotYetSaved::SignInNeeded),
                408 | 429 => SaveState::Queued {
                    why: NotYetSaved::ServiceError { status },
                    attempts: attempt,
                    retry_after_secs,
                    next_try_at_ms: None,
                },
                400..=499 => SaveState::Rejected {
                    status,
                    reason: outcome.and_then(|o| o.message()),
                },
                // 5xx, and anything a FHIR server should never answer to a write (1xx, 3xx).
                _ => SaveState::Queued {
                    why: NotYetSaved::ServiceError { status },
                    attempts: attempt,
                    retry_after_secs,
                    next_try_at_ms: None,
                },
            },
        }
    }

    /// True while the outcome is still open.
    pub fn is_pending(&self) -> bool {
        matches!(self, SaveState::Saving { .. } | SaveState::Queued { .. })
    }

    /// The stable name used in the DOM (`data-state`) and by tests.
    pub fn name(&self) -> &'static str {
        match self {
            SaveState::Draft => "draft",
            SaveState::Saving { .. } => "saving",
            SaveState::Queued { .. } => "queued",
            SaveState::Confirmed(_) => "confirmed",
            SaveState::Rejected { .. } => "rejected",
            SaveState::Conflict { .. } => "conflict",
        }
    }
}

/// How a save ended, as kept so that every tab and a reload show it: `["confirmed", id, version,
/// time?]` or `["rejected", status, reason?]`. Written by hand (no derive) to keep the wasm small.
impl SaveState {
    pub fn to_stored(&self) -> Option<Value> {
        let text = |s: &str| Value::String(s.to_owned());
        let maybe = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
        match self {
            SaveState::Confirmed(r) => Some(Value::Array(vec![
                text("confirmed"),
                text(&r.id),
                text(&r.version_id),
                maybe(&r.server_time),
            ])),
            SaveState::Rejected { status, reason } => Some(Value::Array(vec![
                text("rejected"),
                Value::from(*status),
                maybe(reason),
            ])),
            _ => None,
        }
    }

    pub fn from_stored(v: &Value) -> Option<SaveState> {
        let item = |i: usize| v.get(i);
        let text = |i: usize| item(i).and_then(Value::as_str).map(str::to_owned);
        match item(0)?.as_str()? {
            "confirmed" => Some(SaveState::Confirmed(Receipt {
                id: text(1)?,
                version_id: text(2)?,
                server_time: text(3),
            })),
            "rejected" => Some(SaveState::Rejected {
                status: u16::try_from(item(1)?.as_u64()?).ok()?,
                reason: text(2),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::resources::OperationOutcome;

    fn status(status: u16) -> FhirError {
        FhirError::Status {
            status,
            outcome: None,
            retry_after_secs: None,
        }
    }

    #[test]
    fn ended_saves_are_kept_and_read_back() {
        let confirmed = SaveState::Confirmed(Receipt {
            id: "c1".into(),
            version_id: "4".into(),
            server_time: Some("2026-11-23T10:00:00Z".into()),
        });
        let refused = SaveState::Rejected {
            status: 422,
            reason: None,
        };
        for state in [confirmed, refused] {
            let text = serde_json::to_string(&state.to_stored().unwrap()).unwrap();
            let back = SaveState::from_stored(&serde_json::from_str(&text).unwrap());
            assert_eq!(back, Some(state));
        }
        assert_eq!(SaveState::Draft.to_stored(), None);
        assert_eq!(
            SaveState::from_stored(&serde_json::json!(["confirmed", "c1"])),
            None
        );
        assert_eq!(SaveState::from_stored(&serde_json::json!({"x": 1})), None);
    }

    #[test]
    fn confirmed_only_with_id_and_version() {
        let ok = Receipt {
            id: "c1".into(),
            version_id: "2".into(),
            server_time: None,
        };
        assert_eq!(
            SaveState::after_attempt(1, Ok(ok.clone())),
            SaveState::Confirmed(ok)
        );
        let no_version = Receipt {
            id: "c1".into(),
            version_id: String::new(),
            server_time: None,
        };
        assert_eq!(
            SaveState::after_attempt(1, Ok(no_version)).name(),
            "queued",
            "a 2xx without a version is not called saved"
        );
    }

    #[test]
    fn each_failure_lands_in_a_visible_state() {
        let cases = [
            (FhirError::Unreachable("x".into()), "queued"),
            (FhirError::Timeout, "queued"),
            (FhirError::Malformed("cut".into()), "queued"),
            (status(500), "queued"),
            (status(503), "queued"),
            (status(429), "queued"),
            (status(408), "queued"),
            (status(302), "queued"),
            (status(400), "rejected"),
            (status(401), "queued"),
            (status(403), "rejected"),
            (status(422), "rejected"),
            (status(409), "conflict"),
            (status(412), "conflict"),
        ];
        for (error, expected) in cases {
            let label = format!("{error:?}");
            assert_eq!(
                SaveState::after_attempt(2, Err(error)).name(),
                expected,
                "{label}"
            );
        }
    }

    #[test]
    fn an_ended_sign_in_is_never_a_refusal_the_save_waits_for_the_citizen() {
        assert!(matches!(
            SaveState::after_attempt(1, Err(status(401))),
            SaveState::Queued {
                why: NotYetSaved::SignInNeeded,
                attempts: 1,
                ..
            }
        ));
    }

    #[test]
    fn rejection_carries_the_servers_words_and_queue_its_wait() {
        let outcome = OperationOutcome::parse(
            r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","diagnostics":"Henkilötunnus puuttuu"}]}"#,
        );
        let state = SaveState::after_attempt(
            1,
            Err(FhirError::Status {
                status: 400,
                outcome,
                retry_after_secs: None,
            }),
        );
        assert_eq!(
            state,
            SaveState::Rejected {
                status: 400,
                reason: Some("Henkilötunnus puuttuu".into())
            }
        );
        let state = SaveState::after_attempt(
            3,
            Err(FhirError::Status {
                status: 503,
                outcome: None,
                retry_after_secs: Some(30),
            }),
        );
        assert_eq!(
            state,
            SaveState::Queued {
                why: NotYetSaved::ServiceError { status: 503 },
                attempts: 3,
                retry_after_secs: Some(30),
                next_try_at_ms: None,
            }
        );
    }
}
