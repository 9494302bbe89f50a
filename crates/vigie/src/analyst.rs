//! The analyst's commands: `export`, `report`, `purge` and `demo` (`serve` runs
//! [`vigie_surface::web::Server`] directly).

use anyhow::{bail, Context as _, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use vigie_core::Config;
use vigie_store::Store;
use vigie_surface::incidents::{self, Incident};
use vigie_surface::stix::Tlp;

/// Export formats of `vigie export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Stix,
    Gexf,
    Csv,
    /// The store's posts and articles as Parquet files in the `--out` folder: the input of
    /// distributed runs (feature `cluster`).
    Parquet,
}

/// Which CSV table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Table {
    Alerts,
    Incidents,
}

pub struct ExportOptions {
    pub format: Format,
    pub db: PathBuf,
    /// `None`: standard output.
    pub out: Option<PathBuf>,
    /// Only this incident (and its alerts).
    pub incident: Option<String>,
    pub table: Table,
    pub tlp: Tlp,
    /// Item nodes in the GEXF graph.
    pub items: bool,
}

fn open_existing(db: &Path) -> Result<Store> {
    if !vigie_store::exists(db) {
        bail!("{}: no such store (run `vigie scan` first)", db.display());
    }
    Ok(Store::open(db)?)
}

fn output(out: Option<&Path>) -> Result<Box<dyn Write>> {
    Ok(match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

pub fn export(o: &ExportOptions) -> Result<()> {
    if o.format == Format::Parquet {
        return export_parquet(o);
    }
    let mut store = open_existing(&o.db)?;
    if incidents::load(&store)?.is_empty() {
        incidents::refresh(&mut store)?;
    }
    let mut incs: Vec<Incident> = incidents::load(&store)?;
    let mut alerts = store.alerts()?;
    if let Some(id) = &o.incident {
        incs.retain(|i| &i.id == id);
        let Some(inc) = incs.first() else {
            bail!("no incident {id:?} in {}", o.db.display());
        };
        alerts.retain(|a| inc.alerts.contains(&a.id));
    }
    let mut w = output(o.out.as_deref())?;
    match o.format {
        Format::Stix => {
            vigie_surface::stix::write_bundle(&mut w, &incs, &alerts, o.tlp)?;
        }
        Format::Gexf => {
            let g = vigie_surface::graph::evidence_graph(
                &alerts,
                vigie_surface::graph::EvidenceGraphOptions {
                    items: o.items,
                    ..Default::default()
                },
            );
            g.write_gexf(
                &mut w,
                "vigie evidence graph: alerts, the accounts, domains and items they name, co-alerted pairs, relay sites and origins",
            )?;
        }
        // Written above: a folder of files, not one stream.
        Format::Parquet => {}
        Format::Csv => match o.table {
            Table::Alerts => vigie_surface::table::write_alerts(&mut w, &alerts, &incs)?,
            Table::Incidents => {
                vigie_surface::table::write_incidents(&mut w, &incs, &store.incident_states()?)?
            }
        },
    }
    w.flush()?;
    Ok(())
}

#[cfg(feature = "cluster")]
fn export_parquet(o: &ExportOptions) -> Result<()> {
    let Some(dir) = &o.out else {
        bail!("vigie export parquet needs --out FOLDER");
    };
    let store = open_existing(&o.db)?;
    let written = vigie_cluster::export::export_items(&store, dir)?;
    eprintln!(
        "wrote {} items in {} Parquet files to {}",
        written.rows,
        written.files.len(),
        dir.display()
    );
    Ok(())
}

#[cfg(not(feature = "cluster"))]
fn export_parquet(_: &ExportOptions) -> Result<()> {
    bail!("this vigie was built without the `cluster` feature: Parquet export is not available")
}

pub fn report(db: &Path, id: &str, out: &Path) -> Result<()> {
    let mut store = open_existing(db)?;
    if incidents::load(&store)?.is_empty() {
        incidents::refresh(&mut store)?;
    }
    let html = vigie_surface::report::render(&store, id)?;
    std::fs::write(out, html).with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

/// Parses a retention age: `6months`, `183d`, `26w`, `1y` (a year is 365 days).
pub fn parse_age(s: &str) -> Result<chrono::TimeDelta> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse::<i64>()
        .ok()
        .filter(|n| *n <= 100_000)
        .with_context(|| format!("{s:?}: expected a number and a unit, e.g. 6months or 180d"))?;
    let days = match unit.trim() {
        "d" | "day" | "days" => n,
        "w" | "week" | "weeks" => n * 7,
        // A mean Gregorian month, so 6months is the 183 days of the configuration's default.
        "m" | "month" | "months" => (n as f64 * 30.436_875).round() as i64,
        "y" | "year" | "years" => n * 365,
        u => bail!("{s:?}: unknown unit {u:?} (use d, w, months or y)"),
    };
    if !(1..=36_500).contains(&days) {
        bail!("{s:?}: the age must be between 1 day and 100 years");
    }
    Ok(chrono::TimeDelta::days(days))
}

pub fn purge(db: &Path, age: chrono::TimeDelta, vacuum: bool) -> Result<vigie_store::Purged> {
    let mut store = open_existing(db)?;
    let cutoff = chrono::Utc::now() - age;
    let purged = store.purge_before(cutoff.timestamp_millis())?;
    incidents::refresh(&mut store)?;
    if vacuum {
        store.vacuum()?;
    }
    Ok(purged)
}

/// Generates the demo dataset in `dir`, scans it into `dir/vigie.db` and returns the store path
/// and a short summary to print.
pub fn demo_prepare(dir: &Path, posts: usize, progress: bool) -> Result<(PathBuf, String)> {
    let data = dir.join("data");
    let db = dir.join("vigie.db");
    let opts = vigie_generate::GenerateOptions {
        posts,
        ..Default::default()
    };
    vigie_generate::generate(&opts, dir)?;
    let config = Config::load(&dir.join("vigie.toml"))?;
    let mut store = Store::open(&db)?;
    let outputs = crate::scan::ScanOutputs {
        alerts: Some(dir.join("alerts.jsonl")),
        quarantine: dir.join("quarantine.jsonl"),
    };
    let ingest = crate::ingest::IngestOptions {
        progress,
        ..Default::default()
    };
    let report = crate::scan::scan(&mut store, &[data], &config, &outputs, &ingest)?;
    let incs = incidents::load(&store)?;
    let mut s = format!(
        "demo: {} records read, {} alerts from {} grouped into {} incidents\n",
        report.ingest.total(|i| i.read),
        report.alerts.len(),
        report.detectors.join(", "),
        incs.len()
    );
    for i in incs.iter().take(5) {
        s.push_str(&format!(
            "  {:<8} {}  {}\n",
            i.severity.as_str(),
            i.id,
            i.title.chars().take(90).collect::<String>()
        ));
    }
    Ok((db, s))
}
