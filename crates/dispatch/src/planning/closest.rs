//! Which driver came closest to an unassigned stop, and by how much they missed: the solver
//! says why a job is left over (its reason, over all vehicles) but not who nearly made it, so
//! the job is tried alone on each driver and the route re-checked with the solver's
//! independent checker; the smallest miss wins.

use hakobu_solver::{
    PlannedRoute, PlannedStop, Problem, Solution, StopRole, Task, UnassignedReason, Violation,
    check,
};

use crate::planning::result::{Miss, MissRule, UnassignedCause};

/// The closest driver (vehicle index) and what they missed by.
pub(crate) struct Closest {
    pub vehicle: usize,
    pub misses: Vec<Miss>,
}

impl From<UnassignedReason> for UnassignedCause {
    fn from(r: UnassignedReason) -> Self {
        match r {
            UnassignedReason::NoVehicle => UnassignedCause::NoVehicle,
            UnassignedReason::Capacity => UnassignedCause::Capacity,
            UnassignedReason::TimeWindow => UnassignedCause::Window,
            UnassignedReason::Shift => UnassignedCause::Shift,
            UnassignedReason::MaxDuration => UnassignedCause::MaxDuration,
            UnassignedReason::NoRoom => UnassignedCause::NoRoom,
        }
    }
}

fn minutes(seconds: f64) -> i64 {
    (seconds / 60.0).ceil() as i64
}

