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
    /// A keyboard-adjacent replacement.
    Typo,
    Omission,
    Insertion,
    Repetition,
    Transposition,
    VowelSwap,
    BitFlip,
    Homoglyph,
    TldSwap,
    /// The same label under a multi-label suffix such as `.co.com` or `.eu.com`.
    MultiLabelSuffix,
    /// A typo and another suffix at once (`t-onlinr.today`).
    TypoSuffix,
    Hyphenation,
    AddedWord,
    Subdomain,
}

impl Technique {
    pub const ALL: [Technique; 14] = [
        Technique::Typo,
        Technique::Omission,
        Technique::Insertion,
        Technique::Repetition,
        Technique::Transposition,
        Technique::VowelSwap,
        Technique::BitFlip,
        Technique::Homoglyph,
        Technique::TldSwap,
        Technique::MultiLabelSuffix,
        Technique::TypoSuffix,
        Technique::Hyphenation,
        Technique::AddedWord,
        Technique::Subdomain,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Technique::Typo => "typo",
            Technique::Omission => "omission",
            Technique::Insertion => "insertion",
            Technique::Repetition => "repetition",
            Technique::Transposition => "transposition",
            Technique::VowelSwap => "vowel_swap",
            Technique::BitFlip => "bit_flip",
            Technique::Homoglyph => "homoglyph",
            Technique::TldSwap => "tld_swap",
            Technique::MultiLabelSuffix => "multi_label_suffix",
            Technique::TypoSuffix => "typo_suffix",
            Technique::Hyphenation => "hyphenation",
            Technique::AddedWord => "added_word",
            Technique::Subdomain => "subdomain",
        }
    }

    /// The names a reverse matcher may give this edit (some edits are several things at once:
    /// `e`→`a` is a vowel swap and a bit flip).
    pub fn detected_as(self) -> &'static [&'static str] {
        const REPLACEMENTS: &[&str] = &[
            "keyboard_replacement",
            "visual_replacement",
            "vowel_swap",
            "bit_flip",
            "replacement",
        ];
        match self {
            Technique::Typo | Technique::VowelSwap | Technique::BitFlip => REPLACEMENTS,
            Technique::Omission => &["omission"],
            Technique::Insertion => &["insertion", "repetition"],
            Technique::Repetition => &["repetition"],
            Technique::Transposition => &["transposition"],
            Technique::Homoglyph => &["homoglyph"],
            Technique::TldSwap | Technique::MultiLabelSuffix | Technique::TypoSuffix => {
                &["suffix_swap"]
            }
            Technique::Hyphenation => &["hyphenation", "added_word"],
            Technique::AddedWord => &["added_word"],
            Technique::Subdomain => &["subdomain"],
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
    make_from(rng, m.label, m.suffix, t)
}

/// A one-letter typo of `label` made by `t` (one of the typo techniques).
fn typo<R: Rng>(rng: &mut R, label: &[char], t: Technique) -> Option<Vec<char>> {
    let letters: Vec<usize> = (0..label.len())
        .filter(|&i| label[i].is_ascii_alphabetic())
        .collect();
    let mut l = label.to_vec();
    match t {
        Technique::Typo => {
            let i = *letters.choose(rng)?;
            let opts: Vec<char> = neighbours(label[i]).chars().collect();
            l[i] = *opts.choose(rng)?;
        }
        Technique::Omission => {
            l.remove(rng.gen_range(1..label.len()));
        }
        Technique::Insertion => {
            let i = rng.gen_range(1..label.len());
            let c = (b'a' + rng.gen_range(0..26u8)) as char;
            if c == label[i] || c == label[i - 1] {
                return None;
            }
            l.insert(i, c);
        }
        Technique::Repetition => {
            let i = *letters.choose(rng)?;
            l.insert(i, label[i]);
        }
        Technique::Transposition => {
            let pairs: Vec<usize> = (0..label.len() - 1)
                .filter(|&i| label[i] != label[i + 1])
                .collect();
            let i = *pairs.choose(rng)?;
            l.swap(i, i + 1);
        }
        Technique::VowelSwap => {
            let vowels: Vec<usize> = (0..label.len())
                .filter(|&i| "aeiou".contains(label[i]))
                .collect();
            let i = *vowels.choose(rng)?;
            let others: Vec<char> = "aeiou".chars().filter(|c| *c != label[i]).collect();
            l[i] = *others.choose(rng)?;
        }
        Technique::BitFlip => {
            let i = *letters.choose(rng)?;
            let flips: Vec<char> = (0..7)
                .map(|b| ((label[i] as u8) ^ (1 << b)) as char)
                .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                .collect();
            l[i] = *flips.choose(rng)?;
        }
        _ => return None,
    }
    (l != label).then_some(l)
}

/// New generic suffixes of the kind Doppelgänger registered (`spiegel.ltd`, `t-onlinr.today`).
const SWAP_TLDS: [&str; 10] = [
    "ltd", "live", "today", "pro", "online", "world", "life", "top", "site", "news",
];
const MULTI_LABEL_SUFFIXES: [&str; 8] = [
    "co.com", "eu.com", "de.com", "uk.com", "us.com", "com.de", "net.ru", "co.de",
];

/// A look-alike of `label.suffix` made by `t`, or `None` when `t` does not apply to the name.
pub fn make_from<R: Rng>(rng: &mut R, label: &str, suffix: &str, t: Technique) -> Option<String> {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() < 2 {
        return None;
    }
    let with = |l: Vec<char>, sfx: &str| format!("{}.{sfx}", l.into_iter().collect::<String>());
    let other_tld = |rng: &mut R| -> Option<&'static str> {
        let tlds: Vec<&str> = SWAP_TLDS.into_iter().filter(|t| *t != suffix).collect();
        tlds.choose(rng).copied()
    };
    let host = match t {
        Technique::Typo
        | Technique::Omission
        | Technique::Insertion
        | Technique::Repetition
        | Technique::Transposition
        | Technique::VowelSwap
        | Technique::BitFlip => with(typo(rng, &chars, t)?, suffix),
        Technique::TypoSuffix => {
            let kind = *[
                Technique::Typo,
                Technique::Omission,
                Technique::Repetition,
                Technique::Transposition,
                Technique::VowelSwap,
            ]
            .choose(rng)?;
            let sfx = other_tld(rng)?;
            with(typo(rng, &chars, kind)?, sfx)
        }
        Technique::Homoglyph => {
            let spots: Vec<usize> = (0..chars.len())
                .filter(|&i| homoglyph(chars[i]).is_some())
                .collect();
            let i = *spots.choose(rng)?;
            let mut l = chars.clone();
            l[i] = homoglyph(chars[i])?;
            idna::domain_to_ascii(&with(l, suffix)).ok()?
        }
        Technique::TldSwap => format!("{label}.{}", other_tld(rng)?),
        Technique::MultiLabelSuffix => format!("{label}.{}", MULTI_LABEL_SUFFIXES.choose(rng)?),
        Technique::Hyphenation => {
            if rng.gen_bool(0.5) && chars.len() > 4 {
                let cut = if label.starts_with("le") {
                    2
                } else {
                    rng.gen_range(2..chars.len() - 1)
                };
                let (a, b) = chars.split_at(cut);
                format!(
                    "{}-{}.{suffix}",
                    a.iter().collect::<String>(),
                    b.iter().collect::<String>()
                )
            } else {
                format!("{label}-{}.com", suffix.replace('.', "-"))
            }
        }
        Technique::AddedWord => {
            let word = *["info", "actu", "news", "direct", "live", "europe", "24"].choose(rng)?;
            let tld = *[suffix, "online", "live"].choose(rng)?;
            if rng.gen_bool(0.2) {
                format!("{label}{word}.{tld}")
            } else {
                format!("{label}-{word}.{tld}")
            }
        }
        Technique::Subdomain => {
            let a = *["actu", "news", "info", "media", "presse"].choose(rng)?;
            let b = *["eu", "24", "direct", "online"].choose(rng)?;
            format!("{label}.{suffix}.{a}-{b}.com")
        }
    };
    (host != format!("{label}.{suffix}")).then_some(host)
}

