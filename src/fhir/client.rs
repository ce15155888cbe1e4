//! The FHIR REST client over gloo-net. Every request has a time limit; every answer becomes either
//! a typed resource or a [`FhirError`].
//!
//! Nothing from the network, nor anything stored from it, can panic here: header values are set
//! through `Headers.set` with its error handled (gloo-net's `header()` unwraps it, and a throw
//! there would end the whole app), every URL segment is percent-encoded, and an answer's id and
//! version are checked (`write.rs`) before they count as a receipt or are ever sent back.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use js_sys::JsString;
use serde_json::Value;
use wasm_bindgen::JsCast;

use super::error::parse_retry_after;
use super::resources::OperationOutcome;
use super::write::{
    encode, if_match_header, is_header_safe, is_json_content_type, is_resource_type_name,
    is_written_type, minimal_answer, query_string, receipt_of,
};
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

/// A request Tahto does not send (a resource type it never writes, a header value a browser
/// would refuse): refused as the server would refuse a bad request, so the save ends visibly and
/// keeps the citizen's input, and the saves behind it go on.
fn refused() -> FhirError {
    FhirError::Status {
        status: 400,
        outcome: None,
        retry_after_secs: None,
    }
}

/// An update whose base version cannot go into `If-Match` (no FHIR server stores such a version;
/// e.g. kept from an answer before answers were checked). Its precondition cannot hold: treated
/// as a 412, so the pipeline reads the server's copy and decides from that, never blindly.
fn unusable_version() -> FhirError {
    FhirError::Status {
        status: 412,
        outcome: None,
        retry_after_secs: None,
    }
}

/// The save was answered with 2xx, but its stored copy could not be read: not proof of a save,
/// nor of its absence.
fn unproven(error: FhirError) -> FhirError {
    match error {
        FhirError::Timeout | FhirError::Unreachable(_) => error,
        _ => FhirError::Malformed("stored copy unreadable".into()),
    }
}

/// The headers of one request; a value `Headers.set` refuses is an error, not a panic.
fn headers(list: &[(&str, &str)]) -> Result<Headers, FhirError> {
    let raw = Headers::new().into_raw();
    for (name, value) in list {
        raw.set(name, value).map_err(|_| refused())?;
    }
    Ok(Headers::from_raw(raw))
}

