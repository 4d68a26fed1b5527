//! `POST /v1/integration-token` (client credentials → a bearer token for one hour) and the
//! bearer check of the other RouteMate paths. Tokens are opaque random strings stored only as
//! SHA-256 hashes; they expire by the sandbox's clock, so tests can move time.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::schema::{TokenBody, TokenResponse};
use super::{clients, random_id, sha256_hex};
use crate::Sandbox;
use crate::error::AppError;
use crate::openapi::ErrorBody;
use crate::orders::parse_json;

pub(crate) const PATH: &str = "/v1/integration-token";
/// The document: "1 時間有効".
pub(crate) const LIFETIME_S: i64 = 3600;

fn required_string<'a>(body: &'a Value, field: &str) -> Result<&'a str, AppError> {
    match &body[field] {
        Value::Null => Err(AppError::BadRequest(format!("{field}: is required"))),
        Value::String(s) if s.trim().is_empty() => {
            Err(AppError::BadRequest(format!("{field}: is required")))
        }
        Value::String(s) if s.chars().count() > 255 => Err(AppError::BadRequest(format!(
            "{field}: must be at most 255 characters"
        ))),
        Value::String(s) => Ok(s),
        _ => Err(AppError::BadRequest(format!("{field}: must be a string"))),
    }
}

#[utoipa::path(
    post,
    path = "/v1/integration-token",
    tag = "routemate",
    security(()),
    request_body = TokenBody,
    responses(
        (status = 200, description = "A bearer token for the other RouteMate paths", body = TokenResponse),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 401, description = "Unknown client or wrong secret", body = ErrorBody)
    )
)]
/// `POST /v1/integration-token` with `{"client_id", "client_secret"}`.
pub async fn issue(
    State(sb): State<Sandbox>,
    body: Bytes,
) -> Result<Json<TokenResponse>, AppError> {
    let body = parse_json(&body)?;
    if !body.is_object() {
        return Err(AppError::BadRequest("body: must be a JSON object".into()));
    }
    let client_id = required_string(&body, "client_id")?;
    let client_secret = required_string(&body, "client_secret")?;
    let now = sb.now().timestamp();
    let token = random_id("rm_at_", 2);
    sb.with_db(|db| -> Result<(), AppError> {
        if !clients::verify(db, client_id, client_secret)? {
            return Err(AppError::BearerRejected(
                "client_id: unknown client or wrong client_secret".into(),
            ));
        }
        let tx = db.transaction()?;
        tx.execute("DELETE FROM routemate_tokens WHERE expires_at <= ?1", [now])?;
        tx.execute(
            "INSERT INTO routemate_tokens (token_sha256, client_id, expires_at) VALUES (?1, ?2, ?3)",
            params![sha256_hex(token.as_bytes()), client_id, now + LIFETIME_S],
        )?;
        tx.commit()?;
        Ok(())
    })?;
    Ok(Json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: LIFETIME_S,
    }))
}

/// `Authorization: Bearer <token>` names a token issued less than an hour ago (sandbox clock).
pub(crate) fn check_bearer(sb: &Sandbox, headers: &HeaderMap) -> Result<(), AppError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    // The scheme is case-insensitive (RFC 7235).
    let token = header
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::BearerRejected(
                "Authorization: a bearer token from POST /v1/integration-token is required".into(),
            )
        })?;
    let now = sb.now().timestamp();
    let expires_at: Option<i64> = sb.with_db(|db| {
        db.query_row(
            "SELECT expires_at FROM routemate_tokens WHERE token_sha256 = ?1",
            [sha256_hex(token.as_bytes())],
            |r| r.get(0),
        )
        .optional()
    })?;
    match expires_at {
        Some(at) if now < at => Ok(()),
        Some(_) => Err(AppError::BearerRejected(
            "Authorization: the token has expired; get a new one".into(),
        )),
        None => Err(AppError::BearerRejected(
            "Authorization: unknown token".into(),
        )),
    }
}
