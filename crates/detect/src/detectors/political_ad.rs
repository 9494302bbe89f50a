//! `political_ad`: ads an analyst should look at first (SPEC §5.6) — foreign or sanctioned
//! payers, unlabelled political ads, advertisers new just before the vote, bursts, narrow
//! micro-targeting, pages that share creatives, payers or link domains without saying so, and
//! creatives that copy a copy-paste cluster, a watched narrative or link to a look-alike domain.
//!
//! Every signal is its own alert (one per page, or one per shared creative, payer, domain, copy
//! cluster or narrative), named in the `signal` figure, so that each can be weighed and
//! evaluated apart. Memory: one compact row per ad (ad libraries hold thousands to a few million
//! ads per election), plus per-page day counts.

use crate::detectors::lookalike_domain;
use crate::lookalike::{LookalikeIndex, Match};
use crate::names::NameKey;
use crate::{Context, DetectError, Detector};
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};

pub const NAME: &str = "political_ad";

pub const FOREIGN_PAYER: &str = "foreign_payer";
pub const SANCTIONED_PAYER: &str = "sanctioned_payer";
pub const NO_DISCLAIMER: &str = "no_disclaimer";
pub const NEW_ADVERTISER: &str = "new_advertiser";
pub const BURST: &str = "burst";
pub const MICRO_TARGETING: &str = "micro_targeting";
pub const SHARED_CREATIVE: &str = "shared_creative";
pub const SHARED_PAYER: &str = "shared_payer";
pub const SHARED_DOMAIN: &str = "shared_domain";
pub const COPY_CLUSTER: &str = "copy_cluster";
pub const NARRATIVE: &str = "narrative";
pub const LOOKALIKE_LINK: &str = "lookalike_link";

/// Every signal, in report order.
pub const SIGNALS: [&str; 12] = [
    FOREIGN_PAYER,
    SANCTIONED_PAYER,
    NO_DISCLAIMER,
    NEW_ADVERTISER,
    BURST,
    MICRO_TARGETING,
    SHARED_CREATIVE,
    SHARED_PAYER,
    SHARED_DOMAIN,
    COPY_CLUSTER,
    NARRATIVE,
    LOOKALIKE_LINK,
];

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Sanctioned persons and entities (any script, any word order) matched against payers and
    /// page names.
    pub sanctioned: Vec<String>,
    /// An advertiser whose first ad is at most this many days before a voting day is new —
    /// provided the data reach back at least as far before that first ad.
    pub new_advertiser_days: i64,
    /// A day is a burst when the page's ads, spend or impressions that day reach this multiple
    /// of its daily mean over the previous `baseline_days`...
    pub burst_factor: f64,
    pub baseline_days: i64,
    /// ...and at least these absolute amounts (spend in the ads' own currency).
    pub burst_min_ads: usize,
    pub burst_min_spend: f64,
    pub burst_min_impressions: f64,
    /// Narrowing dimensions: an age range of at most this many years, one gender, at most
    /// `max_regions` sub-national regions. An ad narrowed on `min_narrowing` of them is
    /// micro-targeted.
    pub max_age_span: u32,
    pub max_regions: usize,
    pub min_narrowing: usize,
    /// Pages sharing a creative, payer or link domain form a network from this many pages.
    pub min_shared_pages: usize,
    /// Creatives shorter than this (matching text) are too generic to be shared evidence.
    pub min_creative_chars: usize,
    /// An ad copies a copy cluster's text (or a narrative's example) when this share of the
    /// smaller text's word pairs is in the other (the cluster's origin often carries a source
    /// tag or a hashtag the ad does not, and the ad a call to action).
    pub min_copy_containment: f64,
    /// An ad carries a narrative when it contains this many of its keywords.
    pub min_narrative_keywords: usize,
    /// Link domains shared by everyone (platforms, shorteners): never evidence of a network.
    pub common_link_domains: Vec<String>,
    /// Extra words or phrases (any language) that make an ad political.
    pub political_terms: Vec<String>,
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sanctioned: Vec::new(),
            new_advertiser_days: 30,
            burst_factor: 5.0,
            baseline_days: 28,
            burst_min_ads: 10,
            burst_min_spend: 10_000.0,
            burst_min_impressions: 1_000_000.0,
            max_age_span: 10,
            max_regions: 3,
            min_narrowing: 2,
            min_shared_pages: 3,
            min_creative_chars: 40,
            min_copy_containment: 0.6,
            min_narrative_keywords: 2,
            common_link_domains: [
                "facebook.com",
                "fb.me",
                "fb.com",
                "instagram.com",
                "whatsapp.com",
                "messenger.com",
                "google.com",
                "youtube.com",
                "youtu.be",
                "x.com",
                "twitter.com",
                "t.co",
                "tiktok.com",
                "t.me",
                "bit.ly",
                "linktr.ee",
            ]
            .map(str::to_owned)
            .to_vec(),
            political_terms: Vec::new(),
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(PoliticalAd {
        settings: config.detector_settings(NAME)?,
    }))
}