/// Tries job `job` alone on each vehicle of `problem`.
pub(crate) fn closest(problem: &Problem, job: usize) -> Option<Closest> {
    let one = &problem.jobs[job];
    let roles: Vec<(StopRole, usize)> = match &one.task {
        Task::Pair {
            pickup, delivery, ..
        } => vec![
            (StopRole::Pickup, pickup.location),
            (StopRole::Delivery, delivery.location),
        ],
        Task::Single { stop, .. } => vec![(StopRole::Single, stop.location)],
    };
    let latest_end: f64 = match &one.task {
        Task::Pair {
            pickup, delivery, ..
        } => [pickup, delivery]
            .iter()
            .filter_map(|s| s.windows.last().map(|w| w.end))
            .fold(f64::NEG_INFINITY, f64::max),
        Task::Single { stop, .. } => stop.windows.last().map_or(f64::NEG_INFINITY, |w| w.end),
    };
    let mut best: Option<(f64, Closest)> = None;
    for (v, vehicle) in problem.vehicles.iter().enumerate() {
        // Only the places this try visits, so a big day's matrices are not copied per try:
        // 0 and 1 the vehicle's start and end, then the job's stops.
        let places: Vec<usize> = [vehicle.start, vehicle.end]
            .into_iter()
            .map(|p| p.unwrap_or(roles[0].1))
            .chain(roles.iter().map(|&(_, location)| location))
            .collect();
        let profile = &problem.profiles[vehicle.profile];
        let sub = |m: &[Vec<f64>]| -> Vec<Vec<f64>> {
            if m.is_empty() {
                return Vec::new();
            }
            places
                .iter()
                .map(|&a| places.iter().map(|&b| m[a][b]).collect())
                .collect()
        };
        let mut job = one.clone();
        let mut at = 2..;
        match &mut job.task {
            Task::Pair {
                pickup, delivery, ..
            } => {
                pickup.location = at.next().unwrap_or(2);
                delivery.location = at.next().unwrap_or(3);
            }
            Task::Single { stop, .. } => stop.location = at.next().unwrap_or(2),
        }
        let alone = Problem {
            profiles: vec![hakobu_solver::Profile {
                name: profile.name.clone(),
                durations: sub(&profile.durations),
                distances: sub(&profile.distances),
            }],
            vehicles: vec![hakobu_solver::Vehicle {
                profile: 0,
                start: vehicle.start.map(|_| 0),
                end: vehicle.end.map(|_| 1),
                ..vehicle.clone()
            }],
            jobs: vec![job],
        };
        let route = PlannedRoute {
            vehicle: 0,
            vehicle_id: vehicle.id.clone(),
            stops: roles
                .iter()
                .enumerate()
                .map(|(k, &(role, _))| PlannedStop {
                    job: 0,
                    job_id: one.id.clone(),
                    role,
                    location: 2 + k,
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
        // Scores in seconds of miss; a parcel over capacity counts as an hour, so a driver
        // who is only late is closer than one who cannot carry it.
        let miss = |rule, amount| Miss { rule, amount };
        let (score, misses) = check(&alone, &solution)
            .violations
            .iter()
            .filter_map(|violation| match violation {
                Violation::TimeWindow { arrival, .. } => {
                    let late = (arrival - latest_end).max(0.0);
                    Some((late, miss(MissRule::Late, minutes(late))))
                }
                Violation::ShiftEnd { end, .. } => {
                    let over = end - vehicle.shift.end;
                    Some((over, miss(MissRule::ShiftEnd, minutes(over))))
                }
                Violation::MaxDuration { duration, .. } => {
                    let over = duration - vehicle.max_duration.unwrap_or(*duration);
                    Some((over, miss(MissRule::MaxDuration, minutes(over))))
                }
                Violation::Capacity { load, capacity, .. } => Some((
                    (load - capacity) as f64 * 3600.0,
                    miss(MissRule::Capacity, load - capacity),
                )),
                // The totals were not filled in: only the route's feasibility is asked.
                _ => None,
            })
            .fold((0.0, Vec::new()), |(score, mut all), (s, m)| {
                all.push(m);
                (score + s, all)
            });
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, Closest { vehicle: v, misses }));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    //! The closest driver is the one with the smallest miss: seconds late or back after the
    //! shift count as they are, a parcel over capacity as an hour.

    use hakobu_solver::{Job, Profile, Stop, TimeWindow, Vehicle};

    use super::*;

    /// A store (1) → customer (2) pair of 2 parcels, the customer's window 01:00–01:10; every
    /// leg takes 10 minutes, the vehicles start and end at their depot (0).
    fn problem(vehicles: Vec<Vehicle>) -> Problem {
        let leg = 600.0;
        let durations: Vec<Vec<f64>> = (0..3)
            .map(|a| (0..3).map(|b| if a == b { 0.0 } else { leg }).collect())
            .collect();
        Problem {
            profiles: vec![Profile {
                name: "bicycle".into(),
                durations,
                distances: Vec::new(),
            }],
            vehicles,
            jobs: vec![Job {
                id: "stop-0".into(),
                task: Task::Pair {
                    pickup: Stop {
                        location: 1,
                        service: 0.0,
                        windows: Vec::new(),
                    },
                    delivery: Stop {
                        location: 2,
                        service: 0.0,
                        windows: vec![TimeWindow::new(3600.0, 4200.0)],
                    },
                    amount: vec![2],
                },
                penalty: 1e6,
            }],
        }
    }

    /// Leaves its depot at `start`, off at `end`, carries `capacity` parcels.
    fn vehicle(id: &str, start: f64, end: f64, capacity: i64) -> Vehicle {
        Vehicle {
            id: id.into(),
            profile: 0,
            start: Some(0),
            end: Some(0),
            shift: TimeWindow::new(start, end),
            capacity: vec![capacity],
            fixed_cost: 0.0,
            max_duration: None,
        }
    }

    fn miss(rule: MissRule, amount: i64) -> Miss {
        Miss { rule, amount }
    }

    /// The closest vehicle's id and misses.
    fn closest_of(vehicles: Vec<Vehicle>) -> (String, Vec<Miss>) {
        let p = problem(vehicles);
        let c = closest(&p, 0).expect("a vehicle to try");
        (p.vehicles[c.vehicle].id.clone(), c.misses)
    }

    #[test]
    fn the_driver_who_misses_by_the_least_is_the_closest_wherever_they_are_listed() {
        // At the door 20 minutes after leaving: leaving at 01:00 is 10 minutes late.
        let late_10 = vehicle("late-10", 3600.0, 86_400.0, 5);
        let late_20 = vehicle("late-20", 4200.0, 86_400.0, 5);
        let small = vehicle("small", 0.0, 86_400.0, 1);
        for order in [
            vec![late_20.clone(), late_10.clone(), small.clone()],
            vec![late_10.clone(), small.clone(), late_20.clone()],
            vec![small.clone(), late_20.clone(), late_10.clone()],
        ] {
            assert_eq!(
                closest_of(order),
                ("late-10".into(), vec![miss(MissRule::Late, 10)])
            );
        }
        // One who makes it misses nothing and beats everyone.
        let fits = vehicle("fits", 0.0, 86_400.0, 5);
        assert_eq!(
            closest_of(vec![late_10.clone(), fits, small.clone()]),
            ("fits".into(), Vec::new())
        );
        // Equal misses: the first listed.
        let also_late_10 = vehicle("also-late-10", 3600.0, 86_400.0, 5);
        assert_eq!(closest_of(vec![late_10, also_late_10]).0, "late-10");
    }

    #[test]
    fn a_parcel_over_capacity_weighs_as_an_hour_late() {
        let small = vehicle("small", 0.0, 86_400.0, 1);
        let late_90 = vehicle("late-90", 3600.0 + 80.0 * 60.0, 86_400.0, 5);
        let late_50 = vehicle("late-50", 3600.0 + 40.0 * 60.0, 86_400.0, 5);
        assert_eq!(
            closest_of(vec![late_90, small.clone()]),
            ("small".into(), vec![miss(MissRule::Capacity, 1)])
        );
        assert_eq!(
            closest_of(vec![small, late_50]),
            ("late-50".into(), vec![miss(MissRule::Late, 50)])
        );
    }

    #[test]
    fn back_after_the_shift_is_missed_by_the_minutes_over_and_misses_add_up() {
        // Served at 01:00, back at 01:10: off at 01:05:30 is 4.5 minutes over, said as 5.
        let off_early = vehicle("off-early", 0.0, 3930.0, 5);
        let off_earlier = vehicle("off-earlier", 0.0, 3600.0, 5);
        assert_eq!(
            closest_of(vec![off_earlier, off_early]),
            ("off-early".into(), vec![miss(MissRule::ShiftEnd, 5)])
        );
        // Both rules broken (10 minutes over, 1 parcel over): both said, and the sum
        // loses to a driver only 30 minutes late.
        let small_off = vehicle("small-off", 0.0, 3600.0, 1);
        let (id, mut misses) = closest_of(vec![small_off.clone()]);
        misses.sort_by_key(|m| m.amount);
        assert_eq!(
            (id.as_str(), misses),
            (
                "small-off",
                vec![miss(MissRule::Capacity, 1), miss(MissRule::ShiftEnd, 10)]
            )
        );
        let late_30 = vehicle("late-30", 3600.0 + 20.0 * 60.0, 86_400.0, 5);
        assert_eq!(closest_of(vec![small_off, late_30]).0, "late-30");
    }
}
