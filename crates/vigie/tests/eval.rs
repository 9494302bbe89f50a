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
fn copy_clusters_relay_sites_and_coordinated_accounts_match_the_ground_truth() {
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

    let coordination = score(&scores, "coordination");
    let c = &coordination.details;
    assert!(c["account_recall"] >= 0.95, "{coordination:?}");
    // Strictly, astroturf drivers that push the same texts together are not a coordination
    // operation of the truth; no flagged account may be organic.
    assert!(
        c["account_precision_any_operation"] >= 0.99,
        "{coordination:?}"
    );
    assert!(c["account_precision"] >= 0.85, "{coordination:?}");
    assert_eq!(c["decoy_accounts_flagged"], 0.0, "{coordination:?}");

    let bursts = score(&scores, "account_burst");
    let b = &bursts.details;
    assert!(b["account_precision"] >= 0.95, "{bursts:?}");
    assert!(b["account_recall"] >= 0.95, "{bursts:?}");
    // A genuine sign-up may fall in a burst's window with the burst's handle shape: rare.
    assert!(b["decoy_accounts_flagged"] <= 1.0, "{bursts:?}");

    let astroturf = score(&scores, "astroturf");
    let t = &astroturf.details;
    // Narrative surges also name the new accounts of the account-burst operation, which push
    // the same talking points within hours: astroturf by definition, though the truth files
    // them under `account_burst`. An ordinary new account that repeats the narrative twice in
    // a surge can be named too (1 of 34 on this data).
    assert!(t["account_precision"] >= 0.9, "{astroturf:?}");
    assert!(
        t["account_precision_any_operation"] >= 0.95,
        "{astroturf:?}"
    );
    assert!(t["account_recall"] >= 0.95, "{astroturf:?}");

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

    // Narratives the operations carry: daily volume, first appearance, top spreaders, and the
    // coordination and copy-paste alerts on the same items.
    let config = vigie::core::Config::load(&dir.path().join("vigie.toml")).unwrap();
    let store = vigie::store::Store::open(&dir.path().join("eval.db")).unwrap();
    let reports = vigie::detect::narratives::track(&config, &store).unwrap();
    let seen: Vec<_> = reports.iter().filter(|r| r.items > 0).collect();
    assert!(!seen.is_empty(), "no configured narrative was seen");
    for r in &seen {
        assert_eq!(r.daily.values().sum::<usize>(), r.items, "{}", r.name);
        let first_day = r.first_seen.map(|t| t.date_naive().to_string());
        assert_eq!(r.daily.keys().next(), first_day.as_ref(), "{}", r.name);
        assert!(r.first_item.is_some(), "{}", r.name);
        assert!(!r.top_spreaders.is_empty(), "{}", r.name);
        assert!(
            r.top_spreaders.windows(2).all(|w| w[0].1 >= w[1].1),
            "{}: {:?}",
            r.name,
            r.top_spreaders
        );
        assert_eq!(
            r.alerts_by_detector.values().sum::<usize>(),
            r.alerts.len(),
            "{}",
            r.name
        );
    }
    for detector in ["coordination", "copypasta"] {
        assert!(
            seen.iter()
                .any(|r| r.alerts_by_detector.contains_key(detector)),
            "no narrative is linked to a {detector} alert"
        );
    }
}

#[test]
fn every_political_ad_and_media_signal_meets_the_targets_and_decoys_stay_silent() {
    let dir = tempfile::tempdir().unwrap();
    let scores = evaluate(dir.path(), 11, 2_000).unwrap();
    let ads = score(&scores, "political_ad");
    for signal in vigie::detect::detectors::political_ad::SIGNALS {
        let p = ads.details[&format!("{signal}.precision")];
        let r = ads.details[&format!("{signal}.recall")];
        assert!(p >= 0.9 && r >= 0.9, "{signal}: precision {p}, recall {r}");
    }
    // Hashes computed at ingest from the generated image files.
    let media = score(&scores, "manufactured_media");
    for signal in vigie::detect::detectors::manufactured_media::SIGNALS {
        let p = media.details[&format!("{signal}.precision")];
        let r = media.details[&format!("{signal}.recall")];
        assert!(p >= 0.9 && r >= 0.9, "{signal}: precision {p}, recall {r}");
    }
    assert!(media.details["shared_avatar.recall"] >= 0.9);
    // Pictures signed, re-signed, altered after signing and declared AI-made, read at ingest.
    #[cfg(feature = "c2pa")]
    for signal in vigie::detect::detectors::manufactured_media::CREDENTIAL_SIGNALS {
        let p = media.details[&format!("{signal}.precision")];
        let r = media.details[&format!("{signal}.recall")];
        assert!(
            media.details[&format!("{signal}.expected")] >= 4.0,
            "{signal}"
        );
        assert!(
            p >= 0.99 && r >= 0.99,
            "{signal}: precision {p}, recall {r}"
        );
    }
    // Crops through the originals' window hashes.
    for edit in [
        "crop_5",
        "crop_10",
        "crop_20",
        "jpeg_q30",
        "jpeg_q70",
        "resize_50",
        "overlay",
    ] {
        assert!(
            media.details[&format!("recall_{edit}")] >= 0.8,
            "{edit}: {media:?}"
        );
    }
    let truth: vigie::generate::truth::Truth =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("truth.json")).unwrap())
            .unwrap();
    let alerts = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    for detector in ["political_ad", "manufactured_media"] {
        let decoys = &truth.negatives.by_detector[detector];
        assert!(!decoys.items.is_empty());
        let tag = format!("\"detector\":\"{detector}\"");
        let named: Vec<&String> = decoys
            .items
            .iter()
            .chain(&decoys.accounts)
            .filter(|decoy| {
                alerts
                    .lines()
                    .filter(|l| l.contains(&tag))
                    .any(|l| l.contains(&format!("\"{decoy}\"")))
            })
            .collect();
        // An unrelated picture matches one of the 11 originals' full frame or 25 windows by
        // chance in 0.4-0.6% of pairs (`vigie eval --media`): one of the 20 may be named.
        let allowed = usize::from(detector == "manufactured_media");
        assert!(named.len() <= allowed, "decoys named in alerts: {named:?}");
    }
}
