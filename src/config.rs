//! Runtime configuration, read from the host element's `data-*` attributes so that the same build
//! runs standalone and embedded in a partner site. Nothing here is compiled in.
//!
//! `data-fhir-base` is where every health record is read from and every decision is sent to, so it
//! is parsed by hand (no `url` crate: wasm size) and refused unless it is plainly a FHIR base:
//!
//! - scheme `https` (any case); `http` only for a loopback host (`127.0.0.0/8`, `localhost`,
//!   `[::1]`), where nothing leaves the computer;
//! - a host: a DNS name (letters, digits, `-`), a dotted-quad IPv4 address or a bracketed IPv6
//!   address; an optional port 1–65535;
//! - no user name or password, no query, no fragment;
//! - only printable ASCII. Internationalised names must be given in their `xn--` (punycode) form:
//!   a non-ASCII host is refused rather than converted, so a look-alike letter (Cyrillic `а` for
//!   Latin `a`) cannot pass unnoticed — in punycode it is visible to whoever reads the page source;
//! - a path that is empty or plain segments (`/fhir/R4`): no `.`/`..` segments, no empty segments,
//!   no backslashes and no `%` escapes (`%2e%2e` is a `..` to the browser; a base needs none).
//!
//! Spaces and line breaks around the value are trimmed (as HTML formatting leaves them, and as the
//! browser's URL parser does); inside it they are refused. A trailing `/` is dropped. The scheme, the
//! host and a default port are normalised (`HTTPS://FHIR.x.fi:443/R4` → `https://fhir.x.fi/R4`).

use crate::fhir::write::is_fhir_id;
use crate::i18n::config_texts::ConfigText;
use crate::i18n::Lang;
use crate::sections::View;

/// Where Tahto finds its backend and whose data it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConfig {
    /// FHIR R4 base URL, checked and normalised, without a trailing slash, e.g.
    /// `https://fhir.example.fi/R4`.
    pub fhir_base: String,
    /// The citizen's `Patient` id: configured (`data-patient`, an open server), or, with
    /// `sign_in`, the signed-in citizen's (empty until then).
    pub patient_id: String,
    /// `data-sign-in="smart"`: the citizen signs in (SMART App Launch); the patient comes from the
    /// sign-in, never from the page.
    pub sign_in: bool,
    /// The host page's language; the citizen's own choice, once made, wins.
    pub lang: Lang,
    /// How sections are shown: in the page's URL (standalone) or in memory (embedded).
    pub routing: Routing,
    /// The partner sites that may show Tahto in a frame (`data-partner-origins`): exact origins,
    /// the same list the server sends as `frame-ancestors`.
    pub partners: Vec<String>,
}

/// Tahto opened in a partner's frame: its embed entry (`embed` under the base path, as
/// `public/embed.js` opens it) inside a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameEntry {
    /// The partner page's origin: the only one Tahto talks to, and hears from.
    pub host: String,
    /// The section the partner asked for.
    pub section: View,
    /// The partner page's language, if it gave one Tahto speaks.
    pub lang: Option<Lang>,
}

/// The frame entry from the address's path under the base path and its query (`get`), when the
/// path is `embed`: `Err` when the partner is not on the list (the server's `frame-ancestors` has
/// the same list, so the browser should not have shown the frame at all).
pub fn frame_entry(
    path: &str,
    get: impl Fn(&str) -> Option<String>,
    partners: &[String],
) -> Option<Result<FrameEntry, ConfigError>> {
    if path != "embed" {
        return None;
    }
    let host = get("host").unwrap_or_default();
    if !partners.contains(&host) {
        return Some(Err(ConfigError::NotAPartner));
    }
    let section = get("section")
        .and_then(|s| View::parse(&s))
        .unwrap_or(View::Home);
    let lang = get("lang").and_then(|l| Lang::parse(&l));
    Some(Ok(FrameEntry {
        host,
        section,
        lang,
    }))
}

/// `data-partner-origins`: exact origins (`https://wellbeing.example.fi`, plain `http` only on this
/// computer), separated by spaces; absent or empty, no partner. Anything else (a path, a wildcard,
/// a user name) is a configuration mistake: who may frame a citizen's health data is named
/// exactly, never guessed.
pub fn parse_partner_origins(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    raw.unwrap_or_default()
        .split_ascii_whitespace()
        .map(|origin| match parse_fhir_base(origin) {
            Ok(parsed) if parsed.matches('/').count() == 2 => Ok(parsed),
            _ => Err(ConfigError::BadPartnerOrigins),
        })
        .collect()
}

/// Where the section shown lives (`data-routing`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Routing {
    /// In the address bar, under `base` (`data-base-path`, `/` when absent): each section has a
    /// URL, the back button and reloads work. Only for Tahto's own pages.
    Url { base: String },
    /// In memory (the default): a page that mounts Tahto keeps its history and URL to itself.
    Memory,
}

