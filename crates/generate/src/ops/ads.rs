//! `political_ad`: an ad library for the campaign. Background: domestic parties advertising for
//! months with disclaimers, a German party at home, commercial advertisers. Operation (after the
//! Social Design Agency's Meta campaigns): eight news-looking pages first active a few weeks
//! before the vote, paid from Russia or shell companies (two payers on the sanctions list),
//! mostly without disclaimer, sharing creatives, payers and link domains (one a look-alike of a
//! protected outlet), two of them bursting, two micro-targeting, two copying a talking point of
//! the coordinated accounts. Decoys: a party's regional pages sharing creatives under one
//! declared sponsor, a foreign shop, youth-targeted party ads.
//!
//! The truth lists, per signal, the ads that carry it by construction (`details.signals`).

use super::lookalike::{make, Technique};
use super::{operation, Ctx};
use crate::lang::CANDIDATES;
use crate::narrative::NARRATIVES;
use crate::truth::{NegativeSet, Operation};
use crate::world::PROTECTED_MEDIA;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use vigie_core::Ad;

/// Names on the sanctions list the generated vigie.toml carries, written as the list writes
/// them; the operation's payers spell them otherwise.
pub const SANCTIONED: [&str; 2] = ["Илья Андреевич Гамбашидзе", "ООО «Структура»"];

/// An operation page: payer, payer country, disclaimer, link group, burst, micro-targeting,
/// copying a talking point.
struct OpPage {
    name: &'static str,
    payer: &'static str,
    country: Option<&'static str>,
    disclaimer: Option<&'static str>,
    lookalike_links: bool,
    burst: bool,
    narrow: bool,
    copies: bool,
}

const OP_PAGES: [OpPage; 8] = [
    OpPage {
        name: "Infos Vraies France",
        payer: "Promo Media Services",
        country: Some("RU"),
        disclaimer: None,
        lookalike_links: true,
        burst: true,
        narrow: false,
        copies: false,
    },
    OpPage {
        name: "Le Citoyen Libre",
        payer: "Promo Media Services",
        country: Some("RU"),
        disclaimer: None,
        lookalike_links: true,
        burst: true,
        narrow: false,
        copies: false,
    },
    OpPage {
        name: "France Réveille-toi",
        payer: "Promo Media Services",
        country: Some("RU"),
        disclaimer: None,
        lookalike_links: true,
        burst: false,
        narrow: true,
        copies: false,
    },
    OpPage {
        name: "Actu Souveraine",
        payer: "Global Reach Holdings",
        country: Some("SC"),
        disclaimer: None,
        lookalike_links: true,
        burst: false,
        narrow: true,
        copies: false,
    },
    OpPage {
        name: "La Voix du Peuple",
        payer: "Structura LLC",
        country: Some("SC"),
        disclaimer: None,
        lookalike_links: false,
        burst: false,
        narrow: false,
        copies: false,
    },
    OpPage {
        name: "Europe Sans Masque",
        payer: "GAMBASHIDZE, Ilia",
        country: None,
        disclaimer: None,
        lookalike_links: false,
        burst: false,
        narrow: false,
        copies: false,
    },
    OpPage {
        name: "Comité Citoyen 2024",
        payer: "Comité Citoyen",
        country: Some("FR"),
        disclaimer: Some("Payé par Comité Citoyen"),
        lookalike_links: false,
        burst: false,
        narrow: false,
        copies: true,
    },
    OpPage {
        name: "Nos Régions d'Abord",
        payer: "Comité Citoyen Régions",
        country: Some("FR"),
        disclaimer: Some("Payé par Comité Citoyen Régions"),
        lookalike_links: false,
        burst: false,
        narrow: false,
        copies: true,
    },
];

/// The shared creatives of pages 0-5: three narratives (first French template, two of their
/// keywords each) and two plain calls to vote against Europe.
fn creatives() -> Vec<(String, Option<usize>)> {
    let mut out: Vec<(String, Option<usize>)> = [0usize, 1, 2]
        .iter()
        .map(|&n| {
            let t = NARRATIVES[n]
                .templates
                .iter()
                .find(|(l, _)| l.code() == "fr")
                .map(|(_, t)| t[0])
                .unwrap_or("");
            (
                format!(
                    "{} Informez-vous avant le 9 juin.",
                    t.replace("{cand}", CANDIDATES[n].0).replace("{n}", "300")
                ),
                Some(n),
            )
        })
        .collect();
    out.push((
        "Ils vous cachent la vérité sur l'Union européenne : le 9 juin, votez pour la France d'abord et contre Bruxelles."
            .into(),
        None,
    ));
    out.push((
        "Le gouvernement prépare votre appauvrissement en secret. Le 9 juin, votez pour reprendre le contrôle."
            .into(),
        None,
    ));
    out
}

