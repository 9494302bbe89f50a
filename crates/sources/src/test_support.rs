//! What the readers' tests share: running a reader over bytes, and the real format samples.

use crate::{Event, ReadContext, Sink, SourceError};
use std::io::BufRead;
use std::ops::ControlFlow;
use vigie_core::config::InputConfig;
use vigie_core::{Post, Record};

pub(crate) type ReadFn =
    fn(&mut dyn BufRead, ReadContext<'_>, &mut dyn Sink) -> Result<(), SourceError>;

/// Every event of `read` over `data` (named `name`), and how the read ended.
pub(crate) fn run(
    read: ReadFn,
    name: &str,
    data: &[u8],
    limits: &InputConfig,
) -> (Vec<Event>, Result<(), SourceError>) {
    let mut out = Vec::new();
    let result = read(
        &mut std::io::Cursor::new(data),
        ReadContext::new(name, limits),
        &mut |e| {
            out.push(e);
            ControlFlow::Continue(())
        },
    );
    (out, result)
}

/// The events of a read that must end well.
pub(crate) fn events(read: ReadFn, name: &str, data: &[u8], limits: &InputConfig) -> Vec<Event> {
    let (events, result) = run(read, name, data, limits);
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    events
}

/// A real input sample from ../shared/data/formats; `None`, with a message, when it is absent.
pub(crate) fn sample(name: &str) -> Option<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/formats")
        .join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!(
                "skipping: {} absent (../shared/data not mounted)",
                path.display()
            );
            None
        }
    }
}

/// The posts among `events`, with their lines.
pub(crate) fn posts(events: &[Event]) -> Vec<(u64, &Post)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Record {
                line,
                record: Record::Post(p),
            } => Some((*line, p)),
            _ => None,
        })
        .collect()
}

/// The rejections among `events`: line and reason.
pub(crate) fn rejections(events: &[Event]) -> Vec<(u64, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Rejected(r) => Some((r.line, r.reason.clone())),
            _ => None,
        })
        .collect()
}
