//! `POST /v1/delivery_estimates/`, `/v1/fetch_estimates/` and their `GET …/{id}`:
//! hold the earliest TimeWindow and AnytimeWindow with room, price the packages, measure the
//! distance, and list the sold-out slots up to the horizon.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::Duration;
use hakobu_diaq::order::names;
use hakobu_diaq::window::{
    anytime_slots_from, earliest_anytime_date, earliest_time_start, horizon, time_slots_from,
};
use hakobu_diaq::{DeliveryEstimate, EstimateRequest, FetchEstimate, Purpose, Slot, Store};
use rusqlite::OptionalExtension;
use serde_json::{Value, json};

use crate::Sandbox;
use crate::capacity::{insert_hold, usage};
use crate::error::AppError;
use crate::extract::Path;
use crate::openapi::{DeliveryEstimateBody, ErrorBody, FetchEstimateBody};
use crate::orders::{distance_to, kind_name, parse_json, store_summary};
use crate::stores;

/// The document's form with the trailing slash.
#[utoipa::path(
    post,
    path = "/v1/delivery_estimates/",
    tag = "estimates",
    request_body = DeliveryEstimateBody,
    responses(
        (status = 200, description = "Held windows, prices and distance", body = DeliveryEstimate),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody)
    )
)]
pub async fn create_delivery_slash(
    sb: State<Sandbox>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    create_delivery(sb, body).await
}

#[utoipa::path(
    post,
    path = "/v1/delivery_estimates",
    tag = "estimates",
    request_body = DeliveryEstimateBody,
    responses(
        (status = 200, description = "Held windows, prices and distance", body = DeliveryEstimate),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody)
    )
)]
pub async fn create_delivery(
    State(sb): State<Sandbox>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    create(&sb, Purpose::Delivery, &body).map(Json)
}

/// The document's form with the trailing slash.
#[utoipa::path(
    post,
    path = "/v1/fetch_estimates/",
    tag = "estimates",
    request_body = FetchEstimateBody,
    responses(
        (status = 200, description = "Held windows, prices and distance", body = FetchEstimate),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody)
    )
)]
pub async fn create_fetch_slash(sb: State<Sandbox>, body: Bytes) -> Result<Json<Value>, AppError> {
    create_fetch(sb, body).await
}

#[utoipa::path(
    post,
    path = "/v1/fetch_estimates",
    tag = "estimates",
    request_body = FetchEstimateBody,
    responses(
        (status = 200, description = "Held windows, prices and distance", body = FetchEstimate),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody)
    )
)]
pub async fn create_fetch(State(sb): State<Sandbox>, body: Bytes) -> Result<Json<Value>, AppError> {
    create(&sb, Purpose::Fetch, &body).map(Json)
}

#[utoipa::path(
    get,
    path = "/v1/delivery_estimates/{id}",
    tag = "estimates",
    params(("id" = String, Path, description = "The estimate's id")),
    responses(
        (status = 200, description = "The estimate as created", body = DeliveryEstimate),
        (status = 404, description = "`id: estimate not found`", body = ErrorBody)
    )
)]
pub async fn show_delivery(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    show(&sb, Purpose::Delivery, &id).map(Json)
}

#[utoipa::path(
    get,
    path = "/v1/fetch_estimates/{id}",
    tag = "estimates",
    params(("id" = String, Path, description = "The estimate's id")),
    responses(
        (status = 200, description = "The estimate as created", body = FetchEstimate),
        (status = 404, description = "`id: estimate not found`", body = ErrorBody)
    )
)]
pub async fn show_fetch(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    show(&sb, Purpose::Fetch, &id).map(Json)
}

