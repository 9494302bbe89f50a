//! `lookalike_domain`: domains that imitate a protected domain (SPEC §5.4) — Doppelgänger's
//! `spiegel.ltd`, `bild.eu.com`, `t-onlinr.today`.
//!
//! Every observed host is looked up in the reverse index of [`crate::lookalike`]: `domain` records
//! (domain lists, certificate-transparency feeds, crawled landing pages) and the host of every
//! URL in posts, articles and ads. One alert per look-alike registrable domain and imitated
//! domain, with the hosts seen, the items linking to them, the technique and the reasons; a
//! landing page whose title names the imitated outlet, a recent registration and links from
//! posts raise the score.

use crate::lookalike::{LookalikeIndex, Match};
use crate::{Context, DetectError, Detector};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};
use vigie_normalise::urls::registrable_domain;

pub const NAME: &str = "lookalike_domain";

/// What being linked from posts, articles or ads adds to a look-alike's score.
pub const LINKED_BONUS: f64 = 0.03;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Also protect the bundled list of European news outlets and institutions.
    pub starter_list: bool,
    /// Look-alikes scoring below this are not reported.
    pub min_score: f64,
    /// Evidence lists are cut at this many items.
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            starter_list: false,
            min_score: 0.5,
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    let settings: Settings = config.detector_settings(NAME)?;
    Ok(Box::new(LookalikeDomain {
        index: LookalikeIndex::from_config(config, settings.starter_list),
        settings,
    }))
}

pub struct LookalikeDomain {
    pub settings: Settings,
    pub index: LookalikeIndex,
}

/// What was seen of one look-alike host.
#[derive(Default)]
struct Seen {
    items: Vec<(i64, String)>,
    accounts: BTreeSet<String>,
    urls: BTreeSet<String>,
    /// From the `domain` record, when there is one.
    title: Option<String>,
    registered_at: Option<DateTime<Utc>>,
    first_seen: Option<DateTime<Utc>>,
    listed: bool,
}

/// Hosts looked up so far (each distinct host once), and the look-alikes among them.
#[derive(Default)]
struct Observed {
    /// By 64-bit hash of the host: 16 bytes a host instead of the string (a collision among
    /// millions of hosts has odds of about 1 in 10^7, and would give one host the other's answer).
    checked: HashMap<u64, Option<u32>>,
    matches: Vec<(Match, Seen)>,
    /// With an engine: the only hosts that can match (it computed their look-up keys and
    /// joined them against the index's); the others are not checked.
    candidates: Option<HashSet<String>>,
}

/// [`LookalikeIndex::check`], skipped for hosts outside `candidates` (which it would reject).
fn check(
    index: &LookalikeIndex,
    candidates: Option<&HashSet<String>>,
    host: &str,
) -> Option<Match> {
    match candidates {
        Some(c) if !c.contains(host) => None,
        _ => index.check(host),
    }
}

impl Observed {
    fn lookup(&mut self, index: &LookalikeIndex, host: &str) -> Option<usize> {
        let key = vigie_core::stable_hash(&[host.as_bytes()]);
        if let Some(r) = self.checked.get(&key) {
            return r.map(|i| i as usize);
        }
        self.record(key, check(index, self.candidates.as_ref(), host))
    }

    fn record(&mut self, key: u64, found: Option<Match>) -> Option<usize> {
        if let Some(r) = self.checked.get(&key) {
            return r.map(|i| i as usize);
        }
        let r = found.map(|m| {
            self.matches.push((m, Seen::default()));
            (self.matches.len() - 1) as u32
        });
        self.checked.insert(key, r);
        r.map(|i| i as usize)
    }

    /// Looks a batch of distinct hosts up on every core, then records the answers in batch
    /// order (so the result does not depend on the number of threads). Returns the look-alikes
    /// with their match numbers.
    fn lookup_batch(
        &mut self,
        index: &LookalikeIndex,
        hosts: &[String],
    ) -> Result<Vec<(usize, String)>, DetectError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let per = hosts.len().div_ceil(threads).max(1);
        let candidates = self.candidates.as_ref();
        let answers: Vec<Option<Match>> = std::thread::scope(|scope| {
            let handles: Vec<_> = hosts
                .chunks(per)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|h| check(index, candidates, h))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(hosts.len());
            for h in handles {
                // A lost chunk would shift every later answer onto the wrong host: fail instead.
                all.extend(h.join().map_err(|_| DetectError::Failed {
                    detector: NAME,
                    reason: "a look-up thread panicked".into(),
                })?);
            }
            Ok::<_, DetectError>(all)
        })?;
        let mut out = Vec::new();
        for (host, found) in hosts.iter().zip(answers) {
            let key = vigie_core::stable_hash(&[host.as_bytes()]);
            if let Some(i) = self.record(key, found) {
                out.push((i, host.clone()));
            }
        }
        Ok(out)
    }
}

