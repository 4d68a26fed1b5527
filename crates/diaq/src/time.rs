//! Timestamps as the document writes them: ISO 8601 with an offset, in Japan time.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone as _, Utc};

/// Japan Standard Time, +09:00 all year.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00 is valid")
}

/// Parses `2018-10-25T04:45:00+09:00` (RFC 3339; also `Z` and fractional seconds).
pub fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&jst()))
}

/// `2018-10-25T04:45:00+09:00`
pub fn format(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&jst())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `2018-10-24T20:00:00.000+09:00`, as the document writes `update`.
pub fn format_millis(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&jst())
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// Midnight starting `date`, in Japan time.
pub fn midnight(date: NaiveDate) -> DateTime<FixedOffset> {
    jst()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("a fixed offset has no gaps")
}

pub fn at_hour(date: NaiveDate, hour: u32) -> DateTime<FixedOffset> {
    midnight(date) + chrono::Duration::hours(i64::from(hour))
}

pub fn from_utc(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&jst())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_document_form() {
        let t = parse("2018-10-25T04:45:00+09:00").unwrap();
        assert_eq!(format(t), "2018-10-25T04:45:00+09:00");
        assert_eq!(
            format(parse("2018-10-24T19:45:00Z").unwrap()),
            "2018-10-25T04:45:00+09:00"
        );
        assert_eq!(format_millis(t), "2018-10-25T04:45:00.000+09:00");
        for bad in [
            "2018-10-25",
            "2018/10/25 04:45",
            "yesterday",
            "2018-10-25T04:45:00",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
