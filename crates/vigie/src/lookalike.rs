//! `vigie lookalike` (which protected domain does each domain imitate?), its evaluation (recall
//! per technique on generated look-alikes, false positives on a list of ordinary domains) and its
//! benchmark (observed domains per second against many protected names).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use vigie_core::Config;
use vigie_detect::detectors::lookalike_domain::{Settings, NAME};
use vigie_detect::lookalike::{LookalikeIndex, Match};

/// The ordinary-domains list the false-positive rate is stated on, relative to the repository.
pub const ALEXA_100K: &str = "../shared/data/domains/alexa2016_top-100000-domains.txt";

/// The index `vigie lookalike` and the detector use for `config`: its `[[protected]]` entities,
/// plus the starter list when the configuration or `force_starter` asks for it, or when nothing
/// is protected at all (an empty index would answer nothing). Returns whether the list is in.
pub fn index_for(config: &Config, force_starter: bool) -> anyhow::Result<(LookalikeIndex, bool)> {
    let settings: Settings = config.detector_settings(NAME)?;
    let starter = force_starter
        || settings.starter_list
        || config.protected.iter().all(|p| p.domains.is_empty());
    Ok((LookalikeIndex::from_config(config, starter), starter))
}

/// Looks each domain up; `-` reads domains from standard input, one per line.
pub fn lookup_all(
    index: &LookalikeIndex,
    domains: &[String],
    mut out: impl FnMut(&str, Option<Match>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for d in domains {
        if d == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                let line = line.trim();
                if !line.is_empty() {
                    out(line, index.check(line))?;
                }
            }
        } else {
            out(d, index.check(d))?;
        }
    }
    Ok(())
}

/// Recall of one class of generated look-alikes.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ClassRecall {
    pub generated: usize,
    /// Matched to the protected domain they were made from.
    pub found: usize,
    /// A few of those missed, to read.
    pub missed: Vec<String>,
    /// ...and classified with the technique they were made with.
    pub classified: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LookalikeEval {
    pub protected_entities: usize,
    pub protected_domains: usize,
    /// Matches scoring below this are not reported (the detector's default `min_score`).
    pub threshold: f64,
    pub per_class: BTreeMap<String, ClassRecall>,
    pub recall: f64,
    /// Benign generated new domains that were flagged.
    pub benign_generated: usize,
    pub benign_flagged: usize,
    pub fp_list: Option<String>,
    pub fp_checked: usize,
    pub fp_flagged: Vec<Match>,
}

