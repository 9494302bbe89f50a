//! One module per detector.

pub mod coordination;
pub mod copypasta;
pub mod relay_network;
