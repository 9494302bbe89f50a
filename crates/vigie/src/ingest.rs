//! Ingest: read inputs, normalise, store — exactly once, resumable, never stopped by a bad record.
//!
//! Each input is read on its own thread (parse + normalise) while this thread writes batches to
//! the store. A batch ends on a line boundary and commits together with the input's checkpoint, so
//! a killed run re-run skips what was committed and re-reads the rest: every record ends up stored
//! exactly once, and every rejection quarantined exactly once.

use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigie_core::Config;
use vigie_media::{MediaHasher, MediaLimits};
use vigie_normalise::Normaliser;
use vigie_sources::{open_input, read_format, Event, Input, ReadContext, Rejected, SourceError};
use vigie_store::{CheckpointsBeside, Inserted, RecordRow, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "interrupted after committing {committed} records; run the same command again to resume"
    )]
    Interrupted { committed: u64 },
}

pub struct IngestOptions {
    /// Records handed from the reader thread to the writer at a time.
    pub chunk_records: usize,
    /// Records per transaction (and per checkpoint). Large transactions matter: every commit
    /// rewrites the identity index pages it touched, and identity digests are spread uniformly.
    pub commit_records: usize,
    /// A transaction also commits after this long, so an interrupted run loses little work.
    pub commit_interval: Duration,
    pub progress: bool,
    /// Set from a signal handler to stop cleanly after the current batch.
    pub interrupt: Arc<AtomicBool>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            chunk_records: 5_000,
            commit_records: 200_000,
            commit_interval: Duration::from_secs(5),
            progress: false,
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct InputSummary {
    pub input: String,
    pub format: String,
    pub read: u64,
    pub new: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Line this run started after (a previous run's checkpoint), 0 when read from the start.
    pub resumed_after_line: u64,
    /// Set when the input was skipped: already fully ingested, or unrecognised in a folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// A damaged document: the records before the damage were kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IngestSummary {
    pub run: i64,
    pub inputs: Vec<InputSummary>,
    pub seconds: f64,
}

impl IngestSummary {
    pub fn total(&self, f: impl Fn(&InputSummary) -> u64) -> u64 {
        self.inputs.iter().map(f).sum()
    }
}

enum Item {
    Record(Box<RecordRow>),
    Rejected(Rejected),
}

/// Events of one input as read, cut on a line boundary.
struct RawChunk {
    events: Vec<(u64, Event)>,
    last_line: u64,
}

impl RawChunk {
    fn with_capacity(n: usize) -> RawChunk {
        RawChunk {
            events: Vec::with_capacity(n),
            last_line: 0,
        }
    }
}

/// Threads that normalise: one per core (reading and writing overlap with them). `VIGIE_NORMALISERS` overrides it
/// (for measuring).
fn normaliser_threads() -> usize {
    if let Some(n) = std::env::var("VIGIE_NORMALISERS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return usize::clamp(n, 1, 64);
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

/// The same events normalised and serialised for the store.
struct Chunk {
    items: Vec<Item>,
    last_line: u64,
}

pub fn ingest(
    store: &mut Store,
    inputs: &[Input],
    config: &Config,
    opts: &IngestOptions,
) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let run = store.begin_run(&names)?;
    let mut summary = IngestSummary {
        run,
        ..Default::default()
    };
    let normaliser = Normaliser::new(&config.input);
    // The writer is the pipeline's bottleneck: copying the log back runs beside it.
    let checkpoints = store.checkpoints_beside()?;
    let mut failed = None;
    for input in inputs {
        match ingest_one(
            store,
            run,
            input,
            config,
            &normaliser,
            opts,
            checkpoints.as_ref(),
        ) {
            Ok(s) => summary.inputs.push(s),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    if let Some(checkpoints) = checkpoints {
        store.end_checkpoints_beside(checkpoints)?;
    }
    if let Some(e) = failed {
        summary.seconds = started.elapsed().as_secs_f64();
        store.finish_run(run, &serde_json::to_value(&summary).unwrap_or_default())?;
        return Err(e);
    }
    summary.seconds = started.elapsed().as_secs_f64();
    store.finish_run(run, &serde_json::to_value(&summary).unwrap_or_default())?;
    Ok(summary)
}

fn ingest_one(
    store: &mut Store,
    run: i64,
    input: &Input,
    config: &Config,
    normaliser: &Normaliser,
    opts: &IngestOptions,
    checkpoints: Option<&CheckpointsBeside>,
) -> Result<InputSummary, IngestError> {
    let mut sum = InputSummary {
        input: input.name.clone(),
        ..Default::default()
    };
    let fingerprint = input.fingerprint();
    let checkpoint = match &fingerprint {
        Some(fp) => store.checkpoint(&input.name, fp)?,
        None => None,
    };
    if checkpoint.is_some_and(|c| c.done) {
        sum.skipped = Some("already ingested (unchanged since)".into());
        return Ok(sum);
    }
    let resume_after = checkpoint.map(|c| c.line).unwrap_or(0);
    sum.resumed_after_line = resume_after;
    let opened = match open_input(input, &config.input) {
        Ok(o) => o,
        Err(SourceError::Unrecognised { hint, .. }) if input.from_folder => {
            tracing::warn!(input = %input.name, %hint, "skipping unrecognised file");
            sum.skipped = Some(format!("unrecognised format ({hint})"));
            return Ok(sum);
        }
        Err(e) => return Err(e.into()),
    };
    sum.format = opened.format.name().to_owned();
    tracing::info!(input = %input.name, format = %sum.format, gzip = opened.gzip, resume_after, "reading");
    let bar = progress_bar(opts.progress, &input.name, opened.total_bytes);
    let bytes_read = Arc::clone(&opened.bytes_read);
    let format = opened.format;
    let mut reader = opened.reader;
    let chunk_records = opts.chunk_records.clamp(1, opts.commit_records.max(1));
    let interrupt = Arc::clone(&opts.interrupt);
    let workers = normaliser_threads();
    // Image files named by records are hashed by the workers, relative to this input's folder.
    let media = MediaHasher::new(input.path.as_deref(), MediaLimits::from(&config.input));
    let media = &media;

    // reader (parse) → workers (normalise, serialise) → this thread (write). Chunk n goes to
    // worker n % W and is collected from it in the same turn, so the writer sees input order.
    let (read_result, write_result) = std::thread::scope(|scope| {
        let mut to_workers = Vec::with_capacity(workers);
        let mut from_workers = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (raw_tx, raw_rx) = sync_channel::<RawChunk>(1);
            let (out_tx, out_rx) = sync_channel::<Chunk>(1);
            scope.spawn(move || {
                for raw in raw_rx {
                    let items = raw
                        .events
                        .into_iter()
                        .map(|(line, event)| match event {
                            Event::Record { record, .. } => {
                                prepare(normaliser, media, record, line)
                            }
                            Event::Rejected(r) => Item::Rejected(r),
                        })
                        .collect();
                    let chunk = Chunk {
                        items,
                        last_line: raw.last_line,
                    };
                    if out_tx.send(chunk).is_err() {
                        return;
                    }
                }
            });
            to_workers.push(raw_tx);
            from_workers.push(out_rx);
        }
        let reader_thread = scope.spawn(move || {
            let ctx = ReadContext::new(&input.name, &config.input).with_validator(normaliser);
            let mut chunk = RawChunk::with_capacity(chunk_records);
            let mut sent = 0usize;
            let mut stopped = false;
            let mut sink = |event: Event| {
                let line = match &event {
                    Event::Record { line, .. } => *line,
                    Event::Rejected(r) => r.line,
                };
                if line <= resume_after {
                    return ControlFlow::Continue(());
                }
                // Cut only between lines: a CSV row may yield an account and a post.
                if chunk.events.len() >= chunk_records && line != chunk.last_line {
                    let full =
                        std::mem::replace(&mut chunk, RawChunk::with_capacity(chunk_records));
                    let delivered = to_workers[sent % workers].send(full).is_ok();
                    sent += 1;
                    if !delivered || interrupt.load(Ordering::Relaxed) {
                        stopped = true;
                        return ControlFlow::Break(());
                    }
                }
                chunk.last_line = line;
                chunk.events.push((line, event));
                ControlFlow::Continue(())
            };
            let result = read_format(format, &mut reader, ctx, &mut sink);
            if !stopped && !chunk.events.is_empty() && !interrupt.load(Ordering::Relaxed) {
                let _ = to_workers[sent % workers].send(chunk);
            }
            result
        });
        let ordered = (0..).map_while(|n: usize| from_workers[n % workers].recv().ok());
        let write_result = write_chunks(
            store,
            run,
            input,
            fingerprint.as_deref(),
            ordered,
            &mut sum,
            &bar,
            &bytes_read,
            opts,
            checkpoints,
        );
        drop(from_workers);
        let read_result = reader_thread.join().unwrap_or_else(|_| {
            Err(SourceError::Malformed {
                input: input.name.clone(),
                format: "input",
                line: 0,
                reason: "reader thread panicked".into(),
            })
        });
        (read_result, write_result)
    });
    bar.finish_and_clear();
    write_result?;
    if opts.interrupt.load(Ordering::Relaxed) {
        return Err(IngestError::Interrupted { committed: sum.new });
    }
    match read_result {
        Ok(()) => {}
        Err(SourceError::Malformed { line, reason, .. }) => {
            // The document is damaged from `line` on; what came before is kept and the damage is
            // quarantined so the summary and the quarantine file show it.
            let mut batch = store.batch()?;
            batch.quarantine(
                run,
                &input.name,
                line,
                &format!("unreadable from here: {reason}"),
                b"",
            )?;
            batch.commit()?;
            sum.rejected += 1;
            sum.error = Some(format!("line {line}: {reason}"));
            return Ok(sum);
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(fp) = &fingerprint {
        let mut batch = store.batch()?;
        batch.set_checkpoint(&input.name, fp, u64::MAX >> 1, true)?;
        batch.commit()?;
    }
    Ok(sum)
}

/// Hashes the record's image files, normalises and serialises it on a worker thread; a failure
/// (an unreadable or hostile image file included) becomes a rejection.
fn prepare(
    normaliser: &Normaliser,
    media: &MediaHasher,
    mut record: vigie_core::Record,
    line: u64,
) -> Item {
    let raw = |record: &vigie_core::Record| serde_json::to_vec(record).unwrap_or_default();
    if let Err(e) = media.fill(&mut record) {
        return Item::Rejected(Rejected {
            line,
            reason: e.to_string(),
            raw: raw(&record),
        });
    }
    match normaliser.normalise(record) {
        Ok(n) => match RecordRow::new(&n) {
            Ok(row) => Item::Record(Box::new(row)),
            Err(e) => Item::Rejected(Rejected {
                line,
                reason: e.to_string(),
                raw: raw(&n.record),
            }),
        },
        Err(rejection) => Item::Rejected(Rejected {
            line,
            reason: rejection.to_string(),
            raw: rejection.record().map(raw).unwrap_or_default(),
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn write_chunks(
    store: &mut Store,
    run: i64,
    input: &Input,
    fingerprint: Option<&str>,
    chunks: impl Iterator<Item = Chunk>,
    sum: &mut InputSummary,
    bar: &ProgressBar,
    bytes_read: &std::sync::atomic::AtomicU64,
    opts: &IngestOptions,
    checkpoints: Option<&CheckpointsBeside>,
) -> Result<(), IngestError> {
    let started = Instant::now();
    let mut batch = store.batch()?;
    let mut uncommitted = 0usize;
    let mut last_commit = Instant::now();
    for chunk in chunks {
        for item in &chunk.items {
            match item {
                Item::Record(n) => {
                    sum.read += 1;
                    match batch.insert_row(n)? {
                        Inserted::New => sum.new += 1,
                        Inserted::Duplicate => sum.duplicates += 1,
                    }
                }
                Item::Rejected(r) => {
                    sum.rejected += 1;
                    tracing::debug!(input = %input.name, line = r.line, reason = %r.reason, "rejected");
                    batch.quarantine(run, &input.name, r.line, &r.reason, &r.raw)?;
                }
            }
        }
        uncommitted += chunk.items.len();
        if let Some(fp) = fingerprint {
            batch.set_checkpoint(&input.name, fp, chunk.last_line, false)?;
        }
        if uncommitted >= opts.commit_records || last_commit.elapsed() >= opts.commit_interval {
            batch.commit()?;
            if let Some(checkpoints) = checkpoints {
                store.restart_log_if_due(checkpoints)?;
            }
            batch = store.batch()?;
            uncommitted = 0;
            last_commit = Instant::now();
        }
        bar.set_position(bytes_read.load(Ordering::Relaxed));
        let rate = sum.read as f64 / started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{} records, {:.0}/s, {} rejected",
            sum.read, rate, sum.rejected
        ));
    }
    batch.commit()?;
    Ok(())
}

fn progress_bar(enabled: bool, name: &str, total: Option<u64>) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::new_spinner(),
    };
    let style = ProgressStyle::with_template(
        "{prefix} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(short_name(name));
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn short_name(name: &str) -> String {
    let base = std::path::Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_owned());
    if base.chars().count() > 32 {
        base.chars().take(31).chain(std::iter::once('…')).collect()
    } else {
        base
    }
}
