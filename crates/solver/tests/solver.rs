//! Integration tests: every solution is re-validated by the independent checker.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hakobu_solver::{
    Job, Objective, Observer, PlannedRoute, PlannedStop, Problem, Profile, Solution, SolveOptions,
    SolveProgress, Stop, StopRole, Task, TimeWindow, UnassignedJob, UnassignedReason, Vehicle,
    Violation, check, solve, solve_observed,
};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

fn euclidean(points: &[(f64, f64)], speed: f64) -> Vec<Vec<f64>> {
    points
        .iter()
        .map(|a| {
            points
                .iter()
                .map(|b| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() / speed)
                .collect()
        })
        .collect()
}

fn profile(points: &[(f64, f64)], speed: f64) -> Profile {
    Profile {
        name: format!("speed {speed}"),
        durations: euclidean(points, speed),
        distances: euclidean(points, 1.0),
    }
}

fn vehicle(id: &str, capacity: Vec<i64>, shift: (f64, f64)) -> Vehicle {
    Vehicle {
        id: id.into(),
        profile: 0,
        start: Some(0),
        end: Some(0),
        shift: TimeWindow::new(shift.0, shift.1),
        capacity,
        fixed_cost: 0.0,
        max_duration: None,
    }
}

fn stop(location: usize, window: Option<(f64, f64)>) -> Stop {
    Stop {
        location,
        service: 1.0,
        windows: window
            .map(|(a, b)| TimeWindow::new(a, b))
            .into_iter()
            .collect(),
    }
}

fn single(id: &str, location: usize, window: Option<(f64, f64)>, delivery: i64) -> Job {
    Job {
        id: id.into(),
        task: Task::Single {
            stop: stop(location, window),
            delivery: vec![delivery],
            pickup: vec![0],
        },
        penalty: 1000.0,
    }
}

fn pair(id: &str, from: usize, to: usize, amount: i64) -> Job {
    Job {
        id: id.into(),
        task: Task::Pair {
            pickup: stop(from, None),
            delivery: stop(to, None),
            amount: vec![amount],
        },
        penalty: 1000.0,
    }
}

fn options(iterations: u64) -> SolveOptions {
    SolveOptions {
        max_iterations: Some(iterations),
        ..SolveOptions::default()
    }
}

fn run(problem: &Problem, options: &SolveOptions, seed: u64) -> Solution {
    let mut rng = StdRng::seed_from_u64(seed);
    let solution = solve(
        problem,
        options,
        &mut rng,
        Instant::now(),
        &AtomicBool::new(false),
    )
    .expect("solvable");
    let report = check(problem, &solution);
    assert!(report.is_feasible(), "checker: {:?}", report.violations);
    solution
}

