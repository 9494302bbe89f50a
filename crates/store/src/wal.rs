//! Write-ahead-log checkpoints beside a bulk write.
//!
//! SQLite copies the log back into the database file at commit time, on the committing thread,
//! with two `fsync`s. During a large ingest that stalls the writer, the pipeline's bottleneck,
//! for about a third of its time (measured: 35 `fsync`s of 114 ms each for 1.2M records). With
//! the writer's automatic checkpoints off, a thread of its own copies the log back instead, on a
//! second connection, while the writer goes on. Durability is unchanged: commits still reach the
//! log as before, and the checkpoints still sync.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(200);
/// Log frames beyond which the writer, between two transactions, checkpoints and restarts the
/// log itself, so that it stops growing: 2^16 frames of 8 KiB pages, 512 MiB. (A log restarts
/// only when the writer begins a transaction after a complete checkpoint, which a writer that
/// never pauses seldom meets, and a checkpoint from this thread that waits for the writer loses
/// the race to its next transaction: measured, the log grew to the size of the store.)
const MAX_LOG_FRAMES: i64 = 1 << 16;
/// The automatic checkpoint threshold restored afterwards (SQLite's default, in pages).
const DEFAULT_AUTOCHECKPOINT: i64 = 1000;

/// The checkpointing thread; [`crate::Store::end_checkpoints_beside`] stops it.
pub struct CheckpointsBeside {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: Option<JoinHandle<()>>,
    checkpointed: Arc<AtomicU64>,
    restart_due: Arc<AtomicBool>,
}

impl CheckpointsBeside {
    /// Starts checkpointing the log of the SQLite file at `path`; `writer` is the connection
    /// whose automatic checkpoints it replaces. `None` when no thread could be started: the
    /// writer then keeps checkpointing itself.
    pub(crate) fn start(
        writer: &Connection,
        path: &std::path::Path,
    ) -> rusqlite::Result<Option<CheckpointsBeside>> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let checkpointed = Arc::new(AtomicU64::new(0));
        let restart_due = Arc::new(AtomicBool::new(false));
        let spawned = {
            let stop = Arc::clone(&stop);
            let checkpointed = Arc::clone(&checkpointed);
            let restart_due = Arc::clone(&restart_due);
            std::thread::Builder::new()
                .name("vigie-checkpoint".into())
                .spawn(move || run(&conn, &stop, &checkpointed, &restart_due))
        };
        let Ok(handle) = spawned else {
            return Ok(None);
        };
        let beside = CheckpointsBeside {
            stop,
            handle: Some(handle),
            checkpointed,
            restart_due,
        };
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(Some(beside))
    }

    /// Log frames copied back into the database file so far.
    pub fn frames_checkpointed(&self) -> u64 {
        self.checkpointed.load(Ordering::Relaxed)
    }

    /// Between two transactions: when the log has grown past its bound, copies back what
    /// remains and restarts the log from the writer's own connection.
    pub(crate) fn restart_if_due(&self, writer: &Connection) -> rusqlite::Result<()> {
        if self.restart_due.swap(false, Ordering::Relaxed) {
            writer.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Stops the thread, copies back what remains and empties the log, and gives the writer its
    /// automatic checkpoints back.
    pub(crate) fn finish(mut self, writer: &Connection) -> rusqlite::Result<()> {
        self.halt();
        writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        writer.pragma_update(None, "wal_autocheckpoint", DEFAULT_AUTOCHECKPOINT)
    }

    fn halt(&mut self) {
        let (flag, wake) = &*self.stop;
        if let Ok(mut stopped) = flag.lock() {
            *stopped = true;
        }
        wake.notify_all();
        if let Some(handle) = self.handle.take() {
            // A panic there lost only checkpoints: the log still holds every commit.
            let _ = handle.join();
        }
    }
}

impl Drop for CheckpointsBeside {
    fn drop(&mut self) {
        self.halt();
    }
}

fn run(
    conn: &Connection,
    stop: &(Mutex<bool>, Condvar),
    checkpointed: &AtomicU64,
    restart_due: &AtomicBool,
) {
    let (flag, wake) = stop;
    // Frames already copied back in the current log (SQLite reports a running total per log).
    let mut copied_before = 0i64;
    loop {
        // (busy, frames in the log, frames copied back); -1s when the file is not in WAL mode.
        let result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match result {
            Ok((log, copied)) => {
                // A smaller total means the log restarted from its beginning.
                let new = if copied >= copied_before {
                    copied - copied_before
                } else {
                    copied
                };
                checkpointed.fetch_add(new.max(0) as u64, Ordering::Relaxed);
                copied_before = copied;
                if log > MAX_LOG_FRAMES {
                    restart_due.store(true, Ordering::Relaxed);
                }
            }
            // Busy past the timeout, or an I/O error: the writer's next commit still lands in
            // the log, and the next round tries again.
            Err(e) => tracing::debug!(error = %e, "background checkpoint failed"),
        }
        let Ok(guard) = flag.lock() else { return };
        if *guard {
            return;
        }
        match wake.wait_timeout(guard, EVERY) {
            Ok((guard, _)) if !*guard => {}
            _ => return,
        }
    }
}
