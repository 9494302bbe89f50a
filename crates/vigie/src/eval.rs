//! `vigie eval`: precision and recall of each detector on generated data with known operations.
//!
//! The generator's `truth.json` lists every injected operation with its items; each detector is
//! scored on the items it should flag. Two precisions are reported: against the detector's own
//! target set (strict), and against every injected item (a copy posted by a burst of new accounts
//! is a true copy even if the burst is another operation's ground truth).

use crate::ingest::IngestOptions;
use crate::scan::{scan, ScanOutputs};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use vigie_core::{Alert, Config};
use vigie_generate::truth::Truth;
use vigie_store::Store;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Score {
    pub detector: String,
    pub alerts: usize,
    pub flagged_items: usize,
    pub target_items: usize,
    pub true_positives: usize,
    pub precision: f64,
    pub precision_any_operation: f64,
    pub recall: f64,
    /// Detector-specific measures (pairwise cluster scores, recall per kind of edit...).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub details: std::collections::BTreeMap<String, f64>,
}

/// Items each detector is expected to flag, from the ground truth.
pub fn targets(truth: &Truth, detector: &str) -> BTreeSet<String> {
    if detector == "copypasta" {
        // Every item that copies another: talking points, relay origins and their copies.
        return truth
            .copy_groups
            .iter()
            .flat_map(|g| g.items.iter().cloned())
            .collect();
    }
    truth
        .operations
        .iter()
        .filter(|op| op.kind == detector)
        .flat_map(|op| op.items.iter().cloned())
        .collect()
}

/// Scores `alerts` against `truth` for every detector that produced alerts or has targets.
pub fn score(truth: &Truth, alerts: &[Alert], detectors: &[&str]) -> Vec<Score> {
    let injected: BTreeSet<&str> = truth
        .operations
        .iter()
        .flat_map(|op| op.items.iter().map(String::as_str))
        .collect();
    detectors
        .iter()
        .map(|&detector| {
            let mine: Vec<&Alert> = alerts.iter().filter(|a| a.detector == detector).collect();
            let flagged: BTreeSet<&str> = mine
                .iter()
                .flat_map(|a| a.evidence.items.iter().map(String::as_str))
                .collect();
            let target = targets(truth, detector);
            let tp = flagged.iter().filter(|i| target.contains(**i)).count();
            let any = flagged.iter().filter(|i| injected.contains(**i)).count();
            let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            Score {
                detector: detector.to_owned(),
                alerts: mine.len(),
                flagged_items: flagged.len(),
                target_items: target.len(),
                true_positives: tp,
                precision: ratio(tp, flagged.len()),
                precision_any_operation: ratio(any, flagged.len()),
                recall: ratio(tp, target.len()),
                details: match detector {
                    "copypasta" => copy_pairs(truth, &mine),
                    "relay_network" => relay_sites(truth, &mine),
                    "coordination" | "account_burst" | "astroturf" => {
                        account_scores(truth, detector, &mine)
                    }
                    "lookalike_domain" | "cloned_site" => lookalike_domains(truth, detector, &mine),
                    "lookalike_account" => lookalike_accounts(truth, &mine),
                    "political_ad" => signal_scores(truth, detector, &mine),
                    "manufactured_media" => media_scores(truth, &mine),
                    _ => Default::default(),
                },
            }
        })
        .collect()
}

/// Copy groups of the ground truth (item → group number), and for relay copies their origin
/// and kind of edit.
/// A relay copy of the ground truth: its origin and how it was edited.
struct RelayCopy<'a> {
    copy: &'a str,
    origin: &'a str,
    edit: &'a str,
}

fn copy_groups(truth: &Truth) -> (HashMap<&str, usize>, Vec<RelayCopy<'_>>) {
    let mut group_of = HashMap::new();
    for (g, group) in truth.copy_groups.iter().enumerate() {
        for item in &group.items {
            group_of.insert(item.as_str(), g);
        }
    }
    let mut edited = Vec::new();
    for op in truth
        .operations
        .iter()
        .filter(|op| op.kind == "relay_network")
    {
        let copies = op.details.get("copy_of").and_then(|v| v.as_object());
        let edits = op.details.get("edits").and_then(|v| v.as_object());
        for (copy, origin) in copies.into_iter().flatten() {
            let Some(origin) = origin.as_str() else {
                continue;
            };
            let edit = edits
                .and_then(|e| e.get(copy))
                .and_then(|e| e.as_str())
                .unwrap_or("unknown");
            edited.push(RelayCopy {
                copy: copy.as_str(),
                origin,
                edit,
            });
        }
    }
    (group_of, edited)
}

