//! Vehicle swap: give two vehicles each other's stop sequences (or hand a route to an idle
//! vehicle) when both still fit and the cost falls. With a mixed fleet (home stores, speeds,
//! shifts, fixed costs) which vehicle drives a route matters, and string moves cannot change it:
//! they would have to move the whole route at once. Identical vehicles are never swapped, so on
//! a homogeneous fleet this costs one comparison per pair.

use super::Improve;
use crate::model::Model;
use crate::route::Route;
use crate::solution::WorkingSolution;

#[derive(Debug, Clone)]
pub(crate) struct VehicleSwap {
    /// Stop after this many improving swaps, to bound the time spent per call.
    pub max_moves: usize,
}

impl Default for VehicleSwap {
    fn default() -> Self {
        VehicleSwap { max_moves: 20 }
    }
}

/// Distance plus fixed cost of driving `stops` with `vehicle` (0 for no stops).
fn sequence_cost(model: &Model, vehicle: u32, stops: &[u32], fixed_cost_weight: f64) -> f64 {
    if stops.is_empty() {
        return 0.0;
    }
    let v = &model.vehicles[vehicle as usize];
    let mut at = v.start;
    let mut total = v.fixed_cost * fixed_cost_weight;
    for &s in stops {
        let next = model.stops[s as usize].location;
        total += model.distance(v.profile, at, next);
        at = next;
    }
    total + model.distance(v.profile, at, v.end)
}

impl Improve for VehicleSwap {
    fn improve(&self, model: &Model, solution: &mut WorkingSolution) -> bool {
        let count = solution.routes.len();
        if count < 2 {
            return false;
        }
        // Trial routes, reused: a swap is only applied after both pass the full check.
        let mut trial_a = Route::new(model, 0);
        let mut trial_b = Route::new(model, 0);
        let mut moves = 0;
        let weight = solution.fixed_cost_weight;
        'search: while moves < self.max_moves {
            for a in 0..count {
                for b in a + 1..count {
                    let (ra, rb) = (&solution.routes[a], &solution.routes[b]);
                    if (ra.is_empty() && rb.is_empty()) || !(solution.open[a] && solution.open[b]) {
                        continue;
                    }
                    if model.vehicles[ra.vehicle as usize].class
                        == model.vehicles[rb.vehicle as usize].class
                    {
                        continue;
                    }
                    let before = ra.cost(model, weight) + rb.cost(model, weight);
                    // Distances first (no feasibility work): most swaps do not pay.
                    let after = sequence_cost(model, rb.vehicle, &ra.stops, weight)
                        + sequence_cost(model, ra.vehicle, &rb.stops, weight);
                    if after >= before - 1e-9 {
                        continue;
                    }
                    trial_a.vehicle = ra.vehicle;
                    trial_a.stops.clone_from(&rb.stops);
                    trial_a.update(model);
                    trial_b.vehicle = rb.vehicle;
                    trial_b.stops.clone_from(&ra.stops);
                    trial_b.update(model);
                    if !(trial_a.feasible && trial_b.feasible) {
                        continue;
                    }
                    std::mem::swap(&mut solution.routes[a], &mut trial_a);
                    std::mem::swap(&mut solution.routes[b], &mut trial_b);
                    for r in [a, b] {
                        for &s in &solution.routes[r].stops {
                            solution.job_route[model.stops[s as usize].job as usize] = r as u32;
                        }
                        solution.touch(r as u32);
                    }
                    moves += 1;
                    continue 'search;
                }
            }
            break;
        }
        moves > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::test_fixtures::{delivery, line_profile, round_trip_vehicle};

    /// Two depots on a line at 0 and 10; jobs next to each depot, but each served from the
    /// other one's vehicle.
    fn crossed() -> Problem {
        let xs = [0.0, 10.0, 1.0, 9.0];
        let vehicle = |id: &str, depot: usize| round_trip_vehicle(id, depot, 100.0, 5);
        Problem {
            profiles: vec![line_profile(&xs)],
            vehicles: vec![vehicle("west", 0), vehicle("east", 1)],
            jobs: vec![delivery(2), delivery(3)],
        }
    }

    #[test]
    fn gives_each_route_to_the_vehicle_next_to_it() {
        let problem = crossed();
        let model = Model::new(&problem);
        let mut solution = WorkingSolution::empty(&model);
        // Job 0 (x = 1) on the east vehicle, job 1 (x = 9) on the west one: 18 + 18.
        solution.routes[0].stops = vec![1];
        solution.routes[1].stops = vec![0];
        for (r, route) in solution.routes.iter_mut().enumerate() {
            route.update(&model);
            for &s in &route.stops {
                solution.job_route[s as usize] = r as u32;
            }
        }
        solution.unassigned.clear();
        assert!((solution.distance() - 36.0).abs() < 1e-9);
        assert!(VehicleSwap::default().improve(&model, &mut solution));
        assert!((solution.distance() - 4.0).abs() < 1e-9);
        assert_eq!(solution.job_route, vec![0, 1]);
        let plan = solution.to_plan(&model, &problem, 0);
        assert!(crate::check(&problem, &plan).is_feasible());
    }
}
