//! The search: SISR ruin-and-recreate under simulated annealing, preceded for the hierarchical
//! objective by SISR's fleet minimisation (remove a route, then ruin-and-recreate accepting
//! fewer unassigned jobs or a lower sum of "absence" counters until the route's jobs fit).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::graft::{GraftScratch, graft};
use crate::local_search::{Improve, TailExchange, VehicleSwap};
use crate::model::Model;
use crate::problem::{Problem, ProblemError};
use crate::recreate::{GreedyBlinks, Recreate};
use crate::ruin::{RoutePairRemoval, RouteRemoval, Ruin, StringRemoval, VehicleChange};
use crate::solution::{Solution, WorkingSolution};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Minimise distance + fixed vehicle costs (+ penalties of unassigned jobs).
    Distance,
    /// Minimise the number of vehicles first, then distance.
    Hierarchical,
}

#[derive(Debug, Clone)]
pub struct SolveOptions {
    pub objective: Objective,
    /// Wall-clock budget measured from the `started` instant given to [`solve`].
    pub time_limit: Option<Duration>,
    /// Iteration budget. When set, the annealing schedule follows iterations, so the result
    /// depends only on the seed (the time limit, if any, can still stop the run early).
    pub max_iterations: Option<u64>,
    /// Share of the budget the hierarchical objective may spend removing vehicles.
    pub fleet_share: f64,
    /// Annealing temperatures, in units of the initial solution's mean arc length (so the same
    /// values work for coordinates, metres or seconds).
    pub initial_temperature: f64,
    pub final_temperature: f64,
    pub blink_rate: f64,
    pub average_removed: f64,
    pub max_string_length: f64,
    /// Part of the fleet-minimisation share first spent on distance with every vehicle.
    pub warm_start_share: f64,
    /// Polish every candidate that beats the best so far with 2-opt* moves.
    pub local_search: bool,
    /// Share of annealing iterations that empty two related routes instead of removing strings
    /// (see `ruin/route_pair_removal.rs`). On the Tokyo benchmark, without it one seed in four
    /// stayed (even for 10 minutes) in a plan where two drivers serve each other's store.
    pub route_ruin_rate: f64,
    /// Share of annealing iterations that hand a route to an idle vehicle of another kind
    /// before removing strings around it (see `ruin/vehicle_change.rs`). On the Tokyo
    /// benchmark at 180 000 iterations (5 s reach 120 000–150 000), over ten seeds: mean
    /// 1.34 % above the 10-minute cost without it, 0.98 % at 0.02, 0.83 % at 0.05, 0.89 % at
    /// 0.1.
    pub vehicle_change_rate: f64,
    /// Insert each job first into the routes of its this many nearest neighbours only, the
    /// others only if none fits there (0: always every route). Instances with fewer than four
    /// times this many jobs try every route (see `recreate/greedy_blinks.rs`). On the Tokyo
    /// benchmark (300 pairs), 80 ran 1.7× as many iterations per second as every route at the
    /// same quality per iteration. 40 looked worse at fixed iterations on a few seeds, but
    /// the target is timed: in 5 s runs over 160 seeds it ran about 30 % more iterations than
    /// 80 and ended 0.96 % above the 10-minute cost on average against 1.21 % (within 1 %: 90
    /// of 160 seeds against 55), better in each block of 40 seeds; 30 and 60 (seeds 1–40) gave
    /// 1.12 and 1.18 % against 0.89 % for 40 and 1.27 % for 80.
    pub insertion_neighbours: usize,
    /// Share of the (last phase's) budget spent at its end annealing again from the best plan
    /// found, from `reheat_temperature` times the initial temperature (0: one cooling).
    /// Which basin a 5 s run ends in varies a lot with the seed; searching again around the
    /// best one, warm enough to leave it, did better than cooling further: Solomon distance
    /// mean gap 0.21 % → 0.17–0.18 % (seeds 2, 3; 0.5 of the budget: 0.14–0.20 %), and on
    /// the Tokyo instance 0.97 % → 0.71 % of the 10-minute cost (5 seeds).
    pub reheat_share: f64,
    pub reheat_temperature: f64,
    /// Annealing iterations per job that each cooling of the first phase (before the reheat)
    /// is meant to get: after a short probe, the phase is split into that many independent
    /// coolings from the same start plan, as many as the budget holds (rounded, at most
    /// [`MAX_COOLINGS`]), and the reheat starts from the best of them with the others'
    /// better groups grafted in (see `graft.rs`). Once a cooling has converged, which basin
    /// it ends in matters more than more of the same. On Solomon at a fixed 400 000
    /// iterations (about 2 800 per job before the reheat) two coolings instead of one took
    /// the mean gap from 0.18 % to 0.15 % over four seeds, and three did worse than two; at
    /// 600 000 (what 5 s give on a faster machine, 4 200 per job) three did better than two
    /// on R and RC (0.150 % against 0.192 %, six seeds) and four no better than three. On the
    /// Tokyo instance (about 700 per job in 5 s) one cooling: two halves did worse there
    /// (1.12 % against 0.89 %).
    pub cooling_length: f64,
    /// Share of the first cooling over which the vehicles' fixed costs are phased in: they
    /// count for nothing at its start and fully from this point of it on (0: always fully).
    /// Each vehicle removed saves its whole fixed cost at once, so at full cost the hot start
    /// of the search closes vehicles faster than it learns to route the rest well, and a short
    /// run keeps the tight fleet with poor routes: on the Tokyo benchmark (fixed costs 4–8 km
    /// a driver, about 14 % of the cost) 5 s runs ended with 16–19 drivers, and the more
    /// drivers the cheaper. Phasing the fixed costs in lets the routes settle first and the
    /// search then closes the drivers that do not pay. Timed 5 s runs, side by side: over
    /// half the cooling (0.5) against none, 160 seeds: 1.04 % → 0.92 % above the 10-minute
    /// cost, within 1 % on 95 seeds instead of 67; over all of it (1.0) against 0.5, another
    /// 120 seeds: 0.96 % → 0.82 %, within 1 % on 83 instead of 69. Instances without fixed
    /// costs (Solomon, Li & Lim) run as before.
    pub fixed_cost_ramp: f64,
    /// The same for the reheat: share of it over which the fixed costs are phased in again
    /// from nothing (0: the reheat counts them fully throughout). The reheat starts from the
    /// best plan, whose fleet the first cooling fixed while the routes were still poor; with
    /// the fixed costs weighted down again, the reheat can hand work to a closed driver and
    /// close another, and it ends at full cost. On the Tokyo benchmark, 5 s runs side by
    /// side over 160 seeds: 0.99 % → 0.79 % above a fixed 701 226 (within 1 % on 113 seeds
    /// instead of 84), the plans ending with 19 drivers on 135 seeds instead of 52. Over all
    /// of the reheat (1.0) it gained less (0.90 % → 0.86 %, 40 seeds); 0.3 was no better
    /// than 0.5 (0.72 % against 0.64 %, 80 seeds).
    pub reheat_fixed_cost_ramp: f64,
    /// Every this many iterations, the best plan takes over each group of routes that the
    /// current plan serves better (see `graft.rs`; 0: never); so does the best of several
    /// coolings from the others. A dispatch day splits into nearly independent parts (each
    /// store's drivers), and annealing's best plan is one snapshot in which every part must
    /// be good at once. On the Tokyo benchmark, 5 s runs side by side over 30 fresh seeds:
    /// 0.66 % → 0.13 % above a fixed 701 226 (t = 6.2; 40 more seeds with an earlier build:
    /// 0.77 % → 0.22 %). Every 4 or every iteration did no better than 16 (70 and 30 seeds,
    /// t = 0.8 and 1.4 either way). Solomon distance, three seeds: mean gap 0.168 → 0.157 %.
    pub graft_every: u64,
    /// Independent searches run at once, each on a thread of its own with a seed drawn from
    /// the caller's RNG; their plans are then combined: the best one takes each group of
    /// routes another serves better (see `graft.rs`). The time and iteration limits apply to
    /// each search. 1 (the default, and what the benchmarks' targets measure): one search on
    /// the calling thread.
    pub threads: usize,
}

