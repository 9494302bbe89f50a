//! `lookalike_domain` (Doppelgänger): domains imitating each protected outlet — typo, omission,
//! insertion, transposition, homoglyph (IDN, written in punycode), TLD swap, hyphenation, added
//! word, subdomain trick — registered shortly before the campaign, whose landing pages copy the
//! outlet's title, and posts linking to them. Unrelated benign domains and the real outlets'
//! domains are written as negatives.

use super::{operation, Ctx};
use crate::narrative;
use crate::text::slug;
use crate::truth::{NegativeSet, Operation};
use crate::world::{ProtectedMedia, BENIGN_DOMAINS, NEWS_SITES, PROTECTED_MEDIA};
use chrono::{Datelike, Duration};
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use vigie_core::DomainRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Technique {
    Typo,
    Omission,
    Insertion,
    Transposition,
    Homoglyph,
    TldSwap,
    Hyphenation,
    AddedWord,
    Subdomain,
}

impl Technique {
    pub const ALL: [Technique; 9] = [
        Technique::Typo,
        Technique::Omission,
        Technique::Insertion,
        Technique::Transposition,
        Technique::Homoglyph,
        Technique::TldSwap,
        Technique::Hyphenation,
        Technique::AddedWord,
        Technique::Subdomain,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Technique::Typo => "typo",
            Technique::Omission => "omission",
            Technique::Insertion => "insertion",
            Technique::Transposition => "transposition",
            Technique::Homoglyph => "homoglyph",
            Technique::TldSwap => "tld_swap",
            Technique::Hyphenation => "hyphenation",
            Technique::AddedWord => "added_word",
            Technique::Subdomain => "subdomain",
        }
    }
}

/// Keys next to each other on QWERTY/AZERTY keyboards: the slips typosquatters register.
fn neighbours(c: char) -> &'static str {
    match c {
        'a' => "qzs",
        'b' => "vn",
        'c' => "xv",
        'd' => "sf",
        'e' => "zr",
        'f' => "dg",
        'g' => "fh",
        'h' => "gj",
        'i' => "uo",
        'j' => "hk",
        'k' => "jl",
        'l' => "km",
        'm' => "nl",
        'n' => "bm",
        'o' => "ip",
        'p' => "ol",
        'q' => "aw",
        'r' => "et",
        's' => "ad",
        't' => "ry",
        'u' => "yi",
        'v' => "cb",
        'w' => "qx",
        'x' => "wc",
        'y' => "tu",
        'z' => "ae",
        _ => "",
    }
}

/// Cyrillic letters drawn like Latin ones.
fn homoglyph(c: char) -> Option<char> {
    match c {
        'a' => Some('а'),
        'e' => Some('е'),
        'o' => Some('о'),
        'p' => Some('р'),
        'c' => Some('с'),
        'i' => Some('і'),
        'x' => Some('х'),
        _ => None,
    }
}

