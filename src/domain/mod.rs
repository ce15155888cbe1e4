//! The citizen's decisions as plain Rust types, and how each maps to FHIR. No browser code here.

pub mod organ_donation;