/// A random tiny instance exercising every constraint: 2 capacity dimensions, singles that
/// deliver and collect, pairs, one or two windows per stop, two vehicles with different speeds,
/// a fixed cost and a maximum duration on one, an open end on the other.
fn tiny(seed: u64) -> Problem {
    let mut rng = StdRng::seed_from_u64(seed);
    let jobs_count = rng.random_range(2..=5);
    let mut points = vec![(50.0, 50.0)];
    let mut jobs = Vec::new();
    let mut stops = 0;
    let coordinate = |rng: &mut StdRng| {
        (
            rng.random_range(0.0..100.0f64).round(),
            rng.random_range(0.0..100.0f64).round(),
        )
    };
    for j in 0..jobs_count {
        let is_pair = stops + 2 <= 7 && rng.random_bool(0.4);
        let a = coordinate(&mut rng);
        let b = coordinate(&mut rng);
        let amounts = vec![rng.random_range(0..=6), rng.random_range(0..=2)];
        let open = rng.random_range(0.0..150.0f64).round();
        let width = rng.random_range(10.0..120.0f64).round();
        let windows = match rng.random_range(0..10) {
            0..3 => vec![],
            3..7 => vec![TimeWindow::new(open, open + width)],
            _ => vec![
                TimeWindow::new(open, open + width / 3.0),
                TimeWindow::new(open + width, open + width + 30.0),
            ],
        };
        if is_pair {
            points.push(a);
            points.push(b);
            let n = points.len();
            let mut job = pair(&format!("p{j}"), n - 2, n - 1, 0);
            if let Task::Pair {
                delivery, amount, ..
            } = &mut job.task
            {
                delivery.windows = windows
                    .iter()
                    .map(|w| TimeWindow::new(w.start + 30.0, w.end + 30.0))
                    .collect();
                *amount = amounts;
            }
            jobs.push(job);
            stops += 2;
        } else {
            points.push(a);
            let mut job = single(&format!("s{j}"), points.len() - 1, None, 0);
            if let Task::Single {
                stop,
                delivery,
                pickup,
            } = &mut job.task
            {
                stop.windows = windows;
                *delivery = amounts;
                *pickup = vec![rng.random_range(0..=4), 0];
            }
            jobs.push(job);
            stops += 1;
        }
    }
    let mut fast = vehicle("fast", vec![8, 2], (0.0, 300.0));
    fast.fixed_cost = 15.0;
    fast.max_duration = Some(250.0);
    let mut slow = vehicle("slow", vec![10, 3], (0.0, 400.0));
    slow.profile = 1;
    slow.end = None;
    if seed % 2 == 1 {
        // Interchangeable routing (same profile, end and shift) lets tail exchanges run.
        slow.profile = fast.profile;
        slow.end = fast.end;
        slow.shift = fast.shift;
        slow.max_duration = fast.max_duration;
    }
    Problem {
        profiles: vec![profile(&points, 1.0), profile(&points, 0.6)],
        vehicles: vec![fast, slow],
        jobs,
    }
}

/// Brute force through the checker only: best cost of serving `subset` with `vehicle` alone.
fn best_route(problem: &Problem, vehicle: usize, subset: &[usize]) -> Option<f64> {
    let mut stops: Vec<(usize, StopRole)> = Vec::new();
    for &j in subset {
        match problem.jobs[j].task {
            Task::Single { .. } => stops.push((j, StopRole::Single)),
            Task::Pair { .. } => {
                stops.push((j, StopRole::Pickup));
                stops.push((j, StopRole::Delivery));
            }
        }
    }
    let mut best: Option<f64> = None;
    permutations(&mut stops, 0, &mut |order| {
        let route = PlannedRoute {
            vehicle,
            vehicle_id: String::new(),
            stops: order
                .iter()
                .map(|&(job, role)| PlannedStop {
                    job,
                    job_id: String::new(),
                    role,
                    location: 0,
                    arrival: 0.0,
                    start: 0.0,
                })
                .collect(),
            distance: 0.0,
            end: 0.0,
        };
        let solution = Solution {
            routes: vec![route],
            unassigned: Vec::new(),
            distance: 0.0,
            vehicles_used: 1,
            cost: 0.0,
            iterations: 0,
        };
        let report = check(problem, &solution);
        let feasible = report.violations.iter().all(|v| {
            matches!(
                v,
                Violation::TotalsMismatch { .. } | Violation::Missing { .. }
            )
        });
        // With no job listed as unassigned, the cost is distance + the fixed cost.
        if feasible && best.is_none_or(|b| report.cost < b) {
            best = Some(report.cost);
        }
    });
    best
}

fn permutations<T: Copy>(items: &mut Vec<T>, k: usize, visit: &mut dyn FnMut(&[T])) {
    if k == items.len() {
        visit(items);
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, visit);
        items.swap(k, i);
    }
}

fn brute_force_optimum(problem: &Problem) -> f64 {
    let n = problem.jobs.len();
    let mut best = f64::INFINITY;
    // Each job: 0 = unassigned, 1 = vehicle 0, 2 = vehicle 1.
    let mut memo = std::collections::HashMap::new();
    for code in 0..3usize.pow(n as u32) {
        let mut digits = code;
        let mut subsets = [Vec::new(), Vec::new()];
        let mut cost = 0.0;
        for j in 0..n {
            match digits % 3 {
                0 => cost += problem.jobs[j].penalty,
                d => subsets[d - 1].push(j),
            }
            digits /= 3;
        }
        let mut feasible = true;
        for (v, subset) in subsets.iter().enumerate() {
            if subset.is_empty() {
                continue;
            }
            let value = *memo
                .entry((v, subset.clone()))
                .or_insert_with(|| best_route(problem, v, subset));
            match value {
                Some(d) => cost += d,
                None => feasible = false,
            }
        }
        if feasible {
            best = best.min(cost);
        }
    }
    best
}

