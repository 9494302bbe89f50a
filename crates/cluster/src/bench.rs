//! `vigie bench --engines`: the copy-cluster, co-action and look-alike stages timed in-process,
//! on DataFusion in this process, and on a Ballista cluster of 1 and then 2 executors started
//! here on loopback.

use crate::serve::{run_executor, run_scheduler, ExecutorOptions};
use crate::{export, ClusterError, Engine, EngineSpec};
use std::path::Path;
use std::time::{Duration, Instant};
use vigie_core::config::InputConfig;
use vigie_core::{Config, Record};
use vigie_detect::clusters::{CopyCluster, FeatureEngine};
use vigie_detect::coaction::Network;
use vigie_detect::detectors::lookalike_domain;
use vigie_detect::Context;
use vigie_normalise::Normaliser;
use vigie_store::Store;

/// One engine's run.
pub struct EngineRun {
    pub engine: String,
    /// Copy clusters: time, clusters, and whether they equal the in-process engine's.
    pub seconds: f64,
    pub clusters: usize,
    pub identical: bool,
    /// Co-action network (after the copy clusters it reads): time, kept edges, communities,
    /// and whether the network equals the in-process engine's.
    pub coaction_seconds: f64,
    pub edges: usize,
    pub communities: usize,
    pub coaction_identical: bool,
    /// `lookalike_domain` over the domain feed and the items' links: time, alerts, and whether
    /// they equal the in-process engine's.
    pub lookalike_seconds: f64,
    pub lookalike_alerts: usize,
    pub lookalike_identical: bool,
}

/// What [`engines`] measured.
pub struct EngineBench {
    pub posts: usize,
    /// Posts and articles in the store, and posts alone.
    pub items: u64,
    pub posts_stored: u64,
    /// Domain records of the generated feed.
    pub domains: u64,
    pub load_seconds: f64,
    pub export_seconds: f64,
    pub runs: Vec<EngineRun>,
    pub peak_rss_bytes: Option<u64>,
}

impl std::fmt::Display for EngineBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "dataset: vigie generate --seed 1 --posts {} ({} posts and articles) and a feed of {} domains; store load {:.1}s, Parquet export {:.1}s",
            self.posts, self.items, self.domains, self.load_seconds, self.export_seconds
        )?;
        writeln!(
            f,
            "{:<26} {:>9} {:>10}  {:<9} {:>9} {:>10}  {:<30} {:>9} {:>10}  look-alike alerts",
            "engine",
            "copy",
            "items/s",
            "clusters",
            "co-action",
            "posts/s",
            "network",
            "look-alike",
            "domains/s"
        )?;
        let same = |ok: bool| if ok { "" } else { " DIFFERENT" };
        for run in &self.runs {
            writeln!(
                f,
                "{:<26} {:>8.2}s {:>10.0}  {:<9} {:>8.2}s {:>10.0}  {:<30} {:>8.2}s {:>10.0}  {}{}",
                run.engine,
                run.seconds,
                self.items as f64 / run.seconds.max(1e-9),
                format!("{}{}", run.clusters, same(run.identical)),
                run.coaction_seconds,
                self.posts_stored as f64 / run.coaction_seconds.max(1e-9),
                format!(
                    "{} edges, {} communities{}",
                    run.edges,
                    run.communities,
                    same(run.coaction_identical)
                ),
                run.lookalike_seconds,
                self.domains as f64 / run.lookalike_seconds.max(1e-9),
                run.lookalike_alerts,
                same(run.lookalike_identical),
            )?;
        }
        match self.peak_rss_bytes {
            Some(b) => writeln!(f, "peak RSS (whole run): {:.1} MB", b as f64 / 1e6),
            None => writeln!(f, "peak RSS: not reported on this platform"),
        }
    }
}

fn failed(e: impl std::fmt::Display) -> ClusterError {
    ClusterError::Engine(e.to_string())
}

