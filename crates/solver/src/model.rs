//! The compiled, index-based form of a [`Problem`] that the search works on: stops flattened into
//! one array, matrices flattened, loads expressed as (start load, delta) so that capacity checks
//! for every kind of job reduce to prefix/suffix maxima over a route.

use crate::problem::{Problem, Task, TimeWindow};

/// Location index meaning "nowhere": travel to and from it is free (open route ends).
pub(crate) const NOWHERE: u32 = u32::MAX;

/// Feasibility tolerance: both the search and the checker accept lateness up to this, so that
/// floating-point sums of travel times never reject a route that is feasible on paper.
pub const TIME_EPSILON: f64 = 1e-6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopRole {
    Single,
    Pickup,
    Delivery,
}

#[derive(Debug, Clone)]
pub(crate) struct StopNode {
    pub job: u32,
    pub role: StopRole,
    pub location: u32,
    pub service: f64,
    pub windows: Vec<TimeWindow>,
}

#[derive(Debug, Clone)]
pub(crate) struct JobNode {
    /// First stop id; a pair's delivery is `first + 1`.
    pub first: u32,
    pub is_pair: bool,
    pub penalty: f64,
    /// Sum of the job's amounts over all dimensions: the "demand" insertion order sorts by.
    pub size: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct VehicleNode {
    pub profile: usize,
    pub start: u32,
    pub end: u32,
    pub shift: TimeWindow,
    /// Latest arrival at the end: the shift end, tightened by the maximum duration.
    pub latest_end: f64,
    pub capacity: Vec<i64>,
    pub fixed_cost: f64,
    /// Vehicles with the same class are interchangeable; only one empty one is ever tried.
    pub class: u32,
}

#[derive(Debug)]
pub(crate) struct Model {
    pub dims: usize,
    pub n_locations: usize,
    pub stops: Vec<StopNode>,
    /// `dims` values per stop: what inserting the stop adds to the load at the route start.
    pub start_load: Vec<i64>,
    /// `dims` values per stop: load change when the stop is served.
    pub delta: Vec<i64>,
    pub jobs: Vec<JobNode>,
    pub vehicles: Vec<VehicleNode>,
    /// The distinct travel matrices (flattened, row-major), each stored once: profiles whose
    /// durations or distances are bit-for-bit equal share one copy (vehicle types that differ
    /// only in speed have the same road metres; a profile without distances uses its
    /// durations). Memory is what limits the matrices at 2,000 stops × several vehicle types.
    matrices: Vec<PooledMatrix>,
    /// Per profile, the index into `matrices` of its durations and of its distances.
    duration_of: Vec<usize>,
    distance_of: Vec<usize>,
    /// For each job, the other jobs by increasing distance (SISR's adjacency lists).
    pub neighbours: Vec<Vec<u32>>,
}

/// Neighbour lists longer than this add memory without changing what string removal reaches.
const MAX_NEIGHBOURS: usize = 200;

/// A flattened `n × n` matrix and its transpose, `None` where it is symmetric. Insertion checks
/// read "from every route node to this stop" as often as "from this stop": walking a column of
/// a city-sized matrix misses the cache at every step, walking a row does not.
#[derive(Debug)]
struct PooledMatrix {
    out: Vec<f64>,
    into: Option<Vec<f64>>,
}

/// Index of `matrix` in `pool`, added (with its transpose) unless a bit-identical one is there.
fn pooled(pool: &mut Vec<PooledMatrix>, matrix: &[Vec<f64>], n: usize) -> usize {
    let same = |m: &PooledMatrix| {
        m.out
            .iter()
            .zip(matrix.iter().flatten())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    };
    if let Some(index) = pool.iter().position(same) {
        return index;
    }
    let out = flatten(matrix);
    let into = transpose(&out, n);
    pool.push(PooledMatrix { out, into });
    pool.len() - 1
}

fn flatten(matrix: &[Vec<f64>]) -> Vec<f64> {
    matrix.iter().flatten().copied().collect()
}

/// The transpose of a flattened `n × n` matrix, or `None` if it is symmetric (then the matrix
/// is its own transpose).
fn transpose(matrix: &[f64], n: usize) -> Option<Vec<f64>> {
    let symmetric = (0..n).all(|i| (i + 1..n).all(|j| matrix[i * n + j] == matrix[j * n + i]));
    if symmetric {
        return None;
    }
    Some((0..n * n).map(|k| matrix[(k % n) * n + k / n]).collect())
}

impl Model {
    /// Builds the model; `problem` must have passed [`Problem::validate`].
    pub fn new(problem: &Problem) -> Self {
        let dims = problem.dimensions();
        let n_locations = problem.location_count();
        let mut stops = Vec::new();
        let mut start_load = Vec::new();
        let mut delta = Vec::new();
        let mut jobs = Vec::new();
        let padded = |v: &[i64]| -> Vec<i64> {
            if v.is_empty() {
                vec![0; dims]
            } else {
                v.to_vec()
            }
        };
        for (index, job) in problem.jobs.iter().enumerate() {
            let job_id = index as u32;
            let first = stops.len() as u32;
            let node = |stop: &crate::problem::Stop, role| StopNode {
                job: job_id,
                role,
                location: stop.location as u32,
                service: stop.service,
                windows: stop.windows.clone(),
            };
            match &job.task {
                Task::Single {
                    stop,
                    delivery,
                    pickup,
                } => {
                    let delivery = padded(delivery);
                    let pickup = padded(pickup);
                    stops.push(node(stop, StopRole::Single));
                    start_load.extend(&delivery);
                    delta.extend(pickup.iter().zip(&delivery).map(|(p, d)| p - d));
                    jobs.push(JobNode {
                        first,
                        is_pair: false,
                        penalty: job.penalty,
                        size: delivery.iter().chain(&pickup).sum(),
                    });
                }
                Task::Pair {
                    pickup,
                    delivery,
                    amount,
                } => {
                    let amount = padded(amount);
                    stops.push(node(pickup, StopRole::Pickup));
                    stops.push(node(delivery, StopRole::Delivery));
                    start_load.extend(std::iter::repeat_n(0, 2 * dims));
                    delta.extend(&amount);
                    delta.extend(amount.iter().map(|a| -a));
                    jobs.push(JobNode {
                        first,
                        is_pair: true,
                        penalty: job.penalty,
                        size: amount.iter().sum(),
                    });
                }
            }
        }
        let mut classes: Vec<String> = Vec::new();
        let vehicles = problem
            .vehicles
            .iter()
            .map(|v| {
                let signature = format!(
                    "{}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
                    v.profile, v.start, v.end, v.shift, v.capacity, v.fixed_cost, v.max_duration
                );
                let class = classes
                    .iter()
                    .position(|c| *c == signature)
                    .unwrap_or_else(|| {
                        classes.push(signature);
                        classes.len() - 1
                    }) as u32;
                let latest_end = v
                    .max_duration
                    .map_or(v.shift.end, |d| v.shift.end.min(v.shift.start + d));
                VehicleNode {
                    profile: v.profile,
                    start: v.start.map_or(NOWHERE, |l| l as u32),
                    end: v.end.map_or(NOWHERE, |l| l as u32),
                    shift: v.shift,
                    latest_end,
                    capacity: v.capacity.clone(),
                    fixed_cost: v.fixed_cost,
                    class,
                }
            })
            .collect();
        let mut matrices = Vec::new();
        let (mut duration_of, mut distance_of) = (Vec::new(), Vec::new());
        for p in &problem.profiles {
            duration_of.push(pooled(&mut matrices, &p.durations, n_locations));
            let distances = if p.distances.is_empty() {
                &p.durations
            } else {
                &p.distances
            };
            distance_of.push(pooled(&mut matrices, distances, n_locations));
        }
        let mut model = Model {
            dims,
            n_locations,
            stops,
            start_load,
            delta,
            jobs,
            vehicles,
            matrices,
            duration_of,
            distance_of,
            neighbours: Vec::new(),
        };
        model.neighbours = model.build_neighbours();
        model
    }

