//! Request bodies as a client sends them: estimates, deliveries, fetches, their updates and
//! `reserve_windows`, with the property names of the document's request tables.
//!
//! These are wire types, not the parsed forms in [`crate::order`] (`EstimateRequest`,
//! `OrderRequest`, `OrderUpdate`), which the server builds from a JSON body while checking every
//! rule. The types here check nothing on their own: the server validates. What a type can rule
//! out it does by shape — an update has no `store_id`, timestamps are real instants, `until` is a
//! time of day — and `validate()` runs the server's own reader on the serialised body, so a form
//! can show the API's field errors before a write is queued.
//!
//! Optional properties are `Option`s and are left out of the body when `None`. Which ones are
//! optional follows docs/decisions.md (the document's 必須 column is empty).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::order::{EstimateRequest, OrderRequest, OrderUpdate, ReserveRequest};
use crate::package::Package;
use crate::validation::FieldError;
use crate::window::{Purpose, Window};

/// The customer of an estimate: only where the package goes (or comes from).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAddress {
    /// `123-1234`
    pub address_zipcode: String,
    pub address_prefecture: String,
    pub address_line_1: String,
    /// Building and room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line_2: Option<String>,
}

/// The customer of a fetch estimate: the address, and the contact properties its table also
/// lists (the delivery estimate's table has the address only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchEstimateCustomer {
    #[serde(flatten)]
    pub address: CustomerAddress,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl From<CustomerAddress> for FetchEstimateCustomer {
    fn from(address: CustomerAddress) -> FetchEstimateCustomer {
        FetchEstimateCustomer {
            address,
            ..FetchEstimateCustomer::default()
        }
    }
}

/// The customer of a delivery or fetch. `last_name` and `phone` are required: a driver must be
/// able to ask for someone and call (docs/decisions.md). `business_name` is in the delivery
/// table only, but the document's fetch example sends it too and fetches return it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInput {
    #[serde(flatten)]
    pub address: CustomerAddress,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One package line of a request (the response's [`Package`] adds `price`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageInput {
    /// One of [`crate::package::SERVICE_BRANDS`], e.g. `80サイズ`.
    pub service_brand: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 個口数: how many boxes the shipment has, 1–10.
    pub boxes: u32,
    /// 個口番号: which of them this line is, 1–10.
    pub number: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
}

/// A package as the API returned it, to be sent again (an update resends the whole list).
impl From<&Package> for PackageInput {
    fn from(p: &Package) -> PackageInput {
        PackageInput {
            service_brand: p.service_brand.clone(),
            order_reference: Some(p.order_reference.clone()),
            name: Some(p.name.clone()),
            boxes: p.boxes,
            number: p.number,
            height: Some(p.height),
            width: Some(p.width),
            depth: Some(p.depth),
            weight: Some(p.weight),
            attention: Some(p.attention.clone()),
        }
    }
}

/// `POST /v1/delivery_estimates/`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryEstimateRequest {
    pub store_id: String,
    /// When the packages are ready at the store; at most 14 days ahead.
    #[serde(with = "timestamp")]
    pub ready_by: DateTime<FixedOffset>,
    pub customer: CustomerAddress,
    pub packages: Vec<PackageInput>,
}

impl DeliveryEstimateRequest {
    /// The server's rules for this body at `now` (the 14-day horizon depends on it).
    pub fn validate(&self, now: DateTime<FixedOffset>) -> Result<(), Vec<FieldError>> {
        EstimateRequest::from_json(&to_json(self), Purpose::Delivery, now).map(drop)
    }
}

/// `POST /v1/fetch_estimates/`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchEstimateRequest {
    pub store_id: String,
    /// When the packages must be back at the store; at most 14 days ahead.
    #[serde(with = "timestamp")]
    pub deliver_by: DateTime<FixedOffset>,
    pub customer: FetchEstimateCustomer,
    pub packages: Vec<PackageInput>,
}

impl FetchEstimateRequest {
    pub fn validate(&self, now: DateTime<FixedOffset>) -> Result<(), Vec<FieldError>> {
        EstimateRequest::from_json(&to_json(self), Purpose::Fetch, now).map(drop)
    }
}

/// `POST /v1/deliveries/`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDelivery {
    pub store_id: String,
    #[serde(with = "timestamp")]
    pub ready_by: DateTime<FixedOffset>,
    /// A window an estimate or `reserve_windows` returned for this store, unexpired and unused.
    pub delivery_window_id: String,
    pub customer: CustomerInput,
    pub packages: Vec<PackageInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_comments: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_comments: Option<String>,
    /// 配送完了の目安時刻「まで」, sent as `HH:mm`. Only with an AnytimeWindow (a window whose
    /// `starts_at` is null); the server answers 400 otherwise. Seconds are not sent.
    #[serde(default, with = "hhmm", skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveTime>,
}

