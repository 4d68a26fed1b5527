//! Webhooks received, keyed by their `webhook-id`: a sender retries a message with the same
//! id until it hears 2xx, so the id is what keeps one event from being applied twice.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::{Cache, CacheError};

/// Events kept; older ones are dropped as new ones arrive. Far more than any sender's retry
/// window needs (the sandbox retries for ~8 s), so de-duplication is never cut short.
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
    /// Records an incoming event unless its id is known, and says which case it was.
    pub fn record_webhook_event(
        &self,
        webhook_id: &str,
        event: &str,
        received_at: &str,
        body: &serde_json::Value,
    ) -> Result<Arrival, CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let known: Option<Option<String>> = tx
                .query_row(
                    "SELECT applied_at FROM webhook_events WHERE webhook_id = ?1",
                    [webhook_id],
                    |r| r.get(0),
                )
                .optional()?;
            let arrival = match known {
                Some(Some(_)) => Arrival::Applied,
                Some(None) => Arrival::Unapplied,
                None => {
                    tx.execute(
                        "INSERT INTO webhook_events (webhook_id, event, received_at, body)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![webhook_id, event, received_at, body.to_string()],
                    )?;
                    tx.execute(
                        "DELETE FROM webhook_events
                         WHERE rowid <= (SELECT MAX(rowid) FROM webhook_events) - ?1",
                        [i64::try_from(WEBHOOK_EVENTS_KEPT).unwrap_or(i64::MAX)],
                    )?;
                    Arrival::New
                }
            };
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
        self.with(|c| {
            c.execute(
                "UPDATE webhook_events SET applied_at = ?2, outcome = ?3 WHERE webhook_id = ?1",
                params![webhook_id, applied_at, outcome],
            )
            .map(drop)
        })
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
                .record_webhook_event("msg_1", "delivery.assigned", "t1", &body)
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

    #[test]
    fn only_the_newest_events_are_kept() {
        let (_dir, cache) = cache();
        for n in 0..WEBHOOK_EVENTS_KEPT + 3 {
            cache
                .record_webhook_event(&format!("msg_{n}"), "e", "t", &json!({}))
                .unwrap();
        }
        assert_eq!(
            cache.webhook_event_count(None).unwrap(),
            WEBHOOK_EVENTS_KEPT as u64
        );
        assert!(cache.webhook_event("msg_2").unwrap().is_none());
        assert!(cache.webhook_event("msg_3").unwrap().is_some());
    }
}
