//! Where bytes come from: files, folders (recursive, sorted), gzip (by magic bytes) and stdin.

use crate::detect::{sniff, Format, SNIFF_BYTES};
use crate::SourceError;
use flate2::read::MultiGzDecoder;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use vigie_core::config::InputConfig;

const BUFFER_BYTES: usize = 256 * 1024;

/// One input to read: a file or stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// What errors and the store call it: the path as given, or `-`.
    pub name: String,
    /// `None` for stdin.
    pub path: Option<PathBuf>,
    /// Found by walking a folder (an unrecognised file there is skipped, not fatal).
    pub from_folder: bool,
}

impl Input {
    pub fn stdin() -> Input {
        Input {
            name: "-".into(),
            path: None,
            from_folder: false,
        }
    }

    /// Identity of the input's current content for resume checkpoints: size and mtime for files.
    /// Stdin has none: it cannot be resumed.
    pub fn fingerprint(&self) -> Option<String> {
        let meta = std::fs::metadata(self.path.as_ref()?).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(format!("{}:{}", meta.len(), mtime))
    }
}

/// Expands arguments into inputs: `-` is stdin, folders are walked recursively in name order
/// (hidden entries skipped), files are taken as given.
pub fn expand_inputs(args: &[PathBuf]) -> Result<Vec<Input>, SourceError> {
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input::stdin());
            continue;
        }
        let meta =
            std::fs::metadata(arg).map_err(|e| SourceError::io(&arg.display().to_string(), e))?;
        if meta.is_dir() {
            walk(arg, &mut out, &mut visited)?;
        } else {
            out.push(Input {
                name: arg.display().to_string(),
                path: Some(arg.clone()),
                from_folder: false,
            });
        }
    }
    Ok(out)
}

/// Walks `dir`; `visited` holds canonical directories already walked, so a symlink loop (or two
/// arguments naming the same folder) cannot recurse forever or read files twice.
fn walk(
    dir: &Path,
    out: &mut Vec<Input>,
    visited: &mut HashSet<PathBuf>,
) -> Result<(), SourceError> {
    let shown = dir.display().to_string();
    let canonical = std::fs::canonicalize(dir).map_err(|e| SourceError::io(&shown, e))?;
    if !visited.insert(canonical) {
        tracing::debug!(dir = %shown, "already walked (symlink loop or repeated argument)");
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| SourceError::io(&shown, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out, visited)?;
        } else if path.is_file() {
            out.push(Input {
                name: path.display().to_string(),
                path: Some(path),
                from_folder: true,
            });
        }
    }
    Ok(())
}

/// An input opened for reading, decompressed if needed, with its format identified.
pub struct OpenedInput {
    pub format: Format,
    pub gzip: bool,
    pub reader: Box<dyn BufRead + Send>,
    /// Bytes read so far from the file itself (compressed bytes for gzip), for progress bars.
    pub bytes_read: Arc<AtomicU64>,
    /// Size of the file, when known.
    pub total_bytes: Option<u64>,
}

/// Counts the bytes that pass through, for progress reporting from another thread.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens an input, undoes gzip (by magic bytes, not extension), and sniffs its format from the
/// first bytes of content. The sniffed bytes are replayed, so the reader sees the whole input.
pub fn open_input(input: &Input, cfg: &InputConfig) -> Result<OpenedInput, SourceError> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (file, total_bytes): (Box<dyn Read + Send>, Option<u64>) = match &input.path {
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| SourceError::io(&input.name, e))?;
            let len = f.metadata().ok().map(|m| m.len());
            (Box::new(f), len)
        }
        None => (Box::new(std::io::stdin()), None),
    };
    let raw: Box<dyn Read + Send> = Box::new(Counting {
        inner: file,
        count: Arc::clone(&bytes_read),
    });
    let (magic, raw) = peek(raw, 2).map_err(|e| SourceError::io(&input.name, e))?;
    let gzip = magic.starts_with(&[0x1f, 0x8b]);
    let content: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(
            BUFFER_BYTES,
            raw,
        )))
    } else {
        raw
    };
    let (prefix, content) =
        peek(content, SNIFF_BYTES).map_err(|e| SourceError::io(&input.name, e))?;
    let format = sniff(&prefix, cfg).map_err(|hint| SourceError::Unrecognised {
        input: input.name.clone(),
        hint,
    })?;
    Ok(OpenedInput {
        format,
        gzip,
        reader: Box::new(BufReader::with_capacity(BUFFER_BYTES, content)),
        bytes_read,
        total_bytes,
    })
}

/// Reads up to `n` bytes and returns them together with a reader that replays them first.
fn peek(mut r: Box<dyn Read + Send>, n: usize) -> std::io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut prefix = Vec::with_capacity(n);
    (&mut r).take(n as u64).read_to_end(&mut prefix)?;
    let replay = Cursor::new(prefix.clone()).chain(r);
    Ok((prefix, Box::new(replay)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn folders_are_walked_in_order_and_hidden_files_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.jsonl"), "").unwrap();
        std::fs::write(dir.path().join("sub/a.jsonl"), "").unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        std::fs::write(dir.path().join("a.jsonl"), "").unwrap();
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = inputs
            .iter()
            .map(|i| {
                i.path
                    .as_ref()
                    .unwrap()
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["a.jsonl", "b.jsonl", "sub/a.jsonl"]);
        assert!(inputs.iter().all(|i| i.from_folder));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.jsonl"), "").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
        let inputs = expand_inputs(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(inputs.len(), 1, "{inputs:?}");
    }

    #[test]
    fn gzip_is_detected_by_content_not_extension() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("posts.data");
        let line = r#"{"kind":"post","id":"1","platform":"x","author":"a","created_at":"2024-06-01T10:00:00Z","text":"hello"}"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(gz, "{line}").unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let input = Input {
            name: path.display().to_string(),
            path: Some(path),
            from_folder: false,
        };
        let mut opened = open_input(&input, &InputConfig::default()).unwrap();
        assert!(opened.gzip);
        assert_eq!(opened.format, Format::NativeJsonl);
        let mut all = String::new();
        opened.reader.read_to_string(&mut all).unwrap();
        assert_eq!(all.trim_end(), line);
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let err = expand_inputs(&[PathBuf::from("/nonexistent/vigie.jsonl")]).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/vigie.jsonl"),
            "{err}"
        );
    }
}
