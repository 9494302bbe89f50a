//! `incitement`: calls to act in the physical world — gather at, block, storm, burn or attack —
//! aimed at electoral targets: polling stations, counting centres, party offices, town halls,
//! rallies, or a protected candidate or party by name (SPEC §5.7).
//!
//! One Aho-Corasick pass per text over the lexicons' action, violence, target, time and
//! reporting terms plus the configured candidates' and parties' names. A sentence that holds
//! an action and a target is a call unless the text reports on it (police, arrests, "called
//! for", past tenses), refers to a past year, or negates it ("do not block"). Severity rises
//! with violence and with specificity (a time, a named target, an explicit call).
//! One alert groups the posts making the same call (action and target) in one language.

use crate::lexicon::{self, Hit, MappedFold, Matcher, MatcherBuilder, ANY_LANG};
use crate::{Context, DetectError, Detector};
use chrono::{DateTime, Datelike};
use regex::Regex;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use vigie_core::{Alert, Evidence, Kind, ModusOperandi, Severity};
use vigie_store::TextRow;

pub const NAME: &str = "incitement";

/// Lexicon files and the evidence cut: all this detector is configured with.
pub type Settings = crate::lexicon::LexiconSettings;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cat {
    Call,
    Action,
    Violent,
    Target,
    Named,
    Time,
    Reporting,
    Negation,
    Debunk,
}

/// A call found in a (folded) text.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub action: (usize, usize),
    pub target: (usize, usize),
    pub time: Option<(usize, usize)>,
    pub violent: bool,
    pub named: bool,
    pub explicit_call: bool,
    pub score: f64,
}

pub struct Incitement {
    settings: Settings,
    matcher: Matcher<Cat>,
    /// The action words alone, unanchored: most texts hold none and stop at this cheap test.
    pub(crate) action_words: Vec<String>,
    actions: lexicon::Prefilter,
    year_re: Regex,
    hour_re: Regex,
}

pub fn build(config: &vigie_core::Config) -> Result<Box<dyn Detector>, DetectError> {
    Ok(Box::new(Incitement::new(config)?))
}

impl Incitement {
    pub fn new(config: &vigie_core::Config) -> Result<Incitement, DetectError> {
        let settings: Settings = config.detector_settings(NAME)?;
        let lexicons = lexicon::load(&settings.lexicons)?;
        let mut b = MatcherBuilder::new(lexicons.iter().map(|l| l.lang.clone()).collect());
        let mut action_words: Vec<String> = Vec::new();
        for (i, lex) in lexicons.iter().enumerate() {
            let l = u8::try_from(i).map_err(|_| DetectError::Failed {
                detector: NAME,
                reason: "too many lexicon languages".into(),
            })?;
            let inc = &lex.incitement;
            for t in inc.actions.iter().chain(&inc.violent) {
                let f = vigie_normalise::text::fold(t);
                let f = f.trim_end_matches('*').trim_end();
                if !f.is_empty() {
                    action_words.push(f.to_owned());
                }
            }
            for (terms, cat) in [
                (&inc.calls, Cat::Call),
                (&inc.actions, Cat::Action),
                (&inc.violent, Cat::Violent),
                (&inc.targets, Cat::Target),
                (&inc.time, Cat::Time),
                (&inc.reporting, Cat::Reporting),
                (&lex.electoral.negation, Cat::Negation),
                (&lex.electoral.debunk, Cat::Debunk),
            ] {
                b.add_all(terms, l, cat);
            }
        }
        // Candidates and parties by name: the user's words, matched as literals.
        for p in &config.protected {
            if p.kind == "candidate" || p.kind == "party" {
                b.add(&p.name, ANY_LANG, Cat::Named);
                b.add_all(&p.aliases, ANY_LANG, Cat::Named);
            }
        }
        let re = |p: &str| {
            crate::lexicon::regex(p).map_err(|e| DetectError::Failed {
                detector: NAME,
                reason: e.to_string(),
            })
        };
        Ok(Incitement {
            settings,
            matcher: b.build()?,
            actions: lexicon::Prefilter::new(&[&action_words])?,
            action_words,
            year_re: re(r"\b(?:19|20)\d\d\b")?,
            hour_re: re(
                r"\b[012]?\d(?:\s?(?:h|:)\s?[0-5]\d\b|\s?(?:h\b|uhr\b|am\b|pm\b|godz)|:00)",
            )?,
        })
    }

