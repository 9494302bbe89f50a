//! `electoral_process`: posts and articles stating voting dates, hours, methods, eligibility,
//! places or postponements that contradict the configured `[[election]]` facts (SPEC §5.5).
//!
//! Each text is scanned once by the lexicons' Aho-Corasick automaton (see [`crate::lexicon`]);
//! only texts holding election vocabulary go on to the date and hour expressions (regexes built
//! from our own month names). Claims are read per sentence: a negation in the same clause ("you
//! cannot vote by SMS"), a debunk anywhere in the text ("FAKE: ..."), a past year or another
//! country's name in the sentence make it no claim. Relative dates ("tomorrow", "next Sunday")
//! resolve against the post's time in the election's timezone. A claim is reported only when it
//! contradicts every election the text can be about (same language, named country, nearest in
//! time). One alert groups the posts making the same claim in the same language.

use crate::lexicon::{self, Hit, MappedFold, Matcher, MatcherBuilder};
use crate::{Context, DetectError, Detector};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use regex::Regex;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};
use vigie_store::TextRow;

pub const NAME: &str = "electoral_process";

/// Lexicon files and the evidence cut: all this detector is configured with.
pub type Settings = crate::lexicon::LexiconSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    InPerson,
    Proxy,
    Postal,
    Online,
    Sms,
    Phone,
    App,
    Email,
}

impl Method {
    const ALL: [Method; 8] = [
        Method::InPerson,
        Method::Proxy,
        Method::Postal,
        Method::Online,
        Method::Sms,
        Method::Phone,
        Method::App,
        Method::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::InPerson => "in_person",
            Method::Proxy => "proxy",
            Method::Postal => "postal",
            Method::Online => "online",
            Method::Sms => "sms",
            Method::Phone => "phone",
            Method::App => "app",
            Method::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cat {
    Context,
    VoteVerb,
    Weekday(u8),
    Today,
    Tomorrow,
    AfterTomorrow,
    Next,
    Midnight,
    Noon,
    Close,
    Open,
    Negation,
    Debunk,
    Register,
    Postpone,
    Cancel,
    PlaceChange,
    CannotVote,
    VoteTwice,
    SeparateDays,
    EligibilityOk,
    OtherRef,
    Month,
    Method(Method),
    Country(u16),
}

/// What a sentence states about the vote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClaimKind {
    Date {
        day: u32,
        month: u32,
        year: Option<i32>,
    },
    Weekday(u8),
    /// Days after the post's local date: 0 today, 1 tomorrow, 2 the day after.
    Relative(i64),
    Close(u32),
    Open(u32),
    Method(Method),
    Postpone,
    Cancel,
    PlaceChange,
    CannotVote,
    VoteTwice,
    SeparateDays,
}

impl ClaimKind {
    pub fn name(&self) -> &'static str {
        match self {
            ClaimKind::Date { .. } | ClaimKind::Weekday(_) | ClaimKind::Relative(_) => {
                "voting_date"
            }
            ClaimKind::Close(_) | ClaimKind::Open(_) => "poll_hours",
            ClaimKind::Method(_) => "voting_method",
            ClaimKind::Postpone | ClaimKind::Cancel => "postponement",
            ClaimKind::PlaceChange => "polling_place",
            ClaimKind::CannotVote | ClaimKind::VoteTwice | ClaimKind::SeparateDays => "eligibility",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub kind: ClaimKind,
    /// Byte range in the analysed (folded) text.
    pub start: usize,
    pub end: usize,
    /// Configured countries named in the sentence.
    countries: Vec<String>,
}

/// One configured election, parsed.
#[derive(Debug, Clone)]
pub struct Facts {
    pub name: String,
    pub country: Option<String>,
    pub tz: Tz,
    pub days: Vec<NaiveDate>,
    pub open: Option<u32>,
    pub close: Option<u32>,
    pub methods: Vec<Method>,
    pub registration_deadline: Option<NaiveDate>,
}

/// Official languages by country, for choosing which election a text is about.
const COUNTRY_LANGS: &[(&str, &[&str])] = &[
    ("AT", &["de"]),
    ("BE", &["fr", "nl", "de"]),
    ("BR", &["pt"]),
    ("CH", &["de", "fr", "it"]),
    ("DE", &["de"]),
    ("ES", &["es"]),
    ("FR", &["fr"]),
    ("GB", &["en"]),
    ("IE", &["en"]),
    ("IT", &["it"]),
    ("LU", &["fr", "de"]),
    ("MT", &["en"]),
    ("PL", &["pl"]),
    ("PT", &["pt"]),
    ("US", &["en"]),
];

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60).then_some(h * 60 + m)
}

fn hhmm(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl Facts {
    pub fn from_config(e: &vigie_core::config::Election) -> Result<Facts, DetectError> {
        let bad = |what: String| DetectError::Failed {
            detector: NAME,
            reason: format!("election {:?}: {what}", e.name),
        };
        let tz: Tz = match &e.timezone {
            Some(t) => t
                .parse()
                .map_err(|_| bad(format!("unknown timezone {t:?}")))?,
            None => Tz::UTC,
        };
        let mut days = Vec::new();
        for d in &e.voting_days {
            days.push(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| bad(format!("voting day {d:?} is not YYYY-MM-DD")))?,
            );
        }
        days.sort_unstable();
        let hour = |v: &Option<String>, what: &str| -> Result<Option<u32>, DetectError> {
            v.as_deref()
                .map(|s| parse_hhmm(s).ok_or_else(|| bad(format!("{what} {s:?} is not HH:MM"))))
                .transpose()
        };
        let mut methods = Vec::new();
        for m in &e.methods {
            methods.push(Method::parse(m).ok_or_else(|| bad(format!("unknown method {m:?}")))?);
        }
        let registration_deadline = e
            .registration_deadline
            .as_deref()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| bad(format!("registration_deadline {d:?} is not YYYY-MM-DD")))
            })
            .transpose()?;
        Ok(Facts {
            name: e.name.clone(),
            country: e.country.as_ref().map(|c| c.to_uppercase()),
            tz,
            days,
            open: hour(&e.polls_open, "polls_open")?,
            close: hour(&e.polls_close, "polls_close")?,
            methods,
            registration_deadline,
        })
    }

    fn speaks(&self, lang: &str) -> bool {
        let Some(c) = &self.country else {
            return false;
        };
        COUNTRY_LANGS
            .iter()
            .any(|(k, langs)| k == c && langs.contains(&lang))
    }

    fn days_text(&self) -> String {
        let days: Vec<String> = self.days.iter().map(|d| d.to_string()).collect();
        format!("voting days: {} ({})", days.join(", "), self.tz.name())
    }

    /// Days from `date` to the voting period (0 inside it, negative after it).
    fn distance(&self, date: NaiveDate) -> i64 {
        match (self.days.first(), self.days.last()) {
            (Some(first), Some(last)) => {
                if date < *first {
                    (*first - date).num_days()
                } else if date > *last {
                    -(date - *last).num_days()
                } else {
                    0
                }
            }
            _ => i64::MAX,
        }
    }

    /// The fact a claim contradicts, with the claimed value in words, or `None` when it agrees
    /// with this election (or cannot be checked against it).
    fn contradiction(&self, claim: &ClaimKind, at: DateTime<Utc>) -> Option<(String, String)> {
        let today = at.with_timezone(&self.tz).date_naive();
        let voting = |d: NaiveDate| self.days.contains(&d);
        let (first, last) = (*self.days.first()?, *self.days.last()?);
        match *claim {
            ClaimKind::Date { day, month, year } => {
                let date = resolve_date(day, month, year, today)?;
                // A date already past when posted, or the registration deadline, is no claim
                // about when to vote.
                if date < today || voting(date) || Some(date) == self.registration_deadline {
                    return None;
                }
                Some((self.days_text(), date.to_string()))
            }
            ClaimKind::Weekday(wd) => {
                let near = today <= last && (first - today).num_days() <= 30;
                let voting_weekday = self
                    .days
                    .iter()
                    .any(|d| d.weekday().num_days_from_monday() == u32::from(wd));
                if !near || voting_weekday {
                    return None;
                }
                let mut date = today + Duration::days(1);
                while date.weekday().num_days_from_monday() != u32::from(wd) {
                    date += Duration::days(1);
                }
                Some((self.days_text(), format!("{} ({date})", weekday_name(wd))))
            }
            ClaimKind::Relative(k) => {
                let date = today + Duration::days(k);
                // "Tomorrow we vote" misleads on the eve or the day itself; days earlier it is
                // more likely about another vote.
                let near = today <= last && (first - today).num_days() <= 2;
                if !near || voting(date) {
                    return None;
                }
                let word = ["today", "tomorrow", "the day after tomorrow"];
                let w = word.get(k as usize).copied().unwrap_or("later");
                Some((self.days_text(), format!("{w} ({date})")))
            }
            ClaimKind::Close(m) => {
                let close = self.close?;
                let same = m == close || (m % 1440 == 0 && close % 1440 == 0);
                (!same).then(|| {
                    (
                        format!("polls close at {} ({})", hhmm(close), self.tz.name()),
                        format!("polls close at {}", hhmm(m)),
                    )
                })
            }
            ClaimKind::Open(m) => {
                let open = self.open?;
                (m != open).then(|| {
                    (
                        format!("polls open at {} ({})", hhmm(open), self.tz.name()),
                        format!("polls open at {}", hhmm(m)),
                    )
                })
            }
            ClaimKind::Method(m) => {
                if self.methods.is_empty() || self.methods.contains(&m) {
                    return None;
                }
                let allowed: Vec<&str> = self.methods.iter().map(|m| m.as_str()).collect();
                Some((
                    format!("voting methods: {}", allowed.join(", ")),
                    format!("voting by {}", m.as_str()),
                ))
            }
            ClaimKind::Postpone | ClaimKind::Cancel => {
                // After the vote, "cancelled" is about results, which facts do not cover.
                if today > last {
                    return None;
                }
                let what = if *claim == ClaimKind::Cancel {
                    "vote cancelled"
                } else {
                    "vote postponed"
                };
                Some((self.days_text(), what.to_owned()))
            }
            ClaimKind::PlaceChange => Some((
                "no change of polling places is configured for this election".to_owned(),
                "polling place changed".to_owned(),
            )),
            ClaimKind::CannotVote => Some((
                "every registered voter may vote in person on the voting days".to_owned(),
                "a group of voters cannot or need not vote".to_owned(),
            )),
            ClaimKind::VoteTwice => Some((
                "one vote per registered voter".to_owned(),
                "voting more than once is allowed".to_owned(),
            )),
            ClaimKind::SeparateDays => Some((
                self.days_text() + " for every voter",
                "groups of voters vote on different days".to_owned(),
            )),
        }
    }
}

