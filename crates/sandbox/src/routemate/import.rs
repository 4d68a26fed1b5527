//! `POST /v1/integration-import`: validate, find the driver, geocode and optimise
//! ([`super::plan`]), store the job with its stops `pending`, answer as the document shows.
//!
//! Safe retries come two ways. The `Idempotency-Key` header is the sandbox-wide layer
//! (`idempotency.rs`). `external_job_id` is RouteMate's own: the same id with the same body
//! (compared by [`ImportRequest::fingerprint`]) answers the stored import again with 200
//! instead of 201; with another body it is a 409. The id is UNIQUE in SQLite and checked again
//! in the transaction that inserts, so concurrent imports of one id still make one job.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, params};

use super::drivers;
use super::jobs::{km_1, km_2, minutes};
use super::plan::{Plan, plan};
use super::request::ImportRequest;
use super::schema::{ImportBody, ImportResponse, ImportWarning, JobStop, Optimization, StopStatus};
use crate::Sandbox;
use crate::error::AppError;
use crate::openapi::ErrorBody;
use crate::orders::parse_json;

pub(crate) const PATH: &str = "/v1/integration-import";

#[utoipa::path(
    post,
    path = "/v1/integration-import",
    tag = "routemate",
    security(("bearer" = [])),
    request_body = ImportBody,
    responses(
        (status = 201, description = "The job: stops in the optimised order, and the stops left out", body = ImportResponse),
        (status = 200, description = "This `external_job_id` was imported before with the same body: that import's answer", body = ImportResponse),
        (status = 400, description = "A broken rule: `<field>: <rule>` (e.g. `stops[2].address: is required`, `driver_email: no driver with this email`)", body = ErrorBody),
        (status = 401, description = "Missing, unknown or expired bearer token", body = ErrorBody),
        (status = 409, description = "This `external_job_id` was imported with a different body, or a request with this `Idempotency-Key` is in progress", body = ErrorBody)
    )
)]
/// `POST /v1/integration-import`
pub async fn import(
    State(sb): State<Sandbox>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportResponse>), AppError> {
    let request = ImportRequest::from_json(&parse_json(&body)?)?;
    let fingerprint = request.fingerprint();
    let (before, driver) = sb.with_db(|db| -> Result<_, AppError> {
        Ok((
            earlier(db, &request.external_job_id, &fingerprint)?,
            drivers::find(db, &request.driver_email)?,
        ))
    })?;
    if let Some(answer) = before {
        return Ok((StatusCode::OK, Json(answer)));
    }
    let driver = driver
        .ok_or_else(|| AppError::BadRequest("driver_email: no driver with this email".into()))?;
    // Geocoding and the solver are CPU work: off the async threads.
    let geo = sb.geo.clone();
    let stops = request.stops.clone();
    let planned = tokio::task::spawn_blocking(move || plan(geo.get().as_deref(), &driver, &stops))
        .await
        .map_err(AppError::internal)??;
    let job_id = uuid::Uuid::new_v4().to_string();
    let answer = answer(&job_id, &request, &planned);
    let now = sb.now().timestamp();
    sb.with_db(|db| -> Result<(StatusCode, ImportResponse), AppError> {
        let tx = db.transaction()?;
        // Another import of this id may have finished while this one was planning.
        if let Some(answer) = earlier(&tx, &request.external_job_id, &fingerprint)? {
            return Ok((StatusCode::OK, answer));
        }
        store(&tx, &request, &fingerprint, &answer, &planned, now)?;
        tx.commit()?;
        Ok((StatusCode::CREATED, answer))
    })
    .map(|(status, answer)| (status, Json(answer)))
}

/// The stored answer of an earlier import of this `external_job_id` with the same body; a 409
/// when the body differs.
fn earlier(
    db: &Connection,
    external_job_id: &str,
    fingerprint: &str,
) -> Result<Option<ImportResponse>, AppError> {
    let row: Option<(String, String, String)> = db
        .query_row(
            "SELECT id, fingerprint, response FROM routemate_jobs WHERE external_job_id = ?1",
            [external_job_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((_, stored, response)) if stored == fingerprint => serde_json::from_str(&response)
            .map(Some)
            .map_err(AppError::internal),
        Some((id, _, _)) => Err(AppError::Conflict(format!(
            "external_job_id: already imported as job {id} with a different body"
        ))),
    }
}

fn answer(job_id: &str, request: &ImportRequest, planned: &Plan) -> ImportResponse {
    let stops = planned
        .stops
        .iter()
        .zip(1..)
        .map(|(p, sequence)| {
            let input = &request.stops[p.input];
            JobStop {
                sequence,
                external_stop_id: input.external_stop_id.clone(),
                label: input.label.clone(),
                address: input.address.clone(),
                parcel_count: input.parcel_count,
                latitude: p.point.lat,
                longitude: p.point.lng,
                leg_distance_km: km_2(f64::from(p.leg_m)),
                arrival_minutes: minutes(i64::from(p.arrival_s)),
                status: StopStatus::Pending,
                failure_reason: None,
            }
        })
        .collect();
    ImportResponse {
        job_id: job_id.to_owned(),
        optimization: Optimization {
            total_distance_km: km_1(planned.distance_m as f64),
            total_duration_minutes: minutes(i64::try_from(planned.duration_s).unwrap_or(i64::MAX)),
        },
        stops,
        warnings: planned
            .warnings
            .iter()
            .map(|w| ImportWarning {
                external_stop_id: w.external_stop_id.clone(),
                reason: w.reason.clone(),
            })
            .collect(),
    }
}

fn store(
    db: &Connection,
    request: &ImportRequest,
    fingerprint: &str,
    answer: &ImportResponse,
    planned: &Plan,
    now: i64,
) -> Result<(), AppError> {
    db.execute(
        "INSERT INTO routemate_jobs
            (id, external_job_id, title, driver_email, fingerprint, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            answer.job_id,
            request.external_job_id,
            request.title,
            request.driver_email.trim().to_lowercase(),
            fingerprint,
            serde_json::to_string(answer).map_err(AppError::internal)?,
            now
        ],
    )?;
    let mut insert = db.prepare_cached(
        "INSERT INTO routemate_stops (job_id, sequence, external_stop_id, label, address,
             parcel_count, latitude, longitude, leg_m, arrival_s, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11)",
    )?;
    for (s, p) in answer.stops.iter().zip(&planned.stops) {
        insert.execute(params![
            answer.job_id,
            s.sequence,
            s.external_stop_id,
            s.label,
            s.address,
            s.parcel_count,
            s.latitude,
            s.longitude,
            p.leg_m,
            p.arrival_s,
            now
        ])?;
    }
    Ok(())
}
