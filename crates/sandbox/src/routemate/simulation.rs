//! Simulated RouteMate drivers (with `--simulate SPEED`, alongside the DIAq ones): each open
//! job's driver leaves their start, rides to the stop being visited (it goes `en_route`),
//! spends the vehicle's service time there, and marks it `completed` — or `failed` (「不在」)
//! for about one stop in ten, chosen by a hash of the job and stop ids so a run is repeatable.
//! Rides take hakobu-geo's travel time for the driver's vehicle (at least a minute).
//!
//! Jobs go on independently, even two of one driver: the simulation shows progress, it does not
//! keep a timetable. A stop someone else moves (the sandbox routes) is taken as it is, and the
//! driver goes on to the next one. Progress lives in memory: after a restart a stop en route is
//! ridden to again from the driver's start.

use hakobu_geo::Point;
use hakobu_geo::travel::{VehicleType, leg};
use rusqlite::OptionalExtension;

use super::config::DEFAULT_START;
use super::progress::{DEFAULT_FAILURE, set_status};
use super::schema::StopStatus;
use crate::Sandbox;
use crate::error::AppError;

/// Shortest ride, for stops at the same point.
const MIN_RIDE_S: f64 = 60.0;
/// Open jobs looked at per step.
const JOBS_AT_MOST: i64 = 64;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Riding,
    Serving,
}

#[derive(Debug)]
struct Visit {
    sequence: i64,
    external_stop_id: String,
    point: Point,
    phase: Phase,
    left: f64,
}

#[derive(Debug)]
struct Run {
    job_id: String,
    vehicle: VehicleType,
    at: Point,
    visit: Option<Visit>,
}

/// A job with stops to visit, and its driver's start and vehicle type (when the driver is known).
type OpenJob = (String, Option<(f64, f64, String)>);

/// The simulated RouteMate drivers' progress between steps.
#[derive(Debug, Default)]
pub(crate) struct Runs(Vec<Run>);

/// Whether the simulated driver finds nobody home: about one stop in ten, by hash.
pub(crate) fn fails(job_id: &str, external_stop_id: &str) -> bool {
    let hash = super::sha256_hex(format!("{job_id}\n{external_stop_id}").as_bytes());
    u8::from_str_radix(&hash[..2], 16).is_ok_and(|b| b < 26)
}

/// One step of `dt` simulated seconds for every open job.
pub(crate) fn step(sb: &Sandbox, runs: &mut Runs, dt: f64) -> Result<(), AppError> {
    let open = sb.with_db(|db| -> rusqlite::Result<Vec<OpenJob>> {
        let mut stmt = db.prepare_cached(
            "SELECT j.id, d.latitude, d.longitude, d.vehicle_type
               FROM routemate_jobs j LEFT JOIN routemate_drivers d ON d.email = j.driver_email
              WHERE EXISTS (SELECT 1 FROM routemate_stops s
                             WHERE s.job_id = j.id AND s.status IN ('pending', 'en_route'))
              ORDER BY j.seq LIMIT ?1",
        )?;
        stmt.query_map([JOBS_AT_MOST], |r| {
            let driver = match (r.get::<_, Option<f64>>(1)?, r.get::<_, Option<f64>>(2)?) {
                (Some(lat), Some(lng)) => Some((lat, lng, r.get::<_, String>(3)?)),
                _ => None,
            };
            Ok((r.get(0)?, driver))
        })?
        .collect()
    })?;
    runs.0
        .retain(|run| open.iter().any(|(id, _)| *id == run.job_id));
    for (job_id, driver) in open {
        if runs.0.iter().any(|r| r.job_id == job_id) {
            continue;
        }
        let (at, vehicle) = driver.map_or((DEFAULT_START, VehicleType::KeiVan), |(lat, lng, v)| {
            (
                Point { lat, lng },
                VehicleType::from_name(&v).unwrap_or(VehicleType::KeiVan),
            )
        });
        runs.0.push(Run {
            job_id,
            vehicle,
            at,
            visit: None,
        });
    }
    for run in &mut runs.0 {
        progress(sb, run, dt)?;
    }
    Ok(())
}

