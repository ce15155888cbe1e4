//! The citizen's decisions as plain Rust types, and how each maps to FHIR. No browser code here.

pub mod advance_directive;
pub mod disclosure;
pub mod glance;
pub mod kanta_notice;
pub mod living_will;
pub mod measurement;
pub mod organ_donation;
pub mod records;
pub mod renewal;
