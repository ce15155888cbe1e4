//! Sending the outbox: one entry at a time, from "due" to settled.
//!
//! This is the one send-and-settle loop of Tahto. The browser runs it over IndexedDB and the FHIR
//! client (`sync.rs`); the property test (`tests/save_properties.rs`) runs the very same code over
//! a simulated server and network. Everything it needs from its surroundings is a [`Link`]; every
//! decision is one of the pure functions of `outbox.rs`.

use std::future::Future;

use serde_json::Value;

use super::outbox::{
    after_answer, after_look_first, after_read_back, followers_of, next_due, reconcile,
    start_attempt, still_undecided, Next, OutboxEntry,
};
use super::record::Record;
use super::retry::RetryPolicy;
use super::state::SaveState;
use crate::fhir::write::{is_fhir_id, is_written_type};
use crate::fhir::{FhirError, Receipt, Write};

/// At most this many follow-up requests (read-backs, resends) in one send.
const MAX_HOPS: usize = 3;

/// What a decision about the stored entries changes: the entries to write, the ids to remove.
pub type Change = (Vec<OutboxEntry>, Vec<String>);

/// What the driver needs: the server, the stored outbox, a clock and a source of randomness.
pub trait Link {
    /// Writes the entry's resource as its `write` says; the stored copy and its receipt.
    fn write(
        &mut self,
        entry: &OutboxEntry,
    ) -> impl Future<Output = Result<(Value, Receipt), FhirError>>;
    /// Reads the current version of a resource (the read-back after a 409/412).
    fn read(
        &mut self,
        resource_type: &str,
        id: &str,
    ) -> impl Future<Output = Result<Value, FhirError>>;
    /// Searches `resource_type` with `query` (what a create looks for first, `LookFirst`).
    fn find(
        &mut self,
        resource_type: &str,
        query: &str,
    ) -> impl Future<Output = Result<Vec<Value>, FhirError>>;
    /// Reads the stored entries and stores what `decide` makes of them (`put`, then `delete` by
    /// entry id) as one step that no other change to the outbox can come between; returns what
    /// `decide` said besides (`None` only if it could not run).
    fn update<R: 'static>(
        &mut self,
        decide: impl FnOnce(Vec<OutboxEntry>) -> (Change, R) + 'static,
    ) -> impl Future<Output = Option<R>>;
    /// The stored entries changed: show them, and tell every tab.
    fn changed(&mut self) -> impl Future<Output = ()>;
    /// A save ended (`Confirmed` with the server's copy, or `Rejected`): remember it. Called
    /// before the change is shown, so the item never shows nothing in between.
    fn ended(&mut self, entry: &OutboxEntry, state: &SaveState, stored: Option<&Value>);
    fn now(&self) -> f64;
    /// In `[0, 1)`, for the retry jitter.
    fn random(&mut self) -> f64;
}

/// What one step of the driver did.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// Nothing of `owner`'s is due.
    Idle,
    /// One entry was sent and its outcome stored.
    Sent,
}

/// Why an entry is never sent, whatever storage says: only the records Tahto writes, as the
/// resource type each is written as, to an id that is a FHIR id.
fn unsendable(entry: &OutboxEntry) -> bool {
    let record_type = Record::parse(&entry.record).map(|r| r.resource_type());
    let id_ok = match &entry.write {
        Write::Update { id, .. } => is_fhir_id(id),
        Write::Create { .. } => true,
    };
    record_type != Some(entry.resource_type.as_str())
        || !is_written_type(&entry.resource_type)
        || !id_ok
}

/// Sends the oldest due entry of `owner` and stores how it ended.
pub async fn send_next<L: Link>(link: &mut L, owner: &str, policy: &RetryPolicy) -> Step {
    let (mine, now) = (owner.to_owned(), link.now());
    // Picked and marked in flight in one step: an edit stored meanwhile is either in what is
    // sent or joins it afterwards (`settle`), never written over by the mark.
    let picked = link
        .update(move |mut entries| {
            // Another person's saves are neither sent nor shown here.
            entries.retain(|e| e.owner == mine);
            let Some(mut entry) = next_due(&entries, now).cloned() else {
                return (NO_CHANGE, None);
            };
            if unsendable(&entry) {
                return (NO_CHANGE, Some((entry, false)));
            }
            start_attempt(&mut entry, now);
            ((vec![entry.clone()], Vec::new()), Some((entry, true)))
        })
        .await
        .flatten();
    let Some((entry, sendable)) = picked else {
        return Step::Idle;
    };
    if !sendable {
        let state = SaveState::NOT_SENDABLE;
        settle(link, owner, entry.clone(), Next::Rejected { entry, state }).await;
        return Step::Sent;
    }
    link.changed().await;
    let (current, next) = send(link, entry, policy).await;
    settle(link, owner, current, next).await;
    Step::Sent
}

