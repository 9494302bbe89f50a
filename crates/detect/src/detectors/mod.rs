//! One module per detector.

pub mod copypasta;
pub mod lookalike_account;
pub mod lookalike_domain;
pub mod relay_network;
