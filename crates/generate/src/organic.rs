//! The organic background: ordinary accounts, and posts and articles with a daily rhythm,
//! heavy-tailed activity, Zipf vocabulary, organic hashtags, news links, replies and reposts.
//! Everything is streamed hour by hour; only the account table and small ring buffers of recent
//! posts and articles stay in memory.

use crate::lang::{Lang, CANDIDATES};
use crate::names::{entities, ordinary_handle};
use crate::ops::{Item, OpAccount};
use crate::text::{slug, Texts};
use crate::world::{Clock, Ids, NEWS_SITES, PROTECTED_MEDIA};
use crate::{GenerateError, JsonlWriter};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::Map;
use std::collections::{BTreeSet, VecDeque};
use vigie_core::{Account, Article, Metrics, Post, Record};

/// Relative posting intensity per local hour: quiet nights, a morning peak, an evening peak.
pub const RHYTHM: [f64; 24] = [
    0.9, 0.5, 0.3, 0.2, 0.2, 0.4, 1.1, 2.3, 3.3, 3.5, 3.2, 3.0, 3.3, 3.1, 2.8, 2.7, 2.8, 3.0, 3.4,
    3.8, 4.2, 4.4, 3.6, 2.2,
];

/// The organic hashtag that surges on the evening of the televised debate: many ordinary
/// accounts, no operation behind it (an astroturf negative).
pub const DEBATE_TAG: &str = "LeGrandDébat";

/// An account that can author background posts.
struct Author {
    id: String,
    handle: String,
    platform: &'static str,
    lang: Lang,
    created: DateTime<Utc>,
    followers: u64,
}

/// A recently written post that later posts may reply to or repost.
#[derive(Clone)]
struct Recent {
    id: String,
    handle: String,
    text: String,
    lang: Lang,
}

pub struct Background {
    authors: Vec<Author>,
    cum: Vec<f64>,
    /// Accounts created during the campaign by ordinary people (account_burst negatives).
    pub new_organic_accounts: Vec<String>,
}

fn platform_of(code: &str) -> &'static str {
    match code {
        "telegram" => "telegram",
        "facebook" => "facebook",
        _ => "x",
    }
}

fn pick_lang(rng: &mut ChaCha8Rng) -> Lang {
    let w = Lang::weights();
    let mut u = rng.gen::<f64>() * w.iter().sum::<f64>();
    for (i, x) in w.iter().enumerate() {
        if u < *x {
            return Lang::ALL[i];
        }
        u -= x;
    }
    Lang::Fr
}

/// Writes the organic accounts (with the operations' accounts interleaved at random positions,
/// so file order reveals nothing) and returns the table of possible authors.
#[allow(clippy::too_many_arguments)]
pub fn write_accounts(
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    texts: &Texts,
    ids: &mut Ids,
    handles: &mut BTreeSet<String>,
    n: usize,
    op_accounts: Vec<OpAccount>,
    out: &mut JsonlWriter,
) -> Result<Background, GenerateError> {
    let mut authors = Vec::with_capacity(n + op_accounts.len());
    let mut cum = Vec::with_capacity(n + op_accounts.len());
    let mut total = 0.0;
    let mut new_organic = Vec::new();

    let mut slots: Vec<(usize, usize)> = (0..op_accounts.len())
        .map(|i| (rng.gen_range(0..=n), i))
        .collect();
    slots.sort_unstable();
    let mut slots = slots.into_iter().peekable();
    let mut op_accounts: Vec<Option<OpAccount>> = op_accounts.into_iter().map(Some).collect();
    let period = clock.days as i64 * 86_400;

    for k in 0..=n {
        while let Some(&(_, i)) = slots.peek().filter(|(pos, _)| *pos == k) {
            slots.next();
            if let Some(op) = op_accounts[i].take() {
                let a = &op.account;
                if op.background {
                    total += rng.gen_range(0.5..3.0);
                    cum.push(total);
                    authors.push(Author {
                        id: a.id.clone(),
                        handle: a.handle.clone(),
                        platform: platform_of(&a.platform),
                        lang: op.lang,
                        created: a.created_at.unwrap_or(clock.t0),
                        followers: a.followers.unwrap_or(0),
                    });
                }
                out.write(&Record::Account(op.account))?;
            }
        }
        if k == n {
            break;
        }
        let platform = match rng.gen_range(0..100) {
            0..=71 => "x",
            72..=83 => "telegram",
            _ => "facebook",
        };
        let lang = pick_lang(rng);
        let (h, display) = ordinary_handle(rng, lang);
        let mut handle = h.clone();
        let mut suffix = 1;
        while !handles.insert(format!("{platform}:{handle}")) {
            suffix += 1;
            handle = format!("{h}{suffix}");
        }
        let id = ids.account();
        // 2% of ordinary users join during the campaign, spread evenly: not a burst.
        let created = if rng.gen_bool(0.02) {
            new_organic.push(id.clone());
            clock.t0 + Duration::seconds(rng.gen_range(0..period))
        } else {
            clock.t0 - Duration::seconds(rng.gen_range(30 * 86_400..5_500 * 86_400))
        };
        // Heavy tails: Pareto followers and activity.
        let u: f64 = 1.0 - rng.gen::<f64>();
        let followers = ((12.0 * u.powf(-1.0 / 1.1)) as u64)
            .saturating_sub(10)
            .min(3_000_000);
        let activity = (1.0 - rng.gen::<f64>()).powf(-1.0 / 1.2).min(500.0);
        total += activity;
        cum.push(total);
        let verified = followers > 100_000 && rng.gen_bool(0.6);
        let bio = rng
            .gen_bool(0.4)
            .then(|| texts.vocab(lang).sentence(rng, 3, 9));
        let location = rng
            .gen_bool(0.3)
            .then(|| lang.cities()[rng.gen_range(0..lang.cities().len())].to_owned());
        let avatar = rng.gen_bool(0.85).then(|| ids.phash());
        let account = Account {
            id: id.clone(),
            platform: platform.to_owned(),
            handle: handle.clone(),
            display_name: Some(display),
            created_at: Some(created),
            followers: Some(followers),
            following: Some(20 + (rng.gen_range(0.0f64..7.0)).exp() as u64),
            posts_count: Some((activity * 40.0) as u64 + rng.gen_range(0..200)),
            bio,
            verified,
            avatar_phash: avatar,
            avatar_path: None,
            location,
            extra: Map::new(),
        };
        out.write(&Record::Account(account))?;
        authors.push(Author {
            id,
            handle,
            platform,
            lang,
            created,
            followers,
        });
    }
    Ok(Background {
        authors,
        cum,
        new_organic_accounts: new_organic,
    })
}

