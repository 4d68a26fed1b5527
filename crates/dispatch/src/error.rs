//! The one error shape that crosses to the UI: `{code, message, field}`, with the facts of a
//! refusal the view words itself (`detail`) where it does.

use hakobu_cache::CacheError;
use hakobu_diaq_client::ClientError;
use serde::Serialize;
use ts_rs::TS;

use crate::planning::{PlanProblem, StopSource};

/// What kind of failure a command met: the UI picks its wording and whether to offer a retry
/// by this, never by the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is wrong (the API's 400, or our own check of an argument); `field` names it.
    BadRequest,
    /// What the command names does not exist (the API's 404, or nothing cached under the id).
    NotFound,
    /// The API refused the key.
    Unauthorized,
    /// The target changed or vanished meanwhile (a refused outbox write, RouteMate's 409/422).
    Conflict,
    /// No answer: offline, refused connection, timeout.
    Transport,
    /// The local SQLite file failed.
    Cache,
    /// Something is not configured, or configured in a way this command cannot use.
    Config,
    /// A bug or an answer we cannot read.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::BadRequest,
        ErrorCode::NotFound,
        ErrorCode::Unauthorized,
        ErrorCode::Conflict,
        ErrorCode::Transport,
        ErrorCode::Cache,
        ErrorCode::Config,
        ErrorCode::Internal,
    ];

    /// The wire name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Transport => "transport",
            ErrorCode::Cache => "cache",
            ErrorCode::Config => "config",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error, TS)]
#[error("{code}: {message}")]
pub struct CommandError {
    pub code: ErrorCode,
    /// English, for logs, and shown as it is where the view has no wording of its own.
    pub message: String,
    /// The input field a bad_request names, for the form to highlight.
    pub field: Option<String>,
    /// The refusal's facts, for the view to word in its own language (`message` is their
    /// English); left out by every command whose refusals the view shows as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub detail: Option<Box<ErrorDetail>>,
}

/// Why a command refused, as facts: a rule code (`rule`) and what the view needs to say it.
/// `Display` is the English (the `message` beside it). Sent by `plan_edit` today.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum ErrorDetail {
    /// The edit would break a rule on a route it touches: the first problem it would add.
    PlanProblem {
        problem: PlanProblem,
    },
    /// The edit would change a locked route.
    RouteLocked {
        driver_email: String,
        driver_name: String,
    },
    NothingToUndo,
    NothingToRedo,
    /// The stop to take off its route is in the unassigned tray already.
    AlreadyUnassigned {
        stop_id: String,
        stop: Option<StopSource>,
    },
}

impl std::fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorDetail::PlanProblem { problem } => {
                write!(f, "{}: {problem}", problem.rule.as_str())
            }
            ErrorDetail::RouteLocked { driver_name, .. } => write!(
                f,
                "locked: {driver_name}'s route is locked (unlock it to change it)"
            ),
            ErrorDetail::NothingToUndo => f.write_str("nothing to undo"),
            ErrorDetail::NothingToRedo => f.write_str("nothing to redo"),
            ErrorDetail::AlreadyUnassigned { stop_id, .. } => {
                write!(f, "{stop_id} is already unassigned")
            }
        }
    }
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> CommandError {
        CommandError {
            code,
            message: message.into(),
            field: None,
            detail: None,
        }
    }

    /// A refusal of one argument: `message` should start with `<field>: `, as every message
    /// of the app does.
    pub fn bad_field(field: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            field: Some(field.to_owned()),
            ..CommandError::new(ErrorCode::BadRequest, message)
        }
    }

    /// A refusal of `field` the view words from `detail`; the message is
    /// `<field>: <detail's English>`.
    pub fn refused(field: &str, detail: ErrorDetail) -> CommandError {
        CommandError {
            // Boxed: a plan problem is large, and every command's `Result` carries this error.
            detail: Some(Box::new(detail.clone())),
            ..CommandError::bad_field(field, format!("{field}: {detail}"))
        }
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let field = e.field().map(str::to_owned);
        let (code, message) = match e {
            ClientError::BadRequest { message } => (ErrorCode::BadRequest, message),
            ClientError::NotFound { message } => (ErrorCode::NotFound, message),
            ClientError::Unauthorized => (ErrorCode::Unauthorized, e.to_string()),
            ClientError::Transport(_) => (ErrorCode::Transport, e.to_string()),
            ClientError::Server { .. } | ClientError::Decode(_) => {
                (ErrorCode::Internal, e.to_string())
            }
        };
        CommandError {
            code,
            message,
            field,
            detail: None,
        }
    }
}

impl From<CacheError> for CommandError {
    fn from(e: CacheError) -> Self {
        CommandError::new(ErrorCode::Cache, e.to_string())
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
        assert_eq!(e.code, ErrorCode::Transport);
        assert_eq!(e.field, None);
        let e: CommandError = ClientError::Unauthorized.into();
        assert_eq!(e.code, ErrorCode::Unauthorized);
        let e: CommandError = CacheError::Io("disk full".into()).into();
        assert_eq!(e.code, ErrorCode::Cache);
    }

    #[test]
    fn conflict_and_config_cross_as_such() {
        for (code, wire) in [
            (ErrorCode::Conflict, "conflict"),
            (ErrorCode::Config, "config"),
        ] {
            assert_eq!(
                serde_json::to_value(CommandError::new(code, "m")).unwrap(),
                serde_json::json!({"code": wire, "message": "m", "field": null})
            );
        }
    }

    #[test]
    fn a_worded_refusal_carries_its_facts_beside_the_english() {
        let e = CommandError::refused(
            "edit",
            ErrorDetail::RouteLocked {
                driver_email: "sato@routemate.example".into(),
                driver_name: "佐藤".into(),
            },
        );
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "code": "bad_request",
                "message": "edit: locked: 佐藤's route is locked (unlock it to change it)",
                "field": "edit",
                "detail": {
                    "rule": "route_locked",
                    "driver_email": "sato@routemate.example",
                    "driver_name": "佐藤"
                }
            })
        );
        for (detail, rule, english) in [
            (
                ErrorDetail::NothingToUndo,
                "nothing_to_undo",
                "nothing to undo",
            ),
            (
                ErrorDetail::NothingToRedo,
                "nothing_to_redo",
                "nothing to redo",
            ),
            (
                ErrorDetail::AlreadyUnassigned {
                    stop_id: "line-7".into(),
                    stop: None,
                },
                "already_unassigned",
                "line-7 is already unassigned",
            ),
        ] {
            let e = CommandError::refused("edit", detail);
            assert_eq!(e.message, format!("edit: {english}"));
            let wire = serde_json::to_value(&e).unwrap();
            assert_eq!(wire["detail"]["rule"], rule, "{wire}");
        }
    }

    #[test]
    fn every_code_serializes_as_its_wire_name() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            assert_eq!(code.to_string(), code.as_str());
        }
    }
}
