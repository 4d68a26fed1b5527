//! Changing a plan by hand: move a stop (a delivery with its store pickup, a fetch with its
//! store drop) to another driver or place in a route or to the unassigned tray, lock a route,
//! fix a stop, undo and redo. Each edit is re-checked at once by the solver's checker; a move
//! that breaks a rule on a route it touches is refused with the reason. Each accepted edit,
//! undo and redo is a new version of the plan (docs/decisions.md "Plan edits"), so edits
//! survive a restart and every earlier version stays for comparison.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::planning::evaluate::{Index, evaluate, route_alone, sequence};
use crate::planning::problem::Built;
use crate::planning::result::{
    Plan, PlanHistory, PlanProblem, PlanRoute, PlanState, PlanVisit, UnassignedCause,
};
use crate::planning::shape;
use crate::{CommandError, Dispatch, ErrorCode, ErrorDetail, tokyo_rfc3339};

/// One change to a plan (`plan_edit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlanEdit {
    /// Moves stop `stop_id` to `driver_email`'s route, before its `position`-th customer stop
    /// (0: first; `null` or past the end: last), or to the unassigned tray (`driver_email`
    /// `null`). Its store visit goes where it costs least, on the right side of it.
    Move {
        stop_id: String,
        driver_email: Option<String>,
        #[serde(default)]
        position: Option<u32>,
    },
    /// A locked route is kept as it is by re-optimisation, and edits leave it alone.
    LockRoute {
        driver_email: String,
        locked: bool,
    },
    /// A fixed stop keeps its driver through re-optimisation (an unassigned one stays
    /// unassigned, e.g. for DIAq).
    FixStop {
        stop_id: String,
        fixed: bool,
    },
    Undo,
    Redo,
}

/// A refused edit: its facts for the view to word, `edit: <their English>` as the message.
fn refused(detail: ErrorDetail) -> CommandError {
    CommandError::refused("edit", detail)
}

impl Dispatch {
    /// Applies `edit` to the plan's current version and keeps the result as its next
    /// version. Answers the edited plan with its evaluation; a refused edit keeps nothing.
    pub async fn plan_edit(&self, plan_id: &str, edit: PlanEdit) -> Result<Plan, CommandError> {
        let _one = self.plan_edits.lock().await;
        let head = self.plan_head(plan_id)?;
        let built = self.build_problem(&head.request).await?;
        let mut next = match &edit {
            PlanEdit::Undo | PlanEdit::Redo => {
                let undo = matches!(edit, PlanEdit::Undo);
                let stack = if undo {
                    &head.history.undo
                } else {
                    &head.history.redo
                };
                let Some(&target) = stack.last() else {
                    return Err(refused(if undo {
                        ErrorDetail::NothingToUndo
                    } else {
                        ErrorDetail::NothingToRedo
                    }));
                };
                let mut back = self.get_plan(plan_id, Some(target))?;
                let (mut undo_stack, mut redo_stack) =
                    (head.history.undo.clone(), head.history.redo.clone());
                if undo {
                    undo_stack.pop();
                    redo_stack.push(head.version);
                } else {
                    redo_stack.pop();
                    undo_stack.push(head.version);
                }
                back.history = PlanHistory {
                    from_version: Some(head.version),
                    made_by: if undo { "undo" } else { "redo" }.into(),
                    edit: None,
                    undo: undo_stack,
                    redo: redo_stack,
                };
                evaluate(&built, &mut back, Some(&head))?;
                back
            }
            _ => {
                let mut next = head.clone();
                let touched = apply(&built, &mut next, &edit)?;
                let after = evaluate(&built, &mut next, Some(&head))?;
                if !touched.is_empty() {
                    let mut before_plan = head.clone();
                    let before = evaluate(&built, &mut before_plan, None)?;
                    if let Some(new) = after.iter().find(|p| {
                        p.driver_email.as_ref().is_some_and(|d| touched.contains(d))
                            && !before.iter().any(|b| same_problem(b, p))
                    }) {
                        return Err(refused(ErrorDetail::PlanProblem {
                            problem: new.clone(),
                        }));
                    }
                }
                let mut undo = head.history.undo.clone();
                undo.push(head.version);
                next.history = PlanHistory {
                    from_version: Some(head.version),
                    made_by: "edit".into(),
                    edit: Some(edit.clone()),
                    undo,
                    redo: Vec::new(),
                };
                next
            }
        };
        self.keep_version(&mut next)?;
        Ok(next)
    }

