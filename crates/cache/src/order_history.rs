//! Each order's statuses as the cache learned them (cache migration 10): recorded by the one
//! upsert every writer goes through, read oldest first for the order detail.

use hakobu_diaq::Status;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Cache, CacheError, CachedOrder};

/// Who told the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistorySource {
    /// A webhook's event, confirmed by reading the order back.
    Webhook,
    /// A full or incremental sync.
    Sync,
    /// The API's answer to one of our writes (create, update, cancel).
    Write,
}

impl HistorySource {
    fn as_str(self) -> &'static str {
        match self {
            HistorySource::Webhook => "webhook",
            HistorySource::Sync => "sync",
            HistorySource::Write => "write",
        }
    }

    fn parse(s: &str) -> Option<HistorySource> {
        Some(match s {
            "webhook" => HistorySource::Webhook,
            "sync" => HistorySource::Sync,
            "write" => HistorySource::Write,
            _ => return None,
        })
    }
}

/// How the orders of an upsert were learned: what a status change is recorded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusOrigin<'a> {
    pub source: HistorySource,
    /// When the change happened, when the source says (a webhook's `created_at`); otherwise
    /// the order's `update`, the API's time of its last change.
    pub at: Option<&'a str>,
}

impl StatusOrigin<'_> {
    pub const SYNC: StatusOrigin<'static> = StatusOrigin {
        source: HistorySource::Sync,
        at: None,
    };
    pub const WRITE: StatusOrigin<'static> = StatusOrigin {
        source: HistorySource::Write,
        at: None,
    };

    pub fn webhook(created_at: &str) -> StatusOrigin<'_> {
        StatusOrigin {
            source: HistorySource::Webhook,
            at: Some(created_at),
        }
    }
}

/// One status an order had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatusChange {
    pub status: Status,
    /// When (RFC 3339, as the source wrote it).
    pub at: String,
    pub source: HistorySource,
}

/// Records `order`'s status if it differs from `before` (its cached status before this write;
/// `None`: first cached). The same status at the same time twice is one row.
pub(crate) fn record_status(
    c: &Connection,
    before: Option<&str>,
    order: &CachedOrder,
    origin: StatusOrigin<'_>,
) -> rusqlite::Result<()> {
    if before == Some(order.status.as_str()) {
        return Ok(());
    }
    let at = [
        origin.at,
        Some(order.api_update.as_str()),
        Some(order.fetched_at.as_str()),
    ]
    .into_iter()
    .flatten()
    .find(|t| !t.trim().is_empty())
    .unwrap_or_default();
    c.prepare_cached(
        "INSERT OR IGNORE INTO order_status_history (order_id, kind, status, at, source)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        order.id,
        order.kind,
        order.status,
        at,
        origin.source.as_str()
    ])?;
    Ok(())
}

