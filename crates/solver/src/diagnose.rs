//! Why an unassigned job could not be placed: the job is tried alone on each idle vehicle, and
//! the reason reported is the furthest it got (capacity → windows → shift → duration → fits).

use crate::model::{Model, TIME_EPSILON, earliest_start};
use crate::solution::UnassignedReason;

pub(crate) fn why_unassigned(model: &Model, job: u32) -> UnassignedReason {
    let node = &model.jobs[job as usize];
    let stops: Vec<u32> = if node.is_pair {
        vec![node.first, node.first + 1]
    } else {
        vec![node.first]
    };
    let mut best = UnassignedReason::NoVehicle;
    let rank = |r: UnassignedReason| match r {
        UnassignedReason::NoVehicle => 0,
        UnassignedReason::Capacity => 1,
        UnassignedReason::TimeWindow => 2,
        UnassignedReason::Shift => 3,
        UnassignedReason::MaxDuration => 4,
        UnassignedReason::NoRoom => 5,
    };
    for vehicle in &model.vehicles {
        let reason = 'vehicle: {
            // Load at the start, then after each stop.
            let mut load: Vec<i64> = vec![0; model.dims];
            for &s in &stops {
                for (l, a) in load.iter_mut().zip(model.start_load(s)) {
                    *l += a;
                }
            }
            let mut peak = load.clone();
            for &s in &stops {
                for ((l, p), d) in load.iter_mut().zip(peak.iter_mut()).zip(model.delta(s)) {
                    *l += d;
                    *p = (*p).max(*l);
                }
            }
            if peak.iter().zip(&vehicle.capacity).any(|(p, c)| p > c) {
                break 'vehicle UnassignedReason::Capacity;
            }
            let mut time = vehicle.shift.start;
            let mut at = vehicle.start;
            let mut service = 0.0;
            for &s in &stops {
                let stop = &model.stops[s as usize];
                let arrival = time + service + model.duration(vehicle.profile, at, stop.location);
                let Some(start) = earliest_start(&stop.windows, arrival) else {
                    break 'vehicle UnassignedReason::TimeWindow;
                };
                time = start;
                at = stop.location;
                service = stop.service;
            }
            let end = time + service + model.duration(vehicle.profile, at, vehicle.end);
            if end > vehicle.shift.end + TIME_EPSILON {
                UnassignedReason::Shift
            } else if end > vehicle.latest_end + TIME_EPSILON {
                UnassignedReason::MaxDuration
            } else {
                UnassignedReason::NoRoom
            }
        };
        if rank(reason) > rank(best) {
            best = reason;
        }
    }
    best
}
