//! SISR's recreate (§4.2): sort the unassigned jobs (random, largest demand, farthest, closest
//! with weights 4:4:2:1) and insert each at its cheapest feasible position, skipping each
//! position with a small probability ("blinks") so that ties and near-ties vary between runs.

use rand::seq::SliceRandom;
use rand::{Rng, RngCore};

use super::Recreate;
use super::insertion::{Blinks, Insertion, PairScratch, best_pair, best_single};
use crate::model::Model;
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
            // With few jobs per neighbour list, the near routes are most routes: marking them
            // costs more than the scans it saves (Solomon, 100 jobs, with 80 neighbours:
            // 10–19 % slower). Below four times as many jobs every route is tried, which
            // leaves the 100-job benchmarks (Solomon, Li & Lim) as they were measured.
            let granular = self.granularity > 0
                && model.jobs.len() >= 4 * self.granularity
                && model.neighbours[job as usize].len() >= self.granularity;
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
                        vehicle.fixed_cost * solution.fixed_cost_weight
                    } else {
                        0.0
                    };
                    if node.is_pair {
                        best_pair(
                            route,
                            model,
                            index,
                            node.first,
                            extra,
                            &mut blinks,
                            &mut best,
                            &mut scratch,
                        );
                    } else {
                        best_single(
                            route,
                            model,
                            index,
                            node.first,
                            extra,
                            &mut blinks,
                            &mut best,
                        );
                    }
                }
            }
            match best {
                Some(at) => {
                    solution.routes[at.route].insert(
                        model,
                        node.first,
                        node.is_pair,
                        (at.first, at.second),
                    );
                    solution.job_route[job as usize] = at.route as u32;
                    solution.touch(at.route as u32);
                }
                None => solution.unassigned.push(job),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::problem::Problem;
    use crate::test_fixtures::{delivery, line_profile, round_trip_vehicle};

    /// 160 deliveries: 159 on a line next to the depot, all but the first on a van that is
    /// then full, and one far away on a second van. The first job's 40 nearest neighbours are
    /// all on the full van, so the near pass finds nothing; the job must still be placed, on
    /// the far van, by the pass over the other routes.
    #[test]
    fn a_job_whose_near_routes_are_full_goes_to_a_far_route() {
        let mut xs: Vec<f64> = (0..160).map(f64::from).collect();
        xs.push(10_000.0);
        let vehicle = |id: &str, capacity: i64| round_trip_vehicle(id, 0, 1.0e6, capacity);
        let problem = Problem {
            profiles: vec![line_profile(&xs)],
            vehicles: vec![vehicle("near", 158), vehicle("far", 10)],
            jobs: (1..=160).map(delivery).collect(),
        };
        let model = Model::new(&problem);
        let recreate = GreedyBlinks {
            blink_rate: 0.0,
            granularity: 40,
        };
        // The granular pass is on for this many jobs.
        assert!(model.jobs.len() >= 4 * recreate.granularity);
        let mut solution = WorkingSolution::empty(&model);
        // Single stops: stop id = job id.
        solution.routes[0].stops = (1..159).collect();
        solution.routes[1].stops = vec![159];
        for (r, route) in solution.routes.iter_mut().enumerate() {
            route.update(&model);
            assert!(route.feasible);
            for &s in &route.stops {
                solution.job_route[s as usize] = r as u32;
            }
        }
        solution.unassigned = vec![0];
        recreate.recreate(&model, &mut solution, &mut StdRng::seed_from_u64(1));
        assert!(solution.unassigned.is_empty());
        assert_eq!(solution.job_route[0], 1);
        assert!(solution.routes[1].stops.contains(&0));
        let plan = solution.to_plan(&model, &problem, 0);
        assert!(crate::check(&problem, &plan).is_feasible());
    }
}
