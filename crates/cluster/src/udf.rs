//! vigie's functions as DataFusion scalar UDFs. They call the detect crate's own code, so a plan
//! computes exactly what the in-process detectors compute. Every tuning value is an argument
//! (a literal in the plan), never state of the function: executors register the functions once,
//! at start, and serve scans of any configuration.

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, BooleanBuilder, Float64Builder, ListBuilder,
    StringBuilder, UInt32Builder, UInt64Builder,
};
use datafusion::arrow::array::{StructBuilder, UInt8Builder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, UInt32Type, UInt64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;
use vigie_detect::coaction::{post_objects, ActionType};
use vigie_detect::detectors::copypasta::{looks_cut, matching_text};
use vigie_detect::neardup::{self, Params};

/// The functions, by what they compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Func {
    /// `vigie_matching_text(norm)`: the text copies are matched on (links, mentions and
    /// punctuation dropped).
    MatchingText,
    /// `vigie_looks_cut(norm)`: the text visibly stops short.
    LooksCut,
    /// `vigie_text_digest(text)`: equal digests are exact copies.
    TextDigest,
    /// `vigie_headline_digest(title, min_words)`: digest of an article's matching headline.
    HeadlineDigest,
    /// `vigie_shingles(text, shingle_words, max_shingles, min_words)`: sorted shingle hashes,
    /// NULL for texts under `min_words` words.
    Shingles,
    /// `vigie_band_keys(shingles, bands, rows)`: one LSH key per band of the seeded MinHash
    /// signature.
    BandKeys,
    /// `vigie_similarity(shingles_a, cut_a, shingles_b, cut_b, min_jaccard, min_containment,
    /// min_size_ratio, min_size_ratio_whole)`: the verified similarity of two texts, NULL when
    /// they are not copies.
    Similarity,
    /// `vigie_coaction_objects(record, norm, derived, near_cluster, min_text_chars,
    /// types_mask)`: the objects a post acts on, in the order a scan acts on them, each once,
    /// as a list of `{t, key, ord}` (type code, object key, rank).
    CoactionObjects,
    /// `vigie_lookalike_keys(host)`: the look-up keys of an observed host in the look-alike
    /// index (see `vigie_detect::lookalike::probe_keys`).
    LookalikeKeys,
}

impl Func {
    const ALL: [Func; 9] = [
        Func::MatchingText,
        Func::LooksCut,
        Func::TextDigest,
        Func::HeadlineDigest,
        Func::Shingles,
        Func::BandKeys,
        Func::Similarity,
        Func::CoactionObjects,
        Func::LookalikeKeys,
    ];

    fn name(self) -> &'static str {
        match self {
            Func::MatchingText => "vigie_matching_text",
            Func::LooksCut => "vigie_looks_cut",
            Func::TextDigest => "vigie_text_digest",
            Func::HeadlineDigest => "vigie_headline_digest",
            Func::Shingles => "vigie_shingles",
            Func::BandKeys => "vigie_band_keys",
            Func::Similarity => "vigie_similarity",
            Func::CoactionObjects => "vigie_coaction_objects",
            Func::LookalikeKeys => "vigie_lookalike_keys",
        }
    }

    fn arity(self) -> usize {
        match self {
            Func::MatchingText | Func::LooksCut | Func::TextDigest | Func::LookalikeKeys => 1,
            Func::HeadlineDigest => 2,
            Func::BandKeys => 3,
            Func::Shingles => 4,
            Func::Similarity => 8,
            Func::CoactionObjects => 6,
        }
    }

    fn return_type(self) -> DataType {
        match self {
            Func::MatchingText => DataType::Utf8,
            Func::LooksCut => DataType::Boolean,
            Func::TextDigest | Func::HeadlineDigest => DataType::UInt64,
            Func::Shingles | Func::BandKeys => u32_list(),
            Func::Similarity => DataType::Float64,
            Func::LookalikeKeys => {
                DataType::List(Arc::new(Field::new_list_field(DataType::UInt64, true)))
            }
            Func::CoactionObjects => DataType::List(Arc::new(Field::new_list_field(
                DataType::Struct(object_fields()),
                true,
            ))),
        }
    }
}

