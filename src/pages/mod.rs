//! One module per citizen function. Only home is in the first load; the others are reached
//! through `rest` (the rest of the app, fetched after the first paint).

pub mod access_log;
pub mod advance_directive;
pub mod disclosures;
pub mod home;
pub mod kanta_notice;
pub mod lab_results;
pub mod living_will;
pub mod measurements;
pub mod organ_donation;
pub mod prescriptions;
pub mod unsent;
pub mod vaccinations;
pub mod visits;

pub use home::HomePage;
pub use kanta_notice::KantaNoticePage;
pub use organ_donation::OrganDonationPage;
pub use unsent::UnsentPage;
