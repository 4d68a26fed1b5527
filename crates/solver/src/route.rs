//! One vehicle's route with the caches that make insertion checks constant-time.
//!
//! Nodes are numbered `0` (the vehicle's start), `1..=n` (the stops) and `n + 1` (the end).
//! For every node we keep:
//! - `earliest`: the earliest service start given everything before it (forward pass);
//! - `latest`: the latest service start that keeps everything after it feasible (backward pass),
//!   which is a single number even with several windows per stop because waiting is allowed;
//! - `load` after service and its prefix/suffix maxima, per capacity dimension.
//!
//! Inserting a stop between nodes `k - 1` and `k` is then feasible iff the new stop can start
//! inside one of its windows when reached from `earliest[k - 1]`, node `k` is reached by
//! `latest[k]`, and the loads the stop raises stay under capacity (a prefix max for what it adds
//! at the start, a suffix max for what it adds afterwards). A pickup-and-delivery pair raises the
//! load only between its two stops, so its check walks that segment once per pickup position.

use crate::model::{Model, StopNode, StopRole, TIME_EPSILON, earliest_start, latest_start};

/// The caches are readable by the operators in the crate (insertion in `recreate`, the tail
/// exchange in `local_search`); only `Route`'s own methods write them, so they always match
/// `stops`.
#[derive(Debug)]
pub(crate) struct Route {
    pub vehicle: u32,
    /// Stop ids in visiting order.
    pub stops: Vec<u32>,
    pub location: Vec<u32>,
    pub earliest: Vec<f64>,
    /// `earliest[k]` plus node `k`'s service time: when the vehicle can leave it.
    pub departure: Vec<f64>,
    pub latest: Vec<f64>,
    pub load: Vec<i64>,
    pub prefix_max: Vec<i64>,
    pub suffix_max: Vec<i64>,
    /// `arc[k]`: distance from node `k - 1` to node `k` (`arc[0]` = 0), what an insertion
    /// between them saves.
    pub arc: Vec<f64>,
    /// `arc_time[k]`: travel time from node `k - 1` to node `k` (`arc_time[0]` = 0). Cached
    /// because the pair check walks the route's arcs for every pickup position, and reading
    /// them from the matrix is a cache miss per node on city-sized instances.
    pub arc_time: Vec<f64>,
    /// Per node and dimension: start loads of the stops at nodes `<= k` (for tail exchanges).
    pub start_prefix: Vec<i64>,
    /// Pairs picked up but not yet delivered after node `k`: a route may be cut only where 0.
    pub open_pairs: Vec<u32>,
    pub distance: f64,
    /// False only if a removal broke feasibility (possible when durations violate the triangle
    /// inequality); such a route is emptied by the caller.
    pub feasible: bool,
}

impl Clone for Route {
    fn clone(&self) -> Self {
        let mut route = Route::empty(self.vehicle);
        route.clone_from(self);
        route
    }

    // The search copies solutions every iteration; reusing the buffers keeps that allocation-free.
    fn clone_from(&mut self, other: &Self) {
        self.vehicle = other.vehicle;
        self.stops.clone_from(&other.stops);
        self.location.clone_from(&other.location);
        self.earliest.clone_from(&other.earliest);
        self.departure.clone_from(&other.departure);
        self.latest.clone_from(&other.latest);
        self.load.clone_from(&other.load);
        self.prefix_max.clone_from(&other.prefix_max);
        self.suffix_max.clone_from(&other.suffix_max);
        self.arc.clone_from(&other.arc);
        self.arc_time.clone_from(&other.arc_time);
        self.start_prefix.clone_from(&other.start_prefix);
        self.open_pairs.clone_from(&other.open_pairs);
        self.distance = other.distance;
        self.feasible = other.feasible;
    }
}

/// Capacity dimensions up to which [`Route::insert`] updates the caches incrementally.
const MAX_INCREMENTAL_DIMS: usize = 8;

/// Adds to `on_start` and `on_end`, times `sign`, what stop `s` has aboard from the start and
/// what it leaves aboard to the end of its route.
fn carried(model: &Model, s: u32, on_start: &mut [i64], on_end: &mut [i64], sign: i64) {
    let (start, delta) = (model.start_load(s), model.delta(s));
    for (d, (a, e)) in on_start.iter_mut().zip(on_end.iter_mut()).enumerate() {
        *a += sign * start[d];
        *e += sign * (start[d] + delta[d]);
    }
}

