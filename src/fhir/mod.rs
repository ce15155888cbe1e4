//! FHIR R4: resource types, the REST client, and server errors as one typed enum.

pub mod error;
pub mod resources;
pub mod write;

#[cfg(target_arch = "wasm32")]
pub mod client;

pub use error::FhirError;
pub use write::{Receipt, Write};
