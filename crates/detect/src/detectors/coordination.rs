//! `coordination`: accounts that repeatedly act together — same or near-same text, same URL,
//! same hashtag set, same repost, quote or reply target, same media — within seconds, more often
//! than chance allows (SPEC §5.2). The co-action network, its null model and its communities are
//! built by [`crate::coaction`]; this module turns each community into an alert with what its
//! members shared.

use crate::coaction::{shared_actions, ActionType, Network, SharedActions};
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde_json::json;
use std::collections::BTreeMap;
use vigie_core::{Alert, Evidence, ModusOperandi, Severity};

pub const NAME: &str = "coordination";

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    // Parsed here so that bad settings fail before any work.
    let settings: crate::coaction::Settings = config.detector_settings(NAME)?;
    Ok(Box::new(Coordination { settings }))
}

pub struct Coordination {
    settings: crate::coaction::Settings,
}

impl Detector for Coordination {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let started = std::time::Instant::now();
        let network = ctx.coaction_network()?;
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "coordination: network built"
        );
        let shared = shared_actions(ctx, network)?;
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "coordination: evidence gathered"
        );
        Ok(network
            .communities
            .iter()
            .zip(&shared)
            .filter_map(|(members, shared)| self.alert(network, members, shared))
            .collect())
    }
}

