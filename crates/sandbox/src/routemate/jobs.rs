//! Stored RouteMate jobs and `GET /v1/integration-jobs`: one job by `job_id` or
//! `external_job_id`, or a page of them, each with its stops, `stop_count` and
//! `status_counts`. A job's `status` is derived from its stops' (docs/decisions.md).

use axum::Json;
use axum::extract::State;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::schema::{
    Job, JobList, JobStatus, JobStop, JobsAnswer, JobsQuery, StatusCounts, StopStatus,
};
use crate::Sandbox;
use crate::error::AppError;
use crate::extract::Query;
use crate::openapi::ErrorBody;
use crate::stores::{DEFAULT_PER_PAGE, MAX_PER_PAGE, positive_param};

pub(crate) const PATH: &str = "/v1/integration-jobs";

const STOP_COLUMNS: &str = "sequence, external_stop_id, label, address, parcel_count, latitude, \
    longitude, leg_m, arrival_s, status, failure_reason";

/// Kilometres with one decimal, as the document's `12.4`.
pub(crate) fn km_1(metres: f64) -> f64 {
    (metres / 100.0).round() / 10.0
}

/// Kilometres with two decimals: legs are often shorter than a kilometre.
pub(crate) fn km_2(metres: f64) -> f64 {
    (metres / 10.0).round() / 100.0
}

/// Whole minutes, rounded to the nearest.
pub(crate) fn minutes(seconds: i64) -> i64 {
    (seconds + 30).div_euclid(60)
}

fn stop_from_row(r: &Row<'_>) -> rusqlite::Result<JobStop> {
    let status: String = r.get(9)?;
    let leg_m: i64 = r.get(7)?;
    let arrival_s: i64 = r.get(8)?;
    Ok(JobStop {
        sequence: r.get(0)?,
        external_stop_id: r.get(1)?,
        label: r.get(2)?,
        address: r.get(3)?,
        parcel_count: r.get(4)?,
        latitude: r.get(5)?,
        longitude: r.get(6)?,
        leg_distance_km: km_2(leg_m as f64),
        arrival_minutes: minutes(arrival_s),
        status: StopStatus::parse(&status).unwrap_or(StopStatus::Pending),
        failure_reason: r.get(10)?,
    })
}

/// The job's stops in driving order.
pub(crate) fn stops(db: &Connection, job_id: &str) -> rusqlite::Result<Vec<JobStop>> {
    let mut stmt = db.prepare_cached(&format!(
        "SELECT {STOP_COLUMNS} FROM routemate_stops WHERE job_id = ?1 ORDER BY sequence"
    ))?;
    stmt.query_map([job_id], stop_from_row)?.collect()
}

/// `assigned` while any stop is pending or en route, then `completed` (also for a job whose
/// every stop was left out: there is nothing left to do).
pub(crate) fn derive(stops: &[JobStop]) -> (JobStatus, StatusCounts) {
    let mut counts = StatusCounts::default();
    for s in stops {
        let slot = match s.status {
            StopStatus::Pending => &mut counts.pending,
            StopStatus::EnRoute => &mut counts.en_route,
            StopStatus::Completed => &mut counts.completed,
            StopStatus::Failed => &mut counts.failed,
        };
        *slot = Some(slot.unwrap_or(0) + 1);
    }
    let status = if stops.iter().all(|s| s.status.is_final()) {
        JobStatus::Completed
    } else {
        JobStatus::Assigned
    };
    (status, counts)
}

type JobRow = (String, String, String, String, i64);

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn assemble(db: &Connection, row: JobRow) -> Result<Job, AppError> {
    let (job_id, external_job_id, title, driver_email, created_at) = row;
    let stops = stops(db, &job_id)?;
    let (status, status_counts) = derive(&stops);
    let created_at = chrono::DateTime::from_timestamp(created_at, 0)
        .map(hakobu_diaq::time::from_utc)
        .map(hakobu_diaq::time::format)
        .ok_or_else(|| AppError::internal("routemate job: created_at out of range"))?;
    Ok(Job {
        job_id,
        external_job_id,
        title,
        driver_email,
        status,
        stop_count: i64::try_from(stops.len()).unwrap_or(i64::MAX),
        status_counts,
        stops,
        created_at,
    })
}

const JOB_COLUMNS: &str = "id, external_job_id, title, driver_email, created_at";

