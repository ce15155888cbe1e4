//! A draft: what the citizen typed for a record and has not saved, and which version of the
//! record it was started on. Plain data, native tests; `handle.rs` keeps it in the browser.
//!
//! One draft per record is kept on the device, shared by every tab, while each tab holds its own
//! copy in memory. What a tab does when another tab changed the kept one ([`heard_from_other_tab`]),
//! before it writes over it ([`InStorage::holds`]) and once its save is confirmed
//! ([`after_confirmed`]) is decided here: the newest typing wins, and nothing typed is lost.

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

impl Draft {
    /// The same draft as `other` (see [`crate::json::same_value`]).
    pub fn same_as(&self, other: &Draft) -> bool {
        self.base == other.base
            && self.submitted == other.submitted
            && crate::json::same_value(&self.content, &other.content)
    }
}

/// A record's draft as a tab finds it in storage.
#[derive(Clone, Debug, PartialEq)]
pub enum InStorage {
    /// None is kept (or the browser gives no storage).
    Nothing,
    /// One this version cannot read (a newer Tahto in another tab wrote it).
    Unreadable,
    Draft(Draft),
}

impl InStorage {
    pub fn into_draft(self) -> Option<Draft> {
        match self {
            InStorage::Draft(d) => Some(d),
            InStorage::Nothing | InStorage::Unreadable => None,
        }
    }

    /// Storage still holds `mine`, the draft as this tab last wrote or read it: nothing was
    /// written there since that this tab has not heard of. A tab writes over the kept draft for
    /// anything but the citizen's own typing (sent, refused, moved onto a new version) only then;
    /// otherwise another tab's newer typing is there, and it comes to this tab with its event.
    pub fn holds(&self, mine: &Draft) -> bool {
        matches!(self, InStorage::Draft(d) if d.same_as(mine))
    }
}

/// What a tab does with its draft when another tab changed the kept one.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    /// Its own stays.
    Keep,
    /// The kept one is its draft now.
    Take(Draft),
    /// It has none now.
    Drop,
}

/// Another tab changed (or removed) this record's kept draft; `stored` is what storage holds now,
/// read again rather than taken from the event (events queue: storage is the newest word).
/// `only_here`: this tab's own typing could not be kept, so storage never had it.
///
/// The kept draft is taken as it is, a removal too. Every keystroke of a tab is written to storage
/// as it is typed, so what another tab wrote or removed is never older than this tab's typing:
/// a removal is a save confirmed of exactly what was kept, a deliberate discard or "take theirs",
/// or forgetting the device. Typing here after the removal wrote the draft again, and storage,
/// read again, holds it. Only typing that storage refused is newer than what it holds: kept.
pub fn heard_from_other_tab(mine: Option<&Draft>, stored: InStorage, only_here: bool) -> Heard {
    if only_here && mine.is_some() {
        return Heard::Keep;
    }
    match (stored, mine) {
        (InStorage::Draft(d), Some(m)) if d.same_as(m) => Heard::Keep,
        (InStorage::Draft(d), _) => Heard::Take(d),
        (InStorage::Nothing, Some(_)) => Heard::Drop,
        (InStorage::Nothing, None) | (InStorage::Unreadable, _) => Heard::Keep,
    }
}

/// What a tab does once the save of its sent draft is confirmed.
#[derive(Clone, Debug, PartialEq)]
pub enum AfterConfirmed {
    /// Storage holds what was sent, or nothing: the draft has done its job, here and there.
    Forget,
    /// Another tab wrote a draft since: it stays, and is this tab's draft now. `rebased`: it
    /// was moved onto the confirmed version, and is to be kept so.
    Adopt { draft: Draft, rebased: bool },
    /// What storage holds stays there (another tab's, or one this version cannot read); this
    /// tab has none.
    Leave,
}

