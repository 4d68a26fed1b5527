//! How long the cache keeps what only serves looking back: acked outbox rows (the write and
//! the server's answer) and the bodies of received webhooks. Neither is needed to keep the
//! app correct once it is settled, and both grow with every write and every event.

use rusqlite::params;

use crate::{Cache, CacheError};

/// Acked writes and webhook bodies older than this go (seven days: a week's work can still
/// be looked back on; the history of each order's status is kept elsewhere, whole).
pub const HISTORY_KEPT_SECS: i64 = 7 * 24 * 3600;

/// What one pruning removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub acked_rows: usize,
    pub webhook_bodies: usize,
}

impl Cache {
    /// Deletes acked outbox rows last touched before `before` (unix seconds) and empties the
    /// bodies of webhooks received before it. Unsettled outbox rows stay whatever their age
    /// (they are the user's unsent work), and so do webhook ids and times (they keep a
    /// replayed event from being applied twice; their own keeping rule is in
    /// `webhook_events`). A time that cannot be read counts as old.
    pub fn prune_history(&self, before: i64) -> Result<Pruned, CacheError> {
        self.with(|c| {
            let acked_rows = c.execute(
                "DELETE FROM outbox
                 WHERE state = 'acked' AND IFNULL(unixepoch(updated_at), 0) < ?1",
                params![before],
            )?;
            let webhook_bodies = c.execute(
                "UPDATE webhook_events SET body = ''
                 WHERE body != '' AND IFNULL(unixepoch(received_at), 0) < ?1",
                params![before],
            )?;
            Ok(Pruned {
                acked_rows,
                webhook_bodies,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{Cache, NewOutboxRow, OutboxAccount, OutboxState};

    /// Unix seconds of 2026-11-23T00:00:00+09:00.
    const NOV_23: i64 = 1_795_359_600;

    #[test]
    fn acked_rows_and_webhook_bodies_go_after_their_age_unsettled_rows_never() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        let account = OutboxAccount {
            endpoint: "sandbox".into(),
            key_fingerprint: "embedded".into(),
        };
        let payload = json!({});
        let row = |id: &str, at: &str| {
            cache
                .outbox_enqueue(&NewOutboxRow {
                    account: &account,
                    client_id: id,
                    kind: "create_store",
                    payload: &payload,
                    payload_hash: "h",
                    now: at,
                })
                .unwrap()
        };
        let old_acked = row("old-acked", "2026-11-10T10:00:00+09:00");
        let new_acked = row("new-acked", "2026-11-22T10:00:00+09:00");
        row("old-pending", "2026-11-01T10:00:00+09:00");
        let old_failed = row("old-failed", "2026-11-01T10:00:00+09:00");
        for (r, at) in [
            (&old_acked, "2026-11-10T10:00:01+09:00"),
            (&new_acked, "2026-11-23T00:00:00+09:00"),
        ] {
            cache.outbox_mark_in_flight(r.seq, at).unwrap().unwrap();
            assert!(cache.outbox_acked(r.seq, None, None, at).unwrap());
        }
        cache
            .outbox_mark_in_flight(old_failed.seq, "2026-11-01T10:00:01+09:00")
            .unwrap()
            .unwrap();
        cache
            .outbox_failed(
                old_failed.seq,
                "bad_request",
                "refused",
                "2026-11-01T10:00:01+09:00",
            )
            .unwrap();
        let body = json!({"event": "delivery.assigned"});
        for (id, at) in [
            ("old", "2026-11-15T09:00:00+09:00"),
            ("new", "2026-11-23T00:00:00+09:00"),
        ] {
            cache
                .record_webhook_event(id, "delivery.assigned", at, &body, 0)
                .unwrap();
        }

        let pruned = cache.prune_history(NOV_23).unwrap();
        assert_eq!((pruned.acked_rows, pruned.webhook_bodies), (1, 1));
        assert!(cache.outbox_row("old-acked").unwrap().is_none());
        assert_eq!(
            cache.outbox_row("new-acked").unwrap().unwrap().state,
            OutboxState::Acked,
            "acked at the cut itself: not older than it"
        );
        assert_eq!(
            cache.outbox_row("old-pending").unwrap().unwrap().state,
            OutboxState::Pending
        );
        assert_eq!(
            cache.outbox_row("old-failed").unwrap().unwrap().state,
            OutboxState::Failed
        );
        let old = cache.webhook_event("old").unwrap().unwrap();
        assert_eq!(old.body, serde_json::Value::Null, "body gone");
        assert_eq!(
            old.received_at, "2026-11-15T09:00:00+09:00",
            "id and time kept"
        );
        assert_eq!(cache.webhook_event("new").unwrap().unwrap().body, body);
        assert_eq!(cache.prune_history(NOV_23).unwrap(), Default::default());
    }
}
