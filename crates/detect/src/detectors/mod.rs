//! One module per detector.

pub mod copypasta;
pub mod doxxing;
pub mod electoral_process;
pub mod incitement;
pub mod relay_network;
