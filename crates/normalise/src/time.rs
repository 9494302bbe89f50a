//! Timestamp parsing for the forms real exports use.
//!
//! Hand-written byte parsers rather than chrono format strings: the ISO forms are parsed millions
//! of times per run (the IRA archive writes "2017-09-07 19:52"), and RSS dates in the wild ignore
//! RFC 2822 (localised weekdays, `Dec 16 2023 02:02:33 PM`), which chrono's strict parser rejects.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a timestamp in any of the forms found in inputs; naive times are UTC.
///
/// Accepted: RFC 3339 / ISO 8601 (`T` or space separator, optional seconds and fraction, offset
/// `Z`, `±HH:MM`, `±HHMM`, `±HH` or none), `YYYY-MM-DD` (midnight UTC), RFC 2822 and its RSS
/// variants (any-language weekday, English/French/German/Italian/Spanish month names, named zones
/// such as `GMT`, `EST`, `CET`, `AM`/`PM`, the Twitter API form `Mon Jun 01 10:00:00 +0000 2020`),
/// unix seconds (9–11 digits, optional fraction), milliseconds (12–14 digits) and microseconds
/// (15–17 digits).
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    // No real timestamp is this long; refuse to tokenise hostile input.
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    let b = s.as_bytes();
    if b[0].is_ascii_digit() {
        if let Some(t) = parse_unix(s) {
            return Some(t);
        }
        if b.len() >= 10 && b[4] == b'-' {
            return parse_iso(b);
        }
    }
    parse_loose(s)
}

/// Parses with a chrono strftime format; a format without offset is read as UTC, a date-only
/// format as midnight UTC.
pub fn parse_with_format(s: &str, fmt: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_str(s, fmt) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(s, fmt)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Unix seconds (`1629589836`, `1629589836.5`) or milliseconds (`1629589836500`).
fn parse_unix(s: &str) -> Option<DateTime<Utc>> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = int.parse().ok()?;
    // Fraction digits beyond nanoseconds are dropped.
    let frac_nanos = |scale: u32| -> u32 {
        let digits = &frac[..frac.len().min(9)];
        let mut v: u64 = digits.parse().unwrap_or(0);
        for _ in digits.len()..9 {
            v *= 10;
        }
        (v / u64::from(scale)) as u32
    };
    match int.len() {
        9..=11 => DateTime::from_timestamp(n, frac_nanos(1)),
        12..=14 => {
            let nanos = (n.rem_euclid(1000) as u32) * 1_000_000 + frac_nanos(1000);
            DateTime::from_timestamp(n.div_euclid(1000), nanos)
        }
        // Microseconds, as Bluesky Jetstream's `time_us`.
        15..=17 if frac.is_empty() => DateTime::from_timestamp(
            n.div_euclid(1_000_000),
            (n.rem_euclid(1_000_000) as u32) * 1000,
        ),
        _ => None,
    }
}

/// Reads exactly `n` ASCII digits at `*i`.
fn digits(b: &[u8], i: &mut usize, n: usize) -> Option<u32> {
    let end = i.checked_add(n)?;
    let slice = b.get(*i..end)?;
    let mut v = 0u32;
    for &c in slice {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    *i = end;
    Some(v)
}

/// Reads a run of 1+ digits as nanoseconds of a fraction.
fn fraction(b: &[u8], i: &mut usize) -> Option<u32> {
    let start = *i;
    let mut nanos = 0u32;
    while let Some(&c) = b.get(*i) {
        if !c.is_ascii_digit() {
            break;
        }
        let pos = *i - start;
        if pos < 9 {
            nanos += u32::from(c - b'0') * 10u32.pow(8 - pos as u32);
        }
        *i += 1;
    }
    (*i > start).then_some(nanos)
}

/// `±HH:MM`, `±HHMM` or `±HH` starting at `b[0]`; seconds east of UTC.
fn numeric_offset(b: &[u8]) -> Option<i32> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut i = 1;
    let h = digits(b, &mut i, 2)?;
    let m = if i == b.len() {
        0
    } else {
        if b[i] == b':' {
            i += 1;
        }
        digits(b, &mut i, 2)?
    };
    if i != b.len() || h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60) as i32)
}

