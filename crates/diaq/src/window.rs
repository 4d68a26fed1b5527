//! Delivery windows: the TimeWindow/AnytimeWindow objects, the (date, time zone) slots behind
//! them, and the document's rules for the earliest slot an estimate may hold.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::time::{at_hour, format, jst, midnight};
use crate::time_zone::{ANYTIME_ID, time_zones};

/// TimeWindow (`starts_at` set) or AnytimeWindow (`starts_at` null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    pub id: String,
    pub starts_at: Option<String>,
    pub ends_at: String,
    pub expires_at: String,
}

/// A sold-out slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnavailableWindow {
    pub starts_at: String,
    pub ends_at: String,
}

/// How far ahead `ready_by`/`deliver_by` and windows may be: 14 days ("15日以上" → 400).
pub const HORIZON_DAYS: i64 = 14;
/// First and last hourly slot starts (6時〜7時 … 23時〜0時).
pub const FIRST_HOUR: u32 = 6;
pub const LAST_HOUR: u32 = 23;

/// One bookable unit of capacity: a date and an hourly zone, or the date's anytime zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub date: NaiveDate,
    /// Start hour 6–23, or `None` for 時間指定なし.
    pub hour: Option<u32>,
}

impl Slot {
    pub fn time(date: NaiveDate, hour: u32) -> Slot {
        Slot {
            date,
            hour: Some(hour),
        }
    }

    pub fn anytime(date: NaiveDate) -> Slot {
        Slot { date, hour: None }
    }

    /// The slot `time_zone_id` names on `date`, if it is one of the document's 19.
    pub fn from_zone(date: NaiveDate, time_zone_id: &str) -> Option<Slot> {
        if time_zone_id == ANYTIME_ID {
            return Some(Slot::anytime(date));
        }
        time_zones()
            .into_iter()
            .find(|z| z.id == time_zone_id && z.id != ANYTIME_ID)
            .map(|z| Slot::time(date, z.starts))
    }

    pub fn time_zone_id(self) -> String {
        match self.hour {
            None => ANYTIME_ID.to_owned(),
            Some(h) => time_zones()
                .into_iter()
                .find(|z| z.starts == h && z.id != ANYTIME_ID)
                .map(|z| z.id)
                .unwrap_or_default(),
        }
    }

    pub fn is_extra_charge(self) -> bool {
        self.hour.is_some_and(|h| {
            time_zones()
                .iter()
                .any(|z| z.starts == h && z.id != ANYTIME_ID && z.is_extra_charge)
        })
    }

    pub fn starts_at(self) -> Option<DateTime<FixedOffset>> {
        self.hour.map(|h| at_hour(self.date, h))
    }

    /// The end of the hour, or midnight after the date for an anytime slot.
    pub fn ends_at(self) -> DateTime<FixedOffset> {
        match self.hour {
            Some(h) => at_hour(self.date, h + 1),
            None => midnight(self.date + Duration::days(1)),
        }
    }

    /// The window object for a hold of this slot.
    pub fn window(self, id: String, expires_at: DateTime<FixedOffset>) -> Window {
        Window {
            id,
            starts_at: self.starts_at().map(format),
            ends_at: format(self.ends_at()),
            expires_at: format(expires_at),
        }
    }

    pub fn unavailable(self) -> UnavailableWindow {
        UnavailableWindow {
            starts_at: format(self.starts_at().unwrap_or_else(|| midnight(self.date))),
            ends_at: format(self.ends_at()),
        }
    }
}

pub fn today(now: DateTime<FixedOffset>) -> NaiveDate {
    now.with_timezone(&jst()).date_naive()
}

/// The last date a window may fall on.
pub fn horizon(now: DateTime<FixedOffset>) -> NaiveDate {
    today(now) + Duration::days(HORIZON_DAYS)
}

/// Whether `base` (ready_by/deliver_by) is within the 14 days the document allows.
pub fn within_horizon(now: DateTime<FixedOffset>, base: DateTime<FixedOffset>) -> bool {
    base.with_timezone(&jst()).date_naive() <= horizon(now)
}

/// The earliest start a TimeWindow may have:
/// same day (base is today or earlier): max(now + 5 h, base + 1 h); next day on: base + 1 h.
pub fn earliest_time_start(
    now: DateTime<FixedOffset>,
    base: DateTime<FixedOffset>,
) -> DateTime<FixedOffset> {
    let base_date = base.with_timezone(&jst()).date_naive();
    if base_date <= today(now) {
        (now + Duration::hours(5)).max(base + Duration::hours(1))
    } else {
        base + Duration::hours(1)
    }
}

/// Hourly slots starting at or after `from`, in order, up to the horizon.
pub fn time_slots_from(
    from: DateTime<FixedOffset>,
    last_date: NaiveDate,
) -> impl Iterator<Item = Slot> {
    let from = from.with_timezone(&jst());
    let first_date = from.date_naive();
    let days = (last_date - first_date).num_days().max(-1) + 1;
    (0..days).flat_map(move |d| {
        let date = first_date + Duration::days(d);
        (FIRST_HOUR..=LAST_HOUR)
            .map(move |h| Slot::time(date, h))
            .filter(move |s| s.starts_at().is_some_and(|t| t >= from))
    })
}

