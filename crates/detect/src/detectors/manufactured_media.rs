//! `manufactured_media` (SPEC §5.8): altered copies of known originals, and many accounts
//! wearing one avatar, found from 64-bit perceptual hashes.
//!
//! An altered copy (cropped, recompressed, overlaid) keeps most of its perceptual hash: it lies
//! within a small Hamming distance of the original, but is not the same file. Candidates come
//! from a multi-index ([`PhashIndex`]: four 16-bit bands probed within a small radius), so only
//! hashes that nearly agree on one band are compared — never all pairs. Memory: 8 bytes plus four
//! bucket entries per hash.
//!
//! A crop moves the full-frame hash (a 20% crop by about 15 bits), so an original's file also
//! gives the hashes of its sub-windows (`phash_windows`, see `vigie-media`), indexed in a second
//! multi-index probed within the stricter `max_window_distance`: a cropped copy's hash lands near
//! the window it was cut from. An original given by hash alone is matched on its full frame.
//!
//! Taken-over accounts are in [`takeover`].
//!
//! Hashes come from the records: given in the input, or computed at ingest from the image file a
//! record names (`media.path`, a post's `media[].path`; see `vigie-media`). A post attachment
//! with a digest but no hash takes the hash of the media record with that digest.
//!
//! C2PA content credentials (missing or invalid where a protected outlet is claimed, failing
//! validation, AI-generated pictures presented as news or as a protected person) are in
//! [`credentials`].

use crate::{Context, DetectError, Detector};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};

pub const NAME: &str = "manufactured_media";
pub const ALTERED_COPY: &str = "altered_copy";
pub const SHARED_AVATAR: &str = "shared_avatar";
pub const SIGNALS: [&str; 2] = [ALTERED_COPY, SHARED_AVATAR];
/// The signals read from C2PA content credentials.
pub const CREDENTIAL_SIGNALS: [&str; 3] = [
    credentials::OUTLET_WITHOUT_CREDENTIALS,
    credentials::TAMPERED_CREDENTIALS,
    credentials::AI_GENERATED_PERSON,
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Hashes within this many differing bits (of 64) show the same picture. 12 from `vigie eval
    /// --media`: it reaches 99% of 5% crops, overlays and recompressions and 90% of 10% crops,
    /// while 0.2% of unrelated pairs fall within it (0.6% at 14, 1.4% at 16).
    pub max_distance: u32,
    /// A copy whose hash is within this many bits of one of an original's sub-window hashes
    /// (`phash_windows`) is a cropped copy. 8 from `vigie eval --media` at seeds 42 and 7: with
    /// it 93–96% of 20% crops and 99% of 10% crops are found, while unrelated pictures matching
    /// an original (full frame within 12 or a window within 8) go from 0.2–0.4% to 0.4–0.6% of
    /// pairs; each window is one more chance of a chance match, so it is stricter than
    /// `max_distance`.
    pub max_window_distance: u32,
    /// This many accounts sharing one avatar (within `max_distance`) are reported.
    pub min_avatar_accounts: usize,
    pub max_evidence_items: usize,
    /// Taken-over accounts (`[detectors.manufactured_media.takeover]`).
    pub takeover: takeover::Settings,
    /// C2PA content credentials (`[detectors.manufactured_media.credentials]`).
    pub credentials: credentials::Settings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_distance: 12,
            max_window_distance: 8,
            min_avatar_accounts: 5,
            max_evidence_items: 500,
            takeover: takeover::Settings::default(),
            credentials: credentials::Settings::default(),
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(ManufacturedMedia {
        settings: config.detector_settings(NAME)?,
    }))
}

pub struct ManufacturedMedia {
    pub settings: Settings,
}

/// A 64-bit perceptual hash written in hex (`0x` prefix and separators tolerated).
pub fn parse_phash(raw: &str) -> Option<u64> {
    let hex: String = raw
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect();
    if hex.is_empty() || hex.len() > 16 {
        return None;
    }
    u64::from_str_radix(&hex, 16).ok()
}

