//! `vigie scan`: ingest the inputs, run every enabled detector over the store, write the alerts.

use crate::ingest::{ingest, IngestError, IngestOptions, IngestSummary};
use std::io::Write;
use std::path::{Path, PathBuf};
use vigie_core::{Alert, Config};
use vigie_detect::clusters::FeatureEngine;
use vigie_detect::{run_detectors, Context, DetectError};
use vigie_sources::{expand_inputs, SourceError};
use vigie_store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Detect(#[from] DetectError),
    #[error("engine: {0}")]
    Engine(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Where a scan writes. `alerts` = `None` means standard output.
pub struct ScanOutputs {
    pub alerts: Option<PathBuf>,
    pub quarantine: PathBuf,
}

pub struct ScanReport {
    pub ingest: IngestSummary,
    pub detectors: Vec<&'static str>,
    pub alerts: Vec<Alert>,
    pub quarantined_lines: u64,
    pub incidents: vigie_surface::incidents::Refreshed,
}

pub fn scan(
    store: &mut Store,
    inputs: &[PathBuf],
    config: &Config,
    outputs: &ScanOutputs,
    opts: &IngestOptions,
) -> Result<ScanReport, ScanError> {
    scan_with(store, inputs, config, outputs, opts, None)
}

/// Makes the engine of a scan once the inputs are in the store (it typically exports them).
pub type EngineSetup<'a> = &'a dyn Fn(&Store) -> Result<Box<dyn FeatureEngine>, String>;

/// [`scan`], with the data-parallel stages run by the engine `setup` makes (see
/// `vigie_detect::clusters::FeatureEngine`); `None` runs everything in this process.
pub fn scan_with(
    store: &mut Store,
    inputs: &[PathBuf],
    config: &Config,
    outputs: &ScanOutputs,
    opts: &IngestOptions,
    setup: Option<EngineSetup<'_>>,
) -> Result<ScanReport, ScanError> {
    let inputs = expand_inputs(inputs)?;
    let summary = ingest(store, &inputs, config, opts)?;
    let quarantined_lines = write_quarantine(store, &outputs.quarantine)?;
    let engine = setup
        .map(|s| s(store))
        .transpose()
        .map_err(ScanError::Engine)?;
    #[cfg(feature = "semantic")]
    let encoder = semantic_encoder(config);
    // Detectors that share nothing with the others read through a second connection, beside.
    let beside = store.reopen()?;
    let mut ctx = Context::new(config, store);
    if let Some(engine) = engine.as_deref() {
        ctx = ctx.with_engine(engine);
    }
    #[cfg(feature = "semantic")]
    let ctx = match &encoder {
        Some(e) => ctx.with_encoder(e),
        None => ctx,
    };
    let (detectors, alerts) = run_detectors(&ctx, None, beside)?;
    drop(ctx);
    store.replace_alerts(&detectors, &alerts)?;
    // Usually the store holds exactly this scan's alerts: group those without decoding them again.
    let refreshed = if store.alert_count()? == alerts.len() as u64 {
        vigie_surface::incidents::refresh_with(store, &alerts)?
    } else {
        vigie_surface::incidents::refresh(store)?
    };
    write_alerts(&alerts, outputs.alerts.as_deref())?;
    Ok(ScanReport {
        ingest: summary,
        detectors,
        alerts,
        quarantined_lines,
        incidents: refreshed,
    })
}

/// The sentence encoder for detectors that compare meaning, when its weights can be found;
/// without them the scan runs on words alone (said once in the log).
#[cfg(feature = "semantic")]
pub fn semantic_encoder(config: &Config) -> Option<vigie_embed::Encoder> {
    match vigie_embed::Encoder::load_default(config.semantic.model_dir.as_deref()) {
        Ok(e) => Some(e),
        Err(e) if config.semantic.model_dir.is_some() => {
            tracing::warn!("semantic matching off: {e}");
            None
        }
        Err(e) => {
            tracing::info!("semantic matching off: {e}");
            None
        }
    }
}

/// Writes alerts as SPEC §4 JSONL, one per line, in the store's deterministic order.
pub fn write_alerts(alerts: &[Alert], path: Option<&Path>) -> Result<(), ScanError> {
    let shown = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "stdout".into());
    let werr = |source| ScanError::Write {
        path: shown.clone(),
        source,
    };
    let mut out: Box<dyn Write> = match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(werr)?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    for a in alerts {
        serde_json::to_writer(&mut out, a).map_err(|e| werr(e.into()))?;
        out.write_all(b"\n").map_err(werr)?;
    }
    out.flush().map_err(werr)
}

/// Appends the rejections not yet exported (this run's, and a killed run's) to the quarantine file as JSON lines: input, line, reason and the
/// raw bytes (`raw` when UTF-8, otherwise `raw_hex`), so nothing an analyst may need is lost.
fn write_quarantine(store: &mut Store, path: &Path) -> Result<u64, ScanError> {
    let shown = path.display().to_string();
    let werr = |source| ScanError::Write {
        path: shown.clone(),
        source,
    };
    let mut lines: Vec<serde_json::Value> = Vec::new();
    let mut count = 0u64;
    let mut out: Option<std::io::BufWriter<std::fs::File>> = None;
    let mut failure: Option<std::io::Error> = None;
    let last = store.pending_quarantine(|q| {
        if failure.is_some() {
            return;
        }
        let mut entry = serde_json::json!({"input": q.input, "line": q.line, "reason": q.reason});
        match String::from_utf8(q.raw) {
            Ok(s) => entry["raw"] = s.into(),
            Err(e) => entry["raw_hex"] = hex(e.as_bytes()).into(),
        }
        lines.push(entry);
        count += 1;
        if lines.len() >= 1024 {
            if let Err(e) = flush_lines(path, &mut out, &mut lines) {
                failure = Some(e);
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(werr(e));
    }
    flush_lines(path, &mut out, &mut lines).map_err(werr)?;
    if let Some(mut o) = out {
        o.flush().map_err(werr)?;
    }
    if let Some(last) = last {
        store.mark_quarantine_exported(last)?;
    }
    Ok(count)
}

fn flush_lines(
    path: &Path,
    out: &mut Option<std::io::BufWriter<std::fs::File>>,
    lines: &mut Vec<serde_json::Value>,
) -> std::io::Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    if out.is_none() {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        *out = Some(std::io::BufWriter::new(f));
    }
    if let Some(o) = out.as_mut() {
        for l in lines.drain(..) {
            serde_json::to_writer(&mut *o, &l)?;
            o.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
