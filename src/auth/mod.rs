//! Signing the citizen in (SMART App Launch 2.2, standalone patient launch, as a public client).
//!
//! - `smart.rs`: the requests and answers as plain data (native tests).
//! - `session.rs` (browser): the redirect and back, the code's exchange, the tokens in memory.

pub mod smart;

#[cfg(target_arch = "wasm32")]
pub mod session;
