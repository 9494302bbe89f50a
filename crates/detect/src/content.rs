//! One pass over the store's texts for the content detectors (`electoral_process`,
//! `incitement`, `doxxing`): reading the store dominates their cost, so the enabled ones look
//! at each text in the same pass, and each keeps only the few items it flags. The pass runs
//! once per scan, on demand, and is cached in the [`crate::Context`].

use crate::detectors::{doxxing, electoral_process, incitement};
use crate::DetectError;
use vigie_core::{Config, Kind};
use vigie_store::{Store, TextRow};

#[derive(Default)]
pub struct ContentScan {
    pub(crate) electoral: Vec<electoral_process::Flagged>,
    pub(crate) incitement: Vec<incitement::Flagged>,
    pub(crate) doxxing: Vec<doxxing::Flagged>,
    /// Texts read.
    pub texts: u64,
}

impl ContentScan {
    /// Items flagged by each content detector.
    pub fn flagged(&self) -> usize {
        self.electoral.len() + self.incitement.len() + self.doxxing.len()
    }
}

/// The enabled content detectors, built from the configuration.
pub struct ContentAnalysers {
    electoral: Option<electoral_process::ElectoralProcess>,
    incitement: Option<incitement::Incitement>,
    doxxing: Option<doxxing::Doxxing>,
}

impl ContentAnalysers {
    pub fn new(config: &Config) -> Result<ContentAnalysers, DetectError> {
        let on = |name| config.detector_enabled(name);
        Ok(ContentAnalysers {
            electoral: on(electoral_process::NAME)
                .then(|| electoral_process::ElectoralProcess::new(config))
                .transpose()?
                .filter(|e| !e.facts.is_empty()),
            incitement: on(incitement::NAME)
                .then(|| incitement::Incitement::new(config))
                .transpose()?,
            doxxing: on(doxxing::NAME)
                .then(|| doxxing::Doxxing::new(config))
                .transpose()?,
        })
    }

    /// Looks at one text with every enabled content detector.
    pub fn analyse(&self, row: &TextRow<'_>, out: &mut ContentScan) {
        out.texts += 1;
        // Native reposts repeat their original, which is read on its own.
        if row.repost_of.is_some() || row.norm.is_empty() {
            return;
        }
        if let Some(f) = self.electoral.as_ref().and_then(|d| d.scan_row(row)) {
            out.electoral.push(f);
        }
        if let Some(f) = self.incitement.as_ref().and_then(|d| d.scan_row(row)) {
            out.incitement.push(f);
        }
        if let Some(f) = self.doxxing.as_ref().and_then(|d| d.scan_row(row)) {
            out.doxxing.push(f);
        }
    }
}

/// Kinds of record the content detectors read.
pub const KINDS: [Kind; 3] = [Kind::Post, Kind::Article, Kind::Ad];

pub fn scan(config: &Config, store: &Store) -> Result<ContentScan, DetectError> {
    let analysers = ContentAnalysers::new(config)?;
    let mut out = ContentScan::default();
    store.for_each_text(&KINDS, |row| {
        analysers.analyse(row, &mut out);
        Ok(())
    })?;
    Ok(out)
}
