//! Independent feasibility checker. It reads only the [`Problem`] and the stop sequence of each
//! route in a [`Solution`] and recomputes times, loads and distances from scratch, sharing no
//! code with the search (so a bug in the route caches cannot hide itself).

use serde::Serialize;

use crate::model::{StopRole, TIME_EPSILON};
use crate::problem::{Problem, Task, TimeWindow};
use crate::solution::Solution;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    UnknownVehicle {
        vehicle: usize,
    },
    VehicleUsedTwice {
        vehicle: usize,
    },
    UnknownJob {
        job: usize,
    },
    /// A stop's role does not match the job (e.g. a "pickup" of a single-stop job).
    WrongRole {
        job: usize,
    },
    /// A job is neither on a route nor listed as unassigned.
    Missing {
        job: usize,
    },
    /// A job appears more than once (twice on routes, or on a route and unassigned).
    Duplicated {
        job: usize,
    },
    /// A pair's pickup and delivery are not both on the same route.
    PairSplit {
        job: usize,
    },
    DeliveryBeforePickup {
        job: usize,
    },
    /// Service at the stop cannot start inside any of its windows.
    TimeWindow {
        vehicle: usize,
        job: usize,
        arrival: f64,
    },
    /// The vehicle reaches its end after its shift ends.
    ShiftEnd {
        vehicle: usize,
        end: f64,
    },
    MaxDuration {
        vehicle: usize,
        duration: f64,
    },
    Capacity {
        vehicle: usize,
        dimension: usize,
        load: i64,
        capacity: i64,
    },
    /// The solution's totals disagree with the recomputed ones.
    TotalsMismatch {
        what: &'static str,
        reported: f64,
        actual: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub violations: Vec<Violation>,
    pub distance: f64,
    pub vehicles_used: usize,
    pub cost: f64,
}

impl CheckReport {
    pub fn is_feasible(&self) -> bool {
        self.violations.is_empty()
    }
}

fn start_within(windows: &[TimeWindow], arrival: f64) -> Option<f64> {
    if windows.is_empty() {
        return Some(arrival);
    }
    for w in windows {
        if arrival <= w.end + TIME_EPSILON {
            return Some(arrival.max(w.start));
        }
    }
    None
}

fn matrix_value(matrix: &[Vec<f64>], from: Option<usize>, to: Option<usize>) -> f64 {
    match (from, to) {
        (Some(a), Some(b)) => matrix[a][b],
        _ => 0.0,
    }
}

