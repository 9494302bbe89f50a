//! `vigie cluster scheduler|executor`, `vigie scan --engine`, `vigie export parquet`: the
//! binary's side of `vigie-cluster` (feature `cluster`).

use crate::scan::ScanError;
use std::path::PathBuf;
use vigie_cluster::{export, Engine, EngineSpec};
use vigie_detect::clusters::FeatureEngine;
use vigie_store::Store;

pub use vigie_cluster::serve::ExecutorOptions;

/// The engine `--engine` names, or `None` for the in-process default. Distributed runs read the
/// store's items from Parquet files in `items_dir`, written after ingest.
pub fn engine_setup(
    spec: &str,
    items_dir: PathBuf,
) -> Result<Option<impl Fn(&Store) -> Result<Box<dyn FeatureEngine>, String>>, ScanError> {
    let spec = EngineSpec::parse(spec).map_err(|e| ScanError::Engine(e.to_string()))?;
    if spec == EngineSpec::InProcess {
        return Ok(None);
    }
    Ok(Some(move |store: &Store| {
        let written = export::export_items(store, &items_dir).map_err(|e| e.to_string())?;
        tracing::info!(rows = written.rows, files = written.files.len(), dir = %items_dir.display(), "items exported for the engine");
        let engine = Engine::open(&spec, &items_dir).map_err(|e| e.to_string())?;
        Ok(Box::new(engine) as Box<dyn FeatureEngine>)
    }))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// `vigie cluster scheduler`: serves until killed.
pub fn scheduler(addr: std::net::SocketAddr, external_host: Option<String>) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let host = external_host.unwrap_or_else(|| addr.ip().to_string());
        eprintln!(
            "vigie cluster scheduler listening on {}",
            listener.local_addr()?
        );
        vigie_cluster::serve::run_scheduler(listener, &host).await?;
        Ok(())
    })
}

/// `vigie cluster executor`: runs until stopped.
pub fn executor(opts: &ExecutorOptions) -> anyhow::Result<()> {
    runtime()?.block_on(async {
        eprintln!(
            "vigie cluster executor on {}:{} (tasks on {}), scheduler {}:{}",
            opts.bind_host, opts.port, opts.grpc_port, opts.scheduler_host, opts.scheduler_port
        );
        vigie_cluster::serve::run_executor(opts).await?;
        Ok(())
    })
}

/// One engine's run of the copy-cluster stage in `vigie bench --engines`.
pub struct EngineRun {
    pub engine: String,
    pub seconds: f64,
    pub clusters: usize,
    /// The clusters equal the in-process engine's.
    pub identical: bool,
}

/// What `vigie bench --engines` measured.
pub struct EngineBench {
    pub items: u64,
    pub ingest_seconds: f64,
    pub export_seconds: f64,
    pub runs: Vec<EngineRun>,
    pub peak_rss_bytes: Option<u64>,
}

/// Generates `posts` organic posts under `dir`, ingests them, exports them to Parquet, then
/// times the copy-cluster stage (features, index, clusters) in-process, on DataFusion here, and
/// on a Ballista scheduler with 1 and then 2 executors started in this process on loopback.
pub fn bench_engines(
    posts: usize,
    dir: &std::path::Path,
    progress: bool,
) -> anyhow::Result<EngineBench> {
    use crate::ingest::{ingest, IngestOptions};
    use std::time::Instant;
    use vigie_core::{Config, Kind};

    vigie_generate::generate(
        &vigie_generate::GenerateOptions {
            seed: 1,
            posts,
            ..Default::default()
        },
        dir,
    )?;
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(&db)?;
    let config = Config::load(&dir.join("vigie.toml"))?;
    let started = Instant::now();
    ingest(
        &mut store,
        &vigie_sources::expand_inputs(&[dir.join("data")])?,
        &config,
        &IngestOptions {
            progress,
            ..IngestOptions::default()
        },
    )?;
    let ingest_seconds = started.elapsed().as_secs_f64();
    let items = store.count(Kind::Post)? + store.count(Kind::Article)?;
    let items_dir = dir.join("items");
    let started = Instant::now();
    export::export_items(&store, &items_dir)?;
    let export_seconds = started.elapsed().as_secs_f64();

    let time = |engine: Option<&dyn FeatureEngine>| -> anyhow::Result<(f64, Vec<_>)> {
        // Every run clusters from scratch.
        store.reset_copy_index()?;
        let started = Instant::now();
        let clusters = vigie_detect::clusters::copy_clusters_with(&config, &store, engine)?;
        Ok((started.elapsed().as_secs_f64(), clusters))
    };
    let mut runs = Vec::new();
    let (seconds, expected) = time(None)?;
    runs.push(EngineRun {
        engine: "in-process".into(),
        seconds,
        clusters: expected.len(),
        identical: true,
    });
    let local = Engine::open(&EngineSpec::DataFusion, &items_dir)?;
    let (seconds, got) = time(Some(&local))?;
    runs.push(EngineRun {
        engine: "datafusion (in-process plans)".into(),
        seconds,
        clusters: got.len(),
        identical: got == expected,
    });
    drop(local);

    let cluster = runtime()?;
    let scheduler = cluster.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let scheduler_port = scheduler.local_addr()?.port();
    cluster.spawn(async move { vigie_cluster::serve::run_scheduler(scheduler, "127.0.0.1").await });
    for executors in 1..=2 {
        let port = free_port()?;
        let opts = ExecutorOptions {
            scheduler_host: "127.0.0.1".into(),
            scheduler_port,
            bind_host: "127.0.0.1".into(),
            external_host: Some("127.0.0.1".into()),
            port,
            grpc_port: free_port()?,
            concurrent_tasks: 0,
            work_dir: None,
        };
        cluster.spawn(async move { vigie_cluster::serve::run_executor(&opts).await });
        wait_for(port)?;
        let url = format!("ballista://127.0.0.1:{scheduler_port}");
        let engine = Engine::open(&EngineSpec::Ballista(url), &items_dir)?;
        let (seconds, got) = time(Some(&engine))?;
        runs.push(EngineRun {
            engine: format!(
                "ballista, {executors} executor{}",
                if executors > 1 { "s" } else { "" }
            ),
            seconds,
            clusters: got.len(),
            identical: got == expected,
        });
    }
    cluster.shutdown_timeout(std::time::Duration::from_secs(1));
    Ok(EngineBench {
        items,
        ingest_seconds,
        export_seconds,
        runs,
        peak_rss_bytes: crate::bench::peak_rss_bytes(),
    })
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until something listens on `port` (an executor starting).
fn wait_for(port: u16) -> anyhow::Result<()> {
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    anyhow::bail!("executor on port {port} did not start")
}
