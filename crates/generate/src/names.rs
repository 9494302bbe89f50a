//! People-like handles and display names for ordinary accounts, and entity extraction from text.

use crate::lang::Lang;
use crate::text::push_capitalised;
use rand::Rng;

fn pick<'a, R: Rng>(rng: &mut R, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

/// A first and last name typical of `lang`.
pub fn person<R: Rng>(rng: &mut R, lang: Lang) -> (&'static str, &'static str) {
    (pick(rng, lang.first_names()), pick(rng, lang.last_names()))
}

pub fn display_name(first: &str, last: &str) -> String {
    let mut s = String::new();
    push_capitalised(&mut s, first);
    s.push(' ');
    push_capitalised(&mut s, last);
    s
}

/// The mix of handle styles real users pick. Includes, rarely, the `first_last1234` form that
/// account farms use, so that the pattern alone is not proof of a burst.
pub fn ordinary_handle<R: Rng>(rng: &mut R, lang: Lang) -> (String, String) {
    let (first, last) = person(rng, lang);
    let handle = match rng.gen_range(0..100) {
        0..=19 => format!("{first}{last}"),
        20..=34 => format!("{first}_{last}"),
        35..=49 => format!("{first}{}", rng.gen_range(1..100)),
        50..=61 => format!("{}{last}", &first[..1]),
        62..=71 => format!("{first}_{}", rng.gen_range(1950..2006)),
        72..=79 => format!("{last}_{first}"),
        80..=83 => format!("{first}_{last}{}", rng.gen_range(1000..10_000)),
        84..=91 => {
            let city = crate::text::ascii_lower(pick(rng, lang.cities()));
            format!("{first}_{city}")
        }
        _ => format!("{}{}", first, &last[..last.len().min(3)]),
    };
    let display = match rng.gen_range(0..10) {
        0 => {
            let mut s = String::new();
            push_capitalised(&mut s, first);
            s
        }
        1 => format!("{} 🇪🇺", display_name(first, last)),
        _ => display_name(first, last),
    };
    (handle, display)
}

/// URLs, hashtags (without `#`) and mentions (without `@`) as they appear in `text`; the same
/// derivation SPEC §2 applies to records that lack them, so generated metadata is consistent.
pub fn entities(text: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut urls = Vec::new();
    let mut tags = Vec::new();
    let mut mentions = Vec::new();
    // Fast path: most posts carry no entity at all.
    if !text.bytes().any(|b| b == b'#' || b == b'@' || b == b':') {
        return (urls, tags, mentions);
    }
    for tok in text.split_whitespace() {
        if tok.starts_with("https://") || tok.starts_with("http://") {
            urls.push(
                tok.trim_end_matches([',', '.', ')', '!', '?', '…'])
                    .to_owned(),
            );
        } else if let Some(rest) = tok.strip_prefix('#') {
            let tag: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !tag.is_empty() && !tags.contains(&tag) {
                tags.push(tag);
            }
        } else if let Some(rest) = tok.strip_prefix('@') {
            let m: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !m.is_empty() && !mentions.contains(&m) {
                mentions.push(m);
            }
        }
    }
    (urls, tags, mentions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_from_text() {
        let (u, t, m) = entities("RT @canal_x: Lisez https://a.example/b. #Vote #Vote #JeVote!");
        assert_eq!(u, vec!["https://a.example/b"]);
        assert_eq!(t, vec!["Vote", "JeVote"]);
        assert_eq!(m, vec!["canal_x"]);
    }
}
