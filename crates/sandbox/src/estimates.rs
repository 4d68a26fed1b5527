//! `POST /v1/delivery_estimates/`, `/v1/fetch_estimates/` and their `GET …/{id}`:
//! hold the earliest TimeWindow and AnytimeWindow with room, price the packages, measure the
//! distance, and list the sold-out slots up to the horizon.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderName;
use axum::http::header::CONTENT_TYPE;
use chrono::Duration;
use hakobu_diaq::order::{Names, names};
use hakobu_diaq::window::{
    UnavailableWindow, anytime_slots_from, earliest_anytime_date, earliest_time_start, horizon,
    time_slots_from,
};
use hakobu_diaq::{
    Customer, DeliveryEstimate, EstimateRequest, FetchEstimate, Package, Purpose, Slot, Store,
    Window,
};
use rusqlite::OptionalExtension;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use crate::Sandbox;
use crate::capacity::{insert_hold, sold_out_time_slots, usage};
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
pub async fn create_delivery_slash(sb: State<Sandbox>, body: Bytes) -> Result<JsonText, AppError> {
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
pub async fn create_delivery(State(sb): State<Sandbox>, body: Bytes) -> Result<JsonText, AppError> {
    create_json(&sb, Purpose::Delivery, &body).map(json_text)
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
pub async fn create_fetch_slash(sb: State<Sandbox>, body: Bytes) -> Result<JsonText, AppError> {
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
pub async fn create_fetch(State(sb): State<Sandbox>, body: Bytes) -> Result<JsonText, AppError> {
    create_json(&sb, Purpose::Fetch, &body).map(json_text)
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

/// A JSON answer already serialised, with the header [`Json`] would set.
type JsonText = ([(HeaderName, &'static str); 1], String);

fn json_text(text: String) -> JsonText {
    ([(CONTENT_TYPE, "application/json")], text)
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

/// The estimate as a JSON value, for callers that read it (the demo day).
pub(crate) fn create(sb: &Sandbox, purpose: Purpose, body: &[u8]) -> Result<Value, AppError> {
    let text = create_json(sb, purpose, body)?;
    serde_json::from_str(&text).map_err(AppError::internal)
}

/// Holds the windows and stores the estimate; its JSON text, written once both for the
/// `estimates` row and for the answer.
fn create_json(sb: &Sandbox, purpose: Purpose, body: &[u8]) -> Result<String, AppError> {
    let now = sb.now();
    let req =
        EstimateRequest::from_json(&parse_json(body)?, purpose, now).map_err(AppError::first)?;
    let n = names(purpose);
    let estimate_id = uuid::Uuid::new_v4().to_string();
    // Ids for the (at most two) holds, drawn before the database lock is taken: each is a
    // getrandom call, which need not keep other requests waiting.
    let hold_ids = [(); 2].map(|()| uuid::Uuid::new_v4().to_string());
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let store = usable_store(&tx, &req.store_id, purpose)?;
        let distance = distance_to(sb, &store, &req.customer)?;
        let last = horizon(now);
        let time_from = earliest_time_start(now, req.base);
        let capacity = sb.capacity.of_store(&store.id);
        let mut used = usage(&tx, &store.id, now.date_naive(), now)?;
        let time_slot = time_slots_from(time_from, last).find(|s| capacity.has_room(&used, *s));
        let anytime_slot = anytime_slots_from(earliest_anytime_date(purpose, now, req.base), last)
            .find(|s| capacity.has_room(&used, *s));
        if time_slot.is_none() && anytime_slot.is_none() {
            return Err(AppError::BadRequest(format!(
                "{}: no window with capacity within {} days",
                n.base,
                hakobu_diaq::window::HORIZON_DAYS
            )));
        }
        let expires_at = now + Duration::minutes(sb.capacity.hold_minutes);
        let mut windows = Vec::new();
        for (slot, hold_id) in [time_slot, anytime_slot]
            .into_iter()
            .flatten()
            .zip(hold_ids)
        {
            insert_hold(&tx, &hold_id, &store.id, slot, now, expires_at)?;
            windows.push(slot.window(hold_id, expires_at));
        }
        // Sold-out hourly slots after these holds, from the earliest candidate to the horizon.
        for slot in [time_slot, anytime_slot].into_iter().flatten() {
            *used.entry(slot).or_default() += 1;
        }
        let unavailable: Vec<_> = sold_out_time_slots(&used, capacity, time_from, last)
            .into_iter()
            .map(Slot::unavailable)
            .collect();
        let extra = time_slot.is_some_and(Slot::is_extra_charge);
        let packages: Vec<_> = req.packages.into_iter().map(|p| p.priced(extra)).collect();
        let response = serde_json::to_string(&EstimateBody {
            id: &estimate_id,
            names: n,
            base: hakobu_diaq::time::format(req.base),
            windows: &windows,
            unavailable: &unavailable,
            customer: &req.customer,
            store: store_summary(&store),
            distance,
            packages: &packages,
        })
        .map_err(AppError::internal)?;
        tx.prepare_cached("INSERT INTO estimates (id, kind, body) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![estimate_id, kind_name(purpose), response])?;
        tx.commit()?;
        Ok(response)
    })
}

/// The DeliveryEstimate/FetchEstimate object, serialised straight to text: building a
/// `serde_json::Value` first cost more than the rest of the answer. The keys (two named by the
/// purpose) and their order are the ones the document gives.
struct EstimateBody<'a> {
    id: &'a str,
    names: &'static Names,
    base: String,
    windows: &'a [Window],
    unavailable: &'a [UnavailableWindow],
    customer: &'a Customer,
    store: Value,
    distance: u32,
    packages: &'a [Package],
}

impl Serialize for EstimateBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(9))?;
        map.serialize_entry("id", self.id)?;
        map.serialize_entry("object", self.names.estimate_object)?;
        map.serialize_entry(self.names.base, &self.base)?;
        map.serialize_entry(self.names.windows, self.windows)?;
        map.serialize_entry("unavailable_windows", self.unavailable)?;
        map.serialize_entry("customer", self.customer)?;
        map.serialize_entry("store", &self.store)?;
        map.serialize_entry("distance", &self.distance)?;
        map.serialize_entry("packages", self.packages)?;
        map.end()
    }
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
