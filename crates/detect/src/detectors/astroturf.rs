//! `astroturf`: a hashtag or a watched narrative surging against its own baseline, driven by
//! few, new or coordinated accounts (SPEC §5.3).
//!
//! Posts are counted per subject — each hashtag, and each `[[narrative]]` a post carries (see
//! [`crate::narratives`]) — and hour. A window of `window_hours` surges when it holds at
//! least `min_posts` posts, `min_ratio` times its expected count, and that count is unlikely
//! under the hashtag's own rate over the previous `baseline_days` (Poisson, Bonferroni over
//! the windows tested; a subject never seen before has a floor of one post per baseline). A
//! surge is organic when many accounts each post a little; it is astroturf when it is
//! concentrated: the `top_accounts` most active accounts write most of it, or accounts created
//! shortly before write a large share, or accounts of coordination communities do.
//!
//! Memory: one counter per subject and active hour, then the posts of surges only.

use crate::coaction::{hashtags_of, PostView};
use crate::graph::poisson_tail;
use crate::narratives::Tracker;
use crate::pipeline::{feed, read_map_consume};
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Severity};

pub const NAME: &str = "astroturf";

const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Length of a surge window.
    pub window_hours: i64,
    /// The baseline is the hashtag's rate over this many days before the window.
    pub baseline_days: i64,
    /// A surge has at least this many posts...
    pub min_posts: usize,
    /// ...this many times the expected count...
    pub min_ratio: f64,
    /// ...and a chance probability below `alpha` / windows tested.
    pub alpha: f64,
    /// Concentration: at most `top_accounts` accounts write half of the surge, posting at least
    /// `min_posts_per_top_account` times each on average (a small organic surge also has few
    /// accounts, each posting once or twice)...
    pub top_accounts: usize,
    pub min_posts_per_top_account: f64,
    /// ...or by accounts created at most `new_account_days` before the surge...
    pub new_account_days: i64,
    pub min_new_share: f64,
    /// ...or by members of coordination communities.
    pub min_coordinated_share: f64,
    /// Evidence lists are cut at this many entries.
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window_hours: 6,
            baseline_days: 7,
            min_posts: 30,
            min_ratio: 3.0,
            alpha: 0.01,
            top_accounts: 20,
            min_posts_per_top_account: 5.0,
            new_account_days: 30,
            min_new_share: 0.4,
            min_coordinated_share: 0.3,
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(Astroturf {
        settings: config.detector_settings(NAME)?,
    }))
}

pub struct Astroturf {
    settings: Settings,
}

/// What surges: a hashtag (folded, without `#`) or a watched narrative (its name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Subject {
    Hashtag(String),
    Narrative(String),
}

impl Subject {
    /// How a sentence names it.
    fn label(&self) -> String {
        match self {
            Subject::Hashtag(t) => format!("#{t}"),
            Subject::Narrative(n) => format!("narrative \"{n}\""),
        }
    }
}

/// The subjects of a post: its hashtags, then the narratives it carries.
pub(crate) fn subjects_of(
    post: &PostView<'_>,
    norm: &str,
    lang: Option<&str>,
    tracker: &Tracker,
) -> Vec<Subject> {
    let mut out: Vec<Subject> = hashtags_of(post, norm)
        .into_iter()
        .map(Subject::Hashtag)
        .collect();
    out.extend(
        tracker
            .narratives_of(norm, lang)
            .into_iter()
            .filter_map(|n| tracker.name(n))
            .map(|name| Subject::Narrative(name.to_owned())),
    );
    out
}

/// A surging window of one subject, and the posts in it.
#[derive(Debug, Clone)]
struct Surge {
    subject: Subject,
    start: i64,
    end: i64,
    expected: f64,
    baseline_posts: u64,
    posts: Vec<(String, String, i64)>,
}

