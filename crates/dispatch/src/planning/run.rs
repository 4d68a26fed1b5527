//! Running a plan: the solve on a thread of its own (never the async runtime's workers), the
//! best figures reported about every 250 ms, the best plan itself shown as a provisional one
//! while it runs (about every 2 s when it improved), cancel through the solver's flag, and each
//! result written to the cache as a new version of the plan.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hakobu_cache::{Cache, PlanRow};
use hakobu_solver::{Observer, Solution, SolveOptions, SolveProgress, check, solve_observed};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use crate::planning::audience::Audience;
use crate::planning::priority;
use crate::planning::problem::Built;
use crate::planning::reoptimise::Keep;
use crate::planning::request::PlanRequest;
use crate::planning::result::{
    Plan, PlanEvent, PlanFinished, PlanHistory, PlanProgress, PlanRoute, PlanStarted, PlanState,
    PlanSummary, PlanTotals, UnassignedCause, UnassignedStop,
};
use crate::planning::shape;
use crate::planning::solve_options;
use crate::{Clock, CommandError, Dispatch, ErrorCode, ErrorDetail, tokyo_rfc3339};

/// The solver's budget when the request names none.
pub const DEFAULT_TIME_LIMIT_S: u32 = 10;
/// A day's plan is not worth more than ten minutes of solving.
pub const MAX_TIME_LIMIT_S: u32 = 600;
/// How often the best figures reach the UI.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How often, at most, a better plan reaches the UI while the solve runs (the first at once):
/// routes that change every few hundred milliseconds cannot be read anyway.
pub const PREVIEW_EVERY: Duration = Duration::from_secs(2);
/// The window's time a provisional plan costs per stop: receiving the event (a script WebKit
/// parses), then laying out the timeline and the map. Measured ~1 s for 2,000 stops on the
/// 2-core benchmark machine (ui/PLAN-BENCHMARKS.md: frames of 400–600 ms after each preview).
const PREVIEW_COST_PER_STOP: Duration = Duration::from_micros(500);

/// How often a plan of `stops` stops is previewed: at most every [`PREVIEW_EVERY`], and rarer
/// for big plans so that drawing previews takes at most a tenth of the window's time (a
/// 2,000-stop plan every 10 s); the first still comes at once.
pub fn preview_every(stops: usize) -> Duration {
    PREVIEW_EVERY.max(PREVIEW_COST_PER_STOP * (10 * stops.min(1_000_000) as u32))
}

/// The versions solving, by (plan id, version).
type Flags = HashMap<(String, u32), Solving>;

/// One version solving: its cancel flag, who hears it, what its start answered, and when it
/// started among the others (`follow_plan` follows the latest).
pub(crate) struct Solving {
    cancel: Arc<AtomicBool>,
    pub(crate) audience: Arc<Audience>,
    pub(crate) started: PlanStarted,
    seq: u64,
}

/// The versions solving in this process, with their cancel flags, and whether their
/// [`Dispatch`] retired (the app switched configuration): from then on no plan version is
/// begun or ended by it. Every write of a plan version is made holding this lock, so
/// [`Running::retire`] falls between writes, never inside one's check and write.
#[derive(Default, Clone)]
pub(crate) struct Running(Arc<Mutex<Solves>>);

#[derive(Default)]
pub(crate) struct Solves {
    flags: Flags,
    retired: bool,
    started: u64,
}

impl Solves {
    /// The version started last of those solving.
    pub(crate) fn latest(&self) -> Option<&Solving> {
        self.flags.values().max_by_key(|s| s.seq)
    }
}

impl Running {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Solves> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn contains(&self, plan_id: &str, version: u32) -> bool {
        self.lock()
            .flags
            .contains_key(&(plan_id.to_owned(), version))
    }

    /// Runs `write` (a plan version's write to the cache) unless retired.
    pub(crate) fn write<T>(
        &self,
        write: impl FnOnce(&mut Solves) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut solves = self.lock();
        if solves.retired {
            return Err(crate::retired::retired_error());
        }
        write(&mut solves)
    }

