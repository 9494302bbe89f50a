//! Watched narratives (`[[narrative]]` in vigie.toml): which posts and articles carry each one,
//! its daily volume, first appearance, top spreaders, languages, and the alerts (copy-paste,
//! coordination, ...) that name the same items. Not an alert detector — SPEC §4 has no
//! `narrative` detector — but a report (`vigie narratives`) analysts read beside the alerts.
//!
//! A text carries a narrative when, in one of the narrative's languages (any, if none is
//! listed), it holds two of its keywords, one keyword of several words ("trojan horse"), or
//! most of the distinctive words of one of its examples. Keywords and example words are
//! literals matched by Aho-Corasick at word boundaries on folded text. With the sentence encoder
//! (cargo feature `semantic`, see [`by_meaning`]), a text also carries a narrative when it says
//! what one of the examples says, reworded or in another language.

use crate::lexicon::{Hit, Matcher, MatcherBuilder, ANY_LANG};
use crate::DetectError;
use chrono::DateTime;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_core::{Config, Kind};
use vigie_store::Store;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cat {
    /// Narrative, keyword index, whether the keyword has several words.
    Keyword(u16, u16, bool),
    /// Narrative, example index, word index.
    ExampleWord(u16, u16, u16),
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct NarrativeReport {
    pub name: String,
    pub items: usize,
    pub first_seen: Option<DateTime<chrono::Utc>>,
    pub first_item: Option<String>,
    /// UTC day → items.
    pub daily: BTreeMap<String, usize>,
    /// Accounts (posts) and sites (articles) by items, most first (ten at most).
    pub top_spreaders: Vec<(String, usize)>,
    pub languages: BTreeMap<String, usize>,
    /// Alerts naming at least one of the narrative's items: alert id → shared items.
    pub alerts: BTreeMap<String, usize>,
    /// Detectors of those alerts → alerts.
    pub alerts_by_detector: BTreeMap<String, usize>,
    /// Of `items`, those found by meaning alone (no keyword or example words).
    pub by_meaning_only: usize,
}

/// Narratives (indices) found by meaning, per record (`rid`).
pub type MeaningMatches = HashMap<i64, BTreeSet<usize>>;

/// Words of an example that say something: four letters or more.
fn distinctive_words(example: &str) -> Vec<String> {
    let folded = vigie_normalise::text::fold(example);
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.chars().count() >= 4 && !w.contains('{'))
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words
}

pub struct Tracker {
    matcher: Matcher<Cat>,
    langs: Vec<BTreeSet<String>>,
    example_sizes: Vec<Vec<usize>>,
    names: Vec<String>,
}

impl Tracker {
    pub fn new(config: &Config) -> Result<Tracker, DetectError> {
        let mut b = MatcherBuilder::new(Vec::new());
        let mut langs = Vec::new();
        let mut example_sizes = Vec::new();
        let mut names = Vec::new();
        for (n, narrative) in config.narrative.iter().enumerate().take(u16::MAX as usize) {
            for (k, kw) in narrative
                .keywords
                .iter()
                .enumerate()
                .take(u16::MAX as usize)
            {
                let multi = kw.split_whitespace().count() > 1;
                b.add(kw, ANY_LANG, Cat::Keyword(n as u16, k as u16, multi));
            }
            let mut sizes = Vec::new();
            for (e, example) in narrative
                .examples
                .iter()
                .enumerate()
                .take(u16::MAX as usize)
            {
                let words = distinctive_words(example);
                for (w, word) in words.iter().enumerate().take(u16::MAX as usize) {
                    b.add(
                        word,
                        ANY_LANG,
                        Cat::ExampleWord(n as u16, e as u16, w as u16),
                    );
                }
                sizes.push(words.len());
            }
            example_sizes.push(sizes);
            langs.push(
                narrative
                    .languages
                    .iter()
                    .map(|l| l.to_lowercase())
                    .collect(),
            );
            names.push(narrative.name.clone());
        }
        Ok(Tracker {
            matcher: b.build()?,
            langs,
            example_sizes,
            names,
        })
    }

    /// The configured name of narrative `n`.
    pub fn name(&self, n: usize) -> Option<&str> {
        self.names.get(n).map(String::as_str)
    }

    /// Whether narrative `n` is watched in `lang`.
    pub fn watches(&self, n: usize, lang: Option<&str>) -> bool {
        self.langs
            .get(n)
            .is_some_and(|l| l.is_empty() || lang.is_some_and(|x| l.contains(x)))
    }