impl Detector for Astroturf {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let tracker = Tracker::new(ctx.config)?;
        // Counted by the co-action scan when it ran with them in mind, else by a pass of ours.
        let hourly = match ctx.take_hourly_subjects() {
            Some(counts) => counts.sorted(),
            None => hourly_counts(ctx, &tracker)?,
        };
        let mut surges: Vec<Surge> = Vec::new();
        let tests: usize = hourly.values().map(BTreeMap::len).sum();
        for (subject, hours) in &hourly {
            surges.extend(self.surges(subject, hours, tests.max(1) as f64));
        }
        if surges.is_empty() {
            return Ok(Vec::new());
        }
        collect_posts(ctx, &tracker, &mut surges)?;
        let authors: HashSet<&str> = surges
            .iter()
            .flat_map(|s| s.posts.iter().map(|p| p.0.as_str()))
            .collect();
        let created = creation_times(ctx, &authors)?;
        let coordinated: HashSet<&str> = if ctx.config.detector_enabled("coordination") {
            ctx.coaction_network()?.community_of().into_keys().collect()
        } else {
            HashSet::new()
        };
        Ok(surges
            .iter()
            .filter_map(|s| self.alert(s, &created, &coordinated))
            .collect())
    }
}

impl Astroturf {
    /// Surging windows of one subject, merged where they overlap.
    fn surges(&self, subject: &Subject, hours: &BTreeMap<i64, u32>, tests: f64) -> Vec<Surge> {
        let s = &self.settings;
        let window = s.window_hours.max(1);
        let baseline = s.baseline_days.max(1) * 24;
        let mut out: Vec<Surge> = Vec::new();
        for &h in hours.keys() {
            let count: u64 = hours.range(h..h + window).map(|(_, &c)| u64::from(c)).sum();
            if (count as usize) < s.min_posts {
                continue;
            }
            let before: u64 = hours
                .range(h - baseline..h)
                .map(|(_, &c)| u64::from(c))
                .sum();
            let expected = (before.max(1) as f64) * window as f64 / baseline as f64;
            if (count as f64) < s.min_ratio * expected
                || poisson_tail(count, expected) > s.alpha / tests
            {
                continue;
            }
            let (start, end) = (h * HOUR_MS, (h + window) * HOUR_MS);
            match out.last_mut() {
                Some(last) if start <= last.end => last.end = last.end.max(end),
                _ => out.push(Surge {
                    subject: subject.clone(),
                    start,
                    end,
                    expected,
                    baseline_posts: before,
                    posts: Vec::new(),
                }),
            }
        }
        out
    }

