//! Deliveries and fetches: read from the cache; synced from the API in full or for the recent
//! and coming windows only.

use chrono::Duration;
use hakobu_cache::{CachedOrder, OrderFilter};
use hakobu_diaq_client::OrderQuery;
use serde::Serialize;
use serde_json::Value;

use crate::{CommandError, Dispatch, tokyo_rfc3339};

/// Meta key: RFC 3339 time of the last successful order sync.
const META_LAST_ORDER_SYNC: &str = "last_order_sync";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderSyncReport {
    pub deliveries: usize,
    pub fetches: usize,
    /// `full` (everything) or `recent` (windows ending from yesterday on).
    pub scope: &'static str,
    pub synced_at: String,
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

    /// `full`: every delivery and fetch, and the cache becomes exactly that. Otherwise only
    /// those whose window ends from yesterday on are read and upserted — what changes during a
    /// day — so a periodic sync stays cheap however long the history grows.
    pub async fn sync_orders(&self, full: bool) -> Result<OrderSyncReport, CommandError> {
        let now = self.clock.now();
        let query = if full {
            OrderQuery::default()
        } else {
            OrderQuery {
                since: Some(tokyo_rfc3339(now - Duration::days(1))),
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
        if full {
            self.cache.replace_orders("delivery", &deliveries)?;
            self.cache.replace_orders("fetch", &fetches)?;
        } else {
            self.cache.upsert_orders(&deliveries)?;
            self.cache.upsert_orders(&fetches)?;
        }
        self.cache.set_meta(META_LAST_ORDER_SYNC, &stamp)?;
        Ok(OrderSyncReport {
            deliveries: deliveries.len(),
            fetches: fetches.len(),
            scope: if full { "full" } else { "recent" },
            synced_at: stamp,
        })
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
        let text = |v: &Value| v.as_str().unwrap_or_default().trim().to_owned();
        let person = format!("{} {}", text(&c["last_name"]), text(&c["first_name"]));
        let name = match (text(&c["business_name"]), person.trim()) {
            (b, "") => b,
            (b, p) if b.is_empty() => p.to_owned(),
            (b, p) => format!("{p}（{b}）"),
        };
        let address = format!(
            "{}{} {}",
            text(&c["address_prefecture"]),
            text(&c["address_line_1"]),
            text(&c["address_line_2"])
        )
        .trim()
        .to_owned();
        let point = self.geo.as_ref().and_then(|g| {
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