/// `data-routing` and `data-base-path`: `url` with a base path of `/`-separated safe segments
/// that starts and ends with `/`; absent or `memory` keeps the section in memory.
pub fn parse_routing(routing: Option<&str>, base: Option<&str>) -> Result<Routing, ConfigError> {
    match routing.map(str::trim) {
        None | Some("") | Some("memory") => Ok(Routing::Memory),
        Some("url") => {
            let base = base.map(str::trim).filter(|b| !b.is_empty()).unwrap_or("/");
            let safe = |seg: &str| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            };
            if base == "/" {
                return Ok(Routing::Url { base: "/".into() });
            }
            match base.strip_prefix('/').and_then(|b| b.strip_suffix('/')) {
                Some(inner) if inner.split('/').all(safe) => Ok(Routing::Url {
                    base: format!("/{inner}/"),
                }),
                _ => Err(ConfigError::BadBasePath),
            }
        }
        Some(_) => Err(ConfigError::BadRouting),
    }
}

/// A configuration mistake of the host page, shown to whoever embeds Tahto. Each says precisely
/// what is wrong; [`ConfigError::message`] and [`ConfigError::attribute`] give the translated text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The attribute (or `#tahto`, the host element) is missing or empty.
    Missing(&'static str),
    /// `data-fhir-base` is not an `http(s)://` address (`javascript:`, `data:`, `//x.fi`, `x.fi`…).
    BadScheme,
    /// `data-fhir-base` uses plain `http` for a host other than this computer.
    NotHttps,
    /// `data-fhir-base` carries a user name or password (`https://user:pw@…`).
    UserInfo,
    /// `data-fhir-base` has a query (`?…`).
    Query,
    /// `data-fhir-base` has a fragment (`#…`).
    Fragment,
    /// `data-fhir-base` has no host, or one that is not a DNS name, IPv4 or IPv6 address.
    BadHost,
    /// `data-fhir-base` has a port that is not a number 1–65535.
    BadPort,
    /// `data-fhir-base` has a path with `.`/`..` or empty segments, `%` escapes or odd characters.
    BadPath,
    /// `data-fhir-base` contains a space, a line break, a control character, a backslash or a quote.
    BadCharacter,
    /// `data-fhir-base` contains non-ASCII characters (an internationalised name not in `xn--` form).
    NonAscii,
    /// `data-patient` is not a FHIR id.
    BadPatient,
    /// `data-routing` is neither `url` nor `memory`.
    BadRouting,
    /// `data-base-path` is not a path like `/` or `/tahto/`.
    BadBasePath,
    /// `data-partner-origins` is not a list of exact origins.
    BadPartnerOrigins,
    /// Tahto's embed entry was opened for a site `data-partner-origins` does not list.
    NotAPartner,
    /// `data-sign-in` names a way of signing in Tahto does not know.
    BadSignIn,
}

impl ConfigError {
    /// The host page's attribute to fix (`#tahto` when the host element itself is missing).
    pub fn attribute(&self) -> &'static str {
        match self {
            ConfigError::Missing(attr) => attr,
            ConfigError::BadPatient => "data-patient",
            ConfigError::BadRouting => "data-routing",
            ConfigError::BadBasePath => "data-base-path",
            ConfigError::BadPartnerOrigins | ConfigError::NotAPartner => "data-partner-origins",
            ConfigError::BadSignIn => "data-sign-in",
            _ => "data-fhir-base",
        }
    }

    /// The translated explanation; its one placeholder is `{attr}`, filled with [`Self::attribute`]:
    /// `i18n.format(error.message(), &[("attr", error.attribute())])`.
    pub fn message(&self) -> ConfigText {
        match self {
            ConfigError::Missing("#tahto") => ConfigText::ConfigNoHost,
            ConfigError::Missing(_) => ConfigText::ConfigMissing,
            ConfigError::BadScheme => ConfigText::ConfigBadScheme,
            ConfigError::NotHttps => ConfigText::ConfigNotHttps,
            ConfigError::UserInfo => ConfigText::ConfigUserInfo,
            ConfigError::Query => ConfigText::ConfigQuery,
            ConfigError::Fragment => ConfigText::ConfigFragment,
            ConfigError::BadHost => ConfigText::ConfigBadHost,
            ConfigError::BadPort => ConfigText::ConfigBadPort,
            ConfigError::BadPath => ConfigText::ConfigBadPath,
            ConfigError::BadCharacter => ConfigText::ConfigBadCharacter,
            ConfigError::NonAscii => ConfigText::ConfigNonAscii,
            ConfigError::BadPatient => ConfigText::ConfigBadPatient,
            ConfigError::BadRouting => ConfigText::ConfigBadRouting,
            ConfigError::BadBasePath => ConfigText::ConfigBadBasePath,
            ConfigError::BadPartnerOrigins => ConfigText::ConfigBadPartnerOrigins,
            ConfigError::NotAPartner => ConfigText::ConfigNotAPartner,
            ConfigError::BadSignIn => ConfigText::ConfigBadSignIn,
        }
    }

    /// A short technical note naming the attribute, the same in every language (for
    /// `Msg::ConfigProblem`'s `{detail}` and for logs), e.g. `data-fhir-base: not https`.
    pub fn detail(&self) -> String {
        let why = match self {
            ConfigError::Missing(_) => "missing",
            ConfigError::BadScheme => "not an https:// address",
            ConfigError::NotHttps => "not https",
            ConfigError::UserInfo => "user name or password",
            ConfigError::Query => "query",
            ConfigError::Fragment => "fragment",
            ConfigError::BadHost => "bad host",
            ConfigError::BadPort => "bad port",
            ConfigError::BadPath => "bad path",
            ConfigError::BadCharacter => "space, control character or backslash",
            ConfigError::NonAscii => "non-ASCII characters",
            ConfigError::BadPatient => "not a FHIR id",
            ConfigError::BadRouting => "neither url nor memory",
            ConfigError::BadBasePath => "not a path like /tahto/",
            ConfigError::BadPartnerOrigins => "not exact origins like https://partner.fi",
            ConfigError::NotAPartner => "this site is not listed",
            ConfigError::BadSignIn => "neither smart nor absent",
        };
        format!("{}: {why}", self.attribute())
    }
}

