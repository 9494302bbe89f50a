//! Per-language lexicons of the content detectors (`electoral_process`, `incitement`,
//! `doxxing`), and the one matcher they are compiled into.
//!
//! The built-in lexicons are TOML files under `data/lexicons/`, one per language, compiled in.
//! Users extend them with files of the same shape named in a detector's `lexicons` setting: a
//! file for a language already known adds its terms, a file for a new language adds it. Terms
//! are literals matched by Aho-Corasick on folded text at word boundaries (a trailing `*` matches
//! any word that starts with the term): matching is linear in the text whatever the lexicon, and
//! nothing a user writes is ever compiled as a regular expression.

use crate::DetectError;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// The lexicons shipped with vigie: French, English, German, Spanish, Italian, Polish, Portuguese.
pub const BUILTIN: [(&str, &str); 7] = [
    ("fr", include_str!("../data/lexicons/fr.toml")),
    ("en", include_str!("../data/lexicons/en.toml")),
    ("de", include_str!("../data/lexicons/de.toml")),
    ("es", include_str!("../data/lexicons/es.toml")),
    ("it", include_str!("../data/lexicons/it.toml")),
    ("pl", include_str!("../data/lexicons/pl.toml")),
    ("pt", include_str!("../data/lexicons/pt.toml")),
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Lexicon {
    pub lang: String,
    pub electoral: Electoral,
    /// ISO 3166 country code → names of the country as this language writes them.
    pub countries: BTreeMap<String, Vec<String>>,
    pub incitement: Incitement,
    pub doxxing: Doxxing,
    pub grammar: Grammar,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Electoral {
    pub context: Vec<String>,
    pub vote_verbs: Vec<String>,
    /// Seven lists, Monday first.
    pub weekdays: Vec<Vec<String>>,
    /// Twelve lists, January first.
    pub months: Vec<Vec<String>>,
    pub today: Vec<String>,
    pub tomorrow: Vec<String>,
    pub after_tomorrow: Vec<String>,
    pub next: Vec<String>,
    pub midnight: Vec<String>,
    pub noon: Vec<String>,
    pub close: Vec<String>,
    pub open: Vec<String>,
    pub range_from: Vec<String>,
    pub range_to: Vec<String>,
    pub negation: Vec<String>,
    pub debunk: Vec<String>,
    pub register: Vec<String>,
    pub postpone: Vec<String>,
    pub cancel: Vec<String>,
    pub place_change: Vec<String>,
    pub cannot_vote: Vec<String>,
    pub vote_twice: Vec<String>,
    pub separate_days: Vec<String>,
    pub eligibility_ok: Vec<String>,
    pub other_reference: Vec<String>,
    /// Voting method (`sms`, `online`, `app`, `phone`, `email`, `proxy`, `postal`) → phrases.
    pub methods: BTreeMap<String, Vec<String>>,
    /// Words making a document a condition of voting ("must", "required"), restricting it to
    /// one document ("only"), dispensing with it ("not needed"), and "without".
    pub doc_required: Vec<String>,
    pub doc_only: Vec<String>,
    pub doc_not_needed: Vec<String>,
    pub doc_without: Vec<String>,
    /// Identity document (`id` for any, `id_card`, `passport`, `driving_licence`,
    /// `voter_card`, `residence_permit`) → names.
    pub documents: BTreeMap<String, Vec<String>>,
    /// Kind of claim (`voting_date`, `poll_hours`, `voting_method`, `postponement`,
    /// `polling_place`, `eligibility`, `documents`) → false claims of that kind, compared by
    /// meaning with the texts (cargo feature `semantic`).
    pub meaning: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Incitement {
    pub calls: Vec<String>,
    pub actions: Vec<String>,
    pub violent: Vec<String>,
    pub targets: Vec<String>,
    pub time: Vec<String>,
    pub reporting: Vec<String>,
}

/// Words that never follow one another in a sentence a person wrote ("la les", "the to"):
/// generated or spun word salad is full of them, and a claim needs a sentence that reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Grammar {
    /// Articles that are not also numerals or common pronouns ("le", "the"; not "un", "a").
    pub articles: Vec<String>,
    /// Words an article is never directly followed by: articles, conjunctions, prepositions.
    pub never_after_article: Vec<String>,
}

/// Per language, the article pairs that make a sentence unreadable (see [`Grammar`]).
pub struct Readability {
    /// By lexicon language index: (articles, words never after one).
    by_lang: Vec<(HashSet<String>, HashSet<String>)>,
}

impl Readability {
    pub fn new(lexicons: &[Lexicon]) -> Readability {
        let fold = |words: &[String]| -> HashSet<String> {
            words
                .iter()
                .map(|w| vigie_normalise::text::fold(w.trim()))
                .filter(|w| !w.is_empty())
                .collect()
        };
        Readability {
            by_lang: lexicons
                .iter()
                .map(|l| {
                    (
                        fold(&l.grammar.articles),
                        fold(&l.grammar.never_after_article),
                    )
                })
                .collect(),
        }
    }

    /// Whether a folded sentence (without its final punctuation) breaks the grammar of
    /// language `lang` (a lexicon index): an article followed by a word that never follows one,
    /// by a comma, or ending the sentence. Without a known language nothing is judged: the
    /// same short word is an article in one language and a preposition in another.
    pub fn unreadable(&self, sentence: &str, lang: Option<u8>) -> bool {
        let Some((articles, never_after)) = lang.and_then(|l| self.by_lang.get(l as usize)) else {
            return false;
        };
        if articles.is_empty() {
            return false;
        }
        let mut words = sentence.split_whitespace().peekable();
        while let Some(word) = words.next() {
            let bare = word.trim_end_matches([',', ':']);
            if !articles.contains(bare) {
                continue;
            }
            // Single letters ("a", "o") also name things: "plan a".
            let long = bare.chars().count() > 1;
            if bare.len() < word.len() {
                if long {
                    return true;
                }
                continue;
            }
            match words.peek() {
                None if long => return true,
                Some(next) => {
                    let next = next.trim_end_matches(|c: char| c.is_ascii_punctuation());
                    if never_after.contains(next) {
                        return true;
                    }
                }
                None => {}
            }
        }
        false
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Doxxing {
    pub context: Vec<String>,
    pub street: Vec<String>,
}

impl Lexicon {
    fn extend(&mut self, other: Lexicon) {
        let (e, o) = (&mut self.electoral, other.electoral);
        for (mine, theirs) in [
            (&mut e.context, o.context),
            (&mut e.vote_verbs, o.vote_verbs),
            (&mut e.today, o.today),
            (&mut e.tomorrow, o.tomorrow),
            (&mut e.after_tomorrow, o.after_tomorrow),
            (&mut e.next, o.next),
            (&mut e.midnight, o.midnight),
            (&mut e.noon, o.noon),
            (&mut e.close, o.close),
            (&mut e.open, o.open),
            (&mut e.range_from, o.range_from),
            (&mut e.range_to, o.range_to),
            (&mut e.negation, o.negation),
            (&mut e.debunk, o.debunk),
            (&mut e.register, o.register),
            (&mut e.postpone, o.postpone),
            (&mut e.cancel, o.cancel),
            (&mut e.place_change, o.place_change),
            (&mut e.cannot_vote, o.cannot_vote),
            (&mut e.vote_twice, o.vote_twice),
            (&mut e.separate_days, o.separate_days),
            (&mut e.eligibility_ok, o.eligibility_ok),
            (&mut e.other_reference, o.other_reference),
            (&mut e.doc_required, o.doc_required),
            (&mut e.doc_only, o.doc_only),
            (&mut e.doc_not_needed, o.doc_not_needed),
            (&mut e.doc_without, o.doc_without),
            (&mut self.incitement.calls, other.incitement.calls),
            (&mut self.incitement.actions, other.incitement.actions),
            (&mut self.incitement.violent, other.incitement.violent),
            (&mut self.incitement.targets, other.incitement.targets),
            (&mut self.incitement.time, other.incitement.time),
            (&mut self.incitement.reporting, other.incitement.reporting),
            (&mut self.doxxing.context, other.doxxing.context),
            (&mut self.doxxing.street, other.doxxing.street),
            (&mut self.grammar.articles, other.grammar.articles),
            (
                &mut self.grammar.never_after_article,
                other.grammar.never_after_article,
            ),
        ] {
            mine.extend(theirs);
        }
        for (lists, more) in [(&mut e.weekdays, o.weekdays), (&mut e.months, o.months)] {
            for (i, terms) in more.into_iter().enumerate() {
                if let Some(l) = lists.get_mut(i) {
                    l.extend(terms);
                } else {
                    lists.push(terms);
                }
            }
        }
        for (m, terms) in o.methods {
            e.methods.entry(m).or_default().extend(terms);
        }
        for (d, terms) in o.documents {
            e.documents.entry(d).or_default().extend(terms);
        }
        for (k, examples) in o.meaning {
            e.meaning.entry(k).or_default().extend(examples);
        }
        for (c, names) in other.countries {
            self.countries.entry(c).or_default().extend(names);
        }
    }
}

/// The built-in lexicons extended by the user's files, sorted by language.
pub fn load(extra: &[String]) -> Result<Vec<Lexicon>, DetectError> {
    let failed = |reason: String| DetectError::Failed {
        detector: "lexicon",
        reason,
    };
    let mut by_lang: BTreeMap<String, Lexicon> = BTreeMap::new();
    for (lang, text) in BUILTIN {
        let lex: Lexicon =
            toml::from_str(text).map_err(|e| failed(format!("built-in lexicon {lang}: {e}")))?;
        by_lang.insert(lang.to_owned(), lex);
    }
    for path in extra {
        let text = std::fs::read_to_string(path)
            .map_err(|e| failed(format!("cannot read lexicon {path}: {e}")))?;
        let lex: Lexicon =
            toml::from_str(&text).map_err(|e| failed(format!("invalid lexicon {path}: {e}")))?;
        let lang = lex.lang.trim().to_lowercase();
        if lang.is_empty() {
            return Err(failed(format!("lexicon {path}: `lang` is missing")));
        }
        match by_lang.get_mut(&lang) {
            Some(known) => known.extend(lex),
            None => {
                by_lang.insert(lang, lex);
            }
        }
    }
    Ok(by_lang.into_values().collect())
}

/// The words without which a detector has nothing to say about a text, for several detectors
/// in one automaton: one pass over a text tells which detectors need to look at it. Words
/// match anywhere (no word boundaries): a superset of what the detectors' own matching finds.
pub struct Prefilter {
    ac: Option<AhoCorasick>,
    /// Per pattern: the detectors (bits) it stands for.
    masks: Vec<u8>,
    all: u8,
}

impl Prefilter {
    /// Set `i` of `sets` is bit `i` of what [`Prefilter::scan`] returns (at most eight sets).
    pub fn new(sets: &[&[String]]) -> Result<Prefilter, DetectError> {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut words: Vec<&str> = Vec::new();
        let mut masks: Vec<u8> = Vec::new();
        let mut all = 0u8;
        for (bit, set) in sets.iter().enumerate().take(8) {
            let b = 1u8 << bit;
            all |= b;
            for w in set.iter().filter(|w| !w.is_empty()) {
                let i = *index.entry(w.as_str()).or_insert_with(|| {
                    words.push(w.as_str());
                    masks.push(0);
                    words.len() - 1
                });
                masks[i] |= b;
            }
        }
        let ac = if words.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&words)
                    .map_err(|e| DetectError::Failed {
                        detector: "lexicon",
                        reason: e.to_string(),
                    })?,
            )
        };
        Ok(Prefilter { ac, masks, all })
    }

    /// The sets (bits) with a word in `text`.
    pub fn scan(&self, text: &str) -> u8 {
        let Some(ac) = &self.ac else {
            return 0;
        };
        let mut found = 0u8;
        for m in ac.find_overlapping_iter(text) {
            found |= self.masks.get(m.pattern().as_usize()).copied().unwrap_or(0);
            if found == self.all {
                break;
            }
        }
        found
    }
}

/// Language tag of a term that applies whatever the post's language (user keywords, names).
pub const ANY_LANG: u8 = u8::MAX;

/// One occurrence of a lexicon term in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<C> {
    pub start: usize,
    pub end: usize,
    pub cat: C,
    pub lang: u8,
}

