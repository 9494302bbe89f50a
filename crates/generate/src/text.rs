//! Text synthesis: Zipf draws over the per-language word lists, and the light rewording that
//! relay sites and coordinated accounts apply to copied text.

use crate::lang::Lang;
use rand::Rng;

/// Zipf(s) over ranks `0..n`, sampled by binary search in the cumulative weights.
#[derive(Debug, Clone)]
pub struct Zipf {
    cum: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut acc = 0.0;
        let cum = (1..=n.max(1))
            .map(|k| {
                acc += 1.0 / (k as f64).powf(s);
                acc
            })
            .collect();
        Zipf { cum }
    }

    pub fn sample<R: Rng>(&self, rng: &mut R) -> usize {
        let total = *self.cum.last().unwrap_or(&1.0);
        let u = rng.gen::<f64>() * total;
        self.cum
            .partition_point(|&c| c <= u)
            .min(self.cum.len() - 1)
    }
}

/// One language's words, topic phrases and hashtag pool with their samplers.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub lang: Lang,
    words: Vec<&'static str>,
    topics: Vec<&'static str>,
    words_z: Zipf,
    topics_z: Zipf,
    tags_z: Zipf,
}

impl Vocab {
    fn new(lang: Lang) -> Vocab {
        let words: Vec<&'static str> = lang.common_words().split_whitespace().collect();
        let topics: Vec<&'static str> = lang
            .topic_words()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        Vocab {
            lang,
            words_z: Zipf::new(words.len(), 0.95),
            topics_z: Zipf::new(topics.len(), 0.8),
            tags_z: Zipf::new(lang.hashtags().len(), 1.1),
            words,
            topics,
        }
    }

    pub fn word<R: Rng>(&self, rng: &mut R) -> &'static str {
        self.words[self.words_z.sample(rng)]
    }

    pub fn topic<R: Rng>(&self, rng: &mut R) -> &'static str {
        self.topics[self.topics_z.sample(rng)]
    }

    /// An organic hashtag (without `#`), Zipf over the language's pool.
    pub fn hashtag<R: Rng>(&self, rng: &mut R) -> &'static str {
        self.lang.hashtags()[self.tags_z.sample(rng)]
    }

    /// A sentence of `min..=max` words, some of them election topic phrases.
    pub fn sentence<R: Rng>(&self, rng: &mut R, min: usize, max: usize) -> String {
        let n = rng.gen_range(min..=max.max(min));
        let mut s = String::with_capacity(n * 8);
        let mut prev = "";
        for i in 0..n {
            if i > 0 {
                s.push(if i > 3 && rng.gen_bool(0.06) {
                    ','
                } else {
                    ' '
                });
                if s.ends_with(',') {
                    s.push(' ');
                }
            }
            let mut w = if rng.gen_bool(0.10) {
                self.topic(rng)
            } else {
                self.word(rng)
            };
            // "the the" reads as machine text even to a casual eye: redraw once.
            if w == prev {
                w = self.word(rng);
            }
            prev = w;
            if i == 0 {
                push_capitalised(&mut s, w);
            } else {
                s.push_str(w);
            }
        }
        s.push(match rng.gen_range(0..8) {
            0 => '!',
            1 => '?',
            _ => '.',
        });
        s
    }

    /// `n` sentences joined by spaces.
    pub fn sentences<R: Rng>(&self, rng: &mut R, n: usize) -> String {
        let mut out = String::new();
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&self.sentence(rng, 5, 16));
        }
        out
    }

    /// A headline: a few words, capitalised, no final punctuation.
    pub fn title<R: Rng>(&self, rng: &mut R) -> String {
        let mut s = self.sentence(rng, 5, 10);
        s.pop();
        s
    }
}

/// The vocabularies of every language, built once per run.
#[derive(Debug, Clone)]
pub struct Texts {
    vocabs: Vec<Vocab>,
}

impl Texts {
    pub fn new() -> Texts {
        Texts {
            vocabs: Lang::ALL.iter().map(|&l| Vocab::new(l)).collect(),
        }
    }

    pub fn vocab(&self, lang: Lang) -> &Vocab {
        &self.vocabs[lang.index()]
    }
}

impl Default for Texts {
    fn default() -> Self {
        Texts::new()
    }
}

pub fn push_capitalised(s: &mut String, w: &str) {
    let mut chars = w.chars();
    if let Some(c) = chars.next() {
        s.extend(c.to_uppercase());
        s.push_str(chars.as_str());
    }
}

const EMOJIS: [&str; 10] = ["🔴", "⚡", "‼️", "👉", "🇪🇺", "🔥", "❗", "📢", "😡", "👀"];