impl AppConfig {
    /// Builds the configuration from an attribute lookup (`data-fhir-base`, `data-patient`, `data-lang`).
    pub fn from_attributes(get: impl Fn(&str) -> Option<String>) -> Result<AppConfig, ConfigError> {
        let base = get("data-fhir-base").ok_or(ConfigError::Missing("data-fhir-base"))?;
        let base = parse_fhir_base(&base)?;
        let sign_in = match get("data-sign-in").as_deref().map(str::trim) {
            None | Some("") => false,
            Some("smart") => true,
            Some(_) => return Err(ConfigError::BadSignIn),
        };
        let patient = match sign_in {
            // Whose records these are is the sign-in's to say, not the page's.
            true => String::new(),
            false => get("data-patient").ok_or(ConfigError::Missing("data-patient"))?,
        };
        let patient = patient.trim().trim_start_matches("Patient/");
        if patient.is_empty() && !sign_in {
            return Err(ConfigError::Missing("data-patient"));
        }
        if !is_fhir_id(patient) && !sign_in {
            return Err(ConfigError::BadPatient);
        }
        let lang = lang_from_attributes(&get);
        let routing = parse_routing(
            get("data-routing").as_deref(),
            get("data-base-path").as_deref(),
        )?;
        let partners = parse_partner_origins(get("data-partner-origins").as_deref())?;
        Ok(AppConfig {
            fhir_base: base,
            patient_id: patient.to_owned(),
            sign_in,
            lang,
            routing,
            partners,
        })
    }
}

/// `data-lang`, or Finnish when it is absent or a language Tahto does not speak.
pub fn lang_from_attributes(get: impl Fn(&str) -> Option<String>) -> Lang {
    get("data-lang")
        .and_then(|tag| Lang::parse(&tag))
        .unwrap_or_default()
}

/// The host element's `data-lang`, read on its own: when the rest of the configuration is unusable
/// the configuration message must still be in the page's language (`App`'s language when its
/// configuration is an error). Finnish without a host element.
#[cfg(target_arch = "wasm32")]
pub fn host_lang() -> Lang {
    let host = crate::web::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(crate::context::HOST_ID));
    match host {
        Some(host) => lang_from_attributes(|name| host.get_attribute(name)),
        None => Lang::default(),
    }
}

/// The language to speak: the configuration's, or the host element's `data-lang` read on its own
/// when the configuration is an error (see [`host_lang`]).
#[cfg(target_arch = "wasm32")]
pub fn page_lang(config: &Result<AppConfig, ConfigError>) -> Lang {
    match config {
        Ok(config) => config.lang,
        Err(_) => host_lang(),
    }
}

/// Leading and trailing characters the browser's URL parser strips (C0 controls and space).
fn is_url_space(c: char) -> bool {
    c <= ' '
}