/// Domain records looked up together (on every core).
const BATCH: usize = 65_536;

impl Detector for LookalikeDomain {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        if self.index.targets() == 0 {
            return Ok(Vec::new());
        }
        let mut seen = Observed::default();
        if let Some(engine) = ctx.engine() {
            let candidates = engine.lookalike_candidates(&self.index.probe_index())?;
            tracing::debug!(
                candidates = candidates.len(),
                "look-alike candidates from the engine"
            );
            seen.candidates = Some(candidates);
        }
        // Domain records are scanned by id (the domain) without decoding them; only the
        // look-alikes' records are read in full, for their title and registration date.
        let mut listed: Vec<(usize, String)> = Vec::new();
        let mut batch: Vec<String> = Vec::with_capacity(BATCH);
        let mut failed: Option<DetectError> = None;
        ctx.store.for_each_text(&[Kind::Domain], |row| {
            if failed.is_some() {
                return Ok(());
            }
            batch.push(row.id.to_owned());
            if batch.len() == BATCH {
                match seen.lookup_batch(&self.index, &batch) {
                    Ok(found) => listed.extend(found),
                    Err(e) => failed = Some(e),
                }
                batch.clear();
            }
            Ok(())
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
        listed.extend(seen.lookup_batch(&self.index, &batch)?);
        for (i, domain) in listed {
            let Some(stored) = ctx.store.get(Kind::Domain, "", &domain)? else {
                continue;
            };
            let Record::Domain(d) = stored.record else {
                continue;
            };
            let s = &mut seen.matches[i].1;
            s.listed = true;
            s.title = d.title.or(s.title.take());
            s.registered_at = d.registered_at.or(s.registered_at);
            s.first_seen = d.first_seen.or(s.first_seen);
        }
        ctx.store
            .for_each_link(&[Kind::Post, Kind::Article, Kind::Ad], |row| {
                for url in row.urls {
                    let Some(host) = host_of(url) else { continue };
                    let Some(i) = seen.lookup(&self.index, host) else {
                        continue;
                    };
                    let s = &mut seen.matches[i].1;
                    s.items.push((row.ts.unwrap_or(0), row.id.to_owned()));
                    if row.kind != Kind::Article {
                        s.accounts.extend(row.author.map(str::to_owned));
                    }
                    s.urls.insert(url.clone());
                }
                Ok(())
            })?;
        let matches = seen.matches;
        // One alert per look-alike registrable domain and imitated domain.
        let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        for (i, (m, _)) in matches.iter().enumerate() {
            let reg = registrable_domain(&m.host).unwrap_or_else(|| m.host.clone());
            groups.entry((reg, m.imitates.clone())).or_default().push(i);
        }
        let mut alerts = Vec::new();
        for ((reg, _), members) in groups {
            if let Some(a) = self.alert(&reg, &members, &matches) {
                alerts.push(a);
            }
        }
        Ok(alerts)
    }
}

/// The host of a canonical URL (`https://host[:port]/...`), without parsing it again.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    (!host.is_empty()).then_some(host)
}

/// DISARM techniques for impersonating an entity of `kind`.
pub fn disarm_for(kind: &str, base: &str) -> Vec<String> {
    let mut d = vec![base.to_owned()];
    match kind {
        "media" => d.extend(["T0097.202".to_owned(), "T0143.003".to_owned()]),
        "institution" => d.push("T0097.206".to_owned()),
        _ => d.push("T0143.003".to_owned()),
    }
    d
}

