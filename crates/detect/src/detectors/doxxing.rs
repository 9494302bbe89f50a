//! `doxxing`: personal data of protected persons appearing in content, and posts that dump
//! many people's personal data at once (SPEC §5.7).
//!
//! Each text is scanned for e-mails, phone numbers, IBANs, national identifiers and street
//! addresses (see [`crate::pii`]; checksums where the format has one). Every normalised value is
//! hashed with the configured salt and compared with the `pii_sha256` of `[[protected]]`
//! entries: the configuration never holds raw values, and neither do alerts nor logs — they
//! name the kinds of data, their counts and the protected person, never the values.

use crate::lexicon;
use crate::pii::{salted_sha256, PiiKind, PiiScanner};
use crate::{Context, DetectError, Detector};
use chrono::DateTime;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Severity};
use vigie_store::TextRow;

pub const NAME: &str = "doxxing";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Settings {
    /// Extra lexicon files (street words are read from their `[doxxing]` section).
    pub lexicons: Vec<String>,
    /// A post with at least this many distinct personal items is a dump.
    pub min_dump_items: usize,
    /// ... of at least this many kinds (phones and e-mails of a list of people, say).
    pub min_dump_kinds: usize,
    pub max_evidence_items: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lexicons: Vec::new(),
            min_dump_items: 4,
            min_dump_kinds: 2,
            max_evidence_items: 500,
        }
    }
}

pub struct Doxxing {
    settings: Settings,
    scanner: PiiScanner,
    salt: Option<String>,
    /// Salted hash → index of the protected entity.
    protected: HashMap<String, usize>,
    names: Vec<String>,
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(Doxxing::new(config)?))
}

/// What one text holds: the kinds of personal data, and which protected entities it names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposure {
    pub kinds: BTreeMap<PiiKind, usize>,
    pub items: usize,
    /// Protected entity index → kinds of their data found.
    pub protected: BTreeMap<usize, BTreeSet<PiiKind>>,
}

impl Doxxing {
    pub fn new(config: &vigie_core::Config) -> Result<Doxxing, DetectError> {
        let settings: Settings = config.detector_settings(NAME)?;
        let lexicons = lexicon::load(&settings.lexicons)?;
        let mut words = Vec::new();
        let mut suffixes = Vec::new();
        for l in &lexicons {
            for w in &l.doxxing.street {
                // German and similar compounds end with the street word ("Hauptstraße").
                if l.lang == "de" && w.chars().count() > 3 && !w.ends_with('.') {
                    suffixes.push(vigie_normalise::text::fold(w));
                }
                words.push(w.clone());
            }
        }
        let scanner = PiiScanner::new(&words, &suffixes).map_err(|e| DetectError::Failed {
            detector: NAME,
            reason: e.to_string(),
        })?;
        let salt = config.privacy.salt.clone();
        let mut protected = HashMap::new();
        let mut names = Vec::new();
        for p in &config.protected {
            if p.pii_sha256.is_empty() {
                continue;
            }
            names.push(p.name.clone());
            for h in &p.pii_sha256 {
                protected.insert(h.trim().to_lowercase(), names.len() - 1);
            }
        }
        if !protected.is_empty() && salt.is_none() {
            tracing::warn!(
                "doxxing: [[protected]] pii_sha256 is set but [privacy] salt is not; \
                 protected persons' data cannot be recognised"
            );
        }
        Ok(Doxxing {
            settings,
            scanner,
            salt,
            protected,
            names,
        })
    }

    /// The personal data a folded text exposes.
    pub fn exposure(&self, text: &str, lang: Option<&str>) -> Exposure {
        let found = self.scanner.scan(text, lang);
        let mut e = Exposure::default();
        let mut seen = BTreeSet::new();
        for p in found {
            // The same value written twice counts once.
            if !seen.insert(p.normalised.first().cloned().unwrap_or_default()) {
                continue;
            }
            *e.kinds.entry(p.kind).or_default() += 1;
            e.items += 1;
            if let Some(salt) = &self.salt {
                for v in &p.normalised {
                    if let Some(&who) = self.protected.get(&salted_sha256(salt, v)) {
                        e.protected.entry(who).or_default().insert(p.kind);
                    }
                }
            }
        }
        e
    }

