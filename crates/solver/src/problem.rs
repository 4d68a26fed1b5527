//! The problem model: what the app, the RouteMate import and the benchmark all build.
//!
//! Locations are indices into the travel matrices of each [`Profile`]; every vehicle names the
//! profile it travels with, so a bicycle and a van can share the same stops at different speeds.
//! The plain JSON form is the serde form of these types (documented in the crate README).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A closed interval in which service may *start*.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: f64,
    pub end: f64,
}

impl TimeWindow {
    pub fn new(start: f64, end: f64) -> Self {
        Self { start, end }
    }
}

/// One place a vehicle must visit for a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    pub location: usize,
    /// Time spent at the stop once service has started.
    #[serde(default)]
    pub service: f64,
    /// Allowed service start times, sorted and disjoint. Empty means "any time in the shift".
    #[serde(default)]
    pub windows: Vec<TimeWindow>,
}

/// What a job asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Task {
    /// A single stop. `delivery` is loaded at the vehicle's start and dropped here; `pickup` is
    /// collected here and carried to the vehicle's end. Empty vectors mean zero.
    Single {
        stop: Stop,
        #[serde(default)]
        delivery: Vec<i64>,
        #[serde(default)]
        pickup: Vec<i64>,
    },
    /// Collect `amount` at `pickup` and drop it at `delivery`, on the same route, pickup first.
    /// A store → customer delivery and a customer → store fetch are both pairs.
    Pair {
        pickup: Stop,
        delivery: Stop,
        #[serde(default)]
        amount: Vec<i64>,
    },
}

fn default_penalty() -> f64 {
    DEFAULT_UNASSIGNED_PENALTY
}

/// Large enough that dropping a job never pays for itself on city-scale distances, small enough
/// that the sum over many jobs stays exact in f64.
pub const DEFAULT_UNASSIGNED_PENALTY: f64 = 1.0e6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    #[serde(flatten)]
    pub task: Task,
    /// Cost added when the job is left unassigned.
    #[serde(default = "default_penalty")]
    pub penalty: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub id: String,
    /// Index into [`Problem::profiles`].
    #[serde(default)]
    pub profile: usize,
    /// Where the route starts; `None` starts at the first stop.
    pub start: Option<usize>,
    /// Where the route ends; `None` ends at the last stop (an open route).
    pub end: Option<usize>,
    /// The vehicle leaves its start at `shift.start` and must be at its end by `shift.end`.
    pub shift: TimeWindow,
    /// One value per capacity dimension.
    pub capacity: Vec<i64>,
    /// Cost of using the vehicle at all.
    #[serde(default)]
    pub fixed_cost: f64,
    /// Arrival at the end minus `shift.start` (waiting counts) must not exceed this.
    #[serde(default)]
    pub max_duration: Option<f64>,
}

/// Travel matrices for one kind of vehicle, indexed `[from][to]` by location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub durations: Vec<Vec<f64>>,
    /// The cost matrix. When empty, the durations are the distances.
    #[serde(default)]
    pub distances: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub profiles: Vec<Profile>,
    pub vehicles: Vec<Vehicle>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Error, PartialEq)]
