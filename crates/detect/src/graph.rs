//! Graph utilities shared by detectors: weighted undirected graphs, seeded Louvain communities,
//! modularity, and the Poisson tail used to test edges against chance.

use std::collections::{BTreeMap, HashMap};

/// An undirected weighted graph on nodes `0..n`, in compressed adjacency form.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
    /// Weighted degree of each node (a self-loop counts twice).
    strength: Vec<f64>,
    /// Sum of all edge weights (each undirected edge once).
    total: f64,
}

impl Graph {
    /// Builds the graph from undirected edges; parallel edges add up, self-loops are kept.
    pub fn from_edges(n: usize, edges: &[(u32, u32, f64)]) -> Graph {
        let mut merged: BTreeMap<(u32, u32), f64> = BTreeMap::new();
        for &(a, b, w) in edges {
            let key = if a <= b { (a, b) } else { (b, a) };
            *merged.entry(key).or_default() += w;
        }
        let mut adjacency: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        let mut total = 0.0;
        for (&(a, b), &w) in &merged {
            total += w;
            adjacency[a as usize].push((b, w));
            if a != b {
                adjacency[b as usize].push((a, w));
            }
        }
        let mut g = Graph {
            offsets: Vec::with_capacity(n + 1),
            targets: Vec::new(),
            weights: Vec::new(),
            strength: vec![0.0; n],
            total,
        };
        g.offsets.push(0);
        for (node, list) in adjacency.into_iter().enumerate() {
            for (t, w) in list {
                g.strength[node] += if t as usize == node { 2.0 * w } else { w };
                g.targets.push(t);
                g.weights.push(w);
            }
            g.offsets.push(g.targets.len());
        }
        g
    }

    pub fn len(&self) -> usize {
        self.strength.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strength.is_empty()
    }

    fn neighbours(&self, node: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.offsets[node]..self.offsets[node + 1];
        self.targets[range.clone()]
            .iter()
            .zip(&self.weights[range])
            .map(|(&t, &w)| (t as usize, w))
    }

    /// Newman's modularity of a partition (`community[node]`).
    pub fn modularity(&self, community: &[u32]) -> f64 {
        if self.total == 0.0 {
            return 0.0;
        }
        let m2 = 2.0 * self.total;
        let mut inside: HashMap<u32, f64> = HashMap::new();
        let mut degree: HashMap<u32, f64> = HashMap::new();
        for node in 0..self.len() {
            let c = community[node];
            *degree.entry(c).or_default() += self.strength[node];
            for (t, w) in self.neighbours(node) {
                if community[t] == c {
                    // Each internal edge is seen from both ends; a self-loop once but counts 2w.
                    *inside.entry(c).or_default() += if t == node { 2.0 * w } else { w };
                }
            }
        }
        degree
            .iter()
            .map(|(c, d)| inside.get(c).copied().unwrap_or(0.0) / m2 - (d / m2).powi(2))
            .sum()
    }
}

/// Louvain communities (Blondel et al. 2008): local moves, then aggregation, until modularity
/// stops improving. Nodes are visited in a seeded pseudo-random order, so the same graph and
/// seed always give the same partition. Communities are numbered from 0 by their smallest node.
pub fn louvain(graph: &Graph, seed: u64) -> Vec<u32> {
    let n = graph.len();
    let mut membership: Vec<u32> = (0..n as u32).collect();
    let mut level = graph.clone();
    let mut rng = SplitMix(seed);
    for _ in 0..32 {
        let (local, improved) = one_level(&level, &mut rng);
        if !improved {
            break;
        }
        let (renumbered, count) = renumber(&local);
        for m in membership.iter_mut() {
            *m = renumbered[*m as usize];
        }
        let mut edges = Vec::with_capacity(level.targets.len());
        for node in 0..level.len() {
            for (t, w) in level.neighbours(node) {
                if node <= t {
                    edges.push((renumbered[node], renumbered[t], w));
                }
            }
        }
        level = Graph::from_edges(count, &edges);
    }
    renumber(&membership).0
}

/// Moves nodes between neighbouring communities while modularity increases.
fn one_level(g: &Graph, rng: &mut SplitMix) -> (Vec<u32>, bool) {
    let n = g.len();
    let mut community: Vec<u32> = (0..n as u32).collect();
    if g.total == 0.0 {
        return (community, false);
    }
    let m2 = 2.0 * g.total;
    let mut tot: Vec<f64> = g.strength.clone();
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut improved = false;
    let mut links: HashMap<u32, f64> = HashMap::new();
    for _ in 0..100 {
        let mut moved = 0usize;
        for &node in &order {
            let own = community[node];
            let k = g.strength[node];
            links.clear();
            for (t, w) in g.neighbours(node) {
                if t != node {
                    *links.entry(community[t]).or_default() += w;
                }
            }
            tot[own as usize] -= k;
            let gain = |c: u32, k_in: f64| k_in - tot[c as usize] * k / m2;
            let mut best = own;
            let mut best_gain = gain(own, links.get(&own).copied().unwrap_or(0.0));
            // Candidates in a fixed order, ties to the smaller community id.
            let mut candidates: Vec<(u32, f64)> = links.iter().map(|(&c, &w)| (c, w)).collect();
            candidates.sort_unstable_by_key(|&(c, _)| c);
            for (c, k_in) in candidates {
                let g_c = gain(c, k_in);
                if g_c > best_gain + 1e-12 {
                    best = c;
                    best_gain = g_c;
                }
            }
            tot[best as usize] += k;
            if best != own {
                community[node] = best;
                moved += 1;
                improved = true;
            }
        }
        if moved == 0 {
            break;
        }
    }
    (community, improved)
}

