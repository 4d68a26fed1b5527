//! Estimates, deliveries and fetches: the request bodies with the document's rules, and the
//! objects the API answers with. Deliveries and fetches mirror each other (ready_by/deliver_by,
//! delivery_window(s)/fetch_window(s), until/after); one reader serves both.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::customer::{Customer, CustomerUse};
use crate::fields::Fields;
use crate::package::Package;
use crate::patterns::{self, HHMM};
use crate::status::Status;
use crate::store::StoreType;
use crate::validation::{FieldError, Rule};
use crate::window::{Purpose, UnavailableWindow, Window, within_horizon};

/// The property names that differ between deliveries and fetches.
pub struct Names {
    pub base: &'static str,
    pub window_id: &'static str,
    pub window: &'static str,
    pub windows: &'static str,
    pub hint: &'static str,
    pub object: &'static str,
    pub estimate_object: &'static str,
}

pub fn names(purpose: Purpose) -> &'static Names {
    match purpose {
        Purpose::Delivery => &Names {
            base: "ready_by",
            window_id: "delivery_window_id",
            window: "delivery_window",
            windows: "delivery_windows",
            hint: "until",
            object: "delivery",
            estimate_object: "delivery_estimate",
        },
        Purpose::Fetch => &Names {
            base: "deliver_by",
            window_id: "fetch_window_id",
            window: "fetch_window",
            windows: "fetch_windows",
            hint: "after",
            object: "fetch",
            estimate_object: "fetch_estimate",
        },
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn read_uuid(f: &mut Fields<'_>, name: &str) -> Option<String> {
    let v = f.required_str(name)?;
    if !is_uuid(&v) {
        f.fail(
            f.field_path(name),
            Rule::Invalid {
                reason: "must be a UUID".into(),
            },
        );
        return None;
    }
    Some(v)
}

/// `ready_by` / `deliver_by`: ISO 8601, at most 14 days ahead. A fetch also accepts
/// `ready_by`, as the document's own fetch example sends it.
fn read_base(
    f: &mut Fields<'_>,
    purpose: Purpose,
    now: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
    let n = names(purpose);
    let name = if purpose == Purpose::Fetch && !f.has(n.base) && f.has("ready_by") {
        "ready_by"
    } else {
        n.base
    };
    let raw = f.required_str(name)?;
    let Some(t) = crate::time::parse(&raw) else {
        f.fail(f.field_path(name), Rule::Timestamp);
        return None;
    };
    if !within_horizon(now, t) {
        f.fail(
            f.field_path(name),
            Rule::Invalid {
                reason: "must be at most 14 days ahead".into(),
            },
        );
        return None;
    }
    Some(t)
}

fn finish<T>(f: Fields<'_>, value: Option<T>) -> Result<T, Vec<FieldError>> {
    match value {
        Some(v) if f.errors.is_empty() => Ok(v),
        _ if !f.errors.is_empty() => Err(f.errors),
        _ => Err(vec![FieldError::new(
            "body",
            Rule::Invalid {
                reason: "could not be read".into(),
            },
        )]),
    }
}

/// `POST /v1/delivery_estimates/` and `/v1/fetch_estimates/`.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateRequest {
    pub store_id: String,
    /// ready_by (deliveries) or deliver_by (fetches).
    pub base: DateTime<FixedOffset>,
    pub customer: Customer,
    pub packages: Vec<Package>,
}

impl EstimateRequest {
    pub fn from_json(
        body: &Value,
        purpose: Purpose,
        now: DateTime<FixedOffset>,
    ) -> Result<EstimateRequest, Vec<FieldError>> {
        let mut f = Fields::body(body);
        let store_id = read_uuid(&mut f, "store_id");
        let base = read_base(&mut f, purpose, now);
        let customer = Customer::read(&mut f, CustomerUse::Estimate);
        let packages = Package::read_all(&mut f);
        let value = (|| {
            Some(EstimateRequest {
                store_id: store_id?,
                base: base?,
                customer: customer?,
                packages: packages?,
            })
        })();
        finish(f, value)
    }
}

/// `POST /v1/deliveries/` and `/v1/fetches/`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    pub store_id: String,
    pub base: DateTime<FixedOffset>,
    pub window_id: String,
    pub customer: Customer,
    pub packages: Vec<Package>,
    pub pickup_comments: String,
    pub destination_comments: String,
    /// `until` (deliveries) / `after` (fetches): `HH:mm`, only with an AnytimeWindow.
    pub hint: Option<String>,
}

