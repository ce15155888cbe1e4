//! The messages between Tahto in a partner's frame and the partner's page (`public/embed.js`).
//!
//! Modelled on SMART Web Messaging: every message is `{ messageId, messageType, payload }`. What
//! arrives is checked field by field; anything else is ignored. What leaves carries no health
//! content: which section, which kind of record, its id and version, counts.

use serde_json::{Map, Value};

use crate::i18n::Lang;
use crate::sections::View;

use super::theme::Theme;

/// What the partner's page asks of Tahto.
#[derive(Clone, Debug, PartialEq)]
pub enum FromHost {
    ShowSection(View),
    SetLanguage(Lang),
    SetTheme(Theme),
}

/// Reads a message from the partner's page: `None` for anything that is not exactly one of
/// [`FromHost`] (unknown types, extra or missing fields, wrong types, hostile values).
pub fn from_host(message: &Value) -> Option<FromHost> {
    let (kind, payload) = envelope(message)?;
    match kind {
        "show-section" => {
            let section = only_string(payload, "section")?;
            View::parse(section).map(FromHost::ShowSection)
        }
        "set-language" => {
            Lang::parse_exact(only_string(payload, "lang")?).map(FromHost::SetLanguage)
        }
        "set-theme" => Theme::from_payload(payload).map(FromHost::SetTheme),
        _ => None,
    }
}

/// The message type and payload of a well-formed envelope.
fn envelope(message: &Value) -> Option<(&str, &Map<String, Value>)> {
    let object = message.as_object()?;
    if object.len() != 3 {
        return None;
    }
    let id = object.get("messageId")?.as_str()?;
    if id.is_empty() || id.chars().count() > 64 {
        return None;
    }
    let kind = object.get("messageType")?.as_str()?;
    Some((kind, object.get("payload")?.as_object()?))
}

/// The one string field `name` of a payload that has nothing else.
fn only_string<'a>(payload: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    (payload.len() == 1).then_some(())?;
    payload.get(name)?.as_str()
}

/// Why a save ended without reaching the server's record, for the partner's page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailReason {
    /// The service refused it (its words are shown inside the frame).
    Rejected,
    /// Changed elsewhere since it was opened; the citizen chooses inside the frame.
    Conflict,
    /// What this device had stored could not be sent.
    NotSendable,
}

impl FailReason {
    fn code(self) -> &'static str {
        match self {
            FailReason::Rejected => "rejected",
            FailReason::Conflict => "conflict",
            FailReason::NotSendable => "not-sendable",
        }
    }
}

/// What Tahto tells the partner's page.
#[derive(Clone, Debug, PartialEq)]
pub enum ToHost {
    Ready {
        section: View,
        lang: Lang,
        /// This frame's storage is kept per top-level site (unsent saves stay with this partner).
        partitioned: bool,
    },
    Resize {
        height: u32,
    },
    Navigate {
        section: View,
    },
    Saved {
        /// The kind of record (`Record::kind`), never its content.
        kind: &'static str,
        id: String,
        version: String,
    },
    SaveFailed {
        kind: &'static str,
        reason: FailReason,
    },
    Unsent {
        count: usize,
    },
}

impl ToHost {
    /// The message as posted, numbered `seq` in this frame.
    pub fn message(&self, seq: u64) -> Value {
        let (kind, payload) = match self {
            ToHost::Ready {
                section,
                lang,
                partitioned,
            } => (
                "ready",
                crate::object! { "section": section.key(), "lang": lang.code(), "partitioned": *partitioned },
            ),
            ToHost::Resize { height } => ("resize", crate::object! { "height": *height }),
            ToHost::Navigate { section } => {
                ("navigate", crate::object! { "section": section.key() })
            }
            ToHost::Saved { kind, id, version } => (
                "saved",
                crate::object! { "kind": *kind, "id": id.as_str(), "version": version.as_str() },
            ),
            ToHost::SaveFailed { kind, reason } => (
                "save-failed",
                crate::object! { "kind": *kind, "reason": reason.code() },
            ),
            ToHost::Unsent { count } => ("unsent", crate::object! { "count": *count }),
        };
        crate::object! {
            "messageId": format!("tahto-{seq}"),
            "messageType": kind,
            "payload": payload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(kind: &str, payload: Value) -> Value {
        json!({"messageId": "m1", "messageType": kind, "payload": payload})
    }

    #[test]
    fn reads_exactly_the_three_host_messages() {
        assert_eq!(
            from_host(&msg("show-section", json!({"section": "living-will"}))),
            Some(FromHost::ShowSection(View::LivingWill))
        );
        assert_eq!(
            from_host(&msg("set-language", json!({"lang": "sv"}))),
            Some(FromHost::SetLanguage(Lang::Sv))
        );
        assert!(matches!(
            from_host(&msg("set-theme", json!({"brand": "#005a8c"}))),
            Some(FromHost::SetTheme(_))
        ));
    }

    #[test]
    fn ignores_everything_else() {
        for bad in [
            json!(null),
            json!("show-section"),
            json!([1, 2]),
            json!({"messageType": "show-section", "payload": {"section": "home"}}),
            json!({"messageId": "", "messageType": "show-section", "payload": {"section": "home"}}),
            json!({"messageId": "x".repeat(65), "messageType": "show-section", "payload": {"section": "home"}}),
            json!({"messageId": 7, "messageType": "show-section", "payload": {"section": "home"}}),
            json!({"messageId": "a", "messageType": "show-section", "payload": {"section": "home"}, "extra": 1}),
            msg("show-section", json!({"section": "../admin"})),
            msg("show-section", json!({"section": "home", "also": "x"})),
            msg("show-section", json!({"section": 3})),
            msg("show-section", json!("home")),
            msg("set-language", json!({"lang": "de"})),
            msg("set-language", json!({"lang": "sv-FI"})),
            msg("set-theme", json!({"brand": "red; background:url(x)"})),
            msg("navigate", json!({"section": "home"})),
            msg(
                "saved",
                json!({"kind": "organ-donation", "id": "1", "version": "1"}),
            ),
            msg("__proto__", json!({})),
        ] {
            assert_eq!(from_host(&bad), None, "{bad}");
        }
    }

    #[test]
    fn tells_the_host_only_kinds_ids_versions_and_counts() {
        let saved = ToHost::Saved {
            kind: "organ-donation",
            id: "c1".into(),
            version: "2".into(),
        };
        assert_eq!(
            saved.message(4),
            json!({"messageId": "tahto-4", "messageType": "saved",
                   "payload": {"kind": "organ-donation", "id": "c1", "version": "2"}})
        );
        let ready = ToHost::Ready {
            section: View::OrganDonation,
            lang: Lang::Sv,
            partitioned: true,
        };
        assert_eq!(
            ready.message(1)["payload"],
            json!({"section": "organ-donation", "lang": "sv", "partitioned": true})
        );
        let failed = ToHost::SaveFailed {
            kind: "measurement",
            reason: FailReason::NotSendable,
        };
        assert_eq!(failed.message(2)["payload"]["reason"], "not-sendable");
        assert_eq!(
            ToHost::Unsent { count: 3 }.message(3)["payload"],
            json!({"count": 3})
        );
        assert_eq!(
            ToHost::Resize { height: 812 }.message(5)["payload"],
            json!({"height": 812})
        );
    }
}
