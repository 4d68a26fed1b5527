//! Solver options for one-store plans, measured with an iteration budget so that the result
//! depends on the seed alone, not on the machine's load: plan-quality's 300-stop Tokyo batch
//! (the same sandbox store, fleet and stops), built by dispatch's own problem builder with the
//! options `plan_batch` would use, then solved directly with `max_iterations` per search (no
//! time limit) and each variant's overrides. The seed is the one `plan_batch` would be given,
//! so a run here is what the app's run with that seed does up to the budget.
//!
//! `cargo run --release -p hakobu-dispatch --example plan-options -- --iterations 135000 \
//!   --threads 2 --seeds 1-6 --variant baseline --variant ramp0=fixed_cost_ramp=0 \
//!   --variant mix=fixed_cost_ramp=0.5,route_ruin_rate=0.05 [--reference 629432] [--out FILE]`
//!
//! `--iterations` is per search (the solver's iteration limit applies to each of `--threads`
//! searches; plan results report their sum). `--variant NAME[=KEY=VALUE,...]` overrides
//! `SolveOptions` fields by name. Prints a Markdown table (per variant: mean and worst gap to
//! `--reference`, the drivers used per seed) and writes it to `--out` if given.

#[path = "../tests/support/tokyo_batch.rs"]
mod tokyo_batch;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hakobu_dispatch::PlanRequest;
use hakobu_geo::Gazetteer;
use hakobu_solver::{SolveOptions, check, solve};
use rand::SeedableRng;
use rand::rngs::StdRng;

const KEY: &str = "plan-options";
/// plan-quality's 600 s reference (PLAN-BENCHMARKS.md, 2026-12-07, seed 1, 14 drivers).
const REFERENCE: f64 = 629_432.0;

struct Variant {
    name: String,
    overrides: Vec<(String, f64)>,
}

struct Args {
    iterations: u64,
    threads: usize,
    seeds: Vec<u64>,
    variants: Vec<Variant>,
    reference: f64,
    out: Option<PathBuf>,
}

fn seeds(v: &str) -> Vec<u64> {
    let n = |s: &str| -> u64 {
        s.trim()
            .parse()
            .unwrap_or_else(|_| panic!("--seeds: {s:?} is not a whole number"))
    };
    v.split(',')
        .flat_map(|part| match part.split_once('-') {
            Some((a, b)) => (n(a)..=n(b)).collect::<Vec<_>>(),
            None => vec![n(part)],
        })
        .collect()
}

fn variant(v: &str) -> Variant {
    let (name, rest) = v.split_once('=').unwrap_or((v, ""));
    let overrides = rest
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, value) = kv
                .split_once('=')
                .unwrap_or_else(|| panic!("--variant {v}: {kv:?} is not KEY=VALUE"));
            let value = value
                .parse()
                .unwrap_or_else(|_| panic!("--variant {v}: {value:?} is not a number"));
            (k.to_owned(), value)
        })
        .collect();
    let variant = Variant {
        name: name.to_owned(),
        overrides,
    };
    // Refuse an unknown key before anything runs.
    apply(&variant, &mut SolveOptions::default());
    variant
}

fn apply(variant: &Variant, o: &mut SolveOptions) {
    for (k, v) in &variant.overrides {
        let v = *v;
        match k.as_str() {
            "fleet_share" => o.fleet_share = v,
            "initial_temperature" => o.initial_temperature = v,
            "final_temperature" => o.final_temperature = v,
            "blink_rate" => o.blink_rate = v,
            "average_removed" => o.average_removed = v,
            "max_string_length" => o.max_string_length = v,
            "warm_start_share" => o.warm_start_share = v,
            "local_search" => o.local_search = v != 0.0,
            "route_ruin_rate" => o.route_ruin_rate = v,
            "vehicle_change_rate" => o.vehicle_change_rate = v,
            "insertion_neighbours" => o.insertion_neighbours = v as usize,
            "reheat_share" => o.reheat_share = v,
            "reheat_temperature" => o.reheat_temperature = v,
            "cooling_length" => o.cooling_length = v,
            "fixed_cost_ramp" => o.fixed_cost_ramp = v,
            "reheat_fixed_cost_ramp" => o.reheat_fixed_cost_ramp = v,
            "graft_every" => o.graft_every = v as u64,
            other => panic!(
                "--variant {}: {other} is not a SolveOptions field",
                variant.name
            ),
        }
    }
}

