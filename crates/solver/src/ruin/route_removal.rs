//! Fleet minimisation's ruin: empty the smallest used route and close its vehicle, so the
//! search must fit those jobs into the remaining vehicles.

use rand::{Rng, RngCore};

use super::Ruin;
use crate::model::{Model, StopRole};
use crate::solution::WorkingSolution;

#[derive(Debug, Clone, Default)]
pub(crate) struct RouteRemoval;

impl Ruin for RouteRemoval {
    fn ruin(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore) {
        let Some(smallest) = solution
            .routes
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.len())
            .min()
        else {
            return;
        };
        let candidates: Vec<usize> = (0..solution.routes.len())
            .filter(|&r| solution.routes[r].len() == smallest)
            .collect();
        let chosen = candidates[rng.random_range(0..candidates.len())];
        let jobs: Vec<u32> = solution.routes[chosen]
            .stops
            .iter()
            .filter(|&&s| model.stops[s as usize].role != StopRole::Delivery)
            .map(|&s| model.stops[s as usize].job)
            .collect();
        solution.remove_jobs(model, &jobs);
        solution.open[chosen] = false;
    }
}
