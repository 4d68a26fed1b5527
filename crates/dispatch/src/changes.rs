//! What changed in the cache, announced to whoever listens (the Tauri layer forwards it to
//! the UI as an event), so views refresh only what moved.

use hakobu_cache::CachedDriver;
use serde::Serialize;
use std::time::Duration;

use tokio::sync::broadcast;
use ts_rs::TS;

use crate::Dispatch;

/// Announcements a slow listener may fall behind by before it misses some (it then hears
/// `Lagged` and should reload its view).
pub(crate) const CHANGE_BACKLOG: usize = 256;

/// Ids whose cached rows changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct Changes {
    /// Deliveries and fetches (added, or status or contents changed).
    pub orders: Vec<String>,
    /// Drivers that moved or whose job changed.
    pub drivers: Vec<u64>,
    /// Of those, the rows as a webhook recorded them (the newest per driver): the live map
    /// draws 2,000 moves a second from these instead of reading each batch back from SQLite.
    /// A driver named in `drivers` without a row here is read from the cache.
    pub positions: Vec<CachedDriver>,
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
        for row in other.positions {
            match self.positions.iter_mut().find(|p| p.id == row.id) {
                // Announcements may overtake each other: the later fix wins, not the later
                // message.
                Some(p) => {
                    if !crate::webhook_intake::is_newer(&p.located_at, &row.located_at) {
                        *p = row;
                    }
                }
                None => self.positions.push(row),
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
            ..Changes::default()
        }
    }

    #[tokio::test]
    async fn announcements_within_the_window_become_one() {
        let (tx, mut rx) = broadcast::channel(16);
        tx.send(orders(&["a"])).unwrap();
        tx.send(orders(&["b", "a"])).unwrap();
        tx.send(Changes {
            drivers: vec![7, 7],
            ..Changes::default()
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

    fn at(id: u64, located_at: &str) -> CachedDriver {
        CachedDriver {
            id,
            name: format!("d{id}"),
            phone: None,
            vehicle_type: None,
            lat: 35.0,
            lng: 139.0,
            located_at: located_at.into(),
            job: None,
            fetched_at: located_at.into(),
        }
    }

    #[test]
    fn merged_positions_keep_each_drivers_latest_fix_whatever_the_order_they_came_in() {
        let mut batch = Changes {
            drivers: vec![1, 2],
            positions: vec![
                at(1, "2026-12-07T10:00:02+09:00"),
                at(2, "2026-12-07T10:00:01+09:00"),
            ],
            ..Changes::default()
        };
        batch.merge(Changes {
            drivers: vec![1, 2, 3],
            positions: vec![
                // Overtaken: older than the one already in the batch.
                at(1, "2026-12-07T10:00:01+09:00"),
                at(2, "2026-12-07T10:00:03+09:00"),
                at(3, "2026-12-07T10:00:03+09:00"),
            ],
            ..Changes::default()
        });
        assert_eq!(batch.drivers, [1, 2, 3]);
        let times: Vec<(u64, &str)> = batch
            .positions
            .iter()
            .map(|p| (p.id, p.located_at.as_str()))
            .collect();
        assert_eq!(
            times,
            [
                (1, "2026-12-07T10:00:02+09:00"),
                (2, "2026-12-07T10:00:03+09:00"),
                (3, "2026-12-07T10:00:03+09:00")
            ]
        );
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
