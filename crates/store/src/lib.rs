//! The embedded store: here is my record, keep it once; here is my id, give me my record.
//!
//! One SQLite file in WAL mode. Records are keyed by a stable 64-bit digest of (kind, platform,
//! id), so reading the same input twice stores each record once. Ingest commits in batches together
//! with a per-input checkpoint (last committed line), so an interrupted run resumes where it
//! stopped; rejections are stored in the same transaction, so they too are recorded exactly once.

mod analyst;
mod copy_index;
mod embeddings;
mod migrations;
#[cfg(feature = "postgres")]
mod pg;
mod wal;

#[cfg(feature = "postgres")]
pub use pg::ScratchSchema;

pub use analyst::{EvidenceRole, IncidentRow, IncidentState, Note, Purged};
pub use copy_index::{CopyAssignments, CopyState};
pub use embeddings::TextDigest;
pub use wal::CheckpointsBeside;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use vigie_core::{Alert, Kind, Record};
use vigie_normalise::{Derived, Normalised};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("store {path}: schema version {found} is newer than this vigie understands ({supported}); upgrade vigie")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[cfg(feature = "postgres")]
    #[error("store {path}: {source}")]
    Postgres {
        path: String,
        source: postgres::Error,
    },
    #[error(
        "store {0}: this vigie was built without PostgreSQL support (cargo feature `postgres`)"
    )]
    NoPostgres(String),
    #[error("store: corrupt row {rid}: {reason}")]
    Corrupt { rid: i64, reason: String },
    #[error("store: key collision between {existing} and {new} (64-bit digest); please report")]
    Collision { existing: String, new: String },
    /// A row callback asked to stop the pass; the caller holds the reason.
    #[error("store: pass stopped by its caller")]
    Stopped,
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    backend: Backend,
    /// Where the store is, as shown to people (a URL without its password).
    path: String,
    /// The SQLite file, when the store is one: a second connection can be opened to it.
    file: Option<std::path::PathBuf>,
}

enum Backend {
    Sqlite(Connection),
    #[cfg(feature = "postgres")]
    Postgres(Box<pg::PgStore>),
}

/// The SQLite connection of `$self`, or else the same operation done by the PostgreSQL backend
/// (returned at once).
macro_rules! sqlite {
    ($self:ident, $pg:ident => $e:expr) => {{
        // Without the `postgres` feature the match has one arm.
        #[allow(clippy::infallible_destructuring_match)]
        let conn = match &$self.backend {
            $crate::Backend::Sqlite(conn) => conn,
            #[cfg(feature = "postgres")]
            $crate::Backend::Postgres($pg) => return $e,
        };
        conn
    }};
}

/// [`sqlite!`] for operations that need the connection mutably (transactions).
macro_rules! sqlite_mut {
    ($self:ident, $pg:ident => $e:expr) => {{
        // Without the `postgres` feature the match has one arm.
        #[allow(clippy::infallible_destructuring_match)]
        let conn = match &mut $self.backend {
            $crate::Backend::Sqlite(conn) => conn,
            #[cfg(feature = "postgres")]
            $crate::Backend::Postgres($pg) => return $e,
        };
        conn
    }};
}
pub(crate) use {sqlite, sqlite_mut};

/// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://` URL) rather
/// than an SQLite file.
pub fn is_url(location: &Path) -> bool {
    let s = location.to_string_lossy();
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL as shown to people: without its password.
fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// Whether a store is there to open: the file exists, or `location` is a database URL (whether
/// the server answers is found out on opening).
pub fn exists(location: &Path) -> bool {
    is_url(location) || location.exists()
}

/// Whether an insert added a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    Duplicate,
}

/// Where a previous run stopped reading an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checkpoint {
    pub line: u64,
    pub done: bool,
}

/// A stored record with the store's row id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub rid: i64,
    pub record: Record,
    pub derived: Derived,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub path: String,
    pub schema_version: i64,
    pub by_kind: Vec<(String, u64)>,
    pub by_platform: Vec<(String, u64)>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub quarantined: u64,
    pub inputs: u64,
    pub alerts_by_detector: Vec<(String, u64)>,
    pub file_bytes: u64,
}

