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
