//! Co-action network: which accounts act on the same object within Δ seconds, again and again,
//! more often than chance allows. Shared by `coordination` (which reports its communities) and
//! `astroturf` (which weighs how much of a surge comes from them).
//!
//! **Co-actions.** Every post yields objects: its normalised text, its copy cluster (near-same
//! text, from the shared near-duplicate index), each canonical URL, its hashtag set, its repost,
//! quote and reply targets, its media hashes. Two accounts co-act when both act on one object
//! within Δ seconds of each other (sliding and exact: `|t1 - t2| ≤ Δ`, per type configurable).
//! Missing values make no object, so they never match.
//!
//! **Episodes.** An object's events with gaps of at most Δ form one episode. A pair of accounts
//! counts one co-action per object episode, however many times they meet in it: fans who
//! live-tweet one event with one hashtag for two hours meet once, a network that pushes the same
//! hashtags in eight separate bursts meets eight times. An episode with more than `max_crowd`
//! distinct accounts is viral, not evidence of a group: it makes no pairs.
//!
//! **Null model.** Accounts join episodes independently, in proportion to their activity and
//! the episode's size (the bipartite configuration, or Chung-Lu, model of the account–episode
//! graph). With `d_a` the episodes account `a` joined, `d_e` the accounts of episode `e` and
//! `E = Σ d_e`, the expected number of episodes shared by `a` and `b` is
//! `λ_ab = d_a · d_b · Σ d_e² / E²`. An edge is kept when it has at least `min_coactions`
//! co-actions and `P(Poisson(λ_ab) ≥ count)` is below `alpha` divided by the number of pairs
//! tested (Bonferroni). Communities of kept edges come from seeded Louvain.
//!
//! **Memory.** Objects live while their episode is open (the last Δ seconds of activity), pairs
//! with too few co-actions are forgotten after `pair_memory_seconds` without a new one, and the
//! per-account figures are a few integers.

use crate::detectors::astroturf::{subjects_of, HourlyCounts, Subject};
use crate::detectors::copypasta::matching_text;
use crate::fast_hash::{FastMap, FastSet};
use crate::graph::{louvain, poisson_tail, Graph};
use crate::narratives::Tracker;
use crate::pipeline::{feed, read_map_consume};
use crate::{Context, DetectError};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use vigie_core::Kind;

pub const SETTINGS_OF: &str = "coordination";

/// The kinds of co-action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActionType {
    Text,
    NearText,
    Url,
    Hashtags,
    Repost,
    Quote,
    Reply,
    Media,
}

impl ActionType {
    pub const ALL: [ActionType; 8] = [
        ActionType::Text,
        ActionType::NearText,
        ActionType::Url,
        ActionType::Hashtags,
        ActionType::Repost,
        ActionType::Quote,
        ActionType::Reply,
        ActionType::Media,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActionType::Text => "same_text",
            ActionType::NearText => "near_text",
            ActionType::Url => "same_url",
            ActionType::Hashtags => "same_hashtags",
            ActionType::Repost => "same_repost",
            ActionType::Quote => "same_quote",
            ActionType::Reply => "same_reply",
            ActionType::Media => "same_media",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The type of number `code` (`self as u8`), as plans carry it.
    pub fn from_code(code: u8) -> Option<ActionType> {
        ActionType::ALL.get(usize::from(code)).copied()
    }

    /// Names of the types set in a bit mask.
    pub fn names_of(mask: u16) -> Vec<&'static str> {
        ActionType::ALL
            .iter()
            .filter(|t| mask & t.bit() != 0)
            .map(|t| t.name())
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Δ: two actions on one object co-act when at most this many seconds apart.
    pub window_seconds: i64,
    /// Δ per co-action type, by name (`same_repost = 10`), overriding `window_seconds`.
    pub windows: BTreeMap<String, i64>,
    /// Co-action types used, by name; all by default.
    pub types: Vec<String>,
    /// Texts shorter than this (after stripping links and punctuation) are too common to be an
    /// object of their own ("thank you", "yes!").
    pub min_text_chars: usize,
    /// An episode joined by more accounts than this is viral: it makes no pairs.
    pub max_crowd: usize,
    /// An edge needs at least this many co-actions (distinct object episodes)...
    pub min_coactions: u32,
    /// ...and a chance probability below `alpha` / pairs tested.
    pub alpha: f64,
    /// A pair with fewer than `min_coactions` is forgotten after this long without a new one.
    pub pair_memory_seconds: i64,
    /// Communities with fewer accounts are not reported.
    pub min_members: usize,
    /// Louvain's visiting order.
    pub seed: u64,
    /// Evidence lists are cut at this many entries (the figures keep the full counts).
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window_seconds: 60,
            windows: BTreeMap::new(),
            types: ActionType::ALL
                .iter()
                .map(|t| t.name().to_owned())
                .collect(),
            min_text_chars: 25,
            max_crowd: 50,
            min_coactions: 3,
            alpha: 0.01,
            pair_memory_seconds: 14 * 86_400,
            min_members: 3,
            seed: 0x5eed,
            max_evidence_items: 500,
        }
    }
}

impl Settings {
    /// Δ of type `t` in milliseconds; `None` when the type is not used.
    pub fn window_ms(&self, t: ActionType) -> Option<i64> {
        if !self.types.iter().any(|n| n == t.name()) {
            return None;
        }
        let secs = self
            .windows
            .get(t.name())
            .copied()
            .unwrap_or(self.window_seconds);
        Some(secs.max(0) * 1000)
    }
}

