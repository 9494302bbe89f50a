//! `account_burst`: many accounts created (or first active) together, that also look alike —
//! patterned handles (one name shape, trailing digits), shared avatars, repeated bios
//! (SPEC §5.3).
//!
//! Creation times are sorted per platform; a window of `window_hours` is a burst when it holds
//! at least `min_accounts` creations and that count is unlikely under the platform's local
//! creation rate (Poisson, rate from the `baseline_days` around the window, Bonferroni over the
//! windows tested). A burst alone is not an operation — a televised debate brings genuine
//! sign-ups — so an alert needs the burst's accounts to look made in series: the accounts that
//! share the dominant handle shape, an avatar or a bio with several others are reported, when
//! there are at least `min_accounts` of them.
//!
//! Accounts without a creation date count from their first post, except in the first
//! `warmup_days` of the data, where every account is "first active".

use super::manufactured_media::{find, parse_phash, union, PhashIndex};
use crate::graph::poisson_tail;
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Record, Severity};

pub const NAME: &str = "account_burst";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Length of a burst window.
    pub window_hours: i64,
    /// A burst has at least this many accounts, and an alert this many alike.
    pub min_accounts: usize,
    /// The local creation rate is measured over this many days around the window.
    pub baseline_days: i64,
    /// Family-wise chance level of the burst test.
    pub alpha: f64,
    /// Share of the burst's accounts that must look alike.
    pub min_alike_share: f64,
    /// Days at the start of the data where first activity says nothing about creation.
    pub warmup_days: i64,
    /// Evidence lists are cut at this many entries.
    pub max_evidence_items: usize,
    /// Avatars whose 64-bit perceptual hashes differ in at most this many bits are one picture
    /// (a copy recompressed or resized moves a few bits); `manufactured_media`'s `max_distance`.
    pub max_avatar_distance: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            window_hours: 3,
            min_accounts: 10,
            baseline_days: 30,
            alpha: 0.01,
            min_alike_share: 0.5,
            warmup_days: 3,
            max_evidence_items: 500,
            max_avatar_distance: 12,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(AccountBurst {
        settings: config.detector_settings(NAME)?,
    }))
}

pub struct AccountBurst {
    settings: Settings,
}

/// What the detector knows of one account.
#[derive(Debug, Clone, Default)]
struct Profile {
    id: String,
    platform: String,
    handle: String,
    /// Unix milliseconds of creation, or of first post.
    born: i64,
    from_first_post: bool,
    avatar: Option<String>,
    bio: Option<String>,
}

/// The shape of a handle: letters become `a`, digits `9`, runs collapse except for digits —
/// `jean_dupont4821` and `marie_martin1937` are both `a_a9999`.
pub fn handle_shape(handle: &str) -> String {
    let mut out = String::with_capacity(handle.len());
    for c in handle.chars() {
        let class = if c.is_alphabetic() {
            'a'
        } else if c.is_ascii_digit() {
            '9'
        } else {
            c
        };
        if class == 'a' && out.ends_with('a') {
            continue;
        }
        out.push(class);
    }
    out
}

impl Detector for AccountBurst {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let profiles = profiles(ctx, &self.settings)?;
        let mut by_platform: BTreeMap<&str, Vec<&Profile>> = BTreeMap::new();
        for p in &profiles {
            by_platform.entry(p.platform.as_str()).or_default().push(p);
        }
        let mut bursts: Vec<Vec<&Profile>> = Vec::new();
        for (_, mut accounts) in by_platform {
            accounts.sort_by(|a, b| a.born.cmp(&b.born).then_with(|| a.id.cmp(&b.id)));
            bursts.extend(self.bursts(&accounts));
        }
        let mut alerts = Vec::new();
        let mut flagged: Vec<Vec<String>> = Vec::new();
        for burst in &bursts {
            if let Some((alert, accounts)) = self.alert(burst) {
                alerts.push(alert);
                flagged.push(accounts);
            }
        }
        attach_posts(ctx, &mut alerts, &flagged, self.settings.max_evidence_items)?;
        Ok(alerts)
    }
}