/// The fields of one co-action object.
fn object_fields() -> Fields {
    Fields::from(vec![
        Field::new("t", DataType::UInt8, false),
        Field::new("key", DataType::UInt64, false),
        Field::new("ord", DataType::UInt32, false),
    ])
}

fn u32_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::UInt32, true)))
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct VigieUdf {
    func: Func,
    signature: Signature,
}

/// Every vigie function, to register in a session (in-process, scheduler and executors alike).
pub fn udfs() -> Vec<Arc<ScalarUDF>> {
    Func::ALL
        .into_iter()
        .map(|func| {
            Arc::new(ScalarUDF::from(VigieUdf {
                func,
                // Argument types are checked (and cast) when called: strings arrive as Utf8 or
                // Utf8View depending on the reader, integers as any width.
                signature: Signature::any(func.arity(), Volatility::Immutable),
            }))
        })
        .collect()
}

impl ScalarUDFImpl for VigieUdf {
    fn name(&self) -> &str {
        self.func.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.func.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let a = &args.args;
        let out: ArrayRef = match self.func {
            Func::MatchingText => {
                let text = strings(a, 0, n)?;
                let mut b = StringBuilder::new();
                for v in strs(&text)? {
                    b.append_option(v.map(matching_text));
                }
                Arc::new(b.finish())
            }
            Func::LooksCut => {
                let text = strings(a, 0, n)?;
                let mut b = BooleanBuilder::new();
                for v in strs(&text)? {
                    b.append_option(v.map(looks_cut));
                }
                Arc::new(b.finish())
            }
            Func::TextDigest => {
                let text = strings(a, 0, n)?;
                let mut b = UInt64Builder::new();
                for v in strs(&text)? {
                    b.append_option(v.map(neardup::text_digest));
                }
                Arc::new(b.finish())
            }
            Func::HeadlineDigest => {
                let title = strings(a, 0, n)?;
                let params = Params {
                    min_words: count(a, 1, "min_words")?,
                    ..Params::default()
                };
                let mut b = UInt64Builder::new();
                for v in strs(&title)? {
                    b.append_option(v.and_then(|t| {
                        let headline = matching_text(&vigie_normalise::text::fold(t));
                        neardup::headline_digest(&params, &headline)
                    }));
                }
                Arc::new(b.finish())
            }
            Func::Shingles => {
                let text = strings(a, 0, n)?;
                let shingle_words = count(a, 1, "shingle_words")?;
                let max_shingles = count(a, 2, "max_shingles")?;
                let min_words = count(a, 3, "min_words")?;
                let mut b = ListBuilder::new(UInt32Builder::new());
                for v in strs(&text)? {
                    let words = v.map(neardup::words).unwrap_or_default();
                    if v.is_none() || words.len() < min_words {
                        b.append_null();
                        continue;
                    }
                    let s = neardup::shingles(&words, shingle_words, max_shingles);
                    b.values().append_slice(&s);
                    b.append(true);
                }
                Arc::new(b.finish())
            }
            Func::BandKeys => {
                let shingles = arg(a, 0)?.to_array(n)?;
                let Some(lists) = shingles.as_list_opt::<i32>() else {
                    return exec_err!("vigie_band_keys: shingles must be a list of UInt32");
                };
                let params = Params {
                    bands: count(a, 1, "bands")?,
                    rows: count(a, 2, "rows")?,
                    ..Params::default()
                };
                let hasher = neardup::index_hasher(&params);
                let mut b = ListBuilder::new(UInt32Builder::new());
                for i in 0..lists.len() {
                    if lists.is_null(i) {
                        b.append_null();
                        continue;
                    }
                    let values = lists.value(i);
                    let Some(values) = values.as_primitive_opt::<UInt32Type>() else {
                        return exec_err!("vigie_band_keys: shingles must be a list of UInt32");
                    };
                    let keys = neardup::band_keys_of(&params, &hasher, values.values());
                    b.values().append_slice(&keys);
                    b.append(true);
                }
                Arc::new(b.finish())
            }
            Func::Similarity => {
                let (sh_a, cut_a) = (lists(a, 0, n)?, booleans(a, 1, n)?);
                let (sh_b, cut_b) = (lists(a, 2, n)?, booleans(a, 3, n)?);
                let params = Params {
                    min_jaccard: float(a, 4, "min_jaccard")?,
                    min_containment: float(a, 5, "min_containment")?,
                    min_size_ratio: float(a, 6, "min_size_ratio")?,
                    min_size_ratio_whole: float(a, 7, "min_size_ratio_whole")?,
                    ..Params::default()
                };
                let (Some(sh_a), Some(sh_b)) =
                    (sh_a.as_list_opt::<i32>(), sh_b.as_list_opt::<i32>())
                else {
                    return exec_err!("vigie_similarity: shingles must be lists of UInt32");
                };
                let (cut_a, cut_b) = (cut_a.as_boolean(), cut_b.as_boolean());
                let mut b = Float64Builder::new();
                for i in 0..n {
                    if sh_a.is_null(i) || sh_b.is_null(i) {
                        b.append_null();
                        continue;
                    }
                    let (va, vb) = (sh_a.value(i), sh_b.value(i));
                    let (Some(va), Some(vb)) = (
                        va.as_primitive_opt::<UInt32Type>(),
                        vb.as_primitive_opt::<UInt32Type>(),
                    ) else {
                        return exec_err!("vigie_similarity: shingles must be lists of UInt32");
                    };
                    let flag = |c: &BooleanArray| c.is_valid(i) && c.value(i);
                    b.append_option(neardup::verified_similarity(
                        &params,
                        (va.values(), flag(cut_a)),
                        (vb.values(), flag(cut_b)),
                    ));
                }
                Arc::new(b.finish())
            }
            Func::LookalikeKeys => {
                let host = strings(a, 0, n)?;
                let mut b = ListBuilder::new(UInt64Builder::new());
                let mut keys = Vec::new();
                for v in strs(&host)? {
                    let Some(host) = v else {
                        b.append_null();
                        continue;
                    };
                    keys.clear();
                    vigie_detect::lookalike::probe_keys(host, |k| keys.push(k));
                    // One row per key and host: a repeated key would repeat the join's match.
                    keys.sort_unstable();
                    keys.dedup();
                    b.values().append_slice(&keys);
                    b.append(true);
                }
                Arc::new(b.finish())
            }
            Func::CoactionObjects => {
                let record = strings(a, 0, n)?;
                let norm = strings(a, 1, n)?;
                let derived = strings(a, 2, n)?;
                let near = cast(&arg(a, 3)?.to_array(n)?, &DataType::UInt64)?;
                let near = near.as_primitive::<UInt64Type>();
                let mask = count(a, 5, "types_mask")?;
                let settings = vigie_detect::coaction::Settings {
                    min_text_chars: count(a, 4, "min_text_chars")?,
                    types: ActionType::ALL
                        .iter()
                        .filter(|t| mask & (1 << (**t as usize)) != 0)
                        .map(|t| t.name().to_owned())
                        .collect(),
                    ..Default::default()
                };
                let (record, norm, derived) = (strs(&record)?, strs(&norm)?, strs(&derived)?);
                let mut b = ListBuilder::new(StructBuilder::from_fields(object_fields(), 0))
                    .with_field(Arc::new(Field::new_list_field(
                        DataType::Struct(object_fields()),
                        true,
                    )));
                let mut seen = std::collections::HashSet::new();
                for i in 0..n {
                    let Some(Some(rec)) = record.get(i) else {
                        b.append_null();
                        continue;
                    };
                    let norm_i = norm.get(i).copied().flatten().unwrap_or("");
                    let derived_i = derived.get(i).copied().flatten().unwrap_or("");
                    let cluster = near
                        .is_valid(i)
                        .then(|| u32::try_from(near.value(i)).ok())
                        .flatten();
                    let objs = match post_objects(rec, norm_i, derived_i, cluster, &settings) {
                        Ok(objs) => objs,
                        Err(e) => return exec_err!("vigie_coaction_objects: not a post: {e}"),
                    };
                    // An object met twice in one post acts once: a second event of the same
                    // account pairs with no one new.
                    seen.clear();
                    let s = b.values();
                    for (rank, (t, key)) in objs.into_iter().enumerate() {
                        if !seen.insert((t, key)) {
                            continue;
                        }
                        let (Some(tb), rank) = (
                            s.field_builder::<UInt8Builder>(0),
                            u32::try_from(rank).unwrap_or(u32::MAX),
                        ) else {
                            return exec_err!("vigie_coaction_objects: builder");
                        };
                        tb.append_value(t as u8);
                        if let Some(kb) = s.field_builder::<UInt64Builder>(1) {
                            kb.append_value(key);
                        }
                        if let Some(ob) = s.field_builder::<UInt32Builder>(2) {
                            ob.append_value(rank);
                        }
                        s.append(true);
                    }
                    b.append(true);
                }
                Arc::new(b.finish())
            }
        };
        Ok(ColumnarValue::Array(out))
    }
}

