//! `vigie export parquet`: the store's posts and articles as Parquet files, the input of
//! distributed runs: `items-NNNNN.parquet` (posts and articles, their texts) and
//! `posts/posts-NNNNN.parquet` (posts as recorded, for co-actions) and `hosts/hosts-NNNNN.parquet`
//! (the hosts look-alike matching checks, one row per domain record and per URL). Row ids are the store's, so what
//! an engine computes from the files joins back to the store that wrote them.

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
/// Name prefix of the item files.
pub const ITEMS: &str = "items-";
/// Name prefix of the post files.
pub const POSTS: &str = "posts-";
/// The folder, under the export's, of the post files: a listing of the export's folder does
/// not descend into it, so the item files stay one table.
pub const POSTS_DIR: &str = "posts";
/// Name prefix of the host files.
pub const HOSTS: &str = "hosts-";
/// The folder, under the export's, of the host files.
pub const HOSTS_DIR: &str = "hosts";
/// Name prefix of the look-alike index's key file a look-alike plan reads (written by the
/// engine).
pub const KEYS: &str = "keys-";
/// Name prefixes of the files this module writes (and removes before writing again).
const PREFIXES: [&str; 5] = [ITEMS, POSTS, NEAR, HOSTS, KEYS];
/// Name prefix of the copy-cluster file a co-action plan reads (written by the engine).
pub const NEAR: &str = "near-";

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

/// The columns of the exported posts: what the co-action plan reads.
pub fn posts_schema() -> SchemaRef {
    let text = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("rid", DataType::Int64, false),
        // Unix milliseconds, UTC.
        Field::new("ts", DataType::Int64, true),
        text("id", false),
        text("author", true),
        text("norm", false),
        // The record and what normalisation derived, as JSON.
        text("record", false),
        text("derived", false),
    ]))
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// Items (posts and articles) and their files.
    pub rows: u64,
    pub files: Vec<PathBuf>,
    /// Posts and their files.
    pub posts: u64,
    pub post_files: Vec<PathBuf>,
    /// Hosts (with repeats) and their files.
    pub hosts: u64,
    pub host_files: Vec<PathBuf>,
}

/// The column of the exported hosts.
pub fn hosts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("host", DataType::Utf8, false)]))
}

/// Parquet files of about `rows_per_file` rows, written batch by batch.
pub(crate) struct Files<'a> {
    dir: &'a Path,
    prefix: &'static str,
    schema: SchemaRef,
    props: WriterProperties,
    rows_per_file: usize,
    writer: Option<(ArrowWriter<std::fs::File>, usize)>,
    files: Vec<PathBuf>,
}

impl<'a> Files<'a> {
    pub(crate) fn new(
        dir: &'a Path,
        prefix: &'static str,
        schema: SchemaRef,
        rows_per_file: usize,
    ) -> Self {
        Files {
            dir,
            prefix,
            schema,
            props: WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .set_max_row_group_row_count(Some(ROWS_PER_BATCH * 8))
                .build(),
            rows_per_file,
            writer: None,
            files: Vec::new(),
        }
    }

    pub(crate) fn write(&mut self, columns: Vec<ArrayRef>) -> Result<(), ClusterError> {
        let batch = RecordBatch::try_new(self.schema.clone(), columns)?;
        if self
            .writer
            .as_ref()
            .is_some_and(|(_, n)| *n >= self.rows_per_file)
        {
            if let Some((w, _)) = self.writer.take() {
                w.close()?;
            }
        }
        if self.writer.is_none() {
            let path = self
                .dir
                .join(format!("{}{:05}.parquet", self.prefix, self.files.len()));
            let file = std::fs::File::create(&path).map_err(|e| ClusterError::io(&path, e))?;
            self.writer = Some((
                ArrowWriter::try_new(file, self.schema.clone(), Some(self.props.clone()))?,
                0,
            ));
            self.files.push(path);
        }
        if let Some((w, n)) = self.writer.as_mut() {
            *n += batch.num_rows();
            w.write(&batch)?;
        }
        Ok(())
    }

    pub(crate) fn close(self) -> Result<Vec<PathBuf>, ClusterError> {
        if let Some((w, _)) = self.writer {
            w.close()?;
        }
        Ok(self.files)
    }
}

struct PostColumns {
    rid: Int64Builder,
    ts: Int64Builder,
    id: StringBuilder,
    author: StringBuilder,
    norm: StringBuilder,
    record: StringBuilder,
    derived: StringBuilder,
    len: usize,
}

impl PostColumns {
    fn new() -> PostColumns {
        PostColumns {
            rid: Int64Builder::new(),
            ts: Int64Builder::new(),
            id: StringBuilder::new(),
            author: StringBuilder::new(),
            norm: StringBuilder::new(),
            record: StringBuilder::new(),
            derived: StringBuilder::new(),
            len: 0,
        }
    }

