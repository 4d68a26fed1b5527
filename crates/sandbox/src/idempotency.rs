//! `Idempotency-Key` on writes (DESIGN.md): the same key with the same request replays the
//! first response; with a different request → 422; while the first is still running → 409.
//! Keys are kept 24 hours. Without the header, requests run as usual.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};

use crate::Sandbox;
use crate::error::AppError;

pub const HEADER: &str = "Idempotency-Key";
/// Set on a replayed response.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
const KEEP_SECONDS: i64 = 24 * 3600;
/// Request and response bodies kept per key; DIAq bodies are a few kilobytes.
const MAX_BODY: usize = 1 << 20;

/// A stored key: method, path, request body, answer status (None while running), answer body.
type KeptRequest = (String, String, Vec<u8>, Option<u16>, Option<Vec<u8>>);

enum Seen {
    New,
    InFlight,
    Different,
    Done { status: u16, body: Vec<u8> },
}

pub async fn replay_or_run(State(sb): State<Sandbox>, request: Request, next: Next) -> Response {
    let is_write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::DELETE
    );
    let key = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let (Some(key), true) = (key, is_write) else {
        return next.run(request).await;
    };
    if key.len() > 255 {
        return AppError::BadRequest(format!("{HEADER}: must be at most 255 characters"))
            .into_response();
    }
    let method = request.method().to_string();
    let path = request.uri().to_string();
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return AppError::BadRequest("body: too large".into()).into_response();
    };
    let now = sb.now().timestamp();
    let seen = sb.with_db(|db| -> rusqlite::Result<Seen> {
        let tx = db.transaction()?;
        tx.execute(
            "DELETE FROM idempotency_keys WHERE created_at <= ?1",
            [now - KEEP_SECONDS],
        )?;
        let row: Option<KeptRequest> = tx
            .query_row(
                "SELECT method, path, request, status, response FROM idempotency_keys WHERE key = ?1",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let seen = match row {
            None => {
                tx.execute(
                    "INSERT INTO idempotency_keys (key, method, path, request, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![key, method, path, body.as_ref(), now],
                )?;
                Seen::New
            }
            Some((m, p, b, _, _)) if m != method || p != path || b != body.as_ref() => {
                Seen::Different
            }
            Some((_, _, _, None, _)) => Seen::InFlight,
            Some((_, _, _, Some(status), response)) => Seen::Done {
                status,
                body: response.unwrap_or_default(),
            },
        };
        tx.commit()?;
        Ok(seen)
    });
    match seen {
        Err(e) => AppError::from(e).into_response(),
        Ok(Seen::Different) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Idempotency-Key: already used for a different request",
        ),
        Ok(Seen::InFlight) => error(
            StatusCode::CONFLICT,
            "Idempotency-Key: a request with this key is still in progress",
        ),
        Ok(Seen::Done { status, body }) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let headers = response.headers_mut();
            headers.insert("content-type", HeaderValue::from_static("application/json"));
            headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
            response
        }
        Ok(Seen::New) => {
            let response = next.run(Request::from_parts(parts, Body::from(body))).await;
            remember(&sb, &key, response).await
        }
    }
}

/// Stores the answer under the key; a 5xx forgets the key so the client's retry runs again.
async fn remember(sb: &Sandbox, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return AppError::internal("response too large to keep").into_response();
    };
    let status = parts.status.as_u16();
    let stored = sb.with_db(|db| {
        if parts.status.is_server_error() {
            db.execute("DELETE FROM idempotency_keys WHERE key = ?1", [key])
        } else {
            db.execute(
                "UPDATE idempotency_keys SET status = ?2, response = ?3 WHERE key = ?1",
                params![key, status, bytes.as_ref()],
            )
        }
    });
    if let Err(e) = stored {
        tracing::error!("idempotency key {key}: {e}");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}
