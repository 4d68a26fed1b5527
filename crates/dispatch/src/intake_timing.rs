//! Where a webhook's time goes on its way to the window, for the live map's benchmark
//! (ui/MAP-BENCHMARKS.md: 2,000 driver moves a second must reach the screen in ≤ 250 ms p95).
//! Each stage's durations are gathered for [`REPORT_EVERY`], logged as p50 / p95 / max at
//! info (target `hakobu::intake`), then dropped: nothing is kept per move beyond that.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the stages are summarised in the log.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);
/// Samples kept per stage and report: beyond this a flood is summarised on what came first.
const MAX_SAMPLES: usize = 200_000;

/// A stage of a webhook's way from its sender to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The fix's own time (the sender's stamp, wall clock) → the receiver's handler runs.
    Transit,
    /// The signature checked (HMAC over the body).
    Verify,
    /// `webhook-id` recorded (the de-duplication's read and insert, with the lock's wait).
    Record,
    /// The fix written (trail and driver row).
    Fix,
    /// The event marked applied.
    Mark,
    /// The emit call itself (serialising the batch, handing it to the webview).
    Emit,
    /// The oldest fix of an emitted batch: its stamp → emitted (everything before the UI).
    FixToEmit,
}

const STAGES: [Stage; 7] = [
    Stage::Transit,
    Stage::Verify,
    Stage::Record,
    Stage::Fix,
    Stage::Mark,
    Stage::Emit,
    Stage::FixToEmit,
];

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Transit => "transit",
            Stage::Verify => "verify",
            Stage::Record => "record",
            Stage::Fix => "fix",
            Stage::Mark => "mark",
            Stage::Emit => "emit",
            Stage::FixToEmit => "fix_to_emit",
        }
    }
}

/// The stages' samples since the last report.
pub struct IntakeTiming {
    inner: Mutex<Gathered>,
}

struct Gathered {
    /// Microseconds, per stage (in [`STAGES`]' order).
    samples: [Vec<u32>; STAGES.len()],
    since: Instant,
}

impl Default for IntakeTiming {
    fn default() -> Self {
        IntakeTiming {
            inner: Mutex::new(Gathered {
                samples: Default::default(),
                since: Instant::now(),
            }),
        }
    }
}

impl IntakeTiming {
    /// Notes one duration of `stage`; every [`REPORT_EVERY`] the stages are logged and dropped.
    pub fn note(&self, stage: Stage, took: Duration) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let i = STAGES.iter().position(|s| *s == stage).unwrap_or(0);
        if g.samples[i].len() < MAX_SAMPLES {
            g.samples[i].push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        }
        if g.since.elapsed() >= REPORT_EVERY {
            let text = summary(&mut g.samples);
            g.since = Instant::now();
            for s in &mut g.samples {
                s.clear();
            }
            drop(g);
            tracing::info!(target: "hakobu::intake", "stages (n p50/p95/max ms): {text}");
        }
    }

    /// Notes how old a fix stamped at `stamp_ms` (unix milliseconds, the sender's wall clock)
    /// is now, by this machine's wall clock. Stamps from another clock (a test's frozen time)
    /// are no transit time and are skipped.
    pub fn note_age(&self, stage: Stage, stamp_ms: i64) {
        let now = chrono::Utc::now().timestamp_millis();
        let age = now - stamp_ms;
        if (0..60_000).contains(&age) {
            self.note(stage, Duration::from_millis(age.unsigned_abs()));
        }
    }
}

/// `name n p50/p95/max` per stage that has samples, in milliseconds.
fn summary(samples: &mut [Vec<u32>; STAGES.len()]) -> String {
    let mut parts = Vec::new();
    for (stage, s) in STAGES.iter().zip(samples.iter_mut()) {
        if s.is_empty() {
            continue;
        }
        s.sort_unstable();
        let at = |p: f64| {
            let i = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1;
            f64::from(s[i]) / 1000.0
        };
        parts.push(format!(
            "{} {} {:.1}/{:.1}/{:.1}",
            stage.name(),
            s.len(),
            at(0.5),
            at(0.95),
            at(1.0)
        ));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_gives_each_stages_percentiles_in_milliseconds() {
        let mut samples: [Vec<u32>; STAGES.len()] = Default::default();
        samples[0] = (1..=100).map(|ms| ms * 1000).collect();
        samples[3] = vec![2500];
        assert_eq!(
            summary(&mut samples),
            "transit 100 50.0/95.0/100.0, fix 1 2.5/2.5/2.5"
        );
    }

    #[test]
    fn ages_from_another_clock_are_not_noted() {
        let t = IntakeTiming::default();
        t.note_age(Stage::Transit, 0);
        t.note_age(
            Stage::Transit,
            chrono::Utc::now().timestamp_millis() + 5_000,
        );
        t.note_age(Stage::Transit, chrono::Utc::now().timestamp_millis() - 20);
        let g = t.inner.lock().unwrap();
        assert_eq!(g.samples[0].len(), 1);
        assert!(g.samples[0][0] >= 20_000, "{:?}", g.samples[0]);
    }
}