/// Builds the UTC instant of a local date `(y, m, d)` and time `(h, m, s, nanos)` at `offset`
/// seconds east of UTC.
fn build(
    (y, mo, d): (i32, u32, u32),
    (h, mi, sec, nanos): (u32, u32, u32, u32),
    offset: i32,
) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let time = NaiveTime::from_hms_nano_opt(h, mi, sec, nanos)?;
    let tz = FixedOffset::east_opt(offset)?;
    tz.from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][ ][Z|±HH[:MM]|UTC|GMT]`.
fn parse_iso(b: &[u8]) -> Option<DateTime<Utc>> {
    let mut i = 0;
    let y = digits(b, &mut i, 4)? as i32;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let mo = digits(b, &mut i, 2)?;
    (b.get(i) == Some(&b'-')).then_some(())?;
    i += 1;
    let d = digits(b, &mut i, 2)?;
    if i == b.len() {
        return build((y, mo, d), (0, 0, 0, 0), 0);
    }
    if !matches!(b[i], b'T' | b't' | b' ') {
        return None;
    }
    i += 1;
    let h = digits(b, &mut i, 2)?;
    (b.get(i) == Some(&b':')).then_some(())?;
    i += 1;
    let mi = digits(b, &mut i, 2)?;
    let (mut sec, mut nanos) = (0, 0);
    if b.get(i) == Some(&b':') {
        i += 1;
        sec = digits(b, &mut i, 2)?;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            nanos = fraction(b, &mut i)?;
        }
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let zone = &b[i..];
    let offset = match zone {
        b"" | b"Z" | b"z" | b"UTC" | b"GMT" => 0,
        _ => numeric_offset(zone)?,
    };
    build((y, mo, d), (h, mi, sec, nanos), offset)
}

/// Month number of an English, French, German, Italian or Spanish month name or abbreviation.
fn month(token: &str) -> Option<u32> {
    let t = token.trim_end_matches('.').to_lowercase();
    let mut chars = t.chars();
    let p3: String = chars.by_ref().take(3).collect();
    if p3.chars().count() < 3 {
        return None;
    }
    let m = match p3.as_str() {
        "jan" | "gen" | "ene" => 1,
        "feb" | "fév" | "fev" => 2,
        "mar" | "mär" | "mrz" => 3,
        "apr" | "avr" | "abr" => 4,
        "may" | "mai" | "mag" => 5,
        "jun" | "giu" => 6,
        "jul" | "lug" => 7,
        // French "juin"/"juillet" share a prefix.
        "jui" => match chars.next() {
            Some('n') => 6,
            Some('l') => 7,
            _ => return None,
        },
        "aug" | "aoû" | "aou" | "ago" => 8,
        "sep" | "set" => 9,
        "oct" | "okt" | "ott" => 10,
        "nov" => 11,
        "dec" | "déc" | "dez" | "dic" => 12,
        _ => return None,
    };
    Some(m)
}

/// Offset in seconds of a named zone (RFC 2822 names plus common European/US abbreviations).
fn zone_offset(name: &str) -> Option<i32> {
    let h = |x: i32| x * 3600;
    Some(match name.to_ascii_uppercase().as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => 0,
        "EST" => h(-5),
        "EDT" => h(-4),
        "CST" => h(-6),
        "CDT" => h(-5),
        "MST" => h(-7),
        "MDT" => h(-6),
        "PST" => h(-8),
        "PDT" => h(-7),
        "AKST" => h(-9),
        "AKDT" => h(-8),
        "HST" => h(-10),
        "BST" | "CET" | "WEST" => h(1),
        "CEST" | "EET" => h(2),
        "EEST" | "MSK" => h(3),
        "JST" => h(9),
        "AEST" => h(10),
        "AEDT" => h(11),
        _ => return None,
    })
}

/// Tolerant RFC 2822 / RSS / Twitter-API date reader over whitespace/comma tokens.
fn parse_loose(s: &str) -> Option<DateTime<Utc>> {
    let (mut day, mut mon, mut year) = (None, None, None);
    let mut time: Option<(u32, u32, u32, u32)> = None;
    let mut offset: Option<i32> = None;
    let mut pm: Option<bool> = None;
    // A leading word followed by a comma is a weekday, in whatever language ("mer, 16 nov 2022").
    let mut rest = s;
    if let Some((first, after)) = s.split_once(',') {
        let first = first.trim().trim_end_matches('.');
        if !first.is_empty() && first.chars().all(char::is_alphabetic) {
            rest = after;
        }
    }
    for (idx, tok) in rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        let tb = tok.as_bytes();
        if tb[0].is_ascii_digit() {
            if tok.contains(':') {
                if time.is_some() {
                    return None;
                }
                let mut i = 0;
                let h = if tb.len() > 1 && tb[1] == b':' {
                    digits(tb, &mut i, 1)?
                } else {
                    digits(tb, &mut i, 2)?
                };
                (tb.get(i) == Some(&b':')).then_some(())?;
                i += 1;
                let mi = digits(tb, &mut i, 2)?;
                let (mut sec, mut nanos) = (0, 0);
                if tb.get(i) == Some(&b':') {
                    i += 1;
                    sec = digits(tb, &mut i, 2)?;
                    if tb.get(i) == Some(&b'.') {
                        i += 1;
                        nanos = fraction(tb, &mut i)?;
                    }
                }
                if i != tb.len() {
                    return None;
                }
                time = Some((h, mi, sec, nanos));
            } else if !tok.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            } else if tok.len() == 4 && year.is_none() {
                year = tok.parse::<i32>().ok();
            } else if tok.len() <= 2 && day.is_none() {
                day = tok.parse::<u32>().ok();
            } else if tok.len() == 2 && year.is_none() {
                // Obsolete two-digit years (RFC 2822 §4.3).
                let yy: i32 = tok.parse().ok()?;
                year = Some(if yy < 50 { 2000 + yy } else { 1900 + yy });
            } else {
                return None;
            }
        } else if tb[0] == b'+' || tb[0] == b'-' {
            if offset.is_some() {
                return None;
            }
            offset = Some(numeric_offset(tb)?);
        } else if let Some(m) = month(tok).filter(|_| mon.is_none() && time.is_none()) {
            mon = Some(m);
        } else if tok.eq_ignore_ascii_case("am") || tok.eq_ignore_ascii_case("pm") {
            time?;
            pm = Some(tok.eq_ignore_ascii_case("pm"));
        } else if let Some(z) = zone_offset(tok) {
            if offset.is_some() {
                return None;
            }
            offset = Some(z);
        } else if let Some(z) = tok
            .get(..3)
            .filter(|p| p.eq_ignore_ascii_case("GMT") || p.eq_ignore_ascii_case("UTC"))
            .and_then(|_| tok.get(3..))
            .and_then(|o| numeric_offset(o.as_bytes()))
        {
            // "GMT+0100"
            offset = Some(z);
        } else if idx == 0 && tok.chars().all(char::is_alphabetic) {
            // Weekday without a comma, as in the Twitter API form "Mon Jun 01 …".
        } else {
            return None;
        }
    }
    let (mut h, mi, sec, nanos) = time.unwrap_or((0, 0, 0, 0));
    match pm {
        Some(true) if (1..12).contains(&h) => h += 12,
        Some(false) if h == 12 => h = 0,
        Some(_) if h == 0 || h > 12 => return None,
        _ => {}
    }
    build(
        (year?, mon?, day?),
        (h, mi, sec, nanos),
        offset.unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> String {
        parse_timestamp(s).map_or_else(|| format!("<none: {s}>"), |t| t.to_rfc3339())
    }

    #[test]
    fn rfc3339_any_offset() {
        assert_eq!(ts("2024-06-01T10:00:00+02:00"), "2024-06-01T08:00:00+00:00");
        assert_eq!(ts("2024-06-01T10:00:00Z"), "2024-06-01T10:00:00+00:00");
        assert_eq!(
            ts("2024-06-01t10:00:00.250z"),
            "2024-06-01T10:00:00.250+00:00"
        );
        assert_eq!(
            ts("2024-06-01T10:00:00.123456789-05:30"),
            "2024-06-01T15:30:00.123456789+00:00"
        );
        assert_eq!(ts("2020-05-24T21:51:16+00:00"), "2020-05-24T21:51:16+00:00");
        // Atom <updated>
    }

    #[test]
    fn compact_offsets() {
        assert_eq!(ts("2019-05-13T15:30:04+0000"), "2019-05-13T15:30:04+00:00"); // Meta ad library
        assert_eq!(
            ts("2019-05-13T15:30:04.000+0200"),
            "2019-05-13T13:30:04+00:00"
        );
        assert_eq!(ts("2019-05-13T15:30:04+03"), "2019-05-13T12:30:04+00:00");
        assert_eq!(ts("2019-05-13 15:30:04 UTC"), "2019-05-13T15:30:04+00:00");
    }

    #[test]
    fn naive_forms_are_utc() {
        assert_eq!(ts("2017-09-07 19:52:00"), "2017-09-07T19:52:00+00:00"); // IRA CSV
        assert_eq!(ts("2017-06-22 16:03"), "2017-06-22T16:03:00+00:00"); // IRA tweet_time
        assert_eq!(ts("2017-09-07T19:52:00"), "2017-09-07T19:52:00+00:00");
        assert_eq!(ts("2013-12-07"), "2013-12-07T00:00:00+00:00");
        assert_eq!(ts("2023-01-07T12:18:49"), "2023-01-07T12:18:49+00:00"); // Telegram export
    }

    #[test]
    fn rss_samples() {
        // Every <pubDate> form found in /work/shared/data/formats/rss_sample_*.xml.
        assert_eq!(
            ts("Sun, 17 Dec 2023 00:58:40 -0500"),
            "2023-12-17T05:58:40+00:00"
        );
        assert_eq!(
            ts("Tue, 15 Nov 2022 20:15:04 Z"),
            "2022-11-15T20:15:04+00:00"
        );
        assert_eq!(
            ts("mer, 16 nov 2022 00:38:15 +0100"),
            "2022-11-15T23:38:15+00:00"
        );
        assert_eq!(
            ts("Sat, Dec 16 2023 02:02:33 PM"),
            "2023-12-16T14:02:33+00:00"
        );
    }

    #[test]
    fn rfc2822_named_zones_and_variants() {
        assert_eq!(
            ts("Mon, 04 Mar 2024 09:15:00 GMT"),
            "2024-03-04T09:15:00+00:00"
        );
        assert_eq!(
            ts("Mon, 04 Mar 2024 09:15:00 EST"),
            "2024-03-04T14:15:00+00:00"
        );
        assert_eq!(
            ts("Mon, 1 Jul 2024 09:15:00 EDT"),
            "2024-07-01T13:15:00+00:00"
        );
        assert_eq!(
            ts("Mon, 04 Mar 2024 09:15:00 PST"),
            "2024-03-04T17:15:00+00:00"
        );
        assert_eq!(
            ts("Mon, 04 Mar 2024 09:15:00 CET"),
            "2024-03-04T08:15:00+00:00"
        );
        assert_eq!(ts("4 Mar 2024 09:15 +0000"), "2024-03-04T09:15:00+00:00");
        assert_eq!(
            ts("Mon, 04 Mar 24 09:15:00 GMT"),
            "2024-03-04T09:15:00+00:00"
        );
        assert_eq!(
            ts("Mon, 04 Mar 2024 09:15:00 GMT+0100"),
            "2024-03-04T08:15:00+00:00"
        );
        assert_eq!(
            ts("mar., 15 nov. 2022 08:00:00 +0100"),
            "2022-11-15T07:00:00+00:00"
        );
        assert_eq!(
            ts("sab, 16 dic 2023 12:00:00 +0100"),
            "2023-12-16T11:00:00+00:00"
        );
        assert_eq!(
            ts("Do, 14 Mär 2024 12:00:00 +0100"),
            "2024-03-14T11:00:00+00:00"
        );
        assert_eq!(
            ts("jeu., 10 juil. 2024 12:00:00 +0200"),
            "2024-07-10T10:00:00+00:00"
        );
        assert_eq!(
            ts("Sat, Dec 16 2023 12:30:00 AM"),
            "2023-12-16T00:30:00+00:00"
        );
        // Twitter API v1.1 created_at.
        assert_eq!(
            ts("Mon Jun 01 10:00:00 +0000 2020"),
            "2020-06-01T10:00:00+00:00"
        );
    }

    #[test]
    fn unix_seconds_and_millis() {
        assert_eq!(ts("1629589836"), "2021-08-21T23:50:36+00:00");
        assert_eq!(ts("1629589836.5"), "2021-08-21T23:50:36.500+00:00");
        assert_eq!(ts("1629589836500"), "2021-08-21T23:50:36.500+00:00");
        assert_eq!(ts(" 1629589836 "), "2021-08-21T23:50:36+00:00");
        assert_eq!(ts("1509908649.0"), "2017-11-05T19:04:09+00:00"); // certstream not_before
        assert_eq!(ts("1783175888085434"), "2026-07-04T14:38:08.085434+00:00"); // Jetstream time_us
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "   ",
            "yesterday",
            "2024-13-01",
            "2024-02-30",
            "2024-06-01T25:00:00Z",
            "2024-06-01T10:00:00+2500",
            "2024-06-01X10:00",
            "2024",
            "12",
            "Mon, 04 Foo 2024 09:15:00 GMT",
            "Mon, 04 Mar 2024 09:15:00 XYZ",
            "Sat, Dec 16 2023 13:02:33 PM",
            "1.2.3",
            "2024-06-01T10:00:00 nonsense",
            "١٢٣٤-٠٦-٠١",
            "2024-06-01T10:00:00+00:00:00",
            "Mon, 04 Mar 2024 09:15:00 +0000 +0000",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s:?}");
        }
        let long = "9".repeat(10_000);
        assert_eq!(parse_timestamp(&long), None);
    }

    #[test]
    fn with_format() {
        let f = |s: &str, fmt: &str| parse_with_format(s, fmt).map(|t| t.to_rfc3339());
        assert_eq!(
            f("07/09/2017 19:52", "%d/%m/%Y %H:%M").as_deref(),
            Some("2017-09-07T19:52:00+00:00")
        );
        assert_eq!(
            f("07/09/2017", "%d/%m/%Y").as_deref(),
            Some("2017-09-07T00:00:00+00:00")
        );
        assert_eq!(
            f("2017-09-07 19:52:00 +0200", "%Y-%m-%d %H:%M:%S %z").as_deref(),
            Some("2017-09-07T17:52:00+00:00")
        );
        assert_eq!(f("not a date", "%Y-%m-%d"), None);
    }
}
