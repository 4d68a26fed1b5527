//! The solver problem of a plan request: one pair per stop (the parcel collected at its store,
//! then brought to the customer; a fetch the other way), the customer's window on the customer
//! side, one travel profile per vehicle type in the fleet, and a vehicle per driver with their
//! shift, start, end and capacity. Times are seconds since midnight (Japan time) of the date.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use hakobu_geo::Point;
use hakobu_geo::travel::VehicleType;
use hakobu_solver::{
    DEFAULT_UNASSIGNED_PENALTY, Job, Problem, Profile, Stop, Task, TimeWindow, Vehicle,
};

use crate::fleet::{FleetDriver, minutes_of};
use crate::planning::request::{PlanRequest, StopSource};
use crate::{CommandError, Dispatch, ErrorDetail, OrderKind};

/// Scan and hand-over at the store per parcel; a fetch's drop at the store is quicker; at the
/// customer's door (park, walk, hand over, sign). The solver benchmark's Tokyo values.
const STORE_PICKUP_S: f64 = 120.0;
const STORE_DROP_S: f64 = 60.0;
const CUSTOMER_S: f64 = 180.0;

/// What calling a driver in costs, in metres of driving, so a plan does not use a driver for
/// two parcels another passes anyway (the benchmark's values: vans cost more to run).
fn fixed_cost(vehicle: VehicleType) -> f64 {
    match vehicle {
        VehicleType::Bicycle => 4000.0,
        VehicleType::Moped | VehicleType::SmallMotorcycle => 5000.0,
        VehicleType::LargeMotorcycle => 6000.0,
        VehicleType::KeiVan => 8000.0,
    }
}

/// One stop of the request beside its solver job (same index).
#[derive(Debug, Clone)]
pub(crate) struct StopInfo {
    pub source: StopSource,
    pub store_id: String,
    pub store: Point,
    pub customer: Point,
    pub parcels: u32,
    pub window: Option<[f64; 2]>,
    /// A fetch: collected at the customer, dropped at the store.
    pub fetch: bool,
    pub customer_service: f64,
}

pub(crate) struct Built {
    pub problem: Problem,
    pub stops: Vec<StopInfo>,
    /// One per solver vehicle, same index.
    pub drivers: Vec<FleetDriver>,
    pub travel_source: String,
}

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset")
}

/// Seconds from `midnight` to the RFC 3339 time `t`.
fn seconds_after(midnight: DateTime<FixedOffset>, t: &str) -> Option<f64> {
    let t = DateTime::parse_from_rfc3339(t).ok()?;
    Some((t - midnight).num_seconds() as f64)
}

/// Locations by exact position, so a store used by many stops is one location.
#[derive(Default)]
struct Places {
    points: Vec<Point>,
    index: HashMap<(u64, u64), usize>,
}

impl Places {
    fn at(&mut self, p: Point) -> usize {
        *self
            .index
            .entry((p.lat.to_bits(), p.lng.to_bits()))
            .or_insert_with(|| {
                self.points.push(p);
                self.points.len() - 1
            })
    }
}

