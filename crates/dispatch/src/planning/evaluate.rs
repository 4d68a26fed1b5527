//! A plan changed by hand (or re-optimised around locked routes) checked as the solver would:
//! its routes re-timed by the solver's own rules, the whole checked by the solver's
//! independent checker, and what broke as facts the view words (rule, driver, stop, minutes)
//! beside the distance added and the lateness.

use std::collections::{HashMap, HashSet};

use hakobu_solver::{
    Solution, StopRole, UnassignedJob, UnassignedReason, Violation, check, timed_route,
};

use crate::planning::problem::Built;
use crate::planning::request::StopSource;
use crate::planning::result::{
    Plan, PlanEvaluation, PlanProblem, PlanVisit, ProblemRule, VisitRole,
};
use crate::planning::shape;
use crate::{CommandError, ErrorCode, ErrorDetail};

/// Where each stop and driver of a plan is in its solver problem.
pub(crate) struct Index {
    jobs: HashMap<String, usize>,
    vehicles: HashMap<String, usize>,
}

impl Index {
    pub fn of(built: &Built) -> Index {
        Index {
            jobs: built
                .stops
                .iter()
                .enumerate()
                .map(|(k, s)| (s.source.key(), k))
                .collect(),
            vehicles: built
                .drivers
                .iter()
                .enumerate()
                .map(|(k, d)| (d.email.clone(), k))
                .collect(),
        }
    }

    pub fn job(&self, stop_id: &str) -> Result<usize, CommandError> {
        self.jobs.get(stop_id).copied().ok_or_else(|| {
            CommandError::refused(
                "stop_id",
                ErrorDetail::StopNotInPlan {
                    stop_id: stop_id.to_owned(),
                },
            )
        })
    }

    pub fn vehicle(&self, email: &str) -> Result<usize, CommandError> {
        let email = email.trim().to_lowercase();
        self.vehicles.get(&email).copied().ok_or_else(|| {
            CommandError::bad_field(
                "driver_email",
                format!("driver_email: {email:?} is not a driver of this plan's fleet"),
            )
        })
    }
}

fn role(v: &PlanVisit) -> StopRole {
    match v.role {
        VisitRole::Pickup => StopRole::Pickup,
        VisitRole::Delivery => StopRole::Delivery,
    }
}

/// The solver's sequence of a route's visits.
pub(crate) fn sequence(
    index: &Index,
    visits: &[PlanVisit],
) -> Result<Vec<(usize, StopRole)>, CommandError> {
    visits
        .iter()
        .map(|v| Ok((index.job(&v.stop_id)?, role(v))))
        .collect()
}

/// What the checker finds wrong with one route on its own (`seq` driven by `vehicle`), and
/// its distance; the other jobs count as left over.
pub(crate) fn route_alone(
    built: &Built,
    vehicle: usize,
    seq: &[(usize, StopRole)],
) -> (Vec<Violation>, f64) {
    let Some(timed) = timed_route(&built.problem, vehicle, seq) else {
        return (vec![Violation::UnknownVehicle { vehicle }], f64::INFINITY);
    };
    let on: HashSet<usize> = seq.iter().map(|s| s.0).collect();
    let unassigned = (0..built.problem.jobs.len())
        .filter(|j| !on.contains(j))
        .map(|job| UnassignedJob {
            job,
            job_id: built.problem.jobs[job].id.clone(),
            reason: UnassignedReason::NoRoom,
        })
        .collect();
    let distance = timed.distance;
    let solution = Solution {
        routes: vec![timed],
        unassigned,
        distance,
        vehicles_used: 1,
        cost: 0.0,
        iterations: 0,
    };
    let violations = check(&built.problem, &solution)
        .violations
        .into_iter()
        .filter(|v| !matches!(v, Violation::TotalsMismatch { .. }))
        .collect();
    (violations, distance)
}

fn hhmm(s: f64) -> String {
    let m = (s / 60.0).round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn minutes(s: f64) -> i64 {
    (s / 60.0).ceil() as i64
}

/// `over` as the dispatcher counts it for `rule`: parcels over capacity, else whole minutes
/// (rounded up). The one home of that count: new problems and versions kept before problems
/// carried it (read back in `get_plan`).
pub(crate) fn amount_of(rule: ProblemRule, over: f64) -> i64 {
    match rule {
        ProblemRule::Capacity => over.round() as i64,
        ProblemRule::Other => 0,
        ProblemRule::Window | ProblemRule::Shift | ProblemRule::MaxDuration => minutes(over),
    }
}

/// The problem in English, for logs and a refused edit's error; the 計画 view words the
/// fields in its own language (features/planning/problemText.ts).
impl std::fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.driver_name.as_deref().unwrap_or("?");
        let n = self.amount;
        match self.rule {
            ProblemRule::Window => {
                let stop = match &self.stop {
                    Some(StopSource::File {
                        line,
                        external_stop_id,
                    }) => format!("{external_stop_id} (line {line})"),
                    Some(StopSource::Order { tracking_code, .. }) => tracking_code.clone(),
                    None => self.stop_id.clone().unwrap_or_default(),
                };
                write!(f, "{name}: {stop} is {n} min late")?;
                if let Some([a, b]) = self.window {
                    write!(f, " (window {}–{})", hhmm(a), hhmm(b))?;
                }
                Ok(())
            }
            ProblemRule::Shift => write!(f, "{name}: {n} min past the shift end"),
            ProblemRule::MaxDuration => {
                write!(f, "{name}: {n} min over the maximum working time")
            }
            ProblemRule::Capacity => write!(
                f,
                "{name}: {n} {} over capacity ({} at most)",
                if n == 1 { "parcel" } else { "parcels" },
                self.capacity.unwrap_or_default()
            ),
            ProblemRule::Other => write!(
                f,
                "the plan does not hold together: {}",
                self.detail.as_deref().unwrap_or("?")
            ),
        }
    }
}

