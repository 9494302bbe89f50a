//! The copy-cluster index kept between scans: which stored items belong to which copy cluster,
//! the weakest similarity inside each cluster, and how far clustering has read. A scan then
//! clusters only the items added since, against the recent window and one representative per
//! older cluster, instead of re-clustering all of history.
//!
//! Cluster labels are record row ids (the earliest member known when the cluster was formed);
//! when new items bridge two clusters, the larger label is rewritten to the smaller.

use crate::{sqlite, Result, Store, TextRow};
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;
use vigie_core::Kind;

/// Rows of the clustering window (`ts >= ?1`) and the latest member of each cluster last active in
/// `[?2, ?1)`; among members published at the same time, the earliest stored, so that the choice
/// is the same on every backend.
const LATEST_MEMBERS_SQLITE: &str = "ts >= ?1 OR rid IN (SELECT rid FROM (
    SELECT m.rid, x.ts AS at, ROW_NUMBER() OVER (
        PARTITION BY m.cluster ORDER BY x.ts DESC NULLS LAST, m.rid) AS n
    FROM copy_members m JOIN records x ON x.rid = m.rid)
  WHERE n = 1 AND at >= ?2 AND at < ?1)";

/// How far the copy index has read, and with which settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyState {
    /// Highest record row id clustered.
    pub last_rid: i64,
    /// Latest publication time clustered (unix ms).
    pub horizon_ts: i64,
    /// The matching settings the index was built with; another fingerprint means rebuild.
    pub fingerprint: String,
}

/// What one clustering pass changes in the index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CopyAssignments {
    /// (record row id, cluster label), new or changed.
    pub members: Vec<(i64, i64)>,
    /// (label, label it merges into).
    pub merges: Vec<(i64, i64)>,
    /// (cluster label, weakest similarity seen in this pass).
    pub weakest: Vec<(i64, f64)>,
}

