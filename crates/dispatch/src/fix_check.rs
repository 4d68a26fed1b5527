//! Which location fixes may put a driver on the map. Webhooks are the drivers' only source and
//! nothing confirms them, so a fix that cannot be right — a coordinate off the globe, a time
//! in the future beyond clock skew — is not stored at all: drawn, it would be a marker in the
//! sea, and a future time would freeze the driver (every true fix after it would be older).
//! A fix older than the driver's latest is the cache's call ([`hakobu_cache::FixOutcome`]).
//! Each refusal is logged once per driver and reason: a broken sender repeats itself every
//! few seconds, and the log must stay readable.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use hakobu_cache::DriverFix;

/// How far ahead of our clock a fix's time may be: phones' and servers' clocks drift, and a
/// fix a little ahead is still the freshest news of the driver.
pub(crate) const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(2);

/// Drivers × reasons remembered as logged. Beyond this (a sender inventing driver ids) new
/// refusals are no longer logged one by one; one line says so.
const LOGGED_AT_MOST: usize = 10_000;

/// Why a fix does not move its driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Refusal {
    /// Not a number we can draw (NaN or infinite).
    NotFinite,
    /// Beyond ±90°.
    LatitudeOutOfRange,
    /// Beyond ±180°.
    LongitudeOutOfRange,
    /// Later than our clock plus [`CLOCK_SKEW`].
    Future,
    /// Earlier than the driver's latest fix: on the trail, not the driver's position.
    Older,
}

impl Refusal {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refusal::NotFinite => "coordinate not a finite number",
            Refusal::LatitudeOutOfRange => "latitude out of range",
            Refusal::LongitudeOutOfRange => "longitude out of range",
            Refusal::Future => "time in the future beyond clock skew",
            Refusal::Older => "older than the driver's latest fix",
        }
    }
}

/// The checks that need no cache: where the fix is and when it says it was taken, at `now`.
pub(crate) fn check(fix: &DriverFix, now: DateTime<Utc>) -> Result<(), Refusal> {
    if !(fix.lat.is_finite() && fix.lng.is_finite()) {
        return Err(Refusal::NotFinite);
    }
    if fix.lat.abs() > 90.0 {
        return Err(Refusal::LatitudeOutOfRange);
    }
    if fix.lng.abs() > 180.0 {
        return Err(Refusal::LongitudeOutOfRange);
    }
    if fix.located_ms > (now + CLOCK_SKEW).timestamp_millis() {
        return Err(Refusal::Future);
    }
    Ok(())
}

/// Which (driver, reason) pairs have been logged.
#[derive(Default)]
pub(crate) struct RefusalLog {
    logged: Mutex<Logged>,
}

#[derive(Default)]
struct Logged {
    pairs: HashSet<(u64, Refusal)>,
    /// The bound was reached and said so.
    full: bool,
}

impl RefusalLog {
    /// Logs the refusal unless this driver's fixes were already refused for this reason.
    /// Says whether it logged.
    pub(crate) fn note(&self, fix: &DriverFix, refusal: Refusal) -> bool {
        let mut logged = self.logged.lock().unwrap_or_else(|p| p.into_inner());
        if logged.pairs.contains(&(fix.id, refusal)) {
            return false;
        }
        if logged.pairs.len() >= LOGGED_AT_MOST {
            if !logged.full {
                logged.full = true;
                tracing::warn!(
                    "fixes of more than {LOGGED_AT_MOST} drivers refused; no more are logged"
                );
            }
            return false;
        }
        logged.pairs.insert((fix.id, refusal));
        tracing::warn!(
            driver = fix.id,
            "location fix not drawn: {} (latitude {}, longitude {}, update {}); later fixes \
             of this driver refused for the same reason are not logged",
            refusal.as_str(),
            fix.lat,
            fix.lng,
            fix.located_at
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T09:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn fix(lat: f64, lng: f64, ahead: chrono::Duration) -> DriverFix {
        let at = now() + ahead;
        DriverFix {
            id: 7,
            name: "佐藤 花子".into(),
            phone: None,
            vehicle_type: None,
            lat,
            lng,
            located_at: crate::tokyo_rfc3339(at),
            located_ms: at.timestamp_millis(),
            job: None,
            received_at: crate::tokyo_rfc3339(now()),
        }
    }

    #[test]
    fn fixes_on_the_globe_and_not_ahead_of_the_clock_pass() {
        let zero = chrono::Duration::zero();
        assert_eq!(check(&fix(35.68, 139.76, zero), now()), Ok(()));
        assert_eq!(check(&fix(90.0, -180.0, zero), now()), Ok(()), "edges");
        assert_eq!(check(&fix(35.68, 139.76, CLOCK_SKEW), now()), Ok(()));
        assert_eq!(
            check(&fix(35.68, 139.76, -chrono::Duration::days(3)), now()),
            Ok(()),
            "old is the cache's call"
        );
    }

    #[test]
    fn each_impossible_fix_is_refused_with_its_reason() {
        let zero = chrono::Duration::zero();
        for (f, why) in [
            (fix(f64::NAN, 139.76, zero), Refusal::NotFinite),
            (fix(35.68, f64::INFINITY, zero), Refusal::NotFinite),
            (fix(f64::NEG_INFINITY, 139.76, zero), Refusal::NotFinite),
            (fix(90.000_001, 139.76, zero), Refusal::LatitudeOutOfRange),
            (fix(-91.0, 139.76, zero), Refusal::LatitudeOutOfRange),
            (fix(35.68, 180.5, zero), Refusal::LongitudeOutOfRange),
            (fix(35.68, -181.0, zero), Refusal::LongitudeOutOfRange),
            (
                fix(
                    35.68,
                    139.76,
                    CLOCK_SKEW + chrono::Duration::milliseconds(1),
                ),
                Refusal::Future,
            ),
        ] {
            assert_eq!(check(&f, now()), Err(why), "{} {}", f.lat, f.lng);
        }
    }

    #[test]
    fn a_refusal_is_logged_once_per_driver_and_reason() {
        let log = RefusalLog::default();
        let f = fix(95.0, 139.76, chrono::Duration::zero());
        assert!(log.note(&f, Refusal::LatitudeOutOfRange));
        assert!(!log.note(&f, Refusal::LatitudeOutOfRange), "not again");
        assert!(log.note(&f, Refusal::Future), "another reason");
        let other = DriverFix { id: 8, ..f };
        assert!(
            log.note(&other, Refusal::LatitudeOutOfRange),
            "another driver"
        );
    }

    #[test]
    fn beyond_the_bound_refusals_are_no_longer_logged_one_by_one() {
        let log = RefusalLog::default();
        let f = fix(95.0, 139.76, chrono::Duration::zero());
        for id in 0..LOGGED_AT_MOST as u64 {
            assert!(log.note(&DriverFix { id, ..f.clone() }, Refusal::Future));
        }
        let late = DriverFix {
            id: LOGGED_AT_MOST as u64,
            ..f
        };
        assert!(!log.note(&late, Refusal::Future));
        assert!(!log.note(&late, Refusal::Future));
        let logged = log.logged.lock().unwrap();
        assert_eq!(logged.pairs.len(), LOGGED_AT_MOST, "the set stays bounded");
        assert!(logged.full);
    }
}
