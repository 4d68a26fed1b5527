//! Grafting: the parts of one plan that are better than the same parts of another.
//!
//! Two plans split into groups of vehicles that serve the same jobs in both: link each
//! vehicle with the vehicles that serve its jobs in the other plan, and take the connected
//! groups. Within a group, either plan's routes can stand in for the other's without touching
//! anything outside it (the same jobs are served, by the same vehicles), so the best plan can
//! take each group from whichever plan serves it cheaper. This is partition crossover (Whitley
//! et al.'s GPX for the TSP) with vehicles for the parts.
//!
//! Why: annealing keeps the best plan as one snapshot of the current one, but a dispatch day
//! falls apart into nearly independent parts (each store's drivers serve that store's orders),
//! and the current plan is often better in one part at a time when it is worse overall. Each
//! such part is kept the moment it beats the best plan's, instead of only when every part
//! happens to be good at once.

use crate::model::Model;
use crate::solution::{UNROUTED, WorkingSolution};

/// Reusable buffers for [`graft`].
#[derive(Debug, Default)]
pub(crate) struct GraftScratch {
    /// Union-find parents over the vehicles, plus one node (the last) for "unassigned".
    parent: Vec<u32>,
    /// Per group root: (vehicles used, cost) in `into` and in `from`.
    into_part: Vec<(usize, f64)>,
    from_part: Vec<(usize, f64)>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// Copies into `into` each group of routes that `from` serves better: at lower cost or, when
/// `fewest_vehicles` (the hierarchical objective's distance phase), with fewer vehicles and
/// then at lower cost. Groups that hold an unassigned job on either side are left as they
/// are. Costs are counted at full fixed cost. Returns whether anything was copied.
pub(crate) fn graft(
    model: &Model,
    into: &mut WorkingSolution,
    from: &WorkingSolution,
    fewest_vehicles: bool,
    scratch: &mut GraftScratch,
) -> bool {
    let vehicles = into.routes.len();
    let unassigned = vehicles as u32;
    let GraftScratch {
        parent,
        into_part,
        from_part,
    } = scratch;
    parent.clear();
    parent.extend(0..=unassigned);
    let node = |route: u32| if route == UNROUTED { unassigned } else { route };
    for (&a, &b) in into.job_route.iter().zip(&from.job_route) {
        if a == b {
            continue;
        }
        let (ra, rb) = (find(parent, node(a)), find(parent, node(b)));
        if ra != rb {
            parent[ra as usize] = rb;
        }
    }
    into_part.clear();
    into_part.resize(vehicles + 1, (0, 0.0));
    from_part.clear();
    from_part.resize(vehicles + 1, (0, 0.0));
    let mut differs = false;
    for r in 0..vehicles {
        let (a, b) = (&into.routes[r], &from.routes[r]);
        if a.stops == b.stops {
            continue;
        }
        differs = true;
        let root = find(parent, r as u32) as usize;
        into_part[root].0 += usize::from(!a.is_empty());
        into_part[root].1 += a.cost(model, 1.0);
        from_part[root].0 += usize::from(!b.is_empty());
        from_part[root].1 += b.cost(model, 1.0);
    }
    if !differs {
        return false;
    }
    let with_unassigned = find(parent, unassigned) as usize;
    let better = |root: usize| {
        let ((va, ca), (vb, cb)) = (into_part[root], from_part[root]);
        root != with_unassigned
            && if fewest_vehicles {
                (vb, cb) < (va, ca)
            } else {
                cb < ca
            }
    };
    let mut grafted = false;
    for r in 0..vehicles {
        let root = find(parent, r as u32) as usize;
        if !better(root) || into.routes[r].stops == from.routes[r].stops {
            continue;
        }
        grafted = true;
        into.routes[r].clone_from(&from.routes[r]);
        into.open[r] = from.open[r];
        for &s in &from.routes[r].stops {
            into.job_route[model.stops[s as usize].job as usize] = r as u32;
        }
    }
    grafted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::test_fixtures::{delivery, line_profile, round_trip_vehicle};

    /// A depot at 0, four customers east (10–13) and four west (−10 to −13) of it, three
    /// vehicles at the depot and one whose shift starts and ends at −11.
    fn two_sides() -> Problem {
        let xs = [0.0, 10.0, 11.0, 12.0, 13.0, -10.0, -11.0, -12.0, -13.0];
        let vehicle = |id: &str, at: usize| round_trip_vehicle(id, at, 1000.0, 10);
        Problem {
            profiles: vec![line_profile(&xs)],
            vehicles: vec![
                vehicle("east-a", 0),
                vehicle("east-b", 0),
                vehicle("west-a", 0),
                vehicle("west-b", 6),
            ],
            // Job (and stop) i is at location i + 1.
            jobs: (1..=8).map(delivery).collect(),
        }
    }

    /// A plan with these stops per vehicle; jobs on none are unassigned.
    fn plan(model: &Model, routes: [&[u32]; 4]) -> WorkingSolution {
        let mut solution = WorkingSolution::empty(model);
        for (r, stops) in routes.iter().enumerate() {
            solution.routes[r].stops = stops.to_vec();
            solution.routes[r].update(model);
            assert!(solution.routes[r].feasible);
            for &s in *stops {
                solution.job_route[s as usize] = r as u32;
            }
        }
        solution.unassigned = (0..8)
            .filter(|&j| solution.job_route[j as usize] == UNROUTED)
            .collect();
        solution
    }

    fn stops(solution: &WorkingSolution) -> Vec<Vec<u32>> {
        solution.routes.iter().map(|r| r.stops.clone()).collect()
    }

    /// The east's two depot vehicles form one group. `best` serves the east with both (48)
    /// and the west well (26); `current` the east with one route (26) and the west in a
    /// zigzag (28). The best plan takes the east from `current` and keeps its west: 52, less than
    /// either plan (74 and 54), and still a whole, consistent plan.
    #[test]
    fn takes_each_group_from_the_plan_that_serves_it_cheaper() {
        let problem = two_sides();
        let model = Model::new(&problem);
        let mut best = plan(&model, [&[0, 1], &[2, 3], &[4, 5, 6, 7], &[]]);
        let current = plan(&model, [&[], &[0, 1, 2, 3], &[4, 6, 5, 7], &[]]);
        assert_eq!((best.cost(&model), current.cost(&model)), (74.0, 54.0));
        let mut scratch = GraftScratch::default();
        assert!(graft(&model, &mut best, &current, false, &mut scratch));
        assert_eq!(best.cost(&model), 52.0);
        assert_eq!(
            stops(&best),
            vec![vec![], vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![]]
        );
        for (r, route) in best.routes.iter().enumerate() {
            for &s in &route.stops {
                assert_eq!(best.job_route[s as usize], r as u32);
            }
        }
        assert!(best.unassigned.is_empty());
        let solution = best.to_plan(&model, &problem, 0);
        assert!(crate::check(&problem, &solution).is_feasible());
        // Nothing left to take.
        assert!(!graft(&model, &mut best, &current, false, &mut scratch));
    }

    /// A group where the other plan leaves a job unassigned stays as it is, however short
    /// its routes are: the unassigned job's penalty is not the group's to trade.
    #[test]
    fn leaves_groups_with_unassigned_jobs_alone() {
        let problem = two_sides();
        let model = Model::new(&problem);
        let mut best = plan(&model, [&[0, 1], &[2, 3], &[4, 5, 6, 7], &[]]);
        let current = plan(&model, [&[], &[0, 2, 3], &[4, 5, 6, 7], &[]]);
        let before = stops(&best);
        assert!(!graft(
            &model,
            &mut best,
            &current,
            false,
            &mut GraftScratch::default()
        ));
        assert_eq!(stops(&best), before);
    }

    /// In the west, two routes (the depot to −10, and −11 to −13 from the vehicle parked at
    /// −11) cost 24 against one route's 26. By distance the best plan takes them; when the
    /// fewest vehicles come first it keeps its one route.
    #[test]
    fn fewer_vehicles_come_first_when_asked() {
        let problem = two_sides();
        let model = Model::new(&problem);
        let best = plan(&model, [&[0, 1, 2, 3], &[], &[4, 5, 6, 7], &[]]);
        let current = plan(&model, [&[0, 1, 2, 3], &[], &[4], &[5, 6, 7]]);
        assert_eq!(current.cost(&model), best.cost(&model) - 2.0);
        let mut scratch = GraftScratch::default();
        let mut by_distance = best.clone();
        assert!(graft(
            &model,
            &mut by_distance,
            &current,
            false,
            &mut scratch
        ));
        assert_eq!(stops(&by_distance), stops(&current));
        let mut by_vehicles = best.clone();
        assert!(!graft(
            &model,
            &mut by_vehicles,
            &current,
            true,
            &mut scratch
        ));
        assert_eq!(stops(&by_vehicles), stops(&best));
    }
}
