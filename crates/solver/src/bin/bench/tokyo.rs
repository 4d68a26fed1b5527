//! `--tokyo PATH`: the Tokyo dispatch instance (from the `tokyo-instance` generator) solved for
//! `--seconds` with a few seeds and once for `--reference-seconds` (10 min) with `--seed`, each
//! checked; the table compares every short run with the long one.

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hakobu_solver::{Problem, Solution, SolveOptions, check, solve};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::Args;
use crate::report;

struct Run {
    seed: u64,
    budget: f64,
    seconds: f64,
    solution: Solution,
    checked: bool,
    /// Seconds spent driving, over all routes.
    travel: f64,
    /// From shift start to back at the end, over all routes (waiting included).
    route_time: f64,
}

fn measure(problem: &Problem, solution: &Solution) -> (f64, f64) {
    let (mut travel, mut route_time) = (0.0, 0.0);
    for route in &solution.routes {
        let vehicle = &problem.vehicles[route.vehicle];
        let matrix = &problem.profiles[vehicle.profile].durations;
        let mut at = vehicle.start;
        for stop in &route.stops {
            if let Some(from) = at {
                travel += matrix[from][stop.location];
            }
            at = Some(stop.location);
        }
        if let (Some(from), Some(to)) = (at, vehicle.end) {
            travel += matrix[from][to];
        }
        route_time += route.end - vehicle.shift.start;
    }
    (travel, route_time)
}