impl AccountBurst {
    /// Windows with significantly many creations, merged where they overlap.
    fn bursts<'p>(&self, accounts: &[&'p Profile]) -> Vec<Vec<&'p Profile>> {
        let s = &self.settings;
        let window = s.window_hours.max(1) * 3_600_000;
        let half_baseline = s.baseline_days.max(1) * 43_200_000;
        let tests = accounts.len().max(1) as f64;
        let times: Vec<i64> = accounts.iter().map(|a| a.born).collect();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut end = 0usize;
        for start in 0..times.len() {
            end = end.max(start);
            while end + 1 < times.len() && times[end + 1] - times[start] <= window {
                end += 1;
            }
            let count = end - start + 1;
            if count < s.min_accounts {
                continue;
            }
            // Local rate: creations around the window, the window itself left out.
            let lo = times.partition_point(|&t| t < times[start] - half_baseline);
            let hi = times.partition_point(|&t| t <= times[start] + half_baseline);
            let around = (hi - lo).saturating_sub(count) as f64;
            let span = (2 * half_baseline - window).max(window) as f64;
            // At least one creation per baseline period: an empty history is not a zero rate.
            let expected = (around.max(1.0) / span) * window as f64;
            if poisson_tail(count as u64, expected) > s.alpha / tests {
                continue;
            }
            match spans.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => spans.push((start, end)),
            }
        }
        spans
            .into_iter()
            .map(|(a, b)| accounts[a..=b].to_vec())
            .collect()
    }

    fn alert(&self, burst: &[&Profile]) -> Option<(Alert, Vec<String>)> {
        let s = &self.settings;
        let mut shapes: HashMap<String, usize> = HashMap::new();
        let avatars = avatar_groups(burst, s.max_avatar_distance);
        let mut bios: HashMap<String, usize> = HashMap::new();
        for p in burst {
            *shapes.entry(handle_shape(&p.handle)).or_default() += 1;
            if let Some(b) = &p.bio {
                let folded = vigie_normalise::text::fold(b);
                if folded.chars().count() >= 10 {
                    *bios.entry(folded).or_default() += 1;
                }
            }
        }
        // The dominant shape, if it is specific (digits or separators, not just a name).
        let (shape, shape_count) = shapes
            .iter()
            .filter(|(shape, _)| shape.contains('9') || shape.len() > 2)
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, v)| (k.clone(), *v))
            .unwrap_or_default();
        let min_group = 3;
        let bio_shared = |p: &Profile| {
            p.bio.as_deref().is_some_and(|b| {
                bios.get(&vigie_normalise::text::fold(b))
                    .copied()
                    .unwrap_or(0)
                    >= min_group
            })
        };
        // How many series markers an account shares with at least `min_group` others.
        let markers = |p: &Profile| {
            usize::from(shape_count >= min_group && handle_shape(&p.handle) == shape)
                + usize::from(avatars.get(p.id.as_str()).copied().unwrap_or(0) >= min_group)
                + usize::from(bio_shared(p))
        };
        let alike: Vec<&Profile> = burst.iter().copied().filter(|p| markers(p) >= 1).collect();
        // Accounts alike in two ways at once (same handle shape and same avatar, say) are made
        // in series whatever else signed up that hour: a genuine sign-up wave at the same time
        // (a debate night) does not hide them. One marker alone (a common name shape, a
        // default avatar) needs the burst to be mostly alike.
        let series = burst.iter().filter(|p| markers(p) >= 2).count();
        let share = alike.len() as f64 / burst.len() as f64;
        if alike.len() < s.min_accounts || (share < s.min_alike_share && series < s.min_accounts) {
            return None;
        }
        let same_shape = alike
            .iter()
            .filter(|p| handle_shape(&p.handle) == shape)
            .count();
        let shared_avatar = alike
            .iter()
            .filter(|p| avatars.get(p.id.as_str()).copied().unwrap_or(0) >= min_group)
            .count();
        let repeated_bio = bios.values().filter(|&&n| n >= min_group).sum::<usize>();
        let first = alike.iter().map(|p| p.born).min()?;
        let last = alike.iter().map(|p| p.born).max()?;
        let n = alike.len();
        let reasons: Vec<&str> = [
            (same_shape >= min_group, "patterned_handles"),
            (shared_avatar >= min_group, "shared_avatar"),
            (repeated_bio >= min_group, "repeated_bio"),
        ]
        .into_iter()
        .filter_map(|(on, r)| on.then_some(r))
        .collect();
        let size = 1.0 - (-(n as f64) / 25.0).exp();
        let likeness = reasons.len() as f64 / 3.0;
        let score = 0.5 * size + 0.3 * likeness + 0.2 * share;
        let accounts: Vec<String> = alike.iter().map(|p| p.id.clone()).collect();
        let mut handles: Vec<&str> = alike.iter().map(|p| p.handle.as_str()).collect();
        handles.sort_unstable();
        let mut figures = serde_json::Map::new();
        figures.insert("accounts_in_window".into(), json!(burst.len()));
        figures.insert("accounts_alike".into(), json!(n));
        figures.insert("window_seconds".into(), json!((last - first) / 1000));
        figures.insert("handle_shape".into(), json!(shape));
        figures.insert("same_handle_shape".into(), json!(same_shape));
        figures.insert("shared_avatar".into(), json!(shared_avatar));
        figures.insert("repeated_bio".into(), json!(repeated_bio));
        figures.insert("reasons".into(), json!(reasons));
        figures.insert(
            "handles".into(),
            json!(handles
                .iter()
                .take(s.max_evidence_items)
                .collect::<Vec<_>>()),
        );
        figures.insert(
            "from_first_post".into(),
            json!(alike.iter().filter(|p| p.from_first_post).count()),
        );
        let alert = Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::Amplification,
            disarm: vec!["T0049.003".into(), "T0145.002".into()],
            severity: Severity::from_score(score),
            score,
            title: format!("{n} look-alike accounts created together"),
            summary: format!(
                "{n} accounts on {} created within {} ({}), {} of them with handles shaped {}.",
                alike[0].platform,
                human_span((last - first) / 1000),
                reasons.join(", "),
                same_shape,
                shape
            ),
            first_seen: DateTime::from_timestamp_millis(first)?,
            last_seen: DateTime::from_timestamp_millis(last)?,
            evidence: Evidence {
                items: vec![],
                accounts: accounts
                    .iter()
                    .take(s.max_evidence_items)
                    .cloned()
                    .collect(),
                domains: vec![],
                imitates: vec![],
                urls: vec![],
                figures,
            },
        };
        Some((alert, accounts))
    }
}

