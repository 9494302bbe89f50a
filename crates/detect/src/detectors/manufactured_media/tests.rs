use super::*;
use vigie_core::config::InputConfig;
use vigie_core::Config;
use vigie_normalise::Normaliser;
use vigie_store::Store;

fn store_with(records: &[serde_json::Value]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let normaliser = Normaliser::new(&InputConfig::default());
    let mut batch = store.batch().unwrap();
    for v in records {
        let record: Record = serde_json::from_value(v.clone()).unwrap();
        batch
            .insert(&normaliser.normalise(record).unwrap())
            .unwrap();
    }
    batch.commit().unwrap();
    store
}

fn run(records: &[serde_json::Value]) -> Vec<Alert> {
    let store = store_with(records);
    let config = Config::default();
    build(&config)
        .unwrap()
        .run(&Context::new(&config, &store))
        .unwrap()
        .into_iter()
        .map(Alert::finalise)
        .collect()
}

/// xorshift64*: a fixed pseudo-random stream without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// `h` with `k` distinct bits flipped.
    fn flip(&mut self, h: u64, k: u32) -> u64 {
        let mut out = h;
        while (out ^ h).count_ones() < k {
            out ^= 1 << (self.next() % 64);
        }
        out
    }
}

#[test]
fn the_index_finds_exactly_what_brute_force_finds() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut index = PhashIndex::new(10);
    let mut all = Vec::new();
    for i in 0..2000 {
        // Half random, half near earlier ones, so that both outcomes occur.
        let h = if i % 2 == 1 {
            let base = all[(rng.next() % all.len() as u64) as usize];
            let k = (rng.next() % 14) as u32;
            rng.flip(base, k)
        } else {
            rng.next()
        };
        index.add(h);
        all.push(h);
    }
    let mut found_pairs = 0;
    for (i, &h) in all.iter().enumerate().step_by(7) {
        let brute: Vec<(u32, u32)> = all
            .iter()
            .enumerate()
            .filter_map(|(j, &g)| {
                let d = (g ^ h).count_ones();
                (d <= 10).then_some((j as u32, d))
            })
            .collect();
        let got = index.near(h);
        assert_eq!(got, brute, "hash {i}");
        found_pairs += got.len();
    }
    assert!(found_pairs > 300, "{found_pairs}");
}

#[test]
fn hashes_are_read_leniently_and_refused_when_not_64_bit_hex() {
    assert_eq!(parse_phash("ff00ff00ff00ff00"), Some(0xff00_ff00_ff00_ff00));
    assert_eq!(parse_phash("0xFF00"), Some(0xff00));
    assert_eq!(parse_phash("ff:00:ff:00"), Some(0xff00_ff00));
    assert_eq!(parse_phash("zz"), None);
    assert_eq!(parse_phash("ff00ff00ff00ff00ff"), None);
    assert_eq!(parse_phash(""), None);
}

fn media(
    id: &str,
    sha: &str,
    phash: u64,
    authentic: bool,
    owner: Option<&str>,
) -> serde_json::Value {
    let mut v = serde_json::json!({"kind": "media", "id": id, "sha256": sha,
        "phash": format!("{phash:016x}")});
    if authentic {
        v["authentic"] = serde_json::json!(true);
    }
    if let Some(o) = owner {
        v["owner"] = serde_json::json!(o);
    }
    v
}

