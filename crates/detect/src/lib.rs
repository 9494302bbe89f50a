//! Detectors: each reads the store and returns alerts with their evidence (SPEC §4–5).
//!
//! A detector is one module behind the [`Detector`] trait; the [`registry`] builds the enabled ones
//! from the configuration. Detectors never write: the caller stores and exports what they return.

pub mod clusters;
pub mod coaction;
pub mod content;
pub mod detectors;
pub mod fast_hash;
pub mod graph;
pub mod handles;
pub mod lexicon;
pub mod lookalike;
pub mod names;
pub mod narratives;
pub mod neardup;
pub mod permute;
pub mod pii;
pub mod pipeline;
#[cfg(feature = "semantic")]
pub mod semantic;
#[cfg(test)]
mod test_support;

use vigie_core::{Alert, Config};
use vigie_store::Store;

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Store(#[from] vigie_store::StoreError),
    #[error(transparent)]
    Config(#[from] vigie_core::config::ConfigError),
    #[error("detector {detector}: {reason}")]
    Failed {
        detector: &'static str,
        reason: String,
    },
}

/// What a detector may read, and what detectors of one scan share (computed once, on demand).
pub struct Context<'a> {
    pub config: &'a Config,
    pub store: &'a Store,
    copy_clusters: std::cell::OnceCell<Vec<clusters::CopyCluster>>,
    coaction: std::cell::OnceCell<coaction::Network>,
    /// Set when `astroturf` runs on this context after the co-action scan: the scan then counts
    /// its subjects too, and leaves them here.
    count_subjects: std::cell::Cell<bool>,
    hourly_subjects: std::cell::RefCell<Option<detectors::astroturf::HourlyCounts>>,
    content: std::cell::OnceCell<content::ContentScan>,
    engine: Option<&'a dyn clusters::FeatureEngine>,
    #[cfg(feature = "semantic")]
    encoder: Option<&'a vigie_embed::Encoder>,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a Config, store: &'a Store) -> Context<'a> {
        Context {
            config,
            store,
            copy_clusters: std::cell::OnceCell::new(),
            coaction: std::cell::OnceCell::new(),
            count_subjects: std::cell::Cell::new(false),
            hourly_subjects: std::cell::RefCell::new(None),
            content: std::cell::OnceCell::new(),
            engine: None,
            #[cfg(feature = "semantic")]
            encoder: None,
        }
    }

    /// Has `engine` compute the data-parallel stages (see [`clusters::FeatureEngine`]).
    pub fn with_engine(mut self, engine: &'a dyn clusters::FeatureEngine) -> Context<'a> {
        self.engine = Some(engine);
        self
    }

    /// The engine computing the data-parallel stages, if it is not this process.
    pub fn engine(&self) -> Option<&'a dyn clusters::FeatureEngine> {
        self.engine
    }

    /// Whether detectors compare texts by meaning in this scan (a sentence encoder is set).
    pub fn compares_meaning(&self) -> bool {
        #[cfg(feature = "semantic")]
        return self.encoder.is_some();
        #[cfg(not(feature = "semantic"))]
        false
    }

    /// Lets detectors compare texts by meaning (rewordings, translations) with `encoder`.
    #[cfg(feature = "semantic")]
    pub fn with_encoder(mut self, encoder: &'a vigie_embed::Encoder) -> Context<'a> {
        self.encoder = Some(encoder);
        self
    }

    /// The sentence encoder, when the scan has one.
    #[cfg(feature = "semantic")]
    pub fn encoder(&self) -> Option<&'a vigie_embed::Encoder> {
        self.encoder
    }

    /// Copy clusters of the store's posts and articles (see [`clusters::copy_clusters`]).
    pub fn copy_clusters(&self) -> Result<&[clusters::CopyCluster], DetectError> {
        if let Some(c) = self.copy_clusters.get() {
            return Ok(c);
        }
        let computed = clusters::copy_clusters_with(self.config, self.store, self.engine)?;
        Ok(self.copy_clusters.get_or_init(|| computed))
    }

    /// The significant co-action network of the store's posts (see [`coaction`]).
    pub fn coaction_network(&self) -> Result<&coaction::Network, DetectError> {
        if let Some(n) = self.coaction.get() {
            return Ok(n);
        }
        let computed = if self.count_subjects.get() && self.engine.is_none() {
            let tracker = narratives::Tracker::new(self.config)?;
            let mut counts = detectors::astroturf::HourlyCounts::default();
            let network = coaction::network_counting(self, Some((&tracker, &mut counts)))?;
            *self.hourly_subjects.borrow_mut() = Some(counts);
            network
        } else {
            coaction::network(self)?
        };
        Ok(self.coaction.get_or_init(|| computed))
    }

    /// The hourly subject counts the co-action scan left for `astroturf`, once.
    pub(crate) fn take_hourly_subjects(&self) -> Option<detectors::astroturf::HourlyCounts> {
        self.hourly_subjects.borrow_mut().take()
    }

    /// What the content detectors found in one pass over the store's texts (see
    /// [`content::scan`]).
    pub fn content_scan(&self) -> Result<&content::ContentScan, DetectError> {
        if let Some(c) = self.content.get() {
            return Ok(c);
        }
        let computed = content::scan(self.config, self.store)?;
        Ok(self.content.get_or_init(|| computed))
    }
}