/// Anytime slots from `first` to the horizon, in order.
pub fn anytime_slots_from(first: NaiveDate, last_date: NaiveDate) -> impl Iterator<Item = Slot> {
    let days = (last_date - first).num_days().max(-1) + 1;
    (0..days).map(move |d| Slot::anytime(first + Duration::days(d)))
}

/// What an estimate is for: the AnytimeWindow rule differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Delivery,
    Fetch,
}

/// The first date an AnytimeWindow may take: deliveries, the date of base + 30 min;
/// fetches, the date the TimeWindow rule gives. Never before today.
pub fn earliest_anytime_date(
    purpose: Purpose,
    now: DateTime<FixedOffset>,
    base: DateTime<FixedOffset>,
) -> NaiveDate {
    let at = match purpose {
        Purpose::Delivery => base + Duration::minutes(30),
        Purpose::Fetch => earliest_time_start(now, base),
    };
    at.with_timezone(&jst()).date_naive().max(today(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse;

    fn t(s: &str) -> DateTime<FixedOffset> {
        parse(s).unwrap()
    }

    #[test]
    fn same_day_takes_the_later_of_now_plus_5h_and_ready_by_plus_1h() {
        let now = t("2026-11-23T09:10:00+09:00");
        assert_eq!(
            earliest_time_start(now, t("2026-11-23T10:00:00+09:00")),
            t("2026-11-23T14:10:00+09:00")
        );
        assert_eq!(
            earliest_time_start(now, t("2026-11-23T15:30:00+09:00")),
            t("2026-11-23T16:30:00+09:00")
        );
        // A ready_by in the past is still "same day".
        assert_eq!(
            earliest_time_start(now, t("2026-11-20T10:00:00+09:00")),
            t("2026-11-23T14:10:00+09:00")
        );
    }

    #[test]
    fn next_day_is_ready_by_plus_1h() {
        let now = t("2026-11-23T22:00:00+09:00");
        assert_eq!(
            earliest_time_start(now, t("2026-11-24T04:45:00+09:00")),
            t("2026-11-24T05:45:00+09:00")
        );
    }

    #[test]
    fn slots_start_at_or_after_the_threshold_and_roll_over_days() {
        let last = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut slots = time_slots_from(t("2026-11-23T22:30:00+09:00"), last);
        assert_eq!(
            slots.next(),
            Some(Slot::time(
                NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                23
            ))
        );
        assert_eq!(
            slots.next(),
            Some(Slot::time(
                NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
                6
            ))
        );
        let on_the_hour: Vec<Slot> =
            time_slots_from(t("2026-11-25T22:00:00+09:00"), last).collect();
        assert_eq!(on_the_hour.len(), 2, "22時 and 23時 on the last day");
    }

    #[test]
    fn windows_render_as_the_document_writes_them() {
        let d = NaiveDate::from_ymd_opt(2018, 10, 25).unwrap();
        let exp = t("2018-10-22T18:52:18+09:00");
        let w = Slot::time(d, 6).window("x".into(), exp);
        assert_eq!(w.starts_at.as_deref(), Some("2018-10-25T06:00:00+09:00"));
        assert_eq!(w.ends_at, "2018-10-25T07:00:00+09:00");
        let late = Slot::time(d, 23).window("y".into(), exp);
        assert_eq!(late.ends_at, "2018-10-26T00:00:00+09:00");
        let any = Slot::anytime(d).window("z".into(), exp);
        assert_eq!(
            (any.starts_at, any.ends_at.as_str()),
            (None, "2018-10-26T00:00:00+09:00")
        );
        assert!(Slot::time(d, 6).is_extra_charge() && Slot::time(d, 22).is_extra_charge());
        assert!(!Slot::time(d, 12).is_extra_charge() && !Slot::anytime(d).is_extra_charge());
    }

    #[test]
    fn zones_map_to_slots_and_back() {
        let d = NaiveDate::from_ymd_opt(2018, 10, 26).unwrap();
        let s = Slot::from_zone(d, "f30316b2-8e9e-40cf-827c-09a3e88c3ea3").unwrap();
        assert_eq!(s, Slot::time(d, 12));
        assert_eq!(s.time_zone_id(), "f30316b2-8e9e-40cf-827c-09a3e88c3ea3");
        assert_eq!(Slot::from_zone(d, ANYTIME_ID), Some(Slot::anytime(d)));
        assert_eq!(Slot::from_zone(d, "nope"), None);
    }

    #[test]
    fn anytime_dates() {
        let now = t("2026-11-23T09:00:00+09:00");
        let late = t("2026-11-23T23:45:00+09:00");
        assert_eq!(
            earliest_anytime_date(Purpose::Delivery, now, late),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        assert_eq!(
            earliest_anytime_date(Purpose::Fetch, now, t("2026-11-23T10:00:00+09:00")),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert!(within_horizon(now, t("2026-12-07T23:59:00+09:00")));
        assert!(!within_horizon(now, t("2026-12-08T00:00:00+09:00")));
    }
}
