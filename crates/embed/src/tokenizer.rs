//! SentencePiece unigram tokenizer for the USE multilingual v3 `sp.model`.
//!
//! Three stages, as SentencePiece runs them: the `nmt_nfkc` normaliser compiled into the model
//! (a darts-clone double-array trie of byte sequences mapped to replacement strings), whitespace
//! handling (dummy prefix, `▁` for spaces, runs of spaces collapsed), then the Viterbi best
//! segmentation over the piece scores. The protobuf is read by hand: only the pieces and the
//! precompiled character map are needed.

use std::collections::HashMap;

use crate::Error;

pub const UNK: u32 = 0;
pub const BOS: u32 = 1;
pub const EOS: u32 = 2;
const SPACE: &str = "\u{2581}";

fn bad(what: &str) -> Error {
    Error::Weights(format!("sp.model: {what}"))
}

fn varint(b: &[u8], pos: &mut usize) -> Result<u64, Error> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*pos).ok_or_else(|| bad("truncated varint"))?;
        *pos += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(bad("varint too long"))
}

/// One protobuf field: its number and, for length-delimited or fixed32 fields, the raw bytes.
enum Field<'a> {
    Bytes(u32, &'a [u8]),
    Fixed32(u32, [u8; 4]),
    Other,
}

/// Splits a protobuf message into its top-level fields.
fn fields(b: &[u8]) -> Result<Vec<Field<'_>>, Error> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        let tag = varint(b, &mut pos)?;
        let number = u32::try_from(tag >> 3).map_err(|_| bad("field number"))?;
        match tag & 7 {
            0 => {
                varint(b, &mut pos)?;
                out.push(Field::Other);
            }
            1 => {
                pos += 8;
                out.push(Field::Other);
            }
            2 => {
                let len = usize::try_from(varint(b, &mut pos)?).map_err(|_| bad("length"))?;
                let end = pos.checked_add(len).ok_or_else(|| bad("length"))?;
                let bytes = b.get(pos..end).ok_or_else(|| bad("truncated field"))?;
                out.push(Field::Bytes(number, bytes));
                pos = end;
            }
            5 => {
                let s = b
                    .get(pos..pos + 4)
                    .ok_or_else(|| bad("truncated fixed32"))?;
                out.push(Field::Fixed32(number, [s[0], s[1], s[2], s[3]]));
                pos += 4;
            }
            _ => return Err(bad("unsupported wire type")),
        }
    }
    if pos > b.len() {
        return Err(bad("truncated message"));
    }
    Ok(out)
}

/// The `nmt_nfkc` normaliser: longest-match byte rewriting through the precompiled trie.
struct Normaliser {
    units: Vec<u32>,
    replacements: Vec<u8>,
}

impl Normaliser {
    fn new(charsmap: &[u8]) -> Result<Self, Error> {
        if charsmap.is_empty() {
            return Ok(Normaliser {
                units: Vec::new(),
                replacements: Vec::new(),
            });
        }
        let size = charsmap
            .get(..4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .ok_or_else(|| bad("charsmap truncated"))?;
        let trie = charsmap
            .get(4..4 + size)
            .ok_or_else(|| bad("charsmap trie truncated"))?;
        let units = trie
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Normaliser {
            units,
            replacements: charsmap[4 + size..].to_vec(),
        })
    }

    fn offset(unit: u32) -> usize {
        ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
    }

