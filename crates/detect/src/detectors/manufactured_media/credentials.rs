//! C2PA provenance (SPEC §5.8, "invalid or missing C2PA provenance where it is expected"), read
//! from the facts ingest stores in `media.c2pa` and a post's `media[].c2pa` (`vigie-media`,
//! feature `c2pa`; or given in the input, see [`vigie_core::provenance`]). Three signals:
//!
//! - `outlet_without_credentials`: a picture that claims a protected outlet (its `owner`, or one
//!   of the `claim_fields` of the media record, names the outlet, an alias or a domain of it)
//!   whose manifest is missing, invalid, or signed by someone else. The outlet's signer is known
//!   by certificate fingerprint when `signers` lists it; otherwise by the certificate's
//!   organisation or common name naming the outlet, which anyone able to make a certificate can
//!   copy (the evidence says which test was applied).
//! - `tampered_credentials`: a manifest that fails validation (pixels changed after signing, a
//!   broken signature), with the failure codes.
//! - `ai_generated_person`: a manifest declaring generative AI (IPTC `trainedAlgorithmicMedia`
//!   or `compositeWithTrainedAlgorithmicMedia`) on a picture presented as news (it claims a
//!   protected outlet) or as a protected person's (its `owner` or claim fields name a candidate,
//!   or a post attaching it names one).
//!
//! A picture is one subject: the media records and post attachments sharing its SHA-256 (or one
//! attachment without a digest). Subjects and their evidence are kept in sorted maps, so alerts
//! do not depend on store order. Only posts whose JSON mentions `media` are decoded.