/// Checks and normalises `data-fhir-base` (see the module documentation for the rules).
pub fn parse_fhir_base(raw: &str) -> Result<String, ConfigError> {
    let raw = raw.trim_matches(is_url_space);
    if raw.is_empty() {
        return Err(ConfigError::Missing("data-fhir-base"));
    }
    let parts = split_url(raw)?;
    let (path, query) = match parts.rest.find(['?', '#']) {
        Some(i) => parts.rest.split_at(i),
        None => (parts.rest, ""),
    };
    // Reported in the order they appear, so the message points at the first mistake.
    if query.starts_with('?') {
        return Err(ConfigError::Query);
    }
    if query.starts_with('#') {
        return Err(ConfigError::Fragment);
    }
    let path = path.trim_end_matches('/');
    if !path.is_empty() {
        let plain = path.split('/').skip(1).all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment.bytes().all(is_path_byte)
        });
        if !plain {
            return Err(ConfigError::BadPath);
        }
    }
    if !parts.https && !parts.host.is_loopback() {
        return Err(ConfigError::NotHttps);
    }
    Ok(format!("{}{path}", parts.origin()))
}

/// Path characters of a FHIR base: RFC 3986 `pchar` without `%` escapes.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b)
}

/// An absolute `http(s)` URL taken apart far enough to check where it leads.
struct UrlParts<'a> {
    https: bool,
    /// The host as written in a URL, lowercase (`x.fi`, `127.0.0.1`, `[::1]`).
    host: Host,
    /// The port, `None` when absent or the scheme's default.
    port: Option<u16>,
    /// Path, query and fragment, as given.
    rest: &'a str,
}

impl UrlParts<'_> {
    fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{}:{port}", self.host.text),
            None => format!("{scheme}://{}", self.host.text),
        }
    }
}

/// Splits an absolute `http(s)` URL into scheme, host, port and the rest, refusing what could make a
/// browser read it differently from how it looks: odd characters, user-info, a malformed host or port.
fn split_url(url: &str) -> Result<UrlParts<'_>, ConfigError> {
    if !url.is_ascii() {
        return Err(ConfigError::NonAscii);
    }
    // A backslash is a `/` to the browser in http(s) URLs (`https://evil\@x.fi`); quotes and angle
    // brackets have no place in a base and would only help an injection.
    if url
        .bytes()
        .any(|b| !b.is_ascii_graphic() || b"\\\"<>`{}|^".contains(&b))
    {
        return Err(ConfigError::BadCharacter);
    }
    let (scheme, after_scheme) = url.split_once(':').ok_or(ConfigError::BadScheme)?;
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err(ConfigError::BadScheme);
    };
    // `https:x.fi` is accepted by browsers; here the address must be written out in full.
    let after_slashes = after_scheme
        .strip_prefix("//")
        .ok_or(ConfigError::BadScheme)?;
    let authority_end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    let (authority, rest) = after_slashes.split_at(authority_end);
    if authority.contains('@') {
        return Err(ConfigError::UserInfo);
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (inside, after) = bracketed.split_once(']').ok_or(ConfigError::BadHost)?;
            (Host::ipv6(inside)?, after)
        }
        None => {
            let host_end = authority.find(':').unwrap_or(authority.len());
            let (name, after) = authority.split_at(host_end);
            (Host::name(name)?, after)
        }
    };
    let port = match port {
        "" => None,
        port => Some(parse_port(
            port.strip_prefix(':').ok_or(ConfigError::BadHost)?,
        )?),
    };
    let default = if https { 443 } else { 80 };
    Ok(UrlParts {
        https,
        host,
        port: port.filter(|&p| p != default),
        rest,
    })
}

/// A port 1–65535, digits only (an empty port after `:` is refused too).
fn parse_port(digits: &str) -> Result<u16, ConfigError> {
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConfigError::BadPort);
    }
    match digits.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(ConfigError::BadPort),
    }
}

/// A checked host and whether it is this computer.
struct Host {
    text: String,
    loopback: bool,
}

impl Host {
    fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// A DNS name or a dotted-quad IPv4 address.
    fn name(name: &str) -> Result<Host, ConfigError> {
        let name = name.to_ascii_lowercase();
        if name.is_empty() || name.len() > 253 {
            return Err(ConfigError::BadHost);
        }
        let labels: Vec<&str> = name.split('.').collect();
        let last = labels.last().copied().unwrap_or("");
        // The browser reads a name whose last label is a number (`127.1`, `0x7f.1`, `2130706433`)
        // as an IPv4 address: only the plain dotted-quad form is accepted, so it reads as it looks.
        let numeric_last = !last.is_empty()
            && (last.bytes().all(|b| b.is_ascii_digit())
                || last
                    .strip_prefix("0x")
                    .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())));
        if numeric_last {
            let octets = parse_ipv4(&labels).ok_or(ConfigError::BadHost)?;
            return Ok(Host {
                loopback: octets[0] == 127,
                text: name,
            });
        }
        let dns = labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if !dns {
            return Err(ConfigError::BadHost);
        }
        Ok(Host {
            loopback: name == "localhost",
            text: name,
        })
    }

    /// The inside of `[…]`: an IPv6 address (no zone id).
    fn ipv6(inside: &str) -> Result<Host, ConfigError> {
        let groups = parse_ipv6(inside).ok_or(ConfigError::BadHost)?;
        Ok(Host {
            loopback: groups == [0, 0, 0, 0, 0, 0, 0, 1],
            text: format!("[{}]", ipv6_text(groups)),
        })
    }
}

