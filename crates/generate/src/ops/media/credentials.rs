//! C2PA content credentials (feature `c2pa`, `GenerateOptions::content_credentials`): pictures
//! signed with the test PKI of `vigie-media` (`testdata/c2pa`), with known answers for the three
//! credential signals of `manufactured_media`:
//!
//! - `outlet_without_credentials`: pictures credited to the first protected outlet that carry no
//!   manifest (a copy stripped of its credentials), are signed by a look-alike certificate of the
//!   same organisation name under another CA, or were altered after the outlet signed them;
//! - `tampered_credentials`: the altered ones, and altered pictures credited to nobody;
//! - `ai_generated_person`: pictures a generator signed as `trainedAlgorithmicMedia`, credited to
//!   a candidate or posted with the candidate's name.
//!
//! Decoys: the outlet's own signed photos, and AI pictures presented as nobody's.
//!
//! Signed files are not byte-reproducible (C2PA draws random assertion salts and manifest ids),
//! which is why this part is off unless asked for; everything else stays seeded.

use super::{record, sha256_hex, Ctx, MEDIA_DIR};
use crate::images;
use crate::lang::{Lang, CANDIDATES};
use crate::truth::NegativeSet;
use crate::world::PROTECTED_MEDIA;
use rand::Rng;
use serde_json::{json, Map, Value};
use vigie_core::MediaRef;
use vigie_media::credentials::sample::{self, Identity};
use vigie_media::{decode, MediaHasher, MediaLimits};