#[test]
fn matches_brute_force_on_tiny_instances() {
    for seed in 0..24 {
        let problem = tiny(seed);
        let optimum = brute_force_optimum(&problem);
        let solution = run(&problem, &options(1500), seed);
        assert!(
            (solution.cost - optimum).abs() < 1e-6,
            "seed {seed}: solver {} vs brute force {optimum}",
            solution.cost
        );
    }
}

/// The same with every first phase split into three independent coolings (on these instances the
/// default never splits: they run far fewer iterations per job).
#[test]
fn matches_brute_force_with_split_coolings() {
    for seed in 0..24 {
        let problem = tiny(seed);
        let optimum = brute_force_optimum(&problem);
        let split = SolveOptions {
            cooling_length: 0.0,
            // Long enough that the split comes well before the first third ends.
            ..options(5000)
        };
        let solution = run(&problem, &split, seed);
        assert!(
            (solution.cost - optimum).abs() < 1e-6,
            "seed {seed}: solver {} vs brute force {optimum}",
            solution.cost
        );
        assert_eq!(solution, run(&problem, &split, seed), "seed {seed}");
    }
}

#[test]
fn same_seed_same_plan() {
    let problem = tiny(3);
    let a = run(&problem, &options(300), 42);
    let b = run(&problem, &options(300), 42);
    assert_eq!(a, b);
}

fn grid(customers: usize, seed: u64) -> Problem {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut points = vec![(50.0, 50.0)];
    let mut jobs = Vec::new();
    for j in 0..customers {
        points.push((rng.random_range(0.0..100.0), rng.random_range(0.0..100.0)));
        let open = rng.random_range(0.0..400.0);
        jobs.push(single(
            &format!("c{j}"),
            j + 1,
            Some((open, open + 120.0)),
            rng.random_range(1..20),
        ));
    }
    Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles: (0..10)
            .map(|k| vehicle(&format!("v{k}"), vec![100], (0.0, 800.0)))
            .collect(),
        jobs,
    }
}

/// Two towns 1 000 apart, each with its own depot, three vans and 25 customers with two-hour
/// windows: a plan falls apart into the two towns' routes.
fn two_towns(seed: u64) -> Problem {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut points = vec![(0.0, 0.0), (1000.0, 0.0)];
    let mut jobs = Vec::new();
    for j in 0..50 {
        let (x, y) = points[j % 2];
        points.push((
            x + rng.random_range(-50.0..50.0),
            y + rng.random_range(-50.0..50.0),
        ));
        let open = rng.random_range(0.0..300.0);
        jobs.push(single(
            &format!("c{j}"),
            j + 2,
            Some((open, open + 120.0)),
            5,
        ));
    }
    let vehicles = (0..6)
        .map(|k| Vehicle {
            start: Some(k % 2),
            end: Some(k % 2),
            ..vehicle(&format!("v{k}"), vec![50], (0.0, 600.0))
        })
        .collect();
    Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles,
        jobs,
    }
}

