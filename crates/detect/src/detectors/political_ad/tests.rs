use super::*;
use vigie_core::config::InputConfig;
use vigie_core::Config;
use vigie_normalise::Normaliser;
use vigie_store::Store;

const CONFIG: &str = r#"
[[election]]
name = "European Parliament 2024 (France)"
country = "FR"
voting_days = ["2024-06-09"]

[[protected]]
kind = "media"
name = "Le Monde"
domains = ["lemonde.fr"]

[[protected]]
kind = "candidate"
name = "Claire Fontaine"
aliases = ["Parti du Renouveau"]

[[narrative]]
name = "sanctions ruin farmers"
keywords = ["sanctions", "agriculteurs", "ruinés"]

[detectors.political_ad]
sanctioned = ["Илья Гамбашидзе", "ООО «Структура»"]
"#;

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

fn ad(id: &str, page: &str, at: &str, text: &str) -> serde_json::Value {
    json!({"kind": "ad", "id": id, "platform": "meta", "page_id": page,
           "page_name": format!("Page {page}"), "started_at": at, "text": text})
}

fn with(mut v: serde_json::Value, fields: serde_json::Value) -> serde_json::Value {
    if let (Some(o), Some(f)) = (v.as_object_mut(), fields.as_object()) {
        for (k, x) in f {
            o.insert(k.clone(), x.clone());
        }
    }
    v
}

fn run(records: &[serde_json::Value]) -> Vec<Alert> {
    let store = store_with(records);
    let config = Config::from_toml(CONFIG, "t").unwrap();
    let alerts = build(&config)
        .unwrap()
        .run(&Context::new(&config, &store))
        .unwrap();
    alerts.into_iter().map(Alert::finalise).collect()
}

fn flagged(alerts: &[Alert], signal: &str) -> BTreeSet<String> {
    alerts
        .iter()
        .filter(|a| a.evidence.figures["signal"] == signal)
        .flat_map(|a| a.evidence.items.iter().cloned())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// A domestic party, labelled, active for months: the baseline nothing should flag.
fn domestic_party() -> Vec<serde_json::Value> {
    (0..12)
        .map(|i| {
            with(
                ad(
                    &format!("party{i}"),
                    "renouveau",
                    &format!("2024-{:02}-{:02}T10:00:00Z", 3 + i / 4, 1 + (i % 4) * 7),
                    "Le 9 juin, votez pour la liste du Parti du Renouveau et pour Claire Fontaine",
                ),
                json!({"payer": "Parti du Renouveau", "payer_country": "FR",
                       "disclaimer": "Payé par le Parti du Renouveau",
                       "target_countries": ["FR"], "spend_min": 100, "spend_max": 499}),
            )
        })
        .collect()
}

#[test]
fn foreign_payer_and_missing_disclaimer_flag_only_political_ads() {
    let mut records = domestic_party();
    records.push(with(
        ad(
            "ru1",
            "truth-fr",
            "2024-06-01T10:00:00Z",
            "Les élections européennes sont truquées, ne votez pas",
        ),
        json!({"payer": "Media Group", "payer_country": "RU", "target_countries": ["FR"]}),
    ));
    // A German shoe shop advertising in France is not interference.
    records.push(with(
        ad(
            "shoes",
            "schuh",
            "2024-06-01T10:00:00Z",
            "Nouvelles chaussures de printemps, livraison gratuite",
        ),
        json!({"payer": "Schuh GmbH", "payer_country": "DE", "target_countries": ["FR"]}),
    ));
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, FOREIGN_PAYER), set(&["ru1"]));
    assert_eq!(flagged(&alerts, NO_DISCLAIMER), set(&["ru1"]));
    let foreign = alerts
        .iter()
        .find(|a| a.evidence.figures["signal"] == FOREIGN_PAYER)
        .unwrap();
    assert_eq!(foreign.evidence.accounts, vec!["truth-fr"]);
    assert_eq!(foreign.evidence.figures["payer_countries"], json!(["RU"]));
    assert!(foreign.disarm.contains(&"T0114.001".to_owned()));
    assert!(foreign.score > 0.85, "{}", foreign.score);
}

