//! The engines that run vigie's data-parallel stages: DataFusion in this process, or a Ballista
//! cluster. Both run the same plans over the same Parquet files; the coordinator consumes the
//! result as a stream, in the order the in-process index reads the store.

use crate::{udf, ClusterError};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{
    DataType, Float64Type, Int64Type, UInt32Type, UInt64Type, UInt8Type,
};
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;
use std::path::Path;
use vigie_detect::clusters::{EngineItem, FeatureEngine};
use vigie_detect::coaction::{ActionType, EngineCoAction, EngineCoActions, Settings as CoSettings};
use vigie_detect::detectors::copypasta::{Settings, NAME};
use vigie_detect::neardup::{Prepared, SimilarPairs, Variant};
use vigie_detect::DetectError;

/// Where the plans run, as `--engine` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineSpec {
    /// The detectors' own code, no plans (the default).
    InProcess,
    /// DataFusion plans, run in this process.
    DataFusion,
    /// DataFusion plans run by a Ballista scheduler at this `ballista://HOST:PORT` address.
    Ballista(String),
}

impl EngineSpec {
    /// `in-process`, `datafusion` or `ballista://HOST:PORT`.
    pub fn parse(spec: &str) -> Result<EngineSpec, ClusterError> {
        match spec {
            "in-process" | "inprocess" => Ok(EngineSpec::InProcess),
            "datafusion" => Ok(EngineSpec::DataFusion),
            s if s.starts_with("ballista://") && s.len() > "ballista://".len() => {
                Ok(EngineSpec::Ballista(s.to_owned()))
            }
            other => Err(ClusterError::Engine(format!(
                "unknown engine {other:?}: expected in-process, datafusion or ballista://HOST:PORT"
            ))),
        }
    }
}

/// A session over one directory of exported items (see [`crate::export`]).
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    items_dir: std::path::PathBuf,
}

impl Engine {
    /// Connects (for Ballista) and registers the exported items of `items_dir` as table
    /// `items`. With Ballista, the directory must be readable at the same path by the
    /// scheduler and every executor (a shared file system).
    pub fn open(spec: &EngineSpec, items_dir: &Path) -> Result<Engine, ClusterError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_stack_size(crate::THREAD_STACK_BYTES)
            .enable_all()
            .build()
            .map_err(|e| ClusterError::io(Path::new("tokio runtime"), e))?;
        let items = items_dir
            .to_str()
            .ok_or_else(|| ClusterError::Engine(format!("{}: not UTF-8", items_dir.display())))?
            .to_owned();
        let ctx = runtime.block_on(async {
            let ctx = match spec {
                EngineSpec::InProcess | EngineSpec::DataFusion => {
                    SessionContext::new_with_config(SessionConfig::new())
                }
                EngineSpec::Ballista(url) => {
                    let state = crate::serve::session_state(SessionConfig::new_with_ballista())?;
                    SessionContext::remote_with_state(url, state).await?
                }
            };
            // Registered last: making a Ballista session resets its function list.
            for f in udf::udfs() {
                ctx.register_udf((*f).clone());
            }
            let options = ParquetReadOptions::default();
            ctx.register_parquet("items", &items, options).await?;
            Ok::<_, ClusterError>(ctx)
        })?;
        Ok(Engine {
            runtime,
            ctx,
            items_dir: items_dir.to_path_buf(),
        })
    }

    /// Runs `sql` and hands each result batch to `f`, in order.
    fn for_each_batch(
        &self,
        sql: &str,
        mut f: impl FnMut(&RecordBatch) -> Result<(), DetectError>,
    ) -> Result<(), DetectError> {
        let mut stream: SendableRecordBatchStream = self
            .runtime
            .block_on(async {
                let df = self.ctx.sql(sql).await?;
                df.execute_stream().await
            })
            .map_err(engine_failed)?;
        while let Some(batch) = self.runtime.block_on(stream.next()) {
            f(&batch.map_err(engine_failed)?)?;
        }
        Ok(())
    }
}

fn engine_failed(e: impl std::fmt::Display) -> DetectError {
    DetectError::Failed {
        detector: NAME,
        reason: format!("engine: {e}"),
    }
}

