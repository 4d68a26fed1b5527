//! What the dispatcher asks to plan, and where each stop came from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{OrderKind, OrderRef, PlanningStop};

/// `{"start": "HH:MM", "end": "HH:MM"}`: the import report's window as the UI has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StopWindow {
    pub start: String,
    pub end: String,
}

/// One planned row of an imported file (a row of the import report without errors).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct BatchStop {
    pub external_stop_id: String,
    /// The file's line, to point back at the row.
    pub line: usize,
    pub lat: f64,
    pub lng: f64,
    pub parcel_count: u32,
    pub time_window: Option<StopWindow>,
    /// Seconds at the door; `None`: the default.
    #[serde(default)]
    pub service_s: Option<u32>,
    /// The address as read: what the driver's RouteMate job and a DIAq delivery are sent.
    /// Without it the stop plans but cannot be sent or handed over.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub address: Option<String>,
    /// `123-4567`: DIAq needs it to hand the stop over.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub postal_code: Option<String>,
    /// The customer's name (the file's label).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub label: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub phone: Option<String>,
    /// For the driver: 置き配可, building entrance, …
    #[serde(default)]
    #[ts(optional = nullable)]
    pub notes: Option<String>,
}

impl From<&PlanningStop> for BatchStop {
    fn from(s: &PlanningStop) -> Self {
        let hhmm = |s: u32| format!("{:02}:{:02}", s / 3600, s / 60 % 60);
        BatchStop {
            external_stop_id: s.external_stop_id.clone(),
            line: s.line,
            lat: s.lat,
            lng: s.lng,
            parcel_count: s.parcel_count,
            time_window: s.time_window.map(|w| StopWindow {
                start: hhmm(w.start_s()),
                end: hhmm(w.end_s()),
            }),
            service_s: Some(s.service_s),
            address: Some(s.address.clone()).filter(|a| !a.trim().is_empty()),
            postal_code: s.postal_code.clone(),
            label: s.label.clone(),
            phone: s.phone.clone(),
            notes: s.notes.clone(),
        }
    }
}

/// A plan to make (or remake, under `plan_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanRequest {
    /// A new version of this plan; `None`: a new plan.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// YYYY-MM-DD (Japan time): the day the windows and shifts fall on.
    pub date: String,
    /// The store the file's stops are picked up at (orders carry their own).
    #[serde(default)]
    pub store_id: Option<String>,
    #[serde(default)]
    pub stops: Vec<BatchStop>,
    #[serde(default)]
    pub orders: Vec<OrderRef>,
    /// Logins of the drivers to plan for; `None`: the whole fleet.
    #[serde(default)]
    pub drivers: Option<Vec<String>>,
    /// Seconds the solver may run (default 10, at most 600).
    #[serde(default)]
    pub time_limit_s: Option<u32>,
    /// Parallel searches; `None`: the machine's cores.
    #[serde(default)]
    pub threads: Option<u32>,
    /// The solver's seed, to repeat a plan; `None`: drawn from the OS.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// Where a planned stop came from, so every result points back at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopSource {
    /// A row of an imported file.
    File {
        line: usize,
        external_stop_id: String,
    },
    /// A cached delivery or fetch.
    Order {
        order_kind: OrderKind,
        id: String,
        tracking_code: String,
    },
}

impl StopSource {
    /// The stop's key in a plan: `line-<n>` for a file's row, `<kind>-<id>` for an order.
    pub fn key(&self) -> String {
        match self {
            StopSource::File { line, .. } => format!("line-{line}"),
            StopSource::Order { order_kind, id, .. } => format!("{}-{id}", order_kind.as_str()),
        }
    }
}
