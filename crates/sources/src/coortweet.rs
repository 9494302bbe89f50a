//! The sample data sets of CooRTweet (Righetti & Balluff): anonymised share logs with integer or
//! hashed ids and no text.
//!
//! - shares (`german_elections.csv`): `account_id, post_id, url_id, hashtag_id, domain_id, phash_id,
//!   timestamp`, one row per (post, shared object). A post sharing two URLs appears on two rows,
//!   usually far apart: each row yields the post again with that row's objects. The store keeps
//!   the first version of an id, so the objects of later rows are not merged into it; streaming
//!   without an unbounded post_id index cannot do better.
//! - retweets (`russian_coord_tweets.csv`): `object_id, account_id, content_id, timestamp_share`.
//!
//! The anonymised ids become values the generic detectors already compare (a URL, a hashtag, an
//! image hash), so coordination on "same URL / hashtag / image within a window" works unchanged.

use crate::csv_rows::{read_rows, Row};
use crate::{ReadContext, Sink, SourceError};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::io::BufRead;
use vigie_core::{MediaRef, Post, Record};
use vigie_normalise::time::parse_timestamp;

pub fn read_shares(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_rows(
        r,
        ctx,
        b',',
        |row, out| {
            out.push(Record::Post(share(row)?));
            Ok(())
        },
        sink,
    )
}

pub fn read_retweets(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_rows(
        r,
        ctx,
        b',',
        |row, out| {
            out.push(Record::Post(retweet(row)?));
            Ok(())
        },
        sink,
    )
}

/// Unix seconds exactly as written (the generic parser would read 12+ digits as milliseconds).
fn unix_time(row: &Row<'_>, col: &str) -> Result<DateTime<Utc>, String> {
    let v = row.required(col)?;
    v.parse::<i64>()
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .or_else(|| parse_timestamp(v))
        .ok_or_else(|| format!("column `{col}`: {v:?} is not a unix timestamp"))
}

/// An anonymised id: kept verbatim, but it must look like an id (no spaces, bounded length) since
/// it ends up inside synthetic URLs and hashtags.
fn id_column<'r>(row: &'r Row<'_>, col: &str) -> Result<Option<&'r str>, String> {
    match row.opt(col) {
        None => Ok(None),
        Some(v)
            if v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            Ok(Some(v))
        }
        Some(v) => {
            let shown: String = v.chars().take(40).collect();
            Err(format!("column `{col}`: {shown:?} is not an anonymised id"))
        }
    }
}

fn share(row: &Row<'_>) -> Result<Post, String> {
    let author =
        id_column(row, "account_id")?.ok_or("missing required column value `account_id`")?;
    let id = id_column(row, "post_id")?.ok_or("missing required column value `post_id`")?;
    let created_at = unix_time(row, "timestamp")?;
    let url_id = id_column(row, "url_id")?;
    let hashtag_id = id_column(row, "hashtag_id")?;
    let domain_id = id_column(row, "domain_id")?;
    let phash_id = id_column(row, "phash_id")?;
    let mut extra = Map::new();
    for (key, v) in [
        ("url_id", url_id),
        ("hashtag_id", hashtag_id),
        ("domain_id", domain_id),
        ("phash_id", phash_id),
    ] {
        if let Some(v) = v {
            extra.insert(key.into(), Value::from(v));
        }
    }
    Ok(Post {
        id: id.to_owned(),
        platform: if author.starts_with("fb_") {
            "facebook"
        } else {
            "x"
        }
        .into(),
        author: author.to_owned(),
        created_at,
        text: String::new(),
        lang: None,
        urls: url_id
            .map(|u| synthetic_url(u, domain_id))
            .into_iter()
            .collect(),
        hashtags: hashtag_id
            .map(|h| format!("coortweet_{h}"))
            .into_iter()
            .collect(),
        mentions: vec![],
        reply_to: None,
        repost_of: None,
        quote_of: None,
        media: phash_id
            .map(|p| MediaRef {
                sha256: None,
                phash: Some(synthetic_phash(p)),
                path: None,
                c2pa: None,
            })
            .into_iter()
            .collect(),
        metrics: None,
        extra,
    })
}