impl Default for SolveOptions {
    /// The SISR paper's parameters, except the temperatures: the paper's T0 = 100, Tf = 1 are
    /// absolute (about 5.5 and 0.055 mean arcs on Solomon R1). With a 5 s budget a cooler start
    /// did better on R and RC; much cooler (0.5) left Solomon C2 stuck one vehicle too many.
    fn default() -> Self {
        SolveOptions {
            objective: Objective::Distance,
            time_limit: None,
            max_iterations: None,
            fleet_share: 0.3,
            initial_temperature: 1.5,
            final_temperature: 0.05,
            blink_rate: 0.01,
            average_removed: 10.0,
            max_string_length: 10.0,
            warm_start_share: 0.3,
            local_search: true,
            route_ruin_rate: 0.02,
            vehicle_change_rate: 0.05,
            insertion_neighbours: 40,
            reheat_share: 0.3,
            reheat_temperature: 0.3,
            cooling_length: 1400.0,
            fixed_cost_ramp: 1.0,
            reheat_fixed_cost_ramp: 0.5,
            graft_every: 16,
            threads: 1,
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum SolveError {
    #[error(transparent)]
    Problem(#[from] ProblemError),
    #[error("give a time limit or an iteration limit (or both)")]
    NoLimit,
}

/// One search's best plan so far, as [`solve_observed`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SolveProgress {
    /// Which of the [`SolveOptions::threads`] searches this is (0-based): each reports its own
    /// best, and the caller shows the best of their latest reports.
    pub search: usize,
    /// Distance + fixed costs + penalties of unassigned jobs, as [`Solution::cost`].
    pub cost: f64,
    pub vehicles_used: usize,
    pub unassigned: usize,
    pub iterations: u64,
    /// Since the `started` instant given to the solve.
    pub elapsed: Duration,
}

/// Takes a search's best plan so far with its figures (called from the searching thread).
pub type PlanHandOver<'a> = dyn Fn(&SolveProgress, &Solution) + Sync + 'a;

/// Who hears a solve's progress, and how often: a report is made at the first iteration at
/// least `every` after the previous one, so a slow iteration delays it but none is skipped.
pub struct Observer<'a> {
    pub every: Duration,
    pub report: &'a (dyn Fn(&SolveProgress) + Sync),
    /// Who wants each search's best plan itself while it runs (a provisional plan on screen):
    /// handed over once the greedy start exists, then whenever the best improved, at most once
    /// per [`Observer::plan_every`] — building the plan and showing it costs far more than a
    /// report, so a 2,000-stop day must not pay it every few milliseconds.
    pub plan: Option<&'a PlanHandOver<'a>>,
    pub plan_every: Duration,
}

/// Progress through the budget, and whether to stop.
struct Budget<'a> {
    problem: &'a Problem,
    started: Instant,
    time_limit: Option<Duration>,
    max_iterations: Option<u64>,
    iterations: u64,
    cancel: &'a AtomicBool,
    observer: Option<&'a Observer<'a>>,
    search: usize,
    last_report: Instant,
    /// When the last plan was handed over, and its cost (None: none yet).
    last_plan: Option<(Instant, f64)>,
}

impl Budget<'_> {
    fn progress(&self) -> f64 {
        match (self.max_iterations, self.time_limit) {
            (Some(max), _) => self.iterations as f64 / max.max(1) as f64,
            (None, Some(limit)) => {
                self.started.elapsed().as_secs_f64() / limit.as_secs_f64().max(1e-9)
            }
            (None, None) => 1.0,
        }
    }

