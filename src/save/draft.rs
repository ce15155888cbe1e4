//! A draft: what the citizen typed for a record and has not saved, and which version of the
//! record it was started on. Plain data, native tests; `handle.rs` keeps it in the browser.

use serde_json::Value;

use crate::fhir::resources::{id, version_id};

/// What the citizen typed and has not saved yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    /// The form's content, in the page's own stored form.
    pub content: Value,
    /// The version in force when the citizen started typing (`id`, `versionId`); `None` when
    /// nothing was recorded.
    pub base: Option<(String, String)>,
    /// Sent for saving: kept until the server confirms it, and a draft again if refused.
    pub submitted: bool,
}

/// The `(id, versionId)` of a stored resource.
pub fn version_of(resource: &Value) -> Option<(String, String)> {
    Some((id(resource)?.to_owned(), version_id(resource)?.to_owned()))
}

impl Draft {
    /// A new draft of `content`, started on `recorded`.
    pub fn started_on(content: Value, recorded: Option<&Value>) -> Draft {
        Draft {
            content,
            base: recorded.and_then(version_of),
            submitted: false,
        }
    }

    /// The record changed on the server since this draft was started: the citizen must see both
    /// before anything is saved (a draft never silently overwrites a newer version).
    pub fn is_stale(&self, recorded: Option<&Value>) -> bool {
        !self.submitted && self.base != recorded.and_then(version_of)
    }

    /// As kept: `{"content": …, "base": [id, version] | null, "submitted": bool}`.
    pub fn to_stored(&self) -> Value {
        let base = self.base.as_ref().map_or(Value::Null, |(id, v)| {
            Value::Array(vec![Value::String(id.clone()), Value::String(v.clone())])
        });
        crate::object! {
            "content": self.content.clone(),
            "base": base,
            "submitted": self.submitted,
        }
    }

    /// Reads what [`Draft::to_stored`] wrote; `None` for anything else.
    pub fn from_stored(v: &Value) -> Option<Draft> {
        let content = v.get("content")?.clone();
        let base = match v.get("base")? {
            Value::Null => None,
            Value::Array(pair) => match pair.as_slice() {
                [Value::String(id), Value::String(version)] => Some((id.clone(), version.clone())),
                _ => return None,
            },
            _ => return None,
        };
        Some(Draft {
            content,
            base,
            submitted: v.get("submitted")?.as_bool()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(version: &str) -> Value {
        json!({"resourceType": "Consent", "id": "c1", "meta": {"versionId": version}})
    }

    #[test]
    fn a_draft_is_stale_once_the_record_changed_elsewhere() {
        let v1 = stored("1");
        let draft = Draft::started_on(json!("mine"), Some(&v1));
        assert!(!draft.is_stale(Some(&v1)));
        assert!(draft.is_stale(Some(&stored("2"))), "changed since");
        assert!(draft.is_stale(None), "deleted since");
        let on_nothing = Draft::started_on(json!("mine"), None);
        assert!(!on_nothing.is_stale(None));
        assert!(on_nothing.is_stale(Some(&v1)), "created elsewhere since");
        let sent = Draft {
            submitted: true,
            ..draft
        };
        assert!(
            !sent.is_stale(Some(&stored("2"))),
            "a sent draft is the outbox's"
        );
    }

    #[test]
    fn round_trips_as_stored() {
        let draft = Draft {
            content: json!({"choice": "refuse", "note": "ä\u{1f}"}),
            base: Some(("c1".into(), "4".into())),
            submitted: true,
        };
        let text = serde_json::to_string(&draft.to_stored()).unwrap();
        assert_eq!(
            Draft::from_stored(&serde_json::from_str(&text).unwrap()),
            Some(draft)
        );
        let none = Draft::started_on(json!("x"), None);
        assert_eq!(Draft::from_stored(&none.to_stored()), Some(none));
        assert_eq!(Draft::from_stored(&json!("old plain text draft")), None);
        assert_eq!(
            Draft::from_stored(&json!({"content": 1, "base": [1], "submitted": false})),
            None
        );
    }
}
