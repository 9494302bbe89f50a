//! `vigie cluster scheduler|executor`, `vigie scan --engine`, `vigie export parquet`: the
//! binary's side of `vigie-cluster` (feature `cluster`).

use crate::scan::ScanError;
use std::path::PathBuf;
use vigie_cluster::{export, Engine, EngineSpec};
use vigie_detect::clusters::FeatureEngine;
use vigie_store::Store;

pub use vigie_cluster::serve::ExecutorOptions;

/// Makes a scan's engine once ingest has filled the store.
pub type EngineFactory = Box<dyn Fn(&Store) -> Result<Box<dyn FeatureEngine>, String>>;

/// The engine `--engine` names, or `None` for the in-process default. Distributed runs read the
/// store's items from Parquet files in `items_dir`, written after ingest.
pub fn engine_setup(spec: &str, items_dir: PathBuf) -> Result<Option<EngineFactory>, ScanError> {
    let spec = EngineSpec::parse(spec).map_err(|e| ScanError::Engine(e.to_string()))?;
    if spec == EngineSpec::InProcess {
        return Ok(None);
    }
    Ok(Some(Box::new(move |store: &Store| {
        let written = export::export_items(store, &items_dir).map_err(|e| e.to_string())?;
        tracing::info!(rows = written.rows, files = written.files.len(), dir = %items_dir.display(), "items exported for the engine");
        let engine = Engine::open(&spec, &items_dir).map_err(|e| e.to_string())?;
        Ok(Box::new(engine) as Box<dyn FeatureEngine>)
    })))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(vigie_cluster::THREAD_STACK_BYTES)
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
