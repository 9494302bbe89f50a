//! The forward direction (`vigie permute DOMAIN`): the look-alikes of one domain, dnstwist-style,
//! for registrar and certificate watch lists. Reverse matching ([`crate::lookalike`]) is what
//! vigie runs on observed domains; this list is for registering or watching names in advance.

use crate::lookalike::{keyboard_adjacent, Technique};
use std::collections::BTreeMap;
use vigie_normalise::domains::split_host;
use vigie_normalise::urls::{normalise_domain, registrable_domain};

/// Suffixes look-alike registrants use: new generic ones (Doppelgänger's `.ltd`, `.today`), the
/// classic ones, European country codes, and private second-level ones (`.eu.com`, `.co.com`).
const SUFFIXES: &[&str] = &[
    "com", "net", "org", "info", "biz", "eu", "fr", "de", "it", "es", "pl", "uk", "co.uk", "at",
    "be", "ch", "nl", "pt", "ru", "ua", "ltd", "live", "today", "pro", "online", "world", "life",
    "top", "site", "news", "media", "press", "xyz", "co", "io", "me", "tv", "cc", "pm", "agency",
    "work", "eu.com", "co.com", "de.com", "uk.com", "us.com", "com.de", "net.ru", "co.de",
];

/// Words added to names (`lemonde-info`, `actu-lemonde`).
const WORDS: &[&str] = &[
    "news",
    "info",
    "actu",
    "live",
    "direct",
    "online",
    "europe",
    "24",
    "today",
    "media",
    "official",
    "politique",
    "politik",
    "vote",
];

/// Cyrillic and Greek letters drawn like Latin ones, for IDN look-alikes.
fn idn_homoglyphs(c: char) -> &'static [char] {
    match c {
        'a' => &['а', 'α'],
        'c' => &['с'],
        'e' => &['е'],
        'i' => &['і', 'ι'],
        'j' => &['ј'],
        'o' => &['о', 'ο'],
        'p' => &['р', 'ρ'],
        's' => &['ѕ'],
        'x' => &['х'],
        'y' => &['у'],
        _ => &[],
    }
}

const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";

/// Single-edit variants of a label, by technique.
fn typos(label: &[char]) -> Vec<(Technique, String)> {
    let s = |v: &[char]| v.iter().collect::<String>();
    let mut out = Vec::new();
    for i in 0..label.len() {
        let c = label[i];
        let mut v = label.to_vec();
        v.remove(i);
        out.push((Technique::Omission, s(&v)));
        let mut v = label.to_vec();
        v.insert(i, c);
        out.push((Technique::Repetition, s(&v)));
        for k in LETTERS.chars() {
            if k == c {
                continue;
            }
            if keyboard_adjacent(c, k) {
                let mut v = label.to_vec();
                v[i] = k;
                out.push((Technique::KeyboardReplacement, s(&v)));
                let mut v = label.to_vec();
                v.insert(i + 1, k);
                out.push((Technique::Insertion, s(&v)));
            }
            let vowels = "aeiouy";
            if vowels.contains(c) && vowels.contains(k) {
                let mut v = label.to_vec();
                v[i] = k;
                out.push((Technique::VowelSwap, s(&v)));
            }
            if c.is_ascii() && (c as u32 ^ k as u32).count_ones() == 1 {
                let mut v = label.to_vec();
                v[i] = k;
                out.push((Technique::BitFlip, s(&v)));
            }
        }
        if i + 1 < label.len() && label[i] != label[i + 1] {
            let mut v = label.to_vec();
            v.swap(i, i + 1);
            out.push((Technique::Transposition, s(&v)));
        }
        for (from, to) in [('o', '0'), ('l', '1'), ('i', '1'), ('i', 'l'), ('l', 'i')] {
            if c == from {
                let mut v = label.to_vec();
                v[i] = to;
                out.push((Technique::VisualReplacement, s(&v)));
            }
        }
        if c == 'm' {
            out.push((
                Technique::Homoglyph,
                format!("{}rn{}", s(&label[..i]), s(&label[i + 1..])),
            ));
        }
        if c == 'w' {
            out.push((
                Technique::Homoglyph,
                format!("{}vv{}", s(&label[..i]), s(&label[i + 1..])),
            ));
        }
        for &h in idn_homoglyphs(c) {
            let mut v = label.to_vec();
            v[i] = h;
            out.push((Technique::Homoglyph, s(&v)));
        }
        if i > 0 && label[i - 1] != '-' && c != '-' {
            out.push((
                Technique::Hyphenation,
                format!("{}-{}", s(&label[..i]), s(&label[i..])),
            ));
        }
    }
    out
}

