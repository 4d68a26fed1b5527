//! A plan as kept and shown: routes per driver, the stops left over with why, totals; and the
//! events a running solve sends. Times are seconds since midnight (Japan time) of the plan's
//! date, distances metres.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::planning::request::{PlanRequest, StopSource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    Running,
    Finished,
    /// Stopped by the dispatcher: the best plan found until then.
    Cancelled,
    Failed,
    /// Running when the app stopped; no result.
    Interrupted,
}

impl PlanState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PlanState::Running => "running",
            PlanState::Finished => "finished",
            PlanState::Cancelled => "cancelled",
            PlanState::Failed => "failed",
            PlanState::Interrupted => "interrupted",
        }
    }

    pub(crate) fn from_str(s: &str) -> PlanState {
        match s {
            "finished" => PlanState::Finished,
            "cancelled" => PlanState::Cancelled,
            "failed" => PlanState::Failed,
            // Only the process that started it ends a run; a row still running when read by
            // another is checked against the running set (run.rs).
            "running" => PlanState::Running,
            _ => PlanState::Interrupted,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VisitRole {
    /// Collecting at the store (a delivery's parcels) or at the customer (a fetch).
    Pickup,
    Delivery,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanVisit {
    /// The stop's key ([`StopSource::key`]): both visits of a stop share it; edits name it.
    #[serde(default)]
    pub stop_id: String,
    pub source: StopSource,
    pub role: VisitRole,
    /// The store visited, for store stops.
    pub store_id: Option<String>,
    pub lat: f64,
    pub lng: f64,
    pub arrival_s: f64,
    /// Service start, after any wait for the window.
    pub start_s: f64,
    pub service_s: f64,
    /// The window service must start in, if any.
    pub window: Option<[f64; 2]>,
    pub parcels: u32,
    /// Kept on its driver by re-optimisation (set on both visits of the stop).
    #[serde(default)]
    pub fixed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanRoute {
    pub driver_email: String,
    pub driver_name: String,
    #[ts(type = "\"自転車\" | \"原付\" | \"小型二輪\" | \"バイク125cc超\" | \"軽四輪\"")]
    pub vehicle_type: hakobu_geo::travel::VehicleType,
    pub shift_start_s: f64,
    pub shift_end_s: f64,
    pub visits: Vec<PlanVisit>,
    pub distance_m: f64,
    /// Arrival at the route's end.
    pub end_s: f64,
    /// Kept exactly as it is by re-optimisation and refused to edits.
    #[serde(default)]
    pub locked: bool,
}

/// Why a stop is on no route, as the solver found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UnassignedCause {
    /// No driver to plan for.
    NoVehicle,
    /// More parcels than any driver carries.
    Capacity,
    /// No driver reaches it inside its window.
    Window,
    /// Reached on time, but no driver gets back before the shift ends.
    Shift,
    /// As `shift`, because of a maximum route duration.
    MaxDuration,
    /// Fits a driver alone, not alongside the other stops (more drivers, wider windows).
    NoRoom,
    /// Taken off its route by the dispatcher (or handed to DIAq: `diaq_tracking_code`).
    Manual,
}

/// A rule the closest driver broke, and by how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MissRule {
    /// Arrives after the window: `amount` minutes.
    Late,
    /// Back after the shift ends: `amount` minutes.
    ShiftEnd,
    /// Over the maximum working time: `amount` minutes.
    MaxDuration,
    /// Over the vehicle's capacity: `amount` parcels.
    Capacity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Miss {
    pub rule: MissRule,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UnassignedStop {
    #[serde(default)]
    pub stop_id: String,
    pub source: StopSource,
    pub lat: f64,
    pub lng: f64,
    pub parcels: u32,
    pub window: Option<[f64; 2]>,
    /// Why; the view words it in its own language from this, `closest_driver_name` and
    /// `closest_misses` (versions kept with a Japanese `message` drop it when read).
    pub cause: UnassignedCause,
    /// The driver that came closest, tried with the stop alone: login and name.
    pub closest_driver: Option<String>,
    pub closest_driver_name: Option<String>,
    /// What that driver missed by (empty for plans kept before this was recorded).
    #[serde(default)]
    pub closest_misses: Vec<Miss>,
    /// Left unassigned by re-optimisation (e.g. kept for DIAq).
    #[serde(default)]
    pub fixed: bool,
    /// The DIAq delivery it was handed over as; left out until it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub diaq_tracking_code: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanTotals {
    pub drivers_used: usize,
    pub stops: usize,
    pub unassigned: usize,
    pub parcels: u32,
    pub distance_m: f64,
    /// Sum over routes of end minus shift start.
    pub duration_s: f64,
    /// The solver's objective (distance + drivers' fixed costs + penalties).
    pub cost: f64,
    pub iterations: u64,
    pub elapsed_ms: u64,
}

/// One version of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Plan {
    pub plan_id: String,
    pub version: u32,
    pub state: PlanState,
    pub date: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub request: PlanRequest,
    pub routes: Vec<PlanRoute>,
    pub unassigned: Vec<UnassignedStop>,
    pub totals: PlanTotals,
    /// `osrm` or `great_circle`.
    pub travel_source: String,
    /// Whether the solver's independent checker accepted the routes.
    pub checked: bool,
    pub error: Option<String>,
    /// The checker's verdict on this version against the one it was made from (edits and
    /// re-optimisations); `None` for a first solve.
    #[serde(default)]
    pub evaluation: Option<PlanEvaluation>,
    #[serde(default)]
    pub history: PlanHistory,
}

/// How a version came to be, and what undo and redo go back to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanHistory {
    /// The version this one was made from (`None`: a solve of the request).
    pub from_version: Option<u32>,
    /// What made it: `solve`, `edit`, `reoptimise`, `undo`, `redo`.
    pub made_by: String,
    /// The edit, for `edit` versions.
    pub edit: Option<crate::planning::edit::PlanEdit>,
    /// Versions undo returns to, the next one last.
    pub undo: Vec<u32>,
    /// Versions redo returns to, the next one last.
    pub redo: Vec<u32>,
}

/// Which rule a [`PlanProblem`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProblemRule {
    /// A stop reached after its window: `amount` minutes late.
    Window,
    /// A route back after its driver's shift: `amount` minutes over.
    Shift,
    /// A route longer than its maximum duration: `amount` minutes over.
    MaxDuration,
    /// More parcels on board than the vehicle carries: `amount` parcels over `capacity`.
    Capacity,
    /// Something the checker found that no edit should make (a bug): `detail` says what.
    Other,
}

impl ProblemRule {
    /// The wire name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemRule::Window => "window",
            ProblemRule::Shift => "shift",
            ProblemRule::MaxDuration => "max_duration",
            ProblemRule::Capacity => "capacity",
            ProblemRule::Other => "other",
        }
    }
}

