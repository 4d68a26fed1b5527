//! `/v1/deliveries` and `/v1/fetches`: create from a hold, list with filters, show, update while
//! `created`, cancel per the document's table. Both kinds share this code; the property names
//! that differ come from `hakobu_diaq::order::names`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use hakobu_diaq::order::names;
use hakobu_diaq::{
    Customer, Delivery, Fetch, FieldError, OrderRequest, OrderUpdate, Purpose, Status, Store,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Sandbox;
use crate::capacity::{find_hold, job_added, job_released, slot_columns, use_hold};
use crate::error::AppError;
use crate::estimates::usable_store;
use crate::extract::{Path, Query};
use crate::openapi::{DeliveryBody, ErrorBody, FetchBody, OrderUpdateBody};
use crate::stores::{DEFAULT_PER_PAGE, MAX_PER_PAGE, positive_param};

pub(crate) fn kind_name(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Delivery => "delivery",
        Purpose::Fetch => "fetch",
    }
}

pub(crate) fn parse_json(body: &[u8]) -> Result<Value, AppError> {
    serde_json::from_slice(body).map_err(|_| {
        AppError::BadRequest(
            FieldError::new(
                "body",
                hakobu_diaq::Rule::Type {
                    expected: "JSON object",
                },
            )
            .to_string(),
        )
    })
}

pub(crate) fn store_summary(store: &Store) -> Value {
    json!({
        "store_id": store.id,
        "store_name": store.store_name,
        "store_address_prefecture": store.store_address_prefecture,
        "store_address_line_1": store.store_address_line_1,
        "store_address_line_2": store.store_address_line_2,
        "store_phone": store.store_phone,
        "store_type": store.store_type,
    })
}

/// Travel metres from the store to the customer with hakobu-geo's model; 0 without a
/// gazetteer. A customer address the gazetteer cannot place is a 400: nobody could drive there.
pub(crate) fn distance_to(
    sb: &Sandbox,
    store: &Store,
    customer: &Customer,
) -> Result<u32, AppError> {
    let Some(geo) = sb.geo.get() else {
        return Ok(0);
    };
    let to = geo.geocode(&customer.address()).map_err(|e| {
        AppError::BadRequest(format!(
            "customer.address_line_1: address not recognised ({})",
            e.to_string().trim_start_matches("address: ")
        ))
    })?;
    if to.level == hakobu_geo::Level::Prefecture {
        return Err(AppError::BadRequest(
            "customer.address_line_1: no municipality recognised".into(),
        ));
    }
    let from = geo.geocode(&format!(
        "{}{}",
        store.store_address_prefecture, store.store_address_line_1
    ));
    Ok(from.map_or(0, |f| {
        hakobu_geo::travel::leg(
            f.point,
            to.point,
            hakobu_geo::travel::VehicleType::SmallMotorcycle,
        )
        .metres
    }))
}

/// 12 digits, unique among orders.
fn tracking_code(db: &Connection) -> rusqlite::Result<String> {
    loop {
        let n = u128::from_le_bytes(*uuid::Uuid::new_v4().as_bytes()) % 1_000_000_000_000;
        let code = format!("{n:012}");
        let taken: bool = db.query_row(
            "SELECT EXISTS (SELECT 1 FROM orders WHERE tracking_code = ?1)",
            [&code],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(code);
        }
    }
}