#[test]
fn altered_copies_are_flagged_identical_files_and_strangers_are_not() {
    let mut rng = Rng(7);
    let press = rng.next();
    let other = rng.next();
    let records = vec![
        media("press-1", "aa", press, true, Some("Claire Fontaine")),
        media("landscape", "bb", other, true, None),
        media("cropped", "c1", rng.flip(press, 8), false, None),
        media("recompressed", "c2", rng.flip(press, 2), false, None),
        // The press photo itself, re-shared: not an alteration.
        media("reshared", "aa", press, false, None),
        media("stranger", "dd", rng.flip(press, 24), false, None),
        serde_json::json!({"kind": "post", "id": "p1", "platform": "x", "author": "acc1",
            "created_at": "2024-06-01T10:00:00Z", "text": "regardez",
            "media": [{"sha256": "c3", "phash": format!("{:016x}", rng.flip(press, 5))}]}),
        serde_json::json!({"kind": "post", "id": "p2", "platform": "x", "author": "acc2",
            "created_at": "2024-06-01T11:00:00Z", "text": "paysage",
            "media": [{"sha256": "b2", "phash": format!("{:016x}", rng.flip(other, 3))}]}),
    ];
    let alerts = run(&records);
    let altered: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.evidence.figures["signal"] == ALTERED_COPY)
        .collect();
    assert_eq!(altered.len(), 2, "{alerts:#?}");
    let person = altered
        .iter()
        .find(|a| a.evidence.figures["original"] == "press-1")
        .unwrap();
    assert_eq!(person.evidence.items, vec!["cropped", "p1", "recompressed"]);
    assert_eq!(person.evidence.accounts, vec!["acc1"]);
    assert_eq!(person.evidence.imitates, vec!["Claire Fontaine"]);
    assert_eq!(person.modus_operandi, ModusOperandi::Deepfake);
    assert_eq!(person.evidence.figures["hamming_distances"]["cropped"], 8);
    assert_eq!(person.evidence.figures["closest_distance"], 2);
    let plain = altered
        .iter()
        .find(|a| a.evidence.figures["original"] == "landscape")
        .unwrap();
    assert_eq!(plain.evidence.items, vec!["p2"]);
    assert_eq!(plain.modus_operandi, ModusOperandi::ManufacturedContent);
}

#[test]
fn many_accounts_sharing_one_avatar_are_grouped() {
    let mut rng = Rng(11);
    let avatar = rng.next();
    let small = rng.next();
    let mut records = Vec::new();
    for i in 0..6 {
        records.push(serde_json::json!({"kind": "account", "id": format!("a{i}"), "platform": "x",
            "handle": format!("h{i}"), "avatar_phash": format!("{:016x}", rng.flip(avatar, (i % 3) as u32))}));
    }
    for i in 0..3 {
        records.push(
            serde_json::json!({"kind": "account", "id": format!("s{i}"), "platform": "x",
            "handle": format!("s{i}"), "avatar_phash": format!("{small:016x}")}),
        );
    }
    for i in 0..20 {
        records.push(
            serde_json::json!({"kind": "account", "id": format!("o{i}"), "platform": "x",
            "handle": format!("o{i}"), "avatar_phash": format!("{:016x}", rng.next())}),
        );
    }
    records.push(
        serde_json::json!({"kind": "account", "id": "blank1", "platform": "x",
        "handle": "b1", "avatar_phash": "0000000000000000"}),
    );
    let alerts = run(&records);
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(
        alerts[0].evidence.accounts,
        vec!["a0", "a1", "a2", "a3", "a4", "a5"]
    );
    assert_eq!(alerts[0].evidence.figures["group_size"], 6);
    assert_eq!(alerts[0].disarm, vec!["T0145.001"]);
}

#[test]
fn a_post_attaching_a_file_by_digest_takes_the_hash_of_its_media_record() {
    let original = 0x0123_4567_89ab_cdefu64;
    let copy = original ^ 0b1011; // three bits off
    let alerts = run(&[
        serde_json::json!({"kind": "media", "id": "orig", "sha256": "aa", "phash": format!("{original:016x}"), "authentic": true}),
        serde_json::json!({"kind": "media", "id": "edited", "sha256": "BB", "phash": format!("{copy:016x}")}),
        serde_json::json!({"kind": "post", "id": "p1", "platform": "x", "author": "u1",
            "created_at": "2024-06-01T10:00:00Z", "text": "look", "media": [{"sha256": "bb"}]}),
        serde_json::json!({"kind": "post", "id": "p2", "platform": "x", "author": "u2",
            "created_at": "2024-06-01T11:00:00Z", "text": "same photo", "media": [{"sha256": "aa"}]}),
    ]);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].evidence.items, vec!["edited", "p1"]);
    assert_eq!(alerts[0].evidence.accounts, vec!["u1"]);
    assert_eq!(alerts[0].evidence.figures["hamming_distances"]["p1"], 3);
}

/// C2PA signals from the facts ingest stores in `c2pa` (as `vigie-media` writes them).
mod credentials {
    use super::*;
    use serde_json::{json, Value};

