//! Typed semantic links between texts, as D3lta types them: two texts that mean the same thing
//! are a `translation` when their languages differ, a `rewording` when they share a language but
//! are not near-copies (near-copies are copy-paste, which vigie's copy clusters already hold).

use std::collections::BTreeSet;

use crate::ann::{Index, IndexParams};
use crate::DIM;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkKind {
    Translation,
    Rewording,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Translation => "translation",
            LinkKind::Rewording => "rewording",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SemanticLink {
    /// Item positions, `a < b`.
    pub a: u32,
    pub b: u32,
    pub kind: LinkKind,
    pub similarity: f32,
}

#[derive(Debug, Clone, Copy)]
pub struct LinkParams {
    /// Minimum cosine for a cross-language pair (translations score lower than same-language
    /// rewordings: the encoder's languages are aligned, not identical).
    pub translation_min: f32,
    /// Minimum cosine for a same-language pair.
    pub rewording_min: f32,
    /// Same-language pairs whose character-trigram Jaccard reaches this are copies, not links.
    pub copy_jaccard: f32,
    /// Neighbours examined per item.
    pub neighbours: usize,
    pub index: IndexParams,
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams {
            // Chosen on `vigie eval --semantic` (README): precision about 0.95 for translations;
            // heavier rewordings score lower and are traded for precision.
            translation_min: 0.55,
            rewording_min: 0.55,
            copy_jaccard: 0.6,
            neighbours: 30,
            index: IndexParams::default(),
        }
    }
}

/// Character trigrams of the lower-cased text with whitespace runs collapsed.
fn trigrams(text: &str) -> BTreeSet<[char; 3]> {
    let chars: Vec<char> = text
        .split_whitespace()
        .flat_map(|w| w.chars().flat_map(char::to_lowercase).chain([' ']))
        .collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// Jaccard similarity of the two texts' character trigrams.
pub fn trigram_jaccard(a: &str, b: &str) -> f32 {
    let (ta, tb) = (trigrams(a), trigrams(b));
    let union = ta.union(&tb).count();
    if union == 0 {
        return 1.0;
    }
    ta.intersection(&tb).count() as f32 / union as f32
}

/// Links among `texts` (with their detected languages, `None` when unknown) from their vectors
/// (`texts.len() x DIM`, as [`Encoder::embed_parallel`] returns them). Pairs with an unknown
/// language on either side count as the same language only if both are unknown. Sorted by
/// `(a, b)`.
///
/// [`Encoder::embed_parallel`]: crate::Encoder::embed_parallel
pub fn semantic_links(
    vectors: Vec<f32>,
    texts: &[&str],
    langs: &[Option<&str>],
    params: &LinkParams,
) -> Vec<SemanticLink> {
    let n = texts.len().min(langs.len()).min(vectors.len() / DIM);
    let mut vectors = vectors;
    vectors.truncate(n * DIM);
    let index = Index::build(vectors, DIM, params.index);
    let floor = params.translation_min.min(params.rewording_min);
    index
        .pairs_above(floor, params.neighbours)
        .into_iter()
        .filter_map(|(a, b, similarity)| {
            let (ai, bi) = (a as usize, b as usize);
            let kind = if langs[ai] != langs[bi] {
                (similarity >= params.translation_min).then_some(LinkKind::Translation)?
            } else {
                if similarity < params.rewording_min
                    || trigram_jaccard(texts[ai], texts[bi]) >= params.copy_jaccard
                {
                    return None;
                }
                LinkKind::Rewording
            };
            Some(SemanticLink {
                a,
                b,
                kind,
                similarity,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: f32) -> Vec<f32> {
        let v: Vec<f32> = (0..DIM).map(|i| ((i as f32 + 1.0) * seed).sin()).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect()
    }

    #[test]
    fn jaccard_separates_copies_from_rewordings() {
        let a = "Sanctions against Russia are ruining our farmers";
        assert!(trigram_jaccard(a, "sanctions  against Russia are ruining our farmers!!") > 0.8);
        assert!(
            trigram_jaccard(a, "Our farmers are being destroyed by the Russia sanctions") < 0.6
        );
        assert_eq!(trigram_jaccard("", ""), 1.0);
    }

    #[test]
    fn pairs_are_typed_by_language_and_copying() {
        // Items 0-3 share one vector (same meaning); 4 is unrelated.
        let same = unit(0.37);
        let mut vectors = Vec::new();
        for _ in 0..4 {
            vectors.extend_from_slice(&same);
        }
        vectors.extend(unit(1.91));
        let texts = [
            "Sanctions against Russia are ruining our farmers",
            "Die Sanktionen gegen Russland ruinieren unsere Bauern",
            "Our farmers are being destroyed by the Russia sanctions",
            "Sanctions against Russia are ruining our farmers!!",
            "Something else entirely",
        ];
        let langs = [Some("en"), Some("de"), Some("en"), Some("en"), Some("en")];
        let links = semantic_links(vectors, &texts, &langs, &LinkParams::default());
        let got: Vec<(u32, u32, LinkKind)> = links.iter().map(|l| (l.a, l.b, l.kind)).collect();
        assert_eq!(
            got,
            vec![
                (0, 1, LinkKind::Translation),
                (0, 2, LinkKind::Rewording),
                (1, 2, LinkKind::Translation),
                (1, 3, LinkKind::Translation),
                (2, 3, LinkKind::Rewording),
            ]
        );
    }
}