/// Literal terms of several categories and languages, compiled into one Aho-Corasick automaton.
/// (language, category) tags of one pattern.
type Tags<C> = Vec<(u8, C)>;

pub struct Matcher<C> {
    ac: Option<AhoCorasick>,
    /// Per pattern: whether it matches word prefixes, and its tags.
    patterns: Vec<(bool, Tags<C>)>,
    langs: Vec<String>,
}

pub struct MatcherBuilder<C> {
    index: BTreeMap<String, usize>,
    patterns: Vec<(String, bool, Tags<C>)>,
    langs: Vec<String>,
}

impl<C: Copy + PartialEq> MatcherBuilder<C> {
    pub fn new(langs: Vec<String>) -> Self {
        MatcherBuilder {
            index: BTreeMap::new(),
            patterns: Vec::new(),
            langs,
        }
    }

    /// Adds a term (folded here: lexicons and config may use capitals).
    pub fn add(&mut self, term: &str, lang: u8, cat: C) {
        let folded = vigie_normalise::text::fold(term);
        let (body, prefix) = match folded.strip_suffix('*') {
            Some(b) => (b.trim_end().to_owned(), true),
            None => (folded, false),
        };
        if body.is_empty() {
            return;
        }
        // Folding keeps typographic apostrophes: match both forms.
        let mut forms = vec![body.clone()];
        if body.contains('\'') {
            forms.push(body.replace('\'', "\u{2019}"));
        }
        for form in forms {
            let key = format!("{}{form}", if prefix { "*" } else { "" });
            let i = *self.index.entry(key).or_insert_with(|| {
                self.patterns.push((form, prefix, Vec::new()));
                self.patterns.len() - 1
            });
            let tags = &mut self.patterns[i].2;
            if !tags.contains(&(lang, cat)) {
                tags.push((lang, cat));
            }
        }
    }

