//! Native JSONL (SPEC §2): one record per line, `kind` selects the type.

use crate::limits::{json_too_deep, read_lines};
use crate::{Event, ReadContext, Sink, SourceError};
use std::io::BufRead;
use std::ops::ControlFlow;
use vigie_core::Record;

pub fn read(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_lines(r, ctx, sink, |bytes, _| {
        Ok(parse_line(bytes, false, ctx)?.into_iter().collect())
    })
}

/// `Ok(None)` for blank lines, which are not records.
pub fn parse_line(
    bytes: &[u8],
    overlong: bool,
    ctx: ReadContext<'_>,
) -> Result<Option<Record>, String> {
    if overlong {
        return Err(format!(
            "line longer than the {}-byte limit (input.max_record_bytes)",
            ctx.limits.max_record_bytes
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
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
    match serde_json::from_slice::<Record>(bytes) {
        Ok(record) => Ok(Some(record)),
        Err(e) => Err(describe(e, bytes)),
    }
}

/// serde's messages name the field but say "line 1" for a single line; keep the useful part.
fn describe(e: serde_json::Error, bytes: &[u8]) -> String {
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map(|(head, _)| head.to_owned())
        .unwrap_or(msg);
    if e.is_syntax() || e.is_eof() {
        format!("invalid JSON: {msg} (column {})", e.column())
    } else if msg.contains("unknown variant") {
        let kind = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default();
        format!(
            "unknown record kind {kind:?} (expected post, account, article, domain, ad or media)"
        )
    } else {
        msg
    }
}

/// Used by tests and fuzzing: every event of a JSONL byte string.
pub fn read_all(bytes: &[u8], ctx: ReadContext<'_>) -> Result<Vec<Event>, SourceError> {
    let mut out = Vec::new();
    let mut cursor = std::io::Cursor::new(bytes);
    read(&mut cursor, ctx, &mut |e| {
        out.push(e);
        ControlFlow::Continue(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::config::InputConfig;

    fn ctx(limits: &InputConfig) -> ReadContext<'_> {
        ReadContext::new("test.jsonl", limits)
    }

    const GOOD: &str = r#"{"kind":"post","id":"p1","platform":"x","author":"a1","created_at":"2024-06-01T10:00:00Z","text":"Votez le 9 juin"}"#;

    fn rejected(events: &[Event]) -> Vec<(u64, String)> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Rejected(r) => Some((r.line, r.reason.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_rejection_reason_is_reported_and_good_lines_survive() {
        let limits = InputConfig {
            max_record_bytes: 400,
            max_json_depth: 8,
            ..InputConfig::default()
        };
        let deep = format!(
            r#"{{"kind":"post","id":"d","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":"t","x":{}1{}}}"#,
            "[".repeat(20),
            "]".repeat(20)
        );
        let mut input = Vec::new();
        for line in [
            GOOD,
            "{\"kind\":\"post\",", // 2: truncated JSON
            r#"{"kind":"post","id":"p3","platform":"x","created_at":"2024-06-01T10:00:00Z","text":"no author"}"#, // 3
            r#"{"kind":"post","id":"p4","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":5}"#, // 4
            r#"{"kind":"tweet","id":"p5"}"#, // 5
            &deep,                           // 6
            &format!(r#"{{"kind":"post","text":"{}"}}"#, "y".repeat(1000)), // 7
            "",                              // 8 blank: skipped silently
            r#"{"kind":"post","id":"p9","platform":"x","author":"a","created_at":"not a date","text":"t"}"#, // 9
        ] {
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
        }
        input.extend_from_slice(b"{\"kind\":\"post\",\"text\":\"\xff\xfe\"}\n"); // 10: bad UTF-8
        input.extend_from_slice(GOOD.replace("p1", "p11").as_bytes()); // 11: no final newline
        let limits_ref = &limits;
        let events = read_all(&input, ctx(limits_ref)).unwrap();
        let records: Vec<u64> = events
            .iter()
            .filter_map(|e| match e {
                Event::Record { line, .. } => Some(*line),
                _ => None,
            })
            .collect();
        assert_eq!(records, vec![1, 11]);
        let rej = rejected(&events);
        let lines: Vec<u64> = rej.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 9, 10]);
        let reason = |line: u64| {
            rej.iter()
                .find(|r| r.0 == line)
                .map(|r| r.1.clone())
                .unwrap()
        };
        assert!(reason(2).starts_with("invalid JSON"), "{}", reason(2));
        assert!(
            reason(3).contains("missing field `author`"),
            "{}",
            reason(3)
        );
        assert!(reason(4).contains("invalid type"), "{}", reason(4));
        assert!(
            reason(5).contains("unknown record kind \"tweet\""),
            "{}",
            reason(5)
        );
        assert!(reason(6).contains("nested deeper than 8"), "{}", reason(6));
        assert!(reason(7).contains("400-byte limit"), "{}", reason(7));
        assert!(
            reason(9).contains("invalid RFC 3339 timestamp \"not a date\""),
            "{}",
            reason(9)
        );
        assert!(
            reason(10).contains("invalid UTF-8 at byte 23"),
            "{}",
            reason(10)
        );
    }

    #[test]
    fn rejected_raw_bytes_are_verbatim() {
        let limits = InputConfig::default();
        let events = read_all(b"{oops}\n", ctx(&limits)).unwrap();
        match &events[0] {
            Event::Rejected(r) => assert_eq!(r.raw, b"{oops}"),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn a_sink_can_stop_the_read() {
        let limits = InputConfig::default();
        let input = format!("{GOOD}\n{GOOD}\n{GOOD}\n");
        let mut seen = 0;
        read(
            &mut std::io::Cursor::new(input.as_bytes()),
            ctx(&limits),
            &mut |_e| {
                seen += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
        assert_eq!(seen, 1);
    }
}