/// For each account of the burst with an avatar, how many of the burst's accounts wear the same
/// picture: hashes within `max_distance` bits, linked through a multi-index (never all pairs),
/// so that recompressed or resized copies of one file group together. An avatar that is not a
/// hex hash is compared as written.
fn avatar_groups<'p>(burst: &[&'p Profile], max_distance: u32) -> HashMap<&'p str, usize> {
    let mut index = PhashIndex::new(max_distance);
    let mut parent: Vec<u32> = Vec::new();
    let mut hashed: Vec<&str> = Vec::new();
    let mut verbatim: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in burst {
        let Some(a) = p.avatar.as_deref().filter(|a| !a.is_empty()) else {
            continue;
        };
        match parse_phash(a) {
            Some(h) => {
                let near = index.near(h);
                let n = index.add(h);
                parent.push(n);
                for (m, _) in near {
                    union(&mut parent, n, m);
                }
                hashed.push(p.id.as_str());
            }
            None => verbatim.entry(a).or_default().push(p.id.as_str()),
        }
    }
    let roots: Vec<u32> = (0..hashed.len() as u32)
        .map(|n| find(&mut parent, n))
        .collect();
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for r in &roots {
        *sizes.entry(*r).or_default() += 1;
    }
    let mut out: HashMap<&str, usize> = hashed
        .iter()
        .zip(&roots)
        .map(|(id, r)| (*id, sizes.get(r).copied().unwrap_or(1)))
        .collect();
    for ids in verbatim.into_values() {
        for id in &ids {
            out.insert(id, ids.len());
        }
    }
    out
}

