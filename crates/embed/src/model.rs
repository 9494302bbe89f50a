//! The USE multilingual v3 encoder: a quantised piece-embedding table, three residual n-gram
//! convolution branches (orders 2, 3 and 5), layer norms, a length-normalised token sum and a
//! small feed-forward head with skip connections, ending in an L2-normalised 512-d vector.
//!
//! Sentences are run as a flat micro-batch: every token of every sentence is one row, so each
//! weight matrix is read once per micro-batch rather than once per sentence; n-gram windows
//! never reach across a sentence boundary (slots outside the sentence are zero).

use std::collections::BTreeMap;

use crate::npz::{Array, ArrayData};
use crate::Error;

pub const DIM: usize = 512;
const CNN: usize = 256;
const CHUNKS: usize = 17;
const HIDDEN: usize = 320;
const FEATS: usize = DIM + 3 * CNN;
/// (n-gram order, tokens of left context) of the three convolution branches.
const ORDERS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];

struct Branch {
    order: usize,
    left: usize,
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
}

pub struct Model {
    /// uint8 piece table in id order, `rows x DIM`; id `r` dequantises with chunk `r % 17`.
    table: Vec<u8>,
    rows: usize,
    scale: [f32; CHUNKS],
    lo: [f32; CHUNKS],
    /// The three branch input projections side by side: `DIM x 3*CNN`.
    proj_w: Vec<f32>,
    proj_b: Vec<f32>,
    proj_ln_g: Vec<f32>,
    proj_ln_b: Vec<f32>,
    branches: Vec<Branch>,
    ln_g: Vec<f32>,
    ln_b: Vec<f32>,
    cnn_w: Vec<f32>,
    cnn_b: Vec<f32>,
    d0: Vec<f32>,
    d1: Vec<f32>,
    p1: Vec<f32>,
    d2: Vec<f32>,
    p3: Vec<f32>,
    d3: Vec<f32>,
    eps: f32,
}

fn take(arrays: &mut BTreeMap<String, Array>, name: &str) -> Result<Array, Error> {
    arrays
        .remove(name)
        .ok_or_else(|| Error::Weights(format!("weights.npz: missing array {name}")))
}

