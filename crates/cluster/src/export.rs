//! `vigie export parquet`: the store's posts and articles as Parquet files, the input of
//! distributed runs. Row ids are the store's, so what an engine computes from the files joins
//! back to the store that wrote them.

use crate::ClusterError;
use datafusion::arrow::array::{ArrayRef, Int64Builder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_core::Kind;
use vigie_store::{Store, TextRow};

/// Rows per file: files are the unit of work an engine spreads over its executors.
pub const ROWS_PER_FILE: usize = 250_000;
const ROWS_PER_BATCH: usize = 8_192;
/// Name prefix of the files this module writes (and removes before writing again).
const PREFIX: &str = "items-";

/// The columns of the exported items.
pub fn schema() -> SchemaRef {
    let text = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("rid", DataType::Int64, false),
        text("kind", false),
        text("platform", false),
        text("id", false),
        text("author", true),
        // Unix milliseconds, UTC.
        Field::new("ts", DataType::Int64, true),
        // The folded text.
        text("norm", false),
        text("repost_of", true),
        text("lang", true),
        // An article's headline as given.
        text("title", true),
    ]))
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub rows: u64,
    pub files: Vec<PathBuf>,
}

struct Columns {
    rid: Int64Builder,
    kind: StringBuilder,
    platform: StringBuilder,
    id: StringBuilder,
    author: StringBuilder,
    ts: Int64Builder,
    norm: StringBuilder,
    repost_of: StringBuilder,
    lang: StringBuilder,
    title: StringBuilder,
    len: usize,
}

impl Columns {
    fn new() -> Columns {
        Columns {
            rid: Int64Builder::new(),
            kind: StringBuilder::new(),
            platform: StringBuilder::new(),
            id: StringBuilder::new(),
            author: StringBuilder::new(),
            ts: Int64Builder::new(),
            norm: StringBuilder::new(),
            repost_of: StringBuilder::new(),
            lang: StringBuilder::new(),
            title: StringBuilder::new(),
            len: 0,
        }
    }

    fn push(&mut self, row: &TextRow<'_>) {
        self.rid.append_value(row.rid);
        self.kind.append_value(row.kind.as_str());
        self.platform.append_value(row.platform);
        self.id.append_value(row.id);
        self.author.append_option(row.author);
        self.ts.append_option(row.ts);
        self.norm.append_value(row.norm);
        self.repost_of.append_option(row.repost_of);
        self.lang.append_option(row.lang);
        self.title.append_option(row.title);
        self.len += 1;
    }

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, ClusterError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.rid.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.platform.finish()),
            Arc::new(self.id.finish()),
            Arc::new(self.author.finish()),
            Arc::new(self.ts.finish()),
            Arc::new(self.norm.finish()),
            Arc::new(self.repost_of.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.title.finish()),
        ];
        self.len = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
    }
}

/// Writes every post and article of `store` to `dir/items-NNNNN.parquet` (files of an earlier
/// export there are replaced), in row-id order, [`ROWS_PER_FILE`] rows a file.
pub fn export_items(store: &Store, dir: &Path) -> Result<Exported, ClusterError> {
    export_items_with(store, dir, ROWS_PER_FILE)
}

/// [`export_items`] with about `rows_per_file` rows a file.
pub fn export_items_with(
    store: &Store,
    dir: &Path,
    rows_per_file: usize,
) -> Result<Exported, ClusterError> {
    std::fs::create_dir_all(dir).map_err(|e| ClusterError::io(dir, e))?;
    remove_old(dir)?;
    let schema = schema();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROWS_PER_BATCH * 8))
        .build();
    let mut files = Vec::new();
    let mut writer: Option<(ArrowWriter<std::fs::File>, usize)> = None;
    let mut columns = Columns::new();
    let mut rows = 0u64;
    let mut failure: Option<ClusterError> = None;
    store.for_each_text(&[Kind::Post, Kind::Article], |row| {
        if failure.is_some() {
            return Ok(());
        }
        columns.push(row);
        rows += 1;
        if columns.len >= ROWS_PER_BATCH.min(rows_per_file.max(1)) {
            if let Err(e) = flush(
                dir,
                &schema,
                &props,
                &mut columns,
                &mut writer,
                &mut files,
                rows_per_file,
            ) {
                failure = Some(e);
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if columns.len > 0 || files.is_empty() {
        flush(
            dir,
            &schema,
            &props,
            &mut columns,
            &mut writer,
            &mut files,
            rows_per_file,
        )?;
    }
    if let Some((w, _)) = writer {
        w.close()?;
    }
    Ok(Exported { rows, files })
}

fn flush(
    dir: &Path,
    schema: &SchemaRef,
    props: &WriterProperties,
    columns: &mut Columns,
    writer: &mut Option<(ArrowWriter<std::fs::File>, usize)>,
    files: &mut Vec<PathBuf>,
    rows_per_file: usize,
) -> Result<(), ClusterError> {
    let batch = columns.finish(schema)?;
    if writer.as_ref().is_some_and(|(_, n)| *n >= rows_per_file) {
        if let Some((w, _)) = writer.take() {
            w.close()?;
        }
    }
    if writer.is_none() {
        let path = dir.join(format!("{PREFIX}{:05}.parquet", files.len()));
        let file = std::fs::File::create(&path).map_err(|e| ClusterError::io(&path, e))?;
        *writer = Some((
            ArrowWriter::try_new(file, schema.clone(), Some(props.clone()))?,
            0,
        ));
        files.push(path);
    }
    if let Some((w, n)) = writer.as_mut() {
        *n += batch.num_rows();
        w.write(&batch)?;
    }
    Ok(())
}

/// Removes the files of an earlier export, and only those.
fn remove_old(dir: &Path) -> Result<(), ClusterError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ClusterError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| ClusterError::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(PREFIX) && name.ends_with(".parquet") {
            std::fs::remove_file(&path).map_err(|e| ClusterError::io(&path, e))?;
        }
    }
    Ok(())
}
