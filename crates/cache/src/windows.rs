//! Estimates and the windows the API holds for us ("holds"), and what estimates say is sold
//! out: recorded from the outbox's acked answers, read by the 枠カレンダー ([`crate::SlotGrid`]).
//!
//! Rules (docs/decisions.md "Window grid"):
//! - Every window of an estimate answer, and a `reserve_windows` answer, is a hold until a
//!   delivery/fetch is created with it ([`Cache::mark_hold_used`]) or it expires.
//! - An estimate's `unavailable_windows` speak for the hourly slots from its earliest
//!   candidate slot to its 14-day horizon ("covers"): the newest answer of a store replaces
//!   what older ones said from its `covers_from` on; before that, older knowledge stays.
//! - Timestamps are the API's strings; this module reads them with hakobu-diaq's parser and
//!   keeps unix seconds beside them. A timestamp that does not read is an error and nothing
//!   of that answer is recorded (one transaction).

use hakobu_diaq::window::HORIZON_DAYS;
use hakobu_diaq::{DeliveryEstimate, FetchEstimate, Package, UnavailableWindow, Window};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::jst::{self, DAY, epoch, invalid, read_time};
use crate::time_zones::Zones;
use crate::{Cache, CacheError};

/// How long recorded windows are kept after their time: an estimate whose horizon is over,
/// an expired hold or a past sold-out slot says nothing about any slot still to come.
pub const WINDOWS_KEPT_SECS: i64 = (HORIZON_DAYS + 1) * DAY;

/// An estimate answer as the client decoded it.
#[derive(Debug, Clone, Copy)]
pub enum EstimateAnswer<'a> {
    Delivery(&'a DeliveryEstimate),
    Fetch(&'a FetchEstimate),
}

impl EstimateAnswer<'_> {
    fn kind(self) -> &'static str {
        match self {
            EstimateAnswer::Delivery(_) => "delivery",
            EstimateAnswer::Fetch(_) => "fetch",
        }
    }

    fn api_id(&self) -> Option<&str> {
        match self {
            EstimateAnswer::Delivery(e) => e.id.as_deref(),
            EstimateAnswer::Fetch(e) => e.id.as_deref(),
        }
    }

    fn store_id(&self) -> &str {
        match self {
            EstimateAnswer::Delivery(e) => &e.store.store_id,
            EstimateAnswer::Fetch(e) => &e.store.store_id,
        }
    }

    fn base(&self) -> &str {
        match self {
            EstimateAnswer::Delivery(e) => &e.ready_by,
            EstimateAnswer::Fetch(e) => &e.deliver_by,
        }
    }

    fn windows(&self) -> &[Window] {
        match self {
            EstimateAnswer::Delivery(e) => &e.delivery_windows,
            EstimateAnswer::Fetch(e) => &e.fetch_windows,
        }
    }

    fn unavailable(&self) -> &[UnavailableWindow] {
        match self {
            EstimateAnswer::Delivery(e) => &e.unavailable_windows,
            EstimateAnswer::Fetch(e) => &e.unavailable_windows,
        }
    }

    fn distance(&self) -> u32 {
        match self {
            EstimateAnswer::Delivery(e) => e.distance,
            EstimateAnswer::Fetch(e) => e.distance,
        }
    }

    fn packages(&self) -> &[Package] {
        match self {
            EstimateAnswer::Delivery(e) => &e.packages,
            EstimateAnswer::Fetch(e) => &e.packages,
        }
    }

    fn body(&self) -> Value {
        let body = match self {
            EstimateAnswer::Delivery(e) => serde_json::to_value(e),
            EstimateAnswer::Fetch(e) => serde_json::to_value(e),
        };
        body.unwrap_or(Value::Null)
    }
}

/// An estimate as the cache holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedEstimate {
    pub id: String,
    /// `delivery` or `fetch`
    pub kind: String,
    pub store_id: String,
    /// The request's `ready_by` (deliveries) or `deliver_by` (fetches).
    pub base: String,
    /// Metres.
    pub distance: u32,
    /// Yen: the packages' `price`s summed; `None` when no package had one.
    pub price: Option<u64>,
    /// Unix seconds: the hourly slots the answer's sold-out list speaks for.
    pub covers_from: Option<i64>,
    pub covers_until: Option<i64>,
    pub body: Value,
    pub fetched_at: String,
}