/// Renumbers labels 0.. in order of first appearance; returns the map and the count.
fn renumber(labels: &[u32]) -> (Vec<u32>, usize) {
    let mut map: HashMap<u32, u32> = HashMap::new();
    let out = labels
        .iter()
        .map(|l| {
            let next = map.len() as u32;
            *map.entry(*l).or_insert(next)
        })
        .collect();
    (out, map.len())
}

/// A tiny seeded generator (SplitMix64) for visit orders: no dependency for a shuffle.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// P(X ≥ k) for X ~ Poisson(λ): the chance of seeing at least `k` events when `lambda` are
/// expected. Summed in log space, exact enough for the small tails edges are tested at.
pub fn poisson_tail(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // P(X ≥ k) = 1 - P(X ≤ k-1); for tails far below the mean, sum the tail terms directly.
    if (k as f64) > lambda {
        let mut log_term = -lambda + k as f64 * lambda.ln() - ln_factorial(k);
        let mut sum = 0.0;
        let mut i = k;
        loop {
            let term = log_term.exp();
            sum += term;
            if term < sum * 1e-16 || i > k + 10_000 {
                break;
            }
            i += 1;
            log_term += lambda.ln() - (i as f64).ln();
        }
        sum.min(1.0)
    } else {
        let mut log_term = -lambda;
        let mut below = 0.0;
        for i in 0..k {
            if i > 0 {
                log_term += lambda.ln() - (i as f64).ln();
            }
            below += log_term.exp();
        }
        (1.0 - below).clamp(0.0, 1.0)
    }
}

fn ln_factorial(k: u64) -> f64 {
    (2..=k).map(|i| (i as f64).ln()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zachary's karate club (78 edges), nodes 0-33.
    #[rustfmt::skip]
    const KARATE: [(u32, u32); 78] = [
        (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11),
        (0, 12), (0, 13), (0, 17), (0, 19), (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13),
        (1, 17), (1, 19), (1, 21), (1, 30), (2, 3), (2, 7), (2, 8), (2, 9), (2, 13), (2, 27),
        (2, 28), (2, 32), (3, 7), (3, 12), (3, 13), (4, 6), (4, 10), (5, 6), (5, 10), (5, 16),
        (6, 16), (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32),
        (15, 33), (18, 32), (18, 33), (19, 33), (20, 32), (20, 33), (22, 32), (22, 33),
        (23, 25), (23, 27), (23, 29), (23, 32), (23, 33), (24, 25), (24, 27), (24, 31),
        (25, 31), (26, 29), (26, 33), (27, 33), (28, 31), (28, 33), (29, 32), (29, 33),
        (30, 32), (30, 33), (31, 32), (31, 33), (32, 33),
    ];

    fn karate() -> Graph {
        let edges: Vec<(u32, u32, f64)> = KARATE.iter().map(|&(a, b)| (a, b, 1.0)).collect();
        Graph::from_edges(34, &edges)
    }

    #[test]
    fn louvain_finds_the_karate_club_communities() {
        let g = karate();
        let parts = louvain(&g, 42);
        let q = g.modularity(&parts);
        // The best known partition has Q ≈ 0.4198; Louvain reaches 0.41-0.42.
        assert!(q > 0.40 && q < 0.4199, "modularity {q}");
        // The two leaders (0 and 33) never end in one community.
        assert_ne!(parts[0], parts[33]);
    }

    #[test]
    fn louvain_is_deterministic_for_a_seed() {
        let g = karate();
        assert_eq!(louvain(&g, 7), louvain(&g, 7));
    }

    #[test]
    fn disconnected_cliques_are_separate_communities() {
        let mut edges = Vec::new();
        for base in [0u32, 5, 10] {
            for a in base..base + 5 {
                for b in a + 1..base + 5 {
                    edges.push((a, b, 1.0));
                }
            }
        }
        let g = Graph::from_edges(16, &edges);
        let parts = louvain(&g, 1);
        for base in [0usize, 5, 10] {
            assert!((base..base + 5).all(|i| parts[i] == parts[base]));
        }
        assert_ne!(parts[0], parts[5]);
        assert_ne!(parts[5], parts[10]);
        // Node 15 has no edge: alone.
        assert!((0..15).all(|i| parts[i] != parts[15]));
    }

    #[test]
    fn modularity_of_one_community_is_zero() {
        let g = karate();
        assert!(g.modularity(&[0; 34]).abs() < 1e-12);
    }

    #[test]
    fn poisson_tail_matches_known_values() {
        // P(X ≥ 1) = 1 - e^-λ.
        assert!((poisson_tail(1, 0.5) - (1.0 - (-0.5f64).exp())).abs() < 1e-12);
        // λ = 2: P(X ≥ 3) = 1 - e^-2 (1 + 2 + 2) = 0.3233235838.
        assert!((poisson_tail(3, 2.0) - 0.323_323_583_8).abs() < 1e-9);
        // Far tail: λ = 0.01, P(X ≥ 5) ≈ λ^5 / 5! = 8.3e-13.
        let p = poisson_tail(5, 0.01);
        assert!((p / 8.25e-13 - 1.0).abs() < 0.01, "{p}");
        assert_eq!(poisson_tail(0, 3.0), 1.0);
        assert_eq!(poisson_tail(2, 0.0), 0.0);
    }
}
