//! X/Twitter information-operations archives (hashed CSV releases, 2018 onwards). Columns are read
//! by header name: their order changed between releases.

use crate::csv_rows::{read_rows, Row};
use crate::{ReadContext, Sink, SourceError};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::io::BufRead;
use vigie_core::{Account, Metrics, Post, Record};
use vigie_normalise::time::parse_timestamp;

const SEEN_ACCOUNTS_CAP: usize = 200_000;
const PLATFORM: &str = "x";

pub fn read_tweets(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut seen = HashSet::new();
    read_rows(
        r,
        ctx,
        b',',
        |row, out| {
            let user = row.required("userid")?;
            if !seen.contains(user) {
                if seen.len() >= SEEN_ACCOUNTS_CAP {
                    seen.clear();
                }
                seen.insert(user.to_owned());
                out.push(Record::Account(account(row)?));
            }
            out.push(Record::Post(tweet(row)?));
            Ok(())
        },
        sink,
    )
}

pub fn read_users(
    r: &mut dyn BufRead,
    ctx: ReadContext<'_>,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    read_rows(
        r,
        ctx,
        b',',
        |row, out| {
            out.push(Record::Account(account(row)?));
            Ok(())
        },
        sink,
    )
}

fn time(row: &Row<'_>, col: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    match row.opt(col) {
        None => Ok(None),
        Some(v) => parse_timestamp(v)
            .map(Some)
            .ok_or_else(|| format!("unreadable {col} {v:?}")),
    }
}

fn tweet(row: &Row<'_>) -> Result<Post, String> {
    let created_at =
        time(row, "tweet_time")?.ok_or("missing required column value `tweet_time`")?;
    let mut extra = Map::new();
    if let Some(client) = row.opt("tweet_client_name") {
        extra.insert("client".into(), Value::from(client));
    }
    Ok(Post {
        id: row.required("tweetid")?.to_owned(),
        platform: PLATFORM.into(),
        author: row.required("userid")?.to_owned(),
        created_at,
        text: row.get("tweet_text").to_owned(),
        lang: row.opt("tweet_language").map(str::to_owned),
        urls: list(row.get("urls")),
        hashtags: list(row.get("hashtags")),
        mentions: list(row.get("user_mentions")),
        reply_to: row.opt("in_reply_to_tweetid").map(str::to_owned),
        repost_of: row.opt("retweet_tweetid").map(str::to_owned),
        quote_of: row.opt("quoted_tweet_tweetid").map(str::to_owned),
        media: vec![],
        metrics: Some(Metrics {
            likes: row.count("like_count")?,
            reposts: row.count("retweet_count")?,
            replies: row.count("reply_count")?,
            views: None,
        })
        .filter(|m| m != &Metrics::default()),
        extra,
    })
}

fn account(row: &Row<'_>) -> Result<Account, String> {
    let id = row.required("userid")?;
    let mut extra = Map::new();
    if let Some(lang) = row.opt("account_language") {
        extra.insert("account_language".into(), Value::from(lang));
    }
    if let Some(url) = row.opt("user_profile_url") {
        extra.insert("profile_url".into(), Value::from(url));
    }
    Ok(Account {
        id: id.to_owned(),
        platform: PLATFORM.into(),
        handle: row.opt("user_screen_name").unwrap_or(id).to_owned(),
        display_name: row.opt("user_display_name").map(str::to_owned),
        created_at: time(row, "account_creation_date")?,
        followers: row.count("follower_count")?,
        following: row.count("following_count")?,
        posts_count: None,
        bio: row.opt("user_profile_description").map(str::to_owned),
        verified: false,
        avatar_phash: None,
        avatar_path: None,
        location: row.opt("user_reported_location").map(str::to_owned),
        extra,
    })
}

/// `[a, b]`, `['a', 'b']`, `["a"]`, `[]` or empty: the list columns of the IO archives.
fn list(raw: &str) -> Vec<String> {
    let inner = raw.trim().trim_start_matches('[').trim_end_matches(']');
    inner
        .split(',')
        .map(|s| s.trim().trim_matches(|c| c == '\'' || c == '"').trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use vigie_core::config::InputConfig;

    fn events(data: &[u8], users: bool) -> Vec<Event> {
        let read = if users { read_users } else { read_tweets };
        crate::test_support::events(read, "io.csv", data, &InputConfig::default())
    }

    #[test]
    fn list_columns_in_every_observed_shape() {
        assert_eq!(list("[http://a.ru/x.html]"), vec!["http://a.ru/x.html"]);
        assert_eq!(list("['tag1', 'tag2']"), vec!["tag1", "tag2"]);
        assert!(list("[]").is_empty());
        assert!(list("").is_empty());
    }

    #[test]
    fn later_release_column_order_is_read_by_name() {
        let data = b"tweetid,in_reply_to_userid,in_reply_to_tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet,retweet_tweetid,hashtags\n\
                     11,5,10,u1,bob,hello #x,2019-01-02 03:04,false,,[x]\n";
        let ev = events(data, false);
        let Event::Record {
            record: Record::Post(p),
            line,
        } = &ev[1]
        else {
            panic!("{ev:?}")
        };
        assert_eq!(*line, 2);
        assert_eq!(p.reply_to.as_deref(), Some("10"));
        assert_eq!(p.hashtags, vec!["x"]);
        assert_eq!(p.created_at.to_rfc3339(), "2019-01-02T03:04:00+00:00");
    }

    #[test]
    fn real_io_archive_samples() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/formats");
        let (Ok(tweets), Ok(users)) = (
            std::fs::read(dir.join("twitter_io_tweets_sample.csv")),
            std::fs::read(dir.join("twitter_io_users_sample.csv")),
        ) else {
            eprintln!(
                "skipping: {} absent (../shared/data not mounted)",
                dir.display()
            );
            return;
        };
        let ev = events(&tweets, false);
        let posts: Vec<&Post> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    record: Record::Post(p),
                    ..
                } => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].id, "877919995476496385");
        assert!(
            posts[0].text.contains("\"Если бы не 27 миллионов"),
            "{}",
            posts[0].text
        );
        assert_eq!(posts[0].repost_of.as_deref(), Some("877917212119416832"));
        assert_eq!(
            posts[0].urls,
            vec!["http://ru-open.livejournal.com/374284.html"]
        );
        assert_eq!(posts[0].mentions, vec!["2572896396"]);
        assert_eq!(
            posts[0].created_at.to_rfc3339(),
            "2017-06-22T16:03:00+00:00"
        );
        let ev = events(&users, true);
        let accounts: Vec<&Account> = ev
            .iter()
            .filter_map(|e| match e {
                Event::Record {
                    record: Record::Account(a),
                    ..
                } => Some(a),
                _ => None,
            })
            .collect();
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].followers, Some(1541));
        assert_eq!(
            accounts[0].created_at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2014-06-13T00:00:00+00:00")
        );
    }
}
