//! SISR's adjacent string removal (Christiaens & Vanden Berghe 2020, §4.1): remove a few strings
//! of consecutive stops from routes near a random seed job, sometimes keeping a substring in the
//! middle ("split string") so that slack appears inside routes and not only at their ends.

use rand::{Rng, RngCore};

use super::Ruin;
use crate::model::Model;
use crate::solution::{UNROUTED, WorkingSolution};

#[derive(Debug, Clone)]
pub(crate) struct StringRemoval {
    /// c̄: average number of stops removed.
    pub average_removed: f64,
    /// L^max: longest string.
    pub max_string_length: f64,
    /// Probability of the split-string variant.
    pub split_rate: f64,
    /// β: each further preserved stop in a split string stops growing with this probability.
    pub split_depth: f64,
}

impl Default for StringRemoval {
    fn default() -> Self {
        StringRemoval {
            average_removed: 10.0,
            max_string_length: 10.0,
            split_rate: 0.5,
            split_depth: 0.01,
        }
    }
}

impl Ruin for StringRemoval {
    fn ruin(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore) {
        if model.jobs.is_empty() {
            return;
        }
        let Some((string_max, strings)) = self.draw_shape(solution, rng) else {
            return;
        };
        let seed = rng.random_range(0..model.jobs.len()) as u32;
        self.ruin_around(model, solution, rng, seed, string_max, strings);
    }
}

impl StringRemoval {
    /// String removal seeded at job `seed` (instead of a random job).
    pub fn ruin_near(
        &self,
        model: &Model,
        solution: &mut WorkingSolution,
        rng: &mut dyn RngCore,
        seed: u32,
    ) {
        if let Some((string_max, strings)) = self.draw_shape(solution, rng) {
            self.ruin_around(model, solution, rng, seed, string_max, strings);
        }
    }

    /// SISR's L^s_max (longest string, capped by the mean route length) and the number of
    /// strings to remove, drawn; `None` when no route is in use.
    fn draw_shape(
        &self,
        solution: &WorkingSolution,
        rng: &mut dyn RngCore,
    ) -> Option<(f64, usize)> {
        let (used, stops) = solution
            .routes
            .iter()
            .filter(|r| !r.is_empty())
            .fold((0usize, 0usize), |(u, s), r| (u + 1, s + r.len()));
        if used == 0 {
            return None;
        }
        let string_max = self.max_string_length.min(stops as f64 / used as f64);
        let strings_max = 4.0 * self.average_removed / (1.0 + string_max) - 1.0;
        let strings = rng.random_range(1.0..strings_max.max(1.0) + 1.0).floor() as usize;
        Some((string_max, strings))
    }

    fn ruin_around(
        &self,
        model: &Model,
        solution: &mut WorkingSolution,
        rng: &mut dyn RngCore,
        seed: u32,
        string_max: f64,
        strings: usize,
    ) {
        let mut ruined_routes: Vec<u32> = Vec::with_capacity(strings);
        let mut removed: Vec<u32> = Vec::new();
        for job in std::iter::once(seed).chain(model.neighbours[seed as usize].iter().copied()) {
            if ruined_routes.len() >= strings {
                break;
            }
            let route_index = solution.job_route[job as usize];
            if route_index == UNROUTED || ruined_routes.contains(&route_index) {
                continue;
            }
            ruined_routes.push(route_index);
            let route = &solution.routes[route_index as usize];
            let cardinality = route.len();
            let length_max = (cardinality as f64).min(string_max);
            let length =
                (rng.random_range(1.0..length_max + 1.0).floor() as usize).min(cardinality);
            // The string must contain the job's (first) stop.
            let Some(anchor) = route
                .stops
                .iter()
                .position(|&s| model.stops[s as usize].job == job)
            else {
                continue;
            };
            let mut take = |from: usize, to: usize, keep: Option<(usize, usize)>| {
                for (position, &s) in route.stops[from..to].iter().enumerate() {
                    let position = from + position;
                    if keep.is_some_and(|(a, b)| (a..b).contains(&position)) {
                        continue;
                    }
                    let j = model.stops[s as usize].job;
                    if !removed.contains(&j) {
                        removed.push(j);
                    }
                }
            };
            if length < cardinality && rng.random::<f64>() < self.split_rate {
                let mut preserved = 1;
                while length + preserved < cardinality && rng.random::<f64>() >= self.split_depth {
                    preserved += 1;
                }
                let span = length + preserved;
                let from = window_start(anchor, span, cardinality, rng);
                let keep_from = from + rng.random_range(0..=length);
                take(from, from + span, Some((keep_from, keep_from + preserved)));
            } else {
                let from = window_start(anchor, length, cardinality, rng);
                take(from, from + length, None);
            }
        }
        solution.remove_jobs(model, &removed);
    }
}

/// A uniformly random start for a window of `span` positions inside `0..cardinality` that
/// contains `anchor`.
fn window_start(anchor: usize, span: usize, cardinality: usize, rng: &mut dyn RngCore) -> usize {
    let lowest = (anchor + 1).saturating_sub(span);
    let highest = anchor.min(cardinality - span);
    rng.random_range(lowest..=highest.max(lowest))
}