    /// The newest version of a plan that has routes (a running, failed or interrupted
    /// re-optimisation leaves the one before it current).
    pub(crate) fn plan_head(&self, plan_id: &str) -> Result<Plan, CommandError> {
        let latest = self.get_plan(plan_id, None)?;
        if latest.state == PlanState::Running {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                format!(
                    "plan: version {} is still solving (cancel it first)",
                    latest.version
                ),
            ));
        }
        let mut version = latest.version;
        loop {
            let plan = if version == latest.version {
                latest.clone()
            } else {
                self.get_plan(plan_id, Some(version))?
            };
            if matches!(plan.state, PlanState::Finished | PlanState::Cancelled) {
                return Ok(plan);
            }
            if version <= 1 {
                return Err(CommandError::new(
                    ErrorCode::Conflict,
                    "plan: no version has routes yet (plan it first)",
                ));
            }
            version -= 1;
        }
    }

    /// Writes `plan` as the next version of its plan (numbered and stamped here); refused
    /// once this [`Dispatch`] retired (the app switched configuration meanwhile).
    pub(crate) fn keep_version(&self, plan: &mut Plan) -> Result<(), CommandError> {
        let now = tokyo_rfc3339(self.clock.now());
        let request = serde_json::to_string(&plan.request)
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
        self.running_plans.write(|_| {
            let version = self.cache.begin_plan_version(
                &self.account,
                &plan.plan_id,
                &plan.date,
                &request,
                &now,
            )?;
            plan.version = version;
            plan.state = PlanState::Finished;
            plan.created_at = now.clone();
            plan.finished_at = Some(now.clone());
            plan.error = None;
            let result = serde_json::to_string(&plan)
                .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?;
            self.cache.finish_plan_version(
                &plan.plan_id,
                version,
                PlanState::Finished.as_str(),
                Some(&result),
                None,
                &now,
            )?;
            Ok(())
        })
    }
}

fn same_problem(a: &PlanProblem, b: &PlanProblem) -> bool {
    a.rule == b.rule && a.driver_email == b.driver_email && a.stop_id == b.stop_id
}

/// Applies a move, lock or fix to `plan`; the drivers whose routes a move touched.
fn apply(built: &Built, plan: &mut Plan, edit: &PlanEdit) -> Result<Vec<String>, CommandError> {
    let index = Index::of(built);
    match edit {
        PlanEdit::LockRoute {
            driver_email,
            locked,
        } => {
            let email = driver_email.trim().to_lowercase();
            let route = plan
                .routes
                .iter_mut()
                .find(|r| r.driver_email == email)
                .ok_or_else(|| {
                    CommandError::bad_field(
                        "driver_email",
                        format!("driver_email: {email:?} has no route in this plan"),
                    )
                })?;
            route.locked = *locked;
            Ok(Vec::new())
        }
        PlanEdit::FixStop { stop_id, fixed } => {
            index.job(stop_id)?;
            let mut found = false;
            for v in plan
                .routes
                .iter_mut()
                .flat_map(|r| r.visits.iter_mut())
                .filter(|v| v.stop_id == *stop_id)
            {
                v.fixed = *fixed;
                found = true;
            }
            for u in plan.unassigned.iter_mut().filter(|u| u.stop_id == *stop_id) {
                u.fixed = *fixed;
                found = true;
            }
            if !found {
                return Err(CommandError::bad_field(
                    "stop_id",
                    format!("stop_id: {stop_id:?} is on no route and not unassigned"),
                ));
            }
            Ok(Vec::new())
        }
        PlanEdit::Move {
            stop_id,
            driver_email,
            position,
        } => move_stop(
            built,
            &index,
            plan,
            stop_id,
            driver_email.as_deref(),
            position.map(|p| p as usize),
        ),
        PlanEdit::Undo | PlanEdit::Redo => Ok(Vec::new()),
    }
}

fn locked_refusal(route: &PlanRoute) -> CommandError {
    refused(ErrorDetail::RouteLocked {
        driver_email: route.driver_email.clone(),
        driver_name: route.driver_name.clone(),
    })
}

