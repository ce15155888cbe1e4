//! How Tahto writes a resource, and the proof that the server stored it.
//!
//! Plain HTTP semantics of FHIR writes; the save pipeline (`save/`) decides which to use.

/// How a resource is written to the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// `POST`, with `If-None-Exist: identifier=<key>` so a retry can never store a second copy.
    Create { creation_key: String },
    /// `PUT <type>/<id>` with `If-Match: W/"<version>"`: never overwrites a change made elsewhere.
    Update { id: String, if_match: String },
}

/// Proof that the server stored a save: only ever built from a 2xx answer carrying both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    pub version_id: String,
    /// When the server stored it (`Last-Modified` or `meta.lastUpdated`), as the server said it.
    pub server_time: Option<String>,
}
