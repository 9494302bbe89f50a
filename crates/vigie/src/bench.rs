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
/// A `postgres://` URL gets a scratch schema in that database, dropped afterwards.
pub fn bench_ingest(inputs: &[PathBuf], db: &Path, progress: bool) -> anyhow::Result<BenchResult> {
    #[cfg(feature = "postgres")]
    let scratch = match vigie_store::is_url(db) {
        true => Some(vigie_store::ScratchSchema::create(
            &db.to_string_lossy(),
            "bench",
        )?),
        false => None,
    };
    #[cfg(feature = "postgres")]
    let scratch_url = scratch.as_ref().map(|s| PathBuf::from(s.url()));
    #[cfg(feature = "postgres")]
    let db = scratch_url.as_deref().unwrap_or(db);
    let shared = vigie_store::is_url(db);
    if !shared {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
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
    let store_bytes = if shared {
        store.stats()?.file_bytes
    } else {
        drop(store);
        ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
            .map(|m| m.len())
            .sum()
    };
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
    /// CPU time the detectors spent running, all their threads together (Linux), which,
    /// unlike wall time, does not grow when other processes share the cores.
    pub cpu_seconds: Option<f64>,
    /// CPU time of every thread of the process (Linux) during the ingest.
    pub ingest_cpu_seconds: Option<f64>,
    /// For the content detectors: CPU seconds of their text analysis alone, on texts held in
    /// memory (the store's read excluded).
    pub analysis_seconds: Option<f64>,
}

/// The detectors that share one pass over the texts.
const CONTENT: [&str; 3] = ["electoral_process", "incitement", "doxxing"];

/// CPU time of the content analysis over every stored text, read into memory first.
fn time_content_analysis(config: &Config, store: &Store) -> anyhow::Result<f64> {
    struct Owned {
        kind: vigie_core::Kind,
        platform: String,
        id: String,
        author: Option<String>,
        ts: Option<i64>,
        norm: String,
        repost_of: Option<String>,
        lang: Option<String>,
    }
    let mut rows = Vec::new();
    store.for_each_text(&vigie_detect::content::KINDS, |r| {
        rows.push(Owned {
            kind: r.kind,
            platform: r.platform.to_owned(),
            id: r.id.to_owned(),
            author: r.author.map(str::to_owned),
            ts: r.ts,
            norm: r.norm.to_owned(),
            repost_of: r.repost_of.map(str::to_owned),
            lang: r.lang.map(str::to_owned),
        });
        Ok(())
    })?;
    let analysers = vigie_detect::content::ContentAnalysers::new(config)?;
    let mut out = vigie_detect::content::ContentScan::default();
    let before = thread_cpu_seconds().unwrap_or(0.0);
    let wall = Instant::now();
    for (rid, r) in rows.iter().enumerate() {
        let row = vigie_store::TextRow {
            rid: rid as i64,
            kind: r.kind,
            platform: &r.platform,
            id: &r.id,
            author: r.author.as_deref(),
            ts: r.ts,
            norm: &r.norm,
            repost_of: r.repost_of.as_deref(),
            lang: r.lang.as_deref(),
            title: None,
        };
        analysers.analyse(&row, &mut out);
    }
    tracing::info!(flagged = out.flagged(), "content analysis timed");
    Ok(thread_cpu_seconds()
        .map(|after| after - before)
        .unwrap_or_else(|| wall.elapsed().as_secs_f64()))
}

/// CPU time of the whole process so far, every thread's, finished ones included (Linux
/// `/proc/self/stat` user and system time, in the kernel's 100 Hz ticks).
fn process_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let mut fields = s.get(s.rfind(')')? + 1..)?.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

/// CPU time of the calling thread so far (Linux `schedstat`, nanoseconds).
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// Generates `posts` organic posts (plus the injected operations) under `dir`, ingests them
/// into a scratch store, then times one detector, or several given as `a,b,c`, over the store
/// with the generated `vigie.toml`.
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
    let ingest_cpu_before = process_cpu_seconds();
    ingest(
        &mut store,
        &expand_inputs(&[dir.join("data")])?,
        &config,
        &ingest_opts,
    )?;
    let ingest_seconds = ingest_started.elapsed().as_secs_f64();
    let ingest_cpu_seconds = process_cpu_seconds()
        .zip(ingest_cpu_before)
        .map(|(after, before)| after - before);
    // The records the detectors read.
    let items = match detector {
        "political_ad" => store.count(vigie_core::Kind::Ad)?,
        "manufactured_media" => {
            store.count(vigie_core::Kind::Media)? + store.count(vigie_core::Kind::Account)?
        }
        _ => store.count(vigie_core::Kind::Post)? + store.count(vigie_core::Kind::Article)?,
    };
    // The generated calendar, protected entities and narratives: content detectors need them.
    let config = Config::load(&dir.join("vigie.toml"))?;
    if detector == TAKEOVER {
        return time_takeover(&config, &store, ingest_seconds);
    }
    // Several detectors, comma-separated, are timed together over the same store.
    let wanted: Vec<&str> = detector.split(',').map(str::trim).collect();
    let available = vigie_detect::available();
    if let Some(name) = wanted.iter().find(|w| !available.contains(w)) {
        anyhow::bail!(
            "no detector named {name:?} (have: {})",
            available.join(", ")
        );
    }
    // As a scan runs them: independent detectors beside the others, on a second connection.
    let beside = store.reopen()?;
    reset_peak_rss();
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let ctx = vigie_detect::Context::new(&config, &store);
    let alerts = vigie_detect::run_detectors(&ctx, Some(&wanted), beside)?
        .1
        .len();
    let cpu_seconds = process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_bytes();
    // The text analysis alone, on texts already in memory: what the store's read costs is
    // the difference.
    let analysis_seconds = if wanted.iter().all(|w| CONTENT.contains(w)) {
        Some(time_content_analysis(&config, &store)?)
    } else {
        None
    };
    Ok(DetectorBench {
        detector: wanted.join(" + "),
        items,
        alerts,
        ingest_seconds,
        seconds,
        peak_rss_bytes: peak,
        cpu_seconds,
        ingest_cpu_seconds,
        analysis_seconds,
    })
}

