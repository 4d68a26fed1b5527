//! `POST /v1/reserve_windows`: hold a chosen (store, date, time zone) instead of the earliest.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::Duration;
use hakobu_diaq::window::{horizon, today};
use hakobu_diaq::{ReserveRequest, Slot, Window};

use crate::Sandbox;
use crate::capacity::{insert_hold, usage};
use crate::error::AppError;
use crate::openapi::{ErrorBody, ReserveBody};
use crate::orders::parse_json;
use crate::stores;

#[utoipa::path(
    post,
    path = "/v1/reserve_windows",
    tag = "estimates",
    request_body = ReserveBody,
    responses(
        (status = 200, description = "The held window", body = Window),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 404, description = "The window has started, is beyond the horizon or is sold out", body = ErrorBody)
    )
)]
pub async fn reserve(State(sb): State<Sandbox>, body: Bytes) -> Result<Json<Window>, AppError> {
    hold(&sb, &body).map(Json)
}

/// Holds the requested (store, date, time zone) if it has room.
pub(crate) fn hold(sb: &Sandbox, body: &[u8]) -> Result<Window, AppError> {
    let now = sb.now();
    let req = ReserveRequest::from_json(&parse_json(body)?).map_err(AppError::first)?;
    let slot = Slot::from_zone(req.reserve_date, &req.time_zone_id).ok_or_else(|| {
        AppError::BadRequest("time_zone_id: not one of GET /v1/time_zones".into())
    })?;
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let store = stores::find(&tx, &req.store_id)?
            .ok_or_else(|| AppError::BadRequest("store_id: store not found".into()))?;
        // The document: a window that cannot be reserved is a 404.
        let past = match slot.starts_at() {
            Some(start) => start < now,
            None => slot.date < today(now),
        };
        if past {
            return Err(AppError::NotFound(
                "time_zone_id: this window has already started".into(),
            ));
        }
        if slot.date > horizon(now) {
            return Err(AppError::NotFound(format!(
                "reserve_date: beyond the {}-day horizon",
                hakobu_diaq::window::HORIZON_DAYS
            )));
        }
        let used = usage(&tx, &store.id, slot.date, now)?;
        if used.get(&slot).copied().unwrap_or(0) >= sb.capacity.of(&store.id, slot) {
            return Err(AppError::NotFound(
                "time_zone_id: this window is sold out".into(),
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let expires_at = now + Duration::minutes(sb.capacity.hold_minutes);
        insert_hold(&tx, &id, &store.id, slot, now, expires_at)?;
        tx.commit()?;
        Ok(slot.window(id, expires_at))
    })
}
