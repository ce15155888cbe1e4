//! One module per citizen function.

pub mod kanta_notice;
pub mod organ_donation;
pub mod unsent;

pub use kanta_notice::{DeclarationGate, KantaNoticePage, NoticeGate};
pub use organ_donation::OrganDonationPage;
pub use unsent::UnsentPage;
