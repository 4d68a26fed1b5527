//! The search's working solution and the plan handed back to callers.

use serde::{Deserialize, Serialize};

use crate::model::{Model, StopRole, earliest_start};
use crate::problem::Problem;
use crate::route::Route;

/// Marks a job that is on no route.
pub(crate) const UNROUTED: u32 = u32::MAX;

#[derive(Debug)]
pub(crate) struct WorkingSolution {
    /// One route per vehicle, in vehicle order (empty routes are unused vehicles).
    pub routes: Vec<Route>,
    pub unassigned: Vec<u32>,
    /// Whether a route may receive jobs. Fleet minimisation closes vehicles; the distance phase
    /// of the hierarchical objective keeps closed the ones it did not need.
    pub open: Vec<bool>,
    /// Route index of each job, or [`UNROUTED`].
    pub job_route: Vec<u32>,
    /// Routes changed since the caller last cleared this: the search copies only these between
    /// its current and candidate solutions instead of every route.
    pub touched: Vec<u32>,
    /// How much the vehicles' fixed costs count in what recreate, local search and annealing
    /// minimise ([`WorkingSolution::weighted_cost`]): 1, except while the search phases them
    /// in (see `SolveOptions::fixed_cost_ramp`). The best plan is always judged at full cost.
    pub fixed_cost_weight: f64,
}

impl Clone for WorkingSolution {
    fn clone(&self) -> Self {
        WorkingSolution {
            routes: self.routes.clone(),
            unassigned: self.unassigned.clone(),
            open: self.open.clone(),
            job_route: self.job_route.clone(),
            touched: self.touched.clone(),
            fixed_cost_weight: self.fixed_cost_weight,
        }
    }

    fn clone_from(&mut self, other: &Self) {
        self.routes.clone_from(&other.routes);
        self.unassigned.clone_from(&other.unassigned);
        self.open.clone_from(&other.open);
        self.job_route.clone_from(&other.job_route);
        self.touched.clone_from(&other.touched);
        self.fixed_cost_weight = other.fixed_cost_weight;
    }
}

impl WorkingSolution {
    /// Every vehicle idle, every job unassigned.
    pub fn empty(model: &Model) -> Self {
        WorkingSolution {
            routes: (0..model.vehicles.len() as u32)
                .map(|v| Route::new(model, v))
                .collect(),
            unassigned: (0..model.jobs.len() as u32).collect(),
            open: vec![true; model.vehicles.len()],
            job_route: vec![UNROUTED; model.jobs.len()],
            touched: Vec::new(),
            fixed_cost_weight: 1.0,
        }
    }

    /// Makes `self` equal to `other`, assuming they differ at most in the routes listed in
    /// `touched` and in the per-job bookkeeping.
    pub fn copy_changes_from(&mut self, other: &Self, touched: &[u32]) {
        for &r in touched {
            self.routes[r as usize].clone_from(&other.routes[r as usize]);
        }
        self.unassigned.clone_from(&other.unassigned);
        self.open.clone_from(&other.open);
        self.job_route.clone_from(&other.job_route);
        self.fixed_cost_weight = other.fixed_cost_weight;
    }

    pub fn touch(&mut self, route: u32) {
        if !self.touched.contains(&route) {
            self.touched.push(route);
        }
    }

    pub fn vehicles_used(&self) -> usize {
        self.routes.iter().filter(|r| !r.is_empty()).count()
    }

    pub fn distance(&self) -> f64 {
        self.routes.iter().map(|r| r.distance).sum()
    }

    /// Penalties of the unassigned jobs.
    pub fn penalties(&self, model: &Model) -> f64 {
        self.unassigned
            .iter()
            .map(|&j| model.jobs[j as usize].penalty)
            .sum()
    }

    /// Distance + fixed costs of used vehicles + penalties of unassigned jobs.
    pub fn cost(&self, model: &Model) -> f64 {
        self.cost_with(model, 1.0)
    }

    /// [`WorkingSolution::cost`] with the fixed costs times `fixed_cost_weight`.
    pub fn weighted_cost(&self, model: &Model) -> f64 {
        self.cost_with(model, self.fixed_cost_weight)
    }

