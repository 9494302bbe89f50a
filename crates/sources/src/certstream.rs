//! certstream messages, one JSON object per line (the full `certificate_update` stream, and the
//! `dns_entries` messages of the domains-only endpoint). Each certificate yields one
//! [`DomainRecord`] per distinct name it covers: a look-alike domain usually shows up in CT logs
//! before it is used.

use crate::limits::{json_too_deep, read_lines};
use crate::{ReadContext, Sink, SourceError};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::io::BufRead;
use vigie_core::{DomainRecord, Record};
use vigie_normalise::urls::normalise_domain;

pub fn read(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_lines(r, ctx, sink, |bytes, _| {
        Ok(parse_line(bytes, ctx)?
            .into_iter()
            .map(Record::Domain)
            .collect())
    })
}

/// The domain records of one line; empty for blank lines and heartbeats.
fn parse_line(bytes: &[u8], ctx: ReadContext<'_>) -> Result<Vec<DomainRecord>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(format!("invalid UTF-8 at byte {}", e.valid_up_to()));
    }
    if json_too_deep(bytes, ctx.limits.max_json_depth) {
        return Err(format!(
            "JSON nested deeper than {} levels (input.max_json_depth)",
            ctx.limits.max_json_depth
        ));
    }
    let msg: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(msg) = msg else {
        return Err("not a certstream message (a JSON object was expected)".into());
    };
    match msg.get("message_type").and_then(Value::as_str) {
        Some("heartbeat") => Ok(Vec::new()),
        Some("certificate_update") => certificate_update(msg.get("data")),
        Some("dns_entries") => dns_entries(msg.get("data")),
        Some(other) => {
            let shown: String = other.chars().take(40).collect();
            Err(format!("unknown certstream message_type {shown:?}"))
        }
        None => Err("missing `message_type` (not a certstream message)".into()),
    }
}

fn certificate_update(data: Option<&Value>) -> Result<Vec<DomainRecord>, String> {
    let data = data
        .and_then(Value::as_object)
        .ok_or("certificate_update without a `data` object")?;
    let leaf = data
        .get("leaf_cert")
        .and_then(Value::as_object)
        .ok_or("certificate_update without `data.leaf_cert`")?;
    let names = leaf
        .get("all_domains")
        .ok_or("certificate_update without `data.leaf_cert.all_domains`")?;
    let first_seen = match data.get("seen") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(unix_seconds(v).ok_or_else(|| format!("`data.seen` is not a unix time: {v}"))?)
        }
    };
    let issuer = issuer(leaf, data);
    let mut extra = Map::new();
    for (key, name) in [("cert_index", "cert_index"), ("cert_link", "cert_link")] {
        if let Some(v) = data.get(key).filter(|v| v.is_number() || v.is_string()) {
            extra.insert(name.into(), v.clone());
        }
    }
    if let Some(log) = data
        .get("source")
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
    {
        extra.insert("ct_log".into(), Value::from(log));
    }
    if let Some(fp) = leaf.get("fingerprint").and_then(Value::as_str) {
        extra.insert("cert_fingerprint".into(), Value::from(fp));
    }
    let domains = domain_names(names, "data.leaf_cert.all_domains")?;
    Ok(domains
        .into_iter()
        .map(|domain| DomainRecord {
            first_seen,
            cert_issuer: issuer.clone(),
            extra: extra.clone(),
            ..DomainRecord::new(domain)
        })
        .collect())
}

/// The domains-only stream: `{"message_type":"dns_entries","data":["a.example", …]}`.
fn dns_entries(data: Option<&Value>) -> Result<Vec<DomainRecord>, String> {
    let names = data.ok_or("dns_entries without `data`")?;
    Ok(domain_names(names, "data")?
        .into_iter()
        .map(DomainRecord::new)
        .collect())
}

/// Normalised, deduplicated names (`*.a.example` and `a.example` are one domain). Entries that are
/// not host names (IP SANs, garbage) are skipped; a certificate with none at all is rejected.
fn domain_names(names: &Value, field: &str) -> Result<Vec<String>, String> {
    let list = names
        .as_array()
        .ok_or_else(|| format!("`{field}` is not an array"))?;
    let mut out: Vec<String> = Vec::new();
    for name in list {
        let Some(d) = name.as_str().and_then(normalise_domain) else {
            continue;
        };
        // Certificates list a few dozen names at most: a linear scan beats hashing here.
        if !out.contains(&d) {
            out.push(d);
        }
    }
    if out.is_empty() {
        return Err(format!("no valid domain name in `{field}`"));
    }
    Ok(out)
}

/// The issuer's organisation, else its common name. Older messages carry no `leaf_cert.issuer`:
/// the first certificate of the chain is the issuer then.
fn issuer(leaf: &Map<String, Value>, data: &Map<String, Value>) -> Option<String> {
    let name_of = |subject: &Value| -> Option<String> {
        ["O", "CN"]
            .into_iter()
            .filter_map(|k| subject.get(k).and_then(Value::as_str))
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_owned)
    };
    leaf.get("issuer").and_then(name_of).or_else(|| {
        data.get("chain")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(|c| c.get("subject"))
            .and_then(name_of)
    })
}

