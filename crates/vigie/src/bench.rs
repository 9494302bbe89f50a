//! `vigie bench`: throughput and peak memory of the hot paths on a stated dataset (not a test).

use crate::ingest::{ingest, IngestOptions, IngestSummary};
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigie_core::Config;
use vigie_sources::expand_inputs;
use vigie_store::Store;

/// The real dataset the ingest benchmark is stated on, relative to the repository.
pub const IRA_FULL: &str = "../shared/data/ira/ira_tweets_full.csv.gz";

pub struct BenchResult {
    pub dataset: String,
    pub summary: IngestSummary,
    pub seconds: f64,
    pub peak_rss_bytes: Option<u64>,
    pub store_bytes: u64,
}

impl BenchResult {
    pub fn records_per_second(&self) -> f64 {
        self.summary.total(|i| i.read + i.rejected) as f64 / self.seconds.max(1e-9)
    }
}

/// Ingests `inputs` into a fresh store at `db` and measures it.
pub fn bench_ingest(inputs: &[PathBuf], db: &Path, progress: bool) -> anyhow::Result<BenchResult> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(db)?;
    // The peak is measured over the whole process: keep this function to the ingest itself.
    let expanded = expand_inputs(inputs)?;
    let opts = IngestOptions {
        progress,
        ..IngestOptions::default()
    };
    let started = Instant::now();
    let summary = ingest(&mut store, &expanded, &Config::default(), &opts)?;
    let seconds = started.elapsed().as_secs_f64();
    drop(store);
    let store_bytes = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    Ok(BenchResult {
        dataset: inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        summary,
        seconds,
        peak_rss_bytes: peak_rss_bytes(),
        store_bytes,
    })
}

/// Peak resident set size of this process (Linux `VmHWM`), if the platform reports it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
