//! Personal data in text: e-mail addresses, phone numbers (E.164 and national formats), IBANs
//! (mod-97 checked), national identifiers with their check keys (French NIR, Spanish DNI/NIE,
//! Italian codice fiscale, Polish PESEL, Portuguese NIF, German Steuer-ID, Brazilian CPF) and
//! street addresses (number, street word and name up to the next punctuation or digit, at most
//! 40 characters). Values are normalised as SPEC §3 says for `pii_sha256` — lower-case, no
//! spaces, phones in E.164; identifiers and IBANs keep only their letters and digits — and only
//! their salted SHA-256 ([`salted_sha256`]: hex of SHA-256 over the salt's bytes followed by the
//! normalised value's bytes) ever leaves this module's callers.

use aho_corasick::AhoCorasick;
use regex::Regex;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    Email,
    Phone,
    Iban,
    NationalId,
    Address,
}

impl PiiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::Iban => "iban",
            PiiKind::NationalId => "national_id",
            PiiKind::Address => "address",
        }
    }
}

/// One personal item found: its kind, where, and the normalised forms it may have (a national
/// phone number has one E.164 form per country it may belong to).
#[derive(Debug, Clone, PartialEq)]
pub struct Pii {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
    pub normalised: Vec<String>,
}

/// Hex SHA-256 of the salt followed by the normalised value (SPEC §3 `pii_sha256`).
pub fn salted_sha256(salt: &str, normalised: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(normalised.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Country calling codes tried for a national number, by the post's language first.
const CALLING_CODES: [(&str, &str); 8] = [
    ("fr", "33"),
    ("de", "49"),
    ("es", "34"),
    ("it", "39"),
    ("pl", "48"),
    ("pt", "351"),
    ("en", "44"),
    ("en", "353"),
];

pub struct PiiScanner {
    email: Regex,
    phone: Regex,
    iban: Regex,
    ids: Regex,
    address: Regex,
    /// Street words then street suffixes, to run the address expression only where one of
    /// them stands as in an address (see [`PiiScanner::address_candidate`]).
    street: AhoCorasick,
    /// How many of `street`'s patterns are words (the rest are suffixes).
    street_words: usize,
}

/// A street or place name: up to 40 characters without digits or punctuation. (A small class:
/// Unicode letter classes under a bounded repeat overflow the regex crate's lazy DFA.)
const NAME: &str = r"[^\d,.;:!?()\n]{2,40}";

fn alnum_lower(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

impl PiiScanner {
    /// `street_words` come from the lexicons (e.g. "rue", "straße", "calle"); they are escaped.
    pub fn new(
        street_words: &[String],
        street_suffixes: &[String],
    ) -> Result<PiiScanner, regex::Error> {
        let mut words: Vec<String> = street_words
            .iter()
            .map(|w| vigie_normalise::text::fold(w))
            .filter(|w| !w.is_empty())
            .collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        words.dedup();
        let alt: Vec<String> = words.iter().map(|w| regex::escape(w)).collect();
        let alt = alt.join("|");
        let mut suffixes_raw: Vec<String> = street_suffixes.to_vec();
        if suffixes_raw.is_empty() {
            suffixes_raw.push("straße".into());
        }
        let suffixes: Vec<String> = suffixes_raw.iter().map(|w| regex::escape(w)).collect();
        let suf = suffixes.join("|");
        Ok(PiiScanner {
            email: crate::lexicon::regex(
                r"[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*\.[a-z]{2,24}\b",
            )?,
            phone: crate::lexicon::regex(
                r"(?x)
                (?:\+|\b00)[1-9]\d{0,2}[\s.-]?(?:\(0\)\s?)?\d(?:[\s.-]?\d){6,12}\b
                |\b0\d(?:[\s./-]?\d){7,10}\b
                |\b[1-9]\d{2}(?:[\s-]?\d{3}){2}\b",
            )?,
            iban: crate::lexicon::regex(
                r"\b[a-z]{2}\d{2}(?:\s?[a-z0-9]{4}){2,7}(?:\s?[a-z0-9]{1,4})?\b",
            )?,
            ids: crate::lexicon::regex(
                r"(?x)
                \b[12]\s?\d{2}\s?[01]\d\s?(?:\d{2}|2a|2b)\s?\d{3}\s?\d{3}\s?\d{2}\b   # FR NIR
                |\b\d{8}-?[a-z]\b                                                  # ES DNI
                |\b[xyz]-?\d{7}-?[a-z]\b                                           # ES NIE
                |\b[a-z]{6}\d{2}[a-z]\d{2}[a-z]\d{3}[a-z]\b                        # IT CF
                |\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b                                  # BR CPF
                |\b\d{11}\b                                                        # PESEL, Steuer-ID
                |\b\d{9}\b                                                         # PT NIF",
            )?,
            address: crate::lexicon::regex(&format!(
                r"(?x)
                \b\d{{1,4}}(?:\s?(?:bis|ter|[a-z]))?,?\s(?:{alt})\s{NAME}
                |\b(?:{alt})\s?{NAME}\s\d{{1,4}}[a-z]?\b
                |{NAME}(?:{suf})\s\d{{1,4}}[a-z]?\b
                |\b\d{{1,4}}\s{NAME}\s(?:street|road|avenue|lane|drive)\b"
            ))?,
            street: AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(words.iter().chain(suffixes_raw.iter()))
                .map_err(|e| regex::Error::Syntax(e.to_string()))?,
            street_words: words.len(),
        })
    }

    /// Personal items in a folded text; `lang` orders the countries tried for national phones.
    pub fn scan(&self, text: &str, lang: Option<&str>) -> Vec<Pii> {
        let mut out: Vec<Pii> = Vec::new();
        // Numbers inside links (dates in paths, ids) are nobody's data.
        let links = crate::lexicon::link_spans(text);
        if !text.contains('@') && !crate::lexicon::has_digit_outside(text, &links) {
            return out;
        }
        let masked;
        let text = if links.is_empty() {
            text
        } else {
            masked = crate::lexicon::mask_links(text);
            masked.as_str()
        };
        let overlaps =
            |out: &[Pii], a: usize, b: usize| out.iter().any(|p| a < p.end && b > p.start);
        if text.contains('@') {
            for m in self.email.find_iter(text) {
                out.push(Pii {
                    kind: PiiKind::Email,
                    start: m.start(),
                    end: m.end(),
                    normalised: vec![m.as_str().replace(' ', "")],
                });
            }
        }
        // IBANs and phones have eight digits or more; a Spanish NIE or an Italian codice
        // fiscale has seven.
        let n_digits = text.bytes().filter(u8::is_ascii_digit).count();
        if n_digits >= 8 {
            for m in self.iban.find_iter(text) {
                let v = alnum_lower(m.as_str());
                if iban_valid(&v) && !overlaps(&out, m.start(), m.end()) {
                    out.push(Pii {
                        kind: PiiKind::Iban,
                        start: m.start(),
                        end: m.end(),
                        normalised: vec![v],
                    });
                }
            }
        }
        if n_digits >= 7 {
            for m in self.ids.find_iter(text) {
                let v = alnum_lower(m.as_str());
                if national_id_valid(&v) && !overlaps(&out, m.start(), m.end()) {
                    out.push(Pii {
                        kind: PiiKind::NationalId,
                        start: m.start(),
                        end: m.end(),
                        normalised: vec![v],
                    });
                }
            }
        }
        if n_digits >= 8 {
            for m in self.phone.find_iter(text) {
                if overlaps(&out, m.start(), m.end()) {
                    continue;
                }
                let forms = phone_forms(m.as_str(), lang);
                if !forms.is_empty() {
                    out.push(Pii {
                        kind: PiiKind::Phone,
                        start: m.start(),
                        end: m.end(),
                        normalised: forms,
                    });
                }
            }
        }
        if n_digits > 0 && self.address_candidate(text) {
            for m in self.address.find_iter(text) {
                if overlaps(&out, m.start(), m.end()) {
                    continue;
                }
                let v = alnum_lower(m.as_str());
                out.push(Pii {
                    kind: PiiKind::Address,
                    start: m.start(),
                    end: m.end(),
                    normalised: vec![v],
                });
            }
        }
        out.sort_by_key(|p| p.start);
        out
    }
}

impl PiiScanner {
    /// Whether a street word stands where the address expression could match it: at a word
    /// start, with a number just before it, or with a number before or after it across at most
    /// a name's length of text free of digits and punctuation; or a street suffix followed by a
    /// space and a number. A necessary condition of that expression, and far cheaper to test:
    /// street words ("way", "via", "place") are common, addresses are not.
    fn address_candidate(&self, text: &str) -> bool {
        let b = text.as_bytes();
        let word_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        // A digit reached across at most 42 characters that may belong to a name (40, and a
        // space either side; see `NAME`).
        fn digit_across(chars: impl Iterator<Item = char>) -> bool {
            for c in chars.take(42) {
                if c.is_ascii_digit() {
                    return true;
                }
                if ",.;:!?()\n".contains(c) {
                    return false;
                }
            }
            false
        }
        self.street.find_overlapping_iter(text).any(|m| {
            let (s, e) = (m.start(), m.end());
            if m.pattern().as_usize() >= self.street_words {
                let mut after = text[e..].chars();
                return after.next().is_some_and(char::is_whitespace)
                    && after.next().is_some_and(|c| c.is_ascii_digit());
            }
            let prev = text[..s].chars().next_back();
            let boundary = match (s.checked_sub(1).map(|i| b[i]), b.get(s)) {
                (Some(p), Some(&f)) => word_byte(p) != word_byte(f),
                (None, Some(&f)) => word_byte(f),
                _ => false,
            };
            if !boundary && !prev.is_some_and(char::is_whitespace) {
                return false;
            }
            b[s.saturating_sub(16)..s].iter().any(u8::is_ascii_digit)
                || digit_across(text[..s].chars().rev())
                || digit_across(text[e..].chars())
        })
    }
}

/// E.164 forms of a phone number as written: one for an international number, one per
/// plausible country for a national one (the post's language first).
pub fn phone_forms(raw: &str, lang: Option<&str>) -> Vec<String> {
    let cleaned = raw.replace("(0)", "");
    let d: String = cleaned.chars().filter(char::is_ascii_digit).collect();
    let trimmed = cleaned.trim_start();
    if let Some(rest) = trimmed.strip_prefix('+') {
        let d: String = rest.chars().filter(char::is_ascii_digit).collect();
        return if (8..=15).contains(&d.len()) {
            vec![format!("+{d}")]
        } else {
            vec![]
        };
    }
    if let Some(rest) = d.strip_prefix("00") {
        return if (8..=15).contains(&rest.len()) {
            vec![format!("+{rest}")]
        } else {
            vec![]
        };
    }
    let mut codes: Vec<&str> = CALLING_CODES
        .iter()
        .filter(|(l, _)| Some(*l) == lang)
        .map(|(_, c)| *c)
        .collect();
    codes.extend(CALLING_CODES.iter().map(|(_, c)| *c));
    codes.dedup();
    let mut forms = Vec::new();
    for cc in codes {
        let national = match (cc, d.strip_prefix('0')) {
            // Italy keeps the trunk 0 of landlines in E.164.
            ("39", _) => Some(d.clone()),
            (_, Some(rest)) => Some(rest.to_owned()),
            // Spain, Poland and Portugal have no trunk prefix: nine digits.
            ("34" | "48" | "351", None) if d.len() == 9 => Some(d.clone()),
            _ => None,
        };
        if let Some(n) = national.filter(|n| (8..=12).contains(&n.len())) {
            let f = format!("+{cc}{n}");
            if !forms.contains(&f) {
                forms.push(f);
            }
        }
    }
    forms
}

/// IBAN of a known length for its country, with a valid mod-97 checksum.
pub fn iban_valid(v: &str) -> bool {
    const LENGTHS: [(&str, usize); 14] = [
        ("at", 20),
        ("be", 16),
        ("br", 29),
        ("ch", 21),
        ("de", 22),
        ("es", 24),
        ("fr", 27),
        ("gb", 22),
        ("ie", 22),
        ("it", 27),
        ("lu", 20),
        ("nl", 18),
        ("pl", 28),
        ("pt", 25),
    ];
    let Some(country) = v.get(..2) else {
        return false;
    };
    if !LENGTHS.iter().any(|(c, l)| *c == country && *l == v.len()) {
        return false;
    }
    let rearranged = v[4..].chars().chain(v[..4].chars());
    let mut rem: u32 = 0;
    for c in rearranged {
        let n = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 10,
            _ => return false,
        };
        rem = if n >= 10 {
            (rem * 100 + n) % 97
        } else {
            (rem * 10 + n) % 97
        };
    }
    rem == 1
}

/// A national identifier whose check key is right, of any of the supported kinds.
pub fn national_id_valid(v: &str) -> bool {
    nir_valid(v)
        || dni_valid(v)
        || codice_fiscale_valid(v)
        || cpf_valid(v)
        || pesel_valid(v)
        || steuer_id_valid(v)
        || nif_pt_valid(v)
}

/// French NIR: 13 characters (Corsica: 2A/2B) and a key 97 − (number mod 97).
pub fn nir_valid(v: &str) -> bool {
    if v.len() != 15 {
        return false;
    }
    let body = v[..13].replace("2a", "19").replace("2b", "18");
    let (Ok(n), Ok(key)) = (body.parse::<u64>(), v[13..].parse::<u64>()) else {
        return false;
    };
    body.len() == 13 && 97 - n % 97 == key
}

/// Spanish DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter).
pub fn dni_valid(v: &str) -> bool {
    const LETTERS: &[u8] = b"trwagmyfpdxbnjzsqvhlcke";
    if v.len() != 9 {
        return false;
    }
    let (num, letter) = v.split_at(8);
    let num = match num.as_bytes()[0] {
        b'x' => format!("0{}", &num[1..]),
        b'y' => format!("1{}", &num[1..]),
        b'z' => format!("2{}", &num[1..]),
        _ => num.to_owned(),
    };
    let Ok(n) = num.parse::<usize>() else {
        return false;
    };
    LETTERS.get(n % 23).copied() == letter.bytes().next()
}

/// Italian codice fiscale: 15 characters and a check letter from odd/even position tables.
pub fn codice_fiscale_valid(v: &str) -> bool {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let b = v.as_bytes();
    if b.len() != 16 || !b.iter().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let mut sum = 0;
    for (i, &c) in b[..15].iter().enumerate() {
        let idx = if c.is_ascii_digit() {
            (c - b'0') as usize
        } else {
            (c - b'a') as usize
        };
        sum += if i % 2 == 0 {
            ODD.get(idx).copied().unwrap_or(0)
        } else {
            idx as u32
        };
    }
    b[15] == b'a' + (sum % 26) as u8
}

/// Brazilian CPF: 9 digits and two mod-11 check digits (not all digits equal).
pub fn cpf_valid(v: &str) -> bool {
    let d = digits(v);
    if d.len() != 11 || v.len() != 11 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let check = |n: usize| {
        let s: u32 = (0..n).map(|i| d[i] * (n as u32 + 1 - i as u32)).sum();
        let r = (s * 10) % 11;
        if r == 10 {
            0
        } else {
            r
        }
    };
    check(9) == d[9] && check(10) == d[10]
}

/// Polish PESEL: 11 digits, weights 1-3-7-9, a plausible birth month.
pub fn pesel_valid(v: &str) -> bool {
    let d = digits(v);
    if d.len() != 11 || v.len() != 11 {
        return false;
    }
    let month = (d[2] * 10 + d[3]) % 20;
    if !(1..=12).contains(&month) {
        return false;
    }
    const W: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let s: u32 = W.iter().zip(&d).map(|(w, x)| w * x).sum();
    (10 - s % 10) % 10 == d[10]
}

/// German Steuer-ID: 11 digits, no leading zero, ISO 7064 MOD 11,10 check digit.
pub fn steuer_id_valid(v: &str) -> bool {
    let d = digits(v);
    if d.len() != 11 || v.len() != 11 || d[0] == 0 {
        return false;
    }
    let mut product = 10;
    for &x in &d[..10] {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (2 * sum) % 11;
    }
    let check = if 11 - product == 10 { 0 } else { 11 - product };
    check == d[10]
}

/// Portuguese NIF: 9 digits starting 1–3, 5, 6, 8 or 9, mod-11 check digit.
pub fn nif_pt_valid(v: &str) -> bool {
    let d = digits(v);
    if d.len() != 9 || v.len() != 9 || !matches!(d[0], 1 | 2 | 3 | 5 | 6 | 8 | 9) {
        return false;
    }
    let s: u32 = (0..8).map(|i| d[i] * (9 - i as u32)).sum();
    let r = 11 - s % 11;
    let check = if r >= 10 { 0 } else { r };
    check == d[8]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner() -> PiiScanner {
        let words: Vec<String> = ["rue", "avenue", "calle", "via", "ul.", "rua", "street"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        PiiScanner::new(&words, &["straße".to_owned(), "strasse".to_owned()]).unwrap()
    }

    #[test]
    fn salted_hash_is_sha256_of_salt_then_value() {
        // sha256("abc") is the FIPS 180-2 test vector.
        assert_eq!(
            salted_sha256("a", "bc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn checksums_accept_valid_and_reject_altered_values() {
        // Published examples: an IBAN from the ECBS register, a CPF, a PESEL, a NIF.
        assert!(iban_valid("fr1420041010050500013m02606"));
        assert!(!iban_valid("fr1420041010050500013m02607"));
        assert!(iban_valid("de89370400440532013000"));
        assert!(!iban_valid("de89370400440532013001"));
        assert!(nir_valid("255081416802538"));
        assert!(!nir_valid("255081416802539"));
        assert!(nir_valid(&alnum_lower("2 69 05 2A 123 456 88")));
        assert!(!nir_valid("269052a12345687"));
        assert!(dni_valid("12345678z"));
        assert!(!dni_valid("12345678a"));
        assert!(dni_valid("x1234567l"));
        assert!(!dni_valid("x1234567a"));
        assert!(codice_fiscale_valid("rssmra85t10a562s"));
        assert!(!codice_fiscale_valid("rssmra85t10a562t"));
        assert!(cpf_valid("52998224725"));
        assert!(!cpf_valid("52998224726"));
        assert!(!cpf_valid("11111111111"));
        assert!(pesel_valid("44051401359"));
        assert!(!pesel_valid("44051401358"));
        assert!(steuer_id_valid("65929970489"));
        assert!(!steuer_id_valid("65929970488"));
        assert!(nif_pt_valid("123456789"));
        assert!(!nif_pt_valid("123456788"));
    }

    #[test]
    fn phones_normalise_to_e164() {
        assert_eq!(phone_forms("+33 6 12 34 56 78", None), vec!["+33612345678"]);
        assert_eq!(
            phone_forms("+44 (0)20 7946 0958", None),
            vec!["+442079460958"]
        );
        assert_eq!(
            phone_forms("0033 6 12 34 56 78", None),
            vec!["+33612345678"]
        );
        let fr = phone_forms("06 12 34 56 78", Some("fr"));
        assert_eq!(fr[0], "+33612345678");
        assert!(fr.contains(&"+49612345678".to_owned()));
        assert_eq!(phone_forms("612 345 678", Some("es"))[0], "+34612345678");
        assert_eq!(phone_forms("02 1234 5678", Some("it"))[0], "+390212345678");
    }

    #[test]
    fn scans_every_kind_in_folded_text() {
        let s = scanner();
        let text = vigie_normalise::text::fold(
            "Contact: Jean.Dupont@Example.org, tél 06 12 34 56 78, IBAN FR14 2004 1010 0505 0001 3M02 606, \
             NIR 2 55 08 14 168 025 38, domicile 12 rue des Lilas, Lyon. Steuer-ID 65929970489, \
             wohnt Hauptstraße 5.",
        );
        let found = s.scan(&text, Some("fr"));
        let kinds: Vec<PiiKind> = found.iter().map(|p| p.kind).collect();
        assert!(kinds.contains(&PiiKind::Email), "{found:?}");
        assert!(kinds.contains(&PiiKind::Phone), "{found:?}");
        assert!(kinds.contains(&PiiKind::Iban), "{found:?}");
        assert_eq!(
            kinds.iter().filter(|k| **k == PiiKind::NationalId).count(),
            2,
            "{found:?}"
        );
        assert_eq!(
            kinds.iter().filter(|k| **k == PiiKind::Address).count(),
            2,
            "{found:?}"
        );
        let email = found.iter().find(|p| p.kind == PiiKind::Email).unwrap();
        assert_eq!(email.normalised, vec!["jean.dupont@example.org"]);
        let iban = found.iter().find(|p| p.kind == PiiKind::Iban).unwrap();
        assert_eq!(iban.normalised, vec!["fr1420041010050500013m02606"]);
        // A number whose checksum fails is not an IBAN; a year is not a phone.
        let none = s.scan("réf fr14 2004 1010 0505 0001 3m02 607 en 2024", Some("fr"));
        assert!(none.iter().all(|p| p.kind != PiiKind::Iban), "{none:?}");
    }

    #[test]
    fn every_national_identifier_is_found_in_running_text() {
        let s = scanner();
        for (text, want) in [
            ("mon nir : 2 55 08 14 168 025 38 !", "255081416802538"),
            ("su dni es 12345678-Z, llámale", "12345678z"),
            ("nie X-1234567-L en el registro", "x1234567l"),
            ("codice fiscale RSSMRA85T10A562S grazie", "rssmra85t10a562s"),
            ("o CPF dele é 529.982.247-25 veja", "52998224725"),
            ("jego PESEL to 44051401359 :)", "44051401359"),
            ("Steuer-ID 65929970489 bitte", "65929970489"),
            ("o NIF 123456789 do candidato", "123456789"),
        ] {
            let found = s.scan(&vigie_normalise::text::fold(text), None);
            let ids: Vec<&str> = found
                .iter()
                .filter(|p| p.kind == PiiKind::NationalId)
                .flat_map(|p| p.normalised.iter().map(String::as_str))
                .collect();
            assert_eq!(ids, vec![want], "{text}: {found:?}");
        }
        // Altered check keys are nobody's identifier.
        for text in ["dni 12345678-A", "pesel 44051401358", "nif 123456788"] {
            let found = s.scan(text, None);
            assert!(
                found.iter().all(|p| p.kind != PiiKind::NationalId),
                "{text}"
            );
        }
    }

    #[test]
    fn the_address_gate_never_hides_an_address_and_skips_street_words_elsewhere() {
        let s = scanner();
        let addresses = [
            "il habite 12 rue des lilas, lyon",
            "domicile : 12bis, rue victor hugo.",
            "vive en calle mayor 5, madrid",
            "abita in via roma 23b a torino",
            "mieszka ul. długa 8 w gdańsku",
            "mora na rua augusta 100, lisboa",
            "wohnt hauptstraße 5 in köln",
            "he lives at 221 baker street, london",
            "apartment at 10 downing street",
            "écrivez au 3 avenue de la république",
        ];
        for text in addresses {
            let regex_finds = s.address.is_match(text);
            assert!(regex_finds, "{text}");
            assert!(s.address_candidate(text), "{text}");
            assert!(
                s.scan(text, None)
                    .iter()
                    .any(|p| p.kind == PiiKind::Address),
                "{text}"
            );
        }
        // Street words as ordinary words, with numbers elsewhere: no need to run the
        // expression (which finds nothing there either).
        for text in [
            "always 5 stars. on the way home, via the park!",
            "rue the day: 2024 was a year to forget.",
            "votes: 12 today, and then the street was quiet",
            "parkway 2000 tickets sold",
        ] {
            assert!(!s.address_candidate(text), "{text}");
            assert!(!s.address.is_match(text), "{text}");
        }
    }
}
