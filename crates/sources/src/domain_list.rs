//! Domain lists: one domain per line, as newly-registered-domain feeds and certificate-transparency
//! extracts publish them. `#` starts a comment; an optional second column (comma, tab or space
//! separated) holds the date the domain was first seen.

use crate::limits::read_lines;
use crate::{ReadContext, Sink, SourceError};
use std::io::BufRead;
use vigie_core::{DomainRecord, Record};
use vigie_normalise::time::parse_timestamp;
use vigie_normalise::urls::normalise_domain;

pub fn read(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_lines(r, ctx, sink, |bytes, line| {
        Ok(parse_line(bytes, line == 1)?
            .map(Record::Domain)
            .into_iter()
            .collect())
    })
}

/// `Ok(None)` for blank lines, comments and a header line.
fn parse_line(bytes: &[u8], first: bool) -> Result<Option<DomainRecord>, String> {
    let bytes = if first {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
    // A `#` after whitespace starts a trailing comment; inside a token it is not one (`a.fr#x` is
    // kept whole so that normalise_domain rejects or strips it explicitly).
    let content = match text.find(" #").or_else(|| text.find("\t#")) {
        Some(i) => &text[..i],
        None => text,
    };
    let content = content.trim();
    if content.is_empty() || content.starts_with('#') {
        return Ok(None);
    }
    let mut columns = content
        .split([',', '\t', ' ', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let raw_domain = columns.next().unwrap_or(content);
    let second = columns.next();
    if first && is_header(raw_domain) {
        return Ok(None);
    }
    let domain = normalise_domain(raw_domain).ok_or_else(|| {
        let shown: String = raw_domain.chars().take(80).collect();
        format!("not a valid domain name: {shown:?}")
    })?;
    let first_seen = match second {
        None => None,
        Some(v) => {
            // Dates are sometimes split across two columns by the space separator
            // ("a.fr 2024-06-01 10:00:00"): rejoin the remaining columns before parsing.
            let rest: Vec<&str> = std::iter::once(v).chain(columns).collect();
            let joined = rest.join(" ");
            Some(
                parse_timestamp(&joined)
                    .or_else(|| parse_timestamp(v))
                    .ok_or_else(|| {
                        let shown: String = joined.chars().take(60).collect();
                        format!("unreadable first-seen date {shown:?} in the second column")
                    })?,
            )
        }
    };
    Ok(Some(DomainRecord {
        first_seen,
        ..DomainRecord::new(domain)
    }))
}

/// A CSV-style header on the first line (`domain,first_seen`) is not a rejected record.
fn is_header(token: &str) -> bool {
    matches!(
        token.to_ascii_lowercase().trim_matches('"'),
        "domain" | "domains" | "domain_name" | "domainname" | "hostname" | "host" | "fqdn"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::rejections;
    use crate::Event;
    use vigie_core::config::InputConfig;

    fn events(data: &[u8], limits: &InputConfig) -> Vec<Event> {
        crate::test_support::events(read, "domains.txt", data, limits)
    }

    fn domains(events: &[Event]) -> Vec<(u64, String, Option<String>)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    line,
                    record: Record::Domain(d),
                } => Some((
                    *line,
                    d.domain.clone(),
                    d.first_seen.map(|t| t.to_rfc3339()),
                )),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn domains_dates_comments_and_rejections() {
        let limits = InputConfig {
            max_record_bytes: 200,
            ..InputConfig::default()
        };
        let long = format!("{}.fr\n", "a".repeat(300));
        let mut data = Vec::new();
        data.extend_from_slice(b"\xEF\xBB\xBFdomain,first_seen\n"); // 1: header skipped
        data.extend_from_slice(b"# newly registered, 2024-06-01\n"); // 2
        data.extend_from_slice(b"LeMonde-FR.ltd\n"); // 3
        data.extend_from_slice(b"\n"); // 4
        data.extend_from_slice(b"xn--lemnde-5ya.fr,2024-06-01\n"); // 5
        data.extend_from_slice(b"*.elysee-gouv.com\t2024-06-02T10:11:12Z   # from CT\n"); // 6
        data.extend_from_slice(b"not a domain\n"); // 7
        data.extend_from_slice(b"192.168.1.1\n"); // 8
        data.extend_from_slice(b"bad-date.fr,yesterday\n"); // 9
        data.extend_from_slice(long.as_bytes()); // 10
        data.extend_from_slice(b"\xff\xfe.fr\n"); // 11
        data.extend_from_slice(b"spaced.fr 2024-06-03 08:00:00\r\n"); // 12
        data.extend_from_slice(b"last.fr"); // 13, no final newline
        let ev = events(&data, &limits);
        assert_eq!(
            domains(&ev),
            vec![
                (3, "lemonde-fr.ltd".into(), None),
                (
                    5,
                    "xn--lemnde-5ya.fr".into(),
                    Some("2024-06-01T00:00:00+00:00".into())
                ),
                (
                    6,
                    "elysee-gouv.com".into(),
                    Some("2024-06-02T10:11:12+00:00".into())
                ),
                (
                    12,
                    "spaced.fr".into(),
                    Some("2024-06-03T08:00:00+00:00".into())
                ),
                (13, "last.fr".into(), None),
            ]
        );
        let rej = rejections(&ev);
        assert_eq!(
            rej.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![7, 8, 9, 10, 11]
        );
        assert!(
            rej[0].1.contains("not a valid domain name: \"not\""),
            "{}",
            rej[0].1
        );
        assert!(rej[1].1.contains("\"192.168.1.1\""), "{}", rej[1].1);
        assert!(
            rej[2]
                .1
                .contains("unreadable first-seen date \"yesterday\""),
            "{}",
            rej[2].1
        );
        assert!(rej[3].1.contains("200-byte limit"), "{}", rej[3].1);
        assert!(rej[4].1.contains("invalid UTF-8 at byte 0"), "{}", rej[4].1);
        match &ev
            .iter()
            .find(|e| matches!(e, Event::Rejected(r) if r.line == 7))
        {
            Some(Event::Rejected(r)) => assert_eq!(r.raw, b"not a domain"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_header_is_only_skipped_on_the_first_line() {
        let ev = events(b"a.fr\ndomain\n", &InputConfig::default());
        assert_eq!(domains(&ev).len(), 1);
        assert_eq!(rejections(&ev).first().map(|r| r.0), Some(2));
    }

    #[test]
    fn huge_input_on_one_line_stays_bounded() {
        let limits = InputConfig {
            max_record_bytes: 64,
            ..InputConfig::default()
        };
        let mut data = vec![b'a'; 5_000_000];
        data.extend_from_slice(b"\nok.fr\n");
        let ev = events(&data, &limits);
        match &ev[0] {
            Event::Rejected(r) => assert_eq!((r.line, r.raw.len()), (1, 64)),
            other => panic!("{other:?}"),
        }
        assert_eq!(domains(&ev), vec![(2, "ok.fr".into(), None)]);
    }
}
