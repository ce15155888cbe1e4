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
use crate::save::record::{SIGNED_OUT_KEY, SIGN_IN_KEY, SIGN_OUT_EVERYWHERE_KEY};

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
    /// The authorization server's endpoints, once discovered: every renewal needs them.
    static ENDPOINTS: RefCell<Option<Endpoints>> = const { RefCell::new(None) };
    /// In a partner's frame: the sign-in happens in a window of its own (`sign_in_in_window`).
    static WINDOWED: RefCell<Option<Windowed>> = const { RefCell::new(None) };
}

/// Signing in from inside a partner's frame, where the authorization server's page may not be
/// shown (it refuses to be framed, and its session cookie would be a third party's there).
#[derive(Clone)]
struct Windowed {
    /// `signed-in.html`, which hands the answer back to this frame.
    callback: String,
    /// The partner portal's EHR launch, when it started Tahto with one.
    launch: Option<String>,
    /// The frame opened again after a sign-out: the password is asked for again.
    fresh: bool,
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
    go_sign_in(fhir_base, &entry, true, None).await
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
    let body = crate::fhir::write::query_string(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &refresh),
        ("client_id", smart::CLIENT_ID),
    ]);
    let request = gloo_net::http::Request::post(&endpoints.token);
    let Ok(value) = fetch_json(request, Some(body)).await else {
        return false;
    };
    let Ok(mut renewed) = received(&value) else {
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
                renewed.user = renewed.user.or(old.user);
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

/// Who is signed in (`Patient/<id>`, or another person acting for the patient), when the
/// authorization server said: each save records who made it.
pub fn user() -> Option<String> {
    TOKENS.with(|t| t.borrow().as_ref().and_then(|t| t.user.clone()))
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
                Ok(patient) => {
                    crate::web::session_forget(SIGNED_OUT_KEY);
                    sign_out_with_other_tabs();
                    Started::SignedIn { patient }
                }
                Err(error) => Started::SignedOut(Some(error)),
            },
            Err(SignInError::NeedsCitizen) => Started::SignedOut(None),
            Err(error) => Started::SignedOut(Some(error)),
        };
    }
    // Signed out: the sign-in page, not a silent sign-in (where the authorization server could
    // not end its session, it would sign the citizen straight back in), until someone signs in.
    if signed_out_here() {
        return Started::SignedOut(Some(SignInError::SignedOut));
    }
    // Started by a portal (an EHR launch in a tab of its own): signed in for the launch's patient.
    let launch = match smart::ehr_launch(get, fhir_base) {
        Ok(launch) => launch,
        Err(error) => return Started::SignedOut(Some(error)),
    };
    let silent = launch.is_none();
    match go_sign_in(fhir_base, redirect_uri, silent, launch.as_deref()).await {
        Ok(()) => Started::Away,
        Err(error) => Started::SignedOut(Some(error)),
    }
}

/// Sends the citizen to the authorization server (`silent`: without asking them anything).
pub async fn go_sign_in(
    fhir_base: &str,
    redirect_uri: &str,
    silent: bool,
    launch: Option<&str>,
) -> Result<(), SignInError> {
    // Offline, the authorization server's page would be the browser's error page, and Tahto
    // gone with it: said here instead, with the way to try again.
    if crate::web::window().is_some_and(|w| !w.navigator().on_line()) {
        return Err(SignInError::Unreachable);
    }
    let (endpoints, asked) = prepare(fhir_base).await?;
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
                "launch",
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
        state: asked.state,
        verifier: asked.verifier,
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
        challenge: &asked.challenge,
        aud: fhir_base,
        launch,
        silent,
        fresh: signed_out_here(),
    });
    // On its own, the page that only passed through leaves no step in the history for Back to
    // return to (and sign in again from).
    match silent {
        true => location.replace(&url),
        false => location.assign(&url),
    }
    .map_err(|_| SignInError::Unreachable)
}

/// One authorization request's secrets: its `state`, and PKCE's verifier and challenge.
struct Asked {
    state: String,
    verifier: String,
    challenge: String,
}

async fn prepare(fhir_base: &str) -> Result<(Endpoints, Asked), SignInError> {
    let endpoints = discover(fhir_base).await?;
    let verifier = smart::base64url(&crate::web::random_bytes::<32>());
    let state = smart::base64url(&crate::web::random_bytes::<16>());
    let challenge = smart::base64url(&sha256(verifier.as_bytes()).await?);
    let asked = Asked {
        state,
        verifier,
        challenge,
    };
    Ok((endpoints, asked))
}

/// In a partner's frame the citizen signs in in a window of its own: `callback` is
/// `signed-in.html` on Tahto's origin, `launch` the partner portal's EHR launch.
pub fn sign_in_windowed(fhir_base: &str, callback: String, launch: Option<String>, fresh: bool) {
    BASE.with(|b| *b.borrow_mut() = fhir_base.to_owned());
    let windowed = Windowed {
        callback,
        launch,
        fresh,
    };
    WINDOWED.with(|w| *w.borrow_mut() = Some(windowed));
}

