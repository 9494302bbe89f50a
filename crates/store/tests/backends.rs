//! The store's behaviour, checked on every backend: each test runs on an SQLite file and, when
//! `VIGIE_TEST_PG` names a PostgreSQL database (`postgres://USER@HOST/DB`) and the `postgres`
//! feature is built, on a fresh schema of that database.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use vigie_core::config::InputConfig;
use vigie_core::{Alert, Kind, Record};
use vigie_normalise::{Normalised, Normaliser};
use vigie_store::{
    Checkpoint, CopyAssignments, CopyState, EvidenceRole, IncidentRow, Inserted, Store,
};

/// Where one test's store lives; removed when dropped.
struct TestDb {
    location: PathBuf,
    _dir: Option<tempfile::TempDir>,
    #[cfg(feature = "postgres")]
    _schema: Option<vigie_store::ScratchSchema>,
}

impl TestDb {
    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        TestDb {
            location: dir.path().join("v.db"),
            _dir: Some(dir),
            #[cfg(feature = "postgres")]
            _schema: None,
        }
    }

    fn postgres(test: &str) -> Option<TestDb> {
        let Ok(base) = std::env::var("VIGIE_TEST_PG") else {
            eprintln!("skipping the PostgreSQL run of {test}: VIGIE_TEST_PG is not set");
            return None;
        };
        #[cfg(feature = "postgres")]
        {
            let schema = vigie_store::ScratchSchema::create(&base, test).unwrap();
            Some(TestDb {
                location: PathBuf::from(schema.url()),
                _dir: None,
                _schema: Some(schema),
            })
        }
        #[cfg(not(feature = "postgres"))]
        {
            eprintln!(
                "skipping the PostgreSQL run of {test} on {base}: built without feature `postgres`"
            );
            None
        }
    }

    fn open(&self) -> Store {
        Store::open(&self.location).unwrap()
    }
}

/// Runs each listed test on SQLite (`sqlite::NAME`) and PostgreSQL (`postgres::NAME`).
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&super::TestDb::sqlite()); })*
        }
        mod postgres {
            $(#[test] fn $name() {
                if let Some(db) = super::TestDb::postgres(stringify!($name)) {
                    super::$name(&db);
                }
            })*
        }
    };
}

on_every_backend!(
    same_identity_is_stored_once_and_read_back_intact,
    uncommitted_batches_leave_nothing_behind,
    checkpoints_only_move_forward,
    quarantine_is_exported_once,
    reopening_keeps_data_and_schema,
    concurrent_opens_of_a_new_store_migrate_once,
    concurrent_ingesters_of_overlapping_input_store_each_record_once,
    reads_come_in_the_same_order_on_every_backend,
    text_rows_links_and_sources,
    alerts_are_replaced_per_detector_and_sorted,
    incidents_state_and_notes_survive_a_change_of_id,
    evidence_is_indexed_found_and_purged,
    copy_index_round_trips,
    hostile_text_is_stored_intact,
    sentence_vectors_are_cached_per_model_and_kept,
    posts_of_chosen_authors_come_in_time_order,
    posts_of_a_time_window_come_in_order,
);

fn normalise(line: &str) -> Normalised {
    let record: Record = serde_json::from_str(line).unwrap();
    Normaliser::new(&InputConfig::default())
        .normalise(record)
        .unwrap()
}

fn post(id: &str, author: &str, at: &str, text: &str) -> Normalised {
    normalise(
        &serde_json::json!({
            "kind": "post", "id": id, "platform": "x", "author": author, "created_at": at,
            "text": text, "lang": "en",
        })
        .to_string(),
    )
}

fn ids(store: &Store, kind: Kind) -> Vec<String> {
    let mut out = Vec::new();
    store
        .for_each(kind, |r| {
            out.push(r.record.id().to_owned());
            Ok(())
        })
        .unwrap();
    out
}