    /// The normalised form of the longest trie key at the start of `s`, and how many bytes of
    /// `s` it consumes; without a match, the first UTF-8 character passes through unchanged.
    fn prefix<'a>(&'a self, s: &'a [u8]) -> (&'a [u8], usize) {
        let mut best: Option<(usize, usize)> = None;
        if let Some(&root) = self.units.first() {
            let mut node = Self::offset(root);
            for (i, &c) in s.iter().enumerate() {
                node ^= usize::from(c);
                let Some(&unit) = self.units.get(node) else {
                    break;
                };
                if unit & 0x8000_00FF != u32::from(c) {
                    break;
                }
                node ^= Self::offset(unit);
                if unit & 0x100 != 0 {
                    if let Some(&leaf) = self.units.get(node) {
                        best = Some((i + 1, (leaf & 0x7FFF_FFFF) as usize));
                    }
                }
            }
        }
        if let Some((len, value)) = best {
            if let Some(rest) = self.replacements.get(value..) {
                let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
                return (&rest[..end], len);
            }
        }
        let len = utf8_len(s);
        (&s[..len], len)
    }

    /// Normalises `text` and applies SentencePiece's whitespace rules.
    fn normalise(&self, text: &str) -> String {
        let raw = text.as_bytes();
        let mut pos = 0;
        // Leading characters that normalise to a single space are dropped.
        while pos < raw.len() {
            let (p, adv) = self.prefix(&raw[pos..]);
            if p != b" " {
                break;
            }
            pos += adv;
        }
        if pos >= raw.len() {
            return String::new();
        }
        let mut out: Vec<u8> = Vec::with_capacity(raw.len() + 8);
        out.extend_from_slice(SPACE.as_bytes());
        let mut prev_space = true;
        while pos < raw.len() {
            let (mut p, adv) = self.prefix(&raw[pos..]);
            pos += adv.max(1);
            if prev_space {
                while let [b' ', rest @ ..] = p {
                    p = rest;
                }
            }
            if let Some(&last) = p.last() {
                for &b in p {
                    if b == b' ' {
                        out.extend_from_slice(SPACE.as_bytes());
                    } else {
                        out.push(b);
                    }
                }
                prev_space = last == b' ';
            }
        }
        while out.ends_with(SPACE.as_bytes()) {
            out.truncate(out.len() - SPACE.len());
        }
        match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }
}

/// Byte length of the UTF-8 character starting `s` (1 for an invalid lead or continuation).
fn utf8_len(s: &[u8]) -> usize {
    let Some(&first) = s.first() else {
        return 0;
    };
    let len = match first {
        0x00..=0x7F => 1,
        _ if first >> 5 == 0b110 => 2,
        _ if first >> 4 == 0b1110 => 3,
        _ if first >> 3 == 0b11110 => 4,
        _ => 1,
    };
    if len > s.len() || s[1..len].iter().any(|&b| b & 0xC0 != 0x80) {
        1
    } else {
        len
    }
}

/// A loaded SentencePiece unigram model.
pub struct Tokenizer {
    scores: Vec<f32>,
    /// Every piece and every proper prefix of a piece: `Some(id)` for a piece, `None` for a prefix
    /// that only keeps the lattice walk going.
    prefixes: HashMap<Box<str>, Option<u32>>,
    /// Longest piece, in characters.
    max_chars: usize,
    unk_score: f64,
    normaliser: Normaliser,
}

