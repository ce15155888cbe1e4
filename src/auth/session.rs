//! Signing the citizen in, in the browser: the redirect to the authorization server and back,
//! the code's exchange, and the tokens, which live in this tab's memory only.
//!
//! Tokens are never stored: a reload or a new tab signs in again, silently (`prompt=none`) while
//! the authorization server's session lasts. What waits for the answer across the redirect is
//! this tab's session storage: the `state` and the PKCE verifier, which are worth nothing without
//! the citizen's sign-in and are removed as soon as the answer is read.

use std::cell::RefCell;

use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::smart::{self, Endpoints, SignInError, Tokens};
use crate::save::record::{SIGNED_OUT_KEY, SIGN_IN_KEY};

thread_local! {
    static TOKENS: RefCell<Option<Tokens>> = const { RefCell::new(None) };
    /// Tahto's entry address, registered with the authorization server: where every answer, and
    /// the citizen after signing out, comes back.
    static ENTRY: RefCell<String> = const { RefCell::new(String::new()) };
    /// The FHIR base the tokens are for.
    static BASE: RefCell<String> = const { RefCell::new(String::new()) };
    /// A renewal of this tab is on its way; and how many have ended.
    static RENEWING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static RENEWED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

thread_local! {
    /// The FHIR server refused the token (401): the sign-in has ended (expired, revoked).
    static ENDED: leptos::prelude::ArcRwSignal<bool> = leptos::prelude::ArcRwSignal::new(false);
}

/// Whether the sign-in has ended while Tahto was open (tracked): the citizen is asked to sign in
/// again, and the saves waiting for it are sent after.
pub fn has_ended() -> bool {
    use leptos::prelude::Get;
    ENDED.with(|e| e.get())
}

/// The FHIR server answered 401 to a request with the token.
pub fn ended() {
    use leptos::prelude::Set;
    if bearer().is_some() {
        ENDED.with(|e| e.set(true));
    }
}

/// Signs in again from where the citizen is (silently where the server's session still lasts):
/// what waits is sent once the app is back.
pub async fn sign_in_again(fhir_base: &str) -> Result<(), SignInError> {
    let entry = ENTRY.with(|e| e.borrow().clone());
    go_sign_in(fhir_base, &entry, true).await
}

/// Renews the sign-in with the refresh token, after the FHIR server refused the token (401).
/// One renewal at a time: the requests that meet a 401 meanwhile wait for it and use its token,
/// since a refresh token used twice may revoke the whole sign-in. Each tab signs in itself and
/// keeps its own tokens in memory, so no two tabs ever hold the same refresh token. `false` when
/// it cannot (no refresh token, refused): the sign-in has ended, and the citizen is told.
pub async fn renew() -> bool {
    if bearer().is_none() {
        return false;
    }
    let seen = RENEWED.get();
    while RENEWING.get() {
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    if RENEWED.get() != seen {
        return bearer().is_some() && !has_ended();
    }
    RENEWING.set(true);
    let renewed = renew_once().await;
    RENEWED.set(RENEWED.get().wrapping_add(1));
    RENEWING.set(false);
    if !renewed {
        ended();
    }
    renewed
}

async fn renew_once() -> bool {
    let Some(refresh) = TOKENS.with(|t| t.borrow().as_ref().and_then(|t| t.refresh_token.clone()))
    else {
        return false;
    };
    let base = BASE.with(|b| b.borrow().clone());
    let Ok(endpoints) = discover(&base).await else {
        return false;
    };
    let body = smart::form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh),
        ("client_id", smart::CLIENT_ID),
    ]);
    let request = gloo_net::http::Request::post(&endpoints.token);
    let Ok(value) = fetch_json(request, Some(body)).await else {
        return false;
    };
    let Ok(mut renewed) = smart::tokens(&value) else {
        return false;
    };
    TOKENS.with(|t| {
        let mut held = t.borrow_mut();
        // The same citizen only: a renewal never changes whose records these are.
        match held.take() {
            Some(old) if old.patient == renewed.patient => {
                // A server that does not rotate refresh tokens sends none: the old one stands.
                renewed.refresh_token = renewed.refresh_token.or(old.refresh_token);
                renewed.id_token = renewed.id_token.or(old.id_token);
                *held = Some(renewed);
                ENDED.with(|e| leptos::prelude::Set::set(e, false));
                true
            }
            old => {
                *held = old;
                false
            }
        }
    })
}

/// The bearer token for the FHIR server, while signed in.
pub fn bearer() -> Option<String> {
    TOKENS.with(|t| t.borrow().as_ref().map(|t| t.access_token.clone()))
}

