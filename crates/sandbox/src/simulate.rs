//! Sandbox-only routes standing in for the drivers' app (the document's "管理画面でステータスを
//! 進める"): advance a job to its next status, or raise an exception that cancels or returns it.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use hakobu_diaq::order::names;
use hakobu_diaq::{Exception, Purpose, Status};
use serde_json::{Value, json};

use crate::Sandbox;
use crate::error::AppError;
use crate::extract::Path;
use crate::openapi::{ErrorBody, ExceptionBody, Job, JobKind};
use crate::orders::{cancel, load, parse_json, save, status_of};

fn purpose_of(kind: &str) -> Result<Purpose, AppError> {
    match kind {
        "deliveries" => Ok(Purpose::Delivery),
        "fetches" => Ok(Purpose::Fetch),
        _ => Err(AppError::NotFound("path: not found".into())),
    }
}

#[utoipa::path(
    post,
    path = "/sandbox/{kind}/{id}/advance",
    tag = "sandbox",
    params(("kind" = inline(JobKind), Path, description = "deliveries or fetches"), ("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job in its next status", body = Job),
        (status = 400, description = "The status is final", body = ErrorBody),
        (status = 404, description = "No such job", body = ErrorBody)
    )
)]
/// `POST /sandbox/{deliveries|fetches}/{id}/advance`
pub async fn advance(
    State(sb): State<Sandbox>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, AppError> {
    let purpose = purpose_of(&kind)?;
    advance_job(&sb, purpose, &id, None, None).map(|done| Json(done.unwrap_or(Value::Null)))
}

/// Moves a job to its next status and announces it. With `expect`, only from that status
/// (`Ok(None)` otherwise: someone else moved it first). `driver` is the roster index that
/// takes it at `assigned`; by default one derived from the tracking code. From `collecting` on
/// the object's driver carries phone and vehicle type.
pub(crate) fn advance_job(
    sb: &Sandbox,
    purpose: Purpose,
    id: &str,
    expect: Option<Status>,
    driver: Option<usize>,
) -> Result<Option<Value>, AppError> {
    let now = sb.now();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let mut object = load(&tx, purpose, id)?;
        let from = status_of(&object);
        if expect.is_some_and(|e| e != from) {
            return Ok(None);
        }
        let to = from
            .advanced()
            .ok_or_else(|| AppError::BadRequest(format!("status: {} is final", from.as_str())))?;
        object["status"] = json!(to);
        {
            let drivers = sb.drivers();
            if to == Status::Assigned {
                let pick = driver.unwrap_or_else(|| {
                    drivers.pick_for(object["tracking_code"].as_str().unwrap_or_default())
                });
                if let Some(d) = drivers.get(pick) {
                    object["driver"] = json!({ "name": d.name });
                }
            }
            if to.driver_details_visible()
                && let Some(name) = object["driver"]["name"].as_str()
                && let Some(d) = drivers.all().iter().find(|d| d.name == name)
            {
                object["driver"]["phone"] = json!(d.phone);
                object["driver"]["vehicle_type"] = json!(d.vehicle.name());
            }
        }
        if to == Status::Delivered {
            object["delivered_at"] = json!(hakobu_diaq::time::format(now));
        }
        object["update"] = json!(hakobu_diaq::time::format_millis(now));
        save(&tx, &object, now)?;
        tx.commit()?;
        sb.announce(purpose, &object);
        Ok(Some(object))
    })
}

#[utoipa::path(
    post,
    path = "/sandbox/{kind}/{id}/exception",
    tag = "sandbox",
    params(("kind" = inline(JobKind), Path, description = "deliveries or fetches"), ("id" = String, Path, description = "The job's id")),
    request_body = ExceptionBody,
    responses(
        (status = 200, description = "The job, canceled or returning, with the exception", body = Job),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 404, description = "No such job, or one that cannot be canceled", body = ErrorBody)
    )
)]
/// `POST /sandbox/{deliveries|fetches}/{id}/exception` with `{"code": 1..8, "comment": "…"}`.
pub async fn exception(
    State(sb): State<Sandbox>,
    Path((kind, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let purpose = purpose_of(&kind)?;
    let body = parse_json(&body)?;
    let code = body["code"]
        .as_u64()
        .and_then(|c| u8::try_from(c).ok())
        .ok_or_else(|| {
            AppError::BadRequest("code: must be an exception code from 1 to 8".into())
        })?;
    let comment = body["comment"].as_str().unwrap_or_default();
    let e = Exception::from_code(code, comment).ok_or_else(|| {
        AppError::BadRequest("code: must be an exception code from 1 to 8".into())
    })?;
    let _ = names(purpose);
    cancel(&sb, purpose, &id, Some(e)).map(Json)
}
