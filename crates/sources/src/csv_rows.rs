//! Shared CSV machinery: columns by header name (exports reorder them), bounded physical lines,
//! one rejection per bad row with its line number.

use crate::{Event, ReadContext, Rejected, Sink, SourceError};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::rc::Rc;
use vigie_core::Record;

/// A parsed row: fields by header name.
pub(crate) struct Row<'a> {
    /// The whole row's bytes, validated as UTF-8 once.
    text: &'a str,
    record: &'a csv::ByteRecord,
    header: &'a Header,
}

impl Row<'_> {
    /// The trimmed field under `name`, or `""` when the column or the value is absent.
    pub fn get(&self, name: &str) -> &str {
        self.header
            .index(name)
            .and_then(|i| self.record.range(i))
            .and_then(|r| self.text.get(r))
            .map(str::trim)
            .unwrap_or("")
    }

    /// `Some` non-empty value.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|s| !s.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.opt(name)
            .ok_or_else(|| format!("missing required column value `{name}`"))
    }

    /// Parses an optional count; `"1,234"`, `"1234.0"` and blanks are handled, garbage rejected.
    pub fn count(&self, name: &str) -> Result<Option<u64>, String> {
        match self.opt(name) {
            None => Ok(None),
            Some(v) => {
                let cleaned: String = v.chars().filter(|c| *c != ',' && *c != '_').collect();
                cleaned
                    .parse::<u64>()
                    .ok()
                    .or_else(|| {
                        cleaned
                            .parse::<f64>()
                            .ok()
                            .filter(|f| *f >= 0.0 && f.is_finite())
                            .map(|f| f as u64)
                    })
                    .map(Some)
                    .ok_or_else(|| format!("column `{name}`: {v:?} is not a count"))
            }
        }
    }
}

pub(crate) struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// Passes bytes through but cuts any physical line beyond `max` bytes, remembering where (in
/// output offsets) it cut, so the row that contained it can be rejected.
struct LineLimited<R> {
    inner: R,
    max: usize,
    line_len: usize,
    skipping: bool,
    emitted: u64,
    cuts: Rc<RefCell<VecDeque<u64>>>,
}

impl<R: BufRead> Read for LineLimited<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() || out.is_empty() {
                return Ok(0);
            }
            let nl = memchr::memchr(b'\n', chunk);
            let seg_end = nl.map(|i| i + 1).unwrap_or(chunk.len());
            if self.skipping {
                // Drop the rest of an over-long line, up to (not including) its newline.
                let drop = nl.unwrap_or(chunk.len());
                self.inner.consume(drop);
                if nl.is_some() {
                    self.skipping = false;
                    self.line_len = 0;
                }
                continue;
            }
            let room = self.max.saturating_sub(self.line_len);
            let content = nl.unwrap_or(chunk.len());
            if content > room {
                let n = room.min(out.len());
                out[..n].copy_from_slice(&chunk[..n]);
                self.inner.consume(n);
                self.line_len += n;
                self.emitted += n as u64;
                if n == room {
                    self.skipping = true;
                    self.cuts.borrow_mut().push_back(self.emitted);
                }
                if n > 0 {
                    return Ok(n);
                }
                continue;
            }
            let n = seg_end.min(out.len());
            out[..n].copy_from_slice(&chunk[..n]);
            self.inner.consume(n);
            self.emitted += n as u64;
            if nl.is_some() && n == seg_end {
                self.line_len = 0;
            } else {
                self.line_len += n;
            }
            return Ok(n);
        }
    }
}

