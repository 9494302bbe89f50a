//! Semantic links (cargo feature `semantic`): the evaluation of `rewording` / `translation` links
//! against the generator's hand-written parallel claims, and the embedding benchmark.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;
use vigie_core::Config;
use vigie_embed::{semantic_links, Basis, Encoder, LinkKind, LinkParams, SemanticLink};
use vigie_generate::semantic::{semantic_corpus, SemanticItem};

/// Loads the encoder from `[semantic] model_dir`, else `VIGIE_USE_MODEL` or the Python package.
pub fn load_encoder(config: &Config) -> anyhow::Result<Encoder> {
    let started = Instant::now();
    let encoder = Encoder::load_default(config.semantic.model_dir.as_deref())
        .context("loading the multilingual sentence encoder")?;
    tracing::info!("encoder loaded in {:.1}s", started.elapsed().as_secs_f64());
    Ok(encoder)
}

/// The language vigie would type a link with: the confident detection when there is one, else
/// the detector's best guess (a likely language types a link better than none).
fn language(text: &str) -> Option<&'static str> {
    vigie_normalise::lang::detect_lang(text).or_else(|| vigie_normalise::lang::guess_lang(text))
}

/// What a pair of evaluation items is, by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    /// The same wording in another language.
    Translation,
    /// Another wording in the same language.
    Rewording,
    /// Another wording in another language: same meaning, so a correct link of either type, but
    /// counted in neither type's recall (D3lta's types do not cover it); its own recall is shown.
    TranslatedRewording,
    /// Two copies of one wording: copy-paste, neither expected nor penalised as a link.
    Copy,
    Unrelated,
}

