//! SMART App Launch 2.2 for a public client, as plain data: what Tahto asks the authorization
//! server for, and what it accepts back. Pure, native tests; the browser side is `session.rs`.
//!
//! Tahto is a browser-only public client: no client secret, the authorization code bound to this
//! browser by PKCE (`S256` only), `state` against forged answers, `aud` naming the FHIR server the
//! token is for, and only the scopes of the records Tahto reads and writes.

use serde_json::Value;

use crate::fhir::write::{is_fhir_id, query_string};

/// Tahto's client id at the authorization server.
pub const CLIENT_ID: &str = "tahto";

/// What Tahto may do, and no more: who the citizen is, the patient in context, a refresh token
/// for as long as the citizen's session at the authorization server lasts (`online_access`, not
/// `offline_access`: a shared device must not keep a sign-in alive), and per record type the
/// interactions its pages use (SMART v2: create, read, update, search).
pub const SCOPES: &str = "openid fhirUser launch/patient online_access patient/Patient.r \
    patient/Consent.crus patient/DocumentReference.crus patient/Task.crs \
    patient/Observation.crs patient/MedicationRequest.rs patient/Immunization.rs \
    patient/Encounter.rs patient/AuditEvent.rs";

/// The authorization server's endpoints, from `{fhir-base}/.well-known/smart-configuration`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    /// Where a sign-out ends the server's session too (OpenID Connect RP-initiated logout).
    pub end_session: Option<String>,
}

/// Why signing in cannot go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInError {
    /// The FHIR server names no usable authorization server.
    NoDiscovery,
    /// The authorization server does not offer PKCE with S256: Tahto will not sign in without it.
    NoPkce,
    /// The answer to the sign-in is not the one this tab asked for (`state`), or has no code.
    ForgedAnswer,
    /// The authorization server refused (the citizen cancelled, or it denied access).
    Refused,
    /// Silent sign-in needs the citizen (no session at the authorization server).
    NeedsCitizen,
    /// The token answer is unusable: no bearer token, or no patient.
    BadTokens,
    /// No answer from the authorization server.
    Unreachable,
    /// Not a problem: the citizen has just signed out.
    SignedOut,
    /// In a partner's frame the sign-in has a window of its own, and the browser did not open it.
    WindowBlocked,
    /// The sign-in's window was closed before the citizen had signed in.
    WindowClosed,
    /// The partner started Tahto for a FHIR server Tahto does not use (`iss`): that launch is not
    /// followed, since the sign-in would be for another service.
    UnknownLaunch,
}

/// An endpoint address Tahto may send the citizen or a code to: `https`, or `http` on this
/// computer only, no user name or fragment.
fn endpoint(v: &Value, key: &str) -> Option<String> {
    let url = v.get(key)?.as_str()?.trim();
    // Plain http only to this computer, where nothing crosses a network.
    let local = |rest: &str| {
        ["127.0.0.1", "localhost", "[::1]"].iter().any(|host| {
            rest.strip_prefix(host)
                .is_some_and(|after| after.is_empty() || after.starts_with([':', '/']))
        })
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://").filter(|rest| local(rest)))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let safe = !authority.is_empty()
        && !authority.contains('@')
        && !url.contains('#')
        && url.bytes().all(|b| b.is_ascii_graphic());
    safe.then(|| url.to_owned())
}

/// The endpoints from the SMART configuration document, if it offers what Tahto needs.
pub fn endpoints(v: &Value) -> Result<Endpoints, SignInError> {
    let authorize = endpoint(v, "authorization_endpoint").ok_or(SignInError::NoDiscovery)?;
    let token = endpoint(v, "token_endpoint").ok_or(SignInError::NoDiscovery)?;
    let s256 = v
        .get("code_challenge_methods_supported")
        .and_then(Value::as_array)
        .is_some_and(|methods| methods.iter().any(|m| m.as_str() == Some("S256")));
    if !s256 {
        return Err(SignInError::NoPkce);
    }
    Ok(Endpoints {
        authorize,
        token,
        end_session: endpoint(v, "end_session_endpoint"),
    })
}

/// One authorization request.
pub struct Authorize<'a> {
    pub endpoints: &'a Endpoints,
    /// Where the answer comes back: Tahto's own entry address.
    pub redirect_uri: &'a str,
    /// Random, kept by this tab until the answer: an answer without it is refused.
    pub state: &'a str,
    /// `base64url(SHA-256(verifier))`.
    pub challenge: &'a str,
    /// The FHIR base the token is for.
    pub aud: &'a str,
    /// An EHR launch's context (`launch` from the partner's portal).
    pub launch: Option<&'a str>,
    /// Without the citizen (`prompt=none`): only where the server's session allows it.
    pub silent: bool,
    /// After a sign-out here (`prompt=login`): a session the authorization server kept (it may
    /// have no sign-out endpoint) does not sign the last citizen straight back in.
    pub fresh: bool,
}

