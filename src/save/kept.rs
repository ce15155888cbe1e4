//! How saves ended, kept on the device for every tab and the next visit: the outcome shown on
//! the item ("Saved at 14:03 · version 3", or the server's refusal) and the server's copy of a
//! confirmed record (shown as the recorded version until the server is asked again).
//!
//! One bounded list per citizen, not a key per record: a citizen who enters a measurement a day
//! for years leaves at most [`MAX_KEPT`] outcomes behind, none older than [`KEPT_FOR_MS`].

use serde_json::Value;

use super::state::SaveState;

/// The most outcomes kept per citizen; the oldest go first.
pub const MAX_KEPT: usize = 40;
/// How long an outcome is kept: long enough to see it on the next visit, not forever.
pub const KEPT_FOR_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

/// How one record's last save ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// `None` once a new save of the record started (the copy may still be the recorded one).
    pub state: Option<SaveState>,
    /// The server's copy of the confirmed version, for records that keep one.
    pub copy: Option<Value>,
    pub at_ms: f64,
}

/// The outcomes of one citizen, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcomes {
    items: Vec<(String, Outcome)>,
}

impl Outcomes {
    /// Every record's outcome, by record key, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Outcome)> {
        self.items.iter().map(|(k, o)| (k.as_str(), o))
    }

    pub fn get(&self, record_key: &str) -> Option<&Outcome> {
        self.items
            .iter()
            .find(|(k, _)| k == record_key)
            .map(|(_, o)| o)
    }

    /// Remembers how a save of `record_key` ended (and the stored copy, when given).
    pub fn remember(
        &mut self,
        record_key: &str,
        state: &SaveState,
        copy: Option<Value>,
        now_ms: f64,
    ) {
        let previous_copy = self.take(record_key).and_then(|o| o.copy);
        let copy = match state {
            SaveState::Confirmed(_) => copy,
            // A refusal leaves the recorded version as it was.
            _ => previous_copy,
        };
        self.items.push((
            record_key.to_owned(),
            Outcome {
                state: Some(state.clone()),
                copy,
                at_ms: now_ms,
            },
        ));
        self.prune(now_ms);
    }

    /// A new save of `record_key` started: its last outcome is no longer what the item shows.
    /// Returns whether anything changed.
    pub fn clear_state(&mut self, record_key: &str) -> bool {
        match self.items.iter_mut().find(|(k, _)| k == record_key) {
            Some((_, outcome)) if outcome.state.is_some() => {
                outcome.state = None;
                true
            }
            _ => false,
        }
    }

    fn take(&mut self, record_key: &str) -> Option<Outcome> {
        let at = self.items.iter().position(|(k, _)| k == record_key)?;
        Some(self.items.remove(at).1)
    }

    /// Drops what is too old, then the oldest beyond [`MAX_KEPT`].
    pub fn prune(&mut self, now_ms: f64) {
        self.items.retain(|(_, o)| now_ms - o.at_ms < KEPT_FOR_MS);
        let excess = self.items.len().saturating_sub(MAX_KEPT);
        self.items.drain(..excess);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// As stored: `[[record, state|null, copy|null, at], …]` (mapped by hand: wasm size).
    pub fn to_stored(&self) -> Value {
        Value::Array(
            self.items
                .iter()
                .map(|(k, o)| {
                    Value::Array(vec![
                        Value::String(k.clone()),
                        o.state
                            .as_ref()
                            .and_then(SaveState::to_stored)
                            .unwrap_or(Value::Null),
                        o.copy.clone().unwrap_or(Value::Null),
                        serde_json::Number::from_f64(o.at_ms).map_or(Value::Null, Value::Number),
                    ])
                })
                .collect(),
        )
    }

    /// Reads what [`Outcomes::to_stored`] wrote; anything unreadable is skipped, not misread.
    pub fn from_stored(v: &Value) -> Outcomes {
        let items = v
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| {
                        let key = item.get(0)?.as_str()?.to_owned();
                        let state = item.get(1).and_then(SaveState::from_stored);
                        let copy = item.get(2).filter(|c| c.is_object()).cloned();
                        let at_ms = item.get(3)?.as_f64()?;
                        Some((key, Outcome { state, copy, at_ms }))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Outcomes { items }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::Receipt;
    use serde_json::json;

    fn confirmed(v: &str) -> SaveState {
        SaveState::Confirmed(Receipt {
            id: "c1".into(),
            version_id: v.into(),
            server_time: None,
        })
    }

    #[test]
    fn keeps_the_copy_of_a_confirmed_save_until_a_newer_one() {
        let mut kept = Outcomes::default();
        kept.remember(
            "organ-donation",
            &confirmed("1"),
            Some(json!({"v": 1})),
            0.0,
        );
        kept.clear_state("organ-donation");
        assert_eq!(kept.get("organ-donation").unwrap().state, None);
        assert_eq!(
            kept.get("organ-donation").unwrap().copy,
            Some(json!({"v": 1}))
        );
        let refused = SaveState::Rejected {
            status: 422,
            reason: None,
        };
        kept.remember("organ-donation", &refused, None, 1.0);
        assert_eq!(
            kept.get("organ-donation").unwrap().copy,
            Some(json!({"v": 1}))
        );
        kept.remember(
            "organ-donation",
            &confirmed("2"),
            Some(json!({"v": 2})),
            2.0,
        );
        assert_eq!(
            kept.get("organ-donation").unwrap().copy,
            Some(json!({"v": 2}))
        );
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn is_bounded_in_number_and_age() {
        let mut kept = Outcomes::default();
        for i in 0..(MAX_KEPT + 25) {
            kept.remember(&format!("measurement/{i}"), &confirmed("1"), None, i as f64);
        }
        assert_eq!(kept.len(), MAX_KEPT);
        assert!(kept.get("measurement/0").is_none(), "the oldest went first");
        assert!(kept
            .get(&format!("measurement/{}", MAX_KEPT + 24))
            .is_some());
        kept.prune(KEPT_FOR_MS + 1_000.0);
        assert!(kept.is_empty(), "nothing is kept forever");
    }

    #[test]
    fn round_trips_as_stored_and_skips_what_it_cannot_read() {
        let mut kept = Outcomes::default();
        kept.remember("living-will", &confirmed("3"), Some(json!({"a": 1})), 5.0);
        kept.remember(
            "renewal/rx",
            &SaveState::Rejected {
                status: 400,
                reason: Some("no".into()),
            },
            None,
            6.0,
        );
        let text = serde_json::to_string(&kept.to_stored()).unwrap();
        assert_eq!(
            Outcomes::from_stored(&serde_json::from_str(&text).unwrap()),
            kept
        );
        let odd = json!([["x"], 5, null, ["y", null, null, 1.0]]);
        assert_eq!(Outcomes::from_stored(&odd).len(), 1);
        assert!(Outcomes::from_stored(&json!({"x": 1})).is_empty());
    }
}
