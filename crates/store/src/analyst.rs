//! What the analyst's surface keeps beside the records: incidents (recomputed by each scan), the
//! analyst's status and notes per incident (kept across scans), the records named by alerts'
//! evidence (so an item or account id found in an alert is found again without a full scan), and
//! retention.

use crate::{decode, sqlite, sqlite_mut, Result, Store, StoredRecord};
use rusqlite::{params, OptionalExtension};
use std::collections::{BTreeMap, HashSet};
use vigie_core::Kind;

/// One incident as stored: the sortable columns and the serialised incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub id: String,
    pub severity: String,
    pub score: f64,
    pub first_seen: i64,
    pub last_seen: i64,
    pub json: String,
}

/// What an analyst decided about an incident.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IncidentState {
    pub id: String,
    pub status: String,
    /// Unix milliseconds.
    pub updated_at: i64,
    /// Ids this state was carried over from when a re-scan changed the incident's membership.
    pub previous_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Note {
    pub incident_id: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub text: String,
}

/// The role an evidence id plays, which decides the record kinds it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvidenceRole {
    Item,
    Account,
    Domain,
}

impl EvidenceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceRole::Item => "item",
            EvidenceRole::Account => "account",
            EvidenceRole::Domain => "domain",
        }
    }

    pub(crate) fn of(kind: Kind) -> EvidenceRole {
        match kind {
            Kind::Account => EvidenceRole::Account,
            Kind::Domain => EvidenceRole::Domain,
            Kind::Post | Kind::Article | Kind::Ad | Kind::Media => EvidenceRole::Item,
        }
    }
}

/// What a purge removed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Purged {
    pub records: u64,
    pub accounts: u64,
    pub alerts: u64,
    pub quarantined: u64,
}

