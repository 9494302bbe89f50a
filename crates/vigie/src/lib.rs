//! vigie: finds foreign information manipulation and interference (FIMI) around elections.
//!
//! The facade over the pipeline crates — sources → normalise → store → detect → alerts — and the
//! jobs the `vigie` binary runs.

pub mod analyst;
pub mod bench;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod eval;
pub mod eval_claims;
pub mod eval_media;
pub mod ingest;
pub mod lookalike;
pub mod scan;
#[cfg(feature = "semantic")]
pub mod semantic;
pub mod starter;

pub use vigie_core as core;
pub use vigie_detect as detect;
#[cfg(feature = "semantic")]
pub use vigie_embed as embed;
pub use vigie_generate as generate;
pub use vigie_normalise as normalise;
pub use vigie_sources as sources;
pub use vigie_store as store;
