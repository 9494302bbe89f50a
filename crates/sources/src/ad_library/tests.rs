use super::*;
use crate::test_support::{events, rejections, run, sample};
use vigie_core::config::InputConfig;

fn ads(events: &[Event]) -> Vec<(u64, &Ad)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Record {
                line,
                record: Record::Ad(a),
            } => Some((*line, a)),
            _ => None,
        })
        .collect()
}

const PAGE: &str = r#"{
  "data": [
    {
      "id": "1001",
      "ad_archive_id": "1001",
      "page_id": "42",
      "page_name": "Infos Vraies",
      "bylines": "",
      "ad_delivery_start_time": "2024-05-20",
      "ad_delivery_stop_time": "2024-05-24",
      "ad_creative_bodies": ["Votez contre Bruxelles", "le 9 juin"],
      "ad_creative_link_urls": ["https://lemonde.ltd/a"],
      "spend": {"lower_bound": "100", "upper_bound": "199"},
      "impressions": {"lower_bound": "1000", "upper_bound": "4999"},
      "currency": "EUR",
      "target_ages": ["55", "64"],
      "target_gender": "Women",
      "target_locations": [{"name": "Corrèze", "type": "regions", "excluded": false},
                           {"name": "Paris", "type": "cities", "excluded": true}],
      "beneficiary_payers": [{"payer": "Structura LLC", "beneficiary": "Infos Vraies"}]
    },
    {
      "ad_archive_id": "1002",
      "page_id": "42",
      "ad_delivery_start_time": "not a date"
    },
    {
      "ad_archive_id": "1003",
      "page_name": "No page id",
      "ad_delivery_start_time": "2024-05-21"
    },
    {"ad_archive_id": 1004, "page_id": 42, "page_name": "Infos Vraies",
     "ad_delivery_start_time": "2024-05-22T10:00:00+0000", "bylines": "Payé par Infos Vraies"}
  ],
  "paging": {"cursors": {"after": "xyz"}, "next": "https://graph.facebook.com/..."}
}
"#;

#[test]
fn api_pages_map_every_field_and_reject_bad_ads_with_their_line() {
    let limits = InputConfig::default();
    let ev = events(read_meta, "page.json", PAGE.as_bytes(), &limits);
    let got = ads(&ev);
    assert_eq!(got.len(), 2, "{ev:?}");
    let (line, a) = got[0];
    assert_eq!(line, 3);
    assert_eq!(a.id, "1001");
    assert_eq!(a.page_id, "42");
    assert_eq!(a.text, "Votez contre Bruxelles\nle 9 juin");
    assert_eq!(a.disclaimer, None, "an empty byline is no disclaimer");
    assert_eq!(a.payer.as_deref(), Some("Structura LLC"));
    assert_eq!((a.spend_min, a.spend_max), (Some(100.0), Some(199.0)));
    assert_eq!(
        (a.impressions_min, a.impressions_max),
        (Some(1000), Some(4999))
    );
    assert_eq!(a.target_ages.as_deref(), Some("55-64"));
    assert_eq!(a.target_genders, vec!["female"]);
    assert_eq!(a.extra["target_regions"], serde_json::json!(["Corrèze"]));
    assert_eq!(a.url.as_deref(), Some("https://lemonde.ltd/a"));
    assert_eq!(a.extra["political"], true);
    let (line, b) = got[1];
    assert_eq!(line, 32);
    assert_eq!((b.id.as_str(), b.page_id.as_str()), ("1004", "42"));
    assert_eq!(b.disclaimer.as_deref(), Some("Payé par Infos Vraies"));
    let rej = rejections(&ev);
    assert_eq!(rej.len(), 2, "{rej:?}");
    assert_eq!(rej[0].0, 22);
    assert!(rej[0].1.contains("ad_delivery_start_time"), "{rej:?}");
    assert_eq!(rej[1].0, 27);
    assert!(rej[1].1.contains("page_id"), "{rej:?}");
}

#[test]
fn ads_one_per_line_and_concatenated_pages_are_read() {
    let limits = InputConfig::default();
    let text = "{\"ad_archive_id\":\"1\",\"page_id\":\"9\",\"ad_delivery_start_time\":\"2024-05-01\"}\n\
                {\"ad_archive_id\":\"2\",\"page_id\":\"9\",\"ad_delivery_start_time\":\"2024-05-02\"}\n\
                {\"data\":[{\"ad_archive_id\":\"3\",\"page_id\":\"9\",\"ad_delivery_start_time\":\"2024-05-03\"}]}\n";
    let ev = events(read_meta, "lines.json", text.as_bytes(), &limits);
    let ids: Vec<(u64, &str)> = ads(&ev).iter().map(|(l, a)| (*l, a.id.as_str())).collect();
    assert_eq!(ids, vec![(1, "1"), (2, "2"), (3, "3")]);
}