fn args() -> Args {
    let mut a = Args {
        iterations: 135_000,
        threads: 2,
        seeds: (1..=6).collect(),
        variants: Vec::new(),
        reference: REFERENCE,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag}: needs a value"));
        let number = || -> u64 {
            value
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("{flag}: {value:?} is not a whole number"))
        };
        match flag.as_str() {
            "--iterations" => a.iterations = number(),
            "--threads" => a.threads = number() as usize,
            "--seeds" => a.seeds = seeds(&value),
            "--variant" => a.variants.push(variant(&value)),
            "--reference" => a.reference = number() as f64,
            "--out" => a.out = Some(PathBuf::from(value)),
            other => panic!(
                "{other}: unknown; use --iterations, --threads, --seeds, --variant, --reference, \
                 --out"
            ),
        }
    }
    assert!(!a.seeds.is_empty(), "--seeds: at least one");
    if a.variants.is_empty() {
        a.variants.push(variant("baseline"));
    }
    a
}

struct Run {
    cost: f64,
    drivers: usize,
    unassigned: usize,
    checked: bool,
}

fn main() {
    let args = args();
    let dir = tempfile::tempdir().unwrap();
    let geo = Arc::new(
        Gazetteer::load(&Gazetteer::default_path())
            .unwrap_or_else(|e| panic!("{e}: run `make data` first")),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The batch plan-quality plans (tokyo_batch::ready_300).
    let (problem, options) = rt.block_on(async {
        let ready = tokyo_batch::ready_300(dir.path(), KEY, geo.clone()).await;
        let request = PlanRequest {
            plan_id: None,
            date: "2026-12-08".into(),
            store_id: Some(ready.store_id.clone()),
            stops: ready.stops.clone(),
            orders: Vec::new(),
            drivers: None,
            time_limit_s: None,
            threads: Some(args.threads as u32),
            seed: None,
        };
        ready
            .dispatch
            .bench_plan_problem(&request, Duration::from_secs(10), args.threads)
            .await
            .unwrap()
    });
    let mut md = format!(
        "| variant | mean gap | worst gap | best gap | drivers (seeds {}) |\n|---|---:|---:|---:|---|\n",
        args.seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    for variant in &args.variants {
        let mut o = SolveOptions {
            time_limit: None,
            max_iterations: Some(args.iterations),
            ..options.clone()
        };
        apply(variant, &mut o);
        let runs: Vec<Run> = args
            .seeds
            .iter()
            .map(|&seed| {
                let began = Instant::now();
                let s = solve(
                    &problem,
                    &o,
                    &mut StdRng::seed_from_u64(seed),
                    Instant::now(),
                    &AtomicBool::new(false),
                )
                .unwrap();
                let run = Run {
                    cost: s.cost,
                    drivers: s.vehicles_used,
                    unassigned: s.unassigned.len(),
                    checked: check(&problem, &s).is_feasible(),
                };
                eprintln!(
                    "{} seed {seed}: cost {:.0} ({:+.2} %), {} drivers, {} unassigned, {} \
                     iterations, checked {}, {:.1} s",
                    variant.name,
                    run.cost,
                    100.0 * (run.cost / args.reference - 1.0),
                    run.drivers,
                    run.unassigned,
                    s.iterations,
                    run.checked,
                    began.elapsed().as_secs_f64()
                );
                run
            })
            .collect();
        let gaps: Vec<f64> = runs
            .iter()
            .map(|r| 100.0 * (r.cost / args.reference - 1.0))
            .collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let worst = gaps.iter().cloned().fold(f64::MIN, f64::max);
        let best = gaps.iter().cloned().fold(f64::MAX, f64::min);
        let drivers = runs
            .iter()
            .map(|r| {
                let mut cell = r.drivers.to_string();
                if r.unassigned > 0 {
                    cell.push_str(&format!(" ({} unassigned)", r.unassigned));
                }
                if !r.checked {
                    cell.push_str(" NOT CHECKED");
                }
                cell
            })
            .collect::<Vec<_>>()
            .join(", ");
        let name = if variant.overrides.is_empty() {
            variant.name.clone()
        } else {
            let set = variant
                .overrides
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} ({set})", variant.name)
        };
        let row = format!("| {name} | {mean:+.2} % | {worst:+.2} % | {best:+.2} % | {drivers} |\n");
        eprint!("{row}");
        md.push_str(&row);
    }
    print!("{md}");
    if let Some(out) = &args.out {
        std::fs::write(out, &md).unwrap();
    }
}
