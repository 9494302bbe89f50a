//! The `vigie` binary end to end: init, generate, scan (files, folders, stdin), stats, exit codes,
//! determinism of the alerts file.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn vigie(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run vigie")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_writes_a_config_that_scan_accepts_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().unwrap();
    let out = vigie(dir.path(), &["init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("vigie.toml")).unwrap();
    assert!(vigie_core::Config::from_toml(&text, "vigie.toml").is_ok());
    let again = vigie(dir.path(), &["init"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(vigie(dir.path(), &["init", "--force"]).status.success());
}

#[test]
fn missing_input_is_fatal_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = vigie(dir.path(), &["scan", "nope.jsonl"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nope.jsonl"), "{}", stderr(&out));
}

#[test]
fn bad_config_is_fatal_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[detectors.copypasta]\nenabled = \"yes\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("in.jsonl"), "").unwrap();
    let out = vigie(dir.path(), &["scan", "in.jsonl", "--config", "bad.toml"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("detectors.copypasta.enabled"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stdin_is_an_input_and_rejections_do_not_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .current_dir(dir.path())
        .args(["scan", "-", "--alerts", "a.jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, r#"{{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":"hello"}}"#).unwrap();
        writeln!(stdin, "not json").unwrap();
        writeln!(
            stdin,
            r#"{{"kind":"account","id":"a","platform":"x","handle":"alice"}}"#
        )
        .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = vigie(dir.path(), &["stats", "--json"]);
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        stats["by_kind"],
        serde_json::json!([["post", 1], ["account", 1]])
    );
    assert_eq!(stats["quarantined"], 1);
    let q = std::fs::read_to_string(dir.path().join("vigie.db.quarantine.jsonl")).unwrap();
    let q: serde_json::Value = serde_json::from_str(q.trim()).unwrap();
    assert_eq!(
        (q["input"].as_str(), q["line"].as_u64(), q["raw"].as_str()),
        (Some("-"), Some(2), Some("not json"))
    );
    assert!(q["reason"].as_str().unwrap().starts_with("invalid JSON"));
}

const DETECTORS: [&str; 13] = [
    "copypasta",
    "relay_network",
    "coordination",
    "astroturf",
    "account_burst",
    "lookalike_domain",
    "cloned_site",
    "lookalike_account",
    "electoral_process",
    "political_ad",
    "doxxing",
    "incitement",
    "manufactured_media",
];
const MODI: [&str; 10] = [
    "content_laundering",
    "amplification",
    "media_impersonation",
    "electoral_process",
    "political_advertising",
    "astroturfing",
    "leaks_doxxing",
    "manufactured_content",
    "physical_incitement",
    "deepfake",
];

#[test]
fn generated_campaign_scans_to_deterministic_spec_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let gen = vigie(
        dir.path(),
        &["generate", "--seed", "5", "--posts", "4000", "--out", "s"],
    );
    assert!(gen.status.success(), "{}", stderr(&gen));
    let scan = |db: &str, alerts: &str| {
        let out = vigie(
            dir.path(),
            &[
                "scan",
                "s/data",
                "--config",
                "s/vigie.toml",
                "--db",
                db,
                "--alerts",
                alerts,
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read_to_string(dir.path().join(alerts)).unwrap()
    };
    let first = scan("one.db", "one.jsonl");
    let second = scan("two.db", "two.jsonl");
    assert_eq!(
        first, second,
        "same input and config must give the same alerts file"
    );

    // Every input id, to check that evidence points at real items.
    let mut ids = BTreeSet::new();
    for f in ["posts", "articles", "ads", "media"] {
        let text = std::fs::read_to_string(dir.path().join(format!("s/data/{f}.jsonl"))).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            ids.insert(v["id"].as_str().unwrap().to_owned());
        }
    }
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s/truth.json")).unwrap())
            .unwrap();
    let mut op_of: HashMap<String, String> = HashMap::new();
    for op in truth["operations"].as_array().unwrap() {
        for item in op["items"].as_array().unwrap() {
            op_of.insert(
                item.as_str().unwrap().to_owned(),
                op["id"].as_str().unwrap().to_owned(),
            );
        }
    }
    let alerts: Vec<serde_json::Value> = first
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        !alerts.is_empty(),
        "the injected copy-paste operations must be found"
    );
    let (mut in_ops, mut total) = (0usize, 0usize);
    for a in &alerts {
        assert!(DETECTORS.contains(&a["detector"].as_str().unwrap()));
        assert!(MODI.contains(&a["modus_operandi"].as_str().unwrap()));
        assert!(["low", "medium", "high", "critical"].contains(&a["severity"].as_str().unwrap()));
        let score = a["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(a["id"]
            .as_str()
            .unwrap()
            .starts_with(a["detector"].as_str().unwrap()));
        assert!(!a["summary"].as_str().unwrap().is_empty());
        assert!(a["first_seen"].as_str().unwrap() <= a["last_seen"].as_str().unwrap());
        for item in a["evidence"]["items"].as_array().unwrap() {
            let item = item.as_str().unwrap();
            assert!(
                ids.contains(item),
                "evidence item {item} is not an input id"
            );
            total += 1;
            in_ops += usize::from(op_of.contains_key(item));
        }
    }
    // Organic posts are word salad that rarely repeats: nearly all flagged copies are injected.
    let precision = in_ops as f64 / total as f64;
    assert!(
        precision >= 0.9,
        "item precision {precision:.2} ({in_ops}/{total})"
    );
    // Ordered by severity, then score.
    let rank = |s: &str| {
        ["critical", "high", "medium", "low"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    for w in alerts.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let (ra, rb) = (
            rank(a["severity"].as_str().unwrap()),
            rank(b["severity"].as_str().unwrap()),
        );
        assert!(ra < rb || (ra == rb && a["score"].as_f64() >= b["score"].as_f64()));
    }
}

#[test]
fn lookalike_answers_which_protected_domain_a_domain_imitates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[[protected]]\nkind = \"media\"\nname = \"Le Monde\"\ndomains = [\"lemonde.fr\"]\n",
    )
    .unwrap();
    let out = vigie(
        dir.path(),
        &[
            "lookalike",
            "--config",
            "c.toml",
            "--json",
            "lemonde.ltd",
            "https://www.lemonde.fr/x",
            "example.com",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["imitates"], "lemonde.fr");
    assert_eq!(lines[0]["techniques"], serde_json::json!(["suffix_swap"]));
    assert!(lines[1]["imitates"].is_null(), "the real site is owned");
    assert!(lines[2]["imitates"].is_null());
    // Nothing found: exit 1, like grep. Without protected domains the starter list answers.
    let none = vigie(
        dir.path(),
        &["lookalike", "--config", "c.toml", "example.com"],
    );
    assert_eq!(none.status.code(), Some(1));
    let starter = vigie(dir.path(), &["lookalike", "bild.eu.com"]);
    assert!(starter.status.success(), "{}", stderr(&starter));
    assert!(String::from_utf8_lossy(&starter.stdout).contains("bild.de"));
}

#[test]
fn permute_lists_lookalikes_forwards() {
    let dir = tempfile::tempdir().unwrap();
    let out = vigie(dir.path(), &["permute", "t-online.de", "--combine"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text
        .lines()
        .any(|l| l == "keyboard_replacement\tt-onlinr.today"));
    assert!(text.lines().any(|l| l == "suffix_swap\tt-online.eu.com"));
    assert!(!text.lines().any(|l| l.ends_with("\tt-online.de")));
    assert!(!vigie(dir.path(), &["permute", "nonsense"]).status.success());
}