/// `Send`: independent detectors run on a second thread (see [`run_detectors`]).
pub trait Detector: Send {
    /// The SPEC §4 `detector` name.
    fn name(&self) -> &'static str;
    /// Finds what this detector looks for; alerts need not be finalised or sorted.
    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError>;
}

type Builder = fn(&Config) -> Result<Box<dyn Detector>, DetectError>;

/// Every detector vigie has, in run order.
const BUILDERS: &[(&str, Builder)] = &[
    ("copypasta", detectors::copypasta::build),
    ("relay_network", detectors::relay_network::build),
    ("coordination", detectors::coordination::build),
    ("account_burst", detectors::account_burst::build),
    ("astroturf", detectors::astroturf::build),
    ("lookalike_domain", detectors::lookalike_domain::build),
    ("lookalike_account", detectors::lookalike_account::build),
    ("cloned_site", detectors::cloned_site::build),
    ("electoral_process", detectors::electoral_process::build),
    ("incitement", detectors::incitement::build),
    ("doxxing", detectors::doxxing::build),
    ("political_ad", detectors::political_ad::build),
    ("manufactured_media", detectors::manufactured_media::build),
];

/// Names of every available detector.
pub fn available() -> Vec<&'static str> {
    BUILDERS.iter().map(|(n, _)| *n).collect()
}

/// The detectors the configuration enables (all, unless `enabled = false`), with their settings.
pub fn registry(config: &Config) -> Result<Vec<Box<dyn Detector>>, DetectError> {
    BUILDERS
        .iter()
        .filter(|(name, _)| config.detector_enabled(name))
        .map(|(_, build)| build(config))
        .collect()
}

/// Runs every enabled detector and returns their alerts finalised (stable ids) and sorted.
pub fn run_all(ctx: &Context<'_>) -> Result<(Vec<&'static str>, Vec<Alert>), DetectError> {
    run_detectors(ctx, None, None)
}

/// Detectors that read neither copy clusters nor the co-action network, nor write to the store:
/// they can run on a second thread over a second connection while the others share theirs.
const INDEPENDENT: &[&str] = &[
    "account_burst",
    "lookalike_domain",
    "lookalike_account",
    "electoral_process",
    "incitement",
    "doxxing",
    "manufactured_media",
];

