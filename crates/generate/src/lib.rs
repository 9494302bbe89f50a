//! `vigie generate`: seeded, realistic election-season data in native JSONL (SPEC §2) with
//! injected operations of known membership and a ground-truth file, for tests, detector
//! evaluation (precision/recall per detector), benchmarks and the demo.
//!
//! Output: `out_dir/data/{accounts,posts,articles,domains,ads,media}.jsonl` (one [`vigie_core::Record`] per
//! line), and beside `data/`, `truth.json` ([`truth::Truth`]) and `vigie.toml` (a config describing
//! the generated world: elections, protected entities, narratives).
//!
//! Determinism: the same options give byte-identical files. All randomness comes from ChaCha8
//! streams derived from the seed, no wall clock is read, and nothing is iterated out of a hash
//! map. Memory: operations are small and kept in memory; the background is streamed hour by hour,
//! holding only the account table and small buffers of recent posts.

pub mod images;
mod lang;
mod names;
mod narrative;
mod ops;
mod organic;
pub mod semantic;
mod text;
pub mod truth;
mod world;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use truth::{NegativeSet, Truth, GENERATOR_VERSION};
use vigie_core::Record;

pub use ops::coordination::WINDOW_SECONDS as COORDINATION_WINDOW_SECONDS;
pub use organic::{DEBATE_TAG, RHYTHM};

/// Largest accepted `posts`: the account table (posts / 8 entries) must fit in memory.
pub const MAX_POSTS: usize = 50_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub seed: u64,
    /// Organic (background) posts; the operations add a few thousand more.
    pub posts: usize,
    /// Length of the campaign period; polling day is its last day.
    pub days: u32,
    /// First day of the period (local, Europe/Paris).
    pub start: NaiveDate,
    /// With the `c2pa` feature: also write C2PA-signed, re-signed, altered-after-signing and
    /// AI-declared pictures (`manufactured_media`'s credential signals). Signed files are not
    /// byte-reproducible, hence off by default.
    pub content_credentials: bool,
    /// Also write false voting claims worded without the lexicons' words, and true ones
    /// worded alike (for `electoral_process` by meaning).
    pub reworded_claims: bool,
}

impl Default for GenerateOptions {
    /// 20,000 posts over the two weeks before the 2024-06-09 European election.
    fn default() -> Self {
        GenerateOptions {
            seed: 42,
            posts: 20_000,
            days: 14,
            start: NaiveDate::from_ymd_opt(2024, 5, 27).unwrap_or_default(),
            content_credentials: false,
            reworded_claims: false,
        }
    }
}

