//! The late-risk rule as SQL: built from hakobu-diaq's `LATE_RULES` (statuses, leads), never
//! a second copy of the numbers, so the board's counts match `late_risk` on each card.
//!
//! Window ends are compared as text with thresholds written the same way: the cache stores
//! every window time in the document's form, Japan time with whole seconds
//! (`2026-11-24T12:00:00+09:00`, orders.rs `window_time`), in which text order is time order.

use chrono::{DateTime, Utc};
use hakobu_diaq::LATE_RULES;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which orders the late-risk filter keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LateFilter {
    /// Every order.
    #[default]
    Any,
    /// At risk or already late.
    AtRiskOrLate,
    /// Only those past their window's end.
    Late,
}

/// The SQL condition (with its arguments) that keeps what `filter` asks for at `now`; `None`
/// for [`LateFilter::Any`]. Stored ends are whole seconds; with `now` in whole seconds too this
/// agrees with `late_risk` to the second, so the caller passes the same truncated `now` to
/// both.
pub(crate) fn late_condition(
    filter: LateFilter,
    now: DateTime<Utc>,
) -> Option<(String, Vec<Value>)> {
    let stamp =
        |t: DateTime<Utc>| Value::from(hakobu_diaq::time::format(hakobu_diaq::time::from_utc(t)));
    let mut terms = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    for rule in LATE_RULES {
        let at_risk = match filter {
            LateFilter::Any => return None,
            LateFilter::AtRiskOrLate => rule.at_risk_until(now),
            LateFilter::Late => None,
        };
        match at_risk {
            // At risk (or late): now ≥ ends − lead, i.e. ends ≤ now + lead.
            Some(until) => {
                terms.push("(status = ? AND window_ends_at <= ?)");
                args.push(rule.status.as_str().to_owned().into());
                args.push(stamp(until));
            }
            // Late: now > ends.
            None => {
                terms.push("(status = ? AND window_ends_at < ?)");
                args.push(rule.status.as_str().to_owned().into());
                args.push(stamp(now));
            }
        }
    }
    Some((format!("({})", terms.join(" OR ")), args))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use hakobu_diaq::{LateLevel, Status, late_risk};
    use serde_json::json;

    use super::*;
    use crate::{Cache, CachedOrder, OrderSelection};

    fn order(id: &str, status: Status, ends_at: &str) -> CachedOrder {
        CachedOrder {
            id: id.into(),
            kind: "delivery".into(),
            store_id: "s1".into(),
            status: status.as_str().into(),
            tracking_code: id.into(),
            window_starts_at: None,
            window_ends_at: ends_at.into(),
            window_date: "2026-11-24".into(),
            customer_name: String::new(),
            customer_phone: String::new(),
            customer_address: String::new(),
            order_refs: Vec::new(),
            customer_lat: None,
            customer_lng: None,
            api_update: String::new(),
            body: json!({}),
            fetched_at: String::new(),
        }
    }

    fn now() -> DateTime<Utc> {
        hakobu_diaq::time::parse("2026-11-24T12:00:00+09:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Every status with window ends around `now`: at and beside each lead and the end, and
    /// the same instants written in UTC and with milliseconds.
    fn orders() -> Vec<CachedOrder> {
        let mut out = Vec::new();
        for status in Status::ALL {
            for minutes in [
                -61, -60, -59, -31, -30, -29, -1, 0, 1, 29, 30, 31, 59, 60, 61,
            ] {
                let ends = now() + Duration::minutes(minutes);
                for (form, text) in [
                    (
                        "jst",
                        hakobu_diaq::time::format(hakobu_diaq::time::from_utc(ends)),
                    ),
                    ("utc", ends.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
                    (
                        "ms",
                        hakobu_diaq::time::format_millis(hakobu_diaq::time::from_utc(ends)),
                    ),
                ] {
                    let id = format!("{}|{minutes}|{form}", status.as_str());
                    out.push(order(&id, status, &text));
                }
            }
        }
        out
    }

    fn selected(cache: &Cache, late: LateFilter) -> Vec<String> {
        let selection = OrderSelection {
            late,
            now: now(),
            ..OrderSelection::default()
        };
        let mut ids: Vec<String> = cache
            .order_keys(&selection, Default::default(), crate::MAX_KEYS)
            .unwrap()
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        ids.sort();
        assert_eq!(cache.order_count(&selection).unwrap(), ids.len() as u64);
        ids
    }

    #[test]
    fn the_sql_keeps_exactly_what_the_rule_says_row_by_row() {
        let cache = Cache::in_memory().unwrap();
        let all = orders();
        cache
            .upsert_orders(&all, crate::StatusOrigin::SYNC)
            .unwrap();
        for (filter, keeps) in [
            (
                LateFilter::AtRiskOrLate,
                &[LateLevel::AtRisk, LateLevel::Late][..],
            ),
            (LateFilter::Late, &[LateLevel::Late][..]),
            (
                LateFilter::Any,
                &[LateLevel::None, LateLevel::AtRisk, LateLevel::Late][..],
            ),
        ] {
            let mut want: Vec<String> = all
                .iter()
                .filter(|o| {
                    let status = Status::parse(&o.status).unwrap();
                    let ends = hakobu_diaq::time::parse(&o.window_ends_at).unwrap();
                    keeps.contains(&late_risk(status, ends, now()).level)
                })
                .map(|o| o.id.clone())
                .collect();
            want.sort();
            assert_eq!(selected(&cache, filter), want, "{filter:?}");
        }
        // The boundaries are in the data: late starts one minute after the end.
        let late = selected(&cache, LateFilter::Late);
        assert!(late.contains(&"created|-1|utc".to_owned()));
        assert!(!late.contains(&"created|0|utc".to_owned()));
        assert!(!late.contains(&"returning|-61|jst".to_owned()));
    }

    #[test]
    fn late_counts_read_the_late_index_not_every_row() {
        let cache = Cache::in_memory().unwrap();
        let (condition, args) = late_condition(LateFilter::AtRiskOrLate, now()).unwrap();
        let plan: Vec<String> = cache
            .with(|c| {
                let mut stmt = c.prepare(&format!(
                    "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM orders WHERE {condition}"
                ))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(3))?;
                rows.collect()
            })
            .unwrap();
        assert!(
            plan.iter().all(|step| !step.starts_with("SCAN orders")),
            "{plan:?}"
        );
        assert!(
            plan.iter().any(|step| step.contains("orders_late")),
            "{plan:?}"
        );
    }
}
