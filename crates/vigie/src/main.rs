use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use vigie::ingest::{IngestError, IngestOptions};
use vigie::scan::{scan, ScanOutputs};
use vigie_core::Config;
use vigie_store::Store;

// Ingest allocates on a reader thread and frees on the writer's: mimalloc keeps that fast and
// keeps fragmentation (and so peak memory) down where the system allocator does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// vigie finds foreign information manipulation and interference (FIMI) around elections.
#[derive(Parser)]
#[command(name = "vigie", version, about, long_about = None)]
struct Cli {
    /// More logging (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// No progress bars.
    #[arg(long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a commented starter vigie.toml.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "vigie.toml")]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Read inputs (files, folders, gzip, `-` for stdin), run every enabled detector, write alerts.
    Scan {
        /// Files, folders or `-`; formats are detected from content.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Configuration file (default: ./vigie.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Alerts output, JSON lines (`-` for standard output).
        #[arg(long, default_value = "alerts.jsonl")]
        alerts: PathBuf,
        /// The store: an SQLite file.
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Rejected input lines are appended here with file, line and reason.
        #[arg(long)]
        quarantine: Option<PathBuf>,
        /// Records per transaction and checkpoint.
        #[arg(long, default_value_t = 200_000, hide = true)]
        commit_records: usize,
    },
    /// Summarise what the store holds.
    Stats {
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write realistic election-season data with injected operations and their ground truth.
    Generate {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value = "sample")]
        out: PathBuf,
        /// Organic posts to generate (operations come on top).
        #[arg(long, default_value_t = 20_000)]
        posts: usize,
    },
    /// Precision and recall of every detector on generated data with known operations.
    Eval {
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Organic posts in the generated dataset.
        #[arg(long, default_value_t = 20_000)]
        posts: usize,
        /// Working folder (data, store, alerts); kept for inspection.
        #[arg(long, default_value = "eval")]
        out: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Score the semantic `rewording` / `translation` links instead (`--posts` background
        /// posts around the hand-written multilingual claims; needs the USE weights).
        #[arg(long)]
        semantic: bool,
    },
    /// Measure ingest throughput and peak memory (default dataset: the 2.46M IRA tweets).
    Bench {
        /// Inputs to ingest (default: ../shared/data/ira/ira_tweets_full.csv.gz, else generated data).
        inputs: Vec<PathBuf>,
        /// Scratch store, deleted first.
        #[arg(long, default_value = "bench.db")]
        db: PathBuf,
        /// Time this detector on generated data instead of ingest (e.g. copypasta).
        #[arg(long)]
        detector: Option<String>,
        /// Organic posts generated for a detector benchmark.
        #[arg(long, default_value_t = 100_000)]
        posts: usize,
        /// Embed and semantically link `--posts` generated multilingual items instead.
        #[arg(long)]
        embed: bool,
        /// Threads for `--embed` (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// First Ctrl-C: finish the current batch, commit, and stop (a re-run resumes). Second: exit now.
fn stop_cleanly_on_ctrl_c(flag: &Arc<AtomicBool>) {
    let flag = Arc::clone(flag);
    let installed = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: committing what was read; press Ctrl-C again to quit at once");
    });
    if let Err(e) = installed {
        tracing::warn!("cannot install the Ctrl-C handler: {e}");
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    let config = match path {
        Some(p) => Config::load(p)?,
        None if Path::new("vigie.toml").exists() => {
            tracing::info!("using ./vigie.toml");
            Config::load(Path::new("vigie.toml"))?
        }
        None => Config::default(),
    };
    for section in &config.unknown_sections {
        tracing::warn!("ignoring unknown configuration section [{section}]");
    }
    Ok(config)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let progress = !cli.quiet && std::io::stderr().is_terminal();
    match cli.command {
        Command::Init { out, force } => {
            if out.exists() && !force {
                bail!("{} exists; use --force to overwrite", out.display());
            }
            std::fs::write(&out, vigie::starter::STARTER_CONFIG)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        Command::Scan {
            inputs,
            config,
            alerts,
            db,
            quarantine,
            commit_records,
        } => {
            let config = load_config(config.as_deref())?;
            let mut store = Store::open(&db)?;
            let quarantine = quarantine.unwrap_or_else(|| {
                let mut q = db.clone().into_os_string();
                q.push(".quarantine.jsonl");
                PathBuf::from(q)
            });
            let outputs = ScanOutputs {
                alerts: (alerts.as_os_str() != "-").then_some(alerts),
                quarantine,
            };
            let opts = IngestOptions {
                progress,
                commit_records,
                ..IngestOptions::default()
            };
            stop_cleanly_on_ctrl_c(&opts.interrupt);
            let report = match scan(&mut store, &inputs, &config, &outputs, &opts) {
                Err(vigie::scan::ScanError::Ingest(e @ IngestError::Interrupted { .. })) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(130));
                }
                other => other?,
            };
            print_scan_summary(&report, &outputs, &db);
        }
        Command::Stats { db, json } => {
            if !db.exists() {
                bail!("{}: no such store (run `vigie scan` first)", db.display());
            }
            let stats = Store::open(&db)?.stats()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                print_stats(&stats);
            }
        }
        Command::Generate { seed, out, posts } => {
            let opts = vigie_generate::GenerateOptions {
                seed,
                posts,
                ..Default::default()
            };
            let summary = vigie_generate::generate(&opts, &out)?;
            for (kind, n) in &summary.counts {
                eprintln!("{n:>9} {kind}");
            }
            eprintln!(
                "wrote {} files to {} ({} injected operations; ground truth in truth.json)",
                summary.files.len(),
                out.display(),
                summary.operations
            );
        }
        Command::Eval {
            seed,
            posts,
            json,
            semantic: true,
            ..
        } => semantic_eval(&load_config(None)?, seed, posts, json)?,
        Command::Eval {
            seed,
            posts,
            out,
            json,
            ..
        } => {
            let scores = vigie::eval::evaluate(&out, seed, posts)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&scores)?);
            } else {
                println!(
                    "dataset: vigie generate --seed {seed} --posts {posts} (in {})",
                    out.display()
                );
                println!(
                    "{:<20} {:>7} {:>8} {:>8} {:>10} {:>14} {:>8}",
                    "detector",
                    "alerts",
                    "flagged",
                    "targets",
                    "precision",
                    "precision(any)",
                    "recall"
                );
                for s in &scores {
                    println!(
                        "{:<20} {:>7} {:>8} {:>8} {:>10.3} {:>14.3} {:>8.3}",
                        s.detector,
                        s.alerts,
                        s.flagged_items,
                        s.target_items,
                        s.precision,
                        s.precision_any_operation,
                        s.recall
                    );
                    for (name, value) in &s.details {
                        println!("{:<20} {name} = {value:.3}", "");
                    }
                }
            }
        }
        Command::Bench {
            posts,
            embed: true,
            threads,
            ..
        } => semantic_bench(&load_config(None)?, posts, threads)?,
        Command::Bench {
            detector: Some(detector),
            posts,
            ..
        } => {
            let dir = std::env::temp_dir().join(format!("vigie-bench-{detector}-{posts}"));
            let r = vigie::bench::bench_detector(&detector, posts, &dir, progress)?;
            println!(
                "dataset: vigie generate --seed 1 --posts {posts} ({} posts and articles)",
                r.items
            );
            println!(
                "{}: {} items in {:.1}s = {:.0} items/s, {} alerts",
                r.detector,
                r.items,
                r.seconds,
                r.items as f64 / r.seconds.max(1e-9),
                r.alerts
            );
            let total = r.ingest_seconds + r.seconds;
            println!(
                "end to end (read and store, then detect): {:.1}s = {:.0} items/s",
                total,
                r.items as f64 / total.max(1e-9)
            );
            match r.peak_rss_bytes {
                Some(b) => println!("peak RSS during the detector: {:.1} MB", b as f64 / 1e6),
                None => println!("peak RSS: not reported on this platform"),
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        Command::Bench { inputs, db, .. } => {
            let inputs = if inputs.is_empty() {
                default_bench_inputs()?
            } else {
                inputs
            };
            let r = vigie::bench::bench_ingest(&inputs, &db, progress)?;
            let read = r.summary.total(|i| i.read);
            println!("dataset: {}", r.dataset);
            println!(
                "ingest: {} records ({} new, {} duplicates, {} rejected) in {:.1}s = {:.0} records/s",
                read,
                r.summary.total(|i| i.new),
                r.summary.total(|i| i.duplicates),
                r.summary.total(|i| i.rejected),
                r.seconds,
                r.records_per_second()
            );
            match r.peak_rss_bytes {
                Some(b) => println!("peak RSS: {:.1} MB", b as f64 / 1e6),
                None => println!("peak RSS: not reported on this platform"),
            }
            println!("store: {:.1} MB", r.store_bytes as f64 / 1e6);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn default_bench_inputs() -> Result<Vec<PathBuf>> {
    let ira = PathBuf::from(vigie::bench::IRA_FULL);
    if ira.exists() {
        return Ok(vec![ira]);
    }
    let dir = std::env::temp_dir().join("vigie-bench-data");
    eprintln!(
        "{} absent: benchmarking 200,000 generated posts instead",
        ira.display()
    );
    let opts = vigie_generate::GenerateOptions {
        seed: 1,
        posts: 200_000,
        ..Default::default()
    };
    vigie_generate::generate(&opts, &dir)?;
    Ok(vec![dir])
}

fn print_scan_summary(report: &vigie::scan::ScanReport, outputs: &ScanOutputs, db: &Path) {
    let s = &report.ingest;
    eprintln!();
    eprintln!(
        "{:<48} {:<28} {:>10} {:>10} {:>8} {:>8}",
        "input", "format", "read", "new", "dup", "rejected"
    );
    for i in &s.inputs {
        let name = if i.input.chars().count() > 48 {
            let tail: String = i
                .input
                .chars()
                .rev()
                .take(47)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{tail}")
        } else {
            i.input.clone()
        };
        match &i.skipped {
            Some(why) => eprintln!("{name:<48} skipped: {why}"),
            None => eprintln!(
                "{name:<48} {:<28} {:>10} {:>10} {:>8} {:>8}{}",
                i.format,
                i.read,
                i.new,
                i.duplicates,
                i.rejected,
                i.error
                    .as_ref()
                    .map(|e| format!("  damaged: {e}"))
                    .unwrap_or_default()
            ),
        }
    }
    let read = s.total(|i| i.read);
    eprintln!(
        "\n{} records read ({} new, {} duplicates), {} rejected, in {:.1}s ({:.0} records/s)",
        read,
        s.total(|i| i.new),
        s.total(|i| i.duplicates),
        s.total(|i| i.rejected),
        s.seconds,
        read as f64 / s.seconds.max(1e-9)
    );
    if report.quarantined_lines > 0 {
        eprintln!(
            "{} rejected lines quarantined in {}",
            report.quarantined_lines,
            outputs.quarantine.display()
        );
    }
    let mut by_detector: std::collections::BTreeMap<&str, usize> = Default::default();
    for a in &report.alerts {
        *by_detector.entry(a.detector.as_str()).or_default() += 1;
    }
    eprintln!(
        "detectors run: {}; {} alerts{}",
        report.detectors.join(", "),
        report.alerts.len(),
        if by_detector.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                by_detector
                    .iter()
                    .map(|(d, n)| format!("{d}: {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    match &outputs.alerts {
        Some(p) => eprintln!("alerts written to {}; store {}", p.display(), db.display()),
        None => eprintln!("store {}", db.display()),
    }
}

fn print_stats(s: &vigie_store::Stats) {
    println!(
        "store       {} (schema v{}, {:.1} MB)",
        s.path,
        s.schema_version,
        s.file_bytes as f64 / 1e6
    );
    for (kind, n) in &s.by_kind {
        println!("{kind:<11} {n}");
    }
    if let (Some(f), Some(l)) = (s.first, s.last) {
        println!("period      {} → {}", f.to_rfc3339(), l.to_rfc3339());
    }
    if !s.by_platform.is_empty() {
        let p: Vec<String> = s
            .by_platform
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        println!("platforms   {}", p.join(", "));
    }
    println!("inputs      {}", s.inputs);
    println!("quarantined {}", s.quarantined);
    let a: Vec<String> = s
        .alerts_by_detector
        .iter()
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    println!(
        "alerts      {}",
        if a.is_empty() {
            "none".to_owned()
        } else {
            a.join(", ")
        }
    );
}

#[cfg(feature = "semantic")]
fn semantic_eval(config: &Config, seed: u64, background: usize, json: bool) -> Result<()> {
    let e = vigie::semantic::evaluate(config, seed, background)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(());
    }
    println!(
        "dataset: 12 hand-written claims x 6 languages (fr en de es pl ru) x 2 wordings, one \
         noisy copy each, 36 same-topic hard negatives, {} generated background posts (seed {seed}): {} items",
        e.background, e.items
    );
    println!(
        "embedded in {:.1}s, linked in {:.1}s",
        e.embed_seconds, e.link_seconds
    );
    println!(
        "{:<12} {:>9} {:>9} {:>8} {:>9} {:>10} {:>7} {:>11}",
        "link",
        "threshold",
        "predicted",
        "correct",
        "expected",
        "precision",
        "recall",
        "bg-bg links"
    );
    for s in &e.scores {
        println!(
            "{:<12} {:>9.2} {:>9} {:>8} {:>9} {:>10.3} {:>7.3} {:>11}",
            s.kind,
            s.threshold,
            s.predicted,
            s.correct,
            s.expected,
            s.precision,
            s.recall,
            s.background_links
        );
    }
    if let Some(t) = e.scores.iter().find(|s| s.kind == "translation") {
        println!(
            "translated rewordings (another wording, another language): {} of {} linked at {:.2} (counted correct for precision, in no recall above)",
            t.translated_rewordings, t.expected_translated_rewordings, t.threshold
        );
    }
    println!("threshold sweep:");
    for s in &e.sweep {
        println!(
            "{:<12} {:>9.2} {:>9} {:>8} {:>9} {:>10.3} {:>7.3} {:>11}",
            s.kind,
            s.threshold,
            s.predicted,
            s.correct,
            s.expected,
            s.precision,
            s.recall,
            s.background_links
        );
    }
    Ok(())
}

#[cfg(feature = "semantic")]
fn semantic_bench(config: &Config, items: usize, threads: usize) -> Result<()> {
    let r = vigie::semantic::bench(config, items, threads)?;
    println!(
        "dataset: {} generated multilingual items (hand-written claims plus ordinary posts in 6 languages), threads {}",
        r.items,
        if r.threads == 0 { "all".to_string() } else { r.threads.to_string() }
    );
    println!("load weights: {:.1}s", r.load_seconds);
    println!(
        "embed: {:.1}s = {:.0} sentences/s",
        r.embed_seconds,
        r.items as f64 / r.embed_seconds.max(1e-9)
    );
    println!(
        "index and semantic links: {:.1}s ({})",
        r.link_seconds,
        r.links
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "end to end (load, embed, link): {:.1}s",
        r.load_seconds + r.embed_seconds + r.link_seconds
    );
    match r.peak_rss_bytes {
        Some(b) => println!("peak RSS: {:.1} MB", b as f64 / 1e6),
        None => println!("peak RSS: not reported on this platform"),
    }
    Ok(())
}

#[cfg(not(feature = "semantic"))]
fn semantic_eval(_: &Config, _: u64, _: usize, _: bool) -> Result<()> {
    bail!("this vigie was built without the `semantic` feature")
}

#[cfg(not(feature = "semantic"))]
fn semantic_bench(_: &Config, _: usize, _: usize) -> Result<()> {
    bail!("this vigie was built without the `semantic` feature")
}
