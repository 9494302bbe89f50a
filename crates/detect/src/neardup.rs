//! Near-duplicate index shared by the text detectors: word shingles, MinHash signatures, LSH
//! banding for candidates, and a real similarity (Jaccard, or containment for truncated copies)
//! to verify each candidate before two items are joined.
//!
//! Cost stays close to linear: an item is compared only with the few items that share one of its
//! band buckets, never with all others. Memory stays bounded by a time window: buckets and
//! shingles live in generations of half a window each, and a generation older than the window is
//! dropped whole, so an item can only join items published within about one window of it.

use std::collections::HashMap;

use vigie_core::DigestMap;

/// Tuning of the index. The defaults find copies with word-bigram Jaccard ≥ 0.5 with high
/// probability (bands × rows = 21 × 3: the LSH threshold is about (1/21)^(1/3) ≈ 0.36).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Params {
    pub bands: usize,
    pub rows: usize,
    /// Words per shingle.
    pub shingle_words: usize,
    /// Texts with fewer words are not indexed: short texts collide by chance.
    pub min_words: usize,
    /// Shingles kept per item (the start of long articles is enough to recognise a copy).
    pub max_shingles: usize,
    /// Two items are copies when the Jaccard similarity of their shingle sets reaches this...
    pub min_jaccard: f64,
    /// ...or when this share of the smaller item's shingles is in the larger (truncated copies),
    pub min_containment: f64,
    /// ...provided the smaller keeps at least this share of the larger's size when it visibly
    /// stops short (ends with an ellipsis: a truncated copy)...
    pub min_size_ratio: f64,
    /// ...or this share when it does not. A short post that is one sentence of a longer text is
    /// as likely a quote or the talking point the longer text was built on as a copy of it, and
    /// must not bridge the clusters of every text that sentence appears in.
    pub min_size_ratio_whole: f64,
    /// Candidates compared per bucket; buckets of a very common phrase stay cheap.
    pub max_probe: usize,
    /// Items whose publication times differ by more than this are never joined directly...
    pub window_seconds: i64,
    /// ...but a cluster leaving the window leaves one representative behind, which later copies
    /// can still join for this long: clusters persist, lone items expire.
    pub cluster_memory_seconds: i64,
    /// The window also closes after this many items, so memory has a bound whatever the volume
    /// per day (the window then spans less time).
    pub max_window_items: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            bands: 21,
            rows: 3,
            shingle_words: 2,
            min_words: 6,
            max_shingles: 400,
            min_jaccard: 0.5,
            min_containment: 0.8,
            min_size_ratio: 0.5,
            min_size_ratio_whole: 0.7,
            max_probe: 8,
            window_seconds: 3 * 86_400,
            cluster_memory_seconds: 90 * 86_400,
            max_window_items: 400_000,
        }
    }
}

/// The words of a matching text (already folded and stripped, see `copypasta::matching_text`).
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Sorted, deduplicated 32-bit hashes of the word `k`-grams of `words`, at most `max` of them
/// (the first ones in text order).
pub fn shingles(words: &[&str], k: usize, max: usize) -> Vec<u32> {
    let k = k.max(1);
    let mut out: Vec<u32> = if words.len() < k {
        vec![gram_hash(words)]
    } else {
        words.windows(k).take(max.max(1)).map(gram_hash).collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

fn gram_hash(gram: &[&str]) -> u32 {
    // Folding 64 bits to 32 keeps collisions rare at shingle-set sizes (hundreds).
    let h = vigie_core::stable_hash_of(gram.iter().map(|w| w.as_bytes()));
    (h ^ (h >> 32)) as u32
}

/// Jaccard similarity of two sorted sets.
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let inter = intersection(a, b);
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Size of the smaller set over the size of the larger.
pub fn size_ratio(a: &[u32], b: &[u32]) -> f64 {
    let (small, large) = (a.len().min(b.len()), a.len().max(b.len()));
    if large == 0 {
        0.0
    } else {
        small as f64 / large as f64
    }
}

/// Share of the smaller sorted set found in the larger one.
pub fn containment(a: &[u32], b: &[u32]) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        0.0
    } else {
        intersection(a, b) as f64 / smaller as f64
    }
}

fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The verified similarity of two texts (shingle sets and cut flags), when they are copies.
/// Symmetric: sets of equal size pass the size test whichever flag applies.
pub fn verified_similarity(
    params: &Params,
    (a, a_cut): (&[u32], bool),
    (b, b_cut): (&[u32], bool),
) -> Option<f64> {
    // Whichever measure passes, a whole text far shorter than the other is not its copy:
    // when one set is inside the other, Jaccard is just their size ratio.
    let smaller_cut = if a.len() <= b.len() { a_cut } else { b_cut };
    let min_ratio = if smaller_cut {
        params.min_size_ratio
    } else {
        params.min_size_ratio_whole
    };
    if size_ratio(a, b) < min_ratio {
        return None;
    }
    let j = jaccard(a, b);
    if j >= params.min_jaccard {
        return Some(j);
    }
    // Report the overlap a reader can check: the shorter copy's share.
    let c = containment(a, b);
    (c >= params.min_containment).then_some(c)
}

/// A distinct text as the pair-verifying index knows it: its digest and cut flag (the two
/// inputs of [`verified_similarity`] besides the shingles, which a digest stands for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    pub digest: u64,
    pub cut: bool,
}