/// What broke a rule in a plan, as the checker found it: the facts, which the view words in
/// its own language (`Display` words them in English for logs and refusals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanProblem {
    pub rule: ProblemRule,
    pub driver_email: Option<String>,
    #[serde(default)]
    pub driver_name: Option<String>,
    pub stop_id: Option<String>,
    /// Where the late stop came from (`window`).
    #[serde(default)]
    pub stop: Option<StopSource>,
    /// By how much: seconds late or over, or parcels over capacity.
    pub over: f64,
    /// `over` as the dispatcher counts it: whole minutes (rounded up) or parcels.
    #[serde(default)]
    pub amount: i64,
    /// The late stop's window (`window`), seconds since midnight.
    #[serde(default)]
    pub window: Option<[f64; 2]>,
    /// The vehicle's capacity in parcels (`capacity`).
    #[serde(default)]
    pub capacity: Option<i64>,
    /// The checker's finding (`other`).
    #[serde(default)]
    pub detail: Option<String>,
}

/// An edited or re-optimised version checked by the solver's checker.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanEvaluation {
    pub feasible: bool,
    pub problems: Vec<PlanProblem>,
    /// Metres driven more than the version it was made from (negative: fewer).
    pub added_m: f64,
    /// Seconds after their windows' ends, summed over stops.
    pub lateness_s: f64,
    /// The solver's objective for this version.
    pub cost: f64,
    pub cost_before: f64,
}