    fn stopped(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
            || self.max_iterations.is_some_and(|m| self.iterations >= m)
            || self.time_limit.is_some_and(|t| self.started.elapsed() >= t)
    }

    /// True while the phase ending at `end` (a fraction of the budget) may continue.
    fn running(&self, end: f64) -> bool {
        !self.stopped() && self.progress() < end
    }

    /// Tells the observer about `best` when a report is due.
    fn observe(&mut self, model: &Model, best: &WorkingSolution) {
        let Some(observer) = self.observer else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(self.last_report) < observer.every {
            return;
        }
        self.last_report = now;
        let progress = self.progress_of(model, best, now);
        (observer.report)(&progress);
        self.hand_over(model, best, &progress);
    }

    fn progress_of(&self, model: &Model, best: &WorkingSolution, now: Instant) -> SolveProgress {
        SolveProgress {
            search: self.search,
            cost: best.cost(model),
            vehicles_used: best.vehicles_used(),
            unassigned: best.unassigned.len(),
            iterations: self.iterations,
            elapsed: now.duration_since(self.started),
        }
    }

    /// The first plan, handed over as soon as it exists (before any report is due).
    fn observe_first(&mut self, model: &Model, first: &WorkingSolution) {
        if self.observer.is_some_and(|o| o.plan.is_some()) {
            let progress = self.progress_of(model, first, Instant::now());
            self.hand_over(model, first, &progress);
        }
    }