/// `--detector account_takeover`: the takeover part of `manufactured_media` alone.
pub const TAKEOVER: &str = "account_takeover";

/// Times the takeover tracking with every account of enough history followed (`watch_all`, the
/// worst case: a whole archive watched). Items are the posts of the accounts followed.
fn time_takeover(
    config: &Config,
    store: &Store,
    ingest_seconds: f64,
) -> anyhow::Result<DetectorBench> {
    use vigie_detect::detectors::manufactured_media::{self, takeover};
    let media: manufactured_media::Settings = config.detector_settings(manufactured_media::NAME)?;
    let settings = takeover::Settings {
        watch_all: true,
        ..media.takeover
    };
    let min = (settings.min_history + settings.window + settings.min_calibration) as u64;
    let followed = store.authors_with_at_least(vigie_core::Kind::Post, min)?;
    let names: Vec<&str> = followed.iter().map(|(_, a)| a.as_str()).collect();
    let mut items = 0u64;
    store.for_each_json_of_authors(vigie_core::Kind::Post, &names, |_| {
        items += 1;
        Ok(())
    })?;
    tracing::info!(
        accounts = followed.len(),
        posts = items,
        "accounts followed"
    );
    reset_peak_rss();
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let ctx = vigie_detect::Context::new(config, store);
    let alerts = takeover::detect(&ctx, &settings)?.len();
    let seconds = started.elapsed().as_secs_f64();
    Ok(DetectorBench {
        detector: format!("{TAKEOVER} (watch_all, {} accounts)", followed.len()),
        items,
        alerts,
        ingest_seconds,
        seconds,
        peak_rss_bytes: peak_rss_bytes(),
        cpu_seconds: process_cpu_seconds()
            .zip(cpu_before)
            .map(|(after, before)| after - before),
        // The ingest is timed by the caller, on wall time only.
        ingest_cpu_seconds: None,
        analysis_seconds: None,
    })
}

