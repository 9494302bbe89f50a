//! The engines that run vigie's data-parallel stages: DataFusion in this process, or a Ballista
//! cluster. Both run the same plans over the same Parquet files; the coordinator consumes the
//! result as a stream, in the order the in-process index reads the store.

use crate::{udf, ClusterError};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Float64Type, Int64Type, UInt32Type, UInt64Type};
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;
use std::path::Path;
use vigie_detect::clusters::{EngineItem, FeatureEngine};
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
}

impl Engine {
    /// Connects (for Ballista) and registers the exported items of `items_dir` as table
    /// `items`. With Ballista, the directory must be readable at the same path by the
    /// scheduler and every executor (a shared file system).
    pub fn open(spec: &EngineSpec, items_dir: &Path) -> Result<Engine, ClusterError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
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
        Ok(Engine { runtime, ctx })
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

impl FeatureEngine for Engine {
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

    #[test]
    fn the_plans_give_the_in_process_clusters() {
        // Generated data with copy campaigns (exact, reworded, cut copies) and organic decoys,
        // exported in small files so the plans run over several partitions.
        let dir = tempfile::tempdir().unwrap();
        vigie_generate::generate(
            &vigie_generate::GenerateOptions {
                posts: 3_000,
                ..Default::default()
            },
            dir.path(),
        )
        .unwrap();
        let config = Config::load(&dir.path().join("vigie.toml")).unwrap();
        let store = crate::bench::load(&dir.path().join("data"), &dir.path().join("t.db")).unwrap();
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