/// Splits `total` over slots in proportion to `weights`, exactly (largest remainder).
pub fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 || weights.is_empty() {
        return vec![0; weights.len()];
    }
    let raw: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut counts: Vec<usize> = raw.iter().map(|r| r.floor() as usize).collect();
    let given: usize = counts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = raw[a] - raw[a].floor();
        let fb = raw[b] - raw[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given)) {
        counts[i] += 1;
    }
    counts
}

/// Campaign intensity by day: quieter weekends, busier final days, busiest polling day.
fn day_factor(clock: &Clock, day: u32) -> f64 {
    let date = clock.date(day);
    let mut f = match date.weekday() {
        chrono::Weekday::Sat | chrono::Weekday::Sun => 0.9,
        _ => 1.0,
    };
    let to_poll = (clock.election_day - date).num_days();
    if (1..=3).contains(&to_poll) {
        f *= 1.15;
    } else if to_poll == 0 {
        f *= 1.3;
    }
    f
}

enum Event {
    Post,
    Article,
    /// Boxed: most events of an hour are organic and carry nothing.
    Op(Box<Item>),
}

pub struct Streams<'a> {
    pub posts: &'a mut JsonlWriter,
    pub articles: &'a mut JsonlWriter,
}

/// Writes posts and articles hour by hour, merging the operations' items (sorted by time) in.
#[allow(clippy::too_many_arguments)]
pub fn write_content(
    rng: &mut ChaCha8Rng,
    clock: &Clock,
    texts: &Texts,
    ids: &mut Ids,
    bg: &Background,
    posts_total: usize,
    op_items: Vec<Item>,
    out: Streams<'_>,
) -> Result<(), GenerateError> {
    let hours = clock.days as usize * 24;
    let debate_day = clock.days / 2;
    let weights: Vec<f64> = (0..hours)
        .map(|i| {
            let t = clock.t0 + Duration::hours(i as i64);
            let h = clock.local_hour(t) as usize;
            // The televised debate draws a larger audience online that evening.
            let debate = if i / 24 == debate_day as usize && (20..24).contains(&h) {
                1.6
            } else {
                1.0
            };
            RHYTHM[h] * day_factor(clock, (i / 24) as u32) * debate
        })
        .collect();
    let post_counts = apportion(posts_total, &weights);
    // Newsrooms publish by day: no articles between 1 and 5 in the morning.
    let article_weights: Vec<f64> = (0..hours)
        .map(|i| {
            let h = clock.local_hour(clock.t0 + Duration::hours(i as i64));
            if (1..6).contains(&h) {
                0.0
            } else {
                1.0
            }
        })
        .collect();
    let article_counts = apportion((posts_total / 150).max(30), &article_weights);

    let mut ring: VecDeque<Recent> = VecDeque::with_capacity(4096);
    let mut viral: VecDeque<Recent> = VecDeque::with_capacity(512);
    let mut recent_urls: Vec<VecDeque<String>> = vec![VecDeque::new(); Lang::ALL.len()];
    let mut ops = op_items.into_iter().peekable();
    let mut events: Vec<(DateTime<Utc>, u8, Event)> = Vec::new();

    for hour in 0..hours {
        let h0 = clock.t0 + Duration::hours(hour as i64);
        let h1 = h0 + Duration::hours(1);
        events.clear();
        for _ in 0..post_counts[hour] {
            events.push((
                h0 + Duration::milliseconds(rng.gen_range(0..3_600_000)),
                1,
                Event::Post,
            ));
        }
        for _ in 0..article_counts[hour] {
            events.push((
                h0 + Duration::seconds(rng.gen_range(0..3600)),
                2,
                Event::Article,
            ));
        }
        while let Some(item) = ops.next_if(|i| i.time() < h1 || hour + 1 == hours) {
            events.push((item.time(), 0, Event::Op(Box::new(item))));
        }
        // Stable sort: equal instants keep insertion order, so output is deterministic.
        events.sort_by_key(|(t, rank, _)| (*t, *rank));
        let debate_hour =
            hour / 24 == debate_day as usize && (20..24).contains(&clock.local_hour(h0));

        for (t, _, ev) in events.drain(..) {
            match ev {
                Event::Op(item) => match *item {
                    Item::Post(p) => out.posts.write(&Record::Post(p))?,
                    Item::Article(a) => out.articles.write(&Record::Article(a))?,
                },
                Event::Article => {
                    let a = organic_article(rng, texts, ids, t);
                    let lang_i = a.lang.as_deref().and_then(lang_index).unwrap_or(0);
                    let urls = &mut recent_urls[lang_i];
                    if urls.len() == 50 {
                        urls.pop_front();
                    }
                    urls.push_back(a.url.clone());
                    out.articles.write(&Record::Article(a))?;
                }
                Event::Post => {
                    let Some(author) = pick_author(rng, bg, t) else {
                        continue;
                    };
                    let post = organic_post(
                        rng,
                        texts,
                        ids,
                        author,
                        t,
                        &ring,
                        &viral,
                        &recent_urls,
                        debate_hour,
                    );
                    if post.repost_of.is_none() {
                        let recent = Recent {
                            id: post.id.clone(),
                            handle: author.handle.clone(),
                            text: prefix(&post.text, 220).to_owned(),
                            lang: post
                                .lang
                                .as_deref()
                                .and_then(lang_index)
                                .map(|i| Lang::ALL[i])
                                .unwrap_or(author.lang),
                        };
                        if author.followers > 5_000 {
                            if viral.len() == 512 {
                                viral.pop_front();
                            }
                            viral.push_back(recent.clone());
                        }
                        if ring.len() == 4096 {
                            ring.pop_front();
                        }
                        ring.push_back(recent);
                    }
                    out.posts.write(&Record::Post(post))?;
                }
            }
        }
    }
    Ok(())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn lang_index(code: &str) -> Option<usize> {
    Lang::ALL.iter().position(|l| l.code() == code)
}

/// A heavy-tailed draw of an author who already exists at `t`.
fn pick_author<'b>(
    rng: &mut ChaCha8Rng,
    bg: &'b Background,
    t: DateTime<Utc>,
) -> Option<&'b Author> {
    let total = *bg.cum.last()?;
    for _ in 0..16 {
        let u = rng.gen::<f64>() * total;
        let i = bg
            .cum
            .partition_point(|&c| c <= u)
            .min(bg.authors.len() - 1);
        let a = &bg.authors[i];
        if a.created < t {
            return Some(a);
        }
    }
    bg.authors.iter().find(|a| a.created < t)
}