/// The document's form with the trailing slash.
#[utoipa::path(
    get,
    path = "/v1/fetches/",
    tag = "fetches",
    params(ListParams),
    responses((status = 200, description = "In creation order", body = Vec<Fetch>), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn list_fetches_slash(
    sb: State<Sandbox>,
    p: Query<ListParams>,
) -> Result<Json<Vec<Value>>, AppError> {
    list_fetches(sb, p).await
}

/// The document's form with the trailing slash.
#[utoipa::path(
    get,
    path = "/v1/deliveries/",
    tag = "deliveries",
    params(ListParams),
    responses((status = 200, description = "In creation order", body = Vec<Delivery>), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn list_deliveries_slash(
    sb: State<Sandbox>,
    p: Query<ListParams>,
) -> Result<Json<Vec<Value>>, AppError> {
    list_deliveries(sb, p).await
}

/// The document's form with the trailing slash.
#[utoipa::path(
    post,
    path = "/v1/fetches/",
    tag = "fetches",
    request_body = FetchBody,
    responses((status = 200, description = "The new fetch, `created`", body = Fetch), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn create_fetch_slash(sb: State<Sandbox>, body: Bytes) -> Result<Json<Value>, AppError> {
    create_fetch(sb, body).await
}

/// The document's form with the trailing slash.
#[utoipa::path(
    post,
    path = "/v1/deliveries/",
    tag = "deliveries",
    request_body = DeliveryBody,
    responses((status = 200, description = "The new delivery, `created`", body = Delivery), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn create_delivery_slash(
    sb: State<Sandbox>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    create_delivery(sb, body).await
}

#[utoipa::path(
    post,
    path = "/v1/deliveries",
    tag = "deliveries",
    request_body = DeliveryBody,
    responses((status = 200, description = "The new delivery, `created`", body = Delivery), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn create_delivery(
    State(sb): State<Sandbox>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    create(&sb, Purpose::Delivery, &body).map(Json)
}

#[utoipa::path(
    post,
    path = "/v1/fetches",
    tag = "fetches",
    request_body = FetchBody,
    responses((status = 200, description = "The new fetch, `created`", body = Fetch), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn create_fetch(State(sb): State<Sandbox>, body: Bytes) -> Result<Json<Value>, AppError> {
    create(&sb, Purpose::Fetch, &body).map(Json)
}

pub(crate) fn create(sb: &Sandbox, purpose: Purpose, body: &[u8]) -> Result<Value, AppError> {
    let now = sb.now();
    let n = names(purpose);
    let req = OrderRequest::from_json(&parse_json(body)?, purpose, now).map_err(AppError::first)?;
    let id = uuid::Uuid::new_v4().to_string();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let store = usable_store(&tx, &req.store_id, purpose)?;
        let hold = find_hold(&tx, &req.window_id)?
            .filter(|h| h.store_id == store.id)
            .ok_or_else(|| {
                AppError::BadRequest(format!("{}: no such window for this store", n.window_id))
            })?;
        if hold.used_by.is_some() {
            return Err(AppError::BadRequest(format!(
                "{}: window already used",
                n.window_id
            )));
        }
        if hold.expires_at <= now.timestamp() {
            return Err(AppError::BadRequest(format!(
                "{}: window expired (時間枠の違反); make a new estimate",
                n.window_id
            )));
        }
        if req.hint.is_some() && hold.slot.hour.is_some() {
            return Err(AppError::BadRequest(format!(
                "{}: only allowed with an AnytimeWindow",
                n.hint
            )));
        }
        let distance = distance_to(sb, &store, &req.customer)?;
        let expires_at = chrono::DateTime::from_timestamp(hold.expires_at, 0)
            .map(hakobu_diaq::time::from_utc)
            .unwrap_or(now);
        let window = hold.slot.window(hold.id.clone(), expires_at);
        let extra = hold.slot.is_extra_charge();
        let packages: Vec<_> = req.packages.into_iter().map(|p| p.priced(extra)).collect();
        let refs: Vec<&str> = packages
            .iter()
            .map(|p| p.order_reference.as_str())
            .collect();
        let refs = refs.join("\n");
        let code = tracking_code(&tx)?;
        let mut object = json!({
            "id": id,
            "object": n.object,
            "tracking_code": code,
            "status": Status::Created,
            n.base: hakobu_diaq::time::format(req.base),
            "driver": null,
            "delivered_at": null,
            n.window: window,
            "customer": req.customer,
            "store": store_summary(&store),
            "pickup_comments": req.pickup_comments,
            "destination_comments": req.destination_comments,
            "pickup_driver_comments": "",
            "destination_driver_comments": "",
            "store_signature": store.pickup_proof,
            "customer_signature": store.delivery_proof,
            "packages": packages,
            "distance": distance,
            "etc_price": "0",
            "etc_price_reason": "",
            "exception": null,
        });
        if let Some(h) = &req.hint {
            object[n.hint] = json!(h);
        }
        object["update"] = json!(hakobu_diaq::time::format_millis(now));
        if !use_hold(&tx, &hold.id, &id)? {
            return Err(AppError::BadRequest(format!(
                "{}: window already used",
                n.window_id
            )));
        }
        job_added(&tx, &store.id, hold.slot)?;
        let (date, hour) = slot_columns(hold.slot);
        tx.execute(
            "INSERT INTO orders (id, kind, store_id, status, tracking_code, slot_date, slot_hour,
                                 window_ends_at, order_refs, body, updated_at)
             VALUES (?1, ?2, ?3, 'created', ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                kind_name(purpose),
                store.id,
                code,
                date,
                hour,
                hold.slot.ends_at().timestamp(),
                refs,
                object.to_string(),
                now.timestamp()
            ],
        )?;
        tx.commit()?;
        Ok(object)
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based page number (default 1).
    #[param(value_type = Option<u32>, minimum = 1)]
    page: Option<String>,
    /// Rows per page, 1–100 (default 25).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
    /// Only this store's.
    store_id: Option<String>,
    /// DESIGN.md's status code: 0 (created) … 9 (returned).
    #[param(value_type = Option<u8>, minimum = 0, maximum = 9)]
    status: Option<String>,
    /// Windows ending at or after this time.
    #[param(format = DateTime)]
    since: Option<String>,
    /// Windows ending by this time.
    #[param(format = DateTime)]
    until: Option<String>,
    /// Exact `order_reference` of any package.
    order_reference: Option<String>,
}

#[utoipa::path(
    get,
    path = "/v1/deliveries",
    tag = "deliveries",
    params(ListParams),
    responses((status = 200, description = "In creation order", body = Vec<Delivery>), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn list_deliveries(
    State(sb): State<Sandbox>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Value>>, AppError> {
    list(&sb, Purpose::Delivery, &p).map(Json)
}

#[utoipa::path(
    get,
    path = "/v1/fetches",
    tag = "fetches",
    params(ListParams),
    responses((status = 200, description = "In creation order", body = Vec<Fetch>), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn list_fetches(
    State(sb): State<Sandbox>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Value>>, AppError> {
    list(&sb, Purpose::Fetch, &p).map(Json)
}

/// The document writes `since=2018-10-24T16:00:00+09:00` unencoded, and in a query string that
/// `+` arrives as a space: a space before a trailing `HH:MM` offset is read as `+`.
fn plus_offset(s: &str) -> Option<String> {
    let at = s.len().checked_sub(6)?;
    (s.as_bytes()[at] == b' ').then(|| format!("{}+{}", &s[..at], &s[at + 1..]))
}

fn time_param(name: &str, raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => hakobu_diaq::time::parse(s)
            .or_else(|| hakobu_diaq::time::parse(&plus_offset(s)?))
            .map(|t| Some(t.timestamp()))
            .ok_or_else(|| {
                AppError::BadRequest(format!("{name}: {}", hakobu_diaq::Rule::Timestamp))
            }),
    }
}

fn list(sb: &Sandbox, purpose: Purpose, p: &ListParams) -> Result<Vec<Value>, AppError> {
    let page = positive_param("page", p.page.as_deref(), 1, u32::MAX)?;
    let per_page = positive_param(
        "per_page",
        p.per_page.as_deref(),
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
    )?;
    let status = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<u8>()
                .ok()
                .and_then(Status::from_code)
                .ok_or_else(|| {
                    AppError::BadRequest(
                        "status: must be a status code from 0 (created) to 9 (returned)".into(),
                    )
                })?,
        ),
    };
    let since = time_param("since", p.since.as_deref())?;
    let until = time_param("until", p.until.as_deref())?;
    let mut sql = String::from("SELECT body FROM orders WHERE kind = ?");
    let mut args: Vec<rusqlite::types::Value> = vec![kind_name(purpose).to_owned().into()];
    if let Some(store) = p.store_id.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(" AND store_id = ?");
        args.push(store.to_owned().into());
    }
    if let Some(s) = status {
        sql.push_str(" AND status = ?");
        args.push(s.as_str().to_owned().into());
    }
    // The document: since = "ends at or after", until = "ends by".
    if let Some(t) = since {
        sql.push_str(" AND window_ends_at >= ?");
        args.push(t.into());
    }
    if let Some(t) = until {
        sql.push_str(" AND window_ends_at <= ?");
        args.push(t.into());
    }
    if let Some(r) = p.order_reference.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(
            " AND instr(char(10) || order_refs || char(10), char(10) || ? || char(10)) > 0",
        );
        args.push(r.to_owned().into());
    }
    sql.push_str(" ORDER BY seq LIMIT ? OFFSET ?");
    args.push(i64::from(per_page).into());
    args.push((i64::from(page - 1) * i64::from(per_page)).into());
    let bodies: Vec<String> = sb.with_db(|db| {
        let mut stmt = db.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
    })?;
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).map_err(AppError::internal))
        .collect()
}

pub(crate) fn load(db: &Connection, purpose: Purpose, id: &str) -> Result<Value, AppError> {
    let body: Option<String> = db
        .query_row(
            "SELECT body FROM orders WHERE id = ?1 AND kind = ?2",
            [id, kind_name(purpose)],
            |r| r.get(0),
        )
        .optional()?;
    let body =
        body.ok_or_else(|| AppError::NotFound(format!("id: {} not found", names(purpose).object)))?;
    serde_json::from_str(&body).map_err(AppError::internal)
}

pub(crate) fn save(
    db: &Connection,
    object: &Value,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> rusqlite::Result<()> {
    let id = object["id"].as_str().unwrap_or_default();
    let status = object["status"].as_str().unwrap_or_default();
    // Every status change passes here: a job that becomes canceled frees its slot.
    let before: Option<(String, String, String, i64)> = db
        .query_row(
            "SELECT status, store_id, slot_date, slot_hour FROM orders WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    if let Some((old, store, date, hour)) = before
        && old != "canceled"
        && status == "canceled"
    {
        job_released(db, &store, &date, hour)?;
    }
    db.execute(
        "UPDATE orders SET body = ?2, status = ?3, order_refs = ?4, updated_at = ?5 WHERE id = ?1",
        params![
            object["id"].as_str().unwrap_or_default(),
            object.to_string(),
            object["status"].as_str().unwrap_or_default(),
            object["packages"]
                .as_array()
                .map(|ps| ps
                    .iter()
                    .map(|p| p["order_reference"].as_str().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n"))
                .unwrap_or_default(),
            now.timestamp()
        ],
    )?;
    Ok(())
}

pub(crate) fn status_of(object: &Value) -> Status {
    object["status"]
        .as_str()
        .and_then(Status::parse)
        .unwrap_or(Status::Created)
}

#[utoipa::path(
    get,
    path = "/v1/deliveries/{id}",
    tag = "deliveries",
    params(("id" = String, Path, description = "The delivery's id")),
    responses((status = 200, description = "The delivery", body = Delivery), (status = 404, description = "`id: delivery not found`", body = ErrorBody))
)]
pub async fn show_delivery(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    sb.with_db(|db| load(db, Purpose::Delivery, &id)).map(Json)
}

#[utoipa::path(
    get,
    path = "/v1/fetches/{id}",
    tag = "fetches",
    params(("id" = String, Path, description = "The fetch's id")),
    responses((status = 200, description = "The fetch", body = Fetch), (status = 404, description = "`id: fetch not found`", body = ErrorBody))
)]
pub async fn show_fetch(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    sb.with_db(|db| load(db, Purpose::Fetch, &id)).map(Json)
}

#[utoipa::path(
    put,
    path = "/v1/deliveries/{id}",
    tag = "deliveries",
    params(("id" = String, Path, description = "The delivery's id")),
    request_body = OrderUpdateBody,
    responses(
        (status = 200, description = "The delivery after the change", body = Delivery),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 404, description = "Unknown, or no longer `created`", body = ErrorBody)
    )
)]
pub async fn update_delivery(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    update(&sb, Purpose::Delivery, &id, &body).map(Json)
}