impl OrderRequest {
    pub fn from_json(
        body: &Value,
        purpose: Purpose,
        now: DateTime<FixedOffset>,
    ) -> Result<OrderRequest, Vec<FieldError>> {
        let n = names(purpose);
        let mut f = Fields::body(body);
        let store_id = read_uuid(&mut f, "store_id");
        let base = read_base(&mut f, purpose, now);
        let window_id = read_uuid(&mut f, n.window_id);
        let customer = Customer::read(&mut f, CustomerUse::Order);
        let packages = Package::read_all(&mut f);
        let pickup_comments = f.str("pickup_comments");
        let destination_comments = f.str("destination_comments");
        let hint = f.str(n.hint).filter(|h| !h.is_empty());
        if let Some(h) = &hint
            && !HHMM.is_match(h)
        {
            f.fail(f.field_path(n.hint), patterns::rule(patterns::HHMM_DOC));
        }
        let value = (|| {
            Some(OrderRequest {
                store_id: store_id?,
                base: base?,
                window_id: window_id?,
                customer: customer?,
                packages: packages?,
                pickup_comments: pickup_comments.unwrap_or_default(),
                destination_comments: destination_comments.unwrap_or_default(),
                hint,
            })
        })();
        finish(f, value)
    }
}

/// What `PUT /v1/deliveries/{id}` and `/v1/fetches/{id}` may change, as field paths a form
/// can mark editable: the document's 変更可能タイミング・項目 table (配送 › 更新) allows
/// `customer`, `packages`, `pickup_comments` and `destination_comments`, only while the job is
/// `created` (after that the API answers 404). `customer` is replaced whole, so each of its
/// properties is editable; `packages` is replaced as a list. `store_id`, `ready_by` /
/// `deliver_by` and the window id never change. The document prints the table under
/// deliveries only; fetches take the same (docs/decisions.md "Deliveries and fetches").
pub const EDITABLE_FIELDS: [&str; 12] = [
    "customer.last_name",
    "customer.first_name",
    "customer.business_name",
    "customer.phone",
    "customer.email",
    "customer.address_zipcode",
    "customer.address_prefecture",
    "customer.address_line_1",
    "customer.address_line_2",
    "packages",
    "pickup_comments",
    "destination_comments",
];

/// The only status in which `PUT` is accepted ([`EDITABLE_FIELDS`]).
pub const EDITABLE_STATUS: Status = Status::Created;

/// `PUT /v1/deliveries/{id}` and `/v1/fetches/{id}`: only these may change, only while created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderUpdate {
    pub customer: Option<Customer>,
    pub packages: Option<Vec<Package>>,
    pub pickup_comments: Option<String>,
    pub destination_comments: Option<String>,
}

impl OrderUpdate {
    pub fn from_json(body: &Value, purpose: Purpose) -> Result<OrderUpdate, Vec<FieldError>> {
        let n = names(purpose);
        let mut f = Fields::body(body);
        for fixed in ["store_id", n.base, n.window_id] {
            if f.has(fixed) {
                f.fail(
                    f.field_path(fixed),
                    Rule::Invalid {
                        reason: "cannot be changed after creation".into(),
                    },
                );
            }
        }
        let customer = if f.has("customer") {
            Customer::read(&mut f, CustomerUse::Order)
        } else {
            None
        };
        let packages = if f.has("packages") {
            Package::read_all(&mut f)
        } else {
            None
        };
        let update = OrderUpdate {
            customer,
            packages,
            pickup_comments: f.str("pickup_comments"),
            destination_comments: f.str("destination_comments"),
        };
        if f.errors.is_empty() {
            Ok(update)
        } else {
            Err(f.errors)
        }
    }
}

/// The store as estimates, deliveries and fetches show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreSummary {
    pub store_id: String,
    pub store_name: String,
    pub store_address_prefecture: String,
    pub store_address_line_1: String,
    pub store_address_line_2: String,
    pub store_phone: String,
    pub store_type: StoreType,
}

/// `delivery_estimate` / `fetch_estimate` — one struct, the windows key and base named per kind
/// when serialised by the sandbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryEstimate {
    pub id: Option<String>,
    pub object: String,
    pub ready_by: String,
    pub delivery_windows: Vec<Window>,
    pub unavailable_windows: Vec<UnavailableWindow>,
    pub customer: Customer,
    pub store: StoreSummary,
    pub distance: u32,
    pub packages: Vec<Package>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FetchEstimate {
    pub id: Option<String>,
    pub object: String,
    pub deliver_by: String,
    pub fetch_windows: Vec<Window>,
    pub unavailable_windows: Vec<UnavailableWindow>,
    pub customer: Customer,
    pub store: StoreSummary,
    pub distance: u32,
    pub packages: Vec<Package>,
}

/// The driver as the API shows it (webhooks add id and location; from `collecting` on, phone
/// and vehicle type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Driver {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<DriverLocation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DriverLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub update: String,
}

/// Why a job was canceled or returned (codes 1–8 of the document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exception {
    pub code: u8,
    pub description: String,
    pub exception_comment: String,
}