fn arg(args: &[ColumnarValue], i: usize) -> Result<&ColumnarValue> {
    match args.get(i) {
        Some(v) => Ok(v),
        None => exec_err!("missing argument {}", i + 1),
    }
}

/// Argument `i` as an array of `n` rows of some string type.
fn strings(args: &[ColumnarValue], i: usize, n: usize) -> Result<ArrayRef> {
    let array = arg(args, i)?.to_array(n)?;
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(array),
        _ => Ok(cast(&array, &DataType::Utf8)?),
    }
}

/// The values of a string array, borrowed: Parquet columns arrive as Utf8View, and copying
/// them to Utf8 for every call cost a copy of every text.
fn strs(array: &ArrayRef) -> Result<Vec<Option<&str>>> {
    Ok(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        other => return exec_err!("expected a string, got {other}"),
    })
}

/// Argument `i` as a list array of `n` rows.
fn lists(args: &[ColumnarValue], i: usize, n: usize) -> Result<ArrayRef> {
    arg(args, i)?.to_array(n)
}

/// Argument `i` as a Boolean array of `n` rows.
fn booleans(args: &[ColumnarValue], i: usize, n: usize) -> Result<ArrayRef> {
    let array = arg(args, i)?.to_array(n)?;
    Ok(cast(&array, &DataType::Boolean)?)
}

