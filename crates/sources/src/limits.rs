//! Defences against hostile input: bounded lines and bounded JSON nesting.

use crate::{Event, ReadContext, Rejected, Sink, SourceError};
use std::io::{self, BufRead};
use vigie_core::Record;

/// The outcome of [`read_bounded_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRead {
    /// Bytes consumed from the reader, newline included; 0 means end of input.
    pub consumed: usize,
    /// The line was longer than the limit: `buf` holds only its first `max` bytes.
    pub overlong: bool,
}

/// Reads one line into `buf` (cleared first, newline and a preceding `\r` removed), keeping at most
/// `max` bytes. The rest of an over-long line is consumed and dropped, so memory stays bounded
/// whatever an adversary puts on one line.
pub fn read_bounded_line(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    buf.clear();
    let mut consumed = 0;
    let mut overlong = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let content = if done {
            &chunk[..take - 1]
        } else {
            &chunk[..take]
        };
        let room = max.saturating_sub(buf.len());
        if content.len() > room {
            overlong = true;
        }
        buf.extend_from_slice(&content[..content.len().min(room)]);
        r.consume(take);
        consumed += take;
        if done {
            break;
        }
    }
    if !overlong && buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(LineRead { consumed, overlong })
}

/// The loop every line-based reader shares: bounded lines with their numbers, an over-long line
/// rejected, `parse` turning a line into zero or more records (or a reason), each record checked
/// by the context's validator, rejections carrying the raw line. `parse` gets the line's bytes
/// and its number.
pub fn read_lines(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
    mut parse: impl FnMut(&[u8], u64) -> Result<Vec<Record>, String>,
) -> Result<(), SourceError> {
    let max = ctx.limits.max_record_bytes;
    let mut buf = Vec::with_capacity(4096);
    let mut line = 0u64;
    loop {
        let read = read_bounded_line(r, &mut buf, max).map_err(|e| SourceError::io(ctx.name, e))?;
        if read.consumed == 0 {
            return Ok(());
        }
        line += 1;
        let outcome = if read.overlong {
            Err(format!(
                "line longer than the {max}-byte limit (input.max_record_bytes)"
            ))
        } else {
            parse(&buf, line).and_then(|records| {
                records.iter().try_for_each(|rec| ctx.check(rec))?;
                Ok(records)
            })
        };
        match outcome {
            Ok(records) => {
                for record in records {
                    if sink.event(Event::Record { line, record }).is_break() {
                        return Ok(());
                    }
                }
            }
            Err(reason) => {
                let rejected = Rejected {
                    line,
                    reason,
                    raw: buf.clone(),
                };
                if sink.event(Event::Rejected(rejected)).is_break() {
                    return Ok(());
                }
            }
        }
    }
}

/// True when the JSON text nests objects/arrays deeper than `max` (brackets inside strings are
/// ignored). Checked before parsing so a deep document is rejected with a clear reason.
pub fn json_too_deep(bytes: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};

    #[test]
    fn long_lines_are_cut_and_the_next_line_is_intact() {
        let data = format!("{}\r\nshort\r\nlast", "x".repeat(100));
        // A tiny buffer forces the line to span many fill_buf calls.
        let mut r = BufReader::with_capacity(7, Cursor::new(data.into_bytes()));
        let mut buf = Vec::new();
        let first = read_bounded_line(&mut r, &mut buf, 10).unwrap();
        assert!(first.overlong);
        assert_eq!(first.consumed, 102);
        assert_eq!(buf, b"xxxxxxxxxx");
        let second = read_bounded_line(&mut r, &mut buf, 10).unwrap();
        assert!(!second.overlong);
        assert_eq!(buf, b"short");
        read_bounded_line(&mut r, &mut buf, 10).unwrap();
        assert_eq!(buf, b"last");
        assert_eq!(read_bounded_line(&mut r, &mut buf, 10).unwrap().consumed, 0);
    }

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        assert!(!json_too_deep(br#"{"a":[1,{"b":"[[[[[[[["}]}"#, 3));
        assert!(json_too_deep(br#"{"a":[[[1]]]}"#, 3));
        assert!(!json_too_deep(br#"{"a":"\"{{{{"}"#, 1));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(json_too_deep(deep.as_bytes(), 64));
    }
}