const THEMES: [&str; 6] = [
    "pour le pouvoir d'achat",
    "pour l'école publique",
    "pour nos hôpitaux",
    "pour une Europe qui protège",
    "pour la transition écologique",
    "pour nos agriculteurs",
];

const SHOPS: [(&str, &str, &str); 6] = [
    (
        "Maison Lumière",
        "FR",
        "Soldes d'été : -30 % sur toute la collection de luminaires.",
    ),
    (
        "Burger Atelier",
        "FR",
        "Nouvelle carte : essayez nos burgers maison, livraison offerte.",
    ),
    (
        "Colis Malin",
        "FR",
        "Abonnez-vous et recevez votre premier colis gratuit.",
    ),
    (
        "Gîtes de Bretagne",
        "FR",
        "Location de vacances en Bretagne, réservez dès maintenant.",
    ),
    (
        "Schuhhaus Berger",
        "DE",
        "Nouvelles chaussures de printemps, livraison gratuite en France.",
    ),
    (
        "Green Energy Ireland",
        "IE",
        "Panneaux solaires : faites jusqu'à 40 % d'économies.",
    ),
];

struct AdSpec<'a> {
    page_id: &'a str,
    page_name: &'a str,
    at: DateTime<Utc>,
    text: String,
    payer: Option<&'a str>,
    country: Option<&'a str>,
    disclaimer: Option<&'a str>,
    url: Option<String>,
    ages: &'a str,
    genders: &'a [&'a str],
    regions: &'a [&'a str],
    targets: &'a str,
}

fn make_ad(ctx: &mut Ctx<'_>, spec: AdSpec<'_>) -> String {
    ctx.ad_seq += 1;
    // Scrambled (an odd multiplier modulo 2^48 is a bijection): ids must not reveal which ads
    // were generated last, i.e. the operation's.
    let id = format!(
        "{}",
        1_000_000_000_000_000u64
            + (ctx.ad_seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 48) - 1))
    );
    let spend_lo = [0.0, 100.0, 200.0][ctx.rng.gen_range(0..3)];
    let impr_lo = [1_000u64, 5_000, 10_000][ctx.rng.gen_range(0..3)];
    let mut extra = Map::new();
    if !spec.regions.is_empty() {
        extra.insert("target_regions".into(), json!(spec.regions));
    }
    ctx.ads.push(Ad {
        id: id.clone(),
        platform: "facebook".into(),
        page_id: spec.page_id.to_owned(),
        page_name: spec.page_name.to_owned(),
        started_at: spec.at,
        text: spec.text,
        payer: spec.payer.map(str::to_owned),
        payer_country: spec.country.map(str::to_owned),
        ended_at: Some(spec.at + Duration::days(ctx.rng.gen_range(1..10))),
        spend_min: Some(spend_lo),
        spend_max: Some(spend_lo + 99.0),
        currency: Some("EUR".into()),
        impressions_min: Some(impr_lo),
        impressions_max: Some(impr_lo * 5 - 1),
        target_countries: vec![spec.targets.to_owned()],
        target_ages: Some(spec.ages.to_owned()),
        target_genders: spec.genders.iter().map(|g| (*g).to_owned()).collect(),
        url: spec.url,
        disclaimer: spec.disclaimer.map(str::to_owned),
        extra,
    });
    id
}