const NO_CHANGE: Change = (Vec::new(), Vec::new());

/// Renews the in-flight mark of entry `id` before a follow-up request, so that no tab takes the
/// entry for abandoned meanwhile.
async fn renew_lease<L: Link>(link: &mut L, id: &str) {
    let (id, now) = (id.to_owned(), link.now());
    link.update(move |entries| {
        let renewed = entries.into_iter().find(|e| e.id == id).map(|mut entry| {
            entry.sending_since_ms = Some(now);
            entry
        });
        ((renewed.into_iter().collect(), Vec::new()), ())
    })
    .await;
}

/// Sends `entry` (marked with `start_attempt`) and follows up until the outcome is settled: never
/// returns `ReadBack` or `SendAgain`. Returns the entry as last sent.
async fn send<L: Link>(
    link: &mut L,
    entry: OutboxEntry,
    policy: &RetryPolicy,
) -> (OutboxEntry, Next) {
    let mut current = entry.clone();
    if let Write::Create {
        look_first: Some(look_first),
        ..
    } = &entry.write
    {
        let found = link.find(&entry.resource_type, look_first.query()).await;
        let (now, random) = (link.now(), link.random());
        if let Some(next) = after_look_first(entry.clone(), found, now, random, policy) {
            return (current, next);
        }
        renew_lease(link, &entry.id).await;
    }
    let answer = link.write(&entry).await;
    let (now, random) = (link.now(), link.random());
    let mut next = after_answer(entry, answer, now, random, policy);
    for _ in 0..MAX_HOPS {
        next = match next {
            Next::ReadBack(e) => {
                renew_lease(link, &e.id).await;
                current = e.clone();
                let server = match &e.write {
                    Write::Update { id, .. } => link.read(&e.resource_type, id).await,
                    Write::Create { .. } => Err(FhirError::MissingVersion),
                };
                let (now, random) = (link.now(), link.random());
                after_read_back(e, server, now, random, policy)
            }
            Next::SendAgain(mut e) => {
                start_attempt(&mut e, link.now());
                renew_lease(link, &e.id).await;
                current = e.clone();
                let answer = link.write(&e).await;
                let (now, random) = (link.now(), link.random());
                after_answer(e, answer, now, random, policy)
            }
            settled => return (current, settled),
        };
    }
    let next = match next {
        Next::ReadBack(e) | Next::SendAgain(e) => {
            let (now, random) = (link.now(), link.random());
            still_undecided(e, now, random, policy)
        }
        settled => settled,
    };
    (current, next)
}

/// Stores the outcome of one entry, settled against what storage holds *now* (an edit may have
/// joined it meanwhile): an ended entry leaves the outbox, the entries of its record that waited
/// on it now build on its result.
async fn settle<L: Link>(link: &mut L, owner: &str, current: OutboxEntry, next: Next) {
    let (mine, now) = (owner.to_owned(), link.now());
    let ended = link
        .update(move |mut entries| {
            entries.retain(|e| e.owner == mine);
            // Gone while it was out (the device forgotten, the saves discarded at sign-out, or
            // settled by a tab that took it over): nothing is written back or remembered.
            let Some(stored_now) = entries.iter().find(|e| e.id == current.id).cloned() else {
                return (NO_CHANGE, None);
            };
            let next = reconcile(Some(&stored_now), &current, next, now);
            entries.retain(|e| e.id != current.id);
            let (put, delete, ended) = match next {
                Next::Confirmed { receipt, stored } => (
                    followers_of(entries, &current, Some(&stored)),
                    vec![current.id.clone()],
                    Some((SaveState::Confirmed(receipt), Some(stored))),
                ),
                Next::Rejected { entry, state } => (
                    followers_of(entries, &entry, None),
                    vec![entry.id],
                    Some((state, None)),
                ),
                // `send` settles every send, so ReadBack/SendAgain do not reach here.
                Next::Keep(entry) | Next::ReadBack(entry) | Next::SendAgain(entry) => {
                    (vec![entry], Vec::new(), None)
                }
            };
            (
                (put, delete),
                ended.map(|(state, stored)| (current, state, stored)),
            )
        })
        .await
        .flatten();
    if let Some((entry, state, stored)) = &ended {
        link.ended(entry, state, stored.as_ref());
    }
    link.changed().await;
}