/// A kept edge of the co-action graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    /// Distinct object episodes both acted on within Δ.
    pub count: u32,
    /// Bit mask of [`ActionType`]s.
    pub types: u16,
    /// Unix milliseconds of the first and last co-action.
    pub first: i64,
    pub last: i64,
    /// Mean time between the two accounts' actions, milliseconds.
    pub mean_gap_ms: i64,
    /// Chance probability of `count` under the null model.
    pub p_value: f64,
}

/// The significant co-action graph and its communities.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Account ids as given in the input, by node number.
    pub accounts: Vec<String>,
    pub edges: Vec<Edge>,
    /// Communities of at least `min_members` accounts, largest first; members sorted.
    pub communities: Vec<Vec<u32>>,
    /// Pairs of accounts that ever co-acted (the Bonferroni denominator).
    pub pairs_tested: u64,
    /// Posts read, and object episodes closed (viral ones apart).
    pub posts: u64,
    pub episodes: u64,
    pub viral_episodes: u64,
}

impl Network {
    /// Community number of each account in a reported community.
    pub fn community_of(&self) -> HashMap<&str, usize> {
        let mut out = HashMap::new();
        for (c, members) in self.communities.iter().enumerate() {
            for &m in members {
                out.insert(self.accounts[m as usize].as_str(), c);
            }
        }
        out
    }
}

/// One co-action between two posts, as seen by [`scan`] callbacks.
#[derive(Debug, Clone, Copy)]
pub struct CoAction<'a> {
    pub kind: ActionType,
    pub a: u32,
    pub b: u32,
    pub item_a: &'a str,
    pub item_b: &'a str,
    pub ts_a: i64,
    pub ts_b: i64,
    /// Present when the scan asked for labels: the URL, hashtags, target id or text.
    pub label: Option<&'a str>,
    /// Whether this pair already co-acted in this object episode.
    pub repeat: bool,
}

struct Event {
    ts: i64,
    account: u32,
    item: u32,
}

#[derive(Default)]
struct Episode {
    events: VecDeque<Event>,
    last: i64,
    accounts: FastSet<u32>,
    pairs: FastSet<u64>,
    crowded: bool,
    label: Option<u32>,
}

#[derive(Clone, Copy)]
struct PairStat {
    count: u32,
    types: u16,
    first: i64,
    last: i64,
    gap_sum: i64,
}

/// Interned strings: accounts, and in labelled scans items and labels.
#[derive(Default)]
struct Interner {
    ids: FastMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn get_or_insert(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(s.to_owned(), id);
        self.names.push(s.to_owned());
        id
    }
}

/// The fields of a stored post that co-actions read: decoding only these (and no catch-all map
/// of unknown fields) keeps the scan fast.
#[derive(Deserialize)]
pub(crate) struct PostView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub platform: Cow<'a, str>,
    #[serde(borrow)]
    pub author: Cow<'a, str>,
    #[serde(default)]
    pub hashtags: Vec<String>,
    #[serde(default, borrow)]
    reply_to: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    repost_of: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    quote_of: Option<Cow<'a, str>>,
    #[serde(default)]
    media: Vec<MediaView>,
}

#[derive(Deserialize)]
struct MediaView {
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    phash: Option<String>,
}

#[derive(Deserialize, Default)]
struct DerivedView {
    #[serde(default)]
    urls: Vec<String>,
}

/// A post's hashtags, folded, without `#`, sorted and deduplicated: the record's own list, or
/// the ones written in its text.
pub(crate) fn hashtags_of(post: &PostView<'_>, norm: &str) -> Vec<String> {
    let mut tags: Vec<String> = if post.hashtags.is_empty() {
        norm.split_whitespace()
            .filter_map(|w| w.strip_prefix('#'))
            .map(|t| {
                t.trim_end_matches(|c: char| !c.is_alphanumeric())
                    .to_owned()
            })
            .filter(|t| !t.is_empty())
            .collect()
    } else {
        post.hashtags
            .iter()
            .map(|t| vigie_normalise::text::fold(t.trim_start_matches('#')))
            .collect()
    };
    tags.sort();
    tags.dedup();
    tags
}

