//! Estimates and reserved windows for the new-order form: which windows the API holds for
//! us, what they cost, and which slots are sold out.
//!
//! An estimate is sent at once, never queued: its answer is the server's capacity now, and a
//! hold lasts about 30 minutes (docs/decisions.md "Order writes"). It still carries an
//! `Idempotency-Key`, so the client's own retries never hold twice. A reservation goes
//! through the outbox like every other write. Both answers are recorded for the 枠カレンダー.

use hakobu_cache::OutboxRow;
use hakobu_diaq::{
    DeliveryEstimate, EstimateRequest, FetchEstimate, Package, ReserveRequest, StoreSummary,
    UnavailableWindow, Window,
};
use hakobu_diaq_client::ClientError;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

use crate::local_checks::first_broken;
use crate::outbox::Written;
use crate::outbox_write::{OrderKind, Target, Write};
use crate::{CommandError, Dispatch, ErrorCode};

/// A window the API holds for us until `expires_at`: a TimeWindow (`starts_at` set) or an
/// AnytimeWindow (`starts_at` null, `ends_at` the midnight after its date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Hold {
    pub id: String,
    pub starts_at: Option<String>,
    pub ends_at: String,
    pub expires_at: String,
}

impl From<Window> for Hold {
    fn from(w: Window) -> Hold {
        Hold {
            id: w.id,
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            expires_at: w.expires_at,
        }
    }
}

/// A sold-out hourly slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SoldOutWindow {
    pub starts_at: String,
    pub ends_at: String,
}

/// One package line of an estimate, priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EstimatePackage {
    pub service_brand: String,
    pub name: String,
    pub boxes: u32,
    pub number: u32,
    /// Yen, the line's price whatever its `boxes` (extra charge included).
    pub price: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EstimateStore {
    pub id: String,
    pub name: String,
}

/// An estimate answer as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EstimateView {
    /// The API's estimate id (the document's GET example answers `null`).
    pub id: Option<String>,
    pub kind: OrderKind,
    /// The request's base time: deliveries' `ready_by`, fetches' `deliver_by`.
    pub ready_by: String,
    /// The earliest TimeWindow held, if the horizon had one with room.
    pub time_window: Option<Hold>,
    /// The AnytimeWindow held, if the horizon had one with room.
    pub anytime_window: Option<Hold>,
    pub unavailable_windows: Vec<SoldOutWindow>,
    /// Metres.
    pub distance: u32,
    pub packages: Vec<EstimatePackage>,
    /// Yen: the package lines' prices summed.
    pub total_price: u64,
    /// The held TimeWindow is in an extra-charge time zone (早朝・深夜): its prices include it.
    pub extra_charge: bool,
    pub store: EstimateStore,
}

/// The parts of a delivery or fetch estimate the view reads.
struct Answer {
    id: Option<String>,
    base: String,
    windows: Vec<Window>,
    unavailable: Vec<UnavailableWindow>,
    distance: u32,
    packages: Vec<Package>,
    store: StoreSummary,
}

impl From<DeliveryEstimate> for Answer {
    fn from(e: DeliveryEstimate) -> Answer {
        Answer {
            id: e.id,
            base: e.ready_by,
            windows: e.delivery_windows,
            unavailable: e.unavailable_windows,
            distance: e.distance,
            packages: e.packages,
            store: e.store,
        }
    }
}

impl From<FetchEstimate> for Answer {
    fn from(e: FetchEstimate) -> Answer {
        Answer {
            id: e.id,
            base: e.deliver_by,
            windows: e.fetch_windows,
            unavailable: e.unavailable_windows,
            distance: e.distance,
            packages: e.packages,
            store: e.store,
        }
    }
}