/// A look-alike host of `m` made by `t`, lower-case ASCII (punycode for IDN). `None` when the
/// technique does not apply to this name.
pub fn make<R: Rng>(rng: &mut R, m: &ProtectedMedia, t: Technique) -> Option<String> {
    let label: Vec<char> = m.label.chars().collect();
    let suffix = m.suffix;
    let letters: Vec<usize> = (0..label.len())
        .filter(|&i| label[i].is_ascii_alphabetic())
        .collect();
    let with = |l: Vec<char>| format!("{}.{suffix}", l.into_iter().collect::<String>());
    let host = match t {
        Technique::Typo => {
            let i = *letters.choose(rng)?;
            let opts: Vec<char> = neighbours(label[i]).chars().collect();
            let mut l = label.clone();
            l[i] = *opts.choose(rng)?;
            with(l)
        }
        Technique::Omission => {
            let mut l = label.clone();
            l.remove(rng.gen_range(1..label.len()));
            with(l)
        }
        Technique::Insertion => {
            let i = *letters.choose(rng)?;
            let mut l = label.clone();
            l.insert(i, label[i]);
            with(l)
        }
        Technique::Transposition => {
            let pairs: Vec<usize> = (0..label.len() - 1)
                .filter(|&i| label[i] != label[i + 1])
                .collect();
            let i = *pairs.choose(rng)?;
            let mut l = label.clone();
            l.swap(i, i + 1);
            with(l)
        }
        Technique::Homoglyph => {
            let spots: Vec<usize> = (0..label.len())
                .filter(|&i| homoglyph(label[i]).is_some())
                .collect();
            let i = *spots.choose(rng)?;
            let mut l = label.clone();
            l[i] = homoglyph(label[i])?;
            idna::domain_to_ascii(&with(l)).ok()?
        }
        Technique::TldSwap => {
            let tlds: Vec<&str> = ["ltd", "com", "net", "info", "online", "co"]
                .into_iter()
                .filter(|t| *t != suffix)
                .collect();
            format!("{}.{}", m.label, tlds.choose(rng)?)
        }
        Technique::Hyphenation => {
            if rng.gen_bool(0.5) && label.len() > 4 {
                let cut = if m.label.starts_with("le") {
                    2
                } else {
                    rng.gen_range(2..label.len() - 1)
                };
                let (a, b) = m.label.split_at(cut);
                format!("{a}-{b}.{suffix}")
            } else {
                format!("{}-{suffix}.com", m.label)
            }
        }
        Technique::AddedWord => {
            let word = *["info", "actu", "news", "direct", "live", "europe", "24"].choose(rng)?;
            let tld = *[suffix, "com", "net"].choose(rng)?;
            format!("{}-{word}.{tld}", m.label)
        }
        Technique::Subdomain => {
            let a = *["actu", "news", "info", "media", "presse"].choose(rng)?;
            let b = *["eu", "24", "direct", "online"].choose(rng)?;
            format!("{}.{suffix}.{a}-{b}.com", m.label)
        }
    };
    (host != m.domain()).then_some(host)
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let texts = ctx.texts;
    // One pool of throwaway spreaders; each operation lists those that posted its links.
    let spreaders: Vec<(String, crate::lang::Lang)> = (0..10)
        .map(|i| {
            let lang = if i < 8 {
                crate::lang::Lang::Fr
            } else {
                crate::lang::Lang::De
            };
            (ctx.person_account("x", lang, i % 2 == 0), lang)
        })
        .collect();
    let protected: BTreeSet<String> = PROTECTED_MEDIA.iter().map(|m| m.domain()).collect();
    let mut all_hosts: BTreeSet<String> = BTreeSet::new();
    let mut ops = Vec::new();

    for (mi, m) in PROTECTED_MEDIA.iter().enumerate() {
        let mut op = operation(
            &format!("op-lookalike-{}", mi + 1),
            "lookalike_domain",
            format!(
                "Look-alike domains of {} ({}) linked from posts",
                m.name,
                m.domain()
            ),
        );
        op.imitates = vec![m.domain()];
        // Every technique appears at least once over the five outlets, plus random extras.
        let mut techs = vec![
            Technique::ALL[(2 * mi) % 9],
            Technique::ALL[(2 * mi + 1) % 9],
        ];
        let mut rest: Vec<Technique> = Technique::ALL
            .iter()
            .copied()
            .filter(|t| !techs.contains(t))
            .collect();
        rest.shuffle(&mut ctx.rng);
        techs.extend(rest.into_iter().take(ctx.rng.gen_range(2..=4)));

        let mut techniques = Map::new();
        for t in techs {
            let host = (0..8).find_map(|_| {
                make(&mut ctx.rng, m, t)
                    .filter(|h| !protected.contains(h) && !all_hosts.contains(h))
            });
            let Some(host) = host else { continue };
            all_hosts.insert(host.clone());
            techniques.insert(host.clone(), Value::from(t.name()));
            let record = lookalike_record(ctx, m, &host);
            ctx.domains.push(record);
            op.domains.push(host.clone());

            // Posts linking to it, in the outlet's language, by spreaders of that language.
            let langs: Vec<&(String, crate::lang::Lang)> =
                spreaders.iter().filter(|(_, l)| *l == m.lang).collect();
            let vocab = texts.vocab(m.lang);
            for _ in 0..ctx.rng.gen_range(2..=5) {
                let (who, _) = langs[ctx.rng.gen_range(0..langs.len())];
                let at = ctx.daytime(0..ctx.clock.days, 7, 23);
                let (claim, talking_point) = narrative::keyed_sentence(&mut ctx.rng, m.lang);
                let date = at.date_naive();
                let url = format!(
                    "https://{host}/politique/article/{}/{:02}/{:02}/{}_{}.html",
                    date.year(),
                    date.month(),
                    date.day(),
                    slug(&vocab.title(&mut ctx.rng), 6),
                    ctx.rng.gen_range(6_000_000..6_999_999)
                );
                let text = format!("{} ({}) {url}", claim, m.name);
                let id = ctx.post(who, "x", at, text, m.lang, None);
                ctx.copies(&talking_point, &id);
                op.items.push(id);
                if !op.accounts.contains(who) {
                    op.accounts.push(who.clone());
                }
            }
        }
        op.details
            .insert("techniques".into(), Value::Object(techniques));
        ops.push(op);
    }

    // Negatives: harmless unrelated domains and the genuine outlets.
    let mut neg = NegativeSet {
        reason: "unrelated benign domains and the genuine news sites".into(),
        ..NegativeSet::default()
    };
    for d in BENIGN_DOMAINS {
        let registered = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(5..3000));
        ctx.domains.push(DomainRecord {
            domain: d.to_owned(),
            first_seen: Some(registered + Duration::days(1)),
            registered_at: Some(registered),
            registrar: Some(["OVH SAS", "GANDI SAS", "IONOS SE"][ctx.rng.gen_range(0..3)].into()),
            nameservers: vec![format!("dns{}.ovh.net", ctx.rng.gen_range(10..200))],
            ips: vec![format!("192.0.2.{}", ctx.rng.gen_range(1..250))],
            asn: Some("AS64510".into()),
            cert_issuer: Some("Let's Encrypt R3".into()),
            title: Some(d.split('.').next().unwrap_or(d).replace('-', " ")),
            html: None,
            extra: Map::new(),
        });
        neg.domains.push(d.to_owned());
    }
    for s in NEWS_SITES {
        ctx.domains.push(DomainRecord {
            domain: s.site.to_owned(),
            first_seen: Some(ctx.clock.t0 - Duration::days(8000)),
            registered_at: Some(ctx.clock.t0 - Duration::days(ctx.rng.gen_range(7000..10_000))),
            registrar: Some("GANDI SAS".into()),
            nameservers: vec![format!("ns1.{}", s.site), format!("ns2.{}", s.site)],
            ips: vec![format!("192.0.2.{}", ctx.rng.gen_range(1..250))],
            asn: Some("AS64511".into()),
            cert_issuer: Some("DigiCert Global G2 TLS RSA SHA256 2020 CA1".into()),
            title: None,
            html: None,
            extra: Map::new(),
        });
        neg.domains.push(s.site.to_owned());
    }
    ctx.negatives.add("lookalike_domain", neg);
    ops
}

