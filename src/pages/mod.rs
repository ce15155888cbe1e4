//! One module per citizen function.

pub mod organ_donation;

pub use organ_donation::OrganDonationPage;
