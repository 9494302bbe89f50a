//! Tests of [`Normaliser`] on whole records, written as native JSONL lines.

use super::*;

fn norm() -> Normaliser {
    Normaliser::new(&InputConfig::default())
}

fn record(line: &str) -> Record {
    match serde_json::from_str(line) {
        Ok(r) => r,
        Err(e) => panic!("bad test record {line}: {e}"),
    }
}

fn ok(line: &str) -> Normalised {
    match norm().normalise(record(line)) {
        Ok(n) => n,
        Err(e) => panic!("rejected {line}: {e}"),
    }
}

fn rejected(line: &str) -> String {
    let input = record(line);
    match norm().normalise(input.clone()) {
        Ok(n) => panic!("accepted {line}: {n:?}"),
        Err(e) => {
            // The quarantine gets the record exactly as it came in.
            assert_eq!(e.record(), Some(&input));
            assert_eq!(e.to_string(), e.reason.to_string());
            e.to_string()
        }
    }
}

#[test]
fn post_entities_derived_from_text() {
    let n = ok(
        r#"{"kind":"post","id":"1","platform":" X ","author":"a1","created_at":"2024-06-01T10:00:00Z",
        "text":"RT @Some_User: Fraude massive aux #Élections2024 ! https://www.Lemonde.FR/a?utm_source=x&id=3#frag et https://t.co/AbC… écrivez à contact@parti.fr"}"#,
    );
    let Record::Post(p) = &n.record else {
        panic!("not a post")
    };
    assert_eq!(p.platform, "x");
    assert_eq!(p.hashtags, vec!["élections2024"]);
    assert_eq!(p.mentions, vec!["some_user"]);
    assert_eq!(
        p.urls,
        vec![
            "https://www.Lemonde.FR/a?utm_source=x&id=3#frag",
            "https://t.co/AbC"
        ]
    );
    assert_eq!(
        n.derived.urls,
        vec!["https://t.co/AbC", "https://www.lemonde.fr/a?id=3"]
    );
    assert_eq!(n.derived.domains, vec!["lemonde.fr", "t.co"]);
    assert!(n
        .derived
        .text
        .starts_with("rt @some_user: fraude massive aux #élections2024 !"));
    assert_eq!(p.lang.as_deref(), Some("fr"));
    assert!(n.derived.lang_detected);
}

#[test]
fn post_declared_fields_are_kept_but_normalised() {
    let n = ok(
        r##"{"kind":"post","id":"1","platform":"twitter","author":"a1","created_at":"2017-09-07T19:52:00Z",
        "text":"whatever #ignored @ignored https://ignored.example","lang":"English",
        "hashtags":["#MAGA","maga","Élection"],"mentions":["@Foo","2572896396"],"urls":["http://ru-open.livejournal.com/374284.html"]}"##,
    );
    let Record::Post(p) = &n.record else {
        panic!("not a post")
    };
    assert_eq!(p.hashtags, vec!["maga", "élection"]);
    assert_eq!(p.mentions, vec!["foo", "2572896396"]);
    assert_eq!(p.urls, vec!["http://ru-open.livejournal.com/374284.html"]);
    assert_eq!(p.lang.as_deref(), Some("en"));
    assert!(!n.derived.lang_detected);
    assert_eq!(
        n.derived.urls,
        vec!["http://ru-open.livejournal.com/374284.html"]
    );
    assert_eq!(n.derived.domains, vec!["livejournal.com"]);
}

#[test]
fn undetermined_declared_lang_falls_back_to_detection() {
    let n = ok(
        r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z",
        "text":"Die Wahllokale öffnen am Sonntag um acht Uhr im ganzen Land.","lang":"und"}"#,
    );
    assert_eq!(n.record.lang(), Some("de"));
    assert!(n.derived.lang_detected);

    let n = ok(
        r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":"ok 👍"}"#,
    );
    assert_eq!(n.record.lang(), None);
    assert!(!n.derived.lang_detected);
}

#[test]
fn lang_detection_can_be_switched_off() {
    let n = norm().with_lang_detection(false);
    let r = record(
        r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z",
        "text":"Die Wahllokale öffnen am Sonntag um acht Uhr im ganzen Land."}"#,
    );
    let out = n.normalise(r).map_err(|e| e.to_string());
    assert_eq!(out.as_ref().map(|o| o.record.lang()), Ok(None));
    assert_eq!(out.map(|o| o.derived.lang_detected), Ok(false));
}