pub struct PoliticalAd {
    pub settings: Settings,
}

/// Word stems (any inflection) and whole words that make an ad's text political, in the
/// languages of SPEC §5.5. Stems are chosen not to start common non-political words.
const STEMS: &[&str] = &[
    "elect",
    "électi",
    "électo",
    "élu",
    "wahl",
    "wähl",
    "elezion",
    "elettor",
    "elecci",
    "elector",
    "wybor",
    "wybór",
    "candidat",
    "kandyd",
    "kandidat",
    "referend",
    "parlament",
    "parlement",
    "parliament",
    "eurodéput",
    "député",
    "abgeordn",
    "diputad",
    "deputat",
    "posł",
    "gouvernement",
    "government",
    "regierung",
    "governo",
    "gobierno",
    "rząd",
    "politi",
    "polity",
    "immigr",
    "migrant",
    "migrac",
    "migraz",
    "sanction",
    "sanktion",
    "sanzion",
    "ukrain",
    "bruxelles",
    "brussels",
    "brüssel",
    "bruksel",
    "souverain",
    "sovereign",
    "macron",
    "scholz",
];
const WORDS: &[&str] = &[
    "vote",
    "votez",
    "voter",
    "votes",
    "voting",
    "votar",
    "votate",
    "votare",
    "vota",
    "głosuj",
    "głosowanie",
    "głosować",
    "parti",
    "partis",
    "party",
    "partei",
    "parteien",
    "partito",
    "partido",
    "partia",
    "nato",
    "otan",
    "ue",
    "frexit",
    "brexit",
    "polexit",
];

/// Decides whether a folded text is political.
struct Lexicon {
    words: BTreeSet<String>,
    phrases: Vec<String>,
}

impl Lexicon {
    fn new(config: &vigie_core::Config, settings: &Settings) -> Lexicon {
        let mut words: BTreeSet<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
        let mut phrases = Vec::new();
        let mut add = |term: &str| {
            let folded = vigie_normalise::text::fold(term);
            if folded.chars().count() < 3 {
                return;
            }
            if folded.contains(' ') {
                phrases.push(folded);
            } else {
                words.insert(folded);
            }
        };
        for p in &config.protected {
            if matches!(p.kind.as_str(), "candidate" | "party") {
                add(&p.name);
                p.aliases.iter().for_each(|a| add(a));
            }
        }
        for n in &config.narrative {
            n.keywords.iter().for_each(|k| add(k));
        }
        settings.political_terms.iter().for_each(|t| add(t));
        Lexicon { words, phrases }
    }

    fn is_political(&self, folded: &str) -> bool {
        folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .any(|w| self.words.contains(w) || STEMS.iter().any(|s| w.starts_with(s)))
            || self.phrases.iter().any(|p| contains_term(folded, p))
    }
}

struct Page {
    platform: String,
    id: String,
    name: String,
}

/// What the detector keeps of one ad.
struct AdRow {
    id: String,
    page: usize,
    ts: i64,
    payer: Option<String>,
    payer_country: Option<String>,
    spend: Option<f64>,
    impressions: Option<f64>,
    targets: Vec<String>,
    age_span: Option<u32>,
    one_gender: bool,
    regions: usize,
    disclaimer: Option<String>,
    political: bool,
    folded: String,
    matching: String,
    /// Registrable domains of its links.
    domains: Vec<String>,
    hosts: Vec<String>,
    url: Option<String>,
}