/// The rows the copy-cluster plans read: what `Store::for_each_text_to_cluster` gives a full
/// pass, with the matching text `m`, its digest and the cut flag.
fn cluster_rows_sql(settings: &Settings, max_rid: i64) -> String {
    format!(
        "SELECT rid, ts, kind, title, cut, m, vigie_text_digest(m) AS digest
         FROM (
           SELECT rid, ts, kind, title, vigie_looks_cut(norm) AS cut,
                  vigie_matching_text(norm) AS m
           FROM items
           WHERE kind IN ('post', 'article') AND repost_of IS NULL AND ts IS NOT NULL
             AND rid <= {max_rid}
         )
         WHERE character_length(m) >= {min_chars}",
        min_chars = settings.min_chars,
    )
}

/// The copy-cluster features plan: band keys, exact-copy and headline digests of every item,
/// computed where the items are, streamed back in (time, row id) order. No shingles travel:
/// the coordinator compares items through [`similar_pairs_sql`]'s result.
pub fn copy_features_sql(settings: &Settings, max_rid: i64) -> String {
    let p = &settings.matching;
    format!(
        "SELECT rid, ts, digest, cut,
                CASE WHEN kind = 'article' THEN vigie_headline_digest(title, {min_words}) END
                  AS headline,
                vigie_band_keys(vigie_shingles(m, {shingle_words}, {max_shingles}, {min_words}),
                                {bands}, {rows}) AS keys
         FROM ({rows_sql})
         ORDER BY ts, rid",
        rows_sql = cluster_rows_sql(settings, max_rid),
        bands = p.bands.max(1),
        rows = p.rows.max(1),
        min_words = p.min_words,
        shingle_words = p.shingle_words,
        max_shingles = p.max_shingles,
    )
}

/// The band-bucket join: distinct texts (digest and cut flag) are grouped by LSH band key,
/// every two texts sharing a key whose publication times come within the index's horizon
/// (`max(window_seconds, cluster_memory_seconds)`, plus a second for the index's rounding) are
/// a candidate pair, and each candidate is verified on its shingles. Only the similar pairs
/// come back. Exact copies are one text here, so a campaign of identical posts costs one row.
pub fn similar_pairs_sql(settings: &Settings, max_rid: i64) -> String {
    let p = &settings.matching;
    let horizon_ms = p
        .window_seconds
        .max(p.cluster_memory_seconds)
        .max(0)
        .saturating_add(1)
        .saturating_mul(1000);
    format!(
        "WITH texts AS (
           SELECT digest, cut, t0, t1,
                  vigie_shingles(m, {shingle_words}, {max_shingles}, {min_words}) AS sh
           FROM (
             SELECT digest, cut, min(ts) AS t0, max(ts) AS t1, min(m) AS m
             FROM ({rows_sql})
             GROUP BY digest, cut
           )
         ),
         keyed AS (
           SELECT digest, cut, t0, t1, unnest(vigie_band_keys(sh, {bands}, {rows})) AS key
           FROM texts WHERE sh IS NOT NULL
         ),
         candidates AS (
           SELECT DISTINCT a.digest AS da, a.cut AS ca, b.digest AS db, b.cut AS cb
           FROM keyed a JOIN keyed b ON a.key = b.key
           WHERE (a.digest < b.digest OR (a.digest = b.digest AND NOT a.cut AND b.cut))
             AND a.t0 <= b.t1 + {horizon_ms} AND b.t0 <= a.t1 + {horizon_ms}
         )
         SELECT da, ca, db, cb, sim FROM (
           SELECT c.da, c.ca, c.db, c.cb,
                  vigie_similarity(ta.sh, ta.cut, tb.sh, tb.cut, {min_jaccard:?},
                                   {min_containment:?}, {min_size_ratio:?},
                                   {min_size_ratio_whole:?}) AS sim
           FROM candidates c
           JOIN texts ta ON ta.digest = c.da AND ta.cut = c.ca
           JOIN texts tb ON tb.digest = c.db AND tb.cut = c.cb
         )
         WHERE sim IS NOT NULL",
        rows_sql = cluster_rows_sql(settings, max_rid),
        bands = p.bands.max(1),
        rows = p.rows.max(1),
        min_words = p.min_words,
        shingle_words = p.shingle_words,
        max_shingles = p.max_shingles,
        min_jaccard = p.min_jaccard,
        min_containment = p.min_containment,
        min_size_ratio = p.min_size_ratio,
        min_size_ratio_whole = p.min_size_ratio_whole,
    )
}

