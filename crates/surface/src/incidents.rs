//! Incidents: alerts that share accounts, items or domains, grouped so an analyst judges one
//! operation once, with its evidence laid out on Viginum's four criteria.
//!
//! Grouping is a union-find over the alerts' evidence ids, in the store's alert order, so the
//! same alerts always give the same incidents. An id named by more than [`HUB_LIMIT`] alerts (a
//! prolific account, a big outlet's domain) does not join alerts: it would chain unrelated
//! operations into one. An incident's id is a stable hash of its evidence ids.
//!
//! Re-scans: when membership changes, so does the id. The analyst's status and notes are kept by
//! id; after each scan, state left on an id that no longer exists moves to the new incident that
//! holds the largest share (at least half) of the old incident's evidence ids, ties by id — so a
//! grown or shrunk incident keeps its notes, a merge gathers the notes of its parts (the most
//! recently set status wins), and in a split the larger part keeps them. State with no such
//! successor stays stored, and returns if a later scan brings the incident back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use vigie_core::{Alert, ModusOperandi, Severity};
use vigie_store::{IncidentRow, Store, StoreError};

/// An evidence id shared by more alerts than this does not link them.
pub const HUB_LIMIT: usize = 50;

/// Analyst statuses, in workflow order.
pub const STATUSES: [&str; 5] = ["new", "investigating", "confirmed", "dismissed", "closed"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub score: f64,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub detectors: Vec<String>,
    pub modus_operandi: Vec<ModusOperandi>,
    pub disarm: Vec<String>,
    /// Member alert ids, in the store's alert order (most severe first).
    pub alerts: Vec<String>,
    pub items: Vec<String>,
    pub accounts: Vec<String>,
    pub domains: Vec<String>,
    pub urls: Vec<String>,
    pub imitates: Vec<String>,
    pub criteria: Vec<Criterion>,
}

/// One of the four criteria: what vigie shows for it and what the analyst must establish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub shown: Vec<Finding>,
    pub to_establish: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The alert the finding comes from, or empty for incident-wide figures.
    pub alert: String,
    pub text: String,
}

/// (key, name, what remains for the analyst).
const CRITERIA: [(&str, &str, &str); 4] = [
    (
        "harm",
        "Harm to the fundamental interests of the nation",
        "Whether the content targets the election, institutions, candidates or public order, and how many people it reached: vigie sees only the data it was given.",
    ),
    (
        "foreign",
        "Involvement of a foreign actor",
        "Attribution: who runs the accounts, sites and infrastructure, from technical, financial or open-source evidence beyond this data.",
    ),
    (
        "misleading",
        "Manifestly inaccurate or misleading content",
        "Fact-checking of the claims: vigie flags impersonation and known false electoral claims, not the truth of other content.",
    ),
    (
        "artificial",
        "Artificial or automated, massive or deliberate spread",
        "That the spread is inauthentic rather than organic (supporters sharing a campaign's own material), and its automation.",
    ),
];

/// Evidence figures that speak to who is behind an operation (origins, infrastructure, payers).
const FOREIGN_FIGURES: [&str; 8] = [
    "origins",
    "origin_actor",
    "shared_infrastructure",
    "asn",
    "registrar",
    "payer",
    "payer_country",
    "country",
];

/// Groups alerts into incidents. `alerts` must be in the store's order
/// ([`vigie_store::alert_order`]); incidents come out in the order of their first alert.
pub fn group(alerts: &[&Alert]) -> Vec<Incident> {
    let mut uf = UnionFind::new(alerts.len());
    let mut by_key: HashMap<(u8, &str), Vec<usize>> = HashMap::new();
    for (i, a) in alerts.iter().enumerate() {
        for (tag, key) in entity_keys(a) {
            by_key.entry((tag, key)).or_default().push(i);
        }
    }
    for members in by_key.values() {
        if members.len() > 1 && members.len() <= HUB_LIMIT {
            for w in members.windows(2) {
                uf.union(w[0], w[1]);
            }
        }
    }
    drop(by_key);
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..alerts.len() {
        groups.entry(uf.find(i)).or_default().push(i);
    }
    // Roots are the smallest member index, so BTreeMap order is the order of first alerts.
    groups
        .into_values()
        .map(|m| build(&m.iter().map(|&i| alerts[i]).collect::<Vec<_>>()))
        .collect()
}

