//! What changed in the cache, announced to whoever listens (the Tauri layer forwards it to
//! the UI as an event), so views refresh only what moved.

use serde::Serialize;
use std::time::Duration;

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

    /// Adds `other`'s ids to these, each once.
    pub fn merge(&mut self, other: Changes) {
        for id in other.orders {
            if !self.orders.contains(&id) {
                self.orders.push(id);
            }
        }
        for id in other.drivers {
            if !self.drivers.contains(&id) {
                self.drivers.push(id);
            }
        }
    }
}

/// How long announcements are gathered into one before the UI hears them: under a flood of
/// driver moves (2,000 a second) the window gets one event per batch instead of one per move,
/// and a single change still arrives within this much.
pub const CHANGE_BATCH: Duration = Duration::from_millis(50);

/// The next announcement, merged with every other that arrives within `window` of it. An
/// empty `Changes` means "everything may have changed" (the listener fell behind). `None` once
/// nothing can be announced any more.
pub async fn next_batch(
    rx: &mut broadcast::Receiver<Changes>,
    window: Duration,
) -> Option<Changes> {
    let mut batch = match rx.recv().await {
        Ok(c) => c,
        Err(broadcast::error::RecvError::Lagged(_)) => return Some(Changes::default()),
        Err(broadcast::error::RecvError::Closed) => return None,
    };
    let deadline = tokio::time::Instant::now() + window;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(c)) => batch.merge(c),
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => return Some(Changes::default()),
            Ok(Err(broadcast::error::RecvError::Closed)) | Err(_) => return Some(batch),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(ids: &[&str]) -> Changes {
        Changes {
            orders: ids.iter().map(|s| s.to_string()).collect(),
            drivers: vec![],
        }
    }

    #[tokio::test]
    async fn announcements_within_the_window_become_one() {
        let (tx, mut rx) = broadcast::channel(16);
        tx.send(orders(&["a"])).unwrap();
        tx.send(orders(&["b", "a"])).unwrap();
        tx.send(Changes {
            orders: vec![],
            drivers: vec![7, 7],
        })
        .unwrap();
        let batch = next_batch(&mut rx, Duration::from_millis(20))
            .await
            .unwrap();
        assert_eq!(batch.orders, ["a", "b"]);
        assert_eq!(batch.drivers, [7]);
        // Later ones wait for the next batch.
        tx.send(orders(&["c"])).unwrap();
        let next = next_batch(&mut rx, Duration::from_millis(20))
            .await
            .unwrap();
        assert_eq!(next.orders, ["c"]);
        drop(tx);
        assert_eq!(next_batch(&mut rx, Duration::from_millis(20)).await, None);
    }

    #[tokio::test]
    async fn falling_behind_says_everything_may_have_changed() {
        let (tx, mut rx) = broadcast::channel(2);
        for id in ["a", "b", "c", "d"] {
            tx.send(orders(&[id])).unwrap();
        }
        let batch = next_batch(&mut rx, Duration::from_millis(20))
            .await
            .unwrap();
        assert!(batch.is_empty(), "{batch:?}");
    }
}