    pub fn add_all<S: AsRef<str>>(&mut self, terms: &[S], lang: u8, cat: C) {
        for t in terms {
            self.add(t.as_ref(), lang, cat);
        }
    }

    pub fn build(self) -> Result<Matcher<C>, DetectError> {
        let ac = if self.patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    // A full DFA: a few thousand terms, and every stored text goes through it.
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(self.patterns.iter().map(|(p, _, _)| p.as_str()))
                    .map_err(|e| DetectError::Failed {
                        detector: "lexicon",
                        reason: e.to_string(),
                    })?,
            )
        };
        Ok(Matcher {
            ac,
            patterns: self
                .patterns
                .into_iter()
                .map(|(_, prefix, tags)| (prefix, tags))
                .collect(),
            langs: self.langs,
        })
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl<C: Copy> Matcher<C> {
    /// Index of a language in this matcher, if it has a lexicon for it.
    pub fn lang_index(&self, lang: Option<&str>) -> Option<u8> {
        let lang = lang?;
        self.langs
            .iter()
            .position(|l| l == lang)
            .and_then(|i| u8::try_from(i).ok())
    }

    pub fn lang_name(&self, i: u8) -> &str {
        self.langs.get(i as usize).map(String::as_str).unwrap_or("")
    }

    /// Every term occurrence at word boundaries, in order of end position. Terms of `lang` and
    /// language-neutral terms only when `lang` is given; every language's terms otherwise.
    pub fn scan(&self, text: &str, lang: Option<u8>, out: &mut Vec<Hit<C>>) {
        out.clear();
        let Some(ac) = &self.ac else {
            return;
        };
        for m in ac.find_overlapping_iter(text) {
            let (start, end) = (m.start(), m.end());
            let Some((prefix, tags)) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            let before = text[..start].chars().next_back();
            let first = text[start..end].chars().next();
            if matches!((before, first), (Some(b), Some(f)) if is_word_char(b) && is_word_char(f)) {
                continue;
            }
            if !prefix {
                let after = text[end..].chars().next();
                let last = text[start..end].chars().next_back();
                if matches!((last, after), (Some(l), Some(a)) if is_word_char(l) && is_word_char(a))
                {
                    continue;
                }
            }
            for &(l, cat) in tags {
                if lang.is_none() || l == ANY_LANG || Some(l) == lang {
                    out.push(Hit {
                        start,
                        end,
                        cat,
                        lang: l,
                    });
                }
            }
        }
    }
}