/// The objects a post acts on, with a label when asked.
fn objects(
    post: &PostView<'_>,
    norm: &str,
    urls: &[String],
    near: Option<u32>,
    settings: &Settings,
    labels: bool,
    out: &mut Vec<(ActionType, u64, Option<String>)>,
) {
    out.clear();
    let label = |s: &str| labels.then(|| s.chars().take(200).collect::<String>());
    let key = |t: ActionType, parts: &[&[u8]]| {
        let mut all: Vec<&[u8]> = vec![t.name().as_bytes()];
        all.extend_from_slice(parts);
        vigie_core::stable_hash(&all)
    };
    if post.repost_of.is_none() {
        let text = matching_text(norm);
        if text.chars().count() >= settings.min_text_chars {
            out.push((
                ActionType::Text,
                key(ActionType::Text, &[text.as_bytes()]),
                label(&text),
            ));
        }
        if let Some(c) = near {
            out.push((
                ActionType::NearText,
                key(ActionType::NearText, &[&c.to_le_bytes()]),
                label(&text),
            ));
        }
    }
    for url in urls {
        out.push((
            ActionType::Url,
            key(ActionType::Url, &[url.as_bytes()]),
            label(url),
        ));
    }
    let tags = hashtags_of(post, norm);
    if !tags.is_empty() {
        let set = tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        out.push((
            ActionType::Hashtags,
            key(ActionType::Hashtags, &[set.as_bytes()]),
            label(&set),
        ));
    }
    let platform = post.platform.as_bytes();
    for (t, target) in [
        (ActionType::Repost, &post.repost_of),
        (ActionType::Quote, &post.quote_of),
        (ActionType::Reply, &post.reply_to),
    ] {
        let target: &Option<Cow<'_, str>> = target;
        if let Some(target) = target.as_deref().filter(|s| !s.is_empty()) {
            out.push((t, key(t, &[platform, target.as_bytes()]), label(target)));
        }
    }
    for m in &post.media {
        for hash in [&m.sha256, &m.phash].into_iter().flatten() {
            if !hash.is_empty() {
                out.push((
                    ActionType::Media,
                    key(ActionType::Media, &[hash.as_bytes()]),
                    label(hash),
                ));
            }
        }
    }
    out.retain(|(t, _, _)| settings.window_ms(*t).is_some());
}

/// The objects a stored post acts on, as (type, object key), in the order a scan acts on them:
/// what a plan's rows carry. `near` is its copy cluster number, if any. An unreadable record is
/// an error.
pub fn post_objects(
    record: &str,
    norm: &str,
    derived: &str,
    near: Option<u32>,
    settings: &Settings,
) -> Result<Vec<(ActionType, u64)>, String> {
    let post: PostView<'_> = serde_json::from_str(record).map_err(|e| e.to_string())?;
    let derived: DerivedView = if derived.is_empty() {
        DerivedView::default()
    } else {
        serde_json::from_str(derived).unwrap_or_default()
    };
    let mut objs = Vec::new();
    objects(&post, norm, &derived.urls, near, settings, false, &mut objs);
    Ok(objs.into_iter().map(|(t, key, _)| (t, key)).collect())
}

/// What a scan keeps beyond its callback: the null model's inputs.
#[derive(Default)]
struct NullModel {
    /// Episodes joined, per account.
    degree: Vec<u32>,
    sum_sizes: f64,
    sum_squares: f64,
    episodes: u64,
    viral: u64,
}

impl NullModel {
    fn close(&mut self, ep: &Episode) {
        if ep.crowded {
            self.viral += 1;
            return;
        }
        let d = ep.accounts.len() as f64;
        self.sum_sizes += d;
        self.sum_squares += d * d;
        self.episodes += 1;
        for &a in &ep.accounts {
            if let Some(slot) = self.degree.get_mut(a as usize) {
                *slot += 1;
            }
        }
    }

    fn expected(&self, a: u32, b: u32) -> f64 {
        if self.sum_sizes == 0.0 {
            return 0.0;
        }
        let da = self.degree.get(a as usize).copied().unwrap_or(0) as f64;
        let db = self.degree.get(b as usize).copied().unwrap_or(0) as f64;
        da * db * self.sum_squares / (self.sum_sizes * self.sum_sizes)
    }
}

/// Streams the posts of the store in time order and calls `on_coaction` for every pair of
/// accounts acting on one object within its Δ. With `only`, posts by other accounts are skipped
/// (a second, evidence-gathering pass over known accounts).
struct Scanner<'s> {
    settings: &'s Settings,
    accounts: Interner,
    items: Interner,
    labels: Interner,
    open: FastMap<(ActionType, u64), Episode>,
    null: NullModel,
    posts: u64,
}