impl Dispatch {
    /// `POST /v1/delivery_estimates/` or `/v1/fetch_estimates/` now. A body breaking the
    /// document's rules is refused here; offline is a `transport` error saying an estimate
    /// needs the API. The holds are recorded for the window calendar.
    pub async fn estimate_order(
        &self,
        kind: OrderKind,
        body: &Value,
    ) -> Result<EstimateView, CommandError> {
        EstimateRequest::from_json(body, kind.purpose(), self.now_jst()).map_err(first_broken)?;
        // Its own key: the client retries a keyed POST after a lost answer, and the server
        // then answers the first estimate again instead of holding a second pair of windows.
        let key = uuid::Uuid::new_v4().to_string();
        let result = match kind {
            OrderKind::Delivery => self
                .client
                .create_delivery_estimate_keyed(body, &key)
                .await
                .map(|e| (json!(e), Answer::from(e))),
            OrderKind::Fetch => self
                .client
                .create_fetch_estimate_keyed(body, &key)
                .await
                .map(|e| (json!(e), Answer::from(e))),
        };
        self.observe(&result);
        let (json, answer) = result.map_err(estimate_refused)?;
        self.estimate_answered(kind, &key, &json);
        self.estimate_view(kind, answer)
    }

    fn estimate_view(&self, kind: OrderKind, answer: Answer) -> Result<EstimateView, CommandError> {
        let time_window = answer
            .windows
            .iter()
            .filter(|w| w.starts_at.is_some())
            .min_by_key(|w| {
                w.starts_at
                    .as_deref()
                    .and_then(hakobu_diaq::time::parse)
                    .map(|t| t.timestamp())
            })
            .cloned()
            .map(Hold::from);
        let anytime_window = answer
            .windows
            .iter()
            .find(|w| w.starts_at.is_none())
            .cloned()
            .map(Hold::from);
        let extra_charge = match time_window.as_ref().and_then(|w| w.starts_at.as_deref()) {
            Some(starts_at) => self.cache.is_extra_charge_at(starts_at)?,
            None => false,
        };
        let packages = answer
            .packages
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let price = p
                    .price
                    .as_deref()
                    .and_then(|yen| yen.trim().parse::<u64>().ok())
                    .ok_or_else(|| {
                        CommandError::new(
                            ErrorCode::Internal,
                            format!(
                                "packages[{i}].price: the API answered {:?}, not yen",
                                p.price
                            ),
                        )
                    })?;
                Ok(EstimatePackage {
                    service_brand: p.service_brand,
                    name: p.name,
                    boxes: p.boxes,
                    number: p.number,
                    price,
                })
            })
            .collect::<Result<Vec<_>, CommandError>>()?;
        Ok(EstimateView {
            id: answer.id,
            kind,
            ready_by: answer.base,
            time_window,
            anytime_window,
            unavailable_windows: answer
                .unavailable
                .into_iter()
                .map(|u| SoldOutWindow {
                    starts_at: u.starts_at,
                    ends_at: u.ends_at,
                })
                .collect(),
            distance: answer.distance,
            total_price: packages.iter().map(|p| p.price).sum(),
            packages,
            extra_charge,
            store: EstimateStore {
                id: answer.store.store_id,
                name: answer.store.store_name,
            },
        })
    }

    /// `POST /v1/reserve_windows` through the outbox: hold `time_zone_id` on `reserve_date`
    /// (`YYYY-MM-DD`) at the store, instead of an estimate's earliest. The API answers 404
    /// when the window cannot be held (started, beyond the horizon, sold out): `not_found`
    /// with its message.
    pub async fn reserve_window(
        &self,
        store_id: &str,
        reserve_date: &str,
        time_zone_id: &str,
    ) -> Result<Written<Hold>, CommandError> {
        let body = json!({
            "store_id": store_id, "reserve_date": reserve_date, "time_zone_id": time_zone_id,
        });
        ReserveRequest::from_json(&body).map_err(first_broken)?;
        let write = Write::ReserveWindow {
            store_id: Target::Id(store_id.to_owned()),
            reserve_date: reserve_date.to_owned(),
            time_zone_id: time_zone_id.to_owned(),
        };
        self.enqueue_write(write).await?.try_map(|row| held(&row))
    }
}

