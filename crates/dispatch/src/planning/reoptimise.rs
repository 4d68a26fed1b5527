//! 残りを再最適化: solving a plan again around what the dispatcher settled. Locked routes
//! and their stops are left out of the solve and put back unchanged; a fixed stop on a route
//! may only go to its driver; a fixed unassigned stop stays unassigned. The solve itself is
//! a plan run like any other (progress, cancel, a new version).

use std::collections::{HashMap, HashSet};

use hakobu_solver::{Profile, Task};

use crate::planning::evaluate::evaluate;
use crate::planning::problem::Built;
use crate::planning::result::{Plan, PlanHistory, PlanStarted};
use crate::planning::run::{PlanListener, checked_time_limit};
use crate::{CommandError, Dispatch, ErrorCode};

/// A travel time (and distance) no shift can absorb: how a fixed stop is kept from the
/// drivers it is not fixed to without changing the solver.
const UNREACHABLE: f64 = 1.0e7;

/// What a re-optimisation keeps out of the solve, to merge back into its result.
pub(crate) struct Keep {
    /// The whole day's problem, to check the merged plan against.
    full: Built,
    /// The version re-optimised.
    base: Plan,
}

impl Keep {
    /// The solve's plan with the locked routes and fixed unassigned stops put back, checked
    /// as a whole against the full problem.
    pub fn merge(&self, mut plan: Plan) -> Result<Plan, CommandError> {
        let fixed: HashSet<&str> = self
            .base
            .routes
            .iter()
            .flat_map(|r| &r.visits)
            .filter(|v| v.fixed)
            .map(|v| v.stop_id.as_str())
            .collect();
        for v in plan.routes.iter_mut().flat_map(|r| r.visits.iter_mut()) {
            v.fixed = fixed.contains(v.stop_id.as_str());
        }
        let mut routes: Vec<_> = self
            .base
            .routes
            .iter()
            .filter(|r| r.locked)
            .cloned()
            .collect();
        routes.append(&mut plan.routes);
        plan.routes = routes;
        plan.unassigned
            .extend(self.base.unassigned.iter().filter(|u| u.fixed).cloned());
        let mut undo = self.base.history.undo.clone();
        undo.push(self.base.version);
        plan.history = PlanHistory {
            from_version: Some(self.base.version),
            made_by: "reoptimise".into(),
            edit: None,
            undo,
            redo: Vec::new(),
        };
        evaluate(&self.full, &mut plan, Some(&self.base))?;
        Ok(plan)
    }
}

impl Dispatch {
    /// Re-optimises the plan's current version around its locked routes and fixed stops, as
    /// its next version; like `plan_batch`, returns at once and `on_event` hears the rest.
    pub async fn reoptimise_plan(
        &self,
        plan_id: &str,
        time_limit_s: Option<u32>,
        on_event: PlanListener,
    ) -> Result<PlanStarted, CommandError> {
        let time_limit_s = checked_time_limit(time_limit_s)?;
        let base = self.plan_head(plan_id)?;
        let mut request = base.request.clone();
        request.time_limit_s = Some(time_limit_s);
        // A new search, not a repeat of the first one.
        request.seed = None;
        let full = self.build_problem(&request).await?;
        let rest = rest_of(&full, &base)?;
        self.start_solve(
            base.plan_id.clone(),
            request,
            rest,
            Some(Keep { full, base }),
            time_limit_s,
            on_event,
        )
    }
}

