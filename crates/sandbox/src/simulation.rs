//! Automatic drivers (`--simulate SPEED`, off by default): free drivers take `created` jobs
//! (the nearest free driver first), ride to the pickup point, collect, ride to the drop-off
//! point and hand over, moving along the straight line between the geocoded points at their
//! vehicle's speed and reporting their location every [`LOCATION_EVERY_S`] simulated seconds.
//! Every step goes through the same code as the sandbox routes, so each status change is saved
//! and announced by webhook. `SPEED` compresses the durations (60 = a minute per second); the
//! timestamps written are the sandbox clock's.
//!
//! Deliveries go store → customer; fetches customer → store (the store is a fetch's
//! destination, `offers_fetches`). A job canceled into `returning` by someone else is taken
//! back to its pickup point and marked `returned`; any other outside change drops it.

use std::collections::HashMap;
use std::time::Duration;

use hakobu_diaq::{Purpose, Status};
use hakobu_geo::Point;
use hakobu_geo::travel::{STORE_PICKUP_SECONDS, great_circle_m};
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::Sandbox;
use crate::error::AppError;
use crate::simulate::advance_job;

/// Simulated seconds between two location reports of a moving driver.
pub const LOCATION_EVERY_S: f64 = 10.0;
/// From `created` to a driver's `assigned`.
const ACCEPT_S: f64 = 30.0;
/// From `assigned` to setting off (`collecting`).
const DEPART_S: f64 = 60.0;
/// Shortest ride, for points that geocode to the same place.
const MIN_RIDE_S: f64 = 60.0;
/// Created jobs looked at per step.
const TAKE_AT_MOST: i64 = 32;

struct Ride {
    from: Point,
    to: Point,
    total: f64,
    done: f64,
}

impl Ride {
    fn new(from: Point, to: Point, vehicle: hakobu_geo::travel::VehicleType) -> Ride {
        let seconds = f64::from(hakobu_geo::travel::leg(from, to, vehicle).seconds);
        Ride {
            from,
            to,
            total: seconds.max(MIN_RIDE_S),
            done: 0.0,
        }
    }

    fn position(&self) -> Point {
        let f = (self.done / self.total).clamp(0.0, 1.0);
        Point {
            lat: self.from.lat + (self.to.lat - self.from.lat) * f,
            lng: self.from.lng + (self.to.lng - self.from.lng) * f,
        }
    }
}

struct Job {
    purpose: Purpose,
    id: String,
    /// Roster index.
    driver: usize,
    /// What the database says (the simulation's last change).
    status: Status,
    /// Simulated seconds until the next status.
    left: f64,
    ride: Option<Ride>,
    since_report: f64,
    origin: Point,
    goal: Point,
    finished: bool,
}

/// Runs until `stop` turns true. Each step is synchronous and short: the database lock is
/// taken and released inside it, never held across an await.
pub(crate) async fn run(sb: Sandbox, speed: f64, mut stop: watch::Receiver<bool>) {
    let tick = Duration::from_secs_f64((LOCATION_EVERY_S / speed).clamp(0.05, 1.0));
    let step_s = tick.as_secs_f64() * speed;
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut jobs = Vec::new();
    let mut routemate = crate::routemate::simulation::Runs::default();
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Err(e) = step(&sb, &mut jobs, step_s) {
            tracing::warn!("simulation step failed: {e}");
        }
        if let Err(e) = crate::routemate::simulation::step(&sb, &mut routemate, step_s) {
            tracing::warn!("RouteMate simulation step failed: {e}");
        }
    }
}

fn step(sb: &Sandbox, jobs: &mut Vec<Job>, dt: f64) -> Result<(), AppError> {
    let (statuses, open) = read(sb, jobs)?;
    for job in jobs.iter_mut() {
        match statuses.get(&job.id) {
            Some(&s) if s == job.status => {}
            Some(&Status::Returning) => start_return(sb, job),
            _ => job.finished = true,
        }
    }
    jobs.retain(|j| !j.finished);
    take(sb, jobs, open);
    for job in jobs.iter_mut() {
        progress(sb, job, dt)?;
    }
    jobs.retain(|j| !j.finished);
    Ok(())
}

