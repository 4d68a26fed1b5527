//! Slot capacity and holds. A store has a capacity per (date, time zone); an estimate or
//! `reserve_windows` takes a *hold* on a slot, which counts against it until it is used by a
//! delivery/fetch or expires; a job counts until it is canceled.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use hakobu_diaq::Slot;
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
        let (hour, any) = self
            .per_store
            .get(store_id)
            .copied()
            .unwrap_or((self.per_hour, self.anytime_per_day));
        if slot.hour.is_some() { hour } else { any }
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

fn slot_key(slot: Slot) -> (String, i64) {
    (
        slot.date.format("%Y-%m-%d").to_string(),
        slot.hour.map_or(-1, i64::from),
    )
}

fn slot_from(date: &str, hour: i64) -> Option<Slot> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(if hour < 0 {
        Slot::anytime(date)
    } else {
        Slot::time(date, hour as u32)
    })
}

/// Jobs and live holds per slot of `store_id` from `from` on.
pub fn usage(
    db: &Connection,
    store_id: &str,
    from: NaiveDate,
    now: DateTime<FixedOffset>,
) -> rusqlite::Result<HashMap<Slot, u32>> {
    let from = from.format("%Y-%m-%d").to_string();
    let mut out: HashMap<Slot, u32> = HashMap::new();
    let mut stmt = db.prepare_cached(
        "SELECT slot_date, slot_hour, COUNT(*) FROM holds
         WHERE store_id = ?1 AND slot_date >= ?2 AND used_by IS NULL AND expires_at > ?3
         GROUP BY slot_date, slot_hour
         UNION ALL
         SELECT slot_date, slot_hour, COUNT(*) FROM orders
         WHERE store_id = ?1 AND slot_date >= ?2 AND status != 'canceled'
         GROUP BY slot_date, slot_hour",
    )?;
    let rows = stmt.query_map(params![store_id, from, now.timestamp()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, u32>(2)?,
        ))
    })?;
    for row in rows {
        let (date, hour, n) = row?;
        if let Some(slot) = slot_from(&date, hour) {
            *out.entry(slot).or_default() += n;
        }
    }
    Ok(out)
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
    db.execute(
        "INSERT INTO holds (id, store_id, slot_date, slot_hour, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            store_id,
            date,
            hour,
            now.timestamp(),
            expires_at.timestamp()
        ],
    )?;
    Ok(())
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
    Ok(db.execute(
        "UPDATE holds SET used_by = ?2 WHERE id = ?1 AND used_by IS NULL",
        params![hold_id, order_id],
    )? == 1)
}

pub(crate) fn slot_columns(slot: Slot) -> (String, i64) {
    slot_key(slot)
}
