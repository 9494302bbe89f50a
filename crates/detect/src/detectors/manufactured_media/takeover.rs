//! Taken-over accounts (SPEC §5.8): a protected or watched account whose posts suddenly stop
//! looking like its own — another language, another client, another daily rhythm, other topics,
//! links to other sites.
//!
//! Each watched account is followed post by post, in time order. Its history is summarised per
//! facet (language, client, hour of day, gap between posts, topic terms and hashtags, link
//! domains) in bounded, exponentially decayed counters; the last `window` posts are compared with
//! the history before them by the Jensen–Shannon divergence (base 2, 0..1) of each facet. A
//! divergence means little in absolute terms (a window of twenty posts never matches a history
//! of hundreds on topic words), so each facet is judged against the account's own usual level:
//! the running mean and standard deviation of that facet's divergence over its earlier windows.
//! A facet has changed when it is `min_z` deviations and `min_excess` bits above its usual
//! level. Facets are grouped by what they reveal — what is written (language, topics), with what
//! (client), when (hours, gaps), where it links (domains) — because a new language drags the
//! topic words along; a takeover changes at least `min_groups` groups at once, for at least
//! `min_persist` consecutive windows. A person who travels (hours), takes up a new subject
//! (topics) or writes now and then in a second language changes one group.
//!
//! The change point is the split of the window that maximises `posts after the split × summed
//! divergence of the changed facets beyond their usual level` (a pure post-change segment beats
//! a diluted one); its end, when the account returns to its habits, is the mirror split. While a
//! change lasts the history is frozen, so a takeover is reported until the account returns to
//! its habits (or its data end), not until the operator's posts have become its habit. Memory
//! per account: the window's posts and a few hundred counters, whatever the length of history.

use crate::fast_hash::FastMap;
use crate::{Context, DetectError};
use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Severity};

/// The `signal` figure of takeover alerts.
pub const ACCOUNT_TAKEOVER: &str = "account_takeover";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Accounts to follow besides the `[[protected]]` entities' `handles`: `platform:handle`
    /// (as in `handles`) or `platform:account-id`; without `platform:`, on any platform.
    pub watched: Vec<String>,
    /// Follow every account with enough history (research on a whole archive).
    pub watch_all: bool,
    /// Posts compared with the history before them.
    pub window: usize,
    /// Posts of history needed before a window is compared.
    pub min_history: usize,
    /// Windows compared (the account's usual divergence learnt) before any may flag.
    pub min_calibration: usize,
    /// Deviations above the account's usual divergence for a facet to count as changed...
    pub min_z: f64,
    /// ...and bits above it (the effect must be large, not only unusual).
    pub min_excess: f64,
    /// Groups of facets (content, client, rhythm, links) that must change together.
    pub min_groups: usize,
    /// Consecutive windows the change must last.
    pub min_persist: usize,
    /// Half-life of the history, in posts: old habits weigh less.
    pub half_life_posts: f64,
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            watched: Vec::new(),
            watch_all: false,
            window: 20,
            min_history: 40,
            min_calibration: 10,
            min_z: 3.0,
            min_excess: 0.2,
            min_groups: 2,
            min_persist: 5,
            half_life_posts: 400.0,
            max_evidence_items: 500,
        }
    }
}

/// What is compared between history and window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Facet {
    Language,
    Topics,
    Client,
    Hours,
    Gaps,
    Domains,
}

const FACETS: [Facet; 6] = [
    Facet::Language,
    Facet::Topics,
    Facet::Client,
    Facet::Hours,
    Facet::Gaps,
    Facet::Domains,
];

impl Facet {
    fn name(self) -> &'static str {
        match self {
            Facet::Language => "language",
            Facet::Topics => "topics",
            Facet::Client => "client",
            Facet::Hours => "hours",
            Facet::Gaps => "gaps",
            Facet::Domains => "link_domains",
        }
    }

    /// Facets that move together count once: a new language brings new words.
    fn group(self) -> usize {
        match self {
            Facet::Language | Facet::Topics => 0,
            Facet::Client => 1,
            Facet::Hours | Facet::Gaps => 2,
            Facet::Domains => 3,
        }
    }

    const fn index(self) -> usize {
        self as usize
    }

    /// Distinct values kept in the history's counters.
    fn capacity(self) -> usize {
        match self {
            Facet::Language | Facet::Client => 32,
            Facet::Hours => 24,
            Facet::Gaps => 16,
            Facet::Topics => 512,
            Facet::Domains => 128,
        }
    }
}

