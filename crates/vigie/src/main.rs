use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use vigie::ingest::{IngestError, IngestOptions};
use vigie::scan::{scan_with, ScanOutputs};
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

#[cfg(feature = "cluster")]
#[derive(Subcommand)]
enum ClusterRole {
    /// Plans and hands out the tasks of `vigie scan --engine ballista://HOST:PORT`.
    Scheduler {
        #[arg(long, default_value = "127.0.0.1:50050")]
        addr: std::net::SocketAddr,
        /// Host name executors and clients reach this scheduler by (default: the bound address).
        #[arg(long)]
        external_host: Option<String>,
    },
    /// Runs tasks; reads the exported items at the path the scan gives.
    Executor {
        /// The scheduler, HOST:PORT.
        #[arg(long)]
        scheduler: String,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Host name the scheduler and clients reach this executor by (default: --bind).
        #[arg(long)]
        external_host: Option<String>,
        /// Port serving results.
        #[arg(long, default_value_t = 50051)]
        port: u16,
        /// Port receiving tasks.
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks run at once (default: one per core).
        #[arg(long, default_value_t = 0)]
        concurrent_tasks: usize,
        /// Folder for intermediate results (default: a temporary folder).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
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
        /// The store: an SQLite file or `postgres://USER@HOST/DB` (default: the configuration's
        /// `[store] url`, else vigie.db).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Rejected input lines are appended here with file, line and reason.
        #[arg(long)]
        quarantine: Option<PathBuf>,
        /// Records per transaction and checkpoint.
        #[arg(long, default_value_t = 200_000, hide = true)]
        commit_records: usize,
        /// Where the data-parallel stages run: `in-process`, `datafusion` (plans, here) or
        /// `ballista://HOST:PORT` (a `vigie cluster scheduler`; feature `cluster`).
        #[arg(long, default_value = "in-process")]
        engine: String,
        /// Folder the store's items are exported to for the engine; with Ballista, every
        /// executor must read it at this path (default: DB.items beside the store).
        #[arg(long)]
        engine_dir: Option<PathBuf>,
    },
    /// Summarise what the store holds.
    Stats {
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Volume, first appearance, spreaders and linked alerts of each watched `[[narrative]]`.
    Narratives {
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Configuration file (default: ./vigie.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
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
        /// Also sign some pictures with C2PA test credentials (signed files are not
        /// byte-reproducible). Needs the `c2pa` feature.
        #[arg(long)]
        c2pa: bool,
        /// Also write false voting claims worded without the lexicons' words (and true ones
        /// worded alike), which `electoral_process` finds by meaning only.
        #[arg(long)]
        reworded_claims: bool,
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
        /// Add reworded false voting claims to the dataset (see `vigie generate
        /// --reworded-claims`); `electoral_process` then reports their recall.
        #[arg(long)]
        reworded_claims: bool,
        /// Evaluate look-alike domain matching instead: recall per technique on generated
        /// look-alikes of the starter list, false positives on a list of ordinary domains.
        #[arg(long)]
        lookalike: bool,
        /// Look-alikes generated per technique (with --lookalike).
        #[arg(long, default_value_t = 300)]
        per_class: usize,
        /// Ordinary domains, one per line, for the false-positive rate (with --lookalike).
        #[arg(long, default_value = vigie::lookalike::ALEXA_100K)]
        fp_list: PathBuf,
        /// Evaluate on real data instead: `claims` (electoral_process on ../shared/data/claims).
        #[arg(long, value_name = "DATASET")]
        real: Option<String>,
        /// Folder of the real claims data.
        #[arg(long, default_value = vigie::eval_claims::CLAIMS_DIR)]
        claims_dir: PathBuf,
        /// Score the semantic `rewording` / `translation` links instead (`--posts` background
        /// posts around the hand-written multilingual claims; needs the USE weights).
        #[arg(long)]
        semantic: bool,
        /// Score `manufactured_media` alone (per signal, per edit) on the generated image files,
        /// and print the Hamming distances of perceptual hashes per edit against unrelated pairs.
        #[arg(long)]
        media: bool,
    },
    /// Which protected domain does each DOMAIN imitate, and how (reverse look-alike lookup).
    Lookalike {
        /// Domains, host names or URLs; `-` reads them from standard input, one per line.
        #[arg(required = true)]
        domains: Vec<String>,
        /// Configuration file with the [[protected]] entities (default: ./vigie.toml when present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also protect the bundled European outlets and institutions (used anyway when the
        /// configuration protects no domain).
        #[arg(long)]
        starter_list: bool,
        /// Print one JSON object per domain.
        #[arg(long)]
        json: bool,
    },
    /// List look-alikes of DOMAIN (dnstwist-style, forwards) for registrar or certificate watch.
    Permute {
        domain: String,
        /// Also write every typo under every other suffix (about fifty times more names).
        #[arg(long)]
        combine: bool,
    },
    /// Serve the JSON API and the dashboard over a store.
    Serve {
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Address to listen on; beyond loopback a token is required.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Token every request must present (default: $VIGIE_TOKEN).
        #[arg(long)]
        token: Option<String>,
    },
    /// Export incidents and alerts: STIX 2.1 bundle, GEXF graph or CSV table.
    Export {
        #[arg(value_enum)]
        format: vigie::analyst::Format,
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only this incident and its alerts.
        #[arg(long)]
        incident: Option<String>,
        /// CSV: which table.
        #[arg(long, value_enum, default_value = "alerts")]
        table: vigie::analyst::Table,
        /// STIX: TLP marking (white/clear, green, amber, red).
        #[arg(long, default_value = "amber")]
        tlp: String,
        /// GEXF: include item nodes (posts, articles).
        #[arg(long)]
        items: bool,
    },
    /// Write a self-contained HTML case report of one incident, on the four criteria.
    Report {
        incident: String,
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Output file (default: INCIDENT.html).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run a Ballista scheduler or executor with vigie's functions (feature `cluster`).
    #[cfg(feature = "cluster")]
    Cluster {
        #[command(subcommand)]
        role: ClusterRole,
    },
    /// Generate an election-season dataset, scan it and serve the dashboard.
    Demo {
        /// Working folder (data, store, alerts).
        #[arg(long, default_value = "vigie-demo")]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[arg(long, default_value_t = 20_000)]
        posts: usize,
        /// Prepare the store and print the summary, but do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Delete data older than a retention age (default: the configuration's retention_days).
    Purge {
        #[arg(long, default_value = "vigie.db")]
        db: PathBuf,
        /// Age such as 6months, 180d, 26w or 1y.
        #[arg(long)]
        older_than: Option<String>,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Reclaim the freed space (rewrites the file).
        #[arg(long)]
        vacuum: bool,
    },
    /// Measure ingest throughput and peak memory (default dataset: the 2.46M IRA tweets).
    Bench {
        /// Inputs to ingest (default: ../shared/data/ira/ira_tweets_full.csv.gz, else generated data).
        inputs: Vec<PathBuf>,
        /// Scratch store, deleted first (a `postgres://` URL: a scratch schema in that database).
        #[arg(long, default_value = "bench.db")]
        db: PathBuf,
        /// Time this detector on generated data instead of ingest (e.g. copypasta), or several
        /// together: electoral_process,incitement,doxxing.
        #[arg(long)]
        detector: Option<String>,
        /// Organic posts generated for a detector benchmark.
        #[arg(long, default_value_t = 100_000)]
        posts: usize,
        /// Observed domains for `--detector lookalike_domain`.
        #[arg(long, default_value_t = 1_000_000)]
        domains: usize,
        /// Protected domains for `--detector lookalike_domain`.
        #[arg(long, default_value_t = 10_000)]
        protected: usize,
        /// Time incidents, the API and the exports on this scanned store instead.
        #[arg(long)]
        surface: Option<PathBuf>,
        /// Embed and semantically link `--posts` generated multilingual items instead.
        #[arg(long)]
        embed: bool,
        /// Threads for `--embed` (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Time the copy-cluster stage on `--posts` generated posts in-process, on DataFusion
        /// and on Ballista with 1 and 2 local executors (feature `cluster`).
        #[arg(long)]
        engines: bool,
        /// Hash this many generated JPEG files instead (perceptual hashes, as ingest does).
        #[arg(long)]
        images: Option<usize>,
        /// Width of the `--images` pictures in pixels (4:3).
        #[arg(long, default_value_t = 1280)]
        image_width: u32,
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
        // c2pa warns, once per signing context, that thumbnails need a feature vigie leaves off.
        0 => "warn,c2pa=error",
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

type Setup = Box<dyn Fn(&Store) -> Result<Box<dyn vigie_detect::clusters::FeatureEngine>, String>>;

/// The engine `--engine` names (`None`: in-process).
#[cfg(feature = "cluster")]
fn engine_setup(engine: &str, dir: PathBuf) -> Result<Option<Setup>> {
    Ok(vigie::cluster::engine_setup(engine, dir)?)
}

#[cfg(not(feature = "cluster"))]
fn engine_setup(engine: &str, _dir: PathBuf) -> Result<Option<Setup>> {
    if engine != "in-process" {
        bail!("--engine {engine}: this vigie was built without the `cluster` feature");
    }
    Ok(None)
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
            engine,
            engine_dir,
        } => {
            let config = load_config(config.as_deref())?;
            let db = db
                .or_else(|| config.store.url.clone().map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from("vigie.db"));
            let engine_dir = engine_dir.unwrap_or_else(|| {
                if vigie_store::is_url(&db) {
                    return PathBuf::from("vigie.items");
                }
                let mut d = db.clone().into_os_string();
                d.push(".items");
                PathBuf::from(d)
            });
            let setup = engine_setup(&engine, engine_dir)?;
            let mut store = Store::open(&db)?;
            let quarantine = quarantine.unwrap_or_else(|| {
                if vigie_store::is_url(&db) {
                    return PathBuf::from("vigie.quarantine.jsonl");
                }
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
            let scanned = scan_with(
                &mut store,
                &inputs,
                &config,
                &outputs,
                &opts,
                setup.as_deref(),
            );
            let report = match scanned {
                Err(vigie::scan::ScanError::Ingest(e @ IngestError::Interrupted { .. })) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::from(130));
                }
                other => other?,
            };
            print_scan_summary(&report, &outputs, &db);
        }
        Command::Stats { db, json } => {
            if !vigie_store::exists(&db) {
                bail!("{}: no such store (run `vigie scan` first)", db.display());
            }
            let stats = Store::open(&db)?.stats()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                print_stats(&stats);
            }
        }
        Command::Narratives { db, config, json } => {
            if !vigie_store::exists(&db) {
                bail!("{}: no such store (run `vigie scan` first)", db.display());
            }
            let config = load_config(config.as_deref())?;
            let store = Store::open(&db)?;
            let reports = narratives(&config, &store)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            } else if reports.is_empty() {
                println!("no [[narrative]] in the configuration");
            } else {
                for r in &reports {
                    println!(
                        "{}: {} items ({} by meaning alone)",
                        r.name, r.items, r.by_meaning_only
                    );
                    if let (Some(at), Some(item)) = (r.first_seen, &r.first_item) {
                        println!("  first seen {} ({item})", at.to_rfc3339());
                    }
                    let daily = joined(&r.daily, |(d, n)| format!("{d}:{n}"), " ");
                    println!("  daily: {daily}");
                    let top = joined(&r.top_spreaders, |(w, n)| format!("{w} ({n})"), ", ");
                    println!("  top spreaders: {top}");
                    let langs = joined(&r.languages, |(l, n)| format!("{l}:{n}"), " ");
                    println!("  languages: {langs}");
                    let by = joined(&r.alerts_by_detector, |(d, n)| format!("{d} {n}"), ", ");
                    println!("  alerts on the same items: {by}");
                }
            }
        }
        Command::Generate {
            seed,
            out,
            posts,
            c2pa,
            reworded_claims,
        } => {
            if c2pa && !cfg!(feature = "c2pa") {
                anyhow::bail!("--c2pa needs vigie built with the `c2pa` feature");
            }
            let opts = vigie_generate::GenerateOptions {
                seed,
                posts,
                content_credentials: c2pa,
                reworded_claims,
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
            real: Some(dataset),
            claims_dir,
            json,
            ..
        } => {
            if dataset != "claims" {
                anyhow::bail!("unknown real dataset {dataset:?} (have: claims)");
            }
            let Some(r) = vigie::eval_claims::evaluate(&claims_dir)? else {
                println!(
                    "skipped: {} is absent (TSE and LIAR claims, see ../shared/data/README.md)",
                    claims_dir.display()
                );
                return Ok(ExitCode::SUCCESS);
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_real_claims(&r);
            }
        }
        Command::Eval {
            seed,
            lookalike: true,
            per_class,
            fp_list,
            json,
            ..
        } => {
            let r = vigie::lookalike::evaluate(seed, per_class, Some(&fp_list))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_lookalike_eval(&r);
            }
        }
        Command::Lookalike {
            domains,
            config,
            starter_list,
            json,
        } => {
            let config = load_config(config.as_deref())?;
            let (index, starter) = vigie::lookalike::index_for(&config, starter_list)?;
            if starter && !json {
                eprintln!(
                    "protecting the bundled starter list ({} entities, {} domains)",
                    index.entities(),
                    index.targets()
                );
            }
            let mut flagged = false;
            let mut out = std::io::stdout().lock();
            vigie::lookalike::lookup_all(&index, &domains, |d, m| {
                flagged |= m.is_some();
                if json {
                    writeln!(out, "{}", lookalike_json(d, m.as_ref()))?;
                } else {
                    match m {
                        Some(m) => writeln!(
                            out,
                            "{d}\timitates {} ({}) score {:.2} [{}]: {}",
                            m.imitates,
                            m.entity,
                            m.score,
                            m.techniques
                                .iter()
                                .map(|t| t.name())
                                .collect::<Vec<_>>()
                                .join(", "),
                            m.reasons.join("; ")
                        )?,
                        None => writeln!(out, "{d}\tno look-alike of a protected domain")?,
                    }
                }
                Ok(())
            })?;
            // Like grep: 0 when something was found, 1 when nothing was.
            if !flagged {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Permute { domain, combine } => {
            let perms = vigie_detect::permute::permutations(&domain, combine);
            if perms.is_empty() {
                bail!("{domain:?} is not a domain name under a known public suffix");
            }
            let mut out = std::io::stdout().lock();
            for (host, technique) in &perms {
                // A closed pipe (`| head`) ends the listing.
                if writeln!(out, "{}\t{host}", technique.name()).is_err() {
                    break;
                }
            }
            eprintln!("{} look-alikes of {domain}", perms.len());
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
            media: true,
            ..
        } => media_eval(&out, seed, posts, json)?,
        Command::Eval {
            seed,
            posts,
            out,
            json,
            reworded_claims,
            ..
        } => {
            let opts = vigie_generate::GenerateOptions {
                seed,
                posts,
                content_credentials: cfg!(feature = "c2pa"),
                reworded_claims,
                ..Default::default()
            };
            let scores = vigie::eval::evaluate_with(&out, &opts)?;
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
        Command::Serve { db, addr, token } => {
            let token = token.or_else(|| std::env::var("VIGIE_TOKEN").ok());
            serve(db, addr, token)?;
        }
        Command::Export {
            format,
            db,
            out,
            incident,
            table,
            tlp,
            items,
        } => {
            let Some(tlp) = vigie_surface::stix::Tlp::parse(&tlp) else {
                bail!("--tlp must be white, clear, green, amber or red");
            };
            vigie::analyst::export(&vigie::analyst::ExportOptions {
                format,
                db,
                out,
                incident,
                table,
                tlp,
                items,
            })?;
        }
        Command::Report { incident, db, out } => {
            let out = out.unwrap_or_else(|| PathBuf::from(format!("{incident}.html")));
            vigie::analyst::report(&db, &incident, &out)?;
            eprintln!("wrote {}", out.display());
        }
        #[cfg(feature = "cluster")]
        Command::Cluster { role } => match role {
            ClusterRole::Scheduler {
                addr,
                external_host,
            } => vigie::cluster::scheduler(addr, external_host)?,
            ClusterRole::Executor {
                scheduler,
                bind,
                external_host,
                port,
                grpc_port,
                concurrent_tasks,
                work_dir,
            } => {
                let Some((host, sport)) = scheduler.rsplit_once(':') else {
                    bail!("--scheduler must be HOST:PORT");
                };
                let scheduler_port = sport
                    .parse()
                    .with_context(|| format!("--scheduler port {sport:?}"))?;
                vigie::cluster::executor(&vigie::cluster::ExecutorOptions {
                    scheduler_host: host.to_owned(),
                    scheduler_port,
                    external_host: external_host.or_else(|| Some(bind.clone())),
                    bind_host: bind,
                    port,
                    grpc_port,
                    concurrent_tasks,
                    work_dir,
                })?;
            }
        },
        Command::Demo {
            dir,
            addr,
            posts,
            no_serve,
        } => {
            if dir.join("vigie.db").exists() {
                std::fs::remove_file(dir.join("vigie.db"))?;
            }
            let (db, summary) = vigie::analyst::demo_prepare(&dir, posts, progress)?;
            print!("{summary}");
            if !no_serve {
                serve(db, addr, None)?;
            }
        }
        Command::Purge {
            db,
            older_than,
            config,
            vacuum,
        } => {
            let age = match older_than {
                Some(a) => vigie::analyst::parse_age(&a)?,
                None => chrono::TimeDelta::days(
                    load_config(config.as_deref())?.store.retention_days.into(),
                ),
            };
            let p = vigie::analyst::purge(&db, age, vacuum)?;
            eprintln!(
                "purged {} items, {} accounts, {} alerts and {} quarantined lines older than {} days",
                p.records,
                p.accounts,
                p.alerts,
                p.quarantined,
                age.num_days()
            );
        }
        Command::Bench {
            images: Some(n),
            image_width,
            ..
        } => {
            let dir = std::env::temp_dir().join(format!("vigie-bench-images-{n}-{image_width}"));
            let r = vigie::bench::bench_images(n, image_width, &dir)?;
            println!(
                "dataset: {} generated JPEG files of {}x{} pixels (quality {}), {:.1} MB, in {}",
                r.images,
                r.width,
                r.height,
                vigie::generate::images::PUBLISHED_QUALITY,
                r.bytes as f64 / 1e6,
                dir.display()
            );
            println!(
                "hashed (read, decode, gradient hash) on one thread: {} images in {:.2}s = {:.0} images/s",
                r.images,
                r.seconds,
                r.images as f64 / r.seconds.max(1e-9)
            );
            println!(
                "hashed as known originals (full frame and {} window hashes) on one thread: {:.2}s = {:.0} images/s",
                vigie_media::WINDOWS.iter().map(|(_, n)| n * n).sum::<u32>(),
                r.original_seconds,
                r.images as f64 / r.original_seconds.max(1e-9)
            );
            match r.peak_rss_bytes {
                Some(b) => println!("peak RSS while hashing: {:.1} MB", b as f64 / 1e6),
                None => println!("peak RSS: not reported on this platform"),
            }
            #[cfg(feature = "c2pa")]
            {
                let c = vigie::bench::bench_credentials(n, &dir)?;
                let rate = |s: f64| c.files as f64 / s.max(1e-9);
                println!(
                    "C2PA credentials read on one thread: {} unsigned files in {:.2}s = {:.0} files/s (no manifest)",
                    c.files,
                    c.unsigned_seconds,
                    rate(c.unsigned_seconds)
                );
                println!(
                    "C2PA manifests read and validated on one thread: {} signed files ({:.1} MB) in {:.2}s = {:.0} manifests/s, {} valid",
                    c.files,
                    c.signed_bytes as f64 / 1e6,
                    c.signed_seconds,
                    rate(c.signed_seconds),
                    c.valid
                );
                match c.peak_rss_bytes {
                    Some(b) => println!(
                        "peak RSS while reading credentials: {:.1} MB",
                        b as f64 / 1e6
                    ),
                    None => println!("peak RSS: not reported on this platform"),
                }
            }
            std::fs::remove_dir_all(&dir)?;
        }
        Command::Bench {
            surface: Some(db), ..
        } => {
            let r = vigie::bench::bench_surface(&db)?;
            println!(
                "store {}: {} alerts, {} incidents (largest: {} alerts)",
                db.display(),
                r.alerts,
                r.incidents,
                r.largest_incident_alerts
            );
            for (what, seconds, bytes) in &r.steps {
                println!("{what:<70} {:>9.3}s {:>12} bytes", seconds, bytes);
            }
            for (phase, peak) in [
                ("refresh and exports", r.peak_rss_exports),
                ("server (load and answers)", r.peak_rss_serve),
            ] {
                match peak {
                    Some(b) => println!("peak RSS, {phase}: {:.1} MB", b as f64 / 1e6),
                    None => println!("peak RSS: not reported on this platform"),
                }
            }
        }
        Command::Bench {
            detector: Some(detector),
            domains,
            protected,
            db,
            ..
        } if detector == "lookalike_domain" => {
            let r = vigie::lookalike::bench(domains, protected, &db)?;
            println!(
                "dataset: {} observed domains (alexa top 100k when present, 2% generated look-alikes, generated names) against {} protected domains",
                r.observed, r.protected
            );
            println!("index: built in {:.2}s", r.index_seconds);
            println!(
                "reverse lookup: {} domains in {:.2}s = {:.0} domains/s, {} flagged",
                r.observed,
                r.lookup_seconds,
                r.observed as f64 / r.lookup_seconds.max(1e-9),
                r.flagged
            );
            println!(
                "detector over the store: {:.2}s = {:.0} domains/s, {} alerts",
                r.detector_seconds,
                r.observed as f64 / r.detector_seconds.max(1e-9),
                r.alerts
            );
            match r.peak_rss_bytes {
                Some(b) => println!(
                    "peak RSS (index, lookups, detector): {:.1} MB",
                    b as f64 / 1e6
                ),
                None => println!("peak RSS: not reported on this platform"),
            }
        }
        #[cfg(feature = "cluster")]
        Command::Bench {
            posts,
            engines: true,
            ..
        } => {
            let dir = std::env::temp_dir().join(format!("vigie-bench-engines-{posts}"));
            print!("{}", vigie_cluster::bench::engines(posts, &dir)?);
        }
        #[cfg(not(feature = "cluster"))]
        Command::Bench { engines: true, .. } => {
            bail!("--engines: this vigie was built without the `cluster` feature")
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
            let dir = std::env::temp_dir().join(format!(
                "vigie-bench-{}-{posts}",
                detector.replace(',', "+")
            ));
            let r = vigie::bench::bench_detector(&detector, posts, &dir, progress)?;
            let read = match detector.as_str() {
                "political_ad" => "ads",
                "manufactured_media" => "media records and accounts",
                vigie::bench::TAKEOVER => "posts of the accounts followed",
                _ => "posts and articles",
            };
            println!(
                "dataset: vigie generate --seed 1 --posts {posts} ({} {read})",
                r.items
            );
            let unit = match detector.as_str() {
                "political_ad" => "ads",
                vigie::bench::TAKEOVER => "posts",
                _ => "items",
            };
            println!(
                "{}: {} {unit} in {:.1}s = {:.0} {unit}/s, {} alerts",
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
            if let Some(cpu) = r.cpu_seconds {
                println!(
                    "CPU time of the detectors (all threads): {cpu:.2}s = {:.0} items per \
                     CPU-second",
                    r.items as f64 / cpu.max(1e-9)
                );
            }
            // Unlike wall time, CPU time does not grow when other work shares the cores.
            if let (Some(ingest), Some(detect)) = (r.ingest_cpu_seconds, r.cpu_seconds) {
                println!(
                    "CPU time end to end (all threads): ingest {ingest:.1}s + detectors \
                     {detect:.1}s = {:.1}s = {:.0} items per CPU-second",
                    ingest + detect,
                    r.items as f64 / (ingest + detect).max(1e-9)
                );
            }
            if let Some(a) = r.analysis_seconds {
                println!(
                    "text analysis alone (texts in memory, store read excluded): {a:.2} CPU-s = \
                     {:.0} items per CPU-second",
                    r.items as f64 / a.max(1e-9)
                );
            }
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

fn lookalike_json(domain: &str, m: Option<&vigie_detect::lookalike::Match>) -> serde_json::Value {
    match m {
        Some(m) => serde_json::json!({
            "domain": domain,
            "host": m.host,
            "imitates": m.imitates,
            "entity": m.entity,
            "techniques": m.techniques.iter().map(|t| t.name()).collect::<Vec<_>>(),
            "edits": m.edits,
            "score": m.score,
            "reasons": m.reasons,
        }),
        None => serde_json::json!({ "domain": domain, "imitates": null }),
    }
}

fn print_lookalike_eval(r: &vigie::lookalike::LookalikeEval) {
    println!(
        "protected: bundled starter list, {} entities, {} domains",
        r.protected_entities, r.protected_domains
    );
    println!(
        "{:<20} {:>9} {:>7} {:>8} {:>11}",
        "class", "generated", "found", "recall", "classified"
    );
    for (class, c) in &r.per_class {
        let ratio = |a: usize| {
            if c.generated == 0 {
                0.0
            } else {
                a as f64 / c.generated as f64
            }
        };
        println!(
            "{class:<20} {:>9} {:>7} {:>8.3} {:>11.3}",
            c.generated,
            c.found,
            ratio(c.found),
            ratio(c.classified)
        );
    }
    println!("overall recall: {:.3}", r.recall);
    for (class, c) in &r.per_class {
        if !c.missed.is_empty() {
            println!("  missed {class}: {}", c.missed.join(", "));
        }
    }
    println!(
        "generated benign new domains flagged: {} of {}",
        r.benign_flagged, r.benign_generated
    );
    match &r.fp_list {
        Some(list) => {
            println!(
                "false positives on {list}: {} of {} = 1 in {:.0}",
                r.fp_flagged.len(),
                r.fp_checked,
                r.fp_checked as f64 / (r.fp_flagged.len().max(1)) as f64
            );
            for m in &r.fp_flagged {
                println!(
                    "  {} ~ {} [{}] {:.2}: {}",
                    m.host,
                    m.imitates,
                    m.techniques
                        .iter()
                        .map(|t| t.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                    m.score,
                    m.reasons.join("; ")
                );
            }
        }
        None => println!("false positives: list absent, not measured"),
    }
}

fn serve(db: PathBuf, addr: std::net::SocketAddr, token: Option<String>) -> Result<()> {
    let server =
        vigie_surface::web::Server::bind(&vigie_surface::web::ServeOptions { db, addr, token })?;
    let shown = server.local_addr()?;
    println!("dashboard: http://{shown}/  (API: http://{shown}/api/openapi.json; Ctrl-C to stop)");
    server.run()?;
    Ok(())
}

fn print_real_claims(r: &vigie::eval_claims::RealClaimsReport) {
    let hit = r.tse_selected.iter().filter(|c| c.flagged).count();
    println!(
        "TSE Fato ou Boato: {} debunks, {} state the rumour after a debunk frame; {} of those \
         are about voting date, hours, method, eligibility, place or cancellation (hand-picked)",
        r.tse_rows,
        r.tse_framed,
        r.tse_selected.len()
    );
    println!(
        "electoral_process recall on them (Brazil 2018/2020/2022 configured): {hit}/{} = {:.3}",
        r.tse_selected.len(),
        r.tse_recall
    );
    for c in &r.tse_selected {
        let verdict = if c.flagged { "found" } else { "MISSED" };
        println!("  {verdict:<6} {} {} {:?}", c.id, c.text, c.claimed);
    }
    println!(
        "LIAR, subject 'elections' (US 2016 configured): false positives on 'true' statements \
         {}/{} = {:.3}; on 'mostly-true' {}/{} = {:.3}",
        r.liar_true_flagged.len(),
        r.liar_true,
        r.liar_true_fp_rate,
        r.liar_mostly_true_flagged.len(),
        r.liar_mostly_true,
        r.liar_mostly_true_fp_rate
    );
    for c in r
        .liar_true_flagged
        .iter()
        .chain(&r.liar_mostly_true_flagged)
    {
        println!("  flagged {} {} {:?}", c.id, c.text, c.claimed);
    }
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
    let carried = report.incidents.carried.len();
    eprintln!(
        "{} incidents{}; `vigie serve --db {}` shows them",
        report.incidents.incidents,
        if carried > 0 {
            format!(" ({carried} changed and kept their analyst status and notes)")
        } else {
            String::new()
        },
        db.display()
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

/// Watched narratives, by meaning as well as words when the sentence encoder is available.
fn narratives(
    config: &Config,
    store: &Store,
) -> Result<Vec<vigie_detect::narratives::NarrativeReport>> {
    #[cfg(feature = "semantic")]
    if let Some(encoder) = vigie::scan::semantic_encoder(config) {
        let meaning = vigie_detect::narratives::by_meaning(config, store, &encoder)?;
        return Ok(vigie_detect::narratives::track_with(
            config, store, &meaning,
        )?);
    }
    Ok(vigie_detect::narratives::track(config, store)?)
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
    let d = &e.direct_rewording;
    println!(
        "rewording on each pair's own cosine (no group centroids) at {:.2}: precision {:.3}, recall {:.3}",
        d.threshold, d.precision, d.recall
    );
    for h in &e.held_out {
        if !h.reached {
            println!(
                "rewording: no group margin reaches precision 0.95 on claims {}",
                h.calibrated_on
            );
            continue;
        }
        println!(
            "rewording group margin chosen on claims {} (lowest reaching precision 0.95): {:.2} (there P {:.3} R {:.3}); on the other claims: P {:.3} R {:.3}",
            h.calibrated_on,
            h.calibration.threshold,
            h.calibration.precision,
            h.calibration.recall,
            h.test.precision,
            h.test.recall
        );
    }
    println!(
        "watched narratives (claims 0-5, one English example each, no keywords; every other version of the claim should match, nothing else):"
    );
    for n in &e.narratives {
        println!(
            "{:<12} {:>9} {:>9} {:>8} {:>9} {:>10.3} {:>7.3}",
            n.method,
            n.threshold.map_or("-".into(), |t| format!("{t:.2}")),
            n.predicted,
            n.correct,
            n.expected,
            n.precision,
            n.recall
        );
    }
    println!("rewording errors at the default thresholds (cosine, score and basis at the floor):");
    for p in &e.rewording_errors {
        println!(
            "  {:<6} {:.3} {:>6} {:<6} [{}|{}] {} | {}",
            p.error,
            p.cosine,
            p.score.map_or("-".into(), |s| format!("{s:.3}")),
            p.basis,
            p.langs[0].unwrap_or("?"),
            p.langs[1].unwrap_or("?"),
            p.a,
            p.b
        );
    }
    println!(
        "threshold sweep (rewordings: the group margin; pairs without translations stay at cosine {:.2}):",
        vigie_embed::LinkParams::default().rewording_min
    );
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
        "embed ({} distinct texts, vectors cached in a store): {:.1}s = {:.0} sentences/s",
        r.distinct,
        r.embed_seconds,
        r.items as f64 / r.embed_seconds.max(1e-9)
    );
    println!(
        "re-scan (vectors read from the cache): {:.1}s",
        r.rescan_seconds
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

/// `vigie eval --media`: the Hamming table, then `manufactured_media` scored on generated files.
fn media_eval(out: &std::path::Path, seed: u64, posts: usize, json: bool) -> anyhow::Result<()> {
    const PICTURES: usize = 200;
    let table = vigie::eval_media::hamming_table(seed, PICTURES)?;
    let scores = vigie::eval::evaluate(out, seed, posts)?;
    let media: Vec<_> = scores
        .into_iter()
        .filter(|s| s.detector == "manufactured_media")
        .collect();
    if json {
        let v = serde_json::json!({"hamming": table, "scores": media});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "Hamming distances of 64-bit gradient hashes, {PICTURES} procedural pictures (seed {seed}); \
         columns <=t: share of pairs within t bits"
    );
    vigie::eval_media::print_table(&table);
    println!();
    println!(
        "manufactured_media on vigie generate --seed {seed} --posts {posts} (image files in {})",
        out.join("media").display()
    );
    for s in &media {
        println!(
            "alerts {}, flagged {}, targets {}, precision {:.3}, recall {:.3}",
            s.alerts, s.flagged_items, s.target_items, s.precision, s.recall
        );
        for (name, value) in &s.details {
            println!("  {name} = {value:.3}");
        }
    }
    Ok(())
}

/// The items shown one by one and joined by `separator`.
fn joined<T>(
    items: impl IntoIterator<Item = T>,
    show: impl Fn(T) -> String,
    separator: &str,
) -> String {
    items
        .into_iter()
        .map(show)
        .collect::<Vec<_>>()
        .join(separator)
}
