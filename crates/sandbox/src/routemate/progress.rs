//! Stop statuses moving forward: pending → en_route → completed | failed. One stop is visited
//! at a time, in driving order: the stop en route if there is one, else the first pending.
//! Used by the sandbox routes below (standing in for the driver's app) and by the simulated
//! drivers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::jobs::{find, not_found};
use super::schema::{FailBody, Job, StopStatus};
use crate::Sandbox;
use crate::error::AppError;
use crate::extract::Path;
use crate::openapi::ErrorBody;
use crate::orders::parse_json;

/// What a failed stop says when no reason is given: nobody home.
pub(crate) const DEFAULT_FAILURE: &str = "不在";

/// The stop being visited: (sequence, status).
pub(crate) fn current(
    db: &Connection,
    job_id: &str,
) -> rusqlite::Result<Option<(i64, StopStatus)>> {
    let row: Option<(i64, String)> = db
        .query_row(
            "SELECT sequence, status FROM routemate_stops
             WHERE job_id = ?1 AND status IN ('en_route', 'pending')
             ORDER BY status = 'pending', sequence LIMIT 1",
            [job_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(seq, s)| StopStatus::parse(&s).map(|s| (seq, s))))
}

/// Moves one stop from `from` to `to`; false when it is no longer in `from` (someone else
/// moved it first).
pub(crate) fn set_status(
    db: &Connection,
    job_id: &str,
    sequence: i64,
    from: StopStatus,
    to: StopStatus,
    reason: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = db.execute(
        "UPDATE routemate_stops SET status = ?4, failure_reason = ?5, updated_at = ?6
         WHERE job_id = ?1 AND sequence = ?2 AND status = ?3",
        params![job_id, sequence, from.as_str(), to.as_str(), reason, now],
    )?;
    Ok(changed == 1)
}

fn exists(db: &Connection, job_id: &str) -> rusqlite::Result<bool> {
    db.query_row(
        "SELECT EXISTS (SELECT 1 FROM routemate_jobs WHERE id = ?1)",
        [job_id],
        |r| r.get(0),
    )
}

/// Moves the visited stop one step: to `en_route` when pending, to `to` when en route. A 404
/// for an unknown job, a 400 when every stop is final.
fn step(
    sb: &Sandbox,
    job_id: &str,
    finish_as: StopStatus,
    reason: Option<&str>,
) -> Result<Job, AppError> {
    let now = sb.now().timestamp();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        if !exists(&tx, job_id)? {
            return Err(not_found("job_id"));
        }
        let (sequence, from) = current(&tx, job_id)?.ok_or_else(|| {
            AppError::BadRequest("job_id: every stop is already completed or failed".into())
        })?;
        let (to, reason) = match (from, finish_as) {
            // Failing a stop not yet set off for: it fails without going en route.
            (StopStatus::Pending, StopStatus::Failed) | (StopStatus::EnRoute, _) => {
                (finish_as, reason)
            }
            _ => (StopStatus::EnRoute, None),
        };
        set_status(&tx, job_id, sequence, from, to, reason, now)?;
        let job = find(&tx, "id", job_id)?.ok_or_else(|| not_found("job_id"))?;
        tx.commit()?;
        Ok(job)
    })
}

#[utoipa::path(
    post,
    path = "/sandbox/routemate/jobs/{job_id}/advance",
    tag = "sandbox",
    params(("job_id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job after its visited stop moved on (pending → en_route → completed)", body = Job),
        (status = 400, description = "Every stop is already completed or failed", body = ErrorBody),
        (status = 404, description = "`job_id: job not found`", body = ErrorBody)
    )
)]
/// `POST /sandbox/routemate/jobs/{job_id}/advance`
pub async fn advance(
    State(sb): State<Sandbox>,
    Path(job_id): Path<String>,
) -> Result<Json<Job>, AppError> {
    step(&sb, &job_id, StopStatus::Completed, None).map(Json)
}

#[utoipa::path(
    post,
    path = "/sandbox/routemate/jobs/{job_id}/fail",
    tag = "sandbox",
    params(("job_id" = String, Path, description = "The job's id")),
    request_body(content = Option<FailBody>, description = "Optional; an empty body fails with 「不在」"),
    responses(
        (status = 200, description = "The job after its visited stop failed", body = Job),
        (status = 400, description = "A broken rule, or every stop is already completed or failed", body = ErrorBody),
        (status = 404, description = "`job_id: job not found`", body = ErrorBody)
    )
)]
/// `POST /sandbox/routemate/jobs/{job_id}/fail` with an optional `{"reason": "…"}`.
pub async fn fail(
    State(sb): State<Sandbox>,
    Path(job_id): Path<String>,
    body: Bytes,
) -> Result<Json<Job>, AppError> {
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let body = parse_json(&body)?;
        if !body.is_object() {
            return Err(AppError::BadRequest("body: must be a JSON object".into()));
        }
        match &body["reason"] {
            Value::Null => None,
            Value::String(s) if s.chars().count() > 200 => {
                return Err(AppError::BadRequest(
                    "reason: must be at most 200 characters".into(),
                ));
            }
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::String(_) => None,
            _ => return Err(AppError::BadRequest("reason: must be a string".into())),
        }
    };
    let reason = reason.as_deref().unwrap_or(DEFAULT_FAILURE);
    step(&sb, &job_id, StopStatus::Failed, Some(reason)).map(Json)
}
