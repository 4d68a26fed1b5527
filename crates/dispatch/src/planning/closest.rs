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