const GROUP_NAMES: [&str; 4] = ["content", "client", "rhythm", "links"];

/// A facet value: its hash and, for evidence, its label.
#[derive(Debug, Clone)]
struct Sym {
    key: u64,
    label: Box<str>,
}

impl Sym {
    fn new(label: &str) -> Sym {
        Sym {
            key: vigie_core::stable_hash(&[label.as_bytes()]),
            label: label.into(),
        }
    }
}

/// What one post shows of each facet (a facet may be absent: no client given, first post).
#[derive(Debug, Clone)]
pub(crate) struct PostFeatures {
    id: Box<str>,
    ts: i64,
    values: [Vec<Sym>; 6],
}

/// Longest label kept (clients, terms).
const MAX_LABEL: usize = 48;
/// Terms per post (hashtags first).
const MAX_TERMS: usize = 24;
const NO_LINK: &str = "(no link)";

impl PostFeatures {
    /// `gap_ms`: time since the account's previous post, if any.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: &str,
        ts: i64,
        gap_ms: Option<i64>,
        lang: Option<&str>,
        client: Option<&str>,
        folded_text: &str,
        hashtags: &[String],
        domains: &[String],
    ) -> PostFeatures {
        let mut values: [Vec<Sym>; 6] = Default::default();
        values[Facet::Language.index()].push(Sym::new(lang.unwrap_or("und")));
        if let Some(c) = client.map(clean_client).filter(|c| !c.is_empty()) {
            values[Facet::Client.index()].push(Sym::new(&c));
        }
        let hour = DateTime::from_timestamp_millis(ts).map_or(0, |t| t.hour());
        values[Facet::Hours.index()].push(Sym::new(&format!("{hour:02}h UTC")));
        if let Some(g) = gap_ms {
            values[Facet::Gaps.index()].push(Sym::new(gap_label(g)));
        }
        values[Facet::Topics.index()] = terms(folded_text, hashtags);
        let mut links: Vec<Sym> = domains.iter().take(8).map(|d| Sym::new(&cut(d))).collect();
        if links.is_empty() {
            links.push(Sym::new(NO_LINK));
        }
        values[Facet::Domains.index()] = links;
        PostFeatures {
            id: id.into(),
            ts,
            values,
        }
    }
}

fn cut(s: &str) -> String {
    s.chars().take(MAX_LABEL).collect()
}

/// A client name as shown: tags of an HTML anchor (`<a href=..>Twitter for iPhone</a>`, the
/// v1 API's `source`) removed, spaces collapsed, lower case.
fn clean_client(raw: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in raw.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    cut(&words.join(" ").to_lowercase())
}

/// Gap bins on a doubling scale (under 2 min, 2–4 min, …, over 4 days).
fn gap_label(ms: i64) -> &'static str {
    const LABELS: [&str; 13] = [
        "<2min", "2-4min", "4-8min", "8-16min", "16-32min", "32-64min", "1-2h", "2-4h", "4-8h",
        "8-16h", "16-32h", "32-64h", ">64h",
    ];
    let minutes = (ms.max(0) / 60_000) as u64;
    let bin = (64 - (minutes / 2).leading_zeros()) as usize;
    LABELS[bin.min(LABELS.len() - 1)]
}

/// Topic terms of a post: its hashtags, then words of four letters or more (links, mentions
/// and words with digits left out), each once.
fn terms(folded: &str, hashtags: &[String]) -> Vec<Sym> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut push = |t: String, out: &mut Vec<Sym>| {
        if out.len() < MAX_TERMS && seen.insert(t.clone()) {
            out.push(Sym::new(&t));
        }
    };
    for h in hashtags {
        let h = vigie_normalise::text::fold(h.trim_start_matches('#'));
        if !h.is_empty() {
            push(cut(&format!("#{h}")), &mut out);
        }
    }
    for chunk in folded.split_whitespace() {
        if chunk.contains("://") || chunk.starts_with("www.") || chunk.starts_with(['@', '#']) {
            continue;
        }
        for w in chunk.split(|c: char| !c.is_alphanumeric()) {
            if w.chars().count() >= 4 && !w.chars().any(|c| c.is_numeric()) {
                push(cut(w), &mut out);
            }
        }
    }
    out
}

