//! From imported stops to an ordered route: each address geocoded with hakobu-geo (stops that
//! cannot be placed are left out with a warning), then one open route from the driver's start
//! through every placed stop, ordered by hakobu-solver for the shortest distance.
//!
//! The solver runs a fixed number of iterations from a fixed seed, so the same import always
//! gives the same order; its time limit only guards against a slow machine.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use hakobu_geo::travel::{Matrix, matrix};
use hakobu_geo::{Gazetteer, Level, Point};
use hakobu_solver::{
    Job, Objective, Problem, Profile, SolveOptions, Stop, Task, TimeWindow, Vehicle,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::RouteMateDriver;
use super::request::StopInput;
use crate::error::AppError;

const SEED: u64 = 20_240_601;
const ITERATIONS: u64 = 2_000;
const TIME_LIMIT: Duration = Duration::from_secs(1);
/// The route has no end of shift: the document has no time windows or shifts.
const OPEN_SHIFT_S: f64 = 1.0e9;

/// A stop on the route, in driving order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedStop {
    /// Index in the request's `stops`.
    pub input: usize,
    pub point: Point,
    /// Road metres from the previous point (the driver's start for the first stop).
    pub leg_m: u32,
    /// Seconds from departure to arrival here (travel and earlier stops' service).
    pub arrival_s: u32,
}

/// A stop left out of the route.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Warning {
    pub external_stop_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub stops: Vec<PlannedStop>,
    pub warnings: Vec<Warning>,
    pub distance_m: u64,
    /// Departure to the end of service at the last stop.
    pub duration_s: u64,
}

/// Where the gazetteer places the address; a prefecture alone is too coarse to drive to.
fn place(geo: Option<&Gazetteer>, address: &str) -> Result<Point, String> {
    let geo = geo.ok_or("address: the sandbox has no gazetteer to place addresses")?;
    match geo.geocode(address) {
        Ok(g) if g.level == Level::Prefecture => Err(format!(
            "address: only the prefecture ({}) was recognised",
            g.prefecture
        )),
        Ok(g) => Ok(g.point),
        Err(e) => Err(e.to_string()),
    }
}

pub(crate) fn plan(
    geo: Option<&Gazetteer>,
    driver: &RouteMateDriver,
    stops: &[StopInput],
) -> Result<Plan, AppError> {
    let mut placed: Vec<(usize, Point)> = Vec::new();
    let mut warnings = Vec::new();
    for (i, stop) in stops.iter().enumerate() {
        match place(geo, &stop.address) {
            Ok(point) => placed.push((i, point)),
            Err(reason) => warnings.push(Warning {
                external_stop_id: stop.external_stop_id.clone(),
                reason,
            }),
        }
    }
    // Location 0 is the driver's start; location k is placed[k - 1].
    let points: Vec<Point> = std::iter::once(driver.start)
        .chain(placed.iter().map(|p| p.1))
        .collect();
    let travel = matrix(&points, driver.vehicle);
    let service = driver.vehicle.service_seconds();
    let order = order(&travel, &placed, stops, f64::from(service))?;
    let (mut at, mut clock, mut distance_m) = (0usize, 0u64, 0u64);
    let mut planned = Vec::with_capacity(order.len());
    for location in order {
        let leg_m = travel.metres(at, location);
        clock += u64::from(travel.seconds(at, location));
        distance_m += u64::from(leg_m);
        let (input, point) = placed[location - 1];
        planned.push(PlannedStop {
            input,
            point,
            leg_m,
            arrival_s: u32::try_from(clock).unwrap_or(u32::MAX),
        });
        clock += u64::from(service);
        at = location;
    }
    Ok(Plan {
        stops: planned,
        warnings,
        distance_m,
        duration_s: clock,
    })
}