/// Light rewording as relay sites and copy-paste accounts do it: one to three edits among word
/// insertion or removal, punctuation changes, an emoji, trailing hashtags, truncation. The result
/// stays a near-duplicate of the input (most words kept, order kept) but is rarely byte-identical.
pub fn reword<R: Rng>(rng: &mut R, text: &str, vocab: &Vocab, tags: &[&str]) -> String {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        return text.to_owned();
    }
    let edits = rng.gen_range(1..=3);
    let mut prefix = String::new();
    let mut suffix = String::new();
    for _ in 0..edits {
        match rng.gen_range(0..7) {
            0 => {
                let at = rng.gen_range(0..=words.len());
                words.insert(at, vocab.word(rng).to_owned());
            }
            1 if words.len() > 8 => {
                let at = rng.gen_range(1..words.len());
                words.remove(at);
            }
            2 => {
                // Punctuation: "." becomes "!" or "...", or commas vanish.
                for w in words.iter_mut() {
                    if w.ends_with('.') && rng.gen_bool(0.5) {
                        w.pop();
                        w.push_str(if rng.gen_bool(0.5) { "!" } else { "..." });
                    } else if w.ends_with(',') && rng.gen_bool(0.5) {
                        w.pop();
                    }
                }
            }
            3 => {
                let e = EMOJIS[rng.gen_range(0..EMOJIS.len())];
                if rng.gen_bool(0.5) {
                    prefix = format!("{e} ");
                } else {
                    suffix.push(' ');
                    suffix.push_str(e);
                }
            }
            4 if !tags.is_empty() => {
                for _ in 0..rng.gen_range(1..=2) {
                    suffix.push_str(" #");
                    suffix.push_str(tags[rng.gen_range(0..tags.len())]);
                }
            }
            5 if words.len() > 12 => {
                // Keep 75-95% of the words: relays cut the end of long texts.
                let keep = (words.len() as f64 * rng.gen_range(0.75..0.95)).ceil() as usize;
                words.truncate(keep.max(8));
                if let Some(last) = words.last_mut() {
                    last.push('…');
                }
            }
            _ => {
                // Case change of the first word, as when a copy starts mid-sentence.
                if let Some(first) = words.first_mut() {
                    *first = first.to_lowercase();
                }
            }
        }
    }
    format!("{prefix}{}{suffix}", words.join(" "))
}

/// URL path slug: ASCII letters and digits joined by hyphens, at most `max_words` words.
pub fn slug(text: &str, max_words: usize) -> String {
    let mut out = String::new();
    let mut words = 0;
    let mut in_word = false;
    for c in text.chars().flat_map(fold_ascii) {
        if c.is_ascii_alphanumeric() {
            if !in_word {
                if words == max_words {
                    break;
                }
                if words > 0 {
                    out.push('-');
                }
                words += 1;
                in_word = true;
            }
            out.push(c.to_ascii_lowercase());
        } else {
            in_word = false;
        }
    }
    if out.is_empty() {
        out.push_str("article");
    }
    out
}

/// Accented Latin letters to their ASCII base, enough for slugs and handles.
fn fold_ascii(c: char) -> Option<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ä' | 'ą' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'ç' | 'ć' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'É' | 'È' | 'Ê' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ł' | 'Ł' => 'l',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'Ó' | 'Ö' => 'o',
        'ś' | 'Ś' => 's',
        'ù' | 'ú' | 'û' | 'ü' | 'Ü' => 'u',
        'ż' | 'ź' | 'Ż' | 'Ź' => 'z',
        'ß' => 's',
        c if c.is_ascii() => c,
        _ => ' ',
    };
    Some(folded)
}

/// Lower-case ASCII form of a name, for handles.
pub fn ascii_lower(s: &str) -> String {
    s.chars()
        .flat_map(fold_ascii)
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn zipf_favours_low_ranks() {
        let z = Zipf::new(100, 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut hits = [0u32; 100];
        for _ in 0..20_000 {
            hits[z.sample(&mut rng)] += 1;
        }
        assert!(hits[0] > hits[9] * 5, "{:?}", &hits[..10]);
        assert!(hits[99] > 0);
    }

    #[test]
    fn reword_keeps_most_words() {
        let texts = Texts::new();
        let v = texts.vocab(Lang::Fr);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let src = v.sentences(&mut rng, 4);
        for _ in 0..50 {
            let r = reword(&mut rng, &src, v, &["Europe"]);
            let a: std::collections::BTreeSet<&str> = src.split_whitespace().collect();
            let b: std::collections::BTreeSet<&str> = r.split_whitespace().collect();
            let inter = a.intersection(&b).count() as f64;
            assert!(inter / a.len() as f64 > 0.5, "{src}\n{r}");
        }
    }

    #[test]
    fn slug_is_ascii() {
        assert_eq!(
            slug("Élection: le débat à Paris!", 4),
            "election-le-debat-a"
        );
        assert_eq!(slug("!!!", 3), "article");
    }
}
