//! The engines that run vigie's data-parallel stages: DataFusion in this process, or a Ballista
//! cluster. Both run the same plans over the same Parquet files; the coordinator consumes the
//! result as a stream, in the order the in-process index reads the store.

use crate::{udf, ClusterError};
use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Int64Type, UInt32Type, UInt64Type};
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use futures::StreamExt;
use std::path::Path;
use vigie_detect::clusters::{EngineItem, FeatureEngine};
use vigie_detect::detectors::copypasta::{Settings, NAME};
use vigie_detect::neardup::{Features, Prepared};
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

/// The copy-cluster features plan: shingles, MinHash band keys and exact-copy digests of
/// every item, computed where the items are, streamed back in (time, row id) order.
pub fn copy_features_sql(settings: &Settings, max_rid: i64) -> String {
    let p = &settings.matching;
    format!(
        "SELECT rid, ts, digest, cut, headline, sh, vigie_band_keys(sh, {bands}, {rows}) AS keys
         FROM (
           SELECT rid, ts, vigie_text_digest(m) AS digest, vigie_looks_cut(norm) AS cut,
                  CASE WHEN kind = 'article' THEN vigie_headline_digest(title, {min_words}) END
                    AS headline,
                  vigie_shingles(m, {shingle_words}, {max_shingles}, {min_words}) AS sh
           FROM (
             SELECT rid, ts, kind, norm, title, vigie_matching_text(norm) AS m FROM items
             WHERE kind IN ('post', 'article') AND repost_of IS NULL AND ts IS NOT NULL
               AND rid <= {max_rid}
           )
           WHERE character_length(m) >= {min_chars}
         )
         ORDER BY ts, rid",
        bands = p.bands.max(1),
        rows = p.rows.max(1),
        min_words = p.min_words,
        shingle_words = p.shingle_words,
        max_shingles = p.max_shingles,
        min_chars = settings.min_chars,
    )
}

impl FeatureEngine for Engine {
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

/// The rows of one result batch of [`copy_features_sql`].
fn items_of(batch: &RecordBatch) -> Result<Vec<EngineItem>, DetectError> {
    let col = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| engine_failed(format!("result has no column {name}")))
    };
    let bad = |name: &str| engine_failed(format!("result column {name} has the wrong type"));
    let rid = col("rid")?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("rid"))?;
    let ts = col("ts")?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| bad("ts"))?;
    let digest = col("digest")?
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| bad("digest"))?;
    let cut = col("cut")?.as_boolean_opt().ok_or_else(|| bad("cut"))?;
    let headline = col("headline")?
        .as_primitive_opt::<UInt64Type>()
        .ok_or_else(|| bad("headline"))?;
    let sh = col("sh")?.as_list_opt::<i32>().ok_or_else(|| bad("sh"))?;
    let keys = col("keys")?
        .as_list_opt::<i32>()
        .ok_or_else(|| bad("keys"))?;
    let u32s = |list: &datafusion::arrow::array::ListArray, i: usize, name: &str| {
        let values = list.value(i);
        values
            .as_primitive_opt::<UInt32Type>()
            .map(|v| v.values().to_vec())
            .ok_or_else(|| bad(name))
    };
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let indexed = if sh.is_null(i) || keys.is_null(i) {
            None
        } else {
            let prepared = Prepared {
                digest: digest.value(i),
                cut: cut.is_valid(i) && cut.value(i),
                headline_digest: headline.is_valid(i).then(|| headline.value(i)),
                known_cluster: false,
            };
            let features = Features {
                shingles: u32s(sh, i, "sh")?,
                band_keys: u32s(keys, i, "keys")?,
            };
            Some((prepared, features))
        };
        out.push(EngineItem {
            rid: rid.value(i),
            ts: ts.value(i),
            indexed,
        });
    }
    Ok(out)
}
