//! `Query` and `Path` whose rejections are the sandbox's `400 {"error": …}` rather than axum's
//! plain-text ones, so every answer is JSON in the shape the OpenAPI description gives.

use axum::extract::FromRequestParts;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// axum's `Query`; a query string that does not fit (e.g. a parameter given twice) is a 400.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| AppError::BadRequest(query_message(&e)))
    }
}

/// axum's `Path`; a segment that does not decode (e.g. `%FF`, not UTF-8) is a 400.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e| match e {
                PathRejection::MissingPathParams(e) => AppError::internal(e),
                e => AppError::BadRequest(format!("path: {}", e.body_text())),
            })
    }
}

/// `<field>: <rule>` where serde names the field, else `query: <what serde says>`.
fn query_message(e: &QueryRejection) -> String {
    let text = e.body_text();
    let detail = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text);
    match detail
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        Some(field) => format!("{field}: must be given at most once"),
        None => format!("query: {detail}"),
    }
}
