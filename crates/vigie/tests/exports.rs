//! Exports read by their real consumers: the `stix2` library validates the STIX bundle, networkx
//! reads the GEXF graph and finds the same nodes and edges; CSV, case reports and purge.
//! Tests needing Python skip with a message when the modules are absent (`.ci/run` installs them).

mod support;

use std::path::Path;
use std::process::Command;
use support::*;

fn vigie(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vigie {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const STIX_CHECK: &str = r#"
import json, sys, stix2
data = json.load(open(sys.argv[1]))
bundle = stix2.parse(data, allow_custom=False)
types = {}
for o in bundle.objects:
    types[o.type] = types.get(o.type, 0) + 1
# Every reference resolves inside the bundle.
ids = {o.id for o in bundle.objects}
for o in bundle.objects:
    for key in ("object_refs", "object_marking_refs"):
        for r in o.get(key, []):
            assert r in ids, (o.id, key, r)
    for key in ("source_ref", "target_ref", "created_by_ref"):
        if key in o:
            assert o[key] in ids, (o.id, key)
disarm = sorted(r.external_id for o in bundle.objects if o.type == "attack-pattern"
                for r in o.external_references if r.source_name == "DISARM")
print(json.dumps({"types": types, "disarm": disarm}))
"#;

#[test]
fn stix_bundle_is_deterministic_and_valid_for_stix2() {
    let f = fixture(2_000);
    let dir = f.dir.path();
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    vigie(&["export", "stix", "--db", s(&f.db), "--out", s(&a)]);
    vigie(&[
        "export",
        "stix",
        "--db",
        s(&f.db),
        "--out",
        s(&b),
        "--tlp",
        "amber",
    ]);
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(
        text,
        std::fs::read_to_string(&b).unwrap(),
        "same store, same bundle"
    );
    let bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    let reports = objects.iter().filter(|o| o["type"] == "report").count();
    let incidents =
        vigie_surface::incidents::load(&vigie_store::Store::open(&f.db).unwrap()).unwrap();
    assert_eq!(reports, incidents.len(), "one report per incident");
    let Some(python) = python_with("stix2") else {
        eprintln!("SKIP stix2 validation: no Python with the stix2 module (run .ci/run, or pip install stix2)");
        return;
    };
    let check = dir.join("check.py");
    std::fs::write(&check, STIX_CHECK).unwrap();
    let out = Command::new(python).arg(&check).arg(&a).output().unwrap();
    assert!(
        out.status.success(),
        "stix2 rejected the bundle: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for t in [
        "identity",
        "marking-definition",
        "campaign",
        "report",
        "attack-pattern",
        "indicator",
        "domain-name",
        "user-account",
        "observed-data",
        "note",
        "relationship",
    ] {
        assert!(
            seen["types"][t].as_u64().unwrap_or(0) > 0,
            "bundle has {t}: {seen}"
        );
    }
    let mut expected: Vec<String> = incidents.iter().flat_map(|i| i.disarm.clone()).collect();
    expected.sort();
    expected.dedup();
    let got: Vec<String> = serde_json::from_value(seen["disarm"].clone()).unwrap();
    assert_eq!(got, expected, "one attack-pattern per DISARM technique");
}

const GEXF_CHECK: &str = r#"
import json, sys, networkx as nx
g = nx.read_gexf(sys.argv[1])
edges = sorted([u, v] for u, v, *_ in g.edges(keys=True)) if g.is_multigraph() else sorted([u, v] for u, v in g.edges())
kinds = {n: d.get("kind") for n, d in g.nodes(data=True)}
print(json.dumps({"nodes": sorted(g.nodes()), "edges": edges, "kinds": kinds}))
"#;

#[test]
fn gexf_is_read_by_networkx_with_the_same_nodes_and_edges() {
    let f = fixture(2_000);
    let dir = f.dir.path();
    let path = dir.join("g.gexf");
    vigie(&[
        "export",
        "gexf",
        "--items",
        "--db",
        s(&f.db),
        "--out",
        s(&path),
    ]);
    let alerts = vigie_store::Store::open(&f.db).unwrap().alerts().unwrap();
    let graph = vigie_surface::graph::evidence_graph(
        &alerts,
        vigie_surface::graph::EvidenceGraphOptions {
            items: true,
            ..Default::default()
        },
    );
    assert!(
        graph.edges.iter().any(|e| e.kind == "relays"),
        "relay sites and origins"
    );
    assert!(graph.edges.iter().any(|e| e.kind == "co_alert"));
    let Some(python) = python_with("networkx") else {
        eprintln!(
            "SKIP GEXF check: no Python with networkx (run .ci/run, or pip install networkx)"
        );
        return;
    };
    let check = dir.join("check.py");
    std::fs::write(&check, GEXF_CHECK).unwrap();
    let out = Command::new(python)
        .arg(&check)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "networkx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut nodes: Vec<String> = graph.nodes.iter().map(|n| n.id.clone()).collect();
    nodes.sort();
    assert_eq!(seen["nodes"], serde_json::json!(nodes));
    let mut edges: Vec<[String; 2]> = graph
        .edges
        .iter()
        .map(|e| [e.source.clone(), e.target.clone()])
        .collect();
    edges.sort();
    assert_eq!(seen["edges"], serde_json::json!(edges));
    assert_eq!(seen["kinds"]["account:=evil2"], "account");
}

#[test]
fn csv_neutralises_formulas_and_lists_every_alert_and_incident() {
    let f = fixture(1_000);
    let dir = f.dir.path();
    let store = vigie_store::Store::open(&f.db).unwrap();
    let alerts = store.alerts().unwrap();
    let incidents = vigie_surface::incidents::load(&store).unwrap();
    let path = dir.join("a.csv");
    vigie(&["export", "csv", "--db", s(&f.db), "--out", s(&path)]);
    let mut r = csv::Reader::from_path(&path).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), alerts.len());
    let hostile = rows
        .iter()
        .find(|row| row[col("detector")] == *"copypasta" && row[col("accounts")].contains("evil2"))
        .unwrap();
    assert!(
        hostile[col("accounts")].starts_with("'="),
        "{:?}",
        &hostile[col("accounts")]
    );
    assert!(hostile[col("incident")].starts_with("inc-"));
    let out = vigie(&["export", "csv", "--table", "incidents", "--db", s(&f.db)]);
    let mut r = csv::Reader::from_reader(&out.stdout[..]);
    assert_eq!(r.records().count(), incidents.len());
}