fn truth(a: &SemanticItem, b: &SemanticItem) -> Truth {
    match (a.meaning, b.meaning) {
        (Some(x), Some(y)) if x == y => {
            if a.lang != b.lang {
                if a.wording == b.wording {
                    Truth::Translation
                } else {
                    Truth::TranslatedRewording
                }
            } else if a.wording != b.wording {
                Truth::Rewording
            } else {
                Truth::Copy
            }
        }
        _ => Truth::Unrelated,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeScore {
    pub kind: &'static str,
    pub threshold: f32,
    /// Links between items of the hand-written set (claims and hard negatives), or between one of
    /// them and a background post.
    pub predicted: usize,
    pub correct: usize,
    /// Links between two background posts: the generator's posts are word salad drawn from one
    /// vocabulary per language, which the encoder finds alike; reported, not scored.
    pub background_links: usize,
    /// Of `correct`, links between another wording in another language.
    pub translated_rewordings: usize,
    pub expected_translated_rewordings: usize,
    pub expected: usize,
    pub precision: f64,
    pub recall: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SemanticEval {
    pub items: usize,
    pub background: usize,
    pub embed_seconds: f64,
    pub link_seconds: f64,
    /// At the default thresholds.
    pub scores: Vec<TypeScore>,
    /// Rewordings judged on each pair's own cosine, without group centroids.
    pub direct_rewording: TypeScore,
    /// The rewording threshold chosen on one half of the claims, scored on the other.
    pub held_out: Vec<HeldOut>,
    /// Each type's precision and recall as its threshold moves.
    pub sweep: Vec<TypeScore>,
    /// Watched narratives found by words, by meaning, or both.
    pub narratives: Vec<NarrativeScore>,
    /// Expected rewording pairs not linked at the default threshold (one per pair of distinct
    /// texts: a noisy copy adds nothing), and wrong rewording links: what to study.
    pub rewording_errors: Vec<PairError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairError {
    /// `missed` (an expected rewording not linked) or `wrong` (a rewording link between texts
    /// of different meanings).
    pub error: &'static str,
    pub a: String,
    pub b: String,
    /// Languages as detected (the link's type comes from them).
    pub langs: [Option<&'static str>; 2],
    pub cosine: f32,
    /// The link's score at the evaluation floor, if the pair was linked at all.
    pub score: Option<f32>,
    /// What the link was decided on: `pair` (the texts' cosine), `groups` (their translation
    /// groups), `-` when not linked.
    pub basis: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct NarrativeScore {
    /// `words` (keywords and example words), `meaning` (cosine to an example), or `either`.
    pub method: &'static str,
    /// Cosine threshold of `meaning` (none for `words`).
    pub threshold: Option<f32>,
    pub predicted: usize,
    pub correct: usize,
    pub expected: usize,
    pub precision: f64,
    pub recall: f64,
}

/// Claims watched as narratives in the narrative evaluation (the others, their hard negatives and
/// the background are texts that must not match).
const WATCHED: u32 = 6;
/// Language of the one example an analyst gives per narrative.
const EXAMPLE_LANG: &str = "en";

/// Watched narratives: claims `0..WATCHED`, each with its English original as the only example
/// and no keywords; every other version (rewording, translations, their copies) should carry it.
fn narrative_eval(
    encoder: &Encoder,
    items: &[SemanticItem],
    langs: &[Option<&str>],
) -> anyhow::Result<Vec<NarrativeScore>> {
    let mut config = Config::default();
    for c in 0..WATCHED as usize {
        let l = vigie_generate::semantic::LANGS
            .iter()
            .position(|l| *l == EXAMPLE_LANG)
            .context("example language")?;
        config.narrative.push(vigie_core::config::Narrative {
            name: format!("claim {c}"),
            keywords: Vec::new(),
            examples: vec![vigie_generate::semantic::CLAIMS[c].versions[l][0].to_owned()],
            languages: Vec::new(),
        });
    }
    let tracker = vigie_detect::narratives::Tracker::new(&config)?;
    // The example itself and its copies say nothing about matching: left out.
    let scored: Vec<usize> = (0..items.len())
        .filter(|&i| {
            let it = &items[i];
            !(it.meaning.is_some_and(|m| m < WATCHED) && it.lang == EXAMPLE_LANG && it.wording == 0)
        })
        .collect();
    let folded: Vec<String> = scored
        .iter()
        .map(|&i| vigie_normalise::text::fold(&items[i].text))
        .collect();
    let texts: Vec<&str> = folded.iter().map(String::as_str).collect();
    let words: Vec<BTreeSet<usize>> = scored
        .iter()
        .zip(&texts)
        .map(|(&i, t)| tracker.narratives_of(t, langs[i]).into_iter().collect())
        .collect();
    let floor = 0.45;
    let matcher = vigie_detect::narratives::MeaningMatcher::new(encoder, &config, floor);
    let meaning = matcher.narratives_of(None, &texts)?;
    let truth: Vec<Option<usize>> = scored
        .iter()
        .map(|&i| {
            items[i]
                .meaning
                .filter(|&m| m < WATCHED)
                .map(|m| m as usize)
        })
        .collect();
    let expected = truth.iter().flatten().count();
    let rate = |method, threshold, found: &dyn Fn(usize) -> BTreeSet<usize>| {
        let (mut predicted, mut correct) = (0, 0);
        for (k, t) in truth.iter().enumerate() {
            for n in found(k) {
                predicted += 1;
                correct += usize::from(*t == Some(n));
            }
        }
        NarrativeScore {
            method,
            threshold,
            predicted,
            correct,
            expected,
            precision: correct as f64 / predicted.max(1) as f64,
            recall: correct as f64 / expected.max(1) as f64,
        }
    };
    // Cosines to each text's examples, to sweep the threshold.
    let dim = vigie_embed::DIM;
    let vectors = encoder.embed_parallel(&texts, 0);
    let examples: Vec<&str> = config
        .narrative
        .iter()
        .map(|n| n.examples[0].as_str())
        .collect();
    let ex = encoder.embed_parallel(&examples, 0);
    let cos = |k: usize, n: usize| {
        vigie_embed::cosine(
            &vectors[k * dim..(k + 1) * dim],
            &ex[n * dim..(n + 1) * dim],
        )
    };
    debug_assert_eq!(meaning.len(), texts.len());
    let mut out = vec![rate("words", None, &|k| words[k].clone())];
    let default = vigie_detect::narratives::MEANING_MIN;
    for step in 0..7 {
        let t = floor + 0.05 * step as f32;
        let by_meaning = |k: usize| -> BTreeSet<usize> {
            meaning[k]
                .iter()
                .copied()
                .filter(|&n| cos(k, n) >= t)
                .collect()
        };
        out.push(rate("meaning", Some(t), &by_meaning));
        if (t - default).abs() < 1e-4 {
            out.push(rate("either", Some(t), &|k| {
                let mut s = by_meaning(k);
                s.extend(&words[k]);
                s
            }));
        }
    }
    Ok(out)
}

/// Lowest group margin the evaluation links at (then swept upwards).
const MARGIN_FLOOR: f32 = -0.1;

/// Precision the rewording threshold is chosen for on the calibration half.
const TARGET_PRECISION: f64 = 0.95;

#[derive(Debug, Clone, Serialize)]
pub struct HeldOut {
    /// Claims the threshold was chosen on (`"0-5"` or `"6-11"`, with their hard negatives).
    pub calibrated_on: &'static str,
    /// Whether some margin reached the target precision there (else nothing is tested).
    pub reached: bool,
    pub calibration: TypeScore,
    /// The other half at the same threshold.
    pub test: TypeScore,
}

/// The lowest rewording threshold (0.01 steps) reaching [`TARGET_PRECISION`] on one half of
/// the claims, and its precision and recall on the other half.
fn held_out(items: &[SemanticItem], links: &[SemanticLink], first: bool, floor: f32) -> HeldOut {
    let on = move |i: &SemanticItem| half(i) == Some(first);
    let off = move |i: &SemanticItem| half(i) == Some(!first);
    let calibration = (0..=60)
        .map(|k| {
            score_part(
                items,
                links,
                LinkKind::Rewording,
                floor + 0.01 * k as f32,
                on,
            )
        })
        .find(|s| s.precision >= TARGET_PRECISION && s.predicted > 0);
    let reached = calibration.is_some();
    // No margin reaches the target: scored with group links off (pairs without translations
    // still link at their own cosine).
    let calibration =
        calibration.unwrap_or_else(|| score_part(items, links, LinkKind::Rewording, f32::MAX, on));
    let test = score_part(
        items,
        links,
        LinkKind::Rewording,
        calibration.threshold,
        off,
    );
    HeldOut {
        reached,
        calibrated_on: if first { "0-5" } else { "6-11" },
        calibration,
        test,
    }
}

fn score(
    items: &[SemanticItem],
    links: &[SemanticLink],
    kind: LinkKind,
    threshold: f32,
) -> TypeScore {
    score_part(items, links, kind, threshold, |_| true)
}

/// Whether `l` is kept at `threshold`: the threshold of translations, and of rewordings judged
/// through translation groups (the group margin); a rewording between texts without translations
/// keeps the default cosine threshold (the eval has few of them, too few to choose it on).
fn passes(l: &SemanticLink, threshold: f32) -> bool {
    match (l.kind, l.basis) {
        (LinkKind::Rewording, Basis::Pair) => l.score >= LinkParams::default().rewording_min,
        _ => l.score >= threshold,
    }
}

/// Which half of the claims an item belongs to (hard negatives go with their claim's half).
fn half(item: &SemanticItem) -> Option<bool> {
    item.meaning
        .map(|m| if m >= 100 { (m - 100) / 3 } else { m } < CLAIMS_PER_HALF)
}

const CLAIMS_PER_HALF: u32 = 6;

/// [`score`] over the items `keep` accepts: expected pairs among them, and every link with a
/// kept end (a link from a kept item to any other one is wrong unless the truth says otherwise).
fn score_part(
    items: &[SemanticItem],
    links: &[SemanticLink],
    kind: LinkKind,
    threshold: f32,
    keep: impl Fn(&SemanticItem) -> bool,
) -> TypeScore {
    let want = match kind {
        LinkKind::Translation => Truth::Translation,
        LinkKind::Rewording => Truth::Rewording,
    };
    let (mut expected, mut expected_translated_rewordings) = (0, 0);
    let kept: Vec<&SemanticItem> = items.iter().filter(|i| keep(i)).collect();
    for (i, a) in kept.iter().enumerate() {
        for b in &kept[i + 1..] {
            match truth(a, b) {
                t if t == want => expected += 1,
                Truth::TranslatedRewording => expected_translated_rewordings += 1,
                _ => {}
            }
        }
    }
    let (mut predicted, mut correct, mut background_links) = (0, 0, 0);
    let mut translated_rewordings = 0;
    for l in links
        .iter()
        .filter(|l| l.kind == kind && passes(l, threshold))
    {
        let (a, b) = (&items[l.a as usize], &items[l.b as usize]);
        if !keep(a) && !keep(b) {
            continue;
        }
        if a.meaning.is_none() && b.meaning.is_none() {
            background_links += 1;
            continue;
        }
        match truth(a, b) {
            Truth::Copy => {}
            Truth::TranslatedRewording => {
                predicted += 1;
                correct += 1;
                translated_rewordings += 1;
            }
            t => {
                predicted += 1;
                correct += usize::from(t == want);
            }
        }
    }
    // Correct only when it is this type (a translated rewording is correct for precision but is
    // not this type's recall).
    let correct_of_type = correct - translated_rewordings;
    TypeScore {
        kind: kind.as_str(),
        translated_rewordings,
        expected_translated_rewordings,
        threshold,
        predicted,
        correct,
        background_links,
        expected,
        precision: correct as f64 / predicted.max(1) as f64,
        recall: correct_of_type as f64 / expected.max(1) as f64,
    }
}

/// Embeds the evaluation set (`background` ordinary posts around the claims), links it with
/// detected languages, and scores each link type.
pub fn evaluate(config: &Config, seed: u64, background: usize) -> anyhow::Result<SemanticEval> {
    let encoder = load_encoder(config)?;
    let items = semantic_corpus(seed, background);
    let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
    // Languages as vigie detects them at ingest, not the truth: a misdetected language mistypes
    // a link, and that should cost.
    let langs: Vec<Option<&str>> = texts.iter().map(|t| language(t)).collect();
    let started = Instant::now();
    let vectors = encoder.embed_parallel(&texts, 0);
    let embed_seconds = started.elapsed().as_secs_f64();
    let defaults = LinkParams::default();
    let floor = 0.4;
    let started = Instant::now();
    let linked = semantic_links(vectors.clone(), &texts, &langs, &defaults);
    let link_seconds = started.elapsed().as_secs_f64();
    let scores = vec![
        score(&items, &linked, LinkKind::Rewording, defaults.group_margin),
        score(
            &items,
            &linked,
            LinkKind::Translation,
            defaults.translation_min,
        ),
    ];
    // Each pair on its own cosine, for comparison.
    let direct = semantic_links(
        vectors.clone(),
        &texts,
        &langs,
        &LinkParams {
            group_min: None,
            ..defaults
        },
    );
    let direct_rewording = score(&items, &direct, LinkKind::Rewording, defaults.rewording_min);
    // Links down to the floor; each threshold then keeps the links whose score reaches it, as
    // linking at that threshold would.
    let links = semantic_links(
        vectors.clone(),
        &texts,
        &langs,
        &LinkParams {
            translation_min: floor,
            rewording_min: floor,
            group_margin: MARGIN_FLOOR,
            ..defaults
        },
    );
    let mut sweep = Vec::new();
    for step in 0..9 {
        let t = MARGIN_FLOOR + 0.025 * step as f32;
        sweep.push(score(&items, &links, LinkKind::Rewording, t));
    }
    for step in 0..9 {
        let t = floor + 0.05 * step as f32;
        sweep.push(score(&items, &links, LinkKind::Translation, t));
    }
    let narratives = narrative_eval(&encoder, &items, &langs)?;
    let rewording_errors =
        rewording_errors(&items, &vectors, &langs, &links, defaults.group_margin);
    let held_out = [true, false]
        .into_iter()
        .map(|first| held_out(&items, &links, first, MARGIN_FLOOR))
        .collect();
    Ok(SemanticEval {
        items: items.len(),
        background,
        embed_seconds,
        link_seconds,
        scores,
        direct_rewording,
        held_out,
        sweep,
        narratives,
        rewording_errors,
    })
}

/// Expected rewordings left unlinked at `threshold`, and wrong rewording links reaching it,
/// each pair of distinct texts once.
fn rewording_errors(
    items: &[SemanticItem],
    vectors: &[f32],
    langs: &[Option<&'static str>],
    links: &[SemanticLink],
    threshold: f32,
) -> Vec<PairError> {
    let dim = vigie_embed::DIM;
    let linked: BTreeMap<(usize, usize), &SemanticLink> = links
        .iter()
        .filter(|l| l.kind == LinkKind::Rewording)
        .map(|l| ((l.a as usize, l.b as usize), l))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for a in 0..items.len() {
        for b in a + 1..items.len() {
            let (x, y) = (&items[a], &items[b]);
            let t = truth(x, y);
            let link = linked.get(&(a, b));
            let kept = link.is_some_and(|l| passes(l, threshold));
            let error = match t {
                Truth::Rewording if !kept => "missed",
                Truth::Unrelated if kept && (x.meaning.is_some() || y.meaning.is_some()) => "wrong",
                _ => continue,
            };
            // The original wording of each text (without its noise) names the pair.
            let name = |i: &SemanticItem| match i.meaning {
                Some(m) if m < 100 => {
                    let l = vigie_generate::semantic::LANGS
                        .iter()
                        .position(|l| *l == i.lang);
                    l.map_or(i.text.clone(), |l| {
                        vigie_generate::semantic::CLAIMS[m as usize].versions[l][i.wording as usize]
                            .to_owned()
                    })
                }
                _ => i.text.clone(),
            };
            let (na, nb) = (name(x), name(y));
            let key = if na <= nb { (na, nb) } else { (nb, na) };
            if !seen.insert(key.clone()) {
                continue;
            }
            out.push(PairError {
                error,
                a: key.0,
                b: key.1,
                langs: [langs[a], langs[b]],
                cosine: vigie_embed::cosine(
                    &vectors[a * dim..(a + 1) * dim],
                    &vectors[b * dim..(b + 1) * dim],
                ),
                score: link.map(|l| l.score),
                basis: match link.map(|l| l.basis) {
                    Some(Basis::Pair) => "pair",
                    Some(Basis::Groups) => "groups",
                    None => "-",
                },
            });
        }
    }
    out.sort_by(|p, q| (p.error, &p.a, &p.b).cmp(&(q.error, &q.a, &q.b)));
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct EmbedBench {
    pub items: usize,
    pub threads: usize,
    pub load_seconds: f64,
    /// Distinct texts among `items` (each embedded once).
    pub distinct: usize,
    pub embed_seconds: f64,
    /// The same texts again, their vectors read from the store's cache.
    pub rescan_seconds: f64,
    pub link_seconds: f64,
    pub links: BTreeMap<&'static str, usize>,
    pub peak_rss_bytes: Option<u64>,
}

/// Embeds `items` generated multilingual posts (the claims plus ordinary posts in six languages)
/// and links them, timing each stage.
pub fn bench(config: &Config, items: usize, threads: usize) -> anyhow::Result<EmbedBench> {
    let corpus = semantic_corpus(1, items.saturating_sub(12 * 6 * 2 * 2 + 12 * 3));
    let texts: Vec<&str> = corpus.iter().map(|i| i.text.as_str()).collect();
    let langs: Vec<Option<&str>> = texts.iter().map(|t| language(t)).collect();
    let started = Instant::now();
    let encoder = load_encoder(config)?;
    let load_seconds = started.elapsed().as_secs_f64();
    // Vectors go through a store's cache, as a scan's do: identical texts are embedded once,
    // and a second pass (a re-scan) reads them back.
    let db = std::env::temp_dir().join(format!("vigie-embed-bench-{}.db", std::process::id()));
    let store = vigie_store::Store::open(&db)?;
    let started = Instant::now();
    let vectors = vigie_detect::semantic::embed_cached(&encoder, Some(&store), &texts)?;
    let embed_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let again = vigie_detect::semantic::embed_cached(&encoder, Some(&store), &texts)?;
    let rescan_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(again == vectors, "cached vectors differ from fresh ones");
    drop((again, store));
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let distinct = texts.iter().collect::<BTreeSet<_>>().len();
    let started = Instant::now();
    let params = LinkParams {
        index: vigie_embed::IndexParams {
            threads,
            ..Default::default()
        },
        ..Default::default()
    };
    let links = semantic_links(vectors, &texts, &langs, &params);
    let link_seconds = started.elapsed().as_secs_f64();
    let mut counts = BTreeMap::new();
    for l in &links {
        *counts.entry(l.kind.as_str()).or_insert(0) += 1;
    }
    Ok(EmbedBench {
        items: texts.len(),
        threads,
        load_seconds,
        distinct,
        embed_seconds,
        rescan_seconds,
        link_seconds,
        links: counts,
        peak_rss_bytes: crate::bench::peak_rss_bytes(),
    })
}
