//! Builders for the small hand-made problems of the unit tests.

use crate::problem::{Job, Profile, Stop, Task, TimeWindow, Vehicle};

/// Travel times (and distances) between points on a line.
pub(crate) fn line_profile(xs: &[f64]) -> Profile {
    Profile {
        name: "line".into(),
        durations: xs
            .iter()
            .map(|a| xs.iter().map(|b| (a - b).abs()).collect())
            .collect(),
        distances: Vec::new(),
    }
}

/// A single stop at `location` without windows or service time that delivers one parcel.
pub(crate) fn delivery(location: usize) -> Job {
    Job {
        id: location.to_string(),
        task: Task::Single {
            stop: Stop {
                location,
                service: 0.0,
                windows: Vec::new(),
            },
            delivery: vec![1],
            pickup: Vec::new(),
        },
        penalty: 1000.0,
    }
}

/// A vehicle of profile 0 that starts and ends at `at`, on shift from 0 to `shift_end`, with
/// one capacity dimension and no fixed cost.
pub(crate) fn round_trip_vehicle(id: &str, at: usize, shift_end: f64, capacity: i64) -> Vehicle {
    Vehicle {
        id: id.into(),
        profile: 0,
        start: Some(at),
        end: Some(at),
        shift: TimeWindow::new(0.0, shift_end),
        capacity: vec![capacity],
        fixed_cost: 0.0,
        max_duration: None,
    }
}