pub const EXCEPTION_CODES: [(u8, &str); 8] = [
    (1, "既にECサイトでキャンセル済み"),
    (2, "店舗がしまっている"),
    (3, "不在"),
    (4, "荷物が無い"),
    (5, "容量やサイズで運べない"),
    (6, "受取が拒否された"),
    (7, "住所や店舗が違う"),
    (8, "その他、フリーコメント"),
];

impl Exception {
    pub fn from_code(code: u8, comment: &str) -> Option<Exception> {
        EXCEPTION_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, d)| Exception {
                code: *c,
                description: (*d).to_owned(),
                exception_comment: comment.to_owned(),
            })
    }
}

/// The `delivery` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub id: String,
    pub object: String,
    pub tracking_code: String,
    pub status: Status,
    pub ready_by: String,
    pub driver: Option<Driver>,
    pub delivered_at: Option<String>,
    pub delivery_window: Window,
    pub customer: Customer,
    pub store: StoreSummary,
    pub pickup_comments: String,
    pub destination_comments: String,
    pub pickup_driver_comments: String,
    pub destination_driver_comments: String,
    pub store_signature: String,
    pub customer_signature: String,
    pub packages: Vec<Package>,
    pub distance: u32,
    pub etc_price: String,
    pub etc_price_reason: String,
    pub exception: Option<Exception>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    pub update: String,
}

/// The `fetch` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fetch {
    pub id: String,
    pub object: String,
    pub tracking_code: String,
    pub status: Status,
    pub deliver_by: String,
    pub driver: Option<Driver>,
    pub delivered_at: Option<String>,
    pub fetch_window: Window,
    pub customer: Customer,
    pub store: StoreSummary,
    pub pickup_comments: String,
    pub destination_comments: String,
    pub pickup_driver_comments: String,
    pub destination_driver_comments: String,
    pub store_signature: String,
    pub customer_signature: String,
    pub packages: Vec<Package>,
    pub distance: u32,
    pub etc_price: String,
    pub etc_price_reason: String,
    pub exception: Option<Exception>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub update: String,
}

/// `POST /v1/reserve_windows`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveRequest {
    pub store_id: String,
    pub reserve_date: chrono::NaiveDate,
    pub time_zone_id: String,
}

impl ReserveRequest {
    pub fn from_json(body: &Value) -> Result<ReserveRequest, Vec<FieldError>> {
        let mut f = Fields::body(body);
        let store_id = read_uuid(&mut f, "store_id");
        let date = f.required_str("reserve_date").and_then(|d| {
            let parsed = chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok();
            if parsed.is_none() {
                f.fail(
                    f.field_path("reserve_date"),
                    Rule::Invalid {
                        reason: "must be a date as YYYY-MM-DD".into(),
                    },
                );
            }
            parsed
        });
        let zone = read_uuid(&mut f, "time_zone_id");
        let value = (|| {
            Some(ReserveRequest {
                store_id: store_id?,
                reserve_date: date?,
                time_zone_id: zone?,
            })
        })();
        finish(f, value)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_editable_field_is_one_put_accepts() {
        let value = |path: &str| match path {
            "customer.address_zipcode" => json!("150-0001"),
            "customer.address_prefecture" => json!("東京都"),
            "customer.address_line_1" => json!("渋谷区神宮前1-19-11"),
            "customer.phone" => json!("090-1234-5678"),
            "customer.email" => json!("a@example.com"),
            "packages" => json!([{"service_brand": "60サイズ", "boxes": 1, "number": 1}]),
            _ => json!("値"),
        };
        let mut body = json!({});
        for path in EDITABLE_FIELDS {
            match path.split_once('.') {
                Some((object, property)) => body[object][property] = value(path),
                None => body[path] = value(path),
            }
        }
        let update = OrderUpdate::from_json(&body, Purpose::Delivery).unwrap();
        let customer = update.customer.unwrap();
        assert_eq!(customer.business_name.as_deref(), Some("値"));
        assert_eq!(customer.address_line_2, "値");
        assert_eq!(update.packages.unwrap().len(), 1);
        assert_eq!(update.pickup_comments.as_deref(), Some("値"));
        assert_eq!(update.destination_comments.as_deref(), Some("値"));
        let customer_fields = EDITABLE_FIELDS
            .iter()
            .filter(|p| p.starts_with("customer."))
            .count();
        assert_eq!(
            customer_fields,
            json!(Customer::default()).as_object().unwrap().len() + 5,
            "every property of Customer (the five optional ones are left out when empty)"
        );
    }

    #[test]
    fn what_put_refuses_is_not_editable() {
        for fixed in ["store_id", "ready_by", "delivery_window_id"] {
            assert!(!EDITABLE_FIELDS.contains(&fixed));
            let refused = OrderUpdate::from_json(&json!({ fixed: "x" }), Purpose::Delivery);
            assert!(refused.is_err(), "{fixed}");
        }
    }
}