/// The window an acked reservation holds.
fn held(row: &OutboxRow) -> Result<Hold, CommandError> {
    row.response
        .clone()
        .and_then(|r| serde_json::from_value::<Window>(r).ok())
        .map(Hold::from)
        .ok_or_else(|| {
            CommandError::new(ErrorCode::Internal, "acked reservation without its window")
        })
}

/// No answer is said as what it means here: an estimate cannot wait in the outbox.
fn estimate_refused(e: ClientError) -> CommandError {
    let unanswered = matches!(e, ClientError::Transport(_));
    let mut error = CommandError::from(e);
    if unanswered {
        error.message = format!(
            "{}; an estimate needs the API (the server holds the windows): try again when online",
            error.message
        );
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unanswered_estimate_says_it_needs_the_api() {
        let e = estimate_refused(ClientError::Transport("connection refused".into()));
        assert_eq!(e.code, ErrorCode::Transport);
        assert!(
            e.message.contains("an estimate needs the API"),
            "{}",
            e.message
        );
        let e = estimate_refused(ClientError::BadRequest {
            message: "ready_by: must be at most 14 days ahead".into(),
        });
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::BadRequest, Some("ready_by"))
        );
        assert!(!e.message.contains("needs the API"));
    }

    #[test]
    fn a_price_that_is_not_yen_is_an_internal_error_naming_the_line() {
        let d = Dispatch::new(
            hakobu_diaq_client::DiaqClient::new("http://127.0.0.1:9", "k").unwrap(),
            std::sync::Arc::new(hakobu_cache::Cache::in_memory().unwrap()),
            crate::Mode::Sandbox,
            std::sync::Arc::new(crate::SystemClock),
            None,
        )
        .unwrap();
        let package = |price: Option<&str>| Package {
            service_brand: "80サイズ".into(),
            order_reference: String::new(),
            name: "花瓶".into(),
            boxes: 1,
            number: 1,
            price: price.map(str::to_owned),
            height: 0.0,
            width: 0.0,
            depth: 0.0,
            weight: 0.0,
            attention: String::new(),
        };
        let answer = |prices: &[Option<&str>]| Answer {
            id: None,
            base: "2030-01-15T10:00:00+09:00".into(),
            windows: Vec::new(),
            unavailable: Vec::new(),
            distance: 0,
            packages: prices.iter().map(|p| package(*p)).collect(),
            store: serde_json::from_value(json!({
                "store_id": "s", "store_name": "店", "store_address_prefecture": "東京都",
                "store_address_line_1": "港区", "store_address_line_2": "",
                "store_phone": "03-0000-0000", "store_type": "standalone_store"
            }))
            .unwrap(),
        };
        let view = d
            .estimate_view(OrderKind::Delivery, answer(&[Some("880"), Some(" 660 ")]))
            .unwrap();
        assert_eq!(
            (view.total_price, view.time_window, view.extra_charge),
            (1540, None, false)
        );
        for bad in [None, Some("¥880"), Some("")] {
            let e = d
                .estimate_view(OrderKind::Delivery, answer(&[Some("880"), bad]))
                .unwrap_err();
            assert_eq!(e.code, ErrorCode::Internal);
            assert!(
                e.message.starts_with("packages[1].price: "),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn an_acked_reservation_without_a_window_is_an_internal_error() {
        let row: OutboxRow = serde_json::from_value(json!({
            "seq": 1, "client_id": "c", "kind": "reserve_window", "payload": {},
            "payload_hash": "", "revision": 0, "request": null, "state": "acked",
            "attempts": 1, "last_error": null, "server_id": null, "response": {"id": 1},
            "created_at": "", "updated_at": ""
        }))
        .unwrap();
        assert_eq!(held(&row).unwrap_err().code, ErrorCode::Internal);
    }
}