/// Multi-index hashing over 64-bit hashes: four 16-bit bands, one bucket map each. Two hashes
/// within `max_distance` bits differ in at least one band by at most `max_distance / 4` bits
/// (pigeonhole), so a query probes, in each band, the buckets of every key within that radius
/// (137 keys per band for a radius of 2) and verifies the candidates' full distance.
pub struct PhashIndex {
    max_distance: u32,
    /// Keys within the per-band radius of 0, as XOR masks.
    masks: Vec<u16>,
    buckets: [HashMap<u16, Vec<u32>>; 4],
    hashes: Vec<u64>,
}

impl PhashIndex {
    pub fn new(max_distance: u32) -> PhashIndex {
        let max_distance = max_distance.min(63);
        // Beyond 3 bits per band the probes outnumber what they save.
        let radius = (max_distance / 4).min(3);
        let masks = (0..=u16::MAX)
            .filter(|m| m.count_ones() <= radius)
            .collect();
        PhashIndex {
            max_distance,
            masks,
            buckets: Default::default(),
            hashes: Vec::new(),
        }
    }

    fn key(band: usize, h: u64) -> u16 {
        (h >> (16 * band)) as u16
    }

    /// Adds a hash; returns its number.
    pub fn add(&mut self, h: u64) -> u32 {
        let n = self.hashes.len() as u32;
        for (b, buckets) in self.buckets.iter_mut().enumerate() {
            buckets.entry(Self::key(b, h)).or_default().push(n);
        }
        self.hashes.push(h);
        n
    }