/// The solver's visiting order, as locations 1..=n.
fn order(
    travel: &Matrix,
    placed: &[(usize, Point)],
    stops: &[StopInput],
    service: f64,
) -> Result<Vec<usize>, AppError> {
    if placed.len() < 2 {
        return Ok((1..=placed.len()).collect());
    }
    let n = travel.n;
    let rows = |values: &[u32]| -> Vec<Vec<f64>> {
        values
            .chunks(n)
            .map(|r| r.iter().map(|&v| f64::from(v)).collect())
            .collect()
    };
    let parcels: i64 = placed.iter().map(|&(i, _)| stops[i].parcel_count).sum();
    let problem = Problem {
        profiles: vec![Profile {
            name: "driver".into(),
            durations: rows(&travel.seconds),
            distances: rows(&travel.metres),
        }],
        vehicles: vec![Vehicle {
            id: "driver".into(),
            profile: 0,
            start: Some(0),
            // An open route: the document says nothing of returning, so the last stop ends it.
            end: None,
            shift: TimeWindow::new(0.0, OPEN_SHIFT_S),
            capacity: vec![parcels],
            fixed_cost: 0.0,
            max_duration: None,
        }],
        jobs: placed
            .iter()
            .enumerate()
            .map(|(k, &(i, _))| Job {
                id: stops[i].external_stop_id.clone(),
                task: Task::Single {
                    stop: Stop {
                        location: k + 1,
                        service,
                        windows: Vec::new(),
                    },
                    delivery: vec![stops[i].parcel_count],
                    pickup: Vec::new(),
                },
                penalty: hakobu_solver::DEFAULT_UNASSIGNED_PENALTY,
            })
            .collect(),
    };
    let options = SolveOptions {
        objective: Objective::Distance,
        time_limit: Some(TIME_LIMIT),
        max_iterations: Some(ITERATIONS),
        ..SolveOptions::default()
    };
    let solution = hakobu_solver::solve(
        &problem,
        &options,
        &mut StdRng::seed_from_u64(SEED),
        Instant::now(),
        &AtomicBool::new(false),
    )
    .map_err(AppError::internal)?;
    let mut order: Vec<usize> = solution
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().map(|s| s.location))
        .collect();
    // One vehicle without limits takes every job; should the solver still leave one out, it
    // is visited last rather than lost.
    for u in &solution.unassigned {
        tracing::warn!("routemate: the solver left {} unassigned", u.job_id);
        order.push(u.job + 1);
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakobu_geo::travel::VehicleType;

    fn stop(id: &str) -> StopInput {
        StopInput {
            external_stop_id: id.into(),
            address: String::new(),
            label: None,
            parcel_count: 1,
        }
    }

    /// Stops on a line east of the start, given out of order: the shortest open route visits
    /// them west to east, and the totals add up leg by leg.
    #[test]
    fn orders_stops_along_the_shortest_open_route() {
        let start = Point {
            lat: 35.68,
            lng: 139.70,
        };
        let at = |dx: f64| Point {
            lat: 35.68,
            lng: 139.70 + dx,
        };
        let placed = vec![(0, at(0.03)), (1, at(0.01)), (2, at(0.04)), (3, at(0.02))];
        let stops: Vec<StopInput> = ["a", "b", "c", "d"].into_iter().map(stop).collect();
        let points: Vec<Point> = std::iter::once(start)
            .chain(placed.iter().map(|p| p.1))
            .collect();
        let travel = matrix(&points, VehicleType::KeiVan);
        let order = order(&travel, &placed, &stops, 240.0).unwrap();
        let inputs: Vec<usize> = order.iter().map(|&l| placed[l - 1].0).collect();
        assert_eq!(inputs, vec![1, 3, 0, 2]);
    }

    #[test]
    fn without_a_gazetteer_every_stop_is_a_warning() {
        let driver = RouteMateDriver::new("d@example.com");
        let p = plan(None, &driver, &[stop("a"), stop("b")]).unwrap();
        assert!(p.stops.is_empty());
        assert_eq!((p.distance_m, p.duration_s), (0, 0));
        assert_eq!(p.warnings.len(), 2);
        assert!(
            p.warnings[0].reason.contains("no gazetteer"),
            "{:?}",
            p.warnings
        );
    }
}
