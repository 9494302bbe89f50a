//! The vocabulary every other vigie crate speaks: the input records of SPEC §2, the configuration of
//! SPEC §3 and the alerts of SPEC §4. No I/O lives here.

pub mod alert;
pub mod config;
pub mod provenance;
pub mod record;

pub use alert::{Alert, Evidence, ModusOperandi, Severity};
pub use config::Config;
pub use provenance::{Provenance, ProvenanceState};
pub use record::{
    Account, Ad, Article, DomainRecord, Kind, Media, MediaRef, Metrics, Post, Record, RecordKey,
};

/// Seeded 64-bit hash used for everything that is persisted or compared across machines.
/// xxh3 is stable across platforms and versions, unlike `std`'s `DefaultHasher`.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::with_seed(0x7669_6769_6500_0001);
    for p in parts {
        // Length-prefix each part so ("ab","c") and ("a","bc") differ.
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.digest()
}
