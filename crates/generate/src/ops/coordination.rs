//! `coordination`: groups of 8-30 accounts that act together again and again (6-10 episodes over
//! the period), each episode within seconds (tight groups) or a few minutes (a loose group): the
//! same or near-same text, the same URL, the same hashtag set, or a repost of the same target.
//! Their members also post organically. Organic look-alikes are written as negatives: viral news
//! shared by many unrelated accounts at once, and fans live-tweeting an event with its hashtags.

use super::{operation, strings, Ctx, Item};
use crate::lang::Lang;
use crate::narrative;
use crate::text::reword;
use crate::truth::{NegativeSet, Operation};
use chrono::Duration;
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{Map, Value};

/// The window the truth promises for tight groups: every post of one of their episodes falls
/// within it (a loose group's episodes spread over its own, longer window).
pub const WINDOW_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Url,
    HashtagSet,
    Repost,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Text => "same_text",
            Mode::Url => "same_url",
            Mode::HashtagSet => "same_hashtags",
            Mode::Repost => "same_repost",
        }
    }
}

struct Group {
    op: &'static str,
    mode: Mode,
    lang: Lang,
    platform: &'static str,
    size: (usize, usize),
    tags: &'static [&'static str],
    /// Seconds over which one episode's posts spread.
    spread: (i64, i64),
}

const GROUPS: [Group; 5] = [
    Group {
        op: "op-coord-1",
        mode: Mode::Text,
        lang: Lang::Fr,
        platform: "x",
        size: (12, 20),
        tags: &["Réveillez-vous"],
        spread: (10, 50),
    },
    Group {
        op: "op-coord-2",
        mode: Mode::Url,
        lang: Lang::Fr,
        platform: "facebook",
        size: (8, 14),
        tags: &[],
        spread: (10, 50),
    },
    Group {
        op: "op-coord-3",
        mode: Mode::HashtagSet,
        lang: Lang::De,
        platform: "x",
        size: (15, 30),
        tags: &["StopBrüssel", "EUDiktatur", "FriedenJetzt"],
        spread: (10, 50),
    },
    Group {
        op: "op-coord-4",
        mode: Mode::Repost,
        lang: Lang::En,
        platform: "x",
        size: (10, 18),
        tags: &[],
        spread: (10, 50),
    },
    Group {
        op: "op-coord-5",
        mode: Mode::Url,
        lang: Lang::It,
        platform: "x",
        size: (10, 16),
        tags: &[],
        spread: (90, 180),
    },
];

fn intro(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::Fr => &[
            "À lire absolument",
            "Ce que les médias vous cachent",
            "Incroyable",
            "Partagez avant la censure",
            "Regardez ça",
            "Ils ne veulent pas que vous le sachiez",
        ],
        Lang::De => &[
            "Unbedingt lesen",
            "Was die Medien verschweigen",
            "Unglaublich",
            "Teilen bevor es gelöscht wird",
        ],
        _ => &[
            "Must read",
            "What the media won't tell you",
            "Unbelievable",
            "Share before it's deleted",
            "Look at this",
        ],
    }
}

pub fn inject(ctx: &mut Ctx<'_>) -> Vec<Operation> {
    let ops = GROUPS.iter().map(|g| inject_one(ctx, g)).collect();
    organic_lookalikes(ctx);
    ops
}

