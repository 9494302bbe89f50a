//! `relay_network`: sites and channels that publish little of their own and republish the same
//! origins, fast — Portal Kombat's signature (SPEC §5.1).
//!
//! From the shared copy clusters, every item published after a cluster's origin by another source
//! is a relay of that origin's source, with a delay. Per source: originality (share of its items
//! that are not such relays), what it relays and how fast. Relayers that relay the same origins
//! form a network; shared hosting (name servers, IPs, AS, registrar from `domain` records) is
//! reported beside it.

use crate::clusters::CopyCluster;
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};

pub const NAME: &str = "relay_network";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// A source is a relayer when it republished at least this many items of other sources...
    pub min_relays: usize,
    /// ...and at most this share of its items is its own.
    pub max_originality: f64,
    /// Two relayers are linked when each relayed at least this many items of a shared origin.
    pub min_shared_relays: usize,
    /// A network is reported when it links at least this many relayers.
    pub min_relayers: usize,
    /// Accounts that relay (bots reposting talking points) are coordination's business; set
    /// this to also count them as relayers here.
    pub include_accounts: bool,
    /// Evidence lists are cut at this many items.
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_relays: 5,
            max_originality: 0.5,
            min_shared_relays: 2,
            min_relayers: 3,
            include_accounts: false,
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(RelayNetwork {
        settings: config.detector_settings(NAME)?,
    }))
}

pub struct RelayNetwork {
    pub settings: Settings,
}

/// What one source relayed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceRelays {
    /// Items it published after another source's original, by origin source.
    pub by_origin: BTreeMap<String, usize>,
    /// Seconds between each original and its relay.
    pub delays: Vec<i64>,
    /// Relay items with their time, for evidence.
    pub items: Vec<(i64, String)>,
    pub is_site: bool,
}

impl SourceRelays {
    pub fn relays(&self) -> usize {
        self.delays.len()
    }

    pub fn median_delay(&self) -> Option<i64> {
        let mut d = self.delays.clone();
        d.sort_unstable();
        d.get(d.len() / 2).copied()
    }
}

/// Relays of every source, from copy clusters: each member published by another source than the
/// origin's is a relay of the origin's source.
pub fn relays_by_source(clusters: &[CopyCluster]) -> BTreeMap<String, SourceRelays> {
    let mut out: BTreeMap<String, SourceRelays> = BTreeMap::new();
    for c in clusters {
        let Some(origin) = c.origin() else { continue };
        for m in c.members.iter().skip(1) {
            if m.source == origin.source {
                continue;
            }
            let r = out.entry(m.source.clone()).or_default();
            *r.by_origin.entry(origin.source.clone()).or_default() += 1;
            r.delays.push((m.ts - origin.ts) / 1000);
            r.items.push((m.ts, m.id.clone()));
            r.is_site |= m.kind == Kind::Article;
        }
    }
    out
}

/// Originality: the share of a source's items that are not relays (1.0 when it relays nothing).
pub fn originality(items: u64, relays: usize) -> f64 {
    if items == 0 {
        return 1.0;
    }
    (1.0 - relays as f64 / items as f64).clamp(0.0, 1.0)
}

impl Detector for RelayNetwork {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let clusters = ctx.copy_clusters()?;
        let relays = relays_by_source(clusters);
        let totals = ctx.store.items_per_source()?;
        let s = &self.settings;
        let relayers: BTreeMap<&str, (&SourceRelays, f64)> = relays
            .iter()
            .filter_map(|(source, r)| {
                let total = totals.get(source).copied().unwrap_or(r.relays() as u64);
                let orig = originality(total, r.relays());
                (r.relays() >= s.min_relays
                    && orig <= s.max_originality
                    && (r.is_site || s.include_accounts))
                    .then_some((source.as_str(), (r, orig)))
            })
            .collect();
        // Link relayers through the origins they both relay.
        let names: Vec<&str> = relayers.keys().copied().collect();
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut parent: Vec<usize> = (0..names.len()).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut by_origin: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (name, (r, _)) in &relayers {
            for (origin, n) in &r.by_origin {
                if *n >= s.min_shared_relays {
                    by_origin
                        .entry(origin.as_str())
                        .or_default()
                        .push(index[name]);
                }
            }
        }
        for members in by_origin.values() {
            for pair in members.windows(2) {
                let (a, b) = (find(&mut parent, pair[0]), find(&mut parent, pair[1]));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
        let mut networks: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            let root = find(&mut parent, i);
            networks.entry(root).or_default().push(name);
        }
        let mut alerts = Vec::new();
        for members in networks.into_values() {
            if members.len() < s.min_relayers {
                continue;
            }
            if let Some(a) = self.alert(ctx, &members, &relayers, &totals)? {
                alerts.push(a);
            }
        }
        Ok(alerts)
    }
}

