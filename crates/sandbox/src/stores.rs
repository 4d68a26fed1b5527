//! `/v1/stores`: create, list (partial-match filters, pages), count, show, update, delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use hakobu_diaq::{FieldError, PickupProof, Rule, Store, StoreInput, StoreQuery, StoreType};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Sandbox;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::openapi::{Counts, ErrorBody, PageParams};

/// `per_page` when not given, as the document says.
pub const DEFAULT_PER_PAGE: u32 = 25;
/// Largest page we serve. The document sets none; answering 400 beats silently returning
/// fewer rows than asked, which a client would take for the last page.
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    page: Option<String>,
    per_page: Option<String>,
    #[serde(flatten)]
    query: StoreQuery,
}

#[utoipa::path(
    post,
    path = "/v1/stores",
    tag = "stores",
    request_body = StoreInput,
    responses((status = 200, description = "The new store", body = Store), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn create(State(sb): State<Sandbox>, body: Bytes) -> Result<Json<Store>, AppError> {
    let input = parse_body(&body)?;
    if let Some(e) = input.create_errors().into_iter().next() {
        return Err(e.into());
    }
    let store = input.into_new_store(uuid::Uuid::new_v4().to_string());
    sb.with_db(|db| insert(db, &store))?;
    Ok(Json(store))
}

#[utoipa::path(
    get,
    path = "/v1/stores",
    tag = "stores",
    params(PageParams, StoreQuery),
    responses((status = 200, description = "Stores in creation order", body = Vec<Store>), (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody))
)]
pub async fn list(
    State(sb): State<Sandbox>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<Store>>, AppError> {
    let page = positive_param("page", params.page.as_deref(), 1, u32::MAX)?;
    let per_page = positive_param(
        "per_page",
        params.per_page.as_deref(),
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
    )?;
    let offset = u64::from(page - 1) * u64::from(per_page);
    let stores = sb.with_db(|db| select(db, &params.query, Some((per_page, offset))))?;
    Ok(Json(stores))
}

#[utoipa::path(
    get,
    path = "/v1/stores/counts",
    tag = "stores",
    params(StoreQuery),
    responses((status = 200, description = "How many stores match", body = Counts))
)]
pub async fn counts(
    State(sb): State<Sandbox>,
    Query(query): Query<StoreQuery>,
) -> Result<Json<Value>, AppError> {
    let (clause, args) = where_clause(&query);
    let n: i64 = sb.with_db(|db| {
        db.query_row(
            &format!("SELECT COUNT(*) FROM stores {clause}"),
            rusqlite::params_from_iter(args),
            |r| r.get(0),
        )
    })?;
    Ok(Json(json!({ "counts": n })))
}

#[utoipa::path(
    get,
    path = "/v1/stores/{id}",
    tag = "stores",
    params(("id" = String, Path, description = "The store's id")),
    responses((status = 200, description = "The store", body = Store), (status = 404, description = "`id: store not found`", body = ErrorBody))
)]
pub async fn show(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<Json<Store>, AppError> {
    sb.with_db(|db| find(db, &id))?
        .map(Json)
        .ok_or_else(not_found)
}

#[utoipa::path(
    put,
    path = "/v1/stores/{id}",
    tag = "stores",
    params(("id" = String, Path, description = "The store's id")),
    request_body = StoreInput,
    responses(
        (status = 200, description = "The store after the change", body = Store),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 404, description = "`id: store not found`", body = ErrorBody)
    )
)]
pub async fn update(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Store>, AppError> {
    // 404 before 400: an unknown store is the answer whatever the body says.
    let mut store = sb.with_db(|db| find(db, &id))?.ok_or_else(not_found)?;
    let input = parse_body(&body)?;
    input.apply_to(&mut store);
    let updated = sb.with_db(|db| update_row(db, &store))?;
    if !updated {
        return Err(not_found());
    }
    Ok(Json(store))
}

#[utoipa::path(
    delete,
    path = "/v1/stores/{id}",
    tag = "stores",
    params(("id" = String, Path, description = "The store's id")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "`id: store not found`", body = ErrorBody))
)]
pub async fn delete(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let n = sb.with_db(|db| db.execute("DELETE FROM stores WHERE id = ?1", [&id]))?;
    if n == 0 {
        return Err(not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

fn not_found() -> AppError {
    AppError::NotFound("id: store not found".to_owned())
}

fn parse_body(body: &[u8]) -> Result<StoreInput, AppError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        AppError::from(FieldError::new(
            "body",
            Rule::Type {
                expected: "JSON object",
            },
        ))
    })?;
    StoreInput::from_json(&value).map_err(AppError::first)
}