impl Dispatch {
    pub(crate) async fn build_problem(&self, request: &PlanRequest) -> Result<Built, CommandError> {
        let date = NaiveDate::parse_from_str(request.date.trim(), "%Y-%m-%d").map_err(|_| {
            CommandError::refused(
                "date",
                ErrorDetail::DateForm {
                    got: request.date.clone(),
                },
            )
        })?;
        let midnight = jst()
            .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .single()
            .expect("a fixed offset has one midnight");
        let mut drivers = self.list_fleet()?;
        if let Some(wanted) = &request.drivers {
            let wanted: Vec<String> = wanted.iter().map(|e| e.trim().to_lowercase()).collect();
            if let Some(unknown) = wanted
                .iter()
                .find(|w| !drivers.iter().any(|d| &d.email == *w))
            {
                return Err(CommandError::refused(
                    "drivers",
                    ErrorDetail::NotInFleet {
                        email: unknown.clone(),
                    },
                ));
            }
            drivers.retain(|d| wanted.contains(&d.email));
        }
        if drivers.is_empty() {
            return Err(CommandError::refused("drivers", ErrorDetail::NoDrivers));
        }
        if request.stops.is_empty() && request.orders.is_empty() {
            return Err(CommandError::refused("stops", ErrorDetail::NothingToPlan));
        }
        let mut stops = Vec::new();
        if !request.stops.is_empty() {
            let store_id = request.store_id.as_deref().unwrap_or_default();
            let store = self.store_point("store_id", store_id)?;
            for s in &request.stops {
                let window = match &s.time_window {
                    None => None,
                    Some(w) => match (minutes_of(&w.start), minutes_of(&w.end)) {
                        (Some(a), Some(b)) if a < b => Some([f64::from(a * 60), f64::from(b * 60)]),
                        _ => {
                            return Err(CommandError::refused(
                                "stops",
                                ErrorDetail::StopWindow {
                                    line: s.line,
                                    start: w.start.clone(),
                                    end: w.end.clone(),
                                },
                            ));
                        }
                    },
                };
                if !(s.lat.is_finite() && s.lng.is_finite()) {
                    return Err(CommandError::refused(
                        "stops",
                        ErrorDetail::StopUnplaced { line: s.line },
                    ));
                }
                stops.push(StopInfo {
                    source: StopSource::File {
                        line: s.line,
                        external_stop_id: s.external_stop_id.clone(),
                    },
                    store_id: store_id.to_owned(),
                    store,
                    customer: Point {
                        lat: s.lat,
                        lng: s.lng,
                    },
                    parcels: s.parcel_count.max(1),
                    window,
                    fetch: false,
                    customer_service: s.service_s.map_or(CUSTOMER_S, f64::from),
                });
            }
        }
        for r in &request.orders {
            let order = self
                .cache
                .order(&r.id)?
                .filter(|o| o.kind == r.kind.as_str())
                .ok_or_else(|| {
                    CommandError::refused(
                        "orders",
                        ErrorDetail::OrderNotCached {
                            order_kind: r.kind,
                            id: r.id.clone(),
                        },
                    )
                })?;
            let (Some(lat), Some(lng)) = (order.customer_lat, order.customer_lng) else {
                return Err(CommandError::refused(
                    "orders",
                    ErrorDetail::OrderUnplaced {
                        tracking_code: order.tracking_code.clone(),
                    },
                ));
            };
            let store = self.store_point("orders", &order.store_id)?;
            let end = seconds_after(midnight, &order.window_ends_at);
            let start = match &order.window_starts_at {
                Some(s) => seconds_after(midnight, s),
                None => Some(0.0),
            };
            let window = match (start, end) {
                (Some(a), Some(b)) if a <= b => Some([a, b]),
                _ => {
                    return Err(CommandError::refused(
                        "orders",
                        ErrorDetail::OrderWindow {
                            tracking_code: order.tracking_code.clone(),
                        },
                    ));
                }
            };
            // Parcels are the packages' `number`s (each line: `number` parcels of its size).
            let parcels = order
                .body
                .get("packages")
                .and_then(|p| p.as_array())
                .map_or(0, |lines| {
                    lines
                        .iter()
                        .filter_map(|l| l.get("number").and_then(|n| n.as_u64()))
                        .sum::<u64>()
                })
                .clamp(1, u64::from(u32::MAX)) as u32;
            stops.push(StopInfo {
                source: StopSource::Order {
                    order_kind: r.kind,
                    id: order.id.clone(),
                    tracking_code: order.tracking_code.clone(),
                },
                store_id: order.store_id.clone(),
                store,
                customer: Point { lat, lng },
                parcels,
                window,
                fetch: r.kind == OrderKind::Fetch,
                customer_service: CUSTOMER_S,
            });
        }

        let mut places = Places::default();
        let mut jobs = Vec::with_capacity(stops.len());
        for (k, s) in stops.iter().enumerate() {
            let windows = s
                .window
                .map(|[a, b]| vec![TimeWindow::new(a, b)])
                .unwrap_or_default();
            let store = Stop {
                location: places.at(s.store),
                service: if s.fetch {
                    STORE_DROP_S
                } else {
                    STORE_PICKUP_S
                },
                windows: Vec::new(),
            };
            let customer = Stop {
                location: places.at(s.customer),
                service: s.customer_service,
                windows,
            };
            let (pickup, delivery) = if s.fetch {
                (customer, store)
            } else {
                (store, customer)
            };
            jobs.push(Job {
                id: format!("stop-{k}"),
                task: Task::Pair {
                    pickup,
                    delivery,
                    amount: vec![i64::from(s.parcels)],
                },
                penalty: DEFAULT_UNASSIGNED_PENALTY,
            });
        }
        let mut types: Vec<VehicleType> = Vec::new();
        let mut vehicles = Vec::with_capacity(drivers.len());
        for d in &drivers {
            if !types.contains(&d.vehicle_type) {
                types.push(d.vehicle_type);
            }
            let shift = |t: &str| minutes_of(t).map_or(0.0, |m| f64::from(m * 60));
            vehicles.push(Vehicle {
                id: d.email.clone(),
                profile: types.iter().position(|t| *t == d.vehicle_type).unwrap_or(0),
                start: Some(places.at(self.place_point(&d.start)?)),
                end: Some(places.at(self.place_point(&d.end)?)),
                shift: TimeWindow::new(shift(&d.shift_start), shift(&d.shift_end)),
                capacity: vec![i64::from(d.capacity)],
                fixed_cost: fixed_cost(d.vehicle_type),
                max_duration: None,
            });
        }
        let mut profiles = Vec::with_capacity(types.len());
        let mut travel_source = "great_circle";
        for t in &types {
            let m = self.travel_matrix(&places.points, *t).await?;
            travel_source = m.source;
            let n = m.matrix.n;
            let grid = |f: &dyn Fn(usize, usize) -> u32| -> Vec<Vec<f64>> {
                (0..n)
                    .map(|i| (0..n).map(|j| f64::from(f(i, j))).collect())
                    .collect()
            };
            profiles.push(Profile {
                name: t.name().to_owned(),
                durations: grid(&|i, j| m.matrix.seconds(i, j)),
                distances: grid(&|i, j| m.matrix.metres(i, j)),
            });
        }
        let problem = Problem {
            profiles,
            vehicles,
            jobs,
        };
        problem.validate().map_err(|e| {
            CommandError::new(crate::ErrorCode::Internal, format!("plan problem: {e}"))
        })?;
        Ok(Built {
            problem,
            stops,
            drivers,
            travel_source: travel_source.to_owned(),
        })
    }

    /// A cached store's position, or a refusal naming `field`.
    fn store_point(&self, field: &str, store_id: &str) -> Result<Point, CommandError> {
        let store = self.cache.store(store_id)?.ok_or_else(|| {
            CommandError::refused(
                field,
                ErrorDetail::NoStore {
                    store_id: store_id.to_owned(),
                },
            )
        })?;
        store
            .location
            .map(|l| Point {
                lat: l.lat,
                lng: l.lng,
            })
            .ok_or_else(|| {
                CommandError::refused(
                    field,
                    ErrorDetail::StoreUnplaced {
                        store_id: store_id.to_owned(),
                    },
                )
            })
    }
}
