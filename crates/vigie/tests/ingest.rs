//! Ingest end to end through the library: idempotence, quarantine, resume after a killed run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vigie::ingest::{ingest, IngestOptions};
use vigie_core::{Config, Kind};
use vigie_sources::expand_inputs;
use vigie_store::Store;

fn post_line(i: usize) -> String {
    format!(
        r#"{{"kind":"post","id":"p{i}","platform":"x","author":"acct{}","created_at":"2024-06-0{}T{:02}:{:02}:00Z","text":"Message number {i} about the vote #EU2024 https://example.org/a?utm_source=x&n={i}"}}"#,
        i % 97,
        1 + i % 9,
        i % 24,
        i % 60
    )
}

/// `n` posts with a bad line every `bad_every` lines; returns the path and how many bad lines.
fn write_jsonl(dir: &Path, name: &str, n: usize, bad_every: usize) -> (PathBuf, usize) {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut bad = 0;
    for i in 0..n {
        if bad_every > 0 && i % bad_every == bad_every - 1 {
            bad += 1;
            match bad % 3 {
                0 => writeln!(f, "{{\"kind\":\"post\",\"id\":\"broken{i}\"").unwrap(),
                1 => writeln!(f, r#"{{"kind":"post","id":"old{i}","platform":"x","author":"a","created_at":"1789-07-14T00:00:00Z","text":"t"}}"#).unwrap(),
                _ => f.write_all(b"{\"kind\":\"post\",\"text\":\"\xff\"}\n").unwrap(),
            }
        } else {
            writeln!(f, "{}", post_line(i)).unwrap();
        }
    }
    (path, bad)
}

#[test]
fn reingest_stores_each_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, bad) = write_jsonl(dir.path(), "a.jsonl", 3_000, 100);
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let cfg = Config::default();
    let inputs = expand_inputs(std::slice::from_ref(&path)).unwrap();
    let first = ingest(&mut store, &inputs, &cfg, &IngestOptions::default()).unwrap();
    assert_eq!(first.total(|i| i.new), (3_000 - bad) as u64);
    assert_eq!(first.total(|i| i.rejected), bad as u64);
    // Unchanged file: skipped outright.
    let second = ingest(&mut store, &inputs, &cfg, &IngestOptions::default()).unwrap();
    assert!(second.inputs[0].skipped.is_some());
    // The same records under another name: read again, all duplicates.
    let copy = dir.path().join("copy.jsonl");
    std::fs::copy(&path, &copy).unwrap();
    let third = ingest(
        &mut store,
        &expand_inputs(&[copy]).unwrap(),
        &cfg,
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(third.total(|i| i.new), 0);
    assert_eq!(third.total(|i| i.duplicates), (3_000 - bad) as u64);
    assert_eq!(store.count(Kind::Post).unwrap(), (3_000 - bad) as u64);
    let stats = store.stats().unwrap();
    assert_eq!(
        stats.quarantined,
        2 * bad as u64,
        "each run quarantines what it read"
    );
    // A record refused for its content keeps its original bytes in the quarantine.
    let original = std::fs::read(&path).unwrap();
    let mut absurd = Vec::new();
    store
        .pending_quarantine(|q| {
            if q.reason.starts_with("absurd timestamp") {
                absurd.push((q.line, q.raw));
            }
        })
        .unwrap();
    assert!(!absurd.is_empty());
    for (line, raw) in absurd {
        let expected = original
            .split(|&b| b == b'\n')
            .nth(line as usize - 1)
            .unwrap();
        assert_eq!(raw, expected);
    }
}

#[test]
fn normalised_fields_are_stored_for_detectors() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_jsonl(dir.path(), "a.jsonl", 10, 0);
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    ingest(
        &mut store,
        &expand_inputs(&[path]).unwrap(),
        &Config::default(),
        &IngestOptions::default(),
    )
    .unwrap();
    let rec = store
        .get(Kind::Post, "x", "p3")
        .unwrap()
        .expect("p3 stored");
    let vigie_core::Record::Post(p) = &rec.record else {
        panic!("not a post")
    };
    assert_eq!(p.hashtags, vec!["eu2024"]);
    assert_eq!(rec.derived.urls, vec!["https://example.org/a?n=3"]);
    assert_eq!(rec.derived.domains, vec!["example.org"]);
    assert!(
        rec.derived
            .text
            .starts_with("message number 3 about the vote"),
        "{}",
        rec.derived.text
    );
}

#[test]
fn killed_scan_resumes_to_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let n = 150_000;
    let (path, bad) = write_jsonl(dir.path(), "big.jsonl", n, 1_000);
    let db = dir.path().join("kill.db");
    let vigie = env!("CARGO_BIN_EXE_vigie");
    let args = |extra: &[&str]| {
        let mut c = Command::new(vigie);
        c.current_dir(dir.path())
            .args([
                "scan",
                path.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
                "--alerts",
                "-",
                "--commit-records",
                "2000",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let mut child = args(&[]).spawn().unwrap();
    // Kill hard once some batches are committed but before the end.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut killed_at = None;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        let committed = Store::open(&db)
            .ok()
            .and_then(|s| s.count(Kind::Post).ok())
            .unwrap_or(0);
        if committed > 10_000 {
            child.kill().unwrap();
            killed_at = Some(committed);
            break;
        }
    }
    let _ = child.wait();
    let killed_at =
        killed_at.expect("the scan finished before it could be killed: make the input larger");
    let partial = Store::open(&db).unwrap().count(Kind::Post).unwrap();
    assert!(
        partial >= killed_at && partial < (n - bad) as u64,
        "partial {partial}"
    );
    let status = args(&[]).status().unwrap();
    assert!(status.success());
    let store = Store::open(&db).unwrap();
    assert_eq!(store.count(Kind::Post).unwrap(), (n - bad) as u64);
    let stats = store.stats().unwrap();
    assert_eq!(
        stats.quarantined, bad as u64,
        "every bad line quarantined exactly once"
    );
    // The quarantine file mirrors the table: one line per rejection, with file, line and reason.
    let q = std::fs::read_to_string(format!("{}.quarantine.jsonl", db.display())).unwrap();
    let lines: Vec<serde_json::Value> = q
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), bad);
    let mut line_numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    line_numbers.sort_unstable();
    line_numbers.dedup();
    assert_eq!(line_numbers.len(), bad);
    assert!(lines
        .iter()
        .all(|l| l["input"].as_str().unwrap().ends_with("big.jsonl")));
}

