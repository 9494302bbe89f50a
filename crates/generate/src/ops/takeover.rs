//! `manufactured_media`, taken-over accounts: local officials and campaign staff whose accounts
//! the generated `vigie.toml` watches. Each posts for days with its own habits — language, phone
//! client, waking hours, a few news sites it links to — then some are taken over: an operator
//! writes from its own client, in its own hours and bursts, linking to its own sites, sometimes in
//! another language. Each takeover changes at least two kinds of habit (what is written, with what,
//! when, where it links) but not always the same ones.
//!
//! Decoys (organic changes of habit, one kind each): a week abroad (hours shift), a new subject,
//! a second language now and then, a new phone, a new site linked, a few silent days. The truth
//! lists the taken-over accounts, their first foreign post and every post the operator wrote
//! (`details.signals.account_takeover`, `details.takeover_starts`, `details.variants`).

use super::{operation, Ctx, Item};
use crate::lang::Lang;
use crate::truth::{NegativeSet, Operation};
use crate::world::NEWS_SITES;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};

const PHONES: [&str; 2] = ["Twitter for iPhone", "Twitter for Android"];
const OPERATOR_CLIENTS: [&str; 3] = ["Twitter Web App", "TweetDeck", "Buffer"];
const OPERATOR_SITES: [&str; 4] = [
    "verite-europe.info",
    "libre-actu.net",
    "euro-realite.com",
    "infos-du-peuple.org",
];

/// How one phase of an account's posting looks.
#[derive(Debug, Clone)]
struct Habits {
    lang: Lang,
    client: Option<&'static str>,
    /// Local (Paris) hours of activity, `from..to`.
    hours: (i64, i64),
    /// Mean minutes between posts within the active hours.
    gap_minutes: f64,
    /// Bursts of several posts minutes apart (operators).
    bursty: bool,
    /// Hosts it links to, and how often (share of posts).
    hosts: Vec<String>,
    link_share: f64,
    /// Recurring hashtags.
    tags: Vec<&'static str>,
    /// Share of posts written in `second` instead of `lang`.
    second: Option<(Lang, f64)>,
}

/// What happens to a watched account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Steady,
    /// Taken over, by variant (see [`takeover_habits`]).
    Takeover(u8),
    Travel,
    NewSubject,
    SecondLanguage,
    NewPhone,
    NewSite,
    Silent,
}

impl Fate {
    fn name(self) -> &'static str {
        match self {
            Fate::Steady => "steady",
            Fate::Takeover(0) => "other language, client, hours and sites",
            Fate::Takeover(1) => "same language, other client, bursts and sites",
            Fate::Takeover(2) => "other language, hours and sites, no client given",
            Fate::Takeover(_) => "same language and client, bursts and sites",
            Fate::Travel => "a week abroad",
            Fate::NewSubject => "a new subject",
            Fate::SecondLanguage => "a second language now and then",
            Fate::NewPhone => "a new phone",
            Fate::NewSite => "a new site linked",
            Fate::Silent => "four silent days",
        }
    }
}

const FATES: [Fate; 24] = [
    Fate::Takeover(0),
    Fate::Takeover(1),
    Fate::Takeover(2),
    Fate::Takeover(3),
    Fate::Takeover(0),
    Fate::Takeover(1),
    Fate::Takeover(2),
    Fate::Takeover(3),
    Fate::Travel,
    Fate::Travel,
    Fate::NewSubject,
    Fate::NewSubject,
    Fate::SecondLanguage,
    Fate::SecondLanguage,
    Fate::NewPhone,
    Fate::NewPhone,
    Fate::NewSite,
    Fate::NewSite,
    Fate::Silent,
    Fate::Silent,
    Fate::Steady,
    Fate::Steady,
    Fate::Steady,
    Fate::Steady,
];

/// Languages of the watched accounts (a French campaign with a few neighbours).
const OWNER_LANGS: [Lang; 4] = [Lang::Fr, Lang::Fr, Lang::De, Lang::Es];

fn owner_habits(ctx: &mut Ctx<'_>, lang: Lang, with_client: bool) -> Habits {
    let mut hosts: Vec<String> = NEWS_SITES
        .iter()
        .filter(|s| s.lang == lang)
        .map(|s| s.host.to_owned())
        .collect();
    hosts.truncate(ctx.rng.gen_range(2..=3));
    let tags = lang.hashtags();
    let t0 = ctx.rng.gen_range(0..tags.len());
    Habits {
        lang,
        client: with_client.then(|| PHONES[ctx.rng.gen_range(0..PHONES.len())]),
        hours: (ctx.rng.gen_range(6..9), ctx.rng.gen_range(21..24)),
        gap_minutes: ctx.rng.gen_range(60.0..85.0),
        bursty: false,
        hosts,
        link_share: ctx.rng.gen_range(0.25..0.45),
        tags: vec![tags[t0], tags[(t0 + 1) % tags.len()]],
        second: None,
    }
}

