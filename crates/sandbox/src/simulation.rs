//! Automatic drivers (`--simulate SPEED`, off by default), believable on a map: a free driver
//! (the nearest first) takes a `created` job only once its window is within reach — setting
//! off now, at its vehicle's speed, it would reach the customer no earlier than the window's
//! start and no later than its end — rides to the pickup point, collects, leaves so as to
//! reach the customer within the window, hands over, and rides back to the store. Rides
//! follow the great circle between the geocoded points at the vehicle's speed (hakobu-geo's
//! travel model) and report the driver's location every [`LOCATION_EVERY_S`] simulated
//! seconds. Jobs already under way (the demo day's, or moved by hand) are carried on by the
//! driver they name. Every status change goes through the same code as the sandbox routes, so
//! each is saved and announced by webhook.
//!
//! Time: `SPEED` compresses durations (60 = a simulated minute per real second); "now", the
//! windows are compared with, and every timestamp written are the sandbox clock's. A driver
//! reaching a customer in `t` simulated seconds gets there `t / SPEED` later by that clock.
//!
//! Deliveries go store → customer; fetches customer → store (the store is a fetch's
//! destination, `offers_fetches`). A job canceled into `returning` by someone else is taken
//! back to its pickup point and marked `returned`; any other outside change ends the
//! simulation's part in it (one still under way is picked up again from its new status).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use hakobu_diaq::order::names;
use hakobu_diaq::{Purpose, Status};
use hakobu_geo::Point;
use hakobu_geo::travel::{STORE_PICKUP_SECONDS, VehicleType, great_circle_at, great_circle_m};
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
/// Jobs looked at per step (created ones, and under-way ones to carry on).
const TAKE_AT_MOST: i64 = 32;
/// Closer than this to the store, a driver is there: no ride back.
const AT_STORE_M: f64 = 50.0;
/// Statuses in which a job has a driver and is not over, in the order a job goes through them.
const UNDER_WAY: [Status; 6] = [
    Status::Assigned,
    Status::Collecting,
    Status::ArrivedOrigin,
    Status::Delivering,
    Status::ArrivedGoal,
    Status::Returning,
];

struct Ride {
    from: Point,
    to: Point,
    total: f64,
    done: f64,
}

impl Ride {
    fn new(from: Point, to: Point, vehicle: VehicleType) -> Ride {
        Ride {
            from,
            to,
            total: ride_seconds(from, to, vehicle),
            done: 0.0,
        }
    }

    fn position(&self) -> Point {
        // The ends exactly, not as the sphere's arithmetic rounds them: a driver that arrived
        // is where the stop is.
        match self.done / self.total {
            f if f <= 0.0 => self.from,
            f if f >= 1.0 => self.to,
            f => great_circle_at(self.from, self.to, f),
        }
    }
}

/// Simulated seconds from `from` to `to` at the vehicle's speed and detour (at least
/// [`MIN_RIDE_S`]).
fn ride_seconds(from: Point, to: Point, vehicle: VehicleType) -> f64 {
    f64::from(hakobu_geo::travel::leg(from, to, vehicle).seconds).max(MIN_RIDE_S)
}

/// When the customer expects the driver (Japan time, as the API wrote it).
#[derive(Clone, Copy)]
struct Window {
    starts: DateTime<FixedOffset>,
    ends: DateTime<FixedOffset>,
}

impl Window {
    /// The job's window; an AnytimeWindow (no `starts_at`) is the whole day it ends.
    fn of(purpose: Purpose, object: &Value) -> Option<Window> {
        let w = &object[names(purpose).window];
        let ends = hakobu_diaq::time::parse(w["ends_at"].as_str()?)?;
        let starts = match w["starts_at"].as_str() {
            Some(s) => hakobu_diaq::time::parse(s)?,
            None => ends - chrono::Duration::days(1),
        };
        Some(Window { starts, ends })
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
    window: Window,
    finished: bool,
}

impl Job {
    /// Where its store is: a delivery's pickup point, a fetch's destination.
    fn store(&self) -> Point {
        match self.purpose {
            Purpose::Delivery => self.origin,
            Purpose::Fetch => self.goal,
        }
    }
}

/// A driver riding back to a store after a job, free to take the next one on the way.
struct Homeward {
    driver: usize,
    ride: Ride,
    since_report: f64,
}

#[derive(Default)]
struct Simulation {
    jobs: Vec<Job>,
    homeward: Vec<Homeward>,
}

impl Simulation {
    fn busy(&self, driver: usize) -> bool {
        self.jobs.iter().any(|j| j.driver == driver)
    }