/// A 1-based page number or a page size: empty means the default (the document's own
/// example sends `per_page=`).
pub(crate) fn positive_param(
    field: &'static str,
    raw: Option<&str>,
    default: u32,
    max: u32,
) -> Result<u32, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(AppError::BadRequest(if max == u32::MAX {
                format!("{field}: must be a positive integer")
            } else {
                format!("{field}: must be an integer from 1 to {max}")
            })),
        },
    }
}

/// `WHERE instr(col, ?) > 0 AND ...`: partial match without LIKE's wildcard escaping.
fn where_clause(query: &StoreQuery) -> (String, Vec<SqlValue>) {
    let filters = query.filters();
    if filters.is_empty() {
        return (String::new(), Vec::new());
    }
    let conds: Vec<String> = filters
        .iter()
        .map(|(col, _)| format!("instr({col}, ?) > 0"))
        .collect();
    let args = filters
        .iter()
        .map(|(_, v)| SqlValue::Text((*v).to_owned()))
        .collect();
    (format!("WHERE {}", conds.join(" AND ")), args)
}

const COLUMNS: &str = "id, id_alias, store_name, store_address_zipcode, store_address_prefecture, \
    store_address_line_1, store_address_line_2, store_phone, store_type, offers_delivery, \
    offers_fetches, pickup_proof, delivery_proof, opening_time, closing_time";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Store> {
    let store_type: String = r.get(8)?;
    let pickup_proof: String = r.get(11)?;
    Ok(Store {
        id: r.get(0)?,
        id_alias: r.get(1)?,
        store_name: r.get(2)?,
        store_address_zipcode: r.get(3)?,
        store_address_prefecture: r.get(4)?,
        store_address_line_1: r.get(5)?,
        store_address_line_2: r.get(6)?,
        store_phone: r.get(7)?,
        store_type: StoreType::parse(&store_type).unwrap_or_default(),
        offers_delivery: r.get(9)?,
        offers_fetches: r.get(10)?,
        pickup_proof: PickupProof::parse(&pickup_proof).unwrap_or_default(),
        delivery_proof: r.get(12)?,
        opening_time: r.get(13)?,
        closing_time: r.get(14)?,
    })
}

pub fn select(
    db: &Connection,
    query: &StoreQuery,
    limit: Option<(u32, u64)>,
) -> rusqlite::Result<Vec<Store>> {
    let (clause, mut args) = where_clause(query);
    let mut sql = format!("SELECT {COLUMNS} FROM stores {clause} ORDER BY seq");
    if let Some((per_page, offset)) = limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        args.push(SqlValue::Integer(i64::from(per_page)));
        args.push(SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    }
    let mut stmt = db.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), from_row)?;
    rows.collect()
}

/// One store by id. Every estimate and order reads its store, so the statement is kept
/// prepared (parsing it was the largest cost left per estimate: BENCHMARKS.md).
pub(crate) fn find(db: &Connection, id: &str) -> rusqlite::Result<Option<Store>> {
    db.prepare_cached(&format!("SELECT {COLUMNS} FROM stores WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

pub fn insert(db: &Connection, s: &Store) -> rusqlite::Result<()> {
    db.execute(
        &format!(
            "INSERT INTO stores ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ),
        params![
            s.id,
            s.id_alias,
            s.store_name,
            s.store_address_zipcode,
            s.store_address_prefecture,
            s.store_address_line_1,
            s.store_address_line_2,
            s.store_phone,
            s.store_type.as_str(),
            s.offers_delivery,
            s.offers_fetches,
            s.pickup_proof.as_str(),
            s.delivery_proof,
            s.opening_time,
            s.closing_time,
        ],
    )?;
    Ok(())
}

fn update_row(db: &Connection, s: &Store) -> rusqlite::Result<bool> {
    let n = db.execute(
        "UPDATE stores SET id_alias = ?2, store_name = ?3, store_address_zipcode = ?4, \
         store_address_prefecture = ?5, store_address_line_1 = ?6, store_address_line_2 = ?7, \
         store_phone = ?8, store_type = ?9, pickup_proof = ?10, opening_time = ?11, \
         closing_time = ?12 WHERE id = ?1",
        params![
            s.id,
            s.id_alias,
            s.store_name,
            s.store_address_zipcode,
            s.store_address_prefecture,
            s.store_address_line_1,
            s.store_address_line_2,
            s.store_phone,
            s.store_type.as_str(),
            s.pickup_proof.as_str(),
            s.opening_time,
            s.closing_time,
        ],
    )?;
    Ok(n == 1)
}