/// A window the API holds (or held) for us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedHold {
    pub id: String,
    /// `None` for a `reserve_windows` hold.
    pub estimate_id: Option<String>,
    pub store_id: String,
    /// `YYYY-MM-DD`, Japan time.
    pub date: String,
    /// Start hour (Japan time); `None` for an AnytimeWindow.
    pub hour: Option<u32>,
    pub time_zone_id: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: String,
    pub anytime: bool,
    pub is_extra_charge: bool,
    pub expires_at: String,
    /// The delivery or fetch created with it.
    pub used_by: Option<String>,
    pub fetched_at: String,
}

const HOLD_COLUMNS: &str = "id, estimate_id, store_id, date, hour, time_zone_id, starts_at, \
    ends_at, anytime, is_extra_charge, expires_at, used_by, fetched_at";

impl Cache {
    /// Records an estimate answer: the estimate, a hold per window, and its sold-out slots
    /// replacing what older answers said of the slots it covers. One transaction. An answer
    /// already recorded (a replayed response has the same id) changes nothing. `fallback_id`
    /// names the estimate when the API sent no id (the outbox's client id).
    pub fn record_estimate(
        &self,
        answer: EstimateAnswer<'_>,
        fallback_id: &str,
        fetched_at: &str,
    ) -> Result<String, CacheError> {
        let id = answer.api_id().unwrap_or(fallback_id).to_owned();
        self.with(|c| {
            let tx = c.transaction()?;
            record_estimate(&tx, &answer, &id, fetched_at)?;
            tx.commit()?;
            Ok(id.clone())
        })
    }

    /// Records a `reserve_windows` answer: the request names the store, date and time zone
    /// (the window object does not).
    pub fn record_reserved_window(
        &self,
        store_id: &str,
        reserve_date: &str,
        time_zone_id: &str,
        window: &Window,
        fetched_at: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let zones = Zones::read(&tx)?;
            let mut hold = hold_of(&zones, window, store_id, None, fetched_at)?;
            // The request is the authority on which zone and date were reserved.
            hold.date = reserve_date.to_owned();
            hold.time_zone_id = Some(time_zone_id.to_owned());
            hold.is_extra_charge |= zones.is_extra_charge(time_zone_id);
            insert_hold(&tx, &hold, epoch("expires_at", &window.expires_at)?)?;
            tx.commit()
        })
    }

    /// Marks the hold `window_id` used by `order_id` (a delivery/fetch created with it): it
    /// no longer shows as held; the order itself shows as booked. False when no unused hold
    /// has that id (a window held by another app, or marked before).
    pub fn mark_hold_used(&self, window_id: &str, order_id: &str) -> Result<bool, CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE holds SET used_by = ?2 WHERE id = ?1 AND used_by IS NULL",
                [window_id, order_id],
            )
            .map(|n| n > 0)
        })
    }

    /// Whether a TimeWindow starting at `starts_at` lies in an extra-charge time zone (早朝・
    /// 深夜), by the cached time zones, else the document's — the same reading a recorded
    /// hold's `is_extra_charge` gets. A timestamp that does not read is an error.
    pub fn is_extra_charge_at(&self, starts_at: &str) -> Result<bool, CacheError> {
        self.with(|c| {
            let zones = Zones::read(c)?;
            let hour = jst::hour(read_time("starts_at", starts_at)?.epoch);
            Ok(zones.at_hour(hour).is_some_and(|z| z.is_extra_charge))
        })
    }

    pub fn hold(&self, id: &str) -> Result<Option<CachedHold>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {HOLD_COLUMNS} FROM holds WHERE id = ?1"),
                [id],
                hold_from_row,
            )
            .optional()
        })
    }

    pub fn estimate(&self, id: &str) -> Result<Option<CachedEstimate>, CacheError> {
        self.with(|c| {
            c.query_row(
                "SELECT id, kind, store_id, base, distance, price, covers_from, covers_until,
                        body, fetched_at
                 FROM estimates WHERE id = ?1",
                [id],
                |r| {
                    let body: String = r.get(8)?;
                    Ok(CachedEstimate {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        store_id: r.get(2)?,
                        base: r.get(3)?,
                        distance: r.get(4)?,
                        price: r.get(5)?,
                        covers_from: r.get(6)?,
                        covers_until: r.get(7)?,
                        body: serde_json::from_str(&body).unwrap_or(Value::Null),
                        fetched_at: r.get(9)?,
                    })
                },
            )
            .optional()
        })
    }
}