fn lookalike_record(ctx: &mut Ctx<'_>, m: &ProtectedMedia, host: &str) -> DomainRecord {
    let registered = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(2..45));
    let html = format!(
        "<html lang=\"{}\"><head><title>{}</title><link rel=\"canonical\" \
         href=\"https://www.{}/\"></head><body><header class=\"site-header\">{}</header>\
         <main id=\"article\"></main></body></html>",
        m.lang.code(),
        m.title,
        m.domain(),
        m.name
    );
    DomainRecord {
        domain: host.to_owned(),
        first_seen: Some(registered + Duration::hours(ctx.rng.gen_range(2..72))),
        registered_at: Some(registered),
        registrar: Some(["NameSilo, LLC", "Namecheap, Inc."][ctx.rng.gen_range(0..2)].into()),
        nameservers: vec![
            "ada.ns.cloudflare.com".into(),
            "bob.ns.cloudflare.com".into(),
        ],
        ips: vec![format!("192.0.2.{}", 100 + ctx.rng.gen_range(0..20))],
        asn: Some("AS64503".into()),
        cert_issuer: Some("Let's Encrypt R3".into()),
        title: Some(m.title.to_owned()),
        html: Some(html),
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn every_technique_yields_a_different_host() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for m in &PROTECTED_MEDIA {
            for t in Technique::ALL {
                for _ in 0..20 {
                    if let Some(h) = make(&mut rng, m, t) {
                        assert_ne!(h, m.domain());
                        assert!(h.is_ascii() && h == h.to_lowercase(), "{h}");
                        if t == Technique::Homoglyph {
                            assert!(h.starts_with("xn--"), "{h}");
                        }
                    }
                }
            }
        }
        let lm = &PROTECTED_MEDIA[0];
        assert!(make(&mut rng, lm, Technique::Homoglyph).is_some());
    }
}