impl Variant {
    /// What the index stores of an item in pair mode: the variant, then the band keys (kept
    /// for the cluster representatives a generation leaves behind).
    fn stored_with(self, band_keys: &[u32]) -> Vec<u32> {
        let mut out = Vec::with_capacity(3 + band_keys.len());
        out.extend([
            self.digest as u32,
            (self.digest >> 32) as u32,
            u32::from(self.cut),
        ]);
        out.extend_from_slice(band_keys);
        out
    }

    fn stored(stored: &[u32]) -> Option<Variant> {
        match stored {
            [lo, hi, cut, ..] => Some(Variant {
                digest: u64::from(*lo) | (u64::from(*hi) << 32),
                cut: *cut != 0,
            }),
            _ => None,
        }
    }
}

/// The similar pairs of distinct texts an engine verified (with [`verified_similarity`]) among
/// all texts sharing a band key within the index's horizon: a superset of the pairs the index
/// verifies, so an index looking similarities up here joins exactly what it would have joined
/// computing them. A pair absent is not similar.
#[derive(Debug, Clone, Default)]
pub struct SimilarPairs {
    pairs: HashMap<(Variant, Variant), f64>,
}

impl SimilarPairs {
    /// Records `a` and `b` as similar, in either order.
    pub fn insert(&mut self, a: Variant, b: Variant, similarity: f64) {
        self.pairs.insert((a.min(b), a.max(b)), similarity);
    }

    /// The similarity of two distinct texts, when they are copies.
    pub fn get(&self, a: Variant, b: Variant) -> Option<f64> {
        self.pairs.get(&(a.min(b), a.max(b))).copied()
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// MinHash with `n` independent multiply-shift hash functions, seeded: the same seed gives the
/// same signatures on every machine.
#[derive(Debug, Clone)]
pub struct MinHasher {
    coeffs: Vec<(u64, u64)>,
}

impl MinHasher {
    pub fn new(n: usize, seed: u64) -> MinHasher {
        let mut state = seed;
        let mut next = || {
            // splitmix64: well-spread constants from a counter.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        MinHasher {
            coeffs: (0..n).map(|_| (next() | 1, next())).collect(),
        }
    }

    pub fn signature(&self, shingles: &[u32]) -> Vec<u32> {
        self.coeffs
            .iter()
            .map(|&(a, b)| {
                shingles
                    .iter()
                    .map(|&s| (a.wrapping_mul(u64::from(s)).wrapping_add(b) >> 32) as u32)
                    .min()
                    .unwrap_or(u32::MAX)
            })
            .collect()
    }
}

/// Fraction of equal positions: the MinHash estimate of Jaccard similarity.
pub fn estimated_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / n as f64
}

/// Union-find with path halving and union by size.
#[derive(Debug, Clone, Default)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn push(&mut self) -> u32 {
        let id = self.parent.len() as u32;
        self.parent.push(id);
        self.size.push(1);
        id
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns the new root.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return ra;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        big
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Number of items in the set of `x`.
    pub fn size_of(&mut self, x: u32) -> u32 {
        let r = self.find(x);
        self.size[r as usize]
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }
}

/// LSH buckets: band key → first few items. Most buckets hold one item, so the first lives in a
/// flat map and only crowded buckets pay for a list.
#[derive(Default)]
struct Buckets {
    // 32-bit band keys halve the table; a rare collision only costs one extra verification.
    first: DigestMap<u32, u32>,
    more: DigestMap<u32, Vec<u32>>,
}

impl Buckets {
    fn candidates_into(&self, key: u32, out: &mut Vec<u32>) {
        out.clear();
        if let Some(&first) = self.first.get(&key) {
            out.push(first);
            if let Some(more) = self.more.get(&key) {
                out.extend_from_slice(more);
            }
        }
    }

    /// Adds `id` unless the bucket already holds `max` items: enough to catch a copy, and
    /// bounded when a common phrase lands thousands of items in one bucket.
    fn insert(&mut self, key: u32, id: u32, max: usize) {
        match self.first.entry(key) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                let more = self.more.entry(key).or_default();
                if more.len() + 1 < max {
                    more.push(id);
                }
            }
        }
    }
}

/// One generation of the window: its buckets and the shingles of its items. Items of a
/// generation have consecutive numbers, so per-item data are flat arrays indexed from
/// `first_item`, and all shingles share one pool.
#[derive(Default)]
struct Generation {
    start: i64,
    first_item: u32,
    buckets: Buckets,
    /// Publication time of each item.
    times: Vec<i64>,
    /// End of each item's shingles in `pool` (exact copies store none).
    ends: Vec<u32>,
    /// Whether each item's text visibly stops short.
    cut: Vec<bool>,
    pool: Vec<u32>,
    /// Digest of each distinct text of the generation → the first item with it. An exact copy
    /// joins that item directly and is neither hashed nor stored.
    exact: DigestMap<u64, u32>,
}

impl Generation {
    fn starting(ts: i64, first_item: u32) -> Generation {
        Generation {
            start: ts,
            first_item,
            ..Generation::default()
        }
    }

    fn push(&mut self, ts: i64, shingles: &[u32], cut: bool) {
        self.times.push(ts);
        self.pool.extend_from_slice(shingles);
        self.ends.push(self.pool.len() as u32);
        self.cut.push(cut);
    }

    /// Time, shingles and cut flag of `item`, if it belongs to this generation.
    fn get(&self, item: u32) -> Option<(i64, &[u32], bool)> {
        let i = item.checked_sub(self.first_item)? as usize;
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some((self.times[i], self.pool.get(start..end)?, self.cut[i]))
    }

    fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
}

/// Representatives of clusters that left the window: one item per cluster, kept for
/// `cluster_memory_seconds`. Memory grows with the number of clusters, not of items.
#[derive(Default)]
struct Memory {
    buckets: Buckets,
    items: HashMap<u32, (i64, Box<[u32]>, bool)>,
    exact: DigestMap<u64, u32>,
    roots: std::collections::HashSet<u32>,
}

/// What the index reads of an item.
#[derive(Debug, Clone, Copy, Default)]
pub struct Entry<'a> {
    /// The matching text (see `copypasta::matching_text`).
    pub text: &'a str,
    /// The text visibly stops short (ends with an ellipsis).
    pub cut: bool,
    /// The matching text of an article's headline: a post that is exactly the headline (a
    /// "title + link" relay) joins the article, though it is far shorter than the article.
    pub headline: Option<&'a str>,
    /// The item belongs to a cluster found by an earlier pass: when it leaves the window it
    /// stays as a representative, even if it joined nothing in this pass.
    pub known_cluster: bool,
}

/// A verified join made by [`Index::add`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Join {
    pub item: u32,
    pub matched: u32,
    pub similarity: f64,
}

/// An item's hashes, computed from its text alone by a [`Preparer`] — on another thread while
/// the index joins earlier items.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// `None`: too few words to index.
    text: Option<PreparedText>,
    cut: bool,
    known_cluster: bool,
    headline_digest: Option<u64>,
}

#[derive(Debug, Clone)]
struct PreparedText {
    digest: u64,
    shingles: Vec<u32>,
    band_keys: Vec<u32>,
}

/// Computes [`Prepared`] items for one index; cheap to clone and shareable between threads.
#[derive(Debug, Clone)]
pub struct Preparer {
    params: Params,
    hasher: MinHasher,
}

impl Preparer {
    pub fn prepare(&self, entry: &Entry<'_>) -> Prepared {
        let params = &self.params;
        let w = words(entry.text);
        let text = (w.len() >= params.min_words).then(|| {
            let shingles = shingles(&w, params.shingle_words, params.max_shingles);
            let band_keys = band_keys_of(params, &self.hasher, &shingles);
            PreparedText {
                digest: text_digest(entry.text),
                shingles,
                band_keys,
            }
        });
        let headline_digest = entry
            .headline
            .filter(|_| text.is_some())
            .and_then(|h| headline_digest(params, h));
        Prepared {
            text,
            cut: entry.cut,
            known_cluster: entry.known_cluster,
            headline_digest,
        }
    }
}

impl Prepared {
    /// An item for an index in pair mode ([`Index::with_pairs`]): its digest, cut flag and band
    /// keys, no shingles.
    pub fn from_keys(
        digest: u64,
        band_keys: Vec<u32>,
        cut: bool,
        headline_digest: Option<u64>,
        known_cluster: bool,
    ) -> Prepared {
        Prepared {
            text: Some(PreparedText {
                digest,
                shingles: Variant { digest, cut }.stored_with(&band_keys),
                band_keys,
            }),
            cut,
            known_cluster,
            headline_digest,
        }
    }
}

/// The seeded MinHasher of an index with these parameters: every machine computing hashes for
/// one index must use the same.
pub fn index_hasher(params: &Params) -> MinHasher {
    MinHasher::new(
        params.bands.max(1) * params.rows.max(1),
        0x006e_6561_7264_7570,
    )
}

/// The LSH band keys of a shingle set: its MinHash signature cut in `params.bands` bands.
pub fn band_keys_of(params: &Params, hasher: &MinHasher, shingles: &[u32]) -> Vec<u32> {
    hasher
        .signature(shingles)
        .chunks(params.rows.max(1))
        .enumerate()
        .map(|(band, values)| band_key(band, values))
        .collect()
}

/// Digest of a matching text: equal digests are exact copies.
pub fn text_digest(matching_text: &str) -> u64 {
    vigie_core::stable_hash(&[matching_text.as_bytes()])
}

/// Digest of an article's matching headline when it is long enough to be matched (see
/// [`Entry::headline`]).
pub fn headline_digest(params: &Params, matching_headline: &str) -> Option<u64> {
    (words(matching_headline).len() >= params.min_words).then(|| text_digest(matching_headline))
}

/// The streaming near-duplicate index. Items must be added in non-decreasing time order.
pub struct Index {
    params: Params,
    hasher: MinHasher,
    generations: [Generation; 2],
    memory: Memory,
    sets: UnionFind,
    /// Lowest verified similarity inside each set, kept at the set's root.
    weakest: HashMap<u32, f64>,
    /// Items of clusters found by an earlier pass (see [`Entry::known_cluster`]).
    known: std::collections::HashSet<u32>,
    /// Pair mode (see [`Index::with_pairs`]): similarities are looked up, items store their
    /// variant and band keys instead of shingles.
    pairs: Option<SimilarPairs>,
}

impl Index {
    pub fn new(params: Params) -> Index {
        let hasher = index_hasher(&params);
        Index {
            params,
            hasher,
            generations: [Generation::default(), Generation::default()],
            memory: Memory::default(),
            sets: UnionFind::default(),
            weakest: HashMap::new(),
            known: std::collections::HashSet::new(),
            pairs: None,
        }
    }

