//! `lookalike_account`: accounts whose handle or display name imitates a protected person or
//! outlet (SPEC §5.4) — confusable characters, added digits, underscores or words ("official",
//! "news"), swapped or missing letters, the entity's handle on another platform — and accounts
//! wearing the avatar of the entity's own account (perceptual hash within a few bits). The
//! entity's own accounts (`handles` in `[[protected]]`) are never flagged.

use crate::handles::{phash_distance, AccountMatch, HandleIndex};
use crate::{Context, DetectError, Detector};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use vigie_core::{Account, Alert, Evidence, Kind, ModusOperandi, Record, Severity};

pub const NAME: &str = "lookalike_account";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Accounts scoring below this are not reported.
    pub min_score: f64,
    /// Avatars within this many bits (of 64) of a protected account's avatar count as copies.
    pub max_avatar_distance: u32,
    /// Evidence lists are cut at this many items.
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_score: 0.5,
            max_avatar_distance: 6,
            max_evidence_items: 500,
        }
    }
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(LookalikeAccount {
        settings: config.detector_settings(NAME)?,
        index: HandleIndex::from_config(config),
    }))
}

pub struct LookalikeAccount {
    pub settings: Settings,
    pub index: HandleIndex,
}

/// A protected entity's own account, as the store holds it.
struct OwnAvatar {
    phash: String,
    handle: String,
    entity: String,
    kind: String,
}

impl Detector for LookalikeAccount {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        if self.index.is_empty() {
            return Ok(Vec::new());
        }
        let entity_kind: HashMap<&str, &str> = ctx
            .config
            .protected
            .iter()
            .map(|p| (p.name.as_str(), p.kind.as_str()))
            .collect();
        // The entities' own avatars first (their accounts are few).
        let mut own: Vec<OwnAvatar> = Vec::new();
        let owner_of = |platform: &str, handle: &str| {
            ctx.config.protected.iter().find(|p| {
                p.handles.iter().any(|h| {
                    let (pl, hd) = h.split_once(':').unwrap_or(("", h.as_str()));
                    pl.eq_ignore_ascii_case(platform)
                        && hd.trim_start_matches('@').eq_ignore_ascii_case(handle)
                })
            })
        };
        ctx.store.for_each(Kind::Account, |stored| {
            if let Record::Account(a) = &stored.record {
                // A set lookup first: the owner is searched for the entities' own accounts only.
                if a.avatar_phash.is_none() || !self.index.is_owned(&a.platform, &a.handle) {
                    return Ok(());
                }
                if let (Some(ph), Some(p)) = (&a.avatar_phash, owner_of(&a.platform, &a.handle)) {
                    own.push(OwnAvatar {
                        phash: ph.clone(),
                        handle: format!("{}:{}", a.platform, a.handle),
                        entity: p.name.clone(),
                        kind: p.kind.clone(),
                    });
                }
            }
            Ok(())
        })?;
        let mut flagged: BTreeMap<String, (Account, AccountMatch)> = BTreeMap::new();
        ctx.store.for_each(Kind::Account, |stored| {
            let Record::Account(a) = stored.record else {
                return Ok(());
            };
            if self.index.is_owned(&a.platform, &a.handle) {
                return Ok(());
            }
            let mut m = self
                .index
                .check(&a.platform, &a.handle, a.display_name.as_deref());
            if let Some(ph) = &a.avatar_phash {
                let copied = own.iter().find(|o| {
                    phash_distance(ph, &o.phash)
                        .is_some_and(|d| d <= self.settings.max_avatar_distance)
                });
                if let Some(o) = copied {
                    let bits = phash_distance(ph, &o.phash).unwrap_or(0);
                    let reason = format!(
                        "its avatar is {bits} bits from the avatar of {} ({})",
                        o.handle, o.entity
                    );
                    match &mut m {
                        Some(m) if m.entity == o.entity => {
                            m.score = (m.score + 0.15).min(1.0);
                            m.techniques.push("avatar");
                            m.reasons.push(reason);
                        }
                        _ => {
                            // A copied avatar alone, or with a weak name claim.
                            let base = m.as_ref().map_or(0.3, |m| m.score);
                            m = Some(AccountMatch {
                                imitates: o.handle.clone(),
                                entity: o.entity.clone(),
                                entity_kind: o.kind.clone(),
                                techniques: vec!["avatar"],
                                score: (base + 0.2).min(1.0),
                                reasons: vec![reason],
                            });
                        }
                    }
                }
            }
            if let Some(m) = m.filter(|m| m.score >= self.settings.min_score) {
                flagged.insert(a.id.clone(), (a, m));
            }
            Ok(())
        })?;
        if flagged.is_empty() {
            return Ok(Vec::new());
        }
        let mut posts: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        ctx.store.for_each_text(&[Kind::Post], |row| {
            if let Some(author) = row.author.filter(|a| flagged.contains_key(*a)) {
                posts
                    .entry(author.to_owned())
                    .or_default()
                    .push((row.ts.unwrap_or(0), row.id.to_owned()));
            }
            Ok(())
        })?;
        Ok(flagged
            .into_values()
            .map(|(a, m)| {
                let kind = entity_kind
                    .get(m.entity.as_str())
                    .map_or_else(|| m.entity_kind.clone(), |k| (*k).to_owned());
                let items = posts.remove(&a.id).unwrap_or_default();
                self.alert(a, m, &kind, items)
            })
            .collect())
    }
}

