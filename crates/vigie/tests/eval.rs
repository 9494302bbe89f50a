//! Detectors against the generator's ground truth, on a small dataset (the full figures come from
//! `vigie eval`): the thresholds here are the targets, with a margin for the sample size.

use vigie::eval::{evaluate, Score};

fn score<'a>(scores: &'a [Score], detector: &str) -> &'a Score {
    scores
        .iter()
        .find(|s| s.detector == detector)
        .unwrap_or_else(|| panic!("no score for {detector}"))
}

#[test]
fn copy_clusters_and_relay_sites_match_the_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let scores = evaluate(dir.path(), 7, 3_000).unwrap();

    let copies = score(&scores, "copypasta");
    let d = &copies.details;
    assert!(d["pair_precision"] >= 0.98, "{copies:?}");
    assert!(d["pair_recall"] >= 0.95, "{copies:?}");
    assert!(d["recall_reworded"] >= 0.85, "{copies:?}");
    assert!(d["recall_verbatim"] >= 0.99, "{copies:?}");

    let relays = score(&scores, "relay_network");
    let r = &relays.details;
    assert!(r["site_precision"] >= 0.95, "{relays:?}");
    assert!(r["site_recall"] >= 0.95, "{relays:?}");

    // The outlets that quote the relayed channel are decoys: no alert may name them.
    let truth: vigie::generate::truth::Truth =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    let decoys = &truth.negatives.by_detector["relay_network"];
    assert!(
        !decoys.items.is_empty(),
        "the generator wrote no quoting articles"
    );
    let alerts = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    for decoy in decoys.domains.iter().chain(&decoys.items) {
        assert!(
            !alerts.contains(&format!("\"{decoy}\"")),
            "decoy {decoy} is named in an alert"
        );
    }
}
