//! The rows of a report that can be planned, as plain stops for the solver: a point, parcels, a
//! window and the time spent at the door. Planning (issue 7) turns these into solver jobs; they
//! stay plain here so this file does not depend on the solver's model while it changes.

use hakobu_geo::travel::VehicleType;
use serde::Serialize;

use crate::batch::report::{BatchReport, Geocode, MatchLevel, RowStatus};
use crate::batch::window::TimeWindow;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanningStop {
    pub external_stop_id: String,
    /// The file's line, to point back at the row.
    pub line: usize,
    pub lat: f64,
    pub lng: f64,
    /// How precisely the point is known; coarse ones can be drawn differently on the map.
    pub level: MatchLevel,
    pub parcel_count: u32,
    pub time_window: Option<TimeWindow>,
    /// Seconds at the door: the vehicle type's default (hakobu-geo's travel model).
    pub service_s: u32,
    /// What a driver (RouteMate) and DIAq are sent: the address as read, the customer's
    /// name (the file's label), phone, postal code and notes.
    pub address: String,
    pub postal_code: Option<String>,
    pub label: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
}

impl BatchReport {
    /// Every row without errors, in file order. Rows with errors are in the report only.
    pub fn planning_stops(&self, vehicle: VehicleType) -> Vec<PlanningStop> {
        self.rows
            .iter()
            .filter(|r| r.status != RowStatus::Error)
            .filter_map(
                |r| match (&r.geocode, &r.external_stop_id, r.parcel_count) {
                    (
                        Some(Geocode::Placed {
                            lat, lng, level, ..
                        }),
                        Some(id),
                        Some(parcel_count),
                    ) => Some(PlanningStop {
                        external_stop_id: id.clone(),
                        line: r.line,
                        lat: *lat,
                        lng: *lng,
                        level: *level,
                        parcel_count,
                        time_window: r.time_window,
                        service_s: vehicle.service_seconds(),
                        address: r.address.clone(),
                        postal_code: r.postal_code.clone(),
                        label: r.label.clone(),
                        phone: r.phone.clone(),
                        notes: r.notes.clone(),
                    }),
                    // A row without errors always has all three; it is never planned otherwise.
                    _ => None,
                },
            )
            .collect()
    }
}
