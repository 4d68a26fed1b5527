//! Fleet minimisation shared by the searches of one solve ([`SolveOptions::cooperate`]).
//!
//! Each search removes vehicles one at a time from its plan and tries to serve every job
//! with the rest. Alone, two searches each retrace the other's steps. Sharing the plan with
//! the fewest vehicles any of them has made complete, a search still trying to reach a count
//! another has already reached drops its attempt, takes that plan and tries one vehicle fewer
//! from there: the searches race at the frontier, each with its own random removals.
//!
//! [`SolveOptions::cooperate`]: crate::SolveOptions::cooperate

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::model::Model;
use crate::solution::WorkingSolution;

/// How the searches' plans are ranked against each other (here, in `regions.rs` and when
/// they are combined at the end): unassigned penalties first, then (with `fewest_vehicles`,
/// the hierarchical objective) vehicles, then cost at full fixed cost. Lower is better.
pub(crate) fn rank(model: &Model, plan: &WorkingSolution, fewest_vehicles: bool) -> Rank {
    Rank::new(
        plan.penalties(model),
        plan.vehicles_used(),
        plan.cost(model),
        fewest_vehicles,
    )
}

/// See [`rank`]. Compared field by field, in order.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub(crate) struct Rank {
    penalties: f64,
    vehicles: usize,
    cost: f64,
}

impl Rank {
    /// The rank of a plan, or of a part of one, with these figures.
    pub fn new(penalties: f64, vehicles: usize, cost: f64, fewest_vehicles: bool) -> Self {
        Rank {
            penalties,
            vehicles: if fewest_vehicles { vehicles } else { 0 },
            cost,
        }
    }
}

/// The best plan the searches of one solve have offered, by [`rank`].
#[derive(Debug)]
pub(crate) struct Exchange {
    fewest_vehicles: bool,
    best: Mutex<Option<(Rank, WorkingSolution)>>,
    /// Vehicles of the best plan when it serves every job (`usize::MAX`: none yet), so that
    /// fleet minimisation's inner loop can look without taking the lock.
    complete_vehicles: AtomicUsize,
}

impl Exchange {
    pub fn new(fewest_vehicles: bool) -> Self {
        Exchange {
            fewest_vehicles,
            best: Mutex::new(None),
            complete_vehicles: AtomicUsize::new(usize::MAX),
        }
    }

    /// Keeps a copy of `plan` if it ranks better than the best so far. Returns whether it did.
    pub fn offer(&self, model: &Model, plan: &WorkingSolution) -> bool {
        let offered = rank(model, plan, self.fewest_vehicles);
        let mut best = self
            .best
            .lock()
            .expect("no search panics holding the exchange");
        if best.as_ref().is_some_and(|(kept, _)| *kept <= offered) {
            return false;
        }
        let mut kept = plan.clone();
        kept.fixed_cost_weight = 1.0;
        kept.touched.clear();
        self.complete_vehicles.store(
            if kept.unassigned.is_empty() {
                kept.vehicles_used()
            } else {
                usize::MAX
            },
            Ordering::Relaxed,
        );
        *best = Some((offered, kept));
        true
    }

    /// A copy of the best plan if it serves every job with at most `vehicles` vehicles.
    pub fn complete_within(&self, vehicles: usize) -> Option<WorkingSolution> {
        if self.complete_vehicles.load(Ordering::Relaxed) > vehicles {
            return None;
        }
        let best = self
            .best
            .lock()
            .expect("no search panics holding the exchange");
        best.as_ref()
            .filter(|(_, plan)| plan.unassigned.is_empty() && plan.vehicles_used() <= vehicles)
            .map(|(_, plan)| plan.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::recreate::{GreedyBlinks, Recreate};
    use crate::test_fixtures::{delivery, line_profile, round_trip_vehicle};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// A complete greedy plan of ten stops on a line served by up to three vehicles of
    /// capacity 4 (so at least three are used), and the same plan with one job taken off.
    fn plans() -> (Model, WorkingSolution, WorkingSolution) {
        let xs: Vec<f64> = (0..=10).map(f64::from).collect();
        let problem = Problem {
            profiles: vec![line_profile(&xs)],
            vehicles: (0..3)
                .map(|v| round_trip_vehicle(&v.to_string(), 0, 1000.0, 4))
                .collect(),
            jobs: (1..=10).map(delivery).collect(),
        };
        let model = Model::new(&problem);
        let mut complete = WorkingSolution::empty(&model);
        GreedyBlinks {
            blink_rate: 0.0,
            granularity: 0,
        }
        .recreate(&model, &mut complete, &mut StdRng::seed_from_u64(1));
        assert!(complete.unassigned.is_empty());
        let mut short = complete.clone();
        short.remove_jobs(&model, &[0]);
        (model, complete, short)
    }

    #[test]
    fn keeps_the_better_plan() {
        let (model, complete, short) = plans();
        let exchange = Exchange::new(true);
        assert!(exchange.complete_within(usize::MAX - 1).is_none());
        // A plan with an unassigned job ranks below any complete one, whatever its length.
        assert!(exchange.offer(&model, &short));
        assert!(exchange.complete_within(usize::MAX - 1).is_none());
        assert!(exchange.offer(&model, &complete));
        assert!(!exchange.offer(&model, &short));
        assert!(!exchange.offer(&model, &complete), "equal is not better");
        let kept = exchange
            .complete_within(usize::MAX - 1)
            .expect("the complete plan");
        assert_eq!(kept.job_route, complete.job_route);
    }

    #[test]
    fn hands_a_complete_plan_only_within_the_vehicles_asked() {
        let (model, complete, _) = plans();
        let vehicles = complete.vehicles_used();
        let exchange = Exchange::new(true);
        exchange.offer(&model, &complete);
        assert!(exchange.complete_within(vehicles - 1).is_none());
        let handed = exchange
            .complete_within(vehicles)
            .expect("within its own count");
        assert_eq!(handed.vehicles_used(), vehicles);
    }

    #[test]
    fn kept_plans_count_fixed_costs_fully() {
        let (model, mut complete, _) = plans();
        complete.fixed_cost_weight = 0.25;
        complete.touched.push(0);
        let exchange = Exchange::new(false);
        exchange.offer(&model, &complete);
        let kept = exchange.complete_within(usize::MAX - 1).expect("kept");
        assert_eq!(kept.fixed_cost_weight, 1.0);
        assert!(kept.touched.is_empty());
    }
}