fn same_identity_is_stored_once_and_read_back_intact(db: &TestDb) {
    let mut store = db.open();
    let a = post("1", "u", "2024-06-02T10:00:00Z", "Hello #World");
    let mut batch = store.batch().unwrap();
    assert_eq!(batch.insert(&a).unwrap(), Inserted::New);
    assert_eq!(batch.insert(&a).unwrap(), Inserted::Duplicate);
    // Same id, other text: still the same record (first one kept).
    let changed = post("1", "u", "2024-06-02T10:00:00Z", "edited");
    assert_eq!(batch.insert(&changed).unwrap(), Inserted::Duplicate);
    let b = post("2", "u", "2024-06-01T10:00:00Z", "b");
    assert_eq!(batch.insert(&b).unwrap(), Inserted::New);
    batch.commit().unwrap();
    assert_eq!(store.count(Kind::Post).unwrap(), 2);
    let got = store.get(Kind::Post, "x", "1").unwrap().unwrap();
    assert_eq!(got.record, a.record);
    assert_eq!(got.derived, a.derived);
    assert!(store.get(Kind::Post, "y", "1").unwrap().is_none());
    assert_eq!(ids(&store, Kind::Post), vec!["2", "1"], "time order");
}

fn uncommitted_batches_leave_nothing_behind(db: &TestDb) {
    let mut store = db.open();
    {
        let mut batch = store.batch().unwrap();
        batch
            .insert(&post("1", "u", "2024-06-02T10:00:00Z", "x"))
            .unwrap();
        batch.set_checkpoint("in.jsonl", "fp", 10, false).unwrap();
        // dropped without commit: rolled back
    }
    assert_eq!(store.count(Kind::Post).unwrap(), 0);
    assert_eq!(store.checkpoint("in.jsonl", "fp").unwrap(), None);
    let mut batch = store.batch().unwrap();
    batch.set_checkpoint("in.jsonl", "fp", 10, false).unwrap();
    batch.commit().unwrap();
    assert_eq!(
        store.checkpoint("in.jsonl", "fp").unwrap(),
        Some(Checkpoint {
            line: 10,
            done: false
        })
    );
    assert_eq!(store.checkpoint("in.jsonl", "other").unwrap(), None);
}

fn checkpoints_only_move_forward(db: &TestDb) {
    let mut store = db.open();
    for (line, done) in [(100, false), (40, false), (250, true), (90, false)] {
        let mut batch = store.batch().unwrap();
        batch.set_checkpoint("in", "fp", line, done).unwrap();
        batch.commit().unwrap();
    }
    assert_eq!(
        store.checkpoint("in", "fp").unwrap(),
        Some(Checkpoint {
            line: 250,
            done: true
        }),
        "a process behind another must not move the checkpoint back"
    );
}

fn quarantine_is_exported_once(db: &TestDb) {
    let mut store = db.open();
    let run = store.begin_run(&["in".into()]).unwrap();
    let mut batch = store.batch().unwrap();
    batch.quarantine(run, "in", 3, "bad", b"\xff\0").unwrap();
    batch.quarantine(run, "in", 7, "worse", b"{").unwrap();
    batch.commit().unwrap();
    store
        .finish_run(run, &serde_json::json!({"records": 0}))
        .unwrap();
    let mut seen = Vec::new();
    let last = store
        .pending_quarantine(|q| seen.push((q.line, q.reason, q.raw)))
        .unwrap();
    assert_eq!(
        seen,
        vec![
            (3, "bad".to_string(), b"\xff\0".to_vec()),
            (7, "worse".to_string(), b"{".to_vec())
        ]
    );
    store.mark_quarantine_exported(last.unwrap()).unwrap();
    let mut again = 0;
    assert_eq!(store.pending_quarantine(|_| again += 1).unwrap(), None);
    assert_eq!(again, 0);
    assert_eq!(store.stats().unwrap().quarantined, 2);
}

