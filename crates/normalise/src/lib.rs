//! Ingest-time normalisation, done once per record for every detector (SPEC §2).
//!
//! [`Normaliser::normalise`] validates a [`Record`], fills in the fields SPEC §2 says are derived
//! when absent (hashtags, mentions and URLs from text, language by detection), canonicalises
//! identifiers detectors compare (platforms, languages, domains, hashtags) and computes
//! [`Derived`] data: folded text, canonical URLs and registrable domains.
//!
//! The building blocks are public for adapters and detectors: [`text`] (folding, entity
//! extraction), [`urls`] (URL canonicalisation, registrable domains), [`time`] (timestamp forms of
//! real exports), [`lang`] (language codes and detection).

pub mod domains;
pub mod lang;
pub mod text;
pub mod time;
pub mod urls;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use vigie_core::config::InputConfig;
use vigie_core::record::{Account, Ad, Article, DomainRecord, Media, Post, Record};

/// Data derived from a record at ingest, stored beside it for detectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// [`text::fold`] of the record's main text: post/ad text, article title and text, account bio,
    /// domain page title. Not serialised: the store keeps it in its own column.
    #[serde(skip)]
    pub text: String,
    /// Canonical URLs of the record ([`urls::canonical_url`]), deduplicated, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Registrable domains of those URLs, plus the article's site or the domain record's own
    /// domain; a host whose suffix is unknown stands for itself; IPs are left out. Sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// True when the record's `lang` was filled by detection rather than declared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lang_detected: bool,
}

/// A validated, normalised record and what was derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    pub record: Record,
    pub derived: Derived,
}

/// A refused record: why, and the record itself (for the quarantine file).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{reason}")]
pub struct Rejection {
    pub reason: Reason,
    record: Box<Record>,
}

impl Rejection {
    /// The record as it was given to [`Normaliser::normalise`]. Always present today; an `Option`
    /// so that rejections raised before a record exists can share the type.
    pub fn record(&self) -> Option<&Record> {
        Some(&self.record)
    }

    pub fn into_record(self) -> Record {
        *self.record
    }
}

/// Why a record was refused; the message is one line meant for the quarantine report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Reason {
    #[error("empty required field `{field}`")]
    EmptyField { field: &'static str },
    #[error("absurd timestamp {field}={} (before {min_year})", rfc3339(.value))]
    TooOld {
        field: &'static str,
        value: DateTime<Utc>,
        min_year: i32,
    },
    #[error(
        "absurd timestamp {field}={} (more than {max_future_days} days in the future)",
        rfc3339(.value)
    )]
    InFuture {
        field: &'static str,
        value: DateTime<Utc>,
        max_future_days: i64,
    },
    #[error("field `{field}` too long ({len} bytes > {limit})")]
    TooLong {
        field: &'static str,
        len: usize,
        limit: usize,
    },
    #[error("invalid domain in `{field}`: {value:?}")]
    InvalidDomain { field: &'static str, value: String },
}

fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Validates and normalises records; built once from the `[input]` configuration. `Sync`: one
/// instance serves every reader thread.
#[derive(Debug, Clone)]
pub struct Normaliser {
    min_year: i32,
    earliest: DateTime<Utc>,
    max_future_days: i64,
    max_future: TimeDelta,
    max_bytes: usize,
    detect_lang: bool,
}

impl Normaliser {
    /// `max_record_bytes` bounds each free-text field (0 means no bound).
    pub fn new(cfg: &InputConfig) -> Normaliser {
        let earliest = NaiveDate::from_ymd_opt(cfg.min_year, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.and_utc());
        Normaliser {
            min_year: cfg.min_year,
            earliest,
            max_future_days: cfg.max_future_days,
            max_future: TimeDelta::try_days(cfg.max_future_days.max(0)).unwrap_or(TimeDelta::MAX),
            max_bytes: if cfg.max_record_bytes == 0 {
                usize::MAX
            } else {
                cfg.max_record_bytes
            },
            detect_lang: true,
        }
    }

    /// Turns language detection for posts and articles without a declared language on (the
    /// default) or off. Detection costs 15–70 µs per text (whatlang), against about 2 µs for the
    /// rest of normalising a tweet: switch it off when throughput matters more than `lang`.
    pub fn with_lang_detection(mut self, on: bool) -> Normaliser {
        self.detect_lang = on;
        self
    }