    /// Every indexed hash within `max_distance` of `h`, with its distance, sorted by number.
    /// Exact up to a distance of 15 (four bands of radius 3); beyond, a near miss is possible.
    pub fn near(&self, h: u64) -> Vec<(u32, u32)> {
        let mut candidates = Vec::new();
        for (b, buckets) in self.buckets.iter().enumerate() {
            let key = Self::key(b, h);
            for m in &self.masks {
                if let Some(list) = buckets.get(&(key ^ m)) {
                    candidates.extend_from_slice(list);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|n| {
                let d = (self.hashes[n as usize] ^ h).count_ones();
                (d <= self.max_distance).then_some((n, d))
            })
            .collect()
    }
}

/// A known original (`media` record with `authentic: true`).
struct Original {
    id: String,
    sha256: String,
    owner: Option<String>,
}

/// A piece of media seen in the data: a media record, or a post's attachment.
struct Seen {
    /// Item id (media id, or the post id).
    item: String,
    sha256: Option<String>,
    account: Option<String>,
    ts: Option<i64>,
    phash: u64,
}

impl Detector for ManufacturedMedia {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let mut alerts = self.altered_copies(ctx)?;
        alerts.extend(self.shared_avatars(ctx)?);
        alerts.extend(takeover::detect(ctx, &self.settings.takeover)?);
        alerts.extend(credentials::detect(
            ctx,
            &self.settings.credentials,
            self.settings.max_evidence_items,
        )?);
        Ok(alerts)
    }
}

impl ManufacturedMedia {
    fn altered_copies(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let mut index = PhashIndex::new(self.settings.max_distance);
        let mut windows = PhashIndex::new(self.settings.max_window_distance);
        // Window number → original number.
        let mut window_of: Vec<u32> = Vec::new();
        let mut originals: Vec<Original> = Vec::new();
        let mut seen: Vec<Seen> = Vec::new();
        // A post may attach a file by digest alone; its media record gives the hash.
        let mut by_sha: HashMap<String, u64> = HashMap::new();
        ctx.store.for_each(Kind::Media, |stored| {
            let Record::Media(m) = stored.record else {
                return Ok(());
            };
            let Some(h) = m.phash.as_deref().and_then(parse_phash) else {
                return Ok(());
            };
            by_sha.entry(m.sha256.to_lowercase()).or_insert(h);
            if m.authentic == Some(true) {
                let o = index.add(h);
                for w in m.phash_windows.iter().filter_map(|w| parse_phash(w)) {
                    windows.add(w);
                    window_of.push(o);
                }
                originals.push(Original {
                    id: m.id,
                    sha256: m.sha256.to_lowercase(),
                    owner: m.owner,
                });
            } else {
                seen.push(Seen {
                    item: m.id,
                    sha256: Some(m.sha256.to_lowercase()),
                    account: None,
                    ts: None,
                    phash: h,
                });
            }
            Ok(())
        })?;
        if originals.is_empty() {
            return Ok(Vec::new());
        }
        ctx.store.for_each(Kind::Post, |stored| {
            let Record::Post(p) = stored.record else {
                return Ok(());
            };
            for m in &p.media {
                let sha256 = m.sha256.as_ref().map(|s| s.to_lowercase());
                let known = || sha256.as_ref().and_then(|s| by_sha.get(s).copied());
                if let Some(h) = m.phash.as_deref().and_then(parse_phash).or_else(known) {
                    seen.push(Seen {
                        item: p.id.clone(),
                        sha256: sha256.clone(),
                        account: Some(p.author.clone()),
                        ts: Some(p.created_at.timestamp_millis()),
                        phash: h,
                    });
                }
            }
            Ok(())
        })?;
        // Original number → (seen index, distance, matched by a window only).
        let mut copies: BTreeMap<u32, Vec<(usize, u32, bool)>> = BTreeMap::new();
        for (i, s) in seen.iter().enumerate() {
            // Per original: the full-frame distance, else the closest window's.
            let mut near: BTreeMap<u32, (u32, bool)> = BTreeMap::new();
            for (o, d) in index.near(s.phash) {
                near.insert(o, (d, false));
            }
            for (w, d) in windows.near(s.phash) {
                let o = window_of[w as usize];
                near.entry(o)
                    .and_modify(|e| {
                        if e.1 && d < e.0 {
                            e.0 = d;
                        }
                    })
                    .or_insert((d, true));
            }
            for (o, (d, by_window)) in near {
                let original = &originals[o as usize];
                // The same file re-shared is a copy, not an alteration.
                let same_file = s.sha256.as_deref() == Some(original.sha256.as_str());
                // Without a file digest, distance 0 cannot tell an alteration from a re-share.
                let unknown_identical = d == 0 && !by_window && s.sha256.is_none();
                if !(same_file || unknown_identical) {
                    copies.entry(o).or_default().push((i, d, by_window));
                }
            }
        }
        let cut = self.settings.max_evidence_items;
        let mut alerts = Vec::new();
        for (o, found) in copies {
            let original = &originals[o as usize];
            let items: BTreeSet<String> =
                found.iter().map(|(i, ..)| seen[*i].item.clone()).collect();
            let accounts: BTreeSet<String> = found
                .iter()
                .filter_map(|(i, ..)| seen[*i].account.clone())
                .collect();
            let distances: BTreeMap<String, u32> = found
                .iter()
                .map(|(i, d, _)| (seen[*i].item.clone(), *d))
                .collect();
            let cropped: BTreeSet<String> = found
                .iter()
                .filter(|(.., by_window)| *by_window)
                .map(|(i, ..)| seen[*i].item.clone())
                .collect();
            let times: Vec<i64> = found.iter().filter_map(|(i, ..)| seen[*i].ts).collect();
            let min_d = found.iter().map(|(_, d, _)| *d).min().unwrap_or(0);
            // Closer copies of a protected person's imagery are the most worrying.
            let person = original.owner.is_some();
            let score = 0.55
                + if person { 0.25 } else { 0.1 }
                + 0.1 * (1.0 - (-(items.len() as f64) / 5.0).exp());
            let mut figures = Map::new();
            figures.insert("signal".into(), json!(ALTERED_COPY));
            figures.insert("original".into(), json!(original.id));
            figures.insert("owner".into(), json!(original.owner));
            figures.insert("hamming_distances".into(), json!(distances));
            figures.insert("closest_distance".into(), json!(min_d));
            figures.insert("max_distance".into(), json!(self.settings.max_distance));
            // Items matched through a sub-window only (crops); their distance is to that window.
            figures.insert("cropped_items".into(), json!(cropped));
            figures.insert(
                "max_window_distance".into(),
                json!(self.settings.max_window_distance),
            );
            let whose = original
                .owner
                .as_deref()
                .map(|o| format!(" of {o}"))
                .unwrap_or_default();
            let (first, last) = match (times.iter().min(), times.iter().max()) {
                (Some(&a), Some(&b)) => (a, b),
                _ => (0, 0),
            };
            alerts.push(Alert {
                id: String::new(),
                detector: NAME.into(),
                modus_operandi: if person {
                    ModusOperandi::Deepfake
                } else {
                    ModusOperandi::ManufacturedContent
                },
                disarm: if person {
                    vec!["T0086.002".into(), "T0086.003".into()]
                } else {
                    vec!["T0086.003".into()]
                },
                severity: Severity::from_score(score),
                score,
                title: format!("Altered copies of a known original{whose}"),
                summary: format!(
                    "{} items carry altered copies of the authentic image {}{whose} (perceptual hashes {} to {} bits away, different files).",
                    items.len(),
                    original.id,
                    min_d,
                    found.iter().map(|(_, d, _)| *d).max().unwrap_or(0)
                ),
                first_seen: ts(first),
                last_seen: ts(last),
                evidence: Evidence {
                    items: items.into_iter().take(cut).collect(),
                    accounts: accounts.into_iter().take(cut).collect(),
                    domains: vec![],
                    imitates: original.owner.iter().cloned().collect(),
                    urls: vec![],
                    figures,
                },
            });
        }
        Ok(alerts)
    }