fn reopening_keeps_data_and_schema(db: &TestDb) {
    {
        let mut store = db.open();
        let mut batch = store.batch().unwrap();
        batch
            .insert(&post("1", "u", "2024-06-02T10:00:00Z", "x"))
            .unwrap();
        batch.commit().unwrap();
    }
    let store = db.open();
    assert_eq!(store.count(Kind::Post).unwrap(), 1);
    let latest = Store::open_in_memory().unwrap().schema_version().unwrap();
    assert_eq!(store.schema_version().unwrap(), latest);
    let stats = store.stats().unwrap();
    assert_eq!(stats.schema_version, latest);
    assert_eq!(stats.by_kind, vec![("post".to_string(), 1)]);
    assert_eq!(stats.by_platform, vec![("x".to_string(), 1)]);
    assert!(stats.file_bytes > 0);
    assert_eq!(
        stats.first.unwrap().to_rfc3339(),
        "2024-06-02T10:00:00+00:00"
    );
}

fn concurrent_opens_of_a_new_store_migrate_once(db: &TestDb) {
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let p = db.location.clone();
            std::thread::spawn(move || Store::open(&p).map(|s| s.schema_version().unwrap()))
        })
        .collect();
    let latest = Store::open_in_memory().unwrap().schema_version().unwrap();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), latest);
    }
}

/// Two writers, each with its own connection, ingest overlapping ranges in opposite orders and
/// in many batches: every record is stored once, and exactly one writer saw it as new.
fn concurrent_ingesters_of_overlapping_input_store_each_record_once(db: &TestDb) {
    db.open(); // the schema, before the race
    let n = 3_000usize;
    let ranges = [(0..2 * n / 3).collect::<Vec<_>>(), {
        let mut r: Vec<usize> = (n / 3..n).collect();
        r.reverse();
        r
    }];
    let handles: Vec<_> = ranges
        .into_iter()
        .enumerate()
        .map(|(w, range)| {
            let location = db.location.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&location).unwrap();
                let mut new = Vec::new();
                for chunk in range.chunks(250) {
                    let mut batch = store.batch().unwrap();
                    for &i in chunk {
                        let p = post(
                            &format!("p{i}"),
                            &format!("a{}", i % 17),
                            &format!("2024-06-0{}T10:{:02}:00Z", 1 + i % 5, i % 60),
                            &format!("post number {i}"),
                        );
                        if batch.insert(&p).unwrap() == Inserted::New {
                            new.push(i);
                        }
                    }
                    batch
                        .set_checkpoint("shared.jsonl", "fp", chunk.len() as u64, false)
                        .unwrap();
                    batch.commit().unwrap();
                }
                (w, new)
            })
        })
        .collect();
    let mut new_total = Vec::new();
    for h in handles {
        let (_, new) = h.join().unwrap();
        new_total.extend(new);
    }
    new_total.sort_unstable();
    assert_eq!(
        new_total,
        (0..n).collect::<Vec<_>>(),
        "each record new once"
    );
    let store = db.open();
    assert_eq!(store.count(Kind::Post).unwrap(), n as u64);
    let stored = ids(&store, Kind::Post);
    let distinct: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored.len(), n);
    assert_eq!(distinct.len(), n, "no duplicates");
    for i in [0, n / 3, n / 2, 2 * n / 3, n - 1] {
        assert!(store
            .get(Kind::Post, "x", &format!("p{i}"))
            .unwrap()
            .is_some());
    }
}