/// Look-alikes of `domain`, sorted by host, each with the technique that makes it. With
/// `combine`, every typo is also written under every other suffix (the combinations a forward
/// tool otherwise misses; the list grows about fifty-fold). Empty when `domain` is not a domain.
pub fn permutations(domain: &str, combine: bool) -> Vec<(String, Technique)> {
    let Some(reg) = normalise_domain(domain).and_then(|h| registrable_domain(&h)) else {
        return Vec::new();
    };
    let Some(parts) = split_host(&reg) else {
        return Vec::new();
    };
    let label = vigie_normalise::domains::label_to_unicode(parts.label).into_owned();
    let suffix = parts.suffix;
    let chars: Vec<char> = label.chars().collect();
    let mut out: BTreeMap<String, Technique> = BTreeMap::new();
    let mut add = |host: String, t: Technique| {
        if let Some(h) = normalise_domain(&host) {
            if h != reg {
                out.entry(h).or_insert(t);
            }
        }
    };
    let others: Vec<&str> = SUFFIXES.iter().copied().filter(|s| *s != suffix).collect();
    for sfx in &others {
        add(format!("{label}.{sfx}"), Technique::SuffixSwap);
    }
    for (t, typo) in typos(&chars) {
        add(format!("{typo}.{suffix}"), t);
        if combine {
            for sfx in &others {
                add(format!("{typo}.{sfx}"), t);
            }
        }
    }
    for w in WORDS {
        add(format!("{label}-{w}.{suffix}"), Technique::AddedWord);
        add(format!("{w}-{label}.{suffix}"), Technique::AddedWord);
        add(format!("{label}{w}.{suffix}"), Technique::AddedWord);
    }
    add(
        format!("{label}-{}.com", suffix.replace('.', "-")),
        Technique::Hyphenation,
    );
    for w in ["news", "info", "actu"] {
        add(format!("{label}.{suffix}.{w}-eu.com"), Technique::Subdomain);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookalike::LookalikeIndex;

    #[test]
    fn every_permutation_is_matched_back_to_its_domain() {
        let mut index = LookalikeIndex::new();
        index.add("Le Monde", "media", ["lemonde.fr"].into_iter());
        let perms = permutations("https://www.lemonde.fr/", false);
        assert!(perms.len() > 200, "{}", perms.len());
        let mut missed = Vec::new();
        for (host, t) in &perms {
            assert!(host.is_ascii() && !host.contains(".."), "{host}");
            match index.check(host) {
                Some(m) if m.imitates == "lemonde.fr" => {}
                _ => missed.push((host.clone(), *t)),
            }
        }
        assert!(missed.is_empty(), "{missed:?}");
        assert!(perms
            .iter()
            .any(|(h, t)| h == "lemonde.ltd" && *t == Technique::SuffixSwap));
        assert!(perms.iter().any(|(h, _)| h.starts_with("xn--")));
    }

    #[test]
    fn combinations_add_typos_under_other_suffixes() {
        let plain = permutations("t-online.de", false);
        let combined = permutations("t-online.de", true);
        assert!(combined.len() > 20 * plain.len() / 2);
        assert!(combined.iter().any(|(h, _)| h == "t-onlinr.today"));
        assert!(!plain.iter().any(|(h, _)| h == "t-onlinr.today"));
        assert!(permutations("not a domain", true).is_empty());
    }
}