fn record_estimate(
    tx: &Connection,
    answer: &EstimateAnswer<'_>,
    id: &str,
    fetched_at: &str,
) -> rusqlite::Result<()> {
    let fetched = epoch("fetched_at", fetched_at)?;
    let zones = Zones::read(tx)?;
    let store_id = answer.store_id();
    let mut holds = Vec::new();
    for w in answer.windows() {
        holds.push((
            hold_of(&zones, w, store_id, Some(id), fetched_at)?,
            epoch("expires_at", &w.expires_at)?,
        ));
    }
    let mut sold_out = Vec::new();
    for u in answer.unavailable() {
        sold_out.push((
            u,
            epoch("unavailable_windows.starts_at", &u.starts_at)?,
            epoch("unavailable_windows.ends_at", &u.ends_at)?,
        ));
    }
    // The earliest slot the answer considered is its held TimeWindow or a sold-out slot
    // before it (every slot between the earliest candidate and the held one is full).
    let time_starts = holds
        .iter()
        .filter_map(|(h, _)| h.starts_at.as_deref())
        .map(|s| epoch("starts_at", s))
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    let covers_from = time_starts
        .into_iter()
        .chain(sold_out.iter().map(|(_, s, _)| *s))
        .min();
    // To the end of the horizon day (today + 14, Japan time) as of when it was fetched.
    let covers_until = covers_from.map(|_| jst::day_start(fetched) + (HORIZON_DAYS + 1) * DAY);
    let price = total_price(answer.packages());
    let inserted = tx.execute(
        "INSERT INTO estimates (id, kind, store_id, base, distance, price, covers_from,
             covers_until, body, fetched_at, fetched_epoch)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO NOTHING",
        params![
            id,
            answer.kind(),
            store_id,
            answer.base(),
            answer.distance(),
            price.and_then(|p| i64::try_from(p).ok()),
            covers_from,
            covers_until,
            answer.body().to_string(),
            fetched_at,
            fetched
        ],
    )?;
    if inserted == 0 {
        return Ok(());
    }
    for (hold, expires) in &holds {
        insert_hold(tx, hold, *expires)?;
    }
    if let Some(from) = covers_from {
        tx.execute(
            "DELETE FROM unavailable_windows WHERE store_id = ?1 AND starts_epoch >= ?2",
            params![store_id, from],
        )?;
        let mut insert = tx.prepare_cached(
            "INSERT OR REPLACE INTO unavailable_windows
                 (store_id, starts_at, ends_at, starts_epoch, ends_epoch, estimate_id, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (u, starts, ends) in &sold_out {
            insert.execute(params![
                store_id,
                u.starts_at,
                u.ends_at,
                starts,
                ends,
                id,
                fetched_at
            ])?;
        }
    }
    prune(tx, fetched)
}

/// The packages' prices summed (each is its line's price, whatever its `boxes`); `None`
/// when no package has one or one does not read as yen.
fn total_price(packages: &[Package]) -> Option<u64> {
    let prices: Vec<&str> = packages.iter().filter_map(|p| p.price.as_deref()).collect();
    if prices.is_empty() {
        return None;
    }
    prices
        .iter()
        .map(|p| p.trim().parse::<u64>().ok())
        .sum::<Option<u64>>()
}

/// Forgets what can no longer matter to any slot from now on (see [`WINDOWS_KEPT_SECS`]).
fn prune(tx: &Connection, now: i64) -> rusqlite::Result<()> {
    let before = now - WINDOWS_KEPT_SECS;
    tx.execute("DELETE FROM estimates WHERE fetched_epoch < ?1", [before])?;
    tx.execute("DELETE FROM holds WHERE expires_epoch < ?1", [before])?;
    tx.execute(
        "DELETE FROM unavailable_windows WHERE ends_epoch < ?1",
        [before],
    )?;
    Ok(())
}

/// The hold a window stands for: its slot read from `starts_at` (TimeWindow) or from
/// `ends_at`, the midnight after its date (AnytimeWindow).
fn hold_of(
    zones: &Zones,
    w: &Window,
    store_id: &str,
    estimate_id: Option<&str>,
    fetched_at: &str,
) -> rusqlite::Result<CachedHold> {
    let (date, hour) = match &w.starts_at {
        Some(starts) => {
            let t = read_time("starts_at", starts)?;
            (t.date, Some(jst::hour(t.epoch)))
        }
        None => {
            let t = read_time("ends_at", &w.ends_at)?;
            // Midnight ends the date before it; any other end lies on its own date.
            let date = if t.epoch == jst::day_start(t.epoch) {
                t.day_before.ok_or_else(|| invalid("ends_at", &w.ends_at))?
            } else {
                t.date
            };
            (date, None)
        }
    };
    let zone = hour.and_then(|h| zones.at_hour(h)).cloned();
    Ok(CachedHold {
        id: w.id.clone(),
        estimate_id: estimate_id.map(str::to_owned),
        store_id: store_id.to_owned(),
        date,
        hour,
        time_zone_id: match hour {
            Some(_) => zone.as_ref().map(|z| z.id.clone()),
            None => Some(zones.anytime_id.clone()),
        },
        starts_at: w.starts_at.clone(),
        ends_at: w.ends_at.clone(),
        anytime: hour.is_none(),
        is_extra_charge: zone.is_some_and(|z| z.is_extra_charge),
        expires_at: w.expires_at.clone(),
        used_by: None,
        fetched_at: fetched_at.to_owned(),
    })
}

/// A hold already known keeps its row: it may be marked used since.
fn insert_hold(c: &Connection, h: &CachedHold, expires_epoch: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO holds (id, estimate_id, store_id, date, hour, time_zone_id, starts_at,
             ends_at, anytime, is_extra_charge, expires_at, expires_epoch, used_by, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        h.id,
        h.estimate_id,
        h.store_id,
        h.date,
        h.hour,
        h.time_zone_id,
        h.starts_at,
        h.ends_at,
        h.anytime,
        h.is_extra_charge,
        h.expires_at,
        expires_epoch,
        h.fetched_at
    ])?;
    Ok(())
}