impl GenerateOptions {
    fn validate(&self) -> Result<(), GenerateError> {
        use chrono::Datelike;
        if self.days == 0 || self.days > 366 {
            return Err(GenerateError::Options(format!(
                "days must be between 1 and 366, not {}",
                self.days
            )));
        }
        if self.posts > MAX_POSTS {
            return Err(GenerateError::Options(format!(
                "posts must be at most {MAX_POSTS}, not {}",
                self.posts
            )));
        }
        if !(1990..=2100).contains(&self.start.year()) {
            return Err(GenerateError::Options(format!(
                "start must be between 1990 and 2100, not {}",
                self.start
            )));
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("invalid options: {0}")]
    Options(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot serialise into {path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("generated vigie.toml does not parse: {0}")]
    Config(String),
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub files: Vec<PathBuf>,
    /// Records per kind (`account`, `post`, `article`, `domain`).
    pub counts: BTreeMap<String, u64>,
    /// Number of injected operations in truth.json.
    pub operations: usize,
}

/// A buffered JSONL file of records.
pub(crate) struct JsonlWriter {
    path: PathBuf,
    out: BufWriter<File>,
    count: u64,
}

impl JsonlWriter {
    fn create(path: PathBuf) -> Result<JsonlWriter, GenerateError> {
        let file = File::create(&path).map_err(|source| GenerateError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(JsonlWriter {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            count: 0,
        })
    }

    pub(crate) fn write(&mut self, record: &Record) -> Result<(), GenerateError> {
        serde_json::to_writer(&mut self.out, record).map_err(|source| GenerateError::Json {
            path: self.path.clone(),
            source,
        })?;
        self.out
            .write_all(b"\n")
            .map_err(|source| GenerateError::Io {
                path: self.path.clone(),
                source,
            })?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<(PathBuf, u64), GenerateError> {
        self.out.flush().map_err(|source| GenerateError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok((self.path, self.count))
    }
}

/// Independent random streams per stage, so that e.g. the operations do not change when only the
/// number of background posts does.
fn stream(seed: u64, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(n);
    rng
}

fn write_file(path: PathBuf, bytes: &[u8]) -> Result<PathBuf, GenerateError> {
    std::fs::write(&path, bytes).map_err(|source| GenerateError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Generates the data set into `out_dir` (created if missing; existing files are replaced).
pub fn generate(opts: &GenerateOptions, out_dir: &Path) -> Result<Summary, GenerateError> {
    opts.validate()?;
    std::fs::create_dir_all(out_dir).map_err(|source| GenerateError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    // Records go to `data/`, apart from the ground truth and the config, so that the folder can
    // be scanned as a whole.
    let data_dir = out_dir.join("data");
    std::fs::create_dir_all(&data_dir).map_err(|source| GenerateError::Io {
        path: data_dir.clone(),
        source,
    })?;
    let clock = world::Clock::new(opts.start, opts.days);
    let texts = text::Texts::new();
    let mut ids = world::Ids::default();

    // 1. Operations, from their own stream.
    let mut ctx = ops::Ctx {
        rng: stream(opts.seed, 1),
        clock: &clock,
        texts: &texts,
        ids: &mut ids,
        items: Vec::new(),
        accounts: Vec::new(),
        domains: Vec::new(),
        handles: BTreeSet::new(),
        negatives: truth::Negatives::default(),
        copy_groups: BTreeMap::new(),
        ads: Vec::new(),
        organic_ads: (opts.posts / 10).max(600),
        ad_seq: 0,
        media: Vec::new(),
        watched: Vec::new(),
        images: Vec::new(),
        pictures: stream(opts.seed, 8),
        avatar_groups: Vec::new(),
        avatar_decoys: Vec::new(),
        #[cfg(feature = "c2pa")]
        content_credentials: opts.content_credentials,
        reworded_claims: opts.reworded_claims,
    };
    let operations = ops::inject_all(&mut ctx);
    let ops::Ctx {
        mut items,
        accounts: op_accounts,
        mut domains,
        mut handles,
        mut negatives,
        copy_groups,
        mut ads,
        mut media,
        watched,
        images,
        ..
    } = ctx;
    // Stable: items at the same instant keep their generation order.
    items.sort_by_key(|i| i.time());

    // 2. Accounts: the background population with the operations' accounts interleaved.
    let mut rng = stream(opts.seed, 2);
    let mut accounts_out = JsonlWriter::create(data_dir.join("accounts.jsonl"))?;
    let background = organic::write_accounts(
        &mut rng,
        &clock,
        &texts,
        &mut ids,
        &mut handles,
        (opts.posts / 8).max(50),
        op_accounts,
        &mut accounts_out,
    )?;
    drop(handles);

    // 3. Domains, by name so that file order does not group an operation's domains.
    domains.sort_by(|a, b| a.domain.cmp(&b.domain));
    let mut domains_out = JsonlWriter::create(data_dir.join("domains.jsonl"))?;
    for d in domains {
        domains_out.write(&Record::Domain(d))?;
    }

    // 3b. The ad library, in time order.
    ads.sort_by_key(|a| a.started_at);
    let mut ads_out = JsonlWriter::create(data_dir.join("ads.jsonl"))?;
    for a in ads {
        ads_out.write(&Record::Ad(a))?;
    }

    let mut files = Vec::new();
    // 3c. Media, by id so that file order does not group the altered copies; their image files
    // beside `data/` (a folder scan of `data/` must not meet them).
    let media_dir = out_dir.join(ops::media::MEDIA_DIR);
    std::fs::create_dir_all(&media_dir).map_err(|source| GenerateError::Io {
        path: media_dir.clone(),
        source,
    })?;
    for (name, bytes) in images {
        files.push(write_file(media_dir.join(name), &bytes)?);
    }
    media.sort_by(|a, b| a.id.cmp(&b.id));
    let mut media_out = JsonlWriter::create(data_dir.join("media.jsonl"))?;
    for m in media {
        media_out.write(&Record::Media(m))?;
    }

    // 4. Posts and articles, streamed by hour.
    let mut rng = stream(opts.seed, 3);
    let mut posts_out = JsonlWriter::create(data_dir.join("posts.jsonl"))?;
    let mut articles_out = JsonlWriter::create(data_dir.join("articles.jsonl"))?;
    organic::write_content(
        &mut rng,
        &clock,
        &texts,
        &mut ids,
        &background,
        opts.posts,
        items,
        organic::Streams {
            posts: &mut posts_out,
            articles: &mut articles_out,
        },
    )?;

    negatives.add(
        "account_burst",
        NegativeSet {
            reason: "ordinary accounts created one at a time during the campaign".into(),
            accounts: background.new_organic_accounts.clone(),
            ..NegativeSet::default()
        },
    );
    negatives.add(
        "astroturf",
        NegativeSet {
            reason: "organic surge on the evening of the televised debate, many ordinary accounts"
                .into(),
            hashtags: vec![DEBATE_TAG.to_owned()],
            ..NegativeSet::default()
        },
    );

    let mut counts = BTreeMap::new();
    for (kind, w) in [
        ("account", accounts_out),
        ("post", posts_out),
        ("article", articles_out),
        ("domain", domains_out),
        ("ad", ads_out),
        ("media", media_out),
    ] {
        let (path, n) = w.finish()?;
        counts.insert(kind.to_owned(), n);
        files.push(path);
    }

    // 5. Ground truth and config.
    let mut options = Map::new();
    options.insert("posts".into(), Value::from(opts.posts as u64));
    options.insert("days".into(), Value::from(opts.days));
    options.insert("start".into(), Value::from(opts.start.to_string()));
    let truth = Truth {
        seed: opts.seed,
        generator_version: GENERATOR_VERSION.to_owned(),
        options,
        operations,
        negatives,
        copy_groups: copy_groups
            .into_iter()
            .filter(|(_, items)| items.len() > 1)
            .map(|(key, items)| truth::CopyGroup { key, items })
            .collect(),
    };
    let truth_path = out_dir.join("truth.json");
    let mut json = serde_json::to_vec_pretty(&truth).map_err(|source| GenerateError::Json {
        path: truth_path.clone(),
        source,
    })?;
    json.push(b'\n');
    files.push(write_file(truth_path, &json)?);

    let mut config = world::config_toml(&clock);
    config.push_str(&ops::takeover::config_section(&watched));
    #[cfg(feature = "c2pa")]
    if opts.content_credentials {
        config.push_str(&ops::media::credentials::config_section());
    }
    vigie_core::Config::from_toml(&config, "vigie.toml")
        .map_err(|e| GenerateError::Config(e.to_string()))?;
    files.push(write_file(out_dir.join("vigie.toml"), config.as_bytes())?);

    Ok(Summary {
        files,
        counts,
        operations: truth.operations.len(),
    })
}

/// A generated look-alike (or benign) domain for evaluating look-alike matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookalikeSample {
    pub host: String,
    /// The label and suffix it was made from.
    pub label: String,
    pub suffix: String,
    /// The generator's technique name, or `benign` for an ordinary new domain.
    pub class: String,
    /// Technique names a matcher may report for it.
    pub expected: Vec<&'static str>,
}

/// Up to `per_class` look-alikes of every technique, made from `names` (`(label, suffix)`) drawn
/// at random, plus `per_class` ordinary new domains (class `benign`). Seeded: the same inputs
/// give the same samples.
pub fn lookalike_samples(
    seed: u64,
    names: &[(String, String)],
    per_class: usize,
) -> Vec<LookalikeSample> {
    lookalike_samples_of(seed, names, per_class, None)
}

/// [`lookalike_samples`] for the techniques named in `only` (all when `None`), without benign
/// domains when `only` is given.
pub fn lookalike_samples_of(
    seed: u64,
    names: &[(String, String)],
    per_class: usize,
    only: Option<&[&str]>,
) -> Vec<LookalikeSample> {
    use ops::lookalike::{benign, make_from, Technique};
    use rand::seq::SliceRandom;
    let mut rng = stream(seed, 7);
    let mut out = Vec::new();
    if names.is_empty() {
        return out;
    }
    let originals: BTreeSet<String> = names.iter().map(|(l, s)| format!("{l}.{s}")).collect();
    for t in Technique::ALL {
        if only.is_some_and(|o| !o.contains(&t.name())) {
            continue;
        }
        let mut made = 0;
        for _ in 0..per_class * 20 {
            if made == per_class {
                break;
            }
            let Some((label, suffix)) = names.choose(&mut rng) else {
                break;
            };
            let Some(host) = make_from(&mut rng, label, suffix, t) else {
                continue;
            };
            // A typo that lands on another protected name is that name, not a look-alike.
            if originals.contains(&host) {
                continue;
            }
            made += 1;
            out.push(LookalikeSample {
                host,
                label: label.clone(),
                suffix: suffix.clone(),
                class: t.name().to_owned(),
                expected: t.detected_as().to_vec(),
            });
        }
    }
    for _ in 0..if only.is_some() { 0 } else { per_class } {
        if let Some(host) = benign(&mut rng) {
            out.push(LookalikeSample {
                host,
                label: String::new(),
                suffix: String::new(),
                class: "benign".to_owned(),
                expected: Vec::new(),
            });
        }
    }
    out
}
