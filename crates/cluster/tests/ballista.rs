//! The engines give the in-process alerts: every detector run over a store of generated data,
//! with the copy-paste features computed by DataFusion in this process and by a Ballista
//! scheduler with two executors on loopback, returns exactly the alerts of the in-process run.

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;
use vigie_cluster::serve::{run_executor, run_scheduler, ExecutorOptions};
use vigie_cluster::{export, Engine, EngineSpec};
use vigie_core::config::InputConfig;
use vigie_core::{Alert, Config, Record};
use vigie_detect::clusters::FeatureEngine;
use vigie_detect::{run_all, Context};
use vigie_normalise::Normaliser;
use vigie_store::Store;

/// Small files, so that the plans have several partitions to spread over the executors.
const ROWS_PER_FILE: usize = 1_000;

/// A store holding the generator's native JSONL records (posts, articles, accounts...).
fn store_of(data: &Path, db: &Path) -> Store {
    let mut store = Store::open(db).unwrap();
    let normaliser = Normaliser::new(&InputConfig::default());
    let mut files: Vec<_> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut batch = store.batch().unwrap();
    for file in files {
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let Ok(record) = serde_json::from_str::<Record>(line) else {
                continue;
            };
            if let Ok(n) = normaliser.normalise(record) {
                batch.insert(&n).unwrap();
            }
        }
    }
    batch.commit().unwrap();
    store
}

/// Every enabled detector's alerts, copy clusters computed from scratch by `engine`.
fn alerts(config: &Config, store: &Store, engine: Option<&dyn FeatureEngine>) -> Vec<Alert> {
    store.reset_copy_index().unwrap();
    let mut ctx = Context::new(config, store);
    if let Some(engine) = engine {
        ctx = ctx.with_engine(engine);
    }
    run_all(&ctx).unwrap().1
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on port {port}");
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
    let store = store_of(&dir.path().join("data"), &dir.path().join("vigie.db"));
    let items = dir.path().join("items");
    let written = export::export_items_with(&store, &items, ROWS_PER_FILE).unwrap();
    assert!(written.files.len() >= 3, "{written:?}");

    let expected = alerts(&config, &store, None);
    let copies = expected
        .iter()
        .filter(|a| a.detector == "copypasta")
        .count();
    assert!(copies >= 3, "{copies} copypasta alerts");

    let local = Engine::open(&EngineSpec::DataFusion, &items).unwrap();
    assert_eq!(
        alerts(&config, &store, Some(&local)),
        expected,
        "DataFusion"
    );

    // A scheduler and two executors on loopback, on a runtime of their own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let scheduler_port = listener.local_addr().unwrap().port();
    runtime.spawn(async move { run_scheduler(listener, "127.0.0.1").await });
    let work = tempfile::tempdir().unwrap();
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
        std::fs::create_dir_all(work.path().join(format!("executor-{n}"))).unwrap();
        let port = opts.port;
        runtime.spawn(async move { run_executor(&opts).await });
        wait_for_port(port);
    }
    let url = format!("ballista://127.0.0.1:{scheduler_port}");
    let remote = Engine::open(&EngineSpec::Ballista(url), &items).unwrap();
    assert_eq!(
        alerts(&config, &store, Some(&remote)),
        expected,
        "Ballista, two executors"
    );
    drop(remote);
    runtime.shutdown_timeout(Duration::from_secs(1));
}