/// Words and places ordinary new domains are made of: the negatives of look-alike detection.
const BENIGN_WORDS: [&str; 24] = [
    "jardin",
    "cuisine",
    "velo",
    "montagne",
    "photo",
    "musique",
    "ecole",
    "boulangerie",
    "garage",
    "immobilier",
    "voyage",
    "sport",
    "yoga",
    "atelier",
    "bricolage",
    "cafe",
    "fahrrad",
    "kaffee",
    "pizzeria",
    "libreria",
    "ogrod",
    "taller",
    "studio",
    "conseil",
];
const BENIGN_PLACES: [&str; 12] = [
    "lyon", "nantes", "lille", "berlin", "koeln", "napoli", "torino", "krakow", "sevilla",
    "bordeaux", "alpes", "bretagne",
];

/// An ordinary new domain (`cuisine-lyon.fr`, `yogaberlin.de`).
pub fn benign<R: Rng>(rng: &mut R) -> Option<String> {
    let w = BENIGN_WORDS.choose(rng)?;
    let p = BENIGN_PLACES.choose(rng)?;
    let tld = ["fr", "de", "com", "net", "it", "pl", "es", "eu", "org"].choose(rng)?;
    Some(match rng.gen_range(0..3) {
        0 => format!("{w}-{p}.{tld}"),
        1 => format!("{w}{p}.{tld}"),
        _ => format!("{p}-{w}-{}.{tld}", rng.gen_range(1..99)),
    })
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
    let mut genuine_accounts = Vec::new();

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
        let n = Technique::ALL.len();
        let mut techs: Vec<Technique> = (0..3).map(|k| Technique::ALL[(3 * mi + k) % n]).collect();
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
        // The clone pages: every look-alike serves a copy of the outlet's page, and the first
        // republishes one of the outlet's articles word for word.
        let mut clone = operation(
            &format!("op-cloned-site-{}", mi + 1),
            "cloned_site",
            format!(
                "Clones of {} ({}) on its look-alike domains",
                m.name,
                m.domain()
            ),
        );
        clone.imitates = vec![m.domain()];
        clone.domains = op.domains.clone();
        if let Some(host) = op.domains.first() {
            let vocab = texts.vocab(m.lang);
            let title = vocab.title(&mut ctx.rng);
            let body = vocab.sentences(&mut ctx.rng, 4);
            let at = ctx.daytime(0..ctx.clock.days.saturating_sub(1), 7, 12);
            let path = slug(&title, 6);
            let real = ctx.article(
                &m.domain(),
                format!("https://www.{}/{path}.html", m.domain()),
                at,
                title.clone(),
                body.clone(),
                m.lang,
                None,
            );
            let copied_at = at + Duration::hours(ctx.rng.gen_range(2..20));
            let copy = ctx.article(
                host,
                format!("https://{host}/{path}.html"),
                copied_at,
                title,
                body,
                m.lang,
                None,
            );
            let key = format!("clone-{}", m.domain());
            ctx.copies(&key, &real);
            ctx.copies(&key, &copy);
            clone.items.push(copy.clone());
            // The copy is on a look-alike domain too.
            op.items.push(copy);
            clone.details.insert("original".into(), Value::from(real));
        }
        ops.push(op);
        ops.push(clone);
        let (account_op, genuine) = lookalike_accounts(ctx, mi, m);
        ops.push(account_op);
        genuine_accounts.push(genuine);
    }
    ctx.negatives.add(
        "lookalike_account",
        NegativeSet {
            reason: "the outlets' own accounts, with their real avatars".into(),
            accounts: genuine_accounts,
            ..NegativeSet::default()
        },
    );

    // Negatives: harmless unrelated domains and the genuine outlets.
    let mut neg = NegativeSet {
        reason: "unrelated benign domains and the genuine news sites".into(),
        ..NegativeSet::default()
    };
    // Ordinary domains registered during the campaign, as a newly-registered-domains feed shows.
    let mut fresh: Vec<String> = Vec::new();
    while fresh.len() < 20 {
        match benign(&mut ctx.rng) {
            Some(d) if !fresh.contains(&d) => fresh.push(d),
            Some(_) => {}
            None => break,
        }
    }
    for d in &fresh {
        let registered = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(1..30));
        ctx.domains.push(DomainRecord {
            first_seen: Some(registered + Duration::hours(ctx.rng.gen_range(2..48))),
            registered_at: Some(registered),
            ..DomainRecord::new(d.clone())
        });
        neg.domains.push(d.clone());
    }
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
        let own = PROTECTED_MEDIA.iter().find(|m| m.domain() == s.site);
        ctx.domains.push(DomainRecord {
            domain: s.site.to_owned(),
            first_seen: Some(ctx.clock.t0 - Duration::days(8000)),
            registered_at: Some(ctx.clock.t0 - Duration::days(ctx.rng.gen_range(7000..10_000))),
            registrar: Some("GANDI SAS".into()),
            nameservers: vec![format!("ns1.{}", s.site), format!("ns2.{}", s.site)],
            ips: vec![format!("192.0.2.{}", ctx.rng.gen_range(1..250))],
            asn: Some("AS64511".into()),
            cert_issuer: Some("DigiCert Global G2 TLS RSA SHA256 2020 CA1".into()),
            title: own.map(|m| m.title.to_owned()),
            html: own.map(|m| outlet_page(m, &format!("https://www.{}/", m.domain()))),
            extra: Map::new(),
        });
        neg.domains.push(s.site.to_owned());
    }
    ctx.negatives.add("lookalike_domain", neg);
    ops
}

