//! Japan time for the window bookkeeping: the API writes `+09:00` timestamps, and its days and
//! hourly slots are Japan's (UTC+9 all year, no daylight saving), so unix seconds convert with
//! a fixed offset. The one place this crate reads the API's times and writes `+09:00` itself.

/// Seconds in an hour and a day.
pub(crate) const HOUR: i64 = 3_600;
pub(crate) const DAY: i64 = 86_400;
/// Japan time is UTC+9 all year.
const OFFSET: i64 = 9 * HOUR;

/// Unix seconds of the Japan-time midnight starting the day `t` falls on.
pub(crate) fn day_start(t: i64) -> i64 {
    let local = t + OFFSET;
    local - local.rem_euclid(DAY) - OFFSET
}

/// The Japan-time hour (0–23) `t` falls in.
pub(crate) fn hour(t: i64) -> u32 {
    u32::try_from((t + OFFSET).rem_euclid(DAY) / HOUR).unwrap_or(0)
}

/// `2026-11-24T00:00:00+09:00`: the start of a `YYYY-MM-DD` date.
pub(crate) fn midnight(date: &str) -> String {
    format!("{date}T00:00:00+09:00")
}

/// `2026-11-24T09:00:00+09:00` for `hour` (0–24) of `dates[day]`, 24 being the next midnight.
pub(crate) fn at_hour(dates: &[String], day: usize, hour: u32) -> String {
    let (date, hour) = if hour >= 24 {
        (&dates[day + 1], hour - 24)
    } else {
        (&dates[day], hour)
    };
    format!("{date}T{hour:02}:00:00+09:00")
}

/// `count` consecutive dates from `start_date`, which must be written `YYYY-MM-DD`.
pub(crate) fn dates_from(start_date: &str, count: usize) -> Option<Vec<String>> {
    let mut d = hakobu_diaq::time::parse(&midnight(start_date))?.date_naive();
    if d.to_string() != start_date {
        return None;
    }
    let mut dates = Vec::with_capacity(count);
    for _ in 0..count {
        dates.push(d.to_string());
        d = d.succ_opt()?;
    }
    Some(dates)
}

/// A timestamp read: unix seconds and its date in Japan time (and the date before, for an
/// end at midnight).
pub(crate) struct ReadTime {
    pub epoch: i64,
    pub date: String,
    pub day_before: Option<String>,
}

/// A timestamp of an answer (or a caller's "now"); one that does not read refuses the write.
pub(crate) fn read_time(field: &str, s: &str) -> rusqlite::Result<ReadTime> {
    let t = hakobu_diaq::time::parse(s).ok_or_else(|| invalid(field, s))?;
    let date = t.date_naive();
    Ok(ReadTime {
        epoch: t.timestamp(),
        date: date.to_string(),
        day_before: date.pred_opt().map(|d| d.to_string()),
    })
}

/// Unix seconds of a timestamp, or the error naming `field`.
pub(crate) fn epoch(field: &str, s: &str) -> rusqlite::Result<i64> {
    read_time(field, s).map(|t| t.epoch)
}

/// A value this crate cannot read is reported as SQLite reports a value it cannot convert.
pub(crate) fn invalid(field: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(format!("{field}: cannot be read: {value:?}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-24T00:00:00+09:00.
    const MIDNIGHT: i64 = 1_795_446_000;

    #[test]
    fn days_and_hours_are_japans() {
        assert_eq!(epoch("t", &midnight("2026-11-24")).unwrap(), MIDNIGHT);
        // 08:59 UTC is 17:59 in Japan, the same day; 15:00 UTC is the next day's midnight.
        assert_eq!(day_start(MIDNIGHT + 17 * HOUR + 59 * 60), MIDNIGHT);
        assert_eq!(hour(MIDNIGHT + 17 * HOUR + 59 * 60), 17);
        assert_eq!(day_start(MIDNIGHT + DAY), MIDNIGHT + DAY);
        assert_eq!(day_start(MIDNIGHT - 1), MIDNIGHT - DAY);
        assert_eq!(hour(MIDNIGHT - 1), 23);
    }

    #[test]
    fn an_end_at_midnight_knows_the_day_before() {
        let t = read_time("ends_at", "2026-11-25T00:00:00+09:00").unwrap();
        assert_eq!(t.date, "2026-11-25");
        assert_eq!(t.day_before.as_deref(), Some("2026-11-24"));
        // The same instant written in UTC reads as Japan's date too.
        assert_eq!(
            read_time("t", "2026-11-24T15:00:00Z").unwrap().date,
            "2026-11-25"
        );
    }

    #[test]
    fn dates_run_on_and_hour_24_is_the_next_midnight() {
        let dates = dates_from("2026-11-30", 2).unwrap();
        assert_eq!(dates, ["2026-11-30", "2026-12-01"]);
        assert_eq!(at_hour(&dates, 0, 9), "2026-11-30T09:00:00+09:00");
        assert_eq!(at_hour(&dates, 0, 24), "2026-12-01T00:00:00+09:00");
        assert_eq!(dates_from("2026-11-31", 1), None, "not a date");
        assert_eq!(dates_from("2026-1-05", 1), None, "not written YYYY-MM-DD");
    }

    #[test]
    fn a_time_that_does_not_read_names_its_field() {
        let e = epoch("expires_at", "tomorrow").unwrap_err();
        assert!(e.to_string().contains("expires_at: cannot be read"), "{e}");
    }
}