fn solve_once(
    args: &Args,
    problem: &Problem,
    options: &SolveOptions,
    seed: u64,
    seconds: f64,
) -> Result<Run> {
    let options = SolveOptions {
        time_limit: Some(Duration::from_secs_f64(seconds)),
        ..options.clone()
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let solution = solve(
        problem,
        &options,
        &mut rng,
        started,
        &AtomicBool::new(false),
    )?;
    let elapsed = started.elapsed().as_secs_f64();
    let report = check(problem, &solution);
    if !report.is_feasible() {
        eprintln!("seed {seed}, {seconds} s: checker: {:?}", report.violations);
    }
    let (travel, route_time) = measure(problem, &solution);
    if let Some(dir) = &args.solutions {
        std::fs::create_dir_all(dir)?;
        let file = dir.join(format!("tokyo-{seconds}s-seed{seed}.json"));
        std::fs::write(&file, serde_json::to_string_pretty(&solution)?)?;
    }
    Ok(Run {
        seed,
        budget: seconds,
        seconds: elapsed,
        checked: report.is_feasible(),
        solution,
        travel,
        route_time,
    })
}

fn fleet(problem: &Problem, solution: &Solution) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for route in &solution.routes {
        let name = &problem.profiles[problem.vehicles[route.vehicle].profile].name;
        match counts.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name.clone(), 1)),
        }
    }
    counts.sort();
    counts
        .iter()
        .map(|(n, c)| format!("{n} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unassigned(solution: &Solution) -> String {
    if solution.unassigned.is_empty() {
        return "0".into();
    }
    let mut reasons: Vec<String> = solution
        .unassigned
        .iter()
        .map(|u| {
            serde_json::to_value(u.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    reasons.sort();
    reasons.dedup();
    format!("{} ({})", solution.unassigned.len(), reasons.join(", "))
}

fn gap(value: f64, reference: f64) -> f64 {
    // Rounded to the table's precision so that an equal result never prints as "-0.00".
    (100.0 * (value - reference) / reference * 100.0).round() / 100.0 + 0.0
}

fn row(problem: &Problem, run: &Run, reference: &Run) -> String {
    let s = &run.solution;
    format!(
        "| {} s | {} | {:.1} | {} | {} | {} | {:.0} | {:.2} | {:.1} | {:.1} | {} | {} | {:.2} | {:.2} |",
        run.budget,
        run.seed,
        run.seconds,
        s.iterations,
        s.vehicles_used,
        fleet(problem, s),
        s.cost,
        s.distance / 1000.0,
        run.travel / 3600.0,
        run.route_time / 3600.0,
        unassigned(s),
        if run.checked { "yes" } else { "NO" },
        gap(s.cost, reference.solution.cost),
        gap(s.distance, reference.solution.distance),
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn instance_stats(problem: &Problem) -> String {
    let count = |prefix: &str| {
        problem
            .jobs
            .iter()
            .filter(|j| j.id.starts_with(prefix))
            .count()
    };
    let mut stores: Vec<usize> = problem.vehicles.iter().filter_map(|v| v.start).collect();
    stores.sort_unstable();
    stores.dedup();
    let mut types: Vec<(String, usize)> = Vec::new();
    for v in &problem.vehicles {
        let name = &problem.profiles[v.profile].name;
        match types.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c += 1,
            None => types.push((name.clone(), 1)),
        }
    }
    let shifts: Vec<String> = {
        let mut s: Vec<(f64, f64)> = problem
            .vehicles
            .iter()
            .map(|v| (v.shift.start, v.shift.end))
            .collect();
        s.sort_by(|a, b| a.0.total_cmp(&b.0));
        s.dedup();
        s.iter()
            .map(|(a, b)| format!("{}–{}", clock(*a), clock(*b)))
            .collect()
    };
    format!(
        "{} stores, {} deliveries (store → customer) and {} fetches (customer → store) = {} jobs, \
         {} stops, {} locations; {} drivers: {}; shifts {}; capacity dimensions {}.",
        stores.len(),
        count("delivery-"),
        count("fetch-"),
        problem.jobs.len(),
        2 * problem.jobs.len(),
        problem.location_count(),
        problem.vehicles.len(),
        types
            .iter()
            .map(|(n, c)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        shifts.join(", "),
        problem.dimensions(),
    )
}

fn clock(seconds: f64) -> String {
    let minutes = (seconds / 60.0).round() as i64;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

fn section(args: &Args, path: &str, problem: &Problem, runs: &[Run], reference: &Run) -> String {
    let hierarchical = args.objective == crate::ObjectiveArg::Hierarchical;
    let mut s = String::new();
    let _ = writeln!(s, "{}", report::marker("tokyo", hierarchical));
    let _ = writeln!(
        s,
        "## Tokyo 300-stop dispatch — {}\n",
        if hierarchical {
            "hierarchical (vehicles, then cost)"
        } else {
            "cost (metres + fixed cost per driver)"
        }
    );
    let _ = writeln!(
        s,
        "{}; {}; {}; load average at the end {} (the benchmark itself is {}.0; more \
         means other work shared the machine and iteration counts are lower than when idle).\n",
        report::today(),
        report::machine(),
        if args.search_threads > 1 {
            format!(
                "{} searches at once per solve, combined",
                args.search_threads
            )
        } else {
            "1 thread".to_string()
        },
        load_average(),
        args.search_threads.max(1),
    );
    let _ = writeln!(
        s,
        "`cargo run --release -p hakobu-solver --features tokyo --bin tokyo-instance` then \
         `cargo run --release -p hakobu-solver --bin bench -- --tokyo {path} --seconds {} \
         --reference-seconds {} --seed {} --seeds {} --objective {} --t0 {} --tf {}{}` (or \
         `make tokyo-bench`)\n",
        args.seconds,
        args.reference_seconds,
        args.seed,
        args.seeds,
        if hierarchical {
            "hierarchical"
        } else {
            "distance"
        },
        args.t0,
        args.tf,
        crate::search_flags(args),
    );
    let _ = writeln!(s, "Instance: {}\n", instance_stats(problem));
    let short: Vec<&Run> = runs.iter().filter(|r| r.seed == reference.seed).collect();
    if let Some(first) = short.first() {
        let _ = writeln!(
            s,
            "**{} s vs {} s (seed {}): cost gap {:.2} %, distance gap {:.2} %** (target: within 1 %).\n",
            first.budget,
            reference.budget,
            reference.seed,
            gap(first.solution.cost, reference.solution.cost),
            gap(first.solution.distance, reference.solution.distance),
        );
    }
    // One seed's gap says little: which basin a short run ends in varies with the seed.
    if runs.len() > 1 {
        let gaps: Vec<f64> = runs
            .iter()
            .map(|r| gap(r.solution.cost, reference.solution.cost))
            .collect();
        let within = gaps.iter().filter(|&&g| g <= 1.0).count();
        let (low, high) = gaps
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &g| {
                (l.min(g), h.max(g))
            });
        let _ = writeln!(
            s,
            "**{} s runs within 1 % of the {} s cost: {within} of {}**; cost gap mean {:.2} %, \
             range {low:.2} to {high:.2} %.\n",
            runs[0].budget,
            reference.budget,
            runs.len(),
            gaps.iter().sum::<f64>() / gaps.len() as f64,
        );
    }
    let _ = writeln!(
        s,
        "| budget | seed | seconds | iterations | vehicles | by type | cost | distance km | driving h | route h | unassigned | checked | cost gap % | distance gap % |"
    );
    let _ = writeln!(
        s,
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|---:|---:|"
    );
    for run in runs.iter().chain(std::iter::once(reference)) {
        let _ = writeln!(s, "{}", row(problem, run, reference));
    }
    let _ = writeln!(
        s,
        "\nGaps are against the {} s run. Cost = metres driven (each vehicle type's road-distance \
         model) + the fixed cost of each driver used; route h runs from shift start to the return \
         to the store, waiting included.",
        reference.budget
    );
    let _ = writeln!(s, "<!-- /bench -->");
    s
}

pub fn run(args: &Args, path: &std::path::Path) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading {} (generate it with `cargo run --release -p hakobu-solver --features tokyo --bin tokyo-instance`)",
            path.display()
        )
    })?;
    let problem = Problem::from_json(&text)?;
    let options = crate::solve_options(args);
    let seeds: Vec<u64> = args
        .seeds
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .context("--seeds: comma-separated integers")
        })
        .collect::<Result<_>>()?;
    let mut runs = Vec::new();
    for &seed in &seeds {
        let run = solve_once(args, &problem, &options, seed, args.seconds)?;
        eprintln!(
            "{} s, seed {seed}: cost {:.0}, distance {:.0}, vehicles {}, unassigned {}, iterations {}",
            args.seconds,
            run.solution.cost,
            run.solution.distance,
            run.solution.vehicles_used,
            run.solution.unassigned.len(),
            run.solution.iterations
        );
        runs.push(run);
    }
    eprintln!(
        "reference: {} s with seed {}…",
        args.reference_seconds, args.seed
    );
    let reference = solve_once(args, &problem, &options, args.seed, args.reference_seconds)?;
    eprintln!(
        "{} s, seed {}: cost {:.0}, distance {:.0}, vehicles {}, unassigned {}, iterations {}",
        args.reference_seconds,
        args.seed,
        reference.solution.cost,
        reference.solution.distance,
        reference.solution.vehicles_used,
        reference.solution.unassigned.len(),
        reference.solution.iterations
    );
    let section = section(
        args,
        &path.display().to_string(),
        &problem,
        &runs,
        &reference,
    );
    println!("{section}");
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md").into());
    let hierarchical = args.objective == crate::ObjectiveArg::Hierarchical;
    report::write(&out, "tokyo", hierarchical, &section)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
