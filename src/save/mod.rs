//! The save pipeline (DESIGN §1). Every write in Tahto goes through here.
//!
//! `state` is the contract as plain data. The browser side that sends a save and reports its state
//! lives in `pipeline` (wasm only).

pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod pipeline;

pub use state::{NotYetSaved, Receipt, SaveState};