/// The operator's habits for a takeover variant.
fn takeover_habits(ctx: &mut Ctx<'_>, owner: &Habits, variant: u8) -> Habits {
    let foreign = match owner.lang {
        Lang::En => Lang::Pl,
        _ => Lang::En,
    };
    let other_client = OPERATOR_CLIENTS[ctx.rng.gen_range(0..OPERATOR_CLIENTS.len())];
    let a = ctx.rng.gen_range(0..OPERATOR_SITES.len());
    let hosts = vec![
        OPERATOR_SITES[a].to_owned(),
        OPERATOR_SITES[(a + 1) % OPERATOR_SITES.len()].to_owned(),
    ];
    let night = (0, 6);
    let mut h = Habits {
        hosts,
        gap_minutes: ctx.rng.gen_range(30.0..45.0),
        link_share: ctx.rng.gen_range(0.7..0.9),
        tags: Vec::new(),
        second: None,
        ..owner.clone()
    };
    match variant {
        0 => {
            h.lang = foreign;
            h.client = Some(other_client);
            h.hours = night;
        }
        1 => {
            h.client = Some(other_client);
            h.bursty = true;
        }
        2 => {
            h.lang = foreign;
            h.hours = night;
        }
        _ => h.bursty = true,
    }
    if h.bursty {
        // Bursts of a few posts minutes apart, a few hours between bursts.
        h.gap_minutes = ctx.rng.gen_range(120.0..180.0);
    }
    h
}

/// Next post time after `t` under `h`.
fn next_time(
    ctx: &mut Ctx<'_>,
    t: DateTime<Utc>,
    h: &Habits,
    burst_left: &mut u32,
) -> DateTime<Utc> {
    let minutes = if h.bursty && *burst_left > 0 {
        *burst_left -= 1;
        ctx.rng.gen_range(1.0..6.0)
    } else {
        if h.bursty {
            *burst_left = ctx.rng.gen_range(3..7);
        }
        // Exponential gaps around the mean.
        let u: f64 = ctx.rng.gen_range(0.02..1.0);
        -u.ln() * h.gap_minutes
    };
    let next = t + Duration::seconds((minutes * 60.0) as i64 + 1);
    let hour = ctx.clock.local_hour(next) as i64;
    let (from, to) = h.hours;
    if hour >= from && hour < to {
        return next;
    }
    // Asleep: the next post comes within the first hour of activity.
    let wait = (from - hour).rem_euclid(24);
    let secs = next.timestamp();
    let hour_start = secs - secs.rem_euclid(3600) + wait * 3600;
    DateTime::from_timestamp(hour_start + ctx.rng.gen_range(0..3600), 0).unwrap_or(next)
}

