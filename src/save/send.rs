//! One send of an outbox entry: the request, then any read-back or resend the answer calls for
//! (a lost response, our own earlier edit found on the server). Shared by every save path.

use std::future::Future;

use super::outbox::{
    after_answer, after_read_back, start_attempt, still_undecided, Next, OutboxEntry,
};
use super::retry::RetryPolicy;
use crate::fhir::client::FhirClient;
use crate::fhir::Write;

/// At most this many follow-up requests (read-backs, resends) in one send.
const MAX_HOPS: usize = 3;

/// Sends `entry` (already marked with `start_attempt`) and follows up until the outcome is
/// settled: never returns `ReadBack` or `SendAgain`. `before_hop` runs before each follow-up
/// request (to renew an in-flight mark, or to persist progress). Returns the entry as last sent.
pub async fn send_entry<F, Fut>(
    client: &FhirClient,
    entry: OutboxEntry,
    policy: &RetryPolicy,
    mut before_hop: F,
) -> (OutboxEntry, Next)
where
    F: FnMut(&OutboxEntry) -> Fut,
    Fut: Future<Output = ()>,
{
    let now = js_sys::Date::now;
    let random = js_sys::Math::random;
    let mut current = entry.clone();
    let answer = client
        .write_value(&entry.resource_type, &entry.resource, &entry.write)
        .await;
    let mut next = after_answer(entry, answer, now(), random(), policy);
    for _ in 0..MAX_HOPS {
        next = match next {
            Next::ReadBack(e) => {
                before_hop(&e).await;
                current = e.clone();
                let server = match &e.write {
                    Write::Update { id, .. } => client.read_value(&e.resource_type, id).await,
                    Write::Create { .. } => Err(crate::fhir::FhirError::MissingVersion),
                };
                after_read_back(e, server, now(), random(), policy)
            }
            Next::SendAgain(mut e) => {
                start_attempt(&mut e, now());
                before_hop(&e).await;
                current = e.clone();
                let answer = client
                    .write_value(&e.resource_type, &e.resource, &e.write)
                    .await;
                after_answer(e, answer, now(), random(), policy)
            }
            settled => return (current, settled),
        };
    }
    let next = match next {
        Next::ReadBack(e) | Next::SendAgain(e) => still_undecided(e, now(), random(), policy),
        settled => settled,
    };
    (current, next)
}