/// The stop being visited, if it is still where the simulation left it.
fn still_en_route(sb: &Sandbox, run: &Run, sequence: i64) -> Result<bool, AppError> {
    let status: Option<String> = sb.with_db(|db| {
        db.query_row(
            "SELECT status FROM routemate_stops WHERE job_id = ?1 AND sequence = ?2",
            rusqlite::params![run.job_id, sequence],
            |r| r.get(0),
        )
        .optional()
    })?;
    Ok(status.as_deref() == Some(StopStatus::EnRoute.as_str()))
}

/// Sets off for the next stop (marking it en route); false when there is none.
fn set_off(sb: &Sandbox, run: &mut Run) -> Result<bool, AppError> {
    let now = sb.now().timestamp();
    let next = sb.with_db(|db| -> rusqlite::Result<Option<(i64, String, f64, f64)>> {
        let Some((sequence, status)) = super::progress::current(db, &run.job_id)? else {
            return Ok(None);
        };
        if status == StopStatus::Pending
            && !set_status(
                db,
                &run.job_id,
                sequence,
                status,
                StopStatus::EnRoute,
                None,
                now,
            )?
        {
            return Ok(None);
        }
        db.query_row(
            "SELECT sequence, external_stop_id, latitude, longitude FROM routemate_stops
             WHERE job_id = ?1 AND sequence = ?2",
            rusqlite::params![run.job_id, sequence],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
    })?;
    let Some((sequence, external_stop_id, lat, lng)) = next else {
        return Ok(false);
    };
    let point = Point { lat, lng };
    let ride = f64::from(leg(run.at, point, run.vehicle).seconds).max(MIN_RIDE_S);
    run.visit = Some(Visit {
        sequence,
        external_stop_id,
        point,
        phase: Phase::Riding,
        left: ride,
    });
    Ok(true)
}

fn progress(sb: &Sandbox, run: &mut Run, dt: f64) -> Result<(), AppError> {
    if let Some(v) = &run.visit
        && !still_en_route(sb, run, v.sequence)?
    {
        // Moved by someone else: the driver is wherever that stop is and goes on.
        run.at = v.point;
        run.visit = None;
    }
    let mut left_dt = dt;
    while left_dt > 0.0 {
        if run.visit.is_none() && !set_off(sb, run)? {
            return Ok(());
        }
        let Some(visit) = run.visit.as_mut() else {
            return Ok(());
        };
        let used = left_dt.min(visit.left);
        visit.left -= used;
        left_dt -= used;
        if visit.left > 0.0 {
            return Ok(());
        }
        match visit.phase {
            Phase::Riding => {
                run.at = visit.point;
                visit.phase = Phase::Serving;
                visit.left = f64::from(run.vehicle.service_seconds());
            }
            Phase::Serving => {
                let (to, reason) = if fails(&run.job_id, &visit.external_stop_id) {
                    (StopStatus::Failed, Some(DEFAULT_FAILURE))
                } else {
                    (StopStatus::Completed, None)
                };
                let now = sb.now().timestamp();
                let sequence = visit.sequence;
                sb.with_db(|db| {
                    set_status(
                        db,
                        &run.job_id,
                        sequence,
                        StopStatus::EnRoute,
                        to,
                        reason,
                        now,
                    )
                })?;
                run.visit = None;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fails;

    #[test]
    fn about_one_stop_in_ten_fails_the_same_way_every_time() {
        let failed = (0..1000)
            .filter(|i| fails("job", &format!("STOP-{i}")))
            .count();
        assert!((60..=150).contains(&failed), "{failed}");
        assert_eq!(fails("job", "STOP-1"), fails("job", "STOP-1"));
    }
}