impl<'s> Scanner<'s> {
    fn new(settings: &'s Settings) -> Scanner<'s> {
        Scanner {
            settings,
            accounts: Interner::default(),
            items: Interner::default(),
            labels: Interner::default(),
            open: FastMap::default(),
            null: NullModel::default(),
            posts: 0,
        }
    }

    /// With `subjects`, the scan also counts posts per astroturf subject and hour (one pass
    /// over the posts serves both detectors).
    fn run(
        &mut self,
        ctx: &Context<'_>,
        only: Option<&FastSet<String>>,
        mut subjects: Option<(&Tracker, &mut HourlyCounts)>,
        mut on_coaction: impl FnMut(&CoAction<'_>),
    ) -> Result<(), DetectError> {
        let labelled = only.is_some();
        let started = std::time::Instant::now();
        let near = near_text_clusters(ctx)?;
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "co-action: copy clusters ready"
        );
        let mut now = i64::MIN;
        let mut corrupt: Option<(i64, String)> = None;
        let settings = self.settings;
        // This thread reads rows and acts in time order; decoding posts and deriving their
        // objects runs on a second core in between.
        struct Raw {
            rid: i64,
            ts: i64,
            record: String,
            norm: String,
            derived: String,
            lang: Option<String>,
        }
        struct Decoded {
            ts: i64,
            author: String,
            id: String,
            objs: Vec<(ActionType, u64, Option<String>)>,
        }
        /// A post's time and subjects, and its decoding: none without an author, or the row
        /// and reason when unreadable.
        type Mapped = (i64, Vec<Subject>, Result<Option<Decoded>, (i64, String)>);
        let tracker = subjects.as_ref().map(|(t, _)| *t);
        read_map_consume(
            |sink| {
                feed(sink, |push| {
                    let mut each = |row: &vigie_store::JsonRow<'_>| {
                        // Skip other authors before copying anything.
                        if only.is_some_and(|set| !row.author.is_some_and(|a| set.contains(a))) {
                            return Ok(());
                        }
                        push(Raw {
                            rid: row.rid,
                            ts: row.ts.unwrap_or(0),
                            record: row.record.to_owned(),
                            norm: row.norm.to_owned(),
                            derived: row.derived.to_owned(),
                            lang: tracker.and(row.lang).map(str::to_owned),
                        })
                    };
                    match only {
                        // The store skips other authors' rows without reading them.
                        Some(set) => {
                            let mut authors: Vec<&str> = set.iter().map(String::as_str).collect();
                            authors.sort_unstable();
                            ctx.store
                                .for_each_json_of_authors(Kind::Post, &authors, &mut each)
                        }
                        None => ctx.store.for_each_json_by_time(Kind::Post, &mut each),
                    }
                })
            },
            |raw: Raw| -> Mapped {
                let post: PostView<'_> = match serde_json::from_str(&raw.record) {
                    Ok(post) => post,
                    Err(e) => return (raw.ts, Vec::new(), Err((raw.rid, e.to_string()))),
                };
                // Every readable post counts towards its subjects, with or without an author.
                let found = tracker
                    .map(|t| subjects_of(&post, &raw.norm, raw.lang.as_deref(), t))
                    .unwrap_or_default();
                if only.is_some_and(|set| !set.contains(post.author.as_ref()))
                    || post.author.is_empty()
                {
                    return (raw.ts, found, Ok(None));
                }
                let derived: DerivedView = if raw.derived.is_empty() {
                    DerivedView::default()
                } else {
                    serde_json::from_str(&raw.derived).unwrap_or_default()
                };
                let mut objs = Vec::new();
                objects(
                    &post,
                    &raw.norm,
                    &derived.urls,
                    near.get(post.id.as_ref()).copied(),
                    settings,
                    labelled,
                    &mut objs,
                );
                let decoded = Decoded {
                    ts: raw.ts,
                    author: post.author.into_owned(),
                    id: if labelled {
                        post.id.into_owned()
                    } else {
                        String::new()
                    },
                    objs,
                };
                (raw.ts, found, Ok(Some(decoded)))
            },
            |(ts, found, decoded)| {
                if let Some((_, counts)) = subjects.as_mut() {
                    counts.add(ts, found);
                }
                let post = match decoded {
                    Ok(Some(post)) => post,
                    Ok(None) => return Ok(()),
                    Err(first) => {
                        corrupt.get_or_insert(first);
                        return Ok(());
                    }
                };
                let ts = post.ts;
                now = now.max(ts);
                self.posts += 1;
                if self.posts.is_multiple_of(20_000) {
                    self.expire(now);
                }
                let account = self.accounts.get_or_insert(&post.author);
                if self.null.degree.len() <= account as usize {
                    self.null.degree.resize(account as usize + 1, 0);
                }
                let item = if labelled {
                    self.items.get_or_insert(&post.id)
                } else {
                    0
                };
                for (kind, key, label) in post.objs {
                    let Some(window) = self.settings.window_ms(kind) else {
                        continue;
                    };
                    let label = label.map(|l| self.labels.get_or_insert(&l));
                    self.act(
                        kind,
                        key,
                        window,
                        ts,
                        account,
                        item,
                        label,
                        &mut on_coaction,
                    );
                }
                Ok(())
            },
        )?;
        self.expire(i64::MAX);
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            posts = self.posts,
            "co-action: posts scanned"
        );
        match corrupt {
            Some((rid, reason)) => Err(DetectError::Failed {
                detector: "coordination",
                reason: format!("store row {rid} is not a readable post: {reason}"),
            }),
            None => Ok(()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn act(
        &mut self,
        kind: ActionType,
        key: u64,
        window: i64,
        ts: i64,
        account: u32,
        item: u32,
        label: Option<u32>,
        on_coaction: &mut impl FnMut(&CoAction<'_>),
    ) {
        let ep = self.open.entry((kind, key)).or_default();
        // A crowded episode keeps no events but still ends after a quiet Δ, like any other:
        // its end must not depend on when `expire` last ran.
        if !ep.accounts.is_empty() && ts - ep.last > window {
            let closed = std::mem::take(ep);
            self.null.close(&closed);
        }
        let ep = self.open.entry((kind, key)).or_default();
        if ep.label.is_none() {
            ep.label = label;
        }
        while ep.events.front().is_some_and(|e| ts - e.ts > window) {
            ep.events.pop_front();
        }
        ep.last = ts;
        if ep.crowded {
            return;
        }
        ep.accounts.insert(account);
        if ep.accounts.len() > self.settings.max_crowd {
            ep.crowded = true;
            ep.pairs = FastSet::default();
            ep.events.clear();
            return;
        }
        for e in &ep.events {
            if e.account == account {
                continue;
            }
            let (a, b) = (e.account.min(account), e.account.max(account));
            let pair = (u64::from(a) << 32) | u64::from(b);
            let repeat = !ep.pairs.insert(pair);
            let (item_a, item_b, ts_a, ts_b) = if e.account == a {
                (e.item, item, e.ts, ts)
            } else {
                (item, e.item, ts, e.ts)
            };
            let name = |i: u32| {
                self.items
                    .names
                    .get(i as usize)
                    .map(String::as_str)
                    .unwrap_or("")
            };
            on_coaction(&CoAction {
                kind,
                a,
                b,
                item_a: name(item_a),
                item_b: name(item_b),
                ts_a,
                ts_b,
                label: ep
                    .label
                    .and_then(|l| self.labels.names.get(l as usize))
                    .map(String::as_str),
                repeat,
            });
        }
        ep.events.push_back(Event { ts, account, item });
    }

    /// Closes the episodes that can no longer grow (quiet for longer than their window).
    fn expire(&mut self, now: i64) {
        let settings = self.settings;
        let null = &mut self.null;
        self.open.retain(|(kind, _), ep| {
            let window = settings.window_ms(*kind).unwrap_or(0);
            let done = now == i64::MAX || now - ep.last > window;
            if done {
                null.close(ep);
            }
            !done
        });
    }
}

/// Copy cluster number of each clustered post, for near-same-text co-actions.
fn near_text_clusters<'c>(ctx: &'c Context<'_>) -> Result<FastMap<&'c str, u32>, DetectError> {
    let mut out = FastMap::default();
    for (c, cluster) in ctx.copy_clusters()?.iter().enumerate() {
        for m in cluster.members.iter().filter(|m| m.kind == Kind::Post) {
            out.insert(m.id.as_str(), c as u32);
        }
    }
    Ok(out)
}

/// Builds the significant co-action network of the store's posts (see [`network_counting`]).
pub fn network(ctx: &Context<'_>) -> Result<Network, DetectError> {
    network_counting(ctx, None)
}

/// Builds the significant co-action network of the store's posts: in this process, or with the
/// co-action candidates computed by the context's engine (see
/// [`crate::clusters::FeatureEngine::coactions`]), which gives the same network. With
/// `subjects`, an in-process scan also counts astroturf's subjects per hour on its way.
pub(crate) fn network_counting(
    ctx: &Context<'_>,
    subjects: Option<(&Tracker, &mut HourlyCounts)>,
) -> Result<Network, DetectError> {
    let settings: Settings = ctx.config.detector_settings(SETTINGS_OF)?;
    if let Some(engine) = ctx.engine {
        return network_on(engine, ctx, &settings);
    }
    let mut scanner = Scanner::new(&settings);
    let mut pairs = Pairs::new(&settings);
    scanner.run(ctx, None, subjects, |c| {
        if !c.repeat {
            pairs.add(
                c.kind,
                c.a,
                c.b,
                c.ts_a.max(c.ts_b),
                (c.ts_a - c.ts_b).abs(),
            );
        }
    })?;
    Ok(pairs.network(
        scanner.accounts.names,
        &scanner.null,
        scanner.posts,
        &settings,
    ))
}

fn network_on(
    engine: &dyn crate::clusters::FeatureEngine,
    ctx: &Context<'_>,
    settings: &Settings,
) -> Result<Network, DetectError> {
    let near = near_text_clusters(ctx)?;
    let mut near: Vec<(&str, u32)> = near.into_iter().collect();
    near.sort_unstable();
    let mut pairs = Pairs::new(settings);
    let summary = engine.coactions(settings, &near, &mut |c| {
        pairs.add(c.kind, c.a, c.b, c.ts, c.gap);
        Ok(())
    })?;
    let null = NullModel {
        degree: summary.degree,
        sum_sizes: summary.sum_sizes as f64,
        sum_squares: summary.sum_squares as f64,
        episodes: summary.episodes,
        viral: summary.viral,
    };
    Ok(pairs.network(summary.accounts, &null, summary.posts, settings))
}

/// What an engine computes of the co-actions besides the co-actions themselves: the accounts
/// and the null model's inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EngineCoActions {
    /// Authors of posts, numbered in the order of their first post (time, then row id): the
    /// numbers [`EngineCoAction`] uses.
    pub accounts: Vec<String>,
    /// Per account number: the object episodes it joined, viral ones apart.
    pub degree: Vec<u32>,
    /// Posts with an author.
    pub posts: u64,
    /// Object episodes, viral ones apart, and the sums of their sizes and squared sizes.
    pub episodes: u64,
    pub sum_sizes: u64,
    pub sum_squares: u64,
    /// Viral episodes (more than `max_crowd` accounts).
    pub viral: u64,
}

/// The first co-action of two accounts in one object episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineCoAction {
    pub kind: ActionType,
    /// Account numbers, `a < b`.
    pub a: u32,
    pub b: u32,
    /// Unix milliseconds of the later of the two posts.
    pub ts: i64,
    /// Milliseconds between the two posts.
    pub gap: i64,
}