/// How a look-alike account imitates an outlet's handle.
pub const ACCOUNT_TECHNIQUES: [&str; 6] = [
    "separators",
    "added_digits",
    "added_word",
    "confusable",
    "typo",
    "other_platform",
];

/// A handle imitating `handle` by `technique`, with the platform it is registered on.
fn imitate_handle<R: Rng>(
    rng: &mut R,
    platform: &str,
    handle: &str,
    technique: &str,
) -> Option<(String, String)> {
    let chars: Vec<char> = handle.chars().collect();
    let h = match technique {
        "separators" => {
            let cut = rng.gen_range(2..chars.len().max(3) - 1);
            format!(
                "{}_{}",
                chars[..cut].iter().collect::<String>(),
                chars[cut..].iter().collect::<String>()
            )
        }
        "added_digits" => format!("{handle}{}", rng.gen_range(10..100)),
        "added_word" => format!(
            "{handle}{}",
            ["_officiel", "_news", "info", "_actu", "_live"].choose(rng)?
        ),
        "confusable" => {
            let spots: Vec<usize> = (0..chars.len())
                .filter(|&i| matches!(chars[i].to_ascii_lowercase(), 'o' | 'l' | 'e' | 'a'))
                .collect();
            let i = *spots.choose(rng)?;
            let mut l = chars.clone();
            l[i] = match chars[i].to_ascii_lowercase() {
                'o' => '0',
                'l' => '1',
                'e' => 'е', // Cyrillic
                _ => 'а',   // Cyrillic
            };
            l.into_iter().collect()
        }
        "typo" => {
            let pairs: Vec<usize> = (1..chars.len().saturating_sub(1))
                .filter(|&i| chars[i] != chars[i + 1])
                .collect();
            let i = *pairs.choose(rng)?;
            let mut l = chars.clone();
            l.swap(i, i + 1);
            l.into_iter().collect()
        }
        "other_platform" => {
            let other = if platform == "x" { "facebook" } else { "x" };
            return Some((other.to_owned(), handle.to_owned()));
        }
        _ => return None,
    };
    Some((platform.to_owned(), h))
}

