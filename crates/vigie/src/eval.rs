//! `vigie eval`: precision and recall of each detector on generated data with known operations.
//!
//! The generator's `truth.json` lists every injected operation with its items; each detector is
//! scored on the items it should flag. Two precisions are reported: against the detector's own
//! target set (strict), and against every injected item (a copy posted by a burst of new accounts
//! is a true copy even if the burst is another operation's ground truth).

use crate::ingest::IngestOptions;
use crate::scan::{scan, ScanOutputs};
use std::collections::BTreeSet;
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
}

/// Items each detector is expected to flag, from the ground truth.
pub fn targets(truth: &Truth, detector: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for op in &truth.operations {
        match (detector, op.kind.as_str()) {
            // Copies: relay copies and their origins, and same-text coordination.
            ("copypasta", "relay_network") => {
                if let Some(map) = op.details.get("copy_of").and_then(|v| v.as_object()) {
                    for (copy, origin) in map {
                        out.insert(copy.clone());
                        if let Some(o) = origin.as_str() {
                            out.insert(o.to_owned());
                        }
                    }
                }
            }
            ("copypasta", "coordination")
                if op.details.get("mode").and_then(|m| m.as_str()) == Some("same_text") =>
            {
                out.extend(op.items.iter().cloned());
            }
            (d, k) if d == k => out.extend(op.items.iter().cloned()),
            _ => {}
        }
    }
    out
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
            }
        })
        .collect()
}

/// Generates a dataset in `dir`, scans it into a fresh store there, and scores every detector.
pub fn evaluate(dir: &Path, seed: u64, posts: usize) -> anyhow::Result<Vec<Score>> {
    let opts = vigie_generate::GenerateOptions {
        seed,
        posts,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir)?;
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
    Ok(score(&truth, &report.alerts, &report.detectors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::{Evidence, ModusOperandi, Severity};
    use vigie_generate::truth::{Negatives, Operation};

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
    fn copypasta_is_scored_on_copies_and_their_origins() {
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
    }
}