type Snapshot = (HashMap<String, Status>, Vec<(Purpose, Value)>);

/// The current status of the jobs under way, and the oldest `created` jobs.
fn read(sb: &Sandbox, jobs: &[Job]) -> Result<Snapshot, AppError> {
    sb.with_db(|db| {
        let mut statuses = HashMap::new();
        let mut stmt = db.prepare_cached("SELECT status FROM orders WHERE id = ?1")?;
        for job in jobs {
            let status: Option<String> = stmt
                .query_row([&job.id], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })?;
            if let Some(s) = status.as_deref().and_then(Status::parse) {
                statuses.insert(job.id.clone(), s);
            }
        }
        let mut stmt = db.prepare_cached(
            "SELECT kind, body FROM orders WHERE status = 'created' ORDER BY seq LIMIT ?1",
        )?;
        let open = stmt
            .query_map([TAKE_AT_MOST], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let open = open
            .into_iter()
            .filter_map(|(kind, body)| {
                let purpose = match kind.as_str() {
                    "delivery" => Purpose::Delivery,
                    "fetch" => Purpose::Fetch,
                    _ => return None,
                };
                serde_json::from_str(&body).ok().map(|b| (purpose, b))
            })
            .collect();
        Ok((statuses, open))
    })
}

/// Where a job's store and customer are; near the driver when there is no gazetteer or an
/// address is not found, so the simulation still runs.
fn places(sb: &Sandbox, object: &Value, near: Point) -> (Point, Point) {
    let locate = |address: String| {
        sb.geo
            .as_ref()
            .and_then(|g| g.geocode(&address).ok())
            .map(|g| g.point)
    };
    let store = &object["store"];
    let customer = &object["customer"];
    let text = |v: &Value, keys: &[&str]| -> String {
        keys.iter()
            .map(|k| v[*k].as_str().unwrap_or_default())
            .collect()
    };
    let store_at = locate(text(
        store,
        &["store_address_prefecture", "store_address_line_1"],
    ))
    .unwrap_or(Point {
        lat: near.lat + 0.004,
        lng: near.lng,
    });
    let customer_at =
        locate(text(customer, &["address_prefecture", "address_line_1"])).unwrap_or(Point {
            lat: store_at.lat,
            lng: store_at.lng + 0.012,
        });
    (store_at, customer_at)
}

/// Gives `created` jobs to free drivers, nearest first, oldest job first.
fn take(sb: &Sandbox, jobs: &mut Vec<Job>, open: Vec<(Purpose, Value)>) {
    for (purpose, object) in open {
        let Some(id) = object["id"].as_str() else {
            continue;
        };
        if jobs.iter().any(|j| j.id == id) {
            continue;
        }
        let busy: Vec<usize> = jobs.iter().map(|j| j.driver).collect();
        let free: Vec<(usize, Point)> = {
            let drivers = sb.drivers();
            drivers
                .all()
                .iter()
                .enumerate()
                .filter(|(i, d)| !busy.contains(i) && d.job.is_none())
                .map(|(i, d)| (i, d.at))
                .collect()
        };
        let Some(&(_, anywhere)) = free.first() else {
            return;
        };
        let (store_at, customer_at) = places(sb, &object, anywhere);
        let (origin, goal) = match purpose {
            Purpose::Delivery => (store_at, customer_at),
            Purpose::Fetch => (customer_at, store_at),
        };
        let nearest = free
            .iter()
            .min_by(|a, b| great_circle_m(a.1, origin).total_cmp(&great_circle_m(b.1, origin)))
            .map_or(0, |d| d.0);
        jobs.push(Job {
            purpose,
            id: id.to_owned(),
            driver: nearest,
            status: Status::Created,
            left: ACCEPT_S,
            ride: None,
            since_report: 0.0,
            origin,
            goal,
            finished: false,
        });
    }
}

