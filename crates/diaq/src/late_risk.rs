//! Late risk: which jobs are past their window's end, and which will be unless something
//! happens soon. One rule for the whole app (docs/decisions.md "Late risk"): the board's cards
//! and the header read it through [`late_risk`], and the cache builds its SQL filter from
//! [`LATE_RULES`], so a count and the cards it counts never disagree.
//!
//! - Delivered, canceled, returning and returned jobs are never late: done, called off, or on
//!   their way back (a return has no window to meet). They are the statuses without a rule.
//! - Any other job whose window has ended (`now > ends_at`) is **late**, by the minutes since.
//! - Before that, a job not yet on its way to the customer is **at risk** from `lead` before
//!   the end (`now ≥ ends_at − lead`): an hour while no driver has it or has set out for the
//!   store (created, assigned), half an hour once the driver is at or near the store
//!   (collecting, arrived_origin). A job on its way (delivering, arrived_goal) is not at risk
//!   before its end: nothing the dispatcher does makes it sooner.
//!
//! No clock is read here: `now` is an argument.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LateLevel {
    None,
    AtRisk,
    Late,
}

/// What has not happened yet that should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LateReason {
    /// No driver has taken the job (created).
    NotAssigned,
    /// A driver has it but has not picked the parcels up (assigned, collecting, arrived_origin).
    NotPickedUp,
    /// Picked up, not handed over (delivering, arrived_goal).
    NotDelivered,
}

/// A job's late risk at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LateRisk {
    pub level: LateLevel,
    /// Why; `null` when the level is `none`.
    pub reason: Option<LateReason>,
    /// `late`: whole minutes past the window's end, rounded up (at least 1). `at_risk`: whole
    /// minutes left before it, rounded down. `null` when the level is `none`.
    pub minutes: Option<i64>,
}

/// The rule for one status that can be late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateRule {
    pub status: Status,
    /// At risk from this many minutes before the window's end; `None`: never at risk, only
    /// late.
    pub lead_minutes: Option<i64>,
    pub reason: LateReason,
}

/// Every status that can be late, with its lead and reason. Statuses not listed (delivered,
/// canceled, returning, returned) never are.
pub const LATE_RULES: [LateRule; 6] = [
    LateRule {
        status: Status::Created,
        lead_minutes: Some(60),
        reason: LateReason::NotAssigned,
    },
    LateRule {
        status: Status::Assigned,
        lead_minutes: Some(60),
        reason: LateReason::NotPickedUp,
    },
    LateRule {
        status: Status::Collecting,
        lead_minutes: Some(30),
        reason: LateReason::NotPickedUp,
    },
    LateRule {
        status: Status::ArrivedOrigin,
        lead_minutes: Some(30),
        reason: LateReason::NotPickedUp,
    },
    LateRule {
        status: Status::Delivering,
        lead_minutes: None,
        reason: LateReason::NotDelivered,
    },
    LateRule {
        status: Status::ArrivedGoal,
        lead_minutes: None,
        reason: LateReason::NotDelivered,
    },
];

impl LateRule {
    /// The rule of `status`; `None` for a status that is never late.
    pub fn of(status: Status) -> Option<LateRule> {
        LATE_RULES.into_iter().find(|r| r.status == status)
    }

    /// The latest window end that puts a job in this status at risk (or late) at `now`:
    /// at risk iff `ends_at <= at_risk_until(now)`. `None` when the status is never at risk.
    pub fn at_risk_until(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.lead_minutes.map(|m| now + Duration::minutes(m))
    }
}

impl LateRisk {
    pub const NONE: LateRisk = LateRisk {
        level: LateLevel::None,
        reason: None,
        minutes: None,
    };
}

