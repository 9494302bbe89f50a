//! One module per detector.

pub mod copypasta;