#[utoipa::path(
    put,
    path = "/v1/fetches/{id}",
    tag = "fetches",
    params(("id" = String, Path, description = "The fetch's id")),
    request_body = OrderUpdateBody,
    responses(
        (status = 200, description = "The fetch after the change", body = Fetch),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 404, description = "Unknown, or no longer `created`", body = ErrorBody)
    )
)]
pub async fn update_fetch(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    update(&sb, Purpose::Fetch, &id, &body).map(Json)
}

fn update(sb: &Sandbox, purpose: Purpose, id: &str, body: &[u8]) -> Result<Value, AppError> {
    let now = sb.now();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let mut object = load(&tx, purpose, id)?;
        // The document: updates only before a driver takes it; otherwise 404.
        if status_of(&object) != Status::Created {
            return Err(AppError::NotFound(format!(
                "id: {} can no longer be changed (status {})",
                names(purpose).object,
                status_of(&object).as_str()
            )));
        }
        let change =
            OrderUpdate::from_json(&parse_json(body)?, purpose).map_err(AppError::first)?;
        apply(&mut object, change);
        object["update"] = json!(hakobu_diaq::time::format_millis(now));
        save(&tx, &object, now)?;
        tx.commit()?;
        Ok(object)
    })
}

fn apply(object: &mut Value, change: OrderUpdate) {
    if let Some(c) = change.customer {
        object["customer"] = json!(c);
    }
    if let Some(ps) = change.packages {
        let extra = object["packages"][0]["price"]
            .as_str()
            .zip(object["packages"][0]["service_brand"].as_str())
            .and_then(|(price, brand)| {
                Some(price.parse::<u32>().ok()? > hakobu_diaq::package::base_price(brand)?)
            })
            .unwrap_or(false);
        object["packages"] = json!(ps.into_iter().map(|p| p.priced(extra)).collect::<Vec<_>>());
    }
    if let Some(c) = change.pickup_comments {
        object["pickup_comments"] = json!(c);
    }
    if let Some(c) = change.destination_comments {
        object["destination_comments"] = json!(c);
    }
}