/// The co-action pipeline: one row per (object type, object key, post) with the post's author
/// and time, cut into object episodes (gaps over the type's Δ), each row with the distinct
/// authors seen so far in its episode (`seen`) and the episode's total (`size`). Times are
/// ordered as a time-ordered scan reads posts: untimed ones first (`tn = 0`, at time 0), then
/// by time and row id.
fn coaction_events_sql(settings: &CoSettings) -> String {
    let mut mask = 0u32;
    let mut windows = String::new();
    for t in ActionType::ALL {
        if let Some(w) = settings.window_ms(t) {
            mask |= 1 << (t as u32);
            windows.push_str(&format!(" WHEN {} THEN {w}", t as u8));
        }
    }
    format!(
        "authored AS (
           SELECT rid, CASE WHEN ts IS NULL THEN 0 ELSE 1 END AS tn, coalesce(ts, 0) AS te,
                  author, id, record, norm, derived
           FROM posts WHERE author IS NOT NULL AND author <> ''
         ),
         objs AS (
           SELECT a.rid, a.tn, a.te, a.author,
                  unnest(vigie_coaction_objects(a.record, a.norm, a.derived, n.cluster,
                                                {min_text_chars}, {mask})) AS o
           FROM authored a LEFT JOIN near n ON a.id = n.id
         ),
         ev AS (
           SELECT rid, tn, te, author, t, k, ord,
                  CASE t{windows} ELSE 0 END AS w
           FROM (SELECT rid, tn, te, author, get_field(o, 't') AS t, get_field(o, 'key') AS k,
                        get_field(o, 'ord') AS ord FROM objs)
         ),
         breaks AS (
           SELECT *, CASE WHEN te - lag(te) OVER (PARTITION BY t, k ORDER BY tn, te, rid) > w
                          THEN 1 ELSE 0 END AS brk
           FROM ev
         ),
         episodes AS (
           SELECT *, sum(brk) OVER (PARTITION BY t, k ORDER BY tn, te, rid
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS e
           FROM breaks
         ),
         firsts AS (
           SELECT *, CASE WHEN row_number() OVER (PARTITION BY t, k, e, author
                                                  ORDER BY tn, te, rid) = 1
                          THEN 1 ELSE 0 END AS fa
           FROM episodes
         ),
         crowd AS (
           SELECT *, sum(fa) OVER (PARTITION BY t, k, e ORDER BY tn, te, rid
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seen,
                     sum(fa) OVER (PARTITION BY t, k, e) AS size
           FROM firsts
         )",
        min_text_chars = settings.min_text_chars,
    )
}

/// Per author, in the order of their first post: posts, and the null model's inputs (episodes
/// joined, viral ones apart; the sum of their sizes; episodes and viral episodes started).
pub fn coaction_accounts_sql(settings: &CoSettings) -> String {
    format!(
        "WITH {events},
         stats AS (
           SELECT author,
                  count(CASE WHEN size <= {mc} THEN 1 END) AS degree,
                  sum(CASE WHEN size <= {mc} THEN size ELSE 0 END) AS squares,
                  count(CASE WHEN seen = 1 AND size <= {mc} THEN 1 END) AS started,
                  count(CASE WHEN seen = 1 AND size > {mc} THEN 1 END) AS viral
           FROM crowd WHERE fa = 1 GROUP BY author
         ),
         firsts_of AS (
           SELECT author, tn, te, rid, n FROM (
             SELECT author, tn, te, rid,
                    row_number() OVER (PARTITION BY author ORDER BY tn, te, rid) AS rn,
                    count(*) OVER (PARTITION BY author) AS n
             FROM authored
           ) WHERE rn = 1
         )
         SELECT f.author, f.n AS posts, coalesce(s.degree, 0) AS degree,
                coalesce(s.squares, 0) AS squares, coalesce(s.started, 0) AS started,
                coalesce(s.viral, 0) AS viral
         FROM firsts_of f LEFT JOIN stats s ON f.author = s.author
         ORDER BY f.tn, f.te, f.rid",
        events = coaction_events_sql(settings),
        mc = settings.max_crowd,
    )
}

/// The co-actions: every two posts of distinct authors on one object within its Δ, the later
/// one arriving while its episode is not crowded, joined on (object, time bucket of Δ) so that
/// a long-lived object costs its windows, not its square; the first meeting of each pair per
/// episode, in the order a time-ordered scan meets them.
pub fn coactions_sql(settings: &CoSettings) -> String {
    format!(
        "WITH {events},
         pre AS (
           SELECT t, k, e, author, tn, te, rid, ord, w,
                  (te - ((te % bw) + bw) % bw) / bw AS bk
           FROM (SELECT *, CASE WHEN w < 1 THEN 1 ELSE w END AS bw FROM crowd)
           WHERE seen <= {mc}
         ),
         earlier AS (
           SELECT t, k, e, author, tn, te, rid, bk FROM pre
           UNION ALL
           SELECT t, k, e, author, tn, te, rid, bk + 1 AS bk FROM pre
         ),
         met AS (
           SELECT i.t, i.k, i.e, i.author AS ai, j.author AS aj, i.tn AS tni, i.te AS tei,
                  i.rid AS ridi, i.ord AS ordi, j.tn AS tnj, j.te AS tej, j.rid AS ridj,
                  row_number() OVER (
                    PARTITION BY i.t, i.k, i.e,
                                 CASE WHEN i.author < j.author THEN i.author ELSE j.author END,
                                 CASE WHEN i.author < j.author THEN j.author ELSE i.author END
                    ORDER BY i.tn, i.te, i.rid, j.tn, j.te, j.rid) AS rn
           FROM pre i JOIN earlier j
             ON i.t = j.t AND i.k = j.k AND i.e = j.e AND i.bk = j.bk
           WHERE i.author <> j.author AND i.te - j.te <= i.w
             AND (j.tn < i.tn OR (j.tn = i.tn AND (j.te < i.te OR (j.te = i.te AND j.rid < i.rid))))
         )
         SELECT t, ai, aj, CASE WHEN tei > tej THEN tei ELSE tej END AS ts,
                abs(tei - tej) AS gap
         FROM met WHERE rn = 1
         ORDER BY tni, tei, ridi, ordi, tnj, tej, ridj",
        events = coaction_events_sql(settings),
        mc = settings.max_crowd,
    )
}

/// The look-alike candidates: each distinct exported host's look-up keys, computed where the
/// hosts are, joined against the look-alike index's keys (a small table, built once per side of
/// the join); only the hosts sharing a key come back, to be checked by the coordinator.
pub fn lookalike_candidates_sql() -> String {
    "SELECT DISTINCT h.host FROM (
       SELECT host, unnest(vigie_lookalike_keys(host)) AS key
       FROM (SELECT DISTINCT host FROM hosts)
     ) h JOIN lookalike_keys k ON h.key = k.key"
        .to_owned()
}

