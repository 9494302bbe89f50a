//! The dashboard in real headless Chromium, driven through chromedriver (WebDriver): load the
//! overview on demo data, open an incident and see its evidence and network, filter alerts,
//! change a status — and a `<script>` in a post's text is shown as text, never run.
//! Skips with a message when chromium or chromedriver is absent (`.ci/run` installs them).
//! With VIGIE_SCREENSHOTS=DIR, saves the main pages as PNG files there (docs/ in the README).

mod support;

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

struct Driver {
    child: Child,
    addr: SocketAddr,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = request(self.addr, "DELETE", &path, &[], None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(chromium: &PathBuf, chromedriver: &PathBuf) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        // Owned before anything can fail, so chromedriver is stopped whatever happens next.
        let mut driver = Driver {
            child,
            addr,
            session: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000", "--no-first-run", "--disable-extensions"]
            }
        }}});
        let r = request(
            addr,
            "POST",
            "/session",
            &[("Content-Type", "application/json")],
            Some(&caps.to_string()),
        );
        let v = r.json();
        driver.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {}", r.body))
            .to_owned();
        driver
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let text = body.to_string();
        let r = request(
            self.addr,
            method,
            &format!("/session/{}{path}", self.session),
            &[("Content-Type", "application/json")],
            (!body.is_null()).then_some(text.as_str()),
        );
        let v = r.json();
        assert!(r.status < 400, "webdriver {path}: {}", r.body);
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    fn js(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.js(script);
            if !v.is_null() && v != json!(false) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("VIGIE_SCREENSHOTS") else {
            return;
        };
        let b64 = self.call("GET", "/screenshot", Value::Null);
        let png = base64_decode(b64.as_str().unwrap());
        std::fs::write(PathBuf::from(dir).join(name), png).unwrap();
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= (val(*c) as u32) << (18 - 6 * i);
        }
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[test]
fn dashboard_in_headless_chromium() {
    let (Some(chromium), Some(chromedriver)) = (
        find(&["chromium", "chromium-browser", "google-chrome"]),
        find(&["chromedriver"]),
    ) else {
        eprintln!("SKIP browser test: chromium and chromedriver are not installed (.ci/run installs them: apt-get install chromium chromium-driver)");
        return;
    };
    let f = fixture(3_000);
    let server = serve(&f.db, "127.0.0.1:0", None);
    let base = format!("http://{server}");
    let d = Driver::start(&chromium, &chromedriver);

    // Overview on demo data.
    d.open(&format!("{base}/"));
    assert_eq!(d.js("return document.title"), json!("Overview — vigie"));
    let cards = d.js("return document.querySelectorAll('.card').length");
    assert_eq!(cards, json!(4));
    assert!(
        d.js("return document.querySelectorAll('svg.chart rect').length")
            .as_u64()
            .unwrap()
            > 3
    );
    d.screenshot("overview.png");

    // Incidents list → the largest incident (the operation with artificial spread): its
    // evidence and its network.
    let largest = get(server, "/api/incidents?per_page=500").json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|i| i["alerts"].as_u64())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    d.open(&format!("{base}/incidents"));
    d.screenshot("incidents.png");
    d.js(&format!(
        "document.querySelector('#incidents-table tbody a[href$=\"{largest}\"]').click(); return true"
    ));
    d.wait_for(
        "incident page",
        "return location.pathname.startsWith('/incidents/inc-')",
    );
    assert_eq!(
        d.js("return document.querySelectorAll('.criterion').length"),
        json!(4)
    );
    let spread = d.js("return document.querySelector('#criterion-artificial li').textContent");
    assert!(spread.as_str().unwrap().contains("items by"), "{spread}");
    let nodes = d.wait_for(
        "the network",
        "return document.querySelector('canvas.graph').dataset.nodes",
    );
    assert!(
        nodes.as_str().unwrap().parse::<u32>().unwrap() > 2,
        "{nodes}"
    );
    assert!(d
        .js("return document.querySelector('.graph-info').textContent")
        .as_str()
        .unwrap()
        .contains("nodes"));
    d.screenshot("incident.png");

    // Change the status in the page; the API agrees.
    let id = d.js("return document.querySelector('section.analyst').dataset.incident");
    let id = id.as_str().unwrap().to_owned();
    d.js("document.getElementById('status-select').value = 'confirmed'; document.getElementById('status-save').click(); return true");
    d.wait_for(
        "the new status",
        "return document.getElementById('status-current').textContent === 'confirmed'",
    );
    assert_eq!(
        get(server, &format!("/api/incidents/{id}")).json()["status"],
        "confirmed"
    );
    d.js("location.reload(); return true");
    d.wait_for("the saved status", "return document.getElementById('status-current') && document.getElementById('status-current').textContent === 'confirmed'");

    // Filter alerts by detector through the form.
    d.open(&format!("{base}/alerts"));
    let before = d
        .js("return document.querySelectorAll('#alerts-table tbody tr').length")
        .as_u64()
        .unwrap();
    d.js("document.querySelector('select[name=detector]').value = 'relay_network'; document.querySelector('form.filters button').click(); return true");
    d.wait_for(
        "filtered list",
        "return location.search.includes('detector=relay_network')",
    );
    let detectors = d.js("return Array.from(document.querySelectorAll('#alerts-table tbody tr td:nth-child(2)')).map(td => td.textContent)");
    let detectors = detectors.as_array().unwrap();
    assert!(!detectors.is_empty() && (detectors.len() as u64) < before);
    assert!(
        detectors.iter().all(|d| d == "relay_network"),
        "{detectors:?}"
    );
    d.open(&format!("{base}/alerts?severity=high"));
    d.screenshot("alerts.png");

    // The hostile post: its <script> shows as text and never runs.
    let alert = get(server, "/api/alerts?q=evil2").json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let incident = get(server, &format!("/api/alerts/{alert}")).json()["incident"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [format!("/alerts/{alert}"), format!("/incidents/{incident}")] {
        d.open(&format!("{base}{path}"));
        d.wait_for("page loaded", "return document.readyState === 'complete'");
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            d.js("return typeof window.__pwned"),
            json!("undefined"),
            "{path}: the script ran"
        );
        let shown =
            d.js("return document.body.innerText.includes('<script>window.__pwned=1</script>')");
        assert_eq!(shown, json!(true), "{path}: the text is shown as written");
        assert_eq!(
            d.js("return document.querySelectorAll('main script, main img').length"),
            json!(0)
        );
    }

    d.open(&format!("{base}/network"));
    d.wait_for(
        "the network",
        "return document.querySelector('canvas.graph').dataset.nodes",
    );
    d.screenshot("network.png");
    d.open(&format!("{base}/timelines"));
    d.screenshot("timelines.png");
}
