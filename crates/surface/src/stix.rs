//! STIX 2.1 bundle of incidents, as OpenCTI and MISP import them: vigie's identity, a TLP
//! marking, and per incident a campaign and a report; DISARM techniques as attack-patterns
//! (`external_references[].external_id`); domains, URLs and accounts as observables, domains and
//! URLs also as indicators; each alert as observed-data with a note carrying its summary; `uses`
//! and `indicates` relationships. Every id is a UUIDv5 of what the object stands for (SCOs follow
//! the STIX deterministic-id rule), and every timestamp comes from the data, so the same store
//! gives the same bundle.

use crate::incidents::Incident;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use uuid::Uuid;
use vigie_core::Alert;

/// The STIX 2.1 namespace for deterministic SCO ids.
const SCO_NAMESPACE: Uuid = Uuid::from_u128(0x00abedb4_aa42_466c_9c01_fed23315a9b7);

/// TLP 1.0 marking definitions as STIX 2.1 predefines them (ids and content are fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tlp {
    White,
    Green,
    Amber,
    Red,
}

impl Tlp {
    pub fn parse(s: &str) -> Option<Tlp> {
        match s.to_ascii_lowercase().as_str() {
            "white" | "clear" => Some(Tlp::White),
            "green" => Some(Tlp::Green),
            "amber" => Some(Tlp::Amber),
            "red" => Some(Tlp::Red),
            _ => None,
        }
    }

    fn object(self) -> Value {
        let (id, name) = match self {
            Tlp::White => ("613f2e26-407d-48c7-9eca-b8e91df99dc9", "white"),
            Tlp::Green => ("34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"),
            Tlp::Amber => ("f88d31f6-486f-44da-b317-01333bde0b82", "amber"),
            Tlp::Red => ("5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"),
        };
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": format!("marking-definition--{id}"),
            "created": "2017-01-20T00:00:00.000Z",
            "definition_type": "tlp",
            "name": format!("TLP:{}", name.to_ascii_uppercase()),
            "definition": {"tlp": name},
        })
    }
}

fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://github.com/vigie-fimi/vigie")
}

fn sdo_id(kind: &str, key: &str) -> String {
    let name = format!("{kind}|{key}");
    format!("{kind}--{}", Uuid::new_v5(&namespace(), name.as_bytes()))
}

