//! Distributed execution gives the in-process alerts: a scan of generated data run with the
//! data-parallel stages (copy clusters, co-action candidates, look-alike candidates) on
//! DataFusion in this process, and on a Ballista scheduler with two executors on loopback,
//! writes exactly the alerts of the default in-process scan.
#![cfg(feature = "cluster")]

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;
use vigie::scan::{scan_with, EngineSetup, ScanOutputs};
use vigie_cluster::serve::{run_executor, run_scheduler, ExecutorOptions};
use vigie_cluster::{export, Engine, EngineSpec};
use vigie_core::Config;
use vigie_detect::clusters::FeatureEngine;
use vigie_store::Store;

/// Small files, so that the plans have several partitions to spread.
const ROWS_PER_FILE: usize = 1_000;

/// Scans `data` into a fresh store in `dir` with the engine `spec` (`None`: in-process) and
/// returns the alerts file's lines.
fn scan(dir: &Path, data: &Path, config: &Config, spec: Option<EngineSpec>) -> Vec<String> {
    let name = match &spec {
        None => "in-process".to_owned(),
        Some(EngineSpec::Ballista(_)) => "ballista".to_owned(),
        Some(other) => format!("{other:?}").to_lowercase(),
    };
    let mut store = Store::open(&dir.join(format!("{name}.db"))).unwrap();
    let alerts = dir.join(format!("{name}.jsonl"));
    let outputs = ScanOutputs {
        alerts: Some(alerts.clone()),
        quarantine: dir.join(format!("{name}.q.jsonl")),
    };
    let items = dir.join(format!("{name}.items"));
    let setup = |store: &Store| -> Result<Box<dyn FeatureEngine>, String> {
        let Some(spec) = &spec else {
            return Err("no engine".into());
        };
        let written =
            export::export_items_with(store, &items, ROWS_PER_FILE).map_err(|e| e.to_string())?;
        assert!(written.files.len() >= 3, "{written:?}");
        let engine = Engine::open(spec, &items).map_err(|e| e.to_string())?;
        Ok(Box::new(engine))
    };
    let setup: Option<EngineSetup<'_>> = spec.is_some().then_some(&setup as EngineSetup<'_>);
    scan_with(
        &mut store,
        &[data.to_path_buf()],
        config,
        &outputs,
        &vigie::ingest::IngestOptions::default(),
        setup,
    )
    .unwrap();
    std::fs::read_to_string(&alerts)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port}");
}

fn alerts_of(lines: &[String], detector: &str) -> usize {
    let field = format!("\"detector\":\"{detector}\"");
    lines.iter().filter(|l| l.contains(&field)).count()
}

#[test]
fn datafusion_and_ballista_engines_give_the_in_process_alerts() {
    let dir = tempfile::tempdir().unwrap();
    vigie_generate::generate(
        &vigie_generate::GenerateOptions {
            posts: 3_000,
            ..Default::default()
        },
        dir.path(),
    )
    .unwrap();
    let config = Config::load(&dir.path().join("vigie.toml")).unwrap();
    let data = dir.path().join("data");

    let expected = scan(dir.path(), &data, &config, None);
    // Copy clusters and co-actions are the plans' work: both must show in the alerts.
    assert!(alerts_of(&expected, "copypasta") >= 3, "{expected:?}");
    assert!(alerts_of(&expected, "coordination") >= 1, "{expected:?}");
    assert!(
        alerts_of(&expected, "lookalike_domain") >= 3,
        "{expected:?}"
    );

    let local = scan(dir.path(), &data, &config, Some(EngineSpec::DataFusion));
    assert_eq!(local, expected, "DataFusion in-process engine");

    // A scheduler and two executors on loopback, on a runtime of their own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(vigie_cluster::THREAD_STACK_BYTES)
        .enable_all()
        .build()
        .unwrap();
    let scheduler_port = free_port();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", scheduler_port)))
        .unwrap();
    runtime.spawn(async move { run_scheduler(listener, "127.0.0.1").await });
    let work = tempfile::tempdir().unwrap();
    let mut executor_ports = Vec::new();
    for n in 0..2 {
        let opts = ExecutorOptions {
            scheduler_host: "127.0.0.1".into(),
            scheduler_port,
            bind_host: "127.0.0.1".into(),
            external_host: Some("127.0.0.1".into()),
            port: free_port(),
            grpc_port: free_port(),
            concurrent_tasks: 1,
            work_dir: Some(work.path().join(format!("executor-{n}"))),
        };
        std::fs::create_dir_all(opts.work_dir.as_ref().unwrap()).unwrap();
        executor_ports.push(opts.port);
        runtime.spawn(async move { run_executor(&opts).await });
    }
    for port in executor_ports {
        wait_for_port(port);
    }

    let url = format!("ballista://127.0.0.1:{scheduler_port}");
    let distributed = scan(dir.path(), &data, &config, Some(EngineSpec::Ballista(url)));
    assert_eq!(distributed, expected, "Ballista, two executors");
    runtime.shutdown_timeout(Duration::from_secs(1));
}