use crate::{Context, DetectError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use vigie_core::{
    Alert, Evidence, Kind, MediaRef, ModusOperandi, Provenance, ProvenanceState, Record, Severity,
};
use vigie_normalise::text::fold;

pub const OUTLET_WITHOUT_CREDENTIALS: &str = "outlet_without_credentials";
pub const TAMPERED_CREDENTIALS: &str = "tampered_credentials";
pub const AI_GENERATED_PERSON: &str = "ai_generated_person";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    pub enabled: bool,
    /// Protected outlet name → SHA-256 fingerprints (hex) of the certificates it signs with.
    pub signers: BTreeMap<String, Vec<String>>,
    /// Fields of a media record, besides `owner`, that say whose the picture claims to be.
    pub claim_fields: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            signers: BTreeMap::new(),
            claim_fields: [
                "source",
                "publisher",
                "credit",
                "author",
                "copyright",
                "caption",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// A protected entity as claims are matched against it.
struct Entity {
    name: String,
    outlet: bool,
    person: bool,
    /// Folded name and aliases, matched as whole words.
    names: Vec<String>,
    domains: Vec<String>,
    /// Accepted certificate fingerprints (outlets with `signers` configured).
    fingerprints: BTreeSet<String>,
}

impl Entity {
    fn named_in(&self, folded: &str) -> bool {
        self.names.iter().any(|n| contains_words(folded, n))
            || self.domains.iter().any(|d| contains_words(folded, d))
    }
}

/// `needle` occurs in `hay` with no letter or digit on either side.
fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let edge = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
    hay.match_indices(needle).any(|(i, _)| {
        edge(hay[..i].chars().next_back()) && edge(hay[i + needle.len()..].chars().next())
    })
}

/// One picture: the records and attachments that carry it.
#[derive(Default)]
struct Subject {
    facts: Option<Provenance>,
    items: BTreeSet<String>,
    accounts: BTreeSet<String>,
    times: Vec<i64>,
    /// Entities (indexes) the picture claims to come from or show.
    claims: BTreeSet<usize>,
    /// Protected persons named by posts attaching it.
    mentioned: BTreeSet<usize>,
}

/// What a post record holds that matters here.
#[derive(Deserialize)]
struct PostMedia {
    id: String,
    #[serde(default)]
    media: Vec<MediaRef>,
}

pub fn detect(
    ctx: &Context<'_>,
    settings: &Settings,
    cut: usize,
) -> Result<Vec<Alert>, DetectError> {
    if !settings.enabled {
        return Ok(Vec::new());
    }
    let entities = entities(ctx, settings);
    let mut subjects: BTreeMap<String, Subject> = BTreeMap::new();
    ctx.store.for_each(Kind::Media, |stored| {
        let Record::Media(m) = stored.record else {
            return Ok(());
        };
        let facts = m.c2pa.as_ref().and_then(Provenance::from_value);
        let mut claimed = Vec::new();
        let mut values: Vec<&str> = m.owner.iter().map(String::as_str).collect();
        for field in &settings.claim_fields {
            if let Some(Value::String(s)) = m.extra.get(field) {
                values.push(s);
            }
        }
        for v in values {
            let folded = fold(v);
            claimed.extend((0..entities.len()).filter(|&e| entities[e].named_in(&folded)));
        }
        // A known original (`authentic`) is the user's own reference, not a claim to check.
        if (facts.is_none() && claimed.is_empty()) || m.authentic == Some(true) {
            return Ok(());
        }
        let s = subjects.entry(sha_key(&m.sha256)).or_default();
        if s.facts.is_none() {
            s.facts = facts;
        }
        s.items.insert(m.id);
        s.claims.extend(claimed);
        Ok(())
    })?;
    let persons: Vec<usize> = (0..entities.len())
        .filter(|&e| entities[e].person)
        .collect();
    ctx.store.for_each_json_by_time(Kind::Post, |row| {
        if !row.record.contains("\"media\"") {
            return Ok(());
        }
        let Ok(post) = serde_json::from_str::<PostMedia>(row.record) else {
            return Ok(());
        };
        for (n, m) in post.media.iter().enumerate() {
            let facts = m.c2pa.as_ref().and_then(Provenance::from_value);
            let key = match &m.sha256 {
                Some(sha) => sha_key(sha),
                None => format!("post:{}:{n}", post.id),
            };
            let s = match subjects.get_mut(&key) {
                Some(s) => s,
                None if facts.is_some() => subjects.entry(key).or_default(),
                None => continue,
            };
            if s.facts.is_none() {
                s.facts = facts;
            }
            s.items.insert(post.id.clone());
            if let Some(a) = row.author {
                s.accounts.insert(a.to_owned());
            }
            s.times.extend(row.ts);
            s.mentioned
                .extend(persons.iter().filter(|&&e| entities[e].named_in(row.norm)));
        }
        Ok(())
    })?;
    let mut alerts = Vec::new();
    for s in subjects.values() {
        let Some(facts) = &s.facts else { continue };
        let outlets: Vec<&Entity> = s
            .claims
            .iter()
            .map(|&e| &entities[e])
            .filter(|e| e.outlet)
            .collect();
        for outlet in &outlets {
            if let Some(reason) = unverified(outlet, facts) {
                alerts.push(outlet_alert(s, facts, outlet, reason, cut));
            }
        }
        if facts.state == ProvenanceState::Invalid {
            alerts.push(tampered_alert(s, facts, &entities, cut));
        }
        if facts.ai_generated() {
            let shown: BTreeSet<usize> = s
                .claims
                .iter()
                .chain(&s.mentioned)
                .copied()
                .filter(|&e| entities[e].person || entities[e].outlet)
                .collect();
            if !shown.is_empty() {
                alerts.push(ai_alert(s, facts, &entities, &shown, cut));
            }
        }
    }
    Ok(alerts)
}

fn sha_key(sha: &str) -> String {
    format!("sha:{}", sha.trim().to_ascii_lowercase())
}

fn entities(ctx: &Context<'_>, settings: &Settings) -> Vec<Entity> {
    ctx.config
        .protected
        .iter()
        .map(|p| {
            let mut names: Vec<String> = std::iter::once(&p.name)
                .chain(&p.aliases)
                .map(|n| fold(n))
                .filter(|n| !n.is_empty())
                .collect();
            names.sort();
            names.dedup();
            let fingerprints = settings
                .signers
                .get(&p.name)
                .into_iter()
                .flatten()
                .map(|f| f.trim().replace(':', "").to_ascii_lowercase())
                .collect();
            Entity {
                name: p.name.clone(),
                outlet: p.kind == "media",
                person: p.kind == "candidate",
                names,
                domains: p
                    .domains
                    .iter()
                    .map(|d| d.trim().to_ascii_lowercase())
                    .collect(),
                fingerprints,
            }
        })
        .collect()
}

/// Why a picture claiming `outlet` is not vouched for by it; `None` when it is.
fn unverified(outlet: &Entity, facts: &Provenance) -> Option<&'static str> {
    match facts.state {
        ProvenanceState::None => Some("no_manifest"),
        ProvenanceState::Invalid => Some("invalid_manifest"),
        ProvenanceState::Valid => {
            let own = if outlet.fingerprints.is_empty() {
                [&facts.signer_org, &facts.signer]
                    .into_iter()
                    .flatten()
                    .any(|n| outlet.named_in(&fold(n)))
            } else {
                facts
                    .cert_sha256
                    .as_ref()
                    .is_some_and(|f| outlet.fingerprints.contains(f))
            };
            (!own).then_some("other_signer")
        }
    }
}

fn facts_figures(figures: &mut Map<String, Value>, facts: &Provenance) {
    figures.insert("c2pa_state".into(), json!(facts.state.as_str()));
    figures.insert("c2pa_trusted".into(), json!(facts.trusted));
    figures.insert("c2pa_failures".into(), json!(facts.failures));
    figures.insert("signer".into(), json!(facts.signer));
    figures.insert("signer_org".into(), json!(facts.signer_org));
    figures.insert("cert_issuer".into(), json!(facts.cert_issuer));
    figures.insert("cert_sha256".into(), json!(facts.cert_sha256));
    figures.insert("claim_generator".into(), json!(facts.claim_generator));
    figures.insert("actions".into(), json!(facts.actions));
    figures.insert("digital_source_types".into(), json!(facts.source_types));
}