    /// Validates `record`, fills derived fields, and computes [`Derived`]. A rejected record is
    /// handed back unchanged inside the [`Rejection`].
    pub fn normalise(&self, record: Record) -> Result<Normalised, Rejection> {
        let domain = match self.validate(&record) {
            Ok(d) => d,
            Err(reason) => {
                return Err(Rejection {
                    reason,
                    record: Box::new(record),
                })
            }
        };
        let mut derived = Derived::default();
        let record = match record {
            Record::Post(p) => Record::Post(self.post(p, &mut derived)),
            Record::Account(a) => Record::Account(account(a, &mut derived)),
            Record::Article(a) => Record::Article(self.article(a, domain, &mut derived)),
            Record::Domain(d) => Record::Domain(domain_record(d, domain, &mut derived)),
            Record::Ad(a) => Record::Ad(ad(a, &mut derived)),
            Record::Media(m) => Record::Media(media(m)),
        };
        sort_dedup(&mut derived.urls);
        sort_dedup(&mut derived.domains);
        Ok(Normalised { record, derived })
    }

    /// Whether `record` would be accepted, without normalising it: readers call this while they
    /// still hold the raw bytes, so a refused record can be quarantined verbatim.
    pub fn check(&self, record: &Record) -> Result<(), Reason> {
        self.validate(record).map(|_| ())
    }

    /// Every check, before anything is changed. Returns the normalised domain of an article's
    /// `site` or a domain record's `domain`, computed here because an invalid one rejects.
    fn validate(&self, record: &Record) -> Result<Option<String>, Reason> {
        self.check_timestamps(record)?;
        match record {
            Record::Post(p) => {
                require("id", &p.id)?;
                require("platform", &p.platform)?;
                require("author", &p.author)?;
                self.check_len("text", &p.text)?;
            }
            Record::Account(a) => {
                require("id", &a.id)?;
                require("platform", &a.platform)?;
                require("handle", &a.handle)?;
                self.check_len_opt("bio", a.bio.as_deref())?;
            }
            Record::Article(a) => {
                require("url", &a.url)?;
                require("site", &a.site)?;
                self.check_len("title", &a.title)?;
                self.check_len("text", &a.text)?;
                let site = urls::normalise_domain(&a.site);
                return site
                    .map(Some)
                    .ok_or_else(|| invalid_domain("site", &a.site));
            }
            Record::Domain(d) => {
                require("domain", &d.domain)?;
                self.check_len_opt("title", d.title.as_deref())?;
                self.check_len_opt("html", d.html.as_deref())?;
                let domain = urls::normalise_domain(&d.domain);
                return domain
                    .map(Some)
                    .ok_or_else(|| invalid_domain("domain", &d.domain));
            }
            Record::Ad(a) => {
                require("id", &a.id)?;
                require("platform", &a.platform)?;
                require("page_id", &a.page_id)?;
                self.check_len("text", &a.text)?;
            }
            Record::Media(m) => {
                require("id", &m.id)?;
                require("sha256", &m.sha256)?;
            }
        }
        Ok(None)
    }

    fn check_timestamps(&self, record: &Record) -> Result<(), Reason> {
        // Taken per record, not at construction: a long-running service must not drift.
        let latest = Utc::now()
            .checked_add_signed(self.max_future)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        for (field, value) in record.timestamps() {
            if value < self.earliest {
                return Err(Reason::TooOld {
                    field,
                    value,
                    min_year: self.min_year,
                });
            }
            if value > latest {
                return Err(Reason::InFuture {
                    field,
                    value,
                    max_future_days: self.max_future_days,
                });
            }
        }
        Ok(())
    }

    fn check_len(&self, field: &'static str, s: &str) -> Result<(), Reason> {
        if s.len() > self.max_bytes {
            return Err(Reason::TooLong {
                field,
                len: s.len(),
                limit: self.max_bytes,
            });
        }
        Ok(())
    }

    fn check_len_opt(&self, field: &'static str, s: Option<&str>) -> Result<(), Reason> {
        s.map_or(Ok(()), |s| self.check_len(field, s))
    }

    fn post(&self, mut p: Post, derived: &mut Derived) -> Post {
        lower_trim(&mut p.platform);
        let ents = text::extract_entities(
            &p.text,
            p.urls.is_empty(),
            p.hashtags.is_empty(),
            p.mentions.is_empty(),
        );
        if p.urls.is_empty() {
            p.urls = ents.urls;
        }
        if p.hashtags.is_empty() {
            p.hashtags = ents.hashtags;
        } else {
            normalise_tags(&mut p.hashtags, ['#', '＃']);
        }
        if p.mentions.is_empty() {
            p.mentions = ents.mentions;
        } else {
            normalise_tags(&mut p.mentions, ['@', '＠']);
        }

        let detect = || {
            self.detect_lang
                .then(|| lang::detect_lang(&p.text))
                .flatten()
        };
        p.lang = resolve_lang(p.lang.take(), detect, derived);
        text::fold_into(&mut derived.text, &p.text);
        for u in &p.urls {
            add_url(derived, u);
        }
        p
    }