impl RelayNetwork {
    fn alert(
        &self,
        ctx: &Context<'_>,
        members: &[&str],
        relayers: &BTreeMap<&str, (&SourceRelays, f64)>,
        totals: &HashMap<String, u64>,
    ) -> Result<Option<Alert>, DetectError> {
        let mut origins: BTreeMap<&str, usize> = BTreeMap::new();
        let mut delays = Vec::new();
        let mut items: Vec<(i64, &str)> = Vec::new();
        let mut per_relayer = Vec::new();
        let (mut domains, mut accounts) = (Vec::new(), Vec::new());
        for name in members {
            let (r, orig) = relayers[name];
            for (o, n) in &r.by_origin {
                *origins.entry(o.as_str()).or_default() += n;
            }
            delays.extend_from_slice(&r.delays);
            items.extend(r.items.iter().map(|(t, id)| (*t, id.as_str())));
            if r.is_site {
                domains.push(name.to_string());
            } else {
                accounts.push(name.to_string());
            }
            per_relayer.push(json!({
                "source": name,
                "items": totals.get(*name).copied().unwrap_or(0),
                "relays": r.relays(),
                "originality": (orig * 1000.0).round() / 1000.0,
                "median_delay_seconds": r.median_delay(),
                "origins": r.by_origin,
            }));
        }
        items.sort_unstable();
        let (Some(first), Some(last)) = (items.first(), items.last()) else {
            return Ok(None);
        };
        let (Some(first_seen), Some(last_seen)) = (
            DateTime::from_timestamp_millis(first.0),
            DateTime::from_timestamp_millis(last.0),
        ) else {
            return Ok(None);
        };
        delays.sort_unstable();
        let median_delay = delays.get(delays.len() / 2).copied().unwrap_or(0);
        let infrastructure = shared_infrastructure(ctx, &domains)?;
        let mean_originality =
            members.iter().map(|m| relayers[m].1).sum::<f64>() / members.len() as f64;
        // Many relayers, little of their own, fast: 10 sites at 10% originality relaying within
        // the hour score about 0.85; shared hosting adds to it.
        let breadth = 1.0 - (-(members.len() as f64) / 6.0).exp();
        let speed = 1.0 / (1.0 + median_delay.max(0) as f64 / 3_600.0);
        let shared = if infrastructure.is_empty() { 0.0 } else { 0.1 };
        let score =
            (0.45 * breadth + 0.25 * (1.0 - mean_originality) + 0.2 * speed + shared).min(1.0);
        let top_origins: Vec<&str> = {
            let mut o: Vec<(&str, usize)> = origins.iter().map(|(k, v)| (*k, *v)).collect();
            o.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            o.into_iter().take(3).map(|(k, _)| k).collect()
        };
        let mut figures = serde_json::Map::new();
        figures.insert("relayers".into(), json!(per_relayer));
        figures.insert("origins".into(), json!(origins));
        figures.insert("relays".into(), json!(delays.len()));
        figures.insert("median_delay_seconds".into(), json!(median_delay));
        figures.insert(
            "mean_originality".into(),
            json!((mean_originality * 1000.0).round() / 1000.0),
        );
        figures.insert("shared_infrastructure".into(), json!(infrastructure));
        Ok(Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::ContentLaundering,
            disarm: vec!["T0084.002".into(), "T0098.001".into()],
            severity: Severity::from_score(score),
            score,
            title: format!(
                "Relay network: {} sources republishing {}",
                members.len(),
                top_origins.join(", ")
            ),
            summary: format!(
                "{} sources with {:.0}% original content on average republished {} items of {} origins, with a median delay of {} minutes{}.",
                members.len(),
                mean_originality * 100.0,
                delays.len(),
                origins.len(),
                median_delay / 60,
                if infrastructure.is_empty() { "" } else { "; they share hosting infrastructure" }
            ),
            first_seen,
            last_seen,
            evidence: Evidence {
                items: items
                    .iter()
                    .take(self.settings.max_evidence_items)
                    .map(|(_, id)| id.to_string())
                    .collect(),
                accounts,
                domains,
                imitates: vec![],
                urls: vec![],
                figures,
            },
        }))
    }
}