    fn push(&mut self, row: &vigie_store::JsonRow<'_>, id: &str) {
        self.rid.append_value(row.rid);
        self.ts.append_option(row.ts);
        self.id.append_value(id);
        self.author.append_option(row.author);
        self.norm.append_value(row.norm);
        self.record.append_value(row.record);
        self.derived.append_value(row.derived);
        self.len += 1;
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        vec![
            Arc::new(self.rid.finish()),
            Arc::new(self.ts.finish()),
            Arc::new(self.id.finish()),
            Arc::new(self.author.finish()),
            Arc::new(self.norm.finish()),
            Arc::new(self.record.finish()),
            Arc::new(self.derived.finish()),
        ]
    }
}

/// The id of a stored post, read from its record (the co-action plan matches copy clusters by
/// post id, as the in-process scan does).
#[derive(serde::Deserialize)]
struct IdView<'a> {
    #[serde(borrow)]
    id: std::borrow::Cow<'a, str>,
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

    fn finish(&mut self) -> Vec<ArrayRef> {
        self.len = 0;
        vec![
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
        ]
    }
}

/// Writes every post and article of `store` to `dir/items-NNNNN.parquet`, and every post as
/// recorded to `dir/posts-NNNNN.parquet` (files of an earlier export there are replaced), in
/// row-id and publication order respectively, [`ROWS_PER_FILE`] rows a file.
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
    let batch_rows = ROWS_PER_BATCH.min(rows_per_file.max(1));
    let mut out = Files::new(dir, ITEMS, schema(), rows_per_file);
    let mut columns = Columns::new();
    let mut rows = 0u64;
    let mut failure: Option<ClusterError> = None;
    store.for_each_text(&[Kind::Post, Kind::Article], |row| {
        if failure.is_some() {
            return Ok(());
        }
        columns.push(row);
        rows += 1;
        if columns.len >= batch_rows {
            if let Err(e) = out.write(columns.finish()) {
                failure = Some(e);
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if columns.len > 0 || out.files.is_empty() {
        out.write(columns.finish())?;
    }
    let files = out.close()?;

    let posts_dir = dir.join(POSTS_DIR);
    std::fs::create_dir_all(&posts_dir).map_err(|e| ClusterError::io(&posts_dir, e))?;
    remove_old(&posts_dir)?;
    let mut out = Files::new(&posts_dir, POSTS, posts_schema(), rows_per_file);
    let mut columns = PostColumns::new();
    let mut posts = 0u64;
    store.for_each_json_by_time(Kind::Post, |row| {
        if failure.is_some() {
            return Ok(());
        }
        // A record without an id cannot be in a copy cluster; the plan reports it unreadable
        // if it is not a post at all.
        let id = serde_json::from_str::<IdView<'_>>(row.record)
            .map(|v| v.id.into_owned())
            .unwrap_or_default();
        columns.push(row, &id);
        posts += 1;
        if columns.len >= batch_rows {
            if let Err(e) = out.write(columns.finish()) {
                failure = Some(e);
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if columns.len > 0 || out.files.is_empty() {
        out.write(columns.finish())?;
    }
    let post_files = out.close()?;
    let (hosts, host_files) = export_hosts(store, &dir.join(HOSTS_DIR), rows_per_file)?;
    Ok(Exported {
        rows,
        files,
        posts,
        post_files,
        hosts,
        host_files,
    })
}

/// Writes the hosts `lookalike_domain` looks up, as it reads them: the domain of each `domain`
/// record, then the host of each URL of posts, articles and ads.
fn export_hosts(
    store: &Store,
    dir: &Path,
    rows_per_file: usize,
) -> Result<(u64, Vec<PathBuf>), ClusterError> {
    use vigie_detect::detectors::lookalike_domain::host_of;
    std::fs::create_dir_all(dir).map_err(|e| ClusterError::io(dir, e))?;
    remove_old(dir)?;
    let batch_rows = ROWS_PER_BATCH.min(rows_per_file.max(1));
    let mut out = Files::new(dir, HOSTS, hosts_schema(), rows_per_file);
    let mut column = StringBuilder::new();
    let (mut pending, mut total) = (0usize, 0u64);
    let mut failure: Option<ClusterError> = None;
    let mut push = |host: &str, out: &mut Files<'_>| {
        column.append_value(host);
        pending += 1;
        total += 1;
        if pending >= batch_rows {
            pending = 0;
            let batch: ArrayRef = Arc::new(column.finish());
            if let Err(e) = out.write(vec![batch]) {
                failure.get_or_insert(e);
            }
        }
    };
    store.for_each_text(&[Kind::Domain], |row| {
        push(row.id, &mut out);
        Ok(())
    })?;
    store.for_each_link(&[Kind::Post, Kind::Article, Kind::Ad], |row| {
        for url in row.urls {
            if let Some(host) = host_of(url) {
                push(host, &mut out);
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if pending > 0 || out.files.is_empty() {
        out.write(vec![Arc::new(column.finish())])?;
    }
    Ok((total, out.close()?))
}

/// Removes the files of an earlier export, and only those.
pub(crate) fn remove_old(dir: &Path) -> Result<(), ClusterError> {
    let entries = std::fs::read_dir(dir).map_err(|e| ClusterError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| ClusterError::io(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if PREFIXES.iter().any(|p| name.starts_with(p)) && name.ends_with(".parquet") {
            std::fs::remove_file(&path).map_err(|e| ClusterError::io(&path, e))?;
        }
    }
    Ok(())
}