fn progress(sb: &Sandbox, job: &mut Job, dt: f64) -> Result<(), AppError> {
    let mut left_dt = dt;
    while left_dt > 0.0 && !job.finished {
        let used = left_dt.min(job.left);
        job.left -= used;
        left_dt -= used;
        if let Some(ride) = &mut job.ride {
            ride.done += used;
            job.since_report += used;
        }
        if job.left > 0.0 {
            break;
        }
        next_status(sb, job)?;
    }
    if let Some(ride) = &job.ride
        && job.since_report >= LOCATION_EVERY_S
    {
        job.since_report = 0.0;
        report(sb, job.driver, ride.position());
    }
    Ok(())
}

fn vehicle(sb: &Sandbox, driver: usize) -> hakobu_geo::travel::VehicleType {
    sb.drivers()
        .get(driver)
        .map_or(hakobu_geo::travel::VehicleType::SmallMotorcycle, |d| {
            d.vehicle
        })
}

fn position(sb: &Sandbox, driver: usize) -> Option<Point> {
    sb.drivers().get(driver).map(|d| d.at)
}

/// Moves the driver and sends `driver.location`.
fn report(sb: &Sandbox, driver: usize, at: Point) {
    let now = sb.now();
    let event = {
        let mut drivers = sb.drivers();
        drivers.move_to(driver, at, now);
        drivers.location_event(driver, now)
    };
    if let Some(event) = event {
        sb.webhooks.send("driver.location", &event);
    }
}

/// Places the driver without an event (the status event that follows carries the location).
fn arrive(sb: &Sandbox, driver: usize, at: Point) {
    let now = sb.now();
    sb.drivers().move_to(driver, at, now);
}

/// The current phase is over: the next status, and the phase that follows it.
fn next_status(sb: &Sandbox, job: &mut Job) -> Result<(), AppError> {
    let from = job.status;
    let vehicle = vehicle(sb, job.driver);
    match from {
        Status::Collecting => arrive(sb, job.driver, job.origin),
        Status::Delivering => arrive(sb, job.driver, job.goal),
        Status::Returning => arrive(sb, job.driver, job.origin),
        _ => {}
    }
    let driver = (from == Status::Created).then_some(job.driver);
    let moved = match advance_job(sb, job.purpose, &job.id, Some(from), driver) {
        Ok(moved) => moved,
        Err(AppError::NotFound(_) | AppError::BadRequest(_)) => None,
        Err(e) => return Err(e),
    };
    let Some(object) = moved else {
        job.finished = true;
        return Ok(());
    };
    job.status = crate::orders::status_of(&object);
    job.ride = None;
    job.since_report = 0.0;
    let here = position(sb, job.driver).unwrap_or(job.origin);
    let (store_s, customer_s) = (
        f64::from(STORE_PICKUP_SECONDS),
        f64::from(vehicle.service_seconds()),
    );
    job.left = match job.status {
        Status::Assigned => DEPART_S,
        Status::Collecting => start_ride(job, here, job.origin, vehicle),
        Status::ArrivedOrigin => match job.purpose {
            Purpose::Delivery => store_s,
            Purpose::Fetch => customer_s,
        },
        Status::Delivering => start_ride(job, job.origin, job.goal, vehicle),
        Status::ArrivedGoal => match job.purpose {
            Purpose::Delivery => customer_s,
            Purpose::Fetch => store_s,
        },
        _ => {
            job.finished = true;
            0.0
        }
    };
    Ok(())
}

fn start_ride(
    job: &mut Job,
    from: Point,
    to: Point,
    vehicle: hakobu_geo::travel::VehicleType,
) -> f64 {
    let ride = Ride::new(from, to, vehicle);
    let total = ride.total;
    job.ride = Some(ride);
    total
}

/// Someone canceled the job on the way to the drop-off: ride back to the pickup point.
fn start_return(sb: &Sandbox, job: &mut Job) {
    let here = job
        .ride
        .as_ref()
        .map(Ride::position)
        .or_else(|| position(sb, job.driver))
        .unwrap_or(job.goal);
    let vehicle = vehicle(sb, job.driver);
    job.status = Status::Returning;
    job.since_report = 0.0;
    job.left = start_ride(job, here, job.origin, vehicle);
}
