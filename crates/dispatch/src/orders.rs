//! Deliveries and fetches: read from the cache; synced from the API in full or
//! incrementally.
//!
//! The API cannot filter lists by `update` (`since`/`until` bound the *window's end*), so an
//! incremental sync reads the windows that can still change — from the earliest window of an
//! order not yet finished in the cache (at most [`OPEN_LOOKBACK_DAYS`] back), and never later
//! than yesterday — and compares each object's `update` (and contents) with the cache to tell
//! what changed. Orders whose window is newly created are always on or after today, so they
//! are in that range too.

use chrono::{DateTime, Duration, Utc};
use hakobu_cache::{CachedOrder, MAX_LIMIT, OrderFilter, StatusOrigin};
use hakobu_diaq::Status;
use hakobu_diaq_client::OrderQuery;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::webhook_intake::{is_newer, same_order};
use crate::{Changes, CommandError, Dispatch, META_LAST_SYNC, tokyo_rfc3339};

/// An unfinished order whose window ended longer ago than this is no longer re-read by an
/// incremental sync (a forgotten job must not make every sync read weeks of history); a full
/// sync or its webhook still updates it.
pub const OPEN_LOOKBACK_DAYS: i64 = 7;

/// Meta key: RFC 3339 time of the last successful order sync.
const META_LAST_ORDER_SYNC: &str = "last_order_sync";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OrderSyncReport {
    pub deliveries: usize,
    pub fetches: usize,
    /// `full` (everything) or `recent` (the windows that can still change).
    #[ts(type = "\"full\" | \"recent\"")]
    pub scope: &'static str,
    pub synced_at: String,
    /// Ids added or changed since the cache last had them, and (full sync) removed.
    pub changed: Vec<String>,
}

/// Orders in one status (`order_counts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

impl Dispatch {
    /// The board's rows, from the cache only.
    pub fn list_orders(&self, filter: &OrderFilter) -> Result<Vec<CachedOrder>, CommandError> {
        Ok(self.cache.orders(filter)?)
    }

    /// (status, count) for the board's columns.
    pub fn order_counts(
        &self,
        kind: &str,
        window_date: Option<&str>,
    ) -> Result<Vec<(String, u64)>, CommandError> {
        Ok(self.cache.order_counts(kind, window_date)?)
    }

    /// `full`: every delivery and fetch, and the cache becomes exactly that. Otherwise
    /// (incremental, what a timer calls) only the windows that can still change are read and
    /// upserted (see the module comment), so a periodic sync stays cheap however long the
    /// history grows. Either way the report and a [`Changes`] announcement name the orders
    /// that changed.
    pub async fn sync_orders(&self, full: bool) -> Result<OrderSyncReport, CommandError> {
        let now = self.clock.now();
        let query = if full {
            OrderQuery::default()
        } else {
            OrderQuery {
                since: Some(tokyo_rfc3339(self.incremental_since(now)?)),
                ..OrderQuery::default()
            }
        };
        let deliveries = self.client.all_deliveries(&query).await;
        self.observe(&deliveries);
        let fetches = self.client.all_fetches(&query).await;
        self.observe(&fetches);
        let stamp = tokyo_rfc3339(now);
        let deliveries: Vec<CachedOrder> = deliveries?
            .into_iter()
            .filter_map(|d| serde_json::to_value(d).ok())
            .filter_map(|v| self.cached_order("delivery", v, &stamp))
            .collect();
        let fetches: Vec<CachedOrder> = fetches?
            .into_iter()
            .filter_map(|f| serde_json::to_value(f).ok())
            .filter_map(|v| self.cached_order("fetch", v, &stamp))
            .collect();
        let (deliveries_read, fetches_read) = (deliveries.len(), fetches.len());
        let mut changed = Vec::new();
        {
            // Compare and write with no webhook confirmation in between (see `order_writes`).
            let _writing = self.order_writes.lock().await;
            self.still_current()?;
            let deliveries = self.keep_newest(deliveries, &mut changed)?;
            let fetches = self.keep_newest(fetches, &mut changed)?;
            if full {
                for (kind, rows) in [("delivery", &deliveries), ("fetch", &fetches)] {
                    changed.extend(self.cached_ids_missing_from(kind, rows)?);
                    self.cache.replace_orders(kind, rows)?;
                }
            } else {
                self.cache.upsert_orders(&deliveries, StatusOrigin::SYNC)?;
                self.cache.upsert_orders(&fetches, StatusOrigin::SYNC)?;
            }
            // Under the lock too: a retired instance's late sync must not stamp the next
            // account's "last synced".
            self.cache.set_meta(META_LAST_ORDER_SYNC, &stamp)?;
            self.cache.set_meta(META_LAST_SYNC, &stamp)?;
        }
        self.announce(Changes {
            orders: changed.clone(),
            ..Changes::default()
        });
        Ok(OrderSyncReport {
            deliveries: deliveries_read,
            fetches: fetches_read,
            scope: if full { "full" } else { "recent" },
            synced_at: stamp,
            changed,
        })
    }