    /// Where the driver is: on its way home, or where it last stopped or reported.
    fn position(&self, sb: &Sandbox, driver: usize) -> Option<Point> {
        self.homeward
            .iter()
            .find(|h| h.driver == driver)
            .map(|h| h.ride.position())
            .or_else(|| position(sb, driver))
    }

    /// The driver stops riding home (it has a job now) and is placed where it got to.
    fn stop_homeward(&mut self, sb: &Sandbox, driver: usize) {
        if let Some(i) = self.homeward.iter().position(|h| h.driver == driver) {
            let h = self.homeward.swap_remove(i);
            arrive(sb, driver, h.ride.position());
        }
    }
}

/// Runs until `stop` turns true. Each step is synchronous and short: the database lock is
/// taken and released inside it, never held across an await.
pub(crate) async fn run(sb: Sandbox, speed: f64, mut stop: watch::Receiver<bool>) {
    // Each step geocodes its jobs' places, and the gazetteer may still be loading (the app
    // starts before it is parsed): wait for it on the blocking pool, not on one of the async
    // runtime's threads, which the app's window and webhook receiver share.
    let geo = sb.geo.clone();
    if !geo.is_settled() {
        let _ = tokio::task::spawn_blocking(move || geo.get()).await;
    }
    let tick = Duration::from_secs_f64((LOCATION_EVERY_S / speed).clamp(0.05, 1.0));
    let step_s = tick.as_secs_f64() * speed;
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut simulation = Simulation::default();
    let mut routemate = crate::routemate::simulation::Runs::default();
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        if let Err(e) = step(&sb, &mut simulation, step_s, speed) {
            tracing::warn!("simulation step failed: {e}");
        }
        if let Err(e) = crate::routemate::simulation::step(&sb, &mut routemate, step_s) {
            tracing::warn!("RouteMate simulation step failed: {e}");
        }
    }
}

fn step(sb: &Sandbox, sim: &mut Simulation, dt: f64, speed: f64) -> Result<(), AppError> {
    let now = sb.now();
    let snapshot = read(sb, &sim.jobs)?;
    for job in &mut sim.jobs {
        match snapshot.statuses.get(&job.id) {
            Some(&s) if s == job.status => {}
            Some(&Status::Returning) => start_return(sb, job),
            _ => job.finished = true,
        }
    }
    head_home(sb, sim);
    adopt(sb, sim, snapshot.under_way);
    take(sb, sim, snapshot.created, now, speed);
    for job in &mut sim.jobs {
        progress(sb, job, dt, now, speed)?;
    }
    head_home(sb, sim);
    ride_home(sb, sim, dt);
    Ok(())
}

/// What the database says: the status of the jobs under way, the most urgent `created` jobs
/// (soonest window end first) and the jobs under way the simulation does not carry.
struct Snapshot {
    statuses: HashMap<String, Status>,
    created: Vec<(Purpose, Value)>,
    under_way: Vec<(Purpose, Value)>,
}

fn read(sb: &Sandbox, jobs: &[Job]) -> Result<Snapshot, AppError> {
    let now = sb.now().timestamp();
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
        // A window already over is out of anyone's reach: those jobs stay `created`.
        let mut stmt = db.prepare_cached(
            "SELECT kind, body FROM orders WHERE status = 'created' AND window_ends_at > ?1
             ORDER BY window_ends_at, seq LIMIT ?2",
        )?;
        let created = stmt
            .query_map(rusqlite::params![now, TAKE_AT_MOST], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = db.prepare_cached(
            "SELECT kind, body FROM orders
             WHERE status IN ('assigned', 'collecting', 'arrived_origin', 'delivering',
                              'arrived_goal', 'returning')
             ORDER BY seq LIMIT ?1",
        )?;
        let under_way = stmt
            .query_map([TAKE_AT_MOST], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let held: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
        let decode = |rows: Vec<(String, String)>| -> Vec<(Purpose, Value)> {
            rows.into_iter()
                .filter_map(|(kind, body)| {
                    let purpose = match kind.as_str() {
                        "delivery" => Purpose::Delivery,
                        "fetch" => Purpose::Fetch,
                        _ => return None,
                    };
                    serde_json::from_str::<Value>(&body)
                        .ok()
                        .filter(|b| !held.contains(&b["id"].as_str().unwrap_or_default()))
                        .map(|b| (purpose, b))
                })
                .collect()
        };
        Ok(Snapshot {
            statuses,
            created: decode(created),
            under_way: decode(under_way),
        })
    })
}