impl FhirClient {
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            timeout_ms: REQUEST_TIMEOUT_MS,
        }
    }

    /// `<base>/<type>[/<segment>…]`, each segment percent-encoded; refused for a type FHIR would
    /// not name so.
    fn url(&self, resource_type: &str, segments: &[&str]) -> Result<String, FhirError> {
        if !is_resource_type_name(resource_type) {
            return Err(refused());
        }
        let mut url = format!("{}/{}", self.base, resource_type);
        for segment in segments {
            url.push('/');
            url.push_str(&encode(segment));
        }
        Ok(url)
    }

    /// Sends a request and reads the whole body within the time limit. Refused as unsigned-in
    /// (401) while a refresh token can renew the sign-in: renewed, and sent once more (a 401 was
    /// not processed, so sending it again is safe).
    async fn send(
        &self,
        method: Method,
        url: &str,
        extra_headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<(Response, JsString), FhirError> {
        let sent_with = crate::auth::session::bearer();
        let first = self
            .send_once(method.clone(), url, extra_headers, body.clone())
            .await?;
        if first.0.status() != 401 {
            return Ok(first);
        }
        // Signed in anew while this was out (again, in a window): sent once more with the new
        // token; the new sign-in has not ended. Else renewed, or the sign-in has ended, and
        // `renew` has said so.
        let signed_in_since = crate::auth::session::bearer() != sent_with;
        if !signed_in_since && !crate::auth::session::renew().await {
            return Ok(first);
        }
        let again = self.send_once(method, url, extra_headers, body).await?;
        if again.0.status() == 401 {
            crate::auth::session::ended();
        }
        Ok(again)
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        extra_headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<(Response, JsString), FhirError> {
        let request = RequestBuilder::new(url).method(method);
        let mut list = vec![("Accept", FHIR_JSON)];
        if body.is_some() {
            list.push(("Content-Type", FHIR_JSON));
        }
        // Signed in: the citizen's token (in memory only, `auth::session`).
        let bearer = crate::auth::session::bearer().map(|token| format!("Bearer {token}"));
        if let Some(bearer) = &bearer {
            list.push(("Authorization", bearer));
        }
        list.extend_from_slice(extra_headers);
        let headers = headers(&list)?;
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
            .headers(headers)
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
                .body(body)
                .map_err(failed)?
                .send()
                .await
                .map_err(failed)?,
            None => request.send().await.map_err(failed)?,
        };
        // The body can stall or be cut after the headers arrived: still under the same deadline.
        // Kept as the browser's string: `JSON.parse` reads it as it is, where a Rust `String`
        // would copy a page of results into the module and back out again (measured: with a page
        // of 250 lab results, the two copies and the parse were one task of ~45 ms on a 4x
        // slower CPU).
        let unreadable = || {
            if timed_out.get() {
                FhirError::Timeout
            } else {
                FhirError::Malformed("the body could not be read".into())
            }
        };
        let raw = web_sys::Response::from(response);
        let body = raw.text().map_err(|_| unreadable())?;
        let response = Response::from(raw);
        let text = wasm_bindgen_futures::JsFuture::from(body)
            .await
            .map_err(|_| unreadable())?
            .dyn_into::<JsString>()
            .map_err(|_| unreadable())?;
        Ok((response, text))
    }

    fn status_error(response: &Response, text: &JsString) -> FhirError {
        FhirError::Status {
            status: response.status(),
            outcome: crate::web::parse_json_text(text).and_then(|v| OperationOutcome::of(&v)),
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
        self.search_query(resource_type, &query_string(params))
            .await
    }

    /// [`Self::search`] with the query as a string (`Write::Create`'s `look_first`, kept in the
    /// outbox); refused unless it is plain visible ASCII, as `query_string` writes one.
    pub async fn search_query(
        &self,
        resource_type: &str,
        query: &str,
    ) -> Result<Vec<Value>, FhirError> {
        if !is_header_safe(query) || query.contains(['#', ' ']) {
            return Err(refused());
        }
        let url = format!("{}?{query}", self.url(resource_type, &[])?);
        let (response, text) = self.send(Method::GET, &url, &[], None).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        if !is_json_content_type(response.headers().get("content-type").as_deref()) {
            return Err(Self::not_json());
        }
        crate::web::bundle_resources_paced(&text, resource_type)
            .await
            .ok_or_else(|| FhirError::Malformed("expected a Bundle".into()))
    }

    /// Writes `resource` as the outbox entry says: `POST` with `If-None-Exist` for a create,
    /// `PUT` with `If-Match` for an update. Succeeds only with the stored resource, its id and
    /// versionId: from the answer's body, or, when the server answered without one, read from
    /// the server at the version its `Location`/`ETag` named.
    pub async fn write_value(
        &self,
        resource_type: &str,
        resource: &Value,
        write: &Write,
    ) -> Result<(Value, Receipt), FhirError> {
        if !is_written_type(resource_type) {
            return Err(refused());
        }
        let mut resource = resource.clone();
        let (request, condition) = match write {
            Write::Update { id, if_match } => {
                let if_match = if_match_header(if_match).ok_or_else(unusable_version)?;
                if let Some(obj) = resource.as_object_mut() {
                    obj.insert("id".into(), Value::String(id.clone()));
                }
                let url = self.url(resource_type, &[id])?;
                ((Method::PUT, url), ("If-Match", if_match))
            }
            Write::Create { creation_key, .. } => {
                let condition = format!("identifier={creation_key}");
                if !is_header_safe(&condition) {
                    return Err(refused());
                }
                if let Some(obj) = resource.as_object_mut() {
                    obj.remove("id");
                    obj.remove("meta");
                }
                let url = self.url(resource_type, &[])?;
                ((Method::POST, url), ("If-None-Exist", condition))
            }
        };
        let body = crate::json::to_text(&resource);
        let extra = [
            (condition.0, condition.1.as_str()),
            ("Prefer", "return=representation"),
        ];
        let (response, text) = self.send(request.0, &request.1, &extra, Some(body)).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        let header = |name: &str| response.headers().get(name);
        if text.trim().length() == 0 {
            return self
                .read_stored(resource_type, write, header("location"), header("etag"))
                .await;
        }
        let stored = Self::parse_resource(&response, &text)?;
        let written_id = match write {
            Write::Update { id, .. } => Some(id.as_str()),
            Write::Create { .. } => None,
        };
        let last_modified = header("last-modified");
        let receipt = receipt_of(
            &stored,
            resource_type,
            written_id,
            None,
            last_modified.as_deref(),
        )?;
        Ok((stored, receipt))
    }

    /// After an empty 2xx to a write: the stored copy, read at the version the answer named (or
    /// the current one when it named none). Only that copy, with its id and version, is proof.
    async fn read_stored(
        &self,
        resource_type: &str,
        write: &Write,
        location: Option<String>,
        etag: Option<String>,
    ) -> Result<(Value, Receipt), FhirError> {
        let Some((id, version)) =
            minimal_answer(resource_type, write, location.as_deref(), etag.as_deref())
        else {
            // A create that does not say what it created: its retry's If-None-Exist finds it.
            return Err(FhirError::MissingVersion);
        };
        // The version named, then (a server without version reads) the current copy. One await
        // site: each is its own code in the wasm.
        let mut wanted = version.as_deref();
        let (stored, receipt) = loop {
            match self.read_checked(resource_type, &id, wanted).await {
                Err(FhirError::Status {
                    status: 400..=499 | 501,
                    ..
                }) if wanted.is_some() => wanted = None,
                read => break read.map_err(unproven)?,
            }
        };
        if let Write::Update { if_match, .. } = write {
            // An update makes a new version: the server still holds the one we wrote against, so
            // this answer did not come from a save (a captive portal's empty 200, say).
            if receipt.version_id == *if_match {
                return Err(FhirError::Malformed("no new version stored".into()));
            }
        }
        Ok((stored, receipt))
    }

    /// One resource (at `version`, when given), with the receipt its id and version make.
    async fn read_checked(
        &self,
        resource_type: &str,
        id: &str,
        version: Option<&str>,
    ) -> Result<(Value, Receipt), FhirError> {
        let url = match version {
            Some(v) => self.url(resource_type, &[id, "_history", v])?,
            None => self.url(resource_type, &[id])?,
        };
        let (response, text) = self.send(Method::GET, &url, &[], None).await?;
        if !response.ok() {
            return Err(Self::status_error(&response, &text));
        }
        let stored = Self::parse_resource(&response, &text)?;
        let last_modified = response.headers().get("last-modified");
        let receipt = receipt_of(
            &stored,
            resource_type,
            Some(id),
            version,
            last_modified.as_deref(),
        )?;
        Ok((stored, receipt))
    }

    /// Reads the current version of one resource: only with a valid id (the one asked for) and
    /// versionId, as that version may be sent back in `If-Match`.
    pub async fn read_value(&self, resource_type: &str, id: &str) -> Result<Value, FhirError> {
        self.read_checked(resource_type, id, None)
            .await
            .map(|(stored, _)| stored)
    }

    /// A body that is not JSON (cut off, an HTML error page, nested beyond reason).
    fn not_json() -> FhirError {
        FhirError::Malformed("not JSON".into())
    }

    /// A JSON body declared as JSON, or `Malformed` (a truncated body, a captive portal's page).
    /// Its shape is checked by `receipt_of`.
    fn parse_resource(response: &Response, text: &JsString) -> Result<Value, FhirError> {
        if !is_json_content_type(response.headers().get("content-type").as_deref()) {
            return Err(Self::not_json());
        }
        crate::web::parse_json_text(text).ok_or_else(Self::not_json)
    }
}