    fn cost_with(&self, model: &Model, fixed_cost_weight: f64) -> f64 {
        let routes: f64 = self
            .routes
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.cost(model, fixed_cost_weight))
            .sum();
        routes + self.penalties(model)
    }

    /// Takes `jobs` off their routes (both stops of a pair) and lists them as unassigned.
    pub fn remove_jobs(&mut self, model: &Model, jobs: &[u32]) {
        let mut touched: Vec<u32> = Vec::new();
        for &job in jobs {
            let route = self.job_route[job as usize];
            if route == UNROUTED {
                continue;
            }
            self.job_route[job as usize] = UNROUTED;
            self.unassigned.push(job);
            if !touched.contains(&route) {
                touched.push(route);
            }
        }
        for route in touched {
            self.touch(route);
            let job_route = &self.job_route;
            let r = &mut self.routes[route as usize];
            r.remove_stops(model, |s| {
                job_route[model.stops[s as usize].job as usize] == UNROUTED
            });
            if !r.feasible {
                // Only reachable with durations that break the triangle inequality: give the
                // whole route back to the insertion step rather than keep an infeasible one.
                let rest: Vec<u32> = r
                    .stops
                    .iter()
                    .filter(|&&s| model.stops[s as usize].role != StopRole::Delivery)
                    .map(|&s| model.stops[s as usize].job)
                    .collect();
                self.remove_jobs(model, &rest);
            }
        }
    }

    /// Builds the caller-facing plan.
    pub fn to_plan(&self, model: &Model, problem: &Problem, iterations: u64) -> Solution {
        let routes = self
            .routes
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| {
                let vehicle = &model.vehicles[r.vehicle as usize];
                let mut stops = Vec::with_capacity(r.len());
                let mut time = vehicle.shift.start;
                let mut at = vehicle.start;
                let mut service = 0.0;
                for &s in &r.stops {
                    let node = &model.stops[s as usize];
                    let arrival =
                        time + service + model.duration(vehicle.profile, at, node.location);
                    let start = earliest_start(&node.windows, arrival).unwrap_or(arrival);
                    stops.push(PlannedStop {
                        job: node.job as usize,
                        job_id: problem.jobs[node.job as usize].id.clone(),
                        role: node.role,
                        location: node.location as usize,
                        arrival,
                        start,
                    });
                    time = start;
                    at = node.location;
                    service = node.service;
                }
                let end = time + service + model.duration(vehicle.profile, at, vehicle.end);
                PlannedRoute {
                    vehicle: r.vehicle as usize,
                    vehicle_id: problem.vehicles[r.vehicle as usize].id.clone(),
                    stops,
                    distance: r.distance,
                    end,
                }
            })
            .collect();
        let mut unassigned: Vec<UnassignedJob> = self
            .unassigned
            .iter()
            .map(|&j| UnassignedJob {
                job: j as usize,
                job_id: problem.jobs[j as usize].id.clone(),
                reason: crate::diagnose::why_unassigned(model, j),
            })
            .collect();
        unassigned.sort_by_key(|u| u.job);
        Solution {
            routes,
            unassigned,
            distance: self.distance(),
            vehicles_used: self.vehicles_used(),
            cost: self.cost(model),
            iterations,
        }
    }
}

/// Why a job is not on any route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnassignedReason {
    /// There are no vehicles.
    NoVehicle,
    /// The job's amounts exceed every vehicle's capacity.
    Capacity,
    /// No vehicle can reach a stop inside its time windows during its shift.
    TimeWindow,
    /// A stop can be served on time but no vehicle gets back to its end before the shift ends.
    Shift,
    /// As `Shift`, but only because of a vehicle's maximum route duration.
    MaxDuration,
    /// The job fits an idle vehicle on its own, but not alongside the other jobs in the
    /// vehicles available (add vehicles or widen windows).
    NoRoom,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStop {
    pub job: usize,
    pub job_id: String,
    pub role: StopRole,
    pub location: usize,
    pub arrival: f64,
    /// Service start (after any wait for the window).
    pub start: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedRoute {
    pub vehicle: usize,
    pub vehicle_id: String,
    pub stops: Vec<PlannedStop>,
    pub distance: f64,
    /// Arrival at the vehicle's end.
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnassignedJob {
    pub job: usize,
    pub job_id: String,
    pub reason: UnassignedReason,
}

/// The solver's answer: used routes only, unassigned jobs with reasons, and totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    pub routes: Vec<PlannedRoute>,
    pub unassigned: Vec<UnassignedJob>,
    pub distance: f64,
    pub vehicles_used: usize,
    /// Distance + fixed costs + penalties of unassigned jobs.
    pub cost: f64,
    pub iterations: u64,
}
