use super::*;
use crate::test_support::store_with;
use vigie_core::Config;

/// xorshift64*: a fixed pseudo-random stream without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len() as u64) as usize]
    }
}

const FR_WORDS: &[&str] = &[
    "conseil",
    "municipal",
    "budget",
    "ecoles",
    "transport",
    "quartier",
    "mairie",
    "projet",
    "habitants",
    "reunion",
    "culture",
    "sport",
    "association",
    "travaux",
    "velo",
    "marche",
    "bibliotheque",
    "jeunesse",
    "logement",
    "emploi",
    "sante",
    "parc",
    "festival",
    "route",
];
const FR_NEW_TOPIC: &[&str] = &[
    "europe",
    "parlement",
    "elections",
    "liste",
    "candidats",
    "debat",
    "programme",
    "bruxelles",
    "strasbourg",
    "deputes",
    "scrutin",
    "campagne",
];
const EN_WORDS: &[&str] = &[
    "council",
    "budget",
    "schools",
    "transport",
    "district",
    "meeting",
    "culture",
    "housing",
    "health",
    "festival",
    "project",
    "residents",
];
const RU_WORDS: &[&str] = &[
    "запад",
    "нато",
    "санкции",
    "правда",
    "элиты",
    "война",
    "брюссель",
    "кризис",
    "народ",
    "выборы",
    "ложь",
    "киев",
];

/// How a post of a simulated account is written.
#[derive(Clone, Copy)]
struct Style<'a> {
    lang: &'a str,
    words: &'a [&'a str],
    client: Option<&'a str>,
    /// Local hours (UTC) the account posts in, and mean gap between posts in minutes.
    hours: (u64, u64),
    gap_minutes: u64,
    domains: &'a [&'a str],
    /// Share of posts with a link, in percent.
    link_pct: u64,
}

const OWNER: Style<'static> = Style {
    lang: "fr",
    words: FR_WORDS,
    client: Some("Twitter for iPhone"),
    hours: (6, 21),
    gap_minutes: 150,
    domains: &["lemonde.fr", "ouest-france.fr", "mairie-exemple.fr"],
    link_pct: 30,
};

const OPERATOR: Style<'static> = Style {
    lang: "ru",
    words: RU_WORDS,
    client: Some("Twitter Web App"),
    hours: (0, 5),
    gap_minutes: 6,
    domains: &["rrn.media", "news-front.info"],
    link_pct: 80,
};

