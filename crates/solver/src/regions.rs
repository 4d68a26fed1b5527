//! Several searches improving one plan side by side, each in a region of its own.
//!
//! Searches that only met at the end (the best plan, with the others' better route groups
//! grafted in) did not make a second core pay: at equal wall time, two threads beat one on
//! 58 % of the issue-25 sample at 400–1,000 stops, about what the best of two runs gives. A
//! 400-stop plan has room for two searches at once, as long as they do not work on the same
//! routes: ruin-and-recreate moves are local (a few strings near one stop), so a search that
//! only ruins and fills the routes of one part of the plan is a search on a smaller problem,
//! and each part gets the iterations a whole search would give it over twice the time.
//!
//! So during the annealing phases the searches share one plan, split into as many regions
//! as there are searches, or fewer where the plan is too small for that
//! ([`MIN_REGION_STOPS`]; searches then share a region, each walking it on its own, and the
//! better walk is kept): routes by where they run, along the axis between a random stop and
//! the stop farthest from it, into slices with as many stops each. For an epoch
//! ([`EPOCH_SHARE`] of the budget) each search anneals its own region only: the routes of the
//! others are closed to it, and it ruins and refills only its own routes and the unassigned
//! jobs it was given. Regions touch no common route or job, so at the epoch's end their
//! parts make a whole plan again, for the walk and for the best: the shared walk takes each
//! region's walk, and the best plan of the phase takes the plan made of each region's best
//! part if it is better (and, through `graft.rs`, each part that is better). Then the plan is
//! split again along another axis, so no boundary stays a boundary.
//!
//! Every search passes through the same phases, each with a [`Regions`] of its own: it joins
//! (waiting for the others; the best of their start plans is shared), meets at the end of
//! each epoch, and leaves when its budget runs out (never waiting then: the ones still in the
//! phase share the plan out among themselves). A search that is cancelled leaves at once, so
//! no one waits for it.
//!
//! What a search finds depends on how far the others have got, so a solve split this way is
//! not reproducible even when it stops by iteration count ([`SolveOptions::cooperate`]).
//!
//! [`SolveOptions::cooperate`]: crate::SolveOptions::cooperate

use std::sync::{Condvar, Mutex, MutexGuard};

use rand::{Rng, RngCore};

use crate::exchange::{Rank, rank};
use crate::graft::{GraftScratch, graft};
use crate::model::Model;
use crate::solution::{UNROUTED, WorkingSolution};

/// Share of the budget an epoch lasts: 0.47 s of a 30 s run, 0.16 s of the app's 10 s plan.
/// Long enough that a region's walk goes somewhere between two splits, short enough that
/// the boundaries move often (about 45 splits over the annealing phases).
pub(crate) const EPOCH_SHARE: f64 = 1.0 / 64.0;

/// Marks a route or job in no region (a closed vehicle, a routed job).
const NO_REGION: u16 = u16::MAX;

/// The fewest routed stops a region is made with. A region is a search on a smaller problem
/// only while it has routes enough to move jobs between: below this the plan is split into
/// fewer regions than there are searches, and searches share a region (each walks it on its
/// own; the better part is kept). A 100-stop plan is one region (the searches pick the better
/// walk each epoch), a 400-stop plan has room for 4, 2,000 stops for 20.
pub(crate) const MIN_REGION_STOPS: usize = 100;

/// One annealing phase shared by the searches of a solve.
#[derive(Debug)]
pub(crate) struct Regions {
    searches: usize,
    fewest_vehicles: bool,
    /// See [`MIN_REGION_STOPS`] (smaller in tests).
    min_region_stops: usize,
    state: Mutex<Option<Shared>>,
    changed: Condvar,
}

/// A search's part of the shared plan for one epoch.
#[derive(Debug)]
pub(crate) struct View {
    /// The shared walk with only the search's routes open and only its unassigned jobs listed
    /// (the others' are on no route and in no list: their penalties are a constant it does
    /// not see). Its fixed costs count fully; the caller weights them as its phase wants.
    pub walk: WorkingSolution,
    /// The best whole plan of the phase so far.
    pub best: WorkingSolution,
}

#[derive(Debug)]
struct Shared {
    /// Which search is where: joined, still in the phase, done with this epoch.
    joined: Vec<bool>,
    active: Vec<bool>,
    met: Vec<bool>,
    /// Counts epochs, so a waiting search knows when its epoch ended.
    epoch: u64,
    /// The shared walk (vehicles' `open` as the phase has them), and the plan made of the
    /// region bests written in during this epoch.
    walk: WorkingSolution,
    region_bests: WorkingSolution,
    best: WorkingSolution,
    /// Per search, its region; per vehicle, the region it is in; per job, the region that
    /// may place it (unassigned jobs only).
    search_region: Vec<u16>,
    vehicle_region: Vec<u16>,
    job_region: Vec<u16>,
    /// Per region, how good the parts written in this epoch are (walk, best): of searches
    /// that share a region, the better part is kept.
    written: Vec<Option<(Rank, Rank)>>,
    scratch: GraftScratch,
}

