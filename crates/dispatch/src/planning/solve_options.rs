//! The solver's options for a dispatch plan. A plan is always one store's deliveries
//! (docs/decisions.md "One store, deliveries only, 5 km"), each a pickup at the store and a
//! delivery: not the multi-store instance the solver's defaults were tuned on, so dispatch
//! sets its own where its problem class measured better (crates/dispatch/PLAN-BENCHMARKS.md
//! "Options for one-store plans", examples/plan-options.rs).

use std::time::Duration;

use hakobu_solver::{Objective, Problem, SolveOptions};

use crate::planning::request::PlanRequest;
use crate::{CommandError, Dispatch};

/// The options a plan is solved with: `time_limit` on `threads` searches.
pub(crate) fn for_plan(time_limit: Duration, threads: usize) -> SolveOptions {
    SolveOptions {
        objective: Objective::Distance,
        time_limit: Some(time_limit),
        threads,
        // The drivers' fixed costs phased in over the first quarter of the first cooling
        // rather than all of it: on the 300-stop batch at 2 × 135,000 iterations (what 10 s
        // give), +4.68 % above the 10-minute cost against +5.38 % over seeds 1–32, and on 24
        // fresh seeds (33–56) +5.20 % against +5.72 % (better on 15, worst +6.79 % against
        // +8.04 %), ending with a driver fewer on most (crates/dispatch/PLAN-BENCHMARKS.md).
        fixed_cost_ramp: 0.25,
        ..SolveOptions::default()
    }
}

impl Dispatch {
    /// For the option experiments only (examples/plan-options.rs), not the app's API: the
    /// solver problem `request` builds (the app's builder, fleet and travel matrices) and the
    /// options `plan_batch` would solve it with at `time_limit` and `threads`, so a bench can
    /// run it with an iteration budget and options of its own.
    #[doc(hidden)]
    pub async fn bench_plan_problem(
        &self,
        request: &PlanRequest,
        time_limit: Duration,
        threads: usize,
    ) -> Result<(Problem, SolveOptions), CommandError> {
        let built = self.build_problem(request).await?;
        Ok((built.problem, for_plan(time_limit, threads)))
    }
}