fn hold_from_row(r: &Row<'_>) -> rusqlite::Result<CachedHold> {
    Ok(CachedHold {
        id: r.get(0)?,
        estimate_id: r.get(1)?,
        store_id: r.get(2)?,
        date: r.get(3)?,
        hour: r.get(4)?,
        time_zone_id: r.get(5)?,
        starts_at: r.get(6)?,
        ends_at: r.get(7)?,
        anytime: r.get(8)?,
        is_extra_charge: r.get(9)?,
        expires_at: r.get(10)?,
        used_by: r.get(11)?,
        fetched_at: r.get(12)?,
    })
}

/// Estimate answers for this crate's tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use hakobu_diaq::DeliveryEstimate;
    use serde_json::{Value, json};

    pub const STORE: &str = "1724e928-f458-468d-9987-1c38a227e172";

    /// A delivery estimate of `STORE` holding `windows` (`(id, starts_at, ends_at,
    /// expires_at)`) and listing `sold_out` (`(starts_at, ends_at)`).
    pub fn delivery_estimate(
        id: &str,
        windows: &[(&str, Option<&str>, &str, &str)],
        sold_out: &[(&str, &str)],
    ) -> DeliveryEstimate {
        let windows: Vec<Value> = windows
            .iter()
            .map(|(id, starts, ends, expires)| {
                json!({"id": id, "starts_at": starts, "ends_at": ends, "expires_at": expires})
            })
            .collect();
        let sold_out: Vec<Value> = sold_out
            .iter()
            .map(|(s, e)| json!({"starts_at": s, "ends_at": e}))
            .collect();
        serde_json::from_value(json!({
            "id": id,
            "object": "delivery_estimate",
            "ready_by": "2026-11-24T04:45:00+09:00",
            "delivery_windows": windows,
            "unavailable_windows": sold_out,
            "customer": {"address_zipcode": "123-1234", "address_prefecture": "東京都",
                         "address_line_1": "港区東麻布99-99-11", "address_line_2": ""},
            "store": {"store_id": STORE, "store_name": "ライフスタイルショップ",
                      "store_address_prefecture": "東京都",
                      "store_address_line_1": "港区麻布十番1-2-3", "store_address_line_2": "",
                      "store_phone": "03-1111-2222", "store_type": "standalone_store"},
            "distance": 3087,
            "packages": [
                {"service_brand": "80サイズ", "order_reference": "", "name": "衣料",
                 "boxes": 2, "number": 1, "price": "880"},
                {"service_brand": "80サイズ", "order_reference": "x1234", "name": "花瓶",
                 "boxes": 2, "number": 2, "price": "880"}
            ]
        }))
        .expect("the fixture is a delivery_estimate")
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{STORE, delivery_estimate};
    use super::*;
    use hakobu_diaq::time_zone::ANYTIME_ID;
    use serde_json::json;

    const T0: &str = "2026-11-23T09:00:00+09:00";
    /// 10時〜11時 and 22時〜23時 in the document's table.
    const ZONE_10: &str = "cf9cd8d4-ca5e-495c-85e1-78781c5d6abc";
    const ZONE_22: &str = "9d3653d8-6e71-49a3-ace3-835f537fa5d0";

    fn cache(dir: &tempfile::TempDir) -> Cache {
        Cache::open(&dir.path().join("cache.db")).unwrap()
    }

    fn count(cache: &Cache, table: &str) -> i64 {
        cache
            .with(|c| c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)))
            .unwrap()
    }

    fn usual() -> DeliveryEstimate {
        delivery_estimate(
            "est-1",
            &[
                (
                    "w-time",
                    Some("2026-11-24T10:00:00+09:00"),
                    "2026-11-24T11:00:00+09:00",
                    "2026-11-23T09:30:00+09:00",
                ),
                (
                    "w-any",
                    None,
                    "2026-11-25T00:00:00+09:00",
                    "2026-11-23T09:30:00+09:00",
                ),
            ],
            &[
                ("2026-11-24T08:00:00+09:00", "2026-11-24T09:00:00+09:00"),
                ("2026-11-24T09:00:00+09:00", "2026-11-24T10:00:00+09:00"),
                ("2026-11-24T10:00:00+09:00", "2026-11-24T11:00:00+09:00"),
            ],
        )
    }

    #[test]
    fn an_estimate_is_recorded_with_a_hold_per_window_and_the_range_it_speaks_for() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let e = usual();
        let id = cache
            .record_estimate(EstimateAnswer::Delivery(&e), "client-1", T0)
            .unwrap();
        assert_eq!(id, "est-1");
        let stored = cache.estimate("est-1").unwrap().unwrap();
        assert_eq!(
            (
                stored.kind.as_str(),
                stored.store_id.as_str(),
                stored.base.as_str()
            ),
            ("delivery", STORE, "2026-11-24T04:45:00+09:00")
        );
        assert_eq!((stored.distance, stored.price), (3087, Some(1760)));
        assert_eq!(stored.body, serde_json::to_value(&e).unwrap());
        // From the first sold-out slot (08時, before the held 10時) to the end of
        // 2026-12-07, today + 14 as of the fetch.
        assert_eq!(
            stored.covers_from,
            Some(epoch("", "2026-11-24T08:00:00+09:00").unwrap())
        );
        assert_eq!(
            stored.covers_until,
            Some(epoch("", "2026-12-08T00:00:00+09:00").unwrap())
        );

        let time = cache.hold("w-time").unwrap().unwrap();
        assert_eq!(
            (
                time.date.as_str(),
                time.hour,
                time.time_zone_id.as_deref(),
                time.anytime
            ),
            ("2026-11-24", Some(10), Some(ZONE_10), false)
        );
        assert_eq!(time.estimate_id.as_deref(), Some("est-1"));
        assert!(!time.is_extra_charge && time.used_by.is_none());
        let any = cache.hold("w-any").unwrap().unwrap();
        assert_eq!(
            (
                any.date.as_str(),
                any.hour,
                any.time_zone_id.as_deref(),
                any.anytime
            ),
            ("2026-11-24", None, Some(ANYTIME_ID), true),
            "an AnytimeWindow ending at midnight is the date before"
        );
        assert_eq!(count(&cache, "unavailable_windows"), 3);
    }

    #[test]
    fn a_replayed_answer_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let e = usual();
        cache
            .record_estimate(EstimateAnswer::Delivery(&e), "c", T0)
            .unwrap();
        assert!(cache.mark_hold_used("w-time", "delivery-1").unwrap());
        cache
            .record_estimate(
                EstimateAnswer::Delivery(&e),
                "c",
                "2026-11-23T09:05:00+09:00",
            )
            .unwrap();
        assert_eq!(count(&cache, "estimates"), 1);
        let hold = cache.hold("w-time").unwrap().unwrap();
        assert_eq!(hold.used_by.as_deref(), Some("delivery-1"));
        assert_eq!(hold.fetched_at, T0);
    }

    #[test]
    fn a_fetch_estimate_without_prices_or_id_is_kept_under_the_fallback_id() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let mut body = serde_json::to_value(usual()).unwrap();
        let obj = body.as_object_mut().unwrap();
        obj.insert("id".into(), Value::Null);
        obj.insert("object".into(), json!("fetch_estimate"));
        let base = obj.remove("ready_by").unwrap();
        obj.insert("deliver_by".into(), base);
        let windows = obj.remove("delivery_windows").unwrap();
        obj.insert("fetch_windows".into(), windows);
        for p in obj["packages"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("price");
        }
        let fetch: FetchEstimate = serde_json::from_value(body).unwrap();
        let id = cache
            .record_estimate(EstimateAnswer::Fetch(&fetch), "client-9", T0)
            .unwrap();
        assert_eq!(id, "client-9");
        let stored = cache.estimate("client-9").unwrap().unwrap();
        assert_eq!(
            (stored.kind.as_str(), stored.base.as_str(), stored.price),
            ("fetch", "2026-11-24T04:45:00+09:00", None)
        );
        assert_eq!(
            cache
                .hold("w-time")
                .unwrap()
                .unwrap()
                .estimate_id
                .as_deref(),
            Some("client-9")
        );
    }

    #[test]
    fn prices_sum_the_packages_or_are_unknown() {
        let p = |price: Option<&str>| Package {
            service_brand: "80サイズ".into(),
            order_reference: String::new(),
            name: String::new(),
            boxes: 1,
            number: 1,
            price: price.map(str::to_owned),
            height: 0.0,
            width: 0.0,
            depth: 0.0,
            weight: 0.0,
            attention: String::new(),
        };
        assert_eq!(total_price(&[p(Some("880")), p(Some(" 1210"))]), Some(2090));
        assert_eq!(total_price(&[p(None)]), None);
        assert_eq!(total_price(&[p(Some("880")), p(Some("¥880"))]), None);
    }

    #[test]
    fn a_reserved_window_is_a_hold_of_the_requested_zone_without_an_estimate() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let w = Window {
            id: "r-1".into(),
            starts_at: Some("2026-11-26T22:00:00+09:00".into()),
            ends_at: "2026-11-26T23:00:00+09:00".into(),
            expires_at: "2026-11-23T09:30:00+09:00".into(),
        };
        cache
            .record_reserved_window(STORE, "2026-11-26", ZONE_22, &w, T0)
            .unwrap();
        let hold = cache.hold("r-1").unwrap().unwrap();
        assert_eq!(hold.estimate_id, None);
        assert_eq!(
            (hold.date.as_str(), hold.hour, hold.time_zone_id.as_deref()),
            ("2026-11-26", Some(22), Some(ZONE_22))
        );
        assert!(hold.is_extra_charge, "22時 is an extra-charge zone");
        let any = Window {
            id: "r-2".into(),
            starts_at: None,
            ends_at: "2026-11-27T00:00:00+09:00".into(),
            expires_at: "2026-11-23T09:30:00+09:00".into(),
        };
        cache
            .record_reserved_window(STORE, "2026-11-26", ANYTIME_ID, &any, T0)
            .unwrap();
        let hold = cache.hold("r-2").unwrap().unwrap();
        assert!(hold.anytime && !hold.is_extra_charge);
        assert_eq!(hold.date, "2026-11-26");
    }

    #[test]
    fn a_hold_is_used_once_and_an_unknown_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        cache
            .record_estimate(EstimateAnswer::Delivery(&usual()), "c", T0)
            .unwrap();
        assert!(cache.mark_hold_used("w-any", "d-1").unwrap());
        assert!(!cache.mark_hold_used("w-any", "d-2").unwrap());
        assert!(!cache.mark_hold_used("someone-elses", "d-3").unwrap());
        assert_eq!(
            cache.hold("w-any").unwrap().unwrap().used_by.as_deref(),
            Some("d-1")
        );
    }

    #[test]
    fn an_unreadable_timestamp_records_nothing_of_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        let mut bad_expiry = usual();
        bad_expiry.delivery_windows[1].expires_at = "soon".into();
        let e = cache
            .record_estimate(EstimateAnswer::Delivery(&bad_expiry), "c", T0)
            .unwrap_err();
        assert!(e.to_string().contains("expires_at: cannot be read"), "{e}");
        let mut bad_sold_out = usual();
        bad_sold_out.unavailable_windows[2].ends_at = "2026-11-24 11:00".into();
        assert!(
            cache
                .record_estimate(EstimateAnswer::Delivery(&bad_sold_out), "c", T0)
                .is_err()
        );
        assert!(
            cache
                .record_estimate(EstimateAnswer::Delivery(&usual()), "c", "now")
                .is_err()
        );
        for table in ["estimates", "holds", "unavailable_windows"] {
            assert_eq!(count(&cache, table), 0, "{table}");
        }
        let w = Window {
            id: "r-1".into(),
            starts_at: Some("26時".into()),
            ends_at: "2026-11-26T23:00:00+09:00".into(),
            expires_at: "2026-11-23T09:30:00+09:00".into(),
        };
        assert!(
            cache
                .record_reserved_window(STORE, "2026-11-26", ZONE_22, &w, T0)
                .is_err()
        );
        assert_eq!(cache.hold("r-1").unwrap(), None);
    }

    #[test]
    fn rows_over_for_longer_than_the_horizon_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        cache
            .record_estimate(EstimateAnswer::Delivery(&usual()), "c", T0)
            .unwrap();
        let later = delivery_estimate(
            "est-2",
            &[(
                "w-late",
                Some("2026-12-11T10:00:00+09:00"),
                "2026-12-11T11:00:00+09:00",
                "2026-12-10T12:30:00+09:00",
            )],
            &[],
        );
        // 15 days after the first's last slot (11-24 11時) ended.
        cache
            .record_estimate(
                EstimateAnswer::Delivery(&later),
                "c2",
                "2026-12-10T12:00:00+09:00",
            )
            .unwrap();
        assert_eq!(cache.estimate("est-1").unwrap(), None);
        assert_eq!(cache.hold("w-time").unwrap(), None);
        assert!(cache.hold("w-late").unwrap().is_some());
        assert_eq!(count(&cache, "unavailable_windows"), 0);
    }

    #[test]
    fn extra_charge_is_read_from_the_zone_a_window_starts_in() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(&dir);
        // The document's table until a sync stores the API's: 6–8時 and 22–24時 cost extra.
        for (starts_at, extra) in [
            ("2026-11-24T06:00:00+09:00", true),
            ("2026-11-24T07:00:00+09:00", true),
            ("2026-11-24T08:00:00+09:00", false),
            ("2026-11-24T10:00:00+09:00", false),
            ("2026-11-24T13:00:00Z", true), // 22時 in Japan
            ("2026-11-24T23:00:00+09:00", true),
        ] {
            assert_eq!(
                cache.is_extra_charge_at(starts_at).unwrap(),
                extra,
                "{starts_at}"
            );
        }
        // A cached table is the authority once there is one.
        let mut zones = hakobu_diaq::time_zones();
        for z in &mut zones {
            z.is_extra_charge = z.starts == 10;
        }
        cache.replace_time_zones(&zones, T0).unwrap();
        assert!(
            cache
                .is_extra_charge_at("2026-11-24T10:00:00+09:00")
                .unwrap()
        );
        assert!(
            !cache
                .is_extra_charge_at("2026-11-24T06:00:00+09:00")
                .unwrap()
        );
        let e = cache.is_extra_charge_at("tomorrow").unwrap_err();
        assert!(e.to_string().contains("starts_at"), "{e}");
    }
}
