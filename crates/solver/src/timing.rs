//! Times and distance of a route given as a stop sequence, by the search's own rules (leave at
//! the shift's start, wait for a window, serve, drive on): for callers that change a plan by
//! hand and need the times the solver would have reported, without a search.

use crate::model::{StopRole, earliest_start};
use crate::problem::{Problem, Task};
use crate::solution::{PlannedRoute, PlannedStop};

/// `stops` (job index, role) driven by vehicle `vehicle` of `problem`, timed. A stop whose
/// window is already closed is served on arrival (the checker reports it); a job or role the
/// problem does not have is `None`.
pub fn timed_route(
    problem: &Problem,
    vehicle: usize,
    stops: &[(usize, StopRole)],
) -> Option<PlannedRoute> {
    let v = problem.vehicles.get(vehicle)?;
    let profile = problem.profiles.get(v.profile)?;
    let distances = if profile.distances.is_empty() {
        &profile.durations
    } else {
        &profile.distances
    };
    let leg = |m: &[Vec<f64>], from: Option<usize>, to: Option<usize>| match (from, to) {
        (Some(a), Some(b)) => m[a][b],
        _ => 0.0,
    };
    let mut time = v.shift.start;
    let mut at = v.start;
    let mut service = 0.0;
    let mut distance = 0.0;
    let mut planned = Vec::with_capacity(stops.len());
    for &(job, role) in stops {
        let place = match (&problem.jobs.get(job)?.task, role) {
            (Task::Single { stop, .. }, StopRole::Single) => stop,
            (Task::Pair { pickup, .. }, StopRole::Pickup) => pickup,
            (Task::Pair { delivery, .. }, StopRole::Delivery) => delivery,
            _ => return None,
        };
        let arrival = time + service + leg(&profile.durations, at, Some(place.location));
        distance += leg(distances, at, Some(place.location));
        let start = earliest_start(&place.windows, arrival).unwrap_or(arrival);
        planned.push(PlannedStop {
            job,
            job_id: problem.jobs[job].id.clone(),
            role,
            location: place.location,
            arrival,
            start,
        });
        time = start;
        at = Some(place.location);
        service = place.service;
    }
    let end = time + service + leg(&profile.durations, at, v.end);
    distance += leg(distances, at, v.end);
    Some(PlannedRoute {
        vehicle,
        vehicle_id: v.id.clone(),
        stops: planned,
        distance,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Job, Profile, Stop, TimeWindow, Vehicle};
    use crate::solution::Solution;
    use crate::{check, solve};

    fn problem() -> Problem {
        let m = vec![
            vec![0.0, 100.0, 200.0],
            vec![100.0, 0.0, 100.0],
            vec![200.0, 100.0, 0.0],
        ];
        Problem {
            profiles: vec![Profile {
                name: "car".into(),
                durations: m.clone(),
                distances: m
                    .iter()
                    .map(|r| r.iter().map(|x| x * 10.0).collect())
                    .collect(),
            }],
            vehicles: vec![Vehicle {
                id: "v".into(),
                profile: 0,
                start: Some(0),
                end: Some(0),
                shift: TimeWindow::new(1000.0, 5000.0),
                capacity: vec![5],
                fixed_cost: 0.0,
                max_duration: None,
            }],
            jobs: vec![Job {
                id: "j".into(),
                task: Task::Pair {
                    pickup: Stop {
                        location: 1,
                        service: 10.0,
                        windows: Vec::new(),
                    },
                    delivery: Stop {
                        location: 2,
                        service: 20.0,
                        windows: vec![TimeWindow::new(1500.0, 1600.0)],
                    },
                    amount: vec![1],
                },
                penalty: 1e6,
            }],
        }
    }

    #[test]
    fn a_route_is_timed_as_the_solver_times_it() {
        let p = problem();
        let r = timed_route(&p, 0, &[(0, StopRole::Pickup), (0, StopRole::Delivery)]).unwrap();
        assert_eq!((r.stops[0].arrival, r.stops[0].start), (1100.0, 1100.0));
        // 1100 + 10 + 100 = 1210: waits for the window at 1500.
        assert_eq!((r.stops[1].arrival, r.stops[1].start), (1210.0, 1500.0));
        assert_eq!((r.distance, r.end), (4000.0, 1720.0));
        let solved = solve(
            &p,
            &crate::SolveOptions {
                max_iterations: Some(10),
                time_limit: None,
                ..Default::default()
            },
            &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1),
            std::time::Instant::now(),
            &std::sync::atomic::AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(solved.routes[0], r, "the same times as the search reports");
        let solution = Solution {
            routes: vec![r.clone()],
            unassigned: Vec::new(),
            distance: r.distance,
            vehicles_used: 1,
            cost: r.distance,
            iterations: 0,
        };
        assert!(check(&p, &solution).is_feasible());
    }

    #[test]
    fn a_wrong_role_or_job_is_none() {
        let p = problem();
        assert!(timed_route(&p, 0, &[(0, StopRole::Single)]).is_none());
        assert!(timed_route(&p, 0, &[(3, StopRole::Pickup)]).is_none());
        assert!(timed_route(&p, 1, &[]).is_none());
    }
}