fn entity_keys(a: &Alert) -> impl Iterator<Item = (u8, &str)> {
    let ev = &a.evidence;
    ev.items
        .iter()
        .map(|s| (b'i', s.as_str()))
        .chain(ev.accounts.iter().map(|s| (b'a', s.as_str())))
        .chain(ev.domains.iter().map(|s| (b'd', s.as_str())))
}

/// The evidence ids of an incident, tagged by role, for overlap between scans.
pub fn entity_set(inc: &Incident) -> BTreeSet<String> {
    inc.items
        .iter()
        .map(|s| format!("i:{s}"))
        .chain(inc.accounts.iter().map(|s| format!("a:{s}")))
        .chain(inc.domains.iter().map(|s| format!("d:{s}")))
        .collect()
}

fn build(members: &[&Alert]) -> Incident {
    let mut items = BTreeSet::new();
    let mut accounts = BTreeSet::new();
    let mut domains = BTreeSet::new();
    let mut urls = BTreeSet::new();
    let mut imitates = BTreeSet::new();
    let mut detectors = BTreeSet::new();
    let mut modus = BTreeSet::new();
    let mut disarm = BTreeSet::new();
    for a in members {
        let ev = &a.evidence;
        items.extend(ev.items.iter().cloned());
        accounts.extend(ev.accounts.iter().cloned());
        domains.extend(ev.domains.iter().cloned());
        urls.extend(ev.urls.iter().cloned());
        imitates.extend(ev.imitates.iter().cloned());
        detectors.insert(a.detector.clone());
        modus.insert(a.modus_operandi);
        disarm.extend(a.disarm.iter().cloned());
    }
    let top = members[0];
    let severity = members
        .iter()
        .map(|a| a.severity)
        .max()
        .unwrap_or(Severity::Low);
    let score = members.iter().map(|a| a.score).fold(0.0, f64::max);
    let first_seen = members
        .iter()
        .map(|a| a.first_seen)
        .min()
        .unwrap_or(top.first_seen);
    let last_seen = members
        .iter()
        .map(|a| a.last_seen)
        .max()
        .unwrap_or(top.last_seen);
    let mut parts: Vec<&[u8]> = Vec::new();
    for (tag, set) in [(b"i", &items), (b"a", &accounts), (b"d", &domains)] {
        parts.push(tag);
        parts.extend(set.iter().map(|s| s.as_bytes()));
    }
    let id = format!("inc-{:016x}", vigie_core::stable_hash(&parts));
    let title = match members.len() {
        1 => top.title.clone(),
        n => format!("{} (+{} related alerts)", top.title, n - 1),
    };
    let detectors: Vec<String> = detectors.into_iter().collect();
    let summary = format!(
        "{} alert{} from {} about {} items, {} accounts and {} domains, {} to {}.",
        members.len(),
        if members.len() == 1 { "" } else { "s" },
        detectors.join(", "),
        items.len(),
        accounts.len(),
        domains.len(),
        first_seen.format("%Y-%m-%d %H:%M UTC"),
        last_seen.format("%Y-%m-%d %H:%M UTC"),
    );
    let mut inc = Incident {
        id,
        title,
        summary,
        severity,
        score,
        first_seen,
        last_seen,
        detectors,
        modus_operandi: modus.into_iter().collect(),
        disarm: disarm.into_iter().collect(),
        alerts: members.iter().map(|a| a.id.clone()).collect(),
        items: items.into_iter().collect(),
        accounts: accounts.into_iter().collect(),
        domains: domains.into_iter().collect(),
        urls: urls.into_iter().collect(),
        imitates: imitates.into_iter().collect(),
        criteria: Vec::new(),
    };
    inc.criteria = criteria(&inc, members);
    inc
}