#[test]
fn case_report_is_self_contained_and_follows_the_four_criteria() {
    let f = fixture(1_000);
    let dir = f.dir.path();
    let alerts = vigie_store::Store::open(&f.db).unwrap().alerts().unwrap();
    let hostile = alerts
        .iter()
        .find(|a| a.evidence.accounts.iter().any(|x| x == "=evil2"))
        .unwrap();
    let incidents =
        vigie_surface::incidents::load(&vigie_store::Store::open(&f.db).unwrap()).unwrap();
    let inc = incidents
        .iter()
        .find(|i| i.alerts.contains(&hostile.id))
        .unwrap();
    let out = dir.join("case.html");
    vigie(&["report", &inc.id, "--db", s(&f.db), "--out", s(&out)]);
    let html = std::fs::read_to_string(&out).unwrap();
    for c in [
        "Harm to the fundamental interests",
        "Involvement of a foreign actor",
        "Manifestly inaccurate or misleading",
        "Artificial or automated",
    ] {
        assert!(html.contains(c), "{c}");
    }
    assert!(html.contains("<svg"), "charts inline");
    assert!(html.contains("&lt;script&gt;window.__pwned=1"));
    assert!(!html.contains("<script"), "no script at all");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no external resource"
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args([
            "report",
            "inc-nope",
            "--db",
            s(&f.db),
            "--out",
            s(&dir.join("x.html")),
        ])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("inc-nope"));
}

#[test]
fn purge_deletes_what_is_older_than_the_retention_age() {
    let f = fixture(1_000);
    let cut = chrono::DateTime::parse_from_rfc3339("2024-06-03T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let days = (chrono::Utc::now() - cut).num_days();
    let before = vigie_store::Store::open(&f.db)
        .unwrap()
        .count(vigie_core::Kind::Post)
        .unwrap();
    vigie(&[
        "purge",
        "--db",
        s(&f.db),
        "--older-than",
        &format!("{days}d"),
    ]);
    let store = vigie_store::Store::open(&f.db).unwrap();
    let after = store.count(vigie_core::Kind::Post).unwrap();
    assert!(after > 0 && after < before, "{before} -> {after}");
    let cutoff = chrono::Utc::now() - chrono::TimeDelta::days(days);
    store
        .for_each(vigie_core::Kind::Post, |r| {
            assert!(
                r.record.timestamp().unwrap() >= cutoff,
                "{} survived",
                r.record.id()
            );
            Ok(())
        })
        .unwrap();
    for a in store.alerts().unwrap() {
        assert!(a.last_seen >= cutoff, "alert {} survived", a.id);
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["purge", "--db", s(&f.db), "--older-than", "6parsecs"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert_eq!(
        vigie::analyst::parse_age("6months").unwrap(),
        chrono::TimeDelta::days(183)
    );
    assert!(vigie::analyst::parse_age("99999999999999999999d").is_err());
    assert!(vigie::analyst::parse_age("0d").is_err());
}

#[test]
fn demo_prepares_a_store_and_serve_refuses_open_binds_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = vigie(&["demo", "--dir", s(&demo), "--posts", "1000", "--no-serve"]);
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(summary.contains("grouped into"), "{summary}");
    assert!(summary.contains("inc-"), "{summary}");
    let db = demo.join("vigie.db");
    let store = vigie_store::Store::open(&db).unwrap();
    assert!(!vigie_surface::incidents::load(&store).unwrap().is_empty());
    drop(store);
    let open = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["serve", "--db", s(&db), "--addr", "0.0.0.0:0"])
        .env_remove("VIGIE_TOKEN")
        .output()
        .unwrap();
    assert!(!open.status.success());
    assert!(String::from_utf8_lossy(&open.stderr).contains("token"));
    let missing = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["serve", "--db", s(&dir.path().join("none.db"))])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such store"));
}