    fn build_neighbours(&self) -> Vec<Vec<u32>> {
        let job_stops = |j: &JobNode| {
            let count = if j.is_pair { 2 } else { 1 };
            (j.first..j.first + count).map(|s| self.stops[s as usize].location)
        };
        self.jobs
            .iter()
            .enumerate()
            .map(|(a, job_a)| {
                let mut others: Vec<(f64, f64, u32)> = self
                    .jobs
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| *b != a)
                    .map(|(b, job_b)| {
                        // Jobs are close when any of their stops are: a pair's delivery next to
                        // a single stop is a good reason to ruin them together.
                        let d = job_stops(job_a)
                            .flat_map(|la| job_stops(job_b).map(move |lb| (la, lb)))
                            .map(|(la, lb)| self.distance(0, la, lb).min(self.distance(0, lb, la)))
                            .fold(f64::INFINITY, f64::min);
                        // Pairs from one store all share a stop: among those ties, the pairs
                        // whose other ends are close come first (else the "nearest" jobs would
                        // be the store's jobs in input order, scattered over its whole area).
                        let ends = if job_a.is_pair && job_b.is_pair {
                            let (pa, da) = (
                                self.stops[job_a.first as usize].location,
                                self.stops[job_a.first as usize + 1].location,
                            );
                            let (pb, db) = (
                                self.stops[job_b.first as usize].location,
                                self.stops[job_b.first as usize + 1].location,
                            );
                            let near =
                                |x: u32, y: u32| self.distance(0, x, y).min(self.distance(0, y, x));
                            (near(pa, pb) + near(da, db)).min(near(pa, db) + near(da, pb))
                        } else {
                            0.0
                        };
                        (d, ends, b as u32)
                    })
                    .collect();
                others.sort_by(|x, y| {
                    x.0.total_cmp(&y.0)
                        .then(x.1.total_cmp(&y.1))
                        .then(x.2.cmp(&y.2))
                });
                others.truncate(MAX_NEIGHBOURS);
                others.into_iter().map(|(_, _, b)| b).collect()
            })
            .collect()
    }