fn criteria(inc: &Incident, members: &[&Alert]) -> Vec<Criterion> {
    use ModusOperandi as M;
    let mut shown: [Vec<Finding>; 4] = Default::default();
    for a in members {
        let finding = |text: String| Finding {
            alert: a.id.clone(),
            text,
        };
        let ev = &a.evidence;
        let imitation = !ev.imitates.is_empty();
        if matches!(
            a.modus_operandi,
            M::ElectoralProcess
                | M::PhysicalIncitement
                | M::LeaksDoxxing
                | M::PoliticalAdvertising
                | M::MediaImpersonation
        ) || imitation
        {
            let target = if imitation {
                format!(" Imitates: {}.", ev.imitates.join(", "))
            } else {
                String::new()
            };
            shown[0].push(finding(format!("{}{target}", a.summary)));
        }
        let figures: Vec<&str> = FOREIGN_FIGURES
            .iter()
            .copied()
            .filter(|k| ev.figures.contains_key(*k))
            .collect();
        if !figures.is_empty() {
            shown[1].push(finding(format!(
                "{} The evidence names {} to compare with known foreign-run assets.",
                a.summary,
                figures.join(", ").replace('_', " ")
            )));
        }
        if matches!(
            a.modus_operandi,
            M::MediaImpersonation | M::ElectoralProcess | M::ManufacturedContent | M::Deepfake
        ) || imitation
        {
            shown[2].push(finding(a.summary.clone()));
        }
        if matches!(
            a.modus_operandi,
            M::ContentLaundering | M::Amplification | M::Astroturfing
        ) {
            shown[3].push(finding(a.summary.clone()));
        }
    }
    if !shown[3].is_empty() {
        shown[3].insert(
            0,
            Finding {
                alert: String::new(),
                text: format!(
                    "{} items by {} accounts and {} domains over {}.",
                    inc.items.len(),
                    inc.accounts.len(),
                    inc.domains.len(),
                    span(inc.last_seen - inc.first_seen)
                ),
            },
        );
    }
    CRITERIA
        .iter()
        .zip(shown)
        .map(|((key, name, rest), shown)| Criterion {
            key: (*key).into(),
            name: (*name).into(),
            shown,
            to_establish: (*rest).into(),
        })
        .collect()
}

