//! Text folding and entity extraction (hashtags, mentions, URLs) from free text.
//!
//! Everything here runs once per ingested record, so the common cases (ASCII text, text without
//! `#`/`@`/links) take byte-level fast paths and allocate nothing beyond the output.

use caseless::Caseless;
use memchr::memmem;
use std::sync::LazyLock;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Folds text for comparison: NFKC, full Unicode default case folding (`ß` → `ss`, `ＡＢＣ` → `abc`,
/// `ﬁ` → `fi`), invisible format characters removed (zero-width space, word joiner, BOM, soft
/// hyphen: a classic way to defeat duplicate detection), whitespace and control runs collapsed to
/// one ASCII space, trimmed.
///
/// Case folding is the language-neutral default: `İ` folds to `i̇` (i + combining dot), not to the
/// Turkish `i`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(&mut out, s);
    out
}

/// Appends `fold(s)` to `out`, separated from existing content by one space when both are
/// non-empty.
pub(crate) fn fold_into(out: &mut String, s: &str) {
    let had_content = !out.is_empty();
    if had_content {
        out.push(' ');
    }
    let start = out.len();
    if s.is_ascii() {
        push_ascii_folded(out, s.as_bytes());
    } else if !push_simple_folded(out, s) {
        out.truncate(start);
        push_folded_chars(out, s.nfkc());
        // Case folding can (rarely) produce a non-NFKC sequence, e.g. around U+0345; renormalise
        // then, so that fold is idempotent.
        let tail = &out[start..];
        if !tail.is_ascii() && is_nfkc_quick(tail.chars()) != IsNormalized::Yes {
            let renormalised: String = tail.nfkc().collect();
            out.truncate(start);
            push_folded_chars(out, renormalised.chars());
        }
    }
    if had_content && out.len() == start {
        out.pop(); // `s` folded to nothing: no separator
    }
}

/// The ASCII fast path of [`fold`]: lower-case and whitespace collapse in one pass.
fn push_ascii_folded(out: &mut String, bytes: &[u8]) {
    let mut pending_space = false;
    for &b in bytes {
        if b <= b' ' || b == 0x7f {
            pending_space = true;
            continue;
        }
        if pending_space {
            push_space(out);
            pending_space = false;
        }
        out.push(b.to_ascii_lowercase() as char);
    }
}

/// Precomputed NFKC + case fold of every "simple" BMP character: one whose NFKC form and whose
/// fold of that are made only of stable characters (NFKC quick-check Yes, combining class 0), with
/// no whitespace or control inside. Stable characters never compose with their neighbours, so a
/// text of simple characters folds char by char with one table lookup, exactly as the full
/// algorithm would: the common case for Cyrillic, Greek, accented Latin, Arabic, CJK, and for
/// `…`, fullwidth letters and ligatures.
struct FoldTable {
    /// 0: not simple; 0xD800..=0xDFFF (surrogates, never chars): index into `expansions`;
    /// otherwise the folded char.
    map: Box<[u16]>,
    expansions: Vec<Box<str>>,
}

const EXPANSION_BASE: u16 = 0xD800;
const MAX_EXPANSIONS: usize = 0x800;

static FOLD_TABLE: LazyLock<FoldTable> = LazyLock::new(|| {
    let stable = |c: char| {
        is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
            && canonical_combining_class(c) == 0
            && !(c.is_whitespace() || c.is_control() || is_invisible(c))
    };
    let mut expansions: Vec<Box<str>> = Vec::new();
    let map = (0u32..0x1_0000)
        .map(|cp| {
            let Some(c) = char::from_u32(cp) else {
                return 0;
            };
            if cp < 0x80 || canonical_combining_class(c) != 0 {
                return 0;
            }
            let n: String = std::iter::once(c).nfkc().collect();
            if !n.chars().all(stable) {
                return 0;
            }
            let f: String = n.chars().default_case_fold().collect();
            if !f.chars().all(stable) {
                return 0;
            }
            let mut chars = f.chars();
            match (chars.next(), chars.next()) {
                (Some(one), None) if (one as u32) < 0x1_0000 => one as u32 as u16,
                (Some(_), _) if expansions.len() < MAX_EXPANSIONS => {
                    let code = EXPANSION_BASE + expansions.len() as u16;
                    expansions.push(f.into_boxed_str());
                    code
                }
                _ => 0,
            }
        })
        .collect();
    FoldTable { map, expansions }
});

