//! `vigie cluster scheduler` and `vigie cluster executor`: Ballista's scheduler and executor
//! with vigie's functions registered, so that plans using them can be decoded and run.

use crate::{udf, ClusterError};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::execution::session_state::SessionState;
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use std::path::PathBuf;
use std::sync::Arc;

/// A Ballista session state with vigie's functions: the scheduler's sessions and the client's.
pub fn session_state(config: SessionConfig) -> datafusion::common::Result<SessionState> {
    let mut state = ballista_core::utils::default_session_builder(config)?;
    for f in udf::udfs() {
        state.register_udf(f)?;
    }
    Ok(state)
}

/// The functions an executor can run: DataFusion's and vigie's.
pub fn function_registry() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in udf::udfs() {
        registry.scalar_functions.insert(f.name().to_owned(), f);
    }
    registry
}

/// Serves a scheduler on `listener` until the process ends. `external_host` is the name
/// executors and clients reach it by.
pub async fn run_scheduler(
    listener: tokio::net::TcpListener,
    external_host: &str,
) -> Result<(), ClusterError> {
    let addr = listener
        .local_addr()
        .map_err(|e| ClusterError::io(std::path::Path::new("scheduler listener"), e))?;
    let config = SchedulerConfig {
        bind_host: addr.ip().to_string(),
        bind_port: addr.port(),
        external_host: external_host.to_owned(),
        override_session_builder: Some(Arc::new(session_state)),
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config).await?;
    let scheduler =
        create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, Arc::new(config)).await?;
    tracing::info!(%addr, "vigie cluster scheduler listening");
    start_grpc_service_with_listener(listener, scheduler).await?;
    Ok(())
}

/// What `vigie cluster executor` is told.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    pub scheduler_host: String,
    pub scheduler_port: u16,
    /// Address to bind (the data port and the task port).
    pub bind_host: String,
    /// Name the scheduler and clients reach this executor by (default: `bind_host`).
    pub external_host: Option<String>,
    /// Port serving results (Arrow Flight).
    pub port: u16,
    /// Port receiving tasks from the scheduler.
    pub grpc_port: u16,
    /// Tasks run at once (0: one per core).
    pub concurrent_tasks: usize,
    /// Where intermediate results are written (default: a temporary directory).
    pub work_dir: Option<PathBuf>,
}

/// Runs an executor until it is stopped (Ctrl-C or the scheduler).
pub async fn run_executor(opts: &ExecutorOptions) -> Result<(), ClusterError> {
    let config = ExecutorProcessConfig {
        scheduler_host: opts.scheduler_host.clone(),
        scheduler_port: opts.scheduler_port,
        bind_host: opts.bind_host.clone(),
        external_host: opts.external_host.clone(),
        port: opts.port,
        grpc_port: opts.grpc_port,
        vcores: opts.concurrent_tasks,
        work_dir: opts
            .work_dir
            .as_ref()
            .map(|d| d.to_string_lossy().into_owned()),
        override_function_registry: Some(Arc::new(function_registry())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await?;
    Ok(())
}
