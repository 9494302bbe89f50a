//! `cloned_site`: pages that copy a protected outlet (SPEC §5.4) — Doppelgänger's clones kept
//! the outlet's layout, title and branding, copied its articles, and linked back to it.
//!
//! Two kinds of page are read. A `domain` record's landing page (`title`, `html`): its title
//! naming a protected entity, links back to the entity's own domains (canonical link, menus,
//! images), the share of its tags, ids and classes found on the entity's own page when the store
//! has it, and whether the host is a look-alike of the entity's domain. An article on a site the
//! entity does not own: copied from one of the entity's articles (the shared copy clusters),
//! titled with its name, on a look-alike host. Signals add up; one alert per site and entity.

use crate::lookalike::{Entity, LookalikeIndex};
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};
use vigie_normalise::text::fold;
use vigie_normalise::urls::{normalise_domain, registrable_domain};

pub const NAME: &str = "cloned_site";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Pages scoring below this are not reported.
    pub min_score: f64,
    /// Layout similarity (tags, ids and classes) above which a page copies the entity's page.
    pub min_layout_similarity: f64,
    /// Evidence lists are cut at this many items.
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_score: 0.6,
            min_layout_similarity: 0.6,
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    let lookalike: super::lookalike_domain::Settings =
        config.detector_settings(super::lookalike_domain::NAME)?;
    Ok(Box::new(ClonedSite {
        settings: config.detector_settings(NAME)?,
        index: LookalikeIndex::from_config(config, lookalike.starter_list),
    }))
}

pub struct ClonedSite {
    pub settings: Settings,
    pub index: LookalikeIndex,
}

/// Signals gathered for one (site, entity).
#[derive(Default)]
struct Clone {
    imitates: BTreeSet<String>,
    hosts: BTreeSet<String>,
    items: Vec<(i64, String)>,
    title: Option<String>,
    title_claims: bool,
    links_back: usize,
    canonical_back: bool,
    layout_similarity: Option<f64>,
    copied_from: BTreeSet<String>,
    lookalike_score: f64,
    lookalike_reasons: Vec<String>,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
}

/// A landing page of a site no protected entity owns.
struct Page {
    host: String,
    title: Option<String>,
    html: Option<String>,
    seen: Option<i64>,
}