/// Orders that differ between databases unless pinned: missing times first, ties by insertion,
/// text compared bytewise.
fn reads_come_in_the_same_order_on_every_backend(db: &TestDb) {
    let mut store = db.open();
    let mut batch = store.batch().unwrap();
    batch
        .insert(&post("late", "b", "2024-06-03T00:00:00Z", "z"))
        .unwrap();
    batch
        .insert(&post("tie1", "é", "2024-06-02T00:00:00Z", "z"))
        .unwrap();
    batch
        .insert(&post("tie2", "B", "2024-06-02T00:00:00Z", "z"))
        .unwrap();
    batch
        .insert(&post("tie3", "a", "2024-06-02T00:00:00Z", "z"))
        .unwrap();
    batch
        .insert(&normalise(
            r#"{"kind":"account","id":"acc2","platform":"x","handle":"acc2"}"#,
        ))
        .unwrap();
    batch
        .insert(&normalise(
            r#"{"kind":"account","id":"acc1","platform":"x","handle":"acc1","created_at":"2020-01-01T00:00:00Z"}"#,
        ))
        .unwrap();
    batch.commit().unwrap();
    assert_eq!(
        ids(&store, Kind::Post),
        vec!["tie1", "tie2", "tie3", "late"]
    );
    assert_eq!(
        ids(&store, Kind::Account),
        vec!["acc2", "acc1"],
        "no time sorts first"
    );
    let mut by_time = Vec::new();
    store
        .for_each_json_by_time(Kind::Post, |r| {
            by_time.push((r.author.unwrap().to_owned(), r.ts.unwrap()));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        by_time.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        vec!["é", "B", "a", "b"]
    );
    let firsts: Vec<String> = store
        .first_post_times()
        .unwrap()
        .into_iter()
        .map(|(_, a, _)| a)
        .collect();
    assert_eq!(firsts, vec!["B", "a", "b", "é"], "bytewise");
}

fn text_rows_links_and_sources(db: &TestDb) {
    let mut store = db.open();
    let mut batch = store.batch().unwrap();
    batch
        .insert(&normalise(
            r#"{"kind":"article","url":"https://news.example/a?utm_source=x","site":"news.example","title":"Élection: les résultats","text":"Les RÉSULTATS sont tombés","published_at":"2024-06-09T20:00:00Z"}"#,
        ))
        .unwrap();
    batch
        .insert(&post(
            "p1",
            "u1",
            "2024-06-09T21:00:00Z",
            "see https://news.example/a and https://other.example/b",
        ))
        .unwrap();
    batch
        .insert(&normalise(
            r#"{"kind":"post","id":"p2","platform":"x","author":"u2","created_at":"2024-06-09T22:00:00Z","text":"RT","repost_of":"p1"}"#,
        ))
        .unwrap();
    batch.commit().unwrap();
    let mut rows = Vec::new();
    store
        .for_each_text(&[Kind::Post, Kind::Article], |r| {
            rows.push((
                r.kind,
                r.id.to_owned(),
                r.title.map(str::to_owned),
                r.repost_of.map(str::to_owned),
                r.norm.to_owned(),
            ));
            Ok(())
        })
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].0, Kind::Article);
    assert_eq!(rows[0].2.as_deref(), Some("Élection: les résultats"));
    assert!(rows[0].4.contains("résultats"), "folded: {}", rows[0].4);
    assert_eq!(rows[2].3.as_deref(), Some("p1"));
    let mut links = Vec::new();
    store
        .for_each_link(&[Kind::Post, Kind::Article], |l| {
            links.push((l.id.to_owned(), l.urls.to_vec()));
            Ok(())
        })
        .unwrap();
    assert_eq!(links.len(), 2, "{links:?}");
    assert_eq!(links[1].0, "p1");
    assert_eq!(links[1].1.len(), 2);
    let sources = store.items_per_source().unwrap();
    assert_eq!(sources.get("u1"), Some(&1));
    assert_eq!(sources.get("news.example"), Some(&1));
    assert_eq!(sources.get("u2"), None, "reposts are not original items");
}

fn alert(detector: &str, item: &str, score: f64) -> Alert {
    let line = serde_json::json!({
        "id": "", "detector": detector, "modus_operandi": "amplification",
        "disarm": ["T0049"], "severity": if score > 0.7 { "high" } else { "medium" },
        "score": score, "title": "t", "summary": "s",
        "first_seen": "2024-06-01T00:00:00Z", "last_seen": "2024-06-02T00:00:00Z",
        "evidence": {"items": [item], "accounts": [], "domains": [], "urls": [], "imitates": []},
    });
    serde_json::from_value::<Alert>(line).unwrap().finalise()
}

