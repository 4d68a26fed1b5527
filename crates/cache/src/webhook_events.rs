//! Webhooks received, keyed by their `webhook-id`: a sender retries a message with the same
//! id until it hears 2xx, so the id is what keeps one event from being applied twice — and,
//! signed, what keeps a captured request from being replayed while its timestamp is still
//! within the receiver's tolerance.
//!
//! Keeping: an id goes only once it is both beyond the newest [`WEBHOOK_EVENTS_KEPT`] and
//! received before the caller's `forget_before` (the end of its replay window). Under a flood
//! the window keeps more than the count; rows beyond the count keep their id and times but not
//! their body, which only serves inspection.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::{Cache, CacheError};

/// Events kept whatever their age, with their bodies. Far more than any sender's retry window
/// needs (the sandbox retries for ~8 s); the replay window may keep more (without bodies).
pub const WEBHOOK_EVENTS_KEPT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    pub webhook_id: String,
    pub event: String,
    pub received_at: String,
    pub body: serde_json::Value,
    /// When it was applied to the cache; `None` while not (yet).
    pub applied_at: Option<String>,
    /// What applying did (`confirmed`, `location`, `ignored`, …).
    pub outcome: Option<String>,
}

/// Whether an incoming event was new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// First time: recorded, to be applied.
    New,
    /// Seen before but never applied (applying failed): apply it now.
    Unapplied,
    /// Seen and applied: answer 2xx and do nothing.
    Applied,
}

impl Cache {
    /// Records an incoming event unless its id is known, and says which case it was. Events
    /// received (by `received_at`, RFC 3339) before `forget_before` (unix seconds) may be
    /// forgotten once beyond the newest [`WEBHOOK_EVENTS_KEPT`].
    pub fn record_webhook_event(
        &self,
        webhook_id: &str,
        event: &str,
        received_at: &str,
        body: &serde_json::Value,
        forget_before: i64,
    ) -> Result<Arrival, CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let arrival = record_event(
                &tx,
                webhook_id,
                event,
                received_at,
                &body.to_string(),
                forget_before,
            )?;
            tx.commit()?;
            Ok(arrival)
        })
    }

    /// Marks the event applied, with what it did.
    pub fn mark_webhook_event_applied(
        &self,
        webhook_id: &str,
        applied_at: &str,
        outcome: &str,
    ) -> Result<(), CacheError> {
        self.with(|c| mark_applied(c, webhook_id, applied_at, outcome))
    }

    pub fn webhook_event(&self, webhook_id: &str) -> Result<Option<WebhookEvent>, CacheError> {
        self.with(|c| {
            c.query_row(
                "SELECT webhook_id, event, received_at, body, applied_at, outcome
                 FROM webhook_events WHERE webhook_id = ?1",
                [webhook_id],
                |r| {
                    let body: String = r.get(3)?;
                    Ok(WebhookEvent {
                        webhook_id: r.get(0)?,
                        event: r.get(1)?,
                        received_at: r.get(2)?,
                        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
                        applied_at: r.get(4)?,
                        outcome: r.get(5)?,
                    })
                },
            )
            .optional()
        })
    }

    /// How many events are recorded (all of them, or of one event type).
    pub fn webhook_event_count(&self, event: Option<&str>) -> Result<u64, CacheError> {
        self.with(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM webhook_events WHERE ?1 IS NULL OR event = ?1",
                [event],
                |r| r.get(0),
            )
        })
    }
}

/// [`Cache::record_webhook_event`] inside the caller's transaction (`body` serialised).
pub(crate) fn record_event(
    tx: &rusqlite::Transaction<'_>,
    webhook_id: &str,
    event: &str,
    received_at: &str,
    body: &str,
    forget_before: i64,
) -> rusqlite::Result<Arrival> {
    let known: Option<Option<String>> = tx
        .prepare_cached("SELECT applied_at FROM webhook_events WHERE webhook_id = ?1")?
        .query_row([webhook_id], |r| r.get(0))
        .optional()?;
    Ok(match known {
        Some(Some(_)) => Arrival::Applied,
        Some(None) => Arrival::Unapplied,
        None => {
            tx.prepare_cached(
                "INSERT INTO webhook_events (webhook_id, event, received_at, body)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![webhook_id, event, received_at, body])?;
            forget(tx, forget_before)?;
            Arrival::New
        }
    })
}

/// [`Cache::mark_webhook_event_applied`] on the caller's connection or transaction.
pub(crate) fn mark_applied(
    c: &rusqlite::Connection,
    webhook_id: &str,
    applied_at: &str,
    outcome: &str,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE webhook_events SET applied_at = ?2, outcome = ?3 WHERE webhook_id = ?1",
    )?
    .execute(params![webhook_id, applied_at, outcome])
    .map(drop)
}