fn weekday_name(wd: u8) -> &'static str {
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .get(wd as usize)
    .copied()
    .unwrap_or("?")
}

/// A day and month without a year is the next such date within a year of `today`, or one
/// up to two months back (a recent date).
fn resolve_date(day: u32, month: u32, year: Option<i32>, today: NaiveDate) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let this = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if this < today - Duration::days(60) {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    } else {
        Some(this)
    }
}

/// The compiled lexicons and expressions of the detector.
pub struct Analyser {
    matcher: Matcher<Cat>,
    /// The words that can start a claim, unanchored: a text with none of them and no digit
    /// claims nothing, and most texts stop at this cheap test.
    pub(crate) trigger_words: Vec<String>,
    triggers: lexicon::Prefilter,
    /// Words that open and join an hour range ("de 8h à 20h"), checked around hours only:
    /// as lexicon hits they would match in almost every text.
    range_from: HashSet<String>,
    range_to: HashSet<String>,
    countries: Vec<String>,
    months: HashMap<String, u32>,
    date_re: Regex,
    hour_re: Regex,
    year_re: Regex,
}

impl Analyser {
    pub fn new(extra_lexicons: &[String]) -> Result<Analyser, DetectError> {
        let lexicons = lexicon::load(extra_lexicons)?;
        let mut b = MatcherBuilder::new(lexicons.iter().map(|l| l.lang.clone()).collect());
        let mut countries: Vec<String> = Vec::new();
        let mut months: HashMap<String, u32> = HashMap::new();
        let mut range_from = HashSet::new();
        let mut range_to = HashSet::new();
        let mut trigger_words: Vec<String> = Vec::new();
        for (i, lex) in lexicons.iter().enumerate() {
            let l = u8::try_from(i).map_err(|_| DetectError::Failed {
                detector: NAME,
                reason: "too many lexicon languages".into(),
            })?;
            let e = &lex.electoral;
            b.add_all(&e.context, l, Cat::Context);
            b.add_all(&e.vote_verbs, l, Cat::VoteVerb);
            range_from.extend(e.range_from.iter().map(|w| vigie_normalise::text::fold(w)));
            range_to.extend(e.range_to.iter().map(|w| vigie_normalise::text::fold(w)));
            for (d, names) in e.weekdays.iter().enumerate().take(7) {
                b.add_all(names, l, Cat::Weekday(d as u8));
            }
            for (m, names) in e.months.iter().enumerate().take(12) {
                b.add_all(names, l, Cat::Month);
                for n in names {
                    months.insert(vigie_normalise::text::fold(n), m as u32 + 1);
                }
            }
            for (terms, cat) in [
                (&e.today, Cat::Today),
                (&e.tomorrow, Cat::Tomorrow),
                (&e.after_tomorrow, Cat::AfterTomorrow),
                (&e.next, Cat::Next),
                (&e.midnight, Cat::Midnight),
                (&e.noon, Cat::Noon),
                (&e.close, Cat::Close),
                (&e.open, Cat::Open),
                (&e.negation, Cat::Negation),
                (&e.debunk, Cat::Debunk),
                (&e.register, Cat::Register),
                (&e.postpone, Cat::Postpone),
                (&e.cancel, Cat::Cancel),
                (&e.place_change, Cat::PlaceChange),
                (&e.cannot_vote, Cat::CannotVote),
                (&e.vote_twice, Cat::VoteTwice),
                (&e.separate_days, Cat::SeparateDays),
                (&e.eligibility_ok, Cat::EligibilityOk),
                (&e.other_reference, Cat::OtherRef),
            ] {
                b.add_all(terms, l, cat);
            }
            for list in [
                &e.today,
                &e.tomorrow,
                &e.after_tomorrow,
                &e.midnight,
                &e.noon,
                &e.postpone,
                &e.cancel,
                &e.place_change,
                &e.cannot_vote,
                &e.vote_twice,
                &e.separate_days,
            ]
            .into_iter()
            .chain(&e.weekdays)
            .chain(e.methods.values())
            {
                for t in list {
                    let f = vigie_normalise::text::fold(t);
                    let f = f.trim_end_matches('*').trim_end();
                    if !f.is_empty() {
                        trigger_words.push(f.to_owned());
                    }
                }
            }
            for (name, terms) in &e.methods {
                if let Some(m) = Method::parse(name) {
                    b.add_all(terms, l, Cat::Method(m));
                }
            }
            for (code, names) in &lex.countries {
                let code = code.to_uppercase();
                let idx = match countries.iter().position(|c| *c == code) {
                    Some(i) => i,
                    None => {
                        countries.push(code);
                        countries.len() - 1
                    }
                };
                b.add_all(names, l, Cat::Country(idx as u16));
            }
        }
        // Month names come from our lexicon files; escaped, and the regex crate is linear-time.
        let mut names: Vec<&String> = months.keys().collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alt: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
        let alt = alt.join("|");
        let date_re = crate::lexicon::regex(&format!(
            r"(?x)
            (?:\b(?P<d1>[0-3]?\d)(?:er|º|°|\.)?\s*(?:de\s+|of\s+)?(?P<m1>{alt})\b\.?(?:,?\s*(?:de\s+)?(?P<y1>(?:19|20)\d\d)\b)?)
            |(?:\b(?P<m2>{alt})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s*(?P<y2>(?:19|20)\d\d)\b)?)
            |(?:\b(?P<yi>(?:19|20)\d\d)-(?P<mi>[01]\d)-(?P<di>[0-3]\d)\b)
            |(?:\b(?P<dn>[0-3]?\d)[./](?P<mn>[01]?\d)(?:[./](?P<yn>(?:19|20)?\d\d))?\b)"
        ))
        .map_err(|e| DetectError::Failed {
            detector: NAME,
            reason: e.to_string(),
        })?;
        let hour_re = crate::lexicon::regex(
            r"(?x)\b(?P<h>[012]?\d)(?:\s?(?:h|:|\.)\s?(?P<m>[0-5]\d)\b|\s?(?P<mark>h\b|uhr\b|heures?\b|hrs?\b|hours\b|godz\.?|o'clock\b|a\.?m\.?|p\.?m\.?))?",
        )
        .map_err(|e| DetectError::Failed {
            detector: NAME,
            reason: e.to_string(),
        })?;
        let year_re =
            crate::lexicon::regex(r"\b(?:19|20)\d\d\b").map_err(|e| DetectError::Failed {
                detector: NAME,
                reason: e.to_string(),
            })?;
        Ok(Analyser {
            matcher: b.build()?,
            triggers: lexicon::Prefilter::new(&[&trigger_words])?,
            trigger_words,
            range_from,
            range_to,
            countries,
            months,
            date_re,
            hour_re,
            year_re,
        })
    }

    /// The claims a folded text makes about the vote. `post_year` marks older years as
    /// references to past elections.
    pub fn claims(&self, text: &str, lang: Option<&str>, post_year: i32) -> Vec<Claim> {
        self.claims_after(text, lang, post_year, self.triggers.scan(text) != 0)
    }

    /// [`Analyser::claims`] once a prefilter has told whether the text holds a trigger word.
    fn claims_after(
        &self,
        text: &str,
        lang: Option<&str>,
        post_year: i32,
        triggered: bool,
    ) -> Vec<Claim> {
        let may_claim = triggered
            || (text.bytes().any(|b| b.is_ascii_digit())
                && lexicon::has_digit_outside(text, &lexicon::link_spans(text)));
        if !may_claim {
            return Vec::new();
        }
        let mut hits = Vec::new();
        let lang = self.matcher.lang_index(lang);
        self.matcher.scan(text, lang, &mut hits);
        let has = |hits: &[Hit<Cat>], f: &dyn Fn(Cat) -> bool| hits.iter().any(|h| f(h.cat));
        let contextual = |c: Cat| {
            matches!(
                c,
                Cat::Context | Cat::VoteVerb | Cat::PlaceChange | Cat::CannotVote | Cat::VoteTwice
            )
        };
        if !has(&hits, &contextual) || has(&hits, &|c| c == Cat::Debunk) {
            return Vec::new();
        }
        // Dates and words inside links ("/2024/06/01/") say nothing: drop their hits, and
        // blank the links out for the expressions below.
        let links = lexicon::link_spans(text);
        hits.retain(|h| !links.iter().any(|(a, b)| h.start < *b && h.end > *a));
        // Most texts about the election claim nothing checkable: no trigger word, no number.
        let has_digit = lexicon::has_digit_outside(text, &links);
        let trigger = hits.iter().any(|h| {
            !matches!(
                h.cat,
                Cat::Context
                    | Cat::VoteVerb
                    | Cat::Next
                    | Cat::Close
                    | Cat::Open
                    | Cat::Negation
                    | Cat::Register
                    | Cat::EligibilityOk
                    | Cat::OtherRef
                    | Cat::Country(_)
            )
        });
        if !trigger && !has_digit {
            return Vec::new();
        }
        let masked;
        let text = if links.is_empty() || !has_digit {
            text
        } else {
            masked = lexicon::mask_links(text);
            masked.as_str()
        };
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut ends = Vec::new();
        lexicon::sentence_ends(text, &mut ends);
        let n_sentences = ends.len();
        let mut by_sentence: Vec<Vec<Hit<Cat>>> = vec![Vec::new(); n_sentences];
        for h in &hits {
            if let Some(s) = by_sentence.get_mut(lexicon::sentence_of(&ends, h.start)) {
                s.push(*h);
            }
        }
        // Short texts are one context; long ones (articles) need the vote in the sentence.
        let whole_text_context = text.len() <= 400;
        let dated_text = hits
            .iter()
            .any(|h| matches!(h.cat, Cat::VoteVerb | Cat::Postpone | Cat::Cancel));
        let dates: Vec<(usize, usize, ClaimKind)> = if has_digit && dated_text {
            self.dates(text)
        } else {
            Vec::new()
        };
        let mut claims = Vec::new();
        for (s, sh) in by_sentence.iter().enumerate() {
            if sh.is_empty() {
                continue;
            }
            let s_start = if s == 0 { 0 } else { ends[s - 1] + 1 };
            let s_end = ends[s];
            let in_context = whole_text_context || has(sh, &contextual);
            if !in_context {
                continue;
            }
            // Past years (outside a stated date) and past elections make it history.
            let sentence = text.get(s_start..s_end).unwrap_or("");
            let sentence_dates: Vec<&(usize, usize, ClaimKind)> = dates
                .iter()
                .filter(|(a, _, _)| *a >= s_start && *a < s_end)
                .collect();
            let sentence_digits = sentence.bytes().any(|b| b.is_ascii_digit());
            let old_year = sentence_digits
                && self.year_re.find_iter(sentence).any(|m| {
                    let abs = s_start + m.start();
                    let in_date = sentence_dates.iter().any(|(a, b, _)| abs >= *a && abs < *b);
                    !in_date && m.as_str().parse::<i32>().is_ok_and(|y| y < post_year)
                });
            let other_ref = sh.iter().any(|h| {
                h.cat == Cat::OtherRef && !text[h.start..h.end].bytes().any(|b| b.is_ascii_digit())
            });
            if old_year || other_ref {
                continue;
            }
            let mut countries = Vec::new();
            for h in sh {
                if let Cat::Country(c) = h.cat {
                    if let Some(code) = self.countries.get(c as usize) {
                        countries.push(code.clone());
                    }
                }
            }
            let mut found: Vec<Claim> = Vec::new();
            let mut push = |kind, start, end| {
                found.push(Claim {
                    kind,
                    start,
                    end,
                    countries: countries.clone(),
                })
            };
            // A vote verb near a word makes it an instruction about voting.
            let verb_near = |h: &Hit<Cat>, gap: usize| {
                sh.iter().find(|v| {
                    v.cat == Cat::VoteVerb
                        // "vote" inside "bureau de vote" or "postal vote" is a noun.
                        && !sh.iter().any(|c| {
                            matches!(c.cat, Cat::Context | Cat::Method(_))
                                && c.start <= v.start
                                && c.end >= v.end
                                && c.end - c.start > v.end - v.start
                        })
                        && (v.end <= h.start || v.start >= h.end)
                        && (h.start.saturating_sub(v.end) <= gap && v.start.saturating_sub(h.end) <= gap)
                })
            };
            let register = has(sh, &|c| c == Cat::Register);
            let dated = has(sh, &|c| {
                matches!(c, Cat::VoteVerb | Cat::Postpone | Cat::Cancel)
            });
            for h in sh {
                match h.cat {
                    Cat::Method(m) => {
                        if let Some(v) = verb_near(h, 60) {
                            push(ClaimKind::Method(m), v.start.min(h.start), v.end.max(h.end));
                        }
                    }
                    Cat::Postpone => push(ClaimKind::Postpone, h.start, h.end),
                    Cat::Cancel => push(ClaimKind::Cancel, h.start, h.end),
                    Cat::PlaceChange => push(ClaimKind::PlaceChange, h.start, h.end),
                    // "cannot vote by SMS" denies a method; lawful limits are no claim.
                    Cat::CannotVote
                        if !sh.iter().any(|o| {
                            o.cat == Cat::EligibilityOk
                                || (o.end > h.end
                                    && matches!(
                                        o.cat,
                                        Cat::Method(_) | Cat::VoteTwice | Cat::SeparateDays
                                    ))
                        }) =>
                    {
                        push(ClaimKind::CannotVote, s_start, s_end)
                    }
                    Cat::VoteTwice => push(ClaimKind::VoteTwice, h.start, h.end),
                    Cat::SeparateDays => push(ClaimKind::SeparateDays, h.start, h.end),
                    // The claim spans the day and its verb: "demain on ne vote pas" is denied.
                    Cat::Today | Cat::Tomorrow | Cat::AfterTomorrow => {
                        if let Some(v) = verb_near(h, 50) {
                            let k = match h.cat {
                                Cat::Today => 0,
                                Cat::Tomorrow => 1,
                                _ => 2,
                            };
                            push(
                                ClaimKind::Relative(k),
                                h.start.min(v.start),
                                h.end.max(v.end),
                            )
                        }
                    }
                    Cat::Weekday(wd) if verb_near(h, 50).is_some() => {
                        // A weekday that introduces a date is part of that date.
                        let part_of_date = sentence_dates
                            .iter()
                            .any(|(a, _, _)| *a >= h.end && *a <= h.end + 3);
                        if !part_of_date {
                            push(ClaimKind::Weekday(wd), h.start, h.end);
                        }
                    }
                    _ => {}
                }
            }
            if dated && !register {
                for (a, b, kind) in &sentence_dates {
                    push(*kind, *a, *b);
                }
            }
            // Poll hours need a word saying opening or closing (or midnight, noon).
            let clock_words = sh.iter().any(|h| {
                matches!(h.cat, Cat::Midnight | Cat::Noon)
                    || (sentence_digits && matches!(h.cat, Cat::Open | Cat::Close))
            });
            if clock_words {
                for (kind, a, b) in self.hours(text, s_start, s_end, sh, &sentence_dates) {
                    push(kind, a, b);
                }
            }
            // "after tomorrow" also holds "tomorrow": keep the longer relative claim.
            let relatives: Vec<(usize, usize)> = found
                .iter()
                .filter(|c| matches!(c.kind, ClaimKind::Relative(2)))
                .map(|c| (c.start, c.end))
                .collect();
            found.retain(|c| {
                !(matches!(c.kind, ClaimKind::Relative(k) if k < 2)
                    && relatives.iter().any(|(a, b)| c.start >= *a && c.end <= *b))
            });
            for c in found {
                if negatable(&c.kind) && self.negated(text, sh, &c) {
                    continue;
                }
                claims.push(c);
            }
        }
        claims
    }

    /// Whether a negation in the claim's clause, before its end, denies it. A negation inside
    /// a restrictive hour term ("n'ouvriront qu'à", "only ... at") is part of that term.
    fn negated(&self, text: &str, hits: &[Hit<Cat>], c: &Claim) -> bool {
        let clause_start = text[..c.start.min(text.len())]
            .rfind([',', ':', ';', '.', '!', '?', '\n'])
            .map(|p| p + 1)
            .unwrap_or(0);
        hits.iter().any(|n| {
            n.cat == Cat::Negation
                && n.start >= clause_start
                && n.start < c.end
                && !hits.iter().any(|o| {
                    matches!(o.cat, Cat::Open | Cat::Close)
                        && o.start <= n.start
                        && o.end >= n.end
                        && (o.end - o.start) > (n.end - n.start)
                })
        })
    }

    fn dates(&self, text: &str) -> Vec<(usize, usize, ClaimKind)> {
        let mut out = Vec::new();
        for c in self.date_re.captures_iter(text) {
            let Some(whole) = c.get(0) else { continue };
            let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
            let month_word = |name: &str| {
                c.name(name)
                    .and_then(|m| self.months.get(m.as_str().trim_end_matches('.')).copied())
            };
            let year = |name: &str| {
                c.name(name)
                    .and_then(|m| m.as_str().parse::<i32>().ok())
                    .map(|y| if y < 100 { 2000 + y } else { y })
            };
            let parsed = if c.name("m1").is_some() {
                num("d1")
                    .zip(month_word("m1"))
                    .map(|(d, m)| (d, m, year("y1")))
            } else if c.name("m2").is_some() {
                num("d2")
                    .zip(month_word("m2"))
                    .map(|(d, m)| (d, m, year("y2")))
            } else if c.name("yi").is_some() {
                num("di").zip(num("mi")).map(|(d, m)| (d, m, year("yi")))
            } else {
                num("dn").zip(num("mn")).map(|(d, m)| (d, m, year("yn")))
            };
            if let Some((day, month, year)) = parsed {
                if (1..=31).contains(&day) && (1..=12).contains(&month) {
                    out.push((
                        whole.start(),
                        whole.end(),
                        ClaimKind::Date { day, month, year },
                    ));
                }
            }
        }
        out
    }

    /// Poll hours of a sentence: "from H to H" ranges, or an hour after a closing or opening
    /// word. Bare numbers count only right after such a word.
    fn hours(
        &self,
        text: &str,
        s_start: usize,
        s_end: usize,
        hits: &[Hit<Cat>],
        dates: &[&(usize, usize, ClaimKind)],
    ) -> Vec<(ClaimKind, usize, usize)> {
        let sentence = text.get(s_start..s_end).unwrap_or("");
        let mut found: Vec<(usize, usize, u32, bool)> = Vec::new();
        for c in self.hour_re.captures_iter(sentence) {
            let (Some(whole), Some(h)) = (c.get(0), c.name("h")) else {
                continue;
            };
            let (a, b) = (s_start + whole.start(), s_start + whole.end());
            if dates.iter().any(|(da, db, _)| a < *db && b > *da) {
                continue;
            }
            let Ok(mut hour) = h.as_str().parse::<u32>() else {
                continue;
            };
            let minutes: u32 = c
                .name("m")
                .and_then(|m| m.as_str().parse().ok())
                .unwrap_or(0);
            let mark = c.name("mark").map(|m| m.as_str()).unwrap_or("");
            if mark.starts_with('p') && hour < 12 {
                hour += 12;
            }
            if hour > 24 || (hour == 24 && minutes > 0) {
                continue;
            }
            let explicit = c.name("m").is_some() || !mark.is_empty();
            found.push((a, b, hour * 60 + minutes, explicit));
        }
        for h in hits {
            match h.cat {
                Cat::Midnight => found.push((h.start, h.end, 24 * 60, true)),
                Cat::Noon => found.push((h.start, h.end, 12 * 60, true)),
                _ => {}
            }
        }
        found.sort_unstable_by_key(|f| f.0);
        let near_before = |pos: usize, cat: Cat, gap: usize| {
            hits.iter()
                .filter(|h| h.cat == cat && h.end <= pos && pos - h.end <= gap)
                .max_by_key(|h| h.end)
                .copied()
        };
        let mut out = Vec::new();
        let mut used = vec![false; found.len()];
        for i in 0..found.len() {
            if used[i] {
                continue;
            }
            let (a, b, m, explicit) = found[i];
            // A range: "de 8h à 20h", "from 8 to 20", "von 8 bis 18 Uhr", "od 7 do 21".
            if let Some(&(a2, b2, m2, explicit2)) = found.get(i + 1) {
                let between = &text[b..a2];
                let between = between.trim();
                let joined = between.is_empty()
                    || between == "-"
                    || between == "–"
                    || self.range_to.contains(between);
                // The word right before the first hour: "de", "from", "von", "od"...
                let before = text[..a].trim_end();
                let word = before
                    .rfind(|c: char| !c.is_alphanumeric())
                    .map_or(before, |p| &before[p + 1..]);
                let from = self.range_from.contains(word);
                if joined && a2 - b <= 8 && (from || explicit || explicit2) {
                    let opener = near_before(a, Cat::Open, 40).is_some()
                        || near_before(a, Cat::Close, 40).is_none();
                    if opener {
                        out.push((ClaimKind::Open(m), a, b));
                        out.push((ClaimKind::Close(m2), a2, b2));
                        used[i + 1] = true;
                        continue;
                    }
                }
            }
            let close = near_before(a, Cat::Close, 40);
            let open = near_before(a, Cat::Open, 40);
            let role = match (close, open) {
                (Some(c), Some(o)) => Some(if c.end > o.end { (true, c) } else { (false, o) }),
                (Some(c), None) => Some((true, c)),
                (None, Some(o)) => Some((false, o)),
                (None, None) => None,
            };
            let Some((is_close, word)) = role else {
                continue;
            };
            if !explicit && a - word.end > 12 {
                continue;
            }
            let kind = if is_close {
                ClaimKind::Close(m)
            } else {
                ClaimKind::Open(m)
            };
            out.push((kind, word.start, b));
        }
        out
    }
}

