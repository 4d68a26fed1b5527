//! Cheapest insertion of one job into one route, from the route's caches: the positions its
//! windows allow (`Route::window_range`), capacity from prefix and suffix maxima, time from
//! earliest departures and latest starts. Kept apart from [`Route`], which only answers
//! questions about its own segments, as PyVRP keeps its route and its operators apart.

use rand::{Rng, RngCore};

use crate::model::{Model, TIME_EPSILON, earliest_start};
use crate::route::Route;

/// SISR's blinks: each evaluated insertion position is skipped with probability `rate`.
/// Drawing the gap to the next blink (geometric) instead of a number per position gives the
/// same distribution at a fraction of the random draws.
pub(crate) struct Blinks<'r> {
    rate: f64,
    /// ln(1 − rate), for drawing geometric gaps.
    log_keep: f64,
    until_next: u64,
    rng: &'r mut dyn RngCore,
}

impl<'r> Blinks<'r> {
    pub fn new(rate: f64, rng: &'r mut dyn RngCore) -> Self {
        let mut blinks = Blinks {
            rate,
            log_keep: (1.0 - rate).ln(),
            until_next: 0,
            rng,
        };
        blinks.draw();
        blinks
    }

    fn draw(&mut self) {
        self.until_next = if self.rate <= 0.0 {
            u64::MAX
        } else if self.rate >= 1.0 {
            0
        } else {
            let u: f64 = self.rng.random::<f64>().max(f64::MIN_POSITIVE);
            (u.ln() / self.log_keep).floor().min(u64::MAX as f64) as u64
        };
    }

    /// True if this position is to be skipped.
    #[inline]
    pub fn blink(&mut self) -> bool {
        if self.until_next == 0 {
            self.draw();
            true
        } else {
            self.until_next -= 1;
            false
        }
    }
}

/// Reusable buffers for [`Route::best_pair`], so that recreating allocates nothing per job.
#[derive(Debug, Default)]
pub(crate) struct PairScratch {
    /// Running maximum load, per dimension, over the nodes a pair would ride past.
    segment_max: Vec<i64>,
    /// Suffix minima of the delivery's detour per arc.
    delivery_min: Vec<f64>,
}

/// Where to insert a job: before old node `first` (and for a pair, the delivery before old node
/// `second`, with `second >= first`), and what it adds to the objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Insertion {
    pub route: usize,
    pub first: usize,
    pub second: usize,
    pub cost: f64,
}

/// Best feasible position for a single-stop job, if better than `best.cost`. Each position
/// is skipped with probability `blink` (SISR's "blinks").
#[allow(clippy::too_many_arguments)]
pub(crate) fn best_single(
    route: &Route,
    model: &Model,
    route_index: usize,
    stop: u32,
    extra_cost: f64,
    blinks: &mut Blinks,
    best: &mut Option<Insertion>,
) {
    let vehicle = &model.vehicles[route.vehicle as usize];
    let profile = vehicle.profile;
    let node = &model.stops[stop as usize];
    if !route.shift_can_serve(model, node) {
        return;
    }
    let dims = model.dims;
    let start_load = model.start_load(stop);
    let delta = model.delta(stop);
    let distance = model.distances_around(profile, node.location);
    let duration = model.durations_around(profile, node.location);
    let (lo, hi) = route.window_range(node);
    for k in lo..=hi {
        let prev = k - 1;
        let from = route.location[prev];
        let to = route.location[k];
        let cost = extra_cost + distance.from(from) + distance.to(to) - route.arc[k];
        if best.is_some_and(|b| cost >= b.cost) {
            continue;
        }
        if blinks.blink() {
            continue;
        }
        let fits = (0..dims).all(|d| {
            let cap = vehicle.capacity[d];
            let added = start_load[d];
            route.prefix_max[prev * dims + d] + added <= cap
                && route.suffix_max[k * dims + d] + added + delta[d] <= cap
                && route.load[prev * dims + d] + added + delta[d] <= cap
        });
        if !fits {
            continue;
        }
        let arrival = route.departure[prev] + duration.from(from);
        let Some(start) = earliest_start(&node.windows, arrival) else {
            continue;
        };
        let next_arrival = start + node.service + duration.to(to);
        if next_arrival > route.latest[k] + TIME_EPSILON {
            continue;
        }
        *best = Some(Insertion {
            route: route_index,
            first: k,
            second: k,
            cost,
        });
    }
}