impl Engine {
    /// (Re)registers the exported hosts and `keys` (written under the export's folder) as
    /// tables `hosts` and `lookalike_keys`.
    fn register_lookalike_tables(&self, keys: &[u64]) -> Result<(), DetectError> {
        let keys_dir = self.items_dir.join(KEYS_DIR);
        write_keys(&keys_dir, keys).map_err(engine_failed)?;
        let hosts_dir = self.items_dir.join(crate::export::HOSTS_DIR);
        self.register_folders(&[("hosts", &hosts_dir), ("lookalike_keys", &keys_dir)])
    }

    /// (Re)registers the exported posts and the copy clusters of `near` as tables `posts` and
    /// `near`.
    fn register_coaction_tables(&self, near: &[(&str, u32)]) -> Result<(), DetectError> {
        let near_dir = self.items_dir.join(NEAR_DIR);
        write_near(&near_dir, near).map_err(engine_failed)?;
        let posts_dir = self.items_dir.join(crate::export::POSTS_DIR);
        self.register_folders(&[("posts", &posts_dir), ("near", &near_dir)])
    }

    /// (Re)registers each folder of Parquet files as the named table.
    fn register_folders(&self, tables: &[(&str, &Path)]) -> Result<(), DetectError> {
        let tables: Vec<(&str, String)> = tables
            .iter()
            .map(|(table, dir)| Ok((*table, utf8(dir)?)))
            .collect::<Result<_, DetectError>>()?;
        self.runtime
            .block_on(async {
                for (table, dir) in &tables {
                    self.ctx.deregister_table(*table)?;
                    self.ctx
                        .register_parquet(*table, dir, ParquetReadOptions::default())
                        .await?;
                }
                Ok::<_, datafusion::error::DataFusionError>(())
            })
            .map_err(engine_failed)
    }
}

/// The folder, under the export's, of the copy-cluster file the co-action plan joins.
const NEAR_DIR: &str = "near";
/// The folder, under the export's, of the look-alike index's keys.
const KEYS_DIR: &str = "lookalike";