fn negatable(k: &ClaimKind) -> bool {
    !matches!(k, ClaimKind::CannotVote)
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(ElectoralProcess::new(config)?))
}

pub struct ElectoralProcess {
    pub settings: Settings,
    pub facts: Vec<Facts>,
    analyser: Analyser,
}

/// A claim that contradicts the facts, in one text.
#[derive(Debug, Clone)]
pub struct Finding {
    pub election: usize,
    pub claim: ClaimKind,
    pub claimed: String,
    pub fact: String,
    pub start: usize,
    pub end: usize,
}

impl ElectoralProcess {
    /// The words a text needs (or a digit) to make a claim.
    pub(crate) fn trigger_words(&self) -> &[String] {
        &self.analyser.trigger_words
    }

    pub fn new(config: &vigie_core::Config) -> Result<ElectoralProcess, DetectError> {
        let settings: Settings = config.detector_settings(NAME)?;
        let facts = config
            .election
            .iter()
            .map(Facts::from_config)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ElectoralProcess {
            analyser: Analyser::new(&settings.lexicons)?,
            facts,
            settings,
        })
    }

    /// The elections a claim may be about: a configured country it names, else those speaking
    /// the text's language (else all), narrowed to the nearest voting period in time.
    fn candidates(&self, claim: &Claim, lang: Option<&str>, date: NaiveDate) -> Vec<usize> {
        let mut pool: Vec<usize> = if claim.countries.is_empty() {
            let speaking: Vec<usize> = (0..self.facts.len())
                .filter(|&i| lang.is_some_and(|l| self.facts[i].speaks(l)))
                .collect();
            if speaking.is_empty() {
                (0..self.facts.len()).collect()
            } else {
                speaking
            }
        } else {
            (0..self.facts.len())
                .filter(|&i| {
                    self.facts[i]
                        .country
                        .as_ref()
                        .is_some_and(|c| claim.countries.contains(c))
                })
                .collect()
        };
        // Past elections are out unless nothing else is left; of the rest, the nearest.
        let upcoming: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&i| self.facts[i].distance(date) >= -7)
            .collect();
        if !upcoming.is_empty() {
            pool = upcoming;
        }
        let best = pool
            .iter()
            .map(|&i| self.facts[i].distance(date).abs())
            .min();
        pool.retain(|&i| Some(self.facts[i].distance(date).abs()) == best);
        pool
    }

    /// Claims of a folded text that contradict every election they may be about.
    pub fn findings(&self, text: &str, lang: Option<&str>, at: DateTime<Utc>) -> Vec<Finding> {
        let triggered = self.analyser.triggers.scan(text) != 0;
        self.findings_after(text, lang, at, triggered)
    }

    /// [`ElectoralProcess::findings`] once a prefilter has told whether the text holds a
    /// trigger word (see [`crate::content`]).
    fn findings_after(
        &self,
        text: &str,
        lang: Option<&str>,
        at: DateTime<Utc>,
        triggered: bool,
    ) -> Vec<Finding> {
        if self.facts.is_empty() {
            return Vec::new();
        }
        let claims = self.analyser.claims_after(text, lang, at.year(), triggered);
        let mut out = Vec::new();
        for c in claims {
            let date = at.with_timezone(&Tz::UTC).date_naive();
            let pool = self.candidates(&c, lang, date);
            let mut first = None;
            let all = !pool.is_empty()
                && pool.iter().all(|&i| {
                    let r = self.facts[i].contradiction(&c.kind, at);
                    if first.is_none() {
                        first = r.clone().map(|r| (i, r));
                    }
                    r.is_some()
                });
            if let (true, Some((i, (fact, claimed)))) = (all, first) {
                if out.iter().any(|f: &Finding| f.claimed == claimed) {
                    continue;
                }
                out.push(Finding {
                    election: i,
                    claim: c.kind,
                    claimed,
                    fact,
                    start: c.start,
                    end: c.end,
                });
            }
        }
        out
    }
}

