//! The sandbox's error responses: `{"error": "<message>"}` with the document's status codes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hakobu_diaq::FieldError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 — the message names the field and the rule: `<field>: <rule>`.
    #[error("{0}")]
    BadRequest(String),
    /// 401 — missing or wrong `Api-Key`; the body is the document's fixed text.
    #[error("401 Unauthorized")]
    Unauthorized,
    /// 401 on the RouteMate paths: a missing, unknown or expired bearer token, or wrong client
    /// credentials. The message says which, and the answer carries `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    BearerRejected(String),
    /// 404 — `<what>: not found`.
    #[error("{0}")]
    NotFound(String),
    /// 409 — the request clashes with what is stored (a RouteMate `external_job_id` imported
    /// with another body).
    #[error("{0}")]
    Conflict(String),
    /// 500 — logged in full, answered without details.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }

    /// The first of a request's broken rules, as the 400 the document describes.
    pub fn first(errors: Vec<FieldError>) -> AppError {
        errors
            .into_iter()
            .next()
            .map(AppError::from)
            .unwrap_or_else(|| AppError::internal("validation failed without an error"))
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::BadRequest(e.to_string())
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "401 Unauthorized".to_owned()),
            AppError::BearerRejected(m) => {
                let mut response =
                    (StatusCode::UNAUTHORIZED, Json(json!({ "error": m }))).into_response();
                response.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer"),
                );
                return response;
            }
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m),
            AppError::Internal(detail) => {
                tracing::error!("{detail}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500 Internal Server Error".to_owned(),
                )
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

/// Any path the document does not define.
pub async fn not_found() -> AppError {
    AppError::NotFound("path: not found".to_owned())
}
