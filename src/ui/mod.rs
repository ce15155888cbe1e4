//! Shared components and app-wide handles (language, live regions, save status).

pub mod app_update;
pub mod declaration;
pub mod device_menu;
pub mod header;
pub mod i18n;
pub mod live_region;
pub mod print;
pub mod reactive;
pub mod save_status;
pub mod search;
pub mod section;
pub mod service_notice;
pub mod sign_in;
pub mod text_field;

pub use header::{Header, LanguageSwitch};
pub use i18n::{use_i18n, I18n};
pub use live_region::{use_announcer, Announcer, LiveRegions};
pub use save_status::SaveStatus;