/// Generates look-alikes of every class for every domain of the starter list, checks each
/// against the index of the starter list, and measures false positives on `fp_list` (a file of
/// ordinary domains, one per line) when it exists.
pub fn evaluate(
    seed: u64,
    per_class: usize,
    fp_list: Option<&Path>,
) -> anyhow::Result<LookalikeEval> {
    let mut index = LookalikeIndex::new();
    index.add_starter_list();
    // What the detector reports: matches at or above its default threshold.
    let threshold = Settings::default().min_score;
    let check = |d: &str| index.check(d).filter(|m| m.score >= threshold);
    let names: Vec<(String, String)> = vigie_detect::lookalike::starter_entries()
        .flat_map(|(_, _, domains)| domains)
        .filter_map(|d| {
            let reg = vigie_normalise::urls::registrable_domain(d)?;
            let parts = vigie_normalise::domains::split_host(&reg)?;
            Some((parts.label.to_owned(), parts.suffix.to_owned()))
        })
        .collect();
    // Typos of names under six letters are left alone on purpose (a one-letter change of
    // `bild` is mostly another word): long names get every technique, short ones those that
    // keep a short name recognisable, in their own classes.
    let letters = |l: &str| l.chars().filter(|c| *c != '-').count();
    let long: Vec<(String, String)> = names
        .iter()
        .filter(|(l, _)| letters(l) >= 6)
        .cloned()
        .collect();
    let short: Vec<(String, String)> = names
        .iter()
        .filter(|(l, _)| (4..6).contains(&letters(l)))
        .cloned()
        .collect();
    let mut samples = vigie_generate::lookalike_samples(seed, &long, per_class);
    let short_classes = [
        "tld_swap",
        "multi_label_suffix",
        "homoglyph",
        "repetition",
        "transposition",
        "subdomain",
    ];
    for mut s in
        vigie_generate::lookalike_samples_of(seed, &short, per_class / 3, Some(&short_classes))
    {
        s.class = format!("short_{}", s.class);
        samples.push(s);
    }
    let mut classes: BTreeMap<String, ClassRecall> = BTreeMap::new();
    let (mut hit, mut all) = (0usize, 0usize);
    let (mut benign, mut benign_flagged) = (0usize, 0usize);
    for s in &samples {
        let m = check(&s.host);
        if s.class == "benign" {
            benign += 1;
            benign_flagged += usize::from(m.is_some());
            continue;
        }
        let c = classes.entry(s.class.clone()).or_default();
        c.generated += 1;
        all += 1;
        // Found when matched to the name it was made from, whichever entity owns it under
        // which suffix (Público is publico.pt and publico.es, two outlets).
        let original = format!("{}.{}", s.label, s.suffix);
        let same_name = |m: &Match| {
            vigie_normalise::domains::split_host(&m.imitates).is_some_and(|p| p.label == s.label)
        };
        if let Some(m) = m.filter(|m| m.imitates == original || same_name(m)) {
            c.found += 1;
            hit += 1;
            if m.techniques.iter().any(|t| s.expected.contains(&t.name())) {
                c.classified += 1;
            }
        } else if c.missed.len() < 5 {
            c.missed.push(format!("{} (from {original})", s.host));
        }
    }
    let mut fp_flagged = Vec::new();
    let mut fp_checked = 0;
    let fp_list = fp_list.filter(|p| p.exists());
    if let Some(path) = fp_list {
        let file = std::io::BufReader::new(std::fs::File::open(path)?);
        for line in file.lines() {
            let line = line?;
            let d = line.trim();
            if d.is_empty() {
                continue;
            }
            fp_checked += 1;
            if let Some(m) = check(d) {
                fp_flagged.push(m);
            }
        }
    }
    Ok(LookalikeEval {
        protected_entities: index.entities(),
        protected_domains: index.targets(),
        threshold,
        per_class: classes,
        recall: if all == 0 {
            0.0
        } else {
            hit as f64 / all as f64
        },
        benign_generated: benign,
        benign_flagged,
        fp_list: fp_list.map(|p| p.display().to_string()),
        fp_checked,
        fp_flagged,
    })
}

/// News domains the benchmark protects beyond the starter list, relative to the repository.
pub const LIN2023: &str = "../shared/data/domains/lin2023_domain_pc1.csv";

#[derive(Debug, Clone)]
pub struct LookalikeBench {
    pub protected: usize,
    pub observed: usize,
    pub index_seconds: f64,
    pub lookup_seconds: f64,
    pub flagged: usize,
    /// The detector over a store holding the observed domains as `domain` records.
    pub detector_seconds: f64,
    pub alerts: usize,
    pub peak_rss_bytes: Option<u64>,
}

/// Protected names for the benchmark: the starter list, then news domains of `LIN2023` when
/// present, then generated names, up to `n`.
fn bench_protected(n: usize) -> Vec<String> {
    let mut out: Vec<String> = vigie_detect::lookalike::starter_entries()
        .flat_map(|(_, _, d)| d)
        .map(str::to_owned)
        .collect();
    if let Ok(text) = std::fs::read_to_string(LIN2023) {
        out.extend(
            text.lines()
                .skip(1)
                .filter_map(|l| l.split(',').next())
                .map(str::to_owned),
        );
    }
    let mut i = 0u64;
    while out.len() < n {
        out.push(format!(
            "outlet{:x}news.com",
            vigie_core::stable_hash(&[&i.to_le_bytes()])
        ));
        i += 1;
    }
    out.truncate(n);
    out
}

