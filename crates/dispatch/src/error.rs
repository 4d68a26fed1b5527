//! The one error shape that crosses to the UI: `{code, message, field}`, with the facts of a
//! refusal the view words itself (`detail`) where it does.

use hakobu_cache::CacheError;
use hakobu_diaq_client::ClientError;
use serde::Serialize;
use ts_rs::TS;

use crate::OrderKind;
use crate::batch::{BatchError, IssueRule};
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
/// `Display` is the English (the `message` beside it), the one home of these sentences; each
/// rule is decided where it is checked (`plan_edit`, the plan's start, the fleet, the send, a
/// batch file's import).
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
    // ---- Starting a plan (planning/run.rs, problem.rs) ----
    /// A solver time limit outside 1 to `max` seconds.
    TimeLimit {
        max: u32,
    },
    /// The plan's date is not `YYYY-MM-DD`.
    DateForm {
        got: String,
    },
    /// A driver asked for by login who is not in the fleet.
    NotInFleet {
        email: String,
    },
    /// The fleet (or the drivers asked for) is empty.
    NoDrivers,
    /// Neither file stops nor orders.
    NothingToPlan,
    /// A file stop's window that does not end after it starts (as sent).
    StopWindow {
        line: usize,
        start: String,
        end: String,
    },
    /// A file stop without a position.
    StopUnplaced {
        line: usize,
    },
    /// An order asked for that the cache does not hold (as this kind).
    OrderNotCached {
        order_kind: OrderKind,
        id: String,
    },
    /// An order whose address has no position.
    OrderUnplaced {
        tracking_code: String,
    },
    /// An order whose window cannot be read.
    OrderWindow {
        tracking_code: String,
    },
    /// No cached store with this id (a plan's pick-up store, a driver's start or end).
    NoStore {
        store_id: String,
    },
    /// A cached store without a position.
    StoreUnplaced {
        store_id: String,
    },
    /// A saved driver's store that is gone or has lost its position since.
    StoreGone {
        store_id: String,
    },
    // ---- The fleet (fleet.rs) ----
    /// Not an email (a RouteMate login), as typed.
    NotALogin {
        got: String,
    },
    /// A name empty or longer than `max` characters.
    NameLength {
        max: usize,
    },
    /// A shift time not `HH:MM` (`example`: how one looks).
    ShiftForm {
        got: String,
        example: String,
    },
    /// A shift that does not end after it starts.
    ShiftOrder {
        start: String,
        end: String,
    },
    /// A capacity of 0 parcels.
    NoCapacity,
    /// A point outside Japan (swapped lat/lng, a sign).
    NotInJapan {
        lat: f64,
        lng: f64,
    },
    /// No gazetteer was built, so an address cannot be placed.
    NoGazetteer,
    /// An address the geocoder could not place, and why (the batch check's rule).
    AddressUnplaced {
        address: String,
        reason: IssueRule,
    },
    /// A login to remove that is not in the fleet.
    NoFleetDriver {
        email: String,
    },
    // ---- A plan's stops named by id (planning/evaluate.rs, outsource.rs) ----
    /// A stop id the plan's current version does not hold (the view was out of date).
    StopNotInPlan {
        stop_id: String,
    },
    /// A hand-over to DIAq with no stop picked.
    NoStopsPicked,
    // ---- Sending to RouteMate (planning/send.rs, routemate.rs) ----
    /// No RouteMate to send to.
    #[serde(rename = "routemate_not_configured")]
    RouteMateNotConfigured,
    /// A file stop on a route without an address to send.
    NoAddressToSend {
        line: usize,
        external_stop_id: String,
    },
    /// A planned order the cache no longer holds.
    OrderGone {
        tracking_code: String,
    },
    /// RouteMate refused the route's driver login (its 400 on `driver_email`); `said` is its
    /// own words.
    #[serde(rename = "unknown_to_routemate")]
    UnknownToRouteMate {
        driver_email: String,
        said: String,
    },
    // ---- A batch file (batch/import.rs) ----
    /// The whole file was refused.
    BatchFile {
        refusal: BatchError,
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
            ErrorDetail::TimeLimit { max } => write!(f, "must be 1 to {max} seconds"),
            ErrorDetail::DateForm { .. } => f.write_str("must be YYYY-MM-DD"),
            ErrorDetail::NotInFleet { email } => write!(f, "{email:?} is not in the fleet"),
            ErrorDetail::NoDrivers => {
                f.write_str("there is no driver to plan for (add one to the fleet)")
            }
            ErrorDetail::NothingToPlan => f.write_str("nothing to plan"),
            ErrorDetail::StopWindow { line, start, end } => {
                write!(f, "line {line}: window {start}-{end} is not a window")
            }
            ErrorDetail::StopUnplaced { line } => write!(f, "line {line} has no position"),
            ErrorDetail::OrderNotCached { order_kind, id } => {
                write!(f, "no cached {} {id:?}", order_kind.as_str())
            }
            ErrorDetail::OrderUnplaced { tracking_code } => {
                write!(f, "{tracking_code}'s address has no position on the map")
            }
            ErrorDetail::OrderWindow { tracking_code } => {
                write!(f, "{tracking_code}'s window cannot be read")
            }
            ErrorDetail::NoStore { store_id } => write!(f, "no store {store_id:?}"),
            ErrorDetail::StoreUnplaced { store_id } => {
                write!(f, "store {store_id:?} has no position on the map")
            }
            ErrorDetail::StoreGone { store_id } => {
                write!(f, "store {store_id:?} is gone or has no position")
            }
            ErrorDetail::NotALogin { got } => write!(
                f,
                "{got:?} is not a RouteMate login (an email like name@example.com)"
            ),
            ErrorDetail::NameLength { max } => write!(f, "must be 1 to {max} characters"),
            ErrorDetail::ShiftForm { example, .. } => write!(f, "must be HH:MM, like {example}"),
            ErrorDetail::ShiftOrder { start, end } => {
                write!(f, "{end} is not after the shift's start {start}")
            }
            ErrorDetail::NoCapacity => f.write_str("a driver must carry at least one parcel"),
            ErrorDetail::NotInJapan { lat, lng } => {
                write!(f, "{lat}, {lng} is not a point in Japan")
            }
            ErrorDetail::NoGazetteer => f.write_str("addresses cannot be placed (no gazetteer)"),
            ErrorDetail::AddressUnplaced { address, reason } => {
                write!(f, "{address:?} could not be placed: {reason}")
            }
            ErrorDetail::NoFleetDriver { email } => write!(f, "no driver {email:?} in the fleet"),
            ErrorDetail::StopNotInPlan { stop_id } => write!(f, "no stop {stop_id:?} in this plan"),
            ErrorDetail::NoStopsPicked => f.write_str("pick at least one stop to hand over"),
            ErrorDetail::RouteMateNotConfigured => f.write_str(
                "not configured (set routemate.base_url, client_id and client_secret in the \
                 settings)",
            ),
            ErrorDetail::NoAddressToSend {
                line,
                external_stop_id,
            } => write!(f, "line {line} ({external_stop_id}) has no address to send"),
            ErrorDetail::OrderGone { tracking_code } => {
                write!(f, "{tracking_code} is no longer in the cache")
            }
            // RouteMate's own words, as it said them.
            ErrorDetail::UnknownToRouteMate { said, .. } => f.write_str(said),
            ErrorDetail::BatchFile { refusal } => write!(f, "{refusal}"),
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

    /// A refusal the view words from `detail`, with its own `code`; the message is
    /// `<field>: <detail's English>`, or the English alone without a field.
    pub fn refused_as(code: ErrorCode, field: Option<&str>, detail: ErrorDetail) -> CommandError {
        CommandError {
            code,
            message: match field {
                Some(field) => format!("{field}: {detail}"),
                None => detail.to_string(),
            },
            field: field.map(str::to_owned),
            detail: Some(Box::new(detail)),
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

    /// Every refusal of the plan's start, the fleet, the send and a batch file: its rule and
    /// facts on the wire, and the English message as before the facts.
    #[test]
    fn each_refusal_sends_its_rule_and_facts_beside_its_english() {
        use serde_json::json;
        let cases: Vec<(ErrorDetail, serde_json::Value, &str)> = vec![
            (
                ErrorDetail::TimeLimit { max: 300 },
                json!({"rule": "time_limit", "max": 300}),
                "must be 1 to 300 seconds",
            ),
            (
                ErrorDetail::DateForm { got: "12/8".into() },
                json!({"rule": "date_form", "got": "12/8"}),
                "must be YYYY-MM-DD",
            ),
            (
                ErrorDetail::NotInFleet {
                    email: "x@routemate.example".into(),
                },
                json!({"rule": "not_in_fleet", "email": "x@routemate.example"}),
                "\"x@routemate.example\" is not in the fleet",
            ),
            (
                ErrorDetail::NoDrivers,
                json!({"rule": "no_drivers"}),
                "there is no driver to plan for (add one to the fleet)",
            ),
            (
                ErrorDetail::NothingToPlan,
                json!({"rule": "nothing_to_plan"}),
                "nothing to plan",
            ),
            (
                ErrorDetail::StopWindow {
                    line: 4,
                    start: "12:00".into(),
                    end: "10:00".into(),
                },
                json!({"rule": "stop_window", "line": 4, "start": "12:00", "end": "10:00"}),
                "line 4: window 12:00-10:00 is not a window",
            ),
            (
                ErrorDetail::StopUnplaced { line: 5 },
                json!({"rule": "stop_unplaced", "line": 5}),
                "line 5 has no position",
            ),
            (
                ErrorDetail::OrderNotCached {
                    order_kind: OrderKind::Fetch,
                    id: "f-1".into(),
                },
                json!({"rule": "order_not_cached", "order_kind": "fetch", "id": "f-1"}),
                "no cached fetch \"f-1\"",
            ),
            (
                ErrorDetail::OrderUnplaced {
                    tracking_code: "DQ-1".into(),
                },
                json!({"rule": "order_unplaced", "tracking_code": "DQ-1"}),
                "DQ-1's address has no position on the map",
            ),
            (
                ErrorDetail::OrderWindow {
                    tracking_code: "DQ-2".into(),
                },
                json!({"rule": "order_window", "tracking_code": "DQ-2"}),
                "DQ-2's window cannot be read",
            ),
            (
                ErrorDetail::NoStore {
                    store_id: "st-9".into(),
                },
                json!({"rule": "no_store", "store_id": "st-9"}),
                "no store \"st-9\"",
            ),
            (
                ErrorDetail::StoreUnplaced {
                    store_id: "st-9".into(),
                },
                json!({"rule": "store_unplaced", "store_id": "st-9"}),
                "store \"st-9\" has no position on the map",
            ),
            (
                ErrorDetail::StoreGone {
                    store_id: "st-9".into(),
                },
                json!({"rule": "store_gone", "store_id": "st-9"}),
                "store \"st-9\" is gone or has no position",
            ),
            (
                ErrorDetail::NotALogin { got: "sato".into() },
                json!({"rule": "not_a_login", "got": "sato"}),
                "\"sato\" is not a RouteMate login (an email like name@example.com)",
            ),
            (
                ErrorDetail::NameLength { max: 100 },
                json!({"rule": "name_length", "max": 100}),
                "must be 1 to 100 characters",
            ),
            (
                ErrorDetail::ShiftForm {
                    got: "nine".into(),
                    example: "09:00".into(),
                },
                json!({"rule": "shift_form", "got": "nine", "example": "09:00"}),
                "must be HH:MM, like 09:00",
            ),
            (
                ErrorDetail::ShiftOrder {
                    start: "09:00".into(),
                    end: "08:00".into(),
                },
                json!({"rule": "shift_order", "start": "09:00", "end": "08:00"}),
                "08:00 is not after the shift's start 09:00",
            ),
            (
                ErrorDetail::NoCapacity,
                json!({"rule": "no_capacity"}),
                "a driver must carry at least one parcel",
            ),
            (
                ErrorDetail::NotInJapan {
                    lat: 139.7,
                    lng: 35.6,
                },
                json!({"rule": "not_in_japan", "lat": 139.7, "lng": 35.6}),
                "139.7, 35.6 is not a point in Japan",
            ),
            (
                ErrorDetail::NoGazetteer,
                json!({"rule": "no_gazetteer"}),
                "addresses cannot be placed (no gazetteer)",
            ),
            (
                ErrorDetail::AddressUnplaced {
                    address: "どこか".into(),
                    reason: IssueRule::NotRecognised {
                        address: "どこか".into(),
                    },
                },
                json!({"rule": "address_unplaced", "address": "どこか",
                       "reason": {"rule": "not_recognised", "address": "どこか"}}),
                "\"どこか\" could not be placed: no prefecture or municipality recognised in \"どこか\"",
            ),
            (
                ErrorDetail::NoFleetDriver {
                    email: "x@routemate.example".into(),
                },
                json!({"rule": "no_fleet_driver", "email": "x@routemate.example"}),
                "no driver \"x@routemate.example\" in the fleet",
            ),
            (
                ErrorDetail::StopNotInPlan {
                    stop_id: "file:9".into(),
                },
                json!({"rule": "stop_not_in_plan", "stop_id": "file:9"}),
                "no stop \"file:9\" in this plan",
            ),
            (
                ErrorDetail::NoStopsPicked,
                json!({"rule": "no_stops_picked"}),
                "pick at least one stop to hand over",
            ),
            (
                ErrorDetail::RouteMateNotConfigured,
                json!({"rule": "routemate_not_configured"}),
                "not configured (set routemate.base_url, client_id and client_secret in the settings)",
            ),
            (
                ErrorDetail::NoAddressToSend {
                    line: 3,
                    external_stop_id: "A-3".into(),
                },
                json!({"rule": "no_address_to_send", "line": 3, "external_stop_id": "A-3"}),
                "line 3 (A-3) has no address to send",
            ),
            (
                ErrorDetail::OrderGone {
                    tracking_code: "DQ-3".into(),
                },
                json!({"rule": "order_gone", "tracking_code": "DQ-3"}),
                "DQ-3 is no longer in the cache",
            ),
            (
                ErrorDetail::UnknownToRouteMate {
                    driver_email: "x@routemate.example".into(),
                    said: "driver_email: no driver with this email".into(),
                },
                json!({"rule": "unknown_to_routemate", "driver_email": "x@routemate.example",
                       "said": "driver_email: no driver with this email"}),
                "driver_email: no driver with this email",
            ),
            (
                ErrorDetail::BatchFile {
                    refusal: BatchError::TooLarge {
                        bytes: 11 * 1024 * 1024,
                        max: 10 * 1024 * 1024,
                    },
                },
                json!({"rule": "batch_file",
                       "refusal": {"rule": "too_large", "bytes": 11_534_336, "max": 10_485_760}}),
                "file: is 11.0 MB; at most 10.0 MB can be imported (split it into several files)",
            ),
        ];
        for (detail, wire, english) in cases {
            assert_eq!(serde_json::to_value(&detail).unwrap(), wire, "{detail:?}");
            assert_eq!(detail.to_string(), english, "{detail:?}");
            let e = CommandError::refused("f", detail.clone());
            assert_eq!(e.message, format!("f: {english}"));
            assert_eq!(serde_json::to_value(&e).unwrap()["detail"], wire);
        }
        // With its own code, with and without a field.
        let e = CommandError::refused_as(
            ErrorCode::Config,
            Some("routemate"),
            ErrorDetail::RouteMateNotConfigured,
        );
        assert_eq!(
            (e.code, e.field.as_deref(), e.message.as_str()),
            (
                ErrorCode::Config,
                Some("routemate"),
                "routemate: not configured (set routemate.base_url, client_id and client_secret in the settings)"
            )
        );
        let e = CommandError::refused_as(
            ErrorCode::NotFound,
            None,
            ErrorDetail::OrderGone {
                tracking_code: "DQ-3".into(),
            },
        );
        assert_eq!(
            (e.field, e.message.as_str()),
            (None, "DQ-3 is no longer in the cache")
        );
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