/// The light view of a record given by [`Store::for_each_text`].
#[derive(Debug, Clone, Copy)]
pub struct TextRow<'a> {
    pub rid: i64,
    pub kind: Kind,
    /// Platform for posts and ads, site for articles.
    pub platform: &'a str,
    pub id: &'a str,
    pub author: Option<&'a str>,
    /// Unix milliseconds, UTC.
    pub ts: Option<i64>,
    /// The folded text (NFKC + case folding).
    pub norm: &'a str,
    /// For a native repost (retweet, forward), the id of the reposted item.
    pub repost_of: Option<&'a str>,
    /// ISO 639-1 language, declared or detected.
    pub lang: Option<&'a str>,
    /// An article's headline, as given (not folded).
    pub title: Option<&'a str>,
}

/// A record as stored, undecoded: for detectors that read a few fields of many records.
#[derive(Debug, Clone, Copy)]
pub struct JsonRow<'a> {
    pub rid: i64,
    /// The author of a post or ad.
    pub author: Option<&'a str>,
    /// Unix milliseconds, UTC.
    pub ts: Option<i64>,
    /// The folded text (NFKC + case folding).
    pub norm: &'a str,
    /// The record, as JSON.
    pub record: &'a str,
    /// What normalisation derived (canonical URLs, domains), as JSON; empty when nothing.
    pub derived: &'a str,
    /// ISO 639-1 language, declared or detected.
    pub lang: Option<&'a str>,
}

/// What [`Store::for_each_link`] gives per record.
#[derive(Debug)]
pub struct LinkRow<'a> {
    pub kind: Kind,
    /// The id as given in the input (an article's `url` when it has no `id`).
    pub id: &'a str,
    pub author: Option<&'a str>,
    /// Milliseconds since the Unix epoch.
    pub ts: Option<i64>,
    /// Canonical URLs ([`vigie_normalise::Derived::urls`]).
    pub urls: &'a [String],
}

/// A quarantined input line.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    pub input: String,
    pub line: u64,
    pub reason: String,
    pub raw: Vec<u8>,
}