/// A version in the plan list (without its routes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanSummary {
    pub plan_id: String,
    pub version: u32,
    pub state: PlanState,
    pub date: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub stops: usize,
    pub error: Option<String>,
}

/// `plan_batch`'s answer: the version now solving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanStarted {
    pub plan_id: String,
    pub version: u32,
    pub stops: usize,
    pub drivers: usize,
    pub threads: u32,
    pub time_limit_s: u32,
}

/// A running solve's best figures so far, about every 250 ms (`PlanEvent::Progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanProgress {
    pub plan_id: String,
    pub version: u32,
    pub cost: f64,
    pub drivers_used: usize,
    pub unassigned: usize,
    pub iterations: u64,
    pub elapsed_ms: u64,
    pub time_limit_ms: u64,
}

/// The version ended (read it with `get_plan`): `PlanEvent::Finished` to the solve's caller, and
/// the window event `plan-finished` to every page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanFinished {
    pub plan_id: String,
    pub version: u32,
    pub state: PlanState,
    pub drivers_used: usize,
    pub unassigned: usize,
    pub elapsed_ms: u64,
    pub error: Option<String>,
}

/// What a running solve tells its caller; the window gets it down the solve's own channel
/// (`plan_batch`'s `onEvent`), as `{ kind, data }`. Adjacently tagged so a preview's `data` is
/// the `Plan` itself, with no tag mixed into its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum PlanEvent {
    Progress(PlanProgress),
    /// The best plan so far while the solve runs (state `running`; shown
    /// read-only, marked provisional): first as soon as the greedy start exists, then when it
    /// improved, at most every `preview_every(stops)` (2 s; 10 s for 2,000 stops).
    Preview(Box<Plan>),
    Finished(PlanFinished),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version kept before the view worded problems and reasons itself still reads: the
    /// Japanese `message` is dropped, the new facts default.
    #[test]
    fn a_version_kept_with_japanese_messages_still_reads() {
        let problem: PlanProblem = serde_json::from_str(
            r#"{"rule": "window", "driver_email": "a@x.example", "stop_id": "line-3",
                "over": 720.0, "message": "佐藤: A-1（3行目）が12分遅れます（時間指定 14:00–16:00）"}"#,
        )
        .unwrap();
        assert_eq!(problem.rule, ProblemRule::Window);
        assert_eq!(
            (problem.amount, problem.window, problem.stop),
            (0, None, None)
        );
        // get_plan counts it again from `over` (12 minutes), so the view says how late.
        assert_eq!(
            crate::planning::evaluate::amount_of(problem.rule, problem.over),
            12
        );
        assert_eq!(
            crate::planning::evaluate::amount_of(ProblemRule::Capacity, 3.0),
            3
        );
        let stop: UnassignedStop = serde_json::from_str(
            r#"{"stop_id": "line-3", "source": {"kind": "file", "line": 3, "external_stop_id": "A-1"},
                "lat": 35.0, "lng": 139.0, "parcels": 1, "window": null, "cause": "manual",
                "message": "手動で未割当に移しました", "closest_driver": null,
                "closest_driver_name": null}"#,
        )
        .unwrap();
        assert_eq!(stop.cause, UnassignedCause::Manual);
        assert!(stop.closest_misses.is_empty());
        let text = serde_json::to_string(&stop).unwrap();
        assert!(!text.contains("message"), "{text}");
    }
}