    /// Hands `best` over as a plan when the observer wants plans, it improved on the last one
    /// handed over, and `plan_every` has passed since.
    fn hand_over(&mut self, model: &Model, best: &WorkingSolution, progress: &SolveProgress) {
        let Some(observer) = self.observer else {
            return;
        };
        let Some(plan) = observer.plan else {
            return;
        };
        let now = Instant::now();
        if let Some((at, cost)) = self.last_plan
            && (progress.cost >= cost || now.duration_since(at) < observer.plan_every)
        {
            return;
        }
        self.last_plan = Some((now, progress.cost));
        plan(
            progress,
            &best.to_plan(model, self.problem, self.iterations),
        );
    }
}

/// Solves `problem`. Randomness comes only from `rng`; `started` is when the time limit began;
/// setting `cancel` stops the search at the next iteration and returns the best plan so far.
pub fn solve(
    problem: &Problem,
    options: &SolveOptions,
    rng: &mut dyn RngCore,
    started: Instant,
    cancel: &AtomicBool,
) -> Result<Solution, SolveError> {
    solve_with(problem, options, rng, started, cancel, None)
}

/// [`solve`], reporting each search's best plan to `observer` as it improves, from the
/// threads that search (so `observer.report` must be `Sync` and quick).
pub fn solve_observed(
    problem: &Problem,
    options: &SolveOptions,
    rng: &mut dyn RngCore,
    started: Instant,
    cancel: &AtomicBool,
    observer: &Observer<'_>,
) -> Result<Solution, SolveError> {
    solve_with(problem, options, rng, started, cancel, Some(observer))
}

fn solve_with(
    problem: &Problem,
    options: &SolveOptions,
    rng: &mut dyn RngCore,
    started: Instant,
    cancel: &AtomicBool,
    observer: Option<&Observer<'_>>,
) -> Result<Solution, SolveError> {
    problem.validate()?;
    if options.time_limit.is_none() && options.max_iterations.is_none() {
        return Err(SolveError::NoLimit);
    }
    let model = Model::new(problem);
    let (best, iterations) = if options.threads <= 1 {
        search_once(
            &model,
            problem,
            options,
            rng,
            started,
            cancel,
            (observer, 0),
        )
    } else {
        // Seeds drawn up front, in thread order, keep the result a function of `rng` alone
        // when the searches stop by iteration count.
        let seeds: Vec<u64> = (0..options.threads).map(|_| rng.next_u64()).collect();
        let model = &model;
        let results: Vec<(WorkingSolution, u64)> = std::thread::scope(|scope| {
            let searches: Vec<_> = seeds
                .iter()
                .enumerate()
                .map(|(index, &seed)| {
                    scope.spawn(move || {
                        search_once(
                            model,
                            problem,
                            options,
                            &mut StdRng::seed_from_u64(seed),
                            started,
                            cancel,
                            (observer, index),
                        )
                    })
                })
                .collect();
            searches
                .into_iter()
                .map(|s| s.join().expect("a search thread panicked"))
                .collect()
        });
        let iterations = results.iter().map(|(_, i)| i).sum();
        (combine(model, options.objective, results), iterations)
    };
    Ok(best.to_plan(&model, problem, iterations))
}

