//! Benchmark: solves Solomon / Li & Lim instances, re-validates every solution with the
//! independent checker, and writes a results table into BENCHMARKS.md.
//!
//! cargo run --release -p hakobu-solver --bin bench -- --set solomon --seconds 5 --objective distance

mod instances;
mod peer;
mod report;
mod selection;
mod tokyo;

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use hakobu_solver::{Objective, SolveOptions, check, solve};
use rand::SeedableRng;
use rand::rngs::StdRng;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Set {
    /// Solomon VRPTW, 100 customers.
    Solomon,
    /// Li & Lim PDPTW, 100 tasks.
    Lilim,
    /// Gehring & Homberger VRPTW, 400 customers.
    Gh400,
    /// Gehring & Homberger VRPTW, 1,000 customers.
    Gh1000,
    /// Li & Lim PDPTW, 400 tasks.
    Lilim400,
    /// Li & Lim PDPTW, 1,000 tasks.
    Lilim1000,
}

/// A fixed subset of a set, named so that a campaign can be repeated exactly.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
enum Sample {
    /// Issue 25's sample of the 400- and 1,000-stop sets: instances _1 and _6 of each of the six
    /// classes (12 per set and size).
    Issue25,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum ObjectiveArg {
    Distance,
    Hierarchical,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
enum PeerArg {
    Pyvrp,
}

#[derive(Debug, Parser)]
#[command(about = "Run hakobu-solver on benchmark instances and record the results")]
pub struct Args {
    /// Bundled benchmark set (from ../shared/bench-data).
    #[arg(long, value_enum, conflicts_with_all = ["dir", "tokyo"])]
    set: Option<Set>,
    /// A Tokyo dispatch instance in the JSON form (from the `tokyo-instance` generator): solved
    /// for `--seconds` with each of `--seeds` and for `--reference-seconds` with `--seed`.
    #[arg(long, conflicts_with = "dir")]
    tokyo: Option<PathBuf>,
    /// Tokyo: the long run the short ones are compared with.
    #[arg(long, default_value_t = 600.0)]
    reference_seconds: f64,
    /// Also write each run's plan (JSON) into this folder.
    #[arg(long)]
    solutions: Option<PathBuf>,
    /// Tokyo: seeds of the short runs (comma-separated).
    #[arg(long, default_value = "1,2,3")]
    seeds: String,
    /// Any folder of Solomon- or Li & Lim-format .txt files with a BKS.csv beside them (or in
    /// its parent).
    #[arg(long)]
    dir: Option<PathBuf>,
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Also stop after this many iterations; the annealing then follows iterations, so a run
    /// depends only on the seed (for profiling and comparing builds on a busy machine).
    #[arg(long)]
    iterations: Option<u64>,
    #[arg(long, value_enum, default_value = "distance")]
    objective: ObjectiveArg,
    /// Instances solved in parallel (each solve uses --search-threads threads; with --peer, a
    /// worker runs PyVRP on its instance right after ours, so at most this many solvers run at once).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only these instances (comma-separated, case-insensitive). An entry equal to an instance's
    /// name selects exactly that instance ("LRC1_4_1" is not "LRC1_4_10"); any other entry is a
    /// class prefix selecting every name that starts with it ("C1,R2"). An entry selecting
    /// nothing is an error.
    #[arg(long)]
    only: Option<String>,
    /// A fixed sample of the set (combined with --only if both are given).
    #[arg(long, value_enum)]
    sample: Option<Sample>,
    /// Annealing start temperature, in mean arc lengths of the initial solution.
    #[arg(long, default_value_t = SolveOptions::default().initial_temperature)]
    t0: f64,
    /// Annealing final temperature, in mean arc lengths of the initial solution.
    #[arg(long, default_value_t = SolveOptions::default().final_temperature)]
    tf: f64,
    /// Share of the time the hierarchical objective spends on fleet minimisation.
    #[arg(long, default_value_t = SolveOptions::default().fleet_share)]
    fleet_share: f64,
    /// Hierarchical: part of the fleet share first spent on distance with every vehicle.
    #[arg(long, default_value_t = SolveOptions::default().warm_start_share)]
    warm_share: f64,
    /// Share of annealing iterations that empty two related routes.
    #[arg(long, default_value_t = SolveOptions::default().route_ruin_rate)]
    route_ruin_rate: f64,
    /// Share of annealing iterations that hand a route to an idle vehicle of another kind
    #[arg(long, default_value_t = SolveOptions::default().vehicle_change_rate)]
    vehicle_change_rate: f64,
    /// Insert jobs first into the routes of their this many nearest neighbours (0: all routes).
    #[arg(long, default_value_t = SolveOptions::default().insertion_neighbours)]
    insertion_neighbours: usize,
    /// SISR's c̄: average number of stops a string removal takes out.
    #[arg(long, default_value_t = SolveOptions::default().average_removed)]
    average_removed: f64,
    /// SISR's L^max: longest string removed.
    #[arg(long, default_value_t = SolveOptions::default().max_string_length)]
    max_string_length: f64,
    /// SISR's blink rate: share of insertion positions skipped at random.
    #[arg(long, default_value_t = SolveOptions::default().blink_rate)]
    blink_rate: f64,
    /// Share of the budget spent at the end annealing again from the best plan (0: off).
    #[arg(long, default_value_t = SolveOptions::default().reheat_share)]
    reheat_share: f64,
    /// Start temperature of that second annealing, as a factor of --t0.
    #[arg(long, default_value_t = SolveOptions::default().reheat_temperature)]
    reheat_temperature: f64,
    /// Iterations per job each independent cooling before the reheat is meant to get: the
    /// first phase runs as many such coolings as it holds, at most three (0: three; a huge
    /// value: one).
    #[arg(long, default_value_t = SolveOptions::default().cooling_length)]
    cooling_length: f64,
    /// Share of the first cooling over which the fixed costs are phased in (0: off).
    #[arg(long, default_value_t = SolveOptions::default().fixed_cost_ramp)]
    fixed_cost_ramp: f64,
    /// Share of the reheat over which the fixed costs are phased in again (0: off).
    #[arg(long, default_value_t = SolveOptions::default().reheat_fixed_cost_ramp)]
    reheat_fixed_cost_ramp: f64,
    /// Graft the current plan's better parts into the best plan every this many iterations
    /// (0: never).
    #[arg(long, default_value_t = SolveOptions::default().graft_every)]
    graft_every: u64,
    /// Searches per solve, each on a thread of its own, their plans combined at the end
    /// (the issue's targets are for 1; see `SolveOptions::threads`).
    #[arg(long, default_value_t = 1)]
    search_threads: usize,
    /// Turn off the 2-opt* polish of new best solutions.
    #[arg(long)]
    no_local_search: bool,
    /// Also run a peer solver on each instance, same time and seed, checked by our checker.
    #[arg(long, value_enum)]
    peer: Option<PeerArg>,
    /// Python with `pyvrp==0.14.1` installed (a venv's bin/python), for `--peer pyvrp`.
    #[arg(long, default_value = "python3")]
    python: PathBuf,
    /// Where the table goes (a section per set and objective is replaced, others are kept).
    #[arg(long)]
    out: Option<PathBuf>,
}

pub struct Outcome {
    pub name: String,
    pub vehicles: usize,
    pub distance: f64,
    pub best_known: Option<instances::BestKnown>,
    pub seconds: f64,
    pub iterations: u64,
    pub feasible: bool,
    pub unassigned: usize,
    pub peer: Option<peer::PeerOutcome>,
}

/// The search flags that differ from the defaults, for the command lines in BENCHMARKS.md.
pub fn search_flags(args: &Args) -> String {
    let defaults = SolveOptions::default();
    let mut flags = String::new();
    if let Some(n) = args.iterations {
        flags += &format!(" --iterations {n}");
    }
    let tuned = [
        (
            "vehicle-change-rate",
            args.vehicle_change_rate,
            defaults.vehicle_change_rate,
        ),
        (
            "route-ruin-rate",
            args.route_ruin_rate,
            defaults.route_ruin_rate,
        ),
        (
            "insertion-neighbours",
            args.insertion_neighbours as f64,
            defaults.insertion_neighbours as f64,
        ),
        (
            "average-removed",
            args.average_removed,
            defaults.average_removed,
        ),
        (
            "max-string-length",
            args.max_string_length,
            defaults.max_string_length,
        ),
        ("blink-rate", args.blink_rate, defaults.blink_rate),
        ("reheat-share", args.reheat_share, defaults.reheat_share),
        (
            "reheat-temperature",
            args.reheat_temperature,
            defaults.reheat_temperature,
        ),
        (
            "cooling-length",
            args.cooling_length,
            defaults.cooling_length,
        ),
        (
            "fixed-cost-ramp",
            args.fixed_cost_ramp,
            defaults.fixed_cost_ramp,
        ),
        (
            "reheat-fixed-cost-ramp",
            args.reheat_fixed_cost_ramp,
            defaults.reheat_fixed_cost_ramp,
        ),
    ];
    for (flag, value, default) in tuned {
        if value != default {
            flags += &format!(" --{flag} {value}");
        }
    }
    if args.graft_every != SolveOptions::default().graft_every {
        flags += &format!(" --graft-every {}", args.graft_every);
    }
    if args.search_threads != 1 {
        flags += &format!(" --search-threads {}", args.search_threads);
    }
    if args.no_local_search {
        flags += " --no-local-search";
    }
    flags
}

/// The search options the flags describe (the time limit is set per run).
pub fn solve_options(args: &Args) -> SolveOptions {
    SolveOptions {
        objective: if args.objective == ObjectiveArg::Hierarchical {
            Objective::Hierarchical
        } else {
            Objective::Distance
        },
        time_limit: Some(Duration::from_secs_f64(args.seconds)),
        max_iterations: args.iterations,
        initial_temperature: args.t0,
        final_temperature: args.tf,
        fleet_share: args.fleet_share,
        warm_start_share: args.warm_share,
        local_search: !args.no_local_search,
        route_ruin_rate: args.route_ruin_rate,
        vehicle_change_rate: args.vehicle_change_rate,
        insertion_neighbours: args.insertion_neighbours,
        average_removed: args.average_removed,
        max_string_length: args.max_string_length,
        blink_rate: args.blink_rate,
        reheat_share: args.reheat_share,
        reheat_temperature: args.reheat_temperature,
        cooling_length: args.cooling_length,
        fixed_cost_ramp: args.fixed_cost_ramp,
        reheat_fixed_cost_ramp: args.reheat_fixed_cost_ramp,
        graft_every: args.graft_every,
        threads: args.search_threads,
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.tokyo {
        return tokyo::run(&args, path);
    }
    let data = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench-data"
    ));
    let (dir, label) = match (&args.dir, args.set) {
        (Some(dir), _) => (dir.clone(), dir.display().to_string()),
        (None, Some(Set::Solomon)) => (data.join("solomon"), "solomon".to_string()),
        (None, Some(Set::Lilim)) => (data.join("li-lim/100"), "lilim".to_string()),
        (None, Some(Set::Gh400)) => (data.join("gehring-homberger/400"), "gh400".to_string()),
        (None, Some(Set::Gh1000)) => (data.join("gehring-homberger/1000"), "gh1000".to_string()),
        (None, Some(Set::Lilim400)) => (data.join("li-lim/400"), "lilim400".to_string()),
        (None, Some(Set::Lilim1000)) => (data.join("li-lim/1000"), "lilim1000".to_string()),
        (None, None) => bail!("give --set or --dir"),
    };
    let hierarchical = args.objective == ObjectiveArg::Hierarchical;
    let bks_path = [dir.join("BKS.csv"), dir.join("../BKS.csv")]
        .into_iter()
        .find(|p| p.exists())
        .context("no BKS.csv next to the instances")?;
    let bks = instances::best_known(&std::fs::read_to_string(&bks_path)?, hierarchical)?;

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    let names: Vec<String> = files.iter().map(stem).collect();
    let mut keep = selection::select(&names, args.only.as_deref())?;
    if args.sample == Some(Sample::Issue25) {
        let sample = selection::issue25(&names);
        if sample.iter().all(|k| !k) {
            bail!(
                "--sample issue25 selects the 400- and 1,000-stop sets' instances _1 and _6 of each class; {} has none",
                dir.display()
            );
        }
        keep.iter_mut().zip(sample).for_each(|(k, s)| *k &= s);
    }
    let files: Vec<PathBuf> = files
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .collect();
    let loaded: Vec<instances::Instance> = files
        .iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            instances::parse(&name, &std::fs::read_to_string(p)?)
        })
        .collect::<Result<_>>()?;
    if loaded.is_empty() {
        bail!("no instances found in {}", dir.display());
    }
    for instance in &loaded {
        if !bks.contains_key(&instance.name.to_lowercase()) {
            eprintln!(
                "{}: no best-known row for this objective in {} (its gap stays blank)",
                instance.name,
                bks_path.display()
            );
        }
    }

    let options = solve_options(&args);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let cancel = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..args.threads.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(instance) = loaded.get(index) else {
                        break;
                    };
                    let mut rng = StdRng::seed_from_u64(args.seed);
                    let started = Instant::now();
                    let outcome =
                        match solve(&instance.problem, &options, &mut rng, started, &cancel) {
                            Ok(solution) => {
                                let seconds = started.elapsed().as_secs_f64();
                                let report = check(&instance.problem, &solution);
                                if let Some(dir) = &args.solutions {
                                    let file = dir
                                        .join(format!("{}-seed{}.json", instance.name, args.seed));
                                    let written = std::fs::create_dir_all(dir).and_then(|()| {
                                        std::fs::write(
                                            &file,
                                            serde_json::to_string_pretty(&solution)
                                                .expect("a plan serialises"),
                                        )
                                    });
                                    if let Err(e) = written {
                                        eprintln!("{}: {e}", file.display());
                                    }
                                }
                                if !report.is_feasible() {
                                    eprintln!(
                                        "{}: checker: {:?}",
                                        instance.name, report.violations
                                    );
                                }
                                Outcome {
                                    name: instance.name.clone(),
                                    vehicles: report.vehicles_used,
                                    distance: report.distance,
                                    best_known: bks.get(&instance.name.to_lowercase()).copied(),
                                    seconds,
                                    iterations: solution.iterations,
                                    feasible: report.is_feasible()
                                        && solution.unassigned.is_empty(),
                                    unassigned: solution.unassigned.len(),
                                    peer: None,
                                }
                            }
                            Err(e) => {
                                eprintln!("{}: {e}", instance.name);
                                continue;
                            }
                        };
                    let mut outcome = outcome;
                    if args.peer == Some(PeerArg::Pyvrp) {
                        match peer::run_pyvrp(
                            &args.python,
                            instance,
                            args.seconds,
                            args.seed,
                            hierarchical,
                        ) {
                            Ok(p) => outcome.peer = Some(p),
                            Err(e) => eprintln!("{}: peer: {e:#}", instance.name),
                        }
                    }
                    eprintln!("{}", report::line(&outcome));
                    if let Ok(mut all) = results.lock() {
                        all.push(outcome);
                    }
                }
            });
        }
    });
    let mut outcomes = results.into_inner().unwrap_or_default();
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    let section = report::section(&label, hierarchical, &args, &outcomes);
    println!("{section}");
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md")));
    report::write(&out, &label, hierarchical, &section)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