/// Argument `i`: a number literal.
fn float(args: &[ColumnarValue], i: usize, what: &str) -> Result<f64> {
    let ColumnarValue::Scalar(value) = arg(args, i)? else {
        return exec_err!("{what} must be a literal");
    };
    match value.cast_to(&DataType::Float64)? {
        ScalarValue::Float64(Some(v)) => Ok(v),
        _ => exec_err!("{what} must be a number"),
    }
}

/// Argument `i`: a non-negative integer literal.
fn count(args: &[ColumnarValue], i: usize, what: &str) -> Result<usize> {
    let ColumnarValue::Scalar(value) = arg(args, i)? else {
        return exec_err!("{what} must be a literal");
    };
    match value.cast_to(&DataType::UInt64)? {
        ScalarValue::UInt64(Some(v)) => match usize::try_from(v) {
            Ok(v) => Ok(v),
            Err(_) => exec_err!("{what} is too large"),
        },
        _ => exec_err!("{what} must be a non-negative integer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{StringArray, StringViewArray};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::prelude::SessionContext;
    use vigie_detect::neardup::{
        band_keys_of, headline_digest, index_hasher, shingles, text_digest, verified_similarity,
        words,
    };

    const TEXTS: [Option<&str>; 7] = [
        Some("les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain selon le ministere https://t.co/x @afp"),
        Some("rt @relay: les bureaux de vote fermeront exceptionnellement a 18h dimanche prochain…"),
        Some("trop court"),
        Some(""),
        None,
        Some("🗳️ \u{202e} \u{0} ﷽ texte hostile avec des caractères de contrôle et des emoji 🗳️ encore des mots"),
        Some("un article assez long pour etre indexe avec un titre qui sera aussi un message"),
    ];

    /// Runs `sql` over table `t(norm, title)` of [`TEXTS`], strings as Utf8View when `view`.
    async fn query(sql: &str, view: bool) -> Vec<RecordBatch> {
        let norm: ArrayRef = if view {
            Arc::new(StringViewArray::from(TEXTS.to_vec()))
        } else {
            Arc::new(StringArray::from(TEXTS.to_vec()))
        };
        let titles: Vec<Option<&str>> = TEXTS.iter().rev().copied().collect();
        let title: ArrayRef = Arc::new(StringArray::from(titles));
        let schema = Arc::new(Schema::new(vec![
            Field::new("norm", norm.data_type().clone(), true),
            Field::new("title", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(schema, vec![norm, title]).unwrap();
        let ctx = SessionContext::new();
        for f in udfs() {
            ctx.register_udf((*f).clone());
        }
        ctx.register_batch("t", batch).unwrap();
        ctx.sql(sql).await.unwrap().collect().await.unwrap()
    }

    #[tokio::test]
    async fn the_functions_compute_what_the_index_computes() {
        let params = Params::default();
        let hasher = index_hasher(&params);
        for view in [false, true] {
            let sql = format!(
                "SELECT vigie_matching_text(norm) AS m, vigie_looks_cut(norm) AS cut,
                        vigie_text_digest(vigie_matching_text(norm)) AS digest,
                        vigie_headline_digest(title, {w}) AS headline,
                        vigie_band_keys(vigie_shingles(vigie_matching_text(norm), {k}, {max}, {w}),
                                        {bands}, {rows}) AS keys,
                        vigie_shingles(vigie_matching_text(norm), {k}, {max}, {w}) AS sh
                 FROM t",
                w = params.min_words,
                k = params.shingle_words,
                max = params.max_shingles,
                bands = params.bands,
                rows = params.rows,
            );
            let batches = query(&sql, view).await;
            let batch =
                datafusion::arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
            assert_eq!(batch.num_rows(), TEXTS.len());
            let m = batch.column(0).as_string::<i32>();
            let cut = batch.column(1).as_boolean();
            let digest = batch
                .column(2)
                .as_primitive::<datafusion::arrow::datatypes::UInt64Type>();
            let headline = batch
                .column(3)
                .as_primitive::<datafusion::arrow::datatypes::UInt64Type>();
            let keys = batch.column(4).as_list::<i32>();
            let sh = batch.column(5).as_list::<i32>();
            let mut indexed = 0;
            for (i, text) in TEXTS.iter().enumerate() {
                let title = TEXTS[TEXTS.len() - 1 - i];
                let Some(text) = text else {
                    assert!(m.is_null(i) && cut.is_null(i) && sh.is_null(i) && keys.is_null(i));
                    continue;
                };
                let matching = matching_text(text);
                assert_eq!(m.value(i), matching);
                assert_eq!(cut.value(i), looks_cut(text));
                assert_eq!(digest.value(i), text_digest(&matching));
                let expected_headline = title.and_then(|t| {
                    headline_digest(&params, &matching_text(&vigie_normalise::text::fold(t)))
                });
                assert_eq!(
                    headline.is_valid(i).then(|| headline.value(i)),
                    expected_headline
                );
                let w = words(&matching);
                if w.len() < params.min_words {
                    assert!(sh.is_null(i) && keys.is_null(i), "{text}");
                    continue;
                }
                indexed += 1;
                let expected_sh = shingles(&w, params.shingle_words, params.max_shingles);
                let expected_keys = band_keys_of(&params, &hasher, &expected_sh);
                let got_sh = sh.value(i);
                let got_keys = keys.value(i);
                assert_eq!(
                    got_sh.as_primitive::<UInt32Type>().values().to_vec(),
                    expected_sh
                );
                assert_eq!(
                    got_keys.as_primitive::<UInt32Type>().values().to_vec(),
                    expected_keys
                );
                assert_eq!(expected_keys.len(), params.bands);
            }
            assert_eq!(indexed, 4);
        }
    }

    #[tokio::test]
    async fn similarity_is_the_index_verification() {
        // Every pair of the texts, both orders, cut flags as computed: the UDF must give what
        // the index's own verification gives, NULL where it finds no copy.
        let params = Params::default();
        let sql = format!(
            "WITH s AS (
               SELECT norm, vigie_looks_cut(norm) AS cut,
                      vigie_shingles(vigie_matching_text(norm), {k}, {max}, {w}) AS sh FROM t)
             SELECT a.norm AS na, b.norm AS nb,
                    vigie_similarity(a.sh, a.cut, b.sh, b.cut, {j}, {c}, {r}, {rw}) AS sim
             FROM s a CROSS JOIN s b",
            w = params.min_words,
            k = params.shingle_words,
            max = params.max_shingles,
            j = params.min_jaccard,
            c = params.min_containment,
            r = params.min_size_ratio,
            rw = params.min_size_ratio_whole,
        );
        let batches = query(&sql, false).await;
        let (mut rows, mut similar) = (0, 0);
        for batch in &batches {
            let na = batch.column(0).as_string::<i32>();
            let nb = batch.column(1).as_string::<i32>();
            let sim = batch
                .column(2)
                .as_primitive::<datafusion::arrow::datatypes::Float64Type>();
            for i in 0..batch.num_rows() {
                rows += 1;
                let got = sim.is_valid(i).then(|| sim.value(i));
                let expected = if na.is_null(i) || nb.is_null(i) {
                    None
                } else {
                    let (a, b) = (na.value(i), nb.value(i));
                    let (ma, mb) = (matching_text(a), matching_text(b));
                    let (wa, wb) = (words(&ma), words(&mb));
                    if wa.len() < params.min_words || wb.len() < params.min_words {
                        None
                    } else {
                        let sa = shingles(&wa, params.shingle_words, params.max_shingles);
                        let sb = shingles(&wb, params.shingle_words, params.max_shingles);
                        verified_similarity(&params, (&sa, looks_cut(a)), (&sb, looks_cut(b)))
                    }
                };
                assert_eq!(got, expected);
                similar += usize::from(got.is_some());
            }
        }
        assert_eq!(rows, TEXTS.len() * TEXTS.len());
        // At least the four indexed texts with themselves.
        assert!(similar >= 4, "{similar}");
    }

    #[tokio::test]
    async fn bad_arguments_are_errors_not_panics() {
        let ctx = SessionContext::new();
        for f in udfs() {
            ctx.register_udf((*f).clone());
        }
        for sql in [
            "SELECT vigie_shingles('a b c', -1, 10, 1)",
            "SELECT vigie_band_keys('not a list', 21, 3)",
            "SELECT vigie_shingles('a b c', 2, 10)",
            "SELECT vigie_similarity('a', true, 'b', false, 0.5, 0.8, 0.5, 0.7)",
            "SELECT vigie_similarity(NULL, true, NULL, false, 'x', 0.8, 0.5, 0.7)",
        ] {
            let result = match ctx.sql(sql).await {
                Ok(df) => df.collect().await.map(|_| ()),
                Err(e) => Err(e),
            };
            assert!(result.is_err(), "{sql}");
        }
    }
}