    /// Calls to action in a folded text posted in `post_year`.
    pub fn calls(&self, text: &str, lang: Option<&str>, post_year: i32) -> Vec<Call> {
        self.calls_after(text, lang, post_year, self.actions.scan(text) != 0)
    }

    /// [`Incitement::calls`] once a prefilter has told whether the text holds an action word.
    fn calls_after(&self, text: &str, lang: Option<&str>, post_year: i32, acts: bool) -> Vec<Call> {
        if !acts {
            return Vec::new();
        }
        let mut hits: Vec<Hit<Cat>> = Vec::new();
        self.matcher
            .scan(text, self.matcher.lang_index(lang), &mut hits);
        let any = |c: Cat| hits.iter().any(|h| h.cat == c);
        if !(any(Cat::Action) || any(Cat::Violent)) || !(any(Cat::Target) || any(Cat::Named)) {
            return Vec::new();
        }
        // News about incitement, debunks, and history are not calls.
        if any(Cat::Reporting) || any(Cat::Debunk) {
            return Vec::new();
        }
        if self
            .year_re
            .find_iter(text)
            .any(|m| m.as_str().parse::<i32>().is_ok_and(|y| y < post_year))
        {
            return Vec::new();
        }
        let explicit_call = any(Cat::Call);
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut ends = Vec::new();
        lexicon::sentence_ends(text, &mut ends);
        let time = hits
            .iter()
            .find(|h| h.cat == Cat::Time)
            .map(|h| (h.start, h.end))
            .or_else(|| self.hour_re.find(text).map(|m| (m.start(), m.end())));
        let mut out = Vec::new();
        for a in hits
            .iter()
            .filter(|h| matches!(h.cat, Cat::Action | Cat::Violent))
        {
            let s = lexicon::sentence_of(&ends, a.start);
            // A target word inside the action phrase ("steal the ballot boxes") counts.
            let target = hits
                .iter()
                .filter(|t| {
                    matches!(t.cat, Cat::Target | Cat::Named)
                        && lexicon::sentence_of(&ends, t.start) == s
                })
                .min_by_key(|t| t.start.abs_diff(a.start));
            let Some(t) = target else { continue };
            // Politics "attacks" candidates in words: a name needs an explicit call to act.
            if t.cat == Cat::Named && !explicit_call {
                continue;
            }
            let clause_start = text[..a.start]
                .rfind([',', ':', ';', '.', '!', '?', '\n'])
                .map(|p| p + 1)
                .unwrap_or(0);
            let negated = hits
                .iter()
                .any(|n| n.cat == Cat::Negation && n.start >= clause_start && n.start < a.start);
            if negated {
                continue;
            }
            let violent = a.cat == Cat::Violent;
            let named = t.cat == Cat::Named;
            let score = 0.5
                + if violent { 0.25 } else { 0.0 }
                + if time.is_some() { 0.1 } else { 0.0 }
                + if named { 0.1 } else { 0.0 }
                + if explicit_call { 0.05 } else { 0.0 };
            out.push(Call {
                action: (a.start, a.end),
                target: (t.start, t.end),
                time,
                violent,
                named,
                explicit_call,
                score,
            });
        }
        // One call per action word: keep the strongest.
        out.sort_by(|x, y| y.score.total_cmp(&x.score));
        out.dedup_by(|x, y| x.action == y.action);
        out
    }
}

pub(crate) struct Flagged {
    kind: Kind,
    platform: String,
    pub(crate) id: String,
    author: Option<String>,
    lang: Option<String>,
    ts: i64,
    call: Call,
    action: String,
    target: String,
}

impl Detector for Incitement {
    fn name(&self) -> &'static str {
        NAME
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Alert>, DetectError> {
        self.alerts(ctx, &ctx.content_scan()?.incitement)
    }
}