/// Adds `amount` (one value per dimension) to the entries of the nodes in `nodes`.
fn add_per_node(per_node: &mut [i64], dims: usize, nodes: std::ops::Range<usize>, amount: &[i64]) {
    if amount.iter().all(|&a| a == 0) {
        return;
    }
    for node in per_node[nodes.start * dims..nodes.end * dims].chunks_exact_mut(dims) {
        for (v, a) in node.iter_mut().zip(amount) {
            *v += a;
        }
    }
}
impl Route {
    fn empty(vehicle: u32) -> Self {
        Route {
            vehicle,
            stops: Vec::new(),
            location: Vec::new(),
            earliest: Vec::new(),
            departure: Vec::new(),
            latest: Vec::new(),
            load: Vec::new(),
            prefix_max: Vec::new(),
            suffix_max: Vec::new(),
            arc: Vec::new(),
            arc_time: Vec::new(),
            start_prefix: Vec::new(),
            open_pairs: Vec::new(),
            distance: 0.0,
            feasible: true,
        }
    }

    pub fn new(model: &Model, vehicle: u32) -> Self {
        let mut route = Route::empty(vehicle);
        route.update(model);
        route
    }

    pub fn is_empty(&self) -> bool {
        self.stops.is_empty()
    }

    pub fn len(&self) -> usize {
        self.stops.len()
    }

