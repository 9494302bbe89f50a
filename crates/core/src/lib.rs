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
    stable_hash_of(parts.iter().copied())
}

/// Hasher for map keys that are already [`stable_hash`] outputs (digests, band keys): one
/// multiplication spreads them over the bits the table probes, where SipHash would cost more than
/// the lookup itself. Distinct keys stay distinct, and steering them to one slot would take
/// grinding texts against xxh3, so hostile input gains little.
#[derive(Default, Clone, Copy)]
pub struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by digests, see [`DigestHasher`].
pub type DigestMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<DigestHasher>>;

const STABLE_SEED: u64 = 0x7669_6769_6500_0001;

/// [`stable_hash`] of parts given one by one, without collecting them first.
pub fn stable_hash_of<'a>(parts: impl IntoIterator<Item = &'a [u8]> + Clone) -> u64 {
    // Hot paths hash a few short words at a time: the one-shot hash of the same bytes gives the
    // same value as the streaming one and skips its large state, so short inputs are laid out
    // on the stack first.
    let mut buf = [0u8; 256];
    let mut len = 0;
    let mut fits = true;
    for p in parts.clone() {
        let end = len + 8 + p.len();
        if end > buf.len() {
            fits = false;
            break;
        }
        buf[len..len + 8].copy_from_slice(&(p.len() as u64).to_le_bytes());
        buf[len + 8..end].copy_from_slice(p);
        len = end;
    }
    if fits {
        return xxhash_rust::xxh3::xxh3_64_with_seed(&buf[..len], STABLE_SEED);
    }
    let mut h = xxhash_rust::xxh3::Xxh3::with_seed(STABLE_SEED);
    for p in parts {
        // Length-prefix each part so ("ab","c") and ("a","bc") differ.
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streaming form the persisted hashes were first computed with.
    fn streaming(parts: &[&[u8]]) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::with_seed(STABLE_SEED);
        for p in parts {
            h.update(&(p.len() as u64).to_le_bytes());
            h.update(p);
        }
        h.digest()
    }

    #[test]
    fn stable_hash_is_the_same_on_short_and_long_inputs() {
        let text: Vec<u8> = (0..1200u32).map(|i| (i * 31 % 251) as u8).collect();
        for n in [0, 1, 3, 7, 16, 100, 239, 240, 241, 248, 300, 1200] {
            let one: &[u8] = &text[..n];
            assert_eq!(stable_hash(&[one]), streaming(&[one]), "one part of {n}");
            let split = [&text[..n / 2], &text[n / 2..n], b"x".as_slice()];
            assert_eq!(stable_hash(&split), streaming(&split), "three parts of {n}");
        }
        assert_eq!(stable_hash(&[]), streaming(&[]));
        // Length prefixes keep part boundaries apart.
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
    }
}