#[test]
fn image_files_are_hashed_at_ingest_and_bad_ones_quarantined() {
    use vigie_generate::images::{jpeg, picture, png};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::create_dir(dir.path().join("img")).unwrap();
    std::fs::write(dir.path().join("img/a.jpg"), jpeg(&picture(1), 90)).unwrap();
    std::fs::write(dir.path().join("img/big.png"), png(&image_of(2000, 1000))).unwrap();
    let lines = [
        r#"{"kind":"media","id":"m1","sha256":"aa","path":"../img/a.jpg"}"#,
        r#"{"kind":"media","id":"m2","sha256":"bb","path":"https://example.org/x.jpg"}"#,
        r#"{"kind":"media","id":"m3","sha256":"cc","path":"../img/big.png"}"#,
        r#"{"kind":"post","id":"p1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":"see","media":[{"sha256":"aa","path":"../img/a.jpg"}]}"#,
        r#"{"kind":"media","id":"m4","sha256":"dd","path":"../img/absent.jpg"}"#,
    ];
    let input = data.join("media.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let mut cfg = Config::default();
    cfg.input.max_media_pixels = 1_000_000;
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let inputs = expand_inputs(&[input]).unwrap();
    let summary = ingest(&mut store, &inputs, &cfg, &IngestOptions::default()).unwrap();
    assert_eq!(summary.total(|i| i.new), 2);
    assert_eq!(summary.total(|i| i.rejected), 3);
    let mut hashes = Vec::new();
    store
        .for_each(Kind::Media, |r| {
            if let vigie_core::Record::Media(m) = r.record {
                hashes.push((m.id, m.phash));
            }
            Ok(())
        })
        .unwrap();
    store
        .for_each(Kind::Post, |r| {
            if let vigie_core::Record::Post(p) = r.record {
                hashes.push((p.id, p.media[0].phash.clone()));
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(hashes.len(), 2);
    assert!(hashes[0].1.as_ref().is_some_and(|h| h.len() == 16));
    assert_eq!(hashes[0].1, hashes[1].1, "same file, same hash");
    let mut reasons = Vec::new();
    store
        .pending_quarantine(|q| reasons.push((q.line, q.reason)))
        .unwrap();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert_eq!(reasons[0].0, 2);
    assert!(reasons[0].1.contains("https://example.org/x.jpg") && reasons[0].1.contains("URL"));
    assert!(reasons[1].1.contains("../img/big.png") && reasons[1].1.contains("max_media_pixels"));
    assert!(reasons[2].1.contains("../img/absent.jpg"));
}

#[test]
fn avatars_are_hashed_from_their_files_at_ingest_and_bad_ones_quarantined() {
    use vigie_generate::images::{jpeg, picture};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::create_dir(dir.path().join("avatars")).unwrap();
    std::fs::write(dir.path().join("avatars/a.jpg"), jpeg(&picture(5), 90)).unwrap();
    std::fs::write(dir.path().join("avatars/a70.jpg"), jpeg(&picture(5), 70)).unwrap();
    std::fs::write(dir.path().join("avatars/bad.jpg"), b"GIF89a not a jpeg").unwrap();
    let absolute = dir.path().join("avatars/a70.jpg");
    let account = |id: &str, path: &str| {
        format!(
            r#"{{"kind":"account","id":"{id}","platform":"x","handle":"{id}","avatar_path":"{path}"}}"#
        )
    };
    let lines = [
        account("a1", "../avatars/a.jpg"),
        account("a2", &absolute.to_string_lossy()),
        account("a3", "../avatars/bad.jpg"),
        account("a4", "https://pbs.example.org/a.jpg"),
    ];
    let input = data.join("accounts.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let inputs = expand_inputs(&[input]).unwrap();
    let summary = ingest(
        &mut store,
        &inputs,
        &Config::default(),
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(summary.total(|i| i.new), 2);
    assert_eq!(summary.total(|i| i.rejected), 2);
    let mut avatars = Vec::new();
    store
        .for_each(Kind::Account, |r| {
            if let vigie_core::Record::Account(a) = r.record {
                avatars.push((a.id, a.avatar_phash, a.avatar_path));
            }
            Ok(())
        })
        .unwrap();
    avatars.sort();
    assert_eq!(avatars.len(), 2);
    let hash = |i: usize| u64::from_str_radix(avatars[i].1.as_deref().unwrap(), 16).unwrap();
    // The same picture saved at another quality: a few bits apart.
    assert!((hash(0) ^ hash(1)).count_ones() <= 6, "{avatars:?}");
    assert_eq!(
        avatars[0].2.as_deref(),
        Some("../avatars/a.jpg"),
        "the path is kept"
    );
    let mut reasons = Vec::new();
    store
        .pending_quarantine(|q| reasons.push(q.reason))
        .unwrap();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("../avatars/bad.jpg"), "{reasons:?}");
    assert!(reasons[1].contains("https://pbs.example.org/a.jpg") && reasons[1].contains("URL"));
}

fn image_of(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 0])
    })
}