/// Several searches at once give the same plan for the same seed, and one no worse than any
/// of the searches alone (each rerun here on its own with the seed the combined solve drew
/// for it); on an instance that falls apart into two towns, combining takes each town from
/// whichever search planned it better, so it beats the best single search on some seeds.
#[test]
fn several_searches_combine_to_no_worse_than_each() {
    for objective in [Objective::Distance, Objective::Hierarchical] {
        let single = SolveOptions {
            objective,
            ..options(400)
        };
        let several = SolveOptions {
            threads: 3,
            ..single.clone()
        };
        let mut strictly_better = 0;
        for seed in 1..=8 {
            let problem = two_towns(seed);
            let combined = run(&problem, &several, seed);
            assert_eq!(combined, run(&problem, &several, seed), "seed {seed}");
            assert_eq!(combined.iterations, 3 * 400);
            let mut drawn = StdRng::seed_from_u64(seed);
            let alone: Vec<Solution> = (0..3)
                .map(|_| run(&problem, &single, drawn.next_u64()))
                .collect();
            let rank = |s: &Solution| match objective {
                Objective::Distance => (0, s.cost),
                Objective::Hierarchical => (s.vehicles_used, s.cost),
            };
            let best_alone = alone
                .iter()
                .map(rank)
                .min_by(|a, b| a.partial_cmp(b).unwrap())
                .unwrap();
            let got = rank(&combined);
            assert!(
                got.0 < best_alone.0 || (got.0 == best_alone.0 && got.1 <= best_alone.1 + 1e-6),
                "{objective:?}, seed {seed}: combined {got:?}, best alone {best_alone:?}"
            );
            if got.0 == best_alone.0 && got.1 < best_alone.1 - 1e-6 {
                strictly_better += 1;
            }
        }
        assert!(
            strictly_better > 0,
            "{objective:?}: never better than the best alone"
        );
    }
}

/// Solves with no iteration limit, sets the cancel flag after 100 ms, and checks that the
/// search stopped soon with a complete, feasible plan.
fn assert_cancel_stops(problem: &Problem, threads: usize) {
    let cancel = AtomicBool::new(false);
    let mut rng = StdRng::seed_from_u64(1);
    let started = Instant::now();
    let solution = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            cancel.store(true, Ordering::Relaxed);
        });
        let opts = SolveOptions {
            max_iterations: Some(u64::MAX),
            threads,
            ..SolveOptions::default()
        };
        solve(problem, &opts, &mut rng, started, &cancel).expect("solvable")
    });
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(check(problem, &solution).is_feasible());
    assert!(solution.unassigned.is_empty());
}

#[test]
fn cancel_flag_stops_the_search() {
    assert_cancel_stops(&grid(40, 1), 1);
}

#[test]
fn cancel_flag_stops_every_search() {
    assert_cancel_stops(&two_towns(1), 2);
}

/// Each search reports its best as it goes, about as often as asked, and the last report of
/// the search whose plan is returned is no better than the plan.
#[test]
fn observer_hears_each_search_about_as_often_as_asked() {
    let problem = two_towns(2);
    let reports = std::sync::Mutex::new(Vec::new());
    let report = |p: &SolveProgress| reports.lock().unwrap().push(*p);
    let observer = Observer {
        every: Duration::from_millis(50),
        report: &report,
        plan: None,
        plan_every: Duration::ZERO,
    };
    let opts = SolveOptions {
        time_limit: Some(Duration::from_millis(600)),
        threads: 2,
        ..SolveOptions::default()
    };
    let started = Instant::now();
    let solution = solve_observed(
        &problem,
        &opts,
        &mut StdRng::seed_from_u64(5),
        started,
        &AtomicBool::new(false),
        &observer,
    )
    .expect("solvable");
    let reports = reports.into_inner().unwrap();
    for search in 0..2 {
        let mine: Vec<&SolveProgress> = reports.iter().filter(|p| p.search == search).collect();
        // 600 ms at one report per 50 ms: about 11 each; a loaded machine gives fewer.
        assert!(mine.len() >= 3, "search {search}: {} reports", mine.len());
        assert!(mine.len() <= 13, "search {search}: {} reports", mine.len());
        for w in mine.windows(2) {
            assert!(w[1].elapsed >= w[0].elapsed + Duration::from_millis(50));
            assert!(w[1].iterations > w[0].iterations);
        }
    }
    let best = reports.iter().map(|p| p.cost).fold(f64::INFINITY, f64::min);
    assert!(solution.cost <= best + 1e-6, "{} > {best}", solution.cost);
    assert!(reports.iter().all(|p| p.vehicles_used > 0));
}