/// Emoji and pictograph blocks outside the BMP: no decomposition, no case, combining class 0
/// (checked by a test), so they fold to themselves.
#[inline]
fn is_simple_astral(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}' | '\u{1F300}'..='\u{1FAFF}')
}

/// Fast path of [`fold_into`]: folds `s` char by char when every character is simple. Returns
/// false (leaving partial output for the caller to truncate) at the first one that is not.
fn push_simple_folded(out: &mut String, s: &str) -> bool {
    let table = &*FOLD_TABLE;
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_ascii() && (c <= ' ' || c == '\x7f') || c.is_whitespace() || c.is_control() {
            pending_space = true;
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if pending_space {
            push_space(out);
            pending_space = false;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_simple_astral(c) {
            out.push(c);
        } else {
            let code = table.map.get(c as usize).copied().unwrap_or(0);
            if (EXPANSION_BASE..EXPANSION_BASE + MAX_EXPANSIONS as u16).contains(&code) {
                match table.expansions.get(usize::from(code - EXPANSION_BASE)) {
                    Some(e) => out.push_str(e),
                    None => return false,
                }
            } else {
                match char::from_u32(u32::from(code)) {
                    Some(f) if f != '\0' => out.push(f),
                    _ => return false,
                }
            }
        }
    }
    true
}

fn push_folded_chars(out: &mut String, chars: impl Iterator<Item = char>) {
    let mut pending_space = false;
    for c in chars {
        if c.is_ascii() {
            if c <= ' ' || c == '\x7f' {
                pending_space = true;
                continue;
            }
            if pending_space {
                push_space(out);
                pending_space = false;
            }
            out.push(c.to_ascii_lowercase());
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if pending_space {
            push_space(out);
            pending_space = false;
        }
        for f in std::iter::once(c).default_case_fold() {
            out.push(f);
        }
    }
}

/// Pushes one separating space unless `out` is empty or already ends in one.
#[inline]
fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Zero-width and format characters that render as nothing. ZWJ/ZWNJ are kept: they carry meaning
/// in Persian, Indic scripts and emoji sequences.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}' | '\u{2060}' | '\u{2061}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// Byte span `[start, end)` of a URL in a text.
type Span = (usize, usize);

/// Hashtags of a text, folded, without `#`, deduplicated in first-seen order.
///
/// A hashtag starts with `#` (or fullwidth `＃`) not preceded by a letter, digit, `_` or `&` (so
/// `a#b` and `&#39;` are not hashtags), and runs over Unicode letters, digits, marks, `_` and ZWNJ.
/// Like Twitter, an all-digit tag (`#1`) is not a hashtag. Tags inside URLs (`/page#section`) are
/// ignored.
pub fn extract_hashtags(text: &str) -> Vec<String> {
    let spans = url_spans(text);
    hashtags_with(text, &spans)
}

/// Mentions of a text, folded, without `@`, deduplicated in first-seen order.
///
/// Handles are ASCII (`[A-Za-z0-9_]`, as on X, Telegram, Instagram, TikTok), with inner dots and
/// hyphens allowed for Bluesky-style handles (`@alice.bsky.social`) and one `@instance` part for
/// fediverse handles. An `@` preceded by a letter, digit or `_`/`.`/`-`/`@` is part of an e-mail
/// address or similar and is not a mention.
pub fn extract_mentions(text: &str) -> Vec<String> {
    let spans = url_spans(text);
    mentions_with(text, &spans)
}

/// Links of a text as written: `http://`, `https://` and bare `www.` links; trailing punctuation
/// (`).,;:!?'"»` …) and a trailing `…` (truncated tweets) are stripped, an unbalanced closing
/// bracket too. Deduplicated in first-seen order.
pub fn extract_urls(text: &str) -> Vec<String> {
    let spans = url_spans(text);
    urls_with(text, &spans)
}

/// All three entity kinds in one pass over URL spans, for the normaliser.
pub(crate) struct Entities {
    pub urls: Vec<String>,
    pub hashtags: Vec<String>,
    pub mentions: Vec<String>,
}

pub(crate) fn extract_entities(
    text: &str,
    want_urls: bool,
    want_hashtags: bool,
    want_mentions: bool,
) -> Entities {
    let spans = if want_urls || want_hashtags || want_mentions {
        url_spans(text)
    } else {
        Vec::new()
    };
    Entities {
        urls: if want_urls {
            urls_with(text, &spans)
        } else {
            Vec::new()
        },
        hashtags: if want_hashtags {
            hashtags_with(text, &spans)
        } else {
            Vec::new()
        },
        mentions: if want_mentions {
            mentions_with(text, &spans)
        } else {
            Vec::new()
        },
    }
}

fn urls_with(text: &str, spans: &[Span]) -> Vec<String> {
    let mut out: Vec<String> = spans.iter().map(|&(s, e)| text[s..e].to_owned()).collect();
    dedup_keep_order(&mut out);
    out
}

/// Membership of increasing positions in sorted, disjoint spans, in amortised O(1): hostile texts
/// with thousands of links and `#` must not cost links × tags.
struct SpanCursor<'a> {
    spans: &'a [Span],
    next: usize,
}

impl<'a> SpanCursor<'a> {
    fn new(spans: &'a [Span]) -> Self {
        SpanCursor { spans, next: 0 }
    }

    /// Whether `pos` lies in a span; `pos` must not decrease between calls.
    fn contains(&mut self, pos: usize) -> bool {
        while self.spans.get(self.next).is_some_and(|&(_, e)| e <= pos) {
            self.next += 1;
        }
        self.spans.get(self.next).is_some_and(|&(s, _)| s <= pos)
    }
}

/// Removes empty and repeated entries, keeping first occurrences in order.
pub(crate) fn dedup_keep_order(v: &mut Vec<String>) {
    if v.len() <= 16 {
        let mut i = 0;
        while i < v.len() {
            if v[i].is_empty() || v[..i].contains(&v[i]) {
                v.remove(i);
            } else {
                i += 1;
            }
        }
        return;
    }
    let mut seen = std::collections::HashSet::with_capacity(v.len());
    v.retain(|x| !x.is_empty() && seen.insert(x.clone()));
}

/// The character just before byte offset `i` (which must be a char boundary).
#[inline]
fn char_before(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

#[inline]
fn is_hashtag_char(c: char) -> bool {
    c == '_'
        || c == '\u{200C}'
        || c.is_alphanumeric()
        || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c))
}

