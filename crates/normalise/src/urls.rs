//! URL canonicalisation, host and registrable-domain extraction, domain-list normalisation.
//!
//! Registrable domains follow the full Public Suffix List, private section included: for
//! `foo.blogspot.com` the registrable domain is `foo.blogspot.com`, not `blogspot.com`. Each blog,
//! `*.github.io` page or `*.herokuapp.com` app is run by a different party, and merging them all
//! under the hosting company would fuse unrelated actors in relay-network and look-alike detection.
//! A private suffix seen as a host on its own (`https://blogspot.com/`) is its own registrable
//! domain, since the operator owns it.

use std::borrow::Cow;
use std::net::IpAddr;
use url::{Host, Url};

/// Query parameters that only track the click and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "igshid",
    "igsh",
    "mc_cid",
    "mc_eid",
    "ref_src",
    "ref_url",
    "si",
    "_ga",
    "_gl",
    "yclid",
    "ysclid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mkt_tok",
    "_hsenc",
    "_hsmi",
    "__hstc",
    "__hssc",
    "__hsfp",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "rb_clickid",
    "s_cid",
    "xtor", // AT Internet, used by most French news sites
    "at_medium",
    "at_campaign",
    "at_campaign_type",
    "at_creation",
    "at_format",
    "ocid",
    "cmpid",
    "__twitter_impression",
    "sr_share",
];

/// Parameters that only track on twitter.com / x.com status links (`?s=20&t=…`).
const TWITTER_TRACKING_PARAMS: &[&str] = &["s", "t", "ref_src", "ref_url", "src"];

fn is_tracking_param(key: &str, twitter: bool) -> bool {
    let lower: Cow<'_, str> = if key.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(key.to_ascii_lowercase())
    } else {
        Cow::Borrowed(key)
    };
    let k = lower.as_ref();
    k.starts_with("utm_")
        || TRACKING_PARAMS.contains(&k)
        || (twitter && TWITTER_TRACKING_PARAMS.contains(&k))
}

fn is_twitter_host(host: &str) -> bool {
    ["twitter.com", "x.com"].iter().any(|d| {
        host == *d
            || (host.len() > d.len()
                && host.ends_with(d)
                && host.as_bytes()[host.len() - d.len() - 1] == b'.')
    })
}

/// Parses and canonicalises an http(s) URL; the parsed form, for callers that also want the host.
pub(crate) fn canonical_parsed(raw: &str) -> Option<Url> {
    let raw = raw.trim();
    let lower_prefix = |p: &str| {
        raw.len() >= p.len() && raw.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    let mut url = if lower_prefix("http://") || lower_prefix("https://") {
        Url::parse(raw).ok()?
    } else if lower_prefix("www.") {
        Url::parse(&format!("http://{raw}")).ok()?
    } else {
        return None;
    };
    match url.host() {
        Some(Host::Domain(d)) if !d.is_empty() => {
            if d.ends_with('.') {
                // "lemonde.fr." is the same site as "lemonde.fr".
                let trimmed = d.trim_end_matches('.').to_owned();
                if trimmed.is_empty() {
                    return None;
                }
                url.set_host(Some(&trimmed)).ok()?;
            }
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {}
        _ => return None,
    }
    // Credentials never identify the resource; `https://lemonde.fr@evil.example/` is evil.example.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
    if let Some(q) = url.query() {
        let twitter = url.host_str().is_some_and(is_twitter_host);
        let kept: Vec<&str> = q
            .split('&')
            .filter(|kv| {
                let key = kv.split('=').next().unwrap_or("");
                !kv.is_empty() && !is_tracking_param(key, twitter)
            })
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            let joined = kept.join("&");
            if joined != q {
                url.set_query(Some(&joined));
            }
        }
    }
    Some(url)
}

/// Canonical form of an http(s) URL (bare `www.` links get `http://`): lower-case scheme and host,
/// IDN host in punycode, default port, credentials and fragment dropped, tracking parameters
/// (`utm_*`, `fbclid`, `gclid`, `xtor`, `s`/`t` on twitter.com and x.com, …) removed, remaining
/// parameters kept in order, no trailing `?`. `None` for other schemes or unparseable input.
pub fn canonical_url(raw: &str) -> Option<String> {
    canonical_parsed(raw).map(String::from)
}

/// Lower-case (punycode) host of an http(s) or bare `www.` URL.
pub fn host(url: &str) -> Option<String> {
    canonical_parsed(url).and_then(|u| u.host_str().map(str::to_owned))
}

/// Lower-case ASCII (punycode) form of a host name, or `None` when IDNA processing fails.
fn to_ascii(host: &str) -> Option<Cow<'_, str>> {
    let bytes = host.as_bytes();
    // Fast path: already lower-case LDH, no punycode label to verify.
    if bytes.iter().all(|&b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'_'
    }) && !host.contains("xn--")
    {
        return Some(Cow::Borrowed(host));
    }
    idna::domain_to_ascii_cow(bytes, idna::AsciiDenyList::URL).ok()
}