/// The address to send the citizen to.
pub fn authorize_url(a: &Authorize) -> String {
    let scope = match a.launch {
        Some(_) => format!("{SCOPES} launch"),
        None => SCOPES.to_owned(),
    };
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", a.redirect_uri),
        ("scope", scope.as_str()),
        ("state", a.state),
        ("aud", a.aud),
        ("code_challenge", a.challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(launch) = a.launch {
        params.push(("launch", launch));
    }
    if a.silent {
        params.push(("prompt", "none"));
    } else if a.fresh {
        params.push(("prompt", "login"));
    }
    let query = query_string(&params);
    let joiner = if a.endpoints.authorize.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{}{joiner}{query}", a.endpoints.authorize)
}

/// The body of the code's exchange for tokens (PKCE's verifier proves this tab asked).
pub fn token_request(code: &str, redirect_uri: &str, verifier: &str) -> String {
    query_string(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", CLIENT_ID),
        ("code_verifier", verifier),
    ])
}

/// What a sign-in gives Tahto, kept in memory only.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    /// Seconds from the answer until the access token expires, when the server said.
    pub expires_in: Option<u32>,
    /// The citizen the token is for (SMART's `patient`).
    pub patient: String,
    /// For the sign-out at the authorization server.
    pub id_token: Option<String>,
    /// Who signed in (`fhirUser` of the id token, as `Patient/<id>`): who made each save.
    pub user: Option<String>,
    pub refresh_token: Option<String>,
}

// Never printed whole: a token in a log is a token handed out.
impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens {{ patient: {:?}, .. }}", self.patient)
    }
}

/// The token endpoint's answer, if it is a bearer token for one patient.
pub fn tokens(v: &Value) -> Result<Tokens, SignInError> {
    let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let bearer = text("token_type").is_some_and(|t| t.eq_ignore_ascii_case("bearer"));
    let access_token = text("access_token")
        .filter(|t| bearer && is_b64token(t))
        .ok_or(SignInError::BadTokens)?;
    let patient = text("patient")
        .filter(|p| is_fhir_id(p))
        .ok_or(SignInError::BadTokens)?;
    let expires_in = v
        .get("expires_in")
        .and_then(Value::as_u64)
        .map(|s| s.min(u64::from(u32::MAX)) as u32);
    Ok(Tokens {
        access_token,
        expires_in,
        patient,
        // Read from the id token by the caller, with the browser's JSON reader (`fhir_user`).
        user: None,
        id_token: text("id_token"),
        refresh_token: text("refresh_token"),
    })
}

/// `fhirUser` of an id token, relative (`Patient/<id>`, `RelatedPerson/<id>`), or `None`; `parse`
/// reads JSON (in the browser its own `JSON.parse`: serde_json's reader is not in the first load).
/// Read, not verified: it only records who made a save, and the token came straight from the
/// token endpoint over TLS (OpenID Connect Core 3.1.3.7 allows that in place of the signature).
/// Authorization is the FHIR server's, by the access token.
pub fn fhir_user(id_token: &str, parse: impl Fn(&str) -> Option<Value>) -> Option<String> {
    let payload = id_token.split('.').nth(1)?;
    let claims = parse(&String::from_utf8(base64url_decode(payload)?).ok()?)?;
    let user = claims.get("fhirUser")?.as_str()?;
    let mut parts = user.rsplit('/');
    let (id, kind) = (parts.next()?, parts.next()?);
    let known = ["Patient", "RelatedPerson", "Practitioner", "Person"].contains(&kind);
    (known && is_fhir_id(id)).then(|| format!("{kind}/{id}"))
}

