//! The solver's routes and left-over jobs in the plan's terms — each visit pointing back at
//! its stop — shared by a solve, an edit and a re-optimisation, so a visit looks the same
//! whichever made it.

use hakobu_solver::{PlannedRoute as SolverRoute, StopRole, Task};

use crate::planning::closest::closest;
use crate::planning::problem::Built;
use crate::planning::result::{
    PlanRoute, PlanTotals, PlanVisit, UnassignedCause, UnassignedStop, VisitRole,
};

/// The visit of job `job` in role `role`, at the given times.
pub(crate) fn visit(
    built: &Built,
    job: usize,
    role: StopRole,
    arrival: f64,
    start: f64,
) -> PlanVisit {
    let stop = &built.stops[job];
    let role = match role {
        StopRole::Delivery => VisitRole::Delivery,
        _ => VisitRole::Pickup,
    };
    // A delivery is picked up at the store; a fetch is dropped there.
    let at_store = (role == VisitRole::Pickup) != stop.fetch;
    let point = if at_store { stop.store } else { stop.customer };
    let service_s = match &built.problem.jobs[job].task {
        Task::Pair { pickup, .. } if role == VisitRole::Pickup => pickup.service,
        Task::Pair { delivery, .. } => delivery.service,
        Task::Single { stop, .. } => stop.service,
    };
    PlanVisit {
        stop_id: stop.source.key(),
        source: stop.source.clone(),
        role,
        store_id: at_store.then(|| stop.store_id.clone()),
        lat: point.lat,
        lng: point.lng,
        arrival_s: arrival,
        start_s: start,
        service_s,
        window: if at_store { None } else { stop.window },
        parcels: stop.parcels,
        fixed: false,
    }
}

/// A solver route as the plan shows it.
pub(crate) fn route(built: &Built, r: &SolverRoute) -> PlanRoute {
    let driver = &built.drivers[r.vehicle];
    let vehicle = &built.problem.vehicles[r.vehicle];
    PlanRoute {
        driver_email: driver.email.clone(),
        driver_name: driver.name.clone(),
        vehicle_type: driver.vehicle_type,
        shift_start_s: vehicle.shift.start,
        shift_end_s: vehicle.shift.end,
        visits: r
            .stops
            .iter()
            .map(|s| visit(built, s.job, s.role, s.arrival, s.start))
            .collect(),
        distance_m: r.distance,
        end_s: r.end,
        locked: false,
    }
}

/// Job `job` left over for `cause`, with the driver that came closest.
pub(crate) fn left_over(built: &Built, job: usize, cause: UnassignedCause) -> UnassignedStop {
    let stop = &built.stops[job];
    let near = closest(&built.problem, job);
    let driver = near.as_ref().map(|c| &built.drivers[c.vehicle]);
    UnassignedStop {
        stop_id: stop.source.key(),
        source: stop.source.clone(),
        lat: stop.customer.lat,
        lng: stop.customer.lng,
        parcels: stop.parcels,
        window: stop.window,
        cause,
        closest_driver: driver.map(|d| d.email.clone()),
        closest_driver_name: driver.map(|d| d.name.clone()),
        closest_misses: near.map(|c| c.misses).unwrap_or_default(),
        fixed: false,
        diaq_tracking_code: None,
    }
}

/// The plan's totals over its routes (cost, iterations and time as given).
pub(crate) fn totals(
    routes: &[PlanRoute],
    unassigned: usize,
    cost: f64,
    iterations: u64,
    elapsed_ms: u64,
) -> PlanTotals {
    let stops = routes
        .iter()
        .flat_map(|r| &r.visits)
        .filter(|v| v.store_id.is_none())
        .count();
    PlanTotals {
        drivers_used: routes.iter().filter(|r| !r.visits.is_empty()).count(),
        stops,
        unassigned,
        parcels: routes
            .iter()
            .flat_map(|r| &r.visits)
            .filter(|v| v.role == VisitRole::Delivery)
            .map(|v| v.parcels)
            .sum(),
        distance_m: routes.iter().map(|r| r.distance_m).sum(),
        duration_s: routes
            .iter()
            .filter(|r| !r.visits.is_empty())
            .map(|r| r.end_s - r.shift_start_s)
            .sum(),
        cost,
        iterations,
        elapsed_ms,
    }
}