/// Sentence boundaries of a text: byte offsets where a sentence ends (`.`, `!`, `?`, `;`, line
/// breaks; a dot between digits, as in `10.06` or `20.00`, does not end one).
pub fn sentence_ends(text: &str, out: &mut Vec<usize>) {
    out.clear();
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let end = match c {
            b'!' | b'?' | b';' | b'\n' => true,
            b'.' => {
                // "10.06", "20.00" and the German ordinal "10. Juni" do not end a sentence.
                let digit = |j: usize| b.get(j).is_some_and(|d| d.is_ascii_digit());
                let ordinal = i > 0 && digit(i - 1) && !(i >= 3 && digit(i - 2) && digit(i - 3));
                !ordinal && b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace())
            }
            _ => false,
        };
        if end {
            out.push(i);
        }
    }
    out.push(text.len());
}

/// Which sentence (index into `ends`) holds byte `pos`.
pub fn sentence_of(ends: &[usize], pos: usize) -> usize {
    ends.partition_point(|&e| e < pos)
}

/// The text with every link's bytes replaced by spaces (same length, same offsets).
/// Byte ranges of the links in a text (`http…` or `www.…` up to the next space).
pub fn link_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..]
        .find("http")
        .into_iter()
        .chain(text[from..].find("www."))
        .min()
    {
        let start = from + i;
        let end = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |e| start + e);
        out.push((start, end));
        from = end;
    }
    out
}