    const PROTECTED: &str = r#"
[[protected]]
kind = "media"
name = "Le Monde"
domains = ["lemonde.fr"]
aliases = ["Le Monde"]

[[protected]]
kind = "candidate"
name = "Claire Fontaine"
aliases = ["Claire Fontaine"]
"#;
    const OUTLET_CERT: &str = "6c1f0000000000000000000000000000000000000000000000000000000000aa";
    const ROGUE_CERT: &str = "9d2e0000000000000000000000000000000000000000000000000000000000bb";

    fn facts(state: &str, org: Option<&str>, cert: Option<&str>, source: Option<&str>) -> Value {
        let mut v = json!({"state": state, "trusted": false});
        if state == "invalid" {
            v["failures"] = json!(["assertion.dataHash.mismatch"]);
        }
        if let Some(o) = org {
            v["signer_org"] = json!(o);
            v["signer"] = json!(format!("{o} photo desk"));
            v["actions"] = json!(["c2pa.created"]);
        }
        if let Some(c) = cert {
            v["cert_sha256"] = json!(c);
        }
        if let Some(s) = source {
            v["source_types"] = json!([s]);
        }
        v
    }

    fn media(id: &str, sha: &str, c2pa: Value, claim: &[(&str, &str)]) -> Value {
        let mut v = json!({"kind": "media", "id": id, "sha256": sha, "c2pa": c2pa});
        for (k, val) in claim {
            v[*k] = json!(val);
        }
        v
    }