/// The midpoint of a reported range, or the one bound given.
fn midpoint(lo: Option<f64>, hi: Option<f64>) -> Option<f64> {
    let v = match (lo, hi) {
        (Some(a), Some(b)) => (a + b) / 2.0,
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    v.is_finite().then_some(v.max(0.0))
}

/// Years covered by an age range such as `25-34`, `18–24`, `65+` (open ranges count to 80).
fn age_span(raw: &str) -> Option<u32> {
    let nums: Vec<u32> = raw
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .filter(|n| (13..=120).contains(n))
        .collect();
    match nums.as_slice() {
        [lo, hi, ..] if hi >= lo => Some(hi - lo),
        [lo] if raw.contains('+') => Some(80u32.saturating_sub(*lo)),
        _ => None,
    }
}

fn is_one_gender(genders: &[String]) -> bool {
    let real: BTreeSet<String> = genders
        .iter()
        .map(|g| g.trim().to_lowercase())
        .filter(|g| !g.is_empty() && g != "unknown")
        .collect();
    real.len() == 1 && !real.iter().any(|g| g == "all")
}

/// A disclaimer that is absent, blank, or the library's own note that there was none.
fn missing_disclaimer(d: Option<&str>) -> bool {
    match d {
        None => true,
        Some(d) => {
            let f = vigie_normalise::text::fold(d);
            f.is_empty()
                || f.contains("without a disclaimer")
                || f.contains("no disclaimer")
                || f.contains("sans mention")
        }
    }
}

/// Whether `term` occurs in `text` as whole words (`cia` is not in `sociale`).
fn contains_term(text: &str, term: &str) -> bool {
    let boundary = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
    text.match_indices(term).any(|(at, _)| {
        boundary(text[..at].chars().next_back()) && boundary(text[at + term.len()..].chars().next())
    })
}

/// The impersonation index of `lookalike_domain`, with its settings (starter list, threshold), so
/// that an ad's link is a look-alike exactly when `lookalike_domain` would report the domain.
struct Lookalikes {
    index: LookalikeIndex,
    min_score: f64,
}

impl Lookalikes {
    fn new(config: &vigie_core::Config) -> Result<Lookalikes, DetectError> {
        let s: lookalike_domain::Settings = config.detector_settings(lookalike_domain::NAME)?;
        Ok(Lookalikes {
            index: LookalikeIndex::from_config(config, s.starter_list),
            min_score: s.min_score,
        })
    }

    /// The match of a host an ad links to, when it scores over the threshold (being linked
    /// counts as `lookalike_domain` counts it).
    fn check(&self, host: &str) -> Option<Match> {
        self.index
            .check(host)
            .filter(|m| m.score + lookalike_domain::LINKED_BONUS >= self.min_score)
    }
}

/// One finding before it becomes an alert.
struct Finding {
    signal: &'static str,
    score: f64,
    ads: Vec<usize>,
    title: String,
    summary: String,
    figures: Map<String, Value>,
    imitates: Vec<String>,
}

impl Detector for PoliticalAd {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let lexicon = Lexicon::new(ctx.config, &self.settings);
        let (pages, ads) = self.load(ctx, &lexicon)?;
        if ads.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_page: Vec<Vec<usize>> = vec![Vec::new(); pages.len()];
        for (i, ad) in ads.iter().enumerate() {
            by_page[ad.page].push(i);
        }
        let lookalikes = Lookalikes::new(ctx.config)?;
        let mut findings = Vec::new();
        self.per_page(ctx, &pages, &ads, &by_page, &lookalikes, &mut findings);
        self.shared(&pages, &ads, &mut findings);
        self.copies(ctx, &ads, &mut findings)?;
        Ok(findings
            .into_iter()
            .filter_map(|f| self.alert(&pages, &ads, f))
            .collect())
    }
}

impl PoliticalAd {
    fn load(
        &self,
        ctx: &Context<'_>,
        lexicon: &Lexicon,
    ) -> Result<(Vec<Page>, Vec<AdRow>), DetectError> {
        let mut pages: Vec<Page> = Vec::new();
        let mut page_index: HashMap<(String, String), usize> = HashMap::new();
        let mut ads = Vec::new();
        ctx.store.for_each(Kind::Ad, |stored| {
            let Record::Ad(ad) = stored.record else {
                return Ok(());
            };
            let key = (ad.platform.clone(), ad.page_id.clone());
            let page = *page_index.entry(key).or_insert_with(|| {
                pages.push(Page {
                    platform: ad.platform.clone(),
                    id: ad.page_id.clone(),
                    name: ad.page_name.clone(),
                });
                pages.len() - 1
            });
            let folded = stored.derived.text;
            let flagged_political =
                ad.extra.get("political").and_then(Value::as_bool) == Some(true);
            let regions = ad
                .extra
                .get("target_regions")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let hosts: Vec<String> = stored
                .derived
                .urls
                .iter()
                .filter_map(|u| vigie_normalise::urls::host(u))
                .collect();
            ads.push(AdRow {
                id: ad.id,
                page,
                ts: ad.started_at.timestamp_millis(),
                payer: ad.payer.filter(|p| !p.trim().is_empty()),
                payer_country: ad
                    .payer_country
                    .map(|c| c.trim().to_uppercase())
                    .filter(|c| !c.is_empty()),
                spend: midpoint(ad.spend_min, ad.spend_max),
                impressions: midpoint(
                    ad.impressions_min.map(|v| v as f64),
                    ad.impressions_max.map(|v| v as f64),
                ),
                targets: ad
                    .target_countries
                    .iter()
                    .map(|c| c.trim().to_uppercase())
                    .collect(),
                age_span: ad.target_ages.as_deref().and_then(age_span),
                one_gender: is_one_gender(&ad.target_genders),
                regions,
                disclaimer: ad.disclaimer,
                political: flagged_political || lexicon.is_political(&folded),
                matching: super::copypasta::matching_text(&folded),
                folded,
                domains: stored.derived.domains,
                hosts,
                url: ad.url,
            });
            Ok(())
        })?;
        Ok((pages, ads))
    }