fn human_span(secs: i64) -> String {
    match secs {
        s if s < 7_200 => format!("{} minutes", s / 60),
        s if s < 172_800 => format!("{} hours", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// Every account with a creation date, and authors without an account record (or without a
/// date) by their first post after the warm-up.
fn profiles(ctx: &Context<'_>, s: &Settings) -> Result<Vec<Profile>, DetectError> {
    let mut out: Vec<Profile> = Vec::new();
    let mut dated: HashSet<(String, String)> = HashSet::new();
    let mut undated: HashMap<(String, String), Profile> = HashMap::new();
    ctx.store.for_each(Kind::Account, |stored| {
        let Record::Account(a) = stored.record else {
            return Ok(());
        };
        let profile = Profile {
            id: a.id.clone(),
            platform: a.platform.clone(),
            handle: a.handle.clone(),
            born: a.created_at.map(|t| t.timestamp_millis()).unwrap_or(0),
            from_first_post: a.created_at.is_none(),
            avatar: a.avatar_phash.clone(),
            bio: a.bio.clone(),
        };
        if a.created_at.is_some() {
            dated.insert((a.platform, a.id));
            out.push(profile);
        } else {
            undated.insert((a.platform, a.id), profile);
        }
        Ok(())
    })?;
    let firsts = ctx.store.first_post_times()?;
    let data_start = firsts.iter().map(|f| f.2).min().unwrap_or(0);
    let warm = data_start + s.warmup_days.max(0) * 86_400_000;
    for (platform, author, ts) in firsts {
        let key = (platform, author);
        if dated.contains(&key) || ts < warm {
            continue;
        }
        let profile = match undated.remove(&key) {
            Some(p) => Profile { born: ts, ..p },
            None => Profile {
                id: key.1.clone(),
                platform: key.0.clone(),
                handle: key.1.clone(),
                born: ts,
                from_first_post: true,
                ..Profile::default()
            },
        };
        out.push(profile);
    }
    Ok(out)
}

/// Adds the posts of each alert's accounts to its evidence (first ones, up to `cut`).
fn attach_posts(
    ctx: &Context<'_>,
    alerts: &mut [Alert],
    accounts: &[Vec<String>],
    cut: usize,
) -> Result<(), DetectError> {
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, list) in accounts.iter().enumerate() {
        for a in list {
            owner.insert(a.as_str(), i);
        }
    }
    if owner.is_empty() {
        return Ok(());
    }
    let mut counts = vec![0usize; alerts.len()];
    ctx.store.for_each_text(&[Kind::Post], |row| {
        if let Some(&i) = row.author.and_then(|a| owner.get(a)) {
            counts[i] += 1;
            if alerts[i].evidence.items.len() < cut {
                alerts[i].evidence.items.push(row.id.to_owned());
            }
        }
        Ok(())
    })?;
    for (alert, n) in alerts.iter_mut().zip(counts) {
        alert.evidence.figures.insert("posts".into(), json!(n));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::store_with;

    use vigie_core::Config;

    fn account(id: &str, handle: &str, created_secs: i64, avatar: &str) -> String {
        let at = DateTime::from_timestamp(1_700_000_000 + created_secs, 0)
            .unwrap()
            .to_rfc3339();
        format!(
            r#"{{"kind":"account","id":"{id}","platform":"x","handle":"{handle}","created_at":"{at}","avatar_phash":"{avatar}"}}"#
        )
    }

    /// A perceptual hash of its own for account `n`: bits spread (Fibonacci hashing), so that
    /// two accounts' avatars are as far apart as unrelated pictures.
    fn distinct_avatar(n: u64) -> String {
        format!("{:016x}", (n + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    const FIRST: [&str; 8] = [
        "jean", "marie", "paul", "lea", "hugo", "chloe", "louis", "emma",
    ];
    const LAST: [&str; 5] = ["martin", "bernard", "durand", "petit", "moreau"];

    /// `organic` accounts spread over a year with varied handles and avatars.
    fn background(organic: usize) -> Vec<String> {
        (0..organic)
            .map(|i| {
                let handle = match i % 4 {
                    0 => format!("{}{}", FIRST[i % 8], LAST[i % 5]),
                    1 => format!("{}_{}", FIRST[i % 8], i % 90),
                    2 => format!("the_{}", LAST[i % 5]),
                    _ => format!("{}{}", &FIRST[i % 8][..1], LAST[i % 5]),
                };
                account(
                    &format!("o{i}"),
                    &handle,
                    (i as i64) * 31_536_000 / organic as i64,
                    &distinct_avatar(i as u64),
                )
            })
            .collect()
    }

    fn run(lines: &[String]) -> Vec<Alert> {
        let store = store_with(lines);
        let config = Config::default();
        let ctx = Context::new(&config, &store);
        build(&config).unwrap().run(&ctx).unwrap()
    }

    #[test]
    fn handle_shapes_group_names_with_digits() {
        assert_eq!(handle_shape("jean_dupont4821"), "a_a9999");
        assert_eq!(handle_shape("marie_martin1937"), "a_a9999");
        assert_eq!(handle_shape("JeanDupont"), "a");
        assert_ne!(
            handle_shape("jeandupont4821"),
            handle_shape("jean_dupont4821")
        );
    }

    #[test]
    fn a_burst_of_patterned_accounts_is_reported_with_only_its_members() {
        let mut lines = background(400);
        let t0 = 20_000_000;
        for i in 0..25 {
            let handle = format!("{}_{}{}", FIRST[i % 8], LAST[i % 5], 1000 + i * 37);
            lines.push(account(
                &format!("b{i}"),
                &handle,
                t0 + (i as i64) * 200,
                "ffff0000ffff0000",
            ));
        }
        let alerts = run(&lines);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(a.evidence.accounts.len(), 25);
        assert!(a.evidence.accounts.iter().all(|id| id.starts_with('b')));
        let reasons = a.evidence.figures["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert_eq!(a.evidence.figures["handle_shape"], "a_a9999");
    }

    #[test]
    fn a_burst_of_genuine_sign_ups_is_not_an_operation() {
        // A debate night: 40 accounts in two hours, varied names and avatars.
        let mut lines = background(400);
        lines.extend(sign_up_wave(40, 20_000_000));
        assert!(run(&lines).is_empty());
    }

    /// `n` ordinary sign-ups from `t0`, one every three minutes, varied names and avatars.
    fn sign_up_wave(n: usize, t0: i64) -> Vec<String> {
        (0..n)
            .map(|i| {
                let handle = match i % 4 {
                    0 => format!("{}{}", FIRST[i % 8], LAST[(i / 8) % 5]),
                    1 => format!("{}_fan", LAST[i % 5]),
                    2 => format!("x{}y", FIRST[i % 8]),
                    _ => format!("{}.{}", FIRST[i % 8], i),
                };
                account(
                    &format!("d{i}"),
                    &handle,
                    t0 + i as i64 * 180,
                    &distinct_avatar(9_000 + i as u64),
                )
            })
            .collect()
    }

    #[test]
    fn accounts_made_in_series_are_found_inside_a_genuine_sign_up_wave() {
        // 15 accounts with one handle shape and one avatar, created while 30 people sign up.
        let t0 = 20_000_000;
        let mut lines = background(400);
        lines.extend(sign_up_wave(30, t0));
        for i in 0..15 {
            let handle = format!("{}{}{}", FIRST[i % 8], LAST[i % 5], 100 + i * 7);
            lines.push(account(
                &format!("b{i}"),
                &handle,
                t0 + 60 + (i as i64) * 300,
                "ffff0000ffff0000",
            ));
        }
        let alerts = run(&lines);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let flagged = &alerts[0].evidence.accounts;
        assert_eq!(flagged.len(), 15, "{flagged:?}");
        assert!(flagged.iter().all(|id| id.starts_with('b')), "{flagged:?}");
        // With one marker only (a shared avatar, as a platform's default picture would be;
        // plain-name handles), accounts that are under half of the wave are not reported.
        let mut lines = background(400);
        lines.extend(sign_up_wave(30, t0));
        for i in 0..12 {
            let handle = format!("{}{}", FIRST[i % 8], LAST[(i + 3) % 5]);
            lines.push(account(
                &format!("b{i}"),
                &handle,
                t0 + 60 + (i as i64) * 300,
                "ffff0000ffff0000",
            ));
        }
        assert!(run(&lines).is_empty());
    }

    #[test]
    fn recompressed_copies_of_one_avatar_count_as_one_shared_avatar() {
        // 15 plain-name accounts in a sign-up wave whose avatars are copies of one picture a few
        // bits apart (as recompression and resizing leave them) and share a repeated bio: two
        // markers each. With pictures of their own instead, no avatar is shared.
        let t0 = 20_000_000;
        let shared = 0x9a3c_55e1_07f2_c4b8u64;
        let burst = |copies: bool| {
            let mut lines = background(400);
            lines.extend(sign_up_wave(30, t0));
            for i in 0..15u32 {
                let handle = format!("{}{}", FIRST[i as usize % 8], LAST[(i as usize + 3) % 5]);
                // 0 to 3 bits flipped, spread over the hash.
                let mask = (0..i % 4).fold(0u64, |m, k| m | 1 << ((i * 7 + k * 13) % 64));
                let avatar = if copies {
                    format!("{:016x}", shared ^ mask)
                } else {
                    distinct_avatar(100 + u64::from(i))
                };
                let at = DateTime::from_timestamp(1_700_000_000 + t0 + 60 + i as i64 * 300, 0)
                    .unwrap()
                    .to_rfc3339();
                lines.push(format!(
                    r#"{{"kind":"account","id":"b{i}","platform":"x","handle":"{handle}","created_at":"{at}","avatar_phash":"{avatar}","bio":"Patriote et libre penseur, pas de DM"}}"#
                ));
            }
            run(&lines)
        };
        let alerts = burst(true);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        let flagged: Vec<&String> = a
            .evidence
            .accounts
            .iter()
            .filter(|id| id.starts_with('b'))
            .collect();
        assert_eq!(flagged.len(), 15, "{:?}", a.evidence.accounts);
        assert_eq!(a.evidence.figures["shared_avatar"], 15);
        assert!(a.evidence.figures["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("shared_avatar")));
        for a in burst(false) {
            assert_eq!(a.evidence.figures["shared_avatar"], 0, "{a:?}");
        }
    }

    #[test]
    fn look_alike_accounts_spread_over_a_year_are_not_a_burst() {
        let mut lines = background(200);
        for i in 0..25 {
            let handle = format!("{}_{}{}", FIRST[i % 8], LAST[i % 5], 1000 + i);
            lines.push(account(
                &format!("b{i}"),
                &handle,
                i as i64 * 1_000_000,
                "ffff0000ffff0000",
            ));
        }
        assert!(run(&lines).is_empty());
    }
}
