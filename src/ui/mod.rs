//! Shared components and app-wide handles (language, live regions, save status).

pub mod header;
pub mod i18n;
pub mod live_region;
pub mod save_status;

pub use header::{Header, LanguageSwitch};
pub use i18n::{use_i18n, I18n};
pub use live_region::{use_announcer, Announcer, LiveRegions};
pub use save_status::SaveStatus;