/// Whether a text has an ASCII digit outside `links`.
pub fn has_digit_outside(text: &str, links: &[(usize, usize)]) -> bool {
    let mut from = 0;
    for &(a, b) in links
        .iter()
        .chain(std::iter::once(&(text.len(), text.len())))
    {
        if text.as_bytes()[from..a].iter().any(u8::is_ascii_digit) {
            return true;
        }
        from = b;
    }
    false
}

pub fn mask_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("http").into_iter().chain(rest.find("www.")).min() {
        out.push_str(&rest[..i]);
        let link = &rest[i..];
        let end = link.find(char::is_whitespace).unwrap_or(link.len());
        out.extend(std::iter::repeat_n(' ', end));
        rest = &link[end..];
    }
    out.push_str(rest);
    out
}

/// A regex with ASCII word boundaries: Unicode `\b` keeps the regex crate off its fast lazy
/// DFA. Our expressions anchor on digits and ASCII-initial words, where the two agree.
pub fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&pattern.replace(r"\b", r"(?-u:\b)"))
}

/// A text folded character by character as [`vigie_normalise::text::fold`] does, with, for each
/// byte of the folded text, the byte offset in the original it came from: claim spans found on
/// folded text are reported on the text as published.
pub struct MappedFold {
    pub text: String,
    map: Vec<usize>,
}

impl MappedFold {
    pub fn new(original: &str) -> MappedFold {
        let mut text = String::with_capacity(original.len());
        let mut map = Vec::with_capacity(original.len());
        let mut pending_space = false;
        let mut buf = [0u8; 4];
        for (i, c) in original.char_indices() {
            if c.is_whitespace() || c.is_control() {
                pending_space = !text.is_empty();
                continue;
            }
            if pending_space {
                text.push(' ');
                map.push(i);
                pending_space = false;
            }
            let folded = if c.is_ascii() {
                let l = c.to_ascii_lowercase();
                l.encode_utf8(&mut buf).to_owned()
            } else {
                vigie_normalise::text::fold(c.encode_utf8(&mut buf))
            };
            for _ in 0..folded.len() {
                map.push(i);
            }
            text.push_str(&folded);
        }
        map.push(original.len());
        MappedFold { text, map }
    }