impl Incitement {
    /// What one stored text contributes (see [`crate::content`]).
    /// `acts` says whether the text holds one of the action words.
    pub(crate) fn scan_row(&self, row: &TextRow<'_>, acts: bool) -> Option<Flagged> {
        let at = row.ts.and_then(DateTime::from_timestamp_millis)?;
        let call = self
            .calls_after(row.norm, row.lang, at.year(), acts)
            .into_iter()
            .next()?;
        let word = |(a, b): (usize, usize)| row.norm.get(a..b).unwrap_or("").to_owned();
        Some(Flagged {
            kind: row.kind,
            platform: row.platform.to_owned(),
            id: row.id.to_owned(),
            author: row.author.map(str::to_owned),
            lang: row.lang.map(str::to_owned),
            ts: at.timestamp_millis(),
            action: word(call.action),
            target: word(call.target),
            call,
        })
    }
}

impl Incitement {
    fn alerts(&self, ctx: &Context<'_>, flagged: &[Flagged]) -> Result<Vec<Alert>, DetectError> {
        let mut groups: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
        for (n, f) in flagged.iter().enumerate() {
            let key = (
                f.lang.clone().unwrap_or_default(),
                f.action.clone(),
                f.target.clone(),
            );
            groups.entry(key).or_default().push(n);
        }
        let cut = self.settings.max_evidence_items;
        let mut alerts = Vec::new();
        for ((lang, action, target), members) in groups {
            let posts: Vec<&Flagged> = members.iter().map(|&n| &flagged[n]).collect();
            let accounts: BTreeSet<String> =
                posts.iter().filter_map(|p| p.author.clone()).collect();
            let sites: BTreeSet<String> = posts
                .iter()
                .filter(|p| p.kind == Kind::Article)
                .map(|p| p.platform.clone())
                .collect();
            let violent = posts.iter().any(|p| p.call.violent);
            let best = posts.iter().map(|p| p.call.score).fold(0.0f64, f64::max);
            // Many accounts repeating a call make it an organised one.
            let spread = accounts.len() + sites.len();
            let score = best + 0.05 * (spread.saturating_sub(1).min(3)) as f64;
            let mut calls = Vec::new();
            for p in posts.iter().take(cut) {
                calls.push(self.call_evidence(ctx, p)?);
            }
            let first = posts.iter().map(|p| p.ts).min().unwrap_or(0);
            let last = posts.iter().map(|p| p.ts).max().unwrap_or(0);
            let mut figures = serde_json::Map::new();
            figures.insert("action".into(), json!(action));
            figures.insert("target".into(), json!(target));
            figures.insert("violent".into(), json!(violent));
            figures.insert("language".into(), json!(lang));
            figures.insert("posts".into(), json!(posts.len()));
            figures.insert("calls".into(), json!(calls));
            let kind = if violent { "violent" } else { "disruptive" };
            alerts.push(Alert {
                id: String::new(),
                detector: NAME.into(),
                modus_operandi: ModusOperandi::PhysicalIncitement,
                disarm: vec!["T0126.001".into(), "T0127.002".into(), "T0057".into()],
                severity: Severity::from_score(score),
                score,
                title: format!("Call to {action} {target}"),
                summary: format!(
                    "{} item(s) by {spread} account(s) or site(s) call for {kind} action \
                     (\"{action}\") against \"{target}\"{}.",
                    posts.len(),
                    if posts.iter().any(|p| p.call.time.is_some()) {
                        ", with a time given"
                    } else {
                        ""
                    }
                ),
                first_seen: DateTime::from_timestamp_millis(first).unwrap_or_default(),
                last_seen: DateTime::from_timestamp_millis(last).unwrap_or_default(),
                evidence: Evidence {
                    items: posts.iter().take(cut).map(|p| p.id.clone()).collect(),
                    accounts: accounts.into_iter().take(cut).collect(),
                    domains: sites.into_iter().take(cut).collect(),
                    imitates: vec![],
                    urls: vec![],
                    figures,
                },
            });
        }
        Ok(alerts)
    }