/// An instant `days_before` days (fractional) before polling day's 08:00 Paris.
fn before_vote(ctx: &Ctx<'_>, days_before: f64) -> DateTime<Utc> {
    let vote = ctx.clock.at(ctx.clock.days.saturating_sub(1), 8 * 3600);
    vote - Duration::seconds((days_before * 86_400.0) as i64)
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    background(ctx);
    let mut op = operation(
        "op-ads-1",
        "political_ad",
        "Eight news-looking pages paid from Russia and shell companies run unlabelled political \
         ads in the last weeks before the vote, sharing creatives, payers and links."
            .into(),
    );
    let mut signals: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let lookalike = make(&mut ctx.rng, &PROTECTED_MEDIA[0], Technique::TldSwap)
        .unwrap_or_else(|| format!("{}.ltd", PROTECTED_MEDIA[0].label));
    let own_domain = "verite-europe.info";
    let pool = creatives();
    let talking_point = copied_talking_point(ctx);
    // The narrative creatives are first French templates: where the coordinated accounts copied
    // the same template, the ads copy that copy-paste cluster too.
    let copied: Vec<bool> = pool
        .iter()
        .map(|(_, n)| {
            n.is_some_and(|n| talking_point_authors(ctx, &format!("talking-point/{n}/fr/0")) >= 3)
        })
        .collect();
    for (p, page) in OP_PAGES.iter().enumerate() {
        let page_id = format!("{}", 100_900_000_000 + p as u64 * 1_013);
        op.accounts.push(page_id.clone());
        let first = ctx.rng.gen_range(12.0..24.0);
        let n = ctx.rng.gen_range(10..16);
        let mut times: Vec<f64> = (0..n).map(|_| ctx.rng.gen_range(1.0..first)).collect();
        times.push(first);
        let mut instants: Vec<DateTime<Utc>> = times.iter().map(|&t| before_vote(ctx, t)).collect();
        // A burst: twenty ads within one (UTC) day, 08:00 to 14:20.
        let burst_day = page.burst.then(|| {
            let days_before = ctx.rng.gen_range(3.0..8.0f64);
            let day = before_vote(ctx, days_before).date_naive();
            let start = day.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc();
            instants.extend((0..20).map(|k| start + Duration::minutes(20 * k)));
            day
        });
        for (k, &at) in instants.iter().enumerate() {
            let (text, narrative, copies) = match (&talking_point, page.copies) {
                (Some((text, n)), true) => (text.clone(), *n, true),
                _ => {
                    let c = (p + k) % pool.len();
                    (pool[c].0.clone(), pool[c].1, copied[c])
                }
            };
            let host = if page.lookalike_links {
                lookalike.clone()
            } else {
                own_domain.to_owned()
            };
            let id = make_ad(
                ctx,
                AdSpec {
                    page_id: &page_id,
                    page_name: page.name,
                    at,
                    text,
                    payer: Some(page.payer),
                    country: page.country,
                    disclaimer: page.disclaimer,
                    url: Some(format!("https://{host}/article/{}", 1000 + k * 37 + p)),
                    ages: if page.narrow { "55-64" } else { "18-65+" },
                    genders: if page.narrow { &["female"] } else { &[] },
                    regions: &[],
                    targets: "FR",
                },
            );
            let mut carries = vec!["new_advertiser", "shared_domain"];
            if matches!(page.country, Some(c) if c != "FR") {
                carries.push("foreign_payer");
            }
            if page.disclaimer.is_none() {
                carries.push("no_disclaimer");
            }
            if SANCTIONED_PAYERS.contains(&page.payer) {
                carries.push("sanctioned_payer");
            }
            if page.payer == "Promo Media Services" {
                carries.push("shared_payer");
            }
            if !page.copies || talking_point.is_none() {
                carries.push("shared_creative");
            }
            if copies {
                carries.push("copy_cluster");
            }
            if narrative.is_some() {
                carries.push("narrative");
            }
            if page.lookalike_links {
                carries.push("lookalike_link");
            }
            if page.narrow {
                carries.push("micro_targeting");
            }
            if burst_day.is_some_and(|d| at.date_naive() == d) {
                carries.push("burst");
            }
            for s in carries {
                signals.entry(s).or_default().push(id.clone());
            }
            op.items.push(id);
        }
    }
    // Link domains are in the details: they are not in the domain feed.
    op.details.insert(
        "link_domains".into(),
        json!([lookalike.clone(), own_domain.to_owned()]),
    );
    op.imitates = vec![PROTECTED_MEDIA[0].domain()];
    op.details.insert(
        "signals".into(),
        Value::Object(
            signals
                .into_iter()
                .map(|(k, v)| (k.to_owned(), json!(v)))
                .collect(),
        ),
    );
    vec![op]
}

/// The operation's spellings of the sanctioned names.
const SANCTIONED_PAYERS: [&str; 2] = ["GAMBASHIDZE, Ilia", "Structura LLC"];

