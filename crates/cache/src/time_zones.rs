//! The DIAq time zones (時間枠): fixed by the API, read once per sync and kept for the
//! calendar and the new-order form, which must work offline.

use hakobu_diaq::time_zone::ANYTIME_ID;
use hakobu_diaq::{TimeZone, TimeZoneStatus};
use rusqlite::{Connection, params};

use crate::{Cache, CacheError};

impl Cache {
    /// Makes the cached time zones exactly `zones`, kept in the API's order.
    pub fn replace_time_zones(
        &self,
        zones: &[TimeZone],
        fetched_at: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM time_zones", [])?;
            for (position, z) in zones.iter().enumerate() {
                tx.execute(
                    "INSERT INTO time_zones
                        (id, starts, ends, status, is_extra_charge, position, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        z.id,
                        z.starts,
                        z.ends,
                        status_name(z.status),
                        z.is_extra_charge,
                        i64::try_from(position).unwrap_or(i64::MAX),
                        fetched_at
                    ],
                )?;
            }
            tx.commit()
        })
    }

    /// The cached time zones in the API's order (empty before the first sync).
    pub fn time_zones(&self) -> Result<Vec<TimeZone>, CacheError> {
        self.with(|c| read_zones(c))
    }
}

fn read_zones(c: &Connection) -> rusqlite::Result<Vec<TimeZone>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, starts, ends, status, is_extra_charge FROM time_zones ORDER BY position",
    )?;
    let rows = stmt.query_map([], |r| {
        let status: String = r.get(3)?;
        Ok(TimeZone {
            id: r.get(0)?,
            starts: r.get(1)?,
            ends: r.get(2)?,
            // The table's CHECK admits only these two.
            status: if status == "anytime" {
                TimeZoneStatus::Anytime
            } else {
                TimeZoneStatus::Time
            },
            is_extra_charge: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// An hourly time zone as the grid and holds use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HourlyZone {
    pub id: String,
    pub starts: u32,
    pub ends: u32,
    pub is_extra_charge: bool,
}

/// The time zones: cached ones when a sync stored them, else the document's.
pub(crate) struct Zones {
    pub hourly: Vec<HourlyZone>,
    pub anytime_id: String,
}

impl Zones {
    pub fn read(c: &Connection) -> rusqlite::Result<Zones> {
        let cached = read_zones(c)?;
        let zones = if cached.iter().any(|z| z.status == TimeZoneStatus::Time) {
            cached
        } else {
            hakobu_diaq::time_zones()
        };
        let mut hourly: Vec<HourlyZone> = zones
            .iter()
            .filter(|z| z.status == TimeZoneStatus::Time && z.starts < 24)
            .map(|z| HourlyZone {
                id: z.id.clone(),
                starts: z.starts,
                ends: z.ends,
                is_extra_charge: z.is_extra_charge,
            })
            .collect();
        hourly.sort_by_key(|z| z.starts);
        let anytime_id = zones
            .iter()
            .find(|z| z.status == TimeZoneStatus::Anytime)
            .map_or_else(|| ANYTIME_ID.to_owned(), |z| z.id.clone());
        Ok(Zones { hourly, anytime_id })
    }

    /// The hourly zone starting at `hour` (Japan time), if the table has one.
    pub fn at_hour(&self, hour: u32) -> Option<&HourlyZone> {
        self.hourly.iter().find(|z| z.starts == hour)
    }

    pub fn is_extra_charge(&self, time_zone_id: &str) -> bool {
        self.hourly
            .iter()
            .any(|z| z.id == time_zone_id && z.is_extra_charge)
    }
}

fn status_name(s: TimeZoneStatus) -> &'static str {
    match s {
        TimeZoneStatus::Anytime => "anytime",
        TimeZoneStatus::Time => "time",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_zones_round_trip_in_order_and_a_resync_replaces_them() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        assert!(cache.time_zones().unwrap().is_empty());
        let zones = hakobu_diaq::time_zones();
        cache
            .replace_time_zones(&zones, "2026-11-23T09:00:00+09:00")
            .unwrap();
        assert_eq!(cache.time_zones().unwrap(), zones);
        cache
            .replace_time_zones(&zones[..2], "2026-11-23T10:00:00+09:00")
            .unwrap();
        assert_eq!(cache.time_zones().unwrap(), zones[..2]);
    }
}