fn hashtags_with(text: &str, spans: &[Span]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_url = SpanCursor::new(spans);
    let bytes = text.as_bytes();
    let has_fullwidth = !text.is_ascii() && text.contains('＃');
    if memchr::memchr(b'#', bytes).is_none() && !has_fullwidth {
        return out;
    }
    let mut i = 0;
    while i < bytes.len() {
        // Find the next `#` or `＃` (EF BC 83 in UTF-8).
        let next = if has_fullwidth {
            text[i..].find(['#', '＃']).map(|p| p + i)
        } else {
            memchr::memchr(b'#', &bytes[i..]).map(|p| p + i)
        };
        let Some(p) = next else { break };
        let sigil_len = if bytes[p] == b'#' {
            1
        } else {
            '＃'.len_utf8()
        };
        i = p + sigil_len;
        if in_url.contains(p) {
            continue;
        }
        if let Some(prev) = char_before(text, p) {
            if prev.is_alphanumeric() || prev == '_' || prev == '&' || prev == '#' {
                continue;
            }
        }
        let body_len: usize = text[i..]
            .chars()
            .take_while(|&c| is_hashtag_char(c))
            .map(char::len_utf8)
            .sum();
        let body = &text[i..i + body_len];
        i += body_len;
        if body.is_empty() || body.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        out.push(fold(body));
    }
    dedup_keep_order(&mut out);
    out
}

