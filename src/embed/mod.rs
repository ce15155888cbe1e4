//! Tahto in a partner's page: a frame on Tahto's own origin (`public/embed.js` makes it), so its
//! code, the citizen's drafts and unsent saves never live where the partner's scripts run.
//!
//! - `protocol.rs`: the messages between the frame and the partner's page, checked field by field.
//! - `theme.rs`: the partner's look (a few colours, a radius, a font), checked for legibility.
//! - `frame.rs` (browser, in the rest of the app): the link to the partner's page.

pub mod protocol;
pub mod theme;

#[cfg(target_arch = "wasm32")]
pub mod frame;