/// Distinct authors of the posts copying the talking point `key`.
fn talking_point_authors(ctx: &Ctx<'_>, key: &str) -> usize {
    let Some(items) = ctx.copy_groups.get(key) else {
        return 0;
    };
    let items: BTreeSet<&str> = items.iter().map(String::as_str).collect();
    ctx.items
        .iter()
        .filter_map(|i| match i {
            super::Item::Post(p) if items.contains(p.id.as_str()) => Some(p.author.as_str()),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .len()
}

/// The text of a French talking point the coordinated accounts copied (first template of a
/// narrative), and its narrative.
fn copied_talking_point(ctx: &Ctx<'_>) -> Option<(String, Option<usize>)> {
    let (key, items) = ctx
        .copy_groups
        .iter()
        .filter(|(k, items)| {
            k.starts_with("talking-point/") && k.ends_with("/fr/0") && items.len() >= 4
        })
        .max_by_key(|(_, items)| items.len())?;
    let narrative = key.split('/').nth(1).and_then(|n| n.parse().ok());
    let first = items.first()?;
    ctx.items.iter().find_map(|i| match i {
        super::Item::Post(p) if &p.id == first => Some((p.text.clone(), narrative)),
        _ => None,
    })
}

/// Domestic parties, a party's regional pages, a German party, and shops.
fn background(ctx: &mut Ctx<'_>) {
    let total = ctx.organic_ads.max(200);
    let mut neg = NegativeSet {
        reason: "domestic parties' regional pages sharing creatives under one declared sponsor, \
                 a foreign shop advertising in France, youth-targeted party ads"
            .into(),
        ..NegativeSet::default()
    };
    // Parties: half of the background, over five months, twice as dense in the last month.
    let per_party = total / 2 / CANDIDATES.len();
    for (c, (cand, _, party)) in CANDIDATES.iter().enumerate() {
        let page_id = format!("{}", 200_100_000_000 + c as u64 * 977);
        let disclaimer = format!("Payé par {party}");
        for _ in 0..per_party {
            let t = if ctx.rng.gen_bool(0.35) {
                ctx.rng.gen_range(0.5..30.0)
            } else {
                ctx.rng.gen_range(30.0..150.0)
            };
            let at = before_vote(ctx, t);
            let theme = THEMES[ctx.rng.gen_range(0..THEMES.len())];
            let youth = ctx.rng.gen_bool(0.1);
            let id = make_ad(
                ctx,
                AdSpec {
                    page_id: &page_id,
                    page_name: party,
                    at,
                    text: format!("Le 9 juin, votez {party} avec {cand} {theme}."),
                    payer: Some(party),
                    country: Some("FR"),
                    disclaimer: Some(&disclaimer),
                    url: Some(format!("https://{}.fr/programme", slug(party))),
                    ages: if youth { "18-24" } else { "18-65+" },
                    genders: &[],
                    regions: &[],
                    targets: "FR",
                },
            );
            if youth {
                neg.items.push(id);
            }
        }
    }
    // The first party's regional pages: the same creative, one declared sponsor.
    let (_, _, party) = CANDIDATES[0];
    let disclaimer = format!("Payé par {party}");
    for (r, region) in ["Bretagne", "Occitanie", "Grand Est"].iter().enumerate() {
        let page_id = format!("{}", 200_500_000_000 + r as u64 * 131);
        let name = format!("{party} {region}");
        neg.accounts.push(page_id.clone());
        for _ in 0..(total / 60).max(4) {
            let t = ctx.rng.gen_range(1.0..140.0);
            let at = before_vote(ctx, t);
            let id = make_ad(
                ctx,
                AdSpec {
                    page_id: &page_id,
                    page_name: &name,
                    at,
                    text: format!(
                        "Le 9 juin, votez {party} : une Europe qui protège nos régions et nos emplois."
                    ),
                    payer: Some(party),
                    country: Some("FR"),
                    disclaimer: Some(&disclaimer),
                    url: Some(format!("https://{}.fr/regions", slug(party))),
                    ages: "18-65+",
                    genders: &[],
                    regions: &[region],
                    targets: "FR",
                },
            );
            neg.items.push(id);
        }
    }
    // A German party at home.
    for _ in 0..(total / 20).max(4) {
        let t = ctx.rng.gen_range(1.0..120.0);
        let at = before_vote(ctx, t);
        make_ad(
            ctx,
            AdSpec {
                page_id: "300100000001",
                page_name: "Bürgerunion Deutschland",
                at,
                text: "Am 9. Juni zur Europawahl: Ihre Stimme für eine starke Bürgerunion.".into(),
                payer: Some("Bürgerunion Deutschland e.V."),
                country: Some("DE"),
                disclaimer: Some("Bezahlt von Bürgerunion Deutschland e.V."),
                url: Some("https://buergerunion.de/".into()),
                ages: "18-65+",
                genders: &[],
                regions: &[],
                targets: "DE",
            },
        );
    }
    // Shops: the rest, no disclaimer (they need none), some paid from abroad.
    let placed = ctx.ads.len();
    for k in 0..total.saturating_sub(placed) {
        let (name, country, text) = SHOPS[k % SHOPS.len()];
        let t = ctx.rng.gen_range(0.5..150.0);
        let at = before_vote(ctx, t);
        let page_id = format!("{}", 400_100_000_000 + (k % SHOPS.len()) as u64 * 59);
        let id = make_ad(
            ctx,
            AdSpec {
                page_id: &page_id,
                page_name: name,
                at,
                text: text.into(),
                payer: Some(name),
                country: Some(country),
                disclaimer: None,
                url: Some(format!("https://{}.com/", slug(name))),
                ages: "18-65+",
                genders: &[],
                regions: &[],
                targets: "FR",
            },
        );
        if country != "FR" {
            neg.items.push(id);
        }
    }
    ctx.negatives.add("political_ad", neg);
}

fn slug(name: &str) -> String {
    crate::text::ascii_lower(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}