impl Coordination {
    fn alert(&self, net: &Network, members: &[u32], shared: &SharedActions) -> Option<Alert> {
        let in_group: std::collections::HashSet<u32> = members.iter().copied().collect();
        let edges: Vec<_> = net
            .edges
            .iter()
            .filter(|e| in_group.contains(&e.a) && in_group.contains(&e.b))
            .collect();
        if edges.is_empty() || shared.items.is_empty() {
            return None;
        }
        let n = members.len();
        let coactions: u32 = edges.iter().map(|e| e.count).sum();
        let types_mask = edges.iter().fold(0u16, |m, e| m | e.types);
        let types = ActionType::names_of(types_mask);
        let density = edges.len() as f64 / (n * (n - 1) / 2).max(1) as f64;
        let weakest = edges.iter().map(|e| e.p_value).fold(0.0f64, f64::max);
        let median_gap = shared.median_gap_seconds() as f64;
        let mean_count = f64::from(coactions) / edges.len() as f64;

        // Larger, denser groups that meet more often and closer in time score higher.
        let size = 1.0 - (-(n as f64) / 10.0).exp();
        let repetition = 1.0 - (-mean_count / 5.0).exp();
        let tightness = 1.0 / (1.0 + median_gap / 30.0);
        let score = 0.35 * size + 0.3 * repetition + 0.2 * tightness + 0.15 * density;

        let cut = self.settings.max_evidence_items;
        let accounts: Vec<String> = members
            .iter()
            .map(|&m| net.accounts[m as usize].clone())
            .collect();
        let items: Vec<String> = shared.items.iter().take(cut).cloned().collect();
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        let mut objects: Vec<(&(ActionType, String), usize)> =
            shared.objects.iter().map(|(k, n)| (k, *n)).collect();
        for ((t, _), _) in &objects {
            *by_type.entry(t.name()).or_default() += 1;
        }
        objects.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(y.0)));
        let urls: Vec<String> = objects
            .iter()
            .filter(|((t, _), _)| *t == ActionType::Url)
            .map(|((_, label), _)| label.clone())
            .take(cut)
            .collect();
        let top: Vec<serde_json::Value> = objects
            .iter()
            .take(20)
            .map(|((t, label), accounts)| json!({"type": t.name(), "object": label, "accounts": accounts}))
            .collect();
        let mut figures = serde_json::Map::new();
        figures.insert("members".into(), json!(n));
        figures.insert("edges".into(), json!(edges.len()));
        figures.insert("co_actions".into(), json!(coactions));
        figures.insert("coaction_types".into(), json!(types));
        figures.insert("shared_objects_by_type".into(), json!(by_type));
        figures.insert("shared_objects".into(), json!(top));
        figures.insert(
            "median_gap_seconds".into(),
            json!((median_gap * 10.0).round() / 10.0),
        );
        figures.insert("density".into(), json!((density * 1000.0).round() / 1000.0));
        figures.insert("max_p_value".into(), json!(weakest));
        // The community's kept edges, strongest first: what a GEXF export of the co-action
        // graph draws (weight = co-actions), cut like the other evidence lists.
        let mut strongest = edges.clone();
        strongest.sort_by(|x, y| {
            y.count
                .cmp(&x.count)
                .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
        });
        let edge_list: Vec<serde_json::Value> = strongest
            .iter()
            .take(cut)
            .map(|e| {
                json!({
                    "source": net.accounts[e.a as usize],
                    "target": net.accounts[e.b as usize],
                    "weight": e.count,
                    "types": ActionType::names_of(e.types),
                    "first": DateTime::from_timestamp_millis(e.first).map(|t| t.to_rfc3339()),
                    "last": DateTime::from_timestamp_millis(e.last).map(|t| t.to_rfc3339()),
                    "mean_gap_seconds": (e.mean_gap_ms as f64 / 100.0).round() / 10.0,
                    "p_value": e.p_value,
                })
            })
            .collect();
        figures.insert("coaction_edges".into(), json!(edge_list));
        figures.insert("window_seconds".into(), json!(self.settings.window_seconds));
        let first_seen = DateTime::from_timestamp_millis(shared.first)?;
        let last_seen = DateTime::from_timestamp_millis(shared.last)?;
        let disarm = if types_mask
            & (1 << (ActionType::Repost as u16) | 1 << (ActionType::Quote as u16))
            != 0
        {
            vec!["T0049.005".into(), "T0049.003".into()]
        } else {
            vec!["T0049.005".into()]
        };
        Some(Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::Amplification,
            disarm,
            severity: Severity::from_score(score),
            score,
            title: format!("{n} accounts acting together ({})", types.join(", ")),
            summary: format!(
                "{n} accounts acted on the same objects within {} s of each other {coactions} times \
                 ({} shared objects, median gap {:.0} s), far more than chance predicts.",
                self.settings.window_seconds,
                shared.objects.len(),
                median_gap
            ),
            first_seen,
            last_seen,
            evidence: Evidence {
                items,
                accounts,
                domains: vec![],
                imitates: vec![],
                urls,
                figures,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::config::InputConfig;
    use vigie_core::{Config, Record};
    use vigie_normalise::Normaliser;
    use vigie_store::Store;

    fn post(id: &str, author: &str, secs: i64, url: &str) -> String {
        let at = DateTime::from_timestamp(1_717_200_000 + secs, 0)
            .unwrap()
            .to_rfc3339();
        format!(
            r#"{{"kind":"post","id":"{id}","platform":"x","author":"{author}","created_at":"{at}","text":"lisez {id}","urls":["{url}"]}}"#
        )
    }

    #[test]
    fn an_alert_names_the_group_its_shared_links_and_its_edges() {
        let mut lines = Vec::new();
        // Six accounts share the same link within seconds, on five days.
        for day in 0..5 {
            for m in 0..6 {
                let url = format!("https://relay.example/{day}");
                lines.push(post(
                    &format!("g{day}{m}"),
                    &format!("bot{m}"),
                    day * 86_400 + m * 4,
                    &url,
                ));
            }
        }
        // A background of people sharing news links on their own.
        for i in 0..300 {
            let url = format!("https://news.example/{}", i % 60);
            lines.push(post(
                &format!("o{i}"),
                &format!("user{i}"),
                i * 1_733 % 400_000,
                &url,
            ));
        }
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
        let config = Config::default();
        let alerts = build(&config)
            .unwrap()
            .run(&Context::new(&config, &store))
            .unwrap();
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        let bots: Vec<String> = (0..6).map(|m| format!("bot{m}")).collect();
        assert_eq!(a.evidence.accounts, bots);
        assert_eq!(a.evidence.items.len(), 30);
        assert_eq!(a.evidence.urls.len(), 5);
        assert_eq!(a.evidence.figures["coaction_types"], json!(["same_url"]));
        let edges = a.evidence.figures["coaction_edges"].as_array().unwrap();
        assert_eq!(edges.len(), 15);
        for e in edges {
            assert_eq!(e["weight"], 5);
            assert!(bots.contains(&e["source"].as_str().unwrap().to_owned()));
            assert!(e["mean_gap_seconds"].as_f64().unwrap() <= 20.0);
        }
    }
}
