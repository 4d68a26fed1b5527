//! The outbox: one row per write the user asked for, kept until the server has answered it.
//!
//! A row moves `pending → in_flight → acked | failed | conflict`; a transport failure puts it
//! back to `pending`. Every transition is one statement guarded by the state it leaves, so a
//! crash leaves each row in exactly one state, and a stale caller cannot move a row twice
//! (the transition functions say whether they moved it). Timestamps are passed in: the caller
//! owns the clock.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{Cache, CacheError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent (new, or the last try got no answer).
    Pending,
    /// Being sent. Found at start-up, it means the app stopped mid-send.
    InFlight,
    /// The server applied it.
    Acked,
    /// The server refused it (400): the user fixes or discards it.
    Failed,
    /// The target changed or vanished meanwhile (404/409/422): the user decides.
    Conflict,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::InFlight => "in_flight",
            OutboxState::Acked => "acked",
            OutboxState::Failed => "failed",
            OutboxState::Conflict => "conflict",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxState> {
        Some(match s {
            "pending" => OutboxState::Pending,
            "in_flight" => OutboxState::InFlight,
            "acked" => OutboxState::Acked,
            "failed" => OutboxState::Failed,
            "conflict" => OutboxState::Conflict,
            _ => return None,
        })
    }
}

/// Which account a write is for: the DIAq endpoint and a fingerprint of its key (never the
/// key). A row is sent only while the app is set up for the account it names; the rows of
/// any other account are held.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct OutboxAccount {
    pub endpoint: String,
    pub key_fingerprint: String,
}

/// A write to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxRow<'a> {
    pub account: &'a OutboxAccount,
    pub client_id: &'a str,
    pub kind: &'a str,
    pub payload: &'a Value,
    pub payload_hash: &'a str,
    pub now: &'a str,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxRow {
    pub seq: i64,
    pub client_id: String,
    pub kind: String,
    #[ts(type = "unknown")]
    pub payload: Value,
    pub payload_hash: String,
    pub revision: u32,
    /// The exact body sent, once it is fixed (a window chosen at send time), so a resend
    /// with the same Idempotency-Key carries the same body.
    #[ts(type = "unknown")]
    pub request: Option<Value>,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The code of that error (the app's `ErrorCode`, as the UI receives it: `not_found`,
    /// `bad_request`, `transport`, …); `None` without an error, or for a row settled before
    /// the cache kept it.
    #[serde(default)]
    #[ts(type = "ErrorCode | null")]
    pub last_error_code: Option<String>,
    pub server_id: Option<String>,
    #[ts(type = "unknown")]
    pub response: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
    /// The account it was made for ([`OutboxAccount`]).
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub key_fingerprint: String,
    /// Made for another account than the current one: sent nowhere until the user sets that
    /// account up again, or discarded. Only lists ([`Cache::outbox_rows`]) fill it in.
    #[serde(default)]
    pub held: bool,
}

/// What the status bar shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    /// Not yet answered: pending and in flight.
    pub pending: u64,
    pub failed: u64,
    pub conflict: u64,
    pub acked: u64,
    /// Unsettled rows (pending, in flight, failed or conflicting) of other accounts.
    pub held: u64,
}

const COLUMNS: &str = "seq, client_id, kind, payload, payload_hash, revision, request, state, \
    attempts, last_error, server_id, response, created_at, updated_at, endpoint, key_fingerprint, \
    last_error_code";

/// The rows of one account, in SQL with its two parameters at `?{n}` and `?{n+1}`.
fn of_account(n: u8) -> String {
    format!("endpoint = ?{n} AND key_fingerprint = ?{}", n + 1)
}

impl Cache {
    /// Queues a write at the end, in one statement. A client id already queued is an error
    /// (UNIQUE): the same intent must not be queued twice.
    pub fn outbox_enqueue(&self, new: &NewOutboxRow<'_>) -> Result<OutboxRow, CacheError> {
        self.with_durable(|c| {
            c.query_row(
                &format!(
                    "INSERT INTO outbox (client_id, kind, payload, payload_hash, state, \
                     created_at, updated_at, endpoint, key_fingerprint) \
                     VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5, ?6, ?7) RETURNING {COLUMNS}"
                ),
                params![
                    new.client_id,
                    new.kind,
                    new.payload.to_string(),
                    new.payload_hash,
                    new.now,
                    new.account.endpoint,
                    new.account.key_fingerprint,
                ],
                from_row,
            )
        })
    }