/// Each search hands over its first plan as soon as the greedy start exists (long before the
/// time limit), and later plans only when they improved, no more often than asked; every plan
/// handed over is one the checker accepts.
#[test]
fn observer_gets_a_checked_plan_long_before_the_limit() {
    let problem = grid(60, 3);
    let limit = Duration::from_secs(2);
    let every = Duration::from_millis(300);
    let plans = std::sync::Mutex::new(Vec::new());
    let plan = |p: &SolveProgress, s: &Solution| plans.lock().unwrap().push((*p, s.clone()));
    let observer = Observer {
        every: Duration::from_millis(50),
        report: &|_: &SolveProgress| {},
        plan: Some(&plan),
        plan_every: every,
    };
    let opts = SolveOptions {
        time_limit: Some(limit),
        threads: 2,
        ..SolveOptions::default()
    };
    solve_observed(
        &problem,
        &opts,
        &mut StdRng::seed_from_u64(11),
        Instant::now(),
        &AtomicBool::new(false),
        &observer,
    )
    .expect("solvable");
    let plans = plans.into_inner().unwrap();
    for search in 0..2 {
        let mine: Vec<_> = plans.iter().filter(|(p, _)| p.search == search).collect();
        let (first, _) = mine.first().expect("a first plan");
        assert_eq!(first.iterations, 0, "search {search}: the greedy start");
        assert!(
            first.elapsed < limit / 4,
            "search {search}: first at {:?}",
            first.elapsed
        );
        for w in mine.windows(2) {
            assert!(
                w[1].0.cost < w[0].0.cost,
                "search {search}: not an improvement"
            );
            assert!(w[1].0.elapsed >= w[0].0.elapsed + every);
        }
    }
    for (p, s) in &plans {
        let report = check(&problem, s);
        assert!(report.is_feasible(), "{:?}", report.violations);
        assert!((s.cost - p.cost).abs() < 1e-6, "{} != {}", s.cost, p.cost);
    }
}

#[test]
fn time_limit_is_honoured() {
    let problem = grid(40, 2);
    let opts = SolveOptions {
        time_limit: Some(Duration::from_millis(300)),
        objective: Objective::Hierarchical,
        ..SolveOptions::default()
    };
    let started = Instant::now();
    let solution = run(&problem, &opts, 7);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(solution.iterations > 0);
}

#[test]
fn no_limit_is_an_error() {
    let problem = tiny(1);
    let mut rng = StdRng::seed_from_u64(1);
    let result = solve(
        &problem,
        &SolveOptions::default(),
        &mut rng,
        Instant::now(),
        &AtomicBool::new(false),
    );
    assert!(result.is_err());
}

#[test]
fn hierarchical_uses_no_more_vehicles_than_distance() {
    let problem = grid(30, 5);
    let distance = run(&problem, &options(3000), 1);
    let hierarchical = run(
        &problem,
        &SolveOptions {
            objective: Objective::Hierarchical,
            ..options(3000)
        },
        1,
    );
    assert!(hierarchical.vehicles_used <= distance.vehicles_used);
    assert!(hierarchical.unassigned.is_empty());
}

#[test]
fn pickups_come_before_deliveries() {
    let mut rng = StdRng::seed_from_u64(9);
    let mut points = vec![(50.0, 50.0)];
    let mut jobs = Vec::new();
    for j in 0..15 {
        points.push((rng.random_range(0.0..100.0), rng.random_range(0.0..100.0)));
        points.push((rng.random_range(0.0..100.0), rng.random_range(0.0..100.0)));
        jobs.push(pair(
            &format!("p{j}"),
            points.len() - 2,
            points.len() - 1,
            rng.random_range(1..8),
        ));
    }
    let problem = Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles: (0..4)
            .map(|k| vehicle(&format!("v{k}"), vec![12], (0.0, 1000.0)))
            .collect(),
        jobs,
    };
    let solution = run(&problem, &options(2000), 3);
    assert!(solution.unassigned.is_empty());
    for route in &solution.routes {
        for (i, s) in route.stops.iter().enumerate() {
            if s.role == StopRole::Delivery {
                assert!(
                    route.stops[..i]
                        .iter()
                        .any(|p| p.job == s.job && p.role == StopRole::Pickup)
                );
            }
        }
    }
}

