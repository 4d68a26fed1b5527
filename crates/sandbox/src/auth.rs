//! The `Api-Key` header check that guards every route, except RouteMate's own paths: those
//! authenticate as the RouteMate document says (client credentials in the token request's body,
//! then a bearer token), checked here too so that a rejected request never reaches the
//! `Idempotency-Key` layer and is never remembered as an answer.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::Sandbox;
use crate::error::AppError;
use crate::routemate::{Guard, guard_for, token};

pub async fn require_api_key(
    State(sandbox): State<Sandbox>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    match guard_for(request.uri().path()) {
        Some(Guard::Credentials) => return Ok(next.run(request).await),
        Some(Guard::Bearer) => {
            token::check_bearer(&sandbox, request.headers())?;
            return Ok(next.run(request).await);
        }
        None => {}
    }
    let given = request
        .headers()
        .get("Api-Key")
        .and_then(|v| v.to_str().ok());
    match given {
        Some(key) if constant_time_eq(key.as_bytes(), sandbox.api_key.as_bytes()) => {
            Ok(next.run(request).await)
        }
        _ => Err(AppError::Unauthorized),
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the key.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn equal_only_when_identical() {
        assert!(constant_time_eq(b"key", b"key"));
        assert!(!constant_time_eq(b"key", b"kez"));
        assert!(!constant_time_eq(b"key", b"key2"));
        assert!(!constant_time_eq(b"", b"k"));
    }
}
