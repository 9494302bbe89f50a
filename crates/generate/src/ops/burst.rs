//! `account_burst`: 20-60 accounts created within one or two hours, with patterned handles
//! (first name, last name, four digits), a shared avatar and near-identical bios, that then start
//! posting the operation's talking points.
//!
//! Avatars are image files under `media/` (named by `avatar_path`, hashed at ingest): the burst's
//! accounts upload copies of two pictures, re-saved or scaled ([`images::avatar_copy`]); the
//! genuine sign-ups each upload a picture of their own.

use super::{media::MEDIA_DIR, operation, strings, Ctx};
use crate::images;
use crate::lang::Lang;
use crate::names::{display_name, person};
use crate::narrative;
use crate::truth::{NegativeSet, Operation};
use chrono::Duration;
use rand::Rng;
use serde_json::Value;

struct Spec {
    op: &'static str,
    lang: Lang,
    size: (usize, usize),
    /// `true`: `first_last1234`; `false`: `firstlast1234`.
    underscore: bool,
    bios: &'static [&'static str],
    tags: &'static [&'static str],
}

const SPECS: [Spec; 2] = [
    Spec {
        op: "op-burst-1",
        lang: Lang::Fr,
        size: (30, 60),
        underscore: true,
        bios: &[
            "Patriote. Fier d'être français 🇫🇷",
            "Fier d'être français 🇫🇷 | Libre penseur",
            "Patriote 🇫🇷 Libre penseur. Pas de DM",
        ],
        tags: &["Frexit", "StopUE"],
    },
    Spec {
        op: "op-burst-2",
        lang: Lang::De,
        size: (20, 40),
        underscore: false,
        bios: &[
            "Für Frieden und Freiheit 🕊️",
            "Frieden statt Waffen 🕊️ | Freie Meinung",
            "Für Frieden 🕊️ und Souveränität",
        ],
        tags: &["NeinZumKrieg", "Souveränität"],
    },
];

/// Gives the account an avatar file with these bytes, in place of a synthetic hash.
fn avatar_file(ctx: &mut Ctx<'_>, account: &str, bytes: Vec<u8>) {
    let file = format!("avatar-{account}.jpg");
    if let Some(a) = ctx.account_mut(account) {
        a.avatar_phash = None;
        // Relative to the JSONL file in `data/`.
        a.avatar_path = Some(format!("../{MEDIA_DIR}/{file}"));
        ctx.images.push((file, bytes));
    }
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let ops = SPECS.iter().map(|s| inject_one(ctx, s)).collect();
    genuine_sign_ups(ctx);
    ops
}

/// A televised debate brings a wave of genuine sign-ups: many accounts within two hours, with
/// ordinary, varied handles and avatars, each posting a little. A burst, not an operation.
fn genuine_sign_ups(ctx: &mut Ctx<'_>) {
    let lang = Lang::Fr;
    let vocab = ctx.texts.vocab(lang);
    let day = ctx.day_in(1, ctx.clock.days.saturating_sub(1));
    let start = ctx.clock.at(day, 21 * 3600);
    let mut neg = NegativeSet {
        reason: "genuine sign-ups after a televised debate: a burst without look-alike accounts"
            .into(),
        ..NegativeSet::default()
    };
    for _ in 0..ctx.rng.gen_range(25..=40) {
        let (handle, display) = crate::names::ordinary_handle(&mut ctx.rng, lang);
        let created = start + Duration::seconds(ctx.rng.gen_range(0..7200));
        let id = ctx.account("x", handle, Some(display), created, lang, true);
        let own = images::avatar(ctx.pictures.gen());
        let bytes = images::jpeg(&own, images::PUBLISHED_QUALITY);
        avatar_file(ctx, &id, bytes);
        ctx.avatar_decoys.push(id.clone());
        for _ in 0..ctx.rng.gen_range(1..=3) {
            let at = created + Duration::minutes(ctx.rng.gen_range(5..600));
            let text = vocab.sentence(&mut ctx.rng, 5, 14);
            let post = ctx.post(&id, "x", at, text, lang, None);
            neg.items.push(post);
        }
        neg.accounts.push(id);
    }
    ctx.negatives.add("account_burst", neg);
}