/// Reads a CSV with a header row and calls `map_row` for each data row; `map_row` pushes the
/// records the row yields (or returns a reason to reject it).
pub(crate) fn read_rows(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    delimiter: u8,
    mut map_row: impl FnMut(&Row<'_>, &mut Vec<Record>) -> Result<(), String>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let cuts = Rc::new(RefCell::new(VecDeque::new()));
    let limited = LineLimited {
        inner: r,
        max: ctx.limits.max_record_bytes,
        line_len: 0,
        skipping: false,
        emitted: 0,
        cuts: Rc::clone(&cuts),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(limited);
    let mut raw = csv::ByteRecord::new();
    let io_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => SourceError::io(ctx.name, e),
        other => SourceError::Malformed {
            input: ctx.name.to_owned(),
            format: "CSV",
            line: 0,
            reason: format!("{other:?}"),
        },
    };
    if !reader.read_byte_record(&mut raw).map_err(io_err)? {
        return Ok(());
    }
    let header = Header {
        names: raw
            .iter()
            .map(|h| {
                let h = String::from_utf8_lossy(h);
                let h = h.strip_prefix('\u{feff}').unwrap_or(&h);
                h.trim().to_lowercase()
            })
            .collect(),
    };
    let mut records = Vec::new();
    let mut start = reader.position().byte();
    loop {
        let line = reader.position().line();
        if !reader.read_byte_record(&mut raw).map_err(io_err)? {
            return Ok(());
        }
        let end = reader.position().byte();
        let overlong = {
            let mut c = cuts.borrow_mut();
            let mut hit = false;
            while c.front().is_some_and(|&cut| cut <= end) {
                hit |= c.pop_front().is_some_and(|cut| cut > start);
            }
            hit
        };
        start = end;
        records.clear();
        let outcome = if overlong {
            Err(format!(
                "a line of this row is longer than the {}-byte limit (input.max_record_bytes)",
                ctx.limits.max_record_bytes
            ))
        } else if raw.len() != header.names.len() {
            Err(format!(
                "{} fields where the header has {}",
                raw.len(),
                header.names.len()
            ))
        } else {
            // Fields are contiguous in the record's buffer: one validation covers them all.
            match std::str::from_utf8(raw.as_slice()) {
                Err(e) => Err(format!(
                    "invalid UTF-8 in column `{}`",
                    (0..raw.len())
                        .find(|&i| raw.range(i).is_some_and(|r| r.end > e.valid_up_to()))
                        .and_then(|i| header.names.get(i))
                        .map(String::as_str)
                        .unwrap_or("?")
                )),
                Ok(text) => map_row(
                    &Row {
                        text,
                        record: &raw,
                        header: &header,
                    },
                    &mut records,
                )
                .and_then(|()| records.iter().try_for_each(|r| ctx.check(r))),
            }
        };
        let flow = match outcome {
            Ok(()) => {
                let mut flow = std::ops::ControlFlow::Continue(());
                for record in records.drain(..) {
                    flow = sink.event(Event::Record { line, record });
                    if flow.is_break() {
                        break;
                    }
                }
                flow
            }
            Err(reason) => sink.event(Event::Rejected(Rejected {
                line,
                reason,
                raw: raw_line(&raw, delimiter),
            })),
        };
        if flow.is_break() {
            return Ok(());
        }
    }
}

/// The row's fields joined back with the delimiter (quotes re-added where needed), for quarantine.
fn raw_line(rec: &csv::ByteRecord, delimiter: u8) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    if w.write_byte_record(rec).is_err() {
        return rec.as_slice().to_vec();
    }
    let mut out = w.into_inner().unwrap_or_default();
    if out.last() == Some(&b'\n') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::ControlFlow;
    use vigie_core::config::InputConfig;

    fn rows(data: &str, max: usize) -> Vec<Result<(u64, String), (u64, String)>> {
        let limits = InputConfig {
            max_record_bytes: max,
            ..InputConfig::default()
        };
        let ctx = ReadContext::new("t.csv", &limits);
        let mut out = Vec::new();
        read_rows(
            &mut std::io::Cursor::new(data.as_bytes()),
            ctx,
            b',',
            |row, recs| {
                let text = row.required("text")?.to_owned();
                recs.push(vigie_core::Record::Domain(vigie_core::DomainRecord::new(
                    text,
                )));
                Ok(())
            },
            &mut |e| {
                out.push(match e {
                    Event::Record { line, record } => Ok((line, record.id().to_owned())),
                    Event::Rejected(r) => Err((r.line, r.reason)),
                });
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        out
    }

    #[test]
    fn rows_keep_their_line_numbers_across_multiline_fields() {
        let got = rows("id,text\n1,a\n2,\"multi\nline\"\n3,c\n", 1000);
        assert_eq!(
            got,
            vec![
                Ok((2, "a".into())),
                Ok((3, "multi\nline".into())),
                Ok((5, "c".into()))
            ]
        );
    }

    #[test]
    fn invalid_utf8_names_its_column() {
        let limits = InputConfig::default();
        let ctx = ReadContext::new("t.csv", &limits);
        let mut got = Vec::new();
        read_rows(
            &mut std::io::Cursor::new(&b"id,text,more\n1,ok\xff,x\n2,fine,y\n"[..]),
            ctx,
            b',',
            |row, _| {
                assert_eq!(row.get("more").len(), 1);
                Ok(())
            },
            &mut |e| {
                got.push(e);
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(got.len(), 1, "only the bad row yields an event here");
        let Event::Rejected(r) = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(r.line, 2);
        assert_eq!(r.reason, "invalid UTF-8 in column `text`");
    }

    #[test]
    fn bad_rows_are_rejected_and_neighbours_kept() {
        let long = "z".repeat(500);
        let data = format!("id,text\n1,a\n2,{long}\n3,b,extra\n4,\n5,ok\n");
        let got = rows(&data, 100);
        assert_eq!(got[0], Ok((2, "a".into())));
        assert!(
            matches!(&got[1], Err((3, r)) if r.contains("100-byte limit")),
            "{:?}",
            got[1]
        );
        assert!(
            matches!(&got[2], Err((4, r)) if r.contains("3 fields where the header has 2")),
            "{:?}",
            got[2]
        );
        assert!(
            matches!(&got[3], Err((5, r)) if r.contains("`text`")),
            "{:?}",
            got[3]
        );
        assert_eq!(got[4], Ok((6, "ok".into())));
    }
}