fn alerts_are_replaced_per_detector_and_sorted(db: &TestDb) {
    let mut store = db.open();
    let first = [
        alert("a", "1", 0.5),
        alert("a", "2", 0.9),
        alert("b", "3", 0.6),
    ];
    store.replace_alerts(&["a", "b"], &first).unwrap();
    assert_eq!(store.alert_count().unwrap(), 3);
    let order: Vec<f64> = store.alerts().unwrap().iter().map(|a| a.score).collect();
    assert_eq!(order, vec![0.9, 0.6, 0.5]);
    store
        .replace_alerts(&["a"], &[alert("a", "4", 0.4)])
        .unwrap();
    let left: Vec<String> = store
        .alerts()
        .unwrap()
        .iter()
        .map(|a| a.evidence.items[0].clone())
        .collect();
    assert_eq!(left, vec!["3", "4"]);
    let one = &first[2];
    assert_eq!(store.alert(&one.id).unwrap().as_ref(), Some(one));
    assert_eq!(store.alert("nope").unwrap(), None);
    assert_eq!(
        store.stats().unwrap().alerts_by_detector,
        vec![("a".to_string(), 1), ("b".to_string(), 1)]
    );
}

fn incident(id: &str, score: f64) -> IncidentRow {
    IncidentRow {
        id: id.into(),
        severity: "high".into(),
        score,
        first_seen: 1,
        last_seen: 2,
        json: format!("{{\"id\":\"{id}\"}}"),
    }
}

fn incidents_state_and_notes_survive_a_change_of_id(db: &TestDb) {
    let mut store = db.open();
    store
        .replace_incidents([incident("inc-b", 0.5), incident("inc-a", 0.7)].into_iter())
        .unwrap();
    let listed: Vec<String> = store
        .incidents_json()
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(listed, vec!["inc-a", "inc-b"]);
    assert_eq!(
        store.incident_json("inc-a").unwrap().as_deref(),
        Some("{\"id\":\"inc-a\"}")
    );
    store.set_incident_status("inc-a", "confirmed", 10).unwrap();
    store.add_incident_note("inc-a", "first", 11).unwrap();
    store.add_incident_note("inc-a", "second", 12).unwrap();
    store.set_incident_status("inc-c", "dismissed", 5).unwrap();
    store.carry_incident_state("inc-a", "inc-c").unwrap();
    let states = store.incident_states().unwrap();
    assert!(!states.contains_key("inc-a"));
    let c = &states["inc-c"];
    assert_eq!(
        (c.status.as_str(), c.updated_at),
        ("confirmed", 10),
        "the more recent status wins"
    );
    assert_eq!(c.previous_ids, vec!["inc-a"]);
    let notes = store.incident_notes().unwrap();
    let texts: Vec<&str> = notes["inc-c"].iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, vec!["first", "second"]);
    store.replace_incidents(std::iter::empty()).unwrap();
    assert!(store.incidents_json().unwrap().is_empty());
}