fn inject_one(ctx: &mut Ctx<'_>, spec: &Spec) -> Operation {
    let texts = ctx.texts;
    let vocab = texts.vocab(spec.lang);
    let day = ctx.day_in(1, ctx.clock.days.saturating_sub(3));
    let start = ctx.clock.at(day, ctx.rng.gen_range(0..22 * 3600));
    let window = Duration::minutes(ctx.rng.gen_range(60..=120));
    let end = start + window;
    let n = ctx.rng.gen_range(spec.size.0..=spec.size.1);
    // The synthetic hashes the accounts once wore: still drawn, so that later ids stay put.
    let _ = (ctx.ids.phash(), ctx.ids.phash());
    let pictures = [
        images::avatar(ctx.pictures.gen()),
        images::avatar(ctx.pictures.gen()),
    ];
    let mut wearing: [Vec<String>; 2] = Default::default();

    let mut accounts = Vec::new();
    for _ in 0..n {
        let (first, last) = person(&mut ctx.rng, spec.lang);
        let digits = ctx.rng.gen_range(1000..10_000);
        let handle = if spec.underscore {
            format!("{first}_{last}{digits}")
        } else {
            format!("{first}{last}{digits}")
        };
        let created = start + Duration::seconds(ctx.rng.gen_range(0..window.num_seconds()));
        let id = ctx.account(
            "x",
            handle,
            Some(display_name(first, last)),
            created,
            spec.lang,
            false,
        );
        let bio = spec.bios[ctx.rng.gen_range(0..spec.bios.len())].to_owned();
        let which = usize::from(!ctx.rng.gen_bool(0.8));
        let followers = ctx.rng.gen_range(0..15);
        let following = ctx.rng.gen_range(100..400);
        if let Some(a) = ctx.account_mut(&id) {
            a.bio = Some(bio);
            a.followers = Some(followers);
            a.following = Some(following);
        }
        let bytes = images::avatar_copy(&mut ctx.pictures, &pictures[which]);
        avatar_file(ctx, &id, bytes);
        wearing[which].push(id.clone());
        accounts.push(id);
    }
    let handles: Vec<String> = accounts.iter().map(|a| ctx.handle_of(a)).collect();

    let mut op = operation(
        spec.op,
        "account_burst",
        format!(
            "{n} accounts created between {} and {} with patterned handles and a shared avatar, \
             then posting the same talking points",
            start.to_rfc3339(),
            end.to_rfc3339()
        ),
    );
    op.accounts = accounts.clone();

    // Activity: from half an hour to six hours after the burst, for up to four days.
    let last = (end + Duration::days(4)).min(ctx.clock.end - Duration::minutes(1));
    let mut events: Vec<(i64, usize)> = Vec::new();
    for i in 0..accounts.len() {
        let first = end + Duration::minutes(ctx.rng.gen_range(30..360));
        let span = (last - first).num_seconds().max(60);
        for _ in 0..ctx.rng.gen_range(3..=12) {
            events.push((
                (first - ctx.clock.t0).num_seconds() + ctx.rng.gen_range(0..span),
                i,
            ));
        }
    }
    events.sort_unstable();
    let mut posted: Vec<(String, usize, String)> = Vec::new();
    for (secs, i) in events {
        let at = ctx.clock.t0 + Duration::seconds(secs);
        let roll = ctx.rng.gen_range(0..100);
        let (text, repost_of, talking_point) = if roll < 20 && !posted.is_empty() {
            let (pid, who, ptext) = posted[ctx.rng.gen_range(0..posted.len())].clone();
            (format!("RT @{}: {ptext}", handles[who]), Some(pid), None)
        } else if roll < 70 {
            let tag = spec.tags[ctx.rng.gen_range(0..spec.tags.len())];
            let (sentence, key) = narrative::keyed_sentence(&mut ctx.rng, spec.lang);
            (format!("{sentence} #{tag}"), None, Some(key))
        } else {
            (vocab.sentence(&mut ctx.rng, 5, 14), None, None)
        };
        let id = ctx.post(
            &accounts[i],
            "x",
            at,
            text.clone(),
            spec.lang,
            repost_of.clone(),
        );
        if let Some(key) = talking_point {
            ctx.copies(&key, &id);
        }
        if repost_of.is_none() {
            posted.push((id.clone(), i, text));
        }
        op.items.push(id);
    }
    op.details
        .insert("window_start".into(), Value::from(start.to_rfc3339()));
    op.details
        .insert("window_end".into(), Value::from(end.to_rfc3339()));
    op.details.insert(
        "handle_pattern".into(),
        Value::from(if spec.underscore {
            "first_last9999"
        } else {
            "firstlast9999"
        }),
    );
    // The accounts wearing each picture: the most common first.
    op.details.insert(
        "avatar_groups".into(),
        Value::Array(wearing.iter().map(|g| strings(g)).collect()),
    );
    ctx.avatar_groups.extend(wearing);
    op.details.insert("handles".into(), strings(&handles));
    op
}