    /// Groups of accounts whose avatars are near-identical (single linkage through the index).
    fn shared_avatars(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let mut index = PhashIndex::new(self.settings.max_distance);
        let mut accounts: Vec<(String, Option<i64>)> = Vec::new();
        let mut parent: Vec<u32> = Vec::new();
        ctx.store.for_each(Kind::Account, |stored| {
            let Record::Account(a) = stored.record else {
                return Ok(());
            };
            let Some(h) = a.avatar_phash.as_deref().and_then(parse_phash) else {
                return Ok(());
            };
            // A blank or default avatar hashes to all zeros or ones: not a shared picture.
            if h == 0 || h == u64::MAX {
                return Ok(());
            }
            let near = index.near(h);
            let n = index.add(h);
            parent.push(n);
            for (m, _) in near {
                union(&mut parent, n, m);
            }
            accounts.push((a.id, a.created_at.map(|t| t.timestamp_millis())));
            Ok(())
        })?;
        let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for i in 0..accounts.len() {
            let root = find(&mut parent, i as u32);
            groups.entry(root).or_default().push(i);
        }
        let cut = self.settings.max_evidence_items;
        let mut alerts = Vec::new();
        for members in groups.into_values() {
            if members.len() < self.settings.min_avatar_accounts.max(2) {
                continue;
            }
            let times: Vec<i64> = members.iter().filter_map(|&i| accounts[i].1).collect();
            let n = members.len();
            let score = 0.5 + 0.3 * (1.0 - (-(n as f64) / 20.0).exp());
            let mut figures = Map::new();
            figures.insert("signal".into(), json!(SHARED_AVATAR));
            figures.insert("group_size".into(), json!(n));
            figures.insert("max_distance".into(), json!(self.settings.max_distance));
            alerts.push(Alert {
                id: String::new(),
                detector: NAME.into(),
                modus_operandi: ModusOperandi::ManufacturedContent,
                disarm: vec!["T0145.001".into()],
                severity: Severity::from_score(score),
                score,
                title: format!("{n} accounts share one avatar"),
                summary: format!("{n} accounts wear the same or a near-identical profile picture."),
                first_seen: ts(times.iter().copied().min().unwrap_or(0)),
                last_seen: ts(times.iter().copied().max().unwrap_or(0)),
                evidence: Evidence {
                    items: vec![],
                    accounts: members
                        .iter()
                        .take(cut)
                        .map(|&i| accounts[i].0.clone())
                        .collect(),
                    domains: vec![],
                    imitates: vec![],
                    urls: vec![],
                    figures,
                },
            });
        }
        Ok(alerts)
    }
}

fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Union-find over hash numbers (path halving).
pub(crate) fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

pub(crate) fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The smaller number stays root: groups are labelled deterministically.
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi as usize] = lo;
    }
}

pub mod credentials;
pub mod takeover;

#[cfg(test)]
mod tests;
