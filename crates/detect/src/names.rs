//! Person and organisation names compared across scripts and spellings: a payer written
//! `ООО «Структура»` in a sanctions list must match `Struktura LLC` in an ad library, and
//! `Gambashidze Ilia` must match `Илья Гамбашидзе`.
//!
//! A name becomes a multiset of tokens: folded, transliterated to Latin (Cyrillic, Greek),
//! stripped of diacritics, punctuation, legal forms and particles, then reduced to a phonetic
//! skeleton that merges the usual transliteration variants (`kh`/`h`, `c`/`k`, `y`/`i`/`j`,
//! `w`/`v`, doubled letters). Two names match when every token of the shorter one is found in
//! the longer, in any order, exactly or within one edit for long tokens.

use unicode_normalization::UnicodeNormalization;

/// Legal forms and particles that say nothing about who the entity is.
const NOISE: &[&str] = &[
    "ooo", "ao", "zao", "oao", "pao", "ip", "llc", "ltd", "limited", "inc", "corp", "co",
    "company", "gmbh", "ag", "sarl", "sas", "sa", "srl", "spa", "sp", "zoo", "bv", "nv", "plc",
    "fzco", "fze", "the", "of", "and", "de", "la", "le", "des", "du", "der", "die", "und", "von",
    "van",
];

/// A name as compared: skeleton tokens, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    tokens: Vec<String>,
}

impl NameKey {
    pub fn new(name: &str) -> NameKey {
        let latin = transliterate(&vigie_normalise::text::fold(name));
        let mut tokens: Vec<String> = latin
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty() && !NOISE.contains(t))
            .map(skeleton)
            .filter(|t| !t.is_empty())
            .collect();
        tokens.sort_unstable();
        NameKey { tokens }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The skeleton tokens joined: equal for names that differ only in spelling and order.
    pub fn canonical(&self) -> String {
        self.tokens.join(" ")
    }

    /// Whether the two names designate the same person or entity (see the module comment).
    /// A single short token is too ambiguous to match on its own.
    pub fn matches(&self, other: &NameKey) -> bool {
        let (short, long) = if self.tokens.len() <= other.tokens.len() {
            (&self.tokens, &other.tokens)
        } else {
            (&other.tokens, &self.tokens)
        };
        if short.is_empty() || (short.len() == 1 && short[0].len() < 6) {
            return false;
        }
        let mut used = vec![false; long.len()];
        short.iter().all(|t| {
            let found = long.iter().enumerate().position(|(i, l)| {
                !used[i] && (l == t || (t.len() >= 5 && l.len() >= 5 && within_one_edit(t, l)))
            });
            found.map(|i| used[i] = true).is_some()
        })
    }
}

/// Latin letters for Cyrillic and Greek, diacritics removed (`é` → `e`, `ł` → `l`).
fn transliterate(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let mapped: &str = match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ґ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' | 'є' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' | 'ї' | 'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            'α' => "a",
            'β' => "v",
            'γ' => "g",
            'δ' => "d",
            'ε' | 'η' => "e",
            'ζ' => "z",
            'θ' => "th",
            'ι' => "i",
            'κ' => "k",
            'λ' => "l",
            'μ' => "m",
            'ν' => "n",
            'ξ' => "x",
            'ο' | 'ω' => "o",
            'π' => "p",
            'ρ' => "r",
            'σ' | 'ς' => "s",
            'τ' => "t",
            'υ' => "y",
            'φ' => "f",
            'χ' => "ch",
            'ψ' => "ps",
            'ł' => "l",
            'ø' => "o",
            'đ' => "d",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(mapped);
    }
    out
}

/// Merges the spellings transliteration systems disagree on.
fn skeleton(token: &str) -> String {
    let mut s = token.to_owned();
    for (from, to) in [
        ("shch", "sh"),
        ("tsch", "ch"),
        ("sch", "sh"),
        ("dzh", "j"),
        ("dj", "j"),
        ("zh", "j"),
        ("kh", "h"),
        ("ph", "f"),
        ("ck", "k"),
        ("cz", "ch"),
        ("sz", "sh"),
        ("ou", "u"),
        ("tz", "ts"),
    ] {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &b) in bytes.iter().enumerate() {
        let c = match b {
            // `c` stays only as the first letter of `ch`.
            b'c' if bytes.get(i + 1) != Some(&b'h') => 'k',
            b'q' => 'k',
            b'w' => 'v',
            b'y' | b'j' => 'i',
            b'x' => {
                out.push('k');
                's'
            }
            other => char::from(other),
        };
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Levenshtein distance of at most one (substitution, insertion or deletion).
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[prefix + 1.min(short.len() - prefix)..] == long[prefix + 1.min(long.len() - prefix)..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(a: &str, b: &str) -> bool {
        NameKey::new(a).matches(&NameKey::new(b))
    }

    #[test]
    fn transliteration_word_order_and_legal_forms_do_not_matter() {
        assert!(m("Илья Гамбашидзе", "Gambashidze, Ilia"));
        assert!(m("Ilya Andreevich Gambashidze", "Гамбашидзе Илья"));
        assert!(m("ООО «Структура»", "Structura LLC"));
        assert!(m("Social Design Agency", "AGENCY SOCIAL DESIGN"));
        assert!(m("Nikolaï Tupikine", "Nikolai Tupikin"));
        assert!(m("Khodorkovsky Mikhail", "Chodorkowski Michail"));
    }

    #[test]
    fn different_people_and_lone_short_tokens_do_not_match() {
        assert!(!m("Ilya Gambashidze", "Ilya Petrov"));
        assert!(!m("Social Design Agency", "Social Media Agency"));
        assert!(!m("Ivan", "Ivan Petrov"));
        assert!(!m("", "Ivan Petrov"));
        assert!(!m("ООО", "ООО Ромашка"));
    }

    #[test]
    fn one_edit_is_tolerated_only_in_long_tokens() {
        assert!(within_one_edit("gambashidze", "gambashidse"));
        assert!(within_one_edit("abc", "abcd"));
        assert!(!within_one_edit("abc", "abde"));
        assert!(within_one_edit("", "a"));
        assert!(!within_one_edit("a", "abc"));
        assert!(m("Petr Ivanov", "Petr Ivanoff Smirnov"));
        assert!(!m("Petr Ivanov", "Pavel Ivanov"));
    }
}
