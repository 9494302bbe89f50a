//! C2PA content credentials as detectors read them: the facts of one image file's manifest
//! store, kept in the record's `c2pa` field (`media.c2pa`, a post's `media[].c2pa`).
//!
//! Two shapes arrive in `c2pa`: the compact [`Provenance`] vigie writes at ingest when it reads
//! the file itself (`vigie-media`, feature `c2pa`), recognised by its `state` key; and the JSON a
//! C2PA reader prints (c2patool, `c2pa::Reader::json`: `active_manifest`, `manifests`,
//! `validation_state`, `validation_status`), which [`Provenance::from_value`] condenses to the
//! same facts. A reader's JSON is taken as given: vigie cannot re-check a signature without the
//! file.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the manifest store's validation concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvenanceState {
    /// The file carries no C2PA manifest ("no JUMBF data found"): no claim, not a failure.
    None,
    /// Signature and hashes check out (whether the signer is trusted is [`Provenance::trusted`]).
    Valid,
    /// A manifest is present but fails validation; [`Provenance::failures`] says why.
    Invalid,
}

impl ProvenanceState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProvenanceState::None => "none",
            ProvenanceState::Valid => "valid",
            ProvenanceState::Invalid => "invalid",
        }
    }
}

/// The IPTC digital source types that declare generative AI.
pub const AI_SOURCE_TYPES: [&str; 2] = [
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
];

/// The facts of one file's active C2PA manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub state: ProvenanceState,
    /// The signing certificate chains to a configured trust anchor (C2PA's "trusted" state).
    #[serde(default)]
    pub trusted: bool,
    /// Failure codes of the active manifest (`assertion.dataHash.mismatch`, …), sorted; a signer
    /// that is merely untrusted (`signingCredential.untrusted`) is not a failure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// The signing certificate's subject common name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signing certificate's subject organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer_org: Option<String>,
    /// Who issued the signing certificate (issuer organisation, else common name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_issuer: Option<String>,
    /// SHA-256 of the signing certificate (DER), lower-case hex: the one identity a look-alike
    /// subject cannot copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_generator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When the claim was signed, as the manifest states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    /// The active manifest's actions (`c2pa.created`, `c2pa.edited`, …), in manifest order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The actions' digital source types, short form (`trainedAlgorithmicMedia`), deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_types: Vec<String>,
}

impl Provenance {
    /// A file without a manifest.
    pub fn none() -> Provenance {
        Provenance {
            state: ProvenanceState::None,
            trusted: false,
            failures: Vec::new(),
            signer: None,
            signer_org: None,
            cert_issuer: None,
            cert_sha256: None,
            claim_generator: None,
            title: None,
            signed_at: None,
            actions: Vec::new(),
            source_types: Vec::new(),
        }
    }

    /// The manifest declares generative AI (IPTC `trainedAlgorithmicMedia` or its composite).
    pub fn ai_generated(&self) -> bool {
        self.source_types
            .iter()
            .any(|t| AI_SOURCE_TYPES.contains(&t.as_str()))
    }

    /// Reads a record's `c2pa` value: vigie's own facts, or a C2PA reader's JSON. `None` when it
    /// is neither (the value is kept in the record, but says nothing vigie can use).
    pub fn from_value(v: &Value) -> Option<Provenance> {
        let obj = v.as_object()?;
        if obj.contains_key("state") {
            return serde_json::from_value(v.clone()).ok();
        }
        from_reader_json(obj)
    }

    /// Records a digital source type given as an IPTC URI or a bare name.
    pub fn add_source_type(&mut self, raw: &str) {
        let short = short_source_type(raw);
        if !short.is_empty() && !self.source_types.iter().any(|t| t == short) {
            self.source_types.push(short.to_owned());
        }
    }
}

/// `http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia` → the last segment.
pub fn short_source_type(raw: &str) -> &str {
    raw.trim()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
}

