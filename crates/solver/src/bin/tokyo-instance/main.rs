//! Writes the Tokyo dispatch benchmark instance (issue 5) in the solver's JSON form:
//! 5 stores at real 23-ward town points, 250 DIAq deliveries and 50 fetches in one-hour
//! windows, 20 drivers of mixed vehicle types, per-type travel matrices from hakobu-geo.
//!
//! cargo run --release -p hakobu-solver --features tokyo --bin tokyo-instance -- [--out PATH]
//!
//! Deterministic for a gazetteer and a seed, so the (large, uncommitted) file is reproducible.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use hakobu_geo::Gazetteer;
use hakobu_solver::tokyo as generate;

#[derive(Debug, Parser)]
#[command(about = "Generate the Tokyo 300-stop dispatch instance from the gazetteer")]
struct Args {
    /// The gazetteer built by `make data` (default: hakobu-geo's usual places).
    #[arg(long)]
    gazetteer: Option<PathBuf>,
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench/tokyo-300.json"))]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let path = args.gazetteer.unwrap_or_else(Gazetteer::default_path);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading the gazetteer {} (build it with `make data`)",
            path.display()
        )
    })?;
    let towns = generate::tokyo_towns(&text)?;
    let instance = generate::generate(&towns, &generate::Config::tokyo_300(args.seed))?;
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Compact: five 305 × 305 matrix pairs pretty-printed one number per line would be ~20 MB.
    let json = serde_json::to_string(&instance.problem)?;
    std::fs::write(&args.out, json).with_context(|| format!("writing {}", args.out.display()))?;
    let problem = &instance.problem;
    eprintln!(
        "{} town points in the 23 wards; {} jobs, {} vehicles, {} locations, {} profiles",
        towns.len(),
        problem.jobs.len(),
        problem.vehicles.len(),
        problem.location_count(),
        problem.profiles.len()
    );
    for (i, store) in instance.stores.iter().enumerate() {
        eprintln!("S{} {}{}", i + 1, store.ward, store.name);
    }
    eprintln!("wrote {}", args.out.display());
    Ok(())
}
