//! One delivery or fetch in full, for the detail panel: the row the board shows, what the API
//! object says (read from the cached body, typed), the driver as the map knows it, the
//! statuses the cache saw, and whether — and what — a change may edit. Reads the cache only.

use hakobu_cache::StatusChange;
use hakobu_diaq::Package;
use hakobu_diaq::order::{EDITABLE_FIELDS, EDITABLE_STATUS};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::order_row::{OrderRow, RowContext};
use crate::orders::{customer_name, text};
use crate::outbox_write::OrderKind;
use crate::queued_orders::QUEUED_ID_PREFIX;
use crate::{CommandError, Dispatch, ErrorCode};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OrderDetail {
    pub row: OrderRow,
    /// Deliveries: when the parcels are ready at the store. `null` for fetches.
    pub ready_by: Option<String>,
    /// Fetches: when they must be at the store. `null` for deliveries.
    pub deliver_by: Option<String>,
    pub delivered_at: Option<String>,
    pub store: StoreContact,
    pub customer: CustomerDetail,
    pub packages: Vec<Package>,
    /// Metres, as the API computed them; `null` before the API has the job.
    #[ts(type = "number | null")]
    pub distance: Option<u64>,
    pub etc_price: String,
    pub etc_price_reason: String,
    pub comments: OrderComments,
    /// `null` until a driver takes the job.
    pub driver: Option<DriverDetail>,
    /// Why it was canceled or returned (the document's codes 1–8).
    pub exception: Option<ExceptionDetail>,
    /// The statuses the cache saw, oldest first (docs/decisions.md "Status history").
    pub history: Vec<StatusChange>,
    /// Whether `PUT` is accepted now: only while `created`, and only once the API has it.
    pub editable: bool,
    /// Why not, when not.
    pub edit_lock: Option<String>,
    /// What a `PUT` may change (the document's 変更可能 table), as field paths:
    /// `customer.phone`, `packages`, `destination_comments`, ….
    pub editable_fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StoreContact {
    pub id: String,
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CustomerDetail {
    /// As the board shows it: `吉沢 健二`, `吉沢 健二（株式会社ABC）`, or the business name.
    pub name: String,
    /// The parts a change form fills in; empty when not given.
    pub last_name: String,
    pub first_name: String,
    pub business_name: String,
    pub phone: String,
    pub email: String,
    pub zipcode: String,
    pub prefecture: String,
    pub line_1: String,
    pub line_2: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OrderComments {
    /// Ours, for the driver at the store.
    pub pickup: String,
    /// Ours, for the driver at the customer.
    pub destination: String,
    /// The driver's, at the store.
    pub pickup_driver: String,
    /// The driver's, at the customer.
    pub destination_driver: String,
}

/// The driver on the job: the API object's, completed from the cached drivers (webhooks give
/// the id, the position and, from `collecting` on, phone and vehicle).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DriverDetail {
    pub id: Option<u64>,
    pub name: String,
    pub phone: Option<String>,
    pub vehicle_type: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub located_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExceptionDetail {
    pub code: u8,
    pub description: String,
    pub comment: String,
}

impl Dispatch {
    /// The detail of delivery or fetch `id` (or of a queued create, `outbox:<client_id>`). Not
    /// cached: `not_found` naming `id`.
    pub fn order_detail(&self, kind: OrderKind, id: &str) -> Result<OrderDetail, CommandError> {
        let not_found = || CommandError {
            field: Some("id".into()),
            ..CommandError::new(
                ErrorCode::NotFound,
                format!("id: no cached {} {id}", kind.as_str()),
            )
        };
        let context = RowContext::read(self, self.board_now())?;
        if id.starts_with(QUEUED_ID_PREFIX) {
            let create = context
                .queued
                .create(id)
                .filter(|c| c.row.kind == kind)
                .ok_or_else(not_found)?;
            return Ok(self.detail(
                create.row.clone(),
                &create.body,
                Vec::new(),
                Some(
                    "not on the server yet: the create is sent when the API answers, and can \
                     be changed once it is applied"
                        .to_owned(),
                ),
            ));
        }
        let cached = self
            .cache
            .order(id)?
            .filter(|o| o.kind == kind.as_str())
            .ok_or_else(not_found)?;
        let row = context.row(&cached).ok_or_else(not_found)?;
        let history = self.cache.order_history(id)?;
        let lock = (row.status != EDITABLE_STATUS).then(|| {
            format!(
                "status {}: the API accepts PUT only while {}",
                row.status.as_str(),
                EDITABLE_STATUS.as_str()
            )
        });
        Ok(self.detail(row, &cached.body, history, lock))
    }

    fn detail(
        &self,
        row: OrderRow,
        body: &Value,
        history: Vec<StatusChange>,
        edit_lock: Option<String>,
    ) -> OrderDetail {
        let optional = |v: &Value| v.as_str().map(str::to_owned);
        let c = &body["customer"];
        // A create's body names the store by id only; the API object carries a summary.
        let store_phone = match text(&body["store"]["store_phone"]) {
            phone if phone.is_empty() => self
                .cache
                .store(&row.store_id)
                .ok()
                .flatten()
                .map(|s| s.store.store_phone)
                .unwrap_or_default(),
            phone => phone,
        };
        let driver = self.driver_detail(&row, &body["driver"]);
        OrderDetail {
            ready_by: (row.kind == OrderKind::Delivery)
                .then(|| optional(&body["ready_by"]))
                .flatten(),
            deliver_by: (row.kind == OrderKind::Fetch)
                .then(|| optional(&body["deliver_by"]).or_else(|| optional(&body["ready_by"])))
                .flatten(),
            delivered_at: optional(&body["delivered_at"]),
            store: StoreContact {
                id: row.store_id.clone(),
                name: row.store_name.clone(),
                phone: store_phone,
            },
            customer: CustomerDetail {
                name: customer_name(c),
                last_name: text(&c["last_name"]),
                first_name: text(&c["first_name"]),
                business_name: text(&c["business_name"]),
                phone: text(&c["phone"]),
                email: text(&c["email"]),
                zipcode: text(&c["address_zipcode"]),
                prefecture: text(&c["address_prefecture"]),
                line_1: text(&c["address_line_1"]),
                line_2: text(&c["address_line_2"]),
            },
            packages: body["packages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| serde_json::from_value(p.clone()).ok())
                .collect(),
            distance: body["distance"].as_u64(),
            etc_price: text(&body["etc_price"]),
            etc_price_reason: text(&body["etc_price_reason"]),
            comments: OrderComments {
                pickup: text(&body["pickup_comments"]),
                destination: text(&body["destination_comments"]),
                pickup_driver: text(&body["pickup_driver_comments"]),
                destination_driver: text(&body["destination_driver_comments"]),
            },
            driver,
            exception: body["exception"]["code"]
                .as_u64()
                .and_then(|code| u8::try_from(code).ok())
                .map(|code| ExceptionDetail {
                    code,
                    description: text(&body["exception"]["description"]),
                    comment: text(&body["exception"]["exception_comment"]),
                }),
            history,
            editable: edit_lock.is_none(),
            edit_lock,
            editable_fields: EDITABLE_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
            row,
        }
    }

    /// The object's driver, with what the cached drivers add (the driver whose current job
    /// this is); `None` while nobody has the job.
    fn driver_detail(&self, row: &OrderRow, driver: &Value) -> Option<DriverDetail> {
        let named = text(&driver["name"]);
        let cached = row
            .driver_id
            .and_then(|id| self.cache.driver(id).ok().flatten());
        if named.is_empty() && cached.is_none() {
            return None;
        }
        let from_body = |key: &str| Some(text(&driver[key])).filter(|v| !v.is_empty());
        Some(DriverDetail {
            id: cached.as_ref().map(|d| d.id),
            name: if named.is_empty() {
                cached.as_ref().map(|d| d.name.clone()).unwrap_or_default()
            } else {
                named
            },
            phone: from_body("phone").or_else(|| cached.as_ref().and_then(|d| d.phone.clone())),
            vehicle_type: from_body("vehicle_type")
                .or_else(|| cached.as_ref().and_then(|d| d.vehicle_type.clone())),
            lat: cached.as_ref().map(|d| d.lat),
            lng: cached.as_ref().map(|d| d.lng),
            located_at: cached.as_ref().map(|d| d.located_at.clone()),
        })
    }
}
