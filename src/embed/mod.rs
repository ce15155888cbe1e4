//! Tahto in a partner's page: a frame on Tahto's own origin (`public/embed.js` makes it), so its
//! code, the citizen's drafts and unsent saves never live where the partner's scripts run.
//!
//! - `protocol.rs`: the messages between the frame and the partner's page, checked field by field.
//! - `theme.rs`: the partner's look (a few colours, a radius, a font), checked for legibility.
//! - `frame.rs` (browser, in the rest of the app): the link to the partner's page.

pub mod protocol;
pub mod theme;

#[cfg(target_arch = "wasm32")]
pub mod frame;

/// The site of a host name, as browsers partition storage by it, approximately: the last two
/// labels of a DNS name (`app.example.fi` and `hyvinvointi.example.fi` are one site, without a
/// list of public suffixes such as `gov.uk`), the whole of an IP address or `localhost`.
pub fn site_of(host: &str) -> &str {
    let host = host.trim_end_matches('.');
    if host.starts_with('[') || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return host;
    }
    match host.rmatch_indices('.').nth(1) {
        Some((dot, _)) => &host[dot + 1..],
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::site_of;

    #[test]
    fn sites_are_the_last_two_labels_or_the_whole_address() {
        assert_eq!(site_of("app.example.fi"), "example.fi");
        assert_eq!(site_of("a.b.hyvinvointi.example.fi"), "example.fi");
        assert_eq!(site_of("example.fi"), "example.fi");
        assert_eq!(site_of("localhost"), "localhost");
        assert_eq!(site_of("127.0.0.1"), "127.0.0.1");
        assert_eq!(site_of("[::1]"), "[::1]");
        assert_ne!(site_of("127.0.0.1"), site_of("localhost"));
    }
}
