//! Planning a day's batch across our fleet with hakobu-solver: the request (stops from an
//! imported file and/or orders picked on the board), the solver problem built from it and the
//! fleet, the solve on a thread of its own with progress and cancel, and the result kept as a
//! versioned plan. docs/decisions.md "Planning".

mod audience;
mod closest;
mod edit;
mod evaluate;
mod outsource;
mod priority;
mod problem;
mod reoptimise;
mod request;
mod result;
mod run;
mod send;
mod shape;
mod solve_options;

pub use audience::PlanRunning;
pub use edit::PlanEdit;
pub use outsource::{OutsourceItem, OutsourceListener, OutsourceReport, Outsourced};
pub use request::{BatchStop, PlanRequest, StopSource, StopWindow};
pub use result::{
    Miss, MissRule, Plan, PlanEvaluation, PlanEvent, PlanFinished, PlanHistory, PlanProblem,
    PlanProgress, PlanRoute, PlanStarted, PlanState, PlanSummary, PlanTotals, PlanVisit,
    ProblemRule, UnassignedCause, UnassignedStop, VisitRole,
};
pub(crate) use run::Running;
pub use run::{DEFAULT_TIME_LIMIT_S, MAX_TIME_LIMIT_S, PROGRESS_EVERY, PlanListener};
pub use send::{PlanJobProgress, PlanSent, RouteProgress, RouteSent};