    fn run_with(extra_config: &str, records: &[Value]) -> Vec<Alert> {
        let store = store_with(records);
        let config = Config::from_toml(&format!("{PROTECTED}\n{extra_config}"), "t").unwrap();
        let mut alerts: Vec<Alert> = build(&config)
            .unwrap()
            .run(&Context::new(&config, &store))
            .unwrap()
            .into_iter()
            .map(Alert::finalise)
            .collect();
        alerts.sort_by(|a, b| a.id.cmp(&b.id));
        // Two signals on one picture are two alerts: their ids must differ (the store keeps one
        // alert per id).
        let ids: BTreeSet<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), alerts.len(), "{alerts:#?}");
        alerts
    }

    fn signal(a: &Alert) -> &str {
        a.evidence.figures["signal"].as_str().unwrap()
    }

    fn of<'a>(alerts: &'a [Alert], s: &str) -> Vec<&'a Alert> {
        alerts.iter().filter(|a| signal(a) == s).collect()
    }

    /// The outlet's own signed photo, a copy stripped of credentials, one re-signed by a
    /// look-alike certificate, and one whose pixels changed after signing.
    fn outlet_records() -> Vec<Value> {
        vec![
            media(
                "genuine",
                "a1",
                facts(
                    "valid",
                    Some("Le Monde"),
                    Some(OUTLET_CERT),
                    Some("digitalCapture"),
                ),
                &[("credit", "Photo: Le Monde")],
            ),
            media(
                "stripped",
                "b2",
                facts("none", None, None, None),
                &[("owner", "Le Monde")],
            ),
            media(
                "resigned",
                "c3",
                facts("valid", Some("Le Monde"), Some(ROGUE_CERT), None),
                &[("source", "https://www.lemonde.fr/photo/123")],
            ),
            media(
                "tampered",
                "d4",
                facts("invalid", Some("Le Monde"), Some(OUTLET_CERT), None),
                &[("publisher", "LE MONDE")],
            ),
            // Not attributed to anyone: no manifest is expected of it.
            media(
                "unrelated",
                "e5",
                facts("none", None, None, None),
                &[("caption", "Le Mondeville beach")],
            ),
            json!({"kind": "post", "id": "p1", "platform": "x", "author": "acc1",
                   "created_at": "2024-06-01T10:00:00Z", "text": "Regardez",
                   "media": [{"sha256": "B2"}]}),
        ]
    }

    #[test]
    fn outlet_claims_without_its_credentials_fire_and_its_own_signed_photo_stays_silent() {
        let by_fingerprint = format!(
            "[detectors.manufactured_media.credentials.signers]\n\"Le Monde\" = [\"{}\"]",
            OUTLET_CERT.to_uppercase()
        );
        let alerts = run_with(&by_fingerprint, &outlet_records());
        let outlet = of(&alerts, "outlet_without_credentials");
        let reasons: BTreeMap<&str, &str> = outlet
            .iter()
            .map(|a| {
                // Media ids sort after the ids of posts attaching them.
                (
                    a.evidence.items.last().unwrap().as_str(),
                    a.evidence.figures["reason"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            reasons,
            BTreeMap::from([
                ("resigned", "other_signer"),
                ("stripped", "no_manifest"),
                ("tampered", "invalid_manifest"),
            ])
        );
        for a in &outlet {
            assert_eq!(a.evidence.imitates, ["Le Monde"]);
            assert_eq!(a.disarm, ["T0097.202", "T0143.003"]);
            assert_eq!(a.modus_operandi, ModusOperandi::MediaImpersonation);
            assert_eq!(a.evidence.figures["signer_check"], "fingerprint");
        }
        // The post attaching the stripped copy by digest is evidence of it.
        let find = |id: &str| {
            *outlet
                .iter()
                .find(|a| a.evidence.items.iter().any(|i| i == id))
                .unwrap()
        };
        let stripped = find("stripped");
        assert_eq!(stripped.evidence.items, ["p1", "stripped"]);
        assert_eq!(stripped.evidence.accounts, ["acc1"]);
        assert!(stripped.score < find("tampered").score);
        // Without fingerprints the look-alike certificate passes on its name: said in evidence.
        let by_name = run_with("", &outlet_records());
        let by_name = of(&by_name, "outlet_without_credentials");
        assert_eq!(by_name.len(), 2);
        assert!(by_name
            .iter()
            .all(|a| a.evidence.figures["signer_check"] == "name"));
        assert!(!by_name
            .iter()
            .any(|a| a.evidence.items.contains(&"genuine".to_string())));
    }

    #[test]
    fn a_manifest_failing_validation_is_reported_with_its_codes() {
        let alerts = run_with("", &outlet_records());
        let tampered = of(&alerts, "tampered_credentials");
        assert_eq!(tampered.len(), 1);
        let a = tampered[0];
        assert_eq!(a.evidence.items, ["tampered"]);
        assert_eq!(
            a.evidence.figures["c2pa_failures"],
            json!(["assertion.dataHash.mismatch"])
        );
        assert_eq!(a.disarm, ["T0086.003"]);
        assert!(
            a.summary.contains("assertion.dataHash.mismatch"),
            "{}",
            a.summary
        );
        // Claiming the outlet raises the score over a tampered picture that claims nobody.
        let anonymous = run_with(
            "",
            &[media("x", "f6", facts("invalid", None, None, None), &[])],
        );
        let anonymous = of(&anonymous, "tampered_credentials");
        assert_eq!(anonymous.len(), 1);
        assert!(anonymous[0].score < a.score);
    }

    #[test]
    fn ai_generated_pictures_of_a_candidate_or_as_news_fire_and_others_do_not() {
        let ai = |id: &str, sha: &str| {
            media(
                id,
                sha,
                facts(
                    "valid",
                    Some("Some Generator"),
                    None,
                    Some("trainedAlgorithmicMedia"),
                ),
                &[],
            )
        };
        let mut records = vec![
            // Presented as the candidate's photo by its owner field.
            {
                let mut v = ai("portrait", "11");
                v["owner"] = json!("Claire Fontaine");
                v
            },
            // Posted with the candidate's name in the text.
            ai("posted", "22"),
            // AI art nobody presents as anyone.
            ai("art", "33"),
            // A camera photo of the candidate: not AI.
            media(
                "camera",
                "44",
                facts("valid", Some("Agency"), None, Some("digitalCapture")),
                &[("owner", "Claire Fontaine")],
            ),
        ];
        records.push(
            json!({"kind": "post", "id": "p9", "platform": "x", "author": "acc9",
            "created_at": "2024-06-02T10:00:00Z", "text": "Claire FONTAINE caught on camera!",
            "media": [{"sha256": "22"}]}),
        );
        records.push(
            json!({"kind": "post", "id": "p10", "platform": "x", "author": "acc9",
            "created_at": "2024-06-02T11:00:00Z", "text": "nice picture",
            "media": [{"sha256": "33"}]}),
        );
        let alerts = run_with("", &records);
        let ai_alerts = of(&alerts, "ai_generated_person");
        let items: BTreeSet<&str> = ai_alerts
            .iter()
            .flat_map(|a| a.evidence.items.iter().map(String::as_str))
            .collect();
        assert_eq!(items, BTreeSet::from(["p9", "portrait", "posted"]));
        for a in &ai_alerts {
            assert_eq!(a.evidence.imitates, ["Claire Fontaine"]);
            assert_eq!(a.modus_operandi, ModusOperandi::Deepfake);
            assert_eq!(a.disarm, ["T0086.002"]);
        }
        // Nothing else fires on valid pictures that claim no outlet.
        assert_eq!(alerts.len(), ai_alerts.len(), "{alerts:#?}");
        // An AI picture credited to the outlet is presented as news.
        let news = run_with(
            "",
            &[{
                let mut v = ai("fake_news", "55");
                v["credit"] = json!("Le Monde");
                v
            }],
        );
        assert_eq!(of(&news, "ai_generated_person").len(), 1);
        assert_eq!(of(&news, "outlet_without_credentials").len(), 1);
    }

    #[test]
    fn credentials_given_as_a_readers_json_count_and_alerts_are_stable() {
        let reader_json = json!({
            "active_manifest": "urn:1",
            "manifests": {"urn:1": {"signature_info": {"issuer": "Elsewhere Ltd"},
                "assertions": []}},
            "validation_state": "Valid"
        });
        let records = [media("m", "aa", reader_json, &[("owner", "Le Monde")])];
        let a = run_with("", &records);
        let b = run_with("", &records);
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].evidence.figures["reason"], "other_signer");
        assert!(a[0].summary.contains("Elsewhere Ltd"));
        // A record without credentials examined says nothing about them.
        let silent = run_with(
            "",
            &[json!({"kind": "media", "id": "n", "sha256": "bb", "owner": "Le Monde"})],
        );
        assert!(silent.is_empty(), "{silent:?}");
    }
}

