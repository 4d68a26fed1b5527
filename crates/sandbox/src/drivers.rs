//! The sandbox's drivers (アンカー): a fixed roster with ids, where each one is, and the job it
//! is on. In memory only: a restarted sandbox puts everyone back at their home point.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use chrono::{DateTime, FixedOffset};
use hakobu_diaq::{Purpose, Status};
use hakobu_geo::Point;
use hakobu_geo::travel::VehicleType;
use serde_json::{Value, json};

use crate::Sandbox;
use crate::error::AppError;
use crate::extract::Path;
use crate::openapi::{ErrorBody, LocationBody, SandboxDriver, WebhookDriver};
use crate::orders::{kind_name, parse_json, status_of};

/// (name, phone, vehicle type, home latitude, home longitude): spread over central Tokyo
/// (麻布, 渋谷, 新宿, 丸の内, 押上, 品川, 池袋, 恵比寿).
const ROSTER: [(&str, &str, VehicleType, f64, f64); 8] = [
    (
        "吉井 次郎",
        "090-0000-1111",
        VehicleType::LargeMotorcycle,
        35.657204,
        139.733530,
    ),
    (
        "佐藤 花子",
        "080-2222-3333",
        VehicleType::KeiVan,
        35.659500,
        139.700500,
    ),
    (
        "鈴木 一郎",
        "070-4444-5555",
        VehicleType::Moped,
        35.689600,
        139.700600,
    ),
    (
        "高橋 美咲",
        "090-6666-7777",
        VehicleType::Bicycle,
        35.681200,
        139.767100,
    ),
    (
        "田中 健太",
        "080-1212-3434",
        VehicleType::SmallMotorcycle,
        35.710000,
        139.810700,
    ),
    (
        "伊藤 さくら",
        "070-5656-7878",
        VehicleType::Bicycle,
        35.628400,
        139.738700,
    ),
    (
        "渡辺 翔",
        "090-9090-1010",
        VehicleType::KeiVan,
        35.729500,
        139.710900,
    ),
    (
        "山本 彩",
        "080-3030-4040",
        VehicleType::Moped,
        35.646700,
        139.710100,
    ),
];

/// The job a driver is on, as the `driver.location` event names it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobRef {
    pub purpose: Purpose,
    pub id: String,
    pub tracking_code: String,
    pub status: Status,
}

#[derive(Debug, Clone)]
pub(crate) struct Driver {
    /// The document's `id` (number), 1-based.
    pub id: u64,
    pub name: &'static str,
    pub phone: &'static str,
    pub vehicle: VehicleType,
    pub at: Point,
    pub located_at: DateTime<FixedOffset>,
    pub job: Option<JobRef>,
}

impl Driver {
    fn location(&self) -> Value {
        json!({
            "latitude": self.at.lat,
            "longitude": self.at.lng,
            "update": hakobu_diaq::time::format(self.located_at),
        })
    }

    /// The Driver object as webhooks show it: id, name, (phone, vehicle_type,) location.
    fn webhook_object(&self, details: bool) -> Value {
        let mut d = json!({ "id": self.id, "name": self.name });
        if details {
            d["phone"] = json!(self.phone);
            d["vehicle_type"] = json!(self.vehicle.name());
        }
        d["location"] = self.location();
        d
    }
}

pub(crate) struct Drivers(Vec<Driver>);

impl Drivers {
    pub(crate) fn new(now: DateTime<FixedOffset>) -> Drivers {
        Drivers(
            ROSTER
                .iter()
                .zip(1..)
                .map(|(&(name, phone, vehicle, lat, lng), id)| Driver {
                    id,
                    name,
                    phone,
                    vehicle,
                    at: Point { lat, lng },
                    located_at: now,
                    job: None,
                })
                .collect(),
        )
    }

    pub(crate) fn all(&self) -> &[Driver] {
        &self.0
    }

    pub(crate) fn get(&self, index: usize) -> Option<&Driver> {
        self.0.get(index)
    }

    pub(crate) fn by_id(&self, id: u64) -> Option<usize> {
        self.0.iter().position(|d| d.id == id)
    }

    fn by_name(&self, name: &str) -> Option<&Driver> {
        self.0.iter().find(|d| d.name == name)
    }