/// Drops what is both beyond the newest [`WEBHOOK_EVENTS_KEPT`] and received before
/// `forget_before`, and the body of the row that just went beyond the count. Rows are in
/// arrival order (rowid), so what goes is a prefix: the scan stops at the first row still in
/// the window, and costs what it deletes, even when a flood keeps many rows.
fn forget(tx: &rusqlite::Transaction<'_>, forget_before: i64) -> rusqlite::Result<()> {
    let kept = i64::try_from(WEBHOOK_EVENTS_KEPT).unwrap_or(i64::MAX);
    let beyond = tx.last_insert_rowid() - kept;
    if beyond <= 0 {
        return Ok(());
    }
    // An unreadable time counts as old: it cannot prove it is inside the window.
    let first_recent: Option<i64> = tx
        .query_row(
            "SELECT rowid FROM webhook_events
             WHERE rowid <= ?1 AND IFNULL(unixepoch(received_at), 0) >= ?2
             ORDER BY rowid LIMIT 1",
            params![beyond, forget_before],
            |r| r.get(0),
        )
        .optional()?;
    let until = first_recent.map_or(beyond, |r| r - 1);
    tx.execute("DELETE FROM webhook_events WHERE rowid <= ?1", [until])?;
    tx.execute(
        "UPDATE webhook_events SET body = '' WHERE rowid = ?1",
        [beyond],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cache() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        (dir, cache)
    }

    #[test]
    fn an_id_is_new_once_then_unapplied_until_marked_then_applied() {
        let (_dir, cache) = cache();
        let body = json!({"event": "delivery.assigned"});
        let record = || {
            cache
                .record_webhook_event("msg_1", "delivery.assigned", "t1", &body, 0)
                .unwrap()
        };
        assert_eq!(record(), Arrival::New);
        assert_eq!(record(), Arrival::Unapplied);
        cache
            .mark_webhook_event_applied("msg_1", "t2", "confirmed")
            .unwrap();
        assert_eq!(record(), Arrival::Applied);
        let e = cache.webhook_event("msg_1").unwrap().unwrap();
        assert_eq!(e.received_at, "t1", "the first arrival is kept");
        assert_eq!(e.applied_at.as_deref(), Some("t2"));
        assert_eq!(e.outcome.as_deref(), Some("confirmed"));
        assert_eq!(e.body, body);
        assert_eq!(cache.webhook_event_count(None).unwrap(), 1);
        assert_eq!(
            cache.webhook_event_count(Some("driver.location")).unwrap(),
            0
        );
        assert!(cache.webhook_event("msg_2").unwrap().is_none());
    }

    /// Unix seconds of 2026-11-23T00:00:00+09:00.
    const MIDNIGHT: i64 = 1_795_359_600;

    /// `seconds` after that midnight, as the app writes `received_at` (< 24 h).
    fn at(seconds: i64) -> String {
        format!(
            "2026-11-23T{:02}:{:02}:{:02}+09:00",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }

    fn record(cache: &Cache, id: &str, seconds: i64, forget_before: i64) -> Arrival {
        cache
            .record_webhook_event(id, "e", &at(seconds), &json!({"n": id}), forget_before)
            .unwrap()
    }

    #[test]
    fn old_events_beyond_the_newest_are_forgotten() {
        let (_dir, cache) = cache();
        // One a second; each arrival forgets what came more than 60 s before it.
        let n = WEBHOOK_EVENTS_KEPT as i64 + 3;
        for s in 0..n {
            record(&cache, &format!("msg_{s}"), s, MIDNIGHT + s - 60);
        }
        assert_eq!(
            cache.webhook_event_count(None).unwrap(),
            WEBHOOK_EVENTS_KEPT as u64
        );
        assert!(cache.webhook_event("msg_2").unwrap().is_none());
        assert!(cache.webhook_event("msg_3").unwrap().is_some());
        assert_eq!(
            record(&cache, "msg_2", n, MIDNIGHT + n - 60),
            Arrival::New,
            "forgotten: new again"
        );
    }

    #[test]
    fn ids_inside_the_window_are_kept_beyond_the_count_without_their_bodies() {
        let (_dir, cache) = cache();
        // A flood: all of these arrive within one second of each other.
        record(&cache, "msg_early", 0, MIDNIGHT - 600);
        cache
            .mark_webhook_event_applied("msg_early", &at(0), "location")
            .unwrap();
        let n = WEBHOOK_EVENTS_KEPT + 5;
        for i in 0..n {
            record(&cache, &format!("msg_{i}"), 1, MIDNIGHT - 600);
        }
        assert_eq!(cache.webhook_event_count(None).unwrap(), n as u64 + 1);
        assert_eq!(
            record(&cache, "msg_early", 2, MIDNIGHT - 600),
            Arrival::Applied,
            "still a duplicate after {n} newer events"
        );
        let early = cache.webhook_event("msg_early").unwrap().unwrap();
        assert_eq!(early.body, serde_json::Value::Null, "the body went");
        assert_eq!(early.outcome.as_deref(), Some("location"));
        let newest = cache.webhook_event(&format!("msg_{}", n - 1)).unwrap();
        assert_eq!(newest.unwrap().body["n"], format!("msg_{}", n - 1));

        // Once the window has passed them, the next arrival lets the excess go, and only that.
        record(&cache, "msg_late", 700, MIDNIGHT + 2);
        assert_eq!(
            cache.webhook_event_count(None).unwrap(),
            WEBHOOK_EVENTS_KEPT as u64
        );
        assert!(cache.webhook_event("msg_early").unwrap().is_none());
        assert!(cache.webhook_event("msg_late").unwrap().is_some());
    }

    #[test]
    fn an_unreadable_received_time_counts_as_old() {
        let (_dir, cache) = cache();
        for i in 0..WEBHOOK_EVENTS_KEPT + 2 {
            cache
                .record_webhook_event(&format!("msg_{i}"), "e", "garbage", &json!({}), MIDNIGHT)
                .unwrap();
        }
        assert_eq!(
            cache.webhook_event_count(None).unwrap(),
            WEBHOOK_EVENTS_KEPT as u64
        );
    }
}
