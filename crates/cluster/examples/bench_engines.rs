//! `cargo run --release -p vigie-cluster --example bench_engines -- POSTS`: the same figures as
//! `vigie bench --engines --posts POSTS`, without building the whole binary.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let posts = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    let dir = std::env::temp_dir().join(format!("vigie-bench-engines-{posts}"));
    print!("{}", vigie_cluster::bench::engines(posts, &dir)?);
    Ok(())
}
