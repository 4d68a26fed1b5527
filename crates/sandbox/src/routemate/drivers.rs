//! RouteMate's drivers: who a job is assigned to (`driver_email`) and where their route starts.
//! Stored in SQLite, so imports made before a restart keep their driver.

use hakobu_geo::Point;
use hakobu_geo::travel::VehicleType;
use rusqlite::{Connection, OptionalExtension, params};

use super::RouteMateDriver;

/// The demo drivers of the Tokyo seeds, starting at two real delivery depots' districts:
/// 江東区新木場 (the bay-side logistics area) and 品川区東品川 (by 天王洲). Public: the app's
/// demo fleet is these drivers.
pub fn demo() -> Vec<RouteMateDriver> {
    vec![
        RouteMateDriver {
            email: "tanaka.kenta@routemate.example".into(),
            name: "田中 健太".into(),
            vehicle: VehicleType::KeiVan,
            start: Point {
                lat: 35.645_290,
                lng: 139.829_750,
            },
        },
        RouteMateDriver {
            email: "ito.sakura@routemate.example".into(),
            name: "伊藤 さくら".into(),
            vehicle: VehicleType::KeiVan,
            start: Point {
                lat: 35.620_630,
                lng: 139.750_250,
            },
        },
    ]
}

/// Adds a driver; with `replace`, an existing one (same email) takes the new name and start.
pub(crate) fn insert(db: &Connection, d: &RouteMateDriver, replace: bool) -> rusqlite::Result<()> {
    let sql = if replace {
        "INSERT INTO routemate_drivers (email, name, vehicle_type, latitude, longitude)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (email) DO UPDATE SET name = excluded.name,
             vehicle_type = excluded.vehicle_type, latitude = excluded.latitude,
             longitude = excluded.longitude"
    } else {
        "INSERT OR IGNORE INTO routemate_drivers (email, name, vehicle_type, latitude, longitude)
         VALUES (?1, ?2, ?3, ?4, ?5)"
    };
    db.execute(
        sql,
        params![
            d.email.to_lowercase(),
            d.name,
            d.vehicle.name(),
            d.start.lat,
            d.start.lng
        ],
    )?;
    Ok(())
}

/// The driver with this email, compared case-insensitively.
pub(crate) fn find(db: &Connection, email: &str) -> rusqlite::Result<Option<RouteMateDriver>> {
    db.query_row(
        "SELECT email, name, vehicle_type, latitude, longitude FROM routemate_drivers
         WHERE email = ?1",
        [email.trim().to_lowercase()],
        |r| {
            let vehicle: String = r.get(2)?;
            Ok(RouteMateDriver {
                email: r.get(0)?,
                name: r.get(1)?,
                vehicle: VehicleType::from_name(&vehicle).unwrap_or(VehicleType::KeiVan),
                start: Point {
                    lat: r.get(3)?,
                    lng: r.get(4)?,
                },
            })
        },
    )
    .optional()
}
