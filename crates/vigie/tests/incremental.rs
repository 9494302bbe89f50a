//! Streaming clustering: items arriving in a later scan join the clusters of earlier scans, and
//! the partition is the one a single scan of everything gives.

use std::collections::BTreeSet;
use std::path::Path;
use vigie::ingest::{ingest, IngestOptions};
use vigie_core::Config;
use vigie_detect::clusters::copy_clusters;
use vigie_sources::expand_inputs;
use vigie_store::Store;

type Partition = BTreeSet<BTreeSet<String>>;

/// Pairs of items clustered together.
fn pairs(p: &Partition) -> BTreeSet<(&str, &str)> {
    let mut out = BTreeSet::new();
    for cluster in p {
        let items: Vec<&str> = cluster.iter().map(String::as_str).collect();
        for (i, a) in items.iter().enumerate() {
            for b in &items[i + 1..] {
                out.insert((*a, *b));
            }
        }
    }
    out
}

/// Asserts that two partitions agree on nearly every pair of items. They cannot always agree
/// exactly: the window is kept in two generations whose boundaries depend on where reading
/// started, so an item at the edge of the window may be compared with a few more or fewer
/// items in one run than in the other.
fn assert_same(got: &Partition, expected: &Partition) {
    let (g, e) = (pairs(got), pairs(expected));
    let common = g.intersection(&e).count() as f64;
    let precision = common / g.len().max(1) as f64;
    let recall = common / e.len().max(1) as f64;
    assert!(
        precision >= 0.99 && recall >= 0.99,
        "pairs: precision {precision:.4}, recall {recall:.4}; {} clusters differ: {:?} vs {:?}",
        got.symmetric_difference(expected).count(),
        got.difference(expected)
            .map(|c| c.len())
            .collect::<Vec<_>>(),
        expected
            .difference(got)
            .map(|c| c.len())
            .collect::<Vec<_>>()
    );
}

fn partition(store: &Store, config: &Config) -> Partition {
    copy_clusters(config, store)
        .unwrap()
        .into_iter()
        .map(|c| c.members.into_iter().map(|m| m.id).collect())
        .collect()
}

fn load(store: &mut Store, config: &Config, files: &[&Path]) {
    let inputs: Vec<std::path::PathBuf> = files.iter().map(|p| p.to_path_buf()).collect();
    ingest(
        store,
        &expand_inputs(&inputs).unwrap(),
        config,
        &IngestOptions::default(),
    )
    .unwrap();
}

/// Splits the generated posts and articles at `cut` (RFC 3339): (before, from).
fn split(dir: &Path, cut: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let (early, late) = (dir.join("early.jsonl"), dir.join("late.jsonl"));
    let (mut a, mut b) = (String::new(), String::new());
    for (file, field) in [("posts", "created_at"), ("articles", "published_at")] {
        let text = std::fs::read_to_string(dir.join(format!("data/{file}.jsonl"))).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let at = chrono::DateTime::parse_from_rfc3339(v[field].as_str().unwrap()).unwrap();
            let cut = chrono::DateTime::parse_from_rfc3339(cut).unwrap();
            let out = if at < cut { &mut a } else { &mut b };
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(&early, a).unwrap();
    std::fs::write(&late, b).unwrap();
    (early, late)
}

#[test]
fn later_items_join_earlier_clusters_as_in_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let opts = vigie_generate::GenerateOptions {
        seed: 11,
        posts: 4_000,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir.path()).unwrap();
    let config = Config::default();
    let (early, late) = split(dir.path(), "2024-06-01T12:00:00Z");

    let mut whole = Store::open_in_memory().unwrap();
    load(&mut whole, &config, &[&early, &late]);
    let expected = partition(&whole, &config);
    assert!(expected.len() >= 20, "{} clusters", expected.len());

    let mut streamed = Store::open_in_memory().unwrap();
    load(&mut streamed, &config, &[&early]);
    let first = partition(&streamed, &config);
    load(&mut streamed, &config, &[&late]);
    let second = partition(&streamed, &config);
    assert_same(&second, &expected);
    // Some clusters of the first scan grew with the second one's items.
    let grown = first
        .iter()
        .filter(|c| second.iter().any(|d| d.len() > c.len() && c.is_subset(d)))
        .count();
    assert!(grown > 0, "no cluster of the first scan grew");

    // A scan with nothing new changes nothing.
    assert_same(&partition(&streamed, &config), &expected);
}

#[test]
fn items_older_than_the_window_rebuild_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let opts = vigie_generate::GenerateOptions {
        seed: 12,
        posts: 3_000,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir.path()).unwrap();
    let config = Config::default();
    let (early, late) = split(dir.path(), "2024-06-01T12:00:00Z");
    let mut whole = Store::open_in_memory().unwrap();
    load(&mut whole, &config, &[&early, &late]);
    let expected = partition(&whole, &config);

    // The late half first, then the early half: the early items predate the window.
    let mut reversed = Store::open_in_memory().unwrap();
    load(&mut reversed, &config, &[&late]);
    partition(&reversed, &config);
    load(&mut reversed, &config, &[&early]);
    assert_same(&partition(&reversed, &config), &expected);
}

#[test]
fn detectors_run_beside_the_others_find_what_one_thread_finds() {
    let dir = tempfile::tempdir().unwrap();
    let opts = vigie_generate::GenerateOptions {
        posts: 3_000,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir.path()).unwrap();
    let config = Config::load(&dir.path().join("vigie.toml")).unwrap();
    assert!(Store::open_in_memory().unwrap().reopen().unwrap().is_none());

    let data = dir.path().join("data");
    let mut alone = Store::open(&dir.path().join("alone.db")).unwrap();
    load(&mut alone, &config, &[&data]);
    let ctx = vigie_detect::Context::new(&config, &alone);
    let (ran_alone, found_alone) = vigie_detect::run_detectors(&ctx, None, None).unwrap();

    let mut shared = Store::open(&dir.path().join("beside.db")).unwrap();
    load(&mut shared, &config, &[&data]);
    let beside = shared.reopen().unwrap();
    assert!(beside.is_some(), "a store file can be opened twice");
    let ctx = vigie_detect::Context::new(&config, &shared);
    let (ran_beside, found_beside) = vigie_detect::run_detectors(&ctx, None, beside).unwrap();

    assert_eq!(ran_alone, vigie_detect::available());
    assert_eq!(ran_beside, ran_alone);
    let json = |alerts: &[vigie_core::Alert]| serde_json::to_string(alerts).unwrap();
    assert_eq!(json(&found_beside), json(&found_alone));
    // Both groups found something: the co-action side and the independent side.
    let detectors: BTreeSet<&str> = found_beside.iter().map(|a| a.detector.as_str()).collect();
    for d in [
        "copypasta",
        "coordination",
        "account_burst",
        "astroturf",
        "electoral_process",
    ] {
        assert!(detectors.contains(d), "{d} found nothing: {detectors:?}");
    }

    // Run after coordination, astroturf takes its hourly counts from the co-action scan; alone,
    // it counts them in a pass of its own. Same alerts.
    let ctx = vigie_detect::Context::new(&config, &alone);
    let (_, astroturf_alone) =
        vigie_detect::run_detectors(&ctx, Some(&["astroturf"]), None).unwrap();
    let astroturf_fused: Vec<vigie_core::Alert> = found_alone
        .iter()
        .filter(|a| a.detector == "astroturf")
        .cloned()
        .collect();
    assert_eq!(json(&astroturf_alone), json(&astroturf_fused));
}
