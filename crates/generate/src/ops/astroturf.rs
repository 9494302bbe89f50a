//! `astroturf`: a hashtag surging over one day, driven by a dozen accounts posting many times
//! each, most of them created days before. One hashtag is new; the other hijacks an organic
//! hashtag that has a small baseline.

use super::{operation, strings, Ctx};
use crate::lang::Lang;
use crate::narrative;
use crate::truth::Operation;
use chrono::Duration;
use rand::Rng;
use serde_json::Value;

struct Spec {
    op: &'static str,
    lang: Lang,
    /// `None`: a fixed new hashtag; `Some(i)`: the i-th organic hashtag of the language.
    organic_rank: Option<usize>,
    new_tag: &'static str,
    drivers: (usize, usize),
    new_share: f64,
}

const SPECS: [Spec; 2] = [
    Spec {
        op: "op-astro-1",
        lang: Lang::Fr,
        organic_rank: None,
        new_tag: "EuropeEnRuine",
        drivers: (12, 20),
        new_share: 0.6,
    },
    Spec {
        op: "op-astro-2",
        lang: Lang::De,
        organic_rank: Some(28),
        new_tag: "",
        drivers: (10, 15),
        new_share: 0.4,
    },
];

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    SPECS.iter().map(|s| inject_one(ctx, s)).collect()
}

fn inject_one(ctx: &mut Ctx<'_>, spec: &Spec) -> Operation {
    let texts = ctx.texts;
    let vocab = texts.vocab(spec.lang);
    let pool = spec.lang.hashtags();
    let tag = match spec.organic_rank {
        Some(r) => pool[r.min(pool.len() - 1)],
        None => spec.new_tag,
    };
    let day = ctx.day_in(3, ctx.clock.days.saturating_sub(2));
    let start = ctx.clock.at(day, ctx.rng.gen_range(8 * 3600..11 * 3600));
    let hours = ctx.rng.gen_range(10..=14);
    let end = start + Duration::hours(hours);

    let n = ctx.rng.gen_range(spec.drivers.0..=spec.drivers.1);
    let mut drivers = Vec::new();
    let mut new_accounts = Vec::new();
    for _ in 0..n {
        if ctx.rng.gen_bool(spec.new_share) {
            let (handle, display) = crate::names::ordinary_handle(&mut ctx.rng, spec.lang);
            let created =
                start - Duration::days(3) - Duration::seconds(ctx.rng.gen_range(0..22 * 86_400));
            let id = ctx.account("x", handle, Some(display), created, spec.lang, false);
            new_accounts.push(id.clone());
            drivers.push(id);
        } else {
            drivers.push(ctx.person_account("x", spec.lang, true));
        }
    }
    let handles: Vec<String> = drivers.iter().map(|d| ctx.handle_of(d)).collect();

    let mut op = operation(
        spec.op,
        "astroturf",
        format!(
            "#{tag} surges on {} driven by {n} accounts ({} created days before), {}",
            ctx.clock.date(day),
            new_accounts.len(),
            if spec.organic_rank.is_some() {
                "hijacking an existing hashtag"
            } else {
                "a hashtag never seen before"
            }
        ),
    );
    op.accounts = drivers.clone();
    op.hashtags = vec![tag.to_owned()];

    // Posts: many per driver, bunched towards the middle of the window (triangular density).
    let mut posted: Vec<(String, usize, String)> = Vec::new();
    let span = (end - start).num_seconds();
    let mut events: Vec<(i64, usize)> = Vec::new();
    for (i, _) in drivers.iter().enumerate() {
        for _ in 0..ctx.rng.gen_range(10..=35) {
            let u = (ctx.rng.gen::<f64>() + ctx.rng.gen::<f64>()) / 2.0;
            events.push(((u * span as f64) as i64, i));
        }
    }
    events.sort_unstable();
    for (off, i) in events {
        let at = start + Duration::seconds(off);
        let roll = ctx.rng.gen_range(0..100);
        let (text, repost_of, talking_point) = if roll < 15 && !posted.is_empty() {
            let (pid, who, ptext) = posted[ctx.rng.gen_range(0..posted.len())].clone();
            (format!("RT @{}: {ptext}", handles[who]), Some(pid), None)
        } else if roll < 70 {
            let (sentence, key) = narrative::keyed_sentence(&mut ctx.rng, spec.lang);
            (format!("{sentence} #{tag}"), None, Some(key))
        } else {
            let extra = vocab.hashtag(&mut ctx.rng);
            (
                format!("{} #{tag} #{extra}", vocab.sentence(&mut ctx.rng, 4, 12)),
                None,
                None,
            )
        };
        let id = ctx.post(
            &drivers[i],
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
        .insert("day".into(), Value::from(ctx.clock.date(day).to_string()));
    op.details
        .insert("window_start".into(), Value::from(start.to_rfc3339()));
    op.details
        .insert("window_end".into(), Value::from(end.to_rfc3339()));
    op.details
        .insert("new_accounts".into(), strings(&new_accounts));
    op.details.insert(
        "baseline".into(),
        Value::from(if spec.organic_rank.is_some() {
            "organic"
        } else {
            "none"
        }),
    );
    op
}