    /// The switch: cancels every running solve and marks its version interrupted now, as a
    /// plan of the configuration the app left (its stores, orders and fleet were that
    /// account's). Their results, and new versions, are refused afterwards.
    pub(crate) fn retire(&self, cache: &Cache, now: &str) {
        let mut solves = self.lock();
        solves.retired = true;
        for ((plan_id, version), solving) in &solves.flags {
            solving.cancel.store(true, Ordering::Relaxed);
            let marked = cache.finish_plan_version(
                plan_id,
                *version,
                PlanState::Interrupted.as_str(),
                None,
                Some(crate::retired::PLAN_INTERRUPTED),
                now,
            );
            if let Err(e) = marked {
                tracing::warn!("plan {plan_id} v{version} not marked interrupted: {e}");
            }
        }
    }
}

/// The time limit asked for, or the default; refused outside 1 to [`MAX_TIME_LIMIT_S`].
pub(crate) fn checked_time_limit(asked: Option<u32>) -> Result<u32, CommandError> {
    let time_limit_s = asked.unwrap_or(DEFAULT_TIME_LIMIT_S);
    if time_limit_s == 0 || time_limit_s > MAX_TIME_LIMIT_S {
        return Err(CommandError::refused(
            "time_limit_s",
            ErrorDetail::TimeLimit {
                max: MAX_TIME_LIMIT_S,
            },
        ));
    }
    Ok(time_limit_s)
}

/// Who hears a plan's events. Called on the solver's thread: it must not block long, and it
/// keeps its own failures (a page gone) to itself — the solve goes on for its other listeners.
pub type PlanListener = Arc<dyn Fn(PlanEvent) + Send + Sync>;

impl Dispatch {
    /// Starts planning `request` across the fleet and returns at once with the version being
    /// solved; `on_event` hears its progress and its end (from the solver's thread).
    pub async fn plan_batch(
        &self,
        request: PlanRequest,
        on_event: PlanListener,
    ) -> Result<PlanStarted, CommandError> {
        let time_limit_s = checked_time_limit(request.time_limit_s)?;
        let built = self.build_problem(&request).await?;
        let plan_id = request
            .plan_id
            .clone()
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        self.start_solve(plan_id, request, built, None, time_limit_s, on_event)
    }

