//! The outbox: saves that have not been confirmed yet, as plain data.
//!
//! Entries are data (resource, how to write it, attempt log), never closures, so they survive a
//! reload, a crash or a closed tab in IndexedDB and any tab can send them. This module decides
//! everything — what to send next, how an answer changes an entry — without touching a browser;
//! the browser side only stores entries (`store.rs`) and carries requests.
//!
//! Ordering and coalescing, per record (one citizen decision, e.g. "organ donation of Patient/x"):
//! - A later edit never overtakes an earlier one: only the oldest entry of a record is sent.
//! - An edit made while the record's entry is *waiting* (not in flight) replaces that entry's
//!   content and keeps its idempotency key (the create identifier or the `If-Match` version; but an
//!   update of a version in force replaces a create, which would add a second record). The
//!   content it replaced is remembered, because it may already be stored (a lost response): when the
//!   server later shows it, it is recognised as ours, not taken for someone else's change.
//! - An edit made while the entry is *in flight* becomes a second entry that waits for the first
//!   and is rebased onto its result (`If-Match` the version the first one produced).

use serde_json::{Map, Value};

use super::record::Record;
use super::retry::RetryPolicy;
use super::state::{NotYetSaved, SaveState};
use crate::fhir::resources::IDENTIFIER_SYSTEM;
use crate::fhir::write::LookFirst;
use crate::fhir::{FhirError, Receipt, Write};

/// After this long "in flight" without an answer, an entry is considered abandoned (its tab was
/// closed or crashed mid-request) and may be sent again. Longer than the request time limit.
pub const IN_FLIGHT_LEASE_MS: f64 = 45_000.0;
/// How many attempts the log keeps per entry (the count is kept separately).
const ATTEMPT_LOG_LEN: usize = 20;

/// One try and how it ended, for the citizen's "why" and for support.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub at_ms: f64,
    pub outcome: String,
}

/// Why the last attempt did not store the save, in the compact form kept in storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastFailure {
    /// An HTTP status, or 0 (no connection), 1 (timed out), 2 (answer unreadable).
    pub code: u16,
    pub retry_after_secs: Option<u32>,
}

impl LastFailure {
    fn of(why: &NotYetSaved, retry_after_secs: Option<u32>) -> Self {
        let code = match why {
            NotYetSaved::Unreachable => 0,
            NotYetSaved::Timeout => 1,
            NotYetSaved::GarbledAnswer => 2,
            NotYetSaved::SignInNeeded => 401,
            NotYetSaved::ServiceError { status } => *status,
        };
        Self {
            code,
            retry_after_secs,
        }
    }

    fn why(self) -> NotYetSaved {
        match self.code {
            0 => NotYetSaved::Unreachable,
            1 => NotYetSaved::Timeout,
            2 => NotYetSaved::GarbledAnswer,
            401 => NotYetSaved::SignInNeeded,
            status => NotYetSaved::ServiceError { status },
        }
    }
}

/// A save that has not been confirmed.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    /// Unique id of this entry (a `urn:uuid:`).
    pub id: String,
    /// Whose save it is: the [`Citizen`](super::record::Citizen) tag (one person on one
    /// backend). It is only ever shown to and sent for them.
    pub owner: String,
    /// Who made it, when signed in: the sign-in's `fhirUser` (`Patient/<id>`, or a person acting
    /// for the patient). The last edit's maker when edits were joined into one entry.
    pub made_by: Option<String>,
    /// The record it changes; entries of one record are sent in order.
    pub record: String,
    /// Order of creation across the whole outbox.
    pub seq: u64,
    pub resource_type: String,
    /// The full resource to send.
    pub resource: Value,
    pub write: Write,
    /// Contents this entry sent before an edit replaced them; any may already be stored.
    pub earlier_contents: Vec<Value>,
    /// The entry this one was built on while that one was in flight; sent after it, rebased on it.
    pub after: Option<String>,
    /// What the citizen sees. Not stored: it follows from the fields below (`restore_state`).
    pub state: SaveState,
    /// How the last attempt failed, while the entry waits for its next try.
    pub last_failure: Option<LastFailure>,
    /// Number of attempts made (the log below is bounded).
    pub attempt_count: u32,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at_ms: f64,
    /// Set while a tab is sending it.
    pub sending_since_ms: Option<f64>,
    pub created_at_ms: f64,
    /// The server's copy, when it changed elsewhere (`Conflict`).
    pub theirs: Option<Value>,
}

impl OutboxEntry {
    /// Rebuilds the visible state of an entry read back from storage.
    pub fn restore_state(&mut self) {
        self.state = match (&self.theirs, self.last_failure, self.sending_since_ms) {
            (Some(_), _, _) => SaveState::Conflict { status: 412 },
            (None, Some(failure), None) => SaveState::Queued {
                why: failure.why(),
                attempts: self.attempt_count,
                retry_after_secs: failure.retry_after_secs,
                next_try_at_ms: Some(self.next_attempt_at_ms.max(0.0) as u64),
            },
            _ => SaveState::Saving {
                attempt: self.attempt_count.max(1),
                slow: false,
            },
        };
    }

    /// `restore_state`, by value.
    pub fn restored(mut self) -> Self {
        self.restore_state();
        self
    }