impl Store {
    pub fn copy_state(&self) -> Result<Option<CopyState>> {
        let conn = sqlite!(self, pg => pg.copy_state());
        let get = |key: &str| -> Result<Option<String>> {
            conn.query_row(
                "SELECT value FROM copy_state WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
        };
        let (Some(rid), Some(ts), Some(fingerprint)) =
            (get("last_rid")?, get("horizon_ts")?, get("fingerprint")?)
        else {
            return Ok(None);
        };
        match (rid.parse(), ts.parse()) {
            (Ok(last_rid), Ok(horizon_ts)) => Ok(Some(CopyState {
                last_rid,
                horizon_ts,
                fingerprint,
            })),
            // A state this store cannot read is no state: the index is rebuilt.
            _ => Ok(None),
        }
    }

    /// Forgets the copy index (settings changed, or items arrived too far out of order).
    pub fn reset_copy_index(&self) -> Result<()> {
        let conn = sqlite!(self, pg => pg.reset_copy_index());
        conn.execute_batch(
            "DELETE FROM copy_members; DELETE FROM copy_clusters; DELETE FROM copy_state;",
        )
        .map_err(|e| self.err(e))
    }

    /// Highest record row id in the store (0 when empty).
    pub fn max_rid(&self) -> Result<i64> {
        let conn = sqlite!(self, pg => pg.max_rid());
        conn.query_row("SELECT COALESCE(MAX(rid), 0) FROM records", [], |r| {
            r.get(0)
        })
        .map_err(|e| self.err(e))
    }

    /// Earliest publication time (unix ms) among rows of `kinds` added after row `rid`.
    pub fn earliest_after(&self, kinds: &[Kind], rid: i64) -> Result<Option<i64>> {
        let conn = sqlite!(self, pg => pg.earliest_after(kinds, rid));
        let codes: Vec<String> = kinds.iter().map(|k| k.code().to_string()).collect();
        let sql = format!(
            "SELECT MIN(ts) FROM records WHERE kind IN ({}) AND rid > ?1",
            codes.join(",")
        );
        conn.query_row(&sql, params![rid], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// What a clustering pass reads, in publication order: every row published at or after
    /// `window_from` (the recent window, and all rows added since), and the latest member of
    /// every cluster last active in `[memory_from, window_from)`, the clusters that left the
    /// window but are still remembered.
    pub fn for_each_text_to_cluster(
        &self,
        kinds: &[Kind],
        window_from: i64,
        memory_from: i64,
        f: impl FnMut(&TextRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let conn =
            sqlite!(self, pg => pg.for_each_text_to_cluster(kinds, window_from, memory_from, f));
        self.text_rows_where(
            conn,
            kinds,
            LATEST_MEMBERS_SQLITE,
            &[&window_from, &memory_from],
            "ts, rid",
            f,
        )
    }

    /// Cluster label of every clustered record published at or after `since_ts`.
    pub fn copy_labels_since(&self, since_ts: i64) -> Result<HashMap<i64, i64>> {
        let conn = sqlite!(self, pg => pg.copy_labels_since(since_ts));
        let mut stmt = conn
            .prepare(
                "SELECT m.rid, m.cluster FROM copy_members m JOIN records r ON r.rid = m.rid
                 WHERE r.ts >= ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![since_ts], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<HashMap<_, _>, _>>()
            .map_err(|e| self.err(e))
    }

    /// Applies one clustering pass and records how far it read, atomically.
    pub fn apply_copy_assignments(&self, a: &CopyAssignments, state: &CopyState) -> Result<()> {
        let conn = sqlite!(self, pg => pg.apply_copy_assignments(a, state));
        let tx = conn.unchecked_transaction().map_err(|e| self.err(e))?;
        {
            let mut relabel = tx
                .prepare_cached("UPDATE copy_members SET cluster = ?2 WHERE cluster = ?1")
                .map_err(|e| self.err(e))?;
            let mut fold_weakest = tx
                .prepare_cached(
                    "INSERT INTO copy_clusters (cluster, weakest)
                     SELECT ?2, weakest FROM copy_clusters WHERE cluster = ?1
                     ON CONFLICT (cluster) DO UPDATE SET weakest = MIN(weakest, excluded.weakest)",
                )
                .map_err(|e| self.err(e))?;
            let mut drop_cluster = tx
                .prepare_cached("DELETE FROM copy_clusters WHERE cluster = ?1")
                .map_err(|e| self.err(e))?;
            for &(from, into) in &a.merges {
                relabel
                    .execute(params![from, into])
                    .map_err(|e| self.err(e))?;
                fold_weakest
                    .execute(params![from, into])
                    .map_err(|e| self.err(e))?;
                drop_cluster
                    .execute(params![from])
                    .map_err(|e| self.err(e))?;
            }
            let mut member = tx
                .prepare_cached(
                    "INSERT INTO copy_members (rid, cluster) VALUES (?1, ?2)
                     ON CONFLICT (rid) DO UPDATE SET cluster = excluded.cluster",
                )
                .map_err(|e| self.err(e))?;
            for &(rid, cluster) in &a.members {
                member
                    .execute(params![rid, cluster])
                    .map_err(|e| self.err(e))?;
            }
            let mut weakest = tx
                .prepare_cached(
                    "INSERT INTO copy_clusters (cluster, weakest) VALUES (?1, ?2)
                     ON CONFLICT (cluster) DO UPDATE SET weakest = MIN(weakest, excluded.weakest)",
                )
                .map_err(|e| self.err(e))?;
            for &(cluster, w) in &a.weakest {
                weakest
                    .execute(params![cluster, w])
                    .map_err(|e| self.err(e))?;
            }
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO copy_state (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .map_err(|e| self.err(e))?;
            for (k, v) in [
                ("last_rid", state.last_rid.to_string()),
                ("horizon_ts", state.horizon_ts.to_string()),
                ("fingerprint", state.fingerprint.clone()),
            ] {
                put.execute(params![k, v]).map_err(|e| self.err(e))?;
            }
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Cluster label and weakest similarity of every clustered record.
    pub fn copy_members(&self) -> Result<(HashMap<i64, i64>, HashMap<i64, f64>)> {
        let conn = sqlite!(self, pg => pg.copy_members());
        let mut stmt = conn
            .prepare("SELECT rid, cluster FROM copy_members")
            .map_err(|e| self.err(e))?;
        let labels = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<HashMap<_, _>, _>>()
            .map_err(|e| self.err(e))?;
        let mut stmt = conn
            .prepare("SELECT cluster, weakest FROM copy_clusters")
            .map_err(|e| self.err(e))?;
        let weakest = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<HashMap<_, _>, _>>()
            .map_err(|e| self.err(e))?;
        Ok((labels, weakest))
    }

    /// Text rows of the clustered records, in row order.
    pub fn for_each_copy_member_row(
        &self,
        kinds: &[Kind],
        f: impl FnMut(&TextRow<'_>) -> Result<()>,
    ) -> Result<()> {
        let conn = sqlite!(self, pg => pg.for_each_copy_member_row(kinds, f));
        self.text_rows_where(
            conn,
            kinds,
            "rid IN (SELECT rid FROM copy_members)",
            &[],
            "rid",
            f,
        )
    }
}
