//! Our own drivers, the fleet plans are made for: who (their RouteMate login, where routes are
//! sent), what they ride, when and from where to where they work, and how much they carry.
//! Kept in the cache; every save is checked here so a plan never meets a shift that ends before
//! it starts or a start that is nowhere. docs/decisions.md "Fleet".

use hakobu_cache::FleetRow;
use hakobu_geo::Point;
use hakobu_geo::travel::VehicleType;
use hakobu_routemate::rules::is_email;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::batch::unplaced;
use crate::{CommandError, Dispatch, ErrorCode, ErrorDetail, tokyo_rfc3339};

/// Where a driver starts or ends the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Place {
    /// A cached store (its geocoded position).
    Store { store_id: String },
    /// A point; `label` is what the dispatcher typed when it came from an address.
    Point {
        lat: f64,
        lng: f64,
        #[serde(default)]
        label: Option<String>,
    },
    /// An address to geocode when saved; saved as the `point` it geocodes to.
    Address { address: String },
}

/// A driver as the fleet form sends it. `capacity` `None` takes the vehicle type's default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DriverInput {
    /// The RouteMate login (an email); the driver's key.
    pub email: String,
    pub name: String,
    #[ts(type = "\"自転車\" | \"原付\" | \"小型二輪\" | \"バイク125cc超\" | \"軽四輪\"")]
    pub vehicle_type: VehicleType,
    /// `HH:MM`, Japan time.
    pub shift_start: String,
    pub shift_end: String,
    pub start: Place,
    pub end: Place,
    pub capacity: Option<u32>,
}

/// A driver as kept: the login lower-cased, places resolved, capacity filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FleetDriver {
    pub email: String,
    pub name: String,
    #[ts(type = "\"自転車\" | \"原付\" | \"小型二輪\" | \"バイク125cc超\" | \"軽四輪\"")]
    pub vehicle_type: VehicleType,
    pub shift_start: String,
    pub shift_end: String,
    pub start: Place,
    pub end: Place,
    /// Parcels at once.
    pub capacity: u32,
    /// From hakobu-geo's travel model, for the form to show what the type means.
    pub speed_kmh: f64,
    pub updated_at: String,
}

/// Parcels a vehicle type carries by default: a courier box on a bicycle holds a few, a kei
/// van's cargo bay dozens (the solver benchmark's Tokyo fleet, boxes dimension).
pub fn default_capacity(vehicle: VehicleType) -> u32 {
    match vehicle {
        VehicleType::Bicycle => 6,
        VehicleType::Moped => 8,
        VehicleType::SmallMotorcycle => 10,
        VehicleType::LargeMotorcycle => 12,
        VehicleType::KeiVan => 30,
    }
}

/// The demo fleet's working day: the embedded sandbox's RouteMate drivers come with a start
/// point only.
const DEMO_SHIFT: (&str, &str) = ("09:00", "18:00");

/// The longest name a driver may have, in characters.
const NAME_MAX: usize = 100;

/// A demo driver from a RouteMate roster entry (login, name, vehicle, start): on shift
/// 09:00–18:00, back where they started, carrying their vehicle's default.
pub fn demo_driver(
    email: &str,
    name: &str,
    vehicle_type: VehicleType,
    start: Point,
) -> DriverInput {
    let here = Place::Point {
        lat: start.lat,
        lng: start.lng,
        label: None,
    };
    DriverInput {
        email: email.to_owned(),
        name: name.to_owned(),
        vehicle_type,
        shift_start: DEMO_SHIFT.0.to_owned(),
        shift_end: DEMO_SHIFT.1.to_owned(),
        start: here.clone(),
        end: here,
        capacity: None,
    }
}