/// The part of `full` left to solve around `base`'s locked routes and fixed stops.
fn rest_of(full: &Built, base: &Plan) -> Result<Built, CommandError> {
    let locked_drivers: HashSet<&str> = base
        .routes
        .iter()
        .filter(|r| r.locked)
        .map(|r| r.driver_email.as_str())
        .collect();
    let mut kept_out: HashSet<&str> = base
        .routes
        .iter()
        .filter(|r| r.locked)
        .flat_map(|r| r.visits.iter().map(|v| v.stop_id.as_str()))
        .collect();
    kept_out.extend(
        base.unassigned
            .iter()
            .filter(|u| u.fixed)
            .map(|u| u.stop_id.as_str()),
    );
    // Fixed stops on open routes, by their driver.
    let fixed_to: HashMap<&str, &str> = base
        .routes
        .iter()
        .filter(|r| !r.locked)
        .flat_map(|r| {
            r.visits
                .iter()
                .filter(|v| v.fixed)
                .map(move |v| (v.stop_id.as_str(), r.driver_email.as_str()))
        })
        .collect();

    let vehicles: Vec<usize> = (0..full.drivers.len())
        .filter(|&v| !locked_drivers.contains(full.drivers[v].email.as_str()))
        .collect();
    let jobs: Vec<usize> = (0..full.stops.len())
        .filter(|&j| !kept_out.contains(full.stops[j].source.key().as_str()))
        .collect();
    if vehicles.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "plan: every route is locked; unlock one to re-optimise",
        ));
    }
    if jobs.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Conflict,
            "plan: every stop is on a locked route or fixed; nothing is left to re-optimise",
        ));
    }
    let mut problem = full.problem.clone();
    problem.vehicles = vehicles
        .iter()
        .map(|&v| full.problem.vehicles[v].clone())
        .collect();
    problem.jobs = jobs.iter().map(|&j| full.problem.jobs[j].clone()).collect();
    let drivers: Vec<_> = vehicles.iter().map(|&v| full.drivers[v].clone()).collect();
    let stops: Vec<_> = jobs.iter().map(|&j| full.stops[j].clone()).collect();

    // Each fixed stop's door becomes a place of its own that only its driver can reach: the
    // driver gets a copy of their profile where it is the door, every other profile finds
    // it unreachable.
    let mut own_profile: HashMap<usize, usize> = HashMap::new();
    let fixed: Vec<(usize, usize)> = stops
        .iter()
        .enumerate()
        .filter_map(|(j, s)| {
            let email = fixed_to.get(s.source.key().as_str())?;
            let v = drivers.iter().position(|d| d.email == *email)?;
            Some((j, v))
        })
        .collect();
    for &(_, v) in &fixed {
        if let std::collections::hash_map::Entry::Vacant(e) = own_profile.entry(v) {
            let copy = problem.profiles[problem.vehicles[v].profile].clone();
            problem.profiles.push(Profile {
                name: format!("{} ({})", copy.name, drivers[v].email),
                ..copy
            });
            problem.vehicles[v].profile = problem.profiles.len() - 1;
            e.insert(problem.profiles.len() - 1);
        }
    }
    for &(j, v) in &fixed {
        let fetch = stops[j].fetch;
        let door = match &problem.jobs[j].task {
            Task::Pair {
                pickup, delivery, ..
            } => {
                if fetch {
                    pickup.location
                } else {
                    delivery.location
                }
            }
            Task::Single { stop, .. } => stop.location,
        };
        let own = own_profile[&v];
        for (p, profile) in problem.profiles.iter_mut().enumerate() {
            let reach = p == own;
            for m in [&mut profile.durations, &mut profile.distances] {
                if m.is_empty() {
                    continue;
                }
                let n = m.len();
                for (i, row) in m.iter_mut().enumerate().take(n) {
                    let x = if reach { row[door] } else { UNREACHABLE };
                    row.push(if i == n { 0.0 } else { x });
                }
                let last: Vec<f64> = (0..=n)
                    .map(|k| {
                        if k == n {
                            0.0
                        } else if reach {
                            m[door][k]
                        } else {
                            UNREACHABLE
                        }
                    })
                    .collect();
                m.push(last);
            }
        }
        let place = problem.profiles[0].durations.len() - 1;
        match &mut problem.jobs[j].task {
            Task::Pair {
                pickup, delivery, ..
            } => {
                if fetch {
                    pickup.location = place;
                } else {
                    delivery.location = place;
                }
            }
            Task::Single { stop, .. } => stop.location = place,
        }
    }
    problem.validate().map_err(|e| {
        CommandError::new(ErrorCode::Internal, format!("re-optimisation problem: {e}"))
    })?;
    Ok(Built {
        problem,
        stops,
        drivers,
        travel_source: full.travel_source.clone(),
    })
}
