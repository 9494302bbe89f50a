//! `vigie serve`'s API through a real socket: every endpoint, pagination, filters, the analyst's
//! writes, authentication beyond localhost, and bad parameters answered by a clear 4xx.

mod support;

use serde_json::Value;
use support::*;

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn alerts_list_pages_and_filters() {
    let f = fixture(2_000);
    let addr = serve(&f.db, "127.0.0.1:0", None);
    let stored = vigie_store::Store::open(&f.db).unwrap().alerts().unwrap();
    assert!(stored.len() > 10, "the fixture should give many alerts");

    let all = get(addr, "/api/alerts?per_page=500").json();
    assert_eq!(all["total"], stored.len());
    let all_ids = ids(&all);
    let expected: Vec<String> = stored.iter().map(|a| a.id.clone()).collect();
    assert_eq!(all_ids, expected, "store order, every alert");

    let p2 = get(addr, "/api/alerts?per_page=5&page=2").json();
    assert_eq!(ids(&p2), all_ids[5..10].to_vec());
    assert_eq!(p2["page"], 2);
    assert_eq!(p2["per_page"], 5);
    let beyond = get(addr, "/api/alerts?page=1000").json();
    assert_eq!(beyond["items"].as_array().unwrap().len(), 0);
    assert_eq!(beyond["total"], stored.len());

    let relay = get(addr, "/api/alerts?detector=relay_network&per_page=500").json();
    let n_relay = stored
        .iter()
        .filter(|a| a.detector == "relay_network")
        .count();
    assert!(n_relay > 0);
    assert_eq!(relay["total"], n_relay);
    for a in relay["items"].as_array().unwrap() {
        assert_eq!(a["detector"], "relay_network");
    }
    let both = get(addr, "/api/alerts?detector=relay_network,copypasta").json();
    let n_both = stored
        .iter()
        .filter(|a| a.detector == "relay_network" || a.detector == "copypasta")
        .count();
    assert!(n_both > n_relay);
    assert_eq!(both["total"], n_both);

    let high = get(addr, "/api/alerts?severity=high&per_page=500").json();
    let n_high = stored
        .iter()
        .filter(|a| a.severity.as_str() == "high")
        .count();
    assert_eq!(high["total"], n_high);
    let at_least = get(addr, "/api/alerts?min_severity=high").json();
    let n_at_least = stored
        .iter()
        .filter(|a| matches!(a.severity.as_str(), "high" | "critical"))
        .count();
    assert_eq!(at_least["total"], n_at_least);

    let q = get(addr, "/api/alerts?q=evil2&detector=copypasta").json();
    assert_eq!(q["total"], 1, "the hostile cluster is found by its account");
    let window = get(addr, "/api/alerts?from=2030-01-01").json();
    assert_eq!(window["total"], 0);

    let one = &stored[0];
    let got = get(addr, &format!("/api/alerts/{}", one.id)).json();
    assert_eq!(got["alert"]["id"], one.id.as_str());
    assert!(got["incident"].as_str().unwrap().starts_with("inc-"));
    assert_eq!(get(addr, "/api/alerts/nope").status, 404);
}