impl Store {
    /// Opens (creating if needed) the store and brings its schema up to date: an SQLite file, or
    /// a PostgreSQL database when `path` is a `postgres://` URL (cargo feature `postgres`).
    pub fn open(path: &Path) -> Result<Store> {
        if is_url(path) {
            return Store::open_url(&path.to_string_lossy());
        }
        let shown = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: shown.clone(),
            source,
        })?;
        let mut store = Store::init(conn, shown)?;
        store.file = Some(path.to_path_buf());
        Ok(store)
    }

    /// A second connection to the same SQLite file, for reading beside this one on another
    /// thread; `None` for a store in memory or in PostgreSQL.
    pub fn reopen(&self) -> Result<Option<Store>> {
        self.file.as_deref().map(Store::open).transpose()
    }

    /// Moves the write-ahead log's checkpoints to a thread of their own for a bulk write (see
    /// [`wal`]); `None` for a store in memory or in PostgreSQL, which need none.
    pub fn checkpoints_beside(&self) -> Result<Option<CheckpointsBeside>> {
        let (Backend::Sqlite(conn), Some(file)) = (&self.backend, &self.file) else {
            return Ok(None);
        };
        CheckpointsBeside::start(conn, file).map_err(|e| self.err(e))
    }

    /// Call between transactions while checkpoints run beside: bounds the log (see [`wal`]).
    pub fn restart_log_if_due(&self, beside: &CheckpointsBeside) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => beside.restart_if_due(conn).map_err(|e| self.err(e)),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// Stops the checkpoints beside and gives this connection its own back.
    pub fn end_checkpoints_beside(&self, beside: CheckpointsBeside) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(conn) => beside.finish(conn).map_err(|e| self.err(e)),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Ok(()),
        }
    }

    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        Store::init(conn, ":memory:".into())
    }

    #[cfg(feature = "postgres")]
    fn open_url(url: &str) -> Result<Store> {
        let (pg, path) = pg::PgStore::open(url)?;
        Ok(Store {
            backend: Backend::Postgres(Box::new(pg)),
            path,
            file: None,
        })
    }

    #[cfg(not(feature = "postgres"))]
    fn open_url(url: &str) -> Result<Store> {
        Err(StoreError::NoPostgres(shown_url(url)))
    }

    fn init(mut conn: Connection, path: String) -> Result<Store> {
        let err = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        // A reader (stats, serve) and a writer (scan) may share the file: wait rather than fail.
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        Store::pragmas(&conn).map_err(err)?;
        migrations::migrate(&mut conn).map_err(|e| match e {
            migrations::MigrateError::TooNew { found, supported } => StoreError::TooNew {
                path: path.clone(),
                found,
                supported,
            },
            migrations::MigrateError::Sqlite(source) => err(source),
        })?;
        Ok(Store {
            backend: Backend::Sqlite(conn),
            path,
            file: None,
        })
    }

    fn pragmas(conn: &Connection) -> rusqlite::Result<()> {
        // WAL + NORMAL: a crash loses at most the last uncommitted batch, never corrupts the file.
        // No mmap and temporary b-trees on disk: memory stays bounded however large the store.
        // 64 MB of page cache holds the identity index of a few million records, which every
        // insert probes at a uniformly random place.
        const PRAGMAS: &str = "PRAGMA page_size = 8192;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = FILE;
             PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 0;
             PRAGMA foreign_keys = ON;";
        // Switching a new file to WAL needs it to itself, and SQLite reports a busy file at once
        // here instead of waiting: retry while another process is opening the same new store.
        let mut attempts = 0;
        loop {
            match conn.execute_batch(PRAGMAS) {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && attempts < 500 =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn schema_version(&self) -> Result<i64> {
        let conn = sqlite!(self, pg => pg.schema_version());
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Starts a batch of writes; nothing is visible or durable until [`Batch::commit`].
    pub fn batch(&mut self) -> Result<Batch<'_>> {
        let path = self.path.clone();
        let conn = sqlite_mut!(self, pg => Ok(Batch { inner: BatchInner::Postgres(Box::new(pg.batch()?)), path }));
        let tx = conn.transaction().map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            source,
        })?;
        Ok(Batch {
            inner: BatchInner::Sqlite(tx),
            path,
        })
    }

    pub fn checkpoint(&self, input: &str, fingerprint: &str) -> Result<Option<Checkpoint>> {
        let conn = sqlite!(self, pg => pg.checkpoint(input, fingerprint));
        conn.query_row(
            "SELECT line, done FROM inputs WHERE name = ?1 AND fingerprint = ?2",
            params![input, fingerprint],
            |r| {
                Ok(Checkpoint {
                    line: r.get::<_, i64>(0)?.max(0) as u64,
                    done: r.get(1)?,
                })
            },
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// Starts a run and returns its id; rejections are tagged with it.
    pub fn begin_run(&mut self, inputs: &[String]) -> Result<i64> {
        let conn = sqlite!(self, pg => pg.begin_run(inputs));
        let now = Utc::now().timestamp_millis();
        let inputs = serde_json::to_string(inputs).unwrap_or_default();
        conn.execute(
            "INSERT INTO runs (started_at, inputs) VALUES (?1, ?2)",
            params![now, inputs],
        )
        .map_err(|e| self.err(e))?;
        Ok(conn.last_insert_rowid())
    }

    pub fn finish_run(&mut self, run: i64, summary: &serde_json::Value) -> Result<()> {
        let conn = sqlite!(self, pg => pg.finish_run(run, summary));
        let now = Utc::now().timestamp_millis();
        conn.execute(
            "UPDATE runs SET finished_at = ?1, summary = ?2 WHERE run_id = ?3",
            params![now, summary.to_string(), run],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Rejections not yet written to the quarantine file, in the order they were recorded
    /// (including those of an earlier run that was killed before writing its file). Returns the
    /// last id visited, to pass to [`Store::mark_quarantine_exported`] once the file is written.
    pub fn pending_quarantine(&self, mut f: impl FnMut(Quarantined)) -> Result<Option<i64>> {
        let conn = sqlite!(self, pg => pg.pending_quarantine(f));
        let mut stmt = conn
            .prepare("SELECT qid, input, line, reason, raw FROM quarantine WHERE exported = 0 ORDER BY qid")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut last = None;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            last = Some(r.get::<_, i64>(0).map_err(|e| self.err(e))?);
            f(Quarantined {
                input: r.get(1).map_err(|e| self.err(e))?,
                line: r.get::<_, i64>(2).map_err(|e| self.err(e))?.max(0) as u64,
                reason: r.get(3).map_err(|e| self.err(e))?,
                raw: r.get(4).map_err(|e| self.err(e))?,
            });
        }
        Ok(last)
    }

    pub fn mark_quarantine_exported(&mut self, up_to: i64) -> Result<()> {
        let conn = sqlite!(self, pg => pg.mark_quarantine_exported(up_to));
        conn.execute(
            "UPDATE quarantine SET exported = 1 WHERE exported = 0 AND qid <= ?1",
            params![up_to],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Streams every record of `kind` in time order (ties by insertion order). Memory is bounded:
    /// rows are decoded one at a time.
    pub fn for_each(
        &self,
        kind: Kind,
        mut f: impl FnMut(StoredRecord) -> Result<()>,
    ) -> Result<()> {
        let conn = sqlite!(self, pg => pg.for_each(kind, f));
        let mut stmt = conn
            .prepare(
                "SELECT rid, record, derived, norm FROM records WHERE kind = ?1 ORDER BY ts, rid",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![kind.code()]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let rid: i64 = r.get(0).map_err(|e| self.err(e))?;
            let record: String = r.get(1).map_err(|e| self.err(e))?;
            let derived: Option<String> = r.get(2).map_err(|e| self.err(e))?;
            let norm: Option<String> = r.get(3).map_err(|e| self.err(e))?;
            f(decode(rid, &record, derived.as_deref(), norm)?)?;
        }
        Ok(())
    }

    /// Time of each author's first post, per platform: `(platform, author, unix ms)`, sorted.
    pub fn first_post_times(&self) -> Result<Vec<(String, String, i64)>> {
        let conn = sqlite!(self, pg => pg.first_post_times());
        let mut stmt = conn
            .prepare(
                "SELECT platform, author, MIN(ts) FROM records
                 WHERE kind = ?1 AND author IS NOT NULL AND ts IS NOT NULL
                 GROUP BY platform, author ORDER BY platform, author",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![Kind::Post.code()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    /// Streams every record of `kind` undecoded, in publication order (ties by insertion order).
    pub fn for_each_json_by_time(
        &self,
        kind: Kind,
        f: impl FnMut(&JsonRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let conn = sqlite!(self, pg => pg.for_each_json_by_time(kind, f));
        self.json_rows(conn, "", params![kind.code()], f)
    }

    /// Streams the records of `kind` published in `[from_ms, to_ms)`, undecoded, in publication
    /// order: a short window is read without visiting the rest. A record without a time counts
    /// as published at 0, as the time-ordered passes read it.
    pub fn for_each_json_between(
        &self,
        kind: Kind,
        from_ms: i64,
        to_ms: i64,
        mut f: impl FnMut(&JsonRow<'_>) -> Result<()>,
    ) -> Result<()> {
        if from_ms >= to_ms {
            return Ok(());
        }
        let conn = sqlite!(self, pg => pg.for_each_json_between(kind, from_ms, to_ms, f));
        // Untimed rows come first, as in a full pass; separate queries keep the range on the index.
        if from_ms <= 0 && 0 < to_ms {
            self.json_rows(conn, "AND ts IS NULL", params![kind.code()], &mut f)?;
        }
        self.json_rows(
            conn,
            "AND ts >= ?2 AND ts < ?3",
            params![kind.code(), from_ms, to_ms],
            f,
        )
    }

    /// Streams the records of `kind` written by `authors`, undecoded, in publication order
    /// (ties by insertion order): the history of a few accounts without reading everyone's.
    pub fn for_each_json_of_authors(
        &self,
        kind: Kind,
        authors: &[&str],
        f: impl FnMut(&JsonRow<'_>) -> Result<()>,
    ) -> Result<()> {
        if authors.is_empty() {
            return Ok(());
        }
        let conn = sqlite!(self, pg => pg.for_each_json_of_authors(kind, authors, f));
        // The list is bound as one JSON array parameter, never spliced into the SQL.
        let list = serde_json::to_string(authors).map_err(|e| StoreError::Corrupt {
            rid: 0,
            reason: e.to_string(),
        })?;
        self.json_rows(
            conn,
            "AND author IN (SELECT value FROM json_each(?2))",
            params![kind.code(), list],
            f,
        )
    }

    /// Undecoded rows of kind `?1` that also satisfy `filter` (SQL written by this crate, never
    /// from input), in publication order.
    fn json_rows(
        &self,
        conn: &Connection,
        filter: &str,
        params: &[&dyn rusqlite::ToSql],
        mut f: impl FnMut(&JsonRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT rid, ts, norm, record, derived, author, lang FROM records
                 WHERE kind = ?1 {filter} ORDER BY ts, rid"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let text = |i| {
                r.get_ref(i)
                    .ok()
                    .and_then(|v| v.as_str_or_null().ok().flatten())
            };
            let row = JsonRow {
                rid: r.get(0).map_err(|e| self.err(e))?,
                ts: r.get(1).map_err(|e| self.err(e))?,
                norm: text(2).unwrap_or(""),
                record: text(3).unwrap_or("{}"),
                derived: text(4).unwrap_or(""),
                author: text(5),
                lang: text(6),
            };
            f(&row)?;
        }
        Ok(())
    }

    /// Authors with at least `min` records of `kind`, as `(platform, author)`, sorted.
    pub fn authors_with_at_least(&self, kind: Kind, min: u64) -> Result<Vec<(String, String)>> {
        let conn = sqlite!(self, pg => pg.authors_with_at_least(kind, min));
        let mut stmt = conn
            .prepare(
                "SELECT platform, author FROM records
                 WHERE kind = ?1 AND author IS NOT NULL
                 GROUP BY platform, author HAVING COUNT(*) >= ?2 ORDER BY platform, author",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![kind.code(), min as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))
    }

    /// Streams the identity, author, time and folded text of every record of `kinds`, in
    /// insertion order, without decoding the full records (the cheap path for text detectors).
    pub fn for_each_text(
        &self,
        kinds: &[Kind],
        f: impl FnMut(&TextRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let conn = sqlite!(self, pg => pg.for_each_text(kinds, f));
        self.text_rows_where(conn, kinds, "1", &[], "rid", f)
    }

    /// Text rows of `kinds` that also satisfy `filter` (SQL over `records` columns, with `?`
    /// parameters; written by this crate only, never from input).
    pub(crate) fn text_rows_where(
        &self,
        conn: &Connection,
        kinds: &[Kind],
        filter: &str,
        params: &[&dyn rusqlite::ToSql],
        order: &str,
        mut f: impl FnMut(&TextRow<'_>) -> Result<()>,
    ) -> Result<()> {
        // Kind codes are small integers from our own enum, never input: safe to inline.
        let codes: Vec<String> = kinds.iter().map(|k| k.code().to_string()).collect();
        // In row order, reading the table straight through is twice as fast as SQLite's
        // default plan here (the kind index, then sorting by row id); row-id lookups remain.
        let table = if order == "rid" {
            "records NOT INDEXED"
        } else {
            "records"
        };
        let sql = format!(
            "SELECT rid, kind, platform, id, author, ts, norm, repost_of, lang,
                    CASE kind WHEN {article} THEN json_extract(record, '$.title') END
             FROM {table} WHERE kind IN ({}) AND ({filter}) ORDER BY {order}",
            codes.join(","),
            article = Kind::Article.code()
        );
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let text = |i| {
                r.get_ref(i)
                    .ok()
                    .and_then(|v| v.as_str_or_null().ok().flatten())
            };
            let kind: i64 = r.get(1).map_err(|e| self.err(e))?;
            let Some(kind) = Kind::from_code(kind) else {
                continue;
            };
            let row = TextRow {
                rid: r.get(0).map_err(|e| self.err(e))?,
                kind,
                platform: text(2).unwrap_or(""),
                id: text(3).unwrap_or(""),
                author: text(4),
                ts: r.get(5).map_err(|e| self.err(e))?,
                norm: text(6).unwrap_or(""),
                repost_of: text(7),
                lang: text(8),
                title: text(9),
            };
            f(&row)?;
        }
        Ok(())
    }

    /// Streams the identity, author, time and canonical URLs of every record of `kinds` that has
    /// URLs, in insertion order, without decoding the records themselves (for detectors that
    /// look at where items link).
    pub fn for_each_link(
        &self,
        kinds: &[Kind],
        mut f: impl FnMut(&LinkRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let conn = sqlite!(self, pg => pg.for_each_link(kinds, f));
        // Kind codes are small integers from our own enum, never input: safe to inline.
        let codes: Vec<String> = kinds.iter().map(|k| k.code().to_string()).collect();
        let sql = format!(
            "SELECT rid, kind, id, author, ts, derived FROM records
             WHERE kind IN ({}) AND derived IS NOT NULL ORDER BY rid",
            codes.join(",")
        );
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let text = |i| {
                r.get_ref(i)
                    .ok()
                    .and_then(|v| v.as_str_or_null().ok().flatten())
            };
            let rid: i64 = r.get(0).map_err(|e| self.err(e))?;
            let Some(kind) = Kind::from_code(r.get(1).map_err(|e| self.err(e))?) else {
                continue;
            };
            let derived: Derived =
                serde_json::from_str(text(5).unwrap_or("{}")).map_err(|e| StoreError::Corrupt {
                    rid,
                    reason: e.to_string(),
                })?;
            if derived.urls.is_empty() {
                continue;
            }
            f(&LinkRow {
                kind,
                id: text(2).unwrap_or(""),
                author: text(3),
                ts: r.get(4).map_err(|e| self.err(e))?,
                urls: &derived.urls,
            })?;
        }
        Ok(())
    }

    /// Number of original items (posts that are not native reposts, and articles) per source:
    /// the author of a post, the site of an article.
    pub fn items_per_source(&self) -> Result<std::collections::HashMap<String, u64>> {
        let conn = sqlite!(self, pg => pg.items_per_source());
        let mut stmt = conn
            .prepare(
                "SELECT CASE kind WHEN 3 THEN platform ELSE author END AS source, count(*)
                 FROM records WHERE kind IN (1, 3) AND repost_of IS NULL GROUP BY source",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    r.get::<_, i64>(1)?.max(0) as u64,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    pub fn count(&self, kind: Kind) -> Result<u64> {
        let conn = sqlite!(self, pg => pg.count(kind));
        conn.query_row(
            "SELECT count(*) FROM records WHERE kind = ?1",
            params![kind.code()],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as u64)
        .map_err(|e| self.err(e))
    }

    /// Looks a record up by its identity.
    pub fn get(&self, kind: Kind, platform: &str, id: &str) -> Result<Option<StoredRecord>> {
        let conn = sqlite!(self, pg => pg.get(kind, platform, id));
        let key = vigie_core::RecordKey {
            kind,
            platform: platform.to_owned(),
            id: id.to_owned(),
        };
        let row: Option<(i64, String, Option<String>, Option<String>)> = conn
            .query_row(
                "SELECT rid, record, derived, norm FROM records WHERE key = ?1",
                params![key.digest() as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        row.map(|(rid, rec, der, norm)| decode(rid, &rec, der.as_deref(), norm))
            .transpose()
    }

    /// Replaces the alerts of the given detectors with `alerts` (a scan's fresh results).
    pub fn replace_alerts(&mut self, detectors: &[&str], alerts: &[Alert]) -> Result<()> {
        let conn = sqlite_mut!(self, pg => pg.replace_alerts(detectors, alerts));
        let path = self.path.clone();
        let e = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = conn.transaction().map_err(e)?;
        for d in detectors {
            tx.execute("DELETE FROM alerts WHERE detector = ?1", params![d])
                .map_err(e)?;
        }
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR REPLACE INTO alerts (id, detector, severity, score, first_seen, last_seen, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(e)?;
            for a in alerts {
                let json = serde_json::to_string(a).unwrap_or_default();
                stmt.execute(params![
                    a.id,
                    a.detector,
                    a.severity.as_str(),
                    a.score,
                    a.first_seen.timestamp_millis(),
                    a.last_seen.timestamp_millis(),
                    json
                ])
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    pub fn alert_count(&self) -> Result<u64> {
        let conn = sqlite!(self, pg => pg.alert_count());
        conn.query_row("SELECT count(*) FROM alerts", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.err(e))
    }

    /// One stored alert.
    pub fn alert(&self, id: &str) -> Result<Option<Alert>> {
        let conn = sqlite!(self, pg => pg.alert(id));
        let json: Option<String> = conn
            .query_row("SELECT json FROM alerts WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Every stored alert, in the deterministic output order (severity, score, id).
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        let conn = sqlite!(self, pg => pg.alerts());
        let mut stmt = conn
            .prepare("SELECT json FROM alerts")
            .map_err(|e| self.err(e))?;
        let mut out: Vec<Alert> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .filter_map(|j| j.ok().and_then(|j| serde_json::from_str(&j).ok()))
            .collect();
        sort_alerts(&mut out);
        Ok(out)
    }

    pub fn stats(&self) -> Result<Stats> {
        let conn = sqlite!(self, pg => pg.stats());
        let e = |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        };
        let pairs = |sql: &str| -> Result<Vec<(String, u64)>> {
            let mut stmt = conn.prepare(sql).map_err(e)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
                })
                .map_err(e)?;
            rows.collect::<std::result::Result<Vec<_>, _>>().map_err(e)
        };
        let by_kind = {
            let mut stmt = conn
                .prepare("SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind")
                .map_err(e)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .map_err(e)?;
            rows.filter_map(|r| r.ok())
                .map(|(k, n)| {
                    let name = Kind::from_code(k)
                        .map(|k| k.as_str().to_owned())
                        .unwrap_or_else(|| k.to_string());
                    (name, n.max(0) as u64)
                })
                .collect()
        };
        let (first, last): (Option<i64>, Option<i64>) = conn
            .query_row("SELECT min(ts), max(ts) FROM records", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(e)?;
        let one = |sql: &str| -> Result<u64> {
            conn.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(e)
        };
        let page_count = one("PRAGMA page_count")?;
        let page_size = one("PRAGMA page_size")?;
        Ok(Stats {
            path: self.path.clone(),
            schema_version: self.schema_version()?,
            by_kind,
            by_platform: pairs(
                "SELECT platform, count(*) FROM records WHERE kind IN (1, 2, 5) GROUP BY platform ORDER BY count(*) DESC, platform LIMIT 20",
            )?,
            first: first.and_then(DateTime::from_timestamp_millis),
            last: last.and_then(DateTime::from_timestamp_millis),
            quarantined: one("SELECT count(*) FROM quarantine")?,
            inputs: one("SELECT count(DISTINCT name) FROM inputs")?,
            alerts_by_detector: pairs(
                "SELECT detector, count(*) FROM alerts GROUP BY detector ORDER BY detector",
            )?,
            file_bytes: page_count * page_size,
        })
    }
}

/// Deterministic alert order: most severe first, then highest score, then id.
pub fn sort_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(alert_order);
}

/// The comparison [`sort_alerts`] uses.
pub fn alert_order(a: &Alert, b: &Alert) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.score.total_cmp(&a.score))
        .then_with(|| a.id.cmp(&b.id))
}

fn decode(
    rid: i64,
    record: &str,
    derived: Option<&str>,
    norm: Option<String>,
) -> Result<StoredRecord> {
    let record: Record = serde_json::from_str(record).map_err(|e| StoreError::Corrupt {
        rid,
        reason: e.to_string(),
    })?;
    let derived = match derived {
        Some(d) => serde_json::from_str(d).map_err(|e| StoreError::Corrupt {
            rid,
            reason: e.to_string(),
        })?,
        None => Derived::default(),
    };
    let derived = Derived {
        text: norm.unwrap_or_default(),
        ..derived
    };
    Ok(StoredRecord {
        rid,
        record,
        derived,
    })
}

/// A record serialised for the store. Built off the writer's thread (JSON encoding is the costly
/// part), so the single writer only binds values.
#[derive(Debug, Clone)]
pub struct RecordRow {
    key: vigie_core::RecordKey,
    digest: i64,
    author: Option<String>,
    ts: Option<i64>,
    lang: Option<String>,
    norm: String,
    repost_of: Option<String>,
    record_json: String,
    derived_json: Option<String>,
}

impl RecordRow {
    pub fn new(n: &Normalised) -> Result<RecordRow> {
        let rec = &n.record;
        let key = rec.key();
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            rid: 0,
            reason: e.to_string(),
        };
        Ok(RecordRow {
            digest: key.digest() as i64,
            key,
            author: rec.author().map(str::to_owned),
            ts: rec.timestamp().map(|t| t.timestamp_millis()),
            lang: rec.lang().map(str::to_owned),
            norm: n.derived.text.clone(),
            repost_of: match rec {
                Record::Post(p) => p.repost_of.clone(),
                _ => None,
            },
            record_json: serde_json::to_string(rec).map_err(corrupt)?,
            derived_json: if n.derived.urls.is_empty()
                && n.derived.domains.is_empty()
                && !n.derived.lang_detected
            {
                None
            } else {
                Some(serde_json::to_string(&n.derived).map_err(corrupt)?)
            },
        })
    }
}

/// A write transaction: records, rejections and checkpoints commit together or not at all.
pub struct Batch<'a> {
    inner: BatchInner<'a>,
    path: String,
}

enum BatchInner<'a> {
    Sqlite(rusqlite::Transaction<'a>),
    #[cfg(feature = "postgres")]
    Postgres(Box<pg::PgBatch<'a>>),
}

/// The SQLite transaction of a batch, or else the same operation done by the PostgreSQL backend.
macro_rules! sqlite_tx {
    ($self:ident, $pg:ident => $e:expr) => {{
        // Without the `postgres` feature the match has one arm.
        #[allow(clippy::infallible_destructuring_match)]
        let tx = match &mut $self.inner {
            BatchInner::Sqlite(tx) => &*tx,
            #[cfg(feature = "postgres")]
            BatchInner::Postgres($pg) => return $e,
        };
        tx
    }};
}

fn sqlite_err(path: &str, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_owned(),
        source,
    }
}

impl Batch<'_> {
    /// Stores a normalised record unless a record with the same identity is already there.
    pub fn insert(&mut self, n: &Normalised) -> Result<Inserted> {
        self.insert_row(&RecordRow::new(n)?)
    }

    /// Stores a prepared row (see [`RecordRow::new`]) unless its identity is already stored.
    pub fn insert_row(&mut self, row: &RecordRow) -> Result<Inserted> {
        let tx = sqlite_tx!(self, pg => pg.insert_row(row));
        let changed = {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO records (key, kind, platform, id, author, ts, lang, norm, repost_of, record, derived)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (key) DO NOTHING",
                )
                .map_err(|e| sqlite_err(&self.path, e))?;
            stmt.execute(params![
                row.digest,
                row.key.kind.code(),
                row.key.platform,
                row.key.id,
                row.author,
                row.ts,
                row.lang,
                row.norm,
                row.repost_of,
                row.record_json,
                row.derived_json,
            ])
            .map_err(|e| sqlite_err(&self.path, e))?
        };
        if changed == 1 {
            return Ok(Inserted::New);
        }
        check_same_identity(tx, row.digest, &row.key).map_err(|e| match e {
            IdentityError::Sqlite(e) => sqlite_err(&self.path, e),
            IdentityError::Collision(e) => e,
        })?;
        Ok(Inserted::Duplicate)
    }

    pub fn quarantine(
        &mut self,
        run: i64,
        input: &str,
        line: u64,
        reason: &str,
        raw: &[u8],
    ) -> Result<()> {
        let tx = sqlite_tx!(self, pg => pg.quarantine(run, input, line, reason, raw));
        let mut stmt = tx
            .prepare_cached("INSERT INTO quarantine (run_id, input, line, reason, raw) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(|e| sqlite_err(&self.path, e))?;
        stmt.execute(params![run, input, line as i64, reason, raw])
            .map_err(|e| sqlite_err(&self.path, e))?;
        Ok(())
    }

    /// Records that `input` (with this content fingerprint) has been read up to `line`. A checkpoint
    /// only moves forward: another process reading the same input may be behind this one.
    pub fn set_checkpoint(
        &mut self,
        input: &str,
        fingerprint: &str,
        line: u64,
        done: bool,
    ) -> Result<()> {
        let tx = sqlite_tx!(self, pg => pg.set_checkpoint(input, fingerprint, line, done));
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO inputs (name, fingerprint, line, done, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (name, fingerprint) DO UPDATE SET line = max(line, excluded.line),
                 done = max(done, excluded.done), updated_at = excluded.updated_at",
            )
            .map_err(|e| sqlite_err(&self.path, e))?;
        stmt.execute(params![
            input,
            fingerprint,
            line as i64,
            done,
            Utc::now().timestamp_millis()
        ])
        .map_err(|e| sqlite_err(&self.path, e))?;
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        match self.inner {
            BatchInner::Sqlite(tx) => tx.commit().map_err(|e| sqlite_err(&self.path, e)),
            #[cfg(feature = "postgres")]
            BatchInner::Postgres(pg) => pg.commit(),
        }
    }
}

enum IdentityError {
    Sqlite(rusqlite::Error),
    Collision(StoreError),
}

/// A 64-bit digest can collide; a duplicate must really be the same record.
fn check_same_identity(
    tx: &rusqlite::Transaction<'_>,
    digest: i64,
    key: &vigie_core::RecordKey,
) -> std::result::Result<(), IdentityError> {
    let mut stmt = tx
        .prepare_cached("SELECT kind, platform, id FROM records WHERE key = ?1")
        .map_err(IdentityError::Sqlite)?;
    let (kind, platform, id): (i64, String, String) = stmt
        .query_row(params![digest], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(IdentityError::Sqlite)?;
    same_identity(kind, &platform, &id, key).map_err(IdentityError::Collision)
}

/// Whether a stored identity is `key`'s (else the digests collided).
fn same_identity(kind: i64, platform: &str, id: &str, key: &vigie_core::RecordKey) -> Result<()> {
    if kind != key.kind.code() || platform != key.platform || id != key.id {
        return Err(StoreError::Collision {
            existing: format!("{kind}/{platform}/{id}"),
            new: format!("{}/{}/{}", key.kind, key.platform, key.id),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_urls_hide_the_password() {
        assert_eq!(
            shown_url("postgres://u:secret@db.example:5432/vigie?sslmode=disable"),
            "postgres://u@db.example:5432/vigie?sslmode=disable"
        );
        assert_eq!(shown_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(shown_url("postgresql:///db"), "postgresql:///db");
    }
}
