//! `vigie eval --media`: how far perceptual hashes move under each edit, against how far apart
//! unrelated pictures are — the evidence behind `manufactured_media`'s `max_distance`.
//!
//! Procedural pictures ([`vigie_generate::images`]) are published as JPEG, edited (crop 5/10/20%,
//! resize to half, JPEG recompression at quality 30/70, caption overlay), decoded and hashed by
//! the same code as ingest ([`vigie_media`]). Unrelated pairs are all pairs of the published
//! pictures.
//!
//! Beside the full-frame distances, each row gives the distance to the closest of the
//! original's window hashes ([`vigie_media::WINDOWS`]) and the share `manufactured_media`
//! matches with its defaults (full frame within `max_distance`, or a window within
//! `max_window_distance`); for unrelated pictures that share, per ordered pair (a picture
//! against another's full frame and windows), is the false-match rate.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use vigie_detect::detectors::manufactured_media::Settings;
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
    /// Distance to the closest window of the original: median and max.
    pub window_median: u32,
    pub window_max: u32,
    /// Share matched by `manufactured_media`'s defaults (full frame or window).
    pub matched: f64,
}

/// One pair's distances: full frame, closest window.
#[derive(Clone, Copy)]
struct Pair {
    full: u32,
    window: u32,
}

impl HammingRow {
    fn new(pairs_of: String, pairs: &[Pair], rule: &Settings) -> HammingRow {
        let mut d: Vec<u32> = pairs.iter().map(|p| p.full).collect();
        let mut w: Vec<u32> = pairs.iter().map(|p| p.window).collect();
        d.sort_unstable();
        w.sort_unstable();
        let n = d.len().max(1) as f64;
        let matched = pairs
            .iter()
            .filter(|p| p.full <= rule.max_distance || p.window <= rule.max_window_distance)
            .count();
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
            window_median: w.get(w.len() / 2).copied().unwrap_or(0),
            window_max: w.last().copied().unwrap_or(0),
            matched: matched as f64 / n,
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
    let rule = Settings::default();
    let originals: Vec<_> = (0..pictures).map(|_| images::picture(rng.gen())).collect();
    let mut published = Vec::with_capacity(pictures);
    let mut windows = Vec::with_capacity(pictures);
    for p in &originals {
        let image = decode(
            &images::jpeg(p, images::PUBLISHED_QUALITY),
            "generated picture",
            MediaLimits::default(),
        )?;
        published.push(hasher.hash_image(&image));
        windows.push(hasher.window_hashes(&image));
    }
    let pair = |h: u64, original: usize| Pair {
        full: (h ^ published[original]).count_ones(),
        window: windows[original]
            .iter()
            .map(|w| (w ^ h).count_ones())
            .min()
            .unwrap_or(64),
    };
    let mut rows = Vec::new();
    for edit in EDITS {
        let mut d = Vec::with_capacity(pictures);
        for (i, p) in originals.iter().enumerate() {
            d.push(pair(hash(&edit.apply(&mut rng, p))?, i));
        }
        rows.push(HammingRow::new(edit.name(), &d, &rule));
    }
    // Every picture against every other as an original: windows make the relation asymmetric.
    let mut unrelated = Vec::new();
    for (i, h) in published.iter().enumerate() {
        for j in (0..pictures).filter(|&j| j != i) {
            unrelated.push(pair(*h, j));
        }
    }
    rows.push(HammingRow::new("unrelated".into(), &unrelated, &rule));
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
    println!(" {:>7} {:>7} {:>7}", "win_med", "win_max", "matched");
    for r in rows {
        print!(
            "{:<12} {:>6} {:>4} {:>6} {:>4}",
            r.pairs_of, r.pairs, r.min, r.median, r.max
        );
        for t in THRESHOLDS {
            print!(" {:>6.3}", r.within.get(&t).copied().unwrap_or(0.0));
        }
        println!(
            " {:>7} {:>7} {:>7.4}",
            r.window_median, r.window_max, r.matched
        );
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
        assert_eq!(unrelated.pairs, 24 * 23);
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

    #[test]
    fn crops_land_near_a_window_of_their_original_and_strangers_do_not() {
        let rule = Settings::default();
        let hasher = MediaHasher::new(None, MediaLimits::default());
        let limits = MediaLimits::default();
        let load = |bytes: &[u8]| decode(bytes, "picture", limits).unwrap();
        let pictures: Vec<_> = (0..12u64).map(|s| images::picture(1000 + s)).collect();
        let windows: Vec<Vec<u64>> = pictures
            .iter()
            .map(|p| hasher.window_hashes(&load(&images::jpeg(p, images::PUBLISHED_QUALITY))))
            .collect();
        let closest = |h: u64, w: &[u64]| w.iter().map(|x| (x ^ h).count_ones()).min().unwrap();
        let (mut found, mut tried, mut full_frame_found) = (0, 0, 0);
        for (p, w) in pictures.iter().zip(&windows) {
            let full = hasher.hash_image(&load(&images::jpeg(p, images::PUBLISHED_QUALITY)));
            let (pw, ph) = p.dimensions();
            for cut in [10u32, 20] {
                let (cw, ch) = (pw * cut / 100, ph * cut / 100);
                // The corners, the centre, and an offset between grid positions.
                for (x, y) in [(0, 0), (cw, ch), (cw / 2, ch / 2), (cw / 3, ch * 2 / 3)] {
                    let crop = image::imageops::crop_imm(p, x, y, pw - cw, ph - ch).to_image();
                    let h = hasher.hash_image(&load(&images::jpeg(&crop, 90)));
                    tried += 1;
                    found += usize::from(closest(h, w) <= rule.max_window_distance);
                    full_frame_found += usize::from((h ^ full).count_ones() <= rule.max_distance);
                }
            }
        }
        assert!(found * 100 >= tried * 95, "{found} of {tried} crops found");
        // Without windows, the heavier crops are lost.
        assert!(full_frame_found < found, "{full_frame_found} vs {found}");
        // A picture's full frame against another's windows: no match.
        let mut false_matches = 0;
        for (i, p) in pictures.iter().enumerate() {
            let h = hasher.hash_image(&load(&images::jpeg(p, images::PUBLISHED_QUALITY)));
            for (j, w) in windows.iter().enumerate() {
                if i != j && closest(h, w) <= rule.max_window_distance {
                    false_matches += 1;
                }
            }
        }
        assert!(false_matches <= 1, "{false_matches} of {} pairs", 12 * 11);
    }

    #[test]
    fn large_originals_are_scaled_down_before_their_windows_and_still_match_crops() {
        let rule = Settings::default();
        let hasher = MediaHasher::new(None, MediaLimits::default());
        let load = |bytes: &[u8]| decode(bytes, "picture", MediaLimits::default()).unwrap();
        let mut found = 0;
        for seed in 0..3u64 {
            let big = image::imageops::resize(
                &images::picture(2000 + seed),
                1280,
                960,
                image::imageops::FilterType::Triangle,
            );
            let windows = hasher.window_hashes(&load(&images::jpeg(&big, 90)));
            let crop = image::imageops::crop_imm(&big, 200, 40, 1024, 768).to_image();
            let h = hasher.hash_image(&load(&images::jpeg(&crop, 90)));
            let closest = windows.iter().map(|w| (w ^ h).count_ones()).min().unwrap();
            found += usize::from(closest <= rule.max_window_distance);
        }
        assert_eq!(found, 3);
    }
}