pub(crate) struct Flagged {
    kind: Kind,
    platform: String,
    pub(crate) id: String,
    author: Option<String>,
    lang: Option<String>,
    ts: i64,
    findings: Vec<Finding>,
}

fn score_of(kind: &ClaimKind, actors: usize) -> f64 {
    let base = match kind {
        ClaimKind::Date { .. }
        | ClaimKind::Relative(_)
        | ClaimKind::Method(_)
        | ClaimKind::Postpone
        | ClaimKind::Cancel => 0.75,
        ClaimKind::Weekday(_) | ClaimKind::Close(_) | ClaimKind::Open(_) => 0.7,
        ClaimKind::CannotVote | ClaimKind::SeparateDays => 0.65,
        ClaimKind::PlaceChange | ClaimKind::VoteTwice => 0.6,
    };
    // Repeated by several accounts, a false instruction is a campaign.
    base + 0.2 * (1.0 - 1.0 / actors.max(1) as f64)
}

impl Detector for ElectoralProcess {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        if self.facts.is_empty() {
            tracing::info!("electoral_process: no [[election]] configured, nothing to check");
            return Ok(Vec::new());
        }
        self.alerts(ctx, &ctx.content_scan()?.electoral)
    }
}

impl ElectoralProcess {
    /// What one stored text contributes (see [`crate::content`]); `triggered` says whether it
    /// holds one of [`ElectoralProcess::trigger_words`].
    pub(crate) fn scan_row(&self, row: &TextRow<'_>, triggered: bool) -> Option<Flagged> {
        let ts = row.ts?;
        let at = DateTime::from_timestamp_millis(ts)?;
        let findings = self.findings_after(row.norm, row.lang, at, triggered);
        (!findings.is_empty()).then(|| Flagged {
            kind: row.kind,
            platform: row.platform.to_owned(),
            id: row.id.to_owned(),
            author: row.author.map(str::to_owned),
            lang: row.lang.map(str::to_owned),
            ts,
            findings,
        })
    }
}