#[test]
fn sanctioned_payers_match_across_scripts_and_word_order() {
    let mut records = domestic_party();
    records.push(with(
        ad("s1", "p1", "2024-06-02T10:00:00Z", "Information libre"),
        json!({"payer": "GAMBASHIDZE Ilia"}),
    ));
    records.push(with(
        ad("s2", "p2", "2024-06-02T11:00:00Z", "Information libre"),
        json!({"payer": "Structura LLC"}),
    ));
    records.push(with(
        ad("s3", "p3", "2024-06-02T12:00:00Z", "Information libre"),
        json!({"payer": "Ilia Petrov"}),
    ));
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, SANCTIONED_PAYER), set(&["s1", "s2"]));
}

#[test]
fn new_advertiser_needs_history_in_the_data() {
    let mut records = domestic_party();
    records.push(ad(
        "n1",
        "newpage",
        "2024-05-25T10:00:00Z",
        "Votez contre Bruxelles le 9 juin",
    ));
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, NEW_ADVERTISER), set(&["n1"]));
    // Without months of earlier ads, everyone looks new: nothing is said.
    let alone = run(&[ad(
        "n1",
        "newpage",
        "2024-05-25T10:00:00Z",
        "Votez contre Bruxelles le 9 juin",
    )]);
    assert!(flagged(&alone, NEW_ADVERTISER).is_empty());
}

#[test]
fn bursts_are_measured_against_the_page_own_rate() {
    let mut records = domestic_party();
    for i in 0..14 {
        records.push(with(
            ad(
                &format!("b{i}"),
                "burster",
                &format!("2024-06-05T{:02}:00:00Z", 6 + i),
                &format!("Le gouvernement vous ment, message {i}"),
            ),
            json!({"disclaimer": "Payé par Burster"}),
        ));
    }
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, BURST).len(), 14);
    assert!(flagged(&alerts, BURST).iter().all(|i| i.starts_with('b')));
}

#[test]
fn micro_targeting_needs_two_narrow_dimensions() {
    let mut records = domestic_party();
    records.push(with(
        ad(
            "m1",
            "micro",
            "2024-06-03T10:00:00Z",
            "Retraités, votez pour la souveraineté",
        ),
        json!({"target_ages": "65-70", "target_genders": ["female"], "disclaimer": "Micro"}),
    ));
    records.push(with(
        ad("m2", "micro", "2024-06-03T10:00:00Z", "Votez pour la souveraineté"),
        json!({"target_ages": "18-65", "target_genders": ["female", "male"], "disclaimer": "Micro"}),
    ));
    records.push(with(
        ad(
            "m3",
            "micro",
            "2024-06-03T10:00:00Z",
            "Votez pour la souveraineté en Corrèze",
        ),
        json!({"target_ages": "25-34", "target_regions": ["Corrèze"], "disclaimer": "Micro"}),
    ));
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, MICRO_TARGETING), set(&["m1", "m3"]));
}

#[test]
fn shared_creatives_domains_and_payers_across_undeclared_pages() {
    let text = "Les sanctions contre la Russie ruinent nos agriculteurs, l'Europe nous trahit";
    let mut records = domestic_party();
    for (i, page) in ["a", "b", "c"].iter().enumerate() {
        records.push(with(
            ad(&format!("net{i}"), page, "2024-06-04T10:00:00Z", text),
            json!({"payer": "Promo Services", "url": format!("https://info-{page}.example-news.net/x")}),
        ));
    }
    // A party's regional pages sharing creatives under one declared sponsor are not a hidden network.
    for (i, page) in ["r1", "r2", "r3"].iter().enumerate() {
        records.push(with(
            ad(
                &format!("reg{i}"),
                page,
                "2024-06-04T10:00:00Z",
                "Le 9 juin votez pour la liste du Parti du Renouveau dans votre région",
            ),
            json!({"payer": "Parti du Renouveau", "disclaimer": "Payé par le Parti du Renouveau",
                   "url": "https://renouveau.fr/"}),
        ));
    }
    let alerts = run(&records);
    let net = set(&["net0", "net1", "net2"]);
    assert_eq!(flagged(&alerts, SHARED_CREATIVE), net);
    assert_eq!(flagged(&alerts, SHARED_PAYER), net);
    assert_eq!(flagged(&alerts, SHARED_DOMAIN), net);
    assert_eq!(flagged(&alerts, NARRATIVE), net);
    let dom = alerts
        .iter()
        .find(|a| a.evidence.figures["signal"] == SHARED_DOMAIN)
        .unwrap();
    assert_eq!(
        dom.evidence.domains,
        vec![
            "info-a.example-news.net",
            "info-b.example-news.net",
            "info-c.example-news.net"
        ]
    );
    assert_eq!(dom.evidence.figures["pages"], 3);
}