#[inline]
fn is_handle_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Length of a handle body starting at `bytes[0]`: handle bytes, with single inner `.`/`-`
/// allowed only between handle bytes (so a sentence's final `.` is not part of the handle).
fn handle_len(bytes: &[u8]) -> usize {
    let mut n = 0;
    while n < bytes.len() {
        let b = bytes[n];
        let inner_sep = (b == b'.' || b == b'-')
            && n > 0
            && bytes.get(n + 1).is_some_and(|&nb| is_handle_byte(nb));
        if !(is_handle_byte(b) || inner_sep) {
            break;
        }
        n += 1;
    }
    n
}

fn mentions_with(text: &str, spans: &[Span]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_url = SpanCursor::new(spans);
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'@', &bytes[i..]).map(|p| p + i) {
        i = p + 1;
        if in_url.contains(p) {
            continue;
        }
        if let Some(prev) = char_before(text, p) {
            // Letters/digits before `@` mean an e-mail address (`x@y.com`) or similar.
            if prev.is_alphanumeric() || matches!(prev, '_' | '.' | '-' | '@' | '+' | '/' | '=') {
                continue;
            }
        }
        let mut n = handle_len(&bytes[i..]);
        if n == 0 {
            continue;
        }
        // Fediverse `@user@instance.tld`: keep the instance part.
        if bytes.get(i + n) == Some(&b'@') {
            let m = handle_len(&bytes[i + n + 1..]);
            if m > 0 && bytes[i + n + 1..i + n + 1 + m].contains(&b'.') {
                n += 1 + m;
            }
        }
        let handle = &text[i..i + n];
        i += n;
        out.push(handle.to_ascii_lowercase());
    }
    dedup_keep_order(&mut out);
    out
}

/// Characters that end a URL. Non-ASCII letters do not: IRIs carry Cyrillic or accented paths.
#[inline]
fn ends_url(c: char) -> bool {
    if c.is_ascii() {
        c <= ' '
            || matches!(
                c,
                '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^' | '\x7f'
            )
    } else {
        c.is_whitespace()
            || matches!(
                c,
                '…' | '«'
                    | '»'
                    | '“'
                    | '”'
                    | '„'
                    | '‘'
                    | '’'
                    | '‹'
                    | '›'
                    | '「'
                    | '」'
                    | '。'
                    | '、'
                    | '，'
                    | '！'
                    | '？'
                    | '（'
                    | '）'
                    | '\u{200B}'
                    | '\u{FEFF}'
            )
    }
}

/// Byte length of a URL starting at `text[0]`, with trailing punctuation stripped.
fn url_len(text: &str) -> usize {
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if ends_url(c) {
            end = i;
            break;
        }
    }
    let mut url = &text[..end];
    // Bracket balance counted once, so stripping a long run of `)))` stays linear.
    let (mut paren, mut bracket) = (balance(url, '(', ')'), balance(url, '[', ']'));
    while let Some(last) = url.chars().next_back() {
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' => true,
            ')' if paren < 0 => {
                paren += 1;
                true
            }
            ']' if bracket < 0 => {
                bracket += 1;
                true
            }
            _ => false,
        };
        if !strip {
            break;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
    url.len()
}

/// Opening minus closing brackets in `s`. Negative: the final `close` belongs to the prose around
/// the URL, as in `(see https://x.example/a)`, unlike `https://en.wikipedia.org/wiki/A_(b)`.
fn balance(s: &str, open: char, close: char) -> isize {
    s.chars().fold(0, |acc, ch| {
        if ch == open {
            acc + 1
        } else if ch == close {
            acc - 1
        } else {
            acc
        }
    })
}

