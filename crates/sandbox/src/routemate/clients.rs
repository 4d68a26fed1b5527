//! RouteMate client credentials: the pairs the document's dashboard "settings screen" makes.
//! The secret is shown once, when created, and only its SHA-256 is stored.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, params};

use super::schema::NewClient;
use super::{random_id, sha256_hex};
use crate::Sandbox;
use crate::auth::constant_time_eq;
use crate::error::AppError;

/// Stores a pair (hashing the secret); the same id again replaces its secret.
pub(crate) fn insert(
    db: &Connection,
    client_id: &str,
    client_secret: &str,
    now: i64,
) -> rusqlite::Result<()> {
    db.execute(
        "INSERT INTO routemate_clients (client_id, secret_sha256, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (client_id) DO UPDATE SET secret_sha256 = excluded.secret_sha256",
        params![client_id, sha256_hex(client_secret.as_bytes()), now],
    )?;
    Ok(())
}

/// Whether the pair is known. Hashes are compared in constant time, and an unknown id costs
/// the same hashing as a known one.
pub(crate) fn verify(
    db: &Connection,
    client_id: &str,
    client_secret: &str,
) -> rusqlite::Result<bool> {
    let stored: Option<String> = db
        .query_row(
            "SELECT secret_sha256 FROM routemate_clients WHERE client_id = ?1",
            [client_id],
            |r| r.get(0),
        )
        .optional()?;
    let given = sha256_hex(client_secret.as_bytes());
    Ok(stored.is_some_and(|s| constant_time_eq(s.as_bytes(), given.as_bytes())))
}

#[utoipa::path(
    post,
    path = "/sandbox/routemate/clients",
    tag = "sandbox",
    responses(
        (status = 201, description = "A new client id and secret; the secret is not shown again", body = NewClient)
    )
)]
/// `POST /sandbox/routemate/clients`: a new `rm_ci_…` / `rm_cs_…` pair.
pub async fn create(State(sb): State<Sandbox>) -> Result<(StatusCode, Json<NewClient>), AppError> {
    let client = NewClient {
        client_id: random_id("rm_ci_", 1),
        client_secret: random_id("rm_cs_", 2),
    };
    let now = sb.now().timestamp();
    sb.with_db(|db| insert(db, &client.client_id, &client.client_secret, now))?;
    Ok((StatusCode::CREATED, Json(client)))
}