/// Name servers, IPs, AS numbers, registrars, registration weeks and page templates (a digest
/// of the landing page's tags, ids and classes) that two or more of `sites` share, from the
/// store's `domain` records.
fn shared_infrastructure(
    ctx: &Context<'_>,
    sites: &[String],
) -> Result<BTreeMap<String, BTreeMap<String, Vec<String>>>, DetectError> {
    let mut seen: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for site in sites {
        let Some(stored) = ctx.store.get(Kind::Domain, "", site)? else {
            continue;
        };
        let Record::Domain(d) = stored.record else {
            continue;
        };
        let mut add = |what: &str, value: &str| {
            seen.entry(what.to_owned())
                .or_default()
                .entry(value.to_lowercase())
                .or_default()
                .insert(site.clone());
        };
        for ns in &d.nameservers {
            add("nameservers", ns);
        }
        for ip in &d.ips {
            add("ips", ip);
        }
        if let Some(asn) = &d.asn {
            add("asn", asn);
        }
        if let Some(r) = &d.registrar {
            add("registrar", r);
        }
        // Sites bought together for one network are often registered the same week.
        if let Some(t) = d.registered_at {
            add("registration_week", &t.format("%G-W%V").to_string());
        }
        // One theme and one analytics id behind many sites: the same tags, ids and classes.
        if let Some(html) = d.html.as_deref().filter(|h| !h.is_empty()) {
            let page = super::cloned_site::layout(html);
            if page.len() >= 3 {
                let parts: Vec<&[u8]> = page.iter().map(|p| p.as_bytes()).collect();
                add(
                    "page_template",
                    &format!("{:016x}", vigie_core::stable_hash(&parts)),
                );
            }
        }
    }
    Ok(seen
        .into_iter()
        .map(|(what, values)| {
            let shared: BTreeMap<String, Vec<String>> = values
                .into_iter()
                .filter(|(_, sites)| sites.len() >= 2)
                .map(|(v, sites)| (v, sites.into_iter().collect()))
                .collect();
            (what, shared)
        })
        .filter(|(_, shared)| !shared.is_empty())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clusters::Member;
    use crate::test_support::store_with;

    use vigie_core::Config;

    const STORIES: [&str; 6] = [
        "Les sanctions contre la Russie ruinent les agriculteurs francais et Bruxelles ne fait rien pour eux",
        "Un rapport secret montre que les armes envoyees a Kiev sont revendues sur le marche noir europeen",
        "Le scrutin europeen serait deja joue selon des sources proches de la commission electorale",
        "Des milliers de manifestants reclament la fin de l aide militaire dans plusieurs villes du pays",
        "La banque centrale prepare une nouvelle hausse des taux qui va etrangler les menages modestes",
        "Les medias occidentaux cachent la verite sur les pertes subies par l armee ukrainienne cet hiver",
    ];

    fn article(id: &str, site: &str, minute: u32, text: &str) -> String {
        format!(
            r#"{{"kind":"article","id":"{id}","url":"https://{site}/{id}","site":"{site}","published_at":"2024-06-01T{:02}:{:02}:00Z","title":"t","text":"{text}","lang":"fr"}}"#,
            8 + minute / 60,
            minute % 60
        )
    }

    #[test]
    fn finds_the_relay_sites_and_their_shared_hosting_but_not_a_site_that_quotes_once() {
        let mut lines = Vec::new();
        for (i, story) in STORIES.iter().enumerate() {
            let m = i as u32 * 60;
            lines.push(article(&format!("o{i}"), "agency.ru", m, story));
            for (k, relay) in ["relay-a.com", "relay-b.net", "relay-c.org"]
                .iter()
                .enumerate()
            {
                lines.push(article(
                    &format!("{relay}-{i}"),
                    relay,
                    m + 5 + k as u32 * 7,
                    &format!("{story} !"),
                ));
            }
            // A real outlet with its own stories.
            lines.push(article(&format!("own{i}"), "real-news.fr", m + 20, &format!("Article original numero {i} sur la vie locale et les festivals de la region cette semaine")));
        }
        // The real outlet quotes one story once: not a relayer.
        lines.push(article("quote", "real-news.fr", 400, STORIES[0]));
        // Two relays registered the same week (2024-W18) with one theme; the third elsewhere.
        let theme = "<html><body><div id=\\\"feed\\\" class=\\\"np-grid np-dark\\\"><p class=\\\"np-lead\\\"></p></div></body></html>";
        for (relay, registered, html) in [
            ("relay-a.com", "2024-04-29T10:00:00Z", theme),
            ("relay-b.net", "2024-05-03T18:00:00Z", theme),
            (
                "relay-c.org",
                "2023-01-10T09:00:00Z",
                "<html><body><main><article></article></main></body></html>",
            ),
        ] {
            lines.push(format!(r#"{{"kind":"domain","domain":"{relay}","nameservers":["ns1.bulletproof.example"],"asn":"AS64500","registered_at":"{registered}","html":"{html}"}}"#));
        }
        let store = store_with(&lines);
        let config = Config::default();
        let ctx = Context::new(&config, &store);
        let alerts = build(&config).unwrap().run(&ctx).unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:#?}");
        let a = alerts[0].clone().finalise();
        assert_eq!(
            a.evidence.domains,
            vec!["relay-a.com", "relay-b.net", "relay-c.org"]
        );
        assert_eq!(a.evidence.items.len(), 18);
        assert_eq!(a.evidence.figures["origins"]["agency.ru"], 18);
        assert_eq!(a.evidence.figures["median_delay_seconds"], 720);
        assert_eq!(a.evidence.figures["mean_originality"], 0.0);
        let infra = &a.evidence.figures["shared_infrastructure"];
        assert_eq!(
            infra["nameservers"]["ns1.bulletproof.example"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(infra["asn"]["as64500"].as_array().unwrap().len(), 3);
        assert_eq!(
            infra["registration_week"]["2024-w18"],
            json!(["relay-a.com", "relay-b.net"])
        );
        let templates = infra["page_template"].as_object().unwrap();
        assert_eq!(templates.len(), 1, "{templates:?}");
        assert_eq!(
            templates.values().next().unwrap(),
            &json!(["relay-a.com", "relay-b.net"])
        );
    }

    fn member(id: &str, source: &str, minute: i64, kind: Kind) -> Member {
        Member {
            id: id.into(),
            source: source.into(),
            ts: minute * 60_000,
            kind,
        }
    }

    #[test]
    fn relays_are_counted_against_the_origin_source_with_delays() {
        let clusters = vec![
            CopyCluster {
                members: vec![
                    member("o1", "channel", 0, Kind::Post),
                    member("a1", "relay-a.com", 5, Kind::Article),
                    member("b1", "relay-b.com", 30, Kind::Article),
                    // The origin repeating itself is not a relay.
                    member("o1bis", "channel", 40, Kind::Post),
                ],
                weakest_similarity: 0.8,
                origin_text: String::new(),
                languages: Default::default(),
            },
            CopyCluster {
                members: vec![
                    member("o2", "agency.ru", 100, Kind::Article),
                    member("a2", "relay-a.com", 110, Kind::Article),
                ],
                weakest_similarity: 1.0,
                origin_text: String::new(),
                languages: Default::default(),
            },
        ];
        let r = relays_by_source(&clusters);
        assert_eq!(r.len(), 2);
        let a = &r["relay-a.com"];
        assert_eq!(a.relays(), 2);
        assert_eq!(a.by_origin["channel"], 1);
        assert_eq!(a.by_origin["agency.ru"], 1);
        assert_eq!(a.delays, vec![300, 600]);
        assert!(a.is_site);
        assert_eq!(r["relay-b.com"].median_delay(), Some(1800));
        assert!(!r.contains_key("channel"));
    }

    #[test]
    fn originality_is_the_share_of_own_items() {
        assert!((originality(10, 9) - 0.1).abs() < 1e-9);
        assert_eq!(originality(10, 0), 1.0);
        assert_eq!(originality(0, 0), 1.0);
        assert_eq!(originality(3, 5), 0.0);
    }
}