/// Best feasible positions for a pickup-and-delivery pair (pickup stop id `first`, delivery
/// `first + 1`), if better than `best.cost`.
///
/// With its stops apart, a pair costs the pickup's detour at `a` plus the delivery's detour
/// at `k >= a`. The delivery detours' suffix minima (one O(n) pass) bound every pickup
/// position from below, so positions that cannot beat `best` are skipped, and the walk over
/// delivery positions stops once the rest cannot: on long routes this turns the O(n²) scan
/// into about O(n) for all but the few promising pickups. The pruning is exact.
#[allow(clippy::too_many_arguments)]
pub(crate) fn best_pair(
    route: &Route,
    model: &Model,
    route_index: usize,
    first: u32,
    extra_cost: f64,
    blinks: &mut Blinks,
    best: &mut Option<Insertion>,
    scratch: &mut PairScratch,
) {
    let vehicle = &model.vehicles[route.vehicle as usize];
    let profile = vehicle.profile;
    let pickup = &model.stops[first as usize];
    let delivery = &model.stops[first as usize + 1];
    if !(route.shift_can_serve(model, pickup) && route.shift_can_serve(model, delivery)) {
        return;
    }
    let (lp, ld) = (pickup.location, delivery.location);
    let dims = model.dims;
    let amount = model.delta(first);
    let n = route.stops.len();
    // Every travel here starts or ends at the pickup or the delivery: read their rows.
    let (distance_p, distance_d) = (
        model.distances_around(profile, lp),
        model.distances_around(profile, ld),
    );
    let (duration_p, duration_d) = (
        model.durations_around(profile, lp),
        model.durations_around(profile, ld),
    );
    // The delivery may follow node k only for k in first_after..=last_after, the pickup
    // may go before node a only for a in pickup_lo..=pickup_hi (see `window_range`).
    let (delivery_lo, delivery_hi) = route.window_range(delivery);
    let (pickup_lo, pickup_hi) = route.window_range(pickup);
    if delivery_lo > delivery_hi || pickup_lo > pickup_hi {
        return;
    }
    let (first_after, last_after) = (delivery_lo - 1, delivery_hi - 1);
    // delivery_min[k]: cheapest detour of the delivery alone between nodes k' and k' + 1,
    // over the allowed k' >= k (infinite past the last one).
    let delivery_min = &mut scratch.delivery_min;
    delivery_min.clear();
    delivery_min.resize(n + 2, f64::INFINITY);
    for k in (first_after..=last_after).rev() {
        let detour = distance_d.from(route.location[k]) + distance_d.to(route.location[k + 1])
            - route.arc[k + 1];
        delivery_min[k] = detour.min(delivery_min[k + 1]);
    }
    let floor = delivery_min[first_after];
    delivery_min[..first_after].fill(floor);
    let segment_max = &mut scratch.segment_max;
    // The pickup cannot follow the last node the delivery may follow.
    for a in pickup_lo..=pickup_hi.min(delivery_hi) {
        let prev = a - 1;
        let from = route.location[prev];
        let to_a = route.location[a];
        let enter = extra_cost + distance_p.from(from);
        let adjacent_cost = enter + distance_p.to(ld) + distance_d.to(to_a) - route.arc[a];
        // Delivery after old node k (before old node k + 1), k in a..=n: this plus its detour.
        let pickup_cost = enter + distance_p.to(to_a) - route.arc[a];
        let bound = adjacent_cost.min(pickup_cost + delivery_min[a]);
        if best.is_some_and(|b| bound >= b.cost) {
            continue;
        }
        if blinks.blink() {
            continue;
        }
        let arrival = route.departure[prev] + duration_p.from(from);
        let Some(start_p) = earliest_start(&pickup.windows, arrival) else {
            continue;
        };
        // Nodes a.. are reached later than before; if even the pickup is past node a's
        // latest start minus travel, nothing after fits either.
        segment_max.clear();
        segment_max.extend_from_slice(&route.load[prev * dims..a * dims]);
        if (0..dims).any(|d| segment_max[d] + amount[d] > vehicle.capacity[d]) {
            continue;
        }
        // Delivery right after the pickup.
        if prev >= first_after && best.is_none_or(|b| adjacent_cost < b.cost) {
            let arrival_d = start_p + pickup.service + duration_p.to(ld);
            if let Some(start_d) = earliest_start(&delivery.windows, arrival_d)
                && start_d + delivery.service + duration_d.to(to_a)
                    <= route.latest[a] + TIME_EPSILON
            {
                *best = Some(Insertion {
                    route: route_index,
                    first: a,
                    second: a,
                    cost: adjacent_cost,
                });
            }
        }
        // When the vehicle can leave the node the walk is at. Once a node is reached for
        // the same start as before (waiting absorbed the pickup's detour), so is every
        // node after it: the walk then reads their cached departures instead of their
        // windows, and they need no check.
        let mut leave = start_p + pickup.service;
        let mut converged = false;
        for (k, &rest) in delivery_min.iter().enumerate().take(last_after + 1).skip(a) {
            if best.is_some_and(|b| pickup_cost + rest >= b.cost) {
                break;
            }
            let loc_k = route.location[k];
            if converged {
                leave = route.departure[k];
            } else {
                // From the pickup to old node a, then along the route's own arcs.
                let travel = if k == a {
                    duration_p.to(loc_k)
                } else {
                    route.arc_time[k]
                };
                let arrival_k = leave + travel;
                if arrival_k > route.latest[k] + TIME_EPSILON {
                    break;
                }
                let stop = &model.stops[route.stops[k - 1] as usize];
                let Some(start_k) = earliest_start(&stop.windows, arrival_k) else {
                    break;
                };
                converged = start_k == route.earliest[k];
                leave = start_k + stop.service;
            }
            let mut over = false;
            for (d, m) in segment_max.iter_mut().enumerate() {
                *m = (*m).max(route.load[k * dims + d]);
                over |= *m + amount[d] > vehicle.capacity[d];
            }
            if over {
                break;
            }
            if k < first_after {
                continue;
            }
            let to = route.location[k + 1];
            let cost = pickup_cost + distance_d.from(loc_k) + distance_d.to(to) - route.arc[k + 1];
            if best.is_some_and(|b| cost >= b.cost) {
                continue;
            }
            if blinks.blink() {
                continue;
            }
            let arrival_d = leave + duration_d.from(loc_k);
            if let Some(start_d) = earliest_start(&delivery.windows, arrival_d)
                && start_d + delivery.service + duration_d.to(to)
                    <= route.latest[k + 1] + TIME_EPSILON
            {
                *best = Some(Insertion {
                    route: route_index,
                    first: a,
                    second: k + 1,
                    cost,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::route::tests::{Shape, mixed_problem};

    /// [`best_pair`] and [`best_single`] prune positions by bounds and by what
    /// the caches say; what they find must be what trying every position finds: inserting
    /// there, recomputing the route, and keeping the cheapest feasible one.
    #[test]
    fn best_insertions_match_trying_every_position() {
        let mut rng = StdRng::seed_from_u64(5);
        let (mut found, mut none) = (0, 0);
        for round in 0..400 {
            let problem = mixed_problem(&mut rng, Shape::of_round(round));
            let model = Model::new(&problem);
            let mut route = Route::new(&model, 0);
            let mut scratch = PairScratch::default();
            for job in &model.jobs {
                let mut best = None;
                let mut blinks = Blinks::new(0.0, &mut rng);
                if job.is_pair {
                    best_pair(
                        &route,
                        &model,
                        0,
                        job.first,
                        0.0,
                        &mut blinks,
                        &mut best,
                        &mut scratch,
                    );
                } else {
                    best_single(&route, &model, 0, job.first, 0.0, &mut blinks, &mut best);
                }
                let n = route.len();
                let mut cheapest: Option<f64> = None;
                for first in 1..=n + 1 {
                    let seconds = if job.is_pair {
                        first..=n + 1
                    } else {
                        first..=first
                    };
                    for second in seconds {
                        let mut tried = route.clone();
                        tried.stops.insert(first - 1, job.first);
                        if job.is_pair {
                            tried.stops.insert(second, job.first + 1);
                        }
                        tried.update(&model);
                        if tried.feasible {
                            let cost = tried.distance - route.distance;
                            cheapest = Some(cheapest.map_or(cost, |c: f64| c.min(cost)));
                        }
                    }
                }
                match (best, cheapest) {
                    (Some(at), Some(cost)) => {
                        assert!((at.cost - cost).abs() < 1e-6, "{} ≠ {cost}", at.cost);
                        let before = route.distance;
                        route.insert(&model, job.first, job.is_pair, (at.first, at.second));
                        assert!(route.feasible);
                        assert!((route.distance - before - at.cost).abs() < 1e-6);
                        found += 1;
                    }
                    (None, None) => none += 1,
                    (best, cheapest) => {
                        panic!("found {best:?}, trying every position {cheapest:?}")
                    }
                }
            }
        }
        assert!(
            found > 1500 && none > 300,
            "{found} found, {none} with no position"
        );
    }
}
