//! Generates a data set and prints what was written and how long it took.
//!
//! `cargo run --release -p vigie-generate --example generate -- [POSTS] [OUT_DIR] [SEED]`

use std::time::Instant;
use vigie_generate::{generate, GenerateOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let posts = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    let out = args
        .next()
        .unwrap_or_else(|| "target/vigie-generate".into());
    let seed = args.next().map(|s| s.parse()).transpose()?.unwrap_or(42);
    let opts = GenerateOptions {
        seed,
        posts,
        ..GenerateOptions::default()
    };
    let started = Instant::now();
    let summary = generate(&opts, std::path::Path::new(&out))?;
    let elapsed = started.elapsed();
    for f in &summary.files {
        let size = std::fs::metadata(f)?.len();
        println!("{:>12} bytes  {}", size, f.display());
    }
    println!("counts: {:?}", summary.counts);
    println!("operations: {}", summary.operations);
    println!("elapsed: {:.2?}", elapsed);
    Ok(())
}