/// Writes `keys` as `dir/keys-00000.parquet`.
fn write_keys(dir: &Path, keys: &[u64]) -> Result<(), ClusterError> {
    use datafusion::arrow::array::UInt64Array;
    use datafusion::arrow::datatypes::{Field, Schema};
    std::fs::create_dir_all(dir).map_err(|e| ClusterError::io(dir, e))?;
    crate::export::remove_old(dir)?;
    let schema = std::sync::Arc::new(Schema::new(vec![Field::new(
        "key",
        DataType::UInt64,
        false,
    )]));
    let mut out = crate::export::Files::new(dir, crate::export::KEYS, schema, usize::MAX);
    out.write(vec![std::sync::Arc::new(UInt64Array::from(keys.to_vec()))])?;
    out.close()?;
    Ok(())
}

fn utf8(path: &Path) -> Result<String, DetectError> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| engine_failed(format!("{}: not UTF-8", path.display())))
}

/// Writes `near` (post id, copy cluster number) as `dir/near-00000.parquet`.
fn write_near(dir: &Path, near: &[(&str, u32)]) -> Result<(), ClusterError> {
    use datafusion::arrow::array::{StringBuilder, UInt32Builder};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    std::fs::create_dir_all(dir).map_err(|e| ClusterError::io(dir, e))?;
    crate::export::remove_old(dir)?;
    let schema = std::sync::Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("cluster", DataType::UInt32, false),
    ]));
    let mut out = crate::export::Files::new(dir, crate::export::NEAR, schema, usize::MAX);
    let (mut ids, mut clusters) = (StringBuilder::new(), UInt32Builder::new());
    for (id, c) in near {
        ids.append_value(id);
        clusters.append_value(*c);
    }
    out.write(vec![
        std::sync::Arc::new(ids.finish()),
        std::sync::Arc::new(clusters.finish()),
    ])?;
    out.close()?;
    Ok(())
}

impl FeatureEngine for Engine {
    fn lookalike_candidates(
        &self,
        keys: &[u64],
    ) -> Result<std::collections::HashSet<String>, DetectError> {
        self.register_lookalike_tables(keys)?;
        let mut hosts = std::collections::HashSet::new();
        self.for_each_batch(&lookalike_candidates_sql(), |batch| {
            let host = datafusion::arrow::compute::cast(column(batch, "host")?, &DataType::Utf8)
                .map_err(engine_failed)?;
            let host = host
                .as_string_opt::<i32>()
                .ok_or_else(|| wrong_type("host"))?;
            hosts.extend(host.iter().flatten().map(str::to_owned));
            Ok(())
        })?;
        Ok(hosts)
    }