/// The outlet's own account (returned, a negative) and two accounts imitating it, new, with its
/// name and often its avatar a few bits off, posting the campaign's claims.
fn lookalike_accounts(ctx: &mut Ctx<'_>, mi: usize, m: &ProtectedMedia) -> (Operation, String) {
    let (platform, handle) = m.handles[0].split_once(':').unwrap_or(("x", m.label));
    let avatar = ctx.ids.phash();
    let created = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(3000..5000));
    let genuine = ctx.account(
        platform,
        handle.to_owned(),
        Some(m.name.to_owned()),
        created,
        m.lang,
        false,
    );
    if let Some(a) = ctx.account_mut(&genuine) {
        a.verified = true;
        a.followers = Some(1_000_000 + (mi as u64) * 250_000);
        a.avatar_phash = Some(avatar.clone());
    }
    let mut op = operation(
        &format!("op-lookalike-account-{}", mi + 1),
        "lookalike_account",
        format!("Accounts imitating {} ({})", m.name, m.handles[0]),
    );
    op.imitates = vec![m.handles[0].to_owned()];
    let mut techniques = Map::new();
    for k in 0..2 {
        let technique = ACCOUNT_TECHNIQUES[(2 * mi + k) % ACCOUNT_TECHNIQUES.len()];
        let Some((pl, h)) = imitate_handle(&mut ctx.rng, platform, handle, technique) else {
            continue;
        };
        let display = if ctx.rng.gen_bool(0.5) {
            m.name.to_owned()
        } else {
            format!("{} Info", m.name)
        };
        let joined = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(1..40));
        let id = ctx.account(&pl, h, Some(display), joined, m.lang, false);
        // Half copy the real avatar, re-encoded (a few bits off).
        if ctx.rng.gen_bool(0.5) {
            let flipped = u64::from_str_radix(&avatar, 16).unwrap_or(0)
                ^ (1u64 << ctx.rng.gen_range(0..64))
                ^ (1u64 << ctx.rng.gen_range(0..64));
            if let Some(a) = ctx.account_mut(&id) {
                a.avatar_phash = Some(format!("{flipped:016x}"));
            }
        }
        techniques.insert(id.clone(), Value::from(technique));
        for _ in 0..ctx.rng.gen_range(2..=3) {
            let at = ctx.daytime(0..ctx.clock.days, 7, 23);
            let (claim, _) = narrative::keyed_sentence(&mut ctx.rng, m.lang);
            let post = ctx.post(
                &id,
                &pl,
                at,
                format!("{} — {}", m.name, claim),
                m.lang,
                None,
            );
            op.items.push(post);
        }
        op.accounts.push(id);
    }
    op.details
        .insert("techniques".into(), Value::Object(techniques));
    (op, genuine)
}