/// Bounded weighted counters (space-saving: when full, a new value takes over the lightest
/// one's weight), with decay done by inflating later weights instead of deflating old ones.
#[derive(Debug, Clone)]
struct Counter {
    capacity: usize,
    weights: FastMap<u64, (f64, Box<str>)>,
    total: f64,
}

impl Counter {
    fn new(capacity: usize) -> Counter {
        Counter {
            capacity,
            weights: FastMap::default(),
            total: 0.0,
        }
    }

    fn add(&mut self, sym: &Sym, w: f64) {
        self.total += w;
        if let Some(e) = self.weights.get_mut(&sym.key) {
            e.0 += w;
            return;
        }
        let mut base = 0.0;
        if self.weights.len() >= self.capacity {
            // The lightest entry (ties: the smallest key, for determinism) makes room.
            let lightest = self
                .weights
                .iter()
                .map(|(k, (v, _))| (*v, *k))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if let Some((v, k)) = lightest {
                self.weights.remove(&k);
                base = v;
            }
        }
        self.weights.insert(sym.key, (base + w, sym.label.clone()));
    }

    fn p(&self, key: u64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        self.weights.get(&key).map_or(0.0, |(v, _)| v / self.total)
    }

    fn rescale(&mut self, f: f64) {
        self.total *= f;
        for (v, _) in self.weights.values_mut() {
            *v *= f;
        }
    }

    /// The heaviest values with their shares, heaviest first (ties by label).
    fn top(&self, n: usize) -> Vec<(String, f64)> {
        let mut all: Vec<(String, f64)> = self
            .weights
            .values()
            .map(|(v, l)| (l.to_string(), v / self.total.max(f64::MIN_POSITIVE)))
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

/// A window's distribution of one facet: each post carries weight 1, shared among its values.
fn window_distribution<'a>(
    posts: impl Iterator<Item = &'a PostFeatures>,
    f: Facet,
) -> (BTreeMap<u64, (f64, &'a str)>, usize) {
    let mut dist: BTreeMap<u64, (f64, &str)> = BTreeMap::new();
    let mut n = 0;
    for p in posts {
        let vals = &p.values[f.index()];
        if vals.is_empty() {
            continue;
        }
        n += 1;
        let w = 1.0 / vals.len() as f64;
        for s in vals {
            dist.entry(s.key).or_insert((0.0, &s.label)).0 += w;
        }
    }
    if n > 0 {
        for v in dist.values_mut() {
            v.0 /= n as f64;
        }
    }
    (dist, n)
}

/// Jensen–Shannon divergence (bits) between the history `p` and a window distribution `q`.
/// History values absent from the window contribute half their share each (their mixture is
/// half as likely), so only the window's values are visited.
fn jsd(p: &Counter, q: &BTreeMap<u64, (f64, &str)>) -> f64 {
    let mut d = 0.0;
    let mut p_in_q = 0.0;
    for (&k, &(qk, _)) in q {
        let pk = p.p(k);
        p_in_q += pk;
        let m = (pk + qk) / 2.0;
        if pk > 0.0 {
            d += 0.5 * pk * (pk / m).log2();
        }
        if qk > 0.0 {
            d += 0.5 * qk * (qk / m).log2();
        }
    }
    d += 0.5 * (1.0 - p_in_q).max(0.0);
    d.clamp(0.0, 1.0)
}

/// Running mean and variance (Welford).
#[derive(Debug, Clone, Default)]
struct Running {
    n: usize,
    mean: f64,
    m2: f64,
}

impl Running {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }
}

/// One facet's comparison in a window.
#[derive(Debug, Clone)]
struct FacetScore {
    facet: Facet,
    jsd: f64,
    usual: f64,
    z: f64,
}

/// The strongest window of a change, kept for the alert.
#[derive(Debug, Clone)]
struct Snapshot {
    score: f64,
    changed: Vec<FacetScore>,
    groups: usize,
    /// Before/after distributions of the changed facets (top values).
    before: BTreeMap<&'static str, Vec<(String, f64)>>,
    after: BTreeMap<&'static str, Vec<(String, f64)>>,
    change_id: Box<str>,
    change_ts: i64,
    history_posts: usize,
}

/// A change that lasted: what the alert reports.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    snapshot: Snapshot,
    /// Posts from the change point on (capped), with their times.
    items: Vec<(i64, Box<str>)>,
    posts_after: usize,
    last_ts: i64,
    windows: usize,
}