#[test]
fn waits_for_a_later_window_and_uses_the_faster_vehicle() {
    let points = [(0.0, 0.0), (100.0, 0.0), (0.0, 10.0)];
    let mut slow = vehicle("slow", vec![10], (0.0, 150.0));
    slow.profile = 1;
    let mut fast = vehicle("fast", vec![10], (0.0, 150.0));
    fast.profile = 0;
    let mut far = single("far", 1, None, 1);
    if let Task::Single { stop, .. } = &mut far.task {
        stop.windows = vec![TimeWindow::new(0.0, 20.0), TimeWindow::new(40.0, 60.0)];
    }
    let problem = Problem {
        // Only the fast profile reaches location 1 (distance 100) within the second window.
        profiles: vec![profile(&points, 2.0), profile(&points, 1.0)],
        vehicles: vec![slow, fast],
        jobs: vec![far],
    };
    let solution = run(&problem, &options(50), 1);
    assert_eq!(solution.routes.len(), 1);
    assert_eq!(solution.routes[0].vehicle_id, "fast");
    let s = &solution.routes[0].stops[0];
    assert_eq!((s.arrival, s.start), (50.0, 50.0));
}

#[test]
fn unassigned_jobs_say_why() {
    let points = [
        (0.0, 0.0),
        (10.0, 0.0),
        (20.0, 0.0),
        (0.0, 300.0),
        (5.0, 0.0),
        (6.0, 0.0),
    ];
    let mut v = vehicle("v", vec![10, 3], (0.0, 200.0));
    v.max_duration = Some(100.0);
    let with_dims = |mut job: Job, amounts: Vec<i64>| {
        if let Task::Single {
            delivery, pickup, ..
        } = &mut job.task
        {
            *delivery = amounts;
            *pickup = vec![0, 0];
        }
        job
    };
    let problem = Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles: vec![v],
        jobs: vec![
            with_dims(single("too-big", 1, None, 0), vec![1, 4]),
            with_dims(single("closed", 2, Some((0.0, 5.0)), 0), vec![1, 0]),
            with_dims(single("beyond-shift", 3, None, 0), vec![1, 0]),
            with_dims(single("long", 1, Some((95.0, 99.0)), 0), vec![1, 0]),
            with_dims(single("fits", 4, None, 0), vec![9, 0]),
            with_dims(single("no-room", 5, None, 0), vec![9, 0]),
        ],
    };
    let solution = run(&problem, &options(200), 1);
    let reason = |id: &str| {
        solution
            .unassigned
            .iter()
            .find(|u| u.job_id == id)
            .map(|u| u.reason)
    };
    assert_eq!(reason("too-big"), Some(UnassignedReason::Capacity));
    assert_eq!(reason("closed"), Some(UnassignedReason::TimeWindow));
    assert_eq!(reason("beyond-shift"), Some(UnassignedReason::Shift));
    assert_eq!(reason("long"), Some(UnassignedReason::MaxDuration));
    let room: Vec<_> = ["fits", "no-room"]
        .iter()
        .filter_map(|id| reason(id))
        .collect();
    assert_eq!(room, vec![UnassignedReason::NoRoom]);
}

/// Phasing the fixed costs in must not change what "best" means. Two vans at depots 100 apart,
/// each next to one customer: without fixed costs (where the ramp starts) each van serving its
/// own customer is far shorter (40 against 210), with them one van serving both is far cheaper
/// (1 210 against 2 040), and that is what must come back, even though the search spends the
/// whole first cooling (and, in the second case, the whole reheat) with the fixed costs
/// counting less.
#[test]
fn phased_in_fixed_costs_still_judge_the_result_at_full_cost() {
    let points = [(0.0, 0.0), (100.0, 0.0), (0.0, 10.0), (100.0, 10.0)];
    let van = |id: &str, depot: usize| Vehicle {
        start: Some(depot),
        end: Some(depot),
        fixed_cost: 1000.0,
        ..vehicle(id, vec![10], (0.0, 1000.0))
    };
    let problem = Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles: vec![van("west", 0), van("east", 1)],
        jobs: vec![single("a", 2, None, 1), single("b", 3, None, 1)],
    };
    // One cooling with the ramp over all of it; and a cooling and a reheat each ramped over
    // all of itself.
    let one_cooling = SolveOptions {
        fixed_cost_ramp: 1.0,
        reheat_share: 0.0,
        ..options(2000)
    };
    let with_reheat = SolveOptions {
        fixed_cost_ramp: 1.0,
        reheat_share: 0.5,
        reheat_fixed_cost_ramp: 1.0,
        ..options(2000)
    };
    for ramp_everywhere in [one_cooling, with_reheat] {
        for seed in 1..=5 {
            let solution = run(&problem, &ramp_everywhere, seed);
            assert_eq!(solution.vehicles_used, 1, "seed {seed}");
            let one_van = 10.0 + 100.0_f64.hypot(0.0) + 100.0_f64.hypot(10.0);
            assert!(
                (solution.cost - (one_van + 1000.0)).abs() < 1e-9,
                "{}",
                solution.cost
            );
        }
    }
}