pub(crate) fn is_ip(host: &str) -> bool {
    host.starts_with('[')
        || host.parse::<IpAddr>().is_ok()
        // WHATWG-style numeric hosts such as "127.1" or "0x7f.1": the last label is numeric.
        || host
            .rsplit('.')
            .next()
            .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
}

/// Registrable domain (public suffix + one label) of a host: `www.bbc.co.uk` → `bbc.co.uk`,
/// `bücher.example.de` → `example.de`, `xn--bcher-kva.com` → itself. Output is lower-case
/// punycode. `None` for IP addresses, unknown suffixes and bare public suffixes (`co.uk`).
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    if host.is_empty() || is_ip(host) {
        return None;
    }
    let ascii = to_ascii(host)?;
    let ascii = ascii.trim_end_matches('.');
    if ascii.is_empty() || is_ip(ascii) {
        return None;
    }
    let bytes = ascii.as_bytes();
    if let Some(d) = psl::domain(bytes) {
        if d.suffix().is_known() {
            return std::str::from_utf8(d.as_bytes()).ok().map(str::to_owned);
        }
        return None;
    }
    // The host is itself a suffix: only a private-section one (blogspot.com) is a real site.
    match psl::suffix(bytes) {
        Some(s) if s.typ() == Some(psl::Type::Private) && s.as_bytes() == bytes => {
            Some(ascii.to_owned())
        }
        _ => None,
    }
}

/// Normalises a domain from a domain list or certificate-transparency log: trims, strips a scheme,
/// credentials, path, port, trailing dot and a leading `*.` wildcard, lower-cases and converts IDN
/// to punycode. `None` unless the result is a valid DNS host name with at least two labels (IP
/// addresses are not host names).
pub fn normalise_domain(raw: &str) -> Option<String> {
    let mut s = raw.trim();
    if let Some(p) = s.find("://") {
        s = &s[p + 3..];
    }
    if let Some(p) = s.find(['/', '?', '#']) {
        s = &s[..p];
    }
    if let Some(p) = s.rfind('@') {
        s = &s[p + 1..];
    }
    if let Some(p) = s.rfind(':') {
        if s[p + 1..].bytes().all(|b| b.is_ascii_digit()) {
            s = &s[..p];
        }
    }
    let s = s.trim_end_matches('.');
    let s = s.strip_prefix("*.").unwrap_or(s);
    if s.is_empty() || s.len() > 1024 {
        return None;
    }
    let ascii = to_ascii(s)?;
    valid_host_name(&ascii).then(|| ascii.into_owned())
}

