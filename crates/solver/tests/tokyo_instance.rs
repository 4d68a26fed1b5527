//! The Tokyo benchmark generator (`tokyo-instance`) keeps producing valid, solvable problems:
//! a 30-job instance made the same way from a committed fixture of 45 town points (not the
//! full gazetteer) solves, and the independent checker accepts the plan.

#[path = "../src/tokyo.rs"]
mod generate;

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use generate::{Config, Instance, Town};
use hakobu_solver::{Objective, Problem, SolveOptions, Task, check, solve};
use rand::SeedableRng;
use rand::rngs::StdRng;

const FIXTURE: &str = include_str!("fixtures/tokyo-towns.tsv");

fn towns() -> Vec<Town> {
    generate::tokyo_towns(FIXTURE).expect("fixture parses")
}

/// The benchmark's shape at a tenth of the size: 2 stores, 22 deliveries, 8 fetches, 5 drivers.
fn small(seed: u64) -> Instance {
    let config = Config {
        seed,
        stores: 2,
        deliveries: 22,
        fetches: 8,
        drivers: 5,
        ..Config::tokyo_300(seed)
    };
    generate::generate(&towns(), &config).expect("the fixture has room for 30 customers")
}

#[test]
fn reads_only_the_town_points_of_the_23_wards() {
    let towns = towns();
    // Sapporo's 中央区 and Musashino (a 市) are in the fixture too, and must be left out.
    assert_eq!(towns.len(), 45);
    assert!(
        towns
            .iter()
            .all(|t| ["千代田区", "中央区", "港区"].contains(&t.ward.as_str()))
    );
    assert!(
        towns
            .iter()
            .all(|t| t.point.lat > 35.6 && t.point.lat < 35.8)
    );
    assert!(towns.iter().any(|t| t.name == "飯田橋一丁目"));
    assert!(generate::tokyo_towns("not a gazetteer").is_err());
}

#[test]
fn has_the_benchmark_shape() {
    let Instance {
        problem,
        stores,
        points,
    } = small(1);
    assert_eq!(
        points.len(),
        problem.location_count(),
        "a point per location"
    );
    assert_eq!(stores.len(), 2);
    assert_eq!(problem.jobs.len(), 30);
    assert_eq!(
        problem.location_count(),
        32,
        "one location per store and per customer"
    );
    let is_store = |l: usize| l < 2;
    for job in &problem.jobs {
        let Task::Pair {
            pickup,
            delivery,
            amount,
        } = &job.task
        else {
            panic!("{} is not a pair", job.id);
        };
        let (store, customer) = if job.id.starts_with("delivery-") {
            (pickup, delivery)
        } else {
            assert!(job.id.starts_with("fetch-"), "{}", job.id);
            (delivery, pickup)
        };
        assert!(is_store(store.location) && !is_store(customer.location));
        // A one-hour DIAq slot at the customer, between 9:00 and 20:00.
        let [slot] = customer.windows.as_slice() else {
            panic!("{}: one window", job.id);
        };
        assert_eq!(slot.end - slot.start, 3600.0);
        assert!(slot.start >= 9.0 * 3600.0 && slot.end <= 20.0 * 3600.0);
        assert!((1..=3).contains(&amount[0]), "1–3 boxes");
    }
    assert_eq!(
        problem
            .jobs
            .iter()
            .filter(|j| j.id.starts_with("fetch-"))
            .count(),
        8
    );
    // Vehicle types travel at their own speeds over the same places.
    assert!(problem.profiles.len() >= 2);
    let (a, b) = (&problem.profiles[0], &problem.profiles[1]);
    assert_ne!(a.durations[0][2], b.durations[0][2]);
    for v in &problem.vehicles {
        assert!(v.start.is_some_and(is_store) && v.start == v.end);
        assert!(v.fixed_cost > 0.0 && v.capacity.len() == 2);
    }
    assert_eq!(Problem::from_json(&problem.to_json()), Ok(problem));
}

#[test]
fn is_deterministic_for_a_seed() {
    let json = |seed| serde_json::to_string(&small(seed).problem).expect("serialises");
    assert_eq!(json(7), json(7));
    assert_ne!(json(7), json(8));
}

#[test]
fn solves_and_the_checker_agrees() {
    let problem = small(1).problem;
    let options = SolveOptions {
        objective: Objective::Distance,
        max_iterations: Some(3000),
        ..SolveOptions::default()
    };
    let solution = solve(
        &problem,
        &options,
        &mut StdRng::seed_from_u64(1),
        Instant::now(),
        &AtomicBool::new(false),
    )
    .expect("valid problem");
    let report = check(&problem, &solution);
    assert!(report.is_feasible(), "{:?}", report.violations);
    assert!(
        solution.unassigned.is_empty(),
        "every job fits: {:?}",
        solution.unassigned
    );
    assert!((report.cost - solution.cost).abs() < 1e-6);
}

#[test]
fn the_benchmark_config_is_issue_5s() {
    let c = Config::tokyo_300(1);
    assert_eq!(
        (c.stores, c.deliveries, c.fetches, c.drivers),
        (5, 250, 50, 20)
    );
}