    fn coactions(
        &self,
        settings: &CoSettings,
        near: &[(&str, u32)],
        f: &mut dyn FnMut(EngineCoAction) -> Result<(), DetectError>,
    ) -> Result<EngineCoActions, DetectError> {
        self.register_coaction_tables(near)?;
        let mut out = EngineCoActions::default();
        let mut numbers: std::collections::HashMap<String, u32> = Default::default();
        self.for_each_batch(&coaction_accounts_sql(settings), |batch| {
            let author = column(batch, "author")?;
            let author =
                datafusion::arrow::compute::cast(author, &DataType::Utf8).map_err(engine_failed)?;
            let author = author
                .as_string_opt::<i32>()
                .ok_or_else(|| wrong_type("author"))?;
            let int = |name: &str| -> Result<Vec<i64>, DetectError> {
                let c = datafusion::arrow::compute::cast(column(batch, name)?, &DataType::Int64)
                    .map_err(engine_failed)?;
                let c = c
                    .as_primitive_opt::<Int64Type>()
                    .ok_or_else(|| wrong_type(name))?;
                Ok((0..c.len())
                    .map(|i| if c.is_valid(i) { c.value(i) } else { 0 })
                    .collect())
            };
            let (posts, degree, squares) = (int("posts")?, int("degree")?, int("squares")?);
            let (started, viral) = (int("started")?, int("viral")?);
            for i in 0..batch.num_rows() {
                let number = u32::try_from(out.accounts.len())
                    .map_err(|_| engine_failed("too many accounts"))?;
                numbers.insert(author.value(i).to_owned(), number);
                out.accounts.push(author.value(i).to_owned());
                let d = u32::try_from(degree[i]).unwrap_or(u32::MAX);
                out.degree.push(d);
                out.posts += posts[i].max(0) as u64;
                out.sum_sizes += u64::from(d);
                out.sum_squares += squares[i].max(0) as u64;
                out.episodes += started[i].max(0) as u64;
                out.viral += viral[i].max(0) as u64;
            }
            Ok(())
        })?;
        self.for_each_batch(&coactions_sql(settings), |batch| {
            let text = |name: &str| -> Result<ArrayRef, DetectError> {
                datafusion::arrow::compute::cast(column(batch, name)?, &DataType::Utf8)
                    .map_err(engine_failed)
            };
            let (ai, aj) = (text("ai")?, text("aj")?);
            let (ai, aj) = (
                ai.as_string_opt::<i32>().ok_or_else(|| wrong_type("ai"))?,
                aj.as_string_opt::<i32>().ok_or_else(|| wrong_type("aj"))?,
            );
            let t = column(batch, "t")?
                .as_primitive_opt::<UInt8Type>()
                .ok_or_else(|| wrong_type("t"))?;
            let ts = column(batch, "ts")?
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| wrong_type("ts"))?;
            let gap = column(batch, "gap")?
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| wrong_type("gap"))?;
            for i in 0..batch.num_rows() {
                let number = |name: &str| {
                    numbers
                        .get(name)
                        .copied()
                        .ok_or_else(|| engine_failed(format!("unknown account {name:?}")))
                };
                let (a, b) = (number(ai.value(i))?, number(aj.value(i))?);
                let kind = ActionType::from_code(t.value(i)).ok_or_else(|| wrong_type("t"))?;
                f(EngineCoAction {
                    kind,
                    a: a.min(b),
                    b: a.max(b),
                    ts: ts.value(i),
                    gap: gap.value(i),
                })?;
            }
            Ok(())
        })?;
        Ok(out)
    }

    fn similar_pairs(
        &self,
        settings: &Settings,
        max_rid: i64,
    ) -> Result<SimilarPairs, DetectError> {
        let sql = similar_pairs_sql(settings, max_rid);
        let mut pairs = SimilarPairs::default();
        self.for_each_batch(&sql, |batch| {
            let col = |name: &str| column(batch, name);
            let u64s = |name: &str| {
                col(name)?
                    .as_primitive_opt::<UInt64Type>()
                    .ok_or_else(|| wrong_type(name))
            };
            let bools = |name: &str| col(name)?.as_boolean_opt().ok_or_else(|| wrong_type(name));
            let (da, ca, db, cb) = (u64s("da")?, bools("ca")?, u64s("db")?, bools("cb")?);
            let sim = col("sim")?
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(|| wrong_type("sim"))?;
            for i in 0..batch.num_rows() {
                let a = Variant {
                    digest: da.value(i),
                    cut: ca.value(i),
                };
                let b = Variant {
                    digest: db.value(i),
                    cut: cb.value(i),
                };
                pairs.insert(a, b, sim.value(i));
            }
            Ok(())
        })?;
        tracing::debug!(pairs = pairs.len(), "engine: similar pairs");
        Ok(pairs)
    }

    fn copy_features(
        &self,
        settings: &Settings,
        max_rid: i64,
        f: &mut dyn FnMut(EngineItem) -> Result<(), DetectError>,
    ) -> Result<(), DetectError> {
        let sql = copy_features_sql(settings, max_rid);
        self.for_each_batch(&sql, |batch| {
            for item in items_of(batch)? {
                f(item)?;
            }
            Ok(())
        })
    }
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, DetectError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| engine_failed(format!("result has no column {name}")))
}

fn wrong_type(name: &str) -> DetectError {
    engine_failed(format!("result column {name} has the wrong type"))
}