/// The EHR launch a partner's portal started Tahto with (`iss` and `launch` in the frame's
/// address): the launch, when `iss` is the FHIR server Tahto uses; `Err` when it is another (the
/// sign-in would be for that server). No launch at all is `Ok(None)`.
pub fn ehr_launch(
    get: impl Fn(&str) -> Option<String>,
    fhir_base: &str,
) -> Result<Option<String>, SignInError> {
    let (Some(iss), Some(launch)) = (get("iss"), get("launch")) else {
        return Ok(None);
    };
    let same = iss.trim_end_matches('/') == fhir_base.trim_end_matches('/');
    // Opaque to Tahto, but it goes into an address: URL-safe and short, or not followed.
    let usable = (1..=256).contains(&launch.len())
        && launch
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    match same && usable {
        true => Ok(Some(launch)),
        false => Err(SignInError::UnknownLaunch),
    }
}

/// RFC 6750's `b64token`, the only form a bearer token may take in a header (a JWT is one), and
/// not absurdly long.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && token.len() <= 16 * 1024
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// What came back to the redirect address: `Ok(code)`, or why not. `expected` is the state this
/// tab sent; `silent`, whether it asked without the citizen.
pub fn answer(
    get: impl Fn(&str) -> Option<String>,
    expected: &str,
    silent: bool,
) -> Result<String, SignInError> {
    if get("state").as_deref() != Some(expected) || expected.is_empty() {
        return Err(SignInError::ForgedAnswer);
    }
    if let Some(error) = get("error") {
        let needs_citizen = matches!(
            error.as_str(),
            "login_required"
                | "interaction_required"
                | "consent_required"
                | "account_selection_required"
        );
        return Err(if silent && needs_citizen {
            SignInError::NeedsCitizen
        } else {
            SignInError::Refused
        });
    }
    get("code")
        .filter(|c| !c.is_empty())
        .ok_or(SignInError::ForgedAnswer)
}

