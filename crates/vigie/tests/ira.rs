//! The real IRA archive (Linvill & Warren): these accounts reposted one another's texts, so
//! copy-paste clusters across accounts must appear. Skips when ../shared/data is absent.

use std::io::{BufRead, Write};
use vigie::ingest::{ingest, IngestOptions};
use vigie_core::Config;
use vigie_detect::{registry, Context};
use vigie_sources::expand_inputs;
use vigie_store::Store;

const SLICE_ROWS: usize = 40_000;

#[test]
fn ira_slice_has_cross_account_copy_clusters() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ira/ira_tweets_2016-09-01_2016-11-30.csv.gz");
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!(
            "skipping: {} absent (../shared/data not mounted)",
            path.display()
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let slice = dir.path().join("ira_slice.csv");
    {
        let reader = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(file));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&slice).unwrap());
        // Rows hold no newlines in this file: lines are rows.
        for line in reader.lines().take(SLICE_ROWS + 1) {
            writeln!(out, "{}", line.unwrap()).unwrap();
        }
    }
    let mut store = Store::open(&dir.path().join("ira.db")).unwrap();
    let config = Config::default();
    let summary = ingest(
        &mut store,
        &expand_inputs(&[slice]).unwrap(),
        &config,
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(summary.total(|i| i.rejected), 0);
    let copypasta = registry(&config)
        .unwrap()
        .into_iter()
        .find(|d| d.name() == "copypasta")
        .unwrap();
    let alerts = copypasta.run(&Context::new(&config, &store)).unwrap();
    assert!(alerts.len() >= 50, "only {} copy clusters", alerts.len());
    let widest = alerts
        .iter()
        .map(|a| a.evidence.figures["distinct_actors"].as_u64().unwrap())
        .max()
        .unwrap();
    // The file is sorted by author, so a slice covers few accounts; 9 share one text here.
    assert!(widest >= 5, "widest cluster spans {widest} accounts");
    for a in &alerts {
        // Every cluster is cross-account and its evidence is consistent with its figures.
        let actors = a.evidence.figures["distinct_actors"].as_u64().unwrap() as usize;
        assert!(actors >= 3);
        assert_eq!(a.evidence.accounts.len().min(500), actors.min(500));
        assert!(a.first_seen <= a.last_seen);
        assert!(a.evidence.items.iter().all(|i| i.starts_with("ira-")));
    }
}

/// The IRA's "HashtagGamer" accounts played hashtag games (#RejectedDebateTopics...): dozens of
/// trolls posting many jokes each on a hashtag of the day. Against the "NewsFeed" accounts of
/// the same weeks (high-volume, hashtagged, but not games), the games are what surges.
#[test]
fn ira_hashtag_games_surface_as_astroturf() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ira/ira_tweets_2016-09-01_2016-11-30.csv.gz");
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!(
            "skipping: {} absent (../shared/data not mounted)",
            path.display()
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let slice = dir.path().join("ira_games_and_news.csv");
    let mut category_of: std::collections::HashMap<String, String> = Default::default();
    {
        let mut reader = csv::Reader::from_reader(flate2::read::MultiGzDecoder::new(file));
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (category, author) = (col("account_category"), col("author"));
        let mut out = csv::Writer::from_path(&slice).unwrap();
        out.write_record(&headers).unwrap();
        for row in reader.records() {
            let row = row.unwrap();
            if ["HashtagGamer", "NewsFeed"].contains(&&row[category]) {
                // The reader names accounts by their lower-cased handle.
                category_of.insert(row[author].to_lowercase(), row[category].to_owned());
                out.write_record(&row).unwrap();
            }
        }
    }
    let mut store = Store::open(&dir.path().join("ira.db")).unwrap();
    let config = Config::default();
    ingest(
        &mut store,
        &expand_inputs(&[slice]).unwrap(),
        &config,
        &IngestOptions::default(),
    )
    .unwrap();
    let astroturf = registry(&config)
        .unwrap()
        .into_iter()
        .find(|d| d.name() == "astroturf")
        .unwrap();
    let alerts = astroturf.run(&Context::new(&config, &store)).unwrap();
    assert!(alerts.len() >= 50, "only {} hashtag surges", alerts.len());
    for a in &alerts {
        let tag = a.evidence.figures["hashtag"].as_str().unwrap();
        for account in &a.evidence.accounts {
            let category = category_of.get(&account.to_lowercase()).map(String::as_str);
            assert_eq!(category, Some("HashtagGamer"), "#{tag} driven by {account}");
        }
    }
    let tags: Vec<&str> = alerts
        .iter()
        .map(|a| a.evidence.figures["hashtag"].as_str().unwrap())
        .collect();
    assert!(tags.contains(&"rejecteddebatetopics"), "{tags:?}");
}