/// Runs the enabled detectors (those named in `only`, when given), and returns the names that
/// ran in registry order and their alerts finalised and sorted. With `beside`, a second
/// connection to the same store, the detectors that share nothing with the others run on a
/// second thread: the two groups overlap, the output is the same.
pub fn run_detectors(
    ctx: &Context<'_>,
    only: Option<&[&str]>,
    beside: Option<Store>,
) -> Result<(Vec<&'static str>, Vec<Alert>), DetectError> {
    let chosen: Vec<(usize, Box<dyn Detector>)> = registry(ctx.config)?
        .into_iter()
        .filter(|d| only.is_none_or(|names| names.contains(&d.name())))
        .enumerate()
        .collect();
    // Sentences compared by meaning write the encoder's vector cache: keep that writer with
    // the copy clustering's, on one connection.
    let independent = |name: &str| {
        INDEPENDENT.contains(&name)
            && !(name == "electoral_process" && ctx.compares_meaning())
            // The engine serves one thread: look-alike candidates come from it.
            && !(name == "lookalike_domain" && ctx.engine.is_some())
    };
    let (apart, shared): (Vec<_>, Vec<_>) = chosen
        .into_iter()
        .partition(|(_, d)| beside.is_some() && independent(d.name()));
    // One pass over the posts serves both when the co-action scan runs first, as it does.
    let names: Vec<&str> = shared.iter().map(|(_, d)| d.name()).collect();
    let (coordination, astroturf) = (
        names.iter().position(|n| *n == "coordination"),
        names.iter().position(|n| *n == "astroturf"),
    );
    ctx.count_subjects
        .set(matches!((coordination, astroturf), (Some(c), Some(a)) if c < a));
    let mut done = match beside {
        Some(store) if !apart.is_empty() => {
            let config = ctx.config;
            std::thread::scope(|scope| {
                let side = scope.spawn(move || run_in_order(&Context::new(config, &store), apart));
                let mine = run_in_order(ctx, shared);
                let theirs = side.join().unwrap_or_else(|_| {
                    Err(DetectError::Failed {
                        detector: "scan",
                        reason: "a detector thread panicked".into(),
                    })
                });
                let mut all = mine?;
                all.extend(theirs?);
                Ok::<_, DetectError>(all)
            })?
        }
        _ => run_in_order(ctx, shared.into_iter().chain(apart).collect())?,
    };
    done.sort_by_key(|(order, _, _)| *order);
    let mut ran = Vec::with_capacity(done.len());
    let mut alerts = Vec::new();
    for (_, name, found) in done {
        ran.push(name);
        alerts.extend(found.into_iter().map(Alert::finalise));
    }
    vigie_store::sort_alerts(&mut alerts);
    alerts.dedup_by(|a, b| a.id == b.id);
    Ok((ran, alerts))
}

type Ran = Vec<(usize, &'static str, Vec<Alert>)>;

fn run_in_order(
    ctx: &Context<'_>,
    detectors: Vec<(usize, Box<dyn Detector>)>,
) -> Result<Ran, DetectError> {
    let mut out = Vec::with_capacity(detectors.len());
    for (order, detector) in detectors {
        let started = std::time::Instant::now();
        let found = detector.run(ctx)?;
        tracing::info!(
            detector = detector.name(),
            alerts = found.len(),
            secs = started.elapsed().as_secs_f64(),
            "detector finished"
        );
        out.push((order, detector.name(), found));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_detectors_are_not_built() {
        let all = Config::default();
        assert_eq!(registry(&all).unwrap().len(), available().len());
        let off = Config::from_toml("[detectors.copypasta]\nenabled = false\n", "t").unwrap();
        assert!(registry(&off)
            .unwrap()
            .iter()
            .all(|d| d.name() != "copypasta"));
    }

    #[test]
    fn unknown_detector_settings_are_ignored_known_ones_applied() {
        let cfg = Config::from_toml(
            "[detectors.copypasta]\nmin_accounts = 7\nfuture_knob = 1\n",
            "t",
        )
        .unwrap();
        let s: detectors::copypasta::Settings = cfg.detector_settings("copypasta").unwrap();
        assert_eq!(s.min_accounts, 7);
        assert_eq!(
            s.min_chars,
            detectors::copypasta::Settings::default().min_chars
        );
    }

    #[test]
    fn bad_detector_settings_are_reported() {
        let cfg =
            Config::from_toml("[detectors.copypasta]\nmin_accounts = \"many\"\n", "t").unwrap();
        let err = registry(&cfg)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("copypasta"), "{err}");
    }
}