    fn is_dump(&self, e: &Exposure) -> bool {
        e.items >= self.settings.min_dump_items && e.kinds.len() >= self.settings.min_dump_kinds
    }
}

pub(crate) struct Flagged {
    kind: Kind,
    platform: String,
    pub(crate) id: String,
    author: Option<String>,
    ts: i64,
    exposure: Exposure,
}

impl Detector for Doxxing {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        let flagged = &ctx.content_scan()?.doxxing;
        tracing::info!(
            flagged = flagged.len(),
            "doxxing: items exposing personal data"
        );
        Ok(self.alerts(flagged))
    }
}

impl Doxxing {
    /// What one stored text contributes (see [`crate::content`]).
    pub(crate) fn scan_row(&self, row: &TextRow<'_>) -> Option<Flagged> {
        let e = self.exposure(row.norm, row.lang);
        (!e.protected.is_empty() || self.is_dump(&e)).then(|| Flagged {
            kind: row.kind,
            platform: row.platform.to_owned(),
            id: row.id.to_owned(),
            author: row.author.map(str::to_owned),
            ts: row.ts.unwrap_or(0),
            exposure: e,
        })
    }
}

fn kinds_json(kinds: &BTreeMap<PiiKind, usize>) -> serde_json::Value {
    json!(kinds
        .iter()
        .map(|(k, n)| (k.as_str().to_owned(), json!(n)))
        .collect::<serde_json::Map<_, _>>())
}

impl Doxxing {
    fn alerts(&self, flagged: &[Flagged]) -> Vec<Alert> {
        let cut = self.settings.max_evidence_items;
        let mut alerts = Vec::new();
        // Protected persons: one alert per person, over every item exposing them.
        let mut by_person: BTreeMap<usize, Vec<&Flagged>> = BTreeMap::new();
        for f in flagged {
            for &who in f.exposure.protected.keys() {
                by_person.entry(who).or_default().push(f);
            }
        }
        for (who, items) in by_person {
            let name = self.names.get(who).cloned().unwrap_or_default();
            let mut kinds: BTreeSet<PiiKind> = BTreeSet::new();
            for f in &items {
                kinds.extend(f.exposure.protected.get(&who).into_iter().flatten());
            }
            let accounts: BTreeSet<String> =
                items.iter().filter_map(|f| f.author.clone()).collect();
            let kind_names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            // Identity numbers, bank and home details are graver than a contact address.
            let grave = kinds
                .iter()
                .any(|k| matches!(k, PiiKind::Address | PiiKind::Iban | PiiKind::NationalId));
            let score = 0.75
                + if grave { 0.1 } else { 0.0 }
                + 0.05 * (kinds.len().saturating_sub(1).min(2)) as f64
                + 0.05 * (accounts.len().saturating_sub(1).min(1)) as f64;
            let mut figures = serde_json::Map::new();
            figures.insert("protected".into(), json!(name));
            figures.insert("pii_kinds".into(), json!(kind_names));
            figures.insert("posts".into(), json!(items.len()));
            figures.insert(
                "per_item".into(),
                json!(items
                    .iter()
                    .take(cut)
                    .map(|f| json!({"item": f.id, "kinds": kinds_json(&f.exposure.kinds)}))
                    .collect::<Vec<_>>()),
            );
            alerts.push(self.alert(
                &items,
                accounts,
                score,
                format!("Personal data of {name} published"),
                format!(
                    "{} item(s) by {} account(s) publish {name}'s personal data ({}); values \
                     matched by salted hash and not shown.",
                    items.len(),
                    items.iter().filter_map(|f| f.author.as_ref()).collect::<BTreeSet<_>>().len(),
                    kind_names.join(", ")
                ),
                figures,
            ));
        }
        // Dumps: one alert per item, unless already reported for a protected person.
        for f in flagged
            .iter()
            .filter(|f| f.exposure.protected.is_empty() && self.is_dump(&f.exposure))
        {
            let e = &f.exposure;
            let score = (0.5 + 0.05 * e.items as f64).min(0.85);
            let mut figures = serde_json::Map::new();
            figures.insert("pii_items".into(), json!(e.items));
            figures.insert("pii_kinds".into(), kinds_json(&e.kinds));
            let accounts: BTreeSet<String> = f.author.iter().cloned().collect();
            let parts: Vec<String> = e
                .kinds
                .iter()
                .map(|(k, n)| format!("{n} {}", k.as_str()))
                .collect();
            alerts.push(self.alert(
                &[f],
                accounts,
                score,
                format!("Dump of {} personal items", e.items),
                format!(
                    "One item publishes {} personal items ({}); values not shown.",
                    e.items,
                    parts.join(", ")
                ),
                figures,
            ));
        }
        alerts
    }