fn evidence_is_indexed_found_and_purged(db: &TestDb) {
    let mut store = db.open();
    let mut batch = store.batch().unwrap();
    for (id, at, text) in [
        (
            "old",
            "2024-01-01T00:00:00Z",
            "ancient rumour about ballots",
        ),
        ("new", "2024-06-01T00:00:00Z", "fresh rumour about ballots"),
        ("other", "2024-06-01T00:00:00Z", "nothing here"),
    ] {
        batch.insert(&post(id, "u", at, text)).unwrap();
    }
    batch
        .insert(&normalise(
            r#"{"kind":"account","id":"u","platform":"x","handle":"u"}"#,
        ))
        .unwrap();
    batch
        .insert(&normalise(
            r#"{"kind":"account","id":"lonely","platform":"x","handle":"lonely"}"#,
        ))
        .unwrap();
    batch.commit().unwrap();
    let items: HashSet<String> = ["old", "new", "missing"].map(String::from).into();
    let accounts: HashSet<String> = ["u"].map(String::from).into();
    store
        .index_evidence(&items, &accounts, &HashSet::new())
        .unwrap();
    let found = store.evidence_records(EvidenceRole::Item, "new").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].record.id(), "new");
    assert!(store
        .evidence_records(EvidenceRole::Account, "new")
        .unwrap()
        .is_empty());
    let mut accts = Vec::new();
    store
        .for_each_evidence_record(EvidenceRole::Account, |r| {
            accts.push(r.record.id().to_owned())
        })
        .unwrap();
    assert_eq!(accts, vec!["u"]);
    assert_eq!(
        store.search_evidence_items("rumour", 10).unwrap(),
        vec!["new", "old"]
    );
    assert_eq!(
        store.search_evidence_items("rumour", 1).unwrap(),
        vec!["new"]
    );
    assert!(
        store.search_evidence_items("%", 10).unwrap().is_empty(),
        "not a pattern"
    );
    store
        .replace_alerts(&["a"], &[alert("a", "old", 0.5)])
        .unwrap();
    let cutoff = chrono::DateTime::parse_from_rfc3339("2024-03-01T00:00:00Z")
        .unwrap()
        .timestamp_millis();
    let purged = store.purge_before(cutoff).unwrap();
    assert_eq!(purged.records, 1);
    assert_eq!(purged.accounts, 1, "the account without content");
    assert_eq!(
        purged.alerts, 0,
        "the alert's activity ends after the cutoff"
    );
    assert_eq!(store.alert_count().unwrap(), 1);
    assert!(store.get(Kind::Post, "x", "old").unwrap().is_none());
    assert!(store.get(Kind::Account, "x", "u").unwrap().is_some());
    assert!(store
        .evidence_records(EvidenceRole::Item, "old")
        .unwrap()
        .is_empty());
    store.vacuum().unwrap();
    assert_eq!(store.count(Kind::Post).unwrap(), 2);
}

