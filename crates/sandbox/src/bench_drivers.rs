//! Benchmark load for the live map (`--bench-drivers N`): N drivers beyond the roster, each
//! moving once a second along great-circle legs between random points over central Tokyo at
//! its vehicle's speed × [`BENCH_PACE`], each move POSTed as a signed `driver.location` to the
//! registered webhook URL. Bounded: at most [`BENCH_DRIVERS_MAX`] drivers, for a limited time
//! (default [`BENCH_RUN_FOR`]), and it stops with the sandbox.
//!
//! Not through the event queue: 2,000 events a second would fill it (and its attempt log)
//! and delay the status events behind them. [`SENDERS`] concurrent senders each own a share
//! of the drivers and spread their moves evenly over each second, as unsynchronised drivers
//! would (a burst of 2,000 at the top of every second would measure queueing, not the map);
//! each move is stamped when it is sent, to the millisecond, so the time it takes to reach
//! the screen can be measured from `location.update`. A move that fails is not retried (the
//! next, a second later, supersedes it); a sender that falls behind moves on rather than
//! catching up. No job: the drivers are free (空き).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hakobu_geo::Point;
use hakobu_geo::travel::{VehicleType, great_circle_at, great_circle_m};
use hakobu_webhook_signature::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::sync::watch;

use crate::Sandbox;
use crate::webhook::Target;

/// The most benchmark drivers a sandbox runs.
pub const BENCH_DRIVERS_MAX: usize = 10_000;
/// How long they run unless told otherwise: a forgotten flag does not load a machine for ever.
pub const BENCH_RUN_FOR: Duration = Duration::from_secs(30 * 60);
/// Their ids: after the roster's (1–8), clear of it.
pub const BENCH_FIRST_ID: u64 = 1001;
/// How much faster than their vehicle they move, as the demo's drivers do by default: at
/// real speed a second's move (5 m) would not show on a city map.
pub const BENCH_PACE: f64 = 10.0;
/// The seed of their routes: the same load every run.
pub const BENCH_SEED: u64 = 21;
/// Concurrent senders.
const SENDERS: usize = 16;
/// One POST's limit: a move older than a second is superseded anyway.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Where they ride: central Tokyo (the demo's stores are inside).
const SOUTH_WEST: Point = Point {
    lat: 35.58,
    lng: 139.62,
};
const NORTH_EAST: Point = Point {
    lat: 35.78,
    lng: 139.88,
};

struct BenchDriver {
    id: u64,
    name: String,
    vehicle: VehicleType,
    at: Point,
    /// The leg being ridden: from, to, metres done.
    from: Point,
    to: Point,
    done_m: f64,
}

fn random_point(rng: &mut SmallRng) -> Point {
    Point {
        lat: rng.random_range(SOUTH_WEST.lat..NORTH_EAST.lat),
        lng: rng.random_range(SOUTH_WEST.lng..NORTH_EAST.lng),
    }
}

impl BenchDriver {
    fn new(n: usize, rng: &mut SmallRng) -> BenchDriver {
        let at = random_point(rng);
        let id = BENCH_FIRST_ID + n as u64;
        BenchDriver {
            id,
            name: format!("ベンチ {id}"),
            vehicle: VehicleType::ALL[n % VehicleType::ALL.len()],
            at,
            from: at,
            to: random_point(rng),
            done_m: 0.0,
        }
    }

    /// `seconds` of riding along its legs, a new random leg each time one ends.
    fn ride(&mut self, seconds: f64, rng: &mut SmallRng) {
        let mut left_m = self.vehicle.speed_kmh() / 3.6 * BENCH_PACE * seconds;
        loop {
            let leg_m = great_circle_m(self.from, self.to);
            if self.done_m + left_m < leg_m {
                self.done_m += left_m;
                self.at = great_circle_at(self.from, self.to, self.done_m / leg_m);
                return;
            }
            left_m -= (leg_m - self.done_m).max(0.0);
            self.from = self.to;
            self.to = random_point(rng);
            self.done_m = 0.0;
            self.at = self.from;
            if left_m <= 0.0 {
                return;
            }
        }
    }
}

/// Moves sent and moves that failed, for the log.
#[derive(Default)]
struct Counts {
    sent: AtomicU64,
    failed: AtomicU64,
}

impl Counts {
    fn say(&self, what: &str) {
        tracing::info!(
            "benchmark drivers {what}: {} moves sent, {} failed",
            self.sent.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed)
        );
    }
}