impl NewDelivery {
    /// The delivery of what `estimate` asked about, in `window` (one of its windows, or one
    /// `reserve_windows` returned for the same store).
    pub fn from_estimate(
        estimate: DeliveryEstimateRequest,
        window: &Window,
        customer: CustomerInput,
    ) -> NewDelivery {
        NewDelivery {
            store_id: estimate.store_id,
            ready_by: estimate.ready_by,
            delivery_window_id: window.id.clone(),
            customer,
            packages: estimate.packages,
            pickup_comments: None,
            destination_comments: None,
            until: None,
        }
    }

    /// The server's rules for this body, except those about the window (it must be a live hold
    /// of the store, and AnytimeWindow for `until`), which only the server knows.
    pub fn validate(&self, now: DateTime<FixedOffset>) -> Result<(), Vec<FieldError>> {
        OrderRequest::from_json(&to_json(self), Purpose::Delivery, now).map(drop)
    }
}

/// `POST /v1/fetches/`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFetch {
    pub store_id: String,
    /// Sent as `deliver_by`, the request table's name. The document's own example sends
    /// `ready_by`, which servers accept in its place; reading one, we accept it too.
    #[serde(with = "timestamp", alias = "ready_by")]
    pub deliver_by: DateTime<FixedOffset>,
    pub fetch_window_id: String,
    pub customer: CustomerInput,
    pub packages: Vec<PackageInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_comments: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_comments: Option<String>,
    /// 回収開始の目安時刻「から」, sent as `HH:mm`. Only with an AnytimeWindow.
    #[serde(default, with = "hhmm", skip_serializing_if = "Option::is_none")]
    pub after: Option<NaiveTime>,
}

impl NewFetch {
    /// The fetch of what `estimate` asked about, in `window`.
    pub fn from_estimate(
        estimate: FetchEstimateRequest,
        window: &Window,
        customer: CustomerInput,
    ) -> NewFetch {
        NewFetch {
            store_id: estimate.store_id,
            deliver_by: estimate.deliver_by,
            fetch_window_id: window.id.clone(),
            customer,
            packages: estimate.packages,
            pickup_comments: None,
            destination_comments: None,
            after: None,
        }
    }

    /// As [`NewDelivery::validate`].
    pub fn validate(&self, now: DateTime<FixedOffset>) -> Result<(), Vec<FieldError>> {
        OrderRequest::from_json(&to_json(self), Purpose::Fetch, now).map(drop)
    }
}

/// `PUT /v1/deliveries/{id}`: the properties the document's 変更可能タイミング・項目 table
/// lets change while the delivery is `created`. `store_id`, `ready_by` and the window cannot
/// change, so this type has no place for them. `customer` and `packages` replace the whole
/// object and list; `None` leaves a property as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages: Option<Vec<PackageInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_comments: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_comments: Option<String>,
}

impl DeliveryUpdate {
    /// The server's rules for the properties sent.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        // Delivery or fetch only changes the names of the properties this type cannot hold.
        OrderUpdate::from_json(&to_json(self), Purpose::Delivery).map(drop)
    }
}

/// `PUT /v1/fetches/{id}`: the same properties as a delivery's. The document prints the table
/// under deliveries only; its fetch example and description are the delivery's.
pub type FetchUpdate = DeliveryUpdate;

/// `POST /v1/reserve_windows`: hold a chosen slot instead of the estimate's earliest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveWindowRequest {
    pub store_id: String,
    /// 予約対象日, `YYYY-MM-DD`.
    pub reserve_date: NaiveDate,
    /// One of `GET /v1/time_zones` ([`crate::time_zones`]).
    pub time_zone_id: String,
}

impl ReserveWindowRequest {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        ReserveRequest::from_json(&to_json(self)).map(drop)
    }
}

/// The body as the server will read it. Serialising these types cannot fail (string keys;
/// a non-finite float becomes `null`, as on the wire); a failure would read as a non-object body.
fn to_json(body: &impl Serialize) -> Value {
    serde_json::to_value(body).unwrap_or(Value::Null)
}