/// Float or integer unix seconds (certstream writes `1509912803.959279`).
fn unix_seconds(v: &Value) -> Option<DateTime<Utc>> {
    let secs = v
        .as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse::<f64>().ok()))?;
    // Beyond year 5138 is garbage, not a sighting time.
    if !secs.is_finite() || !(0.0..=1e11).contains(&secs) {
        return None;
    }
    let whole = secs.trunc();
    // Microsecond precision is all certstream has; rounding avoids 959278999ns artefacts.
    let micros = ((secs - whole) * 1e6).round() as u32;
    DateTime::from_timestamp(whole as i64, micros.min(999_999) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use vigie_core::config::InputConfig;

    fn events(data: &[u8], limits: &InputConfig) -> Vec<Event> {
        crate::test_support::events(read, "certstream.jsonl", data, limits)
    }

    fn records(events: &[Event]) -> Vec<(u64, &DomainRecord)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    line,
                    record: Record::Domain(d),
                } => Some((*line, d)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn real_certstream_sample() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/formats/certstream_sample.jsonl");
        let Ok(data) = std::fs::read(&path) else {
            eprintln!(
                "skipping: {} absent (../shared/data not mounted)",
                path.display()
            );
            return;
        };
        let ev = events(&data, &InputConfig::default());
        let recs = records(&ev);
        let got: Vec<(u64, &str)> = recs.iter().map(|(l, d)| (*l, d.domain.as_str())).collect();
        // Line 2 lists `*.d7zdnegbre53n.amplifyapp.com` and the bare name: one record.
        assert_eq!(
            got,
            vec![
                (1, "app.theaffairsite.com"),
                (2, "d7zdnegbre53n.amplifyapp.com")
            ]
        );
        let (_, first) = recs[0];
        assert_eq!(
            first.first_seen.map(|t| t.to_rfc3339()).as_deref(),
            Some("2017-11-05T20:13:23.959279+00:00")
        );
        // 2017 messages have no leaf_cert.issuer: the chain's first subject is the issuer.
        assert_eq!(first.cert_issuer.as_deref(), Some("Let's Encrypt"));
        assert_eq!(first.extra["cert_index"], 27910635);
        assert!(!first.extra.contains_key("cert_link"));
        let (_, second) = recs[1];
        assert_eq!(second.cert_issuer.as_deref(), Some("Amazon"));
        assert_eq!(
            second.extra["cert_link"],
            "https://yeti2025.ct.digicert.com/log/ct/v1/get-entries?start=43061646&end=43061646"
        );
        assert_eq!(
            second.first_seen.map(|t| t.to_rfc3339()).as_deref(),
            Some("2024-03-05T15:16:13.594684+00:00")
        );
        assert!(!ev.iter().any(|e| matches!(e, Event::Rejected(_))));
    }

    #[test]
    fn hostile_lines_are_rejected_and_the_stream_goes_on() {
        let limits = InputConfig {
            max_record_bytes: 400,
            max_json_depth: 8,
            ..InputConfig::default()
        };
        let good = r#"{"message_type":"certificate_update","data":{"seen":1700000000.5,"leaf_cert":{"all_domains":["*.Lemonde-FR.ltd","lemonde-fr.ltd","www.lemonde-fr.ltd","10.0.0.1"],"issuer":{"O":null,"CN":"R3"}}}}"#;
        let deep = format!(
            r#"{{"message_type":"certificate_update","data":{}{}}}"#,
            "[".repeat(30),
            "]".repeat(30)
        );
        let lines = [
            good,                                                                                   // 1
            r#"{"message_type":"heartbeat","timestamp":1700000000.0}"#, // 2 skipped
            r#"{"message_type":"certificate_update","data":{"leaf_cert":{"all_domains":"a.fr"}}}"#, // 3
            r#"{"message_type":"certificate_update","data":{"seen":"soon","leaf_cert":{"all_domains":["a.fr"]}}}"#, // 4
            &deep,                                                             // 5
            r#"{"message_type":"certificate_update","da"#,                     // 6 truncated
            &format!(r#"{{"message_type":"x","pad":"{}"}}"#, "p".repeat(500)), // 7 overlong
            r#"{"message_type":"certificate_update","data":{"leaf_cert":{"all_domains":["not a domain",""]}}}"#, // 8
            r#"{"message_type":"dns_entries","data":["b.example","*.b.example"]}"#, // 9
            r#"[1,2]"#,                                                             // 10
            r#"{"message_type":"surprise"}"#,                                       // 11
        ];
        let ev = events(lines.join("\n").as_bytes(), &limits);
        let recs = records(&ev);
        let got: Vec<(u64, &str)> = recs.iter().map(|(l, d)| (*l, d.domain.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, "lemonde-fr.ltd"),
                (1, "www.lemonde-fr.ltd"),
                (9, "b.example")
            ]
        );
        assert_eq!(recs[0].1.cert_issuer.as_deref(), Some("R3"));
        assert_eq!(
            recs[0].1.first_seen.map(|t| t.to_rfc3339()).as_deref(),
            Some("2023-11-14T22:13:20.500+00:00")
        );
        let rej: Vec<(u64, String)> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Rejected(r) => Some((r.line, r.reason.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            rej.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![3, 4, 5, 6, 7, 8, 10, 11]
        );
        let reason = |l: u64| {
            rej.iter()
                .find(|r| r.0 == l)
                .map(|r| r.1.as_str())
                .unwrap_or("")
        };
        assert!(
            reason(3).contains("all_domains` is not an array"),
            "{}",
            reason(3)
        );
        assert!(
            reason(4).contains("`data.seen` is not a unix time"),
            "{}",
            reason(4)
        );
        assert!(reason(5).contains("nested deeper than 8"), "{}", reason(5));
        assert!(reason(6).starts_with("invalid JSON"), "{}", reason(6));
        assert!(reason(7).contains("400-byte limit"), "{}", reason(7));
        assert!(reason(8).contains("no valid domain name"), "{}", reason(8));
        assert!(
            reason(10).contains("JSON object was expected"),
            "{}",
            reason(10)
        );
        assert!(
            reason(11).contains("unknown certstream message_type \"surprise\""),
            "{}",
            reason(11)
        );
    }
}