    #[inline]
    pub fn duration(&self, profile: usize, from: u32, to: u32) -> f64 {
        if from == NOWHERE || to == NOWHERE {
            0.0
        } else {
            self.matrices[self.duration_of[profile]].out
                [from as usize * self.n_locations + to as usize]
        }
    }

    #[inline]
    pub fn distance(&self, profile: usize, from: u32, to: u32) -> f64 {
        if from == NOWHERE || to == NOWHERE {
            0.0
        } else {
            self.matrices[self.distance_of[profile]].out
                [from as usize * self.n_locations + to as usize]
        }
    }

    #[inline]
    pub fn start_load(&self, stop: u32) -> &[i64] {
        let s = stop as usize * self.dims;
        &self.start_load[s..s + self.dims]
    }

    #[inline]
    pub fn delta(&self, stop: u32) -> &[i64] {
        let s = stop as usize * self.dims;
        &self.delta[s..s + self.dims]
    }
}

/// Travel between one location and every other, as two rows read by index: the insertion
/// checks fix the inserted stop and vary the route node, and a plain row read (no profile
/// lookup, no transpose match, the open-end case folded into the bounds check) is most of what
/// they do.
#[derive(Clone, Copy)]
pub(crate) struct Around<'m> {
    out: &'m [f64],
    back: &'m [f64],
}

impl Around<'_> {
    /// From this location to `to` (0 to or from nowhere).
    #[inline]
    pub fn to(&self, to: u32) -> f64 {
        self.out.get(to as usize).copied().unwrap_or(0.0)
    }

    /// From `from` to this location (0 to or from nowhere).
    #[inline]
    pub fn from(&self, from: u32) -> f64 {
        self.back.get(from as usize).copied().unwrap_or(0.0)
    }
}

impl Model {
    fn around<'m>(&self, matrix: &'m PooledMatrix, at: u32) -> Around<'m> {
        let (matrix, transposed) = (&matrix.out, &matrix.into);
        if at == NOWHERE {
            return Around {
                out: &[],
                back: &[],
            };
        }
        let row = at as usize * self.n_locations..(at as usize + 1) * self.n_locations;
        Around {
            out: &matrix[row.clone()],
            back: &transposed.as_deref().unwrap_or(matrix)[row],
        }
    }

    /// Distances from and to `at` under `profile`.
    #[inline]
    pub fn distances_around(&self, profile: usize, at: u32) -> Around<'_> {
        self.around(&self.matrices[self.distance_of[profile]], at)
    }

    /// Travel times from and to `at` under `profile`.
    #[inline]
    pub fn durations_around(&self, profile: usize, at: u32) -> Around<'_> {
        self.around(&self.matrices[self.duration_of[profile]], at)
    }
}