    /// The roster index of the driver an order names (`driver.name`).
    pub(crate) fn index_of_name(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|d| d.name == name)
    }

    pub(crate) fn move_to(&mut self, index: usize, at: Point, now: DateTime<FixedOffset>) {
        if let Some(d) = self.0.get_mut(index) {
            d.at = at;
            d.located_at = now;
        }
    }

    /// The webhook form of the order's driver (`null` while there is none): the stored
    /// object's driver with the roster id and current location added.
    pub(crate) fn webhook_driver(&self, object: &Value) -> Value {
        let Some(name) = object["driver"]["name"].as_str() else {
            return Value::Null;
        };
        let Some(d) = self.by_name(name) else {
            return object["driver"].clone();
        };
        d.webhook_object(object["driver"]["phone"].is_string())
    }

    /// Records which job the order's driver is on after a status change: the order while it
    /// is under way, nothing once it is delivered, canceled or returned.
    pub(crate) fn note(&mut self, purpose: Purpose, object: &Value) {
        let Some(name) = object["driver"]["name"].as_str() else {
            return;
        };
        let id = object["id"].as_str().unwrap_or_default();
        let status = status_of(object);
        let Some(d) = self.0.iter_mut().find(|d| d.name == name) else {
            return;
        };
        if matches!(
            status,
            Status::Delivered | Status::Canceled | Status::Returned
        ) {
            if d.job.as_ref().is_some_and(|j| j.id == id) {
                d.job = None;
            }
        } else {
            d.job = Some(JobRef {
                purpose,
                id: id.to_owned(),
                tracking_code: object["tracking_code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                status,
            });
        }
    }

    /// The `driver.location` event body: the driver (phone and vehicle type once its job is
    /// `collecting` or later) and, when on a job, that job's id, tracking code and status.
    pub(crate) fn location_event(&self, index: usize, now: DateTime<FixedOffset>) -> Option<Value> {
        let d = self.0.get(index)?;
        let details = d
            .job
            .as_ref()
            .is_some_and(|j| j.status.driver_details_visible());
        let mut body = json!({
            "event": "driver.location",
            "created_at": hakobu_diaq::time::format(now),
            "driver": d.webhook_object(details),
        });
        if let Some(j) = &d.job {
            body[kind_name(j.purpose)] = json!({
                "id": j.id,
                "tracking_code": j.tracking_code,
                "status": j.status,
            });
        }
        Some(body)
    }

    /// A pick for a manual `assigned` that does not depend on anything but the job.
    pub(crate) fn pick_for(&self, tracking_code: &str) -> usize {
        tracking_code
            .bytes()
            .last()
            .map_or(0, |b| usize::from(b) % self.0.len())
    }
}

#[utoipa::path(
    get,
    path = "/sandbox/drivers",
    tag = "sandbox",
    responses((status = 200, description = "Every driver", body = Vec<SandboxDriver>))
)]
/// `GET /sandbox/drivers`: every driver in the webhook form, with its current job.
pub async fn list(State(sb): State<Sandbox>) -> Json<Vec<Value>> {
    let now = sb.now();
    let drivers = sb.drivers();
    Json(
        (0..drivers.all().len())
            .filter_map(|i| drivers.location_event(i, now))
            .map(|mut e| {
                let mut d = e["driver"].take();
                for kind in ["delivery", "fetch"] {
                    if let Some(j) = e.get(kind) {
                        d[kind] = j.clone();
                    }
                }
                d
            })
            .collect(),
    )
}

#[utoipa::path(
    put,
    path = "/sandbox/drivers/{id}/location",
    tag = "sandbox",
    params(("id" = i64, Path, description = "The driver's id")),
    request_body = LocationBody,
    responses(
        (status = 200, description = "The driver in the webhook form", body = WebhookDriver),
        (status = 400, description = "A broken rule: `<field>: <rule>`", body = ErrorBody),
        (status = 404, description = "`id: driver not found`", body = ErrorBody)
    )
)]
/// `PUT /sandbox/drivers/{id}/location` with `{"latitude": …, "longitude": …[, "update": …]}`:
/// moves the driver there, as of `update` (default now), and sends `driver.location`. A
/// simulated driver on the move goes on from where its route says at the next step.
pub async fn set_location(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let body = parse_json(&body)?;
    let coordinate = |name: &str, limit: f64| -> Result<f64, AppError> {
        body[name]
            .as_f64()
            .filter(|v| v.is_finite() && v.abs() <= limit)
            .ok_or_else(|| {
                AppError::BadRequest(format!("{name}: must be a number from -{limit} to {limit}"))
            })
    };
    let at = Point {
        lat: coordinate("latitude", 90.0)?,
        lng: coordinate("longitude", 180.0)?,
    };
    let now = sb.now();
    let located_at = match &body["update"] {
        Value::Null => now,
        update => update
            .as_str()
            .and_then(hakobu_diaq::time::parse)
            .ok_or_else(|| AppError::BadRequest("update: must be an RFC 3339 timestamp".into()))?,
    };
    let event = {
        let mut drivers = sb.drivers();
        let index = id
            .parse::<u64>()
            .ok()
            .and_then(|id| drivers.by_id(id))
            .ok_or_else(|| AppError::NotFound("id: driver not found".into()))?;
        drivers.move_to(index, at, located_at);
        drivers.location_event(index, now)
    };
    let event = event.ok_or_else(|| AppError::internal("driver vanished"))?;
    sb.webhooks.send("driver.location", &event);
    Ok(Json(event["driver"].clone()))
}