/// The best of several searches' plans, with each group of routes that another plan serves
/// better grafted in (see `graft.rs`): on a dispatch day that falls apart by store, every
/// store's part comes from whichever search planned it best.
fn combine(
    model: &Model,
    objective: Objective,
    results: Vec<(WorkingSolution, u64)>,
) -> WorkingSolution {
    let fewest_vehicles = objective == Objective::Hierarchical;
    // Unassigned penalties first, then (hierarchical) vehicles, then cost.
    let rank = |s: &WorkingSolution| {
        let vehicles = if fewest_vehicles {
            s.vehicles_used()
        } else {
            0
        };
        (s.penalties(model), vehicles, s.cost(model))
    };
    let mut plans: Vec<WorkingSolution> = results.into_iter().map(|(s, _)| s).collect();
    let first = (0..plans.len())
        .min_by(|&a, &b| {
            rank(&plans[a])
                .partial_cmp(&rank(&plans[b]))
                .expect("finite costs")
        })
        .expect("at least one search");
    let mut best = plans.swap_remove(first);
    let mut scratch = GraftScratch::default();
    for other in &plans {
        graft(model, &mut best, other, fewest_vehicles, &mut scratch);
    }
    best
}

/// One search on the calling thread: a greedy start, then annealing (for the hierarchical
/// objective around fleet minimisation). Returns the best plan and the iterations run.
fn search_once(
    model: &Model,
    problem: &Problem,
    options: &SolveOptions,
    rng: &mut dyn RngCore,
    started: Instant,
    cancel: &AtomicBool,
    (observer, search): (Option<&Observer<'_>>, usize),
) -> (WorkingSolution, u64) {
    let mut budget = Budget {
        problem,
        started,
        time_limit: options.time_limit,
        max_iterations: options.max_iterations,
        iterations: 0,
        cancel,
        observer,
        search,
        last_report: started,
        last_plan: None,
    };
    let mut initial = WorkingSolution::empty(model);
    GreedyBlinks {
        blink_rate: 0.0,
        granularity: 0,
    }
    .recreate(model, &mut initial, rng);
    budget.observe_first(model, &initial);
    // Only arcs that go somewhere: consecutive stops at one place (several pickups at a store)
    // are arcs no move can shorten, and counting them would cool the search by their share.
    let arcs: usize = initial
        .routes
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.moving_arcs())
        .sum();
    let mean_arc = if arcs == 0 {
        1.0
    } else {
        (initial.distance() / arcs as f64).max(1e-9)
    };
    let strings = StringRemoval {
        average_removed: options.average_removed,
        max_string_length: options.max_string_length,
        ..StringRemoval::default()
    };
    let search = Search {
        model,
        vehicle_change: VehicleChange {
            strings: strings.clone(),
        },
        ruin: strings,
        recreate: GreedyBlinks {
            blink_rate: options.blink_rate,
            granularity: options.insertion_neighbours,
        },
        route_ruin_rate: options.route_ruin_rate,
        // With one kind of vehicle there is nothing to change to (and no draws are spent).
        vehicle_change_rate: if model
            .vehicles
            .iter()
            .any(|v| v.class != model.vehicles[0].class)
        {
            options.vehicle_change_rate
        } else {
            0.0
        },
        reheat_share: options.reheat_share.clamp(0.0, 1.0),
        reheat_temperature: options.reheat_temperature,
        cooling_length: options.cooling_length * model.jobs.len() as f64,
        fixed_cost_ramp: options.fixed_cost_ramp.clamp(0.0, 1.0),
        reheat_fixed_cost_ramp: options.reheat_fixed_cost_ramp.clamp(0.0, 1.0),
        graft_every: options.graft_every,
        initial_temperature: options.initial_temperature * mean_arc,
        final_temperature: options.final_temperature * mean_arc,
        local_search: options
            .local_search
            .then(|| (TailExchange::default(), VehicleSwap::default())),
    };

    let best = match options.objective {
        Objective::Distance => {
            let fleet = FleetLimit {
                vehicles: usize::MAX,
            };
            search.anneal_then_reheat(initial, &mut budget, (0.0, 1.0), fleet, rng)
        }
        Objective::Hierarchical => {
            // 1. Distance first, with every vehicle: a short-route solution is a better start
            //    for removing vehicles than the greedy one, and on instances where the fewest
            //    vehicles are also the shortest plan (Solomon C2) it is already the answer.
            // 2. Fleet minimisation. 3. Distance again, within the fleet found.
            let share = options.fleet_share.clamp(0.0, 1.0);
            let warm_end = share * options.warm_start_share.clamp(0.0, 1.0);
            let unlimited = FleetLimit {
                vehicles: usize::MAX,
            };
            let warm = search.anneal(
                initial,
                &mut budget,
                (0.0, warm_end),
                unlimited,
                search.initial_temperature,
                0.0,
                None,
                rng,
            );
            let mut fewest = search.minimise_fleet(warm, &mut budget, share, rng);
            for (open, route) in fewest.open.iter_mut().zip(&fewest.routes) {
                *open = !route.is_empty();
            }
            let fleet = FleetLimit {
                vehicles: fewest.vehicles_used(),
            };
            // Fleet minimisation stops early at the capacity lower bound: cool over what is left.
            let from = budget.progress().min(share);
            search.anneal_then_reheat(fewest, &mut budget, (from, 1.0), fleet, rng)
        }
    };
    (best, budget.iterations)
}