    /// The entry as it is kept in storage (JSON; `state` is rebuilt on reading).
    ///
    /// Mapped by hand rather than derived: the derived deserializer of this struct was 10 KB of
    /// wasm. `entries_round_trip_through_json_as_stored` keeps the two directions in step.
    pub fn to_stored(&self) -> Value {
        let text = |s: &str| Value::String(s.to_owned());
        let number = |n: f64| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number);
        let mut m = Map::new();
        m.insert("id".into(), text(&self.id));
        m.insert("owner".into(), text(&self.owner));
        if let Some(by) = &self.made_by {
            m.insert("by".into(), text(by));
        }
        m.insert("record".into(), text(&self.record));
        m.insert("seq".into(), self.seq.into());
        m.insert("type".into(), text(&self.resource_type));
        m.insert("resource".into(), self.resource.clone());
        let write = match &self.write {
            Write::Create { creation_key, .. } => vec![text("create"), text(creation_key)],
            Write::Update { id, if_match } => vec![text("update"), text(id), text(if_match)],
        };
        m.insert("write".into(), Value::Array(write));
        // A key of its own: a tab still on a version without it reads the entry as the create
        // it is, rather than not at all. It sends it without looking first, and writes it back
        // without the key: the cost of a mixed-version moment is the duplicate this prevents.
        if let Write::Create {
            look_first: Some(look_first),
            ..
        } = &self.write
        {
            let key = match look_first {
                LookFirst::InForce(_) => "in_force",
                LookFirst::Answer(_) => "answer",
            };
            m.insert(key.into(), text(look_first.query()));
        }
        m.insert(
            "earlier".into(),
            Value::Array(self.earlier_contents.clone()),
        );
        if let Some(after) = &self.after {
            m.insert("after".into(), text(after));
        }
        if let Some(f) = self.last_failure {
            let retry_after = f.retry_after_secs.map_or(Value::Null, Value::from);
            m.insert(
                "failure".into(),
                Value::Array(vec![f.code.into(), retry_after]),
            );
        }
        m.insert("attempts".into(), self.attempt_count.into());
        let log = self
            .attempts
            .iter()
            .map(|a| Value::Array(vec![number(a.at_ms), text(&a.outcome)]))
            .collect();
        m.insert("log".into(), Value::Array(log));
        m.insert("next".into(), number(self.next_attempt_at_ms));
        if let Some(since) = self.sending_since_ms {
            m.insert("sending".into(), number(since));
        }
        m.insert("created".into(), number(self.created_at_ms));
        if let Some(theirs) = &self.theirs {
            m.insert("theirs".into(), theirs.clone());
        }
        Value::Object(m)
    }

    /// Reads an entry written by [`OutboxEntry::to_stored`]; `None` when it is not one (e.g. written
    /// by a later version of Tahto), so it is left alone rather than misread.
    pub fn from_stored(v: &Value) -> Option<Self> {
        let text = |key: &str| Some(v.get(key)?.as_str()?.to_owned());
        let number = |key: &str| v.get(key).and_then(Value::as_f64);
        let strings = |key: &str| -> Option<Vec<String>> {
            v.get(key)?
                .as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        let write = match strings("write")?.as_slice() {
            [kind, key] if kind == "create" => Write::Create {
                creation_key: key.clone(),
                look_first: text("in_force")
                    .map(LookFirst::InForce)
                    .or_else(|| text("answer").map(LookFirst::Answer)),
            },
            [kind, id, if_match] if kind == "update" => Write::Update {
                id: id.clone(),
                if_match: if_match.clone(),
            },
            _ => return None,
        };
        let last_failure = match v.get("failure").and_then(Value::as_array) {
            Some(f) => Some(LastFailure {
                code: u16::try_from(f.first()?.as_u64()?).ok()?,
                retry_after_secs: f
                    .get(1)
                    .and_then(Value::as_u64)
                    .and_then(|s| u32::try_from(s).ok()),
            }),
            None => None,
        };
        let attempts = v
            .get("log")?
            .as_array()?
            .iter()
            .map(|a| {
                Some(Attempt {
                    at_ms: a.get(0)?.as_f64()?,
                    outcome: a.get(1)?.as_str()?.to_owned(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let entry = OutboxEntry {
            id: text("id")?,
            owner: text("owner")?,
            made_by: text("by"),
            record: text("record")?,
            seq: v.get("seq")?.as_u64()?,
            resource_type: text("type")?,
            resource: v.get("resource")?.clone(),
            write,
            earlier_contents: v.get("earlier")?.as_array()?.clone(),
            after: text("after"),
            state: SaveState::Draft,
            last_failure,
            attempt_count: u32::try_from(v.get("attempts")?.as_u64()?).ok()?,
            attempts,
            next_attempt_at_ms: number("next")?,
            sending_since_ms: number("sending"),
            created_at_ms: number("created")?,
            theirs: v.get("theirs").cloned(),
        };
        Some(entry.restored())
    }

    /// Marks the entry as about to be sent again (an edit, a choice, *Retry now*).
    pub fn make_due(&mut self, now_ms: f64) {
        self.last_failure = None;
        self.next_attempt_at_ms = now_ms;
        self.state = SaveState::Saving {
            attempt: self.attempt_count + 1,
            slow: false,
        };
    }

    pub fn in_flight(&self, now_ms: f64) -> bool {
        self.sending_since_ms
            .is_some_and(|since| now_ms - since < IN_FLIGHT_LEASE_MS)
    }

    fn log(&mut self, at_ms: f64, outcome: String) {
        self.attempts.push(Attempt { at_ms, outcome });
        if self.attempts.len() > ATTEMPT_LOG_LEN {
            let excess = self.attempts.len() - ATTEMPT_LOG_LEN;
            self.attempts.drain(..excess);
        }
    }

    /// Whether `server` holds exactly what this entry sends now.
    pub fn is_current_content(&self, server: &Value) -> bool {
        same_content(&self.resource, server)
    }

    fn is_earlier_content(&self, server: &Value) -> bool {
        self.earlier_contents
            .iter()
            .any(|c| same_content(c, server))
    }
}

/// Two versions of a resource say the same thing (ignoring the server's `id` and `meta`).
pub fn same_content(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("id");
            map.remove("meta");
        }
        v
    }
    crate::json::same_value(&strip(a), &strip(b))
}

/// Makes the resource carry the identifier its create is keyed on (`system|value`), so that
/// `If-None-Exist` always finds what an earlier attempt of the same entry may have stored.
fn carry_creation_identifier(resource: &mut Value, write: &Write) {
    let Write::Create { creation_key, .. } = write else {
        return;
    };
    let Some((system, value)) = creation_key.split_once('|') else {
        return;
    };
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    let identifiers = obj
        .entry("identifier")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !identifiers.is_array() {
        *identifiers = Value::Array(Vec::new());
    }
    if let Some(list) = identifiers.as_array_mut() {
        list.retain(|i| i.get("system").and_then(Value::as_str) != Some(system));
        list.insert(0, crate::object! { "system": system, "value": value });
    }
}

/// The entry for a new save of `record`, given what the outbox already holds.
pub enum Enqueue {
    /// A new entry.
    Add(OutboxEntry),
    /// The waiting entry of this record, with the new content.
    Replace(OutboxEntry),
}

/// Everything needed to enqueue a save.
pub struct NewSave {
    pub entry_id: String,
    /// Whose save it is: the citizen's tag.
    pub owner: String,
    /// Who made it (`OutboxEntry::made_by`).
    pub made_by: Option<String>,
    pub record: String,
    pub resource_type: String,
    pub resource: Value,
    pub write: Write,
    pub now_ms: f64,
}

/// Decides how a new save of a record joins the outbox (see the module docs).
pub fn enqueue(entries: &[OutboxEntry], save: NewSave) -> Enqueue {
    let seq = entries.iter().map(|e| e.seq).max().map_or(0, |s| s + 1);
    let last_of_record = entries
        .iter()
        .filter(|e| e.owner == save.owner && e.record == save.record)
        .max_by_key(|e| e.seq);
    match last_of_record {
        // A conflict waits for the citizen's choice (`keep_mine` / `take_theirs`); a new edit
        // queues behind it.
        Some(last)
            if !last.in_flight(save.now_ms)
                && !matches!(last.state, SaveState::Conflict { .. }) =>
        {
            let mut entry = last.clone();
            entry.made_by = save.made_by;
            // The citizen decided over a version in force that the waiting create did not know
            // of (another device created the record meanwhile, and she kept hers over it): sent
            // as a create, hers would stand beside that one as a second decision. If an earlier
            // attempt of the create was stored after all (a lost answer), that copy stays, but
            // the version in force holds her newest.
            if let (Write::Create { .. }, Write::Update { .. }) = (&entry.write, &save.write) {
                entry.write = save.write;
            }
            if entry.attempt_count > 0 && !entry.is_current_content(&save.resource) {
                let replaced = std::mem::replace(&mut entry.resource, save.resource);
                entry.earlier_contents.push(replaced);
            } else {
                entry.resource = save.resource;
            }
            carry_creation_identifier(&mut entry.resource, &entry.write);
            entry.make_due(save.now_ms);
            Enqueue::Replace(entry)
        }
        last => Enqueue::Add(OutboxEntry {
            id: save.entry_id,
            owner: save.owner,
            made_by: save.made_by,
            record: save.record,
            seq,
            resource_type: save.resource_type,
            resource: {
                let mut resource = save.resource;
                carry_creation_identifier(&mut resource, &save.write);
                resource
            },
            write: save.write,
            earlier_contents: Vec::new(),
            after: last.map(|l| l.id.clone()),
            state: SaveState::Saving {
                attempt: 1,
                slow: false,
            },
            last_failure: None,
            attempt_count: 0,
            attempts: Vec::new(),
            next_attempt_at_ms: save.now_ms,
            sending_since_ms: None,
            created_at_ms: save.now_ms,
            theirs: None,
        }),
    }
}

fn is_first_of_record(entries: &[OutboxEntry], entry: &OutboxEntry) -> bool {
    !entries
        .iter()
        .any(|o| o.owner == entry.owner && o.record == entry.record && o.seq < entry.seq)
}

/// The entry to send next, if any is due: the oldest due entry that is the first of its record,
/// not in flight and not waiting for the citizen (`Conflict`).
pub fn next_due(entries: &[OutboxEntry], now_ms: f64) -> Option<&OutboxEntry> {
    // The oldest by `seq`, whatever order storage returned them in (no sort: a sort of these
    // structs is ~5 KB of wasm).
    entries
        .iter()
        .filter(|e| {
            is_first_of_record(entries, e)
                && !e.in_flight(now_ms)
                && !matches!(e.state, SaveState::Conflict { .. })
                && e.next_attempt_at_ms <= now_ms
        })
        .min_by_key(|e| e.seq)
}

/// The service itself is not accepting saves (the seed incident: reads worked, saves failed for
/// 48 hours, and people blamed themselves): a save was answered "unavailable" (503), or has
/// failed twice with an error on the service's side (5xx, 429). Not for a citizen's own network
/// (no answer at all), nor for a refusal or a conflict, which are about that one save.
pub fn service_refusing_saves(entries: &[OutboxEntry]) -> bool {
    entries.iter().any(|e| match e.last_failure {
        Some(LastFailure { code: 503, .. }) => true,
        Some(LastFailure { code, .. }) => {
            (code == 429 || (500..=599).contains(&code)) && e.attempt_count >= 2
        }
        None => false,
    })
}

/// When the next entry falls due, for the timer (`None` when nothing waits on time).
pub fn next_wake_ms(entries: &[OutboxEntry]) -> Option<f64> {
    entries
        .iter()
        .filter(|e| !matches!(e.state, SaveState::Conflict { .. }))
        // Entries waiting behind an earlier one of their record wake with it, not on their own.
        .filter(|e| is_first_of_record(entries, e))
        .map(|e| {
            e.sending_since_ms
                .map_or(e.next_attempt_at_ms, |s| s + IN_FLIGHT_LEASE_MS)
        })
        .min_by(|a, b| a.total_cmp(b))
}

/// Marks an entry as being sent now.
pub fn start_attempt(entry: &mut OutboxEntry, now_ms: f64) {
    entry.attempt_count += 1;
    entry.sending_since_ms = Some(now_ms);
    entry.state = SaveState::Saving {
        attempt: entry.attempt_count,
        slow: false,
    };
}

/// What the outbox does after an answer.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Stored: remove the entry, rebase the entries that waited on it, remember the server copy.
    /// For a request, `stored` may be one already made (elsewhere, or ours and processed since);
    /// what waited on it is then a request of its own, never built on it (`request_anew`).
    Confirmed { receipt: Receipt, stored: Value },
    /// Send this (updated) entry again at once.
    SendAgain(OutboxEntry),
    /// Read the record back from the server before deciding (after a 409/412 on an update).
    ReadBack(OutboxEntry),
    /// Keep the entry (waiting for a retry, or for the citizen in `Conflict`).
    Keep(OutboxEntry),
    /// Refused by the server: remove the entry; the citizen's input stays in their draft.
    Rejected {
        entry: OutboxEntry,
        state: SaveState,
    },
}

fn describe_error(error: &FhirError) -> String {
    match error {
        FhirError::Unreachable(_) => "unreachable".into(),
        FhirError::Timeout => "timeout".into(),
        FhirError::Status { status, .. } => format!("HTTP {status}"),
        FhirError::Malformed(_) => "unreadable answer".into(),
        FhirError::MissingVersion => "answer without version".into(),
    }
}

fn version_of(stored: &Value) -> Option<(String, String)> {
    let id = stored.get("id")?.as_str()?.to_owned();
    let version = stored.get("meta")?.get("versionId")?.as_str()?.to_owned();
    Some((id, version))
}

/// Moves an entry on after one attempt ended with `result` (the stored resource and its receipt).
pub fn after_answer(
    mut entry: OutboxEntry,
    result: Result<(Value, Receipt), FhirError>,
    now_ms: f64,
    random: f64,
    policy: &RetryPolicy,
) -> Next {
    entry.sending_since_ms = None;
    let attempt = entry.attempt_count.max(1);
    match result {
        Ok((stored, receipt)) => {
            entry.log(now_ms, format!("stored version {}", receipt.version_id));
            if entry.is_current_content(&stored) {
                return Next::Confirmed { receipt, stored };
            }
            if !entry.is_earlier_content(&stored) {
                let processed = Record::parse(&entry.record)
                    .is_some_and(|r| r.same_request(&stored, &entry.resource));
                if processed && matches!(entry.write, Write::Create { .. }) {
                    // This very request, found by our identifier and changed since: processed
                    // (accepted, refused) by whoever handles it, which is no edit to weigh against
                    // the citizen's. The save is done; nothing may write the request back.
                    entry.log(
                        now_ms,
                        format!("stored, processed since: version {}", receipt.version_id),
                    );
                    let receipt = Receipt {
                        server_time: None,
                        ..receipt
                    };
                    return Next::Confirmed { receipt, stored };
                }
                // Found by our identifier, but changed elsewhere since: never overwritten unseen.
                entry.log(
                    now_ms,
                    format!("changed elsewhere: version {}", receipt.version_id),
                );
                entry.state = SaveState::Conflict { status: 412 };
                entry.theirs = Some(stored);
                return Next::Keep(entry);
            }
            // The server answered with an earlier content of ours (a create that was already
            // stored, found by its identifier): now write the current content over it.
            entry.write = Write::Update {
                id: receipt.id,
                if_match: receipt.version_id,
            };
            entry.earlier_contents.clear();
            Next::SendAgain(entry)
        }
        Err(error) => {
            entry.log(now_ms, describe_error(&error));
            let state = SaveState::after_attempt(attempt, Err(error));
            match state {
                SaveState::Conflict { .. } if matches!(entry.write, Write::Update { .. }) => {
                    entry.state = state;
                    Next::ReadBack(entry)
                }
                SaveState::Conflict { status } => Next::Rejected {
                    entry,
                    state: SaveState::Rejected {
                        status,
                        reason: None,
                    },
                },
                SaveState::Rejected { .. } => Next::Rejected { entry, state },
                SaveState::Queued {
                    why,
                    attempts,
                    retry_after_secs,
                    ..
                } => {
                    let wait = policy.delay_ms(attempts, retry_after_secs, random);
                    entry.next_attempt_at_ms = now_ms + wait;
                    entry.last_failure = Some(LastFailure::of(&why, retry_after_secs));
                    entry.state = SaveState::Queued {
                        why,
                        attempts,
                        retry_after_secs,
                        next_try_at_ms: Some((now_ms + wait).max(0.0) as u64),
                    };
                    Next::Keep(entry)
                }
                // `after_attempt` never gives these for an error; kept visible all the same.
                other => {
                    entry.state = other;
                    Next::Keep(entry)
                }
            }
        }
    }
}

/// Whether `resource` is what this create stores (it carries the create's identifier): an earlier
/// attempt of it whose answer was lost.
fn carries_key(resource: &Value, creation_key: &str) -> bool {
    let Some((system, value)) = creation_key.split_once('|') else {
        return false;
    };
    crate::fhir::resources::items(resource, "identifier")
        .iter()
        .any(|i| {
            i.get("system").and_then(Value::as_str) == Some(system)
                && i.get("value").and_then(Value::as_str) == Some(value)
        })
}

/// Before a create that looks first (`Write::Create`'s `look_first`), what the search `found`.
/// `None`: the create goes. It goes when nothing found matters, and when an earlier attempt of
/// its own is found (its answer was lost): its `If-None-Exist` settles it against that attempt.
/// Otherwise, how the entry ends this time:
/// - another version in force (`LookFirst::InForce`, made elsewhere meanwhile) is a conflict,
///   both versions shown, never a second decision beside it;
/// - a resource that already does what the create would (`LookFirst::Answer`,
///   `Record::answered_by`) confirms the save as that resource, nothing sent;
/// - either without a version cannot be shown, written over or confirmed, and is waited out as
///   an unreadable answer;
/// - a search the network or the service failed is tried again with the save. A search the
///   service refuses (4xx) does not stop a save it would take.
pub fn after_look_first(
    mut entry: OutboxEntry,
    found: Result<Vec<Value>, FhirError>,
    now_ms: f64,
    random: f64,
    policy: &RetryPolicy,
) -> Option<Next> {
    let Write::Create {
        creation_key,
        look_first: Some(look_first),
    } = &entry.write
    else {
        return None;
    };
    let found = match found {
        Ok(found) => found,
        // As a failed write would end (one reading of an answer, `after_answer`): waited out,
        // but a refusal of the search is no refusal of the save, which goes on.
        Err(error) => {
            return match after_answer(entry, Err(error), now_ms, random, policy) {
                Next::Rejected { .. } => None,
                next => Some(next),
            }
        }
    };
    if found.iter().any(|r| carries_key(r, creation_key)) {
        return None;
    }
    let answers = match look_first {
        LookFirst::InForce(_) => None,
        LookFirst::Answer(_) => Some(Record::parse(&entry.record)?),
    };
    let mut matters = found
        .into_iter()
        .filter(|r| answers.as_ref().is_none_or(|a| a.answered_by(r, now_ms)))
        .peekable();
    matters.peek()?;
    let Some((stored, (id, version))) = matters.find_map(|r| version_of(&r).map(|v| (r, v))) else {
        let error = Err(FhirError::MissingVersion);
        return Some(after_answer(entry, error, now_ms, random, policy));
    };
    entry.sending_since_ms = None;
    if answers.is_some() {
        entry.log(
            now_ms,
            format!("already made: {id} version {version}; not sent"),
        );
        // Confirmed here and now: the other device's time of day, without its date, would
        // read as today's.
        let receipt = Receipt {
            id,
            version_id: version,
            server_time: None,
        };
        return Some(Next::Confirmed { receipt, stored });
    }
    entry.log(
        now_ms,
        format!("in force elsewhere: {id} version {version}"),
    );
    entry.state = SaveState::Conflict { status: 409 };
    entry.theirs = Some(stored);
    Some(Next::Keep(entry))
}

/// After a 409/412, the server's current copy decides: ours (a lost response) or theirs.
pub fn after_read_back(
    mut entry: OutboxEntry,
    server: Result<Value, FhirError>,
    now_ms: f64,
    random: f64,
    policy: &RetryPolicy,
) -> Next {
    let server = match server {
        Ok(server) => server,
        // The record is gone from the service (removed elsewhere): no later try can update it.
        // Said, with the citizen's input kept, rather than waiting for ever as "unreadable".
        Err(FhirError::Status {
            status: status @ (404 | 410),
            outcome,
            ..
        }) => {
            entry.log(now_ms, format!("read back: HTTP {status}"));
            let reason = outcome.and_then(|o| o.message());
            let state = SaveState::Rejected { status, reason };
            return Next::Rejected { entry, state };
        }
        // Could not read it back: try the whole save again later; nothing is decided on a guess.
        Err(error) => {
            entry.log(now_ms, format!("read back: {}", describe_error(&error)));
            let wait = policy.delay_ms(entry.attempt_count.max(1), None, random);
            entry.next_attempt_at_ms = now_ms + wait;
            entry.last_failure = Some(LastFailure::of(&NotYetSaved::GarbledAnswer, None));
            entry.state = SaveState::Queued {
                why: NotYetSaved::GarbledAnswer,
                attempts: entry.attempt_count,
                retry_after_secs: None,
                next_try_at_ms: Some((now_ms + wait) as u64),
            };
            return Next::Keep(entry);
        }
    };
    let Some((id, version)) = version_of(&server) else {
        entry.state = SaveState::Conflict { status: 412 };
        entry.theirs = Some(server);
        return Next::Keep(entry);
    };
    if entry.is_current_content(&server) {
        entry.log(now_ms, format!("already stored as version {version}"));
        let server_time = server
            .get("meta")
            .and_then(|m| m.get("lastUpdated"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Next::Confirmed {
            receipt: Receipt {
                id,
                version_id: version,
                server_time,
            },
            stored: server,
        };
    }
    let unchanged = matches!(&entry.write, Write::Update { if_match, .. } if *if_match == version);
    if unchanged || entry.is_earlier_content(&server) {
        // Our own earlier edit was stored (or the 412 was spurious: the version is still the one
        // we sent against): put the latest content on top of it.
        entry.log(
            now_ms,
            format!("stored version is {version}; sending again"),
        );
        entry.write = Write::Update {
            id,
            if_match: version,
        };
        entry.earlier_contents.clear();
        entry.theirs = None;
        entry.state = SaveState::Saving {
            attempt: entry.attempt_count + 1,
            slow: false,
        };
        return Next::SendAgain(entry);
    }
    entry.log(now_ms, format!("changed elsewhere: version {version}"));
    entry.state = SaveState::Conflict { status: 412 };
    entry.theirs = Some(server);
    Next::Keep(entry)
}

/// After several follow-ups without a decision: wait and try the whole save again later.
pub fn still_undecided(
    mut entry: OutboxEntry,
    now_ms: f64,
    random: f64,
    policy: &RetryPolicy,
) -> Next {
    let wait = policy.delay_ms(entry.attempt_count.max(1), None, random);
    entry.sending_since_ms = None;
    entry.next_attempt_at_ms = now_ms + wait;
    entry.last_failure = Some(LastFailure::of(&NotYetSaved::GarbledAnswer, None));
    entry.theirs = None;
    entry.state = SaveState::Queued {
        why: NotYetSaved::GarbledAnswer,
        attempts: entry.attempt_count,
        retry_after_secs: None,
        next_try_at_ms: Some((now_ms + wait).max(0.0) as u64),
    };
    Next::Keep(entry)
}

/// "Keep mine": the record's conflict entry is sent with `resource` over the version stored
/// elsewhere. `None` when the record has no conflict (already resolved, e.g. in another tab).
pub fn keep_mine(
    entries: &[OutboxEntry],
    record: &str,
    resource: Value,
    now_ms: f64,
) -> Option<OutboxEntry> {
    let mut entry = entries
        .iter()
        .find(|e| e.record == record && matches!(e.state, SaveState::Conflict { .. }))?
        .clone();
    let (id, version) = entry.theirs.as_ref().and_then(version_of)?;
    entry.write = Write::Update {
        id,
        if_match: version,
    };
    entry.resource = resource;
    entry.earlier_contents.clear();
    entry.theirs = None;
    entry.make_due(now_ms);
    Some(entry)
}

/// "Take theirs": the conflict entry is dropped; edits queued behind it now build on theirs.
/// Returns the entries to store and the id to delete.
pub fn take_theirs(entries: &[OutboxEntry], record: &str) -> Option<(Vec<OutboxEntry>, String)> {
    let conflict = entries
        .iter()
        .find(|e| e.record == record && matches!(e.state, SaveState::Conflict { .. }))?;
    let mut rest: Vec<OutboxEntry> = entries
        .iter()
        .filter(|e| e.record == record && e.id != conflict.id)
        .cloned()
        .collect();
    rebase_followers(&mut rest, conflict, conflict.theirs.as_ref());
    Some((rest, conflict.id.clone()))
}

/// Settles a send against what storage holds *now*. Normally that is the entry as it was sent.
/// If a tab lost track of a very slow send and let an edit replace its content meanwhile, the
/// newer content is not lost: it is kept, on top of whatever the send achieved.
pub fn reconcile(
    stored_now: Option<&OutboxEntry>,
    sent: &OutboxEntry,
    next: Next,
    now_ms: f64,
) -> Next {
    let Some(newer) = stored_now.filter(|s| !same_content(&s.resource, &sent.resource)) else {
        return next;
    };
    let mut entry = newer.clone();
    entry.sending_since_ms = None;
    entry.make_due(now_ms);
    // A newer request, once the one sent ended, is a request of its own, which looks first
    // again (`request_anew`).
    let confirmed = matches!(next, Next::Confirmed { .. });
    if let Some(anew) = request_anew(sent, &entry.write, &entry.id).filter(|_| confirmed) {
        entry.write = anew;
        carry_creation_identifier(&mut entry.resource, &entry.write);
        entry.earlier_contents.clear();
        return Next::Keep(entry);
    }
    match next {
        Next::Confirmed { stored, .. } => {
            if let Some((id, if_match)) = version_of(&stored) {
                entry.write = Write::Update { id, if_match };
            }
            entry.earlier_contents.clear();
        }
        Next::Keep(kept) => {
            entry.write = kept.write;
            entry.attempt_count = kept.attempt_count;
            entry.attempts = kept.attempts;
            entry.earlier_contents = kept.earlier_contents;
            entry.earlier_contents.push(sent.resource.clone());
            if let SaveState::Conflict { .. } = kept.state {
                entry.state = kept.state;
                entry.theirs = kept.theirs;
            }
        }
        Next::Rejected {
            entry: rejected, ..
        } => entry.write = rejected.write,
        Next::ReadBack(e) | Next::SendAgain(e) => {
            entry.write = e.write;
            entry.earlier_contents.push(sent.resource.clone());
        }
    }
    Next::Keep(entry)
}

/// The entries of `done`'s record once `done` has ended (`stored`: its result, if stored), those
/// that waited on it rebased on that result. `others` is the outbox without `done`.
pub fn followers_of(
    mut others: Vec<OutboxEntry>,
    done: &OutboxEntry,
    stored: Option<&Value>,
) -> Vec<OutboxEntry> {
    rebase_followers(&mut others, done, stored);
    others.retain(|e| e.record == done.record);
    others
}

/// What follows `done`, an entry of a request, however `done` ended: a request of its own under
/// the entry `entry_id`, never an update of `done`'s. A request is never edited: under `done`'s
/// key, or as its update, the next one would rewrite or take for itself `done`'s request
/// (stored, refused, or processed). Its key is its entry's id: unique, and kept with it on every
/// try. It looks first again (with the search of `own`, its own write, or else of `done`'s), and
/// so ends as `done`'s request if that one still answers it. `None`: no request.
fn request_anew(done: &OutboxEntry, own: &Write, entry_id: &str) -> Option<Write> {
    if !Record::parse(&done.record).is_some_and(|r| r.is_request()) {
        return None;
    }
    let look_first = [own, &done.write].into_iter().find_map(|w| match w {
        Write::Create { look_first, .. } => Some(look_first.clone()),
        Write::Update { .. } => None,
    })?;
    Some(Write::Create {
        creation_key: format!("{IDENTIFIER_SYSTEM}|{entry_id}"),
        look_first,
    })
}

/// Entries that waited on `done` now build on its result (or, if it was refused, on its base).
pub fn rebase_followers(entries: &mut [OutboxEntry], done: &OutboxEntry, stored: Option<&Value>) {
    for follower in entries
        .iter_mut()
        .filter(|e| e.after.as_deref() == Some(&done.id))
    {
        follower.after = None;
        let anew = request_anew(done, &follower.write, &follower.id);
        follower.write = match (anew, stored.and_then(version_of)) {
            (Some(anew), _) => anew,
            (None, Some((id, if_match))) => Write::Update { id, if_match },
            (None, None) => done.write.clone(),
        };
        if let (Some(obj), Write::Update { id, .. }) =
            (follower.resource.as_object_mut(), &follower.write)
        {
            obj.insert("id".into(), Value::String(id.clone()));
        }
        carry_creation_identifier(&mut follower.resource, &follower.write);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: f64 = 1_000_000.0;

    #[test]
    fn an_update_of_a_record_removed_elsewhere_ends_rejected_not_queued_for_ever() {
        let update = Write::Update {
            id: "c1".into(),
            if_match: "3".into(),
        };
        let Enqueue::Add(entry) = enqueue(&[], save("organ-donation", "mine", update)) else {
            panic!("a first save is a new entry");
        };
        for status in [404, 410] {
            let gone = Err(FhirError::Status {
                status,
                outcome: None,
                retry_after_secs: None,
            });
            let next = after_read_back(entry.clone(), gone, NOW, 0.5, &RetryPolicy::default());
            assert!(
                matches!(&next, Next::Rejected { state: SaveState::Rejected { status: s, .. }, .. } if *s == status),
                "{status}: {next:?}"
            );
        }
        // A read that failed for any other reason decides nothing: the save is tried again.
        let unreachable = Err(FhirError::Timeout);
        let next = after_read_back(entry, unreachable, NOW, 0.5, &RetryPolicy::default());
        assert!(matches!(next, Next::Keep(_)), "{next:?}");
    }

    #[test]
    fn a_number_is_the_same_content_written_120_or_120_0() {
        // As Tahto builds a measurement (f64), and as the server's answer reads (an integer).
        let built = json!({"resourceType": "Observation", "valueQuantity": {"value": 120.0}});
        let answered: Value = serde_json::from_str(
            r#"{"resourceType":"Observation","id":"o1","meta":{"versionId":"1"},"valueQuantity":{"value":120}}"#,
        )
        .unwrap();
        assert!(same_content(&built, &answered));
        let other = json!({"resourceType": "Observation", "valueQuantity": {"value": 121}});
        assert!(!same_content(&built, &other));
        assert!(!same_content(&json!({"a": [1, 2]}), &json!({"a": [1]})));
        assert!(!same_content(&json!({"a": 1}), &json!({"b": 1})));
        assert!(!same_content(&json!({"a": 1}), &json!({"a": "1"})));
    }

    fn save(record: &str, content: &str, write: Write) -> NewSave {
        NewSave {
            entry_id: format!("e-{content}"),
            owner: "t".into(),
            made_by: None,
            record: record.into(),
            resource_type: "Consent".into(),
            resource: json!({"resourceType": "Consent", "note": content}),
            write,
            now_ms: NOW,
        }
    }

    fn create() -> Write {
        Write::Create {
            creation_key: "urn:ietf:rfc:3986|urn:uuid:1".into(),
            look_first: None,
        }
    }

    fn added(e: Enqueue) -> OutboxEntry {
        match e {
            Enqueue::Add(e) => e,
            Enqueue::Replace(_) => panic!("expected a new entry"),
        }
    }

    fn replaced(e: Enqueue) -> OutboxEntry {
        match e {
            Enqueue::Replace(e) => e,
            Enqueue::Add(_) => panic!("expected a replacement"),
        }
    }

    /// An update of "mine" over version 1 that the server answered 412: to be read back.
    fn update_answered_412() -> OutboxEntry {
        let update = Write::Update {
            id: "c1".into(),
            if_match: "1".into(),
        };
        let mut entry = added(enqueue(&[], save("r", "mine", update)));
        start_attempt(&mut entry, NOW);
        let conflict = Err(FhirError::Status {
            status: 412,
            outcome: None,
            retry_after_secs: None,
        });
        match after_answer(entry, conflict, NOW, 0.5, &RetryPolicy::default()) {
            Next::ReadBack(entry) => entry,
            other => panic!("a 412 on an update is read back first: {other:?}"),
        }
    }

    fn stored(content: &str, id: &str, version: &str) -> Value {
        json!({"resourceType": "Consent", "note": content, "id": id, "meta": {"versionId": version}})
    }

    fn receipt(id: &str, version: &str) -> Receipt {
        Receipt {
            id: id.into(),
            version_id: version.into(),
            server_time: None,
        }
    }

    #[test]
    fn the_service_is_refusing_saves_only_when_its_side_fails() {
        let policy = RetryPolicy::default();
        let failed = |status: Option<u16>, attempts: u32| {
            let mut entry = added(enqueue(&[], save("r", "a", create())));
            for _ in 0..attempts {
                start_attempt(&mut entry, NOW);
                let error = match status {
                    Some(status) => FhirError::Status {
                        status,
                        outcome: None,
                        retry_after_secs: None,
                    },
                    None => FhirError::Unreachable("offline".into()),
                };
                let Next::Keep(kept) = after_answer(entry, Err(error), NOW, 0.5, &policy) else {
                    panic!("kept for a retry");
                };
                entry = kept;
            }
            entry
        };
        assert!(
            service_refusing_saves(&[failed(Some(503), 1)]),
            "unavailable"
        );
        assert!(
            !service_refusing_saves(&[failed(Some(500), 1)]),
            "one error"
        );
        assert!(
            service_refusing_saves(&[failed(Some(500), 2)]),
            "keeps failing"
        );
        assert!(service_refusing_saves(&[failed(Some(429), 3)]));
        assert!(
            !service_refusing_saves(&[failed(None, 5)]),
            "the citizen's network"
        );
        assert!(!service_refusing_saves(&[added(enqueue(
            &[],
            save("r", "a", create())
        ))]));
        let mut recovered = failed(Some(503), 1);
        recovered.make_due(NOW);
        assert!(!service_refusing_saves(&[recovered]), "trying again");
    }

    #[test]
    fn an_update_over_a_version_in_force_replaces_a_waiting_create() {
        let over_theirs = || Write::Update {
            id: "x".into(),
            if_match: "1".into(),
        };
        // Never sent, or sent and unanswered: either way, not a second record beside theirs.
        let never_sent = added(enqueue(&[], save("r", "a", create())));
        let mut tried = never_sent.clone();
        start_attempt(&mut tried, NOW);
        let Next::Keep(tried) = after_answer(
            tried,
            Err(FhirError::Unreachable("offline".into())),
            NOW,
            0.5,
            &RetryPolicy::default(),
        ) else {
            panic!("kept for a retry");
        };
        for waiting in [never_sent, tried] {
            let entry = replaced(enqueue(&[waiting], save("r", "b", over_theirs())));
            assert_eq!(entry.write, over_theirs());
            assert_eq!(entry.resource["note"], "b");
        }
        // A create stays a create for a new content of its own; an update keeps its version.
        let waiting = added(enqueue(&[], save("r", "a", create())));
        let entry = replaced(enqueue(&[waiting], save("r", "b", create())));
        assert_eq!(entry.write, create());
        let waiting = added(enqueue(&[], save("r", "a", over_theirs())));
        let newer = Write::Update {
            id: "x".into(),
            if_match: "2".into(),
        };
        assert_eq!(
            replaced(enqueue(&[waiting], save("r", "b", newer))).write,
            over_theirs()
        );
    }

    #[test]
    fn a_create_of_a_record_in_force_elsewhere_is_a_conflict_not_a_second_record() {
        let policy = RetryPolicy::default();
        let mut write = create();
        if let Write::Create { look_first, .. } = &mut write {
            *look_first = Some(LookFirst::InForce(
                "patient=Patient%2Fp&status=active".into(),
            ));
        }
        let mut entry = added(enqueue(&[], save("r", "mine", write)));
        start_attempt(&mut entry, NOW);
        let search = |found| after_look_first(entry.clone(), found, NOW, 0.5, &policy);
        // Nothing in force, or only an earlier attempt of this create: it goes.
        assert!(search(Ok(vec![])).is_none());
        let ours = json!({"resourceType": "Consent", "id": "k", "meta": {"versionId": "1"},
            "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:1"}]});
        assert!(search(Ok(vec![ours.clone()])).is_none());
        // Ours is there as well as another's: ours is settled first (its content, its version).
        assert!(search(Ok(vec![stored("theirs", "x", "3"), ours])).is_none());
        // Another device's: both are shown, nothing is sent.
        let theirs = stored("theirs", "x", "3");
        let unversioned = json!({"resourceType": "Consent", "note": "theirs"});
        match search(Ok(vec![unversioned.clone(), theirs.clone()])) {
            Some(Next::Keep(e)) => {
                assert_eq!(e.state, SaveState::Conflict { status: 409 });
                assert_eq!(e.theirs, Some(theirs));
                assert_eq!(e.sending_since_ms, None);
            }
            other => panic!("a conflict: {other:?}"),
        }
        // Only one without a version: it can be neither shown nor written over; waited out.
        assert!(matches!(
            search(Ok(vec![unversioned])),
            Some(Next::Keep(e)) if matches!(e.state, SaveState::Queued { .. })
        ));
        // The network failed: tried again later. The service refused the search: the save goes.
        assert!(matches!(
            search(Err(FhirError::Unreachable("offline".into()))),
            Some(Next::Keep(e)) if matches!(e.state, SaveState::Queued { .. })
        ));
        let refused = |status| FhirError::Status {
            status,
            outcome: None,
            retry_after_secs: None,
        };
        assert!(search(Err(refused(400))).is_none());
        assert!(matches!(
            search(Err(refused(401))),
            Some(Next::Keep(e)) if matches!(e.state, SaveState::Queued { .. })
        ));
        // An update, or a create of a record written anew each time, is not searched for.
        let update = added(enqueue(
            &[],
            save(
                "r",
                "a",
                Write::Update {
                    id: "x".into(),
                    if_match: "3".into(),
                },
            ),
        ));
        assert!(
            after_look_first(update, Ok(vec![stored("t", "y", "1")]), NOW, 0.5, &policy).is_none()
        );
    }

    #[test]
    fn a_request_already_made_elsewhere_confirms_the_save_as_that_request_nothing_sent() {
        let policy = RetryPolicy::default();
        let write = Write::Create {
            creation_key: "urn:ietf:rfc:3986|urn:uuid:1".into(),
            look_first: Some(LookFirst::Answer("patient=Patient%2Fp".into())),
        };
        let mut entry = added(enqueue(&[], save("renewal/mr-1", "mine", write)));
        start_attempt(&mut entry, NOW);
        // Requests expire after 8 days unprocessed: the search is decided at a date of today's.
        let today = crate::fhir::resources::instant_ms("2026-11-23T08:00:00Z").unwrap_or(0) as f64;
        let search = |found| after_look_first(entry.clone(), found, today, 0.5, &policy);
        let request = |id: &str, focus: &str, status: &str, authored: &str| {
            json!({"resourceType": "Task", "id": id, "meta": {"versionId": "1",
                "lastUpdated": "2026-11-20T08:00:00Z"}, "status": status, "intent": "order",
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "103742009"}]},
                "focus": {"reference": focus}, "authoredOn": authored})
        };
        let recent = "2026-11-19T08:00:00Z";
        let waiting = request("t1", "MedicationRequest/mr-1", "requested", recent);
        match search(Ok(vec![waiting.clone()])) {
            Some(Next::Confirmed { receipt, stored }) => {
                assert_eq!(receipt.id, "t1");
                assert_eq!(receipt.version_id, "1");
                assert_eq!(receipt.server_time, None, "confirmed here and now");
                assert_eq!(stored, waiting);
            }
            other => panic!("confirmed as the request found: {other:?}"),
        }
        // What does not answer it: another prescription's, an ended one, one expired unprocessed.
        for other in [
            request("t2", "MedicationRequest/mr-2", "requested", recent),
            request("t3", "MedicationRequest/mr-1", "rejected", recent),
            request(
                "t4",
                "MedicationRequest/mr-1",
                "requested",
                "2026-10-01T08:00:00Z",
            ),
        ] {
            assert!(search(Ok(vec![other])).is_none());
        }
        // An earlier attempt of its own: the create goes, and its If-None-Exist settles it.
        let mut ours = waiting.clone();
        ours["identifier"] = json!([{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:1"}]);
        assert!(search(Ok(vec![waiting.clone(), ours])).is_none());
        // What waited on it, or a newer content that joined it while it was out, keeps its own
        // create (which looks first again): never an update of the other device's request.
        let Some(Next::Confirmed { receipt, stored }) = search(Ok(vec![waiting.clone()])) else {
            panic!("already made");
        };
        let stored_request = stored.clone();
        let mut follower = added(enqueue(
            &[],
            save("renewal/mr-1", "again", entry.write.clone()),
        ));
        follower.after = Some(entry.id.clone());
        // A request of its own: a key of its own (never the one that found the other request
        // or ours, refused), carried by its resource, and it looks first again.
        let anew = |e: &OutboxEntry| {
            let Write::Create {
                creation_key,
                look_first,
            } = &e.write
            else {
                return false;
            };
            let key = format!("urn:ietf:rfc:3986|{}", e.id);
            *creation_key == key
                && carries_key(&e.resource, &key)
                && *look_first == Some(LookFirst::Answer("patient=Patient%2Fp".into()))
        };
        let followers = followers_of(vec![follower.clone()], &entry, None);
        assert!(anew(&followers[0]), "{:?}", followers[0].write);
        assert_eq!(followers[0].after, None);
        let mut newer = entry.clone();
        newer.resource["note"] = "newer".into();
        let done = Next::Confirmed { receipt, stored };
        match reconcile(Some(&newer), &entry, done, today) {
            Next::Keep(kept) => {
                assert!(anew(&kept), "{:?}", kept.write);
                assert_eq!(kept.resource["note"], "newer");
            }
            other => panic!("the newer content is kept: {other:?}"),
        }
        // So is what follows a request of ours that was stored: never an update of it.
        let ours = stored_request.clone();
        assert!(anew(
            &followers_of(vec![follower.clone()], &entry, Some(&ours))[0]
        ));
        // What follows a record in force that was refused keeps its write, as before.
        let mut in_force = entry.clone();
        in_force.record = "organ-donation".into();
        let mut follower = follower.clone();
        follower.record = "organ-donation".into();
        follower.after = Some(in_force.id.clone());
        assert_eq!(
            followers_of(vec![follower], &in_force, None)[0].write,
            in_force.write
        );
        // One that answers it but has no version cannot be confirmed as: waited out.
        let mut unversioned = waiting;
        unversioned.as_object_mut().map(|o| o.remove("meta"));
        assert!(matches!(
            search(Ok(vec![unversioned])),
            Some(Next::Keep(e)) if matches!(e.state, SaveState::Queued { .. })
        ));
    }

    #[test]
    fn a_waiting_entry_takes_the_new_content_and_keeps_its_key() {
        let first = added(enqueue(&[], save("r", "a", create())));
        let mut waiting = first.clone();
        start_attempt(&mut waiting, NOW);
        let Next::Keep(waiting) = after_answer(
            waiting,
            Err(FhirError::Timeout),
            NOW,
            0.5,
            &RetryPolicy::default(),
        ) else {
            panic!("a timeout keeps the entry");
        };
        let other_key = Write::Create {
            creation_key: "urn:ietf:rfc:3986|urn:uuid:2".into(),
            look_first: None,
        };
        let coalesced = replaced(enqueue(
            std::slice::from_ref(&waiting),
            save("r", "b", other_key),
        ));
        assert_eq!(coalesced.id, first.id);
        assert_eq!(
            coalesced.write,
            create(),
            "the idempotency key of the first create is kept"
        );
        assert_eq!(coalesced.resource["note"], "b");
        assert_eq!(
            coalesced.earlier_contents.len(),
            1,
            "'a' may be stored already"
        );
        assert_eq!(coalesced.next_attempt_at_ms, NOW, "an edit is sent at once");
    }

    #[test]
    fn an_edit_during_a_send_waits_and_is_rebased_on_the_result() {
        let mut first = added(enqueue(&[], save("r", "a", create())));
        start_attempt(&mut first, NOW);
        let second = added(enqueue(&[first.clone()], save("r", "b", create())));
        assert_eq!(second.after.as_deref(), Some(first.id.as_str()));
        let entries = vec![first.clone(), second.clone()];
        assert_eq!(
            next_due(&entries, NOW + 1.0),
            None,
            "first in flight, second must wait"
        );

        let mut on_server = first.resource.clone();
        on_server["id"] = json!("c1");
        on_server["meta"] = json!({"versionId": "1"});
        let Next::Confirmed { stored, .. } = after_answer(
            first.clone(),
            Ok((on_server, receipt("c1", "1"))),
            NOW,
            0.5,
            &RetryPolicy::default(),
        ) else {
            panic!("confirmed");
        };
        let mut rest = vec![second];
        rebase_followers(&mut rest, &first, Some(&stored));
        assert_eq!(
            rest[0].write,
            Write::Update {
                id: "c1".into(),
                if_match: "1".into()
            }
        );
        assert_eq!(rest[0].resource["id"], "c1");
        assert_eq!(next_due(&rest, NOW).map(|e| e.id.as_str()), Some("e-b"));
    }

    #[test]
    fn records_are_independent_and_ordered_by_creation() {
        let a = added(enqueue(&[], save("r1", "a", create())));
        let b = added(enqueue(std::slice::from_ref(&a), save("r2", "b", create())));
        assert!(b.seq > a.seq);
        assert_eq!(
            next_due(&[b.clone(), a.clone()], NOW).map(|e| e.seq),
            Some(a.seq)
        );
        let mut a_sending = a.clone();
        start_attempt(&mut a_sending, NOW);
        assert_eq!(
            next_due(&[a_sending.clone(), b.clone()], NOW).map(|e| e.seq),
            Some(b.seq)
        );
        // A tab that died mid-request releases the entry after the lease.
        assert_eq!(
            next_due(&[a_sending], NOW + IN_FLIGHT_LEASE_MS + 1.0).map(|e| e.seq),
            Some(a.seq)
        );
    }

    #[test]
    fn a_create_found_by_identifier_with_other_content_is_a_conflict_not_overwritten() {
        let mut entry = added(enqueue(&[], save("r", "new", create())));
        start_attempt(&mut entry, NOW);
        let next = after_answer(
            entry,
            Ok((stored("someone else's", "c1", "2"), receipt("c1", "2"))),
            NOW,
            0.5,
            &RetryPolicy::default(),
        );
        let Next::Keep(kept) = next else {
            panic!("never overwrite unseen: {next:?}");
        };
        assert_eq!(kept.state.name(), "conflict");
    }

    #[test]
    fn a_request_of_ours_found_processed_since_is_done_not_a_conflict() {
        // Stored, its answer lost, then accepted by the prescriber before the retry found it.
        let mut new_save = save("renewal/mr-1", "ours", create());
        new_save.resource["authoredOn"] = "2026-11-23T08:00:00Z".into();
        let mut entry = added(enqueue(&[], new_save));
        start_attempt(&mut entry, NOW);
        let mut processed = stored("ours, accepted", "t1", "2");
        processed["authoredOn"] = "2026-11-23T08:00:00Z".into();
        let answer = |found: &Value| {
            let found = (found.clone(), receipt("t1", "2"));
            after_answer(entry.clone(), Ok(found), NOW, 0.5, &RetryPolicy::default())
        };
        let next = answer(&processed);
        let Next::Confirmed { receipt, stored } = next else {
            panic!("done, and never written back: {next:?}");
        };
        assert_eq!(
            (receipt.id.as_str(), receipt.version_id.as_str()),
            ("t1", "2")
        );
        assert_eq!(stored, processed);
        // An earlier request the same key made (its save refused, the key kept) is not this one:
        // shown, never taken for it.
        processed["authoredOn"] = "2026-11-02T08:00:00Z".into();
        assert!(matches!(answer(&processed), Next::Keep(e) if e.state.name() == "conflict"));
    }

    #[test]
    fn a_create_found_with_an_earlier_edit_of_ours_gets_the_latest_on_top() {
        let mut entry = added(enqueue(&[], save("r", "first", create())));
        start_attempt(&mut entry, NOW);
        let Next::Keep(waiting) = after_answer(
            entry,
            Err(FhirError::Timeout),
            NOW,
            0.5,
            &RetryPolicy::default(),
        ) else {
            panic!()
        };
        let mut entry = replaced(enqueue(&[waiting], save("r", "second", create())));
        let mut first_on_server = entry.earlier_contents[0].clone();
        first_on_server["id"] = json!("c1");
        first_on_server["meta"] = json!({"versionId": "1"});
        start_attempt(&mut entry, NOW);
        let next = after_answer(
            entry,
            Ok((first_on_server, receipt("c1", "1"))),
            NOW,
            0.5,
            &RetryPolicy::default(),
        );
        let Next::SendAgain(again) = next else {
            panic!("{next:?}");
        };
        assert_eq!(
            again.write,
            Write::Update {
                id: "c1".into(),
                if_match: "1".into()
            }
        );
        assert_eq!(again.resource["note"], "second");
    }

    #[test]
    fn keep_mine_and_take_theirs_resolve_only_the_conflict() {
        let p = RetryPolicy::default();
        let e = update_answered_412();
        let Next::Keep(in_conflict) =
            after_read_back(e, Ok(stored("theirs", "c1", "2")), NOW, 0.5, &p)
        else {
            panic!()
        };
        let follower = added(enqueue(
            std::slice::from_ref(&in_conflict),
            save("r", "later", create()),
        ));
        assert_eq!(
            follower.after.as_deref(),
            Some(in_conflict.id.as_str()),
            "a new edit queues behind"
        );
        let entries = vec![in_conflict.clone(), follower.clone()];
        let kept = keep_mine(
            &entries,
            "r",
            json!({"resourceType": "Consent", "note": "mine"}),
            NOW,
        )
        .unwrap();
        assert_eq!(kept.id, in_conflict.id);
        assert_eq!(
            kept.write,
            Write::Update {
                id: "c1".into(),
                if_match: "2".into()
            }
        );
        assert_eq!(kept.state.name(), "saving");
        let (rest, dropped) = take_theirs(&entries, "r").unwrap();
        assert_eq!(dropped, in_conflict.id);
        assert_eq!(
            rest[0].write,
            Write::Update {
                id: "c1".into(),
                if_match: "2".into()
            }
        );
    }

    #[test]
    fn a_newer_edit_stored_during_a_lost_send_is_kept_on_top_of_the_result() {
        let mut sent = added(enqueue(&[], save("r", "a", create())));
        start_attempt(&mut sent, NOW);
        let mut newer = sent.clone();
        newer.resource["note"] = json!("b");
        let mut on_server = sent.resource.clone();
        on_server["id"] = json!("c1");
        on_server["meta"] = json!({"versionId": "1"});
        let next = Next::Confirmed {
            receipt: receipt("c1", "1"),
            stored: on_server,
        };
        let Next::Keep(kept) = reconcile(Some(&newer), &sent, next, NOW) else {
            panic!()
        };
        assert_eq!(kept.resource["note"], "b");
        assert_eq!(
            kept.write,
            Write::Update {
                id: "c1".into(),
                if_match: "1".into()
            }
        );
        // Unchanged storage: the answer stands as it is.
        let same = Next::Keep(sent.clone());
        assert_eq!(reconcile(Some(&sent), &sent, same, NOW), Next::Keep(sent));
    }

    #[test]
    fn a_412_is_read_back_ours_is_confirmed_theirs_is_a_conflict() {
        let entry = update_answered_412();
        let p = RetryPolicy::default();
        // Lost response: the server holds exactly our content.
        match after_read_back(entry.clone(), Ok(stored("mine", "c1", "2")), NOW, 0.5, &p) {
            Next::Confirmed { receipt, .. } => assert_eq!(receipt.version_id, "2"),
            other => panic!("{other:?}"),
        }
        // Someone else's change.
        match after_read_back(entry.clone(), Ok(stored("theirs", "c1", "2")), NOW, 0.5, &p) {
            Next::Keep(e) => {
                assert_eq!(e.state.name(), "conflict");
                assert_eq!(e.theirs.unwrap()["note"], "theirs");
            }
            other => panic!("{other:?}"),
        }
        // Could not read: stays queued, nothing guessed.
        match after_read_back(entry, Err(FhirError::Timeout), NOW, 0.5, &p) {
            Next::Keep(e) => assert_eq!(e.state.name(), "queued"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_earlier_edit_found_on_the_server_is_ours_and_gets_the_latest_on_top() {
        let update = Write::Update {
            id: "c1".into(),
            if_match: "1".into(),
        };
        let mut entry = added(enqueue(&[], save("r", "first", update)));
        start_attempt(&mut entry, NOW);
        let Next::Keep(entry) = after_answer(
            entry,
            Err(FhirError::Timeout),
            NOW,
            0.5,
            &RetryPolicy::default(),
        ) else {
            panic!()
        };
        let entry = replaced(enqueue(&[entry], save("r", "second", create())));
        let next = after_read_back(
            entry,
            Ok(stored("first", "c1", "2")),
            NOW,
            0.5,
            &RetryPolicy::default(),
        );
        let Next::SendAgain(again) = next else {
            panic!("{next:?}")
        };
        assert_eq!(again.resource["note"], "second");
        assert_eq!(
            again.write,
            Write::Update {
                id: "c1".into(),
                if_match: "2".into()
            }
        );
    }

    #[test]
    fn transient_failures_wait_per_the_policy_and_say_when() {
        let mut entry = added(enqueue(&[], save("r", "a", create())));
        start_attempt(&mut entry, NOW);
        let err = Err(FhirError::Status {
            status: 503,
            outcome: None,
            retry_after_secs: Some(60),
        });
        let Next::Keep(entry) = after_answer(entry, err, NOW, 0.0, &RetryPolicy::default()) else {
            panic!()
        };
        assert_eq!(entry.next_attempt_at_ms, NOW + 60_000.0);
        assert!(matches!(
            entry.state,
            SaveState::Queued { next_try_at_ms: Some(t), retry_after_secs: Some(60), .. } if t == (NOW + 60_000.0) as u64
        ));
        assert_eq!(entry.attempts.last().unwrap().outcome, "HTTP 503");
        assert_eq!(next_wake_ms(&[entry]), Some(NOW + 60_000.0));
    }

    #[test]
    fn a_create_always_carries_the_identifier_it_is_keyed_on() {
        let mut new = save("r", "a", create());
        new.resource["identifier"] = json!([{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:page"}, {"system": "other", "value": "x"}]);
        let mut first = added(enqueue(&[], new));
        assert_eq!(first.resource["identifier"][0]["value"], "urn:uuid:1");
        assert_eq!(first.resource["identifier"].as_array().unwrap().len(), 2);
        start_attempt(&mut first, NOW);
        let Next::Keep(waiting) = after_answer(
            first,
            Err(FhirError::Timeout),
            NOW,
            0.5,
            &RetryPolicy::default(),
        ) else {
            panic!()
        };
        // An edit made after a reload comes with another key; the entry's key wins.
        let mut edit = save(
            "r",
            "b",
            Write::Create {
                creation_key: "urn:ietf:rfc:3986|urn:uuid:2".into(),
                look_first: None,
            },
        );
        edit.resource["identifier"] =
            json!([{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:2"}]);
        let coalesced = replaced(enqueue(&[waiting], edit));
        assert_eq!(coalesced.resource["identifier"][0]["value"], "urn:uuid:1");
    }

    #[test]
    fn entries_round_trip_through_json_as_stored() {
        let entry = added(enqueue(&[], save("r", "a", create())));
        let text = serde_json::to_string(&entry.to_stored()).unwrap();
        let back = OutboxEntry::from_stored(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back, entry);
        // A create conditional on the version in force.
        for (look_first, key) in [
            (
                LookFirst::InForce("patient=Patient%2Fp&status=active".into()),
                "in_force",
            ),
            (
                LookFirst::Answer("patient=Patient%2Fp&focus=x".into()),
                "answer",
            ),
        ] {
            let mut looks = entry.clone();
            looks.write = Write::Create {
                creation_key: "urn:ietf:rfc:3986|urn:uuid:1".into(),
                look_first: Some(look_first.clone()),
            };
            let stored = looks.to_stored();
            assert_eq!(
                stored["write"],
                json!(["create", "urn:ietf:rfc:3986|urn:uuid:1"]),
                "as the previous version wrote and reads it"
            );
            assert_eq!(stored[key], look_first.query());
            assert_eq!(OutboxEntry::from_stored(&stored), Some(looks));
        }
        // Every optional part set, through the text as stored.
        let mut full = entry.clone();
        full.write = Write::Update {
            id: "c1".into(),
            if_match: "4".into(),
        };
        full.earlier_contents = vec![json!({"a": 1})];
        full.after = Some("urn:uuid:before".into());
        full.made_by = Some("RelatedPerson/guardian-1".into());
        full.attempts = vec![Attempt {
            at_ms: NOW + 0.5,
            outcome: "HTTP 503".into(),
        }];
        full.attempt_count = 7;
        full.sending_since_ms = Some(NOW);
        full.theirs = Some(json!({"resourceType": "Consent", "meta": {"versionId": "5"}}));
        full.restore_state();
        let text = serde_json::to_string(&full.to_stored()).unwrap();
        assert_eq!(
            OutboxEntry::from_stored(&serde_json::from_str(&text).unwrap()),
            Some(full)
        );
        // Not an entry of this version: left alone, never misread.
        assert_eq!(OutboxEntry::from_stored(&json!({"id": "x"})), None);
        assert_eq!(OutboxEntry::from_stored(&json!([1])), None);
        // A queued entry comes back queued, with its reason and its next try.
        let mut sending = entry.clone();
        start_attempt(&mut sending, NOW);
        let err = Err(FhirError::Status {
            status: 503,
            outcome: None,
            retry_after_secs: Some(9),
        });
        let Next::Keep(queued) = after_answer(sending, err, NOW, 0.0, &RetryPolicy::default())
        else {
            panic!()
        };
        let back = OutboxEntry::from_stored(&queued.to_stored()).unwrap();
        assert_eq!(back.state, queued.state);
        assert_eq!(back.last_failure, queued.last_failure);
    }
}
