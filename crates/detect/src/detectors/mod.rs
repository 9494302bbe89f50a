//! One module per detector.

pub mod account_burst;
pub mod astroturf;
pub mod coordination;
pub mod copypasta;
pub mod manufactured_media;
pub mod political_ad;
pub mod relay_network;