#[test]
fn empty_required_fields_are_rejected() {
    assert_eq!(
        rejected(
            r#"{"kind":"post","id":"1","platform":"x","author":"  ","created_at":"2024-06-01T10:00:00Z","text":"t"}"#
        ),
        "empty required field `author`"
    );
    assert_eq!(
        rejected(r#"{"kind":"account","id":"1","platform":"","handle":"h"}"#),
        "empty required field `platform`"
    );
    // Platform "X" would be lower-cased, but the record is handed back untouched.
    let bio = "a".repeat(2 << 20);
    let line =
        format!(r#"{{"kind":"account","id":"1","platform":"X","handle":"h","bio":"{bio}"}}"#);
    assert_eq!(
        rejected(&line),
        format!("field `bio` too long ({} bytes > {})", 2 << 20, 1 << 20)
    );
    assert_eq!(
        rejected(
            r#"{"kind":"ad","id":"1","platform":"meta","page_id":"","page_name":"p","started_at":"2024-06-01T10:00:00Z","text":"t"}"#
        ),
        "empty required field `page_id`"
    );
    assert_eq!(
        rejected(r#"{"kind":"media","id":"m1","sha256":""}"#),
        "empty required field `sha256`"
    );
    assert_eq!(
        rejected(r#"{"kind":"domain","domain":" "}"#),
        "empty required field `domain`"
    );
}

#[test]
fn absurd_timestamps_are_rejected() {
    assert_eq!(
        rejected(
            r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"1870-01-01T00:00:00Z","text":"t"}"#
        ),
        "absurd timestamp created_at=1870-01-01T00:00:00Z (before 1990)"
    );
    let future = (Utc::now() + TimeDelta::days(3)).to_rfc3339();
    let line = format!(
        r#"{{"kind":"ad","id":"1","platform":"meta","page_id":"p","page_name":"n","started_at":"2024-01-01T00:00:00Z","ended_at":"{future}","text":"t"}}"#
    );
    let msg = rejected(&line);
    assert!(msg.starts_with("absurd timestamp ended_at="), "{msg}");
    assert!(msg.ends_with("(more than 2 days in the future)"), "{msg}");
    // Inside the window: accepted.
    let soon = (Utc::now() + TimeDelta::days(1)).to_rfc3339();
    ok(&format!(
        r#"{{"kind":"account","id":"1","platform":"x","handle":"h","created_at":"{soon}"}}"#
    ));
    ok(
        r#"{"kind":"account","id":"1","platform":"x","handle":"h","created_at":"1990-01-01T00:00:00Z"}"#,
    );
}

#[test]
fn configured_limits_apply() {
    let cfg = InputConfig {
        min_year: 2010,
        max_record_bytes: 10,
        ..InputConfig::default()
    };
    let n = Normaliser::new(&cfg);
    let r = record(
        r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2009-12-31T23:59:59Z","text":"t"}"#,
    );
    assert_eq!(
        n.normalise(r).map(|_| ()).unwrap_err().to_string(),
        "absurd timestamp created_at=2009-12-31T23:59:59Z (before 2010)"
    );
    let r = record(
        r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2020-01-01T00:00:00Z","text":"eleven chars"}"#,
    );
    assert_eq!(
        n.normalise(r).map(|_| ()).unwrap_err().to_string(),
        "field `text` too long (12 bytes > 10)"
    );
}

#[test]
fn article_site_and_urls() {
    let n = ok(
        r#"{"kind":"article","url":"https://www.Lemonde.fr/politique/article.html?xtor=RSS-3208#x","site":"https://WWW.LeMonde.fr/",
        "published_at":"2024-06-01T10:00:00Z","title":"Élections européennes","text":"Les bureaux de vote ouvriront dimanche à huit heures.",
        "source_url":"https://ria.ru/20240601/news.html?utm_medium=social"}"#,
    );
    let Record::Article(a) = &n.record else {
        panic!("not an article")
    };
    assert_eq!(a.site, "www.lemonde.fr");
    assert_eq!(a.lang.as_deref(), Some("fr"));
    assert!(n.derived.lang_detected);
    assert_eq!(
        n.derived.urls,
        vec![
            "https://ria.ru/20240601/news.html",
            "https://www.lemonde.fr/politique/article.html"
        ]
    );
    assert_eq!(n.derived.domains, vec!["lemonde.fr", "ria.ru"]);
    assert_eq!(
        n.derived.text,
        "élections européennes les bureaux de vote ouvriront dimanche à huit heures."
    );
}

#[test]
fn article_with_invalid_site_is_rejected() {
    let msg = rejected(
        r#"{"kind":"article","url":"https://a.example/x","site":"Le Monde","published_at":"2024-06-01T10:00:00Z","title":"t","text":"b"}"#,
    );
    assert_eq!(msg, r#"invalid domain in `site`: "Le Monde""#);
}

#[test]
fn domain_record_is_normalised() {
    let n = ok(
        r#"{"kind":"domain","domain":"*.Lemonde-Info.ltd.","nameservers":["NS1.Example.NET.","??"],
        "first_seen":"2024-05-30T08:00:00Z","title":"LE MONDE – Actualités"}"#,
    );
    let Record::Domain(d) = &n.record else {
        panic!("not a domain")
    };
    assert_eq!(d.domain, "lemonde-info.ltd");
    assert_eq!(d.nameservers, vec!["ns1.example.net", "??"]);
    assert_eq!(n.derived.domains, vec!["lemonde-info.ltd"]);
    assert_eq!(n.derived.text, "le monde – actualités");

    let n = ok(r#"{"kind":"domain","domain":"www.lemοnde.fr"}"#); // Greek omicron
    assert_eq!(n.record.id(), "www.xn--lemnde-k0e.fr");
    assert_eq!(n.derived.domains, vec!["xn--lemnde-k0e.fr"]);

    assert_eq!(
        rejected(r#"{"kind":"domain","domain":"not a domain"}"#),
        r#"invalid domain in `domain`: "not a domain""#
    );
}

#[test]
fn ad_account_media() {
    let n = ok(
        r#"{"kind":"ad","id":"9","platform":"Meta","page_id":"p1","page_name":"Page","started_at":"2024-05-01T00:00:00Z",
        "text":"VOTEZ   le 9 juin","url":"https://fb.me/x?fbclid=abc"}"#,
    );
    assert_eq!(n.record.platform(), "meta");
    assert_eq!(n.derived.text, "votez le 9 juin");
    assert_eq!(n.derived.urls, vec!["https://fb.me/x"]);
    assert_eq!(n.derived.domains, vec!["fb.me"]);

    let n = ok(
        r#"{"kind":"account","id":"42","platform":"Telegram","handle":"Chan","bio":"Новости  ДНР"}"#,
    );
    assert_eq!(n.record.platform(), "telegram");
    assert_eq!(n.derived.text, "новости днр");

    let n = ok(r#"{"kind":"media","id":"m1","sha256":" ABCDEF ","phash":"FF00"}"#);
    let Record::Media(m) = &n.record else {
        panic!("not media")
    };
    assert_eq!(
        (m.sha256.as_str(), m.phash.as_deref()),
        ("abcdef", Some("ff00"))
    );
}

#[test]
fn derived_serialises_compactly_without_the_text() {
    // The store keeps the folded text in its own column: the JSON must not repeat it.
    let d = Derived {
        text: "x".into(),
        domains: vec!["a.fr".into()],
        ..Derived::default()
    };
    assert_eq!(
        serde_json::to_string(&d).ok().as_deref(),
        Some(r#"{"domains":["a.fr"]}"#)
    );
    let back: Derived = serde_json::from_str(r#"{"domains":["a.fr"]}"#).unwrap_or_default();
    assert_eq!(back.domains, d.domains);
    assert!(back.text.is_empty());
}

#[test]
fn hostile_post_does_not_panic() {
    let text = format!(
        "{}#{}@{}https://{}…",
        "\u{301}".repeat(1000),
        "é".repeat(5000),
        "_".repeat(5000),
        "[".repeat(5000)
    );
    let p = Post {
        id: "1".into(),
        platform: "x".into(),
        author: "a".into(),
        created_at: Utc::now(),
        text,
        lang: Some("\u{0}".repeat(100)),
        urls: vec![
            "http://[".into(),
            "https://\u{FFFF}.com".into(),
            "www.".into(),
        ],
        hashtags: vec![],
        mentions: vec![],
        reply_to: None,
        repost_of: None,
        quote_of: None,
        media: vec![],
        metrics: None,
        extra: Default::default(),
    };
    let n = norm().normalise(Record::Post(p));
    assert!(n.is_ok());
}