    /// Narratives (indices) a folded text carries.
    pub fn narratives_of(&self, text: &str, lang: Option<&str>) -> Vec<usize> {
        let mut hits: Vec<Hit<Cat>> = Vec::new();
        self.matcher.scan(text, None, &mut hits);
        if hits.is_empty() {
            return Vec::new();
        }
        let mut keywords: BTreeMap<u16, BTreeSet<u16>> = BTreeMap::new();
        let mut phrase: BTreeSet<u16> = BTreeSet::new();
        let mut example_words: HashMap<(u16, u16), BTreeSet<u16>> = HashMap::new();
        for h in &hits {
            match h.cat {
                Cat::Keyword(n, k, multi) => {
                    keywords.entry(n).or_default().insert(k);
                    if multi {
                        phrase.insert(n);
                    }
                }
                Cat::ExampleWord(n, e, w) => {
                    example_words.entry((n, e)).or_default().insert(w);
                }
            }
        }
        let mut out: BTreeSet<usize> = BTreeSet::new();
        for (n, ks) in &keywords {
            if ks.len() >= 2 || phrase.contains(n) {
                out.insert(*n as usize);
            }
        }
        for ((n, e), words) in &example_words {
            let size = self
                .example_sizes
                .get(*n as usize)
                .and_then(|s| s.get(*e as usize))
                .copied()
                .unwrap_or(usize::MAX);
            // Most of an example's distinctive words: a rewording of it.
            if size >= 3 && words.len() * 10 >= size * 6 {
                out.insert(*n as usize);
            }
        }
        out.into_iter().filter(|&n| self.watches(n, lang)).collect()
    }
}

/// Minimum cosine between a text and one of a narrative's examples for the text to carry it by
/// meaning. Chosen on `vigie eval --semantic` (README): examples and texts are single claims, and
/// above this a same-topic text making another claim rarely reaches an example.
#[cfg(feature = "semantic")]
pub const MEANING_MIN: f32 = 0.55;

/// Compares texts with the narratives' examples by meaning.
#[cfg(feature = "semantic")]
pub struct MeaningMatcher<'e> {
    /// Examples labelled by their narrative.
    examples: crate::semantic::Examples<'e>,
    min: f32,
}

#[cfg(feature = "semantic")]
impl<'e> MeaningMatcher<'e> {
    pub fn new(encoder: &'e vigie_embed::Encoder, config: &Config, min: f32) -> Self {
        let examples: Vec<(usize, &str)> = config
            .narrative
            .iter()
            .enumerate()
            .flat_map(|(n, nar)| nar.examples.iter().map(move |e| (n, e.as_str())))
            .collect();
        MeaningMatcher {
            examples: crate::semantic::Examples::new(encoder, &examples),
            min,
        }
    }

    /// For each text, the narratives one of whose examples it reaches (before any language
    /// filter). Identical texts are embedded once; `store` caches the vectors.
    pub fn narratives_of(
        &self,
        store: Option<&Store>,
        texts: &[&str],
    ) -> Result<Vec<BTreeSet<usize>>, DetectError> {
        Ok(self
            .examples
            .reached(store, texts, self.min)?
            .into_iter()
            .map(|found| {
                found
                    .into_iter()
                    .filter_map(|(e, _)| self.examples.label(e))
                    .collect()
            })
            .collect())
    }
}

/// Texts read per embedding batch.
#[cfg(feature = "semantic")]
const BATCH: usize = 4096;

/// Which of the store's posts and articles carry each narrative by meaning (in the narrative's
/// languages), for [`track_with`].
#[cfg(feature = "semantic")]
pub fn by_meaning(
    config: &Config,
    store: &Store,
    encoder: &vigie_embed::Encoder,
) -> Result<MeaningMatches, DetectError> {
    let mut found = MeaningMatches::new();
    if config.narrative.iter().all(|n| n.examples.is_empty()) {
        return Ok(found);
    }
    let tracker = Tracker::new(config)?;
    let matcher = MeaningMatcher::new(encoder, config, MEANING_MIN);
    // Read first, embedded after: the vector cache is written through the store's connection,
    // which the read holds.
    let mut rows: Vec<(i64, String, Option<String>)> = Vec::new();
    store.for_each_text(&[Kind::Post, Kind::Article], |row| {
        if row.repost_of.is_none() && !row.norm.is_empty() {
            rows.push((row.rid, row.norm.to_owned(), row.lang.map(str::to_owned)));
        }
        Ok(())
    })?;
    for batch in rows.chunks(BATCH) {
        let texts: Vec<&str> = batch.iter().map(|(_, t, _)| t.as_str()).collect();
        for ((rid, _, lang), ns) in batch
            .iter()
            .zip(matcher.narratives_of(Some(store), &texts)?)
        {
            let ns: BTreeSet<usize> = ns
                .into_iter()
                .filter(|&n| tracker.watches(n, lang.as_deref()))
                .collect();
            if !ns.is_empty() {
                found.insert(*rid, ns);
            }
        }
    }
    Ok(found)
}