/// Whether signing in needs a window of its own (Tahto is in a partner's frame).
pub fn is_windowed() -> bool {
    WINDOWED.with(|w| w.borrow().is_some())
}

/// Opens the sign-in's window, at once in the citizen's tap: browsers open windows only then.
/// Blank until `sign_in_in_window` knows where to send it.
pub fn open_sign_in_window() -> Result<web_sys::Window, SignInError> {
    crate::web::window()
        .and_then(|w| {
            w.open_with_url_and_target_and_features(
                "",
                "tahto-sign-in",
                "popup,width=520,height=720",
            )
            .ok()
        })
        .flatten()
        .ok_or(SignInError::WindowBlocked)
}

/// Signs in in `window` (from `open_sign_in_window`): the authorization server's page there,
/// then `signed-in.html` hands the answer back by message, and the code is exchanged here, with
/// the verifier that never left this frame. The patient, or why not (the window closes either
/// way).
pub async fn sign_in_in_window(window: web_sys::Window) -> Result<String, SignInError> {
    let signed_in = match crate::rest::sign_in_window(window.clone()).await {
        Ok(signing_in) => signing_in.await,
        Err(_) => Err(SignInError::Unreachable),
    };
    let _closed = window.close();
    if signed_in.is_ok() {
        ENDED.with(|e| leptos::prelude::Set::set(e, false));
    }
    signed_in
}

/// The window's side of the sign-in (`rest::sign_in_window`, in a part of its own).
pub type SigningIn =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, SignInError>>>>;

/// The window's side of the sign-in: the authorization request there, and the answer back.
pub fn in_window(window: web_sys::Window) -> SigningIn {
    Box::pin(async move { signed_in_window(&window).await })
}

async fn signed_in_window(window: &web_sys::Window) -> Result<String, SignInError> {
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    let Windowed {
        callback,
        launch,
        fresh,
    } = WINDOWED
        .with(|w| w.borrow().clone())
        .ok_or(SignInError::WindowBlocked)?;
    let base = BASE.with(|b| b.borrow().clone());
    let (endpoints, asked) = prepare(&base).await?;
    let url = smart::authorize_url(&smart::Authorize {
        endpoints: &endpoints,
        redirect_uri: &callback,
        state: &asked.state,
        challenge: &asked.challenge,
        aud: &base,
        launch: launch.as_deref(),
        silent: false,
        fresh,
    });
    let own = crate::web::window().ok_or(SignInError::Unreachable)?;
    let origin = own
        .location()
        .origin()
        .map_err(|_| SignInError::Unreachable)?;
    // The answer: from Tahto's origin, from this window only (`signed-in.html` posts its query).
    let answer: Rc<RefCell<Option<String>>> = Rc::default();
    let heard = answer.clone();
    let from: JsValue = window.clone().into();
    let listener =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let source = event.source().map(JsValue::from);
            if event.origin() != origin || !source.is_some_and(|s| js_sys::Object::is(&s, &from)) {
                return;
            }
            let query = js_sys::Reflect::get(&event.data(), &JsValue::from_str("tahtoSignIn"))
                .ok()
                .and_then(|q| q.as_string());
            if query.is_some() {
                *heard.borrow_mut() = query;
            }
        });
    let callback_fn = listener.as_ref().unchecked_ref();
    let _listening = own.add_event_listener_with_callback("message", callback_fn);
    let waited = match window.location().set_href(&url) {
        Ok(()) => loop {
            gloo_timers::future::TimeoutFuture::new(200).await;
            if let Some(query) = answer.borrow_mut().take() {
                break Ok(query);
            }
            // `signed-in.html` leaves its window open for this frame to close, so an answer
            // is never lost in a race with the closing.
            if window.closed().unwrap_or(true) {
                break Err(SignInError::WindowClosed);
            }
        },
        Err(_) => Err(SignInError::WindowClosed),
    };
    let _stopped = own.remove_event_listener_with_callback("message", callback_fn);
    drop(listener);
    let params = web_sys::UrlSearchParams::new_with_str(&waited?).ok();
    let get = |name: &str| params.as_ref().and_then(|p| p.get(name));
    let code = smart::answer(get, &asked.state, false)?;
    exchange(&base, &callback, &code, &asked.verifier).await
}

/// The authorization server's endpoints, from the FHIR server's SMART configuration.
async fn discover(fhir_base: &str) -> Result<Endpoints, SignInError> {
    if let Some(known) = ENDPOINTS.with(|e| e.borrow().clone()) {
        return Ok(known);
    }
    let url = format!("{fhir_base}/.well-known/smart-configuration");
    let value = fetch_json(gloo_net::http::Request::get(&url), None).await?;
    let endpoints = smart::endpoints(&value)?;
    ENDPOINTS.with(|e| *e.borrow_mut() = Some(endpoints.clone()));
    Ok(endpoints)
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
    let tokens = received(&value)?;
    let patient = tokens.patient.clone();
    TOKENS.with(|t| *t.borrow_mut() = Some(tokens));
    Ok(patient)
}