    fn per_page(
        &self,
        ctx: &Context<'_>,
        pages: &[Page],
        ads: &[AdRow],
        by_page: &[Vec<usize>],
        lookalikes: &Lookalikes,
        out: &mut Vec<Finding>,
    ) {
        let s = &self.settings;
        let election_countries: BTreeSet<String> = ctx
            .config
            .election
            .iter()
            .filter_map(|e| e.country.as_deref())
            .map(|c| c.trim().to_uppercase())
            .collect();
        let voting_days: Vec<i64> = ctx
            .config
            .election
            .iter()
            .flat_map(|e| e.voting_days.iter())
            .filter_map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .filter_map(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp_millis())
            .collect();
        let sanctioned: Vec<(String, NameKey)> = s
            .sanctioned
            .iter()
            .map(|n| (n.clone(), NameKey::new(n)))
            .filter(|(_, k)| !k.is_empty())
            .collect();
        let observed_from = ads.iter().map(|a| a.ts).min().unwrap_or(0);
        let new_ms = s.new_advertiser_days.max(0).saturating_mul(DAY_MS);

        for (p, members) in by_page.iter().enumerate() {
            let page = &pages[p];
            let political: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&i| ads[i].political)
                .collect();

            // Foreign payer: political ads paid from outside every election country they target.
            if !election_countries.is_empty() {
                let mut countries = BTreeSet::new();
                let foreign: Vec<usize> = political
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let ad = &ads[i];
                        let Some(pc) = &ad.payer_country else {
                            return false;
                        };
                        let targeted: Vec<&String> = if ad.targets.is_empty() {
                            election_countries.iter().collect()
                        } else {
                            ad.targets
                                .iter()
                                .filter(|t| election_countries.contains(*t))
                                .collect()
                        };
                        let foreign = !targeted.is_empty() && !targeted.contains(&pc);
                        if foreign {
                            countries.insert(pc.clone());
                        }
                        foreign
                    })
                    .collect();
                if !foreign.is_empty() {
                    let unlabelled = foreign
                        .iter()
                        .filter(|&&i| missing_disclaimer(ads[i].disclaimer.as_deref()))
                        .count();
                    let mut figures = Map::new();
                    figures.insert("payer_countries".into(), json!(countries));
                    figures.insert("election_countries".into(), json!(election_countries));
                    figures.insert("unlabelled_ads".into(), json!(unlabelled));
                    let from: Vec<&str> = countries.iter().map(String::as_str).collect();
                    out.push(Finding {
                        signal: FOREIGN_PAYER,
                        score: 0.75 + 0.15 * (unlabelled as f64 / foreign.len() as f64),
                        title: format!("Political ads paid from {}", from.join(", ")),
                        summary: format!(
                            "Page {} ran {} political ads paid from {} while targeting the election in {}.",
                            page.name,
                            foreign.len(),
                            from.join(", "),
                            election_countries.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                        ads: foreign,
                        figures,
                        imitates: vec![],
                    });
                }
            }