/// The save of `sent` was confirmed as the version `confirmed` (`id`, `versionId`); `stored` is
/// what storage holds now. Only the draft that was sent goes: typing another tab did meanwhile
/// is newer, and stays. Typed on the version the save was made on, it builds on the save (the
/// citizen's own, not a change made elsewhere), as `handle.rs` does for this tab's own typing.
pub fn after_confirmed(
    sent: &Draft,
    stored: InStorage,
    only_here: bool,
    confirmed: Option<(String, String)>,
) -> AfterConfirmed {
    match stored {
        InStorage::Nothing => AfterConfirmed::Forget,
        InStorage::Draft(d) if crate::json::same_value(&d.content, &sent.content) => {
            AfterConfirmed::Forget
        }
        InStorage::Unreadable => AfterConfirmed::Leave,
        // Storage refused this tab's typing: what it holds may be this tab's older typing or
        // another tab's newer. It is left as it is (nothing typed is lost), and not shown here.
        InStorage::Draft(_) if only_here => AfterConfirmed::Leave,
        InStorage::Draft(mut d) => {
            let rebased = !d.submitted && d.base == sent.base && confirmed.is_some();
            if rebased {
                d.base = confirmed;
            }
            AfterConfirmed::Adopt { draft: d, rebased }
        }
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

    fn typed(text: &str, base: Option<&str>, submitted: bool) -> Draft {
        Draft {
            content: json!({ "text": text }),
            base: base.map(|v| ("c1".to_owned(), v.to_owned())),
            submitted,
        }
    }

    #[test]
    fn the_same_draft_read_back_is_the_same_numbers_by_value() {
        let written = Draft {
            content: json!({"weight": 72.0, "items": [1, "a"]}),
            base: None,
            submitted: false,
        };
        let read_back = Draft {
            content: json!({"items": [1, "a"], "weight": 72}),
            ..written.clone()
        };
        assert!(written.same_as(&read_back));
        assert!(!written.same_as(&Draft {
            content: json!({"weight": 72.5, "items": [1, "a"]}),
            ..written.clone()
        }));
        assert!(!written.same_as(&Draft {
            submitted: true,
            ..written.clone()
        }));
        assert!(!written.same_as(&Draft {
            content: json!({"weight": 72.0, "items": [1, "a"], "more": null}),
            ..written.clone()
        }));
    }

    #[test]
    fn another_tabs_typing_is_taken_and_a_removal_followed() {
        let mine = typed("mine", Some("1"), false);
        let theirs = typed("theirs", Some("1"), false);
        let kept = |d: &Draft| InStorage::Draft(d.clone());
        assert_eq!(
            heard_from_other_tab(Some(&mine), kept(&theirs), false),
            Heard::Take(theirs.clone())
        );
        assert_eq!(
            heard_from_other_tab(None, kept(&theirs), false),
            Heard::Take(theirs.clone()),
            "a tab that never typed shows the newer draft"
        );
        assert_eq!(
            heard_from_other_tab(Some(&mine), kept(&mine), false),
            Heard::Keep,
            "storage holds this tab's own (it typed again since): nothing to change"
        );
        assert_eq!(
            heard_from_other_tab(Some(&mine), InStorage::Nothing, false),
            Heard::Drop,
            "saved or discarded elsewhere"
        );
        assert_eq!(
            heard_from_other_tab(None, InStorage::Nothing, false),
            Heard::Keep
        );
        assert_eq!(
            heard_from_other_tab(Some(&mine), InStorage::Unreadable, false),
            Heard::Keep,
            "what this version cannot read never replaces the citizen's typing"
        );
        for stored in [kept(&theirs), InStorage::Nothing] {
            assert_eq!(
                heard_from_other_tab(Some(&mine), stored, true),
                Heard::Keep,
                "typing storage refused is newer than anything it holds"
            );
        }
        assert_eq!(
            heard_from_other_tab(None, kept(&theirs), true),
            Heard::Take(theirs)
        );
    }

    #[test]
    fn a_tab_writes_over_the_kept_draft_only_while_it_holds_its_own() {
        let mine = typed("mine", Some("1"), false);
        assert!(InStorage::Draft(mine.clone()).holds(&mine));
        assert!(!InStorage::Draft(typed("newer", Some("1"), false)).holds(&mine));
        assert!(!InStorage::Draft(typed("mine", Some("1"), true)).holds(&mine));
        assert!(!InStorage::Nothing.holds(&mine), "removed elsewhere");
        assert!(!InStorage::Unreadable.holds(&mine));
        assert_eq!(InStorage::Unreadable.into_draft(), None);
        assert_eq!(InStorage::Draft(mine.clone()).into_draft(), Some(mine));
    }

    #[test]
    fn a_confirmed_save_forgets_only_the_draft_it_was_made_of() {
        let sent = typed("sent", Some("1"), true);
        let v2 = Some(("c1".to_owned(), "2".to_owned()));
        let after = |stored, only_here| after_confirmed(&sent, stored, only_here, v2.clone());
        assert_eq!(
            after(InStorage::Draft(sent.clone()), false),
            AfterConfirmed::Forget
        );
        assert_eq!(
            after(InStorage::Draft(typed("sent", Some("1"), false)), false),
            AfterConfirmed::Forget,
            "the same content, typed back to it elsewhere: saved"
        );
        assert_eq!(
            after(InStorage::Nothing, false),
            AfterConfirmed::Forget,
            "already forgotten by another tab"
        );
        assert_eq!(after(InStorage::Unreadable, false), AfterConfirmed::Leave);
        assert_eq!(
            after(InStorage::Draft(typed("other", Some("1"), false)), true),
            AfterConfirmed::Leave,
            "storage refused this tab's drafts: what it holds (maybe another tab's) stays"
        );
        assert_eq!(
            after(InStorage::Draft(typed("sent", Some("1"), true)), true),
            AfterConfirmed::Forget,
            "what it holds is what was sent: saved"
        );

        // Typed in another tab while the save was on its way: it stays, on the saved version.
        assert_eq!(
            after(
                InStorage::Draft(typed("typed since", Some("1"), false)),
                false
            ),
            AfterConfirmed::Adopt {
                draft: typed("typed since", Some("2"), false),
                rebased: true
            }
        );
        // Started on another version: it stays as it is (the citizen compares, if it is stale).
        assert_eq!(
            after(InStorage::Draft(typed("other", Some("0"), false)), false),
            AfterConfirmed::Adopt {
                draft: typed("other", Some("0"), false),
                rebased: false
            }
        );
        // Sent in its turn by another tab: that save's own confirmation settles it.
        assert_eq!(
            after(
                InStorage::Draft(typed("sent later", Some("1"), true)),
                false
            ),
            AfterConfirmed::Adopt {
                draft: typed("sent later", Some("1"), true),
                rebased: false
            }
        );
        assert_eq!(
            after_confirmed(
                &sent,
                InStorage::Draft(typed("typed since", Some("1"), false)),
                false,
                None
            ),
            AfterConfirmed::Adopt {
                draft: typed("typed since", Some("1"), false),
                rebased: false
            },
            "no confirmed copy known: nothing to move it onto"
        );
    }
}
