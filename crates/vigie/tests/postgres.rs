//! PostgreSQL as the shared store, end to end: a scan gives the same alerts as on SQLite, two
//! `vigie scan` processes on overlapping input store each record once, and `vigie serve` answers
//! from the database and writes the analyst's decisions to it. Runs when `VIGIE_TEST_PG` names a
//! database (`postgres://USER@HOST/DB`) and the `postgres` feature is built; skips otherwise.
#![cfg(feature = "postgres")]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;
use vigie_core::{Config, Kind};
use vigie_store::Store;

fn scratch(test: &str) -> Option<vigie_store::ScratchSchema> {
    let Ok(base) = std::env::var("VIGIE_TEST_PG") else {
        eprintln!("skipping {test}: VIGIE_TEST_PG is not set");
        return None;
    };
    Some(vigie_store::ScratchSchema::create(&base, test).unwrap())
}

fn scan(dir: &Path, db: &Path, alerts: &Path) {
    let config = Config::load(&dir.join("vigie.toml")).unwrap();
    let mut store = Store::open(db).unwrap();
    let outputs = vigie::scan::ScanOutputs {
        alerts: Some(alerts.to_path_buf()),
        quarantine: dir.join("q-pg.jsonl"),
    };
    vigie::scan::scan(
        &mut store,
        &[dir.join("data")],
        &config,
        &outputs,
        &vigie::ingest::IngestOptions::default(),
    )
    .unwrap();
}

fn counts(db: &Path) -> Vec<u64> {
    let store = Store::open(db).unwrap();
    Kind::ALL
        .into_iter()
        .map(|k| store.count(k).unwrap())
        .collect()
}

#[test]
fn scan_and_serve_against_postgres_match_sqlite() {
    let Some(schema) = scratch("scan_and_serve") else {
        return;
    };
    let f = fixture(2_000);
    let url = PathBuf::from(schema.url());
    scan(f.dir.path(), &url, &f.dir.path().join("alerts-pg.jsonl"));

    let sqlite_alerts = std::fs::read_to_string(f.dir.path().join("alerts.jsonl")).unwrap();
    let pg_alerts = std::fs::read_to_string(f.dir.path().join("alerts-pg.jsonl")).unwrap();
    assert!(
        sqlite_alerts.lines().count() > 10,
        "the fixture gives alerts"
    );
    assert_eq!(pg_alerts, sqlite_alerts, "same alerts, same order");
    assert_eq!(counts(&url), counts(&f.db));
    let pg = Store::open(&url).unwrap();
    let sqlite = Store::open(&f.db).unwrap();
    assert_eq!(
        pg.incidents_json().unwrap(),
        sqlite.incidents_json().unwrap()
    );

    let addr = serve(&url, "127.0.0.1:0", None);
    let listed = get(addr, "/api/alerts?per_page=500").json();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = sqlite.alerts().unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(ids, expected);
    let (incident, _) = &pg.incidents_json().unwrap()[0];
    let page = get(addr, &format!("/api/incidents/{incident}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let hostile = get(addr, "/api/search?q=bureaux").json();
    assert!(hostile.to_string().contains("hostile-"), "{hostile}");
    let set = post_json(
        addr,
        &format!("/api/incidents/{incident}/status"),
        r#"{"status":"confirmed"}"#,
    );
    assert_eq!(set.status, 200, "{}", set.body);
    let note = post_json(
        addr,
        &format!("/api/incidents/{incident}/notes"),
        r#"{"text":"seen by a second analyst"}"#,
    );
    assert_eq!(note.status, 201, "{}", note.body);
    // Another process (here, another connection) sees the analyst's writes.
    let other = Store::open(&url).unwrap();
    assert_eq!(
        other.incident_states().unwrap()[incident].status,
        "confirmed"
    );
    assert_eq!(other.incident_notes().unwrap()[incident].len(), 1);
}

#[test]
fn two_scan_processes_on_overlapping_input_store_each_record_once() {
    let Some(schema) = scratch("two_scans") else {
        return;
    };
    let f = fixture(3_000);
    let data = f.dir.path().join("data");
    // The second process reads everything the first does, plus one file again under another name.
    let extra = f.dir.path().join("extra");
    std::fs::create_dir(&extra).unwrap();
    std::fs::copy(data.join("posts.jsonl"), extra.join("posts-again.jsonl")).unwrap();
    let spawn = |inputs: &[&Path], alerts: &str| {
        Command::new(env!("CARGO_BIN_EXE_vigie"))
            .current_dir(f.dir.path())
            .args(["--quiet", "scan", "--db", schema.url(), "--alerts", alerts])
            .args([
                "--config",
                "vigie.toml",
                "--quarantine",
                &format!("{alerts}.q"),
            ])
            // Small batches, so that the two writers interleave.
            .args(["--commit-records", "500"])
            .args(inputs)
            .spawn()
            .unwrap()
    };
    let a = spawn(&[&data], "a.jsonl");
    let b = spawn(&[&extra, &data], "b.jsonl");
    for mut child in [a, b] {
        assert!(child.wait().unwrap().success());
    }
    let url = PathBuf::from(schema.url());
    assert_eq!(counts(&url), counts(&f.db), "no record lost or duplicated");
    let store = Store::open(&url).unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut posts = 0;
    store
        .for_each_text(&[Kind::Post], |r| {
            assert!(seen.insert((r.platform.to_owned(), r.id.to_owned())));
            posts += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        posts,
        Store::open(&f.db).unwrap().count(Kind::Post).unwrap()
    );
    // Both processes detected on the complete store: each found the SQLite run's alerts, in the
    // same order. (Details listed in insertion order, like an electoral claim's examples, may
    // differ: the two processes interleave their inserts.)
    let expected = std::fs::read_to_string(f.dir.path().join("alerts.jsonl")).unwrap();
    let ids = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect()
    };
    assert!(expected.lines().count() > 10);
    for out in ["a.jsonl", "b.jsonl"] {
        let got = std::fs::read_to_string(f.dir.path().join(out)).unwrap();
        assert_eq!(ids(&got), ids(&expected), "{out}");
    }
}