fn pairs(n: usize) -> usize {
    n * n.saturating_sub(1) / 2
}

/// Pairwise cluster precision and recall of copy clusters against the truth's copy groups, and
/// the recall of relay copies per kind of edit (copy in the same cluster as its origin). Items of
/// operations that are in no copy group are left out of the pairs; organic items count.
fn copy_pairs(truth: &Truth, alerts: &[&Alert]) -> std::collections::BTreeMap<String, f64> {
    let (group_of, edited) = copy_groups(truth);
    let injected: BTreeSet<&str> = truth
        .operations
        .iter()
        .flat_map(|op| op.items.iter().map(String::as_str))
        .collect();
    let mut cluster_of: HashMap<&str, usize> = HashMap::new();
    let (mut tp, mut predicted) = (0usize, 0usize);
    for (c, alert) in alerts.iter().enumerate() {
        let mut by_group: HashMap<usize, usize> = HashMap::new();
        let (mut labelled, mut organic) = (0usize, 0usize);
        for item in &alert.evidence.items {
            cluster_of.insert(item.as_str(), c);
            if let Some(&g) = group_of.get(item.as_str()) {
                *by_group.entry(g).or_default() += 1;
                labelled += 1;
            } else if !injected.contains(item.as_str()) {
                organic += 1;
            }
        }
        tp += by_group.values().map(|&n| pairs(n)).sum::<usize>();
        predicted += pairs(labelled + organic);
    }
    let mut group_sizes: HashMap<usize, usize> = HashMap::new();
    for &g in group_of.values() {
        *group_sizes.entry(g).or_default() += 1;
    }
    let truth_pairs: usize = group_sizes.values().map(|&n| pairs(n)).sum();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    out.insert("pair_precision".to_owned(), ratio(tp, predicted));
    out.insert("pair_recall".to_owned(), ratio(tp, truth_pairs));
    let mut per_edit: HashMap<&str, (usize, usize)> = HashMap::new();
    for RelayCopy { copy, origin, edit } in edited {
        let e = per_edit.entry(edit).or_default();
        e.1 += 1;
        let joined =
            matches!((cluster_of.get(copy), cluster_of.get(origin)), (Some(a), Some(b)) if a == b);
        e.0 += usize::from(joined);
    }
    for (edit, (hit, all)) in per_edit {
        out.insert(format!("recall_{edit}"), ratio(hit, all));
    }
    out
}