#[test]
fn cropped_copies_are_found_through_the_original_window_hashes() {
    let mut rng = Rng(23);
    let press = rng.next();
    let windows: Vec<u64> = (0..25).map(|_| rng.next()).collect();
    let mut original = media("press-1", "aa", press, true, Some("Claire Fontaine"));
    original["phash_windows"] = serde_json::json!(windows
        .iter()
        .map(|w| format!("{w:016x}"))
        .collect::<Vec<_>>());
    let records = vec![
        original,
        // A heavy crop: far from the full frame, 6 bits from one window.
        media("crop-20", "c1", rng.flip(windows[17], 6), false, None),
        // A light crop still matched on the full frame.
        media("crop-5", "c2", rng.flip(press, 5), false, None),
        // 10 bits from a window: beyond `max_window_distance` (8).
        media("stranger", "c3", rng.flip(windows[3], 10), false, None),
        // A window's hash re-posted without a digest is still a crop, not a re-share.
        serde_json::json!({"kind": "post", "id": "p1", "platform": "x", "author": "acc1",
            "created_at": "2024-06-01T10:00:00Z", "text": "regardez",
            "media": [{"phash": format!("{:016x}", windows[0])}]}),
    ];
    let alerts = run(&records);
    let altered: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.evidence.figures["signal"] == ALTERED_COPY)
        .collect();
    assert_eq!(altered.len(), 1, "{alerts:#?}");
    let a = altered[0];
    assert_eq!(a.evidence.items, vec!["crop-20", "crop-5", "p1"]);
    assert_eq!(a.evidence.figures["hamming_distances"]["crop-20"], 6);
    assert_eq!(a.evidence.figures["hamming_distances"]["crop-5"], 5);
    assert_eq!(
        a.evidence.figures["cropped_items"],
        serde_json::json!(["crop-20", "p1"])
    );
    // Without window hashes (an original given by hash alone) only the full frame matches.
    let mut bare = records.clone();
    bare[0] = media("press-1", "aa", press, true, Some("Claire Fontaine"));
    let alerts = run(&bare);
    let items: Vec<&String> = alerts
        .iter()
        .filter(|a| a.evidence.figures["signal"] == ALTERED_COPY)
        .flat_map(|a| &a.evidence.items)
        .collect();
    assert_eq!(items, vec!["crop-5"]);
}
