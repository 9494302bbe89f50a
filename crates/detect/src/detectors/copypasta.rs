//! `copypasta`: the same text, copied or lightly reworded, published by several accounts or sites
//! (SPEC §5.1).
//!
//! Texts are folded and stripped of links, mentions, retweet prefixes, hashtag signs and
//! punctuation, then clustered in publication order by the shared near-duplicate index (exact
//! copies directly, rewordings through MinHash/LSH candidates verified by Jaccard or containment).
//! Memory: the index is windowed in time; besides it, 12 bytes per indexed item, and the members
//! of clusters only.

use crate::clusters::CopyCluster;
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Severity};

pub const NAME: &str = "copypasta";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Texts shorter than this (after stripping) are too common to mean anything.
    pub min_chars: usize,
    /// Near-duplicate matching: shingle size, LSH bands, similarity thresholds, time window.
    #[serde(flatten)]
    pub matching: crate::neardup::Params,
    /// A cluster is reported when at least this many distinct accounts or sites published it.
    pub min_accounts: usize,
    /// Evidence lists are cut at this many items (the figures keep the full counts).
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_chars: 40,
            matching: crate::neardup::Params::default(),
            min_accounts: 3,
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(Copypasta {
        settings: config.detector_settings(NAME)?,
    }))
}

pub struct Copypasta {
    pub settings: Settings,
}

/// The text that copies share: folded text without links, mentions, a leading "rt @x:" and
/// punctuation, with single spaces, and every number written `0` — copies of one template
/// differ in their figures ("744 farms closed", "818 farms closed").
pub fn matching_text(folded: &str) -> String {
    let mut rest = folded.trim_start();
    if let Some(after) = rest.strip_prefix("rt @") {
        rest = after.split_once(':').map(|(_, t)| t).unwrap_or("");
    }
    let mut out = String::with_capacity(rest.len());
    for word in rest.split_whitespace() {
        if word.starts_with("http://")
            || word.starts_with("https://")
            || word.starts_with("www.")
            || word.starts_with('@')
        {
            continue;
        }
        let cleaned: String = word
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '#')
            .collect();
        if cleaned.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if cleaned.bytes().all(|b| b.is_ascii_digit()) {
            out.push('0');
        } else {
            out.push_str(&cleaned);
        }
    }
    out
}

/// Whether a folded text visibly stops short: its last word (before trailing links, tags,
/// mentions and emojis, which copiers append) ends with the ellipsis character platforms and
/// feeds append when they cut ("…", "[…]", "[...]"). Three plain dots are a writer's style.
pub fn looks_cut(folded: &str) -> bool {
    let trails_off = |w: &str| w.ends_with('…') || w.ends_with("[...]");
    folded
        .split_whitespace()
        .rev()
        .find(|w| {
            trails_off(w)
                || !(w.starts_with("http://")
                    || w.starts_with("https://")
                    || w.starts_with('#')
                    || w.starts_with('@')
                    || !w.chars().any(char::is_alphanumeric))
        })
        .is_some_and(trails_off)
}

impl Detector for Copypasta {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let reported: Vec<&CopyCluster> = ctx
            .copy_clusters()?
            .iter()
            .filter(|c| self.distinct_actors(c) >= self.settings.min_accounts)
            .collect();
        let related = related_clusters(ctx, &reported)?;
        Ok(reported
            .iter()
            .zip(related)
            .filter_map(|(c, related)| self.alert(c, &related))
            .collect())
    }
}

/// Another reported cluster that says the same thing reworded or in another language.
#[cfg_attr(not(feature = "semantic"), allow(dead_code))]
struct Related {
    origin: String,
    kind: &'static str,
    similarity: f32,
    size: usize,
    language: Option<String>,
}

/// The cluster's most frequent language (ties: the first in code order).
#[cfg(feature = "semantic")]
fn main_language(cluster: &CopyCluster) -> Option<&str> {
    let (lang, _) = cluster.languages.iter().rev().max_by_key(|(_, n)| **n)?;
    Some(lang.as_str())
}