/// Account-level precision and recall: the accounts an alert names against the accounts of the
/// operations of that kind. An account of another operation is counted apart (a bot of an
/// account burst that also coordinates is not a false positive of the world, only of the kind).
fn account_scores(
    truth: &Truth,
    detector: &str,
    alerts: &[&Alert],
) -> std::collections::BTreeMap<String, f64> {
    let expected: BTreeSet<&str> = truth
        .operations
        .iter()
        .filter(|op| op.kind == detector)
        .flat_map(|op| op.accounts.iter().map(String::as_str))
        .collect();
    let any_op: BTreeSet<&str> = truth
        .operations
        .iter()
        .flat_map(|op| op.accounts.iter().map(String::as_str))
        .collect();
    let decoys: BTreeSet<&str> = truth
        .negatives
        .by_detector
        .get(detector)
        .map(|n| n.accounts.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let found: BTreeSet<&str> = alerts
        .iter()
        .flat_map(|a| a.evidence.accounts.iter().map(String::as_str))
        .collect();
    let hit = found.intersection(&expected).count();
    let in_any = found.intersection(&any_op).count();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    out.insert("account_precision".to_owned(), ratio(hit, found.len()));
    out.insert(
        "account_precision_any_operation".to_owned(),
        ratio(in_any, found.len()),
    );
    out.insert("account_recall".to_owned(), ratio(hit, expected.len()));
    out.insert("accounts_expected".to_owned(), expected.len() as f64);
    out.insert("accounts_found".to_owned(), found.len() as f64);
    out.insert(
        "decoy_accounts_flagged".to_owned(),
        found.intersection(&decoys).count() as f64,
    );
    out
}

/// Precision and recall per signal, for detectors whose alerts name their `signal` and whose
/// operations list, under `details.signals`, the items carrying each signal by construction.
/// An item flagged for a signal it does not carry is a false positive of that signal, even when
/// it belongs to the operation.
fn signal_scores(
    truth: &Truth,
    detector: &str,
    alerts: &[&Alert],
) -> std::collections::BTreeMap<String, f64> {
    let mut expected: std::collections::BTreeMap<String, BTreeSet<&str>> = Default::default();
    for op in truth.operations.iter().filter(|op| op.kind == detector) {
        let signals = op.details.get("signals").and_then(|v| v.as_object());
        for (signal, items) in signals.into_iter().flatten() {
            let items = items
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str());
            expected.entry(signal.clone()).or_default().extend(items);
        }
    }
    let mut found: std::collections::BTreeMap<String, BTreeSet<&str>> = Default::default();
    for alert in alerts {
        if let Some(signal) = alert
            .evidence
            .figures
            .get("signal")
            .and_then(|v| v.as_str())
        {
            // Signals about accounts alone (a shared avatar) are scored on their accounts.
            let ids = if alert.evidence.items.is_empty() {
                &alert.evidence.accounts
            } else {
                &alert.evidence.items
            };
            found
                .entry(signal.to_owned())
                .or_default()
                .extend(ids.iter().map(String::as_str));
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    let empty = BTreeSet::new();
    let signals: BTreeSet<&String> = expected.keys().chain(found.keys()).collect();
    for signal in signals {
        let want = expected.get(signal).unwrap_or(&empty);
        let got = found.get(signal).unwrap_or(&empty);
        let hit = got.intersection(want).count();
        out.insert(format!("{signal}.precision"), ratio(hit, got.len()));
        out.insert(format!("{signal}.recall"), ratio(hit, want.len()));
        out.insert(format!("{signal}.expected"), want.len() as f64);
    }
    out
}

/// Per-signal scores, plus for each kind of edit the share of altered copies found and the
/// Hamming distances (min–max) of those found, as the alerts give them.
fn media_scores(truth: &Truth, alerts: &[&Alert]) -> std::collections::BTreeMap<String, f64> {
    let mut out = signal_scores(truth, "manufactured_media", alerts);
    let mut distance: HashMap<&str, f64> = HashMap::new();
    for a in alerts {
        let figures = a.evidence.figures.get("hamming_distances");
        for (item, d) in figures.and_then(|v| v.as_object()).into_iter().flatten() {
            if let Some(d) = d.as_f64() {
                distance.insert(item.as_str(), d);
            }
        }
    }
    // edit → (found, all, min distance, max distance)
    let mut per_edit: std::collections::BTreeMap<&str, (usize, usize, f64, f64)> =
        Default::default();
    for op in truth.operations_of("manufactured_media") {
        let edits = op.details.get("edits").and_then(|v| v.as_object());
        for (item, edit) in edits.into_iter().flatten() {
            let Some(edit) = edit.as_str() else { continue };
            let e = per_edit
                .entry(edit)
                .or_insert((0, 0, f64::INFINITY, f64::NEG_INFINITY));
            e.1 += 1;
            if let Some(&d) = distance.get(item.as_str()) {
                e.0 += 1;
                e.2 = e.2.min(d);
                e.3 = e.3.max(d);
            }
        }
    }
    for (edit, (found, all, lo, hi)) in per_edit {
        out.insert(format!("recall_{edit}"), found as f64 / all.max(1) as f64);
        if found > 0 {
            out.insert(format!("hamming_{edit}_min"), lo);
            out.insert(format!("hamming_{edit}_max"), hi);
        }
    }
    takeover_scores(truth, alerts, &mut out);
    out
}

/// Taken-over accounts are scored per account, the unit an analyst checks: the accounts named
/// by `account_takeover` alerts against the truth's taken-over ones (the watched accounts that
/// only changed a habit are the negatives). The per-post scores become `item_precision` and
/// `item_recall` (posts from the change point found, against the posts the operator wrote), and
/// `change_point_exact` is the share of alerts whose change point is the operator's first post.
fn takeover_scores(
    truth: &Truth,
    alerts: &[&Alert],
    out: &mut std::collections::BTreeMap<String, f64>,
) {
    const SIGNAL: &str = "account_takeover";
    let mut starts: HashMap<&str, &str> = HashMap::new();
    for op in truth.operations_of("manufactured_media") {
        let Some(s) = op
            .details
            .get("takeover_starts")
            .and_then(|v| v.as_object())
        else {
            continue;
        };
        for (account, first) in s {
            starts.insert(account.as_str(), first.as_str().unwrap_or(""));
        }
    }
    if starts.is_empty() {
        return;
    }
    for key in ["precision", "recall", "expected"] {
        if let Some(v) = out.remove(&format!("{SIGNAL}.{key}")) {
            out.insert(format!("{SIGNAL}.item_{key}"), v);
        }
    }
    let mine: Vec<&&Alert> = alerts
        .iter()
        .filter(|a| a.evidence.figures.get("signal").and_then(|v| v.as_str()) == Some(SIGNAL))
        .collect();
    let found: BTreeSet<&str> = mine
        .iter()
        .flat_map(|a| a.evidence.accounts.iter().map(String::as_str))
        .collect();
    let hit = found.iter().filter(|a| starts.contains_key(**a)).count();
    let decoys = truth
        .negatives
        .by_detector
        .get("manufactured_media")
        .map(|n| {
            n.accounts
                .iter()
                .filter(|a| found.contains(a.as_str()))
                .count()
        })
        .unwrap_or(0);
    // The operator's posts in order (one account after the other): the distance from the true
    // first post to the change point found, in posts.
    let order: HashMap<&str, usize> = truth
        .operations_of("manufactured_media")
        .iter()
        .filter_map(|op| op.details.get("signals")?.get(SIGNAL)?.as_array())
        .flatten()
        .filter_map(|v| v.as_str())
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let (mut exact, mut late, mut placed) = (0usize, 0usize, 0usize);
    for a in &mine {
        let Some(change) = a
            .evidence
            .figures
            .get("change_post")
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        for acc in &a.evidence.accounts {
            let Some(start) = starts.get(acc.as_str()) else {
                continue;
            };
            if let (Some(s), Some(c)) = (order.get(start), order.get(change)) {
                placed += 1;
                exact += usize::from(c == s);
                late += c.saturating_sub(*s);
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    out.insert(format!("{SIGNAL}.precision"), ratio(hit, found.len()));
    out.insert(format!("{SIGNAL}.recall"), ratio(hit, starts.len()));
    out.insert(format!("{SIGNAL}.expected"), starts.len() as f64);
    out.insert(format!("{SIGNAL}.decoy_accounts_flagged"), decoys as f64);
    out.insert(
        format!("{SIGNAL}.change_point_exact"),
        ratio(exact, mine.len()),
    );
    out.insert(
        format!("{SIGNAL}.change_point_mean_delay_posts"),
        ratio(late, placed),
    );
}

/// Precision and recall of the relay sites named by `relay_network` alerts.
fn relay_sites(truth: &Truth, alerts: &[&Alert]) -> std::collections::BTreeMap<String, f64> {
    let expected: BTreeSet<&str> = truth
        .operations
        .iter()
        .filter(|op| op.kind == "relay_network")
        .filter_map(|op| op.details.get("relay_sites").and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    let found: BTreeSet<&str> = alerts
        .iter()
        .flat_map(|a| a.evidence.domains.iter().map(String::as_str))
        .collect();
    let hit = found.intersection(&expected).count();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    out.insert("site_precision".to_owned(), ratio(hit, found.len()));
    out.insert("site_recall".to_owned(), ratio(hit, expected.len()));
    out.insert("sites_expected".to_owned(), expected.len() as f64);
    out.insert("sites_found".to_owned(), found.len() as f64);
    out
}

/// Precision and recall of the domains named by `lookalike_domain` or `cloned_site` alerts (a
/// domain counts when an alert names it and the domain it imitates), recall per technique, and the
/// decoy domains (genuine outlets, benign new domains) flagged.
fn lookalike_domains(
    truth: &Truth,
    detector: &str,
    alerts: &[&Alert],
) -> std::collections::BTreeMap<String, f64> {
    let mut expected: HashMap<&str, (&str, &str)> = HashMap::new();
    for op in truth.operations.iter().filter(|op| op.kind == detector) {
        let Some(target) = op.imitates.first() else {
            continue;
        };
        let techniques = op.details.get("techniques").and_then(|v| v.as_object());
        for d in &op.domains {
            let t = techniques
                .and_then(|t| t.get(d))
                .and_then(|v| v.as_str())
                .unwrap_or("unknown");
            expected.insert(d.as_str(), (target.as_str(), t));
        }
    }
    let found: BTreeSet<(&str, &str)> = alerts
        .iter()
        .flat_map(|a| {
            a.evidence.domains.iter().flat_map(move |d| {
                a.evidence
                    .imitates
                    .iter()
                    .map(move |m| (d.as_str(), m.as_str()))
            })
        })
        .collect();
    let flagged: BTreeSet<&str> = found.iter().map(|(d, _)| *d).collect();
    let hit: BTreeSet<&str> = found
        .iter()
        .filter(|(d, m)| expected.get(d).is_some_and(|(t, _)| t == m))
        .map(|(d, _)| *d)
        .collect();
    let decoys = truth
        .negatives
        .by_detector
        .get("lookalike_domain")
        .map(|n| {
            n.domains
                .iter()
                .filter(|d| flagged.contains(d.as_str()))
                .count()
        })
        .unwrap_or(0);
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    out.insert(
        "domain_precision".to_owned(),
        ratio(hit.len(), flagged.len()),
    );
    out.insert("domain_recall".to_owned(), ratio(hit.len(), expected.len()));
    out.insert("domains_expected".to_owned(), expected.len() as f64);
    out.insert("decoy_domains_flagged".to_owned(), decoys as f64);
    let mut per: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (d, (_, t)) in &expected {
        let e = per.entry(t).or_default();
        e.1 += 1;
        e.0 += usize::from(hit.contains(d));
    }
    for (t, (h, n)) in per {
        out.insert(format!("recall_{t}"), ratio(h, n));
    }
    out
}

/// Precision and recall of the accounts named by `lookalike_account` alerts, recall per
/// technique, and the outlets' own accounts flagged.
fn lookalike_accounts(truth: &Truth, alerts: &[&Alert]) -> std::collections::BTreeMap<String, f64> {
    let mut expected: HashMap<&str, &str> = HashMap::new();
    for op in truth
        .operations
        .iter()
        .filter(|op| op.kind == "lookalike_account")
    {
        let techniques = op.details.get("techniques").and_then(|v| v.as_object());
        for a in &op.accounts {
            let t = techniques
                .and_then(|t| t.get(a))
                .and_then(|v| v.as_str())
                .unwrap_or("unknown");
            expected.insert(a.as_str(), t);
        }
    }
    let flagged: BTreeSet<&str> = alerts
        .iter()
        .flat_map(|a| a.evidence.accounts.iter().map(String::as_str))
        .collect();
    let hit = flagged
        .iter()
        .filter(|a| expected.contains_key(**a))
        .count();
    let decoys = truth
        .negatives
        .by_detector
        .get("lookalike_account")
        .map(|n| {
            n.accounts
                .iter()
                .filter(|a| flagged.contains(a.as_str()))
                .count()
        })
        .unwrap_or(0);
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    out.insert("account_precision".to_owned(), ratio(hit, flagged.len()));
    out.insert("account_recall".to_owned(), ratio(hit, expected.len()));
    out.insert("accounts_expected".to_owned(), expected.len() as f64);
    out.insert("own_accounts_flagged".to_owned(), decoys as f64);
    let mut per: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (a, t) in &expected {
        let e = per.entry(t).or_default();
        e.1 += 1;
        e.0 += usize::from(flagged.contains(a));
    }
    for (t, (h, n)) in per {
        out.insert(format!("recall_{t}"), ratio(h, n));
    }
    out
}

/// Generates a dataset in `dir`, scans it into a fresh store there, and scores every detector.
pub fn evaluate(dir: &Path, seed: u64, posts: usize) -> anyhow::Result<Vec<Score>> {
    let opts = vigie_generate::GenerateOptions {
        seed,
        posts,
        content_credentials: cfg!(feature = "c2pa"),
        ..Default::default()
    };
    evaluate_with(dir, &opts)
}

/// [`evaluate`] on a dataset generated with `opts`.
pub fn evaluate_with(
    dir: &Path,
    opts: &vigie_generate::GenerateOptions,
) -> anyhow::Result<Vec<Score>> {
    vigie_generate::generate(opts, dir)?;
    let config = Config::load(&dir.join("vigie.toml"))?;
    let truth: Truth = serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json"))?)?;
    let db = dir.join("eval.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(&db)?;
    let outputs = ScanOutputs {
        alerts: Some(dir.join("alerts.jsonl")),
        quarantine: dir.join("quarantine.jsonl"),
    };
    let report = scan(
        &mut store,
        &[dir.join("data")],
        &config,
        &outputs,
        &IngestOptions::default(),
    )?;
    let mut scores = score(&truth, &report.alerts, &report.detectors);
    let langs = item_languages(&store)?;
    for s in &mut scores {
        if CONTENT_DETECTORS.contains(&s.detector.as_str()) {
            s.details
                .extend(per_language(&truth, &report.alerts, &s.detector, &langs));
        }
        if s.detector == "electoral_process" {
            s.details
                .extend(claim_kinds(&truth, &report.alerts, &langs));
        }
    }
    Ok(scores)
}

/// Kinds of claim of the generator's truth (`claims`) scored apart, as the detector names
/// them (`claim_kind`).
const CLAIM_KINDS: [&str; 1] = ["documents"];

/// `electoral_process` per kind of claim of [`CLAIM_KINDS`], overall and per language
/// (`documents.precision`, `documents.recall_fr`, ...): an item flagged under a kind is right
/// when the ground truth has it make a claim of that kind. Then the claims found by meaning
/// (cargo feature `semantic`): how many, and how many are targets (`by_meaning.*`), and the
/// recall of the reworded claims (`vigie generate --reworded-claims`) per language.
pub fn claim_kinds(
    truth: &Truth,
    alerts: &[Alert],
    langs: &HashMap<String, String>,
) -> std::collections::BTreeMap<String, f64> {
    let mut expected: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut reworded: BTreeSet<&str> = BTreeSet::new();
    let mut targets: BTreeSet<&str> = BTreeSet::new();
    for op in truth
        .operations
        .iter()
        .filter(|op| op.kind == "electoral_process")
    {
        targets.extend(op.items.iter().map(String::as_str));
        for (item, claim) in op
            .details
            .get("claims")
            .and_then(|c| c.as_object())
            .into_iter()
            .flatten()
        {
            if let Some(kind) = claim.as_str() {
                // A reworded claim is a claim of its kind.
                match kind.strip_prefix("reworded_") {
                    Some(k) => {
                        expected.insert((k, item.as_str()));
                        reworded.insert(item.as_str());
                    }
                    None => {
                        expected.insert((kind, item.as_str()));
                    }
                }
            }
        }
    }
    let mut flagged: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut by_meaning: BTreeSet<&str> = BTreeSet::new();
    let mut any: BTreeSet<&str> = BTreeSet::new();
    for a in alerts.iter().filter(|a| a.detector == "electoral_process") {
        any.extend(a.evidence.items.iter().map(String::as_str));
        // Claims found by meaning carry their similarity.
        let claims = a.evidence.figures.get("claims").and_then(|c| c.as_array());
        for c in claims.into_iter().flatten() {
            if c.get("similarity").is_some() {
                if let Some(i) = c.get("item").and_then(|i| i.as_str()) {
                    by_meaning.insert(i);
                }
            }
        }
        if let Some(kind) = a
            .evidence
            .figures
            .get("claim_kind")
            .and_then(|k| k.as_str())
        {
            for i in &a.evidence.items {
                flagged.insert((kind, i.as_str()));
            }
        }
    }
    let lang_of = |i: &str| langs.get(i).map(String::as_str).unwrap_or("unknown");
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    for kind in CLAIM_KINDS {
        let mut l: BTreeSet<&str> = BTreeSet::new();
        for (k, i) in expected.iter().chain(&flagged) {
            if *k == kind {
                l.insert(lang_of(i));
            }
        }
        for scope in std::iter::once(None).chain(l.into_iter().map(Some)) {
            let within =
                |(k, i): &&(&str, &str)| *k == kind && scope.is_none_or(|l| lang_of(i) == l);
            let mine: Vec<&(&str, &str)> = flagged.iter().filter(within).collect();
            let target: Vec<&(&str, &str)> = expected.iter().filter(within).collect();
            let tp = mine.iter().filter(|p| expected.contains(**p)).count();
            let suffix = scope.map(|l| format!("_{l}")).unwrap_or_default();
            out.insert(format!("{kind}.precision{suffix}"), ratio(tp, mine.len()));
            out.insert(format!("{kind}.recall{suffix}"), ratio(tp, target.len()));
        }
    }
    if !by_meaning.is_empty() {
        let right = by_meaning.iter().filter(|i| targets.contains(*i)).count();
        out.insert("by_meaning.flagged".into(), by_meaning.len() as f64);
        out.insert(
            "by_meaning.precision".into(),
            ratio(right, by_meaning.len()),
        );
    }
    if !reworded.is_empty() {
        let mut per: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for i in &reworded {
            for scope in ["", lang_of(i)] {
                let e = per.entry(scope).or_default();
                e.0 += usize::from(any.contains(i));
                e.1 += 1;
            }
        }
        for (scope, (hit, all)) in per {
            let suffix = if scope.is_empty() {
                String::new()
            } else {
                format!("_{scope}")
            };
            out.insert(format!("reworded.recall{suffix}"), ratio(hit, all));
        }
    }
    out
}

/// Detectors that read the text itself, scored per language as well.
pub const CONTENT_DETECTORS: [&str; 3] = ["electoral_process", "incitement", "doxxing"];

/// Language of every post and article in the store, by id.
fn item_languages(store: &Store) -> anyhow::Result<HashMap<String, String>> {
    let mut langs = HashMap::new();
    store.for_each_text(
        &[vigie_core::Kind::Post, vigie_core::Kind::Article],
        |row| {
            if let Some(l) = row.lang {
                langs.insert(row.id.to_owned(), l.to_owned());
            }
            Ok(())
        },
    )?;
    Ok(langs)
}

/// Precision and recall of one detector per language of the items (`precision_fr`,
/// `recall_fr`, ...): the flagged and target items of each language.
pub fn per_language(
    truth: &Truth,
    alerts: &[Alert],
    detector: &str,
    langs: &HashMap<String, String>,
) -> std::collections::BTreeMap<String, f64> {
    let target = targets(truth, detector);
    let flagged: BTreeSet<&str> = alerts
        .iter()
        .filter(|a| a.detector == detector)
        .flat_map(|a| a.evidence.items.iter().map(String::as_str))
        .collect();
    let lang_of = |i: &str| langs.get(i).map(String::as_str).unwrap_or("unknown");
    let mut counts: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    for i in &flagged {
        let c = counts.entry(lang_of(i)).or_default();
        c.0 += 1;
        c.1 += usize::from(target.contains(*i));
    }
    for i in &target {
        counts.entry(lang_of(i)).or_default().2 += 1;
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut out = std::collections::BTreeMap::new();
    for (lang, (flag, tp, tgt)) in counts {
        let hits = target
            .iter()
            .filter(|i| lang_of(i) == lang && flagged.contains(i.as_str()))
            .count();
        out.insert(format!("precision_{lang}"), ratio(tp, flag));
        out.insert(format!("recall_{lang}"), ratio(hits, tgt));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::{Evidence, ModusOperandi, Severity};
    use vigie_generate::truth::{CopyGroup, Negatives, Operation};

    fn alert(items: &[&str]) -> Alert {
        Alert {
            id: String::new(),
            detector: "copypasta".into(),
            modus_operandi: ModusOperandi::ContentLaundering,
            disarm: vec![],
            severity: Severity::Low,
            score: 0.5,
            title: String::new(),
            summary: String::new(),
            first_seen: chrono::DateTime::UNIX_EPOCH,
            last_seen: chrono::DateTime::UNIX_EPOCH,
            evidence: Evidence {
                items: items.iter().map(|s| s.to_string()).collect(),
                ..Evidence::default()
            },
        }
    }

    #[test]
    fn signals_are_scored_apart() {
        let mut op = Operation {
            id: "op-ads-1".into(),
            kind: "political_ad".into(),
            items: vec!["a1".into(), "a2".into(), "a3".into()],
            ..Operation::default()
        };
        op.details.insert(
            "signals".into(),
            serde_json::json!({"burst": ["a1", "a2"], "foreign_payer": ["a3"]}),
        );
        let truth = Truth {
            seed: 1,
            generator_version: String::new(),
            options: Default::default(),
            operations: vec![op],
            negatives: Negatives::default(),
            copy_groups: vec![],
        };
        let mut burst = alert(&["a1", "a3"]);
        burst.detector = "political_ad".into();
        burst
            .evidence
            .figures
            .insert("signal".into(), serde_json::json!("burst"));
        let scores = score(&truth, &[burst], &["political_ad"]);
        let d = &scores[0].details;
        // a3 belongs to the operation but does not burst: half of the burst flags are wrong.
        assert!((d["burst.precision"] - 0.5).abs() < 1e-9);
        assert!((d["burst.recall"] - 0.5).abs() < 1e-9);
        assert!((d["foreign_payer.recall"]).abs() < 1e-9);
        assert!((scores[0].precision - 1.0).abs() < 1e-9);
    }

    #[test]
    fn electoral_claims_are_scored_per_kind_language_and_meaning() {
        let mut op = Operation {
            id: "op-electoral-1".into(),
            kind: "electoral_process".into(),
            items: vec![
                "d1".into(),
                "d2".into(),
                "h1".into(),
                "r1".into(),
                "r2".into(),
            ],
            ..Operation::default()
        };
        op.details.insert(
            "claims".into(),
            serde_json::json!({"d1": "documents", "d2": "documents", "h1": "wrong_hours",
                "r1": "reworded_postponement", "r2": "reworded_voting_date"}),
        );
        let truth = Truth {
            seed: 1,
            generator_version: String::new(),
            options: Default::default(),
            operations: vec![op],
            negatives: Negatives::default(),
            copy_groups: vec![],
        };
        let claimed = |kind: &str, items: &[&str], meaning: bool| {
            let mut a = alert(items);
            a.detector = "electoral_process".into();
            a.evidence
                .figures
                .insert("claim_kind".into(), serde_json::json!(kind));
            let claims: Vec<serde_json::Value> = items
                .iter()
                .map(|i| {
                    if meaning {
                        serde_json::json!({"item": i, "similarity": 0.7})
                    } else {
                        serde_json::json!({"item": i})
                    }
                })
                .collect();
            a.evidence
                .figures
                .insert("claims".into(), serde_json::json!(claims));
            a
        };
        // d1 (fr) right; h1 is a true claim of another kind; n1 (de) a true statement; r1
        // found by meaning, r2 missed, n2 (de) a false alarm by meaning.
        let alerts = [
            claimed("documents", &["d1", "h1", "n1"], false),
            claimed("postponement", &["r1", "n2"], true),
        ];
        let langs: HashMap<String, String> = [
            ("d1", "fr"),
            ("d2", "de"),
            ("h1", "fr"),
            ("n1", "de"),
            ("r1", "es"),
            ("r2", "pl"),
            ("n2", "de"),
        ]
        .iter()
        .map(|(i, l)| (i.to_string(), l.to_string()))
        .collect();
        let d = claim_kinds(&truth, &alerts, &langs);
        let near = |k: &str, v: f64| (d[k] - v).abs() < 1e-9;
        assert!(near("documents.precision", 1.0 / 3.0), "{d:?}");
        assert!(near("documents.recall", 0.5));
        assert!(near("documents.precision_fr", 0.5));
        assert!(near("documents.recall_fr", 1.0));
        assert!(near("documents.precision_de", 0.0));
        assert!(near("documents.recall_de", 0.0));
        assert!(near("by_meaning.flagged", 2.0));
        assert!(near("by_meaning.precision", 0.5));
        assert!(near("reworded.recall", 0.5));
        assert!(near("reworded.recall_es", 1.0));
        assert!(near("reworded.recall_pl", 0.0));
    }

    #[test]
    fn copypasta_is_scored_on_copy_groups() {
        let mut relay = Operation {
            id: "op-relay-1".into(),
            kind: "relay_network".into(),
            items: vec!["o1".into(), "c1".into(), "c2".into()],
            ..Operation::default()
        };
        relay.details.insert(
            "copy_of".into(),
            serde_json::json!({"c1": "o1", "c2": "o1"}),
        );
        let burst = Operation {
            id: "op-burst-1".into(),
            kind: "account_burst".into(),
            items: vec!["b1".into()],
            ..Operation::default()
        };
        let truth = Truth {
            seed: 1,
            generator_version: String::new(),
            options: Default::default(),
            operations: vec![relay, burst],
            negatives: Negatives::default(),
            copy_groups: vec![CopyGroup {
                key: "o1".into(),
                items: vec!["o1".into(), "c1".into(), "c2".into()],
            }],
        };
        // Flags o1, c1 (right), b1 (an injected item of another operation), x (organic).
        let scores = score(
            &truth,
            &[alert(&["o1", "c1"]), alert(&["b1", "x"])],
            &["copypasta"],
        );
        let s = &scores[0];
        assert_eq!(
            (s.alerts, s.flagged_items, s.target_items, s.true_positives),
            (2, 4, 3, 2)
        );
        assert!((s.precision - 0.5).abs() < 1e-9);
        assert!((s.precision_any_operation - 0.75).abs() < 1e-9);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-9);
        // Pairs: truth has 3 (o1-c1, o1-c2, c1-c2); predicted labelled/organic pairs are o1-c1
        // (right) and b1-x (b1 unlabelled: left out) → precision 1/1, recall 1/3.
        assert!((s.details["pair_precision"] - 1.0).abs() < 1e-9);
        assert!((s.details["pair_recall"] - 1.0 / 3.0).abs() < 1e-9);
    }
}