    /// Starts solving `built` as the next version of `plan_id` on a thread of its own;
    /// `keep` (a re-optimisation) merges what was kept out of the solve back into its result.
    pub(crate) fn start_solve(
        &self,
        plan_id: String,
        request: PlanRequest,
        built: Built,
        keep: Option<Keep>,
        time_limit_s: u32,
        on_event: PlanListener,
    ) -> Result<PlanStarted, CommandError> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = request
            .threads
            .map_or(cores, |t| t as usize)
            .clamp(1, cores.max(1) * 4);
        let request_seed = request.seed;
        let request = PlanRequest {
            plan_id: Some(plan_id.clone()),
            ..request
        };
        let created_at = tokyo_rfc3339(self.clock.now());
        let cancel = Arc::new(AtomicBool::new(false));
        let audience = Audience::new(on_event);
        let started = self.running_plans.write(|solves| {
            let version = self.cache.begin_plan_version(
                &self.account,
                &plan_id,
                request.date.trim(),
                &serde_json::to_string(&request).unwrap_or_default(),
                &created_at,
            )?;
            let started = PlanStarted {
                plan_id: plan_id.clone(),
                version,
                stops: built.stops.len(),
                drivers: built.drivers.len(),
                threads: threads as u32,
                time_limit_s,
            };
            solves.started += 1;
            let solving = Solving {
                cancel: cancel.clone(),
                audience: audience.clone(),
                started: started.clone(),
                seq: solves.started,
            };
            solves.flags.insert((plan_id.clone(), version), solving);
            Ok(started)
        })?;
        let version = started.version;
        let job = Solve {
            plan_id,
            version,
            request,
            created_at,
            built,
            keep,
            options: solve_options::for_plan(Duration::from_secs(u64::from(time_limit_s)), threads),
            // The request's seed repeats a plan; otherwise each run searches afresh.
            seed: request_seed.unwrap_or_else(|| StdRng::from_os_rng().next_u64()),
            cancel,
            cache: self.cache.clone(),
            clock: self.clock.clone(),
            running: self.running_plans.clone(),
            audience,
        };
        std::thread::Builder::new()
            .name("plan-solver".into())
            .spawn(move || job.run())
            .map_err(|e| {
                CommandError::new(ErrorCode::Internal, format!("cannot start the solver: {e}"))
            })?;
        Ok(started)
    }

    /// Asks the running versions of `plan_id` to stop; they end as `cancelled` with the best
    /// plan found so far. Whether any was running.
    pub fn cancel_plan(&self, plan_id: &str) -> bool {
        let running = self.running_plans.lock();
        let mut any = false;
        for ((id, _), solving) in running.flags.iter() {
            if id == plan_id {
                solving.cancel.store(true, Ordering::Relaxed);
                any = true;
            }
        }
        any
    }

    /// One version of a plan (the latest when `version` is `None`), from the cache.
    pub fn get_plan(&self, plan_id: &str, version: Option<u32>) -> Result<Plan, CommandError> {
        let row = self
            .cache
            .plan_version(&self.account, plan_id, version)?
            .ok_or_else(|| {
                CommandError::new(ErrorCode::NotFound, format!("no plan {plan_id:?}"))
            })?;
        let state = self.state_of(&row);
        if let Some(result) = &row.result
            && let Ok(mut plan) = serde_json::from_str::<Plan>(result)
        {
            plan.state = state;
            // Versions kept before stops had keys.
            for v in plan.routes.iter_mut().flat_map(|r| r.visits.iter_mut()) {
                if v.stop_id.is_empty() {
                    v.stop_id = v.source.key();
                }
            }
            for u in plan.unassigned.iter_mut().filter(|u| u.stop_id.is_empty()) {
                u.stop_id = u.source.key();
            }
            // Versions kept before problems carried their count (they had a sentence).
            for p in plan
                .evaluation
                .iter_mut()
                .flat_map(|e| e.problems.iter_mut())
            {
                if p.amount == 0 && p.over > 0.0 {
                    p.amount = crate::planning::evaluate::amount_of(p.rule, p.over);
                }
            }
            return Ok(plan);
        }
        let request: PlanRequest = serde_json::from_str(&row.request)
            .map_err(|e| CommandError::new(ErrorCode::Cache, format!("plan {plan_id:?}: {e}")))?;
        Ok(Plan {
            plan_id: row.plan_id,
            version: row.version,
            state,
            date: row.plan_date,
            created_at: row.created_at,
            finished_at: row.finished_at,
            request,
            routes: Vec::new(),
            unassigned: Vec::new(),
            totals: PlanTotals::default(),
            travel_source: String::new(),
            checked: false,
            error: row.error,
            evaluation: None,
            history: PlanHistory::default(),
        })
    }

    /// Every version of every plan, newest first.
    pub fn list_plans(&self) -> Result<Vec<PlanSummary>, CommandError> {
        Ok(self
            .cache
            .plan_versions(&self.account)?
            .into_iter()
            .map(|row| {
                let stops = serde_json::from_str::<PlanRequest>(&row.request)
                    .map_or(0, |r| r.stops.len() + r.orders.len());
                PlanSummary {
                    state: self.state_of(&row),
                    plan_id: row.plan_id,
                    version: row.version,
                    date: row.plan_date,
                    created_at: row.created_at,
                    finished_at: row.finished_at,
                    stops,
                    error: row.error,
                }
            })
            .collect())
    }

    /// A row still `running` that this process is not solving was left by one that stopped.
    fn state_of(&self, row: &PlanRow) -> PlanState {
        match PlanState::from_str(&row.state) {
            PlanState::Running if !self.running_plans.contains(&row.plan_id, row.version) => {
                PlanState::Interrupted
            }
            state => state,
        }
    }
}

/// Why a version's end was not written.
enum Ended {
    /// Its [`Dispatch`] retired (the switch marked it interrupted).
    Retired,
    /// The cache refused the write.
    Unsaved(CommandError),
}

/// Everything the solver's thread needs, owned.
struct Solve {
    plan_id: String,
    version: u32,
    request: PlanRequest,
    created_at: String,
    built: Built,
    keep: Option<Keep>,
    options: SolveOptions,
    seed: u64,
    cancel: Arc<AtomicBool>,
    cache: Arc<Cache>,
    clock: Arc<dyn Clock>,
    running: Running,
    audience: Arc<Audience>,
}

