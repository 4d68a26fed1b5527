//! SISR's recreate (§4.2): sort the unassigned jobs (random, largest demand, farthest, closest
//! with weights 4:4:2:1) and insert each at its cheapest feasible position, skipping each
//! position with a small probability ("blinks") so that ties and near-ties vary between runs.

use rand::seq::SliceRandom;
use rand::{Rng, RngCore};

use super::Recreate;
use crate::model::Model;
use crate::route::{Blinks, Insertion, PairScratch};
use crate::solution::{UNROUTED, WorkingSolution};

#[derive(Debug, Clone)]
pub(crate) struct GreedyBlinks {
    pub blink_rate: f64,
    /// Try first only the routes holding one of the job's this many nearest neighbours
    /// (0: every route).
    pub granularity: usize,
}

impl Default for GreedyBlinks {
    fn default() -> Self {
        GreedyBlinks {
            blink_rate: 0.01,
            granularity: 0,
        }
    }
}

impl GreedyBlinks {
    fn order(&self, model: &Model, jobs: &mut [u32], rng: &mut dyn RngCore) {
        jobs.shuffle(rng);
        let depot = model
            .vehicles
            .first()
            .map_or(crate::model::NOWHERE, |v| v.start);
        let far = |j: u32| {
            let location = model.stops[model.jobs[j as usize].first as usize].location;
            model.distance(0, depot, location)
        };
        match rng.random_range(0..11) {
            0..4 => {}
            4..8 => jobs.sort_by_key(|&j| std::cmp::Reverse(model.jobs[j as usize].size)),
            8..10 => jobs.sort_by(|&a, &b| far(b).total_cmp(&far(a))),
            _ => jobs.sort_by(|&a, &b| far(a).total_cmp(&far(b))),
        }
    }
}

impl Recreate for GreedyBlinks {
    fn recreate(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore) {
        let mut jobs = std::mem::take(&mut solution.unassigned);
        self.order(model, &mut jobs, rng);
        let mut blinks = Blinks::new(self.blink_rate, rng);
        let mut scratch = PairScratch::default();
        let mut tried_class: Vec<u32> = Vec::new();
        let mut near = vec![false; solution.routes.len()];
        for job in jobs {
            let node = &model.jobs[job as usize];
            let mut best: Option<Insertion> = None;
            tried_class.clear();
            // Granular pass: only the routes that serve one of the job's nearest neighbours
            // (and idle vehicles). A route across town rarely offers the cheapest insertion,
            // and on long routes scanning it is most of the time; if nothing near fits, every
            // route is tried.
            // With fewer than twice as many other jobs, the near routes are most routes:
            // marking them costs more than the scans it saves (Solomon: 10–19 % slower).
            let granular = self.granularity > 0
                && model.neighbours[job as usize].len() >= 2 * self.granularity;
            if granular {
                near.fill(false);
                for &other in &model.neighbours[job as usize][..self.granularity] {
                    let r = solution.job_route[other as usize];
                    if r != UNROUTED {
                        near[r as usize] = true;
                    }
                }
            }
            for pass in 0..if granular { 2 } else { 1 } {
                // Opening an idle vehicle is no reason to skip a used route further away.
                if pass == 1 && best.is_some_and(|b| !solution.routes[b.route].is_empty()) {
                    break;
                }
                for (index, route) in solution.routes.iter().enumerate() {
                    if !solution.open[index] {
                        continue;
                    }
                    // First pass (granular): near routes; second: the others.
                    if granular && !route.is_empty() && near[index] == (pass == 1) {
                        continue;
                    }
                    let vehicle = &model.vehicles[route.vehicle as usize];
                    let extra = if route.is_empty() {
                        if pass == 1 {
                            continue;
                        }
                        // Idle vehicles of one class are interchangeable: trying one is enough.
                        if tried_class.contains(&vehicle.class) {
                            continue;
                        }
                        tried_class.push(vehicle.class);
                        vehicle.fixed_cost
                    } else {
                        0.0
                    };
                    if node.is_pair {
                        route.best_pair(
                            model,
                            index,
                            node.first,
                            extra,
                            &mut blinks,
                            &mut best,
                            &mut scratch,
                        );
                    } else {
                        route.best_single(model, index, node.first, extra, &mut blinks, &mut best);
                    }
                }
            }
            match best {
                Some(at) => {
                    solution.routes[at.route].insert(model, node.first, node.is_pair, &at);
                    solution.job_route[job as usize] = at.route as u32;
                    solution.touch(at.route as u32);
                }
                None => solution.unassigned.push(job),
            }
        }
    }
}
