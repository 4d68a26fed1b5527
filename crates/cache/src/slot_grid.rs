//! The 枠カレンダー of one store: 14 days × the 18 hourly time zones, and a per-day anytime
//! row, from the cache alone (holds, sold-out slots of estimates, cached orders).
//!
//! Rules (docs/decisions.md "Window grid"):
//! - Columns are the hourly time zones as cached from `GET /v1/time_zones`, else the
//!   document's fixed table (hakobu-diaq): the same 18 either way from the real API.
//! - `sold_out`: an unavailable window of the latest answer speaking for the slot covers it;
//!   `known_as_of` says when that answer was fetched, sold out or not, and `stale` that it is
//!   [`KNOWLEDGE_FRESH_SECS`] old or more — other clients' holds may have lapsed since.
//! - `held`: our unused holds with `expires_at` after now (a hold expiring at now is gone).
//! - `booked`: our cached deliveries/fetches of the store in that slot, not canceled (a
//!   canceled job frees its slot; a returning one keeps it).
//! - `past`: the slot has started (anytime: its date is over) at now.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::jst::{DAY, HOUR, at_hour, dates_from, epoch, hour, invalid, midnight, read_time};
use crate::time_zones::Zones;
use crate::{Cache, CacheError};

/// Days the grid shows: the API's horizon is today + 14, so 14 from today reach it.
pub const GRID_DAYS: usize = 14;

/// How long what an estimate said about a slot is taken as current: a hold lasts about 30
/// minutes, so a slot sold out by other clients' holds may be free again after that.
pub const KNOWLEDGE_FRESH_SECS: i64 = 30 * 60;

/// The grid for the UI: `days[d].cells[c]` is day `d`, column `columns[c]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SlotGrid {
    pub store_id: String,
    /// `YYYY-MM-DD`, Japan time: the first day.
    pub start_date: String,
    /// The "now" the grid was computed for.
    pub now: String,
    pub columns: Vec<GridColumn>,
    pub anytime_zone_id: String,
    pub days: Vec<GridDay>,
}

/// One hourly time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GridColumn {
    pub time_zone_id: String,
    pub starts: u32,
    pub ends: u32,
    pub is_extra_charge: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GridDay {
    /// `YYYY-MM-DD`, Japan time.
    pub date: String,
    pub anytime: AnytimeCell,
    pub cells: Vec<SlotCell>,
}

/// One hourly slot of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SlotCell {
    pub time_zone_id: String,
    pub starts_at: String,
    pub ends_at: String,
    pub past: bool,
    pub sold_out: bool,
    /// When the latest estimate speaking for this slot was fetched; `None`: none has.
    pub known_as_of: Option<String>,
    /// `known_as_of` is [`KNOWLEDGE_FRESH_SECS`] old or more.
    pub stale: bool,
    pub extra_charge: bool,
    /// Our unexpired, unused holds of the slot.
    pub held: u32,
    /// The soonest of their `expires_at`.
    pub held_expires_at: Option<String>,
    /// Their ids, soonest to expire first: a create may name one.
    pub hold_ids: Vec<String>,
    /// Our deliveries/fetches in the slot.
    pub booked: u32,
}

/// The day's 時間指定なし zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AnytimeCell {
    pub past: bool,
    pub held: u32,
    pub held_expires_at: Option<String>,
    pub hold_ids: Vec<String>,
    pub booked: u32,
}

/// Our holds of one slot, soonest to expire first.
#[derive(Default)]
struct Held {
    ids: Vec<String>,
    soonest: Option<String>,
}

impl Cache {
    /// The grid of `store_id` for [`GRID_DAYS`] days from `start_date` (`YYYY-MM-DD`, Japan
    /// time) as of `now` (RFC 3339). Either not reading is an error.
    pub fn slot_grid(
        &self,
        store_id: &str,
        start_date: &str,
        now: &str,
    ) -> Result<SlotGrid, CacheError> {
        self.with(|c| {
            // One read transaction: the four reads see one state, not a sync half applied.
            let tx = c.transaction()?;
            let grid = slot_grid(&tx, store_id, start_date, now)?;
            tx.commit()?;
            Ok(grid)
        })
    }
}