#[test]
fn open_routes_end_at_the_last_stop() {
    let points = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)];
    let mut v = vehicle("v", vec![10], (0.0, 100.0));
    v.end = None;
    let problem = Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles: vec![v],
        jobs: vec![single("a", 1, None, 1), single("b", 2, None, 1)],
    };
    let solution = run(&problem, &options(50), 1);
    assert!((solution.distance - 20.0).abs() < 1e-9);
}

// ---- the checker against hand-built bad solutions ----

fn checker_problem() -> Problem {
    let points = [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (30.0, 0.0)];
    let mut v0 = vehicle("v0", vec![5], (0.0, 100.0));
    v0.max_duration = Some(90.0);
    Problem {
        profiles: vec![profile(&points, 1.0)],
        vehicles: vec![v0, vehicle("v1", vec![5], (0.0, 100.0))],
        jobs: vec![single("a", 1, Some((0.0, 50.0)), 2), pair("b", 2, 3, 3)],
    }
}

fn planned(vehicle: usize, stops: &[(usize, StopRole)]) -> PlannedRoute {
    PlannedRoute {
        vehicle,
        vehicle_id: String::new(),
        stops: stops
            .iter()
            .map(|&(job, role)| PlannedStop {
                job,
                job_id: String::new(),
                role,
                location: 0,
                arrival: 0.0,
                start: 0.0,
            })
            .collect(),
        distance: 0.0,
        end: 0.0,
    }
}

/// A solution with correct totals, so that only the injected fault shows.
fn with_totals(problem: &Problem, routes: Vec<PlannedRoute>, unassigned: Vec<usize>) -> Solution {
    let mut solution = Solution {
        routes,
        unassigned: unassigned
            .into_iter()
            .map(|job| UnassignedJob {
                job,
                job_id: String::new(),
                reason: UnassignedReason::NoRoom,
            })
            .collect(),
        distance: 0.0,
        vehicles_used: 0,
        cost: 0.0,
        iterations: 0,
    };
    let report = check(problem, &solution);
    solution.distance = report.distance;
    solution.cost = report.cost;
    solution.vehicles_used = report.vehicles_used;
    solution
}

fn violations(problem: &Problem, solution: &Solution) -> Vec<Violation> {
    check(problem, solution).violations
}

use StopRole::{Delivery, Pickup, Single};

#[test]
fn checker_accepts_a_good_solution() {
    let p = checker_problem();
    let good = with_totals(
        &p,
        vec![planned(0, &[(0, Single), (1, Pickup), (1, Delivery)])],
        vec![],
    );
    assert_eq!(violations(&p, &good), vec![]);
}

/// Recognises the violation a hand-built bad solution must produce.
type Expectation = fn(&Violation) -> bool;