impl LookalikeDomain {
    fn alert(&self, reg: &str, members: &[usize], matches: &[(Match, Seen)]) -> Option<Alert> {
        // The strongest match of the group speaks for it.
        let best = members
            .iter()
            .map(|&i| &matches[i].0)
            .max_by(|a, b| a.score.total_cmp(&b.score).then(b.host.cmp(&a.host)))?;
        let mut items: Vec<(i64, String)> = Vec::new();
        let mut accounts = BTreeSet::new();
        let mut urls = BTreeSet::new();
        let mut hosts = Vec::new();
        let (mut title, mut registered, mut first) = (None, None, None);
        let mut listed = false;
        for &i in members {
            let (m, seen) = &matches[i];
            hosts.push(m.host.clone());
            items.extend(seen.items.iter().cloned());
            accounts.extend(seen.accounts.iter().cloned());
            urls.extend(seen.urls.iter().cloned());
            title = title.or(seen.title.clone());
            registered = registered.or(seen.registered_at);
            first = first.or(seen.first_seen);
            listed |= seen.listed;
        }
        items.sort_unstable();
        items.dedup();
        let mut reasons = best.reasons.clone();
        let mut score = best.score;
        let entity_words: Vec<String> = best
            .entity
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        if let Some(t) = &title {
            let lower = t.to_lowercase();
            if !entity_words.is_empty() && entity_words.iter().all(|w| lower.contains(w.as_str())) {
                score += 0.08;
                reasons.push(format!("its page title names {}: {t:?}", best.entity));
            }
        }
        let item_times: Vec<i64> = items.iter().map(|(t, _)| *t).filter(|t| *t > 0).collect();
        let times: Vec<DateTime<Utc>> = item_times
            .iter()
            .filter_map(|t| DateTime::from_timestamp_millis(*t))
            .chain(registered)
            .chain(first)
            .collect();
        if let (Some(reg_at), Some(earliest_use)) = (
            registered,
            item_times
                .iter()
                .min()
                .and_then(|t| DateTime::from_timestamp_millis(*t)),
        ) {
            let days = (earliest_use - reg_at).num_days();
            if (0..=90).contains(&days) {
                score += 0.04;
                reasons.push(format!("registered {days} days before it was first linked"));
            }
        }
        if !items.is_empty() {
            score += LINKED_BONUS;
            reasons.push(format!(
                "linked from {} items by {} accounts",
                items.len(),
                accounts.len()
            ));
        }
        let score = score.min(1.0);
        if score < self.settings.min_score {
            return None;
        }
        let first_seen = times.iter().min().copied().unwrap_or(DateTime::UNIX_EPOCH);
        let last_seen = times.iter().max().copied().unwrap_or(first_seen);
        let techniques: Vec<&str> = best.techniques.iter().map(|t| t.name()).collect();
        let mut figures = serde_json::Map::new();
        figures.insert("techniques".into(), json!(techniques));
        figures.insert("edits".into(), json!(best.edits));
        figures.insert("reasons".into(), json!(reasons));
        figures.insert("match_score".into(), json!(best.score));
        figures.insert("entity".into(), json!(best.entity));
        figures.insert("registrable_domain".into(), json!(reg));
        figures.insert("linking_items".into(), json!(items.len()));
        if let Some(t) = &title {
            figures.insert("page_title".into(), json!(t));
        }
        if let Some(r) = registered {
            figures.insert("registered_at".into(), json!(r.to_rfc3339()));
        }
        figures.insert("in_domain_records".into(), json!(listed));
        let how = best.reasons.join("; ");
        Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::MediaImpersonation,
            disarm: disarm_for(&best.entity_kind, "T0149.003"),
            severity: Severity::from_score(score),
            score,
            title: format!("Look-alike of {}: {}", best.imitates, best.host),
            summary: format!(
                "{} imitates {} ({}): {how}{}.",
                best.host,
                best.imitates,
                best.entity,
                if items.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} items by {} accounts link to it",
                        items.len(),
                        accounts.len()
                    )
                }
            ),
            first_seen,
            last_seen,
            evidence: Evidence {
                items: items
                    .into_iter()
                    .take(self.settings.max_evidence_items)
                    .map(|(_, id)| id)
                    .collect(),
                accounts: accounts.into_iter().collect(),
                domains: hosts,
                imitates: vec![best.imitates.clone()],
                urls: urls
                    .into_iter()
                    .take(self.settings.max_evidence_items)
                    .collect(),
                figures,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store_with;

    use vigie_core::Config;

    const CONFIG: &str = r#"
[[protected]]
kind = "media"
name = "Der Spiegel"
domains = ["spiegel.de"]

[[protected]]
kind = "media"
name = "Le Monde"
domains = ["lemonde.fr"]
"#;

    fn post(id: &str, author: &str, url: &str) -> String {
        format!(
            r#"{{"kind":"post","id":"{id}","platform":"x","author":"{author}","created_at":"2024-06-01T10:00:00Z","text":"Lisez ceci {url}"}}"#
        )
    }

    fn run(config: &str, lines: &[String]) -> Vec<Alert> {
        let config = Config::from_toml(config, "t").unwrap();
        let store = store_with(lines);
        let ctx = Context::new(&config, &store);
        let mut alerts: Vec<Alert> = build(&config)
            .unwrap()
            .run(&ctx)
            .unwrap()
            .into_iter()
            .map(Alert::finalise)
            .collect();
        alerts.sort_by(|a, b| a.title.cmp(&b.title));
        alerts
    }

    #[test]
    fn flags_lookalikes_from_domain_records_and_links_but_not_the_real_sites() {
        let lines = vec![
            r#"{"kind":"domain","domain":"spiegel.ltd","registered_at":"2024-05-20T00:00:00Z","title":"DER SPIEGEL | Online-Nachrichten"}"#.to_owned(),
            r#"{"kind":"domain","domain":"jardinage-facile.fr"}"#.to_owned(),
            post("p1", "a1", "https://www.spiegel.ltd/politik/1.html"),
            post("p2", "a2", "https://spiegel.ltd/politik/2.html?utm_source=x"),
            post("p3", "a3", "https://lemonde.fr.actu-eu.com/article/3"),
            post("p4", "a4", "https://www.lemonde.fr/politique/4"),
            post("p5", "a5", "https://www.spiegel.de/politik/5"),
        ];
        let alerts = run(CONFIG, &lines);
        assert_eq!(alerts.len(), 2, "{alerts:#?}");
        let lm = &alerts[0];
        assert_eq!(lm.evidence.domains, vec!["lemonde.fr.actu-eu.com"]);
        assert_eq!(lm.evidence.imitates, vec!["lemonde.fr"]);
        assert_eq!(lm.evidence.items, vec!["p3"]);
        assert_eq!(lm.evidence.figures["techniques"], json!(["subdomain"]));
        let sp = &alerts[1];
        assert_eq!(sp.detector, NAME);
        assert_eq!(sp.evidence.domains, vec!["spiegel.ltd", "www.spiegel.ltd"]);
        assert_eq!(sp.evidence.imitates, vec!["spiegel.de"]);
        assert_eq!(sp.evidence.items, vec!["p1", "p2"]);
        assert_eq!(sp.evidence.accounts, vec!["a1", "a2"]);
        assert_eq!(sp.evidence.figures["techniques"], json!(["suffix_swap"]));
        assert!(sp.disarm.contains(&"T0149.003".to_owned()));
        assert!(sp.disarm.contains(&"T0097.202".to_owned()));
        // Title naming the outlet and a registration 12 days before use raise the score.
        assert!(sp.score > lm.score, "{} vs {}", sp.score, lm.score);
        assert!(sp.summary.contains("spiegel.de"), "{}", sp.summary);
        assert_eq!(sp.modus_operandi, ModusOperandi::MediaImpersonation);
    }

    #[test]
    fn starter_list_is_a_switch() {
        let lines = vec![r#"{"kind":"domain","domain":"bild.eu.com"}"#.to_owned()];
        assert!(run("", &lines).is_empty());
        let on = run(
            "[detectors.lookalike_domain]\nstarter_list = true\n",
            &lines,
        );
        assert_eq!(on.len(), 1);
        assert_eq!(on[0].evidence.imitates, vec!["bild.de"]);
    }

    #[test]
    fn url_hosts_are_read_without_reparsing() {
        assert_eq!(host_of("https://a.b.com/x"), Some("a.b.com"));
        assert_eq!(host_of("http://a.com:8080/"), Some("a.com"));
        assert_eq!(host_of("https://a.com?q"), Some("a.com"));
        assert_eq!(host_of("nothing"), None);
    }
}