/// Co-actions counted per pair of accounts, in the order they happen.
struct Pairs {
    stats: FastMap<u64, PairStat>,
    tested: u64,
    since_prune: u64,
    min: u32,
    memory_ms: i64,
}

impl Pairs {
    fn new(settings: &Settings) -> Pairs {
        Pairs {
            stats: FastMap::default(),
            tested: 0,
            since_prune: 0,
            min: settings.min_coactions,
            memory_ms: settings.pair_memory_seconds.max(0) * 1000,
        }
    }

    fn add(&mut self, kind: ActionType, a: u32, b: u32, ts: i64, gap: i64) {
        let key = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
        let tested = &mut self.tested;
        let stat = self.stats.entry(key).or_insert_with(|| {
            *tested += 1;
            PairStat {
                count: 0,
                types: 0,
                first: ts,
                last: ts,
                gap_sum: 0,
            }
        });
        stat.count += 1;
        stat.types |= kind.bit();
        stat.last = ts;
        stat.gap_sum += gap;
        self.since_prune += 1;
        // Forget pairs that met too rarely, too long ago: memory follows recent activity.
        if self.since_prune >= 1_000_000 {
            self.since_prune = 0;
            let (min, memory_ms) = (self.min, self.memory_ms);
            self.stats
                .retain(|_, s| s.count >= min || ts - s.last <= memory_ms);
        }
    }