fn floats(
    arrays: &mut BTreeMap<String, Array>,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, Error> {
    let a = take(arrays, name)?;
    if a.shape != shape {
        return Err(Error::Weights(format!(
            "weights.npz: {name} has shape {:?}, expected {shape:?}",
            a.shape
        )));
    }
    match a.data {
        ArrayData::F32(v) => Ok(v),
        ArrayData::F64(v) => Ok(v.into_iter().map(|x| x as f32).collect()),
        _ => Err(Error::Weights(format!("weights.npz: {name} is not float"))),
    }
}

/// Concatenates row-major matrices with the same row count side by side.
fn hconcat(parts: &[Vec<f32>], rows: usize) -> Vec<f32> {
    let widths: Vec<usize> = parts.iter().map(|p| p.len() / rows).collect();
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for r in 0..rows {
        for (p, &w) in parts.iter().zip(&widths) {
            out.extend_from_slice(&p[r * w..(r + 1) * w]);
        }
    }
    out
}

/// `c = a (m x k) · b (k x n)`, all row-major, overwriting `c`.
fn matmul(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the assertion above guarantees every element addressed through these row-major
    // strides lies inside its slice, and `c` does not alias `a` or `b` (distinct borrows).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            k as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// Layer norm of each `width`-wide row of `x`, in place.
fn layer_norm(x: &mut [f32], width: usize, gamma: &[f32], beta: &[f32], eps: f32) {
    for row in x.chunks_exact_mut(width) {
        let mean = row.iter().sum::<f32>() / width as f32;
        let mut var = 0.0f32;
        for v in row.iter_mut() {
            *v -= mean;
            var += *v * *v;
        }
        let inv = 1.0 / (var / width as f32 + eps).sqrt();
        for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
            *v = *v * inv * g + b;
        }
    }
}

fn add_bias_relu(x: &mut [f32], bias: &[f32]) {
    for row in x.chunks_exact_mut(bias.len()) {
        for (v, b) in row.iter_mut().zip(bias) {
            *v = (*v + b).max(0.0);
        }
    }
}

/// Copies, for every token, the `order` rows of its n-gram window from `src` (column block
/// `src_col..src_col+CNN` of rows `src_width` wide) into `dst`, zeros outside its sentence.
fn gather_windows(
    src: &[f32],
    src_width: usize,
    src_col: usize,
    spans: &[(usize, usize)],
    order: usize,
    left: usize,
    dst: &mut [f32],
) {
    let row_len = order * CNN;
    for &(start, end) in spans {
        for t in start..end {
            let out = &mut dst[t * row_len..(t + 1) * row_len];
            for slot in 0..order {
                let cell = &mut out[slot * CNN..(slot + 1) * CNN];
                match (t + slot).checked_sub(left) {
                    Some(p) if p >= start && p < end => {
                        let from = p * src_width + src_col;
                        cell.copy_from_slice(&src[from..from + CNN]);
                    }
                    _ => cell.fill(0.0),
                }
            }
        }
    }
}

impl Model {
    pub fn from_npz(mut arrays: BTreeMap<String, Array>) -> Result<Self, Error> {
        let mut chunks = Vec::with_capacity(CHUNKS);
        for i in 1..=CHUNKS {
            let q = take(&mut arrays, &format!("q{i}"))?;
            match (q.shape.as_slice(), q.data) {
                ([_, DIM], ArrayData::U8(v)) => chunks.push(v),
                _ => {
                    return Err(Error::Weights(format!(
                        "weights.npz: q{i} is not a uint8 N x {DIM} table"
                    )))
                }
            }
        }
        let per_chunk = chunks[0].len() / DIM;
        if chunks.iter().any(|c| c.len() != per_chunk * DIM) {
            return Err(Error::Weights("weights.npz: uneven table chunks".into()));
        }
        // Chunk i holds ids i, i+17, i+34, ...: interleave them back into id order.
        let rows = per_chunk * CHUNKS;
        let mut table = vec![0u8; rows * DIM];
        for (id, row) in table.chunks_exact_mut(DIM).enumerate() {
            let r = (id / CHUNKS) * DIM;
            row.copy_from_slice(&chunks[id % CHUNKS][r..r + DIM]);
        }
        drop(chunks);
        let mut scale = [0.0; CHUNKS];
        scale.copy_from_slice(&floats(&mut arrays, "scale", &[CHUNKS])?);
        let mut lo = [0.0; CHUNKS];
        lo.copy_from_slice(&floats(&mut arrays, "lo", &[CHUNKS])?);

        let mut projs = Vec::new();
        let mut proj_b = Vec::new();
        let mut proj_ln_g = Vec::new();
        let mut proj_ln_b = Vec::new();
        let mut branches = Vec::new();
        for (order, left) in ORDERS {
            projs.push(floats(&mut arrays, &format!("proj{order}"), &[DIM, CNN])?);
            proj_b.extend(floats(&mut arrays, &format!("proj_b{order}"), &[CNN])?);
            proj_ln_g.extend(floats(&mut arrays, &format!("ln_g{order}"), &[CNN])?);
            proj_ln_b.extend(floats(&mut arrays, &format!("ln_b{order}"), &[CNN])?);
            branches.push(Branch {
                order,
                left,
                w1: floats(&mut arrays, &format!("w1_{order}"), &[order * CNN, CNN])?,
                b1: floats(&mut arrays, &format!("b1_{order}"), &[CNN])?,
                w2: floats(&mut arrays, &format!("w2_{order}"), &[order * CNN, CNN])?,
                b2: floats(&mut arrays, &format!("b2_{order}"), &[CNN])?,
            });
        }
        let eps = floats(&mut arrays, "eps", &[])?[0];
        Ok(Model {
            table,
            rows,
            scale,
            lo,
            proj_w: hconcat(&projs, DIM),
            proj_b,
            proj_ln_g,
            proj_ln_b,
            branches,
            ln_g: floats(&mut arrays, "ln_g", &[FEATS])?,
            ln_b: floats(&mut arrays, "ln_b", &[FEATS])?,
            cnn_w: floats(&mut arrays, "cnn_W", &[FEATS, DIM])?,
            cnn_b: floats(&mut arrays, "cnn_b", &[DIM])?,
            d0: floats(&mut arrays, "d0", &[DIM, HIDDEN])?,
            d1: floats(&mut arrays, "d1", &[HIDDEN, HIDDEN])?,
            p1: floats(&mut arrays, "p1", &[DIM, HIDDEN])?,
            d2: floats(&mut arrays, "d2", &[HIDDEN, DIM])?,
            p3: floats(&mut arrays, "p3", &[HIDDEN, DIM])?,
            d3: floats(&mut arrays, "d3", &[DIM, DIM])?,
            eps,
        })
    }

    /// Number of piece ids the table covers.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Embeds a micro-batch of tokenised sentences (each non-empty) into `out`
    /// (`sentences.len() x DIM`), each row L2-normalised.
    pub fn forward(&self, sentences: &[Vec<u32>], out: &mut [f32]) {
        let mut spans = Vec::with_capacity(sentences.len());
        let mut tokens = Vec::new();
        for s in sentences {
            let start = tokens.len();
            // Ids past the table (impossible with the matching sp.model) read as UNK.
            tokens.extend(s.iter().map(|&id| {
                if (id as usize) < self.rows {
                    id as usize
                } else {
                    crate::tokenizer::UNK as usize
                }
            }));
            spans.push((start, tokens.len()));
        }
        let n = tokens.len();

        // feats = [piece embedding | branch 2 | branch 3 | branch 5], FEATS wide.
        let mut feats = vec![0.0f32; n * FEATS];
        let mut emb = vec![0.0f32; n * DIM];
        for (row, &id) in emb.chunks_exact_mut(DIM).zip(&tokens) {
            let (scale, lo) = (self.scale[id % CHUNKS], self.lo[id % CHUNKS]);
            for (v, &q) in row.iter_mut().zip(&self.table[id * DIM..(id + 1) * DIM]) {
                *v = f32::from(q) * scale + lo;
            }
        }
        let mut x = vec![0.0f32; n * 3 * CNN];
        matmul(&emb, &self.proj_w, &mut x, n, DIM, 3 * CNN);
        for row in x.chunks_exact_mut(3 * CNN) {
            for (v, b) in row.iter_mut().zip(&self.proj_b) {
                *v += b;
            }
        }
        layer_norm(&mut x, 3 * CNN, &self.proj_ln_g, &self.proj_ln_b, self.eps);
        for (f, e) in feats.chunks_exact_mut(FEATS).zip(emb.chunks_exact(DIM)) {
            f[..DIM].copy_from_slice(e);
        }
        drop(emb);

        let mut windows = vec![0.0f32; n * 5 * CNN];
        let mut h = vec![0.0f32; n * CNN];
        let mut c = vec![0.0f32; n * CNN];
        for (i, br) in self.branches.iter().enumerate() {
            let k = br.order * CNN;
            let win = &mut windows[..n * k];
            gather_windows(&x, 3 * CNN, i * CNN, &spans, br.order, br.left, win);
            matmul(win, &br.w1, &mut h, n, k, CNN);
            add_bias_relu(&mut h, &br.b1);
            for (hr, xr) in h.chunks_exact_mut(CNN).zip(x.chunks_exact(3 * CNN)) {
                for (v, r) in hr.iter_mut().zip(&xr[i * CNN..(i + 1) * CNN]) {
                    *v += r;
                }
            }
            gather_windows(&h, CNN, 0, &spans, br.order, br.left, win);
            matmul(win, &br.w2, &mut c, n, k, CNN);
            add_bias_relu(&mut c, &br.b2);
            let col = DIM + i * CNN;
            for ((f, cr), hr) in feats
                .chunks_exact_mut(FEATS)
                .zip(c.chunks_exact(CNN))
                .zip(h.chunks_exact(CNN))
            {
                for ((v, a), b) in f[col..col + CNN].iter_mut().zip(cr).zip(hr) {
                    *v = a + b;
                }
            }
        }
        drop((windows, h, c, x));
        layer_norm(&mut feats, FEATS, &self.ln_g, &self.ln_b, self.eps);

        // The token sum commutes with the linear projection: sum first, project per sentence.
        let b = sentences.len();
        let mut sums = vec![0.0f32; b * FEATS];
        for (row, &(start, end)) in sums.chunks_exact_mut(FEATS).zip(&spans) {
            for t in start..end {
                for (s, v) in row.iter_mut().zip(&feats[t * FEATS..(t + 1) * FEATS]) {
                    *s += v;
                }
            }
        }
        drop(feats);
        let mut mean = vec![0.0f32; b * DIM];
        matmul(&sums, &self.cnn_w, &mut mean, b, FEATS, DIM);
        for (row, &(start, end)) in mean.chunks_exact_mut(DIM).zip(&spans) {
            let len = (end - start) as f32;
            let inv = 1.0 / len.sqrt();
            for (v, bias) in row.iter_mut().zip(&self.cnn_b) {
                *v = (*v + len * bias) * inv;
            }
        }

        let mut y0 = vec![0.0f32; b * HIDDEN];
        matmul(&mean, &self.d0, &mut y0, b, DIM, HIDDEN);
        y0.iter_mut().for_each(|v| *v = v.max(0.0));
        let mut y1 = vec![0.0f32; b * HIDDEN];
        let mut tmp = vec![0.0f32; b * DIM];
        matmul(&mean, &self.p1, &mut y1, b, DIM, HIDDEN);
        matmul(&y0, &self.d1, &mut tmp[..b * HIDDEN], b, HIDDEN, HIDDEN);
        for (v, t) in y1.iter_mut().zip(&tmp) {
            *v = (*v + t).max(0.0);
        }
        let mut y2 = vec![0.0f32; b * DIM];
        matmul(&y1, &self.d2, &mut y2, b, HIDDEN, DIM);
        y2.iter_mut().for_each(|v| *v = v.max(0.0));
        let z = &mut out[..b * DIM];
        matmul(&y1, &self.p3, z, b, HIDDEN, DIM);
        matmul(&y2, &self.d3, &mut tmp, b, DIM, DIM);
        for (v, t) in z.iter_mut().zip(&tmp) {
            *v = (*v + t).tanh();
        }
        for row in z.chunks_exact_mut(DIM) {
            let norm2 = row.iter().map(|v| v * v).sum::<f32>().max(self.eps);
            let inv = 1.0 / norm2.sqrt();
            row.iter_mut().for_each(|v| *v *= inv);
        }
    }
}