/// The store an estimate or order is for, which must exist and take this kind of job.
pub(crate) fn usable_store(
    db: &rusqlite::Connection,
    store_id: &str,
    purpose: Purpose,
) -> Result<Store, AppError> {
    let store = stores::find(db, store_id)?
        .ok_or_else(|| AppError::BadRequest("store_id: store not found".into()))?;
    let offers = match purpose {
        Purpose::Delivery => store.offers_delivery,
        Purpose::Fetch => store.offers_fetches,
    };
    if !offers {
        return Err(AppError::BadRequest(format!(
            "store_id: store does not take {}",
            match purpose {
                Purpose::Delivery => "deliveries",
                Purpose::Fetch => "fetches",
            }
        )));
    }
    Ok(store)
}

pub(crate) fn create(sb: &Sandbox, purpose: Purpose, body: &[u8]) -> Result<Value, AppError> {
    let now = sb.now();
    let req =
        EstimateRequest::from_json(&parse_json(body)?, purpose, now).map_err(AppError::first)?;
    let n = names(purpose);
    let estimate_id = uuid::Uuid::new_v4().to_string();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let store = usable_store(&tx, &req.store_id, purpose)?;
        let distance = distance_to(sb, &store, &req.customer)?;
        let last = horizon(now);
        let time_from = earliest_time_start(now, req.base);
        let mut used = usage(&tx, &store.id, now.date_naive(), now)?;
        let has_room =
            |slot: &Slot| used.get(slot).copied().unwrap_or(0) < sb.capacity.of(&store.id, *slot);
        let time_slot = time_slots_from(time_from, last).find(|s| has_room(s));
        let anytime_slot = anytime_slots_from(earliest_anytime_date(purpose, now, req.base), last)
            .find(|s| has_room(s));
        if time_slot.is_none() && anytime_slot.is_none() {
            return Err(AppError::BadRequest(format!(
                "{}: no window with capacity within {} days",
                n.base,
                hakobu_diaq::window::HORIZON_DAYS
            )));
        }
        let expires_at = now + Duration::minutes(sb.capacity.hold_minutes);
        let mut windows = Vec::new();
        for slot in [time_slot, anytime_slot].into_iter().flatten() {
            let hold_id = uuid::Uuid::new_v4().to_string();
            insert_hold(&tx, &hold_id, &store.id, slot, now, expires_at)?;
            windows.push(slot.window(hold_id, expires_at));
        }
        // Sold-out hourly slots after these holds, from the earliest candidate to the horizon.
        for slot in [time_slot, anytime_slot].into_iter().flatten() {
            *used.entry(slot).or_default() += 1;
        }
        let unavailable: Vec<_> = time_slots_from(time_from, last)
            .filter(|s| used.get(s).copied().unwrap_or(0) >= sb.capacity.of(&store.id, *s))
            .map(Slot::unavailable)
            .collect();
        let extra = time_slot.is_some_and(Slot::is_extra_charge);
        let packages: Vec<_> = req.packages.into_iter().map(|p| p.priced(extra)).collect();
        let response = json!({
            "id": estimate_id,
            "object": n.estimate_object,
            n.base: hakobu_diaq::time::format(req.base),
            n.windows: windows,
            "unavailable_windows": unavailable,
            "customer": req.customer,
            "store": store_summary(&store),
            "distance": distance,
            "packages": packages,
        });
        tx.execute(
            "INSERT INTO estimates (id, kind, body) VALUES (?1, ?2, ?3)",
            rusqlite::params![estimate_id, kind_name(purpose), response.to_string()],
        )?;
        tx.commit()?;
        Ok(response)
    })
}

fn show(sb: &Sandbox, purpose: Purpose, id: &str) -> Result<Value, AppError> {
    let body: Option<String> = sb.with_db(|db| {
        db.query_row(
            "SELECT body FROM estimates WHERE id = ?1 AND kind = ?2",
            [id, kind_name(purpose)],
            |r| r.get(0),
        )
        .optional()
    })?;
    let body = body.ok_or_else(|| AppError::NotFound("id: estimate not found".into()))?;
    serde_json::from_str(&body).map_err(AppError::internal)
}
