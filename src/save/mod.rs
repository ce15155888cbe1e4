//! The save pipeline (DESIGN §1). Every write in Tahto goes through here.
//!
//! - `state.rs`: the save states and how one server answer moves between them (plain data).
//! - `outbox.rs`: unconfirmed saves as data: ordering, coalescing, retries, conflicts (plain data).
//! - `retry.rs`: when to try again (backoff with full jitter, `Retry-After`).
//! - `pipeline.rs` (browser): [`pipeline::SaveSlot`], the app's save path today: one record's
//!   save in this tab's memory, with automatic retries, idempotent resends and a visible end.
//! - `sync.rs` + `store.rs` (browser): the durable [`sync::Outbox`] that keeps entries in
//!   IndexedDB, sends them from one tab at a time and tells every tab. Built and tested, not yet
//!   wired into the app: it adds ~48 KB brotli to the first load, past the 150 KB budget.

pub mod outbox;
pub mod retry;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod pipeline;
#[cfg(target_arch = "wasm32")]
pub mod send;
#[cfg(target_arch = "wasm32")]
pub mod store;
#[cfg(target_arch = "wasm32")]
pub mod sync;

pub use outbox::Write;
pub use retry::RetryPolicy;
pub use state::{NotYetSaved, Receipt, SaveState};