fn problem_of(built: &Built, v: &Violation) -> PlanProblem {
    let driver = |vehicle: usize| built.drivers.get(vehicle);
    let of = |rule, vehicle: usize, over: f64| PlanProblem {
        rule,
        driver_email: driver(vehicle).map(|d| d.email.clone()),
        driver_name: driver(vehicle).map(|d| d.name.clone()),
        stop_id: None,
        stop: None,
        over,
        amount: amount_of(rule, over),
        window: None,
        capacity: None,
        detail: None,
    };
    match v {
        Violation::TimeWindow {
            vehicle,
            job,
            arrival,
        } => {
            let stop = &built.stops[*job];
            let [a, b] = stop.window.unwrap_or([0.0, *arrival]);
            let over = (arrival - b).max(0.0);
            PlanProblem {
                stop_id: Some(stop.source.key()),
                stop: Some(stop.source.clone()),
                window: Some([a, b]),
                ..of(ProblemRule::Window, *vehicle, over)
            }
        }
        Violation::ShiftEnd { vehicle, end } => {
            let over = end - built.problem.vehicles[*vehicle].shift.end;
            of(ProblemRule::Shift, *vehicle, over)
        }
        Violation::MaxDuration { vehicle, duration } => {
            let max = built.problem.vehicles[*vehicle]
                .max_duration
                .unwrap_or(*duration);
            let over = duration - max;
            of(ProblemRule::MaxDuration, *vehicle, over)
        }
        Violation::Capacity {
            vehicle,
            load,
            capacity,
            ..
        } => PlanProblem {
            capacity: Some(*capacity),
            ..of(ProblemRule::Capacity, *vehicle, (load - capacity) as f64)
        },
        other => PlanProblem {
            rule: ProblemRule::Other,
            driver_email: None,
            driver_name: None,
            stop_id: None,
            stop: None,
            over: 0.0,
            amount: 0,
            window: None,
            capacity: None,
            detail: Some(format!("{other:?}")),
        },
    }
}

/// Re-times `plan`'s routes on `built`'s problem, drops emptied routes that are not locked,
/// and checks the whole: `checked`, the totals and the evaluation against `before` (the
/// version it was made from) are set. Returns the problems found.
pub(crate) fn evaluate(
    built: &Built,
    plan: &mut Plan,
    before: Option<&Plan>,
) -> Result<Vec<PlanProblem>, CommandError> {
    let index = Index::of(built);
    plan.routes.retain(|r| r.locked || !r.visits.is_empty());
    let mut routes = Vec::with_capacity(plan.routes.len());
    for r in plan.routes.iter_mut() {
        let vehicle = index.vehicle(&r.driver_email).map_err(|_| {
            CommandError::new(
                ErrorCode::Conflict,
                format!(
                    "plan: {} is no longer in the fleet; plan again without their route",
                    r.driver_email
                ),
            )
        })?;
        let seq = sequence(&index, &r.visits)?;
        let timed = timed_route(&built.problem, vehicle, &seq).ok_or_else(|| {
            CommandError::new(
                ErrorCode::Internal,
                "plan: a visit's role does not fit its stop",
            )
        })?;
        for (v, t) in r.visits.iter_mut().zip(&timed.stops) {
            v.arrival_s = t.arrival;
            v.start_s = t.start;
        }
        let vehicle_row = &built.problem.vehicles[vehicle];
        r.shift_start_s = vehicle_row.shift.start;
        r.shift_end_s = vehicle_row.shift.end;
        r.distance_m = timed.distance;
        r.end_s = timed.end;
        if !timed.stops.is_empty() {
            routes.push(timed);
        }
    }
    let unassigned = plan
        .unassigned
        .iter()
        .map(|u| {
            let job = index.job(&u.stop_id)?;
            Ok(UnassignedJob {
                job,
                job_id: built.problem.jobs[job].id.clone(),
                reason: UnassignedReason::NoRoom,
            })
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    let distance: f64 = routes.iter().map(|r| r.distance).sum();
    let solution = Solution {
        vehicles_used: routes.len(),
        routes,
        unassigned,
        distance,
        cost: 0.0,
        iterations: 0,
    };
    let report = check(&built.problem, &solution);
    // The cost is the checker's own sum; the others must agree.
    let violations: Vec<&Violation> = report
        .violations
        .iter()
        .filter(|v| !matches!(v, Violation::TotalsMismatch { what: "cost", .. }))
        .collect();
    let problems: Vec<PlanProblem> = violations.iter().map(|v| problem_of(built, v)).collect();
    let lateness_s = problems
        .iter()
        .filter(|p| p.rule == ProblemRule::Window)
        .map(|p| p.over)
        .sum();
    plan.checked = problems.is_empty();
    plan.totals = shape::totals(
        &plan.routes,
        plan.unassigned.len(),
        report.cost,
        plan.totals.iterations,
        plan.totals.elapsed_ms,
    );
    plan.evaluation = before.map(|b| PlanEvaluation {
        feasible: problems.is_empty(),
        problems: problems.clone(),
        added_m: plan.totals.distance_m - b.totals.distance_m,
        lateness_s,
        cost: report.cost,
        cost_before: b.totals.cost,
    });
    Ok(problems)
}