fn move_stop(
    built: &Built,
    index: &Index,
    plan: &mut Plan,
    stop_id: &str,
    to: Option<&str>,
    position: Option<usize>,
) -> Result<Vec<String>, CommandError> {
    let job = index.job(stop_id)?;
    let to = to.map(|e| e.trim().to_lowercase());
    let mut touched = Vec::new();
    // Take the stop off where it is.
    let from = plan
        .routes
        .iter()
        .position(|r| r.visits.iter().any(|v| v.stop_id == stop_id));
    let mut taken: Vec<PlanVisit> = Vec::new();
    let mut was_fixed = false;
    match from {
        Some(r) => {
            let route = &mut plan.routes[r];
            if route.locked {
                return Err(locked_refusal(route));
            }
            taken = route
                .visits
                .iter()
                .filter(|v| v.stop_id == stop_id)
                .cloned()
                .collect();
            route.visits.retain(|v| v.stop_id != stop_id);
            touched.push(route.driver_email.clone());
        }
        None => {
            let Some(k) = plan.unassigned.iter().position(|u| u.stop_id == stop_id) else {
                return Err(CommandError::bad_field(
                    "stop_id",
                    format!("stop_id: {stop_id:?} is on no route and not unassigned"),
                ));
            };
            if to.is_none() {
                return Err(refused(ErrorDetail::AlreadyUnassigned {
                    stop_id: stop_id.to_owned(),
                    stop: Some(plan.unassigned[k].source.clone()),
                }));
            }
            was_fixed = plan.unassigned.remove(k).fixed;
        }
    }
    let Some(email) = to else {
        let mut left = shape::left_over(built, job, UnassignedCause::Manual);
        left.fixed = taken.iter().any(|v| v.fixed);
        plan.unassigned.push(left);
        return Ok(touched);
    };
    let vehicle = index.vehicle(&email)?;
    let r = match plan.routes.iter().position(|r| r.driver_email == email) {
        Some(r) => r,
        None => {
            let driver = &built.drivers[vehicle];
            let v = &built.problem.vehicles[vehicle];
            plan.routes.push(PlanRoute {
                driver_email: driver.email.clone(),
                driver_name: driver.name.clone(),
                vehicle_type: driver.vehicle_type,
                shift_start_s: v.shift.start,
                shift_end_s: v.shift.end,
                visits: Vec::new(),
                distance_m: 0.0,
                end_s: v.shift.start,
                locked: false,
            });
            plan.routes.len() - 1
        }
    };
    if plan.routes[r].locked {
        return Err(locked_refusal(&plan.routes[r]));
    }
    if !touched.contains(&email) {
        touched.push(email.clone());
    }
    if taken.is_empty() {
        let stop = &built.stops[job];
        let (first, second) = (
            hakobu_solver::StopRole::Pickup,
            hakobu_solver::StopRole::Delivery,
        );
        taken = vec![
            shape::visit(built, job, first, 0.0, 0.0),
            shape::visit(built, job, second, 0.0, 0.0),
        ];
        for v in &mut taken {
            v.fixed = was_fixed;
        }
        debug_assert_eq!(taken[0].store_id.is_none(), stop.fetch);
    }
    let (customer, store): (Vec<PlanVisit>, Vec<PlanVisit>) =
        taken.into_iter().partition(|v| v.store_id.is_none());
    let (Some(customer), Some(store)) = (customer.into_iter().next(), store.into_iter().next())
    else {
        return Err(CommandError::new(
            ErrorCode::Internal,
            format!("plan: {stop_id} has no store and customer visit"),
        ));
    };
    // The store side comes first for a delivery (pickup), last for a fetch (drop).
    let store_first = store.role == crate::planning::result::VisitRole::Pickup;
    let visits = &mut plan.routes[r].visits;
    let at = match position {
        Some(p) => visits
            .iter()
            .enumerate()
            .filter(|(_, v)| v.store_id.is_none())
            .nth(p)
            .map_or(visits.len(), |(k, _)| k),
        None => visits.len(),
    };
    visits.insert(at, customer);
    let candidates: Vec<usize> = if store_first {
        (0..=at).collect()
    } else {
        (at + 1..=visits.len()).collect()
    };
    // The cheapest place for the store visit: fewest broken rules, then least distance.
    let mut best: Option<(usize, f64, usize)> = None;
    for k in candidates {
        let mut trial = visits.clone();
        trial.insert(k, store.clone());
        let seq = sequence(index, &trial)?;
        let (broken, distance) = route_alone(built, vehicle, &seq);
        let better = best
            .as_ref()
            .is_none_or(|&(b, d, _)| (broken.len(), distance) < (b, d));
        if better {
            best = Some((broken.len(), distance, k));
        }
    }
    let k = best.map_or(if store_first { at } else { visits.len() }, |b| b.2);
    visits.insert(k, store);
    Ok(touched)
}