impl LookalikeAccount {
    fn alert(
        &self,
        a: Account,
        m: AccountMatch,
        kind: &str,
        mut items: Vec<(i64, String)>,
    ) -> Alert {
        items.sort_unstable();
        let times: Vec<DateTime<Utc>> = items
            .iter()
            .filter_map(|(t, _)| DateTime::from_timestamp_millis(*t))
            .chain(a.created_at)
            .collect();
        let first_seen = times.iter().min().copied().unwrap_or(DateTime::UNIX_EPOCH);
        let last_seen = times.iter().max().copied().unwrap_or(first_seen);
        let mut figures = serde_json::Map::new();
        figures.insert("techniques".into(), json!(m.techniques));
        figures.insert("reasons".into(), json!(m.reasons));
        figures.insert("entity".into(), json!(m.entity));
        figures.insert(
            "handle".into(),
            json!(format!("{}:{}", a.platform, a.handle)),
        );
        if let Some(d) = &a.display_name {
            figures.insert("display_name".into(), json!(d));
        }
        figures.insert("posts".into(), json!(items.len()));
        if let Some(f) = a.followers {
            figures.insert("followers".into(), json!(f));
        }
        Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::MediaImpersonation,
            disarm: super::lookalike_domain::disarm_for(kind, "T0146.005"),
            severity: Severity::from_score(m.score),
            score: m.score,
            title: format!(
                "Look-alike account of {}: {}:{}",
                m.imitates, a.platform, a.handle
            ),
            summary: format!(
                "The {} account @{} imitates {} ({}): {}{}.",
                a.platform,
                a.handle,
                m.imitates,
                m.entity,
                m.reasons.join("; "),
                if items.is_empty() {
                    String::new()
                } else {
                    format!("; it posted {} items", items.len())
                }
            ),
            first_seen,
            last_seen,
            evidence: Evidence {
                items: items
                    .into_iter()
                    .take(self.settings.max_evidence_items)
                    .map(|(_, id)| id)
                    .collect(),
                accounts: vec![a.id],
                domains: vec![],
                imitates: vec![m.imitates],
                urls: vec![],
                figures,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::config::InputConfig;
    use vigie_core::Config;
    use vigie_normalise::Normaliser;
    use vigie_store::Store;

    const CONFIG: &str = r#"
[[protected]]
kind = "media"
name = "Le Monde"
handles = ["x:lemondefr"]
aliases = ["Le Monde"]

[[protected]]
kind = "candidate"
name = "Jane Example"
handles = ["x:janeexample"]
"#;

    fn account(id: &str, handle: &str, name: &str, phash: &str) -> String {
        format!(
            r#"{{"kind":"account","id":"{id}","platform":"x","handle":"{handle}","display_name":"{name}","avatar_phash":"{phash}","created_at":"2024-05-20T00:00:00Z"}}"#
        )
    }

    #[test]
    fn flags_imitating_handles_and_copied_avatars_not_the_real_accounts() {
        let lines = [
            account("1", "lemondefr", "Le Monde", "f0f0f0f0f0f0f0f0"),
            account("2", "lemondefr_officiel", "Le Monde", "0000000000000001"),
            account("3", "marie_dupont", "Marie", "f0f0f0f0f0f0f0f3"),
            account("4", "janeexamp1e", "Jane Example", "1234123412341234"),
            account("5", "paul_martin", "Paul", "0f0f0f0f0f0f0f0f"),
            r#"{"kind":"post","id":"p1","platform":"x","author":"2","created_at":"2024-06-01T10:00:00Z","text":"Breaking: vote moved"}"#.to_owned(),
        ];
        let mut store = Store::open_in_memory().unwrap();
        let normaliser = Normaliser::new(&InputConfig::default());
        let mut batch = store.batch().unwrap();
        for line in &lines {
            let record: Record = serde_json::from_str(line).unwrap();
            batch
                .insert(&normaliser.normalise(record).unwrap())
                .unwrap();
        }
        batch.commit().unwrap();
        let config = Config::from_toml(CONFIG, "t").unwrap();
        let alerts = build(&config)
            .unwrap()
            .run(&Context::new(&config, &store))
            .unwrap();
        let by_account: BTreeMap<&str, &Alert> = alerts
            .iter()
            .map(|a| (a.evidence.accounts[0].as_str(), a))
            .collect();
        assert_eq!(
            by_account.keys().copied().collect::<Vec<_>>(),
            vec!["2", "3", "4"],
            "{alerts:#?}"
        );
        let off = by_account["2"];
        assert_eq!(off.evidence.imitates, vec!["x:lemondefr"]);
        assert_eq!(off.evidence.items, vec!["p1"]);
        assert!(off.disarm.contains(&"T0146.005".to_owned()));
        // Same avatar as @lemondefr, two bits apart, under an unrelated handle.
        assert_eq!(
            by_account["3"].evidence.figures["techniques"],
            json!(["avatar"])
        );
        assert_eq!(by_account["4"].evidence.imitates, vec!["x:janeexample"]);
    }
}
