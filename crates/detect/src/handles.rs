//! Look-alike accounts: handles and display names imitating protected persons and outlets.
//!
//! A handle is reduced to a core — lower-cased, confusables folded (UTS #39 skeleton),
//! separators (`_`, `.`, `-`) and trailing digits dropped, and the words impersonators add
//! (`official`, `news`, `real`, `fr`, ...) stripped from either end — and looked up exactly, then
//! through one-deletion neighbourhoods for one swapped, missing, added or changed letter. Display
//! names are compared to the entities' names and aliases the same way. The entity's own accounts
//! (its `handles`) are never flagged.

use crate::lookalike::{classify, deletion_hashes, osa, PreHashMap};
use std::collections::{HashMap, HashSet};
use vigie_normalise::domains::skeleton;

/// Words impersonators add around a name (`lemondefr_officiel`, `realspiegel`, `bild_news24`).
const AFFIXES: &[&str] = &[
    "official",
    "officiel",
    "offiziell",
    "ufficiale",
    "oficial",
    "real",
    "the",
    "news",
    "info",
    "infos",
    "actu",
    "actus",
    "live",
    "tv",
    "hq",
    "media",
    "press",
    "presse",
    "daily",
    "team",
    "direct",
    "fr",
    "de",
    "en",
    "uk",
    "eu",
    "es",
    "it",
    "pl",
    "int",
    "intl",
];

/// The shortest core matched at all, and the shortest matched with a typo.
const MIN_CORE: usize = 4;
const MIN_FUZZY_CORE: usize = 6;