impl Solve {
    fn run(self) {
        // Before the solver starts its searches, which inherit it (see `priority`).
        priority::lower_this_thread();
        let started = Instant::now();
        let time_limit_ms = self.options.time_limit.map_or(0, |t| t.as_millis() as u64);
        // Each search reports its own best; the UI hears the best of their latest reports.
        let latest: Mutex<(Vec<Option<SolveProgress>>, Option<Instant>)> =
            Mutex::new((vec![None; self.options.threads.max(1)], None));
        let report = |p: &SolveProgress| {
            let mut guard = latest.lock().unwrap_or_else(|e| e.into_inner());
            let (slots, last) = &mut *guard;
            if let Some(slot) = slots.get_mut(p.search) {
                *slot = Some(*p);
            }
            let now = Instant::now();
            // Several searches report each period: one event per period reaches the UI.
            if last.is_some_and(|l| now.duration_since(l) < PROGRESS_EVERY.mul_f64(0.8)) {
                return;
            }
            *last = Some(now);
            let Some(best) = slots.iter().flatten().min_by(|a, b| {
                (a.unassigned, a.cost)
                    .partial_cmp(&(b.unassigned, b.cost))
                    .unwrap_or(std::cmp::Ordering::Equal)
            }) else {
                return;
            };
            self.audience.tell(PlanEvent::Progress(PlanProgress {
                plan_id: self.plan_id.clone(),
                version: self.version,
                cost: best.cost,
                drivers_used: best.vehicles_used,
                unassigned: best.unassigned,
                iterations: slots.iter().flatten().map(|s| s.iterations).sum(),
                elapsed_ms: p.elapsed.as_millis() as u64,
                time_limit_ms,
            }));
        };
        // Each search hands over its own best: the UI gets one that beats the last one it got,
        // at most every `preview_every` (the first at once), so it is built and sent only then.
        let preview_every = preview_every(self.built.stops.len());
        let previewed: Mutex<Option<(Instant, f64)>> = Mutex::new(None);
        let preview = |p: &SolveProgress, solution: &Solution| {
            {
                let mut last = previewed.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((at, cost)) = *last
                    && (p.cost >= cost || at.elapsed() < preview_every)
                {
                    return;
                }
                *last = Some((Instant::now(), p.cost));
            }
            if let Some(plan) = self.preview_of(solution, p.elapsed) {
                self.audience.tell(PlanEvent::Preview(Box::new(plan)));
            }
        };
        let observer = Observer {
            every: PROGRESS_EVERY,
            report: &report,
            plan: Some(&preview),
            plan_every: preview_every,
        };
        let result = solve_observed(
            &self.built.problem,
            &self.options,
            &mut StdRng::seed_from_u64(self.seed),
            started,
            &self.cancel,
            &observer,
        );
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let now = tokyo_rfc3339(self.clock.now());
        let finished = match result {
            Ok(solution) => {
                let state = if self.cancel.load(Ordering::Relaxed) {
                    PlanState::Cancelled
                } else {
                    PlanState::Finished
                };
                let plan = self.plan_of(&solution, state, &now, elapsed_ms);
                let plan = match &self.keep {
                    None => Ok(plan),
                    Some(keep) => keep.merge(plan),
                };
                match plan {
                    Ok(plan) => {
                        let result = serde_json::to_string(&plan).unwrap_or_default();
                        match self.end(state, Some(&result), None, &now) {
                            Ok(()) => PlanFinished {
                                plan_id: self.plan_id.clone(),
                                version: self.version,
                                state,
                                drivers_used: plan.totals.drivers_used,
                                unassigned: plan.totals.unassigned,
                                elapsed_ms,
                                error: None,
                            },
                            Err(e) => self.not_kept(e, "the plan could not be saved", elapsed_ms),
                        }
                    }
                    Err(e) => {
                        let message =
                            format!("the re-optimised plan could not be merged: {}", e.message);
                        match self.end(PlanState::Failed, None, Some(&message), &now) {
                            Ok(()) => self.failed(message, elapsed_ms),
                            Err(e) => self.not_kept(e, &message, elapsed_ms),
                        }
                    }
                }
            }
            Err(e) => {
                let message = format!("the solver refused the problem: {e}");
                match self.end(PlanState::Failed, None, Some(&message), &now) {
                    Ok(()) => self.failed(message, elapsed_ms),
                    Err(e) => self.not_kept(e, &message, elapsed_ms),
                }
            }
        };
        // Out of the running set first, under its lock: a page that joined before hears the end
        // below, one that asks after finds nothing running (see `follow_plan`).
        self.running
            .lock()
            .flags
            .remove(&(self.plan_id.clone(), self.version));
        self.audience.tell(PlanEvent::Finished(finished));
    }

