//! What can go wrong talking to DIAq, sorted by what the caller does about it.

use hakobu_retry::error_body::{self, Failure};
use reqwest::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 400: the server's message, normally `<field>: <rule>`. Fix the input and resend.
    #[error("bad request: {message}")]
    BadRequest { message: String },
    /// 401: the Api-Key is missing or wrong.
    #[error("unauthorized: check the API key")]
    Unauthorized,
    /// 404: the thing does not exist (or no longer does).
    #[error("not found: {message}")]
    NotFound { message: String },
    /// Any other HTTP status (5xx, 409, 429 …), with the server's message.
    #[error("server answered {status}: {message}")]
    Server { status: u16, message: String },
    /// No answer: connection refused, timeout, TLS, DNS. Worth retrying later.
    #[error("could not reach the API: {0}")]
    Transport(String),
    /// An answer that is not the JSON the document describes.
    #[error("unexpected response: {0}")]
    Decode(String),
}

impl ClientError {
    pub(crate) fn from_reqwest(e: reqwest::Error) -> ClientError {
        match error_body::failure(e) {
            Failure::Decode(text) => ClientError::Decode(text),
            Failure::Transport(text) => ClientError::Transport(text),
        }
    }

    pub(crate) fn from_status(status: StatusCode, body: &str) -> ClientError {
        let message = error_body::error_message(body);
        match status {
            StatusCode::BAD_REQUEST => ClientError::BadRequest { message },
            StatusCode::UNAUTHORIZED => ClientError::Unauthorized,
            StatusCode::NOT_FOUND => ClientError::NotFound { message },
            other => ClientError::Server {
                status: other.as_u16(),
                message,
            },
        }
    }

    /// The field a 400 message names (`"store_phone: must match …"` → `store_phone`).
    pub fn field(&self) -> Option<&str> {
        match self {
            ClientError::BadRequest { message } => error_body::field_of(message),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_error_property_and_names_the_field() {
        let e = ClientError::from_status(
            StatusCode::BAD_REQUEST,
            r#"{"error":"store_phone: must be at most 13 characters"}"#,
        );
        assert_eq!(e.field(), Some("store_phone"));
        assert!(e.to_string().contains("at most 13"));
    }

    #[test]
    fn nested_field_paths_are_fields_too() {
        let e = ClientError::from_status(
            StatusCode::BAD_REQUEST,
            r#"{"error":"packages[1].boxes: must be an integer from 1 to 10"}"#,
        );
        assert_eq!(e.field(), Some("packages[1].boxes"));
    }

    #[test]
    fn a_message_without_a_field_names_none() {
        let e = ClientError::from_status(StatusCode::BAD_REQUEST, r#"{"error":"時間枠の違反: x"}"#);
        assert_eq!(e.field(), None);
        let e = ClientError::from_status(StatusCode::BAD_GATEWAY, "<html>bad gateway</html>");
        assert_eq!(
            e,
            ClientError::Server {
                status: 502,
                message: "<html>bad gateway</html>".into()
            }
        );
    }
}