/// Earliest service start at or after `arrival` inside `windows` (empty = always open).
#[inline]
pub(crate) fn earliest_start(windows: &[TimeWindow], arrival: f64) -> Option<f64> {
    if windows.is_empty() {
        return Some(arrival);
    }
    windows
        .iter()
        .find(|w| w.end + TIME_EPSILON >= arrival)
        .map(|w| w.start.max(arrival))
}

/// Latest service start at or before `bound` inside `windows` (empty = always open).
#[inline]
pub(crate) fn latest_start(windows: &[TimeWindow], bound: f64) -> Option<f64> {
    if windows.is_empty() {
        return Some(bound);
    }
    windows
        .iter()
        .rev()
        .find(|w| w.start <= bound + TIME_EPSILON)
        .map(|w| w.end.min(bound))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Profile, TimeWindow, Vehicle};
    use crate::test_fixtures::{delivery, line_profile};

    fn vehicle(profile: usize) -> Vehicle {
        Vehicle {
            id: format!("v{profile}"),
            profile,
            start: Some(0),
            end: Some(0),
            shift: TimeWindow::new(0.0, 1000.0),
            capacity: vec![10],
            fixed_cost: 0.0,
            max_duration: None,
        }
    }

    /// Profiles with bit-identical matrices share one copy, and every profile still reads its
    /// own values; a matrix differing in one entry (even only in the sign of a zero) or a
    /// transposed one is kept apart.
    #[test]
    fn identical_matrices_are_stored_once() {
        let xs = [0.0, 3.0, 7.0, 12.0];
        let base = line_profile(&xs);
        let slower = |p: &Profile| {
            p.durations
                .iter()
                .map(|r| r.iter().map(|d| d * 2.0).collect())
                .collect()
        };
        let mut asymmetric = base.durations.clone();
        asymmetric[0][1] += 1.0;
        let mut signed_zero = base.durations.clone();
        signed_zero[2][2] = -0.0;
        let profiles = vec![
            // Durations used as distances.
            base.clone(),
            // Slower, same distances as the first.
            Profile {
                name: "slow".into(),
                durations: slower(&base),
                distances: base.durations.clone(),
            },
            // Same again: shares both.
            Profile {
                name: "slow2".into(),
                durations: slower(&base),
                distances: base.durations.clone(),
            },
            Profile {
                name: "asym".into(),
                durations: asymmetric.clone(),
                distances: signed_zero.clone(),
            },
        ];
        let problem = Problem {
            vehicles: (0..profiles.len()).map(vehicle).collect(),
            profiles,
            jobs: (1..4).map(delivery).collect(),
        };
        problem.validate().unwrap();
        let model = Model::new(&problem);
        // base, slow, asymmetric, signed zero.
        assert_eq!(model.matrices.len(), 4);
        assert_eq!(model.duration_of, [0, 1, 1, 2]);
        assert_eq!(model.distance_of, [0, 0, 0, 3]);
        assert!(model.matrices[2].into.is_some() && model.matrices[0].into.is_none());
        for (p, profile) in problem.profiles.iter().enumerate() {
            let distances = if profile.distances.is_empty() {
                &profile.durations
            } else {
                &profile.distances
            };
            for (i, (time_row, distance_row)) in profile.durations.iter().zip(distances).enumerate()
            {
                for (j, (&time, &distance)) in time_row.iter().zip(distance_row).enumerate() {
                    let (a, b) = (i as u32, j as u32);
                    assert_eq!(model.duration(p, a, b).to_bits(), time.to_bits());
                    assert_eq!(model.distance(p, a, b).to_bits(), distance.to_bits());
                    assert_eq!(model.durations_around(p, a).to(b), time);
                    assert_eq!(model.durations_around(p, b).from(a), time);
                    assert_eq!(model.distances_around(p, b).from(a), distance);
                }
            }
        }
    }
}