pub enum ProblemError {
    #[error("profile {profile}: {what} matrix is not {n}×{n}")]
    MatrixShape {
        profile: usize,
        what: &'static str,
        n: usize,
    },
    #[error("profile {profile}: {what} matrix has a negative or non-finite entry")]
    MatrixValue { profile: usize, what: &'static str },
    #[error("no travel profile given")]
    NoProfile,
    #[error("vehicle {vehicle}: profile {profile} does not exist")]
    UnknownProfile { vehicle: String, profile: usize },
    #[error("{owner}: location {location} is outside the matrices (size {n})")]
    UnknownLocation {
        owner: String,
        location: usize,
        n: usize,
    },
    #[error("{owner}: time window [{start}, {end}] is empty, unsorted or overlapping")]
    BadWindow { owner: String, start: f64, end: f64 },
    #[error("{owner}: {what} has {got} capacity dimensions, vehicles have {expected}")]
    Dimensions {
        owner: String,
        what: &'static str,
        got: usize,
        expected: usize,
    },
    #[error("{owner}: negative amount or capacity")]
    NegativeAmount { owner: String },
    #[error("job {job}: service time or penalty is negative or not finite")]
    BadNumber { job: String },
    #[error("the JSON form is invalid: {0}")]
    Json(String),
}

impl Problem {
    /// Parses the plain JSON form and validates it.
    pub fn from_json(text: &str) -> Result<Self, ProblemError> {
        let problem: Problem =
            serde_json::from_str(text).map_err(|e| ProblemError::Json(e.to_string()))?;
        problem.validate()?;
        Ok(problem)
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialisation cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Number of capacity dimensions (taken from the first vehicle).
    pub fn dimensions(&self) -> usize {
        self.vehicles.first().map_or(0, |v| v.capacity.len())
    }

    pub fn location_count(&self) -> usize {
        self.profiles.first().map_or(0, |p| p.durations.len())
    }

    pub fn validate(&self) -> Result<(), ProblemError> {
        let Some(first) = self.profiles.first() else {
            return Err(ProblemError::NoProfile);
        };
        let n = first.durations.len();
        for (index, profile) in self.profiles.iter().enumerate() {
            check_matrix(index, "durations", &profile.durations, n)?;
            if !profile.distances.is_empty() {
                check_matrix(index, "distances", &profile.distances, n)?;
            }
        }
        let dims = self.dimensions();
        let location = |owner: &str, location: usize| {
            if location < n {
                Ok(())
            } else {
                Err(ProblemError::UnknownLocation {
                    owner: owner.to_string(),
                    location,
                    n,
                })
            }
        };
        let amounts = |owner: &str, what: &'static str, values: &[i64], allow_empty: bool| {
            if values.is_empty() && allow_empty {
                return Ok(());
            }
            if values.len() != dims {
                return Err(ProblemError::Dimensions {
                    owner: owner.to_string(),
                    what,
                    got: values.len(),
                    expected: dims,
                });
            }
            if values.iter().any(|&v| v < 0) {
                return Err(ProblemError::NegativeAmount {
                    owner: owner.to_string(),
                });
            }
            Ok(())
        };
        for vehicle in &self.vehicles {
            let owner = format!("vehicle {}", vehicle.id);
            if vehicle.profile >= self.profiles.len() {
                return Err(ProblemError::UnknownProfile {
                    vehicle: vehicle.id.clone(),
                    profile: vehicle.profile,
                });
            }
            for loc in [vehicle.start, vehicle.end].into_iter().flatten() {
                location(&owner, loc)?;
            }
            check_windows(&owner, std::slice::from_ref(&vehicle.shift))?;
            amounts(&owner, "capacity", &vehicle.capacity, false)?;
        }
        for job in &self.jobs {
            let owner = format!("job {}", job.id);
            if !(job.penalty.is_finite() && job.penalty >= 0.0) {
                return Err(ProblemError::BadNumber {
                    job: job.id.clone(),
                });
            }
            let stops: Vec<&Stop> = match &job.task {
                Task::Single {
                    stop,
                    delivery,
                    pickup,
                } => {
                    amounts(&owner, "delivery", delivery, true)?;
                    amounts(&owner, "pickup", pickup, true)?;
                    vec![stop]
                }
                Task::Pair {
                    pickup,
                    delivery,
                    amount,
                } => {
                    amounts(&owner, "amount", amount, true)?;
                    vec![pickup, delivery]
                }
            };
            for stop in stops {
                location(&owner, stop.location)?;
                check_windows(&owner, &stop.windows)?;
                if !(stop.service.is_finite() && stop.service >= 0.0) {
                    return Err(ProblemError::BadNumber {
                        job: job.id.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

fn check_matrix(
    profile: usize,
    what: &'static str,
    matrix: &[Vec<f64>],
    n: usize,
) -> Result<(), ProblemError> {
    if matrix.len() != n || matrix.iter().any(|row| row.len() != n) {
        return Err(ProblemError::MatrixShape { profile, what, n });
    }
    if matrix
        .iter()
        .flatten()
        .any(|v| !(v.is_finite() && *v >= 0.0))
    {
        return Err(ProblemError::MatrixValue { profile, what });
    }
    Ok(())
}

fn check_windows(owner: &str, windows: &[TimeWindow]) -> Result<(), ProblemError> {
    let mut previous_end = f64::NEG_INFINITY;
    for w in windows {
        if !(w.start <= w.end && w.start > previous_end) || w.start.is_nan() || w.end.is_nan() {
            return Err(ProblemError::BadWindow {
                owner: owner.to_string(),
                start: w.start,
                end: w.end,
            });
        }
        previous_end = w.end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Problem {
        Problem {
            profiles: vec![Profile {
                name: "car".into(),
                durations: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
                distances: Vec::new(),
            }],
            vehicles: vec![Vehicle {
                id: "v".into(),
                profile: 0,
                start: Some(0),
                end: Some(0),
                shift: TimeWindow::new(0.0, 10.0),
                capacity: vec![5],
                fixed_cost: 0.0,
                max_duration: None,
            }],
            jobs: vec![Job {
                id: "j".into(),
                task: Task::Single {
                    stop: Stop {
                        location: 1,
                        service: 0.0,
                        windows: vec![TimeWindow::new(0.0, 2.0), TimeWindow::new(4.0, 6.0)],
                    },
                    delivery: vec![1],
                    pickup: Vec::new(),
                },
                penalty: DEFAULT_UNASSIGNED_PENALTY,
            }],
        }
    }

    #[test]
    fn accepts_a_valid_problem_and_round_trips_json() {
        let problem = valid();
        assert_eq!(problem.validate(), Ok(()));
        assert_eq!(Problem::from_json(&problem.to_json()), Ok(problem));
    }

    #[test]
    fn rejects_what_the_search_cannot_handle() {
        let mut p = valid();
        p.profiles[0].durations[1].pop();
        assert!(matches!(
            p.validate(),
            Err(ProblemError::MatrixShape { .. })
        ));

        let mut p = valid();
        p.vehicles[0].end = Some(7);
        assert!(matches!(
            p.validate(),
            Err(ProblemError::UnknownLocation { .. })
        ));

        let mut p = valid();
        if let Task::Single { stop, .. } = &mut p.jobs[0].task {
            stop.windows = vec![TimeWindow::new(0.0, 5.0), TimeWindow::new(4.0, 6.0)];
        }
        assert!(matches!(p.validate(), Err(ProblemError::BadWindow { .. })));

        let mut p = valid();
        if let Task::Single { delivery, .. } = &mut p.jobs[0].task {
            *delivery = vec![1, 2];
        }
        assert!(matches!(p.validate(), Err(ProblemError::Dimensions { .. })));

        let mut p = valid();
        p.vehicles[0].profile = 3;
        assert!(matches!(
            p.validate(),
            Err(ProblemError::UnknownProfile { .. })
        ));

        assert!(matches!(
            Problem::from_json("{\"profiles\": []}"),
            Err(ProblemError::Json(_))
        ));
    }
}