#[test]
fn lookalike_links_name_the_imitated_outlet() {
    let mut records = domestic_party();
    records.push(with(
        ad("l1", "fake", "2024-06-04T10:00:00Z", "Lire l'enquête"),
        json!({"url": "https://lemonde.ltd/article"}),
    ));
    records.push(with(
        ad("l2", "fake", "2024-06-04T11:00:00Z", "Lire l'enquête"),
        json!({"url": "https://www.lemonde.fr/article"}),
    ));
    records.push(with(
        ad("l3", "fake", "2024-06-04T12:00:00Z", "Lire l'enquête"),
        json!({"url": "https://lemnode.fr/article"}),
    ));
    // Found by the shared impersonation index only: "rn" drawn as "m".
    records.push(with(
        ad("l4", "fake", "2024-06-04T13:00:00Z", "Lire l'enquête"),
        json!({"url": "https://lernonde.fr/article"}),
    ));
    // The same name under another country's suffix alone is too weak, as for
    // `lookalike_domain`.
    records.push(with(
        ad("l5", "fake", "2024-06-04T14:00:00Z", "Lire l'enquête"),
        json!({"url": "https://lemonde.be/article"}),
    ));
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, LOOKALIKE_LINK), set(&["l1", "l3", "l4"]));
    let a = alerts
        .iter()
        .find(|a| a.evidence.figures["signal"] == LOOKALIKE_LINK)
        .unwrap();
    assert_eq!(a.evidence.imitates, vec!["lemonde.fr"]);
    let how = &a.evidence.figures["lookalikes"];
    assert_eq!(how["lemonde.ltd"]["techniques"][0], "suffix_swap");
    assert_eq!(how["lernonde.fr"]["techniques"][0], "homoglyph");
    assert_eq!(how["lernonde.fr"]["entity"], "Le Monde");
}

#[test]
fn ads_copying_a_copy_paste_cluster_are_flagged() {
    let claim = "Les bureaux de vote fermeront exceptionnellement à 18h dimanche prochain partout en France";
    let mut records = domestic_party();
    for (i, who) in ["u1", "u2", "u3", "u4"].iter().enumerate() {
        records.push(
            json!({"kind": "post", "id": format!("p{i}"), "platform": "x", "author": who,
            "created_at": format!("2024-06-0{}T10:00:00Z", i + 1), "text": claim, "lang": "fr"}),
        );
    }
    records.push(ad(
        "c1",
        "copier",
        "2024-06-06T10:00:00Z",
        &format!("URGENT : {claim} !"),
    ));
    records.push(ad(
        "c2",
        "copier",
        "2024-06-06T10:00:00Z",
        "Les bureaux de vote ouvrent à 8h",
    ));
    let alerts = run(&records);
    assert_eq!(flagged(&alerts, COPY_CLUSTER), set(&["c1"]));
    let a = alerts
        .iter()
        .find(|a| a.evidence.figures["signal"] == COPY_CLUSTER)
        .unwrap();
    assert_eq!(a.evidence.figures["cluster_origin"], "p0");
}

#[test]
fn the_domestic_baseline_raises_nothing() {
    assert!(run(&domestic_party()).is_empty());
}

#[test]
fn age_ranges_and_disclaimers_are_read_leniently() {
    assert_eq!(age_span("25-34"), Some(9));
    assert_eq!(age_span("18–24"), Some(6));
    assert_eq!(age_span("65+"), Some(15));
    assert_eq!(age_span("all"), None);
    assert!(missing_disclaimer(Some(
        "These ads ran without a disclaimer"
    )));
    assert!(missing_disclaimer(Some("  ")));
    assert!(!missing_disclaimer(Some("Paid for by X")));
    assert!(contains_term("la cia paie", "cia"));
    assert!(!contains_term("une association sociale", "cia"));
    assert!(contains_term("le cheval de troie.", "cheval de troie"));
}
