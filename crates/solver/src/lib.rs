//! Hakobu's route optimizer: pickup-and-delivery with time windows, multi-dimensional capacity,
//! shifts and per-vehicle travel matrices.
//!
//! - [`Problem`] is the model (and, through serde, the plain JSON form in the README).
//! - [`solve`] runs SISR ruin-and-recreate with simulated annealing, plus fleet minimisation
//!   for the [`Objective::Hierarchical`] objective. It is deterministic for a seeded RNG when
//!   stopped by iteration count, honours a time limit, and stops when a cancel flag is set.
//!   With [`SolveOptions::threads`] above 1 it runs that many searches at once and combines
//!   their plans.
//! - [`check`] re-validates any [`Solution`] from scratch, independently of the search code.
//!
//! No I/O: callers read files and clocks and pass them in.

#[cfg(feature = "tokyo")]
extern crate self as hakobu_solver;

mod checker;
mod diagnose;
mod graft;
mod local_search;
mod model;
mod problem;
mod recreate;
mod route;
mod ruin;
mod search;
mod solution;
#[cfg(test)]
mod test_fixtures;
mod timing;
/// The Tokyo benchmark generator, for the `tokyo-instance` binary and for tests elsewhere
/// (dispatch plans its stops). The file names this crate `hakobu_solver::`, as a user does, so
/// the solver's own test can include it too; `extern crate self` below makes that resolve here.
#[cfg(feature = "tokyo")]
pub mod tokyo;

pub use checker::{CheckReport, Violation, check};
pub use model::{StopRole, TIME_EPSILON};
pub use problem::{
    DEFAULT_UNASSIGNED_PENALTY, Job, Problem, ProblemError, Profile, Stop, Task, TimeWindow,
    Vehicle,
};
pub use search::{
    Objective, Observer, PlanHandOver, SolveError, SolveOptions, SolveProgress, solve,
    solve_observed,
};
pub use solution::{PlannedRoute, PlannedStop, Solution, UnassignedJob, UnassignedReason};
pub use timing::timed_route;