/// `base64url` without padding (RFC 4648 §5), as PKCE and `state` use it.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// `base64url` back to bytes (padding optional); `None` for anything else.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0u32);
    for b in text.bytes() {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        bits = bits << 6 | u32::from(value);
        held += 6;
        if held >= 8 {
            held -= 8;
            out.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::lookup;
    use serde_json::json;

    fn discovery() -> Value {
        json!({
            "authorization_endpoint": "https://auth.example.fi/auth",
            "token_endpoint": "https://auth.example.fi/token",
            "end_session_endpoint": "https://auth.example.fi/session/end",
            "code_challenge_methods_supported": ["S256"],
        })
    }

    #[test]
    fn base64url_matches_rfc_4648_vectors_without_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"foob"), "Zm9vYg");
        assert_eq!(base64url(b"fooba"), "Zm9vYmE");
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        // RFC 7636 appendix B: the verifier's 32 octets.
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(
            base64url(&octets),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn discovery_needs_both_endpoints_and_s256() {
        let found = endpoints(&discovery()).unwrap();
        assert_eq!(found.authorize, "https://auth.example.fi/auth");
        assert_eq!(
            found.end_session.as_deref(),
            Some("https://auth.example.fi/session/end")
        );
        let mut plain = discovery();
        plain["code_challenge_methods_supported"] = json!(["plain"]);
        assert_eq!(endpoints(&plain), Err(SignInError::NoPkce));
        let mut none = discovery();
        none.as_object_mut()
            .unwrap()
            .remove("code_challenge_methods_supported");
        assert_eq!(endpoints(&none), Err(SignInError::NoPkce));
        for bad in [
            "http://auth.example.fi/auth",
            "https://user@auth.example.fi/auth",
            "https://auth.example.fi/auth#x",
            "javascript:alert(1)",
            "https://auth.example.fi/a b",
            "",
        ] {
            let mut v = discovery();
            v["authorization_endpoint"] = json!(bad);
            assert_eq!(endpoints(&v), Err(SignInError::NoDiscovery), "{bad}");
        }
        let mut local = discovery();
        local["authorization_endpoint"] = json!("http://127.0.0.1:8110/auth");
        assert!(endpoints(&local).is_ok());
        assert_eq!(endpoints(&json!([])), Err(SignInError::NoDiscovery));
    }

    #[test]
    fn the_authorization_request_carries_pkce_state_audience_and_only_tahtos_scopes() {
        let found = endpoints(&discovery()).unwrap();
        let url = authorize_url(&Authorize {
            endpoints: &found,
            redirect_uri: "https://tahto.fi/",
            state: "s-1",
            challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGf6hHhH5M",
            aud: "https://fhir.example.fi/R4",
            launch: None,
            silent: false,
            fresh: false,
        });
        assert!(url.starts_with("https://auth.example.fi/auth?response_type=code&client_id=tahto&"));
        for part in [
            "redirect_uri=https%3A%2F%2Ftahto.fi%2F",
            "state=s-1",
            "aud=https%3A%2F%2Ffhir.example.fi%2FR4",
            "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGf6hHhH5M",
            "code_challenge_method=S256",
            "scope=openid%20fhirUser%20launch%2Fpatient%20online_access%20patient%2FPatient.r%20",
        ] {
            assert!(url.contains(part), "{part} in {url}");
        }
        assert!(!url.contains("prompt"));
        assert!(!url.contains("launch="));
        let silent = authorize_url(&Authorize {
            endpoints: &found,
            redirect_uri: "https://tahto.fi/",
            state: "s",
            challenge: "c",
            aud: "a",
            launch: Some("xyz"),
            silent: true,
            fresh: false,
        });
        assert!(silent.ends_with("&launch=xyz&prompt=none"));
        assert!(silent.contains("AuditEvent.rs%20launch&"));
        // After a sign-out, the server asks for the password even if its session lives on.
        let fresh = |silent: bool| {
            authorize_url(&Authorize {
                endpoints: &found,
                redirect_uri: "https://tahto.fi/",
                state: "s",
                challenge: "c",
                aud: "a",
                launch: None,
                silent,
                fresh: true,
            })
        };
        assert!(fresh(false).ends_with("&prompt=login"));
        assert!(fresh(true).ends_with("&prompt=none"), "silent never asks");
    }

    #[test]
    fn only_a_bearer_token_for_one_patient_is_accepted() {
        let good = json!({
            "access_token": "eyJ.a.b", "token_type": "Bearer", "expires_in": 600,
            "patient": "helmi-esimerkki", "id_token": "id", "scope": "openid",
        });
        let t = tokens(&good).unwrap();
        let long_jwt = json!({"access_token": format!("eyJ{}.b.c", "A".repeat(3000)), "token_type": "bearer", "patient": "p"});
        assert!(tokens(&long_jwt).is_ok(), "a JWT with many scopes is long");
        assert_eq!(t.patient, "helmi-esimerkki");
        assert_eq!(t.expires_in, Some(600));
        assert!(!format!("{t:?}").contains("eyJ"), "never printed");
        for (key, value) in [
            ("token_type", json!("mac")),
            ("access_token", json!("")),
            ("access_token", json!("a\nb")),
            ("access_token", json!("a b")),
            ("access_token", json!("=")),
            ("access_token", json!("x".repeat(20_000))),
            ("patient", json!("../Patient/x")),
            ("patient", json!(7)),
        ] {
            let mut bad = good.clone();
            bad[key] = value;
            assert_eq!(tokens(&bad), Err(SignInError::BadTokens), "{key}");
        }
        let mut no_patient = good.clone();
        no_patient.as_object_mut().unwrap().remove("patient");
        assert_eq!(tokens(&no_patient), Err(SignInError::BadTokens));
    }

    #[test]
    fn an_answer_counts_only_with_this_tabs_state() {
        assert_eq!(
            answer(lookup(&[("code", "c"), ("state", "s")]), "s", false),
            Ok("c".into())
        );
        assert_eq!(
            answer(lookup(&[("code", "c"), ("state", "other")]), "s", false),
            Err(SignInError::ForgedAnswer)
        );
        assert_eq!(
            answer(lookup(&[("code", "c")]), "", false),
            Err(SignInError::ForgedAnswer)
        );
        assert_eq!(
            answer(
                lookup(&[("error", "login_required"), ("state", "s")]),
                "s",
                true
            ),
            Err(SignInError::NeedsCitizen)
        );
        assert_eq!(
            answer(
                lookup(&[("error", "login_required"), ("state", "s")]),
                "s",
                false
            ),
            Err(SignInError::Refused)
        );
        assert_eq!(
            answer(
                lookup(&[("error", "access_denied"), ("state", "s")]),
                "s",
                true
            ),
            Err(SignInError::Refused)
        );
        assert_eq!(
            answer(lookup(&[("state", "s")]), "s", false),
            Err(SignInError::ForgedAnswer)
        );
    }

    #[test]
    fn the_token_request_sends_the_verifier() {
        assert_eq!(
            token_request("c/1", "https://tahto.fi/", "v"),
            "grant_type=authorization_code&code=c%2F1&redirect_uri=https%3A%2F%2Ftahto.fi%2F&client_id=tahto&code_verifier=v"
        );
    }

    #[test]
    fn base64url_decodes_what_it_encodes_and_nothing_else() {
        for bytes in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0xff, 0xfe, 0x00],
        ] {
            assert_eq!(base64url_decode(&base64url(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64url_decode("Zm9v=").as_deref(), Some(&b"foo"[..]));
        assert_eq!(base64url_decode("Zm+v"), None);
        assert_eq!(base64url_decode("Z m9"), None);
    }

    fn id_token(claims: &Value) -> String {
        let payload = base64url(claims.to_string().as_bytes());
        format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl")
    }

    #[test]
    fn who_signed_in_comes_from_the_id_tokens_fhir_user() {
        let fhir_user = |token: &str| super::fhir_user(token, |t| serde_json::from_str(t).ok());
        let absolute = id_token(
            &json!({ "sub": "helmi", "fhirUser": "https://fhir.example.fi/r4/Patient/p-1" }),
        );
        assert_eq!(fhir_user(&absolute).as_deref(), Some("Patient/p-1"));
        let relative = id_token(&json!({ "fhirUser": "RelatedPerson/guardian.2" }));
        assert_eq!(
            fhir_user(&relative).as_deref(),
            Some("RelatedPerson/guardian.2")
        );
        for claims in [
            json!({ "sub": "helmi" }),
            json!({ "fhirUser": 42 }),
            json!({ "fhirUser": "Patient/" }),
            json!({ "fhirUser": "Observation/p-1" }),
            json!({ "fhirUser": "Patient/<script>" }),
        ] {
            assert_eq!(fhir_user(&id_token(&claims)), None, "{claims}");
        }
        assert_eq!(fhir_user("not a token"), None);
        assert_eq!(fhir_user("a.%%%.c"), None);
        assert_eq!(fhir_user(&format!("a.{}.c", base64url(b"not json"))), None);
    }

    #[test]
    fn an_ehr_launch_is_followed_only_for_tahtos_own_fhir_server() {
        const BASE: &str = "https://fhir.example.fi/r4";
        assert_eq!(ehr_launch(lookup(&[]), BASE), Ok(None));
        assert_eq!(ehr_launch(lookup(&[("launch", "x")]), BASE), Ok(None));
        assert_eq!(
            ehr_launch(
                lookup(&[
                    ("iss", "https://fhir.example.fi/r4/"),
                    ("launch", "Ab-1_~.")
                ]),
                BASE
            ),
            Ok(Some("Ab-1_~.".to_owned()))
        );
        assert_eq!(
            ehr_launch(
                lookup(&[("iss", "https://evil.example/r4"), ("launch", "x")]),
                BASE
            ),
            Err(SignInError::UnknownLaunch)
        );
        assert_eq!(
            ehr_launch(lookup(&[("iss", BASE), ("launch", "a&prompt=none")]), BASE),
            Err(SignInError::UnknownLaunch)
        );
        assert_eq!(
            ehr_launch(lookup(&[("iss", BASE), ("launch", "")]), BASE),
            Err(SignInError::UnknownLaunch)
        );
    }
}