    pub fn outbox_row(&self, client_id: &str) -> Result<Option<OutboxRow>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE client_id = ?1"),
                [client_id],
                from_row,
            )
            .optional()
        })
    }

    /// The oldest pending row of `account`: the next to send to it. Other accounts' rows are
    /// never returned, however old.
    pub fn outbox_next_pending(
        &self,
        account: &OutboxAccount,
    ) -> Result<Option<OutboxRow>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE state = 'pending' AND {} \
                     ORDER BY seq LIMIT 1",
                    of_account(1)
                ),
                params![account.endpoint, account.key_fingerprint],
                from_row,
            )
            .optional()
        })
    }

    /// Rows of `account` left `in_flight` by a stop mid-send become `pending` again; the
    /// sender then resends them safely (Idempotency-Key, or a look-up first). Call it only
    /// when nothing is being sent to that account. Another account's in-flight rows stay as
    /// they are: after a switch made while one was being sent, its answer still settles it.
    /// Returns how many rows moved.
    pub fn outbox_requeue_in_flight(
        &self,
        account: &OutboxAccount,
        now: &str,
    ) -> Result<usize, CacheError> {
        self.with(|c| {
            c.execute(
                &format!(
                    "UPDATE outbox SET state = 'pending', updated_at = ?1 \
                     WHERE state = 'in_flight' AND {}",
                    of_account(2)
                ),
                params![now, account.endpoint, account.key_fingerprint],
            )
        })
    }

    /// Rows queued before writes named their key (migration 13: fingerprint `''`) on
    /// `account`'s endpoint become `account`'s. Called once, when a cache from before that
    /// step is first opened for the endpoint it was filled from. Returns how many.
    pub fn outbox_adopt_unkeyed(&self, account: &OutboxAccount) -> Result<usize, CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE outbox SET key_fingerprint = ?2 WHERE endpoint = ?1 AND key_fingerprint = ''",
                params![account.endpoint, account.key_fingerprint],
            )
        })
    }

    /// `pending → in_flight`, counting the attempt. `None` when the row is not pending.
    pub fn outbox_mark_in_flight(
        &self,
        seq: i64,
        now: &str,
    ) -> Result<Option<OutboxRow>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, \
                     updated_at = ?2 WHERE seq = ?1 AND state = 'pending' RETURNING {COLUMNS}"
                ),
                params![seq, now],
                from_row,
            )
            .optional()
        })
    }

    /// Records the exact body about to be sent for an in-flight row, before it is sent.
    pub fn outbox_set_request(
        &self,
        seq: i64,
        request: &Value,
        now: &str,
    ) -> Result<bool, CacheError> {
        self.transition(
            "UPDATE outbox SET request = ?2, updated_at = ?3 WHERE seq = ?1 AND state = 'in_flight'",
            params![seq, request.to_string(), now],
        )
    }

    /// `in_flight → pending`: no answer (offline), with the error's code and message. The row
    /// waits for the next replay.
    pub fn outbox_unanswered(
        &self,
        seq: i64,
        code: &str,
        error: &str,
        now: &str,
    ) -> Result<bool, CacheError> {
        self.transition(
            "UPDATE outbox SET state = 'pending', last_error = ?2, last_error_code = ?3, \
             updated_at = ?4 WHERE seq = ?1 AND state = 'in_flight'",
            params![seq, error, code, now],
        )
    }

    /// `in_flight → acked`, with what the server answered.
    pub fn outbox_acked(
        &self,
        seq: i64,
        server_id: Option<&str>,
        response: Option<&Value>,
        now: &str,
    ) -> Result<bool, CacheError> {
        self.transition(
            "UPDATE outbox SET state = 'acked', server_id = ?2, response = ?3, last_error = NULL, \
             last_error_code = NULL, updated_at = ?4 WHERE seq = ?1 AND state = 'in_flight'",
            params![seq, server_id, response.map(Value::to_string), now],
        )
    }

    /// `in_flight → failed` (the server refused the write), with the error's code and message.
    pub fn outbox_failed(
        &self,
        seq: i64,
        code: &str,
        message: &str,
        now: &str,
    ) -> Result<bool, CacheError> {
        self.settle(seq, OutboxState::Failed, code, message, now)
    }

    /// `in_flight → conflict` (the target changed or is gone), with the code and message.
    pub fn outbox_conflict(
        &self,
        seq: i64,
        code: &str,
        message: &str,
        now: &str,
    ) -> Result<bool, CacheError> {
        self.settle(seq, OutboxState::Conflict, code, message, now)
    }

    fn settle(
        &self,
        seq: i64,
        state: OutboxState,
        code: &str,
        message: &str,
        now: &str,
    ) -> Result<bool, CacheError> {
        self.transition(
            "UPDATE outbox SET state = ?2, last_error = ?3, last_error_code = ?4, updated_at = ?5 \
             WHERE seq = ?1 AND state = 'in_flight'",
            params![seq, state.as_str(), message, code, now],
        )
    }

    fn transition(&self, sql: &str, args: impl rusqlite::Params) -> Result<bool, CacheError> {
        self.with(|c| Ok(c.execute(sql, args)? == 1))
    }

    /// Rows for the UI, oldest first, every account's, each marked `held` unless it is
    /// `current`'s; `states` empty means all.
    pub fn outbox_rows(
        &self,
        states: &[OutboxState],
        limit: u32,
        current: &OutboxAccount,
    ) -> Result<Vec<OutboxRow>, CacheError> {
        self.rows_where(states, limit, current, false)
    }

    /// Like [`Cache::outbox_rows`], only `account`'s rows: what the board shows as queued.
    pub fn outbox_rows_of(
        &self,
        states: &[OutboxState],
        limit: u32,
        account: &OutboxAccount,
    ) -> Result<Vec<OutboxRow>, CacheError> {
        self.rows_where(states, limit, account, true)
    }

    fn rows_where(
        &self,
        states: &[OutboxState],
        limit: u32,
        current: &OutboxAccount,
        only_current: bool,
    ) -> Result<Vec<OutboxRow>, CacheError> {
        let mut conditions = Vec::new();
        if !states.is_empty() {
            conditions.push(format!(
                "state IN ({})",
                states
                    .iter()
                    .map(|s| format!("'{}'", s.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if only_current {
            conditions.push(of_account(2));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM outbox {filter} ORDER BY seq LIMIT ?1"
            ))?;
            let rows = if only_current {
                stmt.query_map(
                    params![limit, current.endpoint, current.key_fingerprint],
                    from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?
            } else {
                stmt.query_map([limit], from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            Ok(rows
                .into_iter()
                .map(|mut row| {
                    row.held = row.state != OutboxState::Acked
                        && (row.endpoint != current.endpoint
                            || row.key_fingerprint != current.key_fingerprint);
                    row
                })
                .collect())
        })
    }

    /// `account`'s rows by state, and how many unsettled rows other accounts hold.
    pub fn outbox_counts(&self, account: &OutboxAccount) -> Result<OutboxCounts, CacheError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT state, {} AS mine, COUNT(*) FROM outbox GROUP BY state, mine",
                of_account(1)
            ))?;
            let mut counts = OutboxCounts::default();
            let rows = stmt.query_map(params![account.endpoint, account.key_fingerprint], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, bool>(1)?,
                    r.get::<_, u64>(2)?,
                ))
            })?;
            for row in rows {
                let (state, mine, n) = row?;
                match (OutboxState::parse(&state), mine) {
                    (Some(OutboxState::Acked), true) => counts.acked += n,
                    (Some(OutboxState::Acked) | None, false) | (None, true) => {}
                    (Some(_), false) => counts.held += n,
                    (Some(OutboxState::Pending | OutboxState::InFlight), true) => {
                        counts.pending += n
                    }
                    (Some(OutboxState::Failed), true) => counts.failed += n,
                    (Some(OutboxState::Conflict), true) => counts.conflict += n,
                }
            }
            Ok(counts)
        })
    }

    /// Drops a held row (another account's, not yet settled) the user gives up. `false` when
    /// `client_id` is `current`'s, acked, unknown, or in flight (its send, begun before the
    /// switch, settles it).
    pub fn outbox_discard_held(
        &self,
        client_id: &str,
        current: &OutboxAccount,
    ) -> Result<bool, CacheError> {
        self.with(|c| {
            Ok(c.execute(
                &format!(
                    "DELETE FROM outbox WHERE client_id = ?1 \
                     AND state IN ('pending', 'failed', 'conflict') AND NOT ({})",
                    of_account(2)
                ),
                params![client_id, current.endpoint, current.key_fingerprint],
            )? == 1)
        })
    }

    /// Drops a `failed` or `conflict` row (the user gives the write up). `false` for any other
    /// state: a pending write may already be on its way, and an acked one is history.
    pub fn outbox_discard(&self, client_id: &str) -> Result<bool, CacheError> {
        self.with(|c| {
            Ok(c.execute(
                "DELETE FROM outbox WHERE client_id = ?1 AND state IN ('failed', 'conflict')",
                [client_id],
            )? == 1)
        })
    }

    /// Drops an in-flight row whose answer went straight back to the person who asked (a
    /// refused form): nothing was applied and nothing is left to fix here.
    pub fn outbox_forget_in_flight(&self, seq: i64) -> Result<bool, CacheError> {
        self.transition(
            "DELETE FROM outbox WHERE seq = ?1 AND state = 'in_flight'",
            [seq],
        )
    }

    /// Edit-and-retry: a `failed` or `conflict` row gets a new payload (or the same one) and
    /// is `pending` again, keeping its place in the order. The revision goes up, so the write
    /// is sent under a new Idempotency-Key: the server keeps the refused body under the old
    /// one and would answer a changed body there with 422. `None` for any other state.
    pub fn outbox_retry(
        &self,
        client_id: &str,
        kind: &str,
        payload: &Value,
        payload_hash: &str,
        now: &str,
    ) -> Result<Option<OutboxRow>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "UPDATE outbox SET kind = ?2, payload = ?3, payload_hash = ?4, \
                     revision = revision + 1, request = NULL, state = 'pending', attempts = 0, \
                     last_error = NULL, last_error_code = NULL, updated_at = ?5 \
                     WHERE client_id = ?1 AND state IN ('failed', 'conflict') RETURNING {COLUMNS}"
                ),
                params![client_id, kind, payload.to_string(), payload_hash, now],
                from_row,
            )
            .optional()
        })
    }
}