impl Store {
    /// Replaces every stored incident; rows are encoded one at a time as they are written.
    pub fn replace_incidents(&mut self, rows: impl Iterator<Item = IncidentRow>) -> Result<()> {
        let conn = sqlite_mut!(self, pg => pg.replace_incidents(rows));
        let path = self.path.clone();
        let e = |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = conn.transaction().map_err(e)?;
        tx.execute("DELETE FROM incidents", []).map_err(e)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR REPLACE INTO incidents (id, severity, score, first_seen, last_seen, json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(e)?;
            for r in rows {
                stmt.execute(params![
                    r.id,
                    r.severity,
                    r.score,
                    r.first_seen,
                    r.last_seen,
                    r.json
                ])
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// One stored incident's JSON.
    pub fn incident_json(&self, id: &str) -> Result<Option<String>> {
        let conn = sqlite!(self, pg => pg.incident_json(id));
        conn.query_row(
            "SELECT json FROM incidents WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| self.err(e))
    }

    /// Every stored incident's JSON, by id.
    pub fn incidents_json(&self) -> Result<Vec<(String, String)>> {
        let conn = sqlite!(self, pg => pg.incidents_json());
        let mut stmt = conn
            .prepare("SELECT id, json FROM incidents ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    pub fn incident_states(&self) -> Result<BTreeMap<String, IncidentState>> {
        let conn = sqlite!(self, pg => pg.incident_states());
        let mut stmt = conn
            .prepare("SELECT id, status, updated_at, previous_ids FROM incident_state")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let prev: String = r.get(3)?;
                Ok(IncidentState {
                    id: r.get(0)?,
                    status: r.get(1)?,
                    updated_at: r.get(2)?,
                    previous_ids: serde_json::from_str(&prev).unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.map(|r| r.map(|s| (s.id.clone(), s)))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    pub fn set_incident_status(&mut self, id: &str, status: &str, now_ms: i64) -> Result<()> {
        let conn = sqlite!(self, pg => pg.set_incident_status(id, status, now_ms));
        conn
            .execute(
                "INSERT INTO incident_state (id, status, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
                params![id, status, now_ms],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn add_incident_note(&mut self, id: &str, text: &str, now_ms: i64) -> Result<()> {
        let conn = sqlite!(self, pg => pg.add_incident_note(id, text, now_ms));
        conn.execute(
            "INSERT INTO incident_notes (incident_id, created_at, text) VALUES (?1, ?2, ?3)",
            params![id, now_ms, text],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Notes of every incident that has some, oldest first.
    pub fn incident_notes(&self) -> Result<BTreeMap<String, Vec<Note>>> {
        let conn = sqlite!(self, pg => pg.incident_notes());
        let mut stmt = conn
            .prepare("SELECT incident_id, created_at, text FROM incident_notes ORDER BY nid")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Note {
                    incident_id: r.get(0)?,
                    created_at: r.get(1)?,
                    text: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out: BTreeMap<String, Vec<Note>> = BTreeMap::new();
        for n in rows {
            let n = n.map_err(|e| self.err(e))?;
            out.entry(n.incident_id.clone()).or_default().push(n);
        }
        Ok(out)
    }

    /// Moves the analyst's state and notes of incident `from` to incident `to` (a re-scan changed
    /// its membership and so its id). A status already set on `to` is kept unless `from`'s is more
    /// recent; `from` is remembered in `to`'s `previous_ids`.
    pub fn carry_incident_state(&mut self, from: &str, to: &str) -> Result<()> {
        let conn = sqlite_mut!(self, pg => pg.carry_incident_state(from, to));
        let path = self.path.clone();
        let e = |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = conn.transaction().map_err(e)?;
        let get = |id: &str| {
            tx.query_row(
                "SELECT status, updated_at, previous_ids FROM incident_state WHERE id = ?1",
                params![id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
        };
        let old = get(from).map_err(e)?;
        let new = get(to).map_err(e)?;
        let (status, updated, previous) = carried_state(from, old, new);
        tx.execute(
            "INSERT INTO incident_state (id, status, updated_at, previous_ids) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
             previous_ids = excluded.previous_ids",
            params![to, status, updated, previous],
        )
        .map_err(e)?;
        tx.execute("DELETE FROM incident_state WHERE id = ?1", params![from])
            .map_err(e)?;
        tx.execute(
            "UPDATE incident_notes SET incident_id = ?1 WHERE incident_id = ?2",
            params![to, from],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// Records which stored records the evidence ids name (items, accounts, domains), replacing
    /// the previous index. One pass over the records table: evidence gives bare ids (no platform),
    /// which the identity digest cannot look up.
    pub fn index_evidence(
        &mut self,
        items: &HashSet<String>,
        accounts: &HashSet<String>,
        domains: &HashSet<String>,
    ) -> Result<()> {
        let conn = sqlite_mut!(self, pg => pg.index_evidence(items, accounts, domains));
        let path = self.path.clone();
        let e = |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = conn.transaction().map_err(e)?;
        tx.execute("DELETE FROM evidence_records", []).map_err(e)?;
        {
            let mut select = tx.prepare("SELECT rid, kind, id FROM records").map_err(e)?;
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO evidence_records (role, id, rid) VALUES (?1, ?2, ?3)",
                )
                .map_err(e)?;
            let mut rows = select.query([]).map_err(e)?;
            while let Some(r) = rows.next().map_err(e)? {
                let Some(kind) = Kind::from_code(r.get(1).map_err(e)?) else {
                    continue;
                };
                let id = r.get_ref(2).map_err(e)?.as_str().unwrap_or("");
                let role = EvidenceRole::of(kind);
                let wanted = match role {
                    EvidenceRole::Item => items.contains(id),
                    EvidenceRole::Account => accounts.contains(id),
                    EvidenceRole::Domain => domains.contains(id),
                };
                if wanted {
                    let rid: i64 = r.get(0).map_err(e)?;
                    insert.execute(params![role.as_str(), id, rid]).map_err(e)?;
                }
            }
        }
        tx.commit().map_err(e)
    }

    /// The stored records an evidence id names (several when platforms reuse an id).
    pub fn evidence_records(&self, role: EvidenceRole, id: &str) -> Result<Vec<StoredRecord>> {
        let conn = sqlite!(self, pg => pg.evidence_records(role, id));
        let mut stmt = conn
            .prepare_cached(
                "SELECT r.rid, r.record, r.derived, r.norm FROM evidence_records e
                 JOIN records r ON r.rid = e.rid WHERE e.role = ?1 AND e.id = ?2 ORDER BY r.rid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![role.as_str(), id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (rid, rec, der, norm) = row.map_err(|e| self.err(e))?;
            out.push(decode(rid, &rec, der.as_deref(), norm)?);
        }
        Ok(out)
    }

    /// Streams every record evidence names in `role`, once each, in store order.
    pub fn for_each_evidence_record(
        &self,
        role: EvidenceRole,
        mut f: impl FnMut(StoredRecord),
    ) -> Result<()> {
        let conn = sqlite!(self, pg => pg.for_each_evidence_record(role, f));
        let mut stmt = conn
            .prepare(
                "SELECT r.rid, r.record, r.derived, r.norm FROM records r
                 WHERE r.rid IN (SELECT rid FROM evidence_records WHERE role = ?1) ORDER BY r.rid",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt
            .query(params![role.as_str()])
            .map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let rid: i64 = r.get(0).map_err(|e| self.err(e))?;
            let rec: String = r.get(1).map_err(|e| self.err(e))?;
            let der: Option<String> = r.get(2).map_err(|e| self.err(e))?;
            let norm: Option<String> = r.get(3).map_err(|e| self.err(e))?;
            f(decode(rid, &rec, der.as_deref(), norm)?);
        }
        Ok(())
    }

    /// Evidence item ids whose folded text contains `needle` (already folded by the caller),
    /// at most `limit`, in id order.
    pub fn search_evidence_items(&self, needle: &str, limit: usize) -> Result<Vec<String>> {
        let conn = sqlite!(self, pg => pg.search_evidence_items(needle, limit));
        // instr, not LIKE: the needle is user input and must not be read as a pattern.
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT e.id FROM evidence_records e JOIN records r ON r.rid = e.rid
                 WHERE e.role = 'item' AND instr(r.norm, ?1) > 0 ORDER BY e.id LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![needle, limit as i64], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Deletes content published before `cutoff_ms` (posts, articles, ads and media by their
    /// time), accounts left without any content, alerts whose activity ended before the cutoff,
    /// and quarantined lines of runs started before it. Checkpoints stay, so a re-scan of the
    /// same files does not bring purged data back.
    pub fn purge_before(&mut self, cutoff_ms: i64) -> Result<Purged> {
        let conn = sqlite_mut!(self, pg => pg.purge_before(cutoff_ms));
        let path = self.path.clone();
        let e = |source| crate::StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = conn.transaction().map_err(e)?;
        let content = [Kind::Post, Kind::Article, Kind::Ad, Kind::Media]
            .map(|k| k.code().to_string())
            .join(",");
        let records = tx
            .execute(
                &format!("DELETE FROM records WHERE kind IN ({content}) AND ts < ?1"),
                params![cutoff_ms],
            )
            .map_err(e)? as u64;
        let accounts = tx
            .execute(
                "DELETE FROM records WHERE kind = ?1 AND (ts IS NULL OR ts < ?2) AND id NOT IN
                 (SELECT author FROM records WHERE author IS NOT NULL AND kind <> ?1)",
                params![Kind::Account.code(), cutoff_ms],
            )
            .map_err(e)? as u64;
        let alerts = tx
            .execute(
                "DELETE FROM alerts WHERE last_seen < ?1",
                params![cutoff_ms],
            )
            .map_err(e)? as u64;
        let quarantined = tx
            .execute(
                "DELETE FROM quarantine WHERE run_id IN (SELECT run_id FROM runs WHERE started_at < ?1)",
                params![cutoff_ms],
            )
            .map_err(e)? as u64;
        tx.execute(
            "DELETE FROM evidence_records WHERE rid NOT IN (SELECT rid FROM records)",
            [],
        )
        .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(Purged {
            records,
            accounts,
            alerts,
            quarantined,
        })
    }

    /// Reclaims the space freed by a purge.
    pub fn vacuum(&mut self) -> Result<()> {
        let conn = sqlite!(self, pg => pg.vacuum());
        conn.execute_batch("VACUUM").map_err(|e| self.err(e))
    }
}

/// What incident `to` keeps when `from`'s state moves onto it, from both stored states (status,
/// updated at, previous ids as JSON): the more recent status, and both histories plus `from`.
pub(crate) fn carried_state(
    from: &str,
    old: Option<(String, i64, String)>,
    new: Option<(String, i64, String)>,
) -> (String, i64, String) {
    let mut previous: Vec<String> = new
        .as_ref()
        .and_then(|n| serde_json::from_str(&n.2).ok())
        .unwrap_or_default();
    if let Some(o) = &old {
        previous.extend(serde_json::from_str::<Vec<String>>(&o.2).unwrap_or_default());
    }
    previous.push(from.to_owned());
    previous.sort();
    previous.dedup();
    let (status, updated) = match (old, new) {
        (Some(o), Some(n)) if o.1 > n.1 => (o.0, o.1),
        (_, Some(n)) => (n.0, n.1),
        (Some(o), None) => (o.0, o.1),
        (None, None) => ("new".to_owned(), 0),
    };
    let previous = serde_json::to_string(&previous).unwrap_or_else(|_| "[]".into());
    (status, updated, previous)
}