fn alert(
    s: &Subject,
    cut: usize,
    figures: Map<String, Value>,
    imitates: Vec<String>,
    head: (ModusOperandi, Vec<String>, f64),
    title: String,
    summary: String,
) -> Alert {
    let (modus_operandi, disarm, score) = head;
    let first = s.times.iter().copied().min().unwrap_or(0);
    let last = s.times.iter().copied().max().unwrap_or(0);
    Alert {
        id: String::new(),
        detector: super::NAME.into(),
        modus_operandi,
        disarm,
        severity: Severity::from_score(score),
        score,
        title,
        summary,
        first_seen: ts(first),
        last_seen: ts(last),
        evidence: Evidence {
            items: s.items.iter().take(cut).cloned().collect(),
            accounts: s.accounts.iter().take(cut).cloned().collect(),
            domains: vec![],
            imitates,
            urls: vec![],
            figures,
        },
    }
}

fn outlet_alert(
    s: &Subject,
    facts: &Provenance,
    outlet: &Entity,
    reason: &'static str,
    cut: usize,
) -> Alert {
    let score = match reason {
        "invalid_manifest" => 0.85,
        "other_signer" => 0.8,
        _ => 0.6,
    } + 0.1 * (1.0 - (-(s.items.len() as f64 - 1.0).max(0.0) / 5.0).exp());
    let mut figures = Map::new();
    figures.insert("signal".into(), json!(OUTLET_WITHOUT_CREDENTIALS));
    figures.insert("reason".into(), json!(reason));
    figures.insert(
        "signer_check".into(),
        json!(if outlet.fingerprints.is_empty() {
            "name"
        } else {
            "fingerprint"
        }),
    );
    facts_figures(&mut figures, facts);
    let why = match reason {
        "no_manifest" => "carries no content credentials".to_owned(),
        "invalid_manifest" => format!(
            "carries content credentials that fail validation ({})",
            facts.failures.join(", ")
        ),
        _ => format!(
            "is signed by {} rather than by the outlet",
            facts
                .signer_org
                .as_deref()
                .or(facts.signer.as_deref())
                .unwrap_or("an unnamed certificate")
        ),
    };
    alert(
        s,
        cut,
        figures,
        vec![outlet.name.clone()],
        (
            ModusOperandi::MediaImpersonation,
            vec!["T0097.202".into(), "T0143.003".into()],
            score.min(1.0),
        ),
        format!(
            "Picture attributed to {} without its credentials",
            outlet.name
        ),
        format!(
            "A picture attributed to {} ({} items) {why}.",
            outlet.name,
            s.items.len()
        ),
    )
}

fn tampered_alert(s: &Subject, facts: &Provenance, entities: &[Entity], cut: usize) -> Alert {
    let claimed: Vec<String> = s.claims.iter().map(|&e| entities[e].name.clone()).collect();
    let score = 0.7 + if claimed.is_empty() { 0.0 } else { 0.15 };
    let mut figures = Map::new();
    figures.insert("signal".into(), json!(TAMPERED_CREDENTIALS));
    figures.insert("claimed".into(), json!(claimed));
    facts_figures(&mut figures, facts);
    let signer = facts
        .signer_org
        .as_deref()
        .or(facts.signer.as_deref())
        .map(|o| format!(" signed by {o}"))
        .unwrap_or_default();
    // Whom it claims is a figure, not `imitates`: the id derives from the evidence lists, and
    // the same picture's `outlet_without_credentials` alert imitates the outlet.
    alert(
        s,
        cut,
        figures,
        vec![],
        (
            ModusOperandi::ManufacturedContent,
            vec!["T0086.003".into()],
            score,
        ),
        "Picture whose content credentials fail validation".into(),
        format!(
            "A picture{signer} ({} items) no longer matches its C2PA manifest: {}.",
            s.items.len(),
            facts.failures.join(", ")
        ),
    )
}

fn ai_alert(
    s: &Subject,
    facts: &Provenance,
    entities: &[Entity],
    shown: &BTreeSet<usize>,
    cut: usize,
) -> Alert {
    let names: Vec<String> = shown.iter().map(|&e| entities[e].name.clone()).collect();
    let person = shown.iter().any(|&e| entities[e].person);
    let score = if person { 0.85 } else { 0.75 };
    let mut figures = Map::new();
    figures.insert("signal".into(), json!(AI_GENERATED_PERSON));
    figures.insert("presented_as".into(), json!(names));
    facts_figures(&mut figures, facts);
    let types = facts
        .source_types
        .iter()
        .filter(|t| vigie_core::provenance::AI_SOURCE_TYPES.contains(&t.as_str()))
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    // Persons only in `imitates`: an outlet there would give this alert the id of the same
    // picture's `outlet_without_credentials` alert.
    let persons = shown
        .iter()
        .filter(|&&e| entities[e].person)
        .map(|&e| entities[e].name.clone())
        .collect();
    alert(
        s,
        cut,
        figures,
        persons,
        (
            ModusOperandi::Deepfake,
            vec!["T0086.002".into()],
            score,
        ),
        format!("AI-generated picture presented as {}", names.join(", ")),
        format!(
            "A picture whose content credentials declare it AI-generated ({types}) is presented as {} ({} items).",
            names.join(", "),
            s.items.len()
        ),
    )
}

fn ts(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