impl Tokenizer {
    /// Parses a serialized SentencePiece `ModelProto`.
    pub fn from_bytes(model: &[u8]) -> Result<Self, Error> {
        let mut pieces: Vec<String> = Vec::new();
        let mut scores = Vec::new();
        let mut charsmap: &[u8] = &[];
        for field in fields(model)? {
            match field {
                // ModelProto.pieces: a SentencePiece message (1: piece, 2: score).
                Field::Bytes(1, msg) => {
                    let mut piece = None;
                    let mut score = 0.0f32;
                    for f in fields(msg)? {
                        match f {
                            Field::Bytes(1, p) => {
                                piece = Some(String::from_utf8_lossy(p).into_owned())
                            }
                            Field::Fixed32(2, s) => score = f32::from_le_bytes(s),
                            _ => {}
                        }
                    }
                    if let Some(p) = piece {
                        pieces.push(p);
                        scores.push(score);
                    }
                }
                // ModelProto.normalizer_spec; its field 2 is the precompiled character map.
                Field::Bytes(3, msg) if charsmap.is_empty() => {
                    for f in fields(msg)? {
                        if let Field::Bytes(2, map) = f {
                            charsmap = map;
                        }
                    }
                }
                _ => {}
            }
        }
        if pieces.len() <= EOS as usize {
            return Err(bad("no vocabulary"));
        }
        let min_score = scores.iter().copied().fold(f32::INFINITY, f32::min);
        let mut prefixes: HashMap<Box<str>, Option<u32>> = HashMap::new();
        let mut max_chars = 0;
        for (id, piece) in pieces.iter().enumerate() {
            let id = u32::try_from(id).map_err(|_| bad("vocabulary too large"))?;
            let mut chars = 0;
            for (at, _) in piece.char_indices().skip(1) {
                prefixes.entry(piece[..at].into()).or_insert(None);
                chars += 1;
            }
            max_chars = max_chars.max(chars + 1);
            prefixes.insert(piece.as_str().into(), Some(id));
        }
        Ok(Tokenizer {
            scores,
            prefixes,
            max_chars,
            unk_score: f64::from(min_score) - 10.0,
            normaliser: Normaliser::new(charsmap)?,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.scores.len()
    }

    /// The normalised text the segmentation runs on (`▁` marks word starts).
    pub fn normalise(&self, text: &str) -> String {
        self.normaliser.normalise(text)
    }

    /// Piece ids of `text` framed by BOS and EOS, as the encoder consumes them. At most
    /// `max_pieces` pieces are kept, so a hostile text cannot make one sentence unbounded.
    pub fn encode(&self, text: &str, max_pieces: usize) -> Vec<u32> {
        let normalised = self.normalise(text);
        let mut ids = Vec::with_capacity(normalised.len() / 3 + 3);
        ids.push(BOS);
        if normalised.is_empty() {
            ids.push(UNK);
        } else {
            let mut pieces = self.viterbi(&normalised);
            pieces.truncate(max_pieces.max(1));
            ids.extend(pieces);
        }
        ids.push(EOS);
        ids
    }

    /// Best-scoring segmentation. Each position keeps the best path ending there (first found
    /// wins ties, as SentencePiece's lattice does); a character no piece covers becomes UNK.
    fn viterbi(&self, s: &str) -> Vec<u32> {
        let bounds: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let n = bounds.len() - 1;
        let mut best = vec![-1e38f64; n + 1];
        best[0] = 0.0;
        let mut start_of = vec![0usize; n + 1];
        let mut piece_of = vec![UNK; n + 1];
        for i in 0..n {
            let base = best[i];
            let stop = (i + self.max_chars).min(n);
            let mut has_single = false;
            for j in i + 1..=stop {
                match self.prefixes.get(&s[bounds[i]..bounds[j]]) {
                    None => break,
                    Some(None) => {}
                    Some(Some(id)) => {
                        let score = base + f64::from(self.scores[*id as usize]);
                        if score > best[j] {
                            best[j] = score;
                            start_of[j] = i;
                            piece_of[j] = *id;
                        }
                        has_single |= j == i + 1;
                    }
                }
            }
            if !has_single {
                let score = base + self.unk_score;
                if score > best[i + 1] {
                    best[i + 1] = score;
                    start_of[i + 1] = i;
                    piece_of[i + 1] = UNK;
                }
            }
        }
        let mut ids = Vec::new();
        let mut p = n;
        while p > 0 {
            ids.push(piece_of[p]);
            p = start_of[p];
        }
        if ids.is_empty() {
            ids.push(UNK);
        }
        ids.reverse();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(p: &str, score: f32) -> Vec<u8> {
        let mut m = vec![0x0A, p.len() as u8];
        m.extend_from_slice(p.as_bytes());
        m.push(0x15);
        m.extend_from_slice(&score.to_le_bytes());
        let mut out = vec![0x0A, m.len() as u8];
        out.extend(m);
        out
    }

    fn toy() -> Tokenizer {
        let mut model = Vec::new();
        for (p, s) in [
            ("<unk>", 0.0),
            ("<s>", 0.0),
            ("</s>", 0.0),
            ("\u{2581}", -2.0),
            ("\u{2581}ab", -1.0),
            ("a", -3.0),
            ("b", -3.0),
            ("c", -3.0),
            ("bc", -2.5),
        ] {
            model.extend(piece(p, s));
        }
        Tokenizer::from_bytes(&model).unwrap()
    }

    #[test]
    fn whitespace_is_collapsed_and_marked() {
        let t = toy();
        assert_eq!(t.normalise("  ab   c  "), "\u{2581}ab\u{2581}c");
        assert_eq!(t.normalise("   "), "");
        assert_eq!(t.normalise(""), "");
    }

    #[test]
    fn viterbi_picks_the_best_segmentation() {
        let t = toy();
        // "▁ab" + "c" (-1 - 3 = -4) beats "▁" + "a" + "bc" (-2 - 3 - 2.5).
        assert_eq!(t.encode("abc", 100), vec![BOS, 4, 7, EOS]);
        // "▁" "a" "bc": no "▁abc" piece, and "▁ab"+"c" is still best; check an unknown char.
        assert_eq!(t.encode("z", 100), vec![BOS, 3, UNK, EOS]);
        assert_eq!(t.encode("", 100), vec![BOS, UNK, EOS]);
        assert_eq!(t.encode("abc abc abc", 2), vec![BOS, 4, 7, EOS]);
    }

    #[test]
    fn malformed_models_are_errors() {
        assert!(Tokenizer::from_bytes(b"").is_err());
        assert!(Tokenizer::from_bytes(&[0x0A, 0x7F, 0x01]).is_err());
        assert!(Tokenizer::from_bytes(&[0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
    }
}
