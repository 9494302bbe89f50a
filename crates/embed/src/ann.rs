//! Approximate nearest neighbours over L2-normalised vectors (cosine = dot product).
//!
//! Below `brute_force_below` vectors the search is exact. Above, a hierarchical navigable small
//! world graph (HNSW): each vector gets a random level from a seeded generator, and links to its
//! most similar, mutually diverse neighbours on each level up to its own. The graph is built in
//! batches: the items of a batch look up their candidates in parallel against the graph as it
//! stood before the batch (plus each other, exhaustively), then links are written one item after
//! another in id order. The result depends only on the data and the seed, not on the number of
//! threads.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

#[derive(Debug, Clone, Copy)]
pub struct IndexParams {
    /// Links per node on upper levels (twice as many on level 0).
    pub m: usize,
    pub ef_construction: usize,
    pub ef_search: usize,
    pub seed: u64,
    /// Exact search below this many vectors.
    pub brute_force_below: usize,
    /// Threads for building and batch queries (0 = all cores).
    pub threads: usize,
}

impl Default for IndexParams {
    fn default() -> Self {
        IndexParams {
            m: 16,
            ef_construction: 100,
            ef_search: 64,
            seed: 0x5EED_u64,
            brute_force_below: 4096,
            threads: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub id: u32,
    pub similarity: f32,
}

/// Candidate ordered by similarity, then by smaller id first, so every ordering is total.
#[derive(Clone, Copy, PartialEq)]
struct Cand(f32, u32);

impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cand {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

pub struct Index {
    dim: usize,
    vectors: Vec<f32>,
    params: IndexParams,
    /// `links[node][level]`; empty when the index is brute force.
    links: Vec<Vec<Vec<u32>>>,
    entry: u32,
    top: usize,
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight independent accumulators let the compiler vectorise the reduction.
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// splitmix64: a tiny seeded generator for the node levels.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn threads(n: usize) -> usize {
    if n == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        n
    }
}

/// Runs `f` over `0..n` on up to `threads` threads, returning results in index order.
fn par_map<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = threads.min(n).max(1);
    if workers == 1 {
        return (0..n).map(f).collect();
    }
    let per = n.div_ceil(workers);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let f = &f;
                s.spawn(move || (w * per..((w + 1) * per).min(n)).map(f).collect::<Vec<T>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

impl Index {
    /// Indexes `vectors` (`n x dim`, row-major, L2-normalised).
    pub fn build(vectors: Vec<f32>, dim: usize, params: IndexParams) -> Self {
        let n = vectors.len().checked_div(dim).unwrap_or(0);
        let mut index = Index {
            dim,
            vectors,
            params,
            links: Vec::new(),
            entry: 0,
            top: 0,
        };
        if n >= params.brute_force_below.max(2) {
            index.build_graph(n);
        }
        index
    }

    pub fn len(&self) -> usize {
        self.vectors.len().checked_div(self.dim).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn vector(&self, id: usize) -> &[f32] {
        &self.vectors[id * self.dim..(id + 1) * self.dim]
    }

    fn sim(&self, q: &[f32], id: u32) -> f32 {
        dot(q, self.vector(id as usize))
    }

    fn max_links(&self, level: usize) -> usize {
        if level == 0 {
            2 * self.params.m
        } else {
            self.params.m
        }
    }

    fn build_graph(&mut self, n: usize) {
        let m = self.params.m.max(2);
        self.params.m = m;
        let inv_log = 1.0 / (m as f64).ln();
        let mut state = self.params.seed;
        let levels: Vec<usize> = (0..n)
            .map(|_| {
                // Uniform in (0, 1]: 53 random bits, shifted off zero.
                let u = ((splitmix(&mut state) >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
                ((-u.ln() * inv_log) as usize).min(12)
            })
            .collect();
        self.links = levels.iter().map(|&l| vec![Vec::new(); l + 1]).collect();
        self.entry = 0;
        self.top = levels[0];
        let workers = threads(self.params.threads);
        let mut next = 1;
        while next < n {
            // Small batches while the graph is small, so early items still see each other
            // through the graph; then batches big enough to keep every thread busy.
            let batch = (next / 16).clamp(1, 256);
            let end = (next + batch).min(n);
            let found = par_map(end - next, workers, |k| {
                self.candidates(next + k, levels[next + k], next..end)
            });
            for (k, per_level) in found.into_iter().enumerate() {
                self.connect(next + k, per_level);
                if levels[next + k] > self.top {
                    self.top = levels[next + k];
                    self.entry = (next + k) as u32;
                }
            }
            next = end;
        }
    }

    /// Chosen neighbours of `id` on each of its levels, searched in the graph built so far plus
    /// the other items of its batch.
    fn candidates(&self, id: usize, level: usize, batch: std::ops::Range<usize>) -> Vec<Vec<u32>> {
        let q = self.vector(id);
        let mut out = vec![Vec::new(); level + 1];
        let mut ep = vec![Cand(self.sim(q, self.entry), self.entry)];
        for l in (level + 1..=self.top).rev() {
            ep = self.search_layer(q, ep, 1, l);
        }
        for l in (0..=level.min(self.top)).rev() {
            let found = self.search_layer(q, ep.clone(), self.params.ef_construction, l);
            let mut pool = found.clone();
            for other in batch.clone() {
                if other != id && self.links[other].len() > l {
                    pool.push(Cand(self.sim(q, other as u32), other as u32));
                }
            }
            out[l] = self.select(pool, self.max_links(l));
            ep = found;
        }
        // Levels above the current top only hold batch peers.
        for (l, slot) in out.iter_mut().enumerate().skip(self.top + 1) {
            let pool = batch
                .clone()
                .filter(|&o| o != id && self.links[o].len() > l)
                .map(|o| Cand(self.sim(q, o as u32), o as u32))
                .collect();
            *slot = self.select(pool, self.max_links(l));
        }
        out
    }

    /// Writes `id`'s links and the reverse links, pruning lists that overflow.
    fn connect(&mut self, id: usize, per_level: Vec<Vec<u32>>) {
        for (l, neigh) in per_level.into_iter().enumerate() {
            // A batch peer connected earlier may already have linked back to `id`.
            let mut own = std::mem::take(&mut self.links[id][l]);
            for &nb in &neigh {
                if !own.contains(&nb) {
                    own.push(nb);
                }
            }
            self.links[id][l] = own;
            self.prune(id, l);
            for &nb in &neigh {
                let nbu = nb as usize;
                let Some(list) = self.links[nbu].get_mut(l) else {
                    continue;
                };
                if !list.contains(&(id as u32)) {
                    list.push(id as u32);
                    self.prune(nbu, l);
                }
            }
        }
    }

    fn prune(&mut self, node: usize, level: usize) {
        if self.links[node][level].len() <= self.max_links(level) {
            return;
        }
        let v = self.vector(node);
        let pool = self.links[node][level]
            .iter()
            .map(|&o| Cand(dot(v, self.vector(o as usize)), o))
            .collect();
        self.links[node][level] = self.select(pool, self.max_links(level));
    }

    /// HNSW's diversity heuristic: keep a candidate only if it is closer to the query than to
    /// every neighbour already kept; top up with the closest skipped ones.
    fn select(&self, mut pool: Vec<Cand>, max: usize) -> Vec<u32> {
        pool.sort_unstable_by(|a, b| b.cmp(a));
        pool.dedup_by_key(|c| c.1);
        let mut kept: Vec<Cand> = Vec::with_capacity(max);
        let mut skipped = Vec::new();
        for c in pool {
            if kept.len() >= max {
                break;
            }
            let v = self.vector(c.1 as usize);
            if kept.iter().all(|k| dot(v, self.vector(k.1 as usize)) < c.0) {
                kept.push(c);
            } else {
                skipped.push(c);
            }
        }
        for c in skipped {
            if kept.len() >= max {
                break;
            }
            kept.push(c);
        }
        kept.into_iter().map(|c| c.1).collect()
    }

    /// Best-first search of one level from `entry`, keeping the `ef` most similar; sorted best
    /// first.
    fn search_layer(&self, q: &[f32], entry: Vec<Cand>, ef: usize, level: usize) -> Vec<Cand> {
        let ef = ef.max(1);
        let mut visited: HashSet<u32> = entry.iter().map(|c| c.1).collect();
        let mut frontier: BinaryHeap<Cand> = entry.iter().copied().collect();
        // Min-heap of the results via Reverse ordering.
        let mut best: BinaryHeap<std::cmp::Reverse<Cand>> =
            entry.into_iter().map(std::cmp::Reverse).collect();
        while best.len() > ef {
            best.pop();
        }
        while let Some(c) = frontier.pop() {
            if let Some(worst) = best.peek() {
                if best.len() >= ef && c < worst.0 {
                    break;
                }
            }
            let Some(list) = self.links[c.1 as usize].get(level) else {
                continue;
            };
            for &nb in list {
                if !visited.insert(nb) {
                    continue;
                }
                let cand = Cand(self.sim(q, nb), nb);
                let admit = best.len() < ef || best.peek().is_some_and(|w| cand > w.0);
                if admit {
                    frontier.push(cand);
                    best.push(std::cmp::Reverse(cand));
                    if best.len() > ef {
                        best.pop();
                    }
                }
            }
        }
        let mut out: Vec<Cand> = best.into_iter().map(|r| r.0).collect();
        out.sort_unstable_by(|a, b| b.cmp(a));
        out
    }

    /// The `k` most similar indexed vectors to `q`, best first (ties: smaller id first).
    pub fn search(&self, q: &[f32], k: usize) -> Vec<Neighbour> {
        if self.is_empty() || k == 0 || q.len() != self.dim {
            return Vec::new();
        }
        let found: Vec<Cand> = if self.links.is_empty() {
            let mut all: Vec<Cand> = (0..self.len() as u32)
                .map(|id| Cand(self.sim(q, id), id))
                .collect();
            all.sort_unstable_by(|a, b| b.cmp(a));
            all.truncate(k);
            all
        } else {
            let mut ep = vec![Cand(self.sim(q, self.entry), self.entry)];
            for l in (1..=self.top).rev() {
                ep = self.search_layer(q, ep, 1, l);
            }
            let mut found = self.search_layer(q, ep, self.params.ef_search.max(k), 0);
            found.truncate(k);
            found
        };
        found
            .into_iter()
            .map(|c| Neighbour {
                id: c.1,
                similarity: c.0,
            })
            .collect()
    }

    /// Each indexed vector's `k` nearest indexed vectors (itself usually first), best first.
    pub fn neighbours(&self, k: usize) -> Vec<Vec<Neighbour>> {
        par_map(self.len(), threads(self.params.threads), |i| {
            self.search(self.vector(i), k)
        })
    }

    /// Every pair `(a, b, similarity)` with `a < b` and similarity at least `threshold`, found
    /// among each vector's `k` nearest neighbours; sorted by `(a, b)`.
    pub fn pairs_above(&self, threshold: f32, k: usize) -> Vec<(u32, u32, f32)> {
        let mut pairs: Vec<(u32, u32, f32)> = self
            .neighbours(k + 1)
            .into_iter()
            .enumerate()
            .flat_map(|(i, found)| {
                found
                    .into_iter()
                    .filter(move |nb| nb.id as usize != i && nb.similarity >= threshold)
                    .map(move |nb| {
                        let (a, b) = if (nb.id as usize) < i {
                            (nb.id, i as u32)
                        } else {
                            (i as u32, nb.id)
                        };
                        (a, b, nb.similarity)
                    })
            })
            .collect();
        pairs.sort_unstable_by_key(|p| (p.0, p.1));
        pairs.dedup_by_key(|p| (p.0, p.1));
        pairs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clustered unit vectors: `centres` random directions, points scattered around each.
    fn clustered(n: usize, dim: usize, centres: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        let mut gauss = || {
            let u = ((splitmix(&mut s) >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
            let v = (splitmix(&mut s) >> 11) as f64 / (1u64 << 53) as f64;
            ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
        };
        let c: Vec<f32> = (0..centres * dim).map(|_| gauss()).collect();
        let mut out = Vec::with_capacity(n * dim);
        for i in 0..n {
            let centre = &c[(i % centres) * dim..(i % centres + 1) * dim];
            let mut v: Vec<f32> = centre.iter().map(|x| x + 0.6 * gauss()).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter_mut().for_each(|x| *x /= norm);
            out.extend(v);
        }
        out
    }

    #[test]
    fn graph_search_recalls_the_exact_neighbours() {
        let (n, dim) = (3000, 32);
        let data = clustered(n, dim, 60, 7);
        let exact = Index::build(
            data.clone(),
            dim,
            IndexParams {
                brute_force_below: usize::MAX,
                ..IndexParams::default()
            },
        );
        let graph = Index::build(
            data,
            dim,
            IndexParams {
                brute_force_below: 100,
                threads: 2,
                ..IndexParams::default()
            },
        );
        let mut hits = 0;
        let mut total = 0;
        for q in (0..n).step_by(7) {
            let truth: HashSet<u32> = exact
                .search(exact.vector(q), 10)
                .iter()
                .map(|x| x.id)
                .collect();
            let got = graph.search(graph.vector(q), 10);
            assert_eq!(
                got[0].id as usize, q,
                "a vector is its own nearest neighbour"
            );
            hits += got.iter().filter(|x| truth.contains(&x.id)).count();
            total += truth.len();
        }
        let recall = hits as f64 / total as f64;
        assert!(recall >= 0.95, "recall@10 {recall}");
    }

    #[test]
    fn build_is_deterministic_whatever_the_thread_count() {
        let data = clustered(1500, 16, 30, 3);
        let params = IndexParams {
            brute_force_below: 10,
            ..IndexParams::default()
        };
        let one = Index::build(
            data.clone(),
            16,
            IndexParams {
                threads: 1,
                ..params
            },
        );
        let two = Index::build(
            data,
            16,
            IndexParams {
                threads: 2,
                ..params
            },
        );
        assert_eq!(one.links, two.links);
        assert_eq!(one.pairs_above(0.8, 10), two.pairs_above(0.8, 10));
    }

    #[test]
    fn pairs_above_matches_exhaustive_pairs_on_small_sets() {
        let data = clustered(300, 16, 10, 11);
        let idx = Index::build(data, 16, IndexParams::default());
        let pairs = idx.pairs_above(0.7, 300);
        let mut expect = Vec::new();
        for a in 0..300u32 {
            for b in a + 1..300 {
                let s = dot(idx.vector(a as usize), idx.vector(b as usize));
                if s >= 0.7 {
                    expect.push((a, b));
                }
            }
        }
        assert!(!expect.is_empty());
        let got: Vec<(u32, u32)> = pairs.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn empty_and_mismatched_queries_return_nothing() {
        let idx = Index::build(Vec::new(), 8, IndexParams::default());
        assert!(idx.search(&[0.0; 8], 3).is_empty());
        let idx = Index::build(vec![1.0, 0.0], 2, IndexParams::default());
        assert!(idx.search(&[1.0], 3).is_empty());
        assert_eq!(idx.search(&[1.0, 0.0], 3)[0].id, 0);
    }
}