fn copy_index_round_trips(db: &TestDb) {
    let mut store = db.open();
    let mut batch = store.batch().unwrap();
    for (i, at) in [
        "2024-06-01T00:00:00Z",
        "2024-06-01T01:00:00Z",
        "2024-06-01T01:00:00Z",
        "2024-06-05T00:00:00Z",
    ]
    .iter()
    .enumerate()
    {
        batch
            .insert(&post(&format!("c{i}"), "u", at, "same words"))
            .unwrap();
    }
    batch.commit().unwrap();
    let mut rid_of = BTreeMap::new();
    store
        .for_each_text(&[Kind::Post], |r| {
            rid_of.insert(r.id.to_owned(), r.rid);
            Ok(())
        })
        .unwrap();
    let rid = |s: &str| rid_of[s];
    assert_eq!(store.max_rid().unwrap(), rid("c3"));
    assert_eq!(store.copy_state().unwrap(), None);
    let state = CopyState {
        last_rid: rid("c2"),
        horizon_ts: 7,
        fingerprint: "fp".into(),
    };
    store
        .apply_copy_assignments(
            &CopyAssignments {
                members: vec![
                    (rid("c0"), rid("c0")),
                    (rid("c1"), rid("c1")),
                    (rid("c2"), rid("c1")),
                ],
                merges: vec![],
                weakest: vec![(rid("c0"), 0.9), (rid("c1"), 0.8)],
            },
            &state,
        )
        .unwrap();
    store
        .apply_copy_assignments(
            &CopyAssignments {
                members: vec![],
                merges: vec![(rid("c1"), rid("c0"))],
                weakest: vec![(rid("c0"), 0.95)],
            },
            &state,
        )
        .unwrap();
    assert_eq!(store.copy_state().unwrap(), Some(state));
    let (labels, weakest) = store.copy_members().unwrap();
    assert_eq!(labels.len(), 3);
    assert!(labels.values().all(|&l| l == rid("c0")));
    assert_eq!(weakest.len(), 1);
    assert_eq!(weakest[&rid("c0")], 0.8, "the weakest of both clusters");
    let ts = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(
        store
            .copy_labels_since(ts("2024-06-01T00:30:00Z"))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store.earliest_after(&[Kind::Post], rid("c2")).unwrap(),
        Some(ts("2024-06-05T00:00:00Z"))
    );
    // The window from June 3 holds c3; the remembered cluster is represented by its latest
    // member, the first stored of the two published at 01:00.
    let mut read = Vec::new();
    store
        .for_each_text_to_cluster(
            &[Kind::Post],
            ts("2024-06-03T00:00:00Z"),
            ts("2024-05-01T00:00:00Z"),
            |r| {
                read.push(r.id.to_owned());
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(read, vec!["c1", "c3"]);
    let mut members = Vec::new();
    store
        .for_each_copy_member_row(&[Kind::Post], |r| {
            members.push(r.id.to_owned());
            Ok(())
        })
        .unwrap();
    assert_eq!(members, vec!["c0", "c1", "c2"]);
    store.reset_copy_index().unwrap();
    assert_eq!(store.copy_state().unwrap(), None);
    assert!(store.copy_members().unwrap().0.is_empty());
}

/// Input is hostile: NUL characters, quotes and SQL in every text field are stored and read back
/// as given in the record.
fn hostile_text_is_stored_intact(db: &TestDb) {
    let mut store = db.open();
    let text = "a\u{0}b'); DROP TABLE records; -- \u{202e} 💥";
    let p = normalise(
        &serde_json::json!({
            "kind": "post", "id": "i\u{0}d'", "platform": "x", "author": "au\u{0}thor",
            "created_at": "2024-06-02T10:00:00Z", "text": text,
        })
        .to_string(),
    );
    let mut batch = store.batch().unwrap();
    assert_eq!(batch.insert(&p).unwrap(), Inserted::New);
    assert_eq!(batch.insert(&p).unwrap(), Inserted::Duplicate);
    batch.commit().unwrap();
    let got = store.get(Kind::Post, "x", "i\u{0}d'").unwrap().unwrap();
    assert_eq!(got.record, p.record, "the record as given");
    assert_eq!(store.count(Kind::Post).unwrap(), 1);
    let mut n = 0;
    store
        .for_each_text(&[Kind::Post], |r| {
            assert!(r.norm.contains("drop table records"));
            n += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 1);
}

fn sentence_vectors_are_cached_per_model_and_kept(db: &TestDb) {
    let store = db.open();
    let (a, b, c) = ([1u8; 16], [2u8; 16], [3u8; 16]);
    let (va, vb) = (vec![0.5f32, -1.25, 3.0], vec![7.0f32, 0.0, -0.125]);
    store
        .cache_vectors("use-m3", &[(a, &va[..]), (b, &vb[..])])
        .unwrap();
    // A digest already cached keeps its first vector.
    store
        .cache_vectors("use-m3", &[(a, &[9.0f32, 9.0, 9.0][..])])
        .unwrap();
    let got = store.cached_vectors("use-m3", 3, &[a, b, c]).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[&a], va);
    assert_eq!(got[&b], vb);
    // Another model, or another dimension, sees nothing.
    assert!(store.cached_vectors("other", 3, &[a]).unwrap().is_empty());
    assert!(store.cached_vectors("use-m3", 4, &[a]).unwrap().is_empty());
    assert_eq!(store.cached_vector_count("use-m3").unwrap(), 2);
    drop(store);
    assert_eq!(db.open().cached_vector_count("use-m3").unwrap(), 2);
}

fn posts_of_chosen_authors_come_in_time_order(db: &TestDb) {
    let mut store = db.open();
    let mut batch = store.batch().unwrap();
    for (id, author, at) in [
        ("1", "ann", "2024-06-03T10:00:00Z"),
        ("2", "bob", "2024-06-01T10:00:00Z"),
        ("3", "ann", "2024-06-02T10:00:00Z"),
        ("4", "o'hara", "2024-06-04T10:00:00Z"),
        ("5", "ann", "2024-06-01T09:00:00Z"),
    ] {
        batch.insert(&post(id, author, at, "text")).unwrap();
    }
    batch.commit().unwrap();
    let mut seen = Vec::new();
    store
        .for_each_json_of_authors(Kind::Post, &["ann", "o'hara", "nobody"], |row| {
            seen.push((
                row.author.unwrap_or("").to_owned(),
                row.lang.map(str::to_owned),
            ));
            Ok(())
        })
        .unwrap();
    let authors: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(authors, ["ann", "ann", "ann", "o'hara"]);
    assert!(seen.iter().all(|s| s.1.as_deref() == Some("en")));
    assert_eq!(
        store.authors_with_at_least(Kind::Post, 2).unwrap(),
        [("x".to_owned(), "ann".to_owned())]
    );
    assert_eq!(store.authors_with_at_least(Kind::Post, 1).unwrap().len(), 3);
}

fn posts_of_a_time_window_come_in_order(db: &TestDb) {
    let mut store = db.open();
    let mut batch = store.batch().unwrap();
    for (id, at) in [
        ("late", "2024-06-03T10:00:00Z"),
        ("edge", "2024-06-02T10:00:00Z"),
        ("in", "2024-06-02T09:59:59Z"),
        ("first", "2024-06-01T10:00:00Z"),
        ("before", "2024-06-01T09:59:59.999Z"),
    ] {
        batch.insert(&post(id, "ann", at, "text")).unwrap();
    }
    batch.commit().unwrap();
    let ms = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .timestamp_millis()
    };
    let window = |from: &str, to: &str| {
        let mut seen = Vec::new();
        store
            .for_each_json_between(Kind::Post, ms(from), ms(to), |row| {
                let record: serde_json::Value = serde_json::from_str(row.record).unwrap();
                seen.push(record["id"].as_str().unwrap().to_owned());
                Ok(())
            })
            .unwrap();
        seen
    };
    // The start is in the window, the end is not.
    assert_eq!(
        window("2024-06-01T10:00:00Z", "2024-06-02T10:00:00Z"),
        ["first", "in"]
    );
    assert_eq!(
        window("2024-06-01T00:00:00Z", "2024-06-04T00:00:00Z"),
        ["before", "first", "in", "edge", "late"]
    );
    assert!(window("2024-06-05T00:00:00Z", "2024-06-06T00:00:00Z").is_empty());
    assert!(window("2024-06-03T00:00:00Z", "2024-06-01T00:00:00Z").is_empty());
}

/// During a bulk write the log is copied back into the database file by the thread beside the
/// writer (whose own checkpoints are off), and every record stays readable.
#[test]
fn the_log_is_copied_back_beside_a_bulk_write() {
    let db = TestDb::sqlite();
    let mut store = db.open();
    let beside = store
        .checkpoints_beside()
        .unwrap()
        .expect("an SQLite file checkpoints beside its writer");
    let text = "a long enough post to fill pages quickly, ".repeat(20);
    let mut n = 0;
    for _ in 0..10 {
        let mut batch = store.batch().unwrap();
        for _ in 0..1_000 {
            n += 1;
            let p = post(&format!("p{n}"), "a", "2024-06-01T10:00:00Z", &text);
            batch.insert(&p).unwrap();
        }
        batch.commit().unwrap();
    }
    // The thread runs every 200 ms: give it a few rounds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while beside.frames_checkpointed() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(beside.frames_checkpointed() > 0, "no frame copied back");
    // The writer is still open, so nothing else checkpointed: the pages are in the main file.
    let main_file = std::fs::metadata(&db.location).unwrap().len();
    assert!(main_file > 4_000_000, "main file only {main_file} bytes");
    store.end_checkpoints_beside(beside).unwrap();
    // The writer checkpoints by itself again, and everything is readable from a second store.
    let mut batch = store.batch().unwrap();
    batch
        .insert(&post("last", "a", "2024-06-01T11:00:00Z", "the last one"))
        .unwrap();
    batch.commit().unwrap();
    let other = db.open();
    assert_eq!(ids(&other, Kind::Post).len(), n + 1);
}
