//! `manufactured_media`: the candidates' authentic press photos (and a few outlets' photos) as
//! known originals, altered copies of some of them — cropped, resized, recompressed, overlaid —
//! as media records and as attachments of posts by operation accounts, and the shared avatars of
//! the account-burst operations. Decoys: originals re-shared as the same file, and unrelated
//! pictures.
//!
//! The pictures are real image files ([`crate::images`]) written under `media/` beside `data/`
//! and named by the records' `path`, so that ingest computes their perceptual hashes. The truth
//! records each copy's edit and original (`details.edits`, `details.originals`). The bursts'
//! avatars are image files too (see `burst`): copies of one picture are a shared avatar when
//! five accounts or more wear them; the genuine sign-ups' own pictures are decoys.

use super::{operation, Ctx};
use crate::images::{self, EDITS};
use crate::lang::{Lang, CANDIDATES};
use crate::truth::{NegativeSet, Operation};
use rand::Rng;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use vigie_core::{Media, MediaRef};

#[cfg(feature = "c2pa")]
pub mod credentials;

/// Folder of the image files, beside `data/`.
pub const MEDIA_DIR: &str = "media";

/// A media record naming an image file, which is queued for writing.
fn record(
    ctx: &mut Ctx<'_>,
    id: String,
    file: &str,
    bytes: Option<Vec<u8>>,
    sha256: &str,
    authentic: bool,
    owner: Option<&str>,
) -> Media {
    if let Some(bytes) = bytes {
        ctx.images.push((file.to_owned(), bytes));
    }
    Media {
        id,
        sha256: sha256.to_owned(),
        phash: None,
        // Relative to the JSONL file in `data/`.
        path: Some(format!("../{MEDIA_DIR}/{file}")),
        c2pa: None,
        authentic: authentic.then_some(true),
        owner: owner.map(str::to_owned),
        phash_windows: Vec::new(),
        extra: Map::new(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
        reason: "originals re-shared unchanged, unrelated pictures, and accounts with avatar files of their own".into(),
        ..NegativeSet::default()
    };
    let mut altered = Vec::new();
    let mut edits = Map::new();
    let mut sources = Map::new();
    let mut n = 0usize;
    let mut next_id = |prefix: &str| {
        n += 1;
        format!("{prefix}-{n:05}")
    };
    // Originals: two press photos per candidate (JPEG), three outlet photos (PNG).
    struct Original {
        id: String,
        file: String,
        sha256: String,
        seed: u64,
    }
    let mut originals = Vec::new();
    let owners: Vec<Option<&str>> = CANDIDATES
        .iter()
        .flat_map(|(cand, _, _)| [Some(*cand), Some(*cand)])
        .chain([None; 3])
        .collect();
    for owner in owners {
        let seed = ctx.rng.gen::<u64>();
        let picture = images::picture(seed);
        let (id, file, bytes) = match owner {
            Some(_) => {
                let id = next_id("press");
                let file = format!("{id}.jpg");
                (id, file, images::jpeg(&picture, images::PUBLISHED_QUALITY))
            }
            None => {
                let id = next_id("photo");
                let file = format!("{id}.png");
                (id, file, images::png(&picture))
            }
        };
        let sha256 = sha256_hex(&bytes);
        let m = record(ctx, id.clone(), &file, Some(bytes), &sha256, true, owner);
        ctx.media.push(m);
        originals.push(Original {
            id,
            file,
            sha256,
            seed,
        });
    }
    // Altered copies of every other original: one per edit, as files.
    let poster = ctx.person_account("x", Lang::Fr, true);
    op.accounts.push(poster.clone());
    for (k, original) in originals.iter().enumerate().filter(|(k, _)| k % 2 == 0) {
        let picture = images::picture(original.seed);
        for (e, edit) in EDITS.iter().enumerate() {
            let bytes = edit.apply(&mut ctx.rng, &picture);
            let sha256 = sha256_hex(&bytes);
            let id = next_id("media");
            let file = format!("{id}.jpg");
            let m = record(ctx, id.clone(), &file, Some(bytes), &sha256, false, None);
            ctx.media.push(m);
            let name = edit.name();
            edits.insert(id.clone(), Value::from(name.clone()));
            sources.insert(id.clone(), Value::from(original.id.clone()));
            altered.push(id.clone());
            // Every other copy is also posted, attached by path.
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
                        sha256: Some(sha256.clone()),
                        phash: None,
                        path: Some(format!("../{MEDIA_DIR}/{file}")),
                        c2pa: None,
                    });
                }
                edits.insert(pid.clone(), Value::from(name));
                sources.insert(pid.clone(), Value::from(original.id.clone()));
                altered.push(pid);
            }
        }
    }
    // Decoys: originals re-shared as the same file; unrelated pictures.
    for original in originals.iter().take(4) {
        let id = next_id("media");
        let m = record(
            ctx,
            id.clone(),
            &original.file,
            None,
            &original.sha256,
            false,
            None,
        );
        ctx.media.push(m);
        neg.items.push(id);
    }
    for _ in 0..20 {
        let id = next_id("media");
        let file = format!("{id}.jpg");
        let seed = ctx.rng.gen::<u64>();
        let bytes = images::jpeg(&images::picture(seed), images::PUBLISHED_QUALITY);
        let sha256 = sha256_hex(&bytes);
        let m = record(ctx, id.clone(), &file, Some(bytes), &sha256, false, None);
        ctx.media.push(m);
        neg.items.push(id);
    }
    // Accounts that share one avatar, by construction: copies of one picture file (the burst
    // operations'), or one synthetic hash.
    let mut by_avatar: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in &ctx.accounts {
        if let Some(h) = a.account.avatar_phash.as_deref() {
            by_avatar.entry(h).or_default().push(a.account.id.clone());
        }
    }
    let shared: Vec<String> = by_avatar
        .into_values()
        .chain(ctx.avatar_groups.iter().cloned())
        .filter(|ids| ids.len() >= 5)
        .flatten()
        .collect();
    neg.accounts.extend(ctx.avatar_decoys.iter().cloned());
    op.items = altered.clone();
    #[cfg(feature = "c2pa")]
    let credential_signals = if ctx.content_credentials {
        credentials::inject(ctx, &poster, &mut neg)
    } else {
        Map::new()
    };
    let mut signals = Map::new();
    signals.insert("altered_copy".into(), json!(altered));
    signals.insert("shared_avatar".into(), json!(shared));
    #[cfg(feature = "c2pa")]
    for (signal, items) in credential_signals {
        if let Some(list) = items.as_array() {
            op.items
                .extend(list.iter().filter_map(|v| v.as_str().map(str::to_owned)));
        }
        signals.insert(signal, items);
    }
    op.details.insert("signals".into(), Value::Object(signals));
    op.details.insert("edits".into(), Value::Object(edits));
    op.details
        .insert("originals".into(), Value::Object(sources));
    ctx.negatives.add("manufactured_media", neg);
    vec![op]
}
