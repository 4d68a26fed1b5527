//! What can go wrong talking to RouteMate, sorted by what the caller does about it. Every
//! variant from an answer carries the server's `{"error": …}` message.

use hakobu_retry::error_body::{self, Failure};
use reqwest::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteMateError {
    /// 400: a broken rule, normally `<field>: <rule>` ([`RouteMateError::field`]). Fix the
    /// input and send again.
    #[error("bad request: {message}")]
    BadRequest { message: String },
    /// 401 that a fresh token did not cure: wrong client credentials, or a token refused
    /// twice running.
    #[error("unauthorized: {message}")]
    Unauthorized { message: String },
    /// 404: no such job.
    #[error("not found: {message}")]
    NotFound { message: String },
    /// 409: the `external_job_id` was imported with a different body, or a request with the
    /// same `Idempotency-Key` is still running.
    #[error("conflict: {message}")]
    Conflict { message: String },
    /// 422: the `Idempotency-Key` was used before for a different request.
    #[error("unprocessable: {message}")]
    Unprocessable { message: String },
    /// Any other status (5xx, 429 …) once retries are spent.
    #[error("server answered {status}: {message}")]
    Server { status: u16, message: String },
    /// No answer: connection refused or lost, timeout, TLS, DNS. A keyed import may still
    /// have been applied; sending it again with the same key is safe.
    #[error("could not reach RouteMate: {0}")]
    Transport(String),
    /// An answer that is not the JSON expected.
    #[error("unexpected response: {0}")]
    Decode(String),
}

impl RouteMateError {
    pub(crate) fn from_reqwest(e: reqwest::Error) -> RouteMateError {
        match error_body::failure(e) {
            Failure::Decode(text) => RouteMateError::Decode(text),
            Failure::Transport(text) => RouteMateError::Transport(text),
        }
    }

    pub(crate) fn from_status(status: StatusCode, body: &str) -> RouteMateError {
        let message = error_body::error_message(body);
        match status {
            StatusCode::BAD_REQUEST => RouteMateError::BadRequest { message },
            StatusCode::UNAUTHORIZED => RouteMateError::Unauthorized { message },
            StatusCode::NOT_FOUND => RouteMateError::NotFound { message },
            StatusCode::CONFLICT => RouteMateError::Conflict { message },
            StatusCode::UNPROCESSABLE_ENTITY => RouteMateError::Unprocessable { message },
            other => RouteMateError::Server {
                status: other.as_u16(),
                message,
            },
        }
    }

    /// The field a 400 names (`"stops[1].address: is required"` → `stops[1].address`).
    pub fn field(&self) -> Option<&str> {
        match self {
            RouteMateError::BadRequest { message } => error_body::field_of(message),
            _ => None,
        }
    }

    /// Whether the server answered this request with a final no (400, 404, 422). A server
    /// that keeps `Idempotency-Key`s replays that answer to the same key, so trying again
    /// after fixing the cause (say, adding the driver) needs a new key. Not a 409: that is
    /// "still running" (or a different body under the same `external_job_id`), and a 401 or
    /// no answer never reached the key.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            RouteMateError::BadRequest { .. }
                | RouteMateError::NotFound { .. }
                | RouteMateError::Unprocessable { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_maps_to_its_variant_with_the_servers_message() {
        let e = RouteMateError::from_status(
            StatusCode::BAD_REQUEST,
            r#"{"error":"stops[1].address: is required"}"#,
        );
        assert_eq!(e.field(), Some("stops[1].address"));
        assert!(e.is_refusal());
        let e = RouteMateError::from_status(
            StatusCode::CONFLICT,
            r#"{"error":"external_job_id: already imported as job x with a different body"}"#,
        );
        assert!(matches!(&e, RouteMateError::Conflict { message } if message.contains("job x")));
        assert_eq!(e.field(), None);
        assert!(!e.is_refusal(), "a 409 may be a request still running");
        let e = RouteMateError::from_status(StatusCode::UNPROCESSABLE_ENTITY, r#"{"error":"k"}"#);
        assert!(e.is_refusal());
        let e = RouteMateError::from_status(StatusCode::UNAUTHORIZED, r#"{"error":"nope"}"#);
        assert_eq!(
            e,
            RouteMateError::Unauthorized {
                message: "nope".into()
            }
        );
        assert!(!e.is_refusal());
        let e = RouteMateError::from_status(StatusCode::BAD_GATEWAY, "<html>bad gateway</html>");
        assert_eq!(
            e,
            RouteMateError::Server {
                status: 502,
                message: "<html>bad gateway</html>".into()
            }
        );
        let e = RouteMateError::from_status(StatusCode::BAD_REQUEST, r#"{"error":"時間: x"}"#);
        assert_eq!(e.field(), None, "a message without a field name names none");
    }
}