/// Runs `count` benchmark drivers until `stop` turns true or `run_for` has passed.
pub(crate) async fn run(
    sb: Sandbox,
    count: usize,
    run_for: Duration,
    mut rng: SmallRng,
    mut stop: watch::Receiver<bool>,
) {
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("benchmark drivers disabled, no HTTP client: {e}");
            return;
        }
    };
    tracing::info!("{count} benchmark drivers for {run_for:?}");
    let ends = tokio::time::Instant::now() + run_for;
    let counts = Arc::new(Counts::default());
    let all: Vec<BenchDriver> = (0..count).map(|n| BenchDriver::new(n, &mut rng)).collect();
    let mut drivers = all.into_iter();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..SENDERS.min(count) {
        let share: Vec<BenchDriver> = drivers.by_ref().take(count.div_ceil(SENDERS)).collect();
        // Each sender its own generator, seeded from the one passed in: the same load every
        // run whatever the senders' interleaving.
        let rng = SmallRng::seed_from_u64(rng.random());
        senders.spawn(sender(
            sb.clone(),
            client.clone(),
            share,
            rng,
            counts.clone(),
            ends,
            stop.clone(),
        ));
    }
    let mut every_ten = tokio::time::interval(Duration::from_secs(10));
    every_ten.tick().await;
    loop {
        tokio::select! {
            _ = every_ten.tick() => counts.say("running"),
            _ = tokio::time::sleep_until(ends) => break,
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    while senders.join_next().await.is_some() {}
    counts.say("stopped");
}

/// Moves its `drivers` once a second each, spread over the second, and posts every move.
async fn sender(
    sb: Sandbox,
    client: reqwest::Client,
    mut drivers: Vec<BenchDriver>,
    mut rng: SmallRng,
    counts: Arc<Counts>,
    ends: tokio::time::Instant,
    mut stop: watch::Receiver<bool>,
) {
    if drivers.is_empty() {
        return;
    }
    let slot = Duration::from_secs(1) / u32::try_from(drivers.len()).unwrap_or(u32::MAX);
    let started = tokio::time::Instant::now();
    let mut moved_at = vec![started; drivers.len()];
    for second in 0u32.. {
        for (i, d) in drivers.iter_mut().enumerate() {
            let due = started + Duration::from_secs(u64::from(second)) + slot * i as u32;
            tokio::select! {
                () = tokio::time::sleep_until(due) => {}
                () = tokio::time::sleep_until(ends) => return,
                _ = stop.wait_for(|s| *s) => return,
            }
            let now = tokio::time::Instant::now();
            d.ride(now.duration_since(moved_at[i]).as_secs_f64(), &mut rng);
            moved_at[i] = now;
            // No URL registered (yet): they move, nobody hears.
            let Some(target) = sb.webhooks.current() else {
                continue;
            };
            let body = location_event(d, &hakobu_diaq::time::format_millis(sb.now()));
            let sent = tokio::select! {
                sent = post(&client, &target, body) => sent,
                _ = stop.wait_for(|s| *s) => return,
            };
            let counter = if sent { &counts.sent } else { &counts.failed };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The document's `driver.location` with the webhook-form Driver (no job, so no phone or
/// vehicle type). Times to the millisecond, so a benchmark can tell how long a move took to
/// reach the screen.
fn location_event(d: &BenchDriver, at: &str) -> String {
    json!({
        "event": "driver.location",
        "created_at": at,
        "driver": {
            "id": d.id,
            "name": d.name,
            "location": {"latitude": d.at.lat, "longitude": d.at.lng, "update": at},
        },
    })
    .to_string()
}

/// One signed POST; whether a 2xx came back.
async fn post(client: &reqwest::Client, target: &Target, body: String) -> bool {
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    // Transport time, as the queue's sender stamps it: the receiver compares it with its own
    // wall clock.
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let signature = target.secret.sign(&id, timestamp, body.as_bytes());
    client
        .post(&target.url)
        .header("content-type", "application/json")
        .header(ID_HEADER, &id)
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driver_rides_its_vehicles_distance_along_its_legs_inside_the_area() {
        let mut rng = SmallRng::seed_from_u64(BENCH_SEED);
        let mut d = BenchDriver::new(0, &mut rng);
        assert_eq!(d.id, BENCH_FIRST_ID);
        let start = d.at;
        d.ride(1.0, &mut rng);
        let moved = great_circle_m(start, d.at);
        let expected = d.vehicle.speed_kmh() / 3.6 * BENCH_PACE;
        assert!((moved - expected).abs() < 0.01, "{moved} m, not {expected}");
        // Over many legs it stays inside the area.
        for _ in 0..3_600 {
            d.ride(1.0, &mut rng);
            assert!(
                (SOUTH_WEST.lat..=NORTH_EAST.lat).contains(&d.at.lat),
                "{:?}",
                d.at
            );
            assert!(
                (SOUTH_WEST.lng..=NORTH_EAST.lng).contains(&d.at.lng),
                "{:?}",
                d.at
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_load() {
        let routes = |seed| {
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut drivers: Vec<_> = (0..5).map(|n| BenchDriver::new(n, &mut rng)).collect();
            for d in &mut drivers {
                d.ride(30.0, &mut rng);
            }
            drivers
                .iter()
                .map(|d| (d.at.lat, d.at.lng))
                .collect::<Vec<_>>()
        };
        assert_eq!(routes(BENCH_SEED), routes(BENCH_SEED));
        assert_ne!(routes(BENCH_SEED), routes(BENCH_SEED + 1));
    }

    #[test]
    fn the_event_is_the_documents_driver_location_to_the_millisecond() {
        let mut rng = SmallRng::seed_from_u64(1);
        let d = BenchDriver::new(4, &mut rng);
        let at = "2026-11-23T09:00:00.250+09:00";
        let body: serde_json::Value = serde_json::from_str(&location_event(&d, at)).unwrap();
        assert_eq!(body["event"], "driver.location");
        assert_eq!(body["driver"]["id"], BENCH_FIRST_ID + 4);
        assert_eq!(body["driver"]["location"]["update"], at);
        assert!(body.get("delivery").is_none() && body["driver"].get("phone").is_none());
        assert!(hakobu_diaq::time::parse(at).is_some());
    }
}