    /// An index that takes its similarities from `pairs` instead of computing them from
    /// shingles: the bucket join and verification ran elsewhere (a DataFusion plan), and this
    /// index only replays the streaming rules (window, bucket caps, cluster memory, exact
    /// copies) on band keys. Its items come from [`Prepared::from_keys`].
    pub fn with_pairs(params: Params, pairs: SimilarPairs) -> Index {
        let mut index = Index::new(params);
        index.pairs = Some(pairs);
        index
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Adds an item published at `ts` (seconds) with text `matching_text`; returns its number, or
    /// `None` when the text is too short to index. Calls `on_join` for each verified match.
    pub fn add(&mut self, ts: i64, matching_text: &str, on_join: impl FnMut(Join)) -> Option<u32> {
        self.add_entry(
            ts,
            Entry {
                text: matching_text,
                ..Entry::default()
            },
            on_join,
        )
    }

    /// [`Index::add`] with what else is known of the item.
    pub fn add_entry(
        &mut self,
        ts: i64,
        entry: Entry<'_>,
        on_join: impl FnMut(Join),
    ) -> Option<u32> {
        let prepared = self.preparer().prepare(&entry);
        self.add_prepared(ts, &prepared, on_join)
    }

    /// What computes an item's hashes for this index, away from it (see [`Preparer`]).
    pub fn preparer(&self) -> Preparer {
        Preparer {
            params: self.params.clone(),
            hasher: self.hasher.clone(),
        }
    }

    /// Adds an item whose hashes were computed by this index's [`Preparer`]: same result as
    /// [`Index::add_entry`] on the entry it was prepared from.
    pub fn add_prepared(
        &mut self,
        ts: i64,
        item: &Prepared,
        mut on_join: impl FnMut(Join),
    ) -> Option<u32> {
        let text = item.text.as_ref()?;
        let id = self.add_text(ts, text, item.cut, &mut on_join);
        if item.known_cluster {
            self.known.insert(id);
        }
        if let Some(digest) = item.headline_digest {
            self.generations[1].exact.entry(digest).or_insert(id);
        }
        Some(id)
    }

    fn add_text(
        &mut self,
        ts: i64,
        text: &PreparedText,
        cut: bool,
        on_join: &mut impl FnMut(Join),
    ) -> u32 {
        let digest = text.digest;
        let id = self.sets.len() as u32;
        self.roll(ts, id);
        self.sets.push();
        for g in [1, 0] {
            let Some(&first) = self.generations[g].exact.get(&digest) else {
                continue;
            };
            let first_ts = self.generations[g].get(first).map(|(t, _, _)| t);
            if first_ts.is_some_and(|t| (ts - t).abs() <= self.params.window_seconds) {
                self.generations[1].push(ts, &[], cut);
                self.join(id, first, 1.0);
                on_join(Join {
                    item: id,
                    matched: first,
                    similarity: 1.0,
                });
                return id;
            }
        }
        if let Some(&rep) = self.memory.exact.get(&digest) {
            let rep_ts = self.memory.items.get(&rep).map(|(t, _, _)| *t);
            if rep_ts.is_some_and(|t| (ts - t).abs() <= self.params.cluster_memory_seconds) {
                self.generations[1].push(ts, &[], cut);
                self.join(id, rep, 1.0);
                on_join(Join {
                    item: id,
                    matched: rep,
                    similarity: 1.0,
                });
                return id;
            }
        }
        self.generations[1].exact.insert(digest, id);
        let shingles = &text.shingles;
        let mut candidates = Vec::with_capacity(self.params.max_probe);
        let mut matches: Vec<(u32, f64)> = Vec::new();
        for &key in &text.band_keys {
            for g in 0..2 {
                self.generations[g]
                    .buckets
                    .candidates_into(key, &mut candidates);
                for &c in &candidates {
                    let Some((other_ts, other, other_cut)) = self.generations[g].get(c) else {
                        continue;
                    };
                    if (ts - other_ts).abs() <= self.params.window_seconds {
                        if let Some(sim) = self.similar((shingles, cut), (other, other_cut)) {
                            matches.push((c, sim));
                        }
                    }
                }
            }
            self.memory.buckets.candidates_into(key, &mut candidates);
            for &c in &candidates {
                let Some((other_ts, other, other_cut)) = self.memory.items.get(&c) else {
                    continue;
                };
                if (ts - other_ts).abs() <= self.params.cluster_memory_seconds {
                    if let Some(sim) = self.similar((shingles, cut), (other, *other_cut)) {
                        matches.push((c, sim));
                    }
                }
            }
            self.generations[1]
                .buckets
                .insert(key, id, self.params.max_probe);
        }
        for (c, sim) in matches {
            if self.sets.find(c) == self.sets.find(id) {
                continue;
            }
            self.join(id, c, sim);
            on_join(Join {
                item: id,
                matched: c,
                similarity: sim,
            });
        }
        self.generations[1].push(ts, shingles, cut);
        id
    }

    /// The verified similarity of two stored items, when they are copies: computed from their
    /// shingles, or looked up among the pairs an engine verified.
    fn similar(&self, (a, a_cut): (&[u32], bool), (b, b_cut): (&[u32], bool)) -> Option<f64> {
        match &self.pairs {
            None => verified_similarity(&self.params, (a, a_cut), (b, b_cut)),
            Some(pairs) => {
                let (va, vb) = (Variant::stored(a)?, Variant::stored(b)?);
                if va == vb {
                    // The same text: what any shingle set gives against itself.
                    return verified_similarity(&self.params, (&[0], a_cut), (&[0], b_cut));
                }
                pairs.get(va, vb)
            }
        }
    }

    /// Keeps one representative (its latest distinct text) of each cluster of `old`.
    fn remember(&mut self, old: &Generation) {
        let mut latest: std::collections::BTreeMap<u32, (u32, u64)> = Default::default();
        for (&digest, &item) in &old.exact {
            if self.sets.size_of(item) < 2 && !self.known.contains(&item) {
                continue;
            }
            let root = self.sets.find(item);
            let e = latest.entry(root).or_insert((item, digest));
            if item > e.0 {
                *e = (item, digest);
            }
        }
        for (root, (item, digest)) in latest {
            if !self.memory.roots.insert(root) {
                continue;
            }
            let Some((ts, stored, cut)) = old.get(item) else {
                continue;
            };
            let keys = match self.pairs {
                None => band_keys_of(&self.params, &self.hasher, stored),
                Some(_) => stored.get(3..).unwrap_or_default().to_vec(),
            };
            for key in keys {
                self.memory.buckets.insert(key, item, self.params.max_probe);
            }
            self.memory.items.insert(item, (ts, stored.into(), cut));
            self.memory.exact.insert(digest, item);
        }
    }

    /// Starts a new generation (its first item will be `next_item`) when the current one spans
    /// half a window; the oldest leaves its clusters' representatives and is dropped.
    fn roll(&mut self, ts: i64, next_item: u32) {
        let half = (self.params.window_seconds / 2).max(1);
        if self.generations[1].is_empty() && self.generations[0].is_empty() {
            self.generations[1] = Generation::starting(ts, next_item);
            return;
        }
        let age = ts - self.generations[1].start;
        let full = self.generations[1].times.len() >= (self.params.max_window_items / 2).max(1);
        if age >= half || full {
            let current = std::mem::replace(
                &mut self.generations[1],
                Generation::starting(ts, next_item),
            );
            let oldest = std::mem::take(&mut self.generations[0]);
            self.remember(&oldest);
            // After a gap longer than the window, the current generation is too old to keep.
            self.generations[0] = if age >= 2 * half {
                self.remember(&current);
                Generation::default()
            } else {
                current
            };
        }
    }

    fn join(&mut self, a: u32, b: u32, sim: f64) {
        let (ra, rb) = (self.sets.find(a), self.sets.find(b));
        let wa = self.weakest.remove(&ra).unwrap_or(1.0);
        let wb = self.weakest.remove(&rb).unwrap_or(1.0);
        let root = self.sets.union(a, b);
        self.weakest.insert(root, wa.min(wb).min(sim));
    }

    /// The set an item belongs to (its root).
    pub fn cluster_of(&mut self, item: u32) -> u32 {
        self.sets.find(item)
    }

    /// Number of items in the set of `item`.
    pub fn cluster_size(&mut self, item: u32) -> u32 {
        self.sets.size_of(item)
    }

    /// Makes room for `n` more items at once.
    pub fn reserve(&mut self, n: usize) {
        self.sets.parent.reserve_exact(n);
        self.sets.size.reserve_exact(n);
    }

    /// Lowest verified similarity inside the cluster rooted at `root` (1.0 for exact copies).
    pub fn weakest_link(&self, root: u32) -> f64 {
        self.weakest.get(&root).copied().unwrap_or(1.0)
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

fn band_key(band: usize, values: &[u32]) -> u32 {
    // One part: the band number then the row values, as bytes; on the stack for usual row counts.
    let mut stack = [0u8; 128];
    let mut heap = Vec::new();
    let used = 4 + values.len() * 4;
    let bytes: &mut [u8] = if used <= stack.len() {
        &mut stack[..used]
    } else {
        heap.resize(used, 0);
        &mut heap
    };
    bytes[..4].copy_from_slice(&(band as u32).to_le_bytes());
    for (slot, v) in bytes[4..].chunks_exact_mut(4).zip(values) {
        slot.copy_from_slice(&v.to_le_bytes());
    }
    let h = vigie_core::stable_hash(&[bytes]);
    (h ^ (h >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn set(range: std::ops::Range<u32>) -> Vec<u32> {
        range
            .map(|x| x.wrapping_mul(2_654_435_761))
            .collect::<Vec<_>>()
    }

    fn sorted(mut v: Vec<u32>) -> Vec<u32> {
        v.sort_unstable();
        v
    }

    #[test]
    fn similarity_measures() {
        let a = sorted(set(0..100));
        let b = sorted(set(50..150));
        assert!((jaccard(&a, &b) - 50.0 / 150.0).abs() < 1e-9);
        let half = sorted(set(0..50));
        assert!((containment(&half, &a) - 1.0).abs() < 1e-9);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }

    #[test]
    fn shingles_ignore_order_of_computation_and_cap_long_texts() {
        let w = words("a b c d e f");
        assert_eq!(shingles(&w, 2, 400).len(), 5);
        assert_eq!(shingles(&w, 2, 3).len(), 3);
        assert_eq!(shingles(&words("one"), 2, 10).len(), 1);
        assert_eq!(shingles(&w, 2, 400), shingles(&w, 2, 400));
    }

    #[test]
    fn minhash_estimates_jaccard() {
        let h = MinHasher::new(256, 7);
        for (lo, hi, expected) in [
            (0u32, 200u32, 1.0),
            (50, 250, 150.0 / 250.0),
            (100, 300, 100.0 / 300.0),
        ] {
            let a = sorted(set(0..200));
            let b = sorted(set(lo..hi));
            let est = estimated_jaccard(&h.signature(&a), &h.signature(&b));
            assert!(
                (est - expected).abs() < 0.08,
                "estimate {est} for true {expected}"
            );
        }
    }

    /// The LSH S-curve: how often a pair of given Jaccard similarity shares a bucket.
    fn candidate_rate(jac_target: f64, trials: u32) -> f64 {
        let p = Params::default();
        let h = MinHasher::new(p.bands * p.rows, 11);
        let mut hits = 0;
        for t in 0..trials {
            // Two sets of 60 shingles sharing `shared` of them: J = shared / (120 - shared).
            let shared = ((120.0 * jac_target) / (1.0 + jac_target)).round() as u32;
            let base = t * 1_000;
            let a = sorted(set(base..base + 60));
            let b = sorted(set(base + 60 - shared..base + 120 - shared));
            let (sa, sb) = (h.signature(&a), h.signature(&b));
            let hit = sa
                .chunks(p.rows)
                .zip(sb.chunks(p.rows))
                .any(|(x, y)| x == y);
            hits += u32::from(hit);
        }
        f64::from(hits) / f64::from(trials)
    }

    #[test]
    fn lsh_catches_similar_pairs_and_rarely_dissimilar_ones() {
        assert!(candidate_rate(0.8, 300) > 0.99);
        assert!(candidate_rate(0.6, 300) > 0.95);
        assert!(candidate_rate(0.1, 300) < 0.05);
    }

    fn clusters(texts: &[(i64, &str)], params: Params) -> Vec<Vec<usize>> {
        let mut index = Index::new(params);
        let ids: Vec<Option<u32>> = texts
            .iter()
            .map(|(ts, t)| index.add(*ts, t, |_| {}))
            .collect();
        let mut groups: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                groups.entry(index.cluster_of(*id)).or_default().push(i);
            }
        }
        let mut out: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
        out.sort();
        out
    }

    const CLAIM: &str = "les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain dans toute la france selon le ministere";

    #[test]
    fn rewordings_join_and_unrelated_texts_do_not() {
        let texts = [
            (0, CLAIM),
            (60, "urgent les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain dans toute la france selon le ministere partagez"),
            (120, "les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain dans toute la france"),
            (180, "le marche de noel ouvrira ses portes samedi prochain sur la place centrale de la ville"),
            (240, "les bureaux de poste fermeront a 18h en semaine et resteront ouverts le samedi matin"),
        ];
        assert_eq!(clusters(&texts, Params::default()), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_quoted_sentence_does_not_bridge_two_articles() {
        let sentence =
            "les sanctions ruinent nos agriculteurs et bruxelles s en moque selon nos sources";
        let a = format!("{sentence} un long article sur la politique agricole de la commission europeenne et ses effets sur les prix du lait et du ble dans les regions");
        let b = format!("{sentence} une autre histoire sans rapport avec la premiere qui parle de sport de football de tennis et des jeux olympiques de paris cet ete");
        let texts = [(0, a.as_str()), (60, sentence), (120, b.as_str())];
        assert!(clusters(&texts, Params::default()).is_empty());
    }

    /// Clusters of `(ts, text, cut, headline)` entries.
    fn entry_clusters(entries: &[(i64, &str, bool, Option<&str>)]) -> Vec<Vec<usize>> {
        let mut index = Index::new(Params::default());
        let ids: Vec<Option<u32>> = entries
            .iter()
            .map(|&(ts, text, cut, headline)| {
                let entry = Entry {
                    text,
                    cut,
                    headline,
                    known_cluster: false,
                };
                index.add_entry(ts, entry, |_| {})
            })
            .collect();
        let mut groups: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                groups.entry(index.cluster_of(*id)).or_default().push(i);
            }
        }
        groups.into_values().filter(|g| g.len() > 1).collect()
    }

    #[test]
    fn a_whole_first_half_is_not_a_copy_but_a_cut_one_is() {
        // The talking point alone, then a channel post built on it with as much again: the
        // short one is whole (a bot's post of the point), so the two stay apart...
        let point = "nos impots financent le trafic d armes de kiev sur le marche noir";
        let post = format!("{point} selon des sources proches du dossier la commission le savait");
        assert!(entry_clusters(&[(0, &post, false, None), (60, point, false, None)]).is_empty());
        // ...but the same first half cut by a platform ("…") is a truncated copy.
        assert_eq!(
            entry_clusters(&[(0, &post, false, None), (60, point, true, None)]),
            vec![vec![0, 1]]
        );
    }

    #[test]
    fn a_post_of_an_article_headline_joins_the_article() {
        let title = "la commission savait tout du trafic d armes selon un rapport";
        let body = format!("{title} {CLAIM} et bien d autres choses encore sur la politique europeenne de defense et ses budgets");
        let entries = [
            (0, body.as_str(), false, Some(title)),
            (300, title, false, None),
            (
                400,
                "la commission ne savait rien du trafic d armes selon un rapport",
                false,
                None,
            ),
        ];
        assert_eq!(entry_clusters(&entries), vec![vec![0, 1]]);
        // Without the headline, the post is far too short to be the article's copy.
        let no_headline = [(0, body.as_str(), false, None), (300, title, false, None)];
        assert!(entry_clusters(&no_headline).is_empty());
    }

    #[test]
    fn input_order_does_not_change_the_partition() {
        let texts = [
            (0, CLAIM),
            (0, "urgent les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain dans toute la france selon le ministere"),
            (0, "le marche de noel ouvrira ses portes samedi prochain sur la place centrale de la ville"),
            (0, "le marche de noel ouvrira ses portes samedi prochain sur la place centrale"),
        ];
        let forward = clusters(&texts, Params::default());
        let mut reversed: Vec<(i64, &str)> = texts.to_vec();
        reversed.reverse();
        let backward: Vec<Vec<usize>> = {
            let mut c: Vec<Vec<usize>> = clusters(&reversed, Params::default())
                .into_iter()
                .map(|g| {
                    let mut g: Vec<usize> = g.into_iter().map(|i| texts.len() - 1 - i).collect();
                    g.sort();
                    g
                })
                .collect();
            c.sort();
            c
        };
        assert_eq!(forward, backward);
        assert_eq!(forward, vec![vec![0, 1], vec![2, 3]]);
    }

    #[test]
    fn copies_further_apart_than_the_window_stay_apart() {
        let day = 86_400;
        let params = Params {
            window_seconds: 2 * day,
            ..Params::default()
        };
        let texts = [(0, CLAIM), (30 * day, CLAIM), (30 * day + 60, CLAIM)];
        assert_eq!(clusters(&texts, params), vec![vec![1, 2]]);
    }

    #[test]
    fn a_cluster_outlives_the_window_through_its_representative() {
        let day = 86_400;
        let params = Params {
            window_seconds: 2 * day,
            cluster_memory_seconds: 60 * day,
            ..Params::default()
        };
        let reworded = "urgent les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain dans toute la france selon le ministere";
        // A cluster (0, 1), then copies long after the window: they join it; a lone old text
        // (2) expires with its generation.
        let lone = "le marche de noel ouvrira ses portes samedi prochain sur la place centrale de la ville";
        let texts = [
            (0, CLAIM),
            (60, reworded),
            (120, lone),
            (20 * day, CLAIM),
            (40 * day, reworded),
            (40 * day + 5, lone),
        ];
        assert_eq!(clusters(&texts, params), vec![vec![0, 1, 3, 4]]);
    }

    #[test]
    fn exact_copies_join_without_being_stored_twice() {
        let mut index = Index::new(Params::default());
        let mut joins = Vec::new();
        let a = index.add(0, CLAIM, |j| joins.push(j)).unwrap();
        let b = index.add(5, CLAIM, |j| joins.push(j)).unwrap();
        assert_eq!(index.cluster_of(a), index.cluster_of(b));
        assert_eq!(
            joins,
            vec![Join {
                item: b,
                matched: a,
                similarity: 1.0
            }]
        );
        assert_eq!(
            index.generations[1].pool.len(),
            shingles(&words(CLAIM), 2, 400).len()
        );
        let root = index.cluster_of(a);
        assert_eq!(index.weakest_link(root), 1.0);
    }

    #[test]
    fn the_window_also_closes_on_volume() {
        let params = Params {
            max_window_items: 4,
            cluster_memory_seconds: 0,
            ..Params::default()
        };
        let lone = "le marche de noel ouvrira ses portes samedi prochain sur la place centrale de la ville";
        // Same minute, but five other items in between push the first out of the window.
        let mut texts = vec![(0, CLAIM)];
        let fillers: Vec<String> = (0..5)
            .map(|i| {
                format!(
                    "{lone} numero {i} avec des mots differents {}",
                    "x".repeat(i + 1)
                )
            })
            .collect();
        texts.extend(fillers.iter().map(|f| (1, f.as_str())));
        texts.push((2, CLAIM));
        assert!(clusters(&texts, params).iter().all(|c| !c.contains(&0)));
    }

    #[test]
    fn short_texts_are_not_indexed() {
        let mut index = Index::new(Params::default());
        assert!(index.add(0, "vote dimanche", |_| {}).is_none());
        assert!(index.add(0, CLAIM, |_| {}).is_some());
    }

    #[test]
    fn items_hashed_apart_join_exactly_as_texts_do() {
        // Exact copies, a reworded copy, a headline relay, a cut copy and unrelated texts: the
        // hashes and pairs computed apart with the public functions (as the engine's plans do)
        // must give the same joins, in the same order, with the same similarities, as the
        // texts added directly.
        let title = "la commission savait tout du trafic d armes selon un rapport";
        let body = format!("{title} {CLAIM} et bien d autres choses encore sur la defense");
        let reworded = CLAIM.replace("dimanche prochain", "samedi prochain");
        let cut = CLAIM
            .split_whitespace()
            .take(14)
            .collect::<Vec<_>>()
            .join(" ");
        let unrelated = "un texte sans aucun rapport avec le reste de la conversation";
        let entries: Vec<(i64, &str, bool, Option<&str>)> = vec![
            (0, CLAIM, false, None),
            (10, body.as_str(), false, Some(title)),
            (20, CLAIM, false, None),
            (30, title, false, None),
            (40, reworded.as_str(), false, None),
            (50, unrelated, false, None),
            (60, cut.as_str(), true, None),
            (70, "trop court", false, None),
        ];
        let params = Params::default();
        let mut direct = Index::new(params.clone());
        let all: Vec<(String, bool)> = entries.iter().map(|e| (e.1.to_owned(), e.2)).collect();
        let mut apart = Index::with_pairs(params.clone(), brute_force_pairs(&params, &all));
        let hasher = index_hasher(&params);
        let (mut joins_direct, mut joins_apart) = (Vec::new(), Vec::new());
        for &(ts, text, cut, headline) in &entries {
            let entry = Entry {
                text,
                cut,
                headline,
                known_cluster: false,
            };
            let a = direct.add_entry(ts, entry, |j| joins_direct.push(j));
            let w = words(text);
            let b = if w.len() < params.min_words {
                None
            } else {
                let sh = shingles(&w, params.shingle_words, params.max_shingles);
                let keys = band_keys_of(&params, &hasher, &sh);
                let item = Prepared::from_keys(
                    text_digest(text),
                    keys,
                    cut,
                    headline.and_then(|h| headline_digest(&params, h)),
                    false,
                );
                apart.add_prepared(ts, &item, |j| joins_apart.push(j))
            };
            assert_eq!(a, b, "{text}");
        }
        assert!(joins_direct.len() >= 3, "{joins_direct:?}");
        assert_eq!(joins_direct, joins_apart);
    }

    /// Every similar pair of distinct texts sharing a band key: what the engine's pair plan
    /// computes (here without its time bound, a larger superset).
    fn brute_force_pairs(params: &Params, texts: &[(String, bool)]) -> SimilarPairs {
        let hasher = index_hasher(params);
        let mut distinct: BTreeMap<Variant, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
        for (text, cut) in texts {
            let w = words(text);
            if w.len() < params.min_words {
                continue;
            }
            let sh = shingles(&w, params.shingle_words, params.max_shingles);
            let keys = band_keys_of(params, &hasher, &sh);
            let v = Variant {
                digest: text_digest(text),
                cut: *cut,
            };
            distinct.insert(v, (sh, keys));
        }
        let mut pairs = SimilarPairs::default();
        let all: Vec<_> = distinct.iter().collect();
        for (i, (va, (sa, ka))) in all.iter().enumerate() {
            for (vb, (sb, kb)) in &all[i + 1..] {
                if !ka.iter().any(|k| kb.contains(k)) {
                    continue;
                }
                if let Some(sim) = verified_similarity(params, (sa, va.cut), (sb, vb.cut)) {
                    pairs.insert(**va, **vb, sim);
                }
            }
        }
        pairs
    }

    #[test]
    fn pair_mode_joins_exactly_as_shingles_do() {
        // Families of rewordings, exact copies, cut copies and unrelated texts over a long
        // time, with a small window, tiny buckets and a short cluster memory: windows roll,
        // buckets overflow, representatives are remembered and expire. Looking similarities up
        // among the brute-force pairs must give the same joins as computing them.
        let params = Params {
            window_seconds: 40,
            cluster_memory_seconds: 300,
            max_probe: 2,
            max_window_items: 12,
            ..Params::default()
        };
        let words_of_claim: Vec<&str> = CLAIM.split_whitespace().collect();
        let mut texts: Vec<(String, bool)> = Vec::new();
        for i in 0..160usize {
            let family = (i * 7) % 5;
            let text = match i % 6 {
                // An unrelated text.
                5 => format!("message numero {i} sans rapport avec rien de ce qui precede ici"),
                // A cut copy: the start of the family's text.
                4 => words_of_claim[..14].join(" "),
                _ => {
                    // The claim with one family word and one varying word replaced.
                    let mut w: Vec<String> = words_of_claim.iter().map(|s| s.to_string()).collect();
                    w[family + 1] = format!("famille{family}");
                    w[(i % 9) + 8] = format!("mot{}", i % 4);
                    w.join(" ")
                }
            };
            texts.push((text, i % 6 == 4));
        }
        let pairs = brute_force_pairs(&params, &texts);
        assert!(!pairs.is_empty());
        let mut direct = Index::new(params.clone());
        let mut paired = Index::with_pairs(params.clone(), pairs);
        let hasher = index_hasher(&params);
        let (mut joins_direct, mut joins_paired) = (Vec::new(), Vec::new());
        for (i, (text, cut)) in texts.iter().enumerate() {
            let ts = (i as i64) * 7;
            let entry = Entry {
                text,
                cut: *cut,
                ..Entry::default()
            };
            let a = direct.add_entry(ts, entry, |j| joins_direct.push(j));
            let w = words(text);
            let b = if w.len() < params.min_words {
                None
            } else {
                let sh = shingles(&w, params.shingle_words, params.max_shingles);
                let keys = band_keys_of(&params, &hasher, &sh);
                let item = Prepared::from_keys(text_digest(text), keys, *cut, None, false);
                paired.add_prepared(ts, &item, |j| joins_paired.push(j))
            };
            assert_eq!(a, b, "{text}");
        }
        assert!(joins_direct.len() > 50, "{}", joins_direct.len());
        assert!(
            !direct.memory.items.is_empty(),
            "no representative was remembered"
        );
        assert_eq!(joins_direct, joins_paired);
        // A pair left out of the table is not joined: the lookup is what decides.
        let mut lonely = Index::with_pairs(params.clone(), SimilarPairs::default());
        let mut joined = 0;
        for (i, (text, cut)) in texts.iter().take(30).enumerate() {
            let w = words(text);
            let sh = shingles(&w, params.shingle_words, params.max_shingles);
            let keys = band_keys_of(&params, &hasher, &sh);
            let item = Prepared::from_keys(text_digest(text), keys, *cut, None, false);
            lonely.add_prepared(i as i64, &item, |j| {
                if j.similarity < 1.0 {
                    joined += 1
                }
            });
        }
        assert_eq!(joined, 0);
    }
}