#[allow(clippy::too_many_arguments)]
fn organic_post(
    rng: &mut ChaCha8Rng,
    texts: &Texts,
    ids: &mut Ids,
    author: &Author,
    t: DateTime<Utc>,
    ring: &VecDeque<Recent>,
    viral: &VecDeque<Recent>,
    recent_urls: &[VecDeque<String>],
    debate_hour: bool,
) -> Post {
    let mut lang = if rng.gen_bool(0.93) {
        author.lang
    } else {
        Lang::ALL[rng.gen_range(0..Lang::ALL.len())]
    };
    let vocab = texts.vocab(lang);
    let roll = rng.gen_range(0..100);
    let (mut reply_to, mut repost_of, mut quote_of) = (None, None, None);
    let text = if roll < 12 && !ring.is_empty() {
        // Reposts favour popular accounts, so popular posts are reposted many times over hours.
        let src = if !viral.is_empty() && rng.gen_bool(0.6) {
            &viral[rng.gen_range(0..viral.len())]
        } else {
            &ring[rng.gen_range(0..ring.len())]
        };
        repost_of = Some(src.id.clone());
        lang = src.lang;
        format!("RT @{}: {}", src.handle, src.text)
    } else if roll < 27 && !ring.is_empty() {
        let src = &ring[ring.len() - 1 - rng.gen_range(0..ring.len().min(400))];
        reply_to = Some(src.id.clone());
        format!("@{} {}", src.handle, vocab.sentence(rng, 2, 14))
    } else {
        let n = rng.gen_range(1..=3);
        let mut s = vocab.sentences(rng, n);
        if roll < 30 && !ring.is_empty() {
            quote_of = Some(ring[rng.gen_range(0..ring.len())].id.clone());
        }
        if rng.gen_bool(0.12) {
            let urls = &recent_urls[lang.index()];
            let url = if urls.is_empty() {
                let site = NEWS_SITES[rng.gen_range(0..NEWS_SITES.len())];
                format!(
                    "https://{}/{}/{}.html",
                    site.host,
                    site.section,
                    rng.gen_range(1000..99_999)
                )
            } else {
                urls[rng.gen_range(0..urls.len())].clone()
            };
            s.push(' ');
            s.push_str(&url);
        }
        if rng.gen_bool(0.05) {
            let who = if rng.gen_bool(0.5) {
                CANDIDATES[rng.gen_range(0..CANDIDATES.len())].1.to_owned()
            } else {
                let m = &PROTECTED_MEDIA[rng.gen_range(0..PROTECTED_MEDIA.len())];
                m.handles[0].split(':').nth(1).unwrap_or(m.label).to_owned()
            };
            s = format!("@{who} {s}");
        }
        if rng.gen_bool(0.3) {
            for _ in 0..rng.gen_range(1..=3) {
                let tag = vocab.hashtag(rng);
                if !s.contains(&format!("#{tag} ")) && !s.ends_with(&format!("#{tag}")) {
                    s.push_str(" #");
                    s.push_str(tag);
                }
            }
        }
        if debate_hour && lang == Lang::Fr && rng.gen_bool(0.6) {
            s.push_str(" #");
            s.push_str(DEBATE_TAG);
        }
        s
    };
    let (urls, hashtags, mentions) = entities(&text);
    let reach = (author.followers as f64 + 1.0).sqrt();
    let likes = (reach * rng.gen_range(0.0..1.5)) as u64;
    Post {
        id: ids.post(),
        platform: author.platform.to_owned(),
        author: author.id.clone(),
        created_at: t,
        text,
        lang: Some(lang.code().to_owned()),
        urls,
        hashtags,
        mentions,
        reply_to,
        repost_of,
        quote_of,
        media: Vec::new(),
        metrics: Some(Metrics {
            likes: Some(likes),
            reposts: Some(likes / 5),
            replies: Some(likes / 10),
            views: (author.platform != "facebook").then(|| likes * 40 + rng.gen_range(0..200)),
        }),
        extra: Map::new(),
    }
}