/// DNS host-name shape: 2+ labels of `[a-z0-9_-]`, 1–63 bytes each, not starting or ending with a
/// hyphen, at most 253 bytes, last label not numeric. `_` is tolerated because CT logs carry
/// service names such as `_dmarc.example.com`.
fn valid_host_name(h: &str) -> bool {
    if h.is_empty() || h.len() > 253 || is_ip(h) {
        return false;
    }
    let mut labels = 0;
    for label in h.split('.') {
        labels += 1;
        let b = label.as_bytes();
        if b.is_empty()
            || b.len() > 63
            || b[0] == b'-'
            || b[b.len() - 1] == b'-'
            || !b
                .iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
        {
            return false;
        }
    }
    labels >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical_url(s).unwrap_or_else(|| format!("<none for {s}>"))
    }

    #[test]
    fn canonical_lowercases_drops_port_fragment_and_tracking() {
        assert_eq!(
            canon("https://www.Lemonde.FR:443/a?utm_source=x&id=3#frag"),
            "https://www.lemonde.fr/a?id=3"
        );
        assert_eq!(
            canon("HTTP://Example.COM:80/Path/A"),
            "http://example.com/Path/A"
        );
        assert_eq!(
            canon("http://example.com:8080/"),
            "http://example.com:8080/"
        );
    }

    #[test]
    fn canonical_strips_many_trackers_keeps_order() {
        assert_eq!(
            canon("https://e.com/p?b=2&fbclid=X&UTM_Medium=y&a=1&gclid=z&xtor=RSS-3&si=q&c"),
            "https://e.com/p?b=2&a=1&c"
        );
        assert_eq!(
            canon("https://e.com/p?utm_source=a&utm_campaign=b"),
            "https://e.com/p"
        );
        assert_eq!(canon("https://e.com/p?"), "https://e.com/p");
        assert_eq!(canon("https://e.com/p?&&"), "https://e.com/p");
    }

    #[test]
    fn canonical_twitter_share_params() {
        assert_eq!(
            canon("https://twitter.com/user/status/123?s=20&t=abcDEF"),
            "https://twitter.com/user/status/123"
        );
        assert_eq!(
            canon("https://mobile.x.com/u/status/1?s=46&lang=fr"),
            "https://mobile.x.com/u/status/1?lang=fr"
        );
        // `s` and `t` select content elsewhere (search terms, timestamps).
        assert_eq!(
            canon("https://example.com/search?s=vote&t=30"),
            "https://example.com/search?s=vote&t=30"
        );
        assert_eq!(canon("https://notx.com/?s=1"), "https://notx.com/?s=1");
    }

    #[test]
    fn canonical_idn_and_bare_www() {
        assert_eq!(
            canon("https://bücher.example/"),
            "https://xn--bcher-kva.example/"
        );
        assert_eq!(
            canon("https://XN--BCHER-KVA.example/x"),
            "https://xn--bcher-kva.example/x"
        );
        assert_eq!(
            canon("www.RT.com/news?utm_source=tw"),
            "http://www.rt.com/news"
        );
        assert_eq!(
            canon("https://президент.рф/news"),
            "https://xn--d1abbgf6aiiy.xn--p1ai/news"
        );
    }

    #[test]
    fn canonical_drops_credentials_and_trailing_host_dot() {
        assert_eq!(
            canon("https://lemonde.fr@evil.example/a"),
            "https://evil.example/a"
        );
        assert_eq!(canon("https://lemonde.fr./a"), "https://lemonde.fr/a");
    }

    #[test]
    fn canonical_rejects_non_http_and_garbage() {
        for s in [
            "ftp://e.com/",
            "javascript:alert(1)",
            "mailto:a@b.c",
            "https://",
            "http://[::1",
            "",
            "e.com/x",
            "https://a b.com/",
        ] {
            assert_eq!(canonical_url(s), None, "{s}");
        }
    }

    #[test]
    fn host_is_lowercase_punycode() {
        assert_eq!(
            host("https://WWW.Bücher.Example:8443/p").as_deref(),
            Some("www.xn--bcher-kva.example")
        );
        assert_eq!(host("http://192.168.0.1/x").as_deref(), Some("192.168.0.1"));
        assert_eq!(host("not a url"), None);
    }

    #[test]
    fn registrable_domains_multi_part_suffixes() {
        let r = |h: &str| registrable_domain(h);
        assert_eq!(r("www.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
        assert_eq!(r("news.abc.net.au").as_deref(), Some("abc.net.au"));
        assert_eq!(r("www.smh.com.au").as_deref(), Some("smh.com.au"));
        assert_eq!(r("WWW.LeMonde.fr.").as_deref(), Some("lemonde.fr"));
        assert_eq!(r("lemonde.fr").as_deref(), Some("lemonde.fr"));
        assert_eq!(r("co.uk"), None);
        assert_eq!(r("uk"), None);
    }

    #[test]
    fn registrable_domains_private_suffixes_are_separate_sites() {
        assert_eq!(
            registrable_domain("foo.blogspot.com").as_deref(),
            Some("foo.blogspot.com")
        );
        assert_eq!(
            registrable_domain("a.b.foo.blogspot.com").as_deref(),
            Some("foo.blogspot.com")
        );
        assert_eq!(
            registrable_domain("blogspot.com").as_deref(),
            Some("blogspot.com")
        );
        assert_eq!(
            registrable_domain("user.github.io").as_deref(),
            Some("user.github.io")
        );
    }

    #[test]
    fn registrable_domains_idn_ips_unknown() {
        assert_eq!(
            registrable_domain("www.bücher.de").as_deref(),
            Some("xn--bcher-kva.de")
        );
        assert_eq!(
            registrable_domain("xn--bcher-kva.de").as_deref(),
            Some("xn--bcher-kva.de")
        );
        assert_eq!(
            registrable_domain("www.президент.рф").as_deref(),
            Some("xn--d1abbgf6aiiy.xn--p1ai")
        );
        assert_eq!(registrable_domain("192.168.1.1"), None);
        assert_eq!(registrable_domain("[2001:db8::1]"), None);
        assert_eq!(registrable_domain("2001:db8::1"), None);
        assert_eq!(registrable_domain("host.notarealtld"), None);
        assert_eq!(registrable_domain("localhost"), None);
        assert_eq!(registrable_domain(""), None);
    }

    #[test]
    fn normalise_domain_forms() {
        let n = |s: &str| normalise_domain(s);
        assert_eq!(n("  WWW.LeMonde.FR.  ").as_deref(), Some("www.lemonde.fr"));
        assert_eq!(n("*.lemonde-fr.ltd").as_deref(), Some("lemonde-fr.ltd"));
        assert_eq!(
            n("https://user@Le-Monde.info:8443/path?q#f").as_deref(),
            Some("le-monde.info")
        );
        assert_eq!(n("lemonde.fr:443").as_deref(), Some("lemonde.fr"));
        assert_eq!(n("lemοnde.fr").as_deref(), Some("xn--lemnde-k0e.fr")); // Greek omicron
        assert_eq!(n("xn--lemnde-k0e.fr").as_deref(), Some("xn--lemnde-k0e.fr"));
        assert_eq!(
            n("_dmarc.example.com").as_deref(),
            Some("_dmarc.example.com")
        );
        // certstream all_domains entry
        assert_eq!(
            n("*.d7zdnegbre53n.amplifyapp.com").as_deref(),
            Some("d7zdnegbre53n.amplifyapp.com")
        );
    }

    #[test]
    fn normalise_domain_rejects_invalid() {
        for s in [
            "",
            "   ",
            "*.",
            "lemonde",
            "192.168.0.1",
            "[::1]",
            "a..b.com",
            "-bad.com",
            "bad-.com",
            "sp ace.com",
            "a*b.com",
            "*.*.com",
            "xn--zz.com",
            &format!("{}.com", "a".repeat(64)),
            &"a.".repeat(200),
        ] {
            assert_eq!(normalise_domain(s), None, "{s:?}");
        }
    }
}