    /// Distance plus the vehicle's fixed cost times `fixed_cost_weight` (0 when unused).
    pub fn cost(&self, model: &Model, fixed_cost_weight: f64) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.distance + model.vehicles[self.vehicle as usize].fixed_cost * fixed_cost_weight
        }
    }

    /// Arcs of positive length (node to node, start to end).
    pub fn moving_arcs(&self) -> usize {
        self.arc.iter().skip(1).filter(|&&a| a > 0.0).count()
    }

    /// Recomputes every cache from the stop sequence: one pass over the stops, one forward
    /// and one backward over the nodes. O(n · dims).
    pub fn update(&mut self, model: &Model) {
        let vehicle = &model.vehicles[self.vehicle as usize];
        let n = self.stops.len();
        let nodes = n + 2;
        let dims = model.dims;

        // Locations, and what the stops put aboard at the start (the load at node 0).
        self.location.clear();
        self.location.push(vehicle.start);
        self.load.clear();
        self.load.resize(nodes * dims, 0);
        for &s in &self.stops {
            self.location.push(model.stops[s as usize].location);
            for (l, a) in self.load[..dims].iter_mut().zip(model.start_load(s)) {
                *l += a;
            }
        }
        self.location.push(vehicle.end);

        for times in [
            &mut self.earliest,
            &mut self.departure,
            &mut self.arc,
            &mut self.arc_time,
            &mut self.latest,
        ] {
            times.clear();
            times.resize(nodes, 0.0);
        }
        self.earliest[0] = vehicle.shift.start;
        self.departure[0] = vehicle.shift.start;
        self.open_pairs.clear();
        self.open_pairs.resize(nodes, 0);
        for sums in [&mut self.start_prefix, &mut self.prefix_max] {
            sums.clear();
            sums.resize(nodes * dims, 0);
        }
        self.prefix_max[..dims].copy_from_slice(&self.load[..dims]);
        self.feasible = true;
        self.forward(model, (1, nodes), |_| true, (&[], &[]));
        self.suffix_max.clone_from(&self.load);
        self.latest[n + 1] = vehicle.latest_end;
        self.backward_to(model, n, 0, false);
    }

    /// Reads the arc into node `k` (distance and travel time from node `k - 1`) from the
    /// matrices: the one cache miss per node of a pass, which is why passes keep the arcs they
    /// can.
    #[inline]
    fn read_arc(&mut self, model: &Model, k: usize) {
        let profile = model.vehicles[self.vehicle as usize].profile;
        let (from, to) = (self.location[k - 1], self.location[k]);
        self.arc[k] = model.distance(profile, from, to);
        self.arc_time[k] = model.duration(profile, from, to);
    }

    /// Node `k`'s load, its running maximum, the start loads so far and the open pairs, from
    /// node `k - 1`'s.
    #[inline]
    fn carry_loads(&mut self, model: &Model, k: usize) {
        let dims = model.dims;
        let (here, before) = (k * dims, (k - 1) * dims);
        self.load.copy_within(before..here, here);
        self.start_prefix.copy_within(before..here, here);
        self.open_pairs[k] = self.open_pairs[k - 1];
        if k <= self.stops.len() {
            let s = self.stops[k - 1];
            for (l, d) in self.load[here..here + dims].iter_mut().zip(model.delta(s)) {
                *l += d;
            }
            let prefix = &mut self.start_prefix[here..here + dims];
            for (c, a) in prefix.iter_mut().zip(model.start_load(s)) {
                *c += a;
            }
            match model.stops[s as usize].role {
                StopRole::Pickup => self.open_pairs[k] += 1,
                StopRole::Delivery => self.open_pairs[k] -= 1,
                StopRole::Single => {}
            }
        }
        for d in 0..dims {
            self.prefix_max[here + d] = self.prefix_max[before + d].max(self.load[here + d]);
        }
    }

    /// Node `k`'s earliest start, from node `k - 1`'s departure and the arc between them
    /// (infinite, and the route infeasible, if no window can be met).
    #[inline]
    fn schedule(&mut self, model: &Model, k: usize) {
        let arrival = self.departure[k - 1] + self.arc_time[k];
        let (start, service) = if k <= self.stops.len() {
            let stop = &model.stops[self.stops[k - 1] as usize];
            (earliest_start(&stop.windows, arrival), stop.service)
        } else {
            (Some(arrival), 0.0)
        };
        let start = start.unwrap_or_else(|| {
            self.feasible = false;
            f64::INFINITY
        });
        self.earliest[k] = start;
        self.departure[k] = start + service;
    }

    /// Recomputes the forward caches (arcs, earliest starts and departures, loads with their
    /// running maxima, start loads so far and open pairs) from node `from` on, then the
    /// distance and the checks at the end. Nodes before `from` must be up to date.
    ///
    /// An edit (stops inserted or removed) leaves most of the route as it was, and every
    /// node that is not a new stop must hold its old caches, moved into place.
    /// Arcs are read from the matrices only where `fresh` says the node now follows another
    /// one (each read is a cache miss on a matrix of hundreds of places), and times only until
    /// a node is reached when it was before (waiting absorbed the edit's delay), until the
    /// next fresh arc. Nodes `from..tail` get their loads recomputed; behind them, from `tail`
    /// on, the loads just change by `on_end` and the start loads by `on_start` (what the edit
    /// added or took away), and the one arc into `tail` is read. The forward pass was a fifth
    /// of the search's time on the Tokyo benchmark, mostly rereading and rescheduling the rest
    /// of the route after every edit; this made the whole search about 4 % faster there.
    fn forward(
        &mut self,
        model: &Model,
        (from, tail): (usize, usize),
        fresh: impl Fn(usize) -> bool,
        (on_start, on_end): (&[i64], &[i64]),
    ) {
        let vehicle = &model.vehicles[self.vehicle as usize];
        let n = self.stops.len();
        let nodes = n + 2;
        let dims = model.dims;
        // True while node k - 1 starts when it did before. (For a new stop the comparison is
        // with some other node's time, but the node after a new stop always has a fresh arc.)
        let mut settled = false;
        for k in from..tail {
            let moved = fresh(k);
            if moved {
                self.read_arc(model, k);
            }
            self.carry_loads(model, k);
            if settled && !moved {
                continue;
            }
            let before = self.earliest[k];
            self.schedule(model, k);
            settled = self.earliest[k] == before;
        }
        if tail < nodes {
            add_per_node(&mut self.load, dims, tail..nodes, on_end);
            add_per_node(&mut self.start_prefix, dims, tail..nodes, on_start);
            // With the loads behind unchanged, their running maxima are too once one is.
            let loads_unchanged = on_end.iter().all(|&a| a == 0);
            for k in tail..nodes {
                let (here, before) = (k * dims, (k - 1) * dims);
                let mut same = true;
                for d in 0..dims {
                    let max = self.prefix_max[before + d].max(self.load[here + d]);
                    same &= max == self.prefix_max[here + d];
                    self.prefix_max[here + d] = max;
                }
                if same && loads_unchanged {
                    break;
                }
            }
            self.read_arc(model, tail);
            for k in tail..nodes {
                let before = self.earliest[k];
                self.schedule(model, k);
                if self.earliest[k] == before {
                    break;
                }
            }
        }
        // Summed in node order either way, so an incremental update gives the same value.
        self.distance = self.arc.iter().sum();
        if self.earliest[n + 1] > vehicle.latest_end + TIME_EPSILON {
            self.feasible = false;
        }
        if self.prefix_max[(nodes - 1) * dims..]
            .iter()
            .zip(&vehicle.capacity)
            .any(|(l, c)| l > c)
        {
            self.feasible = false;
        }
    }

    /// Recomputes, for nodes `last` down to 0, the loads' suffix maxima and the latest starts.
    /// Nodes after `last` must be up to date; nodes before `settled` must hold their old
    /// caches: once one of them comes out with the latest start it had, so do all before it,
    /// and the same for the suffix maxima if `loads_unchanged` (their loads are as before).
    fn backward_to(&mut self, model: &Model, last: usize, settled: usize, loads_unchanged: bool) {
        let dims = model.dims;
        for k in (0..=last).rev() {
            let (here, after) = (k * dims, (k + 1) * dims);
            let mut same = true;
            for d in 0..dims {
                let max = self.load[here + d].max(self.suffix_max[after + d]);
                same &= max == self.suffix_max[here + d];
                self.suffix_max[here + d] = max;
            }
            if same && loads_unchanged && k < settled {
                break;
            }
        }
        for k in (0..=last).rev() {
            let latest = if k == 0 {
                self.latest[1] - self.arc_time[1]
            } else {
                let stop = &model.stops[self.stops[k - 1] as usize];
                let bound = self.latest[k + 1] - stop.service - self.arc_time[k + 1];
                latest_start(&stop.windows, bound).unwrap_or(f64::NEG_INFINITY)
            };
            if k < settled && latest == self.latest[k] {
                break;
            }
            self.latest[k] = latest;
        }
    }

    /// False if the vehicle's shift leaves no time at all for `stop`: its windows close before
    /// the shift starts, or open too late to serve it and still be back by the latest end.
    /// Constant-time, and it skips whole routes (an early shift for an evening slot) before any
    /// work per position.
    pub fn shift_can_serve(&self, model: &Model, stop: &StopNode) -> bool {
        let (Some(first), Some(last)) = (stop.windows.first(), stop.windows.last()) else {
            return true;
        };
        let vehicle = &model.vehicles[self.vehicle as usize];
        last.end + TIME_EPSILON >= vehicle.shift.start
            && first.start + stop.service <= vehicle.latest_end + TIME_EPSILON
    }

    /// The positions `k` (insert before node `k`, `1..=n + 1`) where `stop`'s windows leave any
    /// chance, as an inclusive range (empty when `lo > hi`). Service start times only grow
    /// along a route (travel and service are never negative), so `earliest` and `latest` are
    /// sorted and two binary searches find the range: the stop cannot follow a node whose
    /// earliest start is after its last window closes, nor precede one whose latest start is
    /// before its first window opens plus its service. On a long route with one-hour windows
    /// this leaves a few positions of dozens; the checks per position stay as they are.
    pub fn window_range(&self, stop: &StopNode) -> (usize, usize) {
        let n = self.stops.len();
        let (Some(first), Some(last)) = (stop.windows.first(), stop.windows.last()) else {
            return (1, n + 1);
        };
        let closes = last.end + TIME_EPSILON;
        let opens = first.start + stop.service - TIME_EPSILON;
        let (earliest, latest) = (&self.earliest[..=n], &self.latest[..=n + 1]);
        // Short routes: a branch-free count is faster than a binary search's mispredictions.
        let (reachable, lo) = if n < 32 {
            (
                earliest.iter().filter(|&&e| e <= closes).count(),
                latest.iter().filter(|&&l| l < opens).count(),
            )
        } else {
            (
                earliest.partition_point(|&e| e <= closes),
                latest.partition_point(|&l| l < opens),
            )
        };
        (lo.max(1), reachable.min(n + 1))
    }

    /// Inserts `first_stop` (and for a pair, `first_stop + 1`) before old node `first` (the
    /// delivery before old node `second`, `second >= first`), as found by
    /// [`crate::recreate::best_single`] or [`crate::recreate::best_pair`].
    ///
    /// Only what the new stops change is recomputed: nodes before the first new one keep
    /// their times (their loads only gain the new stops' start loads), and nodes after the
    /// last new one keep their latest starts (their suffix maxima only gain what the new stops
    /// leave aboard). The result is identical to [`Route::update`]; this is about half its
    /// work on average, and rebuilding caches after insertions was a quarter of the search.
    pub fn insert(
        &mut self,
        model: &Model,
        first_stop: u32,
        is_pair: bool,
        (first, second): (usize, usize),
    ) {
        let added: &[u32] = if is_pair {
            &[first_stop, first_stop + 1]
        } else {
            &[first_stop]
        };
        // Node of each new stop: the pickup before old node `first`, the delivery before old
        // node `second` (one further on, behind the pickup).
        let last = if is_pair { second + 1 } else { first };
        self.stops.insert(first - 1, first_stop);
        if is_pair {
            self.stops.insert(last - 1, first_stop + 1);
        }
        // An infeasible route may hold infinite times that the partial passes would not redo;
        // the load sums below are on the stack for up to 8 capacity dimensions.
        let dims = model.dims;
        if !self.feasible || dims > MAX_INCREMENTAL_DIMS {
            self.update(model);
            return;
        }
        let nodes = self.stops.len() + 2;
        let count = added.len();
        // What the new stops carry from the start, and what they leave aboard at the end.
        let mut on_start = [0i64; MAX_INCREMENTAL_DIMS];
        let mut on_end = [0i64; MAX_INCREMENTAL_DIMS];
        for (i, &s) in added.iter().enumerate() {
            let node = if i == 0 { first } else { last };
            self.location.insert(node, model.stops[s as usize].location);
            carried(model, s, &mut on_start[..dims], &mut on_end[..dims], 1);
        }
        add_per_node(&mut self.load, dims, 0..first, &on_start);
        add_per_node(&mut self.prefix_max, dims, 0..first, &on_start);
        // Every cache: the nodes behind the last new stop move back by `count`, and for a
        // pair the nodes between its stops by one (their arcs stay valid).
        let (old_nodes, tail) = (nodes - count, last + 1);
        for times in [
            &mut self.earliest,
            &mut self.departure,
            &mut self.arc,
            &mut self.arc_time,
        ] {
            times.resize(nodes, 0.0);
            times.copy_within(tail - count..old_nodes, tail);
            times.copy_within(first..tail - count, first + 1);
        }
        self.open_pairs.resize(nodes, 0);
        self.open_pairs.copy_within(tail - count..old_nodes, tail);
        for sums in [&mut self.load, &mut self.start_prefix, &mut self.prefix_max] {
            sums.resize(nodes * dims, 0);
            sums.copy_within((tail - count) * dims..old_nodes * dims, tail * dims);
        }
        self.latest.resize(nodes, 0.0);
        self.latest
            .copy_within(last + 1 - count..nodes - count, last + 1);
        self.suffix_max.resize(nodes * dims, 0);
        self.suffix_max.copy_within(
            (last + 1 - count) * dims..(nodes - count) * dims,
            (last + 1) * dims,
        );
        add_per_node(&mut self.suffix_max, dims, last + 1..nodes, &on_end);
        // Arcs change into and out of each new stop.
        let fresh = |k: usize| k == first || k == first + 1 || k == last;
        self.forward(
            model,
            (first, tail),
            fresh,
            (&on_start[..dims], &on_end[..dims]),
        );
        let loads_unchanged = on_start[..dims].iter().all(|&a| a == 0);
        self.backward_to(model, last, first, loads_unchanged);
    }

    /// Takes the stops for which `removed` is true off the route, recomputing (as
    /// [`Route::insert`] does) only the caches between the first and the last of them.
    pub fn remove_stops(&mut self, model: &Model, removed: impl Fn(u32) -> bool) {
        let dims = model.dims;
        let n = self.stops.len();
        if !self.feasible || dims > MAX_INCREMENTAL_DIMS {
            self.stops.retain(|&s| !removed(s));
            self.update(model);
            return;
        }
        let mut on_start = [0i64; MAX_INCREMENTAL_DIMS];
        let mut on_end = [0i64; MAX_INCREMENTAL_DIMS];
        let (mut first, mut last) = (usize::MAX, 0);
        // Compact stops, their locations, arcs and times in place (node i + 1 holds stop i). An
        // arc stays valid where the node before is still the same: bit `k - first` of `moved_up`
        // says node `k` now follows another one (nodes 128 or more past `first` are simply
        // read again).
        let mut kept = 0;
        let mut moved_up = 0u128;
        for i in 0..=n {
            if i < n && removed(self.stops[i]) {
                first = first.min(i + 1);
                last = i + 1;
                carried(
                    model,
                    self.stops[i],
                    &mut on_start[..dims],
                    &mut on_end[..dims],
                    -1,
                );
                continue;
            }
            if first != usize::MAX {
                if last == i && kept + 1 - first < 128 {
                    moved_up |= 1 << (kept + 1 - first);
                }
                self.location[kept + 1] = self.location[i + 1];
                self.arc[kept + 1] = self.arc[i + 1];
                self.arc_time[kept + 1] = self.arc_time[i + 1];
                self.earliest[kept + 1] = self.earliest[i + 1];
                self.departure[kept + 1] = self.departure[i + 1];
            }
            if i < n {
                self.stops[kept] = self.stops[i];
                kept += 1;
            }
        }
        if first == usize::MAX {
            return;
        }
        let count = n - kept;
        let (old_nodes, nodes) = (n + 2, kept + 2);
        self.stops.truncate(kept);
        self.location.truncate(nodes);
        // Nodes before the first removed stop lose the removed stops' start loads.
        add_per_node(&mut self.load, dims, 0..first, &on_start);
        add_per_node(&mut self.prefix_max, dims, 0..first, &on_start);
        // Nodes after the last removed stop move forward by `count`, keeping their latest
        // starts; their suffix maxima lose what the removed stops left aboard.
        let tail = last + 1;
        self.latest.copy_within(tail..old_nodes, tail - count);
        self.latest.truncate(nodes);
        self.suffix_max
            .copy_within(tail * dims..old_nodes * dims, (tail - count) * dims);
        self.suffix_max.truncate(nodes * dims);
        add_per_node(&mut self.suffix_max, dims, tail - count..nodes, &on_end);
        // The other forward caches of the nodes behind move forward too.
        self.open_pairs.copy_within(tail..old_nodes, tail - count);
        for sums in [&mut self.load, &mut self.start_prefix, &mut self.prefix_max] {
            sums.copy_within(tail * dims..old_nodes * dims, (tail - count) * dims);
            sums.truncate(nodes * dims);
        }
        for times in [
            &mut self.earliest,
            &mut self.departure,
            &mut self.arc,
            &mut self.arc_time,
        ] {
            times.truncate(nodes);
        }
        self.open_pairs.truncate(nodes);
        let fresh = |k: usize| k - first >= 128 || moved_up & (1 << (k - first)) != 0;
        self.forward(
            model,
            (first, tail - count),
            fresh,
            (&on_start[..dims], &on_end[..dims]),
        );
        let loads_unchanged = on_start[..dims].iter().all(|&a| a == 0);
        self.backward_to(model, tail - count - 1, first, loads_unchanged);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::problem::{Job, Problem, Profile, Stop, Task, TimeWindow, Vehicle};
    use crate::recreate::{Blinks, best_single};

    /// Eight places in a 100 × 100 square, single stops with one or two random windows (some
    /// none), service times, one vehicle with a shift that not everything fits into.
    pub(crate) fn random_problem(rng: &mut StdRng) -> Problem {
        let points: Vec<(f64, f64)> = (0..9)
            .map(|_| (rng.random_range(0.0..100.0), rng.random_range(0.0..100.0)))
            .collect();
        let matrix: Vec<Vec<f64>> = points
            .iter()
            .map(|a| {
                points
                    .iter()
                    .map(|b| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
                    .collect()
            })
            .collect();
        let window = |rng: &mut StdRng| {
            let start: f64 = rng.random_range(0.0..400.0);
            TimeWindow::new(start, start + rng.random_range(0.0..120.0))
        };
        let jobs = (1..9)
            .map(|location| {
                let windows = match rng.random_range(0..4) {
                    0 => Vec::new(),
                    1 => {
                        let (a, b) = (window(rng), window(rng));
                        let (a, b) = if a.start <= b.start { (a, b) } else { (b, a) };
                        if a.end < b.start { vec![a, b] } else { vec![a] }
                    }
                    _ => vec![window(rng)],
                };
                Job {
                    id: location.to_string(),
                    task: Task::Single {
                        stop: Stop {
                            location,
                            service: rng.random_range(0.0..20.0),
                            windows,
                        },
                        delivery: vec![1],
                        pickup: vec![0],
                    },
                    penalty: 1000.0,
                }
            })
            .collect();
        Problem {
            profiles: vec![Profile {
                name: "plane".into(),
                durations: matrix,
                distances: Vec::new(),
            }],
            vehicles: vec![Vehicle {
                id: "v".into(),
                profile: 0,
                start: Some(0),
                end: Some(0),
                shift: TimeWindow::new(0.0, 600.0),
                capacity: vec![20],
                fixed_cost: 0.0,
                max_duration: None,
            }],
            jobs,
        }
    }

    /// `window_range` may only leave out positions where the stop cannot be served on time:
    /// every position outside it, tried by inserting the stop and recomputing the route, must
    /// be infeasible. Checked on routes of every length that random greedy insertions build.
    #[test]
    fn window_range_leaves_out_only_infeasible_positions() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut checked_outside = 0;
        for _ in 0..300 {
            let problem = random_problem(&mut rng);
            let model = Model::new(&problem);
            let mut route = Route::new(&model, 0);
            let mut order: Vec<u32> = (0..model.stops.len() as u32).collect();
            rand::seq::SliceRandom::shuffle(&mut order[..], &mut rng);
            for stop in order {
                let node = &model.stops[stop as usize];
                let (lo, hi) = route.window_range(node);
                for k in 1..=route.len() + 1 {
                    let mut tried = route.clone();
                    tried.stops.insert(k - 1, stop);
                    tried.update(&model);
                    if !(lo..=hi).contains(&k) {
                        checked_outside += 1;
                        assert!(
                            !tried.feasible,
                            "position {k} outside {lo}..={hi} is feasible"
                        );
                    }
                }
                let mut best = None;
                let mut blinks = Blinks::new(0.0, &mut rng);
                best_single(&route, &model, 0, stop, 0.0, &mut blinks, &mut best);
                if let Some(at) = best {
                    route.insert(&model, stop, false, (at.first, at.second));
                    assert!(route.feasible);
                }
            }
        }
        assert!(
            checked_outside > 1000,
            "only {checked_outside} positions left out"
        );
    }

    /// How [`mixed_problem`] draws windows and capacity.
    #[derive(Clone, Copy, PartialEq)]
    pub(crate) enum Shape {
        /// Random windows (some none), a capacity some routes exceed.
        Random,
        /// Windows opening on the hour (of 100 units), as DIAq's slots do: many stops wait
        /// for the same opening, so old and new start times often coincide.
        Hourly,
        /// No windows and room for everything, so that every route stays feasible (and every
        /// edit of it incremental) while its loads rise and fall.
        Loose,
    }

    impl Shape {
        pub(crate) fn of_round(round: usize) -> Shape {
            [Shape::Random, Shape::Hourly, Shape::Loose][round % 3]
        }
    }

    /// Eight places, pairs and single stops that deliver and collect in two dimensions, with
    /// windows as `shape` says and a vehicle that may end anywhere.
    pub(crate) fn mixed_problem(rng: &mut StdRng, shape: Shape) -> Problem {
        let mut problem = random_problem(rng);
        let stop = |rng: &mut StdRng| Stop {
            location: rng.random_range(1..9),
            service: rng.random_range(0.0..20.0),
            windows: if shape == Shape::Loose || rng.random_bool(0.3) {
                Vec::new()
            } else if shape == Shape::Hourly {
                let start = 100.0 * rng.random_range(0..4) as f64;
                vec![TimeWindow::new(start, start + 100.0)]
            } else {
                let start: f64 = rng.random_range(0.0..400.0);
                vec![TimeWindow::new(start, start + rng.random_range(0.0..200.0))]
            },
        };
        let amount = |rng: &mut StdRng| vec![rng.random_range(0..4), rng.random_range(0..3)];
        problem.jobs = (0..8)
            .map(|i| Job {
                id: i.to_string(),
                task: if rng.random_bool(0.5) {
                    Task::Pair {
                        pickup: stop(rng),
                        delivery: stop(rng),
                        amount: amount(rng),
                    }
                } else {
                    Task::Single {
                        stop: stop(rng),
                        delivery: amount(rng),
                        pickup: amount(rng),
                    }
                },
                penalty: 1000.0,
            })
            .collect();
        let vehicle = &mut problem.vehicles[0];
        vehicle.capacity = vec![rng.random_range(3..12), rng.random_range(2..8)];
        if rng.random_bool(0.3) {
            vehicle.end = None;
        }
        if shape == Shape::Loose {
            vehicle.capacity = vec![100, 100];
            vehicle.shift = TimeWindow::new(0.0, 1e6);
        }
        problem
    }

    fn assert_same_caches(incremental: &Route, full: &Route) {
        let same = |a: &[f64], b: &[f64]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
        };
        assert_eq!(incremental.stops, full.stops);
        assert_eq!(incremental.location, full.location);
        for (name, a, b) in [
            ("earliest", &incremental.earliest, &full.earliest),
            ("departure", &incremental.departure, &full.departure),
            ("latest", &incremental.latest, &full.latest),
            ("arc", &incremental.arc, &full.arc),
            ("arc_time", &incremental.arc_time, &full.arc_time),
        ] {
            assert!(same(a, b), "{name}: {a:?} ≠ {b:?}");
        }
        assert_eq!(incremental.load, full.load, "load");
        assert_eq!(incremental.prefix_max, full.prefix_max, "prefix_max");
        assert_eq!(incremental.suffix_max, full.suffix_max, "suffix_max");
        assert_eq!(incremental.start_prefix, full.start_prefix, "start_prefix");
        assert_eq!(incremental.open_pairs, full.open_pairs, "open_pairs");
        assert_eq!(incremental.distance.to_bits(), full.distance.to_bits());
        assert_eq!(incremental.feasible, full.feasible);
    }

    /// [`Route::insert`] and [`Route::remove_stops`] rebuild only part of the caches; what
    /// they give must equal a full [`Route::update`] of the same stops, feasible or not.
    #[test]
    fn incremental_insert_and_removal_match_a_full_update() {
        let mut rng = StdRng::seed_from_u64(11);
        let (mut incremental_inserts, mut incremental_removals) = (0, 0);
        for round in 0..1200 {
            let problem = mixed_problem(&mut rng, Shape::of_round(round));
            let model = Model::new(&problem);
            let mut route = Route::new(&model, 0);
            for job in &model.jobs {
                let n = route.len();
                let first = rng.random_range(1..=n + 1);
                let second = if job.is_pair {
                    rng.random_range(first..=n + 1)
                } else {
                    first
                };
                incremental_inserts += usize::from(route.feasible);
                route.insert(&model, job.first, job.is_pair, (first, second));
                let mut full = route.clone();
                full.update(&model);
                assert_same_caches(&route, &full);
            }
            // Then take random jobs off again, a few at a time.
            while !route.is_empty() {
                let gone: Vec<u32> = (0..model.jobs.len() as u32)
                    .filter(|_| rng.random_bool(0.3))
                    .collect();
                incremental_removals += usize::from(route.feasible);
                route.remove_stops(&model, |s| gone.contains(&model.stops[s as usize].job));
                let mut full = route.clone();
                full.update(&model);
                assert_same_caches(&route, &full);
            }
        }
        assert!(incremental_inserts > 3500, "{incremental_inserts}");
        assert!(incremental_removals > 3500, "{incremental_removals}");
    }
}