struct Search<'a> {
    model: &'a Model,
    ruin: StringRemoval,
    route_ruin_rate: f64,
    vehicle_change: VehicleChange,
    vehicle_change_rate: f64,
    reheat_share: f64,
    reheat_temperature: f64,
    /// Iterations (not per job) each cooling of a split first phase gets (see `SolveOptions`).
    cooling_length: f64,
    /// See `SolveOptions::fixed_cost_ramp` and `reheat_fixed_cost_ramp`.
    fixed_cost_ramp: f64,
    reheat_fixed_cost_ramp: f64,
    graft_every: u64,
    recreate: GreedyBlinks,
    initial_temperature: f64,
    final_temperature: f64,
    /// 2-opt*, then handing routes to better-placed vehicles of a mixed fleet.
    local_search: Option<(TailExchange, VehicleSwap)>,
}

/// The most independent coolings a first phase is split into (see
/// `SolveOptions::cooling_length`): on Solomon at 600 000 iterations four did no better than
/// three, and the 10-minute Tokyo reference keeps the long coolings it was measured with.
const MAX_COOLINGS: f64 = 3.0;

/// How many vehicles a result may use.
#[derive(Debug, Clone, Copy)]
struct FleetLimit {
    vehicles: usize,
}

impl FleetLimit {
    /// False for the distance objective's "every vehicle" (no limit to keep).
    fn is_limited(self) -> bool {
        self.vehicles != usize::MAX
    }
}