/// Simulates an account: `(style, posts)` phases in order, from 2024-05-01. Returns the tracker
/// and the ids of the posts, in order.
fn simulate(
    phases: &[(Style<'_>, usize)],
    seed: u64,
    settings: &Settings,
) -> (Tracker, Vec<String>) {
    let mut rng = Rng(seed | 1);
    let mut t = 1_714_521_600_000i64;
    let mut tracker = Tracker::new(settings);
    let mut ids = Vec::new();
    let mut n = 0;
    for (style, count) in phases {
        for _ in 0..*count {
            n += 1;
            // Next post: a gap around the style's mean, moved into the style's hours.
            t += ((rng.below(style.gap_minutes * 2) + 1) * 60_000) as i64;
            let hour = (t / 3_600_000).rem_euclid(24) as u64;
            let (lo, hi) = style.hours;
            if hour < lo || hour > hi {
                let wait = (lo + 24 - hour) % 24;
                t += (wait * 3_600_000) as i64 + (rng.below(3_600) * 1000) as i64;
            }
            let words: Vec<&str> = (0..6).map(|_| rng.pick(style.words)).collect();
            let domains: Vec<String> = if rng.below(100) < style.link_pct {
                vec![rng.pick(style.domains).to_owned()]
            } else {
                vec![]
            };
            let id = format!("p{n}");
            let f = PostFeatures::new(
                &id,
                t,
                tracker.gap(t),
                Some(style.lang),
                style.client,
                &words.join(" "),
                &[],
                &domains,
            );
            tracker.push(f);
            ids.push(id);
        }
    }
    tracker.finish();
    (tracker, ids)
}

#[test]
fn a_takeover_is_found_with_its_change_point_and_the_facets_that_moved() {
    for seed in [1u64, 7, 42, 1234] {
        let (t, ids) = simulate(&[(OWNER, 120), (OPERATOR, 40)], seed, &Settings::default());
        assert_eq!(t.changes.len(), 1, "seed {seed}");
        let c = &t.changes[0];
        let at = ids
            .iter()
            .position(|i| **i == *c.snapshot.change_id)
            .unwrap_or(0);
        assert!(
            (118..=122).contains(&at),
            "seed {seed}: change found at post {at}"
        );
        let facets: Vec<&str> = c.snapshot.changed.iter().map(|f| f.facet.name()).collect();
        for f in ["language", "client", "link_domains"] {
            assert!(facets.contains(&f), "seed {seed}: {facets:?}");
        }
        assert_eq!(c.snapshot.before["language"][0].0, "fr");
        assert_eq!(c.snapshot.after["language"][0].0, "ru");
        assert_eq!(c.snapshot.after["client"][0].0, "twitter web app");
        // Evidence: the operator's posts, from the change on.
        assert!(
            c.items.len() >= 35 && c.items.len() <= 42,
            "{}",
            c.items.len()
        );
        assert!(c
            .items
            .iter()
            .all(|(_, id)| id[1..].parse::<usize>().unwrap_or(0) > 117));
    }
}

#[test]
fn a_takeover_in_the_same_language_is_found_from_client_rhythm_and_links() {
    let same_language = Style {
        lang: "fr",
        words: FR_NEW_TOPIC,
        ..OPERATOR
    };
    let (t, _) = simulate(
        &[(OWNER, 100), (same_language, 40)],
        3,
        &Settings::default(),
    );
    assert_eq!(t.changes.len(), 1);
    let groups = t.changes[0].snapshot.groups;
    assert!(groups >= 3, "{groups}");
}

#[test]
fn too_little_history_is_not_judged() {
    let (t, _) = simulate(&[(OWNER, 35), (OPERATOR, 40)], 5, &Settings::default());
    assert!(t.changes.is_empty());
    // The same account with enough history is.
    let (t, _) = simulate(&[(OWNER, 90), (OPERATOR, 40)], 5, &Settings::default());
    assert_eq!(t.changes.len(), 1);
}

#[test]
fn ordinary_changes_of_habit_are_not_takeovers() {
    let travelling = Style {
        hours: (14, 23),
        ..OWNER
    };
    let new_subject = Style {
        words: FR_NEW_TOPIC,
        ..OWNER
    };
    let english = Style {
        lang: "en",
        words: EN_WORDS,
        ..OWNER
    };
    let new_phone = Style {
        client: Some("Twitter for Android"),
        ..OWNER
    };
    for seed in [2u64, 9, 77] {
        let s = Settings::default();
        for (what, phases) in [
            ("travel", vec![(OWNER, 100), (travelling, 40), (OWNER, 20)]),
            ("new subject", vec![(OWNER, 100), (new_subject, 60)]),
            ("new phone", vec![(OWNER, 100), (new_phone, 60)]),
            (
                "a second language now and then",
                (0..16)
                    .flat_map(|_| [(OWNER, 8), (english, 2)])
                    .collect::<Vec<_>>(),
            ),
            (
                "silent ten days, then as before",
                vec![
                    (OWNER, 80),
                    (
                        Style {
                            gap_minutes: 14_400,
                            ..OWNER
                        },
                        1,
                    ),
                    (OWNER, 60),
                ],
            ),
        ] {
            let (t, _) = simulate(&phases, seed, &s);
            let why: Vec<Vec<(&str, f64, f64, f64)>> = t
                .changes
                .iter()
                .map(|c| {
                    c.snapshot
                        .changed
                        .iter()
                        .map(|f| (f.facet.name(), f.jsd, f.usual, f.z))
                        .collect()
                })
                .collect();
            assert!(t.changes.is_empty(), "seed {seed}: {what} flagged: {why:?}");
        }
    }
}

#[test]
fn gradual_drift_is_absorbed() {
    // Topics and links drift a little at a time: 20 phases moving one word of twelve each.
    let mut phases = Vec::new();
    let all: Vec<&str> = FR_WORDS.iter().chain(FR_NEW_TOPIC).copied().collect();
    let words: Vec<Vec<&str>> = (0..=12).map(|k| all[k..k + 24].to_vec()).collect();
    let styles: Vec<Style<'_>> = words
        .iter()
        .map(|w| Style {
            words: w.as_slice(),
            ..OWNER
        })
        .collect();
    for s in &styles {
        phases.push((*s, 15));
    }
    let (t, _) = simulate(&phases, 11, &Settings::default());
    assert!(t.changes.is_empty());
}

#[test]
fn divergence_is_zero_for_the_same_distribution_and_one_for_disjoint_ones() {
    let mut c = Counter::new(8);
    c.add(&Sym::new("fr"), 3.0);
    c.add(&Sym::new("en"), 1.0);
    let posts = |langs: &[&str]| -> Vec<PostFeatures> {
        langs
            .iter()
            .enumerate()
            .map(|(i, l)| PostFeatures::new(&i.to_string(), 0, None, Some(l), None, "", &[], &[]))
            .collect()
    };
    let same = posts(&["fr", "fr", "fr", "en"]);
    let (q, n) = window_distribution(same.iter(), Facet::Language);
    assert_eq!(n, 4);
    assert!(jsd(&c, &q).abs() < 1e-12);
    let other = posts(&["ru", "ru"]);
    let (q, _) = window_distribution(other.iter(), Facet::Language);
    assert!((jsd(&c, &q) - 1.0).abs() < 1e-12);
    // Half the window in a new language: ½[log2(4/3)] + ½[½·log2(2/3) + ½·log2(2)] ≈ 0.311.
    let mut fr = Counter::new(8);
    fr.add(&Sym::new("fr"), 1.0);
    let half = posts(&["fr", "ru"]);
    let (q, _) = window_distribution(half.iter(), Facet::Language);
    assert!((jsd(&fr, &q) - 0.3113).abs() < 1e-3, "{}", jsd(&fr, &q));
}

#[test]
fn counters_stay_bounded_and_keep_the_heavy_values() {
    let mut c = Counter::new(4);
    for i in 0..100 {
        c.add(&Sym::new("common"), 1.0);
        c.add(&Sym::new(&format!("rare{i}")), 0.1);
    }
    assert_eq!(c.weights.len(), 4);
    assert_eq!(c.top(1)[0].0, "common");
    assert!(c.p(Sym::new("common").key) > 0.85);
}

#[test]
fn clients_gaps_and_terms_are_read_as_shown() {
    assert_eq!(
        clean_client("<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for  iPhone</a>"),
        "twitter for iphone"
    );
    assert_eq!(gap_label(30_000), "<2min");
    assert_eq!(gap_label(5 * 60_000), "4-8min");
    assert_eq!(gap_label(3 * 3_600_000), "2-4h");
    assert_eq!(gap_label(30 * 86_400_000), ">64h");
    assert_eq!(gap_label(-5), "<2min");
    let t = terms(
        "voir https://lemonde.fr/x @ami #vote les élections 2024 européennes",
        &["Vote".into()],
    );
    let labels: Vec<&str> = t.iter().map(|s| &*s.label).collect();
    assert_eq!(labels, vec!["#vote", "voir", "élections", "européennes"]);
}

fn post_line(id: &str, author: &str, at: i64, lang: &str, client: &str, text: &str) -> String {
    let at = ts(at).to_rfc3339();
    format!(
        r#"{{"kind":"post","id":"{id}","platform":"x","author":"{author}","created_at":"{at}","text":"{text}","lang":"{lang}","client":"{client}"}}"#
    )
}

/// An account's posts as JSONL: `owner` posts, then `operator` posts.
fn account_lines(author: &str, owner: usize, operator: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    let mut t = 1_714_521_600_000i64;
    let mut out = Vec::new();
    for i in 0..owner + operator {
        let style = if i < owner { OWNER } else { OPERATOR };
        t += ((rng.below(style.gap_minutes * 2) + 1) * 60_000) as i64;
        let hour = (t / 3_600_000).rem_euclid(24) as u64;
        if hour < style.hours.0 || hour > style.hours.1 {
            t += (((style.hours.0 + 24 - hour) % 24) * 3_600_000) as i64;
        }
        let mut text: Vec<String> = (0..6).map(|_| rng.pick(style.words).to_owned()).collect();
        if rng.below(100) < style.link_pct {
            text.push(format!("https://{}/a/{i}", rng.pick(style.domains)));
        }
        out.push(post_line(
            &format!("{author}-{i}"),
            author,
            t,
            style.lang,
            style.client.unwrap_or(""),
            &text.join(" "),
        ));
    }
    out
}

fn scan(config: &str, lines: &[String]) -> Vec<Alert> {
    let config = Config::from_toml(config, "t").unwrap();
    let store = store_with(lines);
    let ctx = Context::new(&config, &store);
    let settings: super::super::Settings = config.detector_settings(super::super::NAME).unwrap();
    let mut alerts: Vec<Alert> = detect(&ctx, &settings.takeover)
        .unwrap()
        .into_iter()
        .map(Alert::finalise)
        .collect();
    alerts.sort_by(|a, b| a.title.cmp(&b.title));
    alerts
}

#[test]
fn protected_and_watched_accounts_are_followed_and_others_left_alone() {
    let mut lines = vec![
        r#"{"kind":"account","id":"101","platform":"x","handle":"JaneExample"}"#.to_owned(),
        r#"{"kind":"account","id":"102","platform":"x","handle":"mairie_exemple"}"#.to_owned(),
        r#"{"kind":"account","id":"103","platform":"x","handle":"someone_else"}"#.to_owned(),
    ];
    lines.extend(account_lines("101", 110, 40, 1));
    lines.extend(account_lines("102", 110, 40, 2));
    lines.extend(account_lines("103", 110, 40, 3));
    let config = r#"
[[protected]]
kind = "candidate"
name = "Jane Example"
handles = ["x:janeexample"]

[detectors.manufactured_media.takeover]
watched = ["twitter:@Mairie_Exemple"]
"#;
    let alerts = scan(config, &lines);
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let jane = &alerts[0];
    assert_eq!(
        jane.title,
        "Possible takeover of @JaneExample (Jane Example)"
    );
    assert_eq!(jane.evidence.accounts, vec!["101"]);
    assert_eq!(jane.disarm, vec!["T0143.003", "T0150.005"]);
    assert_eq!(jane.evidence.figures["signal"], ACCOUNT_TAKEOVER);
    assert_eq!(jane.evidence.figures["protected_entity"], "Jane Example");
    assert!(
        jane.summary.contains("language (fr → ru)"),
        "{}",
        jane.summary
    );
    assert!(jane.evidence.items.iter().all(|i| i.starts_with("101-")));
    let first: usize = jane.evidence.figures["change_post"]
        .as_str()
        .and_then(|s| s.strip_prefix("101-"))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!((108..=112).contains(&first), "{first}");
    let mairie = &alerts[1];
    assert_eq!(mairie.evidence.accounts, vec!["102"]);
    assert_eq!(mairie.disarm, vec!["T0150.005"]);
    // Deterministic: the same store gives the same alerts.
    let again = scan(config, &lines);
    assert_eq!(
        serde_json::to_string(&alerts).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    // Watching everyone finds the third account too.
    let all = scan(
        "[detectors.manufactured_media.takeover]\nwatch_all = true\n",
        &lines,
    );
    assert_eq!(all.len(), 3);
}

#[test]
fn a_recovered_account_ends_the_change_and_its_own_posts_are_not_evidence() {
    for seed in [4u64, 8, 15] {
        let (t, _) = simulate(
            &[(OWNER, 120), (OPERATOR, 40), (OWNER, 80)],
            seed,
            &Settings::default(),
        );
        assert_eq!(t.changes.len(), 1, "seed {seed}");
        let c = &t.changes[0];
        let posts: Vec<usize> = c
            .items
            .iter()
            .map(|(_, id)| id[1..].parse::<usize>().unwrap_or(0))
            .collect();
        // Posts are numbered from 1: the operator wrote 121..=160; the change's ends may be
        // off by a post or two.
        assert!(
            posts.iter().all(|p| (119..=162).contains(p)),
            "seed {seed}: {posts:?}"
        );
        assert!(posts.len() >= 36, "seed {seed}: {}", posts.len());
    }
}