/// Four decimal octets 0–255 without leading zeros (`010` is octal to the browser).
fn parse_ipv4(labels: &[&str]) -> Option<[u8; 4]> {
    if labels.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (octet, label) in octets.iter_mut().zip(labels) {
        let decimal = !label.is_empty()
            && label.len() <= 3
            && label.bytes().all(|b| b.is_ascii_digit())
            && (label.len() == 1 || !label.starts_with('0'));
        if !decimal {
            return None;
        }
        *octet = label.parse().ok()?;
    }
    Some(octets)
}

/// RFC 4291 text form: eight hex groups, one `::` for a run of zeros, optionally ending in a
/// dotted-quad IPv4 address.
fn parse_ipv6(text: &str) -> Option<[u16; 8]> {
    // `last`: whether this side ends the address, the only place a dotted-quad may stand.
    let parse_side = |side: &str, last: bool| -> Option<Vec<u16>> {
        if side.is_empty() {
            return Some(Vec::new());
        }
        let parts: Vec<&str> = side.split(':').collect();
        let mut groups = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if last && i == parts.len() - 1 && part.contains('.') {
                let labels: Vec<&str> = part.split('.').collect();
                let [a, b, c, d] = parse_ipv4(&labels)?;
                groups.push(u16::from_be_bytes([a, b]));
                groups.push(u16::from_be_bytes([c, d]));
            } else if (1..=4).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_hexdigit()) {
                groups.push(u16::from_str_radix(part, 16).ok()?);
            } else {
                return None;
            }
        }
        Some(groups)
    };
    let mut out = [0u16; 8];
    match text.split_once("::") {
        Some((head, tail)) => {
            let head = parse_side(head, false)?;
            let tail = parse_side(tail, true)?;
            // `::` stands for at least one zero group.
            if head.len() + tail.len() > 7 {
                return None;
            }
            out[..head.len()].copy_from_slice(&head);
            out[8 - tail.len()..].copy_from_slice(&tail);
        }
        None => {
            let all = parse_side(text, true)?;
            if all.len() != 8 {
                return None;
            }
            out.copy_from_slice(&all);
        }
    }
    Some(out)
}

