//! The 枠カレンダー: a store's 14 days × 18 hourly slots, from the cache only, and the
//! bookkeeping behind it — acked estimates and reservations recorded as holds and sold-out
//! slots, holds marked used when a delivery/fetch is created with them.
//!
//! The bookkeeping never changes what became of a write: the server applied it and the
//! outbox row keeps its answer. A failure to record is logged; the next estimate of the store
//! brings the grid up to date again.

use chrono::NaiveDate;
use hakobu_cache::{EstimateAnswer, SlotGrid};
use hakobu_diaq::{DeliveryEstimate, FetchEstimate, Window};
use serde::Deserialize as _;
use serde_json::Value;

use crate::outbox_write::OrderKind;
use crate::{CommandError, Dispatch, ErrorCode, tokyo_rfc3339};

impl Dispatch {
    /// The grid of `store_id` for 14 days from `start_date` (Japan time), as of the clock's
    /// now: sold out (and how fresh that is), our holds, our bookings, extra-charge, past.
    /// A store the cache does not hold is `not_found`.
    pub fn slot_grid(
        &self,
        store_id: &str,
        start_date: NaiveDate,
    ) -> Result<SlotGrid, CommandError> {
        if self.cache.store(store_id)?.is_none() {
            return Err(CommandError {
                field: Some("store_id".into()),
                ..CommandError::new(
                    ErrorCode::NotFound,
                    format!("store_id: no cached store {store_id}"),
                )
            });
        }
        Ok(self.cache.slot_grid(
            store_id,
            &start_date.format("%Y-%m-%d").to_string(),
            &tokyo_rfc3339(self.clock.now()),
        )?)
    }

    /// Records an estimate answer (`answer`: the acked row's response) for the grid.
    /// `fallback_id` names it if the API sent no id.
    pub(crate) fn estimate_answered(&self, kind: OrderKind, fallback_id: &str, answer: &Value) {
        if let Err(e) = self.record_estimate_answer(kind, fallback_id, answer) {
            tracing::warn!("estimate {fallback_id} not recorded for the window grid: {e}");
        }
    }

    fn record_estimate_answer(
        &self,
        kind: OrderKind,
        fallback_id: &str,
        answer: &Value,
    ) -> Result<(), String> {
        let now = tokyo_rfc3339(self.clock.now());
        let recorded = match kind {
            OrderKind::Delivery => {
                let e = DeliveryEstimate::deserialize(answer).map_err(|e| e.to_string())?;
                self.cache
                    .record_estimate(EstimateAnswer::Delivery(&e), fallback_id, &now)
            }
            OrderKind::Fetch => {
                let e = FetchEstimate::deserialize(answer).map_err(|e| e.to_string())?;
                self.cache
                    .record_estimate(EstimateAnswer::Fetch(&e), fallback_id, &now)
            }
        };
        recorded.map(drop).map_err(|e| e.to_string())
    }

    /// Records a `reserve_windows` answer as a hold of the requested store, date and zone.
    pub(crate) fn window_reserved(
        &self,
        store_id: &str,
        reserve_date: &str,
        time_zone_id: &str,
        window: &Window,
    ) {
        let now = tokyo_rfc3339(self.clock.now());
        if let Err(e) =
            self.cache
                .record_reserved_window(store_id, reserve_date, time_zone_id, window, &now)
        {
            tracing::warn!("window {} not recorded for the window grid: {e}", window.id);
        }
    }

    /// A delivery/fetch the server answered with: the hold its window names is used now (it
    /// shows as booked, not held). A window that is not one of our holds changes nothing.
    pub(crate) fn hold_used(&self, kind: OrderKind, object: &Value) {
        let field = match kind {
            OrderKind::Delivery => "delivery_window",
            OrderKind::Fetch => "fetch_window",
        };
        let (Some(window_id), Some(order_id)) =
            (object[field]["id"].as_str(), object["id"].as_str())
        else {
            return;
        };
        if let Err(e) = self.cache.mark_hold_used(window_id, order_id) {
            tracing::warn!("hold {window_id} not marked used by {order_id}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hakobu_cache::Cache;
    use hakobu_diaq_client::DiaqClient;
    use serde_json::json;

    use super::*;
    use crate::{Mode, SystemClock};

    fn dispatch() -> Dispatch {
        Dispatch::new(
            DiaqClient::new("http://127.0.0.1:9", "k").unwrap(),
            Arc::new(Cache::in_memory().unwrap()),
            Mode::Sandbox,
            Arc::new(SystemClock),
            None,
        )
        .unwrap()
    }

    #[test]
    fn an_answer_that_does_not_read_is_reported_and_leaves_the_grid_as_it_was() {
        let d = dispatch();
        let e = d
            .record_estimate_answer(OrderKind::Delivery, "c-1", &json!({"id": "x"}))
            .unwrap_err();
        assert!(e.contains("missing field"), "{e}");
        let e = d
            .record_estimate_answer(OrderKind::Fetch, "c-1", &Value::Null)
            .unwrap_err();
        assert!(e.contains("invalid type"), "{e}");
        // The logging wrappers swallow what they report: the write stands.
        d.estimate_answered(OrderKind::Delivery, "c-1", &Value::Null);
        d.window_reserved(
            "s",
            "2026-11-24",
            "z",
            &Window {
                id: "w".into(),
                starts_at: None,
                ends_at: "never".into(),
                expires_at: "never".into(),
            },
        );
        assert_eq!(d.cache.hold("w").unwrap(), None);
        d.hold_used(OrderKind::Delivery, &json!({"id": "d-1"}));
        d.hold_used(
            OrderKind::Fetch,
            &json!({"id": "f-1", "fetch_window": {"id": "not-ours"}}),
        );
    }

    #[test]
    fn the_grid_of_a_store_not_cached_is_not_found() {
        let d = dispatch();
        let e = d
            .slot_grid("nope", NaiveDate::from_ymd_opt(2026, 11, 24).unwrap())
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::NotFound, Some("store_id"))
        );
    }
}