/// How the start of the app went.
pub enum Started {
    /// Signed in: Tahto acts for this patient.
    SignedIn { patient: String },
    /// On the way to the authorization server (the page is being replaced).
    Away,
    /// The citizen must sign in (a button); with why, when something went wrong.
    SignedOut(Option<SignInError>),
}

/// Where the authorization server sends the answer: Tahto's own entry address.
pub fn redirect_uri(base_path: &str) -> String {
    let origin = crate::web::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{base_path}")
}

/// What this tab keeps across the redirect.
struct Pending {
    state: String,
    verifier: String,
    silent: bool,
    /// The address to show again after the answer (the section the citizen was on).
    back: String,
}

impl Pending {
    /// As lines of text: `state` and the verifier are base64url, the address has no line break
    /// (and no JSON writer is needed before the app has loaded).
    fn store(&self) -> bool {
        let silent = if self.silent { "silent" } else { "asked" };
        let text = [self.state.as_str(), &self.verifier, silent, &self.back].join("\n");
        crate::web::session_store_checked(SIGN_IN_KEY, &text)
    }

    /// Read once: removed as it is read, so an answer is never used twice.
    fn take() -> Option<Pending> {
        let text = crate::web::session_stored(SIGN_IN_KEY)?;
        crate::web::session_forget(SIGN_IN_KEY);
        let mut lines = text.splitn(4, '\n').map(str::to_owned);
        Some(Pending {
            state: lines.next()?,
            verifier: lines.next()?,
            silent: lines.next()? == "silent",
            back: lines.next().filter(|b| b.starts_with('/'))?,
        })
    }
}

/// Signs in as the app starts: the answer from the authorization server if this is one, else
/// silently where the server's session allows, else the citizen is asked.
pub async fn at_start(fhir_base: &str, redirect_uri: &str) -> Started {
    ENTRY.with(|e| *e.borrow_mut() = redirect_uri.to_owned());
    BASE.with(|b| *b.borrow_mut() = fhir_base.to_owned());
    let location = crate::web::window().map(|w| w.location());
    let search = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let get = |name: &str| params.as_ref().and_then(|p| p.get(name));
    let pending = Pending::take();
    if let Some(pending) = pending.filter(|_| get("state").is_some()) {
        // The code and state leave the address at once (history, screenshots, referrers).
        crate::web::replace_address(&pending.back);
        return match smart::answer(get, &pending.state, pending.silent) {
            Ok(code) => match exchange(fhir_base, redirect_uri, &code, &pending.verifier).await {
                Ok(patient) => Started::SignedIn { patient },
                Err(error) => Started::SignedOut(Some(error)),
            },
            Err(SignInError::NeedsCitizen) => Started::SignedOut(None),
            Err(error) => Started::SignedOut(Some(error)),
        };
    }
    // Just signed out: the sign-in page, not a silent sign-in (where the authorization server
    // could not end its session, it would sign the citizen straight back in).
    if crate::web::session_stored(SIGNED_OUT_KEY).is_some() {
        crate::web::session_forget(SIGNED_OUT_KEY);
        return Started::SignedOut(Some(SignInError::SignedOut));
    }
    let online = crate::web::window().is_none_or(|w| w.navigator().on_line());
    if !online {
        return Started::SignedOut(Some(SignInError::Unreachable));
    }
    match go_sign_in(fhir_base, redirect_uri, true).await {
        Ok(()) => Started::Away,
        Err(error) => Started::SignedOut(Some(error)),
    }
}

/// Sends the citizen to the authorization server (`silent`: without asking them anything).
pub async fn go_sign_in(
    fhir_base: &str,
    redirect_uri: &str,
    silent: bool,
) -> Result<(), SignInError> {
    let endpoints = discover(fhir_base).await?;
    let verifier = smart::base64url(&crate::web::random_bytes::<32>());
    let state = smart::base64url(&crate::web::random_bytes::<16>());
    let challenge = smart::base64url(&sha256(verifier.as_bytes()).await?);
    let location = crate::web::window()
        .map(|w| w.location())
        .ok_or(SignInError::Unreachable)?;
    // Where the citizen is, without what an earlier answer left in the address.
    let query = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
        .map(|params| {
            for answer in [
                "code",
                "state",
                "error",
                "error_description",
                "iss",
                "session_state",
            ] {
                params.delete(answer);
            }
            String::from(params.to_string())
        })
        .unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let back = match query.is_empty() {
        true => path,
        false => format!("{path}?{query}"),
    };
    let pending = Pending {
        state,
        verifier,
        silent,
        back,
    };
    // Without session storage the answer could not be checked: no sign-in at all.
    if !pending.store() {
        return Err(SignInError::Unreachable);
    }
    let url = smart::authorize_url(&smart::Authorize {
        endpoints: &endpoints,
        redirect_uri,
        state: &pending.state,
        challenge: &challenge,
        aud: fhir_base,
        launch: None,
        silent,
    });
    location.assign(&url).map_err(|_| SignInError::Unreachable)
}