    fn article(&self, mut a: Article, site: Option<String>, derived: &mut Derived) -> Article {
        if let Some(site) = site {
            a.site = site;
        }
        let detect = || {
            if !self.detect_lang {
                return None;
            }
            // Title and the start of the body: enough for detection, bounded copy.
            let sample = format!("{} {}", a.title, prefix(&a.text, 2048));
            lang::detect_lang(&sample)
        };
        a.lang = resolve_lang(a.lang.take(), detect, derived);

        text::fold_into(&mut derived.text, &a.title);
        text::fold_into(&mut derived.text, &a.text);
        add_url(derived, &a.url);
        if let Some(src) = &a.source_url {
            add_url(derived, src);
        }
        push_site(derived, &a.site);
        a
    }
}

fn account(mut a: Account, derived: &mut Derived) -> Account {
    lower_trim(&mut a.platform);
    if let Some(bio) = &a.bio {
        text::fold_into(&mut derived.text, bio);
    }
    a
}

fn domain_record(
    mut d: DomainRecord,
    domain: Option<String>,
    derived: &mut Derived,
) -> DomainRecord {
    if let Some(domain) = domain {
        d.domain = domain;
    }
    for ns in &mut d.nameservers {
        // Nameservers are compared across records: same form as domains, else left as given.
        if let Some(n) = urls::normalise_domain(ns) {
            *ns = n;
        }
    }
    if let Some(title) = &d.title {
        text::fold_into(&mut derived.text, title);
    }
    push_site(derived, &d.domain);
    d
}

fn ad(mut a: Ad, derived: &mut Derived) -> Ad {
    lower_trim(&mut a.platform);
    text::fold_into(&mut derived.text, &a.text);
    if let Some(u) = &a.url {
        add_url(derived, u);
    }
    a
}

fn media(mut m: Media) -> Media {
    // Hashes are compared as hex strings: one case.
    lower_trim(&mut m.sha256);
    if let Some(ph) = &mut m.phash {
        lower_trim(ph);
    }
    for ph in &mut m.phash_windows {
        lower_trim(ph);
    }
    m
}

fn require(field: &'static str, value: &str) -> Result<(), Reason> {
    if value.trim().is_empty() {
        return Err(Reason::EmptyField { field });
    }
    Ok(())
}

fn invalid_domain(field: &'static str, value: &str) -> Reason {
    // Hostile values can be megabytes long: the report keeps a readable prefix.
    Reason::InvalidDomain {
        field,
        value: prefix(value, 200).to_owned(),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Trims and lower-cases in place, allocating only when something changes.
fn lower_trim(s: &mut String) {
    let t = s.trim();
    if t.len() == s.len() && !t.chars().any(char::is_uppercase) {
        return;
    }
    *s = t.to_lowercase();
}

/// Declared hashtags/mentions in the same form extraction gives: no sigil, folded, unique.
fn normalise_tags(tags: &mut Vec<String>, sigils: [char; 2]) {
    for t in tags.iter_mut() {
        let body = t.trim().trim_start_matches(sigils);
        let clean = body.len() == t.len()
            && body
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b > b' ');
        if !clean {
            *t = text::fold(body);
        }
    }
    text::dedup_keep_order(tags);
}

/// A declared language normalised; when absent or undetermined, a detected one (flagged).
fn resolve_lang(
    declared: Option<String>,
    detect: impl FnOnce() -> Option<&'static str>,
    derived: &mut Derived,
) -> Option<String> {
    if let Some(l) = declared.as_deref().and_then(lang::normalise_lang) {
        return Some(l);
    }
    let detected = detect()?;
    derived.lang_detected = true;
    Some(detected.to_owned())
}

fn add_url(derived: &mut Derived, raw: &str) {
    let Some(url) = urls::canonical_parsed(raw) else {
        return;
    };
    if let Some(h) = url.host_str() {
        push_site(derived, h);
    }
    derived.urls.push(url.into());
}

/// Adds the registrable domain of `host`, or the host itself when its suffix is unknown; never IPs.
fn push_site(derived: &mut Derived, host: &str) {
    if let Some(d) = urls::registrable_domain(host) {
        derived.domains.push(d);
    } else if !urls::is_ip(host) && host.contains('.') {
        derived.domains.push(host.to_owned());
    }
}

fn sort_dedup(v: &mut Vec<String>) {
    if v.len() > 1 {
        v.sort_unstable();
        v.dedup();
    }
}

#[cfg(test)]
mod tests;
