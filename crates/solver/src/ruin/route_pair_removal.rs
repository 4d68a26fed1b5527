//! Empty two related routes, for the recreate step to share their jobs out again. With a mixed fleet (vehicles at different stores, speeds, shifts), a plan can settle
//! with two vehicles each serving the other one's area; undoing that means moving whole routes'
//! worth of jobs at once, which string removal (a few short strings) never does.

use rand::{Rng, RngCore};

use super::Ruin;
use crate::model::{Model, StopRole};
use crate::solution::{UNROUTED, WorkingSolution};

#[derive(Debug, Clone, Default)]
pub(crate) struct RoutePairRemoval;

impl Ruin for RoutePairRemoval {
    fn ruin(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore) {
        if model.jobs.is_empty() {
            return;
        }
        let seed = rng.random_range(0..model.jobs.len());
        let first = solution.job_route[seed];
        if first == UNROUTED {
            return;
        }
        // Half the time the route of the seed's nearest neighbour on another route (two
        // routes through one area); else a used route of a vehicle based nearest the seed's
        // first stop (the vehicle that should serve it, when another one does).
        let second = if rng.random::<bool>() {
            model.neighbours[seed]
                .iter()
                .map(|&j| solution.job_route[j as usize])
                .find(|&r| r != UNROUTED && r != first)
        } else {
            let at = model.stops[model.jobs[seed].first as usize].location;
            let home = |r: usize| {
                let v = &model.vehicles[solution.routes[r].vehicle as usize];
                model.distance(0, v.start, at)
            };
            let used: Vec<usize> = (0..solution.routes.len())
                .filter(|&r| r != first as usize && !solution.routes[r].is_empty())
                .collect();
            let nearest = used.iter().map(|&r| home(r)).fold(f64::INFINITY, f64::min);
            let closest: Vec<usize> = used.into_iter().filter(|&r| home(r) <= nearest).collect();
            (!closest.is_empty()).then(|| closest[rng.random_range(0..closest.len())] as u32)
        };
        let jobs: Vec<u32> = std::iter::once(first)
            .chain(second)
            .flat_map(|r| solution.routes[r as usize].stops.iter())
            .filter(|&&s| model.stops[s as usize].role != StopRole::Delivery)
            .map(|&s| model.stops[s as usize].job)
            .collect();
        solution.remove_jobs(model, &jobs);
    }
}