/// Condenses a C2PA reader's JSON (`active_manifest` naming one of `manifests`).
fn from_reader_json(obj: &serde_json::Map<String, Value>) -> Option<Provenance> {
    let label = obj.get("active_manifest")?.as_str()?;
    let manifest = obj.get("manifests")?.get(label)?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let mut p = Provenance::none();
    // The reader's own summary when present; otherwise any failure code makes it invalid.
    let codes: Vec<String> = obj
        .get("validation_status")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("code").and_then(Value::as_str))
        .filter(|c| *c != "signingCredential.untrusted")
        .map(str::to_owned)
        .collect();
    let declared = obj
        .get("validation_state")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    p.state = match declared.as_deref() {
        Some("valid" | "trusted") => ProvenanceState::Valid,
        Some(_) => ProvenanceState::Invalid,
        None if codes.is_empty() => ProvenanceState::Valid,
        None => ProvenanceState::Invalid,
    };
    p.trusted = declared.as_deref() == Some("trusted");
    p.failures = codes;
    p.failures.sort();
    p.failures.dedup();
    let sig = manifest.get("signature_info");
    p.signer = text(sig.and_then(|s| s.get("common_name")));
    // The reader's `issuer` is the signing certificate's subject organisation.
    p.signer_org = text(sig.and_then(|s| s.get("issuer")));
    p.signed_at = text(sig.and_then(|s| s.get("time")));
    p.title = text(manifest.get("title"));
    p.claim_generator = text(manifest.get("claim_generator")).or_else(|| {
        let info = manifest.get("claim_generator_info")?.as_array()?.first()?;
        text(info.get("name"))
    });
    let assertions = manifest.get("assertions").and_then(Value::as_array);
    for a in assertions.into_iter().flatten() {
        let is_actions = a
            .get("label")
            .and_then(Value::as_str)
            .is_some_and(|l| l.starts_with("c2pa.actions"));
        if !is_actions {
            continue;
        }
        let actions = a.get("data").and_then(|d| d.get("actions"));
        for action in actions.and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = action.get("action").and_then(Value::as_str) {
                p.actions.push(name.to_owned());
            }
            if let Some(t) = action.get("digitalSourceType").and_then(Value::as_str) {
                p.add_source_type(t);
            }
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn own_facts_round_trip() {
        let mut p = Provenance::none();
        p.state = ProvenanceState::Invalid;
        p.failures = vec!["assertion.dataHash.mismatch".into()];
        p.add_source_type("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["state"], "invalid");
        let back = Provenance::from_value(&v).unwrap();
        assert_eq!(back, p);
        assert!(back.ai_generated());
    }

    #[test]
    fn reader_json_is_condensed() {
        let v = json!({
            "active_manifest": "urn:c2pa:1",
            "manifests": {"urn:c2pa:1": {
                "claim_generator_info": [{"name": "Photo desk", "version": "2"}],
                "title": "a.jpg",
                "signature_info": {"issuer": "Le Monde", "common_name": "desk", "time": "2024-06-01T10:00:00+00:00"},
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                    {"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"},
                    {"action": "c2pa.edited"}
                ]}}]
            }},
            "validation_status": [{"code": "signingCredential.untrusted"}, {"code": "assertion.dataHash.mismatch"}],
            "validation_state": "Invalid"
        });
        let p = Provenance::from_value(&v).unwrap();
        assert_eq!(p.state, ProvenanceState::Invalid);
        assert_eq!(p.failures, ["assertion.dataHash.mismatch"]);
        assert_eq!(p.signer_org.as_deref(), Some("Le Monde"));
        assert_eq!(p.claim_generator.as_deref(), Some("Photo desk"));
        assert_eq!(p.actions, ["c2pa.created", "c2pa.edited"]);
        assert!(p.ai_generated());
        // Untrusted alone leaves a reader's manifest valid.
        let mut v2 = v.clone();
        v2["validation_status"] = json!([{"code": "signingCredential.untrusted"}]);
        v2.as_object_mut().unwrap().remove("validation_state");
        assert_eq!(
            Provenance::from_value(&v2).unwrap().state,
            ProvenanceState::Valid
        );
        assert!(Provenance::from_value(&json!({"manifests": {}})).is_none());
        assert!(Provenance::from_value(&json!("text")).is_none());
    }
}