/// For each cluster, the clusters its origin text means the same as, when the scan has a
/// sentence encoder: links between clusters, kept as evidence, never merging them.
#[cfg(feature = "semantic")]
fn related_clusters(
    ctx: &Context<'_>,
    clusters: &[&CopyCluster],
) -> Result<Vec<Vec<Related>>, DetectError> {
    let Some(encoder) = ctx.encoder() else {
        return Ok(clusters.iter().map(|_| Vec::new()).collect());
    };
    let texts: Vec<&str> = clusters.iter().map(|c| c.origin_text.as_str()).collect();
    let langs: Vec<Option<&str>> = clusters.iter().map(|c| main_language(c)).collect();
    Ok(
        crate::semantic::links(encoder, Some(ctx.store), &texts, &langs)?
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .filter_map(|l| {
                        let other = clusters.get(l.other)?;
                        Some(Related {
                            origin: other.origin()?.id.clone(),
                            kind: l.kind.as_str(),
                            similarity: l.similarity,
                            size: other.members.len(),
                            language: main_language(other).map(str::to_owned),
                        })
                    })
                    .collect()
            })
            .collect(),
    )
}

#[cfg(not(feature = "semantic"))]
fn related_clusters(
    _: &Context<'_>,
    clusters: &[&CopyCluster],
) -> Result<Vec<Vec<Related>>, DetectError> {
    Ok(clusters.iter().map(|_| Vec::new()).collect())
}

impl Copypasta {
    fn distinct_actors(&self, cluster: &CopyCluster) -> usize {
        let actors: BTreeSet<&str> = cluster.members.iter().map(|m| m.source.as_str()).collect();
        actors.len()
    }

    fn alert(&self, cluster: &CopyCluster, related: &[Related]) -> Option<Alert> {
        let members = &cluster.members;
        let (text, similarity) = (&cluster.origin_text, cluster.weakest_similarity);
        let actors: BTreeSet<&str> = members.iter().map(|m| m.source.as_str()).collect();
        let n_actors = actors.len();
        if n_actors < self.settings.min_accounts {
            return None;
        }
        let actors: Vec<String> = actors.into_iter().map(str::to_owned).collect();
        let (origin, last) = (members.first()?, members.last()?);
        let spread = (last.ts - origin.ts) / 1000;
        let sites = members.iter().filter(|m| m.kind == Kind::Article).count();
        // More actors and a faster spread are more suspicious; 20 actors within an hour scores ~0.9.
        let breadth = 1.0 - (-(n_actors as f64) / 8.0).exp();
        let speed = 1.0 / (1.0 + (spread.max(0) as f64) / 86_400.0);
        let score = 0.6 * breadth + 0.4 * speed;
        let cut = self.settings.max_evidence_items;
        let items: Vec<String> = members.iter().take(cut).map(|m| m.id.clone()).collect();
        let first_seen = DateTime::from_timestamp_millis(origin.ts)?;
        let last_seen = DateTime::from_timestamp_millis(last.ts)?;
        let (accounts, domains) = if sites > 0 {
            let domains: Vec<String> = members
                .iter()
                .filter(|m| m.kind == Kind::Article)
                .map(|m| m.source.clone())
                .collect();
            let accounts: Vec<String> = members
                .iter()
                .filter(|m| m.kind != Kind::Article)
                .map(|m| m.source.clone())
                .take(cut)
                .collect();
            (accounts, domains)
        } else {
            (actors.iter().take(cut).cloned().collect(), Vec::new())
        };
        let mut figures = serde_json::Map::new();
        figures.insert("cluster_size".into(), json!(members.len()));
        figures.insert("distinct_actors".into(), json!(n_actors));
        figures.insert("origin".into(), json!(origin.id));
        figures.insert("origin_actor".into(), json!(origin.source));
        figures.insert("spread_seconds".into(), json!(spread));
        figures.insert(
            "similarity".into(),
            json!((similarity * 1000.0).round() / 1000.0),
        );
        figures.insert("text".into(), json!(text));
        figures.insert("languages".into(), json!(cluster.languages));
        if !related.is_empty() {
            // Other clusters saying the same thing: the same narrative laundered through
            // rewording or translation, not copies of this text.
            let links: Vec<serde_json::Value> = related
                .iter()
                .take(cut)
                .map(|r| {
                    json!({
                        "origin": r.origin,
                        "link": r.kind,
                        "similarity": (f64::from(r.similarity) * 1000.0).round() / 1000.0,
                        "cluster_size": r.size,
                        "language": r.language,
                    })
                })
                .collect();
            figures.insert("semantic_links".into(), json!(links));
        }
        let also = match related.len() {
            0 => String::new(),
            1 => "; one other cluster says the same, reworded or translated".to_owned(),
            n => format!("; {n} other clusters say the same, reworded or translated"),
        };
        Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::ContentLaundering,
            disarm: vec!["T0084.001".into()],
            severity: Severity::from_score(score),
            score,
            title: format!("Same text published by {n_actors} accounts or sites"),
            summary: format!(
                "{} copies of one text by {} distinct accounts or sites over {}, first by {}{also}.",
                members.len(),
                n_actors,
                human_duration(spread),
                origin.source
            ),
            first_seen,
            last_seen,
            evidence: Evidence {
                items,
                accounts,
                domains,
                imitates: vec![],
                urls: vec![],
                figures,
            },
        })
    }
}

fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} seconds"),
        s if s < 7_200 => format!("{} minutes", s / 60),
        s if s < 172_800 => format!("{} hours", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store_with;

    use vigie_core::Config;

    fn post(id: &str, author: &str, minute: u32, text: &str, repost_of: Option<&str>) -> String {
        let repost = repost_of
            .map(|r| format!(r#","repost_of":"{r}""#))
            .unwrap_or_default();
        format!(
            r#"{{"kind":"post","id":"{id}","platform":"x","author":"{author}","created_at":"2024-06-01T10:{minute:02}:00Z","text":"{text}","lang":"fr"{repost}}}"#
        )
    }

    const CLAIM: &str = "Les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain";

    #[test]
    fn finds_the_cluster_with_its_origin_and_ignores_reposts_and_lone_authors() {
        let lines = vec![
            post("p2", "bob", 3, &format!("RT @alice: {CLAIM} !!"), None),
            post("p1", "alice", 1, CLAIM, None),
            post("p3", "carol", 7, &format!("{CLAIM} https://t.co/x"), None),
            post("p4", "dave", 9, &format!("@eve {CLAIM}"), None),
            // Native reposts are amplification, not copy-paste.
            post("r1", "rt1", 10, CLAIM, Some("p1")),
            post("r2", "rt2", 11, CLAIM, Some("p1")),
            // One author repeating itself is not a cluster of several actors.
            post(
                "s1",
                "solo",
                1,
                "Un autre message assez long pour compter dans le calcul",
                None,
            ),
            post(
                "s2",
                "solo",
                2,
                "Un autre message assez long pour compter dans le calcul",
                None,
            ),
            post(
                "s3",
                "solo",
                3,
                "Un autre message assez long pour compter dans le calcul",
                None,
            ),
        ];
        let store = store_with(&lines);
        let config = Config::default();
        let detector = build(&config).unwrap();
        let alerts = detector.run(&Context::new(&config, &store)).unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:#?}");
        let a = alerts[0].clone().finalise();
        assert_eq!(a.evidence.items, vec!["p1", "p2", "p3", "p4"]);
        assert_eq!(a.evidence.accounts, vec!["alice", "bob", "carol", "dave"]);
        assert_eq!(a.evidence.figures["origin"], "p1");
        assert_eq!(a.evidence.figures["spread_seconds"], 480);
        assert_eq!(a.first_seen.to_rfc3339(), "2024-06-01T10:01:00+00:00");
        assert!(a.summary.contains("first by alice"), "{}", a.summary);
        assert_eq!(
            a.evidence.figures["languages"],
            serde_json::json!({"fr": 4})
        );
    }

    #[test]
    fn light_rewording_joins_the_cluster() {
        let lines = vec![
            post("p1", "alice", 1, CLAIM, None),
            post(
                "p2",
                "bob",
                2,
                &format!("URGENT !! {CLAIM}, partagez #France2024"),
                None,
            ),
            post(
                "p3",
                "carol",
                3,
                "Les bureaux de vote fermeront exceptionnellement a 18h dimanche",
                None,
            ),
            post(
                "x1",
                "zed",
                4,
                "Le marche de noel ouvrira ses portes samedi prochain sur la place",
                None,
            ),
        ];
        let store = store_with(&lines);
        let config = Config::default();
        let alerts = build(&config)
            .unwrap()
            .run(&Context::new(&config, &store))
            .unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:#?}");
        let a = alerts[0].clone().finalise();
        assert_eq!(a.evidence.items, vec!["p1", "p2", "p3"]);
        let sim = a.evidence.figures["similarity"].as_f64().unwrap();
        assert!(sim > 0.5 && sim < 1.0, "{sim}");
    }

    /// Three accounts each posting `text` (with a retweet prefix or a tag, as copiers do).
    #[cfg(feature = "semantic")]
    fn copies(prefix: &str, lang: &str, minute: u32, text: &str) -> Vec<String> {
        ["", "RT @x: ", ""]
            .iter()
            .zip(["", "", " #vote"])
            .enumerate()
            .map(|(i, (pre, post))| {
                format!(
                    r#"{{"kind":"post","id":"{prefix}{i}","platform":"x","author":"{prefix}_acct{i}","created_at":"2024-06-01T10:{:02}:00Z","text":"{pre}{text}{post}","lang":"{lang}"}}"#,
                    minute + i as u32
                )
            })
            .collect()
    }

    #[cfg(feature = "semantic")]
    #[test]
    fn translated_clusters_are_linked_in_evidence_not_merged() {
        let dir = match vigie_embed::locate() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("SKIPPED semantic copypasta: {e}");
                return;
            }
        };
        let encoder = vigie_embed::Encoder::load(&dir).unwrap();
        // One claim of the generator's hand-written set in French and English, and a French
        // text on the same topic making another claim.
        let claim = &vigie_generate::semantic::CLAIMS[0];
        let (fr, en) = (claim.versions[0][0], claim.versions[1][0]);
        let negative = claim.negatives[0].1;
        let mut lines = copies("fr", "fr", 0, fr);
        lines.extend(copies("en", "en", 10, en));
        lines.extend(copies("neg", "fr", 20, negative));
        let store = store_with(&lines);
        let config = Config::default();
        let detector = build(&config).unwrap();
        let plain = detector.run(&Context::new(&config, &store)).unwrap();
        assert_eq!(plain.len(), 3);
        assert!(plain
            .iter()
            .all(|a| !a.evidence.figures.contains_key("semantic_links")));
        let alerts = detector
            .run(&Context::new(&config, &store).with_encoder(&encoder))
            .unwrap();
        // The clusters stay apart; the French and English ones name each other.
        assert_eq!(alerts.len(), 3);
        let by_origin = |id: &str| {
            alerts
                .iter()
                .find(|a| a.evidence.figures["origin"] == id)
                .unwrap()
        };
        let links = |id: &str| {
            by_origin(id)
                .evidence
                .figures
                .get("semantic_links")
                .cloned()
        };
        let fr_links = links("fr0").expect("the French cluster is linked");
        assert_eq!(fr_links.as_array().unwrap().len(), 1, "{fr_links}");
        assert_eq!(fr_links[0]["origin"], "en0");
        assert_eq!(fr_links[0]["link"], "translation");
        assert_eq!(fr_links[0]["language"], "en");
        assert!(fr_links[0]["similarity"].as_f64().unwrap() >= 0.55);
        assert_eq!(links("en0").unwrap()[0]["origin"], "fr0");
        assert!(links("neg0").is_none(), "{:?}", links("neg0"));
        assert!(by_origin("fr0")
            .summary
            .contains("one other cluster says the same"));
    }

    #[test]
    fn thresholds_come_from_the_config() {
        let lines: Vec<String> = ["a", "b", "c"]
            .iter()
            .enumerate()
            .map(|(i, who)| post(&format!("p{i}"), who, i as u32, CLAIM, None))
            .collect();
        let store = store_with(&lines);
        let strict = Config::from_toml("[detectors.copypasta]\nmin_accounts = 4\n", "t").unwrap();
        let alerts = build(&strict)
            .unwrap()
            .run(&Context::new(&strict, &store))
            .unwrap();
        assert!(alerts.is_empty());
        let loose = Config::default();
        let alerts = build(&loose)
            .unwrap()
            .run(&Context::new(&loose, &store))
            .unwrap();
        assert_eq!(alerts.len(), 1);
    }

    #[test]
    fn a_text_is_cut_when_its_last_word_trails_off() {
        assert!(looks_cut("les bureaux de vote ferment à…"));
        assert!(looks_cut(
            "les bureaux de vote ferment à… #vote 🔥 https://t.co/x"
        ));
        assert!(looks_cut("les bureaux de vote ferment [...]"));
        assert!(!looks_cut("les bureaux de vote ferment..."));
        assert!(!looks_cut("les bureaux de vote ferment à 18h. #vote"));
        assert!(!looks_cut("attendez… les bureaux ferment"));
        assert!(looks_cut("les bureaux de vote ferment …"));
        assert!(!looks_cut(""));
    }

    #[test]
    fn matching_text_ignores_what_copiers_change() {
        let a =
            matching_text("rt @relay: les bureaux de vote ferment à 18h ! https://t.co/x @someone");
        let b = matching_text("les bureaux de vote ferment à 18h https://bit.ly/y");
        assert_eq!(a, b);
        assert_eq!(a, "les bureaux de vote ferment à 18h");
        assert_ne!(
            matching_text("vote on sunday"),
            matching_text("vote on monday")
        );
        assert_eq!(
            matching_text("744 fermes ont fermé, 12 000 emplois"),
            matching_text("818 fermes ont fermé, 9 500 emplois")
        );
        assert_ne!(
            matching_text("fermeture à 18h"),
            matching_text("fermeture à 20h")
        );
    }
}