#[utoipa::path(
    delete,
    path = "/v1/deliveries/{id}",
    tag = "deliveries",
    params(("id" = String, Path, description = "The delivery's id")),
    responses(
        (status = 204, description = "Canceled (or returning)"),
        (status = 404, description = "Unknown, or in a status that cannot be canceled", body = ErrorBody)
    )
)]
pub async fn cancel_delivery(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    cancel(&sb, Purpose::Delivery, &id, None).map(|_| StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/v1/fetches/{id}",
    tag = "fetches",
    params(("id" = String, Path, description = "The fetch's id")),
    responses(
        (status = 204, description = "Canceled (or returning)"),
        (status = 404, description = "Unknown, or in a status that cannot be canceled", body = ErrorBody)
    )
)]
pub async fn cancel_fetch(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    cancel(&sb, Purpose::Fetch, &id, None).map(|_| StatusCode::NO_CONTENT)
}

/// Cancels per the document's table (created…arrived_origin → canceled, delivering/arrived_goal
/// → returning); the other statuses answer 404.
pub(crate) fn cancel(
    sb: &Sandbox,
    purpose: Purpose,
    id: &str,
    exception: Option<hakobu_diaq::Exception>,
) -> Result<Value, AppError> {
    let now = sb.now();
    sb.with_db(|db| {
        let tx = db.transaction()?;
        let mut object = load(&tx, purpose, id)?;
        let from = status_of(&object);
        let to = from.canceled().ok_or_else(|| {
            AppError::NotFound(format!(
                "id: {} in status {} cannot be canceled",
                names(purpose).object,
                from.as_str()
            ))
        })?;
        object["status"] = json!(to);
        if let Some(e) = exception {
            object["exception"] = json!(e);
        }
        object["update"] = json!(hakobu_diaq::time::format_millis(now));
        save(&tx, &object, now)?;
        tx.commit()?;
        // Under the database lock, so events leave in commit order.
        sb.announce(purpose, &object);
        Ok(object)
    })
}
