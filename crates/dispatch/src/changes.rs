//! What changed in the cache, announced to whoever listens (the Tauri layer forwards it to
//! the UI as an event), so views refresh only what moved.

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::Dispatch;

/// Announcements a slow listener may fall behind by before it misses some (it then hears
/// `Lagged` and should reload its view).
pub(crate) const CHANGE_BACKLOG: usize = 256;

/// Ids whose cached rows changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct Changes {
    /// Deliveries and fetches (added, or status or contents changed).
    pub orders: Vec<String>,
    /// Drivers that moved or whose job changed.
    pub drivers: Vec<u64>,
}

/// The orders a write command changed (`orders-changed`): the same `changed` as a sync's
/// report, so one listener serves both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct OrdersChanged {
    pub changed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty() && self.drivers.is_empty()
    }
}

impl Dispatch {
    /// Every later change, as it is written to the cache: webhooks applied, syncs that found
    /// something new.
    pub fn subscribe_changes(&self) -> broadcast::Receiver<Changes> {
        self.changes.subscribe()
    }

    /// Tells the listeners, if there is anything to tell. Nobody listening is fine.
    pub(crate) fn announce(&self, changes: Changes) {
        if !changes.is_empty() {
            let _ = self.changes.send(changes);
        }
    }
}
