//! One module per detector.

pub mod copypasta;
pub mod relay_network;