/// Crowds that act together once, for a reason: a story everyone shares within minutes, and
/// fans live-tweeting a match or a show with its hashtags for two hours.
fn organic_lookalikes(ctx: &mut Ctx<'_>) {
    let mut neg = NegativeSet {
        reason: "organic crowds: viral news shared at once, fans live-tweeting one event".into(),
        ..NegativeSet::default()
    };
    let outlets = [
        ("https://www.lemonde.fr/politique/article", Lang::Fr),
        ("https://www.spiegel.de/politik/deutschland", Lang::De),
        ("https://www.bbc.com/news/world-europe", Lang::En),
        ("https://www.corriere.it/politica", Lang::It),
    ];
    for (base, lang) in outlets {
        let vocab = ctx.texts.vocab(lang);
        let day = ctx.day_in(0, ctx.clock.days);
        let start = ctx.clock.at(day, ctx.rng.gen_range(7 * 3600..21 * 3600));
        let url = format!("{base}/{}.html", ctx.rng.gen_range(10_000_000..99_999_999));
        let intro = intro(lang);
        for _ in 0..ctx.rng.gen_range(20..=120) {
            let who = ctx.person_account("x", lang, true);
            // Shares pile up fast, then slow down: most in the first minutes.
            let u: f64 = ctx.rng.gen();
            let at = start + Duration::seconds((600.0 * u * u) as i64);
            let text = format!(
                "{} {} {url}",
                intro[ctx.rng.gen_range(0..intro.len())],
                vocab.sentence(&mut ctx.rng, 3, 8)
            );
            let id = ctx.post(&who, "x", at, text, lang, None);
            neg.accounts.push(who);
            neg.items.push(id);
        }
    }
    let events: [(&[&str], Lang); 2] = [
        (&["Eurovision", "ESC2024", "Eurovision2024"], Lang::En),
        (&["FRABEL", "EURO2024", "AllezLesBleus"], Lang::Fr),
    ];
    for (tags, lang) in events {
        let vocab = ctx.texts.vocab(lang);
        let day = ctx.day_in(0, ctx.clock.days);
        let start = ctx.clock.at(day, 19 * 3600 + ctx.rng.gen_range(0..3600));
        let fans: Vec<String> = (0..ctx.rng.gen_range(120..=250))
            .map(|_| ctx.person_account("x", lang, true))
            .collect();
        for fan in &fans {
            // Most fans post once or twice, a few a dozen times.
            let posts = 1 + (ctx.rng.gen::<f64>().powi(2) * 11.0) as usize;
            for _ in 0..posts {
                let at = start + Duration::seconds(ctx.rng.gen_range(0..7200));
                let mut chosen: Vec<&str> = tags
                    .iter()
                    .copied()
                    .filter(|_| ctx.rng.gen_bool(0.5))
                    .collect();
                if chosen.is_empty() {
                    chosen.push(tags[0]);
                }
                let text = format!(
                    "{} {}",
                    vocab.sentence(&mut ctx.rng, 3, 10),
                    chosen
                        .iter()
                        .map(|t| format!("#{t}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let id = ctx.post(fan, "x", at, text, lang, None);
                neg.items.push(id);
            }
            neg.accounts.push(fan.clone());
        }
        neg.hashtags.extend(tags.iter().map(|t| (*t).to_owned()));
    }
    ctx.negatives.add("coordination", neg);
}

fn inject_one(ctx: &mut Ctx<'_>, g: &Group) -> Operation {
    let texts = ctx.texts;
    let vocab = texts.vocab(g.lang);
    let size = ctx.rng.gen_range(g.size.0..=g.size.1);
    let mut op = operation(
        g.op,
        "coordination",
        format!(
            "{size} {} accounts repeatedly posting together ({}) within {WINDOW_SECONDS} seconds",
            g.platform,
            g.mode.name()
        ),
    );
    let members: Vec<String> = (0..size)
        .map(|_| ctx.person_account(g.platform, g.lang, true))
        .collect();
    op.accounts = members.clone();
    if g.mode == Mode::HashtagSet {
        op.hashtags = g.tags.iter().map(|t| (*t).to_owned()).collect();
    }

    // The account whose posts the repost group amplifies: not itself coordinated.
    let amplified = (g.mode == Mode::Repost).then(|| {
        let created = ctx.clock.t0 - Duration::days(ctx.rng.gen_range(800..2500));
        let id = ctx.account(
            g.platform,
            "free_europe_voice".into(),
            Some("Free Europe Voice".into()),
            created,
            g.lang,
            true,
        );
        if let Some(a) = ctx.account_mut(&id) {
            a.followers = Some(38_000);
        }
        id
    });

    let episodes = ctx.rng.gen_range(6..=10);
    let mut ep_out = Vec::new();
    let mut targets = Vec::new();
    for e in 0..episodes {
        // Spread episodes over the period: one per slice of days.
        let slice = ctx.clock.days as f64 / episodes as f64;
        let lo = (e as f64 * slice) as u32;
        let hi = (((e + 1) as f64 * slice) as u32).max(lo + 1);
        let day = ctx.day_in(lo, hi);
        let start = ctx.clock.at(day, ctx.rng.gen_range(8 * 3600..22 * 3600));
        let spread = ctx.rng.gen_range(g.spread.0..=g.spread.1);

        let mut who = members.clone();
        who.shuffle(&mut ctx.rng);
        let keep = ((size as f64) * ctx.rng.gen_range(0.6..=1.0)).ceil() as usize;
        who.truncate(keep.max(5).min(size));

        // What this episode pushes.
        let (sentence, talking_point) = narrative::keyed_sentence(&mut ctx.rng, g.lang);
        let template = format!(
            "{} {}",
            sentence,
            [
                "Partagez massivement !",
                "Faites tourner !",
                "Réveillez-vous !"
            ][ctx.rng.gen_range(0..3)]
        );
        let url = (g.mode == Mode::Url).then(|| relay_url_before(ctx, start));
        let target = match (&amplified, g.mode) {
            (Some(author), Mode::Repost) => {
                let (text, key) = narrative::keyed_sentence(&mut ctx.rng, g.lang);
                let at = start - Duration::seconds(ctx.rng.gen_range(120..900));
                let id = ctx.post(author, g.platform, at, text.clone(), g.lang, None);
                ctx.copies(&key, &id);
                targets.push(id.clone());
                Some((id, text))
            }
            _ => None,
        };
        let amplified_handle = amplified
            .as_deref()
            .map(|a| ctx.handle_of(a))
            .unwrap_or_default();

        let mut offsets: Vec<i64> = who.iter().map(|_| ctx.rng.gen_range(0..=spread)).collect();
        offsets.sort_unstable();
        let mut items = Vec::new();
        for (member, off) in who.iter().zip(offsets) {
            let at = start + Duration::seconds(off);
            let (text, repost_of) = match g.mode {
                Mode::Text => {
                    let t = if ctx.rng.gen_bool(0.5) {
                        template.clone()
                    } else {
                        reword(&mut ctx.rng, &template, vocab, g.tags)
                    };
                    (t, None)
                }
                Mode::Url => {
                    let intro = intro(g.lang);
                    let lead = intro[ctx.rng.gen_range(0..intro.len())];
                    let body = vocab.sentence(&mut ctx.rng, 4, 10);
                    (
                        format!("{lead} 👉 {body} {}", url.clone().unwrap_or_default()),
                        None,
                    )
                }
                Mode::HashtagSet => {
                    let mut tags: Vec<&str> = g.tags.to_vec();
                    tags.shuffle(&mut ctx.rng);
                    let body = vocab.sentence(&mut ctx.rng, 5, 14);
                    let tags: Vec<String> = tags.iter().map(|t| format!("#{t}")).collect();
                    (format!("{body} {}", tags.join(" ")), None)
                }
                Mode::Repost => {
                    let (tid, ttext) = target.clone().unwrap_or_default();
                    (format!("RT @{amplified_handle}: {ttext}"), Some(tid))
                }
            };
            let id = ctx.post(member, g.platform, at, text, g.lang, repost_of);
            if g.mode == Mode::Text {
                ctx.copies(&talking_point, &id);
            }
            items.push(id);
        }
        let mut ep = Map::new();
        ep.insert("start".into(), Value::from(start.to_rfc3339()));
        if let Some(u) = &url {
            ep.insert("url".into(), Value::from(u.as_str()));
        }
        if let Some((tid, _)) = &target {
            ep.insert("target".into(), Value::from(tid.as_str()));
        }
        ep.insert("items".into(), strings(&items));
        ep_out.push(Value::Object(ep));
        op.items.extend(items);
    }
    op.details.insert("mode".into(), Value::from(g.mode.name()));
    op.details.insert(
        "window_seconds".into(),
        Value::from(WINDOW_SECONDS.max(g.spread.1)),
    );
    op.details.insert("episodes".into(), Value::Array(ep_out));
    if let Some(a) = amplified {
        op.details
            .insert("amplified_account".into(), Value::from(a));
        op.details.insert("targets".into(), strings(&targets));
    }
    op
}

/// The URL of a relay-network article published before `t`, as a coordinated group would push
/// it; a fabricated relay URL when none exists yet.
fn relay_url_before(ctx: &mut Ctx<'_>, t: chrono::DateTime<chrono::Utc>) -> String {
    let candidates: Vec<&str> = ctx
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Article(a) if a.published_at < t && a.source_url.is_some() => {
                Some(a.url.as_str())
            }
            _ => None,
        })
        .collect();
    if candidates.is_empty() {
        format!(
            "https://pravda-fr.com/europe/{}.html",
            ctx.rng.gen_range(100_000..999_999)
        )
    } else {
        let i = ctx.rng.gen_range(0..candidates.len());
        candidates[i].to_owned()
    }
}