    /// Where an incremental sync starts: the start of the earliest window date of a cached
    /// order not finished yet, but no earlier than [`OPEN_LOOKBACK_DAYS`] ago and no later
    /// than a day ago.
    fn incremental_since(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, CommandError> {
        let open: Vec<String> = Status::ALL
            .into_iter()
            .filter(|s| !matches!(s, Status::Delivered | Status::Canceled | Status::Returned))
            .map(|s| s.as_str().to_owned())
            .collect();
        let earliest_open = self
            .cache
            .orders(&OrderFilter {
                statuses: Some(open),
                limit: Some(1),
                ..OrderFilter::default()
            })?
            .into_iter()
            .next()
            .and_then(|o| chrono::NaiveDate::parse_from_str(&o.window_date, "%Y-%m-%d").ok())
            .map(|d| hakobu_diaq::time::midnight(d).with_timezone(&Utc));
        let latest = now - Duration::days(1);
        let since = earliest_open.map_or(latest, |t| t.min(latest));
        Ok(since.max(now - Duration::days(OPEN_LOOKBACK_DAYS)))
    }

    /// The rows to write: each fetched row, unless the cache holds a newer `update` of it (a
    /// webhook confirmed it after this sync's read), in which case the cached row stays.
    /// Records in `changed` the ids that are new or differ from the cache.
    fn keep_newest(
        &self,
        rows: Vec<CachedOrder>,
        changed: &mut Vec<String>,
    ) -> Result<Vec<CachedOrder>, CommandError> {
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows {
            match self.cache.order(&row.id)? {
                Some(cached) if is_newer(&cached.api_update, &row.api_update) => kept.push(cached),
                Some(cached) if same_order(&cached, &row) => kept.push(row),
                _ => {
                    changed.push(row.id.clone());
                    kept.push(row);
                }
            }
        }
        Ok(kept)
    }

    /// Ids of `kind` in the cache that `rows` (everything the API has) lacks.
    fn cached_ids_missing_from(
        &self,
        kind: &str,
        rows: &[CachedOrder],
    ) -> Result<Vec<String>, CommandError> {
        let present: std::collections::HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut missing = Vec::new();
        for page in 0.. {
            let cached = self.cache.orders(&OrderFilter {
                kind: Some(kind.to_owned()),
                limit: Some(MAX_LIMIT),
                offset: Some(page * MAX_LIMIT),
                ..OrderFilter::default()
            })?;
            let last = cached.len() < MAX_LIMIT as usize;
            missing.extend(
                cached
                    .into_iter()
                    .filter(|o| !present.contains(o.id.as_str()))
                    .map(|o| o.id),
            );
            if last {
                break;
            }
        }
        Ok(missing)
    }

    /// The cache row for an API object; `None` for an object without the document's window.
    pub(crate) fn cached_order(
        &self,
        kind: &str,
        body: Value,
        fetched_at: &str,
    ) -> Option<CachedOrder> {
        let window = &body[if kind == "delivery" {
            "delivery_window"
        } else {
            "fetch_window"
        }];
        let ends_at = window["ends_at"].as_str()?.to_owned();
        let starts_at = window["starts_at"].as_str().map(str::to_owned);
        // An anytime window ends at the midnight after its date.
        let date = match starts_at.as_deref() {
            Some(s) => hakobu_diaq::time::parse(s)?.date_naive(),
            None => (hakobu_diaq::time::parse(&ends_at)? - Duration::seconds(1)).date_naive(),
        };
        let c = &body["customer"];
        let (name, address) = (customer_name(c), customer_address(c));
        let point = self.geo.get().and_then(|g| {
            g.geocode(&format!(
                "{}{}",
                text(&c["address_prefecture"]),
                text(&c["address_line_1"])
            ))
            .ok()
        });
        Some(CachedOrder {
            id: text(&body["id"]),
            kind: kind.to_owned(),
            store_id: text(&body["store"]["store_id"]),
            status: text(&body["status"]),
            tracking_code: text(&body["tracking_code"]),
            window_starts_at: starts_at,
            window_ends_at: ends_at,
            window_date: date.format("%Y-%m-%d").to_string(),
            customer_name: name,
            customer_phone: text(&c["phone"]),
            customer_address: address,
            order_refs: body["packages"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| text(&p["order_reference"]))
                        .filter(|r| !r.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            customer_lat: point.as_ref().map(|p| p.point.lat),
            customer_lng: point.as_ref().map(|p| p.point.lng),
            api_update: text(&body["update"]),
            body,
            fetched_at: fetched_at.to_owned(),
        })
    }
}

/// A string property, trimmed; empty when absent.
pub(crate) fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().trim().to_owned()
}

/// A customer's name as the board shows it: `吉沢 健二`, `吉沢 健二（株式会社ABC）`, or the
/// business name alone.
pub(crate) fn customer_name(customer: &Value) -> String {
    let person = format!(
        "{} {}",
        text(&customer["last_name"]),
        text(&customer["first_name"])
    );
    match (text(&customer["business_name"]), person.trim()) {
        (b, "") => b,
        (b, p) if b.is_empty() => p.to_owned(),
        (b, p) => format!("{p}（{b}）"),
    }
}

/// Prefecture and line 1, then line 2 after a space.
pub(crate) fn customer_address(customer: &Value) -> String {
    format!(
        "{}{} {}",
        text(&customer["address_prefecture"]),
        text(&customer["address_line_1"]),
        text(&customer["address_line_2"])
    )
    .trim()
    .to_owned()
}