/// Where a job's store and customer are; near the driver when there is no gazetteer or an
/// address is not found, so the simulation still runs.
fn places(sb: &Sandbox, object: &Value, near: Point) -> (Point, Point) {
    let locate = |address: String| {
        sb.geo
            .get()
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

/// Simulated seconds from `from` until the customer is reached: the ride to the pickup point,
/// and for a delivery the store's pickup and the ride on.
fn to_customer(
    purpose: Purpose,
    from: Point,
    origin: Point,
    goal: Point,
    vehicle: VehicleType,
) -> f64 {
    let first = ride_seconds(from, origin, vehicle);
    match purpose {
        Purpose::Fetch => first,
        Purpose::Delivery => {
            first + f64::from(STORE_PICKUP_SECONDS) + ride_seconds(origin, goal, vehicle)
        }
    }
}

/// The clock time `seconds` of simulated work from `now` ends at.
fn after(now: DateTime<FixedOffset>, seconds: f64, speed: f64) -> DateTime<FixedOffset> {
    let real_ms = (seconds / speed * 1000.0).round();
    now + chrono::Duration::milliseconds(real_ms.clamp(0.0, 1e15) as i64)
}

/// Gives `created` jobs whose window is within reach to free drivers, nearest first, the
/// soonest-ending window first. A job whose window the nearest free driver would reach early
/// waits; one it would reach late is left (it stays `created`).
fn take(
    sb: &Sandbox,
    sim: &mut Simulation,
    created: Vec<(Purpose, Value)>,
    now: DateTime<FixedOffset>,
    speed: f64,
) {
    for (purpose, object) in created {
        let (Some(id), Some(window)) = (object["id"].as_str(), Window::of(purpose, &object)) else {
            continue;
        };
        let free: Vec<(usize, Point)> = {
            let drivers = sb.drivers();
            drivers
                .all()
                .iter()
                .enumerate()
                .filter(|(i, d)| !sim.busy(*i) && d.job.is_none())
                .map(|(i, d)| (i, d.at))
                .collect()
        };
        let free: Vec<(usize, Point)> = free
            .into_iter()
            .map(|(i, at)| (i, sim.position(sb, i).unwrap_or(at)))
            .collect();
        let Some(&(_, anywhere)) = free.first() else {
            return;
        };
        let (store_at, customer_at) = places(sb, &object, anywhere);
        let (origin, goal) = match purpose {
            Purpose::Delivery => (store_at, customer_at),
            Purpose::Fetch => (customer_at, store_at),
        };
        let Some(&(driver, at)) = free
            .iter()
            .min_by(|a, b| great_circle_m(a.1, origin).total_cmp(&great_circle_m(b.1, origin)))
        else {
            continue;
        };
        let reach =
            ACCEPT_S + DEPART_S + to_customer(purpose, at, origin, goal, vehicle(sb, driver));
        let arrives = after(now, reach, speed);
        if arrives < window.starts || arrives > window.ends {
            continue;
        }
        sim.stop_homeward(sb, driver);
        sim.jobs.push(Job {
            purpose,
            id: id.to_owned(),
            driver,
            status: Status::Created,
            left: ACCEPT_S,
            ride: None,
            since_report: 0.0,
            origin,
            goal,
            window,
            finished: false,
        });
    }
}

/// Carries on jobs under way that the simulation does not hold (the demo day's, or moved by
/// hand), with the roster driver they name, from their status. A driver named by several
/// carries the furthest along first: parcels on board before a pickup still to come.
fn adopt(sb: &Sandbox, sim: &mut Simulation, mut under_way: Vec<(Purpose, Value)>) {
    under_way.sort_by_key(|(_, object)| {
        let status = crate::orders::status_of(object);
        std::cmp::Reverse(UNDER_WAY.iter().position(|s| *s == status))
    });
    for (purpose, object) in under_way {
        let status = crate::orders::status_of(&object);
        let (Some(id), Some(window)) = (object["id"].as_str(), Window::of(purpose, &object)) else {
            continue;
        };
        let Some(driver) = object["driver"]["name"]
            .as_str()
            .and_then(|name| sb.drivers().index_of_name(name))
        else {
            continue;
        };
        if sim.busy(driver) || !UNDER_WAY.contains(&status) {
            continue;
        }
        let Some(here) = sim.position(sb, driver) else {
            continue;
        };
        sim.stop_homeward(sb, driver);
        // Its location events name the job it works on, not the last one noted.
        sb.drivers().note(purpose, &object);
        let (origin, goal) = {
            let (store_at, customer_at) = places(sb, &object, here);
            match purpose {
                Purpose::Delivery => (store_at, customer_at),
                Purpose::Fetch => (customer_at, store_at),
            }
        };
        let mut job = Job {
            purpose,
            id: id.to_owned(),
            driver,
            status,
            left: 0.0,
            ride: None,
            since_report: 0.0,
            origin,
            goal,
            window,
            finished: false,
        };
        let vehicle = vehicle(sb, driver);
        job.left = match status {
            Status::Assigned => DEPART_S,
            Status::Collecting | Status::Returning => start_ride(&mut job, here, origin, vehicle),
            Status::ArrivedOrigin => {
                arrive(sb, driver, origin);
                service_at(purpose, Status::ArrivedOrigin, vehicle)
            }
            Status::Delivering => start_ride(&mut job, here, goal, vehicle),
            _ => {
                arrive(sb, driver, goal);
                service_at(purpose, Status::ArrivedGoal, vehicle)
            }
        };
        sim.jobs.push(job);
    }
}

/// Seconds spent at a stop: the store's pickup, or the vehicle's time at a customer's door.
fn service_at(purpose: Purpose, at: Status, vehicle: VehicleType) -> f64 {
    let at_store = matches!(
        (purpose, at),
        (Purpose::Delivery, Status::ArrivedOrigin) | (Purpose::Fetch, Status::ArrivedGoal)
    );
    if at_store {
        f64::from(STORE_PICKUP_SECONDS)
    } else {
        f64::from(vehicle.service_seconds())
    }
}

/// Whether the job's current phase waits for the clock: setting off (`assigned`) and leaving
/// the store with a delivery (`arrived_origin`) start only when the customer would not be
/// reached before the window opens.
fn waits(sb: &Sandbox, job: &Job, now: DateTime<FixedOffset>, speed: f64) -> bool {
    let vehicle = vehicle(sb, job.driver);
    let to_go = match (job.status, job.purpose) {
        (Status::Assigned, _) => {
            let here = position(sb, job.driver).unwrap_or(job.origin);
            job.left + to_customer(job.purpose, here, job.origin, job.goal, vehicle)
        }
        (Status::ArrivedOrigin, Purpose::Delivery) => {
            job.left + ride_seconds(job.origin, job.goal, vehicle)
        }
        _ => return false,
    };
    after(now, to_go, speed) < job.window.starts
}

fn progress(
    sb: &Sandbox,
    job: &mut Job,
    dt: f64,
    now: DateTime<FixedOffset>,
    speed: f64,
) -> Result<(), AppError> {
    let mut left_dt = dt;
    while left_dt > 0.0 && !job.finished {
        if waits(sb, job, now, speed) {
            break;
        }
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

/// Drivers whose job is over ride back to its store, unless they are there already.
fn head_home(sb: &Sandbox, sim: &mut Simulation) {
    let (done, going): (Vec<Job>, Vec<Job>) = std::mem::take(&mut sim.jobs)
        .into_iter()
        .partition(|j| j.finished);
    sim.jobs = going;
    for job in done {
        // Still on a job (this one moved on by hand, or another): carried on, not sent home.
        let on_a_job = sb
            .drivers()
            .get(job.driver)
            .is_some_and(|d| d.job.is_some());
        if sim.busy(job.driver) || on_a_job {
            continue;
        }
        let Some(here) = sim.position(sb, job.driver) else {
            continue;
        };
        let store = job.store();
        if great_circle_m(here, store) <= AT_STORE_M {
            continue;
        }
        sim.homeward.retain(|h| h.driver != job.driver);
        sim.homeward.push(Homeward {
            driver: job.driver,
            ride: Ride::new(here, store, vehicle(sb, job.driver)),
            since_report: 0.0,
        });
    }
}

/// Moves the drivers riding home; one that arrives reports where it stopped.
fn ride_home(sb: &Sandbox, sim: &mut Simulation, dt: f64) {
    for h in &mut sim.homeward {
        h.ride.done += dt;
        h.since_report += dt;
        let arrived = h.ride.done >= h.ride.total;
        if arrived || h.since_report >= LOCATION_EVERY_S {
            h.since_report = 0.0;
            report(sb, h.driver, h.ride.position());
        }
    }
    sim.homeward.retain(|h| h.ride.done < h.ride.total);
}

fn vehicle(sb: &Sandbox, driver: usize) -> VehicleType {
    sb.drivers()
        .get(driver)
        .map_or(VehicleType::SmallMotorcycle, |d| d.vehicle)
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
    job.left = match job.status {
        Status::Assigned => DEPART_S,
        Status::Collecting => start_ride(job, here, job.origin, vehicle),
        Status::ArrivedOrigin | Status::ArrivedGoal => service_at(job.purpose, job.status, vehicle),
        Status::Delivering => start_ride(job, job.origin, job.goal, vehicle),
        _ => {
            job.finished = true;
            0.0
        }
    };
    Ok(())
}

fn start_ride(job: &mut Job, from: Point, to: Point, vehicle: VehicleType) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    const TOKYO_STATION: Point = Point {
        lat: 35.681236,
        lng: 139.767125,
    };
    const SHINJUKU_STATION: Point = Point {
        lat: 35.690921,
        lng: 139.700258,
    };

    #[test]
    fn a_ride_takes_the_vehicles_time_along_the_great_circle() {
        for vehicle in VehicleType::ALL {
            let mut ride = Ride::new(TOKYO_STATION, SHINJUKU_STATION, vehicle);
            let leg = hakobu_geo::travel::leg(TOKYO_STATION, SHINJUKU_STATION, vehicle);
            assert_eq!(ride.total, f64::from(leg.seconds), "{vehicle:?}");
            ride.done = ride.total / 2.0;
            let half = great_circle_at(TOKYO_STATION, SHINJUKU_STATION, 0.5);
            assert!(great_circle_m(ride.position(), half) < 1e-6);
            ride.done = ride.total * 2.0;
            assert!(
                great_circle_m(ride.position(), SHINJUKU_STATION) < 1e-6,
                "stops there"
            );
        }
        // A bicycle takes longer than a motorbike over the same way.
        let bike = Ride::new(TOKYO_STATION, SHINJUKU_STATION, VehicleType::Bicycle);
        let motorbike = Ride::new(
            TOKYO_STATION,
            SHINJUKU_STATION,
            VehicleType::LargeMotorcycle,
        );
        assert!(bike.total > motorbike.total);
        let same = Ride::new(TOKYO_STATION, TOKYO_STATION, VehicleType::Bicycle);
        assert_eq!(same.total, MIN_RIDE_S);
    }

    #[test]
    fn an_anytime_window_is_the_whole_day_it_ends() {
        let anytime = serde_json::json!({"delivery_window": {"id": "w", "starts_at": null,
            "ends_at": "2026-11-25T00:00:00+09:00"}});
        let w = Window::of(Purpose::Delivery, &anytime).unwrap();
        assert_eq!(
            (w.starts, w.ends),
            (
                hakobu_diaq::time::parse("2026-11-24T00:00:00+09:00").unwrap(),
                hakobu_diaq::time::parse("2026-11-25T00:00:00+09:00").unwrap()
            )
        );
        let hourly = serde_json::json!({"fetch_window": {"id": "w",
            "starts_at": "2026-11-24T10:00:00+09:00", "ends_at": "2026-11-24T11:00:00+09:00"}});
        let w = Window::of(Purpose::Fetch, &hourly).unwrap();
        assert_eq!(
            w.starts,
            hakobu_diaq::time::parse("2026-11-24T10:00:00+09:00").unwrap()
        );
        assert!(
            Window::of(Purpose::Delivery, &hourly).is_none(),
            "not a delivery's"
        );
    }

    #[test]
    fn simulated_seconds_pass_speed_times_faster_on_the_clock() {
        let now = hakobu_diaq::time::parse("2026-11-24T10:00:00+09:00").unwrap();
        assert_eq!(after(now, 600.0, 10.0), now + chrono::Duration::seconds(60));
        assert_eq!(after(now, 600.0, 1.0), now + chrono::Duration::minutes(10));
        // A delivery reaches the customer after the ride to the store, the pickup and the
        // ride on; a fetch at its pickup point (the customer).
        let v = VehicleType::Moped;
        let delivery = to_customer(
            Purpose::Delivery,
            TOKYO_STATION,
            TOKYO_STATION,
            SHINJUKU_STATION,
            v,
        );
        let fetch = to_customer(
            Purpose::Fetch,
            SHINJUKU_STATION,
            SHINJUKU_STATION,
            TOKYO_STATION,
            v,
        );
        assert_eq!(
            delivery,
            MIN_RIDE_S
                + f64::from(STORE_PICKUP_SECONDS)
                + ride_seconds(TOKYO_STATION, SHINJUKU_STATION, v)
        );
        assert_eq!(fetch, MIN_RIDE_S);
    }
}