/// Tracks every configured narrative over the store's posts and articles.
pub fn track(config: &Config, store: &Store) -> Result<Vec<NarrativeReport>, DetectError> {
    track_with(config, store, &MeaningMatches::new())
}

/// [`track`], also counting the texts `meaning` says carry a narrative.
pub fn track_with(
    config: &Config,
    store: &Store,
    meaning: &MeaningMatches,
) -> Result<Vec<NarrativeReport>, DetectError> {
    let tracker = Tracker::new(config)?;
    let mut reports: Vec<NarrativeReport> = tracker
        .names
        .iter()
        .map(|n| NarrativeReport {
            name: n.clone(),
            ..NarrativeReport::default()
        })
        .collect();
    let mut spreaders: Vec<HashMap<String, usize>> = vec![HashMap::new(); reports.len()];
    let mut items: Vec<std::collections::HashSet<String>> = vec![Default::default(); reports.len()];
    store.for_each_text(&[Kind::Post, Kind::Article], |row| {
        if row.repost_of.is_some() || row.norm.is_empty() {
            return Ok(());
        }
        let by_words = tracker.narratives_of(row.norm, row.lang);
        let mut found: BTreeSet<usize> = by_words.iter().copied().collect();
        if let Some(extra) = meaning.get(&row.rid) {
            found.extend(extra);
        }
        for n in found {
            let Some(r) = reports.get_mut(n) else {
                continue;
            };
            r.items += 1;
            if !by_words.contains(&n) {
                r.by_meaning_only += 1;
            }
            let at = row.ts.and_then(DateTime::from_timestamp_millis);
            if let Some(at) = at {
                *r.daily.entry(at.date_naive().to_string()).or_default() += 1;
                if r.first_seen.is_none_or(|f| at < f) {
                    r.first_seen = Some(at);
                    r.first_item = Some(row.id.to_owned());
                }
            }
            let who = match row.kind {
                Kind::Article => row.platform.to_owned(),
                _ => row.author.unwrap_or("").to_owned(),
            };
            *spreaders[n].entry(who).or_default() += 1;
            *r.languages
                .entry(row.lang.unwrap_or("unknown").to_owned())
                .or_default() += 1;
            items[n].insert(row.id.to_owned());
        }
        Ok(())
    })?;
    let alerts = store.alerts()?;
    for (n, r) in reports.iter_mut().enumerate() {
        let mut top: Vec<(String, usize)> = spreaders[n].drain().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(10);
        r.top_spreaders = top;
        for a in &alerts {
            let shared = a
                .evidence
                .items
                .iter()
                .filter(|i| items[n].contains(*i))
                .count();
            if shared > 0 {
                r.alerts.insert(a.id.clone(), shared);
                *r.alerts_by_detector.entry(a.detector.clone()).or_default() += 1;
            }
        }
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::config::InputConfig;
    use vigie_core::Record;
    use vigie_normalise::Normaliser;

    const CONFIG: &str = r#"
[[narrative]]
name = "candidate is a CIA agent"
keywords = ["cia", "trojan horse", "cheval de troie", "washington"]
examples = ["Glucksmann is the CIA's Trojan horse in Europe", "Leaked documents prove the candidate has been paid by Washington"]
languages = ["fr", "en"]
"#;

    #[test]
    fn keywords_phrases_and_reworded_examples_match_in_listed_languages() {
        let cfg = Config::from_toml(CONFIG, "t").unwrap();
        let t = Tracker::new(&cfg).unwrap();
        let m = |s: &str, l: &str| t.narratives_of(&vigie_normalise::text::fold(s), Some(l));
        assert_eq!(
            m(
                "Claire Fontaine est le cheval de Troie des Américains",
                "fr"
            ),
            vec![0]
        );
        assert_eq!(m("The CIA pays her from Washington", "en"), vec![0]);
        assert_eq!(
            m(
                "Leaked documents prove Fontaine has been paid by foreigners",
                "en"
            ),
            vec![0],
            "most words of an example"
        );
        assert!(m("The CIA World Factbook lists Europe's population", "en").is_empty());
        // Not in one of the narrative's languages.
        assert!(m("Fontaine ist das trojan horse der CIA", "de").is_empty());
    }

    #[cfg(feature = "semantic")]
    #[test]
    fn translations_of_an_example_carry_the_narrative_by_meaning() {
        let dir = match vigie_embed::locate() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("SKIPPED narratives by meaning: {e}");
                return;
            }
        };
        let encoder = vigie_embed::Encoder::load(&dir).unwrap();
        // The generator's hand-written claim 4 (refugees and pensioners): the English original
        // is the example; its French and Polish versions should match, the French hard negative
        // (same topic, another claim) should not.
        let claim = &vigie_generate::semantic::CLAIMS[4];
        let cfg = Config {
            narrative: vec![vigie_core::config::Narrative {
                name: "welfare for refugees".into(),
                keywords: vec![],
                examples: vec![claim.versions[1][0].into()],
                languages: vec![],
            }],
            ..Config::default()
        };
        let posts = [
            ("fr", "fr", claim.versions[0][0]),
            ("pl", "pl", claim.versions[4][0]),
            ("neg", "fr", claim.negatives[0].1),
        ];
        let lines: Vec<String> = posts
            .iter()
            .map(|(id, lang, text)| {
                serde_json::json!({"kind": "post", "id": id, "platform": "x", "author": id,
                    "created_at": "2024-06-01T10:00:00Z", "text": text, "lang": lang})
                .to_string()
            })
            .collect();
        let store = crate::test_support::store_with(&lines);
        let words = track(&cfg, &store).unwrap();
        assert_eq!(words[0].items, 0, "no shared words with the example");
        let meaning = by_meaning(&cfg, &store, &encoder).unwrap();
        // The three texts' vectors are kept; a second pass reads them back to the same result.
        let tag = crate::semantic::MODEL_TAG;
        assert_eq!(store.cached_vector_count(tag).unwrap(), 3);
        assert_eq!(by_meaning(&cfg, &store, &encoder).unwrap(), meaning);
        assert_eq!(store.cached_vector_count(tag).unwrap(), 3);
        let r = &track_with(&cfg, &store, &meaning).unwrap()[0];
        assert_eq!(r.items, 2, "{r:?}");
        assert_eq!(r.by_meaning_only, 2);
        assert_eq!(r.languages.keys().collect::<Vec<_>>(), ["fr", "pl"]);
    }

    #[test]
    fn volume_first_seen_spreaders_and_linked_alerts() {
        let cfg = Config::from_toml(CONFIG, "t").unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let normaliser = Normaliser::new(&InputConfig::default());
        let mut batch = store.batch().unwrap();
        for (id, author, day, text) in [
            (
                "p1",
                "alice",
                "2024-06-01T09:00:00Z",
                "Fontaine est le cheval de Troie de la CIA",
            ),
            (
                "p2",
                "bob",
                "2024-06-01T10:00:00Z",
                "Fontaine est le cheval de Troie de la CIA !",
            ),
            (
                "p3",
                "alice",
                "2024-06-02T10:00:00Z",
                "Fontaine is the CIA's Trojan horse",
            ),
            (
                "p4",
                "carol",
                "2024-06-02T11:00:00Z",
                "Nothing to see here, just the weather",
            ),
        ] {
            let r: Record = serde_json::from_value(serde_json::json!({"kind": "post", "id": id,
                "platform": "x", "author": author, "created_at": day, "text": text, "lang": "fr"}))
            .unwrap();
            batch.insert(&normaliser.normalise(r).unwrap()).unwrap();
        }
        batch.commit().unwrap();
        let alert = vigie_core::Alert {
            id: String::new(),
            detector: "copypasta".into(),
            modus_operandi: vigie_core::ModusOperandi::ContentLaundering,
            disarm: vec![],
            severity: vigie_core::Severity::Low,
            score: 0.5,
            title: "t".into(),
            summary: "s".into(),
            first_seen: DateTime::UNIX_EPOCH,
            last_seen: DateTime::UNIX_EPOCH,
            evidence: vigie_core::Evidence {
                items: vec!["p1".into(), "p2".into()],
                ..Default::default()
            },
        }
        .finalise();
        store
            .replace_alerts(&["copypasta"], std::slice::from_ref(&alert))
            .unwrap();
        let r = &track(&cfg, &store).unwrap()[0];
        assert_eq!(r.items, 3);
        assert_eq!(r.first_item.as_deref(), Some("p1"));
        assert_eq!(r.daily["2024-06-01"], 2);
        assert_eq!(r.daily["2024-06-02"], 1);
        assert_eq!(r.top_spreaders[0], ("alice".to_owned(), 2));
        assert_eq!(r.alerts[&alert.id], 2);
        assert_eq!(r.alerts_by_detector["copypasta"], 1);
    }
}