/// Timestamps as the document writes them: `2018-10-25T04:45:00+09:00`, always in Japan time,
/// whole seconds. Read: any RFC 3339 timestamp with an offset.
mod timestamp {
    use chrono::{DateTime, FixedOffset};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &DateTime<FixedOffset>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::time::format(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
        let raw = String::deserialize(d)?;
        crate::time::parse(&raw).ok_or_else(|| {
            D::Error::custom(format!("{raw:?}: {}", crate::validation::Rule::Timestamp))
        })
    }
}

/// `until` / `after`: `HH:mm`, 24-hour, as the document's pattern requires. An empty string
/// reads as absent, as servers treat it.
mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::patterns::{HHMM, HHMM_DOC};

    pub fn serialize<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.format("%H:%M").to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
        let Some(raw) = Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        HHMM.is_match(&raw)
            .then(|| NaiveTime::parse_from_str(&raw, "%H:%M").ok())
            .flatten()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{raw:?}: must match {HHMM_DOC}")))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::time::parse;

    fn at(s: &str) -> DateTime<FixedOffset> {
        parse(s).unwrap()
    }

    fn address() -> CustomerAddress {
        CustomerAddress {
            address_zipcode: "106-0044".into(),
            address_prefecture: "東京都".into(),
            address_line_1: "港区東麻布1-5-2".into(),
            address_line_2: None,
        }
    }

    fn customer() -> CustomerInput {
        CustomerInput {
            address: address(),
            last_name: "吉沢".into(),
            phone: "03-1234-5678".into(),
            ..CustomerInput::default()
        }
    }

    fn package() -> PackageInput {
        PackageInput {
            service_brand: "80サイズ".into(),
            boxes: 1,
            number: 1,
            ..PackageInput::default()
        }
    }

    fn estimate() -> DeliveryEstimateRequest {
        DeliveryEstimateRequest {
            store_id: "5eed0000-0000-4000-8000-000000000001".into(),
            ready_by: at("2026-11-24T10:00:00+09:00"),
            customer: address(),
            packages: vec![package()],
        }
    }

    fn window(id: &str) -> Window {
        Window {
            id: id.into(),
            starts_at: None,
            ends_at: "2026-11-25T00:00:00+09:00".into(),
            expires_at: "2026-11-23T09:40:00+09:00".into(),
        }
    }

    const WINDOW: &str = "5db8a7e7-2052-45ed-9455-d7256fd5e77c";

    #[test]
    fn optional_properties_are_left_out_when_none() {
        let order = NewDelivery::from_estimate(estimate(), &window(WINDOW), customer());
        assert_eq!(
            serde_json::to_value(&order).unwrap(),
            json!({
                "store_id": "5eed0000-0000-4000-8000-000000000001",
                "ready_by": "2026-11-24T10:00:00+09:00",
                "delivery_window_id": WINDOW,
                "customer": {
                    "address_zipcode": "106-0044",
                    "address_prefecture": "東京都",
                    "address_line_1": "港区東麻布1-5-2",
                    "last_name": "吉沢",
                    "phone": "03-1234-5678"
                },
                "packages": [{"service_brand": "80サイズ", "boxes": 1, "number": 1}]
            })
        );
        assert_eq!(
            serde_json::to_value(DeliveryUpdate::default()).unwrap(),
            json!({})
        );
        let comment_only = DeliveryUpdate {
            destination_comments: Some(String::new()),
            ..DeliveryUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(comment_only).unwrap(),
            json!({"destination_comments": ""}),
            "an empty string is sent: it clears the comment"
        );
    }

    #[test]
    fn until_and_after_are_sent_as_hh_mm() {
        let mut order = NewDelivery::from_estimate(estimate(), &window(WINDOW), customer());
        order.until = NaiveTime::from_hms_opt(9, 5, 59);
        let v = serde_json::to_value(&order).unwrap();
        assert_eq!(v["until"], "09:05", "zero-padded, seconds dropped");
        assert!(v.get("after").is_none());

        let fetch_estimate = FetchEstimateRequest {
            store_id: "5eed0000-0000-4000-8000-000000000001".into(),
            deliver_by: at("2026-11-24T10:00:00+09:00"),
            customer: address().into(),
            packages: vec![package()],
        };
        let mut fetch = NewFetch::from_estimate(fetch_estimate, &window(WINDOW), customer());
        fetch.after = NaiveTime::from_hms_opt(23, 0, 0);
        let v = serde_json::to_value(&fetch).unwrap();
        assert_eq!(v["after"], "23:00");
        assert_eq!(v["deliver_by"], "2026-11-24T10:00:00+09:00");
        assert!(v.get("until").is_none() && v.get("ready_by").is_none());

        // Reading: the document's pattern; empty and absent mean none.
        let mut body = serde_json::to_value(&order).unwrap();
        for (raw, expected) in [("18:00", NaiveTime::from_hms_opt(18, 0, 0)), ("", None)] {
            body["until"] = json!(raw);
            let read: NewDelivery = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(read.until, expected, "{raw:?}");
        }
        body.as_object_mut().unwrap().remove("until");
        let read: NewDelivery = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(read.until, None);
        for wrong in ["9:05", "24:00", "18:00:00", "18時"] {
            body["until"] = json!(wrong);
            let e = serde_json::from_value::<NewDelivery>(body.clone()).unwrap_err();
            assert!(
                e.to_string().contains(crate::patterns::HHMM_DOC),
                "{wrong}: {e}"
            );
        }
    }

    #[test]
    fn timestamps_are_written_in_japan_time_and_read_from_any_offset() {
        let mut e = estimate();
        e.ready_by = at("2026-11-24T01:00:00Z");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["ready_by"], "2026-11-24T10:00:00+09:00");
        let back: DeliveryEstimateRequest = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back.ready_by, e.ready_by);
        let mut broken = v;
        broken["ready_by"] = json!("2026-11-24 10:00");
        let err = serde_json::from_value::<DeliveryEstimateRequest>(broken).unwrap_err();
        assert!(err.to_string().contains("ISO 8601"), "{err}");
    }

    #[test]
    fn a_fetch_reads_the_documents_ready_by_as_deliver_by() {
        let mut body = serde_json::to_value(NewFetch::from_estimate(
            FetchEstimateRequest {
                store_id: "5eed0000-0000-4000-8000-000000000001".into(),
                deliver_by: at("2026-11-24T10:00:00+09:00"),
                customer: address().into(),
                packages: vec![package()],
            },
            &window(WINDOW),
            customer(),
        ))
        .unwrap();
        let map = body.as_object_mut().unwrap();
        let deliver_by = map.remove("deliver_by").unwrap();
        map.insert("ready_by".into(), deliver_by);
        let read: NewFetch = serde_json::from_value(body).unwrap();
        assert_eq!(read.deliver_by, at("2026-11-24T10:00:00+09:00"));
    }

    #[test]
    fn reserve_date_is_a_plain_date() {
        let r = ReserveWindowRequest {
            store_id: "5eed0000-0000-4000-8000-000000000001".into(),
            reserve_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            time_zone_id: "f30316b2-8e9e-40cf-827c-09a3e88c3ea3".into(),
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["reserve_date"], "2026-11-25");
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn validate_applies_the_servers_rules() {
        let now = at("2026-11-23T09:10:00+09:00");
        assert_eq!(estimate().validate(now), Ok(()));
        let mut far = estimate();
        far.ready_by = at("2026-12-08T10:00:00+09:00");
        let errors = far.validate(now).unwrap_err();
        assert_eq!(errors[0].field, "ready_by");

        let mut order = NewDelivery::from_estimate(estimate(), &window(WINDOW), customer());
        assert_eq!(order.validate(now), Ok(()));
        order.customer.phone = "0123-4567-8901".into();
        order.packages[0].boxes = 11;
        order.until = NaiveTime::from_hms_opt(18, 0, 0);
        let fields: Vec<String> = order
            .validate(now)
            .unwrap_err()
            .iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(fields, ["customer.phone", "packages[0].boxes"]);

        let update = DeliveryUpdate {
            customer: Some(CustomerInput {
                email: Some("efg@example.c".into()),
                ..customer()
            }),
            ..DeliveryUpdate::default()
        };
        assert_eq!(update.validate().unwrap_err()[0].field, "customer.email");
        assert_eq!(DeliveryUpdate::default().validate(), Ok(()));
    }

    #[test]
    fn a_returned_package_converts_back_to_a_request_line() {
        let p = Package {
            service_brand: "80サイズ".into(),
            order_reference: "x1234".into(),
            name: "花瓶".into(),
            boxes: 2,
            number: 2,
            price: Some("880".into()),
            height: 60.5,
            width: 54.0,
            depth: 40.0,
            weight: 5.0,
            attention: "割れ物".into(),
        };
        let v = serde_json::to_value(PackageInput::from(&p)).unwrap();
        assert!(v.get("price").is_none());
        assert_eq!(
            (v["order_reference"].as_str(), v["height"].as_f64()),
            (Some("x1234"), Some(60.5))
        );
    }
}