    /// The kept edges under `null`, and their communities.
    fn network(
        self,
        accounts: Vec<String>,
        null: &NullModel,
        posts: u64,
        settings: &Settings,
    ) -> Network {
        let threshold = settings.alpha / self.tested.max(1) as f64;
        let min = self.min;
        let mut edges: Vec<Edge> = self
            .stats
            .into_iter()
            .filter(|(_, s)| s.count >= min)
            .filter_map(|(key, s)| {
                let (a, b) = ((key >> 32) as u32, key as u32);
                let p = poisson_tail(u64::from(s.count), null.expected(a, b));
                (p <= threshold).then(|| Edge {
                    a,
                    b,
                    count: s.count,
                    types: s.types,
                    first: s.first,
                    last: s.last,
                    mean_gap_ms: s.gap_sum / i64::from(s.count.max(1)),
                    p_value: p,
                })
            })
            .collect();
        edges.sort_unstable_by_key(|e| (e.a, e.b));
        let communities = communities(accounts.len(), &edges, &accounts, settings);
        Network {
            accounts,
            edges,
            communities,
            pairs_tested: self.tested,
            posts,
            episodes: null.episodes,
            viral_episodes: null.viral,
        }
    }
}

/// Louvain communities of the kept edges, at least `min_members` strong, largest first (ties
/// by their first account id), members sorted by account id.
fn communities(n: usize, edges: &[Edge], names: &[String], settings: &Settings) -> Vec<Vec<u32>> {
    // Louvain runs on the nodes that have edges, numbered in account-id order so that the
    // partition does not depend on the order accounts were first seen.
    let mut nodes: Vec<u32> = edges.iter().flat_map(|e| [e.a, e.b]).collect();
    nodes.sort_unstable_by(|x, y| names[*x as usize].cmp(&names[*y as usize]));
    nodes.dedup();
    let mut local = vec![u32::MAX; n];
    for (i, &node) in nodes.iter().enumerate() {
        local[node as usize] = i as u32;
    }
    let local_edges: Vec<(u32, u32, f64)> = edges
        .iter()
        .map(|e| (local[e.a as usize], local[e.b as usize], f64::from(e.count)))
        .collect();
    let graph = Graph::from_edges(nodes.len(), &local_edges);
    let parts = louvain(&graph, settings.seed);
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &c) in parts.iter().enumerate() {
        groups.entry(c).or_default().push(nodes[i]);
    }
    let mut out: Vec<Vec<u32>> = groups
        .into_values()
        .filter(|g| g.len() >= settings.min_members.max(2))
        .map(|mut g| {
            g.sort_unstable_by(|x, y| names[*x as usize].cmp(&names[*y as usize]));
            g
        })
        .collect();
    out.sort_by(|x, y| {
        y.len()
            .cmp(&x.len())
            .then_with(|| names[x[0] as usize].cmp(&names[y[0] as usize]))
    });
    out
}

/// What the members of one community did together: for the evidence of an alert. Memory
/// follows the community's distinct items and objects, not its number of co-actions.
#[derive(Debug, Clone, Default)]
pub struct SharedActions {
    pub items: std::collections::BTreeSet<String>,
    /// Per co-action type and object label: the distinct members that acted on it together.
    pub objects: BTreeMap<(ActionType, String), usize>,
    /// Co-actions per whole second between the two posts.
    pub gaps: BTreeMap<i64, u64>,
    pub first: i64,
    pub last: i64,
}

impl SharedActions {
    /// Median time between co-acting posts, in whole seconds.
    pub fn median_gap_seconds(&self) -> i64 {
        let total: u64 = self.gaps.values().sum();
        let mut seen = 0;
        for (&gap, &n) in &self.gaps {
            seen += n;
            if 2 * seen > total {
                return gap;
            }
        }
        0
    }
}

