//! Single-core normalisation throughput on generated tweet-like posts.
//!
//! `cargo run -p vigie-normalise --release --example normalise_throughput [N] [declared|detected]`
//!
//! Two runs: posts with a declared `lang` (as in the IRA archive, which carries `tweet_language`)
//! and posts without one, where language detection runs on every record.

use chrono::{TimeDelta, TimeZone, Utc};
use std::time::Instant;
use vigie_core::config::InputConfig;
use vigie_core::record::{Post, Record};
use vigie_normalise::Normaliser;

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// True once in `n` draws on average.
    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n < 1
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const EN: &[&str] = &[
    "Hillary's emails prove the election was rigged, share before they delete it",
    "Black lives matter protest downtown tonight, police everywhere",
    "Breaking: polling stations in Ohio will close early because of the storm",
    "Why is nobody talking about the real unemployment numbers?",
    "Great rally today, the crowd was huge and the media will not show it",
];
const RU: &[&str] = &[
    "У НАС НОВОЕ ВИДЕО! Американец: если бы не 27 миллионов русских, я бы сейчас говорил по-немецки",
    "Выборы на Украине были сфальсифицированы, это понимают все",
    "Санкции ударили по самой Европе, а не по России",
    "Сегодня в Москве прошёл митинг в поддержку Донбасса",
];
const FR: &[&str] = &[
    "Fraude massive aux élections européennes : les médias se taisent",
    "Le candidat refuse de débattre ce soir, qu'a-t-il à cacher ?",
    "Les bureaux de vote ouvriront dimanche à huit heures dans toute la France",
];
const DE: &[&str] = &[
    "Die Wahllokale öffnen am Sonntag um acht Uhr im ganzen Land",
    "Warum berichtet niemand über die wahren Kosten der Sanktionen?",
];
const TAGS: &[&str] = &[
    "#MAGA",
    "#Election2016",
    "#Выборы",
    "#Européennes2024",
    "#BLM",
    "#news",
    "#Донбасс",
];
const USERS: &[&str] = &[
    "@ruopentwit",
    "@TEN_GOP",
    "@Jenn_Abrams",
    "@lemondefr",
    "@realDonaldTrump",
];
const LINKS: &[&str] = &[
    "https://t.co/mAcCirn4o1",
    "https://t.co/Xy12AbCdEf…",
    "http://ru-open.livejournal.com/374284.html",
    "https://www.lemonde.fr/politique/article/2024/06/01/x.html?utm_source=twitter#xtor=CS2",
    "www.rt.com/news/12345-sanctions/",
];

fn generate(n: usize, with_lang: bool) -> Vec<Record> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t0 = Utc
        .with_ymd_and_hms(2016, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (0..n)
        .map(|i| {
            let (lang, body) = match rng.next() % 10 {
                0..=4 => ("en", rng.pick(EN)),
                5..=7 => ("ru", rng.pick(RU)),
                8 => ("fr", rng.pick(FR)),
                _ => ("de", rng.pick(DE)),
            };
            let mut text = String::new();
            if rng.one_in(3) {
                text.push_str("RT ");
                text.push_str(rng.pick(USERS));
                text.push_str(": ");
            }
            text.push_str(body);
            if rng.one_in(2) {
                text.push(' ');
                text.push_str(rng.pick(TAGS));
            }
            if rng.one_in(2) {
                text.push(' ');
                text.push_str(rng.pick(LINKS));
            }
            Record::Post(Post {
                id: (877_919_995_476_496_385u64 + i as u64).to_string(),
                platform: "twitter".into(),
                author: format!("user{}", rng.next() % 50_000),
                created_at: t0 + TimeDelta::seconds((rng.next() % 100_000_000) as i64),
                text,
                lang: with_lang.then(|| lang.to_owned()),
                urls: Vec::new(),
                hashtags: Vec::new(),
                mentions: Vec::new(),
                reply_to: None,
                repost_of: None,
                quote_of: None,
                media: Vec::new(),
                metrics: None,
                extra: Default::default(),
            })
        })
        .collect()
}

fn run(label: &str, records: Vec<Record>, normaliser: &Normaliser) {
    let n = records.len();
    let start = Instant::now();
    let (mut ok, mut detected, mut bytes) = (0usize, 0usize, 0usize);
    for r in records {
        if let Ok(out) = normaliser.normalise(r) {
            ok += 1;
            detected += usize::from(out.derived.lang_detected);
            bytes += out.derived.text.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: {n} posts in {secs:.3}s = {:.0} records/s ({ok} ok, {detected} lang detected, {bytes} folded bytes)",
        n as f64 / secs
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    // Optional second argument: "declared" or "detected" to run one mode only (for profiling).
    let mode = std::env::args().nth(2).unwrap_or_default();
    let normaliser = Normaliser::new(&InputConfig::default());
    if mode != "detected" {
        run("declared lang ", generate(n, true), &normaliser);
    }
    if mode != "declared" {
        run("detected lang ", generate(n, false), &normaliser);
    }
}
