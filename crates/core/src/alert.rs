//! Alerts, SPEC §4. Field names are a fixed interface.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Maps a 0..1 score onto the four levels with the thresholds every detector shares.
    pub fn from_score(score: f64) -> Severity {
        match score {
            s if s >= 0.9 => Severity::Critical,
            s if s >= 0.7 => Severity::High,
            s if s >= 0.4 => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModusOperandi {
    ContentLaundering,
    Amplification,
    MediaImpersonation,
    ElectoralProcess,
    PoliticalAdvertising,
    Astroturfing,
    LeaksDoxxing,
    ManufacturedContent,
    PhysicalIncitement,
    Deepfake,
}

/// What an alert points at. `items`, `accounts`, `domains` and `urls` are sorted and deduplicated by
/// [`Alert::finalise`] so that output is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub items: Vec<String>,
    pub accounts: Vec<String>,
    pub domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imitates: Vec<String>,
    pub urls: Vec<String>,
    /// Detector-specific figures (cluster size, spread, similarity, delays, reasons).
    #[serde(flatten)]
    pub figures: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub detector: String,
    pub modus_operandi: ModusOperandi,
    pub disarm: Vec<String>,
    pub severity: Severity,
    pub score: f64,
    pub title: String,
    pub summary: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub evidence: Evidence,
}

impl Alert {
    /// Sorts and deduplicates evidence lists, clamps the score, and derives the stable id from the
    /// detector and the evidence — so the same finding on the same input always has the same id.
    pub fn finalise(mut self) -> Alert {
        let ev = &mut self.evidence;
        for list in [
            &mut ev.items,
            &mut ev.accounts,
            &mut ev.domains,
            &mut ev.imitates,
            &mut ev.urls,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        // A figure named like an evidence list would shadow it in the flattened JSON.
        for reserved in ["items", "accounts", "domains", "imitates", "urls"] {
            if let Some(v) = ev.figures.remove(reserved) {
                ev.figures.insert(format!("{reserved}_figure"), v);
            }
        }
        self.disarm.sort_unstable();
        self.disarm.dedup();
        self.score = if self.score.is_finite() {
            self.score.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.id = Self::stable_id(&self.detector, &self.evidence);
        self
    }

    fn stable_id(detector: &str, ev: &Evidence) -> String {
        let mut parts: Vec<&[u8]> = vec![detector.as_bytes()];
        for (tag, list) in [
            ("i", &ev.items),
            ("a", &ev.accounts),
            ("d", &ev.domains),
            ("m", &ev.imitates),
        ] {
            parts.push(tag.as_bytes());
            parts.extend(list.iter().map(|s| s.as_bytes()));
        }
        // A detector with several signals can raise two of them on the same evidence (a page
        // both foreign-paid and micro-targeting): the signal keeps them two alerts.
        if let Some(signal) = ev.figures.get("signal").and_then(|v| v.as_str()) {
            parts.push(b"s");
            parts.push(signal.as_bytes());
        }
        format!("{}-{:016x}", detector, crate::stable_hash(&parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(items: &[&str]) -> Alert {
        Alert {
            id: String::new(),
            detector: "copypasta".into(),
            modus_operandi: ModusOperandi::ContentLaundering,
            disarm: vec!["T0084.001".into()],
            severity: Severity::Medium,
            score: 1.7,
            title: "t".into(),
            summary: "s".into(),
            first_seen: DateTime::<Utc>::UNIX_EPOCH,
            last_seen: DateTime::<Utc>::UNIX_EPOCH,
            evidence: Evidence {
                items: items.iter().map(|s| s.to_string()).collect(),
                ..Evidence::default()
            },
        }
    }

    #[test]
    fn id_depends_on_evidence_not_on_its_order() {
        let a = sample(&["b", "a", "a"]).finalise();
        let b = sample(&["a", "b"]).finalise();
        let c = sample(&["a", "c"]).finalise();
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_eq!(a.evidence.items, vec!["a", "b"]);
        assert_eq!(a.score, 1.0);
    }

    #[test]
    fn signals_on_the_same_evidence_are_separate_alerts() {
        let with = |figure: &str, value: &str| {
            let mut a = sample(&["ad1", "ad2"]);
            a.evidence
                .figures
                .insert(figure.into(), serde_json::json!(value));
            a.finalise().id
        };
        assert_ne!(
            with("signal", "foreign_payer"),
            with("signal", "micro_targeting")
        );
        assert_eq!(with("signal", "burst"), with("signal", "burst"));
        // Other figures are measurements, not identity.
        assert_eq!(with("note", "a"), with("note", "b"));
        assert_eq!(with("note", "a"), sample(&["ad1", "ad2"]).finalise().id);
    }

    #[test]
    fn a_figure_cannot_shadow_an_evidence_list() {
        let mut a = sample(&["x"]);
        a.evidence
            .figures
            .insert("items".into(), serde_json::json!(7));
        let v = serde_json::to_value(a.finalise()).unwrap();
        assert_eq!(v["evidence"]["items"], serde_json::json!(["x"]));
        assert_eq!(v["evidence"]["items_figure"], 7);
    }

    #[test]
    fn serialises_with_spec_field_names() {
        let v = serde_json::to_value(sample(&["x"]).finalise()).unwrap();
        for f in [
            "id",
            "detector",
            "modus_operandi",
            "disarm",
            "severity",
            "score",
            "title",
            "summary",
            "first_seen",
            "last_seen",
            "evidence",
        ] {
            assert!(v.get(f).is_some(), "missing {f}");
        }
        assert_eq!(v["modus_operandi"], "content_laundering");
        assert_eq!(v["severity"], "medium");
        for f in ["items", "accounts", "domains", "urls"] {
            assert!(v["evidence"][f].is_array(), "evidence.{f}");
        }
    }
}