/// Minutes since midnight of `HH:MM` (00:00–24:00).
pub(crate) fn minutes_of(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// Japan and its waters, generously: a point outside is a typo (swapped lat/lng, a sign).
fn in_japan(lat: f64, lng: f64) -> bool {
    (20.0..=46.0).contains(&lat) && (122.0..=154.0).contains(&lng)
}

impl Dispatch {
    /// Every driver, by name.
    pub fn list_fleet(&self) -> Result<Vec<FleetDriver>, CommandError> {
        self.cache
            .fleet()?
            .into_iter()
            .map(|row| from_row(&row))
            .collect()
    }

    /// Adds a driver, or replaces the one with the same login. A value that cannot be right
    /// is a `bad_request` naming its field.
    pub fn save_driver(&self, input: &DriverInput) -> Result<FleetDriver, CommandError> {
        let email = input.email.trim().to_lowercase();
        if !is_email(&email) {
            return Err(CommandError::refused(
                "email",
                ErrorDetail::NotALogin {
                    got: input.email.clone(),
                },
            ));
        }
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(CommandError::refused(
                "name",
                ErrorDetail::NameLength { max: NAME_MAX },
            ));
        }
        let shift_form = |field: &str, got: &str, example: &str| {
            CommandError::refused(
                field,
                ErrorDetail::ShiftForm {
                    got: got.trim().to_owned(),
                    example: example.to_owned(),
                },
            )
        };
        let start_min = minutes_of(&input.shift_start)
            .ok_or_else(|| shift_form("shift_start", &input.shift_start, DEMO_SHIFT.0))?;
        let end_min = minutes_of(&input.shift_end)
            .ok_or_else(|| shift_form("shift_end", &input.shift_end, DEMO_SHIFT.1))?;
        if end_min <= start_min {
            return Err(CommandError::refused(
                "shift_end",
                ErrorDetail::ShiftOrder {
                    start: input.shift_start.trim().to_owned(),
                    end: input.shift_end.trim().to_owned(),
                },
            ));
        }
        let capacity = input
            .capacity
            .unwrap_or_else(|| default_capacity(input.vehicle_type));
        if capacity == 0 {
            return Err(CommandError::refused("capacity", ErrorDetail::NoCapacity));
        }
        let start = self.resolve_place("start", &input.start)?;
        let end = self.resolve_place("end", &input.end)?;
        let row = FleetRow {
            email,
            name: name.to_owned(),
            vehicle_type: input.vehicle_type.name().to_owned(),
            shift_start: hhmm(start_min),
            shift_end: hhmm(end_min),
            start_place: serde_json::to_string(&start).unwrap_or_default(),
            end_place: serde_json::to_string(&end).unwrap_or_default(),
            capacity,
            updated_at: tokyo_rfc3339(self.clock.now()),
        };
        self.cache.upsert_fleet_driver(&row)?;
        from_row(&row)
    }

    /// Removes the driver with this login; `not_found` when there is none.
    pub fn delete_driver(&self, email: &str) -> Result<(), CommandError> {
        if self
            .cache
            .delete_fleet_driver(&email.trim().to_lowercase())?
        {
            Ok(())
        } else {
            Err(CommandError::refused_as(
                ErrorCode::NotFound,
                Some("email"),
                ErrorDetail::NoFleetDriver {
                    email: email.to_owned(),
                },
            ))
        }
    }

    /// Saves `drivers` when the fleet is empty (the embedded sandbox's RouteMate drivers as the
    /// demo fleet); a fleet the dispatcher edited, even down to nobody, is never refilled
    /// unless empty. Returns how many were saved.
    pub fn seed_fleet(&self, drivers: &[DriverInput]) -> Result<usize, CommandError> {
        if !self.cache.fleet()?.is_empty() {
            return Ok(0);
        }
        for d in drivers {
            self.save_driver(d)?;
        }
        Ok(drivers.len())
    }

    /// A store's place checked against the cache, an address geocoded, a point checked.
    fn resolve_place(&self, field: &str, place: &Place) -> Result<Place, CommandError> {
        match place {
            Place::Store { store_id } => {
                let store = self.cache.store(store_id)?.ok_or_else(|| {
                    CommandError::refused(
                        field,
                        ErrorDetail::NoStore {
                            store_id: store_id.clone(),
                        },
                    )
                })?;
                if store.location.is_none() {
                    return Err(CommandError::refused(
                        field,
                        ErrorDetail::StoreUnplaced {
                            store_id: store_id.clone(),
                        },
                    ));
                }
                Ok(place.clone())
            }
            Place::Point { lat, lng, .. } => {
                if lat.is_finite() && lng.is_finite() && in_japan(*lat, *lng) {
                    Ok(place.clone())
                } else {
                    Err(CommandError::refused(
                        field,
                        ErrorDetail::NotInJapan {
                            lat: *lat,
                            lng: *lng,
                        },
                    ))
                }
            }
            Place::Address { address } => {
                let geocoded = self
                    .geo
                    .get()
                    .ok_or_else(|| CommandError::refused(field, ErrorDetail::NoGazetteer))?
                    .geocode(address)
                    .map_err(|e| {
                        CommandError::refused(
                            field,
                            ErrorDetail::AddressUnplaced {
                                address: address.clone(),
                                reason: unplaced(e),
                            },
                        )
                    })?;
                Ok(Place::Point {
                    lat: geocoded.point.lat,
                    lng: geocoded.point.lng,
                    label: Some(address.trim().to_owned()),
                })
            }
        }
    }

    /// Where a saved place is now (a store's current position).
    pub(crate) fn place_point(&self, place: &Place) -> Result<Point, CommandError> {
        match place {
            Place::Point { lat, lng, .. } => Ok(Point {
                lat: *lat,
                lng: *lng,
            }),
            Place::Store { store_id } => self
                .cache
                .store(store_id)?
                .and_then(|s| s.location)
                .map(|l| Point {
                    lat: l.lat,
                    lng: l.lng,
                })
                .ok_or_else(|| {
                    CommandError::refused_as(
                        ErrorCode::Conflict,
                        None,
                        ErrorDetail::StoreGone {
                            store_id: store_id.clone(),
                        },
                    )
                }),
            // Saved places are resolved; an address here is a bug.
            Place::Address { address } => Err(CommandError::new(
                ErrorCode::Internal,
                format!("unresolved address {address:?}"),
            )),
        }
    }
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn from_row(row: &FleetRow) -> Result<FleetDriver, CommandError> {
    let broken = |what: &str| {
        CommandError::new(
            ErrorCode::Cache,
            format!("fleet driver {}: unreadable {what}", row.email),
        )
    };
    let vehicle_type =
        VehicleType::from_name(&row.vehicle_type).ok_or_else(|| broken("vehicle type"))?;
    Ok(FleetDriver {
        email: row.email.clone(),
        name: row.name.clone(),
        vehicle_type,
        shift_start: row.shift_start.clone(),
        shift_end: row.shift_end.clone(),
        start: serde_json::from_str(&row.start_place).map_err(|_| broken("start"))?,
        end: serde_json::from_str(&row.end_place).map_err(|_| broken("end"))?,
        capacity: row.capacity,
        speed_kmh: vehicle_type.speed_kmh(),
        updated_at: row.updated_at.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_shift_times() {
        assert_eq!(minutes_of("09:00"), Some(540));
        assert_eq!(minutes_of("9:30"), Some(570));
        assert_eq!(minutes_of("24:00"), Some(1440));
        for bad in ["24:01", "9", "09:7", "ab:cd", "", "09:60"] {
            assert_eq!(minutes_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn tells_a_login_from_a_typo() {
        assert!(is_email("tanaka.kenta@routemate.example"));
        for bad in ["tanaka", "@x", "a@", "a b@c", "a@b@c"] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
