//! The one error shape that crosses to the UI: `{code, message, field}`.

use hakobu_cache::CacheError;
use hakobu_diaq_client::ClientError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    /// bad_request | not_found | unauthorized | transport | cache | config | internal
    pub code: &'static str,
    pub message: String,
    /// The input field a bad_request names, for the form to highlight.
    pub field: Option<String>,
}

impl CommandError {
    pub fn new(code: &'static str, message: impl Into<String>) -> CommandError {
        CommandError {
            code,
            message: message.into(),
            field: None,
        }
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let field = e.field().map(str::to_owned);
        let (code, message) = match e {
            ClientError::BadRequest { message } => ("bad_request", message),
            ClientError::NotFound { message } => ("not_found", message),
            ClientError::Unauthorized => ("unauthorized", e.to_string()),
            ClientError::Transport(_) => ("transport", e.to_string()),
            ClientError::Server { .. } | ClientError::Decode(_) => ("internal", e.to_string()),
        };
        CommandError {
            code,
            message,
            field,
        }
    }
}

impl From<CacheError> for CommandError {
    fn from(e: CacheError) -> Self {
        CommandError::new("cache", e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_to_the_ui_as_code_message_field() {
        let e: CommandError = ClientError::BadRequest {
            message: "store_phone: must be at most 13 characters".into(),
        }
        .into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "code": "bad_request",
                "message": "store_phone: must be at most 13 characters",
                "field": "store_phone"
            })
        );
        let e: CommandError = ClientError::Transport("connection refused".into()).into();
        assert_eq!(e.code, "transport");
        assert_eq!(e.field, None);
        let e: CommandError = ClientError::Unauthorized.into();
        assert_eq!(e.code, "unauthorized");
    }
}