    fn alert(
        &self,
        surge: &Surge,
        created: &HashMap<String, i64>,
        coordinated: &HashSet<&str>,
    ) -> Option<Alert> {
        let s = &self.settings;
        let total = surge.posts.len();
        if total < s.min_posts {
            return None;
        }
        let mut per_account: BTreeMap<&str, usize> = BTreeMap::new();
        for (author, _, _) in &surge.posts {
            *per_account.entry(author.as_str()).or_default() += 1;
        }
        let mut ranked: Vec<(&str, usize)> = per_account.iter().map(|(a, n)| (*a, *n)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let top: Vec<&str> = ranked.iter().take(s.top_accounts).map(|r| r.0).collect();
        let top_posts: usize = ranked.iter().take(s.top_accounts).map(|r| r.1).sum();
        let new_limit = surge.start - s.new_account_days.max(0) * 24 * HOUR_MS;
        let is_new = |a: &str| created.get(a).is_some_and(|&t| t >= new_limit);
        let share = |pred: &dyn Fn(&str) -> bool| {
            let n: usize = per_account
                .iter()
                .filter(|(a, _)| pred(a))
                .map(|(_, n)| *n)
                .sum();
            n as f64 / total as f64
        };
        let top_share = top_posts as f64 / total as f64;
        // The fewest accounts that write half of the surge.
        let mut half_writers = 0usize;
        let mut written = 0usize;
        for (_, n) in &ranked {
            if 2 * written >= total {
                break;
            }
            written += n;
            half_writers += 1;
        }
        let per_top = written as f64 / half_writers.max(1) as f64;
        let few = half_writers <= s.top_accounts && per_top >= s.min_posts_per_top_account;
        let new_share = share(&|a| is_new(a));
        let coordinated_share = share(&|a| coordinated.contains(a));
        let reasons: Vec<&str> = [
            (few, "few_accounts"),
            (new_share >= s.min_new_share, "new_accounts"),
            (
                coordinated_share >= s.min_coordinated_share,
                "coordinated_accounts",
            ),
        ]
        .into_iter()
        .filter_map(|(on, r)| on.then_some(r))
        .collect();
        if reasons.is_empty() {
            return None;
        }
        // The drivers: the most active accounts when they carry the surge, and the new or
        // coordinated accounts that post in it more than once.
        let drivers: Vec<&str> = per_account
            .iter()
            .filter(|(a, n)| {
                (few && top.contains(a) && **n >= 2)
                    || (**n >= 2 && (is_new(a) || coordinated.contains(*a)))
            })
            .map(|(a, _)| *a)
            .collect();
        if drivers.is_empty() {
            return None;
        }
        let driver_set: HashSet<&str> = drivers.iter().copied().collect();
        let items: Vec<String> = surge
            .posts
            .iter()
            .filter(|p| driver_set.contains(p.0.as_str()))
            .take(s.max_evidence_items)
            .map(|p| p.1.clone())
            .collect();
        let driver_posts = surge
            .posts
            .iter()
            .filter(|p| driver_set.contains(p.0.as_str()))
            .count();
        let ratio = total as f64 / surge.expected.max(1e-9);
        let first = surge.posts.iter().map(|p| p.2).min()?;
        let last = surge.posts.iter().map(|p| p.2).max()?;
        let concentration = top_share.max(new_share).max(coordinated_share);
        let strength = 1.0 - (-(ratio.ln().max(0.0)) / 3.0).exp();
        let score = 0.45 * concentration + 0.35 * strength + 0.2 * (reasons.len() as f64 / 3.0);
        let mut figures = serde_json::Map::new();
        match &surge.subject {
            Subject::Hashtag(tag) => figures.insert("hashtag".into(), json!(tag)),
            Subject::Narrative(name) => figures.insert("narrative".into(), json!(name)),
        };
        figures.insert("posts".into(), json!(total));
        figures.insert("distinct_accounts".into(), json!(per_account.len()));
        figures.insert("baseline_posts".into(), json!(surge.baseline_posts));
        figures.insert(
            "expected_posts".into(),
            json!((surge.expected * 100.0).round() / 100.0),
        );
        figures.insert("surge_ratio".into(), json!((ratio * 10.0).round() / 10.0));
        figures.insert("top_share".into(), json!(round3(top_share)));
        figures.insert("accounts_writing_half".into(), json!(half_writers));
        figures.insert("posts_per_top_account".into(), json!(round3(per_top)));
        figures.insert("new_account_share".into(), json!(round3(new_share)));
        figures.insert("coordinated_share".into(), json!(round3(coordinated_share)));
        figures.insert("driver_posts".into(), json!(driver_posts));
        figures.insert("reasons".into(), json!(reasons));
        figures.insert("window_start".into(), json!(ms_to_rfc3339(surge.start)));
        figures.insert("window_end".into(), json!(ms_to_rfc3339(surge.end)));
        Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::Astroturfing,
            disarm: vec!["T0049.002".into(), "T0015.002".into()],
            severity: Severity::from_score(score),
            score,
            title: format!(
                "{} surges, driven by {} accounts",
                surge.subject.label(),
                drivers.len()
            ),
            summary: format!(
                "{} had {total} posts against {:.1} expected; {} accounts wrote {driver_posts} of \
                 them ({}).",
                surge.subject.label(),
                surge.expected,
                drivers.len(),
                reasons.join(", ")
            ),
            first_seen: DateTime::from_timestamp_millis(first)?,
            last_seen: DateTime::from_timestamp_millis(last)?,
            evidence: Evidence {
                items,
                accounts: drivers.iter().map(|a| (*a).to_owned()).collect(),
                domains: vec![],
                imitates: vec![],
                urls: vec![],
                figures,
            },
        })
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn ms_to_rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

/// A post's subjects, with its author and id when asked for.
struct Subjects {
    ts: i64,
    author_and_id: Option<(String, String)>,
    subjects: Vec<Subject>,
}

/// Reads the posts published in `window` (all posts when `None`) in time order and hands each
/// one's subjects to `consume`. This thread reads and consumes; decoding and matching run on a
/// second core.
fn for_each_subjects(
    ctx: &Context<'_>,
    tracker: &Tracker,
    window: Option<(i64, i64)>,
    with_ids: bool,
    consume: impl FnMut(Subjects) -> Result<(), DetectError>,
) -> Result<(), DetectError> {
    struct Row {
        ts: i64,
        record: String,
        norm: String,
        lang: Option<String>,
    }
    read_map_consume(
        |sink| {
            feed(sink, |push| {
                let mut each = |row: &vigie_store::JsonRow<'_>| {
                    push(Row {
                        ts: row.ts.unwrap_or(0),
                        record: row.record.to_owned(),
                        norm: row.norm.to_owned(),
                        lang: row.lang.map(str::to_owned),
                    })
                };
                match window {
                    None => ctx.store.for_each_json_by_time(Kind::Post, &mut each),
                    Some((from, to)) => {
                        ctx.store
                            .for_each_json_between(Kind::Post, from, to, &mut each)
                    }
                }
            })
        },
        |row: Row| match serde_json::from_str::<PostView<'_>>(&row.record) {
            Ok(post) => Subjects {
                ts: row.ts,
                subjects: subjects_of(&post, &row.norm, row.lang.as_deref(), tracker),
                author_and_id: with_ids.then(|| (post.author.into_owned(), post.id.into_owned())),
            },
            Err(_) => Subjects {
                ts: row.ts,
                author_and_id: None,
                subjects: Vec::new(),
            },
        },
        consume,
    )
}

