//! Versioned schema: `PRAGMA user_version` holds the number of migrations applied. Migrations are
//! append-only; each runs in its own transaction.

use rusqlite::{Connection, TransactionBehavior};

pub(crate) enum MigrateError {
    TooNew { found: i64, supported: i64 },
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

const MIGRATIONS: &[&str] = &[
    // 1: records, inputs (checkpoints), runs, quarantine, alerts.
    "CREATE TABLE records (
        rid INTEGER PRIMARY KEY,
        key INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        platform TEXT NOT NULL,
        id TEXT NOT NULL,
        author TEXT,
        ts INTEGER,
        lang TEXT,
        norm TEXT,
        repost_of TEXT,
        record TEXT NOT NULL,
        derived TEXT
     );
     CREATE UNIQUE INDEX records_key ON records (key);
     CREATE TABLE inputs (
        name TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        line INTEGER NOT NULL,
        done INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (name, fingerprint)
     );
     CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        inputs TEXT,
        summary TEXT
     );
     CREATE TABLE quarantine (
        qid INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (run_id),
        input TEXT NOT NULL,
        line INTEGER NOT NULL,
        reason TEXT NOT NULL,
        raw BLOB NOT NULL,
        exported INTEGER NOT NULL DEFAULT 0
     );
     CREATE INDEX quarantine_run ON quarantine (run_id);
     CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        detector TEXT NOT NULL,
        severity TEXT NOT NULL,
        score REAL NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        json TEXT NOT NULL
     );
     CREATE INDEX alerts_detector ON alerts (detector);",
    // 2: the copy-cluster index kept between scans (items arriving later join existing
    // clusters without re-clustering history), and records by time for its window.
    "CREATE INDEX records_kind_ts ON records (kind, ts);
     CREATE TABLE copy_members (
        rid INTEGER PRIMARY KEY,
        cluster INTEGER NOT NULL
     );
     CREATE INDEX copy_members_cluster ON copy_members (cluster);
     CREATE TABLE copy_clusters (
        cluster INTEGER PRIMARY KEY,
        weakest REAL NOT NULL
     );
     CREATE TABLE copy_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
     );",
    // 3: incidents (recomputed from alerts by every scan), the analyst's state and notes (kept
    // across scans, keyed by incident id), and the records that alerts' evidence names.
    "CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        severity TEXT NOT NULL,
        score REAL NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        json TEXT NOT NULL
     );
     CREATE TABLE incident_state (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        previous_ids TEXT NOT NULL DEFAULT '[]'
     );
     CREATE TABLE incident_notes (
        nid INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        text TEXT NOT NULL
     );
     CREATE INDEX incident_notes_incident ON incident_notes (incident_id);
     CREATE TABLE evidence_records (
        role TEXT NOT NULL,
        id TEXT NOT NULL,
        rid INTEGER NOT NULL,
        PRIMARY KEY (role, id, rid)
     ) WITHOUT ROWID;",
    // 4: sentence vectors kept between scans (feature `semantic`), keyed by model and text
    // digest, so identical texts and re-scans are embedded once.
    "CREATE TABLE embeddings (
        model TEXT NOT NULL,
        digest BLOB NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, digest)
     ) WITHOUT ROWID;",
];

pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let supported = latest();
    loop {
        // IMMEDIATE takes the write lock before reading the version, so two processes opening a
        // new store at once apply each migration once (the other waits on the busy timeout).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > supported {
            return Err(MigrateError::TooNew {
                found: current,
                supported,
            });
        }
        let Some(sql) = MIGRATIONS.get(current.max(0) as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
        tracing::debug!(version = current + 1, "applied store migration");
    }
}

pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

pub(crate) fn latest() -> i64 {
    LATEST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_future_versions_are_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert!(migrate(&mut conn).is_ok());
        assert!(migrate(&mut conn).is_ok());
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest());
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(MigrateError::TooNew { .. })
        ));
    }
}