/// The token endpoint's answer, with who signed in read from its id token.
fn received(value: &Value) -> Result<Tokens, SignInError> {
    let mut tokens = smart::tokens(value)?;
    tokens.user =
        (tokens.id_token.as_deref()).and_then(|id| smart::fhir_user(id, crate::web::parse_json));
    Ok(tokens)
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
    // A stalled sign-in service must not hold up what waits for it (a renewal runs under the
    // lock that sends the saves): the time limit of every FHIR request.
    let controller = web_sys::AbortController::new().map_err(|_| SignInError::Unreachable)?;
    let _deadline = {
        let controller = controller.clone();
        // Dropped (and so cancelled) when this function returns.
        gloo_timers::callback::Timeout::new(crate::fhir::client::REQUEST_TIMEOUT_MS, move || {
            controller.abort()
        })
    };
    let request = request
        .headers(gloo_net::http::Headers::from_raw(raw))
        .abort_signal(Some(&controller.signal()));
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

/// In a partner's frame, the address the frame opens again on after signing out says so.
pub const SIGNED_OUT_PARAM: &str = "signed-out";

/// Whether the citizen signed out in this tab, and nobody has signed in since.
fn signed_out_here() -> bool {
    crate::web::session_stored(SIGNED_OUT_KEY).is_some()
}

/// Signed in: a sign-out in another tab (on a shared computer, the citizen leaving) signs this
/// tab out too, rather than leave their records open in it.
fn sign_out_with_other_tabs() {
    crate::web::on_window("storage", |event| {
        let Some(event) = event.dyn_ref::<web_sys::StorageEvent>() else {
            return;
        };
        if event.key().as_deref() == Some(SIGN_OUT_EVERYWHERE_KEY) && event.new_value().is_some() {
            crate::web::session_store(SIGNED_OUT_KEY, "1");
            forget_and_start_again();
        }
    });
}

/// Forgets the sign-in and starts this frame again on its sign-in page.
pub fn forget_and_start_again() {
    TOKENS.with(|t| t.borrow_mut().take());
    if let Some(window) = crate::web::window() {
        let _reloading = window.location().reload();
    }
}

/// Ends the sign-in: the tokens go from memory, and the authorization server ends its session and
/// sends the citizen back to Tahto's sign-in page (without such an endpoint, straight there). In a
/// partner's frame that happens in `window`, opened at the citizen's tap, and the frame shows its
/// sign-in page.
pub async fn sign_out(fhir_base: &str, window: Option<web_sys::Window>) {
    let tokens = TOKENS.with(|t| t.borrow_mut().take());
    let hint = tokens.and_then(|t| t.id_token);
    let Some(location) = crate::web::window().map(|w| w.location()) else {
        return;
    };
    // In a partner's frame the authorization server's page cannot be shown here: it ends its
    // session in the window opened at the tap (`window`), which comes back to `signed-in.html`
    // and closes. Without one (the browser opened none) the session there outlives Tahto's.
    if let Some(Windowed { callback, .. }) = WINDOWED.with(|w| w.borrow().clone()) {
        if let Some(window) = window {
            let _sent = match end_session(fhir_base, &callback, hint.as_deref()).await {
                Some(url) => window.location().set_href(&url),
                None => window.close(),
            };
        }
        // Said in the address: a partner's frame may have no session storage at all.
        let here = location.href().unwrap_or_default();
        let joiner = if here.contains('?') { '&' } else { '?' };
        let _reopened = location.replace(&format!("{here}{joiner}{SIGNED_OUT_PARAM}"));
        return;
    }
    // Said to the sign-in page this tab opens next (`at_start`), and to every other tab.
    crate::web::session_store(SIGNED_OUT_KEY, "1");
    if crate::web::store(SIGN_OUT_EVERYWHERE_KEY, &crate::web::now_iso()) {
        crate::web::forget(SIGN_OUT_EVERYWHERE_KEY);
    }
    let back = ENTRY.with(|e| e.borrow().clone());
    let url = end_session(fhir_base, &back, hint.as_deref()).await;
    let _left = location.replace(&url.unwrap_or(back));
}

/// The authorization server's sign-out address (OpenID Connect RP-initiated logout), coming back
/// to `back`; `None` when the server has none.
async fn end_session(fhir_base: &str, back: &str, id_token: Option<&str>) -> Option<String> {
    let end = discover(fhir_base).await.ok()?.end_session?;
    let mut params = vec![
        ("client_id", smart::CLIENT_ID),
        ("post_logout_redirect_uri", back),
    ];
    if let Some(hint) = id_token {
        params.push(("id_token_hint", hint));
    }
    let joiner = if end.contains('?') { '&' } else { '?' };
    Some(format!(
        "{end}{joiner}{}",
        crate::fhir::write::query_string(&params)
    ))
}
