//! The save pipeline (DESIGN §1). Every write in Tahto goes through here.
//!
//! - `state.rs`: the save states and how one server answer moves between them (plain data).
//! - `outbox.rs`: unconfirmed saves as data: ordering, coalescing, retries, conflicts (plain data).
//! - `retry.rs`: when to try again (backoff with full jitter, `Retry-After`).
//! - `pipeline.rs` (browser): [`pipeline::SaveSlot`], the app's save path today: one record's
//!   save, kept in localStorage until confirmed and shared by the citizen's tabs, with automatic
//!   retries, idempotent resends and a visible end; [`pipeline::UnsentSaves`] for the badge.
//! - `store.rs` (browser): the outbox entries in IndexedDB (tested in Chromium). The multi-tab
//!   IndexedDB outbox built on it (one flushing tab under a Web Lock, BroadcastChannel) was written
//!   and then set aside: wired in, it took the first load to 187 KB brotli against the 150 KB
//!   budget. It is in git history (commit a69e3f9, `save/sync.rs`, `save/send.rs`).

pub mod outbox;
pub mod retry;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod pipeline;
#[cfg(target_arch = "wasm32")]
pub mod store;

pub use outbox::Write;
pub use retry::RetryPolicy;
pub use state::{NotYetSaved, Receipt, SaveState};
