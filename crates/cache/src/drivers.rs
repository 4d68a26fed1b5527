//! Drivers as webhooks report them: the latest location and job of each, and a trail of where
//! each has been (the newest [`TRAIL_POINTS`] fixes, bounded by a trigger in migration 3).

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Cache, CacheError};

/// Fixes kept per driver; the `driver_trail_bound` trigger of migration 3 enforces it.
pub const TRAIL_POINTS: usize = 200;

/// The job a driver is on, as the event names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DriverJob {
    /// `delivery` or `fetch`
    pub kind: String,
    pub id: String,
    pub status: String,
}

/// One location report of a driver: what a `driver.location` event (or the driver object of a
/// status event) says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverFix {
    pub id: u64,
    pub name: String,
    /// Only sent from `collecting` on; `None` keeps what is known.
    pub phone: Option<String>,
    pub vehicle_type: Option<String>,
    pub lat: f64,
    pub lng: f64,
    /// `location.update` as the API wrote it.
    pub located_at: String,
    /// The same instant as unix milliseconds: fixes may arrive out of order, and only a newer
    /// one moves the driver.
    pub located_ms: i64,
    /// The job the driver is on now; `None`: none.
    pub job: Option<DriverJob>,
    /// When we heard it.
    pub received_at: String,
}

/// A driver as the map shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CachedDriver {
    pub id: u64,
    pub name: String,
    pub phone: Option<String>,
    pub vehicle_type: Option<String>,
    pub lat: f64,
    pub lng: f64,
    pub located_at: String,
    pub job: Option<DriverJob>,
    pub fetched_at: String,
}

/// One point of a driver's trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrailPoint {
    pub lat: f64,
    pub lng: f64,
    pub located_at: String,
}

/// What recording a fix did.
#[derive(Debug, Clone, PartialEq)]
pub enum FixOutcome {
    /// The driver moved (or was first seen), or its details or job changed: the row as it is
    /// now, so whoever announces the move can carry it (the live map draws it without reading
    /// the cache back).
    Moved(Box<CachedDriver>),
    /// The same fix again (or one changing nothing): nothing to redraw.
    Unchanged,
    /// Taken before the driver's latest fix: on the trail (in its time's place), but the
    /// driver stays where the latest one put it.
    Older,
}

const COLUMNS: &str = "id, name, phone, vehicle_type, lat, lng, located_at, order_kind, \
    order_id, order_status, fetched_at";

impl Cache {
    /// Adds `fix` to the driver's trail and, unless a newer fix is already known, makes it the
    /// driver's latest location and job. One transaction.
    pub fn record_driver_fix(&self, fix: &DriverFix) -> Result<FixOutcome, CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let outcome = write_fix(&tx, fix)?;
            tx.commit()?;
            Ok(outcome)
        })
    }

    /// Drops every driver and trail: they belonged to another API (another account's fleet).
    pub fn forget_drivers(&self) -> Result<(), CacheError> {
        self.with(|c| c.execute_batch("DELETE FROM drivers; DELETE FROM driver_trail;"))
    }

    /// Every driver heard of, by id.
    pub fn drivers(&self) -> Result<Vec<CachedDriver>, CacheError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM drivers ORDER BY id"))?;
            let rows = stmt.query_map([], from_row)?;
            rows.collect()
        })
    }

    /// The drivers among `ids` the cache knows, by id: those a change announcement named, so a
    /// live map re-reads what moved rather than the whole fleet.
    pub fn drivers_by_ids(&self, ids: &[u64]) -> Result<Vec<CachedDriver>, CacheError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = format!(
            "[{}]",
            ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
        );
        self.with(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM drivers WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id"
            ))?;
            let rows = stmt.query_map([list], from_row)?;
            rows.collect()
        })
    }

    pub fn driver(&self, id: u64) -> Result<Option<CachedDriver>, CacheError> {
        self.with(|c| read_driver(c, i64::try_from(id).unwrap_or(i64::MAX)))
    }

    /// The driver's trail, oldest first (at most [`TRAIL_POINTS`]).
    pub fn driver_trail(&self, id: u64) -> Result<Vec<TrailPoint>, CacheError> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT lat, lng, located_at FROM driver_trail WHERE driver_id = ?1
                 ORDER BY located_ms, seq",
            )?;
            let rows = stmt.query_map([i64::try_from(id).unwrap_or(i64::MAX)], |r| {
                Ok(TrailPoint {
                    lat: r.get(0)?,
                    lng: r.get(1)?,
                    located_at: r.get(2)?,
                })
            })?;
            rows.collect()
        })
    }
}