    fn alert(
        &self,
        items: &[&Flagged],
        accounts: BTreeSet<String>,
        score: f64,
        title: String,
        summary: String,
        figures: serde_json::Map<String, serde_json::Value>,
    ) -> Alert {
        let cut = self.settings.max_evidence_items;
        let first = items.iter().map(|f| f.ts).min().unwrap_or(0);
        let last = items.iter().map(|f| f.ts).max().unwrap_or(0);
        Alert {
            id: String::new(),
            detector: NAME.into(),
            modus_operandi: ModusOperandi::LeaksDoxxing,
            disarm: vec!["T0048.004".into(), "T0089.001".into()],
            severity: Severity::from_score(score),
            score,
            title,
            summary,
            first_seen: DateTime::from_timestamp_millis(first).unwrap_or_default(),
            last_seen: DateTime::from_timestamp_millis(last).unwrap_or_default(),
            evidence: Evidence {
                items: items.iter().take(cut).map(|f| f.id.clone()).collect(),
                accounts: accounts.into_iter().take(cut).collect(),
                domains: items
                    .iter()
                    .filter(|f| f.kind == Kind::Article)
                    .map(|f| f.platform.clone())
                    .take(cut)
                    .collect(),
                imitates: vec![],
                urls: vec![],
                figures,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::salted_sha256;
    use std::sync::{Arc, Mutex};
    use vigie_core::config::InputConfig;
    use vigie_core::{Config, Record};
    use vigie_normalise::Normaliser;
    use vigie_store::Store;

    const SALT: &str = "s3cret-salt";
    const PHONE: &str = "06 12 34 56 78";
    const EMAIL: &str = "claire.fontaine.perso@example.org";
    const IBAN: &str = "FR14 2004 1010 0505 0001 3M02 606";

    fn config() -> Config {
        let hashes = [
            salted_sha256(SALT, "+33612345678"),
            salted_sha256(SALT, EMAIL),
            salted_sha256(SALT, "fr1420041010050500013m02606"),
        ];
        Config::from_toml(
            &format!(
                "[privacy]\nsalt = \"{SALT}\"\n[[protected]]\nkind = \"candidate\"\nname = \"Claire Fontaine\"\n\
                 pii_sha256 = [\"{}\", \"{}\", \"{}\"]\n",
                hashes[0], hashes[1], hashes[2]
            ),
            "t",
        )
        .unwrap()
    }

    fn store_with(posts: &[(&str, &str, &str)]) -> Store {
        let mut store = Store::open_in_memory().unwrap();
        let normaliser = Normaliser::new(&InputConfig::default());
        let mut batch = store.batch().unwrap();
        for (id, author, text) in posts {
            let line = serde_json::json!({"kind": "post", "id": id, "platform": "x", "author": author,
                "created_at": "2024-06-05T10:00:00Z", "text": text, "lang": "fr"});
            let record: Record = serde_json::from_value(line).unwrap();
            batch
                .insert(&normaliser.normalise(record).unwrap())
                .unwrap();
        }
        batch.commit().unwrap();
        store
    }

    /// A tracing writer that keeps everything logged, to check no value leaks into logs.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn protected_person_and_dumps_are_found_without_raw_values_anywhere() {
        let posts = [
            ("p1", "leaker", &*format!("Voici le numéro perso de Claire Fontaine : {PHONE}, appelez-la tous !")),
            ("p2", "leaker2", &*format!("Son mail privé : {EMAIL} et son IBAN {IBAN}")),
            ("d1", "dumper", "Fuite : assesseurs de Lyon — Jean Martin 06 98 76 54 32 jean.martin@example.net, \
                             Marie Durand 07 11 22 33 44 marie.durand@example.net, 12 rue des Lilas"),
            // One public contact is not a dump, and a stranger's phone is nobody protected.
            ("n1", "mairie", "Renseignements : contact@mairie-lyon.example, 04 72 10 30 30"),
        ];
        let store = store_with(&posts);
        let cfg = config();
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        let alerts = tracing::subscriber::with_default(subscriber, || {
            let d = build(&cfg).unwrap();
            d.run(&Context::new(&cfg, &store)).unwrap()
        });
        let alerts: Vec<Alert> = alerts.into_iter().map(Alert::finalise).collect();
        assert_eq!(alerts.len(), 2, "{alerts:#?}");
        let person = alerts.iter().find(|a| a.title.contains("Claire")).unwrap();
        assert_eq!(person.evidence.items, vec!["p1", "p2"]);
        assert_eq!(
            person.evidence.figures["pii_kinds"],
            json!(["email", "phone", "iban"])
        );
        assert!(matches!(
            person.severity,
            Severity::High | Severity::Critical
        ));
        let dump = alerts.iter().find(|a| a.title.starts_with("Dump")).unwrap();
        assert_eq!(dump.evidence.items, vec!["d1"]);
        // No raw or normalised value in alerts, the store's alerts table, or logs.
        let mut store = store;
        store.replace_alerts(&[NAME], &alerts).unwrap();
        let stored = serde_json::to_string(&store.alerts().unwrap()).unwrap();
        let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let emitted = serde_json::to_string(&alerts).unwrap();
        for haystack in [&emitted, &stored, &logged] {
            for needle in [
                PHONE,
                "0612345678",
                "+33612345678",
                "612345678",
                EMAIL,
                "claire.fontaine.perso",
                IBAN,
                "fr1420041010050500013m02606",
                "2004",
                "98 76 54 32",
                "jean.martin",
                "marie.durand",
                "rue des lilas",
                "12 rue",
            ] {
                assert!(
                    !haystack.to_lowercase().contains(&needle.to_lowercase()),
                    "{needle} leaked"
                );
            }
        }
        assert!(
            logged.contains("doxxing"),
            "the detector logged nothing: {logged}"
        );
    }

    #[test]
    fn without_salt_only_dumps_are_found() {
        let mut cfg = config();
        cfg.privacy.salt = None;
        let d = Doxxing::new(&cfg).unwrap();
        let e = d.exposure(
            &vigie_normalise::text::fold(&format!("appelez {PHONE}")),
            Some("fr"),
        );
        assert_eq!(e.items, 1);
        assert!(e.protected.is_empty());
        let with_salt = Doxxing::new(&config()).unwrap();
        let e = with_salt.exposure(
            &vigie_normalise::text::fold(&format!("appelez {PHONE}")),
            Some("fr"),
        );
        assert_eq!(e.protected.len(), 1);
        // The same number in E.164 is the same person.
        let e = with_salt.exposure("appelez +33 6 12 34 56 78", Some("en"));
        assert_eq!(e.protected.len(), 1);
    }
}