            // Sanctioned payer or page.
            if !sanctioned.is_empty() {
                let page_key = NameKey::new(&page.name);
                let mut matched = BTreeMap::new();
                let hits: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let payer_key = ads[i].payer.as_deref().map(NameKey::new);
                        let hit = sanctioned.iter().find(|(_, k)| {
                            payer_key.as_ref().is_some_and(|pk| pk.matches(k))
                                || page_key.matches(k)
                        });
                        if let Some((listed, _)) = hit {
                            let seen = ads[i].payer.clone().unwrap_or_else(|| page.name.clone());
                            matched.insert(seen, listed.clone());
                        }
                        hit.is_some()
                    })
                    .collect();
                if !hits.is_empty() {
                    let listed: BTreeSet<&String> = matched.values().collect();
                    let mut figures = Map::new();
                    figures.insert("matched_names".into(), json!(matched));
                    out.push(Finding {
                        signal: SANCTIONED_PAYER,
                        score: 0.95,
                        title: "Ads paid by a sanctioned person or entity".into(),
                        summary: format!(
                            "Page {} ran {} ads paid by or in the name of {}, which is on the sanctions list.",
                            page.name,
                            hits.len(),
                            listed.into_iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                        ads: hits,
                        figures,
                        imitates: vec![],
                    });
                }
            }

            // Political content without a disclaimer.
            let unlabelled: Vec<usize> = political
                .iter()
                .copied()
                .filter(|&i| missing_disclaimer(ads[i].disclaimer.as_deref()))
                .collect();
            if !unlabelled.is_empty() {
                let n = unlabelled.len();
                let mut figures = Map::new();
                figures.insert("unlabelled_ads".into(), json!(n));
                figures.insert("political_ads".into(), json!(political.len()));
                out.push(Finding {
                    signal: NO_DISCLAIMER,
                    score: 0.4 + 0.3 * (1.0 - (-(n as f64) / 10.0).exp()),
                    title: "Political ads without a disclaimer".into(),
                    summary: format!(
                        "Page {} ran {n} political ads without saying who paid for them.",
                        page.name
                    ),
                    ads: unlabelled,
                    figures,
                    imitates: vec![],
                });
            }

            // New advertiser: first seen shortly before a voting day, with history visible.
            if let (Some(&first), false) = (members.first(), political.is_empty()) {
                let first_ts = ads[first].ts;
                let vote = voting_days.iter().copied().filter(|&v| v >= first_ts).min();
                if let Some(vote) = vote {
                    if vote - first_ts <= new_ms && first_ts - observed_from >= new_ms {
                        let days_before = (vote - first_ts) / DAY_MS;
                        let mut figures = Map::new();
                        figures.insert("days_before_vote".into(), json!(days_before));
                        figures.insert(
                            "first_ad_at".into(),
                            json!(DateTime::from_timestamp_millis(first_ts)),
                        );
                        figures.insert(
                            "data_observed_since".into(),
                            json!(DateTime::from_timestamp_millis(observed_from)),
                        );
                        out.push(Finding {
                            signal: NEW_ADVERTISER,
                            score: 0.45 + 0.2 * (1.0 - days_before as f64 / s.new_advertiser_days.max(1) as f64),
                            title: "New political advertiser just before the vote".into(),
                            summary: format!(
                                "Page {} ran its first ad {days_before} days before the vote and {} political ads since.",
                                page.name,
                                political.len()
                            ),
                            ads: political.clone(),
                            figures,
                            imitates: vec![],
                        });
                    }
                }
            }

            if let Some(f) = self.burst(page, ads, &political) {
                out.push(f);
            }

            // Micro-targeting.
            let narrow: Vec<usize> = political
                .iter()
                .copied()
                .filter(|&i| {
                    let ad = &ads[i];
                    let dims = usize::from(ad.age_span.is_some_and(|a| a <= s.max_age_span))
                        + usize::from(ad.one_gender)
                        + usize::from((1..=s.max_regions).contains(&ad.regions));
                    dims >= s.min_narrowing
                })
                .collect();
            if !narrow.is_empty() {
                let mut figures = Map::new();
                figures.insert("narrow_ads".into(), json!(narrow.len()));
                let spans: BTreeSet<u32> = narrow.iter().filter_map(|&i| ads[i].age_span).collect();
                figures.insert("age_spans".into(), json!(spans));
                out.push(Finding {
                    signal: MICRO_TARGETING,
                    score: 0.5,
                    title: "Political ads micro-targeted at a narrow audience".into(),
                    summary: format!(
                        "Page {} aimed {} political ads at a narrow audience (age band, one gender or a few regions).",
                        page.name,
                        narrow.len()
                    ),
                    ads: narrow,
                    figures,
                    imitates: vec![],
                });
            }

            // Links to look-alike domains, judged as `lookalike_domain` judges them.
            if lookalikes.index.targets() > 0 {
                let mut found: BTreeMap<&str, Match> = BTreeMap::new();
                let linked: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let mut hit = false;
                        for h in &ads[i].hosts {
                            if let Some(m) = lookalikes.check(h) {
                                found.insert(h.as_str(), m);
                                hit = true;
                            }
                        }
                        hit
                    })
                    .collect();
                if !linked.is_empty() {
                    let imitates: Vec<String> = found
                        .values()
                        .map(|m| m.imitates.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    let mut figures = Map::new();
                    let hosts: Map<String, Value> = found
                        .iter()
                        .map(|(h, m)| {
                            let techniques: Vec<&str> =
                                m.techniques.iter().map(|t| t.name()).collect();
                            (
                                (*h).to_owned(),
                                json!({
                                    "imitates": m.imitates,
                                    "entity": m.entity,
                                    "techniques": techniques,
                                    "match_score": m.score,
                                    "reasons": m.reasons,
                                }),
                            )
                        })
                        .collect();
                    figures.insert("lookalikes".into(), Value::Object(hosts));
                    out.push(Finding {
                        signal: LOOKALIKE_LINK,
                        score: 0.8,
                        title: "Ads linking to look-alike domains".into(),
                        summary: format!(
                            "Page {} ran {} ads linking to domains that imitate {}.",
                            page.name,
                            linked.len(),
                            imitates.join(", ")
                        ),
                        ads: linked,
                        figures,
                        imitates,
                    });
                }
            }
        }
    }

    /// Days on which the page's political ads, spend or impressions jump far above its own
    /// recent daily mean.
    fn burst(&self, page: &Page, ads: &[AdRow], political: &[usize]) -> Option<Finding> {
        let s = &self.settings;
        // day → (ads, spend, impressions, members)
        let mut days: BTreeMap<i64, (usize, f64, f64, Vec<usize>)> = BTreeMap::new();
        for &i in political {
            let d = days.entry(ads[i].ts.div_euclid(DAY_MS)).or_default();
            d.0 += 1;
            d.1 += ads[i].spend.unwrap_or(0.0);
            d.2 += ads[i].impressions.unwrap_or(0.0);
            d.3.push(i);
        }
        let window = s.baseline_days.max(1);
        let mut hit = Vec::new();
        let mut peak = (0i64, 0usize, 0.0f64, 0.0f64);
        for (&day, (n, spend, impr, members)) in &days {
            let (mut bn, mut bs, mut bi) = (0usize, 0.0, 0.0);
            for (_, (pn, ps, pi, _)) in days.range(day - window..day) {
                bn += pn;
                bs += ps;
                bi += pi;
            }
            let per_day = |v: f64| v / window as f64;
            let jump =
                |v: f64, base: f64, min: f64| v >= min && v >= s.burst_factor * per_day(base);
            if jump(*n as f64, bn as f64, s.burst_min_ads as f64)
                || jump(*spend, bs, s.burst_min_spend)
                || jump(*impr, bi, s.burst_min_impressions)
            {
                hit.extend(members.iter().copied());
                if *n > peak.1 {
                    peak = (day, *n, *spend, *impr);
                }
            }
        }
        if hit.is_empty() {
            return None;
        }
        let mut figures = Map::new();
        figures.insert(
            "peak_day".into(),
            json!(DateTime::from_timestamp_millis(peak.0 * DAY_MS).map(|d| d.date_naive())),
        );
        figures.insert("peak_day_ads".into(), json!(peak.1));
        figures.insert("peak_day_spend".into(), json!(peak.2.round()));
        figures.insert("peak_day_impressions".into(), json!(peak.3.round()));
        figures.insert("burst_ads".into(), json!(hit.len()));
        Some(Finding {
            signal: BURST,
            score: 0.55 + 0.25 * (1.0 - (-(hit.len() as f64) / 40.0).exp()),
            title: "Burst of political ads".into(),
            summary: format!(
                "Page {} started {} political ads in one day, far above its own recent rate.",
                page.name, peak.1
            ),
            ads: hit,
            figures,
            imitates: vec![],
        })
    }

    /// Pages that share creatives, payers or link domains, unless they openly declare one
    /// and the same sponsor on every ad (a party's local pages).
    fn shared(&self, pages: &[Page], ads: &[AdRow], out: &mut Vec<Finding>) {
        let s = &self.settings;
        let mut groups: BTreeMap<(&'static str, String), Vec<usize>> = BTreeMap::new();
        for (i, ad) in ads.iter().enumerate() {
            if !ad.political {
                continue;
            }
            if ad.matching.chars().count() >= s.min_creative_chars {
                groups
                    .entry((SHARED_CREATIVE, ad.matching.clone()))
                    .or_default()
                    .push(i);
            }
            if let Some(payer) = &ad.payer {
                let key = NameKey::new(payer);
                if !key.is_empty() {
                    groups
                        .entry((SHARED_PAYER, key.canonical()))
                        .or_default()
                        .push(i);
                }
            }
            for d in &ad.domains {
                if !s.common_link_domains.iter().any(|c| c == d) {
                    groups
                        .entry((SHARED_DOMAIN, d.clone()))
                        .or_default()
                        .push(i);
                }
            }
        }
        for ((signal, key), members) in groups {
            let page_set: BTreeSet<usize> = members.iter().map(|&i| ads[i].page).collect();
            if page_set.len() < s.min_shared_pages {
                continue;
            }
            let sponsors: BTreeSet<String> = members
                .iter()
                .filter_map(|&i| ads[i].disclaimer.as_deref())
                .filter(|d| !missing_disclaimer(Some(d)))
                .map(|d| NameKey::new(d).canonical())
                .collect();
            let all_labelled = members
                .iter()
                .all(|&i| !missing_disclaimer(ads[i].disclaimer.as_deref()));
            if all_labelled && sponsors.len() == 1 {
                continue;
            }
            let names: Vec<&str> = page_set.iter().map(|&p| pages[p].name.as_str()).collect();
            let (what, shown) = match signal {
                SHARED_CREATIVE => (
                    "the same ad text",
                    key.chars().take(140).collect::<String>(),
                ),
                SHARED_PAYER => (
                    "one payer",
                    members
                        .iter()
                        .find_map(|&i| ads[i].payer.clone())
                        .unwrap_or(key),
                ),
                _ => ("links to one domain", key),
            };
            let mut figures = Map::new();
            figures.insert("pages".into(), json!(page_set.len()));
            figures.insert("page_names".into(), json!(names));
            figures.insert("shared".into(), json!(shown));
            figures.insert("declared_sponsors".into(), json!(sponsors.len()));
            out.push(Finding {
                signal,
                score: 0.55 + 0.35 * (1.0 - (-(page_set.len() as f64 - 2.0) / 4.0).exp()),
                title: format!("{} pages share {what}", page_set.len()),
                summary: format!(
                    "{} pages ({}) ran {} ads sharing {what} without declaring a common sponsor.",
                    page_set.len(),
                    names.iter().take(5).copied().collect::<Vec<_>>().join(", "),
                    members.len()
                ),
                ads: members,
                figures,
                imitates: vec![],
            });
        }
    }

    /// Ads whose text copies a copy-paste cluster of posts and articles, or carries a watched
    /// narrative.
    fn copies(
        &self,
        ctx: &Context<'_>,
        ads: &[AdRow],
        out: &mut Vec<Finding>,
    ) -> Result<(), DetectError> {
        let s = &self.settings;
        let copy: super::copypasta::Settings =
            ctx.config.detector_settings(super::copypasta::NAME)?;
        let k = copy.matching.shingle_words;
        let shingle = |text: &str| {
            crate::neardup::shingles(&crate::neardup::words(text), k, copy.matching.max_shingles)
        };
        let clusters = ctx.copy_clusters()?;
        // Clusters copied by enough actors to be a copypasta finding, indexed by word pair.
        let mut sets: Vec<(usize, Vec<u32>)> = Vec::new();
        let mut index: HashMap<u32, Vec<usize>> = HashMap::new();
        for (c, cluster) in clusters.iter().enumerate() {
            let actors: BTreeSet<&str> =
                cluster.members.iter().map(|m| m.source.as_str()).collect();
            let text = super::copypasta::matching_text(&cluster.origin_text);
            if actors.len() < copy.min_accounts || text.split(' ').count() < copy.matching.min_words
            {
                continue;
            }
            let sh = shingle(&text);
            for &h in &sh {
                index.entry(h).or_default().push(sets.len());
            }
            sets.push((c, sh));
        }
        let mut matched: BTreeMap<usize, (Vec<usize>, f64)> = BTreeMap::new();
        for (i, ad) in ads.iter().enumerate() {
            if ad.matching.split(' ').count() < copy.matching.min_words {
                continue;
            }
            let sh = shingle(&ad.matching);
            let mut hits: HashMap<usize, usize> = HashMap::new();
            for h in &sh {
                for &set in index.get(h).into_iter().flatten() {
                    *hits.entry(set).or_default() += 1;
                }
            }
            let best = hits
                .into_iter()
                // Five shared word pairs at least: a short slogan is not a copied text.
                .filter(|(_, n)| *n >= 5)
                .map(|(set, n)| {
                    (
                        set,
                        n as f64 / sh.len().min(sets[set].1.len()).max(1) as f64,
                    )
                })
                .filter(|(_, c)| *c >= s.min_copy_containment)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((set, c)) = best {
                let e = matched.entry(sets[set].0).or_insert((Vec::new(), 1.0));
                e.0.push(i);
                e.1 = e.1.min(c);
            }
        }
        for (c, (members, weakest)) in matched {
            let cluster = &clusters[c];
            let origin = cluster.origin().map(|m| m.id.clone()).unwrap_or_default();
            let mut figures = Map::new();
            figures.insert("cluster_origin".into(), json!(origin));
            figures.insert("cluster_size".into(), json!(cluster.members.len()));
            figures.insert(
                "containment".into(),
                json!((weakest * 1000.0).round() / 1000.0),
            );
            figures.insert("text".into(), json!(cluster.origin_text));
            out.push(Finding {
                signal: COPY_CLUSTER,
                score: 0.7,
                title: "Ads copying a copy-paste campaign".into(),
                summary: format!(
                    "{} ads copy the text of a copy-paste cluster of {} posts or articles first published as {origin}.",
                    members.len(),
                    cluster.members.len()
                ),
                ads: members,
                figures,
                imitates: vec![],
            });
        }

        for narrative in &ctx.config.narrative {
            let keywords: Vec<String> = narrative
                .keywords
                .iter()
                .map(|k| vigie_normalise::text::fold(k))
                .filter(|k| k.chars().count() >= 3)
                .collect();
            let examples: Vec<Vec<u32>> = narrative
                .examples
                .iter()
                .map(|e| super::copypasta::matching_text(&vigie_normalise::text::fold(e)))
                .filter(|e| e.split(' ').count() >= copy.matching.min_words)
                .map(|e| shingle(&e))
                .collect();
            let members: Vec<usize> = ads
                .iter()
                .enumerate()
                .filter(|(_, ad)| {
                    let found = keywords
                        .iter()
                        .filter(|k| ad.folded.contains(k.as_str()))
                        .count();
                    found >= s.min_narrative_keywords.max(1)
                        || (!examples.is_empty() && {
                            let sh = shingle(&ad.matching);
                            examples.iter().any(|e| {
                                crate::neardup::containment(&sh, e) >= s.min_copy_containment
                            })
                        })
                })
                .map(|(i, _)| i)
                .collect();
            if members.is_empty() {
                continue;
            }
            let mut figures = Map::new();
            figures.insert("narrative".into(), json!(narrative.name));
            out.push(Finding {
                signal: NARRATIVE,
                score: 0.6,
                title: format!("Ads carrying the narrative \"{}\"", narrative.name),
                summary: format!(
                    "{} ads carry the watched narrative \"{}\".",
                    members.len(),
                    narrative.name
                ),
                ads: members,
                figures,
                imitates: vec![],
            });
        }
        Ok(())
    }

    fn alert(&self, pages: &[Page], ads: &[AdRow], f: Finding) -> Option<Alert> {
        let first = f.ads.iter().map(|&i| ads[i].ts).min()?;
        let last = f.ads.iter().map(|&i| ads[i].ts).max()?;
        let cut = self.settings.max_evidence_items;
        let mut figures = f.figures;
        figures.insert("signal".into(), json!(f.signal));
        figures.insert("ads".into(), json!(f.ads.len()));
        let platforms: BTreeSet<&str> = f
            .ads
            .iter()
            .map(|&i| pages[ads[i].page].platform.as_str())
            .collect();
        figures.insert("platforms".into(), json!(platforms));
        let spend: f64 = f.ads.iter().filter_map(|&i| ads[i].spend).sum();
        figures.insert("spend_estimate".into(), json!(spend.round()));
        let mut disarm = vec!["T0114".to_owned(), "T0114.001".to_owned()];
        match f.signal {
            MICRO_TARGETING => disarm.push("T0018".into()),
            FOREIGN_PAYER | SANCTIONED_PAYER | SHARED_PAYER | SHARED_CREATIVE | SHARED_DOMAIN => {
                disarm.push("T0153.005".into())
            }
            _ => {}
        }
        Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::PoliticalAdvertising,
            disarm,
            severity: Severity::from_score(f.score),
            score: f.score,
            title: f.title,
            summary: f.summary,
            first_seen: DateTime::from_timestamp_millis(first)?,
            last_seen: DateTime::from_timestamp_millis(last)?,
            evidence: Evidence {
                items: f.ads.iter().take(cut).map(|&i| ads[i].id.clone()).collect(),
                accounts: f
                    .ads
                    .iter()
                    .map(|&i| pages[ads[i].page].id.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .take(cut)
                    .collect(),
                domains: f
                    .ads
                    .iter()
                    .flat_map(|&i| ads[i].hosts.iter().cloned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .take(cut)
                    .collect(),
                imitates: f.imitates,
                urls: f
                    .ads
                    .iter()
                    .filter_map(|&i| ads[i].url.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .take(cut)
                    .collect(),
                figures,
            },
        })
    }
}

#[cfg(test)]
mod tests;
