//! One delivery or fetch as the board's list and cards show it: what a dispatcher reads at a
//! glance (no API body, no hashes), with its late risk, what a cancel would turn it into, and
//! the write of ours still waiting on it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hakobu_cache::{CachedOrder, OutboxState};
use hakobu_diaq::{LateRisk, Status, late_risk};
use serde::Serialize;
use ts_rs::TS;

use crate::orders::text;
use crate::outbox_write::OrderKind;
use crate::queued_orders::QueuedOrders;
use crate::{CommandError, Dispatch};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OrderRow {
    /// The API's id; `outbox:<client_id>` for a create not yet sent ([`QueuedWrite`]).
    pub id: String,
    pub kind: OrderKind,
    pub store_id: String,
    /// As cached; empty when the store is not.
    pub store_name: String,
    pub status: Status,
    /// Empty for a create not yet sent.
    pub tracking_code: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_address: String,
    /// `null`: 時間指定なし (anytime).
    pub window_starts_at: Option<String>,
    /// Empty only for a create not yet sent whose window is chosen when it is sent.
    pub window_ends_at: String,
    /// `YYYY-MM-DD`, Japan time.
    pub window_date: String,
    /// The driver on this job, as the cached drivers say (webhooks name drivers by id).
    pub driver_id: Option<u64>,
    pub driver_name: Option<String>,
    pub late: LateRisk,
    /// What a cancel would turn the status into (the document's cancel table); `null`: it
    /// cannot be canceled.
    pub cancel_to: Option<Status>,
    /// Our newest write on this order that the API has not applied yet.
    pub queued: Option<QueuedWrite>,
}

/// A write of ours waiting on an order: not sent yet, being sent, or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct QueuedWrite {
    pub client_id: String,
    /// The outbox row's kind: `cancel_delivery`, `update_fetch`, `create_delivery`, ….
    pub write_kind: String,
    /// `pending`, `in_flight`, `failed` or `conflict` (never `acked`).
    pub state: OutboxState,
    pub last_error: Option<String>,
}

/// What rows are built with: read once per command.
pub(crate) struct RowContext {
    pub now: DateTime<Utc>,
    /// Store id → name.
    pub stores: HashMap<String, String>,
    /// Order id → (driver id, name) of the driver whose current job it is.
    drivers: HashMap<String, (u64, String)>,
    pub queued: QueuedOrders,
}

impl RowContext {
    pub(crate) fn read(d: &Dispatch, now: DateTime<Utc>) -> Result<RowContext, CommandError> {
        let stores = d
            .cache
            .stores(None)?
            .into_iter()
            .map(|s| (s.store.id, s.store.store_name))
            .collect();
        let drivers = d
            .cache
            .drivers()?
            .into_iter()
            .filter_map(|driver| driver.job.map(|job| (job.id, (driver.id, driver.name))))
            .collect();
        let mut context = RowContext {
            now,
            stores,
            drivers,
            queued: QueuedOrders::default(),
        };
        context.queued = QueuedOrders::read(d, &context)?;
        Ok(context)
    }

    pub(crate) fn store_name(&self, id: &str) -> String {
        self.stores.get(id).cloned().unwrap_or_default()
    }

    /// The driver whose current job is `order_id`.
    pub(crate) fn driver_on(&self, order_id: &str) -> Option<&(u64, String)> {
        self.drivers.get(order_id)
    }

    /// The row of a cached order; `None` for one whose kind the app does not know (never
    /// written by a sync: the API's objects always have one). A status the document does not
    /// list is kept and shown as [`Status::Unknown`], not hidden.
    pub(crate) fn row(&self, o: &CachedOrder) -> Option<OrderRow> {
        let kind = match o.kind.as_str() {
            "delivery" => OrderKind::Delivery,
            "fetch" => OrderKind::Fetch,
            _ => return None,
        };
        let status = Status::parse(&o.status).unwrap_or(Status::Unknown);
        let driver = self.driver_on(&o.id);
        let body_driver = text(&o.body["driver"]["name"]);
        Some(OrderRow {
            id: o.id.clone(),
            kind,
            store_id: o.store_id.clone(),
            store_name: self.store_name(&o.store_id),
            status,
            tracking_code: o.tracking_code.clone(),
            customer_name: o.customer_name.clone(),
            customer_phone: o.customer_phone.clone(),
            customer_address: o.customer_address.clone(),
            window_starts_at: o.window_starts_at.clone(),
            window_ends_at: o.window_ends_at.clone(),
            window_date: o.window_date.clone(),
            driver_id: driver.map(|(id, _)| *id),
            driver_name: if body_driver.is_empty() {
                driver.map(|(_, name)| name.clone())
            } else {
                Some(body_driver)
            },
            late: self.late(status, &o.window_ends_at),
            cancel_to: status.canceled(),
            queued: self.queued.on(&o.id).cloned(),
        })
    }

    /// The late risk of a job in `status` whose window ends at `ends_at` (none when unknown).
    pub(crate) fn late(&self, status: Status, ends_at: &str) -> LateRisk {
        hakobu_diaq::time::parse(ends_at)
            .map_or(LateRisk::NONE, |ends| late_risk(status, ends, self.now))
    }
}
