//! `manufactured_media`: the candidates' authentic press photos (and a few outlets' photos) as
//! known originals, altered copies of some of them — cropped, resized, recompressed, overlaid —
//! as media records and as attachments of posts by operation accounts, and the shared avatars of
//! the account-burst operations. Decoys: originals re-shared as the same file, and unrelated
//! pictures.
//!
//! Perceptual hashes are synthetic here: an alteration flips as many hash bits as that edit
//! typically moves a 64-bit DCT hash (recompression 1-3, resize 2-4, overlay 4-7, crop 6-9). The
//! truth records each copy's edit and distance (`details.edits`, `details.distances`).

use super::{operation, Ctx};
use crate::lang::{Lang, CANDIDATES};
use crate::truth::{NegativeSet, Operation};
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use vigie_core::{Media, MediaRef};

/// Edits and the hash bits each flips (inclusive range).
pub const EDITS: [(&str, u32, u32); 4] = [
    ("recompress", 1, 3),
    ("resize", 2, 4),
    ("overlay", 4, 7),
    ("crop", 6, 9),
];

fn flip<R: Rng>(rng: &mut R, h: u64, k: u32) -> u64 {
    let mut out = h;
    while (out ^ h).count_ones() < k {
        out ^= 1 << rng.gen_range(0..64);
    }
    out
}

fn sha<R: Rng>(rng: &mut R) -> String {
    (0..4)
        .map(|_| format!("{:016x}", rng.gen::<u64>()))
        .collect()
}

fn record(id: String, sha256: String, phash: u64, authentic: bool, owner: Option<&str>) -> Media {
    Media {
        id,
        sha256,
        phash: Some(format!("{phash:016x}")),
        path: None,
        c2pa: None,
        authentic: authentic.then_some(true),
        owner: owner.map(str::to_owned),
        extra: Map::new(),
    }
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let mut op = operation(
        "op-media-1",
        "manufactured_media",
        "Altered copies of the candidates' press photos circulate as files and in posts; \
         burst accounts wear one avatar."
            .into(),
    );
    let mut neg = NegativeSet {
        reason: "originals re-shared unchanged, and unrelated pictures".into(),
        ..NegativeSet::default()
    };
    let mut altered = Vec::new();
    let mut edits = Map::new();
    let mut distances = Map::new();
    let mut n = 0usize;
    let mut next_id = |prefix: &str| {
        n += 1;
        format!("{prefix}-{n:05}")
    };
    // Originals: two press photos per candidate, three outlet photos.
    let mut originals: Vec<(String, String, u64, Option<&str>)> = Vec::new();
    for (cand, _, _) in CANDIDATES.iter() {
        for _ in 0..2 {
            let h = ctx.rng.gen::<u64>();
            originals.push((next_id("press"), sha(&mut ctx.rng), h, Some(cand)));
        }
    }
    for _ in 0..3 {
        let h = ctx.rng.gen::<u64>();
        originals.push((next_id("photo"), sha(&mut ctx.rng), h, None));
    }
    for (id, sha256, h, owner) in &originals {
        ctx.media
            .push(record(id.clone(), sha256.clone(), *h, true, *owner));
    }
    // Altered copies of every other original: one per edit, as files.
    let poster = ctx.person_account("x", Lang::Fr, true);
    op.accounts.push(poster.clone());
    for (k, (_, _, h, _)) in originals.iter().enumerate().filter(|(k, _)| k % 2 == 0) {
        for (e, (edit, lo, hi)) in EDITS.iter().enumerate() {
            let d = ctx.rng.gen_range(*lo..=*hi);
            let copy = flip(&mut ctx.rng, *h, d);
            let id = next_id("media");
            ctx.media
                .push(record(id.clone(), sha(&mut ctx.rng), copy, false, None));
            edits.insert(id.clone(), Value::from(*edit));
            distances.insert(id.clone(), Value::from(d));
            altered.push(id.clone());
            // Every other copy is also posted.
            if (k + e) % 2 == 0 {
                let at = ctx.daytime(2..ctx.clock.days, 8, 22);
                let pid = ctx.post(
                    &poster,
                    "x",
                    at,
                    "Regardez cette photo, tout est dit.".into(),
                    Lang::Fr,
                    None,
                );
                if let Some(super::Item::Post(p)) = ctx.items.last_mut() {
                    p.media.push(MediaRef {
                        sha256: Some(sha(&mut ctx.rng)),
                        phash: Some(format!("{:016x}", flip(&mut ctx.rng, *h, d))),
                        path: None,
                    });
                }
                edits.insert(pid.clone(), Value::from(*edit));
                distances.insert(pid.clone(), Value::from(d));
                altered.push(pid);
            }
        }
    }
    // Decoys: originals re-shared unchanged; unrelated pictures.
    for (_, sha256, h, _) in originals.iter().take(4) {
        let id = next_id("media");
        ctx.media
            .push(record(id.clone(), sha256.clone(), *h, false, None));
        neg.items.push(id);
    }
    for _ in 0..20 {
        let id = next_id("media");
        let h = ctx.rng.gen::<u64>();
        ctx.media
            .push(record(id.clone(), sha(&mut ctx.rng), h, false, None));
        neg.items.push(id);
    }
    // Accounts that share one avatar (the burst operations'), by construction.
    let mut by_avatar: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in &ctx.accounts {
        if let Some(h) = a.account.avatar_phash.as_deref() {
            by_avatar.entry(h).or_default().push(a.account.id.clone());
        }
    }
    let shared: Vec<String> = by_avatar
        .into_values()
        .filter(|ids| ids.len() >= 5)
        .flatten()
        .collect();
    op.items = altered.clone();
    let mut signals = Map::new();
    signals.insert("altered_copy".into(), json!(altered));
    signals.insert("shared_avatar".into(), json!(shared));
    op.details.insert("signals".into(), Value::Object(signals));
    op.details.insert("edits".into(), Value::Object(edits));
    op.details
        .insert("distances".into(), Value::Object(distances));
    ctx.negatives.add("manufactured_media", neg);
    vec![op]
}