/// RFC 5952 text form, as the browser writes it: lowercase hex, the first longest run of two or
/// more zero groups as `::`, so a base and the URLs the server sends compare equal.
fn ipv6_text(groups: [u16; 8]) -> String {
    let (mut best, mut best_len, mut run, mut run_len) = (0, 0, 0, 0);
    for (i, &g) in groups.iter().enumerate() {
        if g == 0 {
            if run_len == 0 {
                run = i;
            }
            run_len += 1;
            if run_len > best_len {
                (best, best_len) = (run, run_len);
            }
        } else {
            run_len = 0;
        }
    }
    let hex = |part: &[u16]| {
        part.iter()
            .map(|g| format!("{g:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    if best_len < 2 {
        return hex(&groups);
    }
    format!(
        "{}::{}",
        hex(&groups[..best]),
        hex(&groups[best + best_len..])
    )
}

/// Values by name from `pairs`, as the host element's attributes or an address's query give
/// them to the readers of this crate (for their tests).
#[cfg(test)]
pub fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<AppConfig, ConfigError> {
        AppConfig::from_attributes(lookup(pairs))
    }

    fn base(value: &str) -> Result<String, ConfigError> {
        config(&[("data-fhir-base", value), ("data-patient", "p1")]).map(|c| c.fhir_base)
    }

    #[test]
    fn reads_the_host_attributes() {
        let c = config(&[
            ("data-fhir-base", "http://127.0.0.1:8103/fhir/R4/"),
            ("data-patient", "Patient/helmi-esimerkki"),
            ("data-lang", "sv-FI"),
        ])
        .unwrap();
        assert_eq!(c.fhir_base, "http://127.0.0.1:8103/fhir/R4");
        assert_eq!(c.patient_id, "helmi-esimerkki");
        assert_eq!(c.lang, Lang::Sv);
    }

    #[test]
    fn with_sign_in_the_patient_comes_from_the_sign_in_never_from_the_page() {
        let c = config(&[
            ("data-fhir-base", "https://x.fi/R4"),
            ("data-sign-in", " smart "),
            ("data-patient", "someone-else"),
        ])
        .unwrap();
        assert!(c.sign_in);
        assert_eq!(c.patient_id, "", "the page's data-patient is not used");
        let open = config(&[
            ("data-fhir-base", "https://x.fi/R4"),
            ("data-patient", "p1"),
        ]);
        assert!(!open.unwrap().sign_in);
        assert_eq!(
            config(&[
                ("data-fhir-base", "https://x.fi/R4"),
                ("data-sign-in", "basic")
            ]),
            Err(ConfigError::BadSignIn)
        );
    }

    #[test]
    fn defaults_to_finnish_and_refuses_bad_patients() {
        let c = config(&[
            ("data-fhir-base", "https://x.fi/R4"),
            ("data-patient", "p1"),
        ])
        .unwrap();
        assert_eq!(c.lang, Lang::Fi);
        // The language is read on its own too, for the message about a bad configuration.
        let get =
            |value: &'static str| move |name: &str| (name == "data-lang").then(|| value.to_owned());
        assert_eq!(lang_from_attributes(get("en-GB")), Lang::En);
        assert_eq!(lang_from_attributes(get("de")), Lang::Fi);
        assert_eq!(lang_from_attributes(|_: &str| None), Lang::Fi);
        assert_eq!(
            config(&[("data-patient", "p1")]),
            Err(ConfigError::Missing("data-fhir-base"))
        );
        assert_eq!(
            config(&[("data-fhir-base", "https://x.fi/R4")]),
            Err(ConfigError::Missing("data-patient"))
        );
        assert_eq!(
            config(&[("data-fhir-base", "https://x.fi/R4"), ("data-patient", " ")]),
            Err(ConfigError::Missing("data-patient"))
        );
        assert_eq!(
            config(&[
                ("data-fhir-base", "https://x.fi/R4"),
                ("data-patient", "../Patient?x=1")
            ]),
            Err(ConfigError::BadPatient)
        );
    }

    #[test]
    fn accepts_https_anywhere_and_http_on_this_computer() {
        let accepted = [
            ("https://fhir.example.fi/R4", "https://fhir.example.fi/R4"),
            (
                "https://fhir.example.fi:8443/fhir/R4/",
                "https://fhir.example.fi:8443/fhir/R4",
            ),
            (
                "HTTPS://FHIR.Example.FI:443/R4",
                "https://fhir.example.fi/R4",
            ),
            ("https://x.fi", "https://x.fi"),
            ("https://x.fi/", "https://x.fi"),
            ("  https://x.fi/R4\r\n", "https://x.fi/R4"),
            (
                "https://xn--hyvinvointialue-7ib.fi/R4",
                "https://xn--hyvinvointialue-7ib.fi/R4",
            ),
            ("https://10.0.0.5/R4", "https://10.0.0.5/R4"),
            (
                "https://[2001:db8::1]:8443/R4",
                "https://[2001:db8::1]:8443/R4",
            ),
            ("https://fhir/R4", "https://fhir/R4"),
            ("https://x.fi/base~1/R4;v=1", "https://x.fi/base~1/R4;v=1"),
            (
                "http://127.0.0.1:8103/fhir/R4",
                "http://127.0.0.1:8103/fhir/R4",
            ),
            ("http://127.1.2.3/R4", "http://127.1.2.3/R4"),
            ("http://localhost", "http://localhost"),
            ("http://LOCALHOST:8080/fhir", "http://localhost:8080/fhir"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://[0:0:0:0:0:0:0:1]/R4", "http://[::1]/R4"),
            (
                "https://[2001:DB8:0:0:1:0:0:1]",
                "https://[2001:db8::1:0:0:1]",
            ),
            ("https://[::ffff:10.0.0.1]", "https://[::ffff:a00:1]"),
            ("http://localhost:80/R4", "http://localhost/R4"),
        ];
        for (value, normalised) in accepted {
            assert_eq!(base(value).as_deref(), Ok(normalised), "{value:?}");
        }
    }

    #[test]
    fn refuses_each_kind_of_bad_base_precisely() {
        use ConfigError::*;
        let refused = [
            ("", Missing("data-fhir-base")),
            ("   ", Missing("data-fhir-base")),
            // Plain http leaves the computer.
            ("http://example.fi", NotHttps),
            ("http://example.fi/fhir/R4", NotHttps),
            ("http://localhost.example.fi", NotHttps),
            ("http://128.0.0.1", NotHttps),
            ("http://[::2]", NotHttps),
            ("http://[::ffff:127.0.0.1]", NotHttps),
            ("http://127.0.0.1.example.fi", NotHttps),
            // Not an http(s) address at all.
            ("javascript:alert(1)", BadScheme),
            ("data:text/html,hi", BadScheme),
            ("//x.fi/R4", BadScheme),
            ("x.fi/R4", BadScheme),
            ("https:x.fi/R4", BadScheme),
            ("https:/x.fi/R4", BadScheme),
            ("ftp://x.fi/R4", BadScheme),
            ("wss://x.fi/R4", BadScheme),
            // Credentials, query, fragment.
            ("https://user:pw@x.fi/R4", UserInfo),
            ("https://user@x.fi", UserInfo),
            ("https://x.fi@evil.example", UserInfo),
            ("https://x.fi/R4?x=1", Query),
            ("https://x.fi?x=1", Query),
            ("https://x.fi/R4#frag", Fragment),
            ("https://x.fi#@evil.example", Fragment),
            ("https://x.fi/R4#a?b", Fragment),
            // Host.
            ("https://", BadHost),
            ("https:///R4", BadHost),
            ("https://:8080/R4", BadHost),
            ("https://-x.fi", BadHost),
            ("https://x..fi", BadHost),
            ("https://x.fi.", BadHost),
            ("https://x_y.fi", BadHost),
            ("https://127.1", BadHost),
            ("http://0x7f.1", BadHost),
            ("http://2130706433", BadHost),
            ("http://127.000.0.1", BadHost),
            ("https://256.1.1.1", BadHost),
            ("https://[::1", BadHost),
            ("https://[::1]x", BadHost),
            ("https://[1:2:3:4:5:6:7:8:9]", BadHost),
            ("https://[1::2::3]", BadHost),
            ("https://[fe80::1%25eth0]", BadHost),
            ("https://[x.fi]", BadHost),
            // Port.
            ("https://x.fi:99999", BadPort),
            ("https://x.fi:65536/R4", BadPort),
            ("https://x.fi:0", BadPort),
            ("https://x.fi:", BadPort),
            ("https://x.fi:80a", BadPort),
            ("https://x.fi:443:443", BadPort),
            ("https://x.fi:-1", BadPort),
            // Path.
            ("https://x.fi/../admin", BadPath),
            ("https://x.fi/R4/..", BadPath),
            ("https://x.fi/./R4", BadPath),
            ("https://x.fi/%2e%2e/admin", BadPath),
            ("https://x.fi/R4%20", BadPath),
            ("https://x.fi//R4", BadPath),
            // Characters: spaces, line breaks and controls inside, backslashes, quotes.
            ("https://x .fi", BadCharacter),
            ("https://x.fi/R4\nhttps://evil.example", BadCharacter),
            ("https://x.f\ti/R4", BadCharacter),
            ("https://x.fi/R4\u{7f}", BadCharacter),
            ("https://evil.example\\@x.fi", BadCharacter),
            ("https://x.fi\\..\\admin", BadCharacter),
            ("https://x.fi/R4\"><script>", BadCharacter),
            // Non-ASCII: a Cyrillic `а` in `exаmple`, a full-width dot, a non-breaking space.
            ("https://fhir.ex\u{430}mple.fi/R4", NonAscii),
            ("https://x\u{ff0e}fi/R4", NonAscii),
            ("https://x.fi/R4\u{a0}", NonAscii),
            ("https://hyvinvointialue.fi/R4/ä", NonAscii),
        ];
        for (value, error) in refused {
            assert_eq!(base(value), Err(error), "{value:?}");
        }
    }

    /// The explanation as the app shows it.
    fn text(error: &ConfigError, lang: Lang) -> String {
        lang.format(error.message(), &[("attr", error.attribute())])
    }

    #[test]
    fn every_error_names_its_attribute_and_has_its_own_message() {
        use ConfigError::*;
        let all = [
            Missing("#tahto"),
            Missing("data-fhir-base"),
            BadScheme,
            NotHttps,
            UserInfo,
            Query,
            Fragment,
            BadHost,
            BadPort,
            BadPath,
            BadCharacter,
            NonAscii,
            BadPatient,
            BadRouting,
            BadBasePath,
            BadPartnerOrigins,
            NotAPartner,
            BadSignIn,
        ];
        let mut seen = std::collections::HashSet::new();
        for error in all {
            assert!(seen.insert(error.message()), "{error:?} shares a message");
            assert!(error.detail().starts_with(error.attribute()), "{error:?}");
            for lang in Lang::ALL {
                let text = text(&error, lang);
                assert!(
                    text.contains(error.attribute()),
                    "{error:?} in {lang:?}: {text}"
                );
                assert!(!text.contains('{'), "{error:?} in {lang:?}: {text}");
            }
        }
        assert_eq!(Missing("data-patient").message(), ConfigText::ConfigMissing);
        assert_eq!(BadPatient.attribute(), "data-patient");
        assert_eq!(NotHttps.detail(), "data-fhir-base: not https");
        assert!(text(&NotHttps, Lang::En).starts_with("Tahto is not configured correctly"));
        assert!(text(&NotHttps, Lang::Fi).starts_with("Tahtoa ei ole määritetty oikein"));
    }

    #[test]
    fn routing_is_in_memory_unless_the_page_asks_for_urls() {
        assert_eq!(parse_routing(None, None), Ok(Routing::Memory));
        assert_eq!(
            parse_routing(Some("memory"), Some("/x/")),
            Ok(Routing::Memory)
        );
        assert_eq!(
            parse_routing(Some("url"), None),
            Ok(Routing::Url { base: "/".into() })
        );
        assert_eq!(
            parse_routing(Some(" url "), Some("/tahto/")),
            Ok(Routing::Url {
                base: "/tahto/".into()
            })
        );
        assert_eq!(
            parse_routing(Some("url"), Some("/a/b-c_d.e/")),
            Ok(Routing::Url {
                base: "/a/b-c_d.e/".into()
            })
        );
        for bad in [
            "tahto/",
            "/tahto",
            "//",
            "/../",
            "/a//b/",
            "/a b/",
            "/%2e/",
            "https://x.fi/",
            "/ä/",
        ] {
            assert_eq!(
                parse_routing(Some("url"), Some(bad)),
                Err(ConfigError::BadBasePath),
                "{bad}"
            );
        }
        assert_eq!(
            parse_routing(Some("hash"), None),
            Err(ConfigError::BadRouting)
        );
    }

    #[test]
    fn parses_ipv6_text_forms() {
        assert_eq!(parse_ipv6("::1"), Some([0, 0, 0, 0, 0, 0, 0, 1]));
        assert_eq!(parse_ipv6("::"), Some([0; 8]));
        assert_eq!(
            parse_ipv6("2001:DB8::ff00:42:8329"),
            Some([0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329])
        );
        assert_eq!(
            parse_ipv6("::ffff:127.0.0.1"),
            Some([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1])
        );
        assert_eq!(parse_ipv6("1:2:3:4:5:6:7"), None);
        assert_eq!(parse_ipv6("12345::"), None);
        assert_eq!(parse_ipv6(":1"), None);
        assert_eq!(parse_ipv6("1:2:3:4:5:6:7:8::"), None);
        assert_eq!(parse_ipv6("1.2.3.4::"), None);
        assert_eq!(ipv6_text([0, 0, 0, 0, 0, 0, 0, 1]), "::1");
        assert_eq!(ipv6_text([0; 8]), "::");
        assert_eq!(ipv6_text([1, 0, 0, 2, 0, 0, 0, 3]), "1:0:0:2::3");
        assert_eq!(ipv6_text([1, 0, 2, 3, 4, 5, 6, 7]), "1:0:2:3:4:5:6:7");
        assert_eq!(ipv6_text([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]), "2001:db8::");
    }

    #[test]
    fn partner_origins_are_exact_origins() {
        assert_eq!(parse_partner_origins(None), Ok(vec![]));
        assert_eq!(parse_partner_origins(Some("  ")), Ok(vec![]));
        assert_eq!(
            parse_partner_origins(Some("https://Hyvinvointi.Example.fi http://localhost:8090")),
            Ok(vec![
                "https://hyvinvointi.example.fi".to_owned(),
                "http://localhost:8090".to_owned()
            ])
        );
        for bad in [
            "https://partner.fi/page",
            "*",
            "https://*.partner.fi",
            "http://partner.fi",
            "'self'",
            "https://user@partner.fi",
            "partner.fi",
        ] {
            assert_eq!(
                parse_partner_origins(Some(bad)),
                Err(ConfigError::BadPartnerOrigins),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_frame_entry_is_only_for_listed_partners() {
        let partners = vec!["https://partner.fi".to_owned()];
        assert_eq!(frame_entry("organ-donation", lookup(&[]), &partners), None);
        assert_eq!(
            frame_entry(
                "embed",
                lookup(&[
                    ("host", "https://partner.fi"),
                    ("section", "living-will"),
                    ("lang", "sv")
                ]),
                &partners
            ),
            Some(Ok(FrameEntry {
                host: "https://partner.fi".into(),
                section: View::LivingWill,
                lang: Some(Lang::Sv),
            }))
        );
        assert_eq!(
            frame_entry(
                "embed",
                lookup(&[("host", "https://partner.fi"), ("section", "nope")]),
                &partners
            )
            .and_then(Result::ok)
            .map(|e| (e.section, e.lang)),
            Some((View::Home, None))
        );
        for host in ["https://evil.fi", "https://partner.fi.evil.fi", "", "*"] {
            assert_eq!(
                frame_entry(
                    "embed",
                    move |n: &str| (n == "host").then(|| host.to_owned()),
                    &partners
                ),
                Some(Err(ConfigError::NotAPartner)),
                "{host}"
            );
        }
    }
}