fn sco_id(kind: &str, contributing: &Value) -> String {
    // serde_json maps are ordered by key: the canonical form for these flat string objects.
    let canon = contributing.to_string();
    format!("{kind}--{}", Uuid::new_v5(&SCO_NAMESPACE, canon.as_bytes()))
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Quotes a value inside a STIX pattern string literal.
fn pattern_literal(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

/// Writes objects to the bundle as they come, each id once, keeping only the ids seen: a
/// bundle of a large store does not have to fit in memory.
struct Objects<W: Write> {
    out: W,
    seen: HashSet<String>,
    error: Option<std::io::Error>,
}

impl<W: Write> Objects<W> {
    fn add(&mut self, obj: Value) -> String {
        let id = obj["id"].as_str().unwrap_or_default().to_owned();
        if self.error.is_none() && self.seen.insert(id.clone()) {
            let sep: &[u8] = if self.seen.len() == 1 { b"\n" } else { b",\n" };
            let written = self
                .out
                .write_all(sep)
                .and_then(|_| serde_json::to_writer(&mut self.out, &obj).map_err(Into::into));
            if let Err(e) = written {
                self.error = Some(e);
            }
        }
        id
    }
}

/// Writes the bundle for `incidents`, whose member alerts are looked up in `alerts`.
pub fn write_bundle(
    mut out: impl Write,
    incidents: &[Incident],
    alerts: &[Alert],
    tlp: Tlp,
) -> std::io::Result<()> {
    let by_id: HashMap<&str, &Alert> = alerts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut bundle_key: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    bundle_key.sort_unstable();
    write!(
        out,
        "{{\"type\": \"bundle\", \"id\": \"{}\", \"objects\": [",
        sdo_id("bundle", &bundle_key.join(","))
    )?;
    let mut objs = Objects {
        out,
        seen: HashSet::new(),
        error: None,
    };
    let marking = tlp.object();
    let marking_id = marking["id"].as_str().unwrap_or_default().to_owned();
    let epoch = incidents
        .iter()
        .map(|i| i.first_seen)
        .min()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let identity = objs.add(json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": sdo_id("identity", "vigie"),
        "created": ts(epoch),
        "modified": ts(epoch),
        "name": "vigie",
        "identity_class": "system",
        "description": "vigie, open-source detection of foreign information manipulation and interference around elections",
    }));
    objs.add(marking);
    let common = |created: DateTime<Utc>, modified: DateTime<Utc>| -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("spec_version".into(), "2.1".into());
        m.insert("created".into(), ts(created).into());
        m.insert("modified".into(), ts(modified.max(created)).into());
        m.insert("created_by_ref".into(), identity.clone().into());
        m.insert("object_marking_refs".into(), json!([marking_id]));
        m
    };
    let sdo = |kind: &str, key: &str, base: &Map<String, Value>, fields: Value| -> Value {
        let mut m = base.clone();
        m.insert("type".into(), kind.into());
        m.insert("id".into(), sdo_id(kind, key).into());
        if let Value::Object(f) = fields {
            m.extend(f);
        }
        Value::Object(m)
    };
    for inc in incidents {
        let base = common(inc.first_seen, inc.last_seen);
        let mut refs: BTreeSet<String> = BTreeSet::new();
        let campaign = objs.add(sdo(
            "campaign",
            &inc.id,
            &base,
            json!({
                "name": inc.title,
                "description": inc.summary,
                "first_seen": ts(inc.first_seen),
                "last_seen": ts(inc.last_seen),
                "external_references": [{"source_name": "vigie", "external_id": inc.id}],
            }),
        ));
        refs.insert(campaign.clone());
        let relate = |objs: &mut Objects<_>, kind: &str, source: &str, target: &str| {
            objs.add(sdo(
                "relationship",
                &format!("{kind}|{source}|{target}"),
                &base,
                json!({"relationship_type": kind, "source_ref": source, "target_ref": target}),
            ))
        };
        for t in &inc.disarm {
            let ap_base = common(epoch, epoch);
            let ap = objs.add(sdo(
                "attack-pattern",
                t,
                &ap_base,
                json!({
                    "name": format!("DISARM {t}"),
                    "external_references": [{"source_name": "DISARM", "external_id": t}],
                    "kill_chain_phases": [{"kill_chain_name": "disarm", "phase_name": "execute"}],
                }),
            ));
            refs.insert(relate(&mut objs, "uses", &campaign, &ap));
            refs.insert(ap);
        }
        for aid in &inc.alerts {
            let Some(a) = by_id.get(aid.as_str()) else {
                continue;
            };
            let abase = common(a.first_seen, a.last_seen);
            let ev = &a.evidence;
            let mut scos = Vec::new();
            for d in &ev.domains {
                scos.push(objs.add(json!({
                    "type": "domain-name", "spec_version": "2.1",
                    "id": sco_id("domain-name", &json!({"value": d})), "value": d,
                })));
                let ind = objs.add(sdo(
                    "indicator",
                    &format!("domain|{d}"),
                    &abase,
                    json!({
                        "name": format!("Domain {d}"),
                        "indicator_types": ["anomalous-activity"],
                        "pattern": format!("[domain-name:value = '{}']", pattern_literal(d)),
                        "pattern_type": "stix",
                        "valid_from": ts(a.first_seen),
                    }),
                ));
                refs.insert(relate(&mut objs, "indicates", &ind, &campaign));
                refs.insert(ind);
            }
            for u in &ev.urls {
                scos.push(objs.add(json!({
                    "type": "url", "spec_version": "2.1",
                    "id": sco_id("url", &json!({"value": u})), "value": u,
                })));
                let ind = objs.add(sdo(
                    "indicator",
                    &format!("url|{u}"),
                    &abase,
                    json!({
                        "name": format!("URL {u}"),
                        "indicator_types": ["anomalous-activity"],
                        "pattern": format!("[url:value = '{}']", pattern_literal(u)),
                        "pattern_type": "stix",
                        "valid_from": ts(a.first_seen),
                    }),
                ));
                refs.insert(relate(&mut objs, "indicates", &ind, &campaign));
                refs.insert(ind);
            }
            for acc in &ev.accounts {
                scos.push(objs.add(json!({
                    "type": "user-account", "spec_version": "2.1",
                    "id": sco_id("user-account", &json!({"user_id": acc})), "user_id": acc,
                })));
            }
            refs.extend(scos.iter().cloned());
            let mut about = vec![campaign.clone()];
            if !scos.is_empty() {
                let observed = objs.add(sdo(
                    "observed-data",
                    &a.id,
                    &abase,
                    json!({
                        "first_observed": ts(a.first_seen),
                        "last_observed": ts(a.last_seen),
                        "number_observed": ev.items.len().clamp(1, 999_999_999),
                        "object_refs": scos,
                    }),
                ));
                refs.insert(observed.clone());
                about.push(observed);
            }
            let note = objs.add(sdo(
                "note",
                &a.id,
                &abase,
                json!({
                    "abstract": a.title,
                    "content": format!(
                        "{} (detector {}, severity {}, score {:.2}; DISARM {}; alert {})",
                        a.summary, a.detector, a.severity.as_str(), a.score, a.disarm.join(", "), a.id
                    ),
                    "object_refs": about,
                }),
            ));
            refs.insert(note);
        }
        let criteria: Vec<String> = inc
            .criteria
            .iter()
            .map(|c| {
                let shown: Vec<&str> = c.shown.iter().map(|f| f.text.as_str()).collect();
                format!(
                    "{}: {} To establish: {}",
                    c.name,
                    if shown.is_empty() {
                        "nothing shown by vigie.".to_owned()
                    } else {
                        shown.join(" ")
                    },
                    c.to_establish
                )
            })
            .collect();
        objs.add(sdo(
            "report",
            &inc.id,
            &base,
            json!({
                "name": inc.title,
                "description": format!("{}\n\n{}", inc.summary, criteria.join("\n")),
                "report_types": ["threat-report"],
                "published": ts(inc.last_seen),
                "object_refs": refs,
                "labels": inc.detectors,
            }),
        ));
    }
    if let Some(e) = objs.error {
        return Err(e);
    }
    objs.out.write_all(b"\n]}\n")?;
    objs.out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_v5_and_patterns_quote_hostile_values() {
        let a = sdo_id("campaign", "inc-1");
        assert_eq!(a, sdo_id("campaign", "inc-1"));
        assert_ne!(a, sdo_id("campaign", "inc-2"));
        let uuid = Uuid::parse_str(a.trim_start_matches("campaign--")).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
        assert_eq!(pattern_literal("a'b\\c"), "a\\'b\\\\c");
        assert_eq!(Tlp::parse("CLEAR"), Some(Tlp::White));
        assert_eq!(Tlp::parse("blue"), None);
    }
}
