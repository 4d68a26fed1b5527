//! Slot capacity and holds. A store has a capacity per (date, time zone); an estimate or
//! `reserve_windows` takes a *hold* on a slot, which counts against it until it is used by a
//! delivery/fetch or expires; a job counts until it is canceled.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use hakobu_diaq::Slot;
use hakobu_diaq::window::{FIRST_HOUR, LAST_HOUR, time_slots_from};
use rusqlite::{Connection, OptionalExtension, params};

/// How many jobs a slot takes, by default and per store.
#[derive(Debug, Clone)]
pub struct CapacityConfig {
    /// Jobs per hourly slot (6時〜0時).
    pub per_hour: u32,
    /// Jobs per day in the anytime zone.
    pub anytime_per_day: u32,
    /// Store id → (per_hour, anytime_per_day), overriding the defaults.
    pub per_store: HashMap<String, (u32, u32)>,
    /// How long a hold lasts ("有効期限"), in minutes.
    pub hold_minutes: i64,
}

impl Default for CapacityConfig {
    fn default() -> Self {
        CapacityConfig {
            per_hour: 4,
            anytime_per_day: 20,
            per_store: HashMap::new(),
            hold_minutes: 30,
        }
    }
}

impl CapacityConfig {
    pub fn of(&self, store_id: &str, slot: Slot) -> u32 {
        self.of_store(store_id).of(slot)
    }

    /// One store's capacities, looked up once for a request that checks many of its slots.
    pub fn of_store(&self, store_id: &str) -> StoreCapacity {
        let (per_hour, anytime_per_day) = self
            .per_store
            .get(store_id)
            .copied()
            .unwrap_or((self.per_hour, self.anytime_per_day));
        StoreCapacity {
            per_hour,
            anytime_per_day,
        }
    }
}

/// A store's capacity per hourly slot and per anytime slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreCapacity {
    pub per_hour: u32,
    pub anytime_per_day: u32,
}

impl StoreCapacity {
    pub fn of(self, slot: Slot) -> u32 {
        if slot.hour.is_some() {
            self.per_hour
        } else {
            self.anytime_per_day
        }
    }

    pub fn has_room(self, used: &HashMap<Slot, u32>, slot: Slot) -> bool {
        used.get(&slot).copied().unwrap_or(0) < self.of(slot)
    }
}

/// A stored hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub id: String,
    pub store_id: String,
    pub slot: Slot,
    pub expires_at: i64,
    pub used_by: Option<String>,
}

/// `slot_date` is `YYYY-MM-DD`: `NaiveDate`'s `Display`, which for years 0–9999 is what
/// `format("%Y-%m-%d")` writes without parsing a format string on every hold.
fn slot_key(slot: Slot) -> (String, i64) {
    (slot.date.to_string(), slot.hour.map_or(-1, i64::from))
}

fn slot_from(date: &str, hour: i64) -> Option<Slot> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(if hour < 0 {
        Slot::anytime(date)
    } else {
        Slot::time(date, hour as u32)
    })
}

