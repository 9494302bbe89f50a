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

/// What `bench_detector` measured.
pub struct DetectorBench {
    pub detector: String,
    pub items: u64,
    pub alerts: usize,
    /// Reading the generated files into the store (parse, normalise, store).
    pub ingest_seconds: f64,
    pub seconds: f64,
    /// Peak RSS of the detector's run alone (the counter is reset after ingest), when reported.
    pub peak_rss_bytes: Option<u64>,
}

/// Generates `posts` organic posts (plus the injected operations) under `dir`, ingests them
/// into a scratch store, then times one detector over the store.
pub fn bench_detector(
    detector: &str,
    posts: usize,
    dir: &Path,
    progress: bool,
) -> anyhow::Result<DetectorBench> {
    let opts = vigie_generate::GenerateOptions {
        seed: 1,
        posts,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir)?;
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(&db)?;
    let config = Config::default();
    let ingest_opts = IngestOptions {
        progress,
        ..IngestOptions::default()
    };
    let ingest_started = Instant::now();
    ingest(
        &mut store,
        &expand_inputs(&[dir.join("data")])?,
        &config,
        &ingest_opts,
    )?;
    let ingest_seconds = ingest_started.elapsed().as_secs_f64();
    // The records the detector reads.
    let items = match detector {
        "political_ad" => store.count(vigie_core::Kind::Ad)?,
        "manufactured_media" => {
            store.count(vigie_core::Kind::Media)? + store.count(vigie_core::Kind::Account)?
        }
        _ => store.count(vigie_core::Kind::Post)? + store.count(vigie_core::Kind::Article)?,
    };
    let Some(built) = vigie_detect::registry(&config)?
        .into_iter()
        .find(|d| d.name() == detector)
    else {
        anyhow::bail!(
            "no detector named {detector:?} (have: {})",
            vigie_detect::available().join(", ")
        );
    };
    reset_peak_rss();
    let started = Instant::now();
    let alerts = built.run(&vigie_detect::Context::new(&config, &store))?;
    Ok(DetectorBench {
        detector: detector.to_owned(),
        items,
        alerts: alerts.len(),
        ingest_seconds,
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// Resets the kernel's peak-RSS counter (Linux), so a later reading covers what follows only.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
