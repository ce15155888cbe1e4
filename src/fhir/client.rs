//! The FHIR REST client over gloo-net. Every request has a time limit; every answer becomes either
//! a typed resource or a [`FhirError`].

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{RequestBuilder, Response};
use serde_json::Value;

use super::error::{parse_retry_after, version_from_etag};
use super::resources::{last_updated, resource_type, OperationOutcome};
use super::FhirError;
use super::{Receipt, Write};

const FHIR_JSON: &str = "application/fhir+json";
/// A phone on a bad network can take long; past this the save is shown as not yet saved.
pub const REQUEST_TIMEOUT_MS: u32 = 20_000;

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
            outcome: crate::web::parse_json(text).and_then(|v| OperationOutcome::of(&v)),
            retry_after_secs: parse_retry_after(response.headers().get("retry-after").as_deref()),
        }
    }

    /// Searches `resource_type` with the given parameters: the matching resources of the first
    /// page (other entries, such as an `OperationOutcome` with warnings, are skipped).
    pub async fn search(
        &self,
        resource_type: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<Value>, FhirError> {
        let url = format!("{}/{}?{}", self.base, resource_type, query_string(params));
        let (response, text) = self.send(gloo_net::http::Request::get(&url), None).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        crate::web::bundle_resources_paced(&text, resource_type)
            .await
            .ok_or_else(|| FhirError::Malformed("expected a Bundle".into()))
    }

    /// Writes `resource` as the outbox entry says: `POST` with `If-None-Exist` for a create,
    /// `PUT` with `If-Match` for an update. Succeeds only with the stored resource, its id and
    /// versionId.
    pub async fn write_value(
        &self,
        resource_type: &str,
        resource: &Value,
        write: &Write,
    ) -> Result<(Value, Receipt), FhirError> {
        let mut resource = resource.clone();
        let request = match write {
            Write::Update { id, if_match } => {
                if let Some(obj) = resource.as_object_mut() {
                    obj.insert("id".into(), Value::String(id.clone()));
                }
                let url = format!("{}/{}/{}", self.base, resource_type, encode(id));
                gloo_net::http::Request::put(&url).header("If-Match", &format!("W/\"{if_match}\""))
            }
            Write::Create { creation_key } => {
                if let Some(obj) = resource.as_object_mut() {
                    obj.remove("id");
                    obj.remove("meta");
                }
                let url = format!("{}/{}", self.base, resource_type);
                gloo_net::http::Request::post(&url)
                    .header("If-None-Exist", &format!("identifier={creation_key}"))
            }
        };
        let body = crate::json::to_text(&resource);
        let request = request.header("Prefer", "return=representation");
        let (response, text) = self.send(request, Some(body)).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        let stored = Self::parse_resource(&text, resource_type)?;
        let id = stored.get("id").and_then(Value::as_str).map(str::to_owned);
        let version = stored
            .get("meta")
            .and_then(|m| m.get("versionId"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                response
                    .headers()
                    .get("etag")
                    .and_then(|e| version_from_etag(&e))
            });
        let (Some(id), Some(version_id)) = (id, version) else {
            return Err(FhirError::MissingVersion);
        };
        let server_time = last_updated(&stored)
            .map(str::to_owned)
            .or_else(|| response.headers().get("last-modified"));
        Ok((
            stored,
            Receipt {
                id,
                version_id,
                server_time,
            },
        ))
    }

    /// Reads the current version of one resource.
    pub async fn read_value(&self, resource_type: &str, id: &str) -> Result<Value, FhirError> {
        let url = format!("{}/{}/{}", self.base, resource_type, encode(id));
        let (response, text) = self.send(gloo_net::http::Request::get(&url), None).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        Self::parse_resource(&text, resource_type)
    }

    /// A body that is not JSON (cut off, an HTML error page, nested beyond reason).
    fn not_json() -> FhirError {
        FhirError::Malformed("not JSON".into())
    }

    /// A JSON object of the expected type, or `Malformed` (e.g. a truncated body).
    fn parse_resource(text: &str, resource_type: &str) -> Result<Value, FhirError> {
        let value = crate::web::parse_json(text).ok_or_else(Self::not_json)?;
        if self::resource_type(&value) != Some(resource_type) {
            return Err(FhirError::Malformed(format!("expected a {resource_type}")));
        }
        Ok(value)
    }
}