fn organic_article(
    rng: &mut ChaCha8Rng,
    texts: &Texts,
    ids: &mut Ids,
    t: DateTime<Utc>,
) -> Article {
    // French outlets publish most of the campaign coverage.
    let site = if rng.gen_bool(0.5) {
        NEWS_SITES[rng.gen_range(0..6)]
    } else {
        NEWS_SITES[rng.gen_range(0..NEWS_SITES.len())]
    };
    let vocab = texts.vocab(site.lang);
    let title = vocab.title(rng);
    let paragraphs: Vec<String> = (0..rng.gen_range(3..=5))
        .map(|_| {
            let n = rng.gen_range(2..=4);
            vocab.sentences(rng, n)
        })
        .collect();
    let local = t + Duration::hours(crate::world::paris_offset_hours(t));
    let date = local.date_naive();
    let (first, last) = crate::names::person(rng, site.lang);
    Article {
        url: format!(
            "https://{}/{}/{}/{:02}/{:02}/{}_{}.html",
            site.host,
            site.section,
            date.year(),
            date.month(),
            date.day(),
            slug(&title, 7),
            rng.gen_range(100_000..9_999_999)
        ),
        site: site.site.to_owned(),
        published_at: t,
        title,
        text: paragraphs.join("\n\n"),
        id: Some(ids.article()),
        author: Some(crate::names::display_name(first, last)),
        lang: Some(site.lang.code().to_owned()),
        source_url: None,
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact_and_proportional() {
        let c = apportion(1000, &[1.0, 3.0, 0.0, 6.0]);
        assert_eq!(c.iter().sum::<usize>(), 1000);
        assert_eq!(c, vec![100, 300, 0, 600]);
        assert_eq!(apportion(7, &[1.0, 1.0, 1.0]).iter().sum::<usize>(), 7);
        assert_eq!(apportion(5, &[]), Vec::<usize>::new());
    }
}
