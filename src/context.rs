//! App-wide handles that pages need, provided once by the app shell.

use crate::config::AppConfig;
use crate::fhir::client::FhirClient;

/// The host element Tahto mounts into and reads its configuration from.
pub const HOST_ID: &str = "tahto";

/// Configuration and the FHIR client, for reads. Writes go through a record's handle
/// (`save::handle`), never through the client directly.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub config: AppConfig,
    pub client: FhirClient,
}
