//! How the lazily loaded bundles (`sections::Bundle`) start and talk to the first load.
//!
//! The first load renders an empty host element per bundle (`ui::LazyBundle`) and, the first time
//! one of its sections is opened, imports the bundle's JS glue, which runs the bundle's `main`:
//! `mount::mount_lazy`. From then on the two WebAssembly instances share only the DOM and the browser's
//! storage:
//! - the first load tells the bundle which view and language to show with a [`SYNC_EVENT`] on the
//!   host element (detail: `"<view key> <lang code>"`);
//! - the bundle asks for another section with a [`NAVIGATE_EVENT`] (detail: the view key), which
//!   bubbles to the first load;
//! - each has its own save pipeline over the same IndexedDB outbox, coordinated like two tabs are
//!   (one flusher under the Web Lock, a `BroadcastChannel` for changes): nothing new to keep in sync.

pub mod mount;
pub mod protocol;

pub use mount::{mount_declarations, mount_records};