const CAPTURE: &[sample::Action<'_>] = &[("c2pa.created", Some("digitalCapture"))];
const AI: &[sample::Action<'_>] = &[("c2pa.created", Some("trainedAlgorithmicMedia"))];

/// The outlet whose signer the generated config knows by fingerprint.
fn outlet() -> &'static str {
    PROTECTED_MEDIA[0].name
}

/// The config lines that name the outlet's signing certificate.
pub fn config_section() -> String {
    let prints: Vec<String> = Identity::Outlet.cert_sha256().into_iter().collect();
    format!(
        "[detectors.manufactured_media.credentials.signers]\n{:?} = {:?}\n\n",
        outlet(),
        prints
    )
}

/// Adds the signed pictures; returns the signals' items.
pub fn inject(ctx: &mut Ctx<'_>, poster: &str, neg: &mut NegativeSet) -> Map<String, Value> {
    let mut outlet_items = Vec::new();
    let mut tampered = Vec::new();
    let mut ai_person = Vec::new();
    let mut n = 0usize;
    let mut add = |ctx: &mut Ctx<'_>,
                   bytes: Vec<u8>,
                   ext: &str,
                   claim: Option<(&str, &str)>|
     -> (String, String, String) {
        n += 1;
        let id = format!("cred-{n:04}");
        let file = format!("{id}.{ext}");
        let sha = sha256_hex(&bytes);
        let mut m = record(ctx, id.clone(), &file, Some(bytes), &sha, false, None);
        if let Some((field, value)) = claim {
            if field == "owner" {
                m.owner = Some(value.to_owned());
            } else {
                m.extra.insert(field.to_owned(), json!(value));
            }
        }
        ctx.media.push(m);
        (id, file, sha)
    };
    // The known originals' hashes: a new picture that happened to land near one would be an
    // `altered_copy` by chance (0.2% of unrelated pairs do), which is not what it stands for.
    let hasher = MediaHasher::new(None, MediaLimits::default());
    let hash = |bytes: &[u8]| {
        decode(bytes, "generated", MediaLimits::default())
            .ok()
            .map(|i| hasher.hash_image(&i))
    };
    let originals: Vec<u64> = ctx
        .media
        .iter()
        .filter(|m| m.authentic == Some(true))
        .filter_map(|m| {
            let file = m.path.as_deref()?.rsplit('/').next()?;
            let (_, bytes) = ctx.images.iter().find(|(f, _)| f == file)?;
            hash(bytes)
        })
        .collect();
    let picture = |ctx: &mut Ctx<'_>| loop {
        let p = images::picture(ctx.rng.gen::<u64>());
        let far = hash(&images::jpeg(&p, images::PUBLISHED_QUALITY))
            .is_some_and(|h| originals.iter().all(|o| (o ^ h).count_ones() > 20));
        if far {
            break p;
        }
    };
    let sign = |bytes: &[u8], mime: &str, who: Identity, actions: &[sample::Action<'_>]| {
        sample::sign(bytes, mime, who, "photo", "vigie generate", actions).ok()
    };
    let credit = ("credit", outlet());
    // The outlet's own photos, signed: silent. Half JPEG, half PNG.
    for k in 0..6 {
        let p = picture(ctx);
        let (bytes, mime, ext) = if k % 2 == 0 {
            (
                images::jpeg(&p, images::PUBLISHED_QUALITY),
                "image/jpeg",
                "jpg",
            )
        } else {
            (images::png(&p), "image/png", "png")
        };
        if let Some(signed) = sign(&bytes, mime, Identity::Outlet, CAPTURE) {
            neg.items.push(add(ctx, signed, ext, Some(credit)).0);
        }
    }
    // Credited to the outlet, no manifest; two of them posted by digest.
    for k in 0..4 {
        let bytes = images::jpeg(&picture(ctx), images::PUBLISHED_QUALITY);
        let (id, _, sha) = add(ctx, bytes, "jpg", Some(("owner", outlet())));
        outlet_items.push(id);
        if k < 2 {
            let pid = post(ctx, poster, "Photo Le Monde, regardez.".into(), sha, None);
            outlet_items.push(pid);
        }
    }
    // A look-alike certificate with the outlet's organisation name.
    for _ in 0..3 {
        let bytes = images::jpeg(&picture(ctx), images::PUBLISHED_QUALITY);
        if let Some(signed) = sign(&bytes, "image/jpeg", Identity::Rogue, CAPTURE) {
            let source = ("source", "https://www.lemonde.fr/photo");
            outlet_items.push(add(ctx, signed, "jpg", Some(source)).0);
        }
    }
    // Signed by the outlet, then altered: both signals. Then altered pictures of nobody's.
    for k in 0..6 {
        let bytes = images::jpeg(&picture(ctx), images::PUBLISHED_QUALITY);
        let who = if k < 4 {
            Identity::Outlet
        } else {
            Identity::Generator
        };
        let Some(changed) =
            sign(&bytes, "image/jpeg", who, CAPTURE).and_then(|s| sample::tamper_jpeg(&s))
        else {
            continue;
        };
        let claim = (k < 4).then_some(credit);
        let id = add(ctx, changed, "jpg", claim).0;
        if k < 4 {
            outlet_items.push(id.clone());
        }
        tampered.push(id);
    }
    // AI pictures of candidates: credited to them, or posted with their name.
    for (k, (name, _, _)) in CANDIDATES.iter().enumerate() {
        let bytes = images::jpeg(&picture(ctx), images::PUBLISHED_QUALITY);
        let Some(signed) = sign(&bytes, "image/jpeg", Identity::Generator, AI) else {
            continue;
        };
        if k % 2 == 0 {
            ai_person.push(add(ctx, signed, "jpg", Some(("owner", name))).0);
        } else {
            let (id, file, sha) = add(ctx, signed, "jpg", None);
            let text = format!("{name} comme vous ne l'avez jamais vu !");
            let pid = post(ctx, poster, text, sha, Some(file));
            ai_person.extend([id, pid]);
        }
    }
    // AI pictures presented as nobody's: silent.
    for _ in 0..3 {
        let bytes = images::jpeg(&picture(ctx), images::PUBLISHED_QUALITY);
        if let Some(signed) = sign(&bytes, "image/jpeg", Identity::Generator, AI) {
            neg.items.push(add(ctx, signed, "jpg", None).0);
        }
    }
    let mut signals = Map::new();
    signals.insert("outlet_without_credentials".into(), json!(outlet_items));
    signals.insert("tampered_credentials".into(), json!(tampered));
    signals.insert("ai_generated_person".into(), json!(ai_person));
    signals
}

/// A post by `poster` attaching a picture by digest (and by path when given).
fn post(
    ctx: &mut Ctx<'_>,
    poster: &str,
    text: String,
    sha: String,
    file: Option<String>,
) -> String {
    let at = ctx.daytime(2..ctx.clock.days, 8, 22);
    let pid = ctx.post(poster, "x", at, text, Lang::Fr, None);
    if let Some(super::super::Item::Post(p)) = ctx.items.last_mut() {
        p.media.push(MediaRef {
            sha256: Some(sha),
            phash: None,
            path: file.map(|f| format!("../{MEDIA_DIR}/{f}")),
            c2pa: None,
        });
    }
    pid
}