/// [`Cache::record_driver_fix`] inside the caller's transaction (one fix, or a batch of them).
pub(crate) fn write_fix(
    tx: &rusqlite::Connection,
    fix: &DriverFix,
) -> rusqlite::Result<FixOutcome> {
    let id = i64::try_from(fix.id).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT OR IGNORE INTO driver_trail (driver_id, lat, lng, located_at, located_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        fix.lat,
        fix.lng,
        fix.located_at,
        fix.located_ms
    ])?;
    let latest: Option<i64> = tx
        .prepare_cached("SELECT located_ms FROM drivers WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    if latest.is_some_and(|ms| fix.located_ms < ms) {
        return Ok(FixOutcome::Older);
    }
    let before = read_driver(tx, id)?;
    let (kind, order, status) = match &fix.job {
        Some(j) => (Some(&j.kind), Some(&j.id), Some(&j.status)),
        None => (None, None, None),
    };
    // The WHERE keeps an older fix from moving the driver back.
    tx.prepare_cached(
        "INSERT INTO drivers (id, name, phone, vehicle_type, lat, lng, located_at,
             located_ms, order_kind, order_id, order_status, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             phone = COALESCE(excluded.phone, drivers.phone),
             vehicle_type = COALESCE(excluded.vehicle_type, drivers.vehicle_type),
             lat = excluded.lat, lng = excluded.lng, located_at = excluded.located_at,
             located_ms = excluded.located_ms, order_kind = excluded.order_kind,
             order_id = excluded.order_id, order_status = excluded.order_status,
             fetched_at = excluded.fetched_at
         WHERE excluded.located_ms >= drivers.located_ms",
    )?
    .execute(params![
        id,
        fix.name,
        fix.phone,
        fix.vehicle_type,
        fix.lat,
        fix.lng,
        fix.located_at,
        fix.located_ms,
        kind,
        order,
        status,
        fix.received_at
    ])?;
    let after = read_driver(tx, id)?;
    // A row that changed only when it was heard is no news to draw.
    let same = |b: &CachedDriver, a: &CachedDriver| {
        CachedDriver {
            fetched_at: String::new(),
            ..b.clone()
        } == CachedDriver {
            fetched_at: String::new(),
            ..a.clone()
        }
    };
    Ok(match (before, after) {
        (Some(b), Some(a)) if same(&b, &a) => FixOutcome::Unchanged,
        (_, Some(a)) => FixOutcome::Moved(Box::new(a)),
        // Gone after the upsert: cannot happen inside the transaction; nothing to draw.
        (_, None) => FixOutcome::Unchanged,
    })
}