/// A protected handle (`x:lemondefr`).
#[derive(Debug, Clone)]
struct HandleTarget {
    /// As configured (`x:lemondefr`).
    handle: String,
    platform: String,
    core: Vec<char>,
    /// Words the indexed form dropped from the handle (`fr` for `lemondefr` → `lemonde`).
    removed: Vec<String>,
    entity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRef {
    pub name: String,
    pub kind: String,
}

/// What [`HandleIndex::check`] found for one account.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountMatch {
    /// The protected handle (`x:lemondefr`) or, for a display name alone, the entity's name.
    pub imitates: String,
    pub entity: String,
    pub entity_kind: String,
    pub techniques: Vec<&'static str>,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// Protected handles and names, indexed for look-alike lookups.
#[derive(Debug, Default)]
pub struct HandleIndex {
    entities: Vec<EntityRef>,
    targets: Vec<HandleTarget>,
    exact: HashMap<String, Vec<u32>>,
    deletions: PreHashMap<Vec<u32>>,
    /// Name and alias keys → entities.
    names: HashMap<String, Vec<u32>>,
    /// `platform:handle`, lower-case: the entities' own accounts.
    owned: HashSet<String>,
}

/// Lower-case, confusables folded, only letters and digits.
fn name_key(s: &str) -> String {
    skeleton(&vigie_normalise::text::fold(s))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The forms of a handle, from the whole to the most reduced: lower-cased, letters and digits
/// only (confusables folded when `fold`), then with trailing digits or one added word removed
/// at a time, up to three times (`lemondefr_officiel` → `lemondefrofficiel`, `lemondefr`,
/// `lemonde`). Each form comes with the words removed to reach it.
fn forms(handle: &str, fold: bool) -> Vec<(String, Vec<String>)> {
    // Reduced as written (so that `2024` stays digits), folded afterwards.
    let mut c: String = handle
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let folded = |c: &str| if fold { skeleton(c) } else { c.to_owned() };
    let mut removed: Vec<String> = Vec::new();
    let mut out = vec![(folded(&c), removed.clone())];
    for _ in 0..3 {
        let digits = c.trim_end_matches(|ch: char| ch.is_ascii_digit()).len();
        if digits >= MIN_CORE && digits < c.len() {
            removed.push(c[digits..].to_owned());
            c.truncate(digits);
        } else if let Some((w, rest)) = AFFIXES.iter().find_map(|w| {
            let rest = c.strip_suffix(w).or_else(|| c.strip_prefix(w))?;
            (rest.chars().count() >= MIN_CORE).then(|| (*w, rest.to_owned()))
        }) {
            removed.push(w.to_owned());
            c = rest;
        } else {
            break;
        }
        out.push((folded(&c), removed.clone()));
    }
    out
}

impl HandleIndex {
    pub fn from_config(config: &vigie_core::Config) -> HandleIndex {
        let mut index = HandleIndex::default();
        for p in &config.protected {
            index.add(&p.name, &p.kind, &p.handles, &p.aliases);
        }
        index
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.names.is_empty()
    }

    /// Adds one entity with its own handles (`platform:handle`) and its names.
    pub fn add(&mut self, name: &str, kind: &str, handles: &[String], aliases: &[String]) {
        let entity = self.entities.len() as u32;
        self.entities.push(EntityRef {
            name: name.to_owned(),
            kind: kind.to_owned(),
        });
        for h in handles {
            let (platform, handle) = h.split_once(':').unwrap_or(("", h.as_str()));
            let handle = handle.trim_start_matches('@');
            self.owned.insert(format!(
                "{}:{}",
                platform.to_lowercase(),
                handle.to_lowercase()
            ));
            // The whole handle and its first reduction (`lemondefr` and `lemonde`) are indexed.
            for (c, removed) in forms(handle, true).into_iter().take(2) {
                if c.chars().count() < MIN_CORE {
                    continue;
                }
                let id = self.targets.len() as u32;
                let chars: Vec<char> = c.chars().collect();
                if chars.len() >= MIN_FUZZY_CORE {
                    let mut seen = HashSet::new();
                    deletion_hashes(&chars, 1, |k| {
                        if seen.insert(k) {
                            self.deletions.entry(k).or_default().push(id);
                        }
                    });
                }
                self.exact.entry(c).or_default().push(id);
                self.targets.push(HandleTarget {
                    handle: h.clone(),
                    platform: platform.to_lowercase(),
                    core: chars,
                    removed,
                    entity,
                });
            }
        }
        for n in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
            let k = name_key(n);
            if k.chars().count() >= 5 {
                let list = self.names.entry(k).or_default();
                if !list.contains(&entity) {
                    list.push(entity);
                }
            }
        }
    }

    /// Whether `platform:handle` is one of the protected entities' own accounts.
    pub fn is_owned(&self, platform: &str, handle: &str) -> bool {
        self.owned.contains(&format!(
            "{}:{}",
            platform.to_lowercase(),
            handle.trim_start_matches('@').to_lowercase()
        ))
    }

    /// The best match of an account, or `None`. Own accounts never match.
    pub fn check(
        &self,
        platform: &str,
        handle: &str,
        display_name: Option<&str>,
    ) -> Option<AccountMatch> {
        if self.is_owned(platform, handle) {
            return None;
        }
        let claimed: Vec<u32> = display_name
            .map(name_key)
            .and_then(|k| self.names.get(&k))
            .cloned()
            .unwrap_or_default();
        let mut best: Option<AccountMatch> = None;
        let mut consider = |m: AccountMatch| {
            if best.as_ref().is_none_or(|b| m.score > b.score) {
                best = Some(m);
            }
        };
        let plain_forms = forms(handle, false);
        for (n, (c, removed)) in forms(handle, true).into_iter().enumerate() {
            // Letters that differ before folding but agree after: confusable characters.
            let confusable = plain_forms.get(n).map(|(p, _)| p.as_str());
            let chars: Vec<char> = c.chars().collect();
            if chars.len() >= MIN_CORE {
                for &id in self.exact.get(&c).into_iter().flatten() {
                    let m = self
                        .handle_match(id, platform, handle, &removed, confusable, None, &claimed);
                    if let Some(m) = m {
                        consider(m);
                    }
                }
            }
            if chars.len() + 1 < MIN_FUZZY_CORE || chars.len() > 40 {
                continue;
            }
            let mut tried: Vec<u32> = Vec::new();
            deletion_hashes(&chars, 1, |k| {
                for &id in self.deletions.get(&k).into_iter().flatten() {
                    if !tried.contains(&id) {
                        tried.push(id);
                    }
                }
            });
            for id in tried {
                let Some(t) = self.targets.get(id as usize) else {
                    continue;
                };
                if osa(&chars, &t.core, 1) == Some(1) {
                    let (technique, what) = classify(&chars, &t.core);
                    let typo = format!("{what} ({})", technique.name().replace('_', " "));
                    let m = self.handle_match(
                        id,
                        platform,
                        handle,
                        &removed,
                        None,
                        Some(&typo),
                        &claimed,
                    );
                    if let Some(m) = m {
                        consider(m);
                    }
                }
            }
        }
        // A display name alone claiming the entity: weak (namesakes, fans, commentators).
        for &e in &claimed {
            if let Some(ent) = self.entities.get(e as usize) {
                consider(AccountMatch {
                    imitates: ent.name.clone(),
                    entity: ent.name.clone(),
                    entity_kind: ent.kind.clone(),
                    techniques: vec!["display_name"],
                    score: 0.45,
                    reasons: vec![format!(
                        "display name {:?} is the name of {}",
                        display_name.unwrap_or_default(),
                        ent.name
                    )],
                });
            }
        }
        best
    }

    #[allow(clippy::too_many_arguments)]
    fn handle_match(
        &self,
        id: u32,
        platform: &str,
        handle: &str,
        removed: &[String],
        unfolded: Option<&str>,
        typo: Option<&str>,
        claimed: &[u32],
    ) -> Option<AccountMatch> {
        let t = self.targets.get(id as usize)?;
        let ent = self.entities.get(t.entity as usize)?;
        let own = t
            .handle
            .split_once(':')
            .map_or(t.handle.as_str(), |(_, h)| h);
        let mut techniques = Vec::new();
        let mut reasons = Vec::new();
        let mut score: f64 = if typo.is_none() { 0.72 } else { 0.62 };
        if let Some(typo) = typo {
            techniques.push("typo");
            reasons.push(format!("@{handle} is @{own} with {typo}"));
        }
        let core: String = t.core.iter().collect();
        if unfolded.is_some_and(|u| u != core) && typo.is_none() {
            // The folded forms agree, the letters as written do not.
            let own_plain = forms(own, false);
            if !own_plain.iter().any(|(p, _)| Some(p.as_str()) == unfolded) {
                techniques.push("confusable");
                reasons.push(format!("@{handle} uses characters that draw like @{own}"));
                score += 0.05;
            }
        }
        let added: Vec<&String> = removed.iter().filter(|w| !t.removed.contains(w)).collect();
        if !added.is_empty() {
            let digits = added.iter().all(|w| w.bytes().all(|b| b.is_ascii_digit()));
            techniques.push(if digits { "added_digits" } else { "added_word" });
            reasons.push(format!(
                "@{handle} adds {} to @{own}",
                added
                    .iter()
                    .map(|w| format!("'{w}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if techniques.is_empty() {
            let lower = handle.trim_start_matches('@').to_lowercase();
            if lower != own.to_lowercase() {
                techniques.push("separators");
                reasons.push(format!("@{handle} is @{own} with separators changed"));
            } else {
                // The same handle on another platform than the entity's account.
                techniques.push("other_platform");
                reasons.push(format!(
                    "@{handle} on {platform} is the handle of {} on {}",
                    ent.name, t.platform
                ));
                score = 0.55;
            }
        }
        if claimed.contains(&t.entity) {
            score += 0.12;
            reasons.push(format!("its display name claims to be {}", ent.name));
        }
        Some(AccountMatch {
            imitates: t.handle.clone(),
            entity: ent.name.clone(),
            entity_kind: ent.kind.clone(),
            techniques,
            score: score.min(1.0),
            reasons,
        })
    }
}

/// Bits that differ between two 64-bit perceptual hashes written in hex.
pub fn phash_distance(a: &str, b: &str) -> Option<u32> {
    let a = u64::from_str_radix(a.trim(), 16).ok()?;
    let b = u64::from_str_radix(b.trim(), 16).ok()?;
    Some((a ^ b).count_ones())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn index() -> HandleIndex {
        let mut i = HandleIndex::default();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        i.add(
            "Le Monde",
            "media",
            &s(&["x:lemondefr", "telegram:lemondefr"]),
            &s(&["Le Monde"]),
        );
        i.add("Der Spiegel", "media", &s(&["x:derspiegel"]), &[]);
        i.add("Jane Example", "candidate", &s(&["x:janeexample"]), &[]);
        i
    }

    fn techniques(platform: &str, handle: &str, name: Option<&str>) -> Option<Vec<&'static str>> {
        index()
            .check(platform, handle, name)
            .filter(|m| m.score >= 0.5)
            .map(|m| m.techniques)
    }

    #[test]
    fn each_account_technique() {
        assert_eq!(
            techniques("x", "lemonde_fr", None),
            Some(vec!["separators"])
        );
        assert_eq!(
            techniques("x", "Le_Monde_Fr", None),
            Some(vec!["separators"])
        );
        assert_eq!(
            techniques("x", "lemondefr_officiel", None),
            Some(vec!["added_word"])
        );
        assert_eq!(
            techniques("x", "lemondefr2024", None),
            Some(vec!["added_digits"])
        );
        assert_eq!(
            techniques("x", "realderspiegel", None),
            Some(vec!["added_word"])
        );
        assert_eq!(techniques("x", "1emondefr", None), Some(vec!["confusable"]));
        assert_eq!(techniques("x", "lеmondefr", None), Some(vec!["confusable"]));
        assert_eq!(techniques("x", "dersipegel", None), Some(vec!["typo"]));
        assert_eq!(techniques("x", "janexample", None), Some(vec!["typo"]));
        assert_eq!(
            techniques("facebook", "lemondefr", None),
            Some(vec!["other_platform"])
        );
    }

    #[test]
    fn own_accounts_and_ordinary_handles_are_left_alone() {
        assert_eq!(techniques("x", "lemondefr", None), None);
        assert_eq!(techniques("X", "@LeMondeFr", None), None);
        assert_eq!(techniques("telegram", "lemondefr", None), None);
        for h in [
            "marie_dupont",
            "lemon",
            "spiegelei_fan",
            "jane",
            "example_jane_doe",
        ] {
            assert_eq!(techniques("x", h, None), None, "{h}");
        }
    }

    #[test]
    fn display_names_claim_alone_weakly_and_strengthen_a_handle() {
        let i = index();
        let weak = i.check("x", "marie_dupont", Some("Le Monde")).unwrap();
        assert!(weak.score < 0.5);
        assert_eq!(weak.techniques, vec!["display_name"]);
        let plain = i.check("x", "lemonde_fr", None).unwrap();
        let claimed = i.check("x", "lemonde_fr", Some("LE MONDE ✓")).unwrap();
        assert!(claimed.score > plain.score);
        assert_eq!(claimed.imitates, "x:lemondefr");
    }

    #[test]
    fn perceptual_hash_distance() {
        assert_eq!(
            phash_distance("ff00ff00ff00ff00", "ff00ff00ff00ff01"),
            Some(1)
        );
        assert_eq!(phash_distance("zz", "00"), None);
    }
}