    /// The call's spans on the text as published.
    fn call_evidence(
        &self,
        ctx: &Context<'_>,
        p: &Flagged,
    ) -> Result<serde_json::Value, DetectError> {
        let mut v = json!({"item": p.id, "lang": p.lang, "violent": p.call.violent});
        let Some(original) = ctx
            .store
            .get(p.kind, &p.platform, &p.id)?
            .and_then(|r| super::electoral_process::original_text(&r.record))
        else {
            return Ok(v);
        };
        let m = MappedFold::new(&original);
        let year = DateTime::from_timestamp_millis(p.ts)
            .map(|t| t.year())
            .unwrap_or(0);
        let again = self.calls(&m.text, p.lang.as_deref(), year);
        if let Some(c) = again.first() {
            let span = |(a, b): (usize, usize)| {
                let (x, y) = m.original_span(&original, a, b);
                json!({"span": [x, y], "text": original.get(x..y).unwrap_or("")})
            };
            v["action"] = span(c.action);
            v["target"] = span(c.target);
            if let Some(t) = c.time {
                v["time"] = span(t);
            }
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Config;

    fn detector() -> Incitement {
        let cfg = Config::from_toml(
            "[[protected]]\nkind = \"candidate\"\nname = \"Claire Fontaine\"\naliases = [\"Union Citoyenne\"]\n",
            "t",
        )
        .unwrap();
        Incitement::new(&cfg).unwrap()
    }

    fn calls(d: &Incitement, lang: &str, text: &str) -> Vec<Call> {
        d.calls(&vigie_normalise::text::fold(text), Some(lang), 2024)
    }

    #[test]
    fn calls_are_found_in_seven_languages_with_severity() {
        let d = detector();
        let cases: &[(&str, &str, bool)] = &[
            ("fr", "Dimanche soir, tous devant la mairie de Lyon : on bloque le dépouillement ! Il faut bloquer.", false),
            ("fr", "Rendez-vous ce soir devant le siège du parti Union Citoyenne, il faut tout casser.", true),
            ("en", "Let's burn down the party office in Leeds tonight.", true),
            ("en", "Everyone to the polling station on Sunday at 7am: block the entrance!", false),
            ("de", "Lasst uns heute Abend das Parteibüro in Köln anzünden.", true),
            ("es", "Todos al colegio electoral el domingo a las 8: ¡bloquead la entrada!", false),
            ("it", "Stasera bruciamo la sede del partito a Torino, bruciare tutto!", true),
            ("pl", "Dziś wieczorem spalcie biuro partii w Gdańsku.", true),
            ("pt", "Hoje à noite vamos queimar a sede do partido em Lisboa.", true),
        ];
        for (lang, text, violent) in cases {
            let c = calls(&d, lang, text);
            assert!(!c.is_empty(), "{lang}: {text}");
            assert_eq!(c[0].violent, *violent, "{lang}: {text}");
            assert!(c[0].time.is_some(), "{lang}: {text}");
        }
        let burn = calls(
            &d,
            "en",
            "Let's burn down the party office in Leeds tonight.",
        );
        let block = calls(&d, "en", "block the polling station");
        assert!(burn[0].score > block[0].score);
        // A protected candidate's party by name is a target.
        let named = calls(&d, "fr", "Il faut attaquer Union Citoyenne demain.");
        assert!(named[0].named && named[0].violent);
    }

    #[test]
    fn reporting_history_negation_and_other_targets_are_not_calls() {
        let d = detector();
        for (lang, text) in [
            ("fr", "La police a interpellé deux hommes qui appelaient à bloquer les bureaux de vote de Lyon."),
            ("fr", "En 2017, des manifestants avaient bloqué la préfecture de Rennes pendant deux jours."),
            ("fr", "Ne bloquez pas les bureaux de vote, allez voter !"),
            ("fr", "Ce soir on va tout casser au stade de Lyon, allez les bleus !"),
            ("en", "Police arrested two men who called for blocking polling stations in Leeds."),
            ("de", "2017 hatten Demonstranten das Rathaus von Köln zwei Tage lang besetzt."),
            ("es", "La policía ha detenido a dos hombres que llamaron a bloquear los colegios electorales."),
            ("pt", "Em 2019, os manifestantes tinham ocupado a câmara municipal do Porto."),
        ] {
            assert!(calls(&d, lang, text).is_empty(), "{lang}: {text}");
        }
    }
}