/// One post by `author` under `h`, with the account's client.
fn write(ctx: &mut Ctx<'_>, author: &str, at: DateTime<Utc>, h: &Habits, n: usize) -> String {
    let lang = match h.second {
        Some((l, share)) if ctx.rng.gen_bool(share) => l,
        _ => h.lang,
    };
    let vocab = ctx.texts.vocab(lang);
    let mut text = vocab.sentence(&mut ctx.rng, 8, 18);
    if !h.tags.is_empty() && ctx.rng.gen_bool(0.3) {
        let t = h.tags[ctx.rng.gen_range(0..h.tags.len())];
        text.push_str(&format!(" #{t}"));
    }
    if !h.hosts.is_empty() && ctx.rng.gen_bool(h.link_share) {
        let host = &h.hosts[ctx.rng.gen_range(0..h.hosts.len())];
        text.push_str(&format!(" https://{host}/articles/{author}-{n}"));
    }
    let id = ctx.post(author, "x", at, text, lang, None);
    if let (Some(client), Some(Item::Post(p))) = (h.client, ctx.items.last_mut()) {
        p.extra.insert("client".into(), Value::from(client));
    }
    id
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let mut op = operation(
        "op-takeover-1",
        "manufactured_media",
        "Watched local officials' and campaign staff's accounts are taken over days before the \
         vote: another client, hours, bursts, sites, sometimes another language."
            .into(),
    );
    let mut neg = NegativeSet {
        reason: "watched accounts that change one habit: travel, a new subject, a second \
                 language, a new phone, a new site, silent days"
            .into(),
        ..NegativeSet::default()
    };
    let mut taken_items = Vec::new();
    let mut starts = Map::new();
    let mut variants = Map::new();
    let days = ctx.clock.days;
    for (k, fate) in FATES.iter().copied().enumerate() {
        let lang = OWNER_LANGS[k % OWNER_LANGS.len()];
        let id = ctx.person_account("x", lang, false);
        let handle = ctx.handle_of(&id);
        ctx.watched.push(format!("x:{handle}"));
        // Half the accounts' records say which client posted (X archives do, others not).
        let with_client = k % 2 == 0 || matches!(fate, Fate::NewPhone | Fate::Takeover(0 | 1));
        let owner = owner_habits(ctx, lang, with_client && fate != Fate::Takeover(2));
        // The change comes in the last third of the period (after some ten days of history).
        let change_day = ctx.day_in(days * 2 / 3, days * 2 / 3 + 2);
        let change_at = ctx
            .clock
            .at(change_day, ctx.rng.gen_range(8 * 3600..18 * 3600));
        let changed = match fate {
            Fate::Steady | Fate::Silent => owner.clone(),
            Fate::Takeover(v) => takeover_habits(ctx, &owner, v),
            Fate::Travel => Habits {
                hours: (owner.hours.0 + 8, (owner.hours.1 + 8).min(24)),
                ..owner.clone()
            },
            Fate::NewSubject => {
                let tags = lang.hashtags();
                Habits {
                    tags: tags.iter().rev().take(3).copied().collect(),
                    ..owner.clone()
                }
            }
            Fate::SecondLanguage => Habits {
                second: Some((if lang == Lang::En { Lang::Fr } else { Lang::En }, 0.2)),
                ..owner.clone()
            },
            Fate::NewPhone => Habits {
                client: Some(if owner.client == Some(PHONES[0]) {
                    PHONES[1]
                } else {
                    PHONES[0]
                }),
                ..owner.clone()
            },
            Fate::NewSite => Habits {
                hosts: vec![format!("blog-{handle}.fr").to_lowercase()],
                ..owner.clone()
            },
        };
        // A week abroad ends; everything else lasts.
        let back_at = match fate {
            Fate::Travel => change_at + Duration::days(4),
            Fate::Silent => change_at,
            _ => ctx.clock.end,
        };
        let mut t = ctx.clock.t0 + Duration::minutes(ctx.rng.gen_range(0..600));
        let mut burst = 0;
        let mut n = 0;
        let mut first_foreign = None;
        loop {
            let now_changed = t >= change_at && t < back_at;
            let h = if now_changed { &changed } else { &owner };
            let h = h.clone();
            t = next_time(ctx, t, &h, &mut burst);
            if fate == Fate::Silent && t >= change_at && t < change_at + Duration::days(4) {
                t = change_at + Duration::days(4);
            }
            if t >= ctx.clock.end {
                break;
            }
            n += 1;
            let pid = write(ctx, &id, t, &h, n);
            if now_changed && matches!(fate, Fate::Takeover(_)) {
                first_foreign.get_or_insert_with(|| pid.clone());
                taken_items.push(pid);
            }
        }
        match fate {
            Fate::Takeover(_) => {
                op.accounts.push(id.clone());
                if let Some(first) = first_foreign {
                    starts.insert(id.clone(), Value::from(first));
                }
                variants.insert(id.clone(), Value::from(fate.name()));
            }
            _ => {
                neg.accounts.push(id.clone());
                variants.insert(id.clone(), Value::from(fate.name()));
            }
        }
    }
    op.items = taken_items.clone();
    let mut signals = Map::new();
    signals.insert("account_takeover".into(), json!(taken_items));
    op.details.insert("signals".into(), Value::Object(signals));
    op.details
        .insert("takeover_starts".into(), Value::Object(starts));
    op.details
        .insert("variants".into(), Value::Object(variants));
    ctx.negatives.add("manufactured_media", neg);
    vec![op]
}

/// The `vigie.toml` table that watches the accounts.
pub fn config_section(watched: &[String]) -> String {
    let list: Vec<String> = watched
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_default())
        .collect();
    format!(
        "\n# Accounts followed for takeovers, besides the protected entities' handles.\n\
         [detectors.manufactured_media.takeover]\nwatched = [{}]\n",
        list.join(", ")
    )
}