/// Generates `posts` posts (organic, with the generator's campaigns) and a feed of as many new
/// domains (see [`domain_feed`]) under `dir`, stores them, exports them to Parquet, then times
/// the copy-cluster stage (features, index, clusters), the co-action network and the look-alike
/// detector with each engine.
pub fn engines(posts: usize, dir: &Path) -> Result<EngineBench, ClusterError> {
    let opts = vigie_generate::GenerateOptions {
        seed: 1,
        posts,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir).map_err(failed)?;
    let config = Config::load(&dir.join("vigie.toml")).map_err(failed)?;
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let started = Instant::now();
    let mut store = load(&dir.join("data"), &db)?;
    let domains = domain_feed(&config, posts, &mut store)?;
    let load_seconds = started.elapsed().as_secs_f64();
    let posts_stored = store.count(vigie_core::Kind::Post)?;
    let items = posts_stored + store.count(vigie_core::Kind::Article)?;
    let items_dir = dir.join("items");
    let started = Instant::now();
    export::export_items(&store, &items_dir)?;
    let export_seconds = started.elapsed().as_secs_f64();

    let lookalike = lookalike_domain::build(&config).map_err(failed)?;
    let mut expected: Option<(Vec<CopyCluster>, Network, Vec<vigie_core::Alert>)> = None;
    let mut time =
        |name: String, engine: Option<&dyn FeatureEngine>| -> Result<EngineRun, ClusterError> {
            // Every run clusters from scratch.
            store.reset_copy_index()?;
            let mut ctx = Context::new(&config, &store);
            if let Some(engine) = engine {
                ctx = ctx.with_engine(engine);
            }
            let started = Instant::now();
            let clusters = ctx.copy_clusters().map_err(failed)?.to_vec();
            let seconds = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let net = ctx.coaction_network().map_err(failed)?.clone();
            let coaction_seconds = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let mut alerts: Vec<vigie_core::Alert> = lookalike
                .run(&ctx)
                .map_err(failed)?
                .into_iter()
                .map(vigie_core::Alert::finalise)
                .collect();
            let lookalike_seconds = started.elapsed().as_secs_f64();
            alerts.sort_by(|a, b| a.id.cmp(&b.id));
            let (identical, coaction_identical, lookalike_identical) = match &expected {
                None => (true, true, true),
                Some((c, n, a)) => (*c == clusters, same_network(n, &net), *a == alerts),
            };
            let run = EngineRun {
                engine: name,
                seconds,
                clusters: clusters.len(),
                identical,
                coaction_seconds,
                edges: net.edges.len(),
                communities: net.communities.len(),
                coaction_identical,
                lookalike_seconds,
                lookalike_alerts: alerts.len(),
                lookalike_identical,
            };
            if expected.is_none() {
                expected = Some((clusters, net, alerts));
            }
            Ok(run)
        };
    let mut runs = vec![time("in-process".into(), None)?];
    let local = Engine::open(&EngineSpec::DataFusion, &items_dir)?;
    runs.push(time("datafusion, in-process".into(), Some(&local))?);
    drop(local);

    let cluster = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(crate::THREAD_STACK_BYTES)
        .enable_all()
        .build()
        .map_err(failed)?;
    let listener = cluster
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(failed)?;
    let scheduler_port = listener.local_addr().map_err(failed)?.port();
    cluster.spawn(async move { run_scheduler(listener, "127.0.0.1").await });
    for executors in 1..=2 {
        let opts = ExecutorOptions {
            scheduler_host: "127.0.0.1".into(),
            scheduler_port,
            bind_host: "127.0.0.1".into(),
            external_host: Some("127.0.0.1".into()),
            port: free_port()?,
            grpc_port: free_port()?,
            concurrent_tasks: 0,
            work_dir: None,
        };
        let port = opts.port;
        cluster.spawn(async move { run_executor(&opts).await });
        wait_for(port)?;
        let url = format!("ballista://127.0.0.1:{scheduler_port}");
        let engine = Engine::open(&EngineSpec::Ballista(url), &items_dir)?;
        runs.push(time(
            format!("ballista, {executors} executor(s)"),
            Some(&engine),
        )?);
    }
    cluster.shutdown_timeout(Duration::from_secs(1));
    Ok(EngineBench {
        posts,
        items,
        posts_stored,
        domains,
        load_seconds,
        export_seconds,
        runs,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// Adds `n` `domain` records to `store`, a feed of newly seen domains as a registry or
/// certificate-transparency feed gives them: one in 50 a look-alike of a protected domain of
/// `config` (every technique of the generator), the others ordinary new domains, all distinct.
/// Returns how many were stored.
fn domain_feed(config: &Config, n: usize, store: &mut Store) -> Result<u64, ClusterError> {
    let names: Vec<(String, String)> = config
        .protected
        .iter()
        .flat_map(|p| &p.domains)
        .filter_map(|d| d.split_once('.'))
        .map(|(l, s)| (l.to_owned(), s.to_owned()))
        .collect();
    let samples = vigie_generate::lookalike_samples(1, &names, (n / 50 / 16).max(1));
    let (benign, lookalikes): (Vec<_>, Vec<_>) =
        samples.into_iter().partition(|s| s.class == "benign");
    let normaliser = Normaliser::new(&InputConfig::default());
    let mut batch = store.batch()?;
    let mut stored = 0u64;
    for i in 0..n {
        let host = match (
            i % 50,
            lookalikes.get(i / 50),
            benign.get(i % benign.len().max(1)),
        ) {
            (0, Some(l), _) => l.host.clone(),
            // Ordinary domains, made distinct by a number after their first label.
            (_, _, Some(b)) => match b.host.split_once('.') {
                Some((label, suffix)) => format!("{label}{i}.{suffix}"),
                None => continue,
            },
            _ => continue,
        };
        let line = serde_json::json!({"kind": "domain", "domain": host}).to_string();
        let Ok(record) = serde_json::from_str::<Record>(&line) else {
            continue;
        };
        if let Ok(normalised) = normaliser.normalise(record) {
            batch.insert(&normalised)?;
            stored += 1;
        }
    }
    batch.commit()?;
    Ok(stored)
}

/// Two networks with the same accounts, edges, communities and counts.
fn same_network(a: &Network, b: &Network) -> bool {
    a.accounts == b.accounts
        && a.edges == b.edges
        && a.communities == b.communities
        && (a.pairs_tested, a.posts, a.episodes, a.viral_episodes)
            == (b.pairs_tested, b.posts, b.episodes, b.viral_episodes)
}

/// The generator's native JSONL records, normalised into a fresh store (the benchmark times
/// the engines, not ingest).
pub(crate) fn load(data: &Path, db: &Path) -> Result<Store, ClusterError> {
    let mut store = Store::open(db)?;
    let normaliser = Normaliser::new(&InputConfig::default());
    let mut files: Vec<_> = std::fs::read_dir(data)
        .map_err(|e| ClusterError::io(data, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| ClusterError::io(&file, e))?;
        let mut batch = store.batch()?;
        for line in text.lines() {
            let Ok(record) = serde_json::from_str::<Record>(line) else {
                continue;
            };
            if let Ok(n) = normaliser.normalise(record) {
                batch.insert(&n)?;
            }
        }
        batch.commit()?;
    }
    Ok(store)
}

fn free_port() -> Result<u16, ClusterError> {
    let io = |e| ClusterError::io(Path::new("127.0.0.1:0"), e);
    Ok(std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(io)?
        .local_addr()
        .map_err(io)?
        .port())
}

/// Waits until something listens on `port` (an executor starting).
fn wait_for(port: u16) -> Result<(), ClusterError> {
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(failed(format!("executor on port {port} did not start")))
}

/// Peak resident set size of this process (Linux `VmHWM`), if the platform reports it.
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