#[test]
fn bad_parameters_get_clear_4xx_never_5xx() {
    let f = fixture(1_000);
    let addr = serve(&f.db, "127.0.0.1:0", None);
    for (path, needle) in [
        ("/api/alerts?page=0", "page"),
        ("/api/alerts?page=-1", "page"),
        ("/api/alerts?per_page=501", "per_page"),
        ("/api/alerts?per_page=ten", "per_page"),
        ("/api/alerts?severity=bogus", "severity"),
        ("/api/alerts?min_severity=huge", "severity"),
        ("/api/alerts?from=yesterday", "from"),
        ("/api/alerts?colour=red", "colour"),
        ("/api/incidents?status=maybe", "status"),
        ("/api/incidents?per_page=0", "per_page"),
        ("/api/domains?lookalike=perhaps", "lookalike"),
        ("/api/search", "q"),
        ("/api/search?q=a", "q"),
        ("/api/timeseries?of=planets", "of"),
        ("/api/timeseries?of=alert", "id"),
        ("/api/graph?incident=a&alert=b", "not both"),
        ("/api/graph?items=maybe", "items"),
        ("/api/stats?x=1", "x"),
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        let msg = r.json()["error"].as_str().unwrap().to_owned();
        assert!(msg.contains(needle), "{path}: {msg}");
    }
    for path in [
        "/api/nope",
        "/api/incidents/inc-0000",
        "/api/items/none",
        "/api/accounts/none",
        "/api/domains/none.example",
        "/api/timeseries?of=alert&id=none",
        "/api/graph?incident=none",
        "/alerts/none",
        "/incidents/none",
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    // Odd bytes anywhere: never a server error.
    for path in [
        "/api/alerts?q=%FF%FE",
        "/api/alerts?detector=%00",
        "/api/alerts?page=99999999999999999999999",
        "/api/items/%F0%9F%92%A3",
        "/api/search?q=%25%5F%27%22",
        "/incidents?q=%3Cscript%3E",
        "/alerts?page=0",
        "/api/alerts?&&&=&",
    ] {
        let r = get(addr, path);
        assert!(r.status < 500, "{path}: {} {}", r.status, r.body);
    }
    assert_eq!(get(addr, "/alerts?page=0").status, 400, "pages too");
}

#[test]
fn incidents_status_and_notes() {
    let f = fixture(2_000);
    let addr = serve(&f.db, "127.0.0.1:0", None);
    let list = get(addr, "/api/incidents?per_page=500").json();
    let total = list["total"].as_u64().unwrap();
    assert!(total >= 2);
    // The largest incident: the operation whose spread the generator made artificial (the
    // list's order among equally severe incidents is by id, which says nothing).
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|i| i["alerts"].as_u64())
        .unwrap()
        .clone();
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["status"], "new");
    assert!(first["alerts"].as_u64().unwrap() >= 1);

    let full = get(addr, &format!("/api/incidents/{id}")).json();
    let criteria = full["incident"]["criteria"].as_array().unwrap();
    let keys: Vec<&str> = criteria
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["harm", "foreign", "misleading", "artificial"]);
    assert!(
        !criteria[3]["shown"].as_array().unwrap().is_empty(),
        "spread is shown"
    );
    assert_eq!(
        full["alerts"].as_array().unwrap().len() as u64,
        first["alerts"].as_u64().unwrap()
    );

    let path = format!("/api/incidents/{id}/status");
    let r = post_json(addr, &path, r#"{"status":"confirmed"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    let again = get(addr, &format!("/api/incidents/{id}")).json();
    assert_eq!(again["status"], "confirmed");
    let confirmed = get(addr, "/api/incidents?status=confirmed").json();
    assert_eq!(ids(&confirmed), vec![id.clone()]);
    let open = get(addr, "/api/incidents?status=new").json();
    assert_eq!(open["total"].as_u64().unwrap(), total - 1);

    assert_eq!(
        post_json(addr, &path, r#"{"status":"done-ish"}"#).status,
        422
    );
    assert_eq!(post_json(addr, &path, r#"{"state":"new"}"#).status, 400);
    assert_eq!(post_json(addr, &path, "not json").status, 400);
    let plain = request(
        addr,
        "POST",
        &path,
        &[("Content-Type", "text/plain")],
        Some(r#"{"status":"new"}"#),
    );
    assert_eq!(plain.status, 415, "cross-site forms cannot write");
    assert_eq!(
        post_json(
            addr,
            "/api/incidents/inc-none/status",
            r#"{"status":"new"}"#
        )
        .status,
        404
    );
    assert_eq!(request(addr, "GET", &path, &[], None).status, 405);

    let notes = format!("/api/incidents/{id}/notes");
    let r = post_json(
        addr,
        &notes,
        r#"{"text":"Seen in the <b>Telegram</b> channel too"}"#,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(post_json(addr, &notes, r#"{"text":"   "}"#).status, 422);
    let long = format!(r#"{{"text":"{}"}}"#, "x".repeat(10_001));
    assert_eq!(post_json(addr, &notes, &long).status, 422);
    let with = get(addr, &format!("/api/incidents/{id}")).json();
    assert_eq!(
        with["notes"][0]["text"],
        "Seen in the <b>Telegram</b> channel too"
    );
    let page = get(addr, &format!("/incidents/{id}")).body;
    assert!(page.contains("Seen in the &lt;b&gt;Telegram&lt;/b&gt; channel too"));

    let sev = get(addr, "/api/incidents?min_severity=critical&per_page=500").json();
    for i in sev["items"].as_array().unwrap() {
        assert_eq!(i["severity"], "critical");
    }
    let by_det = get(addr, "/api/incidents?detector=relay_network").json();
    assert!(by_det["total"].as_u64().unwrap() >= 1);
    for i in by_det["items"].as_array().unwrap() {
        assert!(i["detectors"]
            .as_array()
            .unwrap()
            .contains(&"relay_network".into()));
    }
}

#[test]
fn items_accounts_domains_search_series_graph_stats_openapi() {
    let f = fixture(2_000);
    let addr = serve(&f.db, "127.0.0.1:0", None);

    let item = get(addr, "/api/items/hostile-0").json();
    assert_eq!(item["records"][0]["text"], HOSTILE);
    // Copy-paste and the detectors that look at the same posts from other angles.
    let naming = vigie_store::Store::open(&f.db)
        .unwrap()
        .alerts()
        .unwrap()
        .iter()
        .filter(|a| a.evidence.items.iter().any(|i| i == "hostile-0"))
        .count();
    assert!(naming >= 1);
    assert_eq!(item["alerts"].as_array().unwrap().len(), naming);

    let inc = get(addr, "/api/incidents?per_page=500").json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|i| i["items"].as_u64())
        .unwrap()
        .clone();
    let listed = get(
        addr,
        &format!(
            "/api/items?incident={}&per_page=7&page=2",
            inc["id"].as_str().unwrap()
        ),
    )
    .json();
    assert_eq!(listed["total"], inc["items"]);
    assert_eq!(listed["items"].as_array().unwrap().len(), 7);
    assert!(listed["items"][0]["text"].as_str().is_some());
    assert_eq!(get(addr, "/api/items").status, 400);
    assert_eq!(get(addr, "/api/items?alert=none").status, 404);

    let accounts = get(addr, "/api/accounts?q=evil&per_page=10").json();
    assert_eq!(accounts["total"], 3, "=evil2, =evil3, =evil4");
    let acc = get(addr, "/api/accounts/%3Devil2").json();
    let naming_evil2 = vigie_store::Store::open(&f.db)
        .unwrap()
        .alerts()
        .unwrap()
        .iter()
        .filter(|a| a.evidence.accounts.iter().any(|x| x == "=evil2"))
        .count();
    assert!(naming_evil2 >= 1);
    assert_eq!(acc["alerts"].as_array().unwrap().len(), naming_evil2);

    let domains = get(addr, "/api/domains?per_page=500").json();
    assert!(domains["total"].as_u64().unwrap() > 0);
    let d = domains["items"][0]["domain"].as_str().unwrap().to_owned();
    let one = get(addr, &format!("/api/domains/{d}")).json();
    assert!(!one["alerts"].as_array().unwrap().is_empty());
    let lookalike = get(addr, "/api/domains?lookalike=true").json();
    assert!(lookalike["total"].as_u64().is_some());

    let hits = get(addr, "/api/search?q=3615").json();
    let found: Vec<&str> = hits["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["type"] == "item")
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["hostile-0", "hostile-1", "hostile-2", "hostile-3"]);

    let series = get(addr, "/api/timeseries?of=alerts").json();
    let buckets = series["buckets"].as_array().unwrap().len();
    assert!(buckets > 1);
    let total: u64 = series["series"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s[1].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()))
        .sum();
    let stats = get(addr, "/api/stats").json();
    assert_eq!(total, stats["alerts"]["total"].as_u64().unwrap());
    assert!(stats["store"]["by_kind"].as_array().unwrap().len() >= 3);
    let hashtags = get(addr, "/api/timeseries?of=hashtags").json();
    assert!(!hashtags["series"].as_array().unwrap().is_empty());
    let alert_id =
        get(addr, "/api/alerts?q=evil2&detector=copypasta").json()["items"][0]["id"].clone();
    let cluster = get(
        addr,
        &format!("/api/timeseries?of=alert&id={}", alert_id.as_str().unwrap()),
    )
    .json();
    let counted: u64 = cluster["series"][0][1]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(counted, 4, "the four hostile posts");

    let inc = get(addr, "/api/incidents?per_page=1").json()["items"][0]["id"].clone();
    let g = get(
        addr,
        &format!("/api/graph?incident={}", inc.as_str().unwrap()),
    )
    .json();
    let nodes = g["nodes"].as_array().unwrap();
    assert!(nodes.iter().any(|n| n["kind"] == "alert"));
    let node_ids: std::collections::HashSet<&str> =
        nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    for e in g["edges"].as_array().unwrap() {
        assert!(node_ids.contains(e["source"].as_str().unwrap()));
        assert!(node_ids.contains(e["target"].as_str().unwrap()));
    }

    let spec = get(addr, "/api/openapi.json").json();
    let paths = spec["paths"].as_object().unwrap();
    for p in [
        "/api/alerts",
        "/api/alerts/{id}",
        "/api/incidents",
        "/api/incidents/{id}",
        "/api/incidents/{id}/status",
        "/api/incidents/{id}/notes",
        "/api/items/{id}",
        "/api/accounts",
        "/api/accounts/{id}",
        "/api/domains",
        "/api/domains/{domain}",
        "/api/search",
        "/api/timeseries",
        "/api/graph",
        "/api/stats",
    ] {
        assert!(paths.contains_key(p), "openapi.json documents {p}");
    }
}

#[test]
fn beyond_localhost_a_token_is_required() {
    let f = fixture(1_000);
    let refused = vigie_surface::web::Server::bind(&vigie_surface::web::ServeOptions {
        db: f.db.clone(),
        addr: "0.0.0.0:0".parse().unwrap(),
        token: None,
    });
    assert!(matches!(
        refused,
        Err(vigie_surface::web::ServeError::TokenRequired(_))
    ));

    let addr = serve(&f.db, "0.0.0.0:0", Some("s3cret-token"));
    let addr: std::net::SocketAddr = format!("127.0.0.1:{}", addr.port()).parse().unwrap();
    assert_eq!(get(addr, "/api/alerts").status, 401);
    assert_eq!(get(addr, "/").status, 401);
    let wrong = request(
        addr,
        "GET",
        "/api/alerts",
        &[("Authorization", "Bearer nope")],
        None,
    );
    assert_eq!(wrong.status, 401);
    let ok = request(
        addr,
        "GET",
        "/api/alerts",
        &[("Authorization", "Bearer s3cret-token")],
        None,
    );
    assert_eq!(ok.status, 200);
    let page = get(addr, "/?token=s3cret-token");
    assert_eq!(page.status, 200);
    let cookie = page.header("set-cookie").unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"));
    let pair = cookie.split(';').next().unwrap();
    let with_cookie = request(addr, "GET", "/api/stats", &[("Cookie", pair)], None);
    assert_eq!(with_cookie.status, 200);
    let write = request(
        addr,
        "POST",
        "/api/incidents/x/status",
        &[("Content-Type", "application/json")],
        Some(r#"{"status":"new"}"#),
    );
    assert_eq!(write.status, 401, "writes need the token too");
}

#[test]
fn on_localhost_other_host_names_are_refused() {
    let f = fixture(1_000);
    let addr = serve(&f.db, "127.0.0.1:0", None);
    assert_eq!(get(addr, "/api/stats").status, 200);
    let rebound = request(
        addr,
        "GET",
        "/api/stats",
        &[("Host", "evil.example:8080")],
        None,
    );
    assert_eq!(rebound.status, 403, "DNS rebinding");
    let named = request(
        addr,
        "GET",
        "/api/stats",
        &[("Host", "localhost:8080")],
        None,
    );
    assert_eq!(named.status, 200);
}

#[test]
fn pages_render_and_escape_adversary_text() {
    let f = fixture(2_000);
    let addr = serve(&f.db, "127.0.0.1:0", None);
    for path in [
        "/",
        "/alerts",
        "/incidents",
        "/network",
        "/timelines",
        "/domains",
        "/alerts?detector=copypasta&severity=low",
        "/static/app.js",
        "/static/style.css",
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
    }
    let alert = get(addr, "/api/alerts?q=evil2").json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let incident = get(addr, &format!("/api/alerts/{alert}")).json()["incident"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [format!("/alerts/{alert}"), format!("/incidents/{incident}")] {
        let page = get(addr, &path).body;
        assert!(
            page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"),
            "{path} shows the text"
        );
        assert!(
            !page.contains("<script>window.__pwned"),
            "{path} must not carry the markup"
        );
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(page.contains("=HYPERLINK(1)"), "{path} names the accounts");
    }
    let csp = get(addr, "/")
        .header("content-security-policy")
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'self'"));
}