fn json(text: Option<String>) -> Option<Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(Value::Null))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let state: String = r.get(7)?;
    let payload: String = r.get(3)?;
    Ok(OutboxRow {
        seq: r.get(0)?,
        client_id: r.get(1)?,
        kind: r.get(2)?,
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        payload_hash: r.get(4)?,
        revision: r.get(5)?,
        request: json(r.get(6)?),
        state: OutboxState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                7,
                rusqlite::types::Type::Text,
                format!("unknown outbox state {state}").into(),
            )
        })?,
        attempts: r.get(8)?,
        last_error: r.get(9)?,
        server_id: r.get(10)?,
        response: json(r.get(11)?),
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        endpoint: r.get(14)?,
        key_fingerprint: r.get(15)?,
        last_error_code: r.get(16)?,
        held: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T0: &str = "2026-11-23T10:00:00+09:00";
    const T1: &str = "2026-11-23T10:01:00+09:00";

    fn account(endpoint: &str, key_fingerprint: &str) -> OutboxAccount {
        OutboxAccount {
            endpoint: endpoint.into(),
            key_fingerprint: key_fingerprint.into(),
        }
    }

    fn acct_a() -> OutboxAccount {
        account("https://a.example", "fa")
    }

    fn open(dir: &tempfile::TempDir) -> Cache {
        Cache::open(&dir.path().join("cache.db")).unwrap()
    }

    fn enqueue(cache: &Cache, id: &str) -> OutboxRow {
        enqueue_for(cache, id, &acct_a())
    }

    fn enqueue_for(cache: &Cache, id: &str, account: &OutboxAccount) -> OutboxRow {
        let payload = json!({"write": "create_store", "input": {"store_name": id}});
        cache
            .outbox_enqueue(&NewOutboxRow {
                account,
                client_id: id,
                kind: "create_store",
                payload: &payload,
                payload_hash: "h",
                now: T0,
            })
            .unwrap()
    }

    #[test]
    fn rows_are_sent_oldest_first_and_move_through_their_states() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        let a = enqueue(&cache, "a");
        let b = enqueue(&cache, "b");
        assert!(a.seq < b.seq);
        assert_eq!(
            (a.state, a.attempts, a.revision),
            (OutboxState::Pending, 0, 0)
        );
        assert_eq!(a.payload["input"]["store_name"], "a");

        let next = cache.outbox_next_pending(&acct_a()).unwrap().unwrap();
        assert_eq!(next.client_id, "a");
        let sent = cache.outbox_mark_in_flight(a.seq, T1).unwrap().unwrap();
        assert_eq!((sent.state, sent.attempts), (OutboxState::InFlight, 1));
        assert!(
            cache.outbox_mark_in_flight(a.seq, T1).unwrap().is_none(),
            "only a pending row can be claimed"
        );
        assert_eq!(
            cache
                .outbox_next_pending(&acct_a())
                .unwrap()
                .unwrap()
                .client_id,
            "b"
        );
        assert!(
            cache
                .outbox_set_request(a.seq, &json!({"x": 1}), T1)
                .unwrap()
        );
        let response = json!({"id": "s-1"});
        assert!(
            cache
                .outbox_acked(a.seq, Some("s-1"), Some(&response), T1)
                .unwrap()
        );
        assert!(
            !cache
                .outbox_acked(a.seq, Some("s-1"), Some(&response), T1)
                .unwrap(),
            "an acked row does not move again"
        );
        assert!(!cache.outbox_set_request(a.seq, &json!({}), T1).unwrap());
        let a = cache.outbox_row("a").unwrap().unwrap();
        assert_eq!(a.state, OutboxState::Acked);
        assert_eq!(a.server_id.as_deref(), Some("s-1"));
        assert_eq!(a.response, Some(response));
        assert_eq!(a.request, Some(json!({"x": 1})));
        assert_eq!(a.updated_at, T1);

        cache.outbox_mark_in_flight(b.seq, T1).unwrap().unwrap();
        assert!(
            cache
                .outbox_unanswered(b.seq, "transport", "connection refused", T1)
                .unwrap()
        );
        let b = cache.outbox_row("b").unwrap().unwrap();
        assert_eq!(
            (
                b.state,
                b.attempts,
                b.last_error.as_deref(),
                b.last_error_code.as_deref()
            ),
            (
                OutboxState::Pending,
                1,
                Some("connection refused"),
                Some("transport")
            )
        );
        assert!(
            !cache
                .outbox_unanswered(b.seq, "transport", "again", T1)
                .unwrap()
        );
        let counts = cache.outbox_counts(&acct_a()).unwrap();
        assert_eq!(
            counts,
            OutboxCounts {
                pending: 1,
                failed: 0,
                conflict: 0,
                acked: 1,
                held: 0
            }
        );
    }

    #[test]
    fn a_client_id_is_queued_once() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        enqueue(&cache, "a");
        let payload = json!({});
        let again = cache.outbox_enqueue(&NewOutboxRow {
            account: &acct_a(),
            client_id: "a",
            kind: "create_store",
            payload: &payload,
            payload_hash: "h",
            now: T0,
        });
        assert!(matches!(again, Err(CacheError::Sqlite(_))));
        assert_eq!(cache.outbox_rows(&[], 100, &acct_a()).unwrap().len(), 1);
    }

    #[test]
    fn a_send_cut_short_is_pending_again_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let cache = open(&dir);
            let a = enqueue(&cache, "a");
            cache.outbox_mark_in_flight(a.seq, T0).unwrap().unwrap();
            let counts = cache.outbox_counts(&acct_a()).unwrap();
            assert_eq!(counts.pending, 1, "in flight counts as not yet answered");
        }
        let cache = open(&dir);
        assert!(cache.outbox_next_pending(&acct_a()).unwrap().is_none());
        assert_eq!(cache.outbox_requeue_in_flight(&acct_a(), T1).unwrap(), 1);
        let a = cache.outbox_next_pending(&acct_a()).unwrap().unwrap();
        assert_eq!((a.client_id.as_str(), a.attempts), ("a", 1));
        assert_eq!(cache.outbox_requeue_in_flight(&acct_a(), T1).unwrap(), 0);
    }

    #[test]
    fn failed_rows_are_listed_then_discarded_or_edited_and_retried() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        let a = enqueue(&cache, "a");
        let b = enqueue(&cache, "b");
        let c = enqueue(&cache, "c");
        for row in [&a, &b, &c] {
            cache.outbox_mark_in_flight(row.seq, T0).unwrap().unwrap();
        }
        assert!(
            cache
                .outbox_failed(a.seq, "bad_request", "store_phone: is required", T1)
                .unwrap()
        );
        assert!(
            cache
                .outbox_conflict(b.seq, "not_found", "id: store not found", T1)
                .unwrap()
        );
        assert!(!cache.outbox_failed(a.seq, "internal", "twice", T1).unwrap());

        let failed = cache
            .outbox_rows(&[OutboxState::Failed], 10, &acct_a())
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(
            failed[0].last_error.as_deref(),
            Some("store_phone: is required")
        );
        let open_rows = cache
            .outbox_rows(&[OutboxState::Failed, OutboxState::Conflict], 10, &acct_a())
            .unwrap();
        assert_eq!(
            open_rows
                .iter()
                .map(|r| (r.client_id.as_str(), r.last_error_code.as_deref()))
                .collect::<Vec<_>>(),
            [("a", Some("bad_request")), ("b", Some("not_found"))],
            "each keeps the code of its refusal"
        );
        let counts = cache.outbox_counts(&acct_a()).unwrap();
        assert_eq!((counts.failed, counts.conflict, counts.pending), (1, 1, 1));

        // Neither an in-flight nor an unknown row can be discarded or retried.
        assert!(!cache.outbox_discard("c").unwrap());
        assert!(!cache.outbox_discard("nope").unwrap());
        let fixed = json!({"write": "create_store", "input": {"store_phone": "03-1234-5678"}});
        assert!(
            cache
                .outbox_retry("c", "create_store", &fixed, "h2", T1)
                .unwrap()
                .is_none()
        );

        assert!(cache.outbox_discard("b").unwrap());
        assert!(cache.outbox_row("b").unwrap().is_none());

        let retried = cache
            .outbox_retry("a", "create_store", &fixed, "h2", T1)
            .unwrap()
            .unwrap();
        assert_eq!(retried.seq, a.seq, "it keeps its place in the order");
        assert_eq!(
            (retried.state, retried.attempts, retried.revision),
            (OutboxState::Pending, 0, 1)
        );
        assert_eq!(
            (retried.payload, retried.payload_hash.as_str()),
            (fixed, "h2")
        );
        assert_eq!(
            (retried.last_error, retried.last_error_code, retried.request),
            (None, None, None)
        );
    }

    #[test]
    fn an_answer_clears_the_last_error_and_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        let a = enqueue(&cache, "a");
        cache.outbox_mark_in_flight(a.seq, T0).unwrap().unwrap();
        assert!(
            cache
                .outbox_unanswered(a.seq, "transport", "connection refused", T0)
                .unwrap()
        );
        cache.outbox_mark_in_flight(a.seq, T1).unwrap().unwrap();
        assert!(cache.outbox_acked(a.seq, None, None, T1).unwrap());
        let a = cache.outbox_row("a").unwrap().unwrap();
        assert_eq!(
            (a.state, a.last_error, a.last_error_code),
            (OutboxState::Acked, None, None)
        );
    }

    #[test]
    fn a_refused_form_leaves_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        let a = enqueue(&cache, "a");
        assert!(
            !cache.outbox_forget_in_flight(a.seq).unwrap(),
            "not in flight"
        );
        cache.outbox_mark_in_flight(a.seq, T0).unwrap().unwrap();
        assert!(cache.outbox_forget_in_flight(a.seq).unwrap());
        assert!(cache.outbox_rows(&[], 10, &acct_a()).unwrap().is_empty());
        // Sequence numbers are never reused, so order survives deletions.
        assert!(enqueue(&cache, "b").seq > a.seq);
    }

    #[test]
    fn an_unknown_state_in_the_file_is_an_error_not_a_guess() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        enqueue(&cache, "a");
        cache
            .with(|c| {
                c.execute_batch(
                    "PRAGMA ignore_check_constraints = ON;
                     UPDATE outbox SET state = 'lost';",
                )
            })
            .unwrap();
        assert!(cache.outbox_row("a").is_err());
    }

    #[test]
    fn rows_of_another_account_are_held_not_sent_until_it_is_current_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        let b = account("https://a.example", "fb");
        let pending = enqueue(&cache, "a-pending");
        let failed = enqueue(&cache, "a-failed");
        let flying = enqueue(&cache, "a-in-flight");
        cache
            .outbox_mark_in_flight(failed.seq, T0)
            .unwrap()
            .unwrap();
        cache
            .outbox_failed(failed.seq, "bad_request", "refused", T0)
            .unwrap();
        cache
            .outbox_mark_in_flight(flying.seq, T0)
            .unwrap()
            .unwrap();
        let mine = enqueue_for(&cache, "b-pending", &b);
        assert_eq!(
            (mine.endpoint.as_str(), mine.key_fingerprint.as_str()),
            ("https://a.example", "fb")
        );

        // B (same endpoint, another key) sees only its own row to send …
        assert_eq!(cache.outbox_requeue_in_flight(&b, T1).unwrap(), 0);
        let next = cache.outbox_next_pending(&b).unwrap().unwrap();
        assert_eq!(next.client_id, "b-pending");
        cache.outbox_mark_in_flight(next.seq, T1).unwrap().unwrap();
        cache.outbox_acked(next.seq, None, None, T1).unwrap();
        assert!(cache.outbox_next_pending(&b).unwrap().is_none());
        // … counts A's three unsettled rows as held, and lists them so.
        let counts = cache.outbox_counts(&b).unwrap();
        assert_eq!(
            (counts.pending, counts.failed, counts.acked, counts.held),
            (0, 0, 1, 3)
        );
        let listed = cache.outbox_rows(&[], 10, &b).unwrap();
        let held: Vec<_> = listed
            .iter()
            .filter(|r| r.held)
            .map(|r| r.client_id.as_str())
            .collect();
        assert_eq!(held, ["a-pending", "a-failed", "a-in-flight"]);
        assert_eq!(
            cache
                .outbox_rows_of(&[], 10, &b)
                .unwrap()
                .iter()
                .map(|r| r.client_id.as_str())
                .collect::<Vec<_>>(),
            ["b-pending"]
        );
        // The user gives up A's failed row from B; not an in-flight one, not B's own.
        assert!(!cache.outbox_discard_held("a-in-flight", &b).unwrap());
        assert!(!cache.outbox_discard_held("b-pending", &b).unwrap());
        assert!(cache.outbox_discard_held("a-failed", &b).unwrap());
        assert!(!cache.outbox_discard_held("a-failed", &b).unwrap());

        // Back on A: its in-flight row is resent after the pending one, in order.
        assert_eq!(cache.outbox_requeue_in_flight(&acct_a(), T1).unwrap(), 1);
        assert_eq!(
            cache.outbox_next_pending(&acct_a()).unwrap().unwrap().seq,
            pending.seq
        );
        assert_eq!(cache.outbox_counts(&acct_a()).unwrap().held, 0);
        assert!(!cache.outbox_discard_held("a-pending", &acct_a()).unwrap());
    }

    #[test]
    fn rows_from_before_accounts_are_adopted_only_on_their_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let cache = open(&dir);
        let legacy = account("https://a.example", "");
        enqueue_for(&cache, "old", &legacy);
        let other = account("https://b.example", "fb");
        assert_eq!(cache.outbox_adopt_unkeyed(&other).unwrap(), 0);
        assert!(cache.outbox_next_pending(&other).unwrap().is_none());
        assert_eq!(cache.outbox_adopt_unkeyed(&acct_a()).unwrap(), 1);
        assert_eq!(
            cache
                .outbox_next_pending(&acct_a())
                .unwrap()
                .unwrap()
                .client_id,
            "old"
        );
    }
}