/// What `bench_images` measured.
pub struct ImageBench {
    pub images: usize,
    pub width: u32,
    pub height: u32,
    /// Total size of the files.
    pub bytes: u64,
    pub seconds: f64,
    /// The same files hashed as known originals: full frame and sub-windows
    /// ([`vigie_media::WINDOWS`]), as ingest does for `authentic` media.
    pub original_seconds: f64,
    /// Peak RSS of the hashing alone (the counter is reset after the files are written).
    pub peak_rss_bytes: Option<u64>,
}

/// Writes `n` procedural pictures of `width` × 3/4 `width` pixels as JPEG files into `dir`
/// (untimed), then times hashing them from disk as ingest does, on one thread: as any picture
/// (full frame), then as known originals (full frame and window hashes).
pub fn bench_images(n: usize, width: u32, dir: &Path) -> anyhow::Result<ImageBench> {
    use vigie_generate::images;
    let width = width.clamp(16, 8192);
    let height = width * 3 / 4;
    std::fs::create_dir_all(dir)?;
    let mut bytes = 0;
    let mut names = Vec::with_capacity(n);
    for i in 0..n {
        let small = images::picture(i as u64);
        let picture =
            image::imageops::resize(&small, width, height, image::imageops::FilterType::Triangle);
        let file = images::jpeg(&picture, images::PUBLISHED_QUALITY);
        bytes += file.len() as u64;
        let name = format!("{i:06}.jpg");
        std::fs::write(dir.join(&name), file)?;
        names.push(name);
    }
    reset_peak_rss();
    let hasher = vigie_media::MediaHasher::new(
        Some(&dir.join("media.jsonl")),
        vigie_media::MediaLimits::default(),
    );
    let started = Instant::now();
    for name in &names {
        hasher.hash_file(name)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for name in &names {
        let image = vigie_media::load(&dir.join(name), name, vigie_media::MediaLimits::default())?;
        hasher.hash_image(&image);
        hasher.window_hashes(&image);
    }
    let original_seconds = started.elapsed().as_secs_f64();
    Ok(ImageBench {
        images: n,
        width,
        height,
        bytes,
        seconds,
        original_seconds,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// What `bench_credentials` measured: reading C2PA credentials from the same files unsigned
/// (the common case: no manifest), then signed.
#[cfg(feature = "c2pa")]
pub struct CredentialBench {
    pub files: usize,
    pub unsigned_seconds: f64,
    pub signed_seconds: f64,
    /// Signed files whose manifest validated.
    pub valid: usize,
    pub signed_bytes: u64,
    pub peak_rss_bytes: Option<u64>,
}

/// Times reading the credentials of `bench_images`' files as ingest does (file read within the
/// limits, manifest read and validated), on one thread: first as written (no manifest), then
/// after signing each with the test outlet certificate (signing untimed).
#[cfg(feature = "c2pa")]
pub fn bench_credentials(n: usize, dir: &Path) -> anyhow::Result<CredentialBench> {
    use vigie_media::credentials::{sample, CredentialReader};
    let reader = CredentialReader::new();
    let limits = vigie_media::MediaLimits::default();
    let names: Vec<std::path::PathBuf> = (0..n).map(|i| dir.join(format!("{i:06}.jpg"))).collect();
    let read_all = |reader: &CredentialReader| -> anyhow::Result<(f64, usize)> {
        let started = Instant::now();
        let mut valid = 0;
        for path in &names {
            let bytes = vigie_media::read_limited(path, "bench", limits)?;
            let facts = reader.read(&bytes, vigie_media::mime(&bytes, "bench")?);
            valid += usize::from(facts.state == vigie_core::ProvenanceState::Valid);
        }
        Ok((started.elapsed().as_secs_f64(), valid))
    };
    reset_peak_rss();
    let (unsigned_seconds, _) = read_all(&reader)?;
    let mut signed_bytes = 0;
    for path in &names {
        let bytes = std::fs::read(path)?;
        let signed = sample::sign(
            &bytes,
            "image/jpeg",
            sample::Identity::Outlet,
            "bench.jpg",
            "vigie bench",
            &[("c2pa.created", Some("digitalCapture"))],
        )?;
        signed_bytes += signed.len() as u64;
        std::fs::write(path, signed)?;
    }
    let (signed_seconds, valid) = read_all(&reader)?;
    Ok(CredentialBench {
        files: n,
        unsigned_seconds,
        signed_seconds,
        valid,
        signed_bytes,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// Resets the kernel's peak-RSS counter (Linux), so a later reading covers what follows only.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// What `bench_surface` measured on an existing store.
pub struct SurfaceBench {
    pub alerts: usize,
    pub incidents: usize,
    pub largest_incident_alerts: usize,
    /// (what, seconds, output bytes).
    pub steps: Vec<(String, f64, u64)>,
    /// Peak RSS of the refresh and exports, then of loading the server and answering.
    pub peak_rss_exports: Option<u64>,
    pub peak_rss_serve: Option<u64>,
}

/// Times the analyst's surface over a scanned store: incident refresh (grouping, carry-over,
/// evidence index), loading the server's state, API answers through a real socket, and the
/// STIX, GEXF and CSV exports.
pub fn bench_surface(db: &Path) -> anyhow::Result<SurfaceBench> {
    use std::io::{Read, Write};
    use vigie_surface::incidents;
    if !vigie_store::exists(db) {
        anyhow::bail!("{}: no such store", db.display());
    }
    reset_peak_rss();
    let mut steps = Vec::new();
    let mut store = Store::open(db)?;
    let t = Instant::now();
    let refreshed = incidents::refresh(&mut store)?;
    steps.push(("incidents refresh".to_owned(), t.elapsed().as_secs_f64(), 0));
    let incs = incidents::load(&store)?;
    let alerts = store.alerts()?;
    let largest = incs.iter().map(|i| i.alerts.len()).max().unwrap_or(0);

    let mut out = Vec::new();
    let t = Instant::now();
    vigie_surface::stix::write_bundle(&mut out, &incs, &alerts, vigie_surface::stix::Tlp::Amber)?;
    steps.push((
        "export stix".into(),
        t.elapsed().as_secs_f64(),
        out.len() as u64,
    ));
    let mut out = Vec::new();
    let t = Instant::now();
    vigie_surface::graph::evidence_graph(&alerts, Default::default()).write_gexf(&mut out, "")?;
    steps.push((
        "export gexf".into(),
        t.elapsed().as_secs_f64(),
        out.len() as u64,
    ));
    let mut out = Vec::new();
    let t = Instant::now();
    vigie_surface::table::write_alerts(&mut out, &alerts, &incs)?;
    steps.push((
        "export csv (alerts)".into(),
        t.elapsed().as_secs_f64(),
        out.len() as u64,
    ));
    drop(store);
    let first = incs.first().map(|i| i.id.clone()).unwrap_or_default();
    let (n_alerts, n_incidents) = (alerts.len(), refreshed.incidents);
    drop((alerts, incs, out));
    let peak_rss_exports = peak_rss_bytes();
    reset_peak_rss();

    let t = Instant::now();
    let server = vigie_surface::web::Server::bind(&vigie_surface::web::ServeOptions {
        db: db.to_path_buf(),
        addr: "127.0.0.1:0".parse()?,
        token: None,
    })?;
    steps.push(("serve: load state".into(), t.elapsed().as_secs_f64(), 0));
    let addr = server.local_addr()?;
    std::thread::spawn(move || server.run());
    for path in [
        "/api/alerts?per_page=50".to_owned(),
        "/api/alerts?detector=relay_network&min_severity=high&page=2".to_owned(),
        "/api/incidents?per_page=50".to_owned(),
        format!("/api/incidents/{first}"),
        format!("/api/graph?incident={first}"),
        "/api/timeseries?of=alerts".to_owned(),
        "/api/timeseries?of=hashtags".to_owned(),
        "/".to_owned(),
        format!("/incidents/{first}"),
    ] {
        let t = Instant::now();
        let mut s = std::net::TcpStream::connect(addr)?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut body = Vec::new();
        s.read_to_end(&mut body)?;
        steps.push((
            format!("GET {path}"),
            t.elapsed().as_secs_f64(),
            body.len() as u64,
        ));
    }
    Ok(SurfaceBench {
        alerts: n_alerts,
        incidents: n_incidents,
        largest_incident_alerts: largest,
        steps,
        peak_rss_exports,
        peak_rss_serve: peak_rss_bytes(),
    })
}