#[test]
fn hostile_pages_cost_one_ad_or_end_with_the_line() {
    let limits = InputConfig {
        max_record_bytes: 200,
        ..InputConfig::default()
    };
    let big = format!(
        "{{\"data\":[{{\"ad_archive_id\":\"1\",\"page_id\":\"9\",\"ad_delivery_start_time\":\"2024-05-01\",\"ad_creative_body\":\"{}\"}},\n{{\"ad_archive_id\":\"2\",\"page_id\":\"9\",\"ad_delivery_start_time\":\"2024-05-01\"}}]}}",
        "x".repeat(500)
    );
    let ev = events(read_meta, "big.json", big.as_bytes(), &limits);
    assert_eq!(ads(&ev).len(), 1);
    assert!(rejections(&ev)[0].1.contains("limit"));
    let deep = format!("[{}1{}]", "[".repeat(100), "]".repeat(100));
    let ev = events(
        read_meta,
        "deep.json",
        deep.as_bytes(),
        &InputConfig::default(),
    );
    assert!(rejections(&ev)[0].1.contains("nested"), "{ev:?}");
    let (_, end) = run(
        read_meta,
        "cut.json",
        b"{\"data\":[{\"ad_archive_id\":\n\"1\"",
        &InputConfig::default(),
    );
    let err = end.unwrap_err().to_string();
    assert!(err.contains("cut.json:1"), "{err}");
    assert!(
        run(read_meta, "junk.json", b"hello", &InputConfig::default())
            .1
            .is_err()
    );
}

#[test]
fn the_real_2019_response_sample_is_read() {
    let Some(bytes) = sample("meta_ad_library_2019_sample.json") else {
        return;
    };
    assert_eq!(
        crate::sniff(
            &bytes[..bytes.len().min(crate::detect::SNIFF_BYTES)],
            &InputConfig::default()
        ),
        Ok(crate::Format::MetaAds)
    );
    let ev = events(read_meta, "meta.json", &bytes, &InputConfig::default());
    assert!(rejections(&ev).is_empty(), "{:?}", rejections(&ev));
    let got = ads(&ev);
    assert_eq!(got.len(), 6);
    let (_, epp) = got[0];
    assert_eq!(epp.id, "408322803338923");
    assert_eq!(epp.page_name, "EPP - European People's Party");
    assert_eq!(
        epp.disclaimer.as_deref(),
        Some("EPP - European People's Party")
    );
    assert_eq!(epp.currency.as_deref(), Some("EUR"));
    assert!(epp.text.contains("#EP2019"));
    assert!(epp.extra.contains_key("region_distribution"));
}

const GOOGLE: &str = "\u{feff}Ad_ID,Ad_URL,Ad_Type,Regions,Advertiser_ID,Advertiser_Name,Ad_Campaigns_List,Date_Range_Start,Date_Range_End,Num_of_Days,Impressions,Spend_USD,First_Served_Timestamp,Last_Served_Timestamp,Age_Targeting,Gender_Targeting,Geo_Targeting_Included,Geo_Targeting_Excluded,Spend_Range_Min_USD,Spend_Range_Max_USD,Spend_Range_Min_EUR,Spend_Range_Max_EUR
CR1,https://adstransparency.google.com/x,Video,FR,AR1,Comité Citoyen,C1,2024-05-20,2024-05-25,6,10k-100k,,2024-05-20 08:00:00 UTC,,\"55-64, 65+\",Female,Corrèze,,100,1000,90,900
CR2,https://adstransparency.google.com/y,Text,\"FR,EU\",AR2,Parti du Renouveau,C2,2024-05-01,2024-05-30,30,≤ 10k,,,,Not targeted,Not targeted,France,,0,100,0,90
CR3,https://adstransparency.google.com/z,Text,FR,AR3,Bad Row,C3,2024-05-01,2024-05-30,30,lots,,,,,,,,0,100,,
CR4,https://adstransparency.google.com/z,Text,FR,AR4,No Date,C4,,,,> 10M,,,,,,,,,,,
";

#[test]
fn google_creative_stats_rows_map_and_bad_rows_are_rejected_by_line() {
    let limits = InputConfig::default();
    let ev = events(read_google, "google.csv", GOOGLE.as_bytes(), &limits);
    let got = ads(&ev);
    assert_eq!(got.len(), 2, "{ev:?}");
    let (line, a) = got[0];
    assert_eq!(line, 2);
    assert_eq!((a.id.as_str(), a.page_id.as_str()), ("CR1", "AR1"));
    assert_eq!(a.platform, "google");
    assert_eq!(a.disclaimer.as_deref(), Some("Comité Citoyen"));
    assert_eq!(
        (a.spend_min, a.spend_max, a.currency.as_deref()),
        (Some(90.0), Some(900.0), Some("EUR"))
    );
    assert_eq!(
        (a.impressions_min, a.impressions_max),
        (Some(10_000), Some(100_000))
    );
    assert_eq!(a.target_ages.as_deref(), Some("55-65"));
    assert_eq!(a.target_genders, vec!["female"]);
    assert_eq!(a.target_countries, vec!["FR"]);
    assert_eq!(a.started_at.to_rfc3339(), "2024-05-20T08:00:00+00:00");
    let (_, b) = got[1];
    assert_eq!(
        (b.impressions_min, b.impressions_max),
        (Some(0), Some(10_000))
    );
    assert_eq!(b.target_ages, None);
    assert!(b.target_genders.is_empty());
    assert_eq!(b.target_countries, vec!["FR"]);
    let rej = rejections(&ev);
    assert_eq!(rej.len(), 2, "{rej:?}");
    assert_eq!(rej[0].0, 4);
    assert!(rej[0].1.contains("Impressions"), "{rej:?}");
    assert_eq!(rej[1].0, 5);
    assert!(rej[1].1.contains("date_range_start"), "{rej:?}");
}
