//! Host names taken apart for look-alike detection: labels split around the public suffix (full
//! Public Suffix List, so `bild.eu.com` is the label `bild` under the suffix `eu.com`), punycode
//! labels decoded, and UTS #39 confusable skeletons (`lеmonde` with a Cyrillic `е`, `1emonde`,
//! `lemondé` and `lemonde` all draw the same).

use unicode_normalization::UnicodeNormalization;

/// A host split around its public suffix: `news.lemonde.fr.example.co.uk` is subdomains
/// `["news", "lemonde", "fr"]`, label `example`, suffix `co.uk`. All parts are lower-case
/// ASCII (punycode for IDN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostParts<'a> {
    pub subdomains: Vec<&'a str>,
    pub label: &'a str,
    pub suffix: &'a str,
    /// Whether the suffix is in the ICANN section of the list (`co.uk`, `com.mx`), rather than
    /// the private one (`eu.com`, `co.com`, `blogspot.com`).
    pub icann: bool,
}

impl HostParts<'_> {
    /// The registrable domain: label and suffix.
    pub fn registrable(&self) -> String {
        format!("{}.{}", self.label, self.suffix)
    }
}

/// Splits a lower-case ASCII host (as [`crate::urls::normalise_domain`] gives) around its public
/// suffix. `None` for unknown suffixes, bare suffixes and IP addresses.
pub fn split_host(host: &str) -> Option<HostParts<'_>> {
    if host.is_empty() || crate::urls::is_ip(host) {
        return None;
    }
    let d = psl::domain(host.as_bytes())?;
    if !d.suffix().is_known() {
        return None;
    }
    let icann = d.suffix().typ() == Some(psl::Type::Icann);
    let reg_len = d.as_bytes().len();
    let suffix_len = d.suffix().as_bytes().len();
    // Both are tails of `host`, so the byte offsets fall on label boundaries (ASCII input).
    let reg_start = host.len().checked_sub(reg_len)?;
    let suffix_start = host.len().checked_sub(suffix_len)?;
    let label = host.get(reg_start..suffix_start.checked_sub(1)?)?;
    let suffix = host.get(suffix_start..)?;
    let subdomains = match reg_start {
        0 => Vec::new(),
        n => host.get(..n - 1)?.split('.').collect(),
    };
    Some(HostParts {
        subdomains,
        label,
        suffix,
        icann,
    })
}

/// The Unicode form of one DNS label: `xn--lemnde-k0e` → `lemοnde`; other labels unchanged.
pub fn label_to_unicode(label: &str) -> std::borrow::Cow<'_, str> {
    match label.strip_prefix("xn--") {
        Some(rest) => match idna::punycode::decode_to_string(rest) {
            Some(s) if !s.is_empty() => std::borrow::Cow::Owned(s),
            _ => std::borrow::Cow::Borrowed(label),
        },
        None => std::borrow::Cow::Borrowed(label),
    }
}

/// The Unicode form of a host, label by label (labels that fail to decode stay as given).
pub fn host_to_unicode(host: &str) -> String {
    let labels: Vec<std::borrow::Cow<'_, str>> = host.split('.').map(label_to_unicode).collect();
    labels.join(".")
}

/// Skeleton of one ASCII character, exactly as UTS #39 maps the DNS alphabet (`0` → `o` after
/// lower-casing, `1` → `l`, `m` → `rn`); every other letter, digit and `-` is its own.
fn ascii_skeleton(c: u8, out: &mut String) {
    match c.to_ascii_lowercase() {
        b'0' => out.push('o'),
        b'1' => out.push('l'),
        b'm' => out.push_str("rn"),
        c => out.push(char::from(c)),
    }
}