impl Cache {
    /// The statuses `order_id` had, oldest first: by time to the second, then as recorded.
    /// Not finer: events are stamped in whole seconds and objects' `update` in milliseconds,
    /// so an `assigned` event stamped 10:00:00 may follow a `created` updated at 10:00:00.500.
    pub fn order_history(&self, order_id: &str) -> Result<Vec<StatusChange>, CacheError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT status, at, source FROM order_status_history WHERE order_id = ?1
                 ORDER BY unixepoch(at), rowid",
            )?;
            let rows = stmt.query_map([order_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (status, at, source) = row?;
                if let (Some(status), Some(source)) =
                    (Status::parse(&status), HistorySource::parse(&source))
                {
                    out.push(StatusChange { status, at, source });
                }
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn order(id: &str, status: &str, update: &str) -> CachedOrder {
        CachedOrder {
            id: id.into(),
            kind: "delivery".into(),
            store_id: "s1".into(),
            status: status.into(),
            tracking_code: "000000000001".into(),
            window_starts_at: None,
            window_ends_at: "2026-11-25T00:00:00+09:00".into(),
            window_date: "2026-11-24".into(),
            customer_name: String::new(),
            customer_phone: String::new(),
            customer_address: String::new(),
            order_refs: Vec::new(),
            customer_lat: None,
            customer_lng: None,
            api_update: update.into(),
            body: json!({}),
            fetched_at: "2026-11-24T09:59:00+09:00".into(),
        }
    }

    fn history(cache: &Cache, id: &str) -> Vec<(Status, String, HistorySource)> {
        cache
            .order_history(id)
            .unwrap()
            .into_iter()
            .map(|c| (c.status, c.at, c.source))
            .collect()
    }

    #[test]
    fn a_status_is_recorded_when_it_changes_whoever_writes_it() {
        let cache = Cache::in_memory().unwrap();
        let t1 = "2026-11-24T09:00:00.000+09:00";
        cache
            .upsert_orders(&[order("d1", "created", t1)], StatusOrigin::SYNC)
            .unwrap();
        // A webhook: the event's time, not the object's update.
        let assigned = order("d1", "assigned", "2026-11-24T09:05:00.123+09:00");
        cache
            .upsert_orders(
                std::slice::from_ref(&assigned),
                StatusOrigin::webhook("2026-11-24T09:05:00+09:00"),
            )
            .unwrap();
        // The same status again, from a sync or another event: nothing new.
        cache
            .upsert_orders(std::slice::from_ref(&assigned), StatusOrigin::SYNC)
            .unwrap();
        cache
            .upsert_orders(
                &[assigned],
                StatusOrigin::webhook("2026-11-24T09:06:00+09:00"),
            )
            .unwrap();
        // A write's answer (a cancel), at its update.
        let canceled = order("d1", "canceled", "2026-11-24T09:10:00.000+09:00");
        cache
            .upsert_orders(std::slice::from_ref(&canceled), StatusOrigin::WRITE)
            .unwrap();
        let want = vec![
            (Status::Created, t1.to_owned(), HistorySource::Sync),
            (
                Status::Assigned,
                "2026-11-24T09:05:00+09:00".to_owned(),
                HistorySource::Webhook,
            ),
            (
                Status::Canceled,
                "2026-11-24T09:10:00.000+09:00".to_owned(),
                HistorySource::Write,
            ),
        ];
        assert_eq!(history(&cache, "d1"), want);
        // A full sync that finds the same status records nothing…
        cache
            .replace_orders("delivery", &[canceled, order("d2", "delivered", "")])
            .unwrap();
        assert_eq!(history(&cache, "d1"), want);
        // …a new order is recorded (at fetched_at when the object has no update)…
        assert_eq!(
            history(&cache, "d2"),
            [(
                Status::Delivered,
                "2026-11-24T09:59:00+09:00".to_owned(),
                HistorySource::Sync
            )]
        );
        // …and one the API no longer has leaves with its history.
        cache
            .replace_orders("delivery", &[order("d2", "delivered", "")])
            .unwrap();
        assert!(history(&cache, "d1").is_empty());
        assert_eq!(history(&cache, "d2").len(), 1);
    }

    #[test]
    fn history_is_oldest_first_by_time_whatever_form_the_time_takes() {
        let cache = Cache::in_memory().unwrap();
        cache
            .upsert_orders(
                &[order("d1", "collecting", "")],
                StatusOrigin::webhook("2026-11-24T01:00:00Z"),
            )
            .unwrap();
        // Learned later, happened earlier (a sync read an older event's result after it).
        cache
            .upsert_orders(
                &[order("d1", "assigned", "")],
                StatusOrigin::webhook("2026-11-24T09:30:00+09:00"),
            )
            .unwrap();
        let statuses: Vec<Status> = history(&cache, "d1").into_iter().map(|h| h.0).collect();
        assert_eq!(statuses, [Status::Assigned, Status::Collecting]);
    }

    #[test]
    fn within_one_second_the_order_learned_decides() {
        let cache = Cache::in_memory().unwrap();
        cache
            .upsert_orders(
                &[order("d1", "created", "2026-11-24T10:00:00.500+09:00")],
                StatusOrigin::SYNC,
            )
            .unwrap();
        cache
            .upsert_orders(
                &[order("d1", "assigned", "")],
                StatusOrigin::webhook("2026-11-24T10:00:00+09:00"),
            )
            .unwrap();
        let statuses: Vec<Status> = history(&cache, "d1").into_iter().map(|h| h.0).collect();
        assert_eq!(statuses, [Status::Created, Status::Assigned]);
    }
}