/// `https://domain-<domain_id>.invalid/url/<url_id>`, or `https://coortweet.invalid/url/<url_id>`
/// when the domain is unknown. Each anonymised domain gets its own host (under the reserved
/// `.invalid` TLD, so it can never resolve or collide with a real site): one shared host would make
/// every shared link look like the same site to domain-level detectors.
fn synthetic_url(url_id: &str, domain_id: Option<&str>) -> String {
    match domain_id {
        Some(d) => format!("https://domain-{d}.invalid/url/{url_id}"),
        None => format!("https://coortweet.invalid/url/{url_id}"),
    }
}

/// A 64-bit hex value derived from the anonymised image id. The id itself is an arbitrary integer:
/// read as a perceptual hash, ids 9280 and 9281 would be one bit apart, i.e. "the same picture,
/// slightly altered" to the manufactured-media detector. Hashing keeps equal ids equal and puts
/// different ids ~32 bits apart, as unrelated images are. The original id stays in `extra.phash_id`.
fn synthetic_phash(phash_id: &str) -> String {
    format!(
        "{:016x}",
        vigie_core::stable_hash(&[b"coortweet-phash", phash_id.as_bytes()])
    )
}

fn retweet(row: &Row<'_>) -> Result<Post, String> {
    let author =
        id_column(row, "account_id")?.ok_or("missing required column value `account_id`")?;
    let object = id_column(row, "object_id")?.ok_or("missing required column value `object_id`")?;
    let when = row.required("timestamp_share")?;
    let created_at = unix_time(row, "timestamp_share")?;
    // Rows carry no id of their own: the same (account, object, time) read twice is the same share.
    let id = format!(
        "coortweet-{:016x}",
        vigie_core::stable_hash(&[author.as_bytes(), object.as_bytes(), when.as_bytes()])
    );
    let mut extra = Map::new();
    if let Some(content) = id_column(row, "content_id")? {
        extra.insert("content_id".into(), Value::from(content));
    }
    Ok(Post {
        id,
        platform: "x".into(),
        author: author.to_owned(),
        created_at,
        text: String::new(),
        lang: None,
        urls: vec![],
        hashtags: vec![],
        mentions: vec![],
        reply_to: None,
        repost_of: Some(object.to_owned()),
        quote_of: None,
        media: vec![],
        metrics: None,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{posts, rejections};
    use crate::Event;
    use std::ops::ControlFlow;
    use vigie_core::config::InputConfig;

    fn events(data: &[u8], retweets: bool) -> Vec<Event> {
        let read = if retweets { read_retweets } else { read_shares };
        crate::test_support::events(read, "coortweet.csv", data, &InputConfig::default())
    }

    #[test]
    fn shares_map_anonymised_ids_onto_comparable_fields() {
        let data = b"account_id,post_id,url_id,hashtag_id,domain_id,phash_id,timestamp\n\
fb_12670,129235,23678,,3498,,1629589836\n\
tw_77,5,,41,,9280,1629589069\n\
tw_78,6,,,,9281,1629589070\n\
tw_79,7,,,,,yesterday\n\
,8,,,,,1629589070\n\
tw_80,9,<script>,,,,1629589070\n\
fb_12670,129235,23679,,3499,,1629589836\n";
        let ev = events(data, false);
        let got = posts(&ev);
        assert_eq!(
            got.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![2, 3, 4, 8]
        );
        let (_, fb) = got[0];
        assert_eq!(
            (fb.id.as_str(), fb.platform.as_str(), fb.author.as_str()),
            ("129235", "facebook", "fb_12670")
        );
        assert_eq!(fb.created_at.to_rfc3339(), "2021-08-21T23:50:36+00:00");
        assert_eq!(fb.urls, vec!["https://domain-3498.invalid/url/23678"]);
        assert!(fb.hashtags.is_empty() && fb.media.is_empty() && fb.text.is_empty());
        assert_eq!(fb.extra["url_id"], "23678");
        assert_eq!(fb.extra["domain_id"], "3498");
        let (_, tw) = got[1];
        assert_eq!(tw.platform, "x");
        assert_eq!(tw.hashtags, vec!["coortweet_41"]);
        assert_eq!(tw.extra["phash_id"], "9280");
        // Neighbouring image ids must not look like near-identical images.
        let bits =
            |p: &Post| u64::from_str_radix(p.media[0].phash.as_deref().unwrap_or(""), 16).unwrap();
        assert_eq!(tw.media[0].phash.as_deref().map(str::len), Some(16));
        assert!((bits(tw) ^ bits(got[2].1)).count_ones() > 8);
        // The same post on a later row: same id, that row's URL.
        assert_eq!(got[3].1.id, "129235");
        assert_eq!(got[3].1.urls, vec!["https://domain-3499.invalid/url/23679"]);
        let rej = rejections(&ev);
        assert_eq!(rej.iter().map(|r| r.0).collect::<Vec<_>>(), vec![5, 6, 7]);
        assert!(
            rej[0].1.contains("\"yesterday\" is not a unix timestamp"),
            "{}",
            rej[0].1
        );
        assert!(rej[1].1.contains("`account_id`"), "{}", rej[1].1);
        assert!(
            rej[2]
                .1
                .contains("column `url_id`: \"<script>\" is not an anonymised id"),
            "{}",
            rej[2].1
        );
    }

    #[test]
    fn retweets_get_stable_ids_and_point_at_the_object() {
        let data = b"object_id,account_id,content_id,timestamp_share\n\
85d2d12251a735ce05255061f7f231e2,0fb4232d1b7b37069c13ee17579bd10e,114e22f1b2b648528277b76f0b0224e7,1623881091\n\
85d2d12251a735ce05255061f7f231e2,7d0e462c10d52c4ec1db5af953bf9b26,,1623881091\n\
85d2d12251a735ce05255061f7f231e2,7d0e462c10d52c4ec1db5af953bf9b26,,not-a-time\n";
        let ev = events(data, true);
        let got = posts(&ev);
        assert_eq!(got.len(), 2);
        let (line, p) = got[0];
        assert_eq!(line, 2);
        assert_eq!(p.author, "0fb4232d1b7b37069c13ee17579bd10e");
        assert_eq!(
            p.repost_of.as_deref(),
            Some("85d2d12251a735ce05255061f7f231e2")
        );
        assert_eq!(p.extra["content_id"], "114e22f1b2b648528277b76f0b0224e7");
        assert_eq!(p.created_at.to_rfc3339(), "2021-06-16T22:04:51+00:00");
        assert!(
            p.id.starts_with("coortweet-") && p.id.len() == "coortweet-".len() + 16,
            "{}",
            p.id
        );
        assert_ne!(p.id, got[1].1.id);
        assert!(!got[1].1.extra.contains_key("content_id"));
        let again = events(data, true);
        assert_eq!(posts(&again)[0].1.id, p.id);
        assert_eq!(rejections(&ev).first().map(|r| r.0), Some(4));
    }

    fn open_gz(
        name: &str,
    ) -> Option<std::io::BufReader<flate2::read::MultiGzDecoder<std::fs::File>>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/coortweet")
            .join(name);
        match std::fs::File::open(&path) {
            Ok(f) => Some(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(
                f,
            ))),
            Err(_) => {
                eprintln!(
                    "skipping: {} absent (../shared/data not mounted)",
                    path.display()
                );
                None
            }
        }
    }

    #[test]
    fn real_coortweet_files_read_completely() {
        let limits = InputConfig::default();
        let ctx = ReadContext::new("coortweet", &limits);
        for (name, retweets, rows, platforms) in [
            ("german_elections.csv.gz", false, 218_971usize, 2usize),
            ("russian_coord_tweets.csv.gz", true, 35_125, 1),
        ] {
            let Some(mut reader) = open_gz(name) else {
                return;
            };
            let (mut n, mut rejected) = (0usize, Vec::new());
            let mut seen_platforms = std::collections::BTreeSet::new();
            let mut sink = |e| {
                match e {
                    Event::Record {
                        record: Record::Post(p),
                        ..
                    } => {
                        n += 1;
                        seen_platforms.insert(p.platform);
                    }
                    Event::Record { .. } => {}
                    Event::Rejected(r) => rejected.push(r),
                }
                ControlFlow::Continue(())
            };
            if retweets {
                read_retweets(&mut reader, ctx, &mut sink).unwrap();
            } else {
                read_shares(&mut reader, ctx, &mut sink).unwrap();
            }
            // Three share rows have no post_id; they are the only rejections.
            let expected_rejections = if retweets { 0 } else { 3 };
            assert_eq!(
                rejected.len(),
                expected_rejections,
                "{name}: {:?}",
                &rejected[..rejected.len().min(3)]
            );
            assert_eq!(n + rejected.len(), rows, "{name}");
            assert_eq!(
                seen_platforms.len(),
                platforms,
                "{name}: {seen_platforms:?}"
            );
        }
    }
}
