//! Readers: every input format vigie accepts, mapped onto the records of SPEC §2.
//!
//! A reader pushes [`Event`]s into a [`Sink`]: a record with the line it started on, or a rejection
//! naming the line, the reason and the raw bytes (for quarantine). A bad record never stops a read;
//! only an unreadable input (I/O error, corrupt gzip) ends it with a [`SourceError`].

pub mod ad_library;
pub mod certstream;
pub mod coortweet;
mod csv_rows;
pub mod detect;
pub mod domain_list;
pub mod feed;
pub mod input;
pub mod ira;
pub mod jsonl;
pub mod limits;
pub mod mapped_csv;
pub mod telegram;
#[cfg(test)]
mod test_support;
pub mod twitter_io;

use std::io::BufRead;
use std::ops::ControlFlow;

pub use detect::{sniff, Format};
pub use input::{expand_inputs, open_input, Input, OpenedInput};
use vigie_core::config::InputConfig;
use vigie_core::Record;
use vigie_normalise::Normaliser;

/// A record that could not be accepted, with everything needed to report and quarantine it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// 1-based line (for JSON documents: the line where the element starts).
    pub line: u64,
    pub reason: String,
    /// The offending bytes, verbatim (cut at the record size limit).
    pub raw: Vec<u8>,
}

// Events are moved once from reader to sink; boxing every record would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Record { line: u64, record: Record },
    Rejected(Rejected),
}

/// Receives events; returning `Break` stops the read early (interrupt, or a test that has enough).
pub trait Sink {
    fn event(&mut self, event: Event) -> ControlFlow<()>;
}

impl<F: FnMut(Event) -> ControlFlow<()>> Sink for F {
    fn event(&mut self, event: Event) -> ControlFlow<()> {
        self(event)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{input}: cannot read: {source}")]
    Io {
        input: String,
        source: std::io::Error,
    },
    #[error("{input}: unrecognised format ({hint})")]
    Unrecognised { input: String, hint: String },
    #[error("{input}:{line}: unreadable {format} input: {reason}")]
    Malformed {
        input: String,
        format: &'static str,
        line: u64,
        reason: String,
    },
}

impl SourceError {
    pub(crate) fn io(input: &str, source: std::io::Error) -> SourceError {
        SourceError::Io {
            input: input.to_owned(),
            source,
        }
    }
}

/// What a reader needs besides the bytes.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    /// Display name of the input, for error messages.
    pub name: &'a str,
    pub limits: &'a InputConfig,
    /// When set, line-based readers validate each record while they still hold its raw bytes,
    /// so that a record refused for its content (an absurd date, an empty id) is quarantined
    /// verbatim rather than re-serialised.
    pub validator: Option<&'a Normaliser>,
}

impl<'a> ReadContext<'a> {
    pub fn new(name: &'a str, limits: &'a InputConfig) -> ReadContext<'a> {
        ReadContext {
            name,
            limits,
            validator: None,
        }
    }

    pub fn with_validator(self, validator: &'a Normaliser) -> ReadContext<'a> {
        ReadContext {
            validator: Some(validator),
            ..self
        }
    }

    /// The validator's verdict on `record` (always fine without a validator).
    pub fn check(&self, record: &Record) -> Result<(), String> {
        match self.validator {
            Some(v) => v.check(record).map_err(|reason| reason.to_string()),
            None => Ok(()),
        }
    }
}

/// Reads `reader`, already identified as `format`, pushing every record and rejection into `sink`.
pub fn read_format(
    format: Format,
    reader: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    match format {
        Format::NativeJsonl => jsonl::read(reader, ctx, sink),
        Format::IraCsv => ira::read(reader, ctx, sink),
        Format::TwitterIoTweets => twitter_io::read_tweets(reader, ctx, sink),
        Format::TwitterIoUsers => twitter_io::read_users(reader, ctx, sink),
        Format::CoortweetShares => coortweet::read_shares(reader, ctx, sink),
        Format::CoortweetRetweets => coortweet::read_retweets(reader, ctx, sink),
        Format::MappedCsv(i) => mapped_csv::read(reader, ctx, &ctx.limits.csv[i], sink),
        Format::TelegramJson => telegram::read(reader, ctx, sink),
        Format::Feed => feed::read(reader, ctx, sink),
        Format::DomainList => domain_list::read(reader, ctx, sink),
        Format::Certstream => certstream::read(reader, ctx, sink),
        Format::MetaAds => ad_library::read_meta(reader, ctx, sink),
        Format::GoogleAdsCsv => ad_library::read_google(reader, ctx, sink),
    }
}