/// The late risk of a job in `status` whose window ends at `ends_at`, at `now`.
pub fn late_risk(status: Status, ends_at: DateTime<FixedOffset>, now: DateTime<Utc>) -> LateRisk {
    let Some(rule) = LateRule::of(status) else {
        return LateRisk::NONE;
    };
    let ends_at = ends_at.with_timezone(&Utc);
    if now > ends_at {
        let seconds = (now - ends_at).num_seconds();
        return LateRisk {
            level: LateLevel::Late,
            reason: Some(rule.reason),
            // Rounded up: a job ten seconds late is one minute late, never zero.
            minutes: Some((seconds + 59) / 60),
        };
    }
    match rule.at_risk_until(now) {
        Some(until) if ends_at <= until => LateRisk {
            level: LateLevel::AtRisk,
            reason: Some(rule.reason),
            minutes: Some((ends_at - now).num_minutes()),
        },
        _ => LateRisk::NONE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse;

    /// A window ending at 12:00 (Japan time) on a fixed day.
    const END: &str = "2026-11-24T12:00:00+09:00";

    fn at(minutes_from_end: i64) -> DateTime<Utc> {
        parse(END).unwrap().with_timezone(&Utc) + Duration::minutes(minutes_from_end)
    }

    fn risk(status: Status, minutes_from_end: i64) -> (LateLevel, Option<i64>) {
        let r = late_risk(status, parse(END).unwrap(), at(minutes_from_end));
        (r.level, r.minutes)
    }

    #[test]
    fn every_status_at_the_boundaries() {
        use LateLevel::{AtRisk, Late};
        use Status as S;
        // (status, lead): one minute before the lead, exactly at it, one minute after, one
        // minute before the end, exactly at the end, one minute after it.
        for (status, lead) in [
            (S::Created, Some(60)),
            (S::Assigned, Some(60)),
            (S::Collecting, Some(30)),
            (S::ArrivedOrigin, Some(30)),
            (S::Delivering, None),
            (S::ArrivedGoal, None),
        ] {
            if let Some(lead) = lead {
                assert_eq!(
                    risk(status, -lead - 1),
                    (LateLevel::None, None),
                    "{status:?}"
                );
                assert_eq!(risk(status, -lead), (AtRisk, Some(lead)), "{status:?}");
                assert_eq!(
                    risk(status, -lead + 1),
                    (AtRisk, Some(lead - 1)),
                    "{status:?}"
                );
                assert_eq!(risk(status, -1), (AtRisk, Some(1)), "{status:?}");
                assert_eq!(risk(status, 0), (AtRisk, Some(0)), "{status:?}");
            } else {
                assert_eq!(risk(status, -61), (LateLevel::None, None), "{status:?}");
                assert_eq!(risk(status, -1), (LateLevel::None, None), "{status:?}");
                assert_eq!(risk(status, 0), (LateLevel::None, None), "{status:?}");
            }
            assert_eq!(risk(status, 1), (Late, Some(1)), "{status:?}");
            assert_eq!(risk(status, 95), (Late, Some(95)), "{status:?}");
        }
        for status in [S::Delivered, S::Canceled, S::Returning, S::Returned] {
            for m in [-61, -60, -30, -1, 0, 1, 600] {
                assert_eq!(
                    late_risk(status, parse(END).unwrap(), at(m)),
                    LateRisk::NONE,
                    "{status:?} {m}"
                );
            }
        }
    }

    #[test]
    fn reasons_follow_the_status() {
        let reason = |s| late_risk(s, parse(END).unwrap(), at(5)).reason;
        assert_eq!(reason(Status::Created), Some(LateReason::NotAssigned));
        for s in [Status::Assigned, Status::Collecting, Status::ArrivedOrigin] {
            assert_eq!(reason(s), Some(LateReason::NotPickedUp), "{s:?}");
        }
        for s in [Status::Delivering, Status::ArrivedGoal] {
            assert_eq!(reason(s), Some(LateReason::NotDelivered), "{s:?}");
        }
        assert_eq!(
            late_risk(Status::Created, parse(END).unwrap(), at(-10)).reason,
            Some(LateReason::NotAssigned),
            "at risk carries its reason too"
        );
    }

    #[test]
    fn seconds_past_the_end_are_a_minute_late_and_offsets_do_not_matter() {
        let end = parse(END).unwrap();
        let ten_seconds = end.with_timezone(&Utc) + Duration::seconds(10);
        let r = late_risk(Status::Delivering, end, ten_seconds);
        assert_eq!((r.level, r.minutes), (LateLevel::Late, Some(1)));
        // The same instant written in UTC is the same end.
        let utc_end = DateTime::parse_from_rfc3339("2026-11-24T03:00:00Z").unwrap();
        assert_eq!(late_risk(Status::Delivering, utc_end, ten_seconds), r);
    }

    #[test]
    fn an_anytime_window_ends_at_the_midnight_after_its_day() {
        // 時間指定なし on the 24th: the window ends at 00:00 on the 25th.
        let end = parse("2026-11-25T00:00:00+09:00").unwrap();
        let jst = |s: &str| parse(s).unwrap().with_timezone(&Utc);
        let level = |status, now: &str| late_risk(status, end, jst(now)).level;
        assert_eq!(
            level(Status::Created, "2026-11-24T22:59:00+09:00"),
            LateLevel::None
        );
        assert_eq!(
            level(Status::Created, "2026-11-24T23:00:00+09:00"),
            LateLevel::AtRisk
        );
        assert_eq!(
            level(Status::Collecting, "2026-11-24T23:29:00+09:00"),
            LateLevel::None
        );
        assert_eq!(
            level(Status::Collecting, "2026-11-24T23:30:00+09:00"),
            LateLevel::AtRisk
        );
        assert_eq!(
            level(Status::Delivering, "2026-11-25T00:00:00+09:00"),
            LateLevel::None
        );
        assert_eq!(
            level(Status::Delivering, "2026-11-25T00:01:00+09:00"),
            LateLevel::Late
        );
    }

    #[test]
    fn the_rules_cover_exactly_the_statuses_that_can_be_late() {
        for s in Status::ALL {
            let settled = matches!(
                s,
                Status::Delivered | Status::Canceled | Status::Returning | Status::Returned
            );
            assert_eq!(LateRule::of(s).is_none(), settled, "{s:?}");
        }
    }
}