/// Stops counting holds that expired by `now` (amortised: each hold is swept once).
fn sweep_expired(db: &Connection, now: DateTime<FixedOffset>) -> rusqlite::Result<()> {
    let expired: Vec<(String, String, String, i64)> = {
        let mut stmt = db.prepare_cached(
            "SELECT id, store_id, slot_date, slot_hour FROM holds
             WHERE counted = 1 AND expires_at <= ?1",
        )?;
        stmt.query_map([now.timestamp()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (id, store, date, hour) in expired {
        db.execute("UPDATE holds SET counted = 0 WHERE id = ?1", [&id])?;
        add_load(db, &store, &date, hour, -1, 0)?;
    }
    Ok(())
}

fn add_load(
    db: &Connection,
    store_id: &str,
    date: &str,
    hour: i64,
    holds: i64,
    jobs: i64,
) -> rusqlite::Result<()> {
    db.prepare_cached(
        "INSERT INTO slot_load (store_id, slot_date, slot_hour, holds, jobs)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (store_id, slot_date, slot_hour)
         DO UPDATE SET holds = holds + excluded.holds, jobs = jobs + excluded.jobs",
    )?
    .execute(params![store_id, date, hour, holds, jobs])?;
    Ok(())
}

/// Jobs and live holds per slot of `store_id` from `from` on.
pub fn usage(
    db: &Connection,
    store_id: &str,
    from: NaiveDate,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<HashMap<Slot, u32>> {
    sweep_expired(db, now)?;
    let from = from.to_string();
    let mut stmt = db.prepare_cached(
        "SELECT slot_date, slot_hour, holds + jobs FROM slot_load
         WHERE store_id = ?1 AND slot_date >= ?2 AND holds + jobs > 0",
    )?;
    let rows = stmt.query_map(params![store_id, from], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, u32>(2)?,
        ))
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (date, hour, n) = row?;
        if let Some(slot) = slot_from(&date, hour) {
            out.insert(slot, n);
        }
    }
    Ok(out)
}

/// The hourly slots from `from` to `last_date` (as [`time_slots_from`] gives them) that have no
/// room left, in time order. With room in every slot it would otherwise check, only a slot
/// with load can be full, so this looks at `used`'s entries rather than all ~250 slots of the
/// horizon; a capacity of 0 makes every slot full.
pub fn sold_out_time_slots(
    used: &HashMap<Slot, u32>,
    capacity: StoreCapacity,
    from: DateTime<FixedOffset>,
    last_date: NaiveDate,
) -> Vec<Slot> {
    if capacity.per_hour == 0 {
        return time_slots_from(from, last_date).collect();
    }
    let mut full: Vec<Slot> = used
        .iter()
        .filter(|&(slot, &n)| {
            slot.hour
                .is_some_and(|h| (FIRST_HOUR..=LAST_HOUR).contains(&h))
                && slot.date <= last_date
                && slot.starts_at().is_some_and(|t| t >= from)
                && n >= capacity.per_hour
        })
        .map(|(slot, _)| *slot)
        .collect();
    // (date, hour): the order time_slots_from walks in.
    full.sort_unstable();
    full
}

pub fn insert_hold(
    db: &Connection,
    id: &str,
    store_id: &str,
    slot: Slot,
    now: DateTime<FixedOffset>,
    expires_at: DateTime<FixedOffset>,
) -> rusqlite::Result<()> {
    let (date, hour) = slot_key(slot);
    db.prepare_cached(
        "INSERT INTO holds (id, store_id, slot_date, slot_hour, created_at, expires_at, counted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
    )?
    .execute(params![
        id,
        store_id,
        date,
        hour,
        now.timestamp(),
        expires_at.timestamp()
    ])?;
    add_load(db, store_id, &date, hour, 1, 0)
}

/// A job now occupies `slot` (it used a hold, which stops counting).
pub fn job_added(db: &Connection, store_id: &str, slot: Slot) -> rusqlite::Result<()> {
    let (date, hour) = slot_key(slot);
    add_load(db, store_id, &date, hour, 0, 1)
}

/// A job left its slot (canceled).
pub fn job_released(
    db: &Connection,
    store_id: &str,
    date: &str,
    hour: i64,
) -> rusqlite::Result<()> {
    add_load(db, store_id, date, hour, 0, -1)
}

pub fn find_hold(db: &Connection, id: &str) -> rusqlite::Result<Option<Hold>> {
    db.query_row(
        "SELECT id, store_id, slot_date, slot_hour, expires_at, used_by FROM holds WHERE id = ?1",
        [id],
        |r| {
            let date: String = r.get(2)?;
            let hour: i64 = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                date,
                hour,
                r.get::<_, i64>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        },
    )
    .optional()
    .map(|row| {
        row.and_then(|(id, store_id, date, hour, expires_at, used_by)| {
            Some(Hold {
                id,
                store_id,
                slot: slot_from(&date, hour)?,
                expires_at,
                used_by,
            })
        })
    })
}

pub fn use_hold(db: &Connection, hold_id: &str, order_id: &str) -> rusqlite::Result<bool> {
    let counted: Option<(bool, String, String, i64)> = db
        .query_row(
            "SELECT counted, store_id, slot_date, slot_hour FROM holds
             WHERE id = ?1 AND used_by IS NULL",
            [hold_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((counted, store, date, hour)) = counted else {
        return Ok(false);
    };
    db.execute(
        "UPDATE holds SET used_by = ?2, counted = 0 WHERE id = ?1",
        params![hold_id, order_id],
    )?;
    if counted {
        add_load(db, &store, &date, hour, -1, 0)?;
    }
    Ok(true)
}

pub(crate) fn slot_columns(slot: Slot) -> (String, i64) {
    slot_key(slot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakobu_diaq::time::parse;

    /// The definition sold_out_time_slots shortcuts: every slot of the range, checked.
    fn every_slot_checked(
        used: &HashMap<Slot, u32>,
        capacity: StoreCapacity,
        from: DateTime<FixedOffset>,
        last_date: NaiveDate,
    ) -> Vec<Slot> {
        time_slots_from(from, last_date)
            .filter(|s| !capacity.has_room(used, *s))
            .collect()
    }

    #[test]
    fn sold_out_slots_are_those_a_full_walk_finds() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let mut used = HashMap::new();
        // Full, partly full and empty slots before, inside and after the range, the
        // boundaries of the first hour and the last date included, and anytime slots, which
        // are never listed.
        for (slot, n) in [
            (Slot::time(day(22), 20), 3),
            (Slot::time(day(23), 13), 3),
            (Slot::time(day(23), 14), 3),
            (Slot::time(day(23), 15), 2),
            (Slot::time(day(23), 23), 5),
            (Slot::time(day(24), 6), 3),
            (Slot::time(day(26), 12), 1),
            (Slot::time(day(27), 23), 3),
            (Slot::time(day(28), 6), 3),
            (Slot::anytime(day(24)), 100),
        ] {
            used.insert(slot, n);
        }
        let last = day(27);
        for from in [
            "2026-11-23T14:00:00+09:00",
            "2026-11-23T14:00:01+09:00",
            "2026-11-23T05:10:00+09:00",
            "2026-11-22T23:30:00+09:00",
            "2026-11-27T23:00:00+09:00",
            "2026-11-28T01:00:00+09:00",
        ] {
            let from = parse(from).unwrap();
            for (per_hour, anytime_per_day) in [(3, 20), (1, 0), (4, 20), (6, 1), (0, 20)] {
                let capacity = StoreCapacity {
                    per_hour,
                    anytime_per_day,
                };
                assert_eq!(
                    sold_out_time_slots(&used, capacity, from, last),
                    every_slot_checked(&used, capacity, from, last),
                    "from {from}, {capacity:?}"
                );
            }
        }
    }

    #[test]
    fn slot_dates_are_stored_as_iso_dates() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(slot_key(Slot::time(date, 6)), ("2026-01-05".into(), 6));
        assert_eq!(slot_key(Slot::anytime(date)), ("2026-01-05".into(), -1));
        assert_eq!(slot_from("2026-01-05", -1), Some(Slot::anytime(date)));
    }
}