/// Posts per subject and hour.
#[derive(Debug, Default)]
pub(crate) struct HourlyCounts(HashMap<Subject, BTreeMap<i64, u32>>);

impl HourlyCounts {
    /// Counts a post published at `ts` (Unix ms) with these subjects.
    pub(crate) fn add(&mut self, ts: i64, subjects: Vec<Subject>) {
        let hour = ts.div_euclid(HOUR_MS);
        for subject in subjects {
            *self.0.entry(subject).or_default().entry(hour).or_default() += 1;
        }
    }

    fn sorted(self) -> BTreeMap<Subject, BTreeMap<i64, u32>> {
        self.0.into_iter().collect()
    }
}

/// Posts per subject and hour, in a pass of its own.
fn hourly_counts(
    ctx: &Context<'_>,
    tracker: &Tracker,
) -> Result<BTreeMap<Subject, BTreeMap<i64, u32>>, DetectError> {
    let mut out = HourlyCounts::default();
    for_each_subjects(ctx, tracker, None, false, |post| {
        out.add(post.ts, post.subjects);
        Ok(())
    })?;
    Ok(out.sorted())
}

/// Fills each surge with its posts: (author, id, unix ms).
fn collect_posts(
    ctx: &Context<'_>,
    tracker: &Tracker,
    surges: &mut [Surge],
) -> Result<(), DetectError> {
    let mut by_subject: HashMap<Subject, Vec<usize>> = HashMap::new();
    for (i, s) in surges.iter().enumerate() {
        by_subject.entry(s.subject.clone()).or_default().push(i);
    }
    // Surges are few and short: only their windows are read again, each post once even where
    // windows overlap.
    let mut spans: Vec<(i64, i64)> = surges.iter().map(|s| (s.start, s.end)).collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    for window in merged {
        for_each_subjects(ctx, tracker, Some(window), true, |post| {
            let Some((author, id)) = post.author_and_id else {
                return Ok(());
            };
            for subject in post.subjects {
                let Some(list) = by_subject.get(&subject) else {
                    continue;
                };
                for &i in list {
                    if (surges[i].start..surges[i].end).contains(&post.ts) {
                        surges[i].posts.push((author.clone(), id.clone(), post.ts));
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// Creation time (unix ms) of the given accounts, when their records say it.
fn creation_times(
    ctx: &Context<'_>,
    authors: &HashSet<&str>,
) -> Result<HashMap<String, i64>, DetectError> {
    // An account's row carries its id as author and its creation as time: the store picks the
    // rows, nothing is decoded.
    let mut wanted: Vec<&str> = authors.iter().copied().collect();
    wanted.sort_unstable();
    let mut out = HashMap::new();
    ctx.store
        .for_each_json_of_authors(Kind::Account, &wanted, |row| {
            if let (Some(id), Some(t)) = (row.author, row.ts) {
                out.insert(id.to_owned(), t);
            }
            Ok(())
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store_with;

    use vigie_core::Config;

    fn post(id: usize, author: &str, secs: i64, text: &str) -> String {
        let at = DateTime::from_timestamp(1_717_200_000 + secs, 0)
            .unwrap()
            .to_rfc3339();
        format!(
            r#"{{"kind":"post","id":"p{id}","platform":"x","author":"{author}","created_at":"{at}","text":"{text}"}}"#
        )
    }

    fn account(id: &str, created_days_before: i64) -> String {
        let at = DateTime::from_timestamp(1_717_200_000 - created_days_before * 86_400, 0)
            .unwrap()
            .to_rfc3339();
        format!(
            r#"{{"kind":"account","id":"{id}","platform":"x","handle":"{id}","created_at":"{at}"}}"#
        )
    }

    const DAY: i64 = 86_400;

    /// Ten days of a hashtag used by 200 people a few times a day, then `surge` on day 9.
    fn with_baseline(surge: impl Fn(&mut Vec<String>, &mut usize)) -> Vec<Alert> {
        let mut lines = Vec::new();
        let mut n = 0;
        for day in 0..10 {
            for k in 0..6 {
                n += 1;
                let who = format!("user{}", (day * 7 + k * 13) % 200);
                lines.push(post(n, &who, day * DAY + k * 3_600, "bonne journee #Paris"));
            }
        }
        surge(&mut lines, &mut n);
        let store = store_with(&lines);
        let config = Config::default();
        let ctx = Context::new(&config, &store);
        build(&config).unwrap().run(&ctx).unwrap()
    }

    #[test]
    fn a_surge_written_by_a_dozen_accounts_is_astroturf() {
        let alerts = with_baseline(|lines, n| {
            for i in 0..120 {
                *n += 1;
                let who = format!("driver{}", i % 12);
                lines.push(post(
                    *n,
                    &who,
                    9 * DAY + 3_600 + i * 60,
                    "ils mentent tous #Paris",
                ));
            }
        });
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(a.evidence.figures["hashtag"], "paris");
        assert_eq!(a.evidence.accounts.len(), 12);
        assert!(a.evidence.accounts.iter().all(|x| x.starts_with("driver")));
        assert_eq!(a.evidence.figures["reasons"], json!(["few_accounts"]));
    }

    #[test]
    fn a_surge_of_many_people_posting_once_is_organic() {
        let alerts = with_baseline(|lines, n| {
            for i in 0..150 {
                *n += 1;
                lines.push(post(
                    *n,
                    &format!("fan{i}"),
                    9 * DAY + 3_600 + i * 60,
                    "quel match #Paris",
                ));
            }
        });
        assert!(alerts.is_empty(), "{alerts:?}");
    }

    #[test]
    fn new_accounts_spread_thin_still_drive_a_surge() {
        let alerts = with_baseline(|lines, n| {
            for i in 0..80 {
                let who = format!("new{i}");
                lines.push(account(&who, -9 + 5));
                for k in 0..2 {
                    *n += 1;
                    lines.push(post(
                        *n,
                        &who,
                        9 * DAY + 3_600 + i * 60 + k * 30,
                        "reveillez vous #Paris",
                    ));
                }
            }
            // Ordinary old accounts join in.
            for i in 0..40 {
                *n += 1;
                lines.push(account(&format!("old{i}"), 900));
                lines.push(post(
                    *n,
                    &format!("old{i}"),
                    9 * DAY + 7_000 + i * 60,
                    "vu #Paris",
                ));
            }
        });
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        let reasons = a.evidence.figures["reasons"].as_array().unwrap();
        assert!(reasons.contains(&json!("new_accounts")), "{reasons:?}");
        assert!(a.evidence.accounts.iter().all(|x| x.starts_with("new")));
        assert_eq!(a.evidence.accounts.len(), 80);
    }

    #[test]
    fn steady_use_is_not_a_surge() {
        assert!(with_baseline(|_, _| {}).is_empty());
    }

    /// A watched narrative in seven days of ordinary talk (one mention every four hours, by
    /// many people), then `push` on day 7; no post carries a hashtag.
    fn narrative_alerts(push: impl Fn(&mut Vec<String>, &mut usize)) -> Vec<Alert> {
        let config = Config::from_toml(
            r#"
            [[narrative]]
            name = "the election is rigged"
            keywords = ["rigged", "stolen"]
            examples = ["The EU elections are rigged in advance, the winner is already known."]
            "#,
            "test.toml",
        )
        .unwrap();
        let mut lines = Vec::new();
        let mut n = 0;
        for k in 0..42 {
            n += 1;
            let who = format!("user{}", k * 17 % 300);
            lines.push(post(
                n,
                &who,
                k * 4 * 3_600,
                "some say the vote is rigged and stolen",
            ));
        }
        push(&mut lines, &mut n);
        let store = store_with(&lines);
        let ctx = Context::new(&config, &store);
        build(&config).unwrap().run(&ctx).unwrap()
    }

    #[test]
    fn a_narrative_pushed_without_a_hashtag_surges() {
        let alerts = narrative_alerts(|lines, n| {
            // Twelve accounts, eight posts each within three hours, in their own words.
            for i in 0..12 {
                for k in 0..8 {
                    *n += 1;
                    lines.push(post(
                        *n,
                        &format!("pusher{i}"),
                        7 * DAY + i * 97 + k * 1_200,
                        "wake up: the elections are rigged, the result was stolen",
                    ));
                }
            }
        });
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(a.evidence.figures["narrative"], "the election is rigged");
        assert!(a.evidence.figures.get("hashtag").is_none());
        assert!(a.title.contains("narrative"), "{}", a.title);
        assert_eq!(a.evidence.accounts.len(), 12);
        assert!(a.evidence.accounts.iter().all(|x| x.starts_with("pusher")));
    }

    #[test]
    fn a_narrative_many_people_repeat_once_is_not_astroturf() {
        let alerts = narrative_alerts(|lines, n| {
            // A debate: 96 different people say it once in three hours.
            for i in 0..96 {
                *n += 1;
                lines.push(post(
                    *n,
                    &format!("viewer{i}"),
                    7 * DAY + i * 110,
                    "honestly this debate makes me think the elections are rigged",
                ));
            }
        });
        assert!(alerts.is_empty(), "{alerts:?}");
    }
}