/// The outlet's home page as its own site serves it; clones serve the same page, whose
/// canonical link still names the outlet (`canonical`).
fn outlet_page(m: &ProtectedMedia, canonical: &str) -> String {
    format!(
        "<html lang=\"{lang}\"><head><title>{title}</title><link rel=\"canonical\" \
         href=\"{canonical}\"><link rel=\"stylesheet\" href=\"https://static.{domain}/css/main.css\">\
         </head><body class=\"home {label}\"><header class=\"site-header\" id=\"top\">\
         <a class=\"logo\" href=\"https://www.{domain}/\">{name}</a><nav class=\"menu main-menu\">\
         <a href=\"https://www.{domain}/politique/\">Politique</a></nav></header><main id=\"article\">\
         <section class=\"teaser lead\"></section><section class=\"teaser list\"></section></main>\
         <footer class=\"site-footer\"><a href=\"https://www.{domain}/mentions-legales\">©</a>\
         </footer></body></html>",
        lang = m.lang.code(),
        title = m.title,
        domain = m.domain(),
        label = m.label,
        name = m.name,
    )
}

fn lookalike_record(ctx: &mut Ctx<'_>, m: &ProtectedMedia, host: &str) -> DomainRecord {
    let registered = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(2..45));
    let html = outlet_page(m, &format!("https://www.{}/", m.domain()));
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