/// Second pass over the posts of the reported communities' members only: which items and
/// objects each community shared, and how close in time.
pub fn shared_actions(
    ctx: &Context<'_>,
    network: &Network,
) -> Result<Vec<SharedActions>, DetectError> {
    let settings: Settings = ctx.config.detector_settings(SETTINGS_OF)?;
    let mut scanner = Scanner::new(&settings);
    // Members are numbered first, so that the pass's account numbers index `community`.
    let mut community: Vec<usize> = Vec::new();
    let mut members: FastSet<String> = FastSet::default();
    for (c, list) in network.communities.iter().enumerate() {
        for &m in list {
            let name = &network.accounts[m as usize];
            scanner.accounts.get_or_insert(name);
            community.push(c);
            members.insert(name.clone());
        }
    }
    let mut out = vec![
        SharedActions {
            first: i64::MAX,
            last: i64::MIN,
            ..SharedActions::default()
        };
        network.communities.len()
    ];
    // Per community, object → the members seen acting on it (deduplicated at the end).
    let mut acted: Vec<FastMap<(ActionType, String), Vec<u32>>> =
        vec![FastMap::default(); network.communities.len()];
    scanner.run(ctx, Some(&members), None, |c| {
        let (Some(&ca), Some(&cb)) = (community.get(c.a as usize), community.get(c.b as usize))
        else {
            return;
        };
        if ca != cb {
            return;
        }
        let shared = &mut out[ca];
        for item in [c.item_a, c.item_b] {
            if !shared.items.contains(item) {
                shared.items.insert(item.to_owned());
            }
        }
        let label = c.label.unwrap_or("");
        let who = acted[ca].entry((c.kind, label.to_owned())).or_default();
        if who.len() < 1_000 {
            who.push(c.a);
            who.push(c.b);
        }
        let gap = (c.ts_a - c.ts_b).abs();
        *shared.gaps.entry(gap / 1000).or_default() += 1;
        let ts = c.ts_a.min(c.ts_b);
        shared.first = shared.first.min(ts);
        shared.last = shared.last.max(ts + gap);
    })?;
    for (shared, objects) in out.iter_mut().zip(acted) {
        shared.objects = objects
            .into_iter()
            .map(|(k, mut who)| {
                who.sort_unstable();
                who.dedup();
                (k, who.len())
            })
            .collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store_with;

    use vigie_core::Config;

    use vigie_store::Store;

    fn post(id: &str, author: &str, secs: i64, extra: &str) -> String {
        let at = chrono::DateTime::from_timestamp(1_717_200_000 + secs, 0)
            .unwrap()
            .to_rfc3339();
        format!(
            r#"{{"kind":"post","id":"{id}","platform":"x","author":"{author}","created_at":"{at}","text":"post {id}"{extra}}}"#
        )
    }

    fn url(u: &str) -> String {
        format!(r#","urls":["{u}"]"#)
    }

    /// All co-actions of a store's posts, as (type, a, b) by account name.
    fn coactions(store: &Store, config: &Config) -> Vec<(&'static str, String, String)> {
        let ctx = Context::new(config, store);
        let settings: Settings = config.detector_settings(SETTINGS_OF).unwrap();
        let mut scanner = Scanner::new(&settings);
        let mut raw = Vec::new();
        scanner
            .run(&ctx, None, None, |c| raw.push((c.kind.name(), c.a, c.b)))
            .unwrap();
        let mut out: Vec<(&'static str, String, String)> = raw
            .into_iter()
            .map(|(k, a, b)| {
                let mut pair = [
                    scanner.accounts.names[a as usize].clone(),
                    scanner.accounts.names[b as usize].clone(),
                ];
                pair.sort();
                let [a, b] = pair;
                (k, a, b)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn window_edges_are_exact() {
        let config = Config::default();
        let lines = vec![
            post("1", "a", 0, &url("https://ex.com/1")),
            post("2", "b", 60, &url("https://ex.com/1")), // exactly Δ: co-acts with a
            post("3", "c", 121, &url("https://ex.com/1")), // Δ+1 after b: alone
            post("4", "d", 500, &url("https://ex.com/2")),
            post("5", "e", 500, &url("https://ex.com/2")), // equal timestamps
        ];
        let store = store_with(&lines);
        let got = coactions(&store, &config);
        assert_eq!(
            got,
            vec![
                ("same_url", "a".into(), "b".into()),
                ("same_url", "d".into(), "e".into()),
            ]
        );
    }

    #[test]
    fn input_order_does_not_matter_and_missing_values_never_match() {
        let config = Config::default();
        let mut lines = vec![
            post("1", "a", 10, &url("https://ex.com/1")),
            post("2", "b", 0, &url("https://ex.com/1")),
            // No URL, no hashtag, no target: nothing in common, whatever the timing.
            post("3", "c", 5, ""),
            post("4", "d", 6, ""),
        ];
        let forward = coactions(&store_with(&lines), &config);
        lines.reverse();
        let backward = coactions(&store_with(&lines), &config);
        assert_eq!(forward, backward);
        assert_eq!(forward, vec![("same_url", "a".into(), "b".into())]);
    }

    #[test]
    fn each_type_of_coaction_is_seen() {
        let config = Config::default();
        let text = "Les bureaux de vote ferment plus tot ce dimanche partout en France";
        let lines = vec![
            format!(
                r#"{{"kind":"post","id":"t1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":"{text}"}}"#
            ),
            format!(
                r#"{{"kind":"post","id":"t2","platform":"x","author":"b","created_at":"2024-06-01T10:00:20Z","text":"{text} !"}}"#
            ),
            post("h1", "c", 1000, r#","hashtags":["Vote","EU"]"#),
            post("h2", "d", 1010, r#","hashtags":["eu","vote"]"#),
            post("r1", "e", 2000, r#","repost_of":"99""#),
            post("r2", "f", 2005, r#","repost_of":"99""#),
            post("q1", "g", 3000, r#","quote_of":"98""#),
            post("q2", "h", 3005, r#","quote_of":"98""#),
            post("p1", "i", 4000, r#","reply_to":"97""#),
            post("p2", "j", 4005, r#","reply_to":"97""#),
            post("m1", "k", 5000, r#","media":[{"sha256":"abc"}]"#),
            post("m2", "l", 5005, r#","media":[{"sha256":"abc"}]"#),
        ];
        let got = coactions(&store_with(&lines), &config);
        let kinds: Vec<&str> = got.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(
            kinds,
            vec![
                "near_text",
                "same_hashtags",
                "same_media",
                "same_quote",
                "same_reply",
                "same_repost",
                "same_text"
            ]
        );
    }

    #[test]
    fn per_type_windows_and_disabled_types_apply() {
        let config = Config::from_toml(
            "[detectors.coordination]\nwindows = { same_repost = 10 }\ntypes = [\"same_repost\", \"same_url\"]\n",
            "t",
        )
        .unwrap();
        let lines = vec![
            post("r1", "a", 0, r#","repost_of":"9""#),
            post("r2", "b", 30, r#","repost_of":"9""#), // 30 s > 10 s for reposts
            post("m1", "c", 100, r#","media":[{"sha256":"abc"}]"#),
            post("m2", "d", 101, r#","media":[{"sha256":"abc"}]"#), // media disabled
            post("u1", "e", 200, &url("https://ex.com/a")),
            post("u2", "f", 230, &url("https://ex.com/a")),
        ];
        let got = coactions(&store_with(&lines), &config);
        assert_eq!(got, vec![("same_url", "e".into(), "f".into())]);
    }

    /// A group of `size` accounts posting the same URL together in `bursts` separate bursts,
    /// among `background` accounts each sharing a few URLs on their own.
    fn group_and_background(size: usize, bursts: i64, background: usize) -> Vec<String> {
        let mut lines = Vec::new();
        let mut n = 0;
        for burst in 0..bursts {
            for m in 0..size {
                n += 1;
                let u = url(&format!("https://ex.com/push/{burst}"));
                lines.push(post(
                    &format!("g{n}"),
                    &format!("bot{m:02}"),
                    burst * 86_400 + m as i64 * 3,
                    &u,
                ));
            }
        }
        for b in 0..background {
            for k in 0..5 {
                n += 1;
                // Popular links are shared by many, hours apart; some meet by chance.
                let u = url(&format!("https://news.example/{}", (b * 7 + k) % 40));
                lines.push(post(
                    &format!("o{n}"),
                    &format!("user{b:03}"),
                    (b as i64 * 977 + k as i64 * 3_601) % 600_000,
                    &u,
                ));
            }
        }
        lines
    }

    #[test]
    fn a_repeating_group_is_a_community_and_chance_meetings_are_not() {
        let config = Config::default();
        let store = store_with(&group_and_background(8, 5, 300));
        let ctx = Context::new(&config, &store);
        let net = network(&ctx).unwrap();
        assert_eq!(net.communities.len(), 1, "{:?}", net.communities);
        let members: Vec<&str> = net.communities[0]
            .iter()
            .map(|&m| net.accounts[m as usize].as_str())
            .collect();
        let expected: Vec<String> = (0..8).map(|m| format!("bot{m:02}")).collect();
        assert_eq!(members, expected);
        // Every kept edge is inside the group, with its five bursts.
        assert!(net
            .edges
            .iter()
            .all(|e| net.accounts[e.a as usize].starts_with("bot") && e.count == 5));
    }

    #[test]
    fn a_pair_meeting_in_one_long_episode_counts_once() {
        let config = Config::default();
        // Two fans tweeting the same hashtag every 30 s for an hour: one episode.
        let mut lines = Vec::new();
        for i in 0..120 {
            let who = if i % 2 == 0 { "fan1" } else { "fan2" };
            lines.push(post(
                &format!("f{i}"),
                who,
                i * 30,
                r#","hashtags":["Eurovision"]"#,
            ));
        }
        let store = store_with(&lines);
        let ctx = Context::new(&config, &store);
        let settings = Settings {
            min_coactions: 1,
            alpha: 1.0,
            min_members: 2,
            ..Settings::default()
        };
        let mut scanner = Scanner::new(&settings);
        let mut distinct = 0;
        scanner
            .run(&ctx, None, None, |c| distinct += usize::from(!c.repeat))
            .unwrap();
        assert_eq!(distinct, 1);
    }

    #[test]
    fn viral_episodes_make_no_pairs() {
        let config = Config::from_toml("[detectors.coordination]\nmax_crowd = 10\n", "t").unwrap();
        let lines: Vec<String> = (0..30)
            .map(|i| {
                post(
                    &format!("v{i}"),
                    &format!("u{i}"),
                    i,
                    &url("https://viral.example/x"),
                )
            })
            .collect();
        let store = store_with(&lines);
        let ctx = Context::new(&config, &store);
        let net = network(&ctx).unwrap();
        assert_eq!(net.viral_episodes, 1);
        // Pairs made before the crowd was reached are all with one object: one co-action each.
        assert!(net.edges.is_empty());
    }

    #[test]
    fn communities_do_not_depend_on_input_order() {
        let config = Config::default();
        let mut lines = group_and_background(6, 4, 100);
        let first = {
            let store = store_with(&lines);
            network(&Context::new(&config, &store)).unwrap()
        };
        lines.reverse();
        let store = store_with(&lines);
        let second = network(&Context::new(&config, &store)).unwrap();
        let names = |n: &Network| -> Vec<Vec<String>> {
            n.communities
                .iter()
                .map(|c| c.iter().map(|&m| n.accounts[m as usize].clone()).collect())
                .collect()
        };
        assert_eq!(names(&first), names(&second));
        assert!(!first.communities.is_empty());
    }
}