pub fn check(problem: &Problem, solution: &Solution) -> CheckReport {
    let mut violations = Vec::new();
    let dims = problem.dimensions();
    // seen[job] = (routes it appears on, pickup/single position, delivery position)
    let mut appearances: Vec<Vec<(usize, usize, StopRole)>> = vec![Vec::new(); problem.jobs.len()];
    let mut vehicle_seen = vec![false; problem.vehicles.len()];
    let mut total_distance = 0.0;
    let mut total_cost = 0.0;
    let mut used = 0;

    for (route_number, route) in solution.routes.iter().enumerate() {
        let Some(vehicle) = problem.vehicles.get(route.vehicle) else {
            violations.push(Violation::UnknownVehicle {
                vehicle: route.vehicle,
            });
            continue;
        };
        if route.stops.is_empty() {
            continue;
        }
        if std::mem::replace(&mut vehicle_seen[route.vehicle], true) {
            violations.push(Violation::VehicleUsedTwice {
                vehicle: route.vehicle,
            });
        }
        used += 1;
        let profile = &problem.profiles[vehicle.profile];
        let distances = if profile.distances.is_empty() {
            &profile.durations
        } else {
            &profile.distances
        };

        // Loads: what single stops deliver is on board from the start.
        let mut load = vec![0i64; dims];
        for stop in &route.stops {
            if let Some(job) = problem.jobs.get(stop.job)
                && let Task::Single { delivery, .. } = &job.task
            {
                for (l, d) in load.iter_mut().zip(delivery) {
                    *l += d;
                }
            }
        }
        let mut over = vec![false; dims];
        let mut check_load = |load: &[i64], violations: &mut Vec<Violation>| {
            for (d, (&l, &c)) in load.iter().zip(&vehicle.capacity).enumerate() {
                if l > c && !over[d] {
                    over[d] = true;
                    violations.push(Violation::Capacity {
                        vehicle: route.vehicle,
                        dimension: d,
                        load: l,
                        capacity: c,
                    });
                }
            }
        };
        check_load(&load, &mut violations);

        let mut time = vehicle.shift.start;
        let mut at = vehicle.start;
        let mut service = 0.0;
        let mut distance = 0.0;
        for (position, stop) in route.stops.iter().enumerate() {
            let Some(job) = problem.jobs.get(stop.job) else {
                violations.push(Violation::UnknownJob { job: stop.job });
                continue;
            };
            let place = match (&job.task, stop.role) {
                (
                    Task::Single {
                        stop: s,
                        delivery,
                        pickup,
                    },
                    StopRole::Single,
                ) => {
                    for (l, d) in load.iter_mut().zip(delivery) {
                        *l -= d;
                    }
                    for (l, p) in load.iter_mut().zip(pickup) {
                        *l += p;
                    }
                    s
                }
                (Task::Pair { pickup, amount, .. }, StopRole::Pickup) => {
                    for (l, a) in load.iter_mut().zip(amount) {
                        *l += a;
                    }
                    pickup
                }
                (
                    Task::Pair {
                        delivery, amount, ..
                    },
                    StopRole::Delivery,
                ) => {
                    for (l, a) in load.iter_mut().zip(amount) {
                        *l -= a;
                    }
                    delivery
                }
                _ => {
                    violations.push(Violation::WrongRole { job: stop.job });
                    continue;
                }
            };
            appearances[stop.job].push((route_number, position, stop.role));
            check_load(&load, &mut violations);
            let arrival =
                time + service + matrix_value(&profile.durations, at, Some(place.location));
            distance += matrix_value(distances, at, Some(place.location));
            let start = match start_within(&place.windows, arrival) {
                Some(start) => start,
                None => {
                    violations.push(Violation::TimeWindow {
                        vehicle: route.vehicle,
                        job: stop.job,
                        arrival,
                    });
                    arrival
                }
            };
            time = start;
            at = Some(place.location);
            service = place.service;
        }
        let end = time + service + matrix_value(&profile.durations, at, vehicle.end);
        distance += matrix_value(distances, at, vehicle.end);
        if end > vehicle.shift.end + TIME_EPSILON {
            violations.push(Violation::ShiftEnd {
                vehicle: route.vehicle,
                end,
            });
        }
        if let Some(max) = vehicle.max_duration
            && end - vehicle.shift.start > max + TIME_EPSILON
        {
            violations.push(Violation::MaxDuration {
                vehicle: route.vehicle,
                duration: end - vehicle.shift.start,
            });
        }
        total_distance += distance;
        total_cost += distance + vehicle.fixed_cost;
    }

    let mut unassigned = vec![false; problem.jobs.len()];
    for u in &solution.unassigned {
        match unassigned.get_mut(u.job) {
            None => violations.push(Violation::UnknownJob { job: u.job }),
            Some(flag) => {
                if std::mem::replace(flag, true) {
                    violations.push(Violation::Duplicated { job: u.job });
                }
                total_cost += problem.jobs[u.job].penalty;
            }
        }
    }

    for (job_index, job) in problem.jobs.iter().enumerate() {
        let seen = &appearances[job_index];
        let expected = match job.task {
            Task::Single { .. } => 1,
            Task::Pair { .. } => 2,
        };
        if seen.is_empty() && !unassigned[job_index] {
            violations.push(Violation::Missing { job: job_index });
            continue;
        }
        if (!seen.is_empty() && unassigned[job_index]) || seen.len() > expected {
            violations.push(Violation::Duplicated { job: job_index });
            continue;
        }
        if let Task::Pair { .. } = job.task
            && !seen.is_empty()
        {
            let pickup = seen.iter().find(|s| s.2 == StopRole::Pickup);
            let delivery = seen.iter().find(|s| s.2 == StopRole::Delivery);
            match (pickup, delivery) {
                (Some(p), Some(d)) if p.0 == d.0 => {
                    if d.1 < p.1 {
                        violations.push(Violation::DeliveryBeforePickup { job: job_index });
                    }
                }
                _ => violations.push(Violation::PairSplit { job: job_index }),
            }
        }
    }

    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + b.abs());
    if !close(solution.distance, total_distance) {
        violations.push(Violation::TotalsMismatch {
            what: "distance",
            reported: solution.distance,
            actual: total_distance,
        });
    }
    if !close(solution.cost, total_cost) {
        violations.push(Violation::TotalsMismatch {
            what: "cost",
            reported: solution.cost,
            actual: total_cost,
        });
    }
    if solution.vehicles_used != used {
        violations.push(Violation::TotalsMismatch {
            what: "vehicles",
            reported: solution.vehicles_used as f64,
            actual: used as f64,
        });
    }
    CheckReport {
        violations,
        distance: total_distance,
        vehicles_used: used,
        cost: total_cost,
    }
}