impl Regions {
    pub fn new(searches: usize, fewest_vehicles: bool, min_region_stops: usize) -> Self {
        Regions {
            searches,
            fewest_vehicles,
            min_region_stops,
            state: Mutex::new(None),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Shared>> {
        self.state
            .lock()
            .expect("no search panics while it holds the regions")
    }

    /// Joins the phase with `start` and waits until every search has; the best start (with
    /// each route group another start serves better) is the shared plan. Returns `search`'s
    /// first region.
    pub fn join(
        &self,
        model: &Model,
        search: usize,
        start: &WorkingSolution,
        rng: &mut dyn RngCore,
    ) -> View {
        let mut state = self.lock();
        let mut start = start.clone();
        start.fixed_cost_weight = 1.0;
        start.touched.clear();
        match state.as_mut() {
            None => {
                let mut joined = vec![false; self.searches];
                joined[search] = true;
                *state = Some(Shared {
                    joined,
                    active: vec![false; self.searches],
                    met: vec![false; self.searches],
                    epoch: 0,
                    region_bests: start.clone(),
                    best: start.clone(),
                    walk: start,
                    search_region: vec![NO_REGION; self.searches],
                    vehicle_region: Vec::new(),
                    job_region: Vec::new(),
                    written: Vec::new(),
                    scratch: GraftScratch::default(),
                });
            }
            Some(shared) => {
                shared.joined[search] = true;
                let fewest = self.fewest_vehicles;
                if rank(model, &start, fewest) < rank(model, &shared.best, fewest) {
                    std::mem::swap(&mut shared.best, &mut start);
                }
                graft(model, &mut shared.best, &start, fewest, &mut shared.scratch);
                shared.walk.clone_from(&shared.best);
                shared.region_bests.clone_from(&shared.best);
            }
        }
        let shared = state.as_mut().expect("joined");
        shared.active[search] = true;
        if shared.joined.iter().all(|&j| j) {
            shared.split(model, self.min_region_stops, rng);
            self.changed.notify_all();
        } else {
            let epoch = shared.epoch;
            state = self
                .changed
                .wait_while(state, |s| s.as_ref().is_some_and(|s| s.epoch == epoch))
                .expect("no search panics while it holds the regions");
        }
        state.as_ref().expect("joined").view(search)
    }

    /// Writes `search`'s region of `walk` and of `best` into the shared plan and waits for the
    /// others to finish the epoch. Returns `search`'s region for the next.
    pub fn meet(
        &self,
        model: &Model,
        search: usize,
        (walk, best): (&WorkingSolution, &WorkingSolution),
        rng: &mut dyn RngCore,
    ) -> View {
        let mut state = self.lock();
        let shared = state.as_mut().expect("joined before meeting");
        shared.write(model, self.fewest_vehicles, search, (walk, best));
        shared.met[search] = true;
        let epoch = shared.epoch;
        if shared.all_met() {
            shared.end_epoch(model, self, rng);
            self.changed.notify_all();
        } else {
            state = self
                .changed
                .wait_while(state, |s| s.as_ref().is_some_and(|s| s.epoch == epoch))
                .expect("no search panics while it holds the regions");
        }
        state.as_ref().expect("joined").view(search)
    }

    /// Writes `search`'s region in for the last time and leaves the phase without waiting.
    /// Returns the best whole plan of the phase so far (the last to leave gets everyone's).
    pub fn leave(
        &self,
        model: &Model,
        search: usize,
        (walk, best): (&WorkingSolution, &WorkingSolution),
        rng: &mut dyn RngCore,
    ) -> WorkingSolution {
        let mut state = self.lock();
        let shared = state.as_mut().expect("joined before leaving");
        shared.write(model, self.fewest_vehicles, search, (walk, best));
        shared.active[search] = false;
        // Those waiting for this epoch to end wait no more for this search.
        if shared.all_met() {
            shared.end_epoch(model, self, rng);
            self.changed.notify_all();
        }
        shared.best.clone()
    }
}

impl Shared {
    /// Every search still in the phase has met (vacuously true when none is).
    fn all_met(&self) -> bool {
        self.active.iter().zip(&self.met).all(|(&a, &m)| !a || m)
    }

    /// Copies `search`'s region's routes from its walk and its best into the shared plans,
    /// each unless another search in the region wrote a better one this epoch. (The jobs a
    /// region started the epoch with are the jobs of its routes and its unassigned list in
    /// any search's part of it, so any part fits the rest of the plan.)
    fn write(
        &mut self,
        model: &Model,
        fewest_vehicles: bool,
        search: usize,
        (walk, best): (&WorkingSolution, &WorkingSolution),
    ) {
        let region = self.search_region[search];
        if region == NO_REGION {
            return;
        }
        let part = |plan: &WorkingSolution| {
            let (mut vehicles, mut cost) = (0, 0.0);
            for (route, _) in plan
                .routes
                .iter()
                .zip(&self.vehicle_region)
                .filter(|&(route, &r)| r == region && !route.is_empty())
            {
                vehicles += 1;
                cost += route.cost(model, 1.0);
            }
            // A search's unassigned list holds its region's jobs only.
            Rank::new(plan.penalties(model), vehicles, cost, fewest_vehicles)
        };
        let (walk_rank, best_rank) = (part(walk), part(best));
        let (take_walk, take_best) = match self.written[region as usize] {
            None => (true, true),
            Some((w, b)) => (walk_rank < w, best_rank < b),
        };
        let (kept_walk, kept_best) =
            self.written[region as usize].unwrap_or((walk_rank, best_rank));
        self.written[region as usize] = Some((
            if take_walk { walk_rank } else { kept_walk },
            if take_best { best_rank } else { kept_best },
        ));
        for (r, &of) in self.vehicle_region.iter().enumerate() {
            if of == region {
                if take_walk {
                    self.walk.routes[r].clone_from(&walk.routes[r]);
                }
                if take_best {
                    self.region_bests.routes[r].clone_from(&best.routes[r]);
                }
            }
        }
    }

    /// Makes whole plans of the parts written in, keeps the better plan as the best, and
    /// splits the walk again among the searches still in the phase.
    fn end_epoch(&mut self, model: &Model, regions: &Regions, rng: &mut dyn RngCore) {
        let fewest_vehicles = regions.fewest_vehicles;
        relist(model, &mut self.walk);
        relist(model, &mut self.region_bests);
        if rank(model, &self.region_bests, fewest_vehicles)
            < rank(model, &self.best, fewest_vehicles)
        {
            std::mem::swap(&mut self.best, &mut self.region_bests);
        }
        graft(
            model,
            &mut self.best,
            &self.region_bests,
            fewest_vehicles,
            &mut self.scratch,
        );
        self.region_bests.clone_from(&self.walk);
        self.split(model, regions.min_region_stops, rng);
    }

    /// Shares the walk's routes and unassigned jobs out into regions of at least
    /// `min_region_stops` stops (at least one region), the regions among the active searches
    /// in turn, and starts an epoch.
    fn split(&mut self, model: &Model, min_region_stops: usize, rng: &mut dyn RngCore) {
        let active: Vec<usize> = (0..self.active.len()).filter(|&s| self.active[s]).collect();
        let routed: usize = self.walk.routes.iter().map(|r| r.len()).sum();
        let regions = active.len().min(routed / min_region_stops.max(1)).max(1);
        (self.vehicle_region, self.job_region) = partition(model, &self.walk, regions, rng);
        self.search_region.fill(NO_REGION);
        for (k, &s) in active.iter().enumerate() {
            self.search_region[s] = (k % regions) as u16;
        }
        self.written = vec![None; regions];
        self.met.fill(false);
        self.epoch += 1;
    }

    /// `search`'s part of the walk (see [`View`]).
    fn view(&self, search: usize) -> View {
        let mine = self.search_region[search];
        let mut walk = self.walk.clone();
        for (open, &region) in walk.open.iter_mut().zip(&self.vehicle_region) {
            *open &= region == mine;
        }
        walk.unassigned
            .retain(|&j| self.job_region[j as usize] == mine);
        View {
            walk,
            best: self.best.clone(),
        }
    }
}

/// Rebuilds `plan`'s job → route index and unassigned list from its routes.
fn relist(model: &Model, plan: &mut WorkingSolution) {
    plan.job_route.fill(UNROUTED);
    for (r, route) in plan.routes.iter().enumerate() {
        for &s in &route.stops {
            plan.job_route[model.stops[s as usize].job as usize] = r as u32;
        }
    }
    plan.unassigned.clear();
    plan.unassigned
        .extend((0..model.jobs.len() as u32).filter(|&j| plan.job_route[j as usize] == UNROUTED));
    plan.touched.clear();
}

/// Splits `plan` into `regions` (at least one): per vehicle and per unassigned job, the
/// region it is in. Routes are ordered along the axis from a random job's stop
/// to the stop farthest from it (by the mean, over their stops, of how much nearer the one
/// end is than the other) and cut into slices with about as many stops each; idle vehicles
/// (by their start) and unassigned jobs (by their first stop) go to the slice they fall in.
/// Closed vehicles and routed jobs are in no region.
fn partition(
    model: &Model,
    plan: &WorkingSolution,
    regions: usize,
    rng: &mut dyn RngCore,
) -> (Vec<u16>, Vec<u16>) {
    let mut vehicle_region = vec![NO_REGION; plan.routes.len()];
    let mut job_region = vec![NO_REGION; model.jobs.len()];
    if regions == 0 || model.jobs.is_empty() {
        return (vehicle_region, job_region);
    }
    let location = |job: usize| model.stops[model.jobs[job].first as usize].location;
    let a = location(rng.random_range(0..model.jobs.len()));
    let b = (0..model.jobs.len())
        .map(location)
        .max_by(|&x, &y| model.distance(0, a, x).total_cmp(&model.distance(0, a, y)))
        .expect("jobs");
    let along = |at: u32| model.distance(0, a, at) - model.distance(0, b, at);
    let mut used: Vec<(f64, usize)> = plan
        .routes
        .iter()
        .enumerate()
        .filter(|(r, route)| plan.open[*r] && !route.is_empty())
        .map(|(r, route)| {
            let sum: f64 = route
                .stops
                .iter()
                .map(|&s| along(model.stops[s as usize].location))
                .sum();
            (sum / route.len() as f64, r)
        })
        .collect();
    used.sort_by(|x, y| x.0.total_cmp(&y.0));
    // Cut where the stops so far reach each slice's share; `upper[i]` bounds slice i.
    let total: usize = used.iter().map(|&(_, r)| plan.routes[r].len()).sum();
    let slices = regions;
    let mut upper = vec![f64::INFINITY; slices];
    let mut slice = 0;
    let mut so_far = 0;
    for &(score, r) in &used {
        vehicle_region[r] = slice as u16;
        so_far += plan.routes[r].len();
        if slice + 1 < slices && so_far * slices >= total * (slice + 1) {
            upper[slice] = score;
            slice += 1;
        }
    }
    let slice_of = |score: f64| upper.iter().position(|&u| score <= u).unwrap_or(slices - 1);
    for (r, route) in plan.routes.iter().enumerate() {
        if plan.open[r] && route.is_empty() {
            let vehicle = &model.vehicles[route.vehicle as usize];
            let at = if vehicle.start != crate::model::NOWHERE {
                vehicle.start
            } else {
                vehicle.end
            };
            vehicle_region[r] = slice_of(along(at)) as u16;
        }
    }
    for &j in &plan.unassigned {
        job_region[j as usize] = slice_of(along(location(j as usize))) as u16;
    }
    (vehicle_region, job_region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::recreate::{GreedyBlinks, Recreate};
    use crate::test_fixtures::{delivery, line_profile, round_trip_vehicle};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    /// Twenty stops on a line either side of a depot at 0 (−10…−1 and 1…10), six vehicles of
    /// capacity 4 there: a greedy plan and its model.
    fn line_plan() -> (Problem, WorkingSolution) {
        let xs: Vec<f64> = std::iter::once(0.0)
            .chain((1..=10).map(|x| -f64::from(x)))
            .chain((1..=10).map(f64::from))
            .collect();
        let problem = Problem {
            profiles: vec![line_profile(&xs)],
            vehicles: (0..6)
                .map(|v| round_trip_vehicle(&v.to_string(), 0, 1000.0, 4))
                .collect(),
            jobs: (1..=20).map(delivery).collect(),
        };
        let model = Model::new(&problem);
        let mut plan = WorkingSolution::empty(&model);
        GreedyBlinks {
            blink_rate: 0.0,
            granularity: 0,
        }
        .recreate(&model, &mut plan, &mut StdRng::seed_from_u64(1));
        assert!(plan.unassigned.is_empty());
        (problem, plan)
    }

    #[test]
    fn every_open_vehicle_and_unassigned_job_is_in_one_region_of_balanced_size() {
        let (problem, mut plan) = line_plan();
        let model = Model::new(&problem);
        plan.remove_jobs(&model, &[0, 19]);
        plan.open[5] = false;
        for seed in 0..20 {
            let (vehicles, jobs) = partition(&model, &plan, 2, &mut StdRng::seed_from_u64(seed));
            let mut stops = [0usize; 2];
            for (r, &region) in vehicles.iter().enumerate() {
                if plan.open[r] {
                    assert!(region < 2, "seed {seed}: vehicle {r} in no region");
                    stops[region as usize] += plan.routes[r].len();
                } else {
                    assert_eq!(region, NO_REGION, "seed {seed}: a closed vehicle");
                }
            }
            // 18 routed stops on routes of up to 4: neither side is empty or has most.
            assert!(stops[0] >= 4 && stops[1] >= 4, "seed {seed}: {stops:?}");
            for (j, &region) in jobs.iter().enumerate() {
                let unassigned = plan.unassigned.contains(&(j as u32));
                assert_eq!(region < 2, unassigned, "seed {seed}: job {j}");
            }
        }
    }

    #[test]
    fn one_region_has_everything() {
        let (problem, plan) = line_plan();
        let model = Model::new(&problem);
        let (vehicles, _) = partition(&model, &plan, 1, &mut StdRng::seed_from_u64(1));
        assert!(vehicles.iter().all(|&r| r == 0));
    }

    /// A plan too small for two regions is one, which both searches walk; meeting keeps the
    /// better walk and the better best.
    #[test]
    fn searches_sharing_a_region_keep_the_better_part() {
        let (problem, plan) = line_plan();
        let model = Model::new(&problem);
        let regions = Regions::new(2, false, 1000);
        let next = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|search| {
                    let (regions, model, plan) = (&regions, &model, &plan);
                    scope.spawn(move || {
                        let mut rng = StdRng::seed_from_u64(search as u64);
                        let view = regions.join(model, search, plan, &mut rng);
                        assert!(view.walk.open.iter().all(|&o| o), "the whole plan");
                        let mut walk = view.walk;
                        if search == 0 {
                            // Search 0 makes its walk (and so its best) worse.
                            walk.remove_jobs(model, &[0, 1, 2]);
                        }
                        regions.meet(model, search, (&walk, &walk), &mut rng)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        for view in &next {
            assert!(view.walk.unassigned.is_empty(), "the better walk was kept");
            assert_eq!(view.walk.job_route, plan.job_route);
            assert_eq!(view.best.job_route, plan.job_route);
        }
    }

    /// Two searches join, each changes only its own region, and meeting puts the parts
    /// together: the walk has both changes, the best is a whole plan, and a search that
    /// leaves is no longer waited for.
    #[test]
    fn regions_written_in_make_a_whole_plan() {
        let (problem, plan) = line_plan();
        let model = Model::new(&problem);
        let regions = Regions::new(2, false, 1);
        let views = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|search| {
                    let (regions, model, plan) = (&regions, &model, &plan);
                    scope.spawn(move || {
                        let mut rng = StdRng::seed_from_u64(search as u64);
                        let view = regions.join(model, search, plan, &mut rng);
                        // Take every job of the region off its routes: a change only here.
                        let mut walk = view.walk;
                        let mine: Vec<u32> = (0..walk.routes.len())
                            .filter(|&r| walk.open[r])
                            .flat_map(|r| walk.routes[r].stops.clone())
                            .map(|s| model.stops[s as usize].job)
                            .collect();
                        walk.remove_jobs(model, &mine);
                        let next = regions.meet(model, search, (&walk, &view.best), &mut rng);
                        (mine, next)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        });
        let (mine0, next0) = &views[0];
        let (mine1, next1) = &views[1];
        assert_eq!(
            mine0.len() + mine1.len(),
            20,
            "the regions cover every job once"
        );
        // The shared walk now has every job unassigned and no routed stop: too little for
        // two regions, so both searches walk the one region, every job theirs to place.
        for next in [next0, next1] {
            assert_eq!(next.walk.unassigned, (0..20).collect::<Vec<u32>>());
            assert!(next.walk.routes.iter().all(|r| r.is_empty()));
        }
        // The best stayed the complete start plan (emptier walks are worse).
        assert!(next0.best.unassigned.is_empty());
        assert_eq!(next0.best.job_route, plan.job_route);
        // One leaves; the other meets alone without waiting.
        let mut rng = StdRng::seed_from_u64(9);
        let best = regions.leave(&model, 0, (&next0.walk, &next0.best), &mut rng);
        assert!(best.unassigned.is_empty());
        let alone = regions.meet(&model, 1, (&next1.walk, &next1.best), &mut rng);
        assert_eq!(
            alone.walk.unassigned.len(),
            20,
            "every job is now the last search's"
        );
        let last = regions.leave(&model, 1, (&alone.walk, &alone.best), &mut rng);
        assert_eq!(last.job_route, plan.job_route);
    }
}
