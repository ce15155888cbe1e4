//! The save pipeline (DESIGN §1). Every write in Tahto goes through here.
//!
//! A page saves through its record's handle (`handle.rs`), which calls `Outbox::save`
//! (`sending.rs`) with the resource and how to write it; from then on the save is the outbox's job
//! until it ends in a state the citizen sees on the item:
//!
//! - `state.rs`: the save states and how one server answer moves between them (plain data).
//! - `outbox.rs`: unconfirmed saves as data: ordering, coalescing, retries, read-back after a lost
//!   answer, conflicts (plain data, native tests, the property test in `tests/`).
//! - `retry.rs`: when to try again (backoff with full jitter, `Retry-After`).
//! - `store.rs` (browser): the entries in IndexedDB (localStorage as the fallback, this tab's
//!   memory as the last resort: a save is never left unsent because storage failed).
//! - `driver.rs`: one send of an entry, with the read-back or resend its answer calls for, over a
//!   `Link` (the browser's, or the property test's simulated server).
//! - `sync.rs` (browser): [`sync::Outbox`], the app-wide handle, as the first load has it: reads
//!   and shows the outbox, hears the other tabs over a `BroadcastChannel`, and wakes the sending
//!   side when something is due.
//! - `sending.rs` (browser, in the rest of the app): stores each save, sends from one tab at a
//!   time under a Web Lock, and tells every open tab.

pub mod draft;
pub mod driver;
pub mod kept;
pub mod outbox;
pub mod record;
pub mod retry;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod handle;
#[cfg(target_arch = "wasm32")]
pub mod sending;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod sync;

pub use crate::fhir::{Receipt, Write};
pub use record::{Citizen, Record};
pub use retry::RetryPolicy;
pub use state::{NotYetSaved, SaveState};