/// The text as published (articles: title, a line break, then the text).
pub fn original_text(record: &Record) -> Option<String> {
    match record {
        Record::Post(p) => Some(p.text.clone()),
        Record::Article(a) => Some(format!("{}\n{}", a.title, a.text)),
        Record::Ad(a) => Some(a.text.clone()),
        _ => None,
    }
}

impl ElectoralProcess {
    fn alerts(&self, ctx: &Context<'_>, flagged: &[Flagged]) -> Result<Vec<Alert>, DetectError> {
        type Key = (usize, String, String, String);
        let mut groups: BTreeMap<Key, Vec<(usize, serde_json::Value)>> = BTreeMap::new();
        for (n, f) in flagged.iter().enumerate() {
            // Spans on the text as published: fold it again with an offset map.
            let original = ctx
                .store
                .get(f.kind, &f.platform, &f.id)?
                .and_then(|r| original_text(&r.record));
            let at = DateTime::from_timestamp_millis(f.ts).unwrap_or_default();
            let remapped = original.as_ref().map(|o| {
                let m = MappedFold::new(o);
                let again = self.findings(&m.text, f.lang.as_deref(), at);
                (m, again)
            });
            for (k, finding) in f.findings.iter().enumerate() {
                let mut claim = json!({
                    "item": f.id,
                    "lang": f.lang,
                    "kind": finding.claim.name(),
                    "claimed": finding.claimed,
                });
                if let (Some(o), Some((m, again))) = (&original, &remapped) {
                    if let Some(g) = again.get(k).filter(|g| g.claimed == finding.claimed) {
                        let (a, b) = m.original_span(o, g.start, g.end);
                        claim["span"] = json!([a, b]);
                        claim["text"] = json!(o.get(a..b).unwrap_or(""));
                    }
                }
                let key = (
                    finding.election,
                    finding.claim.name().to_owned(),
                    finding.claimed.clone(),
                    f.lang.clone().unwrap_or_default(),
                );
                groups.entry(key).or_default().push((n, claim));
            }
        }
        let mut alerts = Vec::new();
        for ((e, kind, claimed, lang), members) in groups {
            let facts = &self.facts[e];
            let items: BTreeSet<usize> = members.iter().map(|(n, _)| *n).collect();
            let posts: Vec<&Flagged> = items.iter().map(|&n| &flagged[n]).collect();
            let accounts: BTreeSet<String> =
                posts.iter().filter_map(|p| p.author.clone()).collect();
            let sites: BTreeSet<String> = posts
                .iter()
                .filter(|p| p.kind == Kind::Article)
                .map(|p| p.platform.clone())
                .collect();
            let first = posts.iter().map(|p| p.ts).min().unwrap_or(0);
            let last = posts.iter().map(|p| p.ts).max().unwrap_or(0);
            let fact = flagged[members[0].0]
                .findings
                .iter()
                .find(|f| f.claimed == claimed)
                .map(|f| f.fact.clone())
                .unwrap_or_default();
            let claim_kind = flagged[members[0].0]
                .findings
                .iter()
                .find(|f| f.claimed == claimed)
                .map(|f| f.claim)
                .unwrap_or(ClaimKind::PlaceChange);
            let score = score_of(&claim_kind, accounts.len() + sites.len());
            let cut = self.settings.max_evidence_items;
            let mut figures = serde_json::Map::new();
            figures.insert("election".into(), json!(facts.name));
            figures.insert("claim_kind".into(), json!(kind));
            figures.insert("claimed".into(), json!(claimed));
            figures.insert("contradicts".into(), json!(fact));
            figures.insert("language".into(), json!(lang));
            figures.insert("posts".into(), json!(items.len()));
            figures.insert(
                "claims".into(),
                json!(members.iter().take(cut).map(|(_, c)| c).collect::<Vec<_>>()),
            );
            let lang_shown = if lang.is_empty() { "unknown" } else { &lang };
            alerts.push(Alert {
                id: String::new(),
                detector: NAME.into(),
                modus_operandi: ModusOperandi::ElectoralProcess,
                disarm: vec!["T0139".into(), "T0139.001".into(), "T0023".into()],
                severity: Severity::from_score(score),
                score,
                title: format!("False voting information: {claimed}"),
                summary: format!(
                    "{} item(s) in language {lang_shown} by {} account(s) or site(s) state {claimed}, \
                     but the {} configuration says {fact}.",
                    items.len(),
                    accounts.len() + sites.len(),
                    facts.name
                ),
                first_seen: DateTime::from_timestamp_millis(first).unwrap_or_default(),
                last_seen: DateTime::from_timestamp_millis(last).unwrap_or_default(),
                evidence: Evidence {
                    items: posts.iter().take(cut).map(|p| p.id.clone()).collect(),
                    accounts: accounts.into_iter().take(cut).collect(),
                    domains: sites.into_iter().take(cut).collect(),
                    imitates: vec![],
                    urls: vec![],
                    figures,
                },
            });
        }
        Ok(alerts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Config;

    /// The European election of June 2024 as `vigie generate` configures it, with Ireland for
    /// English and Portugal for Portuguese.
    const ELECTIONS: &str = r#"
[[election]]
name = "EP 2024 (FR)"
country = "FR"
timezone = "Europe/Paris"
voting_days = ["2024-06-09"]
polls_open = "08:00"
polls_close = "20:00"
methods = ["in_person", "proxy"]
registration_deadline = "2024-05-03"

[[election]]
name = "EP 2024 (IE)"
country = "IE"
timezone = "Europe/Dublin"
voting_days = ["2024-06-09"]
polls_open = "07:00"
polls_close = "22:00"
methods = ["in_person", "postal"]

[[election]]
name = "EP 2024 (DE)"
country = "DE"
timezone = "Europe/Berlin"
voting_days = ["2024-06-09"]
polls_open = "08:00"
polls_close = "18:00"
methods = ["in_person", "postal"]

[[election]]
name = "EP 2024 (ES)"
country = "ES"
timezone = "Europe/Madrid"
voting_days = ["2024-06-09"]
polls_open = "09:00"
polls_close = "20:00"
methods = ["in_person", "postal"]

[[election]]
name = "EP 2024 (IT)"
country = "IT"
timezone = "Europe/Rome"
voting_days = ["2024-06-08", "2024-06-09"]
polls_open = "07:00"
polls_close = "23:00"
methods = ["in_person"]

[[election]]
name = "EP 2024 (PL)"
country = "PL"
timezone = "Europe/Warsaw"
voting_days = ["2024-06-09"]
polls_open = "07:00"
polls_close = "21:00"
methods = ["in_person", "proxy"]

[[election]]
name = "EP 2024 (PT)"
country = "PT"
timezone = "Europe/Lisbon"
voting_days = ["2024-06-09"]
polls_open = "08:00"
polls_close = "19:00"
methods = ["in_person"]
"#;

    fn detector(toml: &str) -> ElectoralProcess {
        let config = Config::from_toml(toml, "t").unwrap();
        let settings = Settings::default();
        ElectoralProcess {
            analyser: Analyser::new(&settings.lexicons).unwrap(),
            facts: config
                .election
                .iter()
                .map(Facts::from_config)
                .collect::<Result<_, _>>()
                .unwrap(),
            settings,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// What a text claims wrongly, posted on `when`, as (kind, claimed) pairs.
    fn wrong(d: &ElectoralProcess, lang: &str, when: &str, text: &str) -> Vec<(String, String)> {
        let folded = vigie_normalise::text::fold(text);
        d.findings(&folded, Some(lang), at(when))
            .into_iter()
            .map(|f| (f.claim.name().to_owned(), f.claimed))
            .collect()
    }

    const WEEK_BEFORE: &str = "2024-06-05T10:00:00Z";

    #[test]
    fn false_claims_are_found_in_seven_languages() {
        let d = detector(ELECTIONS);
        let cases: &[(&str, &str, &str)] = &[
            ("fr", "⚠️ ATTENTION : en raison de l'affluence attendue, le vote des européennes est reporté au lundi 10 juin. Faites passer !", "2024-06-10"),
            ("fr", "Rappel : les bureaux de vote fermeront exceptionnellement à 18h ce dimanche.", "polls close at 18:00"),
            ("fr", "Ce dimanche les bureaux de vote n'ouvriront qu'à 12h, inutile d'y aller avant.", "polls open at 12:00"),
            ("fr", "Nouveau cette année : vous pouvez voter par SMS en envoyant le nom de votre liste au 38000.", "voting by sms"),
            ("en", "BREAKING: due to expected turnout, the EU election vote has been moved to Monday 10 June. Please share!", "2024-06-10"),
            ("en", "Reminder: polling stations will close early at 8pm on Sunday.", "polls close at 20:00"),
            ("en", "No need to queue: vote online for the European elections at https://vote-eu.example/en before Sunday 9 June.", "voting by online"),
            ("de", "ACHTUNG: Wegen des großen Andrangs wird die Europawahl auf Montag, 10. Juni verschoben. Bitte teilen!", "2024-06-10"),
            ("de", "Hinweis: Die Wahllokale schließen am Sonntag bereits um 16 Uhr.", "polls close at 16:00"),
            ("de", "Neu: Sie können per SMS wählen! Schicken Sie den Namen Ihrer Partei an die 31234.", "voting by sms"),
            ("es", "Recordatorio: los colegios electorales cerrarán a las 18:00 este domingo.", "polls close at 18:00"),
            ("es", "ATENCIÓN: por la alta afluencia, la votación de las europeas se aplaza al lunes 10 de junio. ¡Compártelo!", "2024-06-10"),
            ("it", "Promemoria: i seggi chiuderanno alle 21 di domenica.", "polls close at 21:00"),
            ("it", "Novità: si può votare via SMS inviando il nome del partito al 35555.", "voting by sms"),
            ("pl", "Przypomnienie: lokale wyborcze zostaną zamknięte już o 19:00 w dniu wyborów.", "polls close at 19:00"),
            ("pl", "UWAGA: z powodu dużej frekwencji wybory do Parlamentu Europejskiego przeniesiono na 10 czerwca. Udostępnij!", "2024-06-10"),
            ("pt", "Atenção: as eleições europeias foram adiadas para segunda-feira, 10 de junho. Partilhe!", "2024-06-10"),
            ("pt", "Novidade: agora pode votar pela internet nas europeias.", "voting by online"),
            ("pt", "As assembleias de voto fecham às 17h no domingo.", "polls close at 17:00"),
        ];
        for (lang, text, claimed) in cases {
            let found = wrong(&d, lang, WEEK_BEFORE, text);
            assert!(
                found.iter().any(|(_, c)| c == claimed),
                "{lang}: {text}\n  expected {claimed}, found {found:?}"
            );
        }
    }

    #[test]
    fn true_reminders_debunks_and_negations_are_not_claims() {
        let d = detector(ELECTIONS);
        let cases: &[(&str, &str)] = &[
            ("fr", "N'oubliez pas : les élections européennes ont lieu le dimanche 9 juin, bureaux de vote ouverts de 8h à 20h."),
            ("fr", "Vous ne pouvez pas vous déplacer le dimanche 9 juin ? Pensez à la procuration, c'est encore possible."),
            ("fr", "Non, on ne peut pas voter par SMS ni en ligne."),
            ("fr", "FAUX : le vote n'est pas reporté au lundi 10 juin, c'est une rumeur."),
            ("en", "Reminder: the European elections are on Sunday 9 June. Polling stations are open from 7:00 to 22:00."),
            ("en", "You cannot vote online or by text message in this election."),
            ("de", "Nicht vergessen: Die Europawahl ist am Sonntag, 9. Juni, die Wahllokale sind von 8 bis 18 Uhr geöffnet."),
            ("de", "Briefwahl noch möglich: Unterlagen rechtzeitig vor dem Sonntag, 9. Juni beantragen."),
            ("es", "Recuerda: las elecciones europeas son el domingo 9 de junio, los colegios abren de 9:00 a 20:00."),
            ("es", "¿No puedes ir el domingo 9 de junio? Todavía puedes votar por correo si lo solicitaste a tiempo."),
            ("it", "Ricordate: le europee si votano sabato pomeriggio e domenica 9 giugno, seggi aperti fino alle 23."),
            ("pl", "Pamiętaj: wybory do Parlamentu Europejskiego odbędą się 9 czerwca, lokale otwarte od 7:00 do 21:00."),
            ("pt", "Lembrete: as eleições europeias são no domingo, 9 de junho, das 8h às 19h."),
            ("pt", "É falso que se possa votar pela internet."),
        ];
        for (lang, text) in cases {
            let found = wrong(&d, lang, WEEK_BEFORE, text);
            assert!(found.is_empty(), "{lang}: {text}\n  found {found:?}");
        }
    }

    #[test]
    fn history_and_other_countries_are_not_claims_about_this_election() {
        let d = detector(ELECTIONS);
        for (lang, text) in [
            (
                "fr",
                "En 2019, les européennes avaient eu lieu le dimanche 26 mai.",
            ),
            (
                "fr",
                "Aux Pays-Bas, on vote dès le jeudi 6 juin pour les européennes.",
            ),
            (
                "en",
                "In the Netherlands, voters go to the polls on Thursday 6 June.",
            ),
            (
                "de",
                "In den Niederlanden wird schon am Donnerstag, 6. Juni gewählt.",
            ),
            ("pt", "No Brasil, as eleições municipais são em outubro."),
        ] {
            let found = wrong(&d, lang, WEEK_BEFORE, text);
            assert!(found.is_empty(), "{lang}: {text}\n  found {found:?}");
        }
        // A configured country named in another language is checked against its own facts.
        let found = wrong(
            &d,
            "fr",
            WEEK_BEFORE,
            "En Italie, les bureaux de vote ferment à 20h dimanche.",
        );
        assert_eq!(
            found,
            vec![("poll_hours".into(), "polls close at 20:00".into())]
        );
        assert!(wrong(
            &d,
            "fr",
            WEEK_BEFORE,
            "En Italie, on vote samedi et dimanche."
        )
        .is_empty());
    }

    #[test]
    fn dates_parse_in_every_language() {
        let a = Analyser::new(&[]).unwrap();
        let cases: &[(&str, &str)] = &[
            ("fr", "on vote le lundi 10 juin"),
            ("fr", "on vote le 10/06"),
            ("en", "vote on June 10th, 2024"),
            ("en", "vote on 10 June"),
            ("de", "wählen am Montag, 10. Juni"),
            ("es", "votar el lunes 10 de junio"),
            ("it", "si vota lunedì 10 giugno"),
            ("pl", "głosujemy 10 czerwca"),
            ("pt", "votamos em 10 de junho de 2024"),
            ("fr", "le vote aura lieu le 2024-06-10"),
        ];
        for (lang, text) in cases {
            let claims = a.claims(&vigie_normalise::text::fold(text), Some(lang), 2024);
            let dates: Vec<(u32, u32)> = claims
                .iter()
                .filter_map(|c| match c.kind {
                    ClaimKind::Date { day, month, .. } => Some((day, month)),
                    _ => None,
                })
                .collect();
            assert_eq!(dates, vec![(10, 6)], "{lang}: {text} -> {claims:?}");
        }
    }

    #[test]
    fn hours_parse_in_every_language() {
        let a = Analyser::new(&[]).unwrap();
        let cases: &[(&str, &str, ClaimKind)] = &[
            (
                "fr",
                "les bureaux de vote ferment à 18h30",
                ClaimKind::Close(18 * 60 + 30),
            ),
            ("en", "polls close at 6pm", ClaimKind::Close(18 * 60)),
            (
                "en",
                "polling stations close at midnight",
                ClaimKind::Close(24 * 60),
            ),
            (
                "de",
                "Wahllokale schließen um 16 Uhr",
                ClaimKind::Close(16 * 60),
            ),
            (
                "es",
                "los colegios electorales cierran a las 18:00",
                ClaimKind::Close(18 * 60),
            ),
            ("it", "i seggi chiudono alle 21", ClaimKind::Close(21 * 60)),
            (
                "pl",
                "lokale wyborcze zamknięte o 19:00",
                ClaimKind::Close(19 * 60),
            ),
            (
                "pt",
                "as seções eleitorais fecham às 17h",
                ClaimKind::Close(17 * 60),
            ),
            (
                "de",
                "Wahllokale öffnen erst ab 10 Uhr",
                ClaimKind::Open(10 * 60),
            ),
        ];
        for (lang, text, want) in cases {
            let claims = a.claims(&vigie_normalise::text::fold(text), Some(lang), 2024);
            let hours: Vec<ClaimKind> = claims
                .iter()
                .map(|c| c.kind)
                .filter(|k| matches!(k, ClaimKind::Close(_) | ClaimKind::Open(_)))
                .collect();
            assert_eq!(hours, vec![*want], "{lang}: {text}");
        }
    }

    #[test]
    fn relative_dates_resolve_against_the_post_time() {
        let d = detector(ELECTIONS);
        // Saturday: "tomorrow" is the voting Sunday. Sunday: "tomorrow" is Monday, wrong.
        assert!(wrong(
            &d,
            "fr",
            "2024-06-08T10:00:00Z",
            "Demain on vote pour les européennes !"
        )
        .is_empty());
        assert_eq!(
            wrong(
                &d,
                "fr",
                "2024-06-09T10:00:00Z",
                "Demain on vote pour les européennes !"
            ),
            vec![("voting_date".into(), "tomorrow (2024-06-10)".into())]
        );
        assert_eq!(
            wrong(
                &d,
                "en",
                "2024-06-07T10:00:00Z",
                "Remember: you vote the day after tomorrow, not Sunday!"
            )
            .first()
            .map(|f| f.1.clone()),
            None,
            "the day after Friday's tomorrow is the voting Sunday"
        );
        assert_eq!(
            wrong(
                &d,
                "de",
                "2024-06-09T07:00:00Z",
                "Morgen wird gewählt, geht alle wählen!"
            ),
            vec![("voting_date".into(), "tomorrow (2024-06-10)".into())]
        );
        // Days before the vote, "tomorrow" is about something else.
        assert!(wrong(&d, "de", "2024-06-04T10:00:00Z", "Morgen wird gewählt!").is_empty());
        // A bare weekday that is not a voting day, a few days before the vote.
        assert_eq!(
            wrong(
                &d,
                "es",
                WEEK_BEFORE,
                "Este año se vota el próximo lunes, no el domingo."
            ),
            vec![("voting_date".into(), "monday (2024-06-10)".into())]
        );
        assert!(wrong(&d, "it", WEEK_BEFORE, "Si vota sabato, ricordatelo.").is_empty());
    }

    #[test]
    fn tomorrow_and_next_weekday_resolve_in_every_language() {
        let d = detector(ELECTIONS);
        // Posted on the (last) voting day, "tomorrow" is the Monday after: false. Posted the
        // day before the (first) voting day, it is right.
        for (lang, text, eve) in [
            (
                "fr",
                "Demain on vote pour les européennes !",
                "2024-06-08T09:00:00Z",
            ),
            (
                "en",
                "Tomorrow we vote in the European elections!",
                "2024-06-08T09:00:00Z",
            ),
            (
                "de",
                "Morgen wird gewählt, geht alle wählen!",
                "2024-06-08T09:00:00Z",
            ),
            (
                "es",
                "Mañana se vota en las europeas, ¡id a votar!",
                "2024-06-08T09:00:00Z",
            ),
            (
                "it",
                "Domani si vota per le europee!",
                "2024-06-07T09:00:00Z",
            ),
            (
                "pl",
                "Jutro głosujemy w wyborach do PE!",
                "2024-06-08T09:00:00Z",
            ),
            (
                "pt",
                "Amanhã votamos nas europeias!",
                "2024-06-08T09:00:00Z",
            ),
        ] {
            assert_eq!(
                wrong(&d, lang, "2024-06-09T09:00:00Z", text),
                vec![("voting_date".into(), "tomorrow (2024-06-10)".into())],
                "{lang}: {text}"
            );
            assert!(
                wrong(&d, lang, eve, text).is_empty(),
                "{lang} on the eve: {text}"
            );
        }
        // "Next Monday" a few days before the vote names the day after it.
        for (lang, text) in [
            ("fr", "Cette année on vote lundi prochain, pas dimanche."),
            ("en", "This year we vote next Monday, not Sunday."),
            ("es", "Este año se vota el próximo lunes, no el domingo."),
            (
                "pt",
                "Este ano votamos na próxima segunda-feira, não no domingo.",
            ),
        ] {
            assert_eq!(
                wrong(&d, lang, WEEK_BEFORE, text),
                vec![("voting_date".into(), "monday (2024-06-10)".into())],
                "{lang}: {text}"
            );
        }
    }

    #[test]
    fn timezone_edges_use_the_election_clock() {
        let d = detector(ELECTIONS);
        // 22:30 UTC on Saturday is 00:30 on voting Sunday in Paris: "today" is right.
        assert!(wrong(&d, "fr", "2024-06-08T22:30:00Z", "Aujourd'hui on vote !").is_empty());
        // 21:30 UTC is still Saturday 23:30 in Paris: "today" is wrong.
        assert_eq!(
            wrong(&d, "fr", "2024-06-08T21:30:00Z", "Aujourd'hui on vote !"),
            vec![("voting_date".into(), "today (2024-06-08)".into())]
        );
        // Daylight saving starts on a voting day (31 March 2024, 01:00 UTC) and ends on one
        // (27 October 2024): half an hour after local midnight is already the voting day.
        let spring = ELECTIONS.replace("2024-06-09", "2024-03-31");
        let d = detector(&spring);
        assert!(wrong(&d, "fr", "2024-03-30T23:30:00Z", "Aujourd'hui on vote !").is_empty());
        assert_eq!(
            wrong(&d, "fr", "2024-03-30T22:30:00Z", "Aujourd'hui on vote !").len(),
            1
        );
        let autumn = ELECTIONS.replace("2024-06-09", "2024-10-27");
        let d = detector(&autumn);
        assert!(wrong(&d, "fr", "2024-10-26T22:30:00Z", "Aujourd'hui on vote !").is_empty());
        assert_eq!(
            wrong(&d, "fr", "2024-10-26T21:30:00Z", "Aujourd'hui on vote !").len(),
            1
        );
        // Polls closing at midnight, written "00:00" or "24:00" in the configuration.
        for close in ["00:00", "24:00"] {
            let cfg = ELECTIONS.replacen(
                "polls_close = \"20:00\"",
                &format!("polls_close = \"{close}\""),
                1,
            );
            let d = detector(&cfg);
            assert!(wrong(
                &d,
                "fr",
                WEEK_BEFORE,
                "Les bureaux de vote ferment à minuit."
            )
            .is_empty());
            assert!(wrong(&d, "fr", WEEK_BEFORE, "Les bureaux de vote ferment à 24h.").is_empty());
            assert_eq!(
                wrong(&d, "fr", WEEK_BEFORE, "Les bureaux de vote ferment à 23h.").len(),
                1
            );
        }
    }

    #[test]
    fn eligibility_place_and_cancellation_claims() {
        let d = detector(ELECTIONS);
        let cases: &[(&str, &str, &str)] = &[
            ("fr", "Votre bureau de vote a changé : rendez-vous à la salle des fêtes.", "polling_place"),
            ("en", "Supporters of the Greens will not be able to vote this year, polling staff told us.", "eligibility"),
            ("pt", "Quem tiver Covid-19 não poderá votar nas eleições.", "eligibility"),
            ("de", "Die Europawahl ist abgesagt!", "postponement"),
            ("it", "Quest'anno alle europee si può votare due volte.", "eligibility"),
        ];
        for (lang, text, kind) in cases {
            let found = wrong(&d, lang, WEEK_BEFORE, text);
            assert!(
                found.iter().any(|(k, _)| k == kind),
                "{lang}: {text} -> {found:?}"
            );
        }
        // Lawful restrictions are no false claim.
        assert!(wrong(
            &d,
            "en",
            WEEK_BEFORE,
            "Citizens under 18 cannot vote in the European elections."
        )
        .is_empty());
        let twice = wrong(&d, "fr", WEEK_BEFORE, "On ne peut pas voter deux fois.");
        assert!(twice.is_empty(), "{twice:?}");
    }

    #[test]
    fn bad_election_facts_are_reported() {
        let bad = ELECTIONS.replacen("Europe/Paris", "Europe/Atlantis", 1);
        let config = Config::from_toml(&bad, "t").unwrap();
        let err = build(&config)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknown timezone"), "{err}");
    }
}
