//! Sentence vectors kept between scans, keyed by the model and a digest of the embedded text, so
//! a re-scan embeds only texts it has not seen (migration 4).

use crate::{sqlite, Result, Store};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

/// A digest of an embedded text (its first 16 bytes of SHA-256, say; the caller chooses).
pub type TextDigest = [u8; 16];

impl Store {
    /// The cached vectors of `digests` for `model` (those not cached are absent). Vectors of
    /// another length than `dim` are treated as absent.
    pub fn cached_vectors(
        &self,
        model: &str,
        dim: usize,
        digests: &[TextDigest],
    ) -> Result<HashMap<TextDigest, Vec<f32>>> {
        let conn = sqlite!(self, pg => pg.cached_vectors(model, dim, digests));
        let mut stmt = conn
            .prepare_cached("SELECT vector FROM embeddings WHERE model = ?1 AND digest = ?2")
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for d in digests {
            let blob: Option<Vec<u8>> = stmt
                .query_row(params![model, &d[..]], |r| r.get(0))
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(v) = blob.filter(|b| b.len() == dim * 4) {
                let v = v
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                out.insert(*d, v);
            }
        }
        Ok(out)
    }

    /// Keeps `vectors` for `model`, in one transaction; an existing digest is left as it is.
    pub fn cache_vectors(&self, model: &str, vectors: &[(TextDigest, &[f32])]) -> Result<()> {
        let conn = sqlite!(self, pg => pg.cache_vectors(model, vectors));
        let tx = conn.unchecked_transaction().map_err(|e| self.err(e))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO embeddings (model, digest, vector) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| self.err(e))?;
            for (d, v) in vectors {
                let blob: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                put.execute(params![model, &d[..], blob])
                    .map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Vectors cached for `model`.
    pub fn cached_vector_count(&self, model: &str) -> Result<u64> {
        let conn = sqlite!(self, pg => pg.cached_vector_count(model));
        conn.query_row(
            "SELECT COUNT(*) FROM embeddings WHERE model = ?1",
            params![model],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as u64)
        .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_per_model_and_are_not_overwritten() {
        let store = Store::open_in_memory().unwrap();
        let (a, b) = ([1u8; 16], [2u8; 16]);
        store
            .cache_vectors("m1", &[(a, &[0.5, -1.25][..]), (b, &[3.0, 4.0][..])])
            .unwrap();
        store.cache_vectors("m1", &[(a, &[9.0, 9.0][..])]).unwrap();
        let got = store.cached_vectors("m1", 2, &[a, b, [3u8; 16]]).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[&a], vec![0.5, -1.25]);
        assert_eq!(got[&b], vec![3.0, 4.0]);
        // Another model, or another length, is not a hit.
        assert!(store.cached_vectors("m2", 2, &[a]).unwrap().is_empty());
        assert!(store.cached_vectors("m1", 3, &[a]).unwrap().is_empty());
        assert_eq!(store.cached_vector_count("m1").unwrap(), 2);
    }
}