/// The confusable skeleton of a (Unicode) label: lower-cased, mapped by UTS #39 `skeleton`,
/// lower-cased again and stripped of accents, with `vv` read as `w`. Two labels that draw alike
/// have the same skeleton: `lеmonde` (Cyrillic е), `1emonde`, `lemondé` → `lernonde`.
pub fn skeleton(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 4);
    if label.is_ascii() {
        for b in label.bytes() {
            ascii_skeleton(b, &mut out);
        }
    } else {
        let lower = label.to_lowercase();
        let mapped: String = unicode_security::confusable_detection::skeleton(&lower).collect();
        for c in mapped.to_lowercase().nfd() {
            if c.is_ascii() {
                ascii_skeleton(c as u8, &mut out);
            } else if !unicode_normalization::char::is_combining_mark(c) {
                out.push(c);
            }
        }
    }
    if out.contains("vv") {
        out = out.replace("vv", "w");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(h: &str) -> Option<(Vec<&str>, &str, &str)> {
        split_host(h).map(|p| (p.subdomains, p.label, p.suffix))
    }

    #[test]
    fn tells_registry_suffixes_from_private_ones() {
        assert_eq!(split_host("bild.eu.com").map(|p| p.icann), Some(false));
        assert_eq!(split_host("bbc.co.uk").map(|p| p.icann), Some(true));
        assert_eq!(split_host("spiegel.ltd").map(|p| p.icann), Some(true));
    }

    #[test]
    fn splits_around_single_and_multi_label_suffixes() {
        assert_eq!(parts("spiegel.ltd"), Some((vec![], "spiegel", "ltd")));
        assert_eq!(parts("bild.eu.com"), Some((vec![], "bild", "eu.com")));
        assert_eq!(
            parts("theguardian.co.com"),
            Some((vec![], "theguardian", "co.com"))
        );
        assert_eq!(parts("www.bbc.co.uk"), Some((vec!["www"], "bbc", "co.uk")));
        assert_eq!(
            parts("lemonde.fr.actu-eu.com"),
            Some((vec!["lemonde", "fr"], "actu-eu", "com"))
        );
        assert_eq!(parts("co.uk"), None);
        assert_eq!(parts("host.notarealtld"), None);
        assert_eq!(parts("192.168.0.1"), None);
        assert_eq!(parts(""), None);
    }

    #[test]
    fn punycode_round_trips() {
        // Greek omicron in "lemonde", as normalise_domain writes it.
        let host = crate::urls::normalise_domain("lemοnde.fr").unwrap_or_default();
        assert_eq!(host, "xn--lemnde-k0e.fr");
        assert_eq!(host_to_unicode(&host), "lemοnde.fr");
        assert_eq!(
            crate::urls::normalise_domain(&host_to_unicode(&host)).as_deref(),
            Some(host.as_str())
        );
        assert_eq!(label_to_unicode("xn--bcher-kva"), "bücher");
        // Broken punycode is left as given, never a panic.
        assert_eq!(label_to_unicode("xn--"), "xn--");
        assert_eq!(label_to_unicode("xn--!!!"), "xn--!!!");
    }

    #[test]
    fn confusables_share_a_skeleton() {
        let base = skeleton("lemonde");
        for s in [
            "lеmonde",
            "1emonde",
            "lemondé",
            "LEMONDE",
            "lemοnde",
            "ⅼemonde",
        ] {
            assert_eq!(skeleton(s), base, "{s}");
        }
        assert_eq!(skeleton("g00gle"), skeleton("google"));
        assert_eq!(skeleton("vvelt"), skeleton("welt"));
        assert_eq!(skeleton("rnicrosoft"), skeleton("microsoft"));
        assert_ne!(skeleton("lemonte"), base);
    }

    #[test]
    fn ascii_fast_path_agrees_with_uts39() {
        for c in ('a'..='z').chain('0'..='9').chain(['-', '_']) {
            let s = c.to_string();
            let uts: String = unicode_security::confusable_detection::skeleton(&s).collect();
            let mut ours = String::new();
            ascii_skeleton(c as u8, &mut ours);
            assert_eq!(ours, uts.to_lowercase(), "{c}");
        }
    }
}