/// Spans of every URL in `text`, sorted by start, non-overlapping.
pub(crate) fn url_spans(text: &str) -> Vec<Span> {
    // Finders are built once: constructing one per call showed up in profiles.
    static SCHEME_SEP: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("://"));
    static WWW_LOWER: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("www."));
    static WWW_UPPER: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("WWW."));
    let bytes = text.as_bytes();
    let mut spans: Vec<Span> = Vec::new();
    // Scheme links: find "://" and look back for http/https (any case).
    for p in SCHEME_SEP.find_iter(bytes) {
        let start = if p >= 5 && bytes[p - 5..p].eq_ignore_ascii_case(b"https") {
            p - 5
        } else if p >= 4 && bytes[p - 4..p].eq_ignore_ascii_case(b"http") {
            p - 4
        } else {
            continue;
        };
        if spans.last().is_some_and(|&(_, e)| start < e) {
            continue; // a "://" inside a previous URL (e.g. a redirect parameter)
        }
        let body = p + 3;
        let len = url_len(&text[body..]);
        // Require a host character, not just "https://".
        if len > 0 {
            spans.push((start, body + len));
        }
    }
    // Bare "www." links not already inside a scheme link.
    if WWW_LOWER.find(bytes).is_some() || WWW_UPPER.find(bytes).is_some() {
        let mut extra = Vec::new();
        let mut from = 0;
        let mut in_url = SpanCursor::new(&spans);
        while let Some(p) = find_www(&bytes[from..]).map(|p| p + from) {
            from = p + 4;
            if in_url.contains(p) {
                continue;
            }
            if let Some(prev) = char_before(text, p) {
                if prev.is_alphanumeric() || matches!(prev, '.' | '/' | '@' | '-' | '_' | ':') {
                    continue;
                }
            }
            let len = url_len(&text[p..]);
            // "www." followed by at least "x.y".
            let url = &text[p..p + len];
            if len > 4 && url[4..].contains('.') && !url[4..].starts_with('.') {
                extra.push((p, p + len));
            }
            // Past this token either way: rescanning it from every inner "www." would be
            // quadratic on hostile input.
            from = from.max(p + len);
        }
        if !extra.is_empty() {
            spans.extend(extra);
            spans.sort_unstable();
        }
    }
    spans
}