impl Search<'_> {
    /// What annealing minimises: the cost with the fixed costs weighted as the phase wants.
    fn score(&self, solution: &WorkingSolution) -> f64 {
        solution.weighted_cost(self.model)
    }

    /// Results are compared by (vehicles within the limit, cost): fewer vehicles always win.
    fn better(&self, a: &WorkingSolution, b: &WorkingSolution, fleet: FleetLimit) -> bool {
        let (va, vb) = (a.vehicles_used(), b.vehicles_used());
        if va > fleet.vehicles {
            return false;
        }
        if !fleet.is_limited() {
            return a.cost(self.model) < b.cost(self.model);
        }
        // Unassigned penalties still come first: compare them before vehicles.
        let (ua, ub) = (a.penalties(self.model), b.penalties(self.model));
        (ua, va, a.cost(self.model)) < (ub, vb, b.cost(self.model))
    }

    /// [`Search::anneal`] over `phase`, the last `reheat_share` of it a second time from the
    /// best plan of the first, starting cooler, with the fixed costs phased in again. If the
    /// first cooling cuts itself short (see `cooling_length`), more coolings of its length
    /// from `start` fill the rest before the reheat.
    fn anneal_then_reheat(
        &self,
        start: WorkingSolution,
        budget: &mut Budget,
        phase: (f64, f64),
        fleet: FleetLimit,
        rng: &mut dyn RngCore,
    ) -> WorkingSolution {
        let t0 = self.initial_temperature;
        let cut = phase.1 - self.reheat_share * (phase.1 - phase.0);
        let split = Some(self.cooling_length);
        let ramp = self.fixed_cost_ramp;
        let mut first = self.anneal(
            start.clone(),
            budget,
            (phase.0, cut),
            fleet,
            t0,
            ramp,
            split,
            rng,
        );
        // The first cooling's length is every other one's; the last one takes what is left
        // (also the clock's slack: it ends at `cut`, not after a cooling's length).
        let length = budget.progress() - phase.0;
        while budget.running(cut) {
            let from = budget.progress();
            let end = if length <= 0.0 || from + 1.5 * length >= cut {
                cut
            } else {
                from + length
            };
            let mut other = self.anneal(
                start.clone(),
                budget,
                (from, end),
                fleet,
                t0,
                ramp,
                None,
                rng,
            );
            if self.better(&other, &first, fleet) {
                std::mem::swap(&mut first, &mut other);
            }
            // And the parts the other cooling found better.
            if self.graft_every > 0 {
                graft(
                    self.model,
                    &mut first,
                    &other,
                    fleet.is_limited(),
                    &mut GraftScratch::default(),
                );
            }
        }
        if self.reheat_share <= 0.0 {
            return first;
        }
        // The best seen is kept: the second cooling can only return `first` or better.
        self.anneal(
            first,
            budget,
            (cut, phase.1),
            fleet,
            t0 * self.reheat_temperature,
            self.reheat_fixed_cost_ramp,
            None,
            rng,
        )
    }

    /// Simulated annealing over ruin-and-recreate moves during the budget fraction `phase`,
    /// with a geometric cooling from `initial_temperature` to Tf across the phase, the fixed
    /// costs phased in over the first `fixed_cost_ramp` of it (0: none). Returns the best
    /// solution seen at full cost (`start` if nothing beat it).
    ///
    /// With `cooling_length`, after a short probe the phase's iterations are estimated from the
    /// rate so far; if they hold more than one cooling of that length, the phase ends after
    /// the first (rescaled to the shorter span) and the caller uses the rest.
    #[allow(clippy::too_many_arguments)]
    fn anneal(
        &self,
        start: WorkingSolution,
        budget: &mut Budget,
        mut phase: (f64, f64),
        fleet: FleetLimit,
        initial_temperature: f64,
        fixed_cost_ramp: f64,
        mut cooling_length: Option<f64>,
        rng: &mut dyn RngCore,
    ) -> WorkingSolution {
        const PROBE_ITERATIONS: u64 = 1000;
        let first_iteration = budget.iterations;
        let model = self.model;
        let mut best_score = start.cost(model);
        let mut best = start.clone();
        let mut current = start;
        let ramping = fixed_cost_ramp > 0.0;
        if ramping {
            current.fixed_cost_weight = 0.0;
        }
        let mut candidate = current.clone();
        let mut current_score = self.score(&current);
        let mut scratch = GraftScratch::default();
        let mut span = (phase.1 - phase.0).max(1e-12);
        let ratio = self.final_temperature / initial_temperature;
        while budget.running(phase.1) {
            if let Some(length) = cooling_length
                && budget.iterations - first_iteration >= PROBE_ITERATIONS
            {
                cooling_length = None;
                let done = budget.progress() - phase.0;
                let probed = (budget.iterations - first_iteration) as f64;
                if done > 0.0 {
                    let coolings = (probed * span / done / length)
                        .round()
                        .clamp(1.0, MAX_COOLINGS);
                    phase.1 = phase.0 + span / coolings;
                    span /= coolings;
                }
            }
            let local = ((budget.progress() - phase.0) / span).clamp(0.0, 1.0);
            let temperature = initial_temperature * ratio.powf(local);
            if ramping && current.fixed_cost_weight < 1.0 {
                let weight = (local / fixed_cost_ramp).min(1.0);
                current.fixed_cost_weight = weight;
                candidate.fixed_cost_weight = weight;
                current_score = self.score(&current);
            }
            // Invariant: candidate == current here; only the routes the move touches differ after.
            candidate.touched.clear();
            // No draw when the rate is 0, so such runs repeat the plain SISR sequence exactly.
            if self.route_ruin_rate > 0.0 && rng.random::<f64>() < self.route_ruin_rate {
                RoutePairRemoval.ruin(model, &mut candidate, rng);
            } else if self.vehicle_change_rate > 0.0
                && rng.random::<f64>() < self.vehicle_change_rate
            {
                self.vehicle_change.ruin(model, &mut candidate, rng);
            } else {
                self.ruin.ruin(model, &mut candidate, rng);
            }
            self.recreate.recreate(model, &mut candidate, rng);
            budget.iterations += 1;
            let mut score = self.score(&candidate);
            // Polishing only would-be bests keeps the cost of local search negligible.
            if candidate.cost(model) < best_score
                && let Some((tails, vehicles)) = &self.local_search
                && (tails.improve(model, &mut candidate) | vehicles.improve(model, &mut candidate))
            {
                score = self.score(&candidate);
            }
            let touched = std::mem::take(&mut candidate.touched);
            // Accept if better than current + T·ln(1/U): the threshold form of Metropolis.
            let threshold = current_score - temperature * rng.random::<f64>().max(1e-300).ln();
            if score < threshold {
                current.copy_changes_from(&candidate, &touched);
                current_score = score;
                if self.better(&current, &best, fleet) {
                    best.clone_from(&current);
                    best_score = best.cost(model);
                }
            } else {
                candidate.copy_changes_from(&current, &touched);
            }
            candidate.touched = touched;
            if self.graft_every > 0
                && budget.iterations.is_multiple_of(self.graft_every)
                && graft(model, &mut best, &current, fleet.is_limited(), &mut scratch)
            {
                best_score = best.cost(model);
            }
            budget.observe(model, &best);
        }
        best.fixed_cost_weight = 1.0;
        best
    }

    /// SISR fleet minimisation during the budget fraction `[0, end)`. Returns the complete
    /// solution with the fewest vehicles found (or `start` if it was not complete).
    fn minimise_fleet(
        &self,
        start: WorkingSolution,
        budget: &mut Budget,
        end: f64,
        rng: &mut dyn RngCore,
    ) -> WorkingSolution {
        let model = self.model;
        if !start.unassigned.is_empty() {
            return start;
        }
        let lower_bound = fleet_lower_bound(model);
        let mut absences = vec![0u64; model.jobs.len()];
        let absence_sum = |s: &WorkingSolution, a: &[u64]| -> u64 {
            s.unassigned.iter().map(|&j| a[j as usize]).sum()
        };
        let mut best = start.clone();
        let mut current = start;
        // No new vehicles in this phase: only the routes in use may take jobs.
        for (open, route) in current.open.iter_mut().zip(&current.routes) {
            *open = !route.is_empty();
        }
        let mut candidate = current.clone();
        loop {
            if current.unassigned.is_empty() {
                if current.vehicles_used() < best.vehicles_used()
                    || (current.vehicles_used() == best.vehicles_used()
                        && current.distance() < best.distance())
                {
                    best.clone_from(&current);
                }
                if current.vehicles_used() <= lower_bound || !budget.running(end) {
                    break;
                }
                RouteRemoval.ruin(model, &mut current, rng);
                candidate.clone_from(&current);
            }
            if !budget.running(end) {
                break;
            }
            // Invariant: candidate == current here (see `anneal`).
            candidate.touched.clear();
            self.ruin.ruin(model, &mut candidate, rng);
            self.recreate.recreate(model, &mut candidate, rng);
            budget.iterations += 1;
            let touched = std::mem::take(&mut candidate.touched);
            for &j in &candidate.unassigned {
                absences[j as usize] += 1;
            }
            if candidate.unassigned.len() < current.unassigned.len()
                || absence_sum(&candidate, &absences) < absence_sum(&current, &absences)
            {
                current.copy_changes_from(&candidate, &touched);
            } else {
                candidate.copy_changes_from(&current, &touched);
            }
            candidate.touched = touched;
            budget.observe(model, &best);
        }
        best
    }
}

/// Vehicles needed by capacity alone for single stops (pairs reuse capacity along the route, so
/// they add nothing certain). Stops fleet minimisation early when reached.
fn fleet_lower_bound(model: &Model) -> usize {
    if model.jobs.is_empty() {
        return 0;
    }
    let mut bound = 1usize;
    for d in 0..model.dims {
        let largest = model
            .vehicles
            .iter()
            .map(|v| v.capacity[d])
            .max()
            .unwrap_or(0);
        if largest <= 0 {
            continue;
        }
        let (mut delivered, mut collected) = (0i64, 0i64);
        for job in model.jobs.iter().filter(|j| !j.is_pair) {
            let s = job.first;
            let start = model.start_load(s)[d];
            delivered += start;
            collected += start + model.delta(s)[d];
        }
        for total in [delivered, collected] {
            bound = bound.max(((total + largest - 1) / largest) as usize);
        }
    }
    bound
}