/// A duration as a person says it.
pub fn span(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        s if s < 120 => format!("{s} seconds"),
        s if s < 7200 => format!("{} minutes", s / 60),
        s if s < 172_800 => format!("{} hours", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// What [`refresh`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Refreshed {
    pub incidents: usize,
    /// (old id, new id) pairs whose analyst state moved.
    pub carried: Vec<(String, String)>,
    /// Annotated incidents with no successor in this scan.
    pub orphaned: usize,
}

/// Recomputes the incidents from the stored alerts, carries analyst state over to changed ids
/// (see the module documentation) and indexes the records that evidence names.
pub fn refresh(store: &mut Store) -> Result<Refreshed, StoreError> {
    let alerts = store.alerts()?;
    refresh_with(store, &alerts)
}

/// [`refresh`] with the store's alerts already at hand (a scan's, when they are all the store
/// holds), so they are not decoded twice.
pub fn refresh_with(store: &mut Store, alerts: &[Alert]) -> Result<Refreshed, StoreError> {
    let mut ordered: Vec<&Alert> = alerts.iter().collect();
    ordered.sort_by(|a, b| vigie_store::alert_order(a, b));
    let incidents = group(&ordered);
    drop(ordered);
    let current: HashSet<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    let mut annotated: BTreeSet<String> = store.incident_states()?.into_keys().collect();
    annotated.extend(store.incident_notes()?.into_keys());
    annotated.retain(|id| !current.contains(id.as_str()));
    drop(current);
    let mut report = Refreshed {
        incidents: incidents.len(),
        ..Refreshed::default()
    };
    // Previous incidents are read back only for annotated ids that no longer exist (few).
    let mut previous: Vec<(String, BTreeSet<String>)> = Vec::new();
    for id in annotated {
        match store
            .incident_json(&id)?
            .and_then(|j| serde_json::from_str::<Incident>(&j).ok())
        {
            Some(prev) => previous.push((id, entity_set(&prev))),
            None => report.orphaned += 1,
        }
    }
    if !previous.is_empty() {
        let wanted: HashSet<&String> = previous.iter().flat_map(|(_, e)| e.iter()).collect();
        let mut owner: HashMap<String, usize> = HashMap::new();
        for (n, inc) in incidents.iter().enumerate() {
            for e in entity_set(inc) {
                if wanted.contains(&e) {
                    owner.insert(e, n);
                }
            }
        }
        for (id, ents) in &previous {
            let mut shares: BTreeMap<usize, usize> = BTreeMap::new();
            for e in ents {
                if let Some(&n) = owner.get(e) {
                    *shares.entry(n).or_default() += 1;
                }
            }
            let best = shares.into_iter().max_by(|a, b| {
                a.1.cmp(&b.1)
                    .then(incidents[b.0].id.cmp(&incidents[a.0].id))
            });
            match best {
                Some((n, shared)) if shared * 2 >= ents.len() && !ents.is_empty() => {
                    store.carry_incident_state(id, &incidents[n].id)?;
                    report.carried.push((id.clone(), incidents[n].id.clone()));
                }
                _ => report.orphaned += 1,
            }
        }
    }
    store.replace_incidents(incidents.iter().map(|i| IncidentRow {
        id: i.id.clone(),
        severity: i.severity.as_str().into(),
        score: i.score,
        first_seen: i.first_seen.timestamp_millis(),
        last_seen: i.last_seen.timestamp_millis(),
        json: serde_json::to_string(i).unwrap_or_default(),
    }))?;
    let collect = |f: fn(&Incident) -> &Vec<String>| -> HashSet<String> {
        incidents
            .iter()
            .flat_map(|i| f(i).iter().cloned())
            .collect()
    };
    store.index_evidence(
        &collect(|i| &i.items),
        &collect(|i| &i.accounts),
        &collect(|i| &i.domains),
    )?;
    Ok(report)
}

/// Stored incidents, in alert order (most severe first).
pub fn load(store: &Store) -> Result<Vec<Incident>, StoreError> {
    let mut out: Vec<Incident> = store
        .incidents_json()?
        .into_iter()
        .filter_map(|(_, json)| serde_json::from_str(&json).ok())
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// The smaller index becomes the root, so roots do not depend on hash-map visiting order.
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Evidence;

    fn alert(detector: &str, items: &[&str], accounts: &[&str], score: f64) -> Alert {
        Alert {
            id: String::new(),
            detector: detector.into(),
            modus_operandi: ModusOperandi::ContentLaundering,
            disarm: vec!["T0084.001".into()],
            severity: Severity::from_score(score),
            score,
            title: format!("{detector} {}", items.join(",")),
            summary: "s".into(),
            first_seen: DateTime::<Utc>::UNIX_EPOCH,
            last_seen: DateTime::<Utc>::UNIX_EPOCH,
            evidence: Evidence {
                items: items.iter().map(|s| s.to_string()).collect(),
                accounts: accounts.iter().map(|s| s.to_string()).collect(),
                ..Evidence::default()
            },
        }
        .finalise()
    }

    fn sorted(mut v: Vec<Alert>) -> Vec<Alert> {
        vigie_store::sort_alerts(&mut v);
        v
    }

    fn group(alerts: &[Alert]) -> Vec<Incident> {
        super::group(&alerts.iter().collect::<Vec<_>>())
    }

    #[test]
    fn shared_ids_join_alerts_transitively_and_others_stay_apart() {
        let alerts = sorted(vec![
            alert("copypasta", &["p1", "p2"], &["a", "b"], 0.5),
            alert("copypasta", &["p3"], &["b", "c"], 0.8),
            alert("relay_network", &["p9"], &["c"], 0.95),
            alert("copypasta", &["p5"], &["z"], 0.3),
        ]);
        let incs = group(&alerts);
        assert_eq!(incs.len(), 2);
        assert_eq!(incs[0].alerts.len(), 3);
        assert_eq!(incs[0].severity, Severity::Critical);
        assert_eq!(incs[0].detectors, vec!["copypasta", "relay_network"]);
        assert_eq!(incs[0].accounts, vec!["a", "b", "c"]);
        assert!(incs[0].title.contains("+2 related alerts"));
        assert_eq!(incs[1].accounts, vec!["z"]);
        let keys: Vec<&str> = incs[0].criteria.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["harm", "foreign", "misleading", "artificial"]);
        // 1 incident-wide figure + 3 alerts under "artificial" spread.
        assert_eq!(incs[0].criteria[3].shown.len(), 4);
        assert!(incs[0].criteria[0].shown.is_empty());
    }

    #[test]
    fn grouping_is_deterministic_whatever_the_input_order() {
        let mut alerts: Vec<Alert> = (0..40)
            .map(|i| {
                let shared = format!("acc{}", i % 7);
                alert(
                    "copypasta",
                    &[&format!("p{i}")],
                    &[&shared],
                    (i % 10) as f64 / 10.0,
                )
            })
            .collect();
        let a = group(&sorted(alerts.clone()));
        alerts.reverse();
        let b = group(&sorted(alerts));
        assert_eq!(a, b);
        assert_eq!(a.len(), 7);
    }

    #[test]
    fn hub_ids_do_not_chain_unrelated_alerts() {
        let alerts: Vec<Alert> = (0..HUB_LIMIT + 1)
            .map(|i| {
                alert(
                    "copypasta",
                    &[&format!("p{i}")],
                    &["bbc.co.uk-account"],
                    0.5,
                )
            })
            .collect();
        assert_eq!(group(&sorted(alerts)).len(), HUB_LIMIT + 1);
        let few: Vec<Alert> = (0..HUB_LIMIT)
            .map(|i| alert("copypasta", &[&format!("p{i}")], &["shared"], 0.5))
            .collect();
        assert_eq!(group(&sorted(few)).len(), 1);
    }

    fn rescan(store: &mut Store, alerts: Vec<Alert>) -> Refreshed {
        let detectors = ["copypasta", "relay_network"];
        store.replace_alerts(&detectors, &alerts).unwrap();
        refresh(store).unwrap()
    }

    #[test]
    fn a_split_leaves_the_state_with_the_larger_part_and_a_merge_gathers_notes() {
        let mut store = Store::open_in_memory().unwrap();
        // One incident of 5 items (joined by account "m").
        let whole = vec![
            alert("copypasta", &["p1", "p2", "p3"], &["m"], 0.5),
            alert("copypasta", &["p4", "p5"], &["m"], 0.5),
        ];
        rescan(&mut store, whole);
        let id = load(&store).unwrap()[0].id.clone();
        store.set_incident_status(&id, "confirmed", 10).unwrap();
        store.add_incident_note(&id, "n1", 11).unwrap();
        // The link disappears: two incidents; the 3-item part (p1..p3) keeps the state.
        let r = rescan(
            &mut store,
            vec![
                alert("copypasta", &["p1", "p2", "p3"], &["x"], 0.5),
                alert("copypasta", &["p4", "p5"], &["y"], 0.5),
            ],
        );
        let incs = load(&store).unwrap();
        let big = incs
            .iter()
            .find(|i| i.items.contains(&"p1".to_string()))
            .unwrap();
        assert_eq!(r.carried, vec![(id.clone(), big.id.clone())]);
        let states = store.incident_states().unwrap();
        assert_eq!(states[&big.id].status, "confirmed");
        assert_eq!(states.len(), 1);
        // Annotate the small part too, then merge them again: notes of both, latest status.
        let small = incs.iter().find(|i| i.id != big.id).unwrap().id.clone();
        store.set_incident_status(&small, "dismissed", 20).unwrap();
        store.add_incident_note(&small, "n2", 21).unwrap();
        rescan(
            &mut store,
            vec![
                alert("copypasta", &["p1", "p2", "p3"], &["x"], 0.5),
                alert("copypasta", &["p4", "p5"], &["x"], 0.5),
            ],
        );
        let merged = load(&store).unwrap();
        assert_eq!(merged.len(), 1);
        let states = store.incident_states().unwrap();
        let st = &states[&merged[0].id];
        assert_eq!(st.status, "dismissed", "the most recent status wins");
        assert_eq!(st.previous_ids.len(), 3, "{:?}", st.previous_ids);
        let notes: Vec<String> = store.incident_notes().unwrap()[&merged[0].id]
            .iter()
            .map(|n| n.text.clone())
            .collect();
        assert_eq!(notes, ["n1", "n2"]);
    }

    #[test]
    fn state_without_a_successor_is_kept_for_later() {
        let mut store = Store::open_in_memory().unwrap();
        rescan(
            &mut store,
            vec![alert("copypasta", &["p1", "p2"], &["m"], 0.5)],
        );
        let id = load(&store).unwrap()[0].id.clone();
        store.set_incident_status(&id, "investigating", 1).unwrap();
        let r = rescan(
            &mut store,
            vec![alert("copypasta", &["q1", "q2"], &["n"], 0.5)],
        );
        assert_eq!(r.orphaned, 1);
        assert!(store.incident_states().unwrap().contains_key(&id));
        rescan(
            &mut store,
            vec![alert("copypasta", &["p1", "p2"], &["m"], 0.5)],
        );
        assert_eq!(
            load(&store).unwrap()[0].id,
            id,
            "the same content, the same id"
        );
        assert_eq!(
            store.incident_states().unwrap()[&id].status,
            "investigating"
        );
    }
}