/// The authorization server's endpoints, from the FHIR server's SMART configuration.
async fn discover(fhir_base: &str) -> Result<Endpoints, SignInError> {
    let url = format!("{fhir_base}/.well-known/smart-configuration");
    let value = fetch_json(gloo_net::http::Request::get(&url), None).await?;
    smart::endpoints(&value)
}

/// The code for tokens; kept in memory, the patient returned.
async fn exchange(
    fhir_base: &str,
    redirect_uri: &str,
    code: &str,
    verifier: &str,
) -> Result<String, SignInError> {
    let endpoints = discover(fhir_base).await?;
    let body = smart::token_request(code, redirect_uri, verifier);
    let request = gloo_net::http::Request::post(&endpoints.token);
    let value = fetch_json(request, Some(body)).await?;
    let tokens = smart::tokens(&value)?;
    let patient = tokens.patient.clone();
    TOKENS.with(|t| *t.borrow_mut() = Some(tokens));
    Ok(patient)
}

/// A JSON answer (a form `body` is posted); anything else is an error, never a panic.
async fn fetch_json(
    request: gloo_net::http::RequestBuilder,
    body: Option<String>,
) -> Result<Value, SignInError> {
    let raw = web_sys::Headers::new().map_err(|_| SignInError::Unreachable)?;
    let _set = raw.set("Accept", "application/json");
    if body.is_some() {
        let _set = raw.set("Content-Type", "application/x-www-form-urlencoded");
    }
    let request = request.headers(gloo_net::http::Headers::from_raw(raw));
    let sent = match body {
        Some(body) => match request.body(body) {
            Ok(request) => request.send().await,
            Err(error) => Err(error),
        },
        None => request.send().await,
    };
    let response = sent.map_err(|_| SignInError::Unreachable)?;
    let text = response
        .text()
        .await
        .map_err(|_| SignInError::Unreachable)?;
    let value = crate::web::parse_json(&text);
    match (response.ok(), value) {
        (true, Some(value)) => Ok(value),
        // The token endpoint refuses a code or verifier with 400 `invalid_grant`.
        (false, Some(_)) if response.status() == 400 => Err(SignInError::Refused),
        (true, None) => Err(SignInError::BadTokens),
        _ => Err(SignInError::NoDiscovery),
    }
}

/// SHA-256 by the browser's WebCrypto (PKCE's `S256`).
async fn sha256(bytes: &[u8]) -> Result<Vec<u8>, SignInError> {
    let subtle = crate::web::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or(SignInError::NoPkce)?;
    let promise = subtle
        .digest_with_str_and_u8_array("SHA-256", bytes)
        .map_err(|_| SignInError::NoPkce)?;
    let digest: JsValue = JsFuture::from(promise)
        .await
        .map_err(|_| SignInError::NoPkce)?;
    let buffer = digest
        .dyn_into::<js_sys::ArrayBuffer>()
        .map_err(|_| SignInError::NoPkce)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Ends the sign-in: the tokens go from memory, and the authorization server ends its session and
/// sends the citizen back to Tahto's sign-in page (without such an endpoint, straight there).
pub async fn sign_out(fhir_base: &str) {
    let tokens = TOKENS.with(|t| t.borrow_mut().take());
    crate::web::session_store(SIGNED_OUT_KEY, "1");
    let Some(location) = crate::web::window().map(|w| w.location()) else {
        return;
    };
    let back = ENTRY.with(|e| e.borrow().clone());
    let end = discover(fhir_base).await.ok().and_then(|e| e.end_session);
    let url = match end {
        Some(end) => {
            let mut params = vec![
                ("client_id", smart::CLIENT_ID),
                ("post_logout_redirect_uri", back.as_str()),
            ];
            let hint = tokens.and_then(|t| t.id_token);
            if let Some(hint) = &hint {
                params.push(("id_token_hint", hint));
            }
            let joiner = if end.contains('?') { '&' } else { '?' };
            format!("{end}{joiner}{}", smart::form(&params))
        }
        None => back,
    };
    let _left = location.replace(&url);
}
