//! The save pipeline (DESIGN §1). Every write in Tahto goes through here.
//!
//! - `state.rs`: the save states and how one server answer moves between them (plain data).
//! - `outbox.rs`: unconfirmed saves as data: ordering, coalescing, retries, conflicts (plain data).
//! - `retry.rs`: when to try again (backoff with full jitter, `Retry-After`).
//! - `sync.rs` + `store.rs` (browser): the [`sync::Outbox`] that stores entries in IndexedDB, sends
//!   them from one tab at a time, and tells every tab what happened.

pub mod outbox;
pub mod retry;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod sync;

pub use outbox::Write;
pub use retry::RetryPolicy;
pub use state::{NotYetSaved, Receipt, SaveState};
