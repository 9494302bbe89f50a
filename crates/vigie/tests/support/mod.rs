//! Shared by the surface tests: a scanned store with a hostile cluster, a running server, and a
//! minimal HTTP/1.1 client (so tests talk to the real server through a real socket).
#![allow(dead_code)] // each test binary uses part of this module

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;
use vigie_core::Config;
use vigie_store::Store;

/// Text of the hostile posts: markup that would run if a page did not escape it.
pub const HOSTILE: &str = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> Les bureaux de vote ferment a midi dimanche, votez par SMS au 3615 pour eviter la foule, partagez avant que ce message soit supprime";

/// Authors of the hostile posts: spreadsheet formulas, to test CSV neutralisation.
pub const HOSTILE_AUTHORS: [&str; 4] = ["=HYPERLINK(1)", "=evil2", "=evil3", "=evil4"];

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

/// Generates a small election dataset, adds four accounts posting the hostile text, scans it.
pub fn fixture(posts: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let opts = vigie_generate::GenerateOptions {
        posts,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir.path()).unwrap();
    let mut hostile = String::new();
    for (i, author) in HOSTILE_AUTHORS.iter().enumerate() {
        let line = serde_json::json!({
            "kind": "post", "id": format!("hostile-{i}"), "platform": "x", "author": author,
            "created_at": format!("2024-06-05T10:0{i}:00Z"), "text": HOSTILE, "lang": "fr",
        });
        hostile.push_str(&line.to_string());
        hostile.push('\n');
    }
    std::fs::write(dir.path().join("data/hostile.jsonl"), hostile).unwrap();
    let db = dir.path().join("vigie.db");
    scan_into(dir.path(), &db);
    Fixture { dir, db }
}

pub fn scan_into(dir: &Path, db: &Path) {
    let config = Config::load(&dir.join("vigie.toml")).unwrap();
    let mut store = Store::open(db).unwrap();
    let outputs = vigie::scan::ScanOutputs {
        alerts: Some(dir.join("alerts.jsonl")),
        quarantine: dir.join("q.jsonl"),
    };
    vigie::scan::scan(
        &mut store,
        &[dir.join("data")],
        &config,
        &outputs,
        &vigie::ingest::IngestOptions::default(),
    )
    .unwrap();
}

/// Starts `vigie serve` in-process on a free port; the server lives until the test ends.
pub fn serve(db: &Path, addr: &str, token: Option<&str>) -> SocketAddr {
    let server = vigie_surface::web::Server::bind(&vigie_surface::web::ServeOptions {
        db: db.to_path_buf(),
        addr: addr.parse().unwrap(),
        token: token.map(str::to_owned),
    })
    .unwrap();
    let addr = server.local_addr().unwrap();
    std::thread::spawn(move || server.run());
    addr
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or("");
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    parse_response(&read_response(&mut s))
}

/// Reads one response: to the end of its declared length (some servers keep the connection
/// open despite `Connection: close`), to the last chunk, or to the end of the stream.
fn read_response(s: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let chunked = head.contains("transfer-encoding: chunked");
            let body = raw.len() - end - 4;
            if length.is_some_and(|n| body >= n) || (chunked && raw.ends_with(b"0\r\n\r\n")) {
                return raw;
            }
        }
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            return raw;
        }
        raw.extend_from_slice(&buf[..n]);
    }
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 || b.len() < eol + 2 + size {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[(eol + 4 + size).min(b.len())..];
    }
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[], None)
}

pub fn post_json(addr: SocketAddr, path: &str, body: &str) -> Response {
    request(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        Some(body),
    )
}

/// The Python with stix2 and networkx: $VIGIE_PYTHON, the venv `.ci/run` makes, or python3.
pub fn python_with(modules: &str) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(p) = std::env::var("VIGIE_PYTHON") {
        candidates.push(p.into());
    }
    if let Ok(home) = std::env::var("HOME") {
        candidates.push(Path::new(&home).join(".cache/vigie/pyenv/bin/python"));
    }
    candidates.push("python3".into());
    candidates.into_iter().find(|p| {
        std::process::Command::new(p)
            .args(["-c", &format!("import {modules}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}