/// Whether a folded title names an entity (its folded name `n` as a run of whole words).
fn names(t: &str, n: &str) -> bool {
    if n.chars().count() < 3 {
        return false;
    }
    t.match_indices(n).any(|(i, m)| {
        let before = t[..i].chars().next_back();
        let after = t[i + m.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Hosts of the absolute links of a page (`href`, `src`), in order.
fn link_hosts(html: &str) -> Vec<(String, bool)> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    for attr in ["href=", "src="] {
        for (i, _) in lower.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let rest = rest.trim_start_matches(['"', '\'']);
            let end = rest.find(['"', '\'', ' ', '>']).unwrap_or(rest.len());
            let value = prefix(&rest[..end], 2048);
            if !(value.starts_with("http://")
                || value.starts_with("https://")
                || value.starts_with("//"))
            {
                continue;
            }
            if let Some(h) = normalise_domain(value.trim_start_matches('/')) {
                // Whether the link is the page's canonical address.
                let tag_start = lower[..i].rfind('<').unwrap_or(0);
                let canonical = lower[tag_start..i].contains("canonical");
                out.push((h, canonical));
            }
        }
    }
    out
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The layout of a page: its tag names and its id and class values (also the page-template
/// fingerprint `relay_network` compares across sites).
pub(crate) fn layout(html: &str) -> BTreeSet<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = BTreeSet::new();
    for part in lower.split('<').skip(1).take(20_000) {
        let tag: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !tag.is_empty() {
            out.insert(format!("<{tag}"));
        }
        for attr in ["class=", "id="] {
            let Some(i) = part.find(attr) else { continue };
            let v = &part[i + attr.len()..];
            let Some(quote) = v.chars().next().filter(|q| *q == '"' || *q == '\'') else {
                continue;
            };
            let v = &v[1..];
            let v = prefix(&v[..v.find(quote).unwrap_or(v.len())], 200);
            for w in v.split_whitespace() {
                out.insert(format!("{attr}{w}"));
            }
        }
    }
    out
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

impl Detector for ClonedSite {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let entities = self.index.entities_with_domains();
        if entities.is_empty() {
            return Ok(Vec::new());
        }
        let entity_of: HashMap<&str, usize> = entities
            .iter()
            .enumerate()
            .map(|(i, (e, _))| (e.name.as_str(), i))
            .collect();
        let folded_names: Vec<String> = entities.iter().map(|(e, _)| fold(&e.name)).collect();
        let mut clones: BTreeMap<(String, usize), Clone> = BTreeMap::new();
        // Landing pages: the entities' own layouts first, then every other page against them.
        let mut own_layouts: HashMap<usize, BTreeSet<String>> = HashMap::new();
        let mut pages: Vec<Page> = Vec::new();
        ctx.store.for_each(Kind::Domain, |stored| {
            let Record::Domain(d) = stored.record else {
                return Ok(());
            };
            if d.html.is_none() && d.title.is_none() {
                return Ok(());
            }
            if let Some((_, e)) = self.index.owner(&d.domain) {
                if let (Some(html), Some(&i)) = (&d.html, entity_of.get(e.name.as_str())) {
                    own_layouts.entry(i).or_insert_with(|| layout(html));
                }
                return Ok(());
            }
            let seen = d
                .first_seen
                .or(d.registered_at)
                .map(|t| t.timestamp_millis());
            pages.push(Page {
                host: d.domain,
                title: d.title,
                html: d.html,
                seen,
            });
            Ok(())
        })?;
        for Page {
            host,
            title,
            html,
            seen,
        } in pages
        {
            // Each link's owner is looked up once; only entities the page names, links to or
            // whose layout is known are weighed.
            let links: Vec<(usize, String, bool)> = html
                .as_deref()
                .map(link_hosts)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(h, canonical)| {
                    let (reg, owner) = self.index.owner(&h)?;
                    Some((*entity_of.get(owner.name.as_str())?, reg, canonical))
                })
                .collect();
            let page_layout = html.as_deref().map(layout);
            let folded_title = title.as_deref().map(fold);
            let mut candidates: BTreeSet<usize> = links.iter().map(|(i, _, _)| *i).collect();
            if page_layout.is_some() {
                candidates.extend(own_layouts.keys().copied());
            }
            if let Some(t) = &folded_title {
                candidates.extend(
                    folded_names
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| names(t, n))
                        .map(|(i, _)| i),
                );
            }
            for i in candidates {
                let claims = folded_title
                    .as_deref()
                    .is_some_and(|t| names(t, &folded_names[i]));
                let mut back = 0;
                let mut canonical = false;
                let mut imitated = BTreeSet::new();
                for (_, reg, is_canonical) in links.iter().filter(|(e, _, _)| *e == i) {
                    back += 1;
                    canonical |= is_canonical;
                    imitated.insert(reg.clone());
                }
                let similarity = match (&page_layout, own_layouts.get(&i)) {
                    (Some(p), Some(o)) => Some(jaccard(p, o)),
                    _ => None,
                };
                let copies_layout =
                    similarity.is_some_and(|s| s >= self.settings.min_layout_similarity);
                if !claims && back == 0 && !copies_layout {
                    continue;
                }
                let site = registrable_domain(&host).unwrap_or_else(|| host.clone());
                let c = clones.entry((site, i)).or_default();
                c.hosts.insert(host.clone());
                c.imitates.extend(imitated);
                c.title = c.title.take().or(title.clone());
                c.title_claims |= claims;
                c.links_back += back;
                c.canonical_back |= canonical;
                c.layout_similarity = match (c.layout_similarity, similarity) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                if let Some(t) = seen {
                    c.first_seen = Some(c.first_seen.map_or(t, |f| f.min(t)));
                    c.last_seen = Some(c.last_seen.map_or(t, |l| l.max(t)));
                }
            }
        }
        // Articles copied from an entity's own articles onto a site it does not own.
        for cluster in ctx.copy_clusters()? {
            let owners: BTreeSet<usize> = cluster
                .members
                .iter()
                .filter(|m| m.kind == Kind::Article)
                .filter_map(|m| self.index.owner(&m.source))
                .filter_map(|(_, e)| entity_of.get(e.name.as_str()).copied())
                .collect();
            for &i in &owners {
                let originals: Vec<&str> = cluster
                    .members
                    .iter()
                    .filter(|m| {
                        self.index
                            .owner(&m.source)
                            .is_some_and(|(_, e)| e.name == entities[i].0.name)
                    })
                    .map(|m| m.id.as_str())
                    .collect();
                for m in &cluster.members {
                    if m.kind != Kind::Article || self.index.owner(&m.source).is_some() {
                        continue;
                    }
                    let site = registrable_domain(&m.source).unwrap_or_else(|| m.source.clone());
                    let c = clones.entry((site, i)).or_default();
                    c.hosts.insert(m.source.clone());
                    c.items.push((m.ts, m.id.clone()));
                    c.copied_from
                        .extend(originals.iter().map(|s| s.to_string()));
                    c.first_seen = Some(c.first_seen.map_or(m.ts, |f| f.min(m.ts)));
                    c.last_seen = Some(c.last_seen.map_or(m.ts, |l| l.max(m.ts)));
                }
            }
        }
        let mut alerts = Vec::new();
        for ((site, i), mut c) in clones {
            let (entity, domains) = &entities[i];
            for h in c.hosts.clone() {
                if let Some(m) = self.index.check(&h) {
                    if domains.contains(&m.imitates.as_str()) && m.score > c.lookalike_score {
                        c.lookalike_score = m.score;
                        c.lookalike_reasons = m.reasons.clone();
                        c.imitates.insert(m.imitates);
                    }
                }
            }
            if c.imitates.is_empty() {
                c.imitates.extend(domains.first().map(|d| d.to_string()));
            }
            if let Some(a) = self.alert(&site, entity, c) {
                alerts.push(a);
            }
        }
        Ok(alerts)
    }
}

impl ClonedSite {
    fn alert(&self, site: &str, entity: &Entity, mut c: Clone) -> Option<Alert> {
        let mut reasons = Vec::new();
        let mut score: f64 = 0.0;
        if c.title_claims {
            score += 0.3;
            reasons.push(format!(
                "its page title names {}: {:?}",
                entity.name,
                c.title.as_deref().unwrap_or_default()
            ));
        }
        if c.links_back > 0 {
            score += if c.canonical_back { 0.3 } else { 0.2 };
            reasons.push(format!(
                "{} links point back to {}'s own site{}",
                c.links_back,
                entity.name,
                if c.canonical_back {
                    ", its canonical address among them"
                } else {
                    ""
                }
            ));
        }
        if let Some(s) = c
            .layout_similarity
            .filter(|s| *s >= self.settings.min_layout_similarity)
        {
            score += 0.25;
            reasons.push(format!(
                "{:.0}% of its layout (tags, ids, classes) is {}'s",
                s * 100.0,
                entity.name
            ));
        }
        if !c.copied_from.is_empty() {
            score += 0.35;
            reasons.push(format!(
                "{} articles copy {}'s articles",
                c.items.len(),
                entity.name
            ));
        }
        if c.lookalike_score >= 0.5 {
            score += 0.3;
            reasons.push(format!(
                "its domain imitates {}'s: {}",
                entity.name,
                c.lookalike_reasons.join("; ")
            ));
        }
        let score = score.min(1.0);
        if score < self.settings.min_score {
            return None;
        }
        c.items.sort_unstable();
        c.items.dedup();
        let first_seen = c
            .first_seen
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or(DateTime::UNIX_EPOCH);
        let last_seen = c
            .last_seen
            .and_then(DateTime::from_timestamp_millis)
            .unwrap_or(first_seen);
        let imitates: Vec<String> = c.imitates.into_iter().collect();
        let mut figures = serde_json::Map::new();
        figures.insert("entity".into(), json!(entity.name));
        figures.insert("reasons".into(), json!(reasons));
        figures.insert("title_claims_entity".into(), json!(c.title_claims));
        figures.insert("links_back".into(), json!(c.links_back));
        if let Some(s) = c.layout_similarity {
            figures.insert(
                "layout_similarity".into(),
                json!((s * 1000.0).round() / 1000.0),
            );
        }
        figures.insert(
            "copied_from".into(),
            json!(c
                .copied_from
                .iter()
                .take(self.settings.max_evidence_items)
                .collect::<Vec<_>>()),
        );
        if let Some(t) = &c.title {
            figures.insert("page_title".into(), json!(t));
        }
        Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::MediaImpersonation,
            disarm: super::lookalike_domain::disarm_for(&entity.kind, "T0149.003"),
            severity: Severity::from_score(score),
            score,
            title: format!("Clone of {} on {site}", entity.name),
            summary: format!(
                "{site} passes itself off as {} ({}): {}.",
                entity.name,
                imitates.join(", "),
                reasons.join("; ")
            ),
            first_seen,
            last_seen,
            evidence: Evidence {
                items: c
                    .items
                    .into_iter()
                    .take(self.settings.max_evidence_items)
                    .map(|(_, id)| id)
                    .collect(),
                accounts: vec![],
                domains: c.hosts.into_iter().collect(),
                imitates,
                urls: vec![],
                figures,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::config::InputConfig;
    use vigie_core::Config;
    use vigie_normalise::Normaliser;
    use vigie_store::Store;

    const CONFIG: &str = r#"
[[protected]]
kind = "media"
name = "Der Spiegel"
domains = ["spiegel.de"]
"#;

    const PAGE: &str = "<html><head><title>DER SPIEGEL | Online-Nachrichten</title><link rel='canonical' href='https://www.spiegel.de/'></head><body><header class='site-header main'><nav id='menu'></nav></header><main id='article'><div class='teaser lead'></div></main><footer class='site-footer'></footer></body></html>";

    fn domain(d: &str, title: &str, html: &str) -> String {
        serde_json::json!({"kind": "domain", "domain": d, "title": title, "html": html, "first_seen": "2024-05-20T00:00:00Z"}).to_string()
    }

    fn article(id: &str, site: &str, text: &str) -> String {
        serde_json::json!({"kind": "article", "id": id, "url": format!("https://{site}/{id}"), "site": site,
            "published_at": "2024-06-01T10:00:00Z", "title": "Europawahl", "text": text, "lang": "de"}).to_string()
    }

    #[test]
    fn finds_clones_by_branding_links_layout_and_copied_articles() {
        let story = "Die Bundesregierung plant nach Informationen des SPIEGEL eine neue Regel fuer die Europawahl, die viele Buerger ueberraschen duerfte und schon umstritten ist";
        let lines = vec![
            domain("spiegel.de", "DER SPIEGEL | Online-Nachrichten", PAGE),
            // The clone: same page on a look-alike domain.
            domain("spiegel.ltd", "DER SPIEGEL | Online-Nachrichten", &PAGE.replace("'https://www.spiegel.de/'", "'https://www.spiegel.de/politik'")),
            // A blog that links to the outlet once, under its own title: not a clone.
            domain("mein-blog.de", "Mein Blog", "<html><a href='https://www.spiegel.de/x'>Spiegel</a><div class='post'></div></html>"),
            article("orig", "spiegel.de", story),
            article("copy", "spiegel.ltd", story),
            article("other", "news-portal.com", "Ganz andere Nachrichten ueber das Wetter in Berlin und Brandenburg an diesem langen Wochenende im Juni"),
        ];
        let mut store = Store::open_in_memory().unwrap();
        let normaliser = Normaliser::new(&InputConfig::default());
        let mut batch = store.batch().unwrap();
        for line in &lines {
            let record: Record = serde_json::from_str(line).unwrap();
            batch
                .insert(&normaliser.normalise(record).unwrap())
                .unwrap();
        }
        batch.commit().unwrap();
        let config = Config::from_toml(CONFIG, "t").unwrap();
        let alerts = build(&config)
            .unwrap()
            .run(&Context::new(&config, &store))
            .unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:#?}");
        let a = alerts[0].clone().finalise();
        assert_eq!(a.evidence.domains, vec!["spiegel.ltd"]);
        assert_eq!(a.evidence.imitates, vec!["spiegel.de"]);
        assert_eq!(a.evidence.items, vec!["copy"]);
        assert_eq!(a.evidence.figures["copied_from"], json!(["orig"]));
        assert_eq!(a.evidence.figures["title_claims_entity"], json!(true));
        assert!(a.evidence.figures["layout_similarity"].as_f64().unwrap() > 0.9);
        assert!(a.score >= 0.9, "{}", a.score);
    }

    #[test]
    fn page_parts() {
        let links = link_hosts("<link rel=\"canonical\" href=\"https://www.lemonde.fr/\"><img src='//cdn.example.com/a.png'><a href='/local'>");
        assert_eq!(
            links,
            vec![
                ("www.lemonde.fr".to_owned(), true),
                ("cdn.example.com".to_owned(), false)
            ]
        );
        let e = fold("Le Monde");
        assert!(names(&fold("Le Monde.fr - Actualités"), &e));
        assert!(!names(&fold("Le Mondeville camping"), &e));
        let l = layout("<div class='a b'><p id=\"x\">");
        assert!(
            l.contains("class=b") && l.contains("id=x") && l.contains("<div"),
            "{l:?}"
        );
    }

    #[test]
    fn hostile_pages_never_panic() {
        let long_value = format!("<a href=\"https://a{}é.com\">", "é".repeat(1500));
        let long_class = format!("<div class=\"a{}\">", "ü".repeat(300));
        for html in [
            long_value.as_str(),
            long_class.as_str(),
            "<a href=",
            "<<<<",
            "href=\"//\"",
            "<div class=",
            "<p id='unterminated",
            "",
        ] {
            let _ = link_hosts(html);
            let _ = layout(html);
        }
    }
}
