//! vigie beyond one machine: the heavy, data-parallel stages as Apache DataFusion plans with
//! vigie's functions registered as UDFs, run in this process or, unchanged, on an Apache
//! DataFusion Ballista cluster. The small final steps (union-find of clusters, communities,
//! alerts) stay with the coordinating process, through the detect crate's engine seam
//! ([`vigie_detect::clusters::FeatureEngine`]).
//!
//! - [`export`]: the store's items as Parquet, the input of distributed runs;
//! - [`udf`]: vigie's functions as scalar UDFs;
//! - [`engine`]: the plans, and the engine that runs them and streams their results back;
//! - [`serve`]: Ballista's scheduler and executor with the UDFs registered;
//! - [`bench`]: `vigie bench --engines`.

pub mod bench;
pub mod engine;
pub mod export;
pub mod serve;
pub mod udf;

pub use engine::{Engine, EngineSpec};

/// Stack of the threads that plan, encode, decode and run plans: DataFusion and Ballista walk
/// plan trees recursively, and the co-action plan's tree (window functions over a self-join
/// of unnested UDF output) overflowed tokio's default 2 MiB in unoptimised builds.
pub const THREAD_STACK_BYTES: usize = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] vigie_store::StoreError),
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    #[error(transparent)]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    #[error(transparent)]
    Ballista(#[from] ballista_core::error::BallistaError),
    #[error("{0}")]
    Engine(String),
}

impl ClusterError {
    fn io(path: &std::path::Path, source: std::io::Error) -> ClusterError {
        ClusterError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