/// The rows of one result batch of [`copy_features_sql`].
fn items_of(batch: &RecordBatch) -> Result<Vec<EngineItem>, DetectError> {
    let col = |name: &str| column(batch, name);
    let rid = col("rid")?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| wrong_type("rid"))?;
    let ts = col("ts")?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| wrong_type("ts"))?;
    let digest = col("digest")?
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| wrong_type("digest"))?;
    let cut = col("cut")?
        .as_boolean_opt()
        .ok_or_else(|| wrong_type("cut"))?;
    let headline = col("headline")?
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| wrong_type("headline"))?;
    let keys = col("keys")?
        .as_list_opt::<i32>()
        .ok_or_else(|| wrong_type("keys"))?;
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let indexed = if keys.is_null(i) {
            None
        } else {
            let values = keys.value(i);
            let band_keys = values
                .as_primitive_opt::<UInt32Type>()
                .map(|v| v.values().to_vec())
                .ok_or_else(|| wrong_type("keys"))?;
            Some(Prepared::from_keys(
                digest.value(i),
                band_keys,
                cut.is_valid(i) && cut.value(i),
                headline.is_valid(i).then(|| headline.value(i)),
                false,
            ))
        };
        out.push(EngineItem {
            rid: rid.value(i),
            ts: ts.value(i),
            indexed,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_core::Config;
    use vigie_detect::clusters::copy_clusters_with;
    use vigie_detect::coaction::{network, Network};
    use vigie_detect::Context;
    use vigie_store::Store;

    /// The network of `store` in-process and with the plans, accounts by name.
    fn networks(config: &Config, store: &Store, dir: &Path) -> (Network, Network) {
        let expected = network(&Context::new(config, store)).unwrap();
        let items = dir.join("items");
        crate::export::export_items_with(store, &items, 50).unwrap();
        let engine = Engine::open(&EngineSpec::DataFusion, &items).unwrap();
        let got = network(&Context::new(config, store).with_engine(&engine)).unwrap();
        (expected, got)
    }

    fn assert_same(expected: &Network, got: &Network) {
        assert_eq!(got.accounts, expected.accounts);
        assert_eq!(got.edges, expected.edges);
        assert_eq!(got.communities, expected.communities);
        assert_eq!(
            (
                got.pairs_tested,
                got.posts,
                got.episodes,
                got.viral_episodes
            ),
            (
                expected.pairs_tested,
                expected.posts,
                expected.episodes,
                expected.viral_episodes
            )
        );
    }

    #[test]
    fn the_coaction_plan_gives_the_in_process_network_on_hard_cases() {
        // Every rule of the scan at once, with every pair kept (a huge alpha, one co-action) so
        // that any difference in pairs, counts, gaps or null model shows.
        let config = Config::from_toml(
            "[detectors.coordination]\nmax_crowd = 4\nmin_coactions = 1\nalpha = 1e12\n\
             min_members = 2\nwindows = { same_repost = 5 }\n",
            "t",
        )
        .unwrap();
        let post = |id: &str, author: &str, secs: Option<i64>, extra: &str| {
            let at = chrono::DateTime::from_timestamp(1_717_200_000 + secs.unwrap_or(0), 0)
                .unwrap()
                .to_rfc3339();
            format!(
                r#"{{"kind":"post","id":"{id}","platform":"x","author":"{author}","created_at":"{at}","text":"lisez ceci {id}"{extra}}}"#
            )
        };
        let url = |u: &str| format!(r#","urls":["{u}","{u}"]"#);
        let mut lines = vec![
            // Exactly Δ apart, then Δ + 1 s: one episode, then a new one.
            post("1", "a", Some(0), &url("https://ex.com/1")),
            post("2", "b", Some(60), &url("https://ex.com/1")),
            post("3", "c", Some(121), &url("https://ex.com/1")),
            post("4", "a", Some(150), &url("https://ex.com/1")),
            // Equal times, and the same pair meeting twice in one episode.
            post("5", "d", Some(500), &url("https://ex.com/2")),
            post("6", "e", Some(500), &url("https://ex.com/2")),
            post("7", "d", Some(510), &url("https://ex.com/2")),
            // Per-type window: 30 s is too far for reposts (5 s).
            post("8", "f", Some(900), r#","repost_of":"9""#),
            post("9", "g", Some(930), r#","repost_of":"9""#),
            post("10", "h", Some(932), r#","repost_of":"9""#),
            // A tie with the first post; an empty author acts on nothing.
            post("11", "i", Some(0), &url("https://ex.com/1")),
            post("12", "", Some(1), &url("https://ex.com/1")),
        ];
        // A crowd: six accounts within seconds (max_crowd 4), pairs only before it is crowded;
        // after a quiet minute, the object starts a fresh episode.
        for m in 0..6 {
            lines.push(post(
                &format!("v{m}"),
                &format!("u{m}"),
                Some(2_000 + m),
                r#","hashtags":["Vote"]"#,
            ));
        }
        for m in 0..3 {
            lines.push(post(
                &format!("w{m}"),
                &format!("u{m}"),
                Some(2_200 + m),
                r#","hashtags":["vote"]"#,
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let normaliser = vigie_normalise::Normaliser::new(&Default::default());
        let mut batch = store.batch().unwrap();
        for line in &lines {
            let record: vigie_core::Record = serde_json::from_str(line).unwrap();
            if let Ok(n) = normaliser.normalise(record) {
                batch.insert(&n).unwrap();
            }
        }
        batch.commit().unwrap();
        let (expected, got) = networks(&config, &store, dir.path());
        assert!(expected.viral_episodes >= 1, "{expected:?}");
        assert!(
            expected.edges.len() >= 8,
            "{} posts {:?}",
            expected.posts,
            expected.edges
        );
        assert_same(&expected, &got);
    }

    /// Generated data (with its configuration) ingested into a store file in a new folder.
    fn generated_store(posts: usize) -> (tempfile::TempDir, Config, Store) {
        let dir = tempfile::tempdir().unwrap();
        vigie_generate::generate(
            &vigie_generate::GenerateOptions {
                posts,
                ..Default::default()
            },
            dir.path(),
        )
        .unwrap();
        let config = Config::load(&dir.path().join("vigie.toml")).unwrap();
        let store = crate::bench::load(&dir.path().join("data"), &dir.path().join("t.db")).unwrap();
        (dir, config, store)
    }

    #[test]
    fn the_coaction_plan_gives_the_in_process_network_on_generated_data() {
        let (dir, config, store) = generated_store(3_000);
        let (expected, got) = networks(&config, &store, dir.path());
        assert!(!expected.communities.is_empty(), "no community");
        assert_same(&expected, &got);
    }

    #[test]
    fn the_lookalike_plan_gives_the_in_process_alerts_on_generated_data() {
        use vigie_detect::detectors::lookalike_domain;
        let (dir, config, store) = generated_store(3_000);
        let items = dir.path().join("items");
        let written = crate::export::export_items_with(&store, &items, 1_000).unwrap();
        assert!(written.host_files.len() >= 2, "{written:?}");
        let engine = Engine::open(&EngineSpec::DataFusion, &items).unwrap();
        let detector = lookalike_domain::build(&config).unwrap();
        let run = |ctx: &Context<'_>| -> Vec<vigie_core::Alert> {
            let mut alerts: Vec<_> = detector
                .run(ctx)
                .unwrap()
                .into_iter()
                .map(vigie_core::Alert::finalise)
                .collect();
            alerts.sort_by(|a, b| a.id.cmp(&b.id));
            alerts
        };
        let expected = run(&Context::new(&config, &store));
        assert!(expected.len() >= 3, "{} look-alike alerts", expected.len());
        let got = run(&Context::new(&config, &store).with_engine(&engine));
        assert_eq!(got, expected);

        // The plan prunes (the generated hosts are mostly protected sites and their look-alikes,
        // so not by much here), and every look-alike is among its candidates.
        let settings: lookalike_domain::Settings =
            config.detector_settings(lookalike_domain::NAME).unwrap();
        let index =
            vigie_detect::lookalike::LookalikeIndex::from_config(&config, settings.starter_list);
        let candidates = engine.lookalike_candidates(&index.probe_index()).unwrap();
        let mut hosts = std::collections::HashSet::new();
        store
            .for_each_link(&[vigie_core::Kind::Post], |row| {
                hosts.extend(
                    row.urls
                        .iter()
                        .filter_map(|u| lookalike_domain::host_of(u).map(str::to_owned)),
                );
                Ok(())
            })
            .unwrap();
        assert!(
            candidates.len() < hosts.len(),
            "{} of {}",
            candidates.len(),
            hosts.len()
        );
        for alert in &expected {
            for host in &alert.evidence.domains {
                assert!(candidates.contains(host), "{host} is not a candidate");
            }
        }
    }

    #[test]
    fn the_plans_give_the_in_process_clusters() {
        // Generated data with copy campaigns (exact, reworded, cut copies) and organic decoys,
        // exported in small files so the plans run over several partitions.
        let (dir, config, store) = generated_store(3_000);
        let items = dir.path().join("items");
        let written = crate::export::export_items_with(&store, &items, 1_000).unwrap();
        assert!(written.files.len() >= 3, "{written:?}");
        let engine = Engine::open(&EngineSpec::DataFusion, &items).unwrap();

        // The bucket join finds copies that are not exact, so lookups decide joins.
        let settings: Settings = config.detector_settings(NAME).unwrap();
        let pairs = engine
            .similar_pairs(&settings, store.max_rid().unwrap())
            .unwrap();
        assert!(pairs.len() >= 3, "{} similar pairs", pairs.len());

        store.reset_copy_index().unwrap();
        let expected = copy_clusters_with(&config, &store, None).unwrap();
        assert!(expected.len() >= 3, "{} clusters", expected.len());
        assert!(
            expected.iter().any(|c| c.weakest_similarity < 1.0),
            "no near-duplicate cluster"
        );
        store.reset_copy_index().unwrap();
        let got = copy_clusters_with(&config, &store, Some(&engine)).unwrap();
        assert_eq!(got, expected);
    }
}