    /// The original byte range behind a folded byte range.
    pub fn original_span(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        let s = self.map.get(start).copied().unwrap_or(original.len());
        let e = if end == 0 {
            s
        } else {
            // The end is the end of the character behind the last folded byte.
            let last = self.map.get(end - 1).copied().unwrap_or(original.len());
            original[last..]
                .chars()
                .next()
                .map(|c| last + c.len_utf8())
                .unwrap_or(original.len())
        };
        (s.min(original.len()), e.max(s).min(original.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicons_parse_with_full_calendars() {
        let lex = load(&[]).unwrap();
        assert_eq!(lex.len(), 7);
        for l in &lex {
            assert_eq!(l.electoral.weekdays.len(), 7, "{}", l.lang);
            assert_eq!(l.electoral.months.len(), 12, "{}", l.lang);
            assert!(!l.incitement.targets.is_empty(), "{}", l.lang);
            assert!(l.electoral.methods.contains_key("sms"), "{}", l.lang);
        }
    }

    #[test]
    fn user_lexicon_extends_a_language_and_adds_one() {
        let dir = tempfile::tempdir().unwrap();
        let fr = dir.path().join("fr.toml");
        std::fs::write(
            &fr,
            "lang = \"fr\"\n[electoral.methods]\nsms = [\"par pigeon\"]\n",
        )
        .unwrap();
        let nl = dir.path().join("nl.toml");
        std::fs::write(&nl, "lang = \"nl\"\n[electoral]\ncontext = [\"stemmen\"]\n").unwrap();
        let lex = load(&[fr.display().to_string(), nl.display().to_string()]).unwrap();
        assert_eq!(lex.len(), 8);
        let french = lex.iter().find(|l| l.lang == "fr").unwrap();
        assert!(french.electoral.methods["sms"].contains(&"par pigeon".to_owned()));
        assert!(french.electoral.methods["sms"].contains(&"par sms".to_owned()));
        let err = load(&["/nonexistent/lexicon.toml".into()]).err().unwrap();
        assert!(err.to_string().contains("cannot read lexicon"), "{err}");
    }

    #[test]
    fn matches_at_word_boundaries_with_prefix_terms() {
        let mut b = MatcherBuilder::new(vec!["fr".into()]);
        b.add("vote", 0, 1u8);
        b.add("élection*", 0, 2u8);
        b.add("aujourd'hui", 0, 3u8);
        let m = b.build().unwrap();
        let mut hits = Vec::new();
        m.scan(
            "devote, vote! les élections aujourd\u{2019}hui",
            Some(0),
            &mut hits,
        );
        let cats: Vec<u8> = hits.iter().map(|h| h.cat).collect();
        assert_eq!(cats, vec![1, 2, 3]);
        assert_eq!(hits[0].start, 8);
    }

    #[test]
    fn sentences_split_but_not_inside_numbers() {
        let mut ends = Vec::new();
        let t = "Vote le 10.06 à 20.00 ou am 10. Juni. Partagez!";
        sentence_ends(t, &mut ends);
        assert_eq!(ends, vec![37, 47, t.len()]);
        assert_eq!(sentence_of(&ends, 5), 0);
        assert_eq!(sentence_of(&ends, 40), 1);
    }

    #[test]
    fn mapped_fold_gives_original_spans() {
        let original = "ATTENTION :  Le VOTE est REPORTÉ au Lundi";
        let m = MappedFold::new(original);
        assert_eq!(m.text, vigie_normalise::text::fold(original));
        let s = m.text.find("reporté").unwrap();
        let (a, b) = m.original_span(original, s, s + "reporté".len());
        assert_eq!(&original[a..b], "REPORTÉ");
    }
}

/// Settings of a detector driven by the lexicons: extra lexicon files (TOML, same shape as
/// `data/lexicons/*.toml`) and how many items its evidence lists keep (figures keep the counts).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct LexiconSettings {
    pub lexicons: Vec<String>,
    pub max_evidence_items: usize,
}

impl Default for LexiconSettings {
    fn default() -> Self {
        LexiconSettings {
            lexicons: Vec::new(),
            max_evidence_items: 500,
        }
    }
}