    /// Writes how this version ended, unless its [`Dispatch`] retired meanwhile: then the
    /// switch has already marked it interrupted, and nothing more of it is written.
    fn end(
        &self,
        state: PlanState,
        result: Option<&str>,
        error: Option<&str>,
        now: &str,
    ) -> Result<(), Ended> {
        self.running
            .write(|_| {
                self.cache
                    .finish_plan_version(
                        &self.plan_id,
                        self.version,
                        state.as_str(),
                        result,
                        error,
                        now,
                    )
                    .map_err(CommandError::from)
            })
            .map_err(|e| {
                if self.running.lock().retired {
                    Ended::Retired
                } else {
                    Ended::Unsaved(e)
                }
            })
    }

    /// The end heard when the version's end was not written: interrupted by a switch, or
    /// failed with `what` and the cache's error.
    fn not_kept(&self, ended: Ended, what: &str, elapsed_ms: u64) -> PlanFinished {
        match ended {
            Ended::Retired => PlanFinished {
                plan_id: self.plan_id.clone(),
                version: self.version,
                state: PlanState::Interrupted,
                drivers_used: 0,
                unassigned: 0,
                elapsed_ms,
                error: Some(crate::retired::PLAN_INTERRUPTED.to_owned()),
            },
            Ended::Unsaved(e) => self.failed(format!("{what}: {e}"), elapsed_ms),
        }
    }

    fn failed(&self, message: String, elapsed_ms: u64) -> PlanFinished {
        tracing::warn!("plan {} v{}: {message}", self.plan_id, self.version);
        PlanFinished {
            plan_id: self.plan_id.clone(),
            version: self.version,
            state: PlanState::Failed,
            drivers_used: 0,
            unassigned: 0,
            elapsed_ms,
            error: Some(message),
        }
    }

    /// A search's best so far as the plan the UI shows while the solve runs: state `running`,
    /// not finished, with what a re-optimisation kept merged in as the final plan will have it.
    fn preview_of(&self, solution: &Solution, elapsed: Duration) -> Option<Plan> {
        let now = tokyo_rfc3339(self.clock.now());
        let mut plan = self.plan_of(
            solution,
            PlanState::Running,
            &now,
            elapsed.as_millis() as u64,
        );
        plan.finished_at = None;
        match &self.keep {
            None => Some(plan),
            // The final merge reports a failure; a preview that cannot merge is just not shown.
            Some(keep) => keep.merge(plan).ok(),
        }
    }

    /// The solver's answer in the plan's terms: each visit pointing back at its stop.
    fn plan_of(&self, solution: &Solution, state: PlanState, now: &str, elapsed_ms: u64) -> Plan {
        let built = &self.built;
        let routes: Vec<PlanRoute> = solution
            .routes
            .iter()
            .map(|r| shape::route(built, r))
            .collect();
        let unassigned: Vec<UnassignedStop> = solution
            .unassigned
            .iter()
            .map(|u| shape::left_over(built, u.job, UnassignedCause::from(u.reason)))
            .collect();
        let totals = shape::totals(
            &routes,
            unassigned.len(),
            solution.cost,
            solution.iterations,
            elapsed_ms,
        );
        Plan {
            plan_id: self.plan_id.clone(),
            version: self.version,
            state,
            date: self.request.date.trim().to_owned(),
            created_at: self.created_at.clone(),
            finished_at: Some(now.to_owned()),
            request: self.request.clone(),
            routes,
            unassigned,
            totals,
            travel_source: built.travel_source.clone(),
            checked: check(&built.problem, solution).is_feasible(),
            error: None,
            evaluation: None,
            history: PlanHistory {
                made_by: "solve".into(),
                ..PlanHistory::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_plans_are_previewed_less_often_so_drawing_them_stays_a_tenth_of_the_window() {
        assert_eq!(preview_every(0), PREVIEW_EVERY);
        assert_eq!(preview_every(300), PREVIEW_EVERY);
        assert_eq!(preview_every(2_000), Duration::from_secs(10));
        // Never less than the ~1/10 share, whatever the size.
        for stops in [1, 400, 401, 1_000, 5_000] {
            let every = preview_every(stops);
            assert!(every >= PREVIEW_EVERY);
            assert!(
                PREVIEW_COST_PER_STOP * stops as u32 * 10 <= every,
                "{stops}"
            );
        }
    }
}
