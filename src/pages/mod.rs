//! One module per citizen function.

pub mod organ_donation;
pub mod unsent;

pub use organ_donation::OrganDonationPage;
pub use unsent::UnsentPage;