/// One account followed through its posts.
pub(crate) struct Tracker {
    settings: Settings,
    history: Vec<Counter>,
    /// Posts summarised per facet (undecayed), for the minimum sample.
    history_n: [usize; 6],
    history_posts: usize,
    /// Weight of the next post in the history (grows as the old ones decay).
    inflation: f64,
    window: VecDeque<PostFeatures>,
    usual: [Running; 6],
    last_ts: Option<i64>,
    /// The change under way: consecutive flagged windows, its best window, its posts.
    streak: usize,
    /// Where the change under way started (post id, time).
    change: (Box<str>, i64),
    best: Option<Snapshot>,
    episode: Vec<(i64, Box<str>)>,
    episode_posts: usize,
    /// Posts of ordinary-looking windows within a change (fewer than `min_persist`).
    pending: Vec<(i64, Box<str>)>,
    pub(crate) changes: Vec<Change>,
}

impl Tracker {
    pub(crate) fn new(settings: &Settings) -> Tracker {
        Tracker {
            settings: settings.clone(),
            history: FACETS.iter().map(|f| Counter::new(f.capacity())).collect(),
            history_n: [0; 6],
            history_posts: 0,
            inflation: 1.0,
            window: VecDeque::new(),
            usual: Default::default(),
            last_ts: None,
            streak: 0,
            change: Default::default(),
            best: None,
            episode: Vec::new(),
            episode_posts: 0,
            pending: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// Time since the previous post, for [`PostFeatures::new`].
    pub(crate) fn gap(&self, ts: i64) -> Option<i64> {
        self.last_ts.map(|l| ts - l)
    }

    pub(crate) fn push(&mut self, post: PostFeatures) {
        self.last_ts = Some(post.ts);
        let window = self.settings.window.max(4);
        self.window.push_back(post);
        if self.window.len() > window {
            if let Some(old) = self.window.pop_front() {
                // During a change the history stays what it was before: the new regime is
                // compared with the old one until it ends, not learnt as the account's habit.
                if self.streak == 0 {
                    self.remember(&old);
                }
            }
        }
        if self.window.len() == window && self.history_posts >= self.settings.min_history.max(1) {
            self.compare();
        }
    }

    /// Moves a post that left the window into the history.
    fn remember(&mut self, post: &PostFeatures) {
        let decay = 0.5f64.powf(1.0 / self.settings.half_life_posts.max(1.0));
        self.inflation /= decay;
        if self.inflation > 1e100 {
            for c in &mut self.history {
                c.rescale(1.0 / self.inflation);
            }
            self.inflation = 1.0;
        }
        for f in FACETS {
            let vals = &post.values[f.index()];
            if vals.is_empty() {
                continue;
            }
            self.history_n[f.index()] += 1;
            let w = self.inflation / vals.len() as f64;
            for s in vals {
                self.history[f.index()].add(s, w);
            }
        }
        self.history_posts += 1;
    }

    fn compare(&mut self) {
        let s = &self.settings;
        let min_sample = (s.window / 2).max(2);
        let mut scores = Vec::new();
        for f in FACETS {
            let (q, n) = window_distribution(self.window.iter(), f);
            if n < min_sample || self.history_n[f.index()] < s.min_history.max(1) / 2 {
                continue;
            }
            let d = jsd(&self.history[f.index()], &q);
            let usual = &self.usual[f.index()];
            // The account's own variability, floored: successive windows share most of their
            // posts, so their spread underestimates the noise; a divergence of small samples
            // varies by about half its mean (a chi-square of some ten degrees of freedom).
            let spread = usual.sd().max(0.5 * usual.mean).max(0.02);
            scores.push(FacetScore {
                facet: f,
                jsd: d,
                usual: usual.mean,
                z: (d - usual.mean) / spread,
            });
        }
        let calibrated = |f: Facet, u: &[Running; 6]| u[f.index()].n >= s.min_calibration;
        let changed: Vec<FacetScore> = scores
            .iter()
            .filter(|c| {
                calibrated(c.facet, &self.usual)
                    && c.z >= s.min_z
                    && c.jsd - c.usual >= s.min_excess
            })
            .cloned()
            .collect();
        let groups: BTreeSet<usize> = changed.iter().map(|c| c.facet.group()).collect();
        let flagged = groups.len() >= s.min_groups.max(1);
        let newest = self.window.back().map(|p| (p.ts, p.id.clone()));
        let persist = s.min_persist.max(1);
        if !flagged {
            // A confirmed change survives a few ordinary-looking windows (posts that happen to
            // look like the old habits); its posts wait to see whether it goes on.
            if self.streak >= persist && self.pending.len() + 1 < persist {
                self.pending.extend(newest);
                return;
            }
            if self.streak == 0 {
                // Ordinary windows teach the account's usual divergence; changed ones must not.
                for c in &scores {
                    self.usual[c.facet.index()].add(c.jsd);
                }
            }
            self.close_episode();
            return;
        }
        if self.streak == 0 {
            // The first window that differs holds the change.
            self.change = self.change_point(&changed);
            self.episode = self.window.iter().map(|p| (p.ts, p.id.clone())).collect();
            self.episode_posts = self.episode.len();
        } else {
            let cap = s.max_evidence_items.max(1) + s.window;
            for n in std::mem::take(&mut self.pending).into_iter().chain(newest) {
                self.episode_posts += 1;
                if self.episode.len() < cap {
                    self.episode.push(n);
                }
            }
        }
        self.streak += 1;
        let excess: f64 = changed.iter().map(|c| c.jsd - c.usual).sum();
        let score = groups.len() as f64 + excess;
        if self.best.as_ref().is_none_or(|b| score > b.score) {
            self.best = Some(self.snapshot(score, changed, groups.len()));
        }
    }

    /// The window split where the change starts: the post from which the changed facets
    /// diverge most beyond their usual level, weighted by the posts that follow (a pure
    /// post-change segment beats a diluted one, and a longer one a shorter one; without the
    /// usual level, the divergence every sample shows would favour the longest segment).
    fn change_point(&self, changed: &[FacetScore]) -> (Box<str>, i64) {
        let posts: Vec<&PostFeatures> = self.window.iter().collect();
        let min_len = (posts.len() / 4).max(2);
        let mut best = (f64::MIN, 0usize);
        for k in 0..=posts.len().saturating_sub(min_len) {
            let seg = &posts[k..];
            let total: f64 = changed
                .iter()
                .map(|c| {
                    let (q, _) = window_distribution(seg.iter().copied(), c.facet);
                    (jsd(&self.history[c.facet.index()], &q) - c.usual).max(0.0)
                })
                .sum();
            let v = seg.len() as f64 * total;
            // Strictly greater: on a tie the earlier split (more evidence) stays.
            if v > best.0 {
                best = (v, k);
            }
        }
        posts
            .get(best.1)
            .map(|p| (p.id.clone(), p.ts))
            .unwrap_or_default()
    }

    /// The time of the last post of the change in the window, when the account has returned to
    /// its habits: the mirror of [`Tracker::change_point`] (the prefix of the window that
    /// diverges most, weighted by its length). When the change runs to the end, the whole window.
    fn end_point(&self, changed: &[FacetScore]) -> i64 {
        let posts: Vec<&PostFeatures> = self.window.iter().collect();
        let mut best = (f64::MIN, posts.len());
        for k in (1..=posts.len()).rev() {
            let seg = &posts[..k];
            let total: f64 = changed
                .iter()
                .map(|c| {
                    let (q, _) = window_distribution(seg.iter().copied(), c.facet);
                    (jsd(&self.history[c.facet.index()], &q) - c.usual).max(0.0)
                })
                .sum();
            let v = seg.len() as f64 * total;
            // Strictly greater, from the longest prefix down: ties keep more evidence.
            if v > best.0 {
                best = (v, k);
            }
        }
        posts
            .get(best.1.saturating_sub(1))
            .map_or(i64::MAX, |p| p.ts)
    }

    /// The changed facets' distributions before (history) and after the change point (the
    /// window's posts from it on).
    fn snapshot(&self, score: f64, changed: Vec<FacetScore>, groups: usize) -> Snapshot {
        let (change_id, change_ts) = self.change.clone();
        let after_posts: Vec<&PostFeatures> =
            self.window.iter().filter(|p| p.ts >= change_ts).collect();
        let mut before = BTreeMap::new();
        let mut after = BTreeMap::new();
        for c in &changed {
            before.insert(
                c.facet.name(),
                rounded(self.history[c.facet.index()].top(5)),
            );
            let (q, _) = window_distribution(after_posts.iter().copied(), c.facet);
            let mut top: Vec<(String, f64)> =
                q.values().map(|(v, l)| ((*l).to_owned(), *v)).collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(5);
            after.insert(c.facet.name(), rounded(top));
        }
        Snapshot {
            score,
            changed,
            groups,
            before,
            after,
            change_id,
            change_ts,
            history_posts: self.history_posts,
        }
    }

    /// Ends the change under way: kept when it lasted `min_persist` windows.
    fn close_episode(&mut self) {
        self.pending.clear();
        let streak = std::mem::take(&mut self.streak);
        let best = self.best.take();
        let episode = std::mem::take(&mut self.episode);
        let posts = std::mem::take(&mut self.episode_posts);
        let Some(best) = best else { return };
        if streak < self.settings.min_persist.max(1) {
            return;
        }
        // The change point lies in the best window, which the episode's posts cover.
        let skipped = episode
            .iter()
            .position(|(ts, id)| (*ts, id) == (best.change_ts, &best.change_id))
            .unwrap_or(0);
        let end = self.end_point(&best.changed);
        let items: Vec<(i64, Box<str>)> = episode
            .into_iter()
            .skip(skipped)
            .filter(|(ts, _)| *ts <= end)
            .take(self.settings.max_evidence_items.max(1))
            .collect();
        let last_ts = items.last().map_or(best.change_ts, |(t, _)| *t);
        self.changes.push(Change {
            snapshot: best,
            items,
            posts_after: posts.saturating_sub(skipped),
            last_ts,
            windows: streak,
        });
    }

    /// Call after the last post.
    pub(crate) fn finish(&mut self) {
        self.close_episode();
    }
}

fn rounded(v: Vec<(String, f64)>) -> Vec<(String, f64)> {
    v.into_iter()
        .map(|(l, p)| (l, (p * 1000.0).round() / 1000.0))
        .collect()
}

/// `x` and `twitter` are one platform.
fn platform_key(p: &str) -> String {
    let p = p.trim().to_lowercase();
    if p == "twitter" {
        "x".to_owned()
    } else {
        p
    }
}

/// Who an account is, for the alert.
#[derive(Debug, Clone, Default)]
struct Watched {
    handle: Option<String>,
    /// The protected entity owning the account, if any.
    entity: Option<(String, String)>,
}

/// A watch-list entry: platform (any when `None`) and handle or id, lower-case.
struct Wanted {
    platform: Option<String>,
    name: String,
    entity: Option<(String, String)>,
}

fn wanted_entries(ctx: &Context<'_>, settings: &Settings) -> Vec<Wanted> {
    let parse = |raw: &str, entity: Option<(String, String)>| {
        let (platform, name) = match raw.split_once(':') {
            Some((p, n)) => (Some(platform_key(p)), n),
            None => (None, raw),
        };
        let name = name.trim().trim_start_matches('@').to_lowercase();
        (!name.is_empty()).then_some(Wanted {
            platform,
            name,
            entity,
        })
    };
    let mut out = Vec::new();
    for p in &ctx.config.protected {
        for h in &p.handles {
            out.extend(parse(h, Some((p.name.clone(), p.kind.clone()))));
        }
    }
    for w in &settings.watched {
        out.extend(parse(w, None));
    }
    out
}

/// The account fields needed to resolve handles.
#[derive(Deserialize)]
struct AccountFields {
    #[serde(deserialize_with = "vigie_core::record::de_id")]
    id: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    handle: String,
}

/// The post fields read beyond the store's columns.
#[derive(Deserialize)]
struct PostFields {
    #[serde(deserialize_with = "vigie_core::record::de_id")]
    id: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    hashtags: Vec<String>,
    #[serde(default)]
    client: Option<Value>,
    #[serde(default)]
    source: Option<Value>,
}

#[derive(Deserialize, Default)]
struct DerivedFields {
    #[serde(default)]
    domains: Vec<String>,
}

/// The accounts to follow, by `(platform, author)`.
fn watched_accounts(
    ctx: &Context<'_>,
    settings: &Settings,
) -> Result<BTreeMap<(String, String), Watched>, DetectError> {
    let wanted = wanted_entries(ctx, settings);
    let mut out: BTreeMap<(String, String), Watched> = BTreeMap::new();
    if settings.watch_all {
        let min = (settings.min_history + settings.window + settings.min_calibration) as u64;
        for (platform, author) in ctx.store.authors_with_at_least(Kind::Post, min)? {
            out.entry((platform_key(&platform), author)).or_default();
        }
    }
    if wanted.is_empty() {
        return Ok(out);
    }
    let mut by_name: BTreeMap<&str, Vec<&Wanted>> = BTreeMap::new();
    for w in &wanted {
        by_name.entry(w.name.as_str()).or_default().push(w);
    }
    ctx.store.for_each_json_by_time(Kind::Account, |row| {
        let Ok(a) = serde_json::from_str::<AccountFields>(row.record) else {
            return Ok(());
        };
        let platform = platform_key(&a.platform);
        let handle = a.handle.trim_start_matches('@').to_lowercase();
        for key in [handle.as_str(), a.id.to_lowercase().as_str()] {
            for w in by_name.get(key).into_iter().flatten() {
                if w.platform.as_ref().is_some_and(|p| *p != platform) {
                    continue;
                }
                let e = out.entry((platform.clone(), a.id.clone())).or_default();
                e.handle = Some(a.handle.clone());
                if e.entity.is_none() {
                    e.entity = w.entity.clone();
                }
            }
        }
        Ok(())
    })?;
    // Posts may name their author by handle where no account record exists (IRA archives).
    for w in &wanted {
        if let Some(p) = &w.platform {
            let e = out.entry((p.clone(), w.name.clone())).or_default();
            if e.entity.is_none() {
                e.entity = w.entity.clone();
            }
        }
    }
    Ok(out)
}

/// Follows every watched account through its posts and returns the takeover alerts.
pub fn detect(ctx: &Context<'_>, settings: &Settings) -> Result<Vec<Alert>, DetectError> {
    let watched = watched_accounts(ctx, settings)?;
    if watched.is_empty() {
        return Ok(Vec::new());
    }
    let authors: BTreeSet<&str> = watched.keys().map(|(_, a)| a.as_str()).collect();
    // Authors are matched as given and lower-cased (a handle written in another case).
    let lower: BTreeSet<String> = authors.iter().map(|a| a.to_lowercase()).collect();
    let list: Vec<&str> = authors
        .iter()
        .copied()
        .chain(lower.iter().map(String::as_str))
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .collect();
    let mut trackers: BTreeMap<(String, String), Tracker> = BTreeMap::new();
    ctx.store
        .for_each_json_of_authors(Kind::Post, &list, |row| {
            let (Some(author), Some(ts)) = (row.author, row.ts) else {
                return Ok(());
            };
            let Ok(p) = serde_json::from_str::<PostFields>(row.record) else {
                return Ok(());
            };
            let platform = platform_key(&p.platform);
            let key = if watched.contains_key(&(platform.clone(), author.to_owned())) {
                (platform, author.to_owned())
            } else if watched.contains_key(&(platform.clone(), author.to_lowercase())) {
                (platform, author.to_lowercase())
            } else {
                return Ok(());
            };
            let derived: DerivedFields = if row.derived.is_empty() {
                DerivedFields::default()
            } else {
                serde_json::from_str(row.derived).unwrap_or_default()
            };
            let client = [&p.client, &p.source]
                .into_iter()
                .flatten()
                .find_map(|v| v.as_str());
            let tracker = trackers
                .entry(key)
                .or_insert_with(|| Tracker::new(settings));
            let features = PostFeatures::new(
                &p.id,
                ts,
                tracker.gap(ts),
                p.lang.as_deref(),
                client,
                row.norm,
                &p.hashtags,
                &derived.domains,
            );
            tracker.push(features);
            Ok(())
        })?;
    let mut alerts = Vec::new();
    for (key, mut tracker) in trackers {
        tracker.finish();
        let who = watched.get(&key).cloned().unwrap_or_default();
        for change in &tracker.changes {
            alerts.push(alert(&key, &who, change, settings));
        }
    }
    Ok(alerts)
}

fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn alert(
    (platform, author): &(String, String),
    who: &Watched,
    change: &Change,
    settings: &Settings,
) -> Alert {
    let s = &change.snapshot;
    let excess: f64 = s.changed.iter().map(|c| (c.jsd - c.usual).max(0.0)).sum();
    let protected = who.entity.is_some();
    let score = (0.45
        + 0.1 * s.groups as f64
        + 0.15 * (1.0 - (-excess).exp())
        + if protected { 0.05 } else { 0.0 })
    .min(0.95);
    let name = who
        .handle
        .as_ref()
        .map(|h| format!("@{h}"))
        .unwrap_or_else(|| format!("account {author}"));
    let whose = who
        .entity
        .as_ref()
        .map(|(e, _)| format!(" ({e})"))
        .unwrap_or_default();
    let mut facets: Vec<&str> = s.changed.iter().map(|c| c.facet.name()).collect();
    facets.dedup();
    let described: Vec<String> = s
        .changed
        .iter()
        .map(|c| {
            let from = s.before.get(c.facet.name()).and_then(|v| v.first());
            let to = s.after.get(c.facet.name()).and_then(|v| v.first());
            match (from, to) {
                (Some(a), Some(b)) if a.0 != b.0 && c.facet != Facet::Topics => {
                    format!("{} ({} → {})", c.facet.name().replace('_', " "), a.0, b.0)
                }
                _ => c.facet.name().replace('_', " "),
            }
        })
        .collect();
    let mut figures = Map::new();
    figures.insert("signal".into(), json!(ACCOUNT_TAKEOVER));
    figures.insert("platform".into(), json!(platform));
    if let Some(h) = &who.handle {
        figures.insert("handle".into(), json!(h));
    }
    if let Some((e, k)) = &who.entity {
        figures.insert("protected_entity".into(), json!(e));
        figures.insert("protected_kind".into(), json!(k));
    }
    figures.insert("facets_changed".into(), json!(facets));
    let groups: BTreeSet<&str> = s
        .changed
        .iter()
        .map(|c| GROUP_NAMES[c.facet.group()])
        .collect();
    figures.insert("groups_changed".into(), json!(groups));
    let mut per_facet = Map::new();
    for c in &s.changed {
        per_facet.insert(
            c.facet.name().into(),
            json!({
                "jsd_bits": round3(c.jsd),
                "usual_jsd_bits": round3(c.usual),
                "z": (c.z * 100.0).round() / 100.0,
                "before": s.before.get(c.facet.name()),
                "after": s.after.get(c.facet.name()),
            }),
        );
    }
    figures.insert("facets".into(), Value::Object(per_facet));
    figures.insert("change_post".into(), json!(s.change_id));
    figures.insert("change_at".into(), json!(ts(s.change_ts).to_rfc3339()));
    figures.insert("history_posts".into(), json!(s.history_posts));
    figures.insert("posts_after_change".into(), json!(change.posts_after));
    figures.insert("windows_flagged".into(), json!(change.windows));
    figures.insert("window_posts".into(), json!(settings.window));
    figures.insert(
        "statistic".into(),
        json!("Jensen-Shannon divergence (bits) of the last window against the decayed history, per facet, against the account's own usual level"),
    );
    Alert {
        id: String::new(),
        detector: super::NAME.into(),
        modus_operandi: ModusOperandi::ManufacturedContent,
        disarm: if protected {
            vec!["T0143.003".into(), "T0150.005".into()]
        } else {
            vec!["T0150.005".into()]
        },
        severity: Severity::from_score(score),
        score,
        title: format!("Possible takeover of {name}{whose}"),
        summary: format!(
            "From {}, {name}{whose} posts unlike its own {} earlier posts: {} changed at once.",
            ts(s.change_ts).format("%Y-%m-%d %H:%M UTC"),
            s.history_posts,
            described.join(", ")
        ),
        first_seen: ts(s.change_ts),
        last_seen: ts(change.last_ts),
        evidence: Evidence {
            items: change.items.iter().map(|(_, id)| id.to_string()).collect(),
            accounts: vec![author.clone()],
            domains: vec![],
            imitates: vec![],
            urls: vec![],
            figures,
        },
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