fn slot_grid(
    c: &Connection,
    store_id: &str,
    start_date: &str,
    now: &str,
) -> rusqlite::Result<SlotGrid> {
    let now_epoch = epoch("now", now)?;
    let first = epoch("start_date", &midnight(start_date))
        .map_err(|_| invalid("start_date", start_date))?;
    let end = first + DAY * GRID_DAYS as i64;
    // One date more than shown: the last day's 23時 slot ends on it.
    let dates =
        dates_from(start_date, GRID_DAYS + 1).ok_or_else(|| invalid("start_date", start_date))?;
    let last_date = &dates[GRID_DAYS - 1];
    let zones = Zones::read(c)?;

    let mut held: std::collections::HashMap<(String, Option<u32>), Held> = Default::default();
    let mut stmt = c.prepare_cached(
        "SELECT id, date, hour, expires_at FROM holds
         WHERE store_id = ?1 AND date >= ?2 AND date <= ?3 AND used_by IS NULL
           AND expires_epoch > ?4
         ORDER BY expires_epoch, id",
    )?;
    let rows = stmt.query_map(params![store_id, start_date, last_date, now_epoch], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<u32>>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (id, date, hour, expires_at) = row?;
        let h = held.entry((date, hour)).or_default();
        h.soonest.get_or_insert(expires_at);
        h.ids.push(id);
    }

    let mut booked: std::collections::HashMap<(String, Option<u32>), u32> = Default::default();
    let mut stmt = c.prepare_cached(
        "SELECT window_date, window_starts_at FROM orders
         WHERE store_id = ?1 AND window_date >= ?2 AND window_date <= ?3
           AND status <> 'canceled'",
    )?;
    let rows = stmt.query_map(params![store_id, start_date, last_date], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    for row in rows {
        let (window_date, starts_at) = row?;
        let key = match starts_at {
            None => (window_date, None),
            // An order whose window start does not read is left out, not guessed at.
            Some(s) => match read_time("window_starts_at", &s) {
                Ok(t) => (t.date, Some(hour(t.epoch))),
                Err(_) => continue,
            },
        };
        *booked.entry(key).or_default() += 1;
    }

    let mut stmt = c.prepare_cached(
        "SELECT starts_epoch, ends_epoch FROM unavailable_windows
         WHERE store_id = ?1 AND starts_epoch < ?3 AND ends_epoch > ?2",
    )?;
    let sold_out: Vec<(i64, i64)> = stmt
        .query_map(params![store_id, first, end], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;

    // Newest first: the first covering a slot is the one that speaks for it.
    let mut stmt = c.prepare_cached(
        "SELECT covers_from, covers_until, fetched_at, fetched_epoch FROM estimates
         WHERE store_id = ?1 AND covers_until > ?2 AND covers_from < ?3
         ORDER BY seq DESC",
    )?;
    let answers: Vec<(i64, i64, String, i64)> = stmt
        .query_map(params![store_id, first, end], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;

    let days = (0..GRID_DAYS)
        .map(|d| {
            let date = &dates[d];
            let day_start = first + DAY * d as i64;
            let cells = zones
                .hourly
                .iter()
                .map(|z| {
                    let starts = day_start + HOUR * i64::from(z.starts);
                    let end_hour = if z.ends <= z.starts {
                        z.ends + 24
                    } else {
                        z.ends
                    };
                    let ends = day_start + HOUR * i64::from(end_hour);
                    let known = answers
                        .iter()
                        .find(|(from, until, _, _)| *from <= starts && starts < *until);
                    let h = held
                        .remove(&(date.clone(), Some(z.starts)))
                        .unwrap_or_default();
                    SlotCell {
                        time_zone_id: z.id.clone(),
                        starts_at: at_hour(&dates, d, z.starts),
                        ends_at: at_hour(&dates, d, end_hour),
                        past: starts <= now_epoch,
                        sold_out: sold_out.iter().any(|(s, e)| *s <= starts && *e >= ends),
                        known_as_of: known.map(|k| k.2.clone()),
                        stale: known.is_some_and(|k| now_epoch - k.3 >= KNOWLEDGE_FRESH_SECS),
                        extra_charge: z.is_extra_charge,
                        held: u32::try_from(h.ids.len()).unwrap_or(u32::MAX),
                        held_expires_at: h.soonest,
                        hold_ids: h.ids,
                        booked: booked
                            .get(&(date.clone(), Some(z.starts)))
                            .copied()
                            .unwrap_or(0),
                    }
                })
                .collect();
            let h = held.remove(&(date.clone(), None)).unwrap_or_default();
            GridDay {
                date: date.clone(),
                anytime: AnytimeCell {
                    past: day_start + DAY <= now_epoch,
                    held: u32::try_from(h.ids.len()).unwrap_or(u32::MAX),
                    held_expires_at: h.soonest,
                    hold_ids: h.ids,
                    booked: booked.get(&(date.clone(), None)).copied().unwrap_or(0),
                },
                cells,
            }
        })
        .collect();
    Ok(SlotGrid {
        store_id: store_id.to_owned(),
        start_date: start_date.to_owned(),
        now: now.to_owned(),
        columns: zones
            .hourly
            .iter()
            .map(|z| GridColumn {
                time_zone_id: z.id.clone(),
                starts: z.starts,
                ends: z.ends,
                is_extra_charge: z.is_extra_charge,
            })
            .collect(),
        anytime_zone_id: zones.anytime_id,
        days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::windows::fixtures::{STORE, delivery_estimate};
    use crate::{CachedOrder, EstimateAnswer, StatusOrigin};
    use hakobu_diaq::Window;
    use hakobu_diaq::time_zone::ANYTIME_ID;

    const START: &str = "2026-11-24";
    /// The column of the hour `h` (the document's zones start at 6).
    fn col(h: u32) -> usize {
        usize::try_from(h - 6).unwrap()
    }

    fn cache(dir: &tempfile::TempDir) -> Cache {
        Cache::open(&dir.path().join("cache.db")).unwrap()
    }

    fn grid(cache: &Cache, now: &str) -> SlotGrid {
        cache.slot_grid(STORE, START, now).unwrap()
    }

    fn window(id: &str, date: &str, hour: Option<u32>, expires: &str) -> Window {
        match hour {
            Some(h) => Window {
                id: id.into(),
                starts_at: Some(format!("{date}T{h:02}:00:00+09:00")),
                ends_at: format!("{date}T{:02}:00:00+09:00", h + 1),
                expires_at: expires.into(),
            },
            None => Window {
                id: id.into(),
                starts_at: None,
                ends_at: "2026-11-26T00:00:00+09:00".into(),
                expires_at: expires.into(),
            },
        }
    }

    fn order(id: &str, store: &str, status: &str, starts: Option<&str>, date: &str) -> CachedOrder {
        CachedOrder {
            id: id.into(),
            kind: "delivery".into(),
            store_id: store.into(),
            status: status.into(),
            tracking_code: format!("0000000000{id}"),
            window_starts_at: starts.map(str::to_owned),
            window_ends_at: format!("{date}T23:59:00+09:00"),
            window_date: date.into(),
            customer_name: "佐藤 一郎".into(),
            customer_phone: "03-1234-5678".into(),
            customer_address: "東京都港区".into(),
            order_refs: Vec::new(),
            customer_lat: None,
            customer_lng: None,
            api_update: "2026-11-23T09:00:00.000+09:00".into(),
            body: serde_json::Value::Null,
            fetched_at: "2026-11-23T09:00:00+09:00".into(),
        }
    }

    #[test]
    fn fourteen_days_of_the_documents_eighteen_zones_across_a_month_end() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let g = cache
            .slot_grid(STORE, "2026-11-24", "2026-11-20T09:00:00+09:00")
            .unwrap();
        assert_eq!(g.days.len(), GRID_DAYS);
        assert_eq!(g.columns.len(), 18);
        assert!(g.days.iter().all(|d| d.cells.len() == 18));
        assert_eq!(
            g.columns.iter().map(|c| c.starts).collect::<Vec<_>>(),
            (6..=23).collect::<Vec<_>>()
        );
        let extra: Vec<u32> = g
            .columns
            .iter()
            .filter(|c| c.is_extra_charge)
            .map(|c| c.starts)
            .collect();
        assert_eq!(extra, [6, 7, 22, 23]);
        assert_eq!(g.anytime_zone_id, ANYTIME_ID);
        assert_eq!(g.days[6].date, "2026-11-30");
        assert_eq!(g.days[7].date, "2026-12-01");
        assert_eq!(g.days[13].date, "2026-12-07");
        let last = &g.days[13].cells[col(23)];
        assert_eq!(
            (last.starts_at.as_str(), last.ends_at.as_str()),
            ("2026-12-07T23:00:00+09:00", "2026-12-08T00:00:00+09:00")
        );
        assert!(last.extra_charge);
        let first = &g.days[0].cells[0];
        assert_eq!(
            (first.starts_at.as_str(), first.ends_at.as_str()),
            ("2026-11-24T06:00:00+09:00", "2026-11-24T07:00:00+09:00")
        );
        // Nothing known: free, not past, no knowledge.
        assert!(g.days.iter().flat_map(|d| &d.cells).all(|c| !c.past
            && !c.sold_out
            && c.known_as_of.is_none()
            && !c.stale
            && c.held == 0
            && c.booked == 0));
        let json = serde_json::to_value(&g).unwrap();
        assert_eq!(
            json["days"][0]["cells"][0]["time_zone_id"],
            g.columns[0].time_zone_id
        );
    }

    #[test]
    fn cached_time_zones_are_the_columns() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let mut zones = hakobu_diaq::time_zones();
        // A zone list that differs from the document's shows as it is cached.
        zones[7].is_extra_charge = true; // 12時
        zones.retain(|z| z.starts != 23);
        cache
            .replace_time_zones(&zones, "2026-11-23T08:00:00+09:00")
            .unwrap();
        let g = grid(&cache, "2026-11-23T09:00:00+09:00");
        assert_eq!(g.columns.len(), 17);
        assert!(g.days[0].cells[col(12)].extra_charge);
        assert_eq!(g.days[0].cells[col(12)].time_zone_id, zones[7].id);
    }

    #[test]
    fn our_unexpired_unused_holds_are_held_with_the_soonest_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let soon = "2026-11-23T09:20:00+09:00";
        let later = "2026-11-23T09:30:00+09:00";
        for w in [
            window("a", "2026-11-25", Some(10), later),
            window("b", "2026-11-25", Some(10), soon),
            window("c", "2026-11-25", Some(11), soon),
            window("any", "2026-11-25", None, later),
        ] {
            let zone = if w.starts_at.is_some() {
                "z"
            } else {
                ANYTIME_ID
            };
            cache
                .record_reserved_window(STORE, "2026-11-25", zone, &w, "2026-11-23T09:00:00+09:00")
                .unwrap();
        }
        let g = grid(&cache, "2026-11-23T09:10:00+09:00");
        let ten = &g.days[1].cells[col(10)];
        assert_eq!((ten.held, ten.held_expires_at.as_deref()), (2, Some(soon)));
        assert_eq!(ten.hold_ids, ["b", "a"]);
        assert_eq!(g.days[1].anytime.held, 1);
        assert_eq!(g.days[1].anytime.hold_ids, ["any"]);
        assert_eq!(g.days[0].cells[col(10)].held, 0, "another day");

        // Expiring at now is expired.
        let g = grid(&cache, soon);
        assert_eq!(g.days[1].cells[col(10)].hold_ids, ["a"]);
        assert_eq!(g.days[1].cells[col(11)].held, 0);

        // Used: the order shows as booked instead, once cached.
        assert!(cache.mark_hold_used("a", "d-1").unwrap());
        let g = grid(&cache, "2026-11-23T09:10:00+09:00");
        assert_eq!(g.days[1].cells[col(10)].hold_ids, ["b"]);

        // Another store's grid shows none of them.
        let other = cache
            .slot_grid("other", START, "2026-11-23T09:10:00+09:00")
            .unwrap();
        assert!(
            other
                .days
                .iter()
                .all(|d| d.anytime.held == 0 && d.cells.iter().all(|c| c.held == 0))
        );
    }

    #[test]
    fn our_orders_are_booked_in_their_slot_unless_canceled() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        cache
            .upsert_orders(
                &[
                    order(
                        "1",
                        STORE,
                        "created",
                        Some("2026-11-24T14:00:00+09:00"),
                        "2026-11-24",
                    ),
                    order(
                        "2",
                        STORE,
                        "delivering",
                        Some("2026-11-24T05:00:00Z"),
                        "2026-11-24",
                    ),
                    order("3", STORE, "returning", None, "2026-11-24"),
                    order(
                        "4",
                        STORE,
                        "canceled",
                        Some("2026-11-24T14:00:00+09:00"),
                        "2026-11-24",
                    ),
                    order(
                        "5",
                        "other",
                        "created",
                        Some("2026-11-24T14:00:00+09:00"),
                        "2026-11-24",
                    ),
                    order(
                        "6",
                        STORE,
                        "created",
                        Some("2026-12-08T14:00:00+09:00"),
                        "2026-12-08",
                    ),
                    // An unreadable start is left out, not guessed at.
                    order("7", STORE, "created", Some("14時"), "2026-11-24"),
                ],
                StatusOrigin::SYNC,
            )
            .unwrap();
        let g = grid(&cache, "2026-11-23T09:00:00+09:00");
        let day = &g.days[0];
        assert_eq!(
            day.cells[col(14)].booked,
            2,
            "05:00Z is 14時 in Japan; canceled and other stores not counted"
        );
        assert_eq!(day.anytime.booked, 1);
        let total: u32 = g
            .days
            .iter()
            .map(|d| d.anytime.booked + d.cells.iter().map(|c| c.booked).sum::<u32>())
            .sum();
        assert_eq!(total, 3, "12-08 is after the 14 days");
    }

    #[test]
    fn sold_out_slots_come_from_the_latest_answer_covering_them() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let at = |h: u32| format!("2026-11-24T{h:02}:00:00+09:00");
        let first = delivery_estimate(
            "est-1",
            &[("w1", Some(&at(12)), &at(13), "2026-11-23T09:30:00+09:00")],
            &[(&at(10), &at(11)), (&at(11), &at(12)), (&at(12), &at(13))],
        );
        cache
            .record_estimate(
                EstimateAnswer::Delivery(&first),
                "c1",
                "2026-11-23T09:00:00+09:00",
            )
            .unwrap();
        let g = grid(&cache, "2026-11-23T09:10:00+09:00");
        let day = &g.days[0];
        assert!(!day.cells[col(9)].sold_out);
        assert_eq!(
            day.cells[col(9)].known_as_of,
            None,
            "before the answer's range"
        );
        for h in [10, 11, 12] {
            assert!(day.cells[col(h)].sold_out, "{h}時");
        }
        assert!(!day.cells[col(13)].sold_out);
        assert_eq!(
            day.cells[col(13)].known_as_of.as_deref(),
            Some("2026-11-23T09:00:00+09:00"),
            "in range and not listed: known to have room"
        );
        assert!(day.cells[col(12)].held == 1 && !day.cells[col(12)].stale);
        // The horizon of an answer fetched 11-23 ends with 12-07.
        assert!(g.days[13].cells[col(23)].known_as_of.is_some());
        let beyond = cache
            .slot_grid(STORE, "2026-12-08", "2026-11-23T09:10:00+09:00")
            .unwrap();
        assert_eq!(beyond.days[0].cells[col(6)].known_as_of, None);

        // A newer answer from 11時 on: 11時 has room again, 14時 is sold out; 10時 is still
        // as the first answer said.
        let second = delivery_estimate(
            "est-2",
            &[("w2", Some(&at(11)), &at(12), "2026-11-23T10:00:00+09:00")],
            &[(&at(11), &at(12)), (&at(14), &at(15))],
        );
        cache
            .record_estimate(
                EstimateAnswer::Delivery(&second),
                "c2",
                "2026-11-23T09:30:00+09:00",
            )
            .unwrap();
        let g = grid(&cache, "2026-11-23T09:45:00+09:00");
        let day = &g.days[0];
        let as_of = |h: u32| day.cells[col(h)].known_as_of.clone().unwrap();
        assert!(day.cells[col(10)].sold_out);
        assert_eq!(as_of(10), "2026-11-23T09:00:00+09:00");
        assert!(day.cells[col(10)].stale, "45 minutes old");
        assert!(day.cells[col(11)].sold_out, "our own new hold filled it");
        assert!(!day.cells[col(12)].sold_out);
        assert_eq!(as_of(12), "2026-11-23T09:30:00+09:00");
        assert!(!day.cells[col(12)].stale);
        assert!(day.cells[col(14)].sold_out);
        // Exactly as old as a hold lasts: the holds it saw may all have lapsed.
        let g = grid(&cache, "2026-11-23T10:00:00+09:00");
        assert!(g.days[0].cells[col(12)].stale);
        let g = grid(&cache, "2026-11-23T09:59:59+09:00");
        assert!(!g.days[0].cells[col(12)].stale);
    }

    #[test]
    fn started_slots_and_finished_days_are_past() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let g = grid(&cache, "2026-11-25T10:00:00+09:00");
        assert!(g.days[0].anytime.past && g.days[0].cells.iter().all(|c| c.past));
        let day = &g.days[1];
        assert!(!day.anytime.past);
        assert!(day.cells[col(10)].past, "started at now");
        assert!(!day.cells[col(11)].past);
        assert!(!g.days[2].cells[0].past);
    }

    #[test]
    fn a_start_date_or_now_that_does_not_read_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let now = "2026-11-23T09:00:00+09:00";
        for bad in [
            "2026-11-31",
            "tomorrow",
            "2026-1-05",
            "2026-11-24T00:00:00+09:00",
            "",
        ] {
            let e = cache.slot_grid(STORE, bad, now).unwrap_err();
            assert!(
                e.to_string().contains("start_date: cannot be read"),
                "{bad}: {e}"
            );
        }
        let e = cache.slot_grid(STORE, START, "9時").unwrap_err();
        assert!(e.to_string().contains("now: cannot be read"), "{e}");
    }

    #[test]
    fn the_grid_reads_through_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let plan = |sql: &str| -> String {
            cache
                .with(|c| {
                    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = stmt.query_map([], |r| r.get::<_, String>(3))?;
                    rows.collect::<rusqlite::Result<Vec<_>>>()
                })
                .unwrap()
                .join("; ")
        };
        let cases = [
            (
                "SELECT id FROM holds WHERE store_id = 's' AND date >= '2026-11-24'
                 AND date <= '2026-12-07' AND used_by IS NULL AND expires_epoch > 0
                 ORDER BY expires_epoch, id",
                "holds_unused_by_store",
            ),
            (
                "SELECT window_date FROM orders WHERE store_id = 's'
                 AND window_date >= '2026-11-24' AND window_date <= '2026-12-07'
                 AND status <> 'canceled'",
                "orders_by_store",
            ),
            (
                "SELECT starts_epoch FROM unavailable_windows WHERE store_id = 's'
                 AND starts_epoch < 2 AND ends_epoch > 1",
                "PRIMARY KEY",
            ),
            (
                "SELECT fetched_at FROM estimates WHERE store_id = 's' AND covers_until > 1
                 AND covers_from < 2 ORDER BY seq DESC",
                "estimates_by_store",
            ),
        ];
        for (sql, index) in cases {
            let p = plan(sql);
            assert!(p.contains(index), "{p}");
        }
    }
}