#[test]
fn checker_catches_each_violation() {
    let p = checker_problem();
    let cases: Vec<(Solution, Expectation)> = vec![
        (
            with_totals(
                &p,
                vec![planned(0, &[(0, Single), (1, Delivery), (1, Pickup)])],
                vec![],
            ),
            |v| matches!(v, Violation::DeliveryBeforePickup { job: 1 }),
        ),
        (
            with_totals(
                &p,
                vec![
                    planned(0, &[(0, Single), (1, Pickup)]),
                    planned(1, &[(1, Delivery)]),
                ],
                vec![],
            ),
            |v| matches!(v, Violation::PairSplit { job: 1 }),
        ),
        (
            with_totals(&p, vec![planned(0, &[(1, Pickup), (1, Delivery)])], vec![]),
            |v| matches!(v, Violation::Missing { job: 0 }),
        ),
        (
            with_totals(
                &p,
                vec![planned(0, &[(0, Single), (1, Pickup), (1, Delivery)])],
                vec![0],
            ),
            |v| matches!(v, Violation::Duplicated { job: 0 }),
        ),
        (
            with_totals(
                &p,
                vec![planned(0, &[(0, Pickup), (1, Pickup), (1, Delivery)])],
                vec![],
            ),
            |v| matches!(v, Violation::WrongRole { job: 0 }),
        ),
        (
            with_totals(
                &p,
                vec![
                    planned(0, &[(0, Single)]),
                    planned(0, &[(1, Pickup), (1, Delivery)]),
                ],
                vec![],
            ),
            |v| matches!(v, Violation::VehicleUsedTwice { vehicle: 0 }),
        ),
        (
            with_totals(&p, vec![planned(7, &[(0, Single)])], vec![1]),
            |v| matches!(v, Violation::UnknownVehicle { vehicle: 7 }),
        ),
        (
            with_totals(&p, vec![planned(0, &[(0, Single), (9, Single)])], vec![1]),
            |v| matches!(v, Violation::UnknownJob { job: 9 }),
        ),
        (
            {
                let mut s = with_totals(&p, vec![planned(0, &[(0, Single)])], vec![1]);
                s.distance += 1.0;
                s
            },
            |v| {
                matches!(
                    v,
                    Violation::TotalsMismatch {
                        what: "distance",
                        ..
                    }
                )
            },
        ),
    ];
    for (index, (solution, expected)) in cases.iter().enumerate() {
        let found = violations(&p, solution);
        assert!(found.iter().any(expected), "case {index}: {found:?}");
    }

    // Capacity: the delivery of `a` (2) on board while carrying `b` (3) exceeds 4.
    let mut tight = checker_problem();
    tight.vehicles[1].capacity = vec![4];
    let s = with_totals(
        &tight,
        vec![planned(1, &[(1, Pickup), (0, Single), (1, Delivery)])],
        vec![],
    );
    assert!(
        violations(&tight, &s)
            .iter()
            .any(|v| matches!(v, Violation::Capacity { vehicle: 1, .. }))
    );

    // Time window: `a` closes at 50, reached at 71 after the pair.
    let s = with_totals(
        &p,
        vec![planned(1, &[(1, Pickup), (1, Delivery), (0, Single)])],
        vec![],
    );
    let found = violations(&p, &s);
    assert!(
        found
            .iter()
            .any(|v| matches!(v, Violation::TimeWindow { job: 0, .. })),
        "{found:?}"
    );

    // Shift end and max duration: a 70-long route on a 60-long shift / with a 60 max duration.
    let mut short = checker_problem();
    short.vehicles[1].shift = TimeWindow::new(0.0, 60.0);
    let s = with_totals(
        &short,
        vec![planned(1, &[(1, Pickup), (1, Delivery)])],
        vec![0],
    );
    assert!(
        violations(&short, &s)
            .iter()
            .any(|v| matches!(v, Violation::ShiftEnd { vehicle: 1, .. }))
    );
    let mut limited = checker_problem();
    limited.vehicles[0].max_duration = Some(60.0);
    let s = with_totals(
        &limited,
        vec![planned(0, &[(1, Pickup), (1, Delivery)])],
        vec![0],
    );
    assert!(
        violations(&limited, &s)
            .iter()
            .any(|v| matches!(v, Violation::MaxDuration { vehicle: 0, .. }))
    );
}

#[test]
fn json_form_round_trips() {
    let text = include_str!("../README.md")
        .split("```json")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has a JSON example");
    let problem = Problem::from_json(text).expect("README example parses");
    assert_eq!(Problem::from_json(&problem.to_json()), Ok(problem.clone()));
    let solution = run(&problem, &options(200), 1);
    assert!(solution.unassigned.is_empty());
}
