//! `vigie eval --media`: how far perceptual hashes move under each edit, against how far apart
//! unrelated pictures are — the evidence behind `manufactured_media`'s `max_distance`.
//!
//! Procedural pictures ([`vigie_generate::images`]) are published as JPEG, edited (crop 5/10/20%,
//! resize to half, JPEG recompression at quality 30/70, caption overlay), decoded and hashed by
//! the same code as ingest ([`vigie_media`]). Unrelated pairs are all pairs of the published
//! pictures.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use vigie_generate::images::{self, EDITS};
use vigie_media::{decode, MediaHasher, MediaLimits};

/// Thresholds at which the share of pairs within reach is reported.
pub const THRESHOLDS: [u32; 6] = [8, 10, 12, 14, 16, 18];

#[derive(Debug, Clone, serde::Serialize)]
pub struct HammingRow {
    /// An edit's name, or `unrelated`.
    pub pairs_of: String,
    pub pairs: usize,
    pub min: u32,
    pub median: u32,
    pub max: u32,
    /// Threshold → share of pairs whose distance is at most it (recall for an edit, false-match
    /// rate for unrelated pairs).
    pub within: BTreeMap<u32, f64>,
}

impl HammingRow {
    fn new(pairs_of: String, mut d: Vec<u32>) -> HammingRow {
        d.sort_unstable();
        let n = d.len().max(1) as f64;
        HammingRow {
            pairs_of,
            pairs: d.len(),
            min: d.first().copied().unwrap_or(0),
            median: d.get(d.len() / 2).copied().unwrap_or(0),
            max: d.last().copied().unwrap_or(0),
            within: THRESHOLDS
                .iter()
                .map(|&t| (t, d.iter().filter(|&&x| x <= t).count() as f64 / n))
                .collect(),
        }
    }
}

/// Hamming distances over `pictures` procedural pictures (seeded), per edit and unrelated.
pub fn hamming_table(seed: u64, pictures: usize) -> anyhow::Result<Vec<HammingRow>> {
    let hasher = MediaHasher::new(None, MediaLimits::default());
    let hash = |bytes: &[u8]| -> anyhow::Result<u64> {
        Ok(hasher.hash_image(&decode(bytes, "generated picture", MediaLimits::default())?))
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6d65_6469_615f_6576);
    let originals: Vec<_> = (0..pictures).map(|_| images::picture(rng.gen())).collect();
    let published = originals
        .iter()
        .map(|p| hash(&images::jpeg(p, images::PUBLISHED_QUALITY)))
        .collect::<anyhow::Result<Vec<u64>>>()?;
    let mut rows = Vec::new();
    for edit in EDITS {
        let mut d = Vec::with_capacity(pictures);
        for (p, h) in originals.iter().zip(&published) {
            d.push((hash(&edit.apply(&mut rng, p))? ^ h).count_ones());
        }
        rows.push(HammingRow::new(edit.name(), d));
    }
    let mut unrelated = Vec::new();
    for (i, a) in published.iter().enumerate() {
        for b in &published[i + 1..] {
            unrelated.push((a ^ b).count_ones());
        }
    }
    rows.push(HammingRow::new("unrelated".into(), unrelated));
    Ok(rows)
}

pub fn print_table(rows: &[HammingRow]) {
    print!(
        "{:<12} {:>6} {:>4} {:>6} {:>4}",
        "pairs", "n", "min", "median", "max"
    );
    for t in THRESHOLDS {
        print!(" {:>6}", format!("<={t}"));
    }
    println!();
    for r in rows {
        print!(
            "{:<12} {:>6} {:>4} {:>6} {:>4}",
            r.pairs_of, r.pairs, r.min, r.median, r.max
        );
        for t in THRESHOLDS {
            print!(" {:>6.3}", r.within.get(&t).copied().unwrap_or(0.0));
        }
        println!();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_edits_stay_close_and_unrelated_pictures_stay_apart() {
        let rows = hamming_table(3, 24).unwrap();
        let row = |name: &str| rows.iter().find(|r| r.pairs_of == name).unwrap();
        let unrelated = row("unrelated");
        assert_eq!(unrelated.pairs, 24 * 23 / 2);
        for edit in ["jpeg_q70", "resize_50", "crop_5"] {
            assert!(
                row(edit).median + 10 < unrelated.median,
                "{edit}: {:?} vs {unrelated:?}",
                row(edit)
            );
        }
        // Heavier crops move the hash further.
        assert!(row("crop_20").median >= row("crop_5").median);
    }
}