fn read_driver(c: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<CachedDriver>> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM drivers WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<CachedDriver> {
    let id: i64 = r.get(0)?;
    let kind: Option<String> = r.get(7)?;
    let order: Option<String> = r.get(8)?;
    let status: Option<String> = r.get(9)?;
    Ok(CachedDriver {
        id: u64::try_from(id).unwrap_or_default(),
        name: r.get(1)?,
        phone: r.get(2)?,
        vehicle_type: r.get(3)?,
        lat: r.get(4)?,
        lng: r.get(5)?,
        located_at: r.get(6)?,
        job: match (kind, order, status) {
            (Some(kind), Some(id), Some(status)) => Some(DriverJob { kind, id, status }),
            _ => None,
        },
        fetched_at: r.get(10)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        (dir, cache)
    }

    fn fix(id: u64, n: i64) -> DriverFix {
        DriverFix {
            id,
            name: "吉井 次郎".into(),
            phone: None,
            vehicle_type: None,
            lat: 35.6 + n as f64 * 1e-4,
            lng: 139.7,
            located_at: format!("t{n:05}"),
            located_ms: 1_000 * n,
            job: None,
            received_at: "2026-11-23T09:00:00+09:00".into(),
        }
    }

    #[test]
    fn drivers_are_read_by_the_ids_a_change_named() {
        let (_dir, cache) = cache();
        for id in 1..=5 {
            cache.record_driver_fix(&fix(id, 1)).unwrap();
        }
        let ids = |list: Vec<CachedDriver>| list.into_iter().map(|d| d.id).collect::<Vec<_>>();
        assert_eq!(
            ids(cache.drivers_by_ids(&[4, 2, 9]).unwrap()),
            vec![2, 4],
            "unknown ids are skipped"
        );
        assert!(cache.drivers_by_ids(&[]).unwrap().is_empty());
        assert_eq!(
            cache.drivers_by_ids(&[3]).unwrap(),
            vec![cache.driver(3).unwrap().unwrap()]
        );
    }

    #[test]
    fn the_latest_fix_moves_the_driver_and_an_older_one_does_not() {
        let (_dir, cache) = cache();
        let moved = cache.record_driver_fix(&fix(1, 2)).unwrap();
        assert_eq!(
            moved,
            FixOutcome::Moved(Box::new(cache.driver(1).unwrap().unwrap())),
            "the row as recorded rides along"
        );
        assert_eq!(
            cache.record_driver_fix(&fix(1, 1)).unwrap(),
            FixOutcome::Older
        );
        let d = cache.driver(1).unwrap().unwrap();
        assert_eq!(d.located_at, "t00002");
        assert_eq!(
            cache.record_driver_fix(&fix(1, 2)).unwrap(),
            FixOutcome::Unchanged,
            "the same fix again"
        );
        // Both fixes are on the trail, by location time; the repeat is not.
        let trail = cache.driver_trail(1).unwrap();
        let times: Vec<&str> = trail.iter().map(|p| p.located_at.as_str()).collect();
        assert_eq!(times, ["t00001", "t00002"]);
        assert!(cache.driver(2).unwrap().is_none());
    }

    #[test]
    fn phone_and_vehicle_are_kept_once_known_and_the_job_follows_the_latest_fix() {
        let (_dir, cache) = cache();
        let mut f = fix(3, 1);
        f.phone = Some("090-0000-1111".into());
        f.vehicle_type = Some("原付".into());
        f.job = Some(DriverJob {
            kind: "delivery".into(),
            id: "d1".into(),
            status: "collecting".into(),
        });
        cache.record_driver_fix(&f).unwrap();
        // A later fix without details (a new job, still `assigned`) and then without a job.
        let g = fix(3, 2);
        assert!(matches!(
            cache.record_driver_fix(&g).unwrap(),
            FixOutcome::Moved(_)
        ));
        let d = cache.driver(3).unwrap().unwrap();
        assert_eq!(d.phone.as_deref(), Some("090-0000-1111"));
        assert_eq!(d.vehicle_type.as_deref(), Some("原付"));
        assert_eq!(d.job, None);
        assert_eq!(cache.drivers().unwrap(), vec![d]);
    }

    #[test]
    fn the_trail_keeps_only_the_newest_points_per_driver() {
        let (_dir, cache) = cache();
        let extra = 25;
        for n in 0..(TRAIL_POINTS as i64 + extra) {
            cache.record_driver_fix(&fix(1, n)).unwrap();
        }
        cache.record_driver_fix(&fix(2, 0)).unwrap();
        let trail = cache.driver_trail(1).unwrap();
        assert_eq!(trail.len(), TRAIL_POINTS);
        assert_eq!(
            trail[0].located_at,
            format!("t{extra:05}"),
            "oldest dropped"
        );
        assert_eq!(
            trail.last().unwrap().located_at,
            format!("t{:05}", TRAIL_POINTS as i64 + extra - 1)
        );
        assert_eq!(cache.driver_trail(2).unwrap().len(), 1, "per driver");

        // A late, older fix does not push out a newer one.
        cache.record_driver_fix(&fix(1, 0)).unwrap();
        assert_eq!(
            cache.driver_trail(1).unwrap()[0].located_at,
            format!("t{extra:05}")
        );
    }

    #[test]
    fn forgetting_drops_every_driver_and_trail() {
        let (_dir, cache) = cache();
        cache.record_driver_fix(&fix(1, 0)).unwrap();
        cache.record_driver_fix(&fix(2, 0)).unwrap();
        cache.forget_drivers().unwrap();
        assert!(cache.drivers().unwrap().is_empty());
        assert!(cache.driver_trail(1).unwrap().is_empty());
        // And they come back as they are heard again.
        assert!(matches!(
            cache.record_driver_fix(&fix(1, 1)).unwrap(),
            FixOutcome::Moved(_)
        ));
        assert_eq!(cache.driver_trail(1).unwrap().len(), 1);
    }
}
