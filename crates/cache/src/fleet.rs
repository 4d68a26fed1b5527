//! Our own drivers: who plans are made for and whose routes go to RouteMate. Rows are stored
//! as hakobu-dispatch checked them; places are JSON text this crate does not read.

use rusqlite::{Row, params};

use crate::{Cache, CacheError};

#[derive(Debug, Clone, PartialEq)]
pub struct FleetRow {
    /// The RouteMate login (lower-case email); the key.
    pub email: String,
    pub name: String,
    /// The DIAq document's name (自転車, 原付, 小型二輪, バイク125cc超, 軽四輪).
    pub vehicle_type: String,
    /// HH:MM, Japan time.
    pub shift_start: String,
    pub shift_end: String,
    /// JSON.
    pub start_place: String,
    pub end_place: String,
    pub capacity: u32,
    pub updated_at: String,
}

const COLUMNS: &str = "email, name, vehicle_type, shift_start, shift_end, start_place, \
    end_place, capacity, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<FleetRow> {
    Ok(FleetRow {
        email: r.get(0)?,
        name: r.get(1)?,
        vehicle_type: r.get(2)?,
        shift_start: r.get(3)?,
        shift_end: r.get(4)?,
        start_place: r.get(5)?,
        end_place: r.get(6)?,
        capacity: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

impl Cache {
    /// Every driver, by name then login.
    pub fn fleet(&self) -> Result<Vec<FleetRow>, CacheError> {
        self.with(|c| {
            let mut st = c.prepare(&format!(
                "SELECT {COLUMNS} FROM fleet_drivers ORDER BY name, email"
            ))?;
            st.query_map([], from_row)?.collect()
        })
    }

    /// Adds the driver, or replaces the one with the same login.
    pub fn upsert_fleet_driver(&self, d: &FleetRow) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                &format!(
                    "INSERT INTO fleet_drivers ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (email) DO UPDATE SET name = excluded.name,
                       vehicle_type = excluded.vehicle_type, shift_start = excluded.shift_start,
                       shift_end = excluded.shift_end, start_place = excluded.start_place,
                       end_place = excluded.end_place, capacity = excluded.capacity,
                       updated_at = excluded.updated_at"
                ),
                params![
                    d.email,
                    d.name,
                    d.vehicle_type,
                    d.shift_start,
                    d.shift_end,
                    d.start_place,
                    d.end_place,
                    d.capacity,
                    d.updated_at
                ],
            )
            .map(drop)
        })
    }

    /// Whether there was such a driver.
    pub fn delete_fleet_driver(&self, email: &str) -> Result<bool, CacheError> {
        self.with(|c| {
            c.execute("DELETE FROM fleet_drivers WHERE email = ?1", [email])
                .map(|n| n > 0)
        })
    }
}