/// The job with this `job_id`, or with this `external_job_id`.
pub(crate) fn find(db: &Connection, column: &str, value: &str) -> Result<Option<Job>, AppError> {
    let column = match column {
        "external_job_id" => "external_job_id",
        _ => "id",
    };
    let row = db
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM routemate_jobs WHERE {column} = ?1"),
            [value],
            job_from_row,
        )
        .optional()?;
    row.map(|r| assemble(db, r)).transpose()
}

pub(crate) fn not_found(field: &str) -> AppError {
    AppError::NotFound(format!("{field}: job not found"))
}

#[utoipa::path(
    get,
    path = "/v1/integration-jobs",
    tag = "routemate",
    security(("bearer" = [])),
    params(JobsQuery),
    responses(
        (status = 200, description = "The job (with `job_id` or `external_job_id`), or a page of jobs", body = JobsAnswer),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 401, description = "Missing, unknown or expired bearer token", body = ErrorBody),
        (status = 404, description = "`job_id: job not found`", body = ErrorBody)
    )
)]
/// `GET /v1/integration-jobs[?job_id=…|?external_job_id=…][&page=…&per_page=…]`
pub async fn show(
    State(sb): State<Sandbox>,
    Query(q): Query<JobsQuery>,
) -> Result<Json<JobsAnswer>, AppError> {
    let by = match (&q.job_id, &q.external_job_id) {
        (Some(_), Some(_)) => {
            return Err(AppError::BadRequest(
                "external_job_id: give job_id or external_job_id, not both".into(),
            ));
        }
        (Some(id), None) => Some(("job_id", "id", id)),
        (None, Some(id)) => Some(("external_job_id", "external_job_id", id)),
        (None, None) => None,
    };
    if let Some((field, column, value)) = by {
        let job = sb.with_db(|db| find(db, column, value))?;
        return job
            .map(|j| Json(JobsAnswer::Job(j)))
            .ok_or_else(|| not_found(field));
    }
    let page = positive_param("page", q.page.as_deref(), 1, u32::MAX)?;
    let per_page = positive_param(
        "per_page",
        q.per_page.as_deref(),
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
    )?;
    let offset = (u64::from(page) - 1) * u64::from(per_page);
    let list = sb.with_db(|db| -> Result<JobList, AppError> {
        let total_count: i64 =
            db.query_row("SELECT COUNT(*) FROM routemate_jobs", [], |r| r.get(0))?;
        let rows = {
            let mut stmt = db.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM routemate_jobs ORDER BY seq LIMIT ?1 OFFSET ?2"
            ))?;
            stmt.query_map(
                params![per_page, i64::try_from(offset).unwrap_or(i64::MAX)],
                job_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        let jobs = rows
            .into_iter()
            .map(|r| assemble(db, r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JobList {
            jobs,
            page,
            per_page,
            total_count,
        })
    })?;
    Ok(Json(JobsAnswer::List(list)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(status: StopStatus) -> JobStop {
        JobStop {
            sequence: 1,
            external_stop_id: "s".into(),
            label: None,
            address: String::new(),
            parcel_count: 1,
            latitude: 0.0,
            longitude: 0.0,
            leg_distance_km: 0.0,
            arrival_minutes: 0,
            status,
            failure_reason: None,
        }
    }

    #[test]
    fn the_job_is_assigned_until_every_stop_is_final() {
        use StopStatus::*;
        let (status, counts) = derive(&[stop(Pending), stop(Pending), stop(Completed)]);
        assert_eq!(status, JobStatus::Assigned);
        assert_eq!(
            serde_json::to_value(&counts).unwrap(),
            serde_json::json!({"pending": 2, "completed": 1})
        );
        assert_eq!(
            derive(&[stop(EnRoute), stop(Failed)]).0,
            JobStatus::Assigned
        );
        assert_eq!(
            derive(&[stop(Completed), stop(Failed)]).0,
            JobStatus::Completed
        );
        assert_eq!(derive(&[]).0, JobStatus::Completed);
    }

    #[test]
    fn kilometres_are_rounded_like_the_document() {
        assert_eq!(km_1(12_449.0), 12.4);
        assert_eq!(km_1(12_451.0), 12.5);
        assert_eq!(km_2(349.0), 0.35);
    }
}