/// Offset of the next case-insensitive "www." in `bytes`.
fn find_www(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(p) = memchr::memchr2(b'w', b'W', &bytes[i..]).map(|p| p + i) {
        if bytes.len() >= p + 4 && bytes[p..p + 4].eq_ignore_ascii_case(b"www.") {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ascii_lowercases_and_collapses_whitespace() {
        assert_eq!(fold("  Hello,\t\tWORLD \r\n again  "), "hello, world again");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" \n\t "), "");
    }

    #[test]
    fn fold_multilingual() {
        assert_eq!(
            fold("Élection présidentielle À VENIR"),
            "élection présidentielle à venir"
        );
        assert_eq!(fold("STRAẞE Straße"), "strasse strasse");
        assert_eq!(fold("ＡＢＣ　１２３"), "abc 123"); // fullwidth letters, ideographic space
        assert_eq!(fold("ﬁnance"), "finance");
        assert_eq!(fold("ВЫБОРЫ в России"), "выборы в россии");
        assert_eq!(fold("ΣΊΣΥΦΟΣ"), "σίσυφοσ"); // final sigma folds to σ
        assert_eq!(fold("Vote 🗳️ NOW"), "vote 🗳️ now");
    }

    #[test]
    fn fold_turkish_dotted_capital_i_uses_default_folding() {
        assert_eq!(fold("İSTANBUL"), "i\u{307}stanbul");
        assert_eq!(fold("ıi"), "ıi");
    }

    #[test]
    fn fold_decomposed_and_precomposed_agree() {
        assert_eq!(fold("e\u{301}lection"), fold("élection"));
        assert_eq!(fold("E\u{301}LECTION"), "élection");
    }

    #[test]
    fn fold_removes_invisible_characters_and_unicode_spaces() {
        assert_eq!(fold("vo\u{200B}te\u{00AD}z"), "votez");
        assert_eq!(fold("a\u{00A0}\u{2003}b\u{FEFF}"), "a b");
        assert_eq!(fold("x\u{0007}y"), "x y");
    }

    #[test]
    fn fold_is_idempotent() {
        for s in [
            "İstanbul ΣΊΣΥΦΟΣ Straße ﬁ ＡＢＣ",
            "\u{1FB3}\u{345}Ω",
            "ǄǅǆA\u{30A}",
            "Ⅻ ㎒ ½",
        ] {
            let once = fold(s);
            assert_eq!(fold(&once), once, "{s:?}");
        }
    }

    #[test]
    fn fast_path_agrees_with_full_algorithm() {
        // The table path must give exactly NFKC + fold + NFKC on the texts it accepts.
        let reference = |s: &str| {
            let mut out = String::new();
            push_folded_chars(&mut out, s.nfkc());
            let n: String = out.nfkc().collect();
            n
        };
        for s in [
            "Выборы на Украине были СФАЛЬСИФИЦИРОВАНЫ",
            "Ελληνικές ΕΚΛΟΓΈΣ",
            "Élection PRÉSIDENTIELLE à Besançon",
            "انتخابات الرئاسة",
            "選挙の投票日は日曜日です",
            "Wahl 🗳️ 🇫🇷 😀 ÄÖÜ",
            "Ёлка ЁЖ",
        ] {
            let mut fast = String::new();
            assert!(push_simple_folded(&mut fast, s), "{s}");
            assert_eq!(fast, reference(s), "{s}");
        }
        // Combining sequences and characters outside the table take the full path.
        for s in ["e\u{301}", "𝐕𝐨𝐭𝐞", "🄰", "ㄱㅏ", "\u{FDFA}"] {
            assert!(!push_simple_folded(&mut String::new(), s), "{s}");
        }
        assert_eq!(fold("𝐕𝐨𝐭𝐞 🄰"), "vote a");
        assert_eq!(fold("ㄱㅏ"), "가"); // compatibility jamo compose under NFKC
    }

    #[test]
    fn fast_path_agrees_with_full_algorithm_on_every_bmp_char() {
        let reference = |s: &str| {
            let mut out = String::new();
            push_folded_chars(&mut out, s.nfkc());
            let n: String = out.nfkc().collect();
            n
        };
        let mut accepted = 0;
        for cp in 0x80u32..0x1_0000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            // Between neighbours that could interact: a letter before, a letter and mark after.
            let s = format!("Ab{c}Ё ");
            let mut fast = String::new();
            if push_simple_folded(&mut fast, &s) {
                accepted += 1;
                assert_eq!(fast, reference(&s), "U+{cp:04X}");
            }
        }
        assert!(accepted > 50_000, "{accepted}");
    }

    #[test]
    fn astral_simple_blocks_are_really_simple() {
        for cp in (0x1F1E6..=0x1F1FF).chain(0x1F300..=0x1FAFF) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            assert_eq!(
                is_nfkc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "{cp:X}"
            );
            assert_eq!(canonical_combining_class(c), 0, "{cp:X}");
            assert!(
                std::iter::once(c)
                    .default_case_fold()
                    .eq(std::iter::once(c)),
                "{cp:X}"
            );
        }
    }

    #[test]
    fn fold_into_separates_parts() {
        let mut out = String::new();
        fold_into(&mut out, "Title ");
        fold_into(&mut out, "\nBody Text");
        assert_eq!(out, "title body text");
    }

    #[test]
    fn hashtags_unicode_folded_dedup() {
        let t = "#Élection2024 et #élection2024, #JO_Paris! #Выборы2024 #1 #2024 a#b &#39; #ＭＡＪ";
        assert_eq!(
            extract_hashtags(t),
            vec!["élection2024", "jo_paris", "выборы2024", "maj"]
        );
    }

    #[test]
    fn hashtags_inside_urls_are_ignored() {
        let t = "lire https://example.fr/page#section puis #Europe";
        assert_eq!(extract_hashtags(t), vec!["europe"]);
    }

    #[test]
    fn hashtags_with_marks_and_fullwidth_sigil() {
        assert_eq!(extract_hashtags("＃選挙 #चुनाव"), vec!["選挙", "चुनाव"]);
        assert_eq!(extract_hashtags("#"), Vec::<String>::new());
    }

    #[test]
    fn mentions_not_emails() {
        let t = "RT @Some_User: write to press@lemonde.fr or @AFP. cc @alice.bsky.social @bob@mastodon.social @ x";
        assert_eq!(
            extract_mentions(t),
            vec![
                "some_user",
                "afp",
                "alice.bsky.social",
                "bob@mastodon.social"
            ]
        );
    }

    #[test]
    fn mentions_in_urls_and_dedup() {
        let t = "@Foo see https://medium.com/@foo/post and @FOO again";
        assert_eq!(extract_mentions(t), vec!["foo"]);
    }

    #[test]
    fn urls_strip_trailing_punctuation_and_ellipsis() {
        let t = "Voir https://www.lemonde.fr/a.html. Et (https://x.example/b), \
                 «https://ria.ru/c»! www.rt.com/news? fin https://t.co/mAcCirn4o1…";
        assert_eq!(
            extract_urls(t),
            vec![
                "https://www.lemonde.fr/a.html",
                "https://x.example/b",
                "https://ria.ru/c",
                "www.rt.com/news",
                "https://t.co/mAcCirn4o1"
            ]
        );
    }

    #[test]
    fn urls_from_real_ira_tweet() {
        // Quote glued to the link, truncated with an ellipsis, as in the IRA archive.
        let t = "RT @ruopentwit: ⚡️У НАС НОВОЕ ВИДЕО! Американец: \"Если бы не 27 миллионов русских\"https://t.co/mAcCirn4o1…";
        assert_eq!(extract_urls(t), vec!["https://t.co/mAcCirn4o1"]);
        assert_eq!(extract_mentions(t), vec!["ruopentwit"]);
    }

    #[test]
    fn urls_keep_balanced_parentheses_and_iri_paths() {
        let t = "https://en.wikipedia.org/wiki/Russia_(disambiguation) https://ru.wikipedia.org/wiki/Выборы;";
        assert_eq!(
            extract_urls(t),
            vec![
                "https://en.wikipedia.org/wiki/Russia_(disambiguation)",
                "https://ru.wikipedia.org/wiki/Выборы"
            ]
        );
    }

    #[test]
    fn urls_edge_cases() {
        assert!(extract_urls("https:// nothing, http://").is_empty());
        assert!(extract_urls("mail me at bob@www.example.com").is_empty());
        assert!(extract_urls("www. is not a link, nor is www.x").is_empty());
        assert_eq!(
            extract_urls("HTTPS://EXAMPLE.COM/A https://example.com/A https://example.com/A"),
            vec!["HTTPS://EXAMPLE.COM/A", "https://example.com/A"]
        );
        // A redirect parameter holding a second URL stays one link.
        assert_eq!(
            extract_urls("go https://a.example/r?u=https://b.example/x now"),
            vec!["https://a.example/r?u=https://b.example/x"]
        );
    }

    #[test]
    fn extraction_never_panics_on_hostile_input() {
        let nasty = [
            "#",
            "@",
            "＃",
            "https://",
            "www.",
            "#\u{301}",
            "@\u{200B}",
            "é#",
            "é@x",
            "🗳#🗳",
            "http://\u{FFFF}",
            "wwW.é.é",
            "(((((https://a.b)))))",
            "https://a.b/…",
            "…https://",
        ];
        for s in nasty {
            let _ = (
                extract_hashtags(s),
                extract_mentions(s),
                extract_urls(s),
                fold(s),
            );
        }
        assert_eq!(extract_urls("(((((https://a.b)))))"), vec!["https://a.b"]);
    }

    #[test]
    fn extraction_is_linear_on_hostile_input() {
        // Each of these would take minutes with a quadratic scan.
        let many = "https://a.example/x #tag @user ".repeat(40_000);
        assert_eq!(extract_urls(&many), vec!["https://a.example/x"]);
        assert_eq!(extract_hashtags(&many), vec!["tag"]);
        assert_eq!(extract_mentions(&many), vec!["user"]);
        let unique: String = (0..20_000).map(|i| format!("#t{i} ")).collect();
        assert_eq!(extract_hashtags(&unique).len(), 20_000);
        let parens = format!("https://a.example/{}", ")".repeat(500_000));
        assert_eq!(extract_urls(&parens), vec!["https://a.example/"]);
        let www = "(www..".repeat(100_000);
        assert!(extract_urls(&www).is_empty());
    }
}