/// Observed domains for the benchmark: the ordinary domains of `ALEXA_100K` when present, 2% of
/// look-alikes of the protected names, the rest ordinary generated names, `n` in all.
fn bench_observed(n: usize, protected: &[String]) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_to_string(ALEXA_100K)
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    out.truncate(n);
    let names: Vec<(String, String)> = protected
        .iter()
        .filter_map(|d| {
            let p = vigie_normalise::domains::split_host(d)?;
            Some((p.label.to_owned(), p.suffix.to_owned()))
        })
        .collect();
    let per_class = (n / 50 / 15).max(1);
    for s in vigie_generate::lookalike_samples(1, &names, per_class) {
        if out.len() < n {
            out.push(s.host);
        }
    }
    let mut i = 0u64;
    const WORDS: [&str; 16] = [
        "shop", "cloud", "data", "blue", "green", "home", "travel", "food", "tech", "art", "city",
        "book", "game", "star", "market", "health",
    ];
    const TLDS: [&str; 8] = ["com", "net", "org", "de", "fr", "io", "shop", "online"];
    while out.len() < n {
        let h = vigie_core::stable_hash(&[&i.to_le_bytes()]);
        let w1 = WORDS[(h % 16) as usize];
        let w2 = WORDS[((h >> 8) % 16) as usize];
        let tld = TLDS[((h >> 16) % 8) as usize];
        out.push(format!("{w1}{w2}{}.{tld}", (h >> 24) % 100_000));
        i += 1;
    }
    out
}

/// Times the reverse index on `observed` domains against `protected` names, then the
/// `lookalike_domain` detector over a scratch store at `db` holding the same domains.
pub fn bench(observed: usize, protected: usize, db: &Path) -> anyhow::Result<LookalikeBench> {
    let protected_domains = bench_protected(protected);
    let observed_domains = bench_observed(observed, &protected_domains);
    let mut config = Config::default();
    for (i, chunk) in protected_domains.chunks(1).enumerate() {
        config.protected.push(vigie_core::config::Protected {
            kind: "media".into(),
            name: format!("protected {i}"),
            domains: chunk.to_vec(),
            ..Default::default()
        });
    }
    // Scratch store with the observed domains as domain-list records (not timed).
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = vigie_store::Store::open(db)?;
    {
        let normaliser = vigie_normalise::Normaliser::new(&config.input);
        let mut batch = store.batch()?;
        for d in &observed_domains {
            let record = vigie_core::Record::Domain(vigie_core::DomainRecord::new(d.clone()));
            if let Ok(n) = normaliser.normalise(record) {
                batch.insert(&n)?;
            }
        }
        batch.commit()?;
    }
    crate::bench::reset_peak_rss();
    let started = std::time::Instant::now();
    let index = LookalikeIndex::from_config(&config, false);
    let index_seconds = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    let flagged = observed_domains
        .iter()
        .filter(|d| index.check(d).is_some())
        .count();
    let lookup_seconds = started.elapsed().as_secs_f64();
    drop(index);
    let started = std::time::Instant::now();
    let detector = vigie_detect::detectors::lookalike_domain::build(&config)?;
    let alerts = detector.run(&vigie_detect::Context::new(&config, &store))?;
    let detector_seconds = started.elapsed().as_secs_f64();
    Ok(LookalikeBench {
        protected: protected_domains.len(),
        observed: observed_domains.len(),
        index_seconds,
        lookup_seconds,
        flagged,
        detector_seconds,
        alerts: alerts.len(),
        peak_rss_bytes: crate::bench::peak_rss_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lookalikes_are_found_per_class_and_benign_ones_left_alone() {
        let r = evaluate(7, 40, None).unwrap();
        assert!(r.recall >= 0.97, "{:#?}", r.per_class);
        for (class, c) in &r.per_class {
            assert!(c.generated > 0, "{class}");
            assert!(c.found as f64 >= 0.9 * c.generated as f64, "{class}: {c:?}");
        }
        assert_eq!(r.benign_flagged, 0);
    }

    #[test]
    fn false_positives_on_popular_domains_stay_under_one_in_2000() {
        let list = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(ALEXA_100K);
        if !list.exists() {
            eprintln!("skipping: {} absent", list.display());
            return;
        }
        let r = evaluate(7, 1, Some(&list)).unwrap();
        assert_eq!(r.fp_checked, 100_000);
        assert!(r.fp_flagged.len() <= 50, "{:#?}", r.fp_flagged);
        assert!(r.fp_flagged.iter().all(|m| !m.reasons.is_empty()));
    }
}
