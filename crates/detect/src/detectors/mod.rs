//! One module per detector.

pub mod account_burst;
pub mod astroturf;
pub mod cloned_site;
pub mod coordination;
pub mod copypasta;
pub mod doxxing;
pub mod electoral_process;
pub mod incitement;
pub mod lookalike_account;
pub mod lookalike_domain;
pub mod manufactured_media;
pub mod political_ad;
pub mod relay_network;
