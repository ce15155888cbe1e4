//! The FHIR REST client over gloo-net. Every request has a time limit; every answer becomes either
//! a typed resource or a [`FhirError`].

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::error::{parse_retry_after, version_from_etag};
use super::resources::{Bundle, Consent, OperationOutcome};
use super::FhirError;
use crate::save::Receipt;

const FHIR_JSON: &str = "application/fhir+json";
/// A phone on a bad network can take long; past this the save is shown as not yet saved.
pub const REQUEST_TIMEOUT_MS: u32 = 20_000;

/// A FHIR resource type Tahto reads and writes.
pub trait Resource: Serialize + DeserializeOwned + Clone {
    const TYPE: &'static str;
    fn id(&self) -> Option<&str>;
    fn version_id(&self) -> Option<&str>;
    fn last_updated(&self) -> Option<&str>;
    /// `system|value` of the client-made identifier that makes a create idempotent.
    fn creation_key(&self) -> Option<String>;
}

impl Resource for Consent {
    const TYPE: &'static str = "Consent";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn version_id(&self) -> Option<&str> {
        Consent::version_id(self)
    }
    fn last_updated(&self) -> Option<&str> {
        Consent::last_updated(self)
    }
    fn creation_key(&self) -> Option<String> {
        self.identifier
            .iter()
            .find_map(|i| Some(format!("{}|{}", i.system.as_deref()?, i.value.as_deref()?)))
    }
}

/// A resource as the server stored it, with the receipt that proves it.
#[derive(Clone, Debug)]
pub struct Stored<T> {
    pub resource: T,
    pub receipt: Receipt,
}

/// Talks to one FHIR R4 server.
#[derive(Clone, Debug)]
pub struct FhirClient {
    base: String,
    timeout_ms: u32,
}

/// Percent-encodes a search parameter value (RFC 3986 unreserved characters pass).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn query_string(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl FhirClient {
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            timeout_ms: REQUEST_TIMEOUT_MS,
        }
    }

    /// Sends a request and reads the whole body within the time limit.
    async fn send(
        &self,
        request: RequestBuilder,
        body: Option<String>,
    ) -> Result<(Response, String), FhirError> {
        let controller = web_sys::AbortController::new()
            .map_err(|_| FhirError::Unreachable("AbortController unavailable".into()))?;
        let timed_out = Rc::new(Cell::new(false));
        let _deadline = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            // Dropped (and so cancelled) when this function returns.
            gloo_timers::callback::Timeout::new(self.timeout_ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let request = request
            .header("Accept", FHIR_JSON)
            .abort_signal(Some(&controller.signal()));
        let failed = |e: gloo_net::Error| {
            if timed_out.get() {
                FhirError::Timeout
            } else {
                FhirError::Unreachable(e.to_string())
            }
        };
        let response = match body {
            Some(body) => request
                .header("Content-Type", FHIR_JSON)
                .body(body)
                .map_err(failed)?
                .send()
                .await
                .map_err(failed)?,
            None => request.send().await.map_err(failed)?,
        };
        // The body can stall or be cut after the headers arrived: still under the same deadline.
        let text = response.text().await.map_err(|e| {
            if timed_out.get() {
                FhirError::Timeout
            } else {
                FhirError::Malformed(e.to_string())
            }
        })?;
        Ok((response, text))
    }

    fn status_error(response: &Response, text: &str) -> FhirError {
        FhirError::Status {
            status: response.status(),
            outcome: OperationOutcome::parse(text),
            retry_after_secs: parse_retry_after(response.headers().get("retry-after").as_deref()),
        }
    }

    /// Searches `T` with the given parameters; every entry of type `T` must be readable.
    pub async fn search<T: Resource>(&self, params: &[(&str, &str)]) -> Result<Vec<T>, FhirError> {
        let url = format!("{}/{}?{}", self.base, T::TYPE, query_string(params));
        let (response, text) = self.send(gloo_net::http::Request::get(&url), None).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        let bundle: Bundle =
            serde_json::from_str(&text).map_err(|e| FhirError::Malformed(e.to_string()))?;
        bundle
            .entry
            .into_iter()
            .filter_map(|e| e.resource)
            .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some(T::TYPE))
            .map(|r| serde_json::from_value(r).map_err(|e| FhirError::Malformed(e.to_string())))
            .collect()
    }

    /// Creates (POST with `If-None-Exist`) or updates (PUT with `If-Match`) `resource`.
    ///
    /// Succeeds only with the stored resource and its id + versionId.
    pub async fn save<T: Resource>(&self, resource: &T) -> Result<Stored<T>, FhirError> {
        let body =
            serde_json::to_string(resource).map_err(|e| FhirError::Malformed(e.to_string()))?;
        let request = match (resource.id(), resource.version_id()) {
            (Some(id), version) => {
                let url = format!("{}/{}/{}", self.base, T::TYPE, encode(id));
                let request = gloo_net::http::Request::put(&url);
                match version {
                    Some(v) => request.header("If-Match", &format!("W/\"{v}\"")),
                    None => request,
                }
            }
            (None, _) => {
                let url = format!("{}/{}", self.base, T::TYPE);
                let request = gloo_net::http::Request::post(&url);
                match resource.creation_key() {
                    Some(key) => request.header("If-None-Exist", &format!("identifier={key}")),
                    None => request,
                }
            }
        };
        let request = request.header("Prefer", "return=representation");
        let (response, text) = self.send(request, Some(body)).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        let stored: T =
            serde_json::from_str(&text).map_err(|e| FhirError::Malformed(e.to_string()))?;
        let id = stored.id().map(str::to_owned);
        let version = stored.version_id().map(str::to_owned).or_else(|| {
            response
                .headers()
                .get("etag")
                .and_then(|e| version_from_etag(&e))
        });
        let (Some(id), Some(version_id)) = (id, version) else {
            return Err(FhirError::MissingVersion);
        };
        let server_time = stored
            .last_updated()
            .map(str::to_owned)
            .or_else(|| response.headers().get("last-modified"));
        Ok(Stored {
            resource: stored,
            receipt: Receipt {
                id,
                version_id,
                server_time,
            },
        })
    }
}
