//! One module per detector.

pub mod cloned_site;
pub mod copypasta;
pub mod lookalike_account;
pub mod lookalike_domain;
pub mod relay_network;
