//! Time is passed in, so tests can fix it.

use chrono::{DateTime, FixedOffset, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// RFC 3339 in Japan time (+09:00, no daylight saving), as the DIAq document writes timestamps.
pub fn tokyo_rfc3339(t: DateTime<Utc>) -> String {
    let jst = FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    t.with_timezone(&jst)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_japan_time() {
        let t = DateTime::parse_from_rfc3339("2026-11-22T15:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(tokyo_rfc3339(t), "2026-11-23T00:04:05+09:00");
    }
}
