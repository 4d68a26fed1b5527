//! The outbox: every write is first a row in the cache, then sent — at once when the API
//! answers, otherwise when it answers again — strictly in the order it was asked for.
//!
//! Rules (DESIGN.md "Writes", docs/decisions.md "Outbox"):
//! - A row is claimed (`in_flight`, attempts + 1) before it is sent, and settled after:
//!   `acked` (the cache then holds the server's object), `failed` (400: the user fixes or
//!   discards it), `conflict` (the target is gone or changed: 404/409/422 on an update,
//!   cancel or delete). No answer — a transport error, or 5xx/429/401 after the client's own
//!   retries — puts the row back to `pending` and stops the replay: the rest wait behind it.
//! - A refused row does not stop the rows after it: they are separate writes. A write that
//!   acts on what a refused row would have created becomes a conflict itself.
//! - Every write carries `Idempotency-Key: <client id>` (`<client id>.r<N>` after the N-th
//!   edit-and-retry), so a resend after a lost answer gets the first answer back.
//! - A create that was sent before (attempts > 0) is first looked for by its order
//!   references; found, it is acked without sending. A store has none: it is looked for by
//!   name, address and phone. The key alone is not relied on: DIAq's document does not
//!   promise `Idempotency-Key`.
//! - A delete or cancel sent before that now answers 404 is that earlier send having done it:
//!   acked (a cancel with the object read back), not a conflict.

use hakobu_cache::{NewOutboxRow, OutboxCounts, OutboxRow, OutboxState, StatusOrigin};
use hakobu_diaq::{Store, StoreInput, StoreQuery};
use hakobu_diaq_client::{ClientError, OrderQuery};
use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

use crate::outbox_write::{OrderKind, Target, WindowChoice, Write};
use crate::webhook_intake::is_newer;
use crate::{Changes, CommandError, Dispatch, ErrorCode, tokyo_rfc3339};

/// Most rows [`Dispatch::outbox_rows`] returns.
pub const OUTBOX_LIST_LIMIT: u32 = 500;

/// What became of a write handed to the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Written<T> {
    /// The server applied it; `value` is what it answered.
    Applied { client_id: String, value: T },
    /// Not sent yet: `reason` is why the queue stopped (offline, unauthorized, …). It is sent
    /// by a later [`Dispatch::replay_outbox`].
    Queued {
        client_id: String,
        reason: CommandError,
    },
}

impl<T> Written<T> {
    pub fn client_id(&self) -> &str {
        match self {
            Written::Applied { client_id, .. } | Written::Queued { client_id, .. } => client_id,
        }
    }

    pub(crate) fn try_map<U>(
        self,
        f: impl FnOnce(T) -> Result<U, CommandError>,
    ) -> Result<Written<U>, CommandError> {
        Ok(match self {
            Written::Applied { client_id, value } => Written::Applied {
                client_id,
                value: f(value)?,
            },
            Written::Queued { client_id, reason } => Written::Queued { client_id, reason },
        })
    }

    /// For callers that can only say "the object, or an error": a queued write comes back
    /// as the error that stopped the queue, its message saying that the write is queued.
    pub fn applied(self) -> Result<T, CommandError> {
        match self {
            Written::Applied { value, .. } => Ok(value),
            Written::Queued { client_id, reason } => Err(CommandError {
                message: format!(
                    "{}; the write is queued ({client_id}) and is sent when the API answers",
                    reason.message
                ),
                ..reason
            }),
        }
    }
}

/// What one replay did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct ReplayReport {
    pub acked: usize,
    pub failed: usize,
    pub conflicts: usize,
    /// Why rows are still pending (the API did not answer); `None` when the queue emptied.
    pub stopped: Option<CommandError>,
    /// The refusals of this replay, by client id: a caller waiting on its own write hears
    /// the server's error with its code and field.
    #[serde(skip)]
    pub refused: Vec<(String, CommandError)>,
}

/// How the server's answer settles a row.
enum Verdict {
    Acked {
        server_id: Option<String>,
        response: Value,
    },
    Refused {
        state: OutboxState,
        error: CommandError,
    },
    Unanswered(CommandError),
}

/// What a write does to its target, for reading a refusal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Makes something new (store, delivery, fetch, estimate, hold).
    Create,
    /// Changes or removes something that exists.
    Change,
}

fn acked(server_id: Option<String>, response: Value) -> Verdict {
    Verdict::Acked {
        server_id,
        response,
    }
}

fn conflict(code: ErrorCode, message: impl Into<String>) -> Verdict {
    Verdict::Refused {
        state: OutboxState::Conflict,
        error: CommandError::new(code, message),
    }
}

/// Sorts a client error into what happens to the row.
fn verdict_of(e: ClientError, effect: Effect) -> Verdict {
    let unanswered = match &e {
        ClientError::Transport(_) | ClientError::Unauthorized => true,
        ClientError::Server { status, .. } => {
            // 409 on a create is our own key still running on the server: ask again later.
            *status >= 500 || *status == 429 || (*status == 409 && effect == Effect::Create)
        }
        _ => false,
    };
    if unanswered {
        return Verdict::Unanswered(e.into());
    }
    match e {
        ClientError::NotFound { message } if effect == Effect::Change => {
            conflict(ErrorCode::NotFound, message)
        }
        ClientError::Server { status, message } if status == 409 || status == 422 => {
            conflict(ErrorCode::Conflict, message)
        }
        other => Verdict::Refused {
            state: OutboxState::Failed,
            error: other.into(),
        },
    }
}

/// The key a row is sent under: the client id, then a new one per edit-and-retry (the
/// server keeps the refused body under the old key and answers a changed body with 422).
fn idempotency_key(row: &OutboxRow) -> String {
    if row.revision == 0 {
        row.client_id.clone()
    } else {
        format!("{}.r{}", row.client_id, row.revision)
    }
}

impl Dispatch {
    fn stamp(&self) -> String {
        tokyo_rfc3339(self.clock.now())
    }

    /// Queues `write` and replays the queue at once: online, the write is applied before
    /// this returns; offline, it waits (and the caller learns why). A write the server
    /// refuses at once comes back as the error — the form that sent it is where it gets
    /// fixed — and leaves no row behind.
    pub async fn enqueue_write(&self, write: Write) -> Result<Written<OutboxRow>, CommandError> {
        let client_id = self.enqueue_unsent(&write)?;
        let sent = self.send_now(client_id.clone(), true).await;
        // Retired between the queueing and the send (a switch under way): the caller is told
        // to try again, and will, on the next account. A row never sent goes, or it would be
        // held for this account and sent as a duplicate if the user ever switched back.
        if sent.is_err()
            && self.still_current().is_err()
            && let Some(row) = self.cache.outbox_row(&client_id)?
            && row.state == OutboxState::Pending
            && row.attempts == 0
        {
            self.cache.outbox_discard(&client_id)?;
        }
        sent
    }

    /// Queues `write` without trying to send it; returns its client id. For a batch whose
    /// earlier write just found the API not answering: asking again for each of the rest
    /// would only wait through the client's retries once more per write.
    pub(crate) fn enqueue_unsent(&self, write: &Write) -> Result<String, CommandError> {
        // A switch under way: nothing more is queued for the account being left.
        self.still_current()?;
        let client_id = uuid::Uuid::new_v4().to_string();
        let payload = write.payload();
        let hash = crate::outbox_write::payload_hash(&payload);
        self.cache.outbox_enqueue(&NewOutboxRow {
            account: &self.account,
            client_id: &client_id,
            kind: write.kind(),
            payload: &payload,
            payload_hash: &hash,
            now: &self.stamp(),
        })?;
        Ok(client_id)
    }

    /// Replays the queue and says what became of `client_id`'s row. A refusal comes back as
    /// the error; `forget_refused` then drops the row (a new write from a form), otherwise it
    /// stays for the user to edit again or discard (an edit-and-retry).
    async fn send_now(
        &self,
        client_id: String,
        forget_refused: bool,
    ) -> Result<Written<OutboxRow>, CommandError> {
        let report = self.replay_outbox().await?;
        let row = self.cache.outbox_row(&client_id)?.ok_or_else(|| {
            CommandError::new(
                ErrorCode::Internal,
                format!("outbox row {client_id} vanished"),
            )
        })?;
        match row.state {
            OutboxState::Acked => Ok(Written::Applied {
                client_id,
                value: row,
            }),
            OutboxState::Failed | OutboxState::Conflict => {
                let error = report
                    .refused
                    .into_iter()
                    .find(|(id, _)| *id == client_id)
                    .map(|(_, e)| e)
                    .unwrap_or_else(|| refusal_of(&row));
                if forget_refused {
                    self.cache.outbox_discard(&client_id)?;
                }
                Err(error)
            }
            OutboxState::Pending | OutboxState::InFlight => Ok(Written::Queued {
                client_id,
                reason: report.stopped.unwrap_or_else(|| {
                    CommandError::new(ErrorCode::Transport, "queued behind earlier writes")
                }),
            }),
        }
    }

    /// Sends every pending row, oldest first, until the queue is empty or the API stops
    /// answering. Call it on a timer and whenever the API answers again. Rows left
    /// `in_flight` by an earlier run that stopped mid-send are sent again first, safely.
    /// Only this account's rows: another account's are held, never sent here.
    pub async fn replay_outbox(&self) -> Result<ReplayReport, CommandError> {
        // One replay at a time: in order means one row in flight.
        let _one = self.replaying.lock().await;
        self.still_current()?;
        self.cache
            .outbox_requeue_in_flight(&self.account, &self.stamp())?;
        let mut report = ReplayReport::default();
        while let Some(next) = self.cache.outbox_next_pending(&self.account)? {
            // Retired: the rest wait, pending, for their account.
            if self.still_current().is_err() {
                break;
            }
            let sent_before = next.attempts > 0;
            let Some(row) = self.cache.outbox_mark_in_flight(next.seq, &self.stamp())? else {
                continue;
            };
            let verdict = match serde_json::from_value::<Write>(row.payload.clone()) {
                // A switch does not wait for the API (a request with its retries can take a
                // minute): the send is given up, the row left in flight — looked up before
                // it is sent again, as after a crash — for its account's next replay.
                Ok(write) => tokio::select! {
                    biased;
                    verdict = self.send_row(&row, &write, sent_before) => verdict?,
                    () = self.retiring() => return Err(crate::retired::retired_error()),
                },
                Err(e) => Verdict::Refused {
                    state: OutboxState::Failed,
                    error: CommandError::new(ErrorCode::Internal, format!("unreadable write: {e}")),
                },
            };
            let now = self.stamp();
            match verdict {
                Verdict::Acked {
                    server_id,
                    response,
                } => {
                    self.cache.outbox_acked(
                        row.seq,
                        server_id.as_deref(),
                        Some(&response),
                        &now,
                    )?;
                    report.acked += 1;
                }
                Verdict::Refused { state, error } => {
                    let code = error.code.as_str();
                    if state == OutboxState::Conflict {
                        self.cache
                            .outbox_conflict(row.seq, code, &error.message, &now)?;
                        report.conflicts += 1;
                    } else {
                        self.cache
                            .outbox_failed(row.seq, code, &error.message, &now)?;
                        report.failed += 1;
                    }
                    report.refused.push((row.client_id.clone(), error));
                }
                Verdict::Unanswered(error) => {
                    self.cache.outbox_unanswered(
                        row.seq,
                        error.code.as_str(),
                        &error.message,
                        &now,
                    )?;
                    report.stopped = Some(error);
                    break;
                }
            }
        }
        Ok(report)
    }

    /// The outbox for the UI, oldest first, other accounts' rows marked `held`; `states`
    /// empty means every row.
    pub fn outbox_rows(&self, states: &[OutboxState]) -> Result<Vec<OutboxRow>, CommandError> {
        Ok(self
            .cache
            .outbox_rows(states, OUTBOX_LIST_LIMIT, &self.account)?)
    }

    /// Pending (not yet answered), failed and conflicting writes of this account, and how
    /// many other accounts' are held, for the status bar.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, CommandError> {
        Ok(self.cache.outbox_counts(&self.account)?)
    }

    /// Gives up a failed or conflicting write, or a held one (another account's, not in
    /// flight).
    pub fn discard_failed(&self, client_id: &str) -> Result<(), CommandError> {
        if self.cache.outbox_discard(client_id)?
            || self.cache.outbox_discard_held(client_id, &self.account)?
        {
            Ok(())
        } else {
            Err(CommandError::new(
                ErrorCode::NotFound,
                format!("outbox: no failed, conflicting or held write {client_id}"),
            ))
        }
    }

    /// Edit-and-retry: a failed or conflicting write, changed (`Some`) or as it was (`None`),
    /// is queued again in its place and the queue replayed.
    pub async fn retry_failed(
        &self,
        client_id: &str,
        write: Option<Write>,
    ) -> Result<Written<OutboxRow>, CommandError> {
        let not_open = || {
            CommandError::new(
                ErrorCode::NotFound,
                format!("outbox: no failed or conflicting write {client_id}"),
            )
        };
        let row = self.cache.outbox_row(client_id)?.ok_or_else(not_open)?;
        if (&row.endpoint, &row.key_fingerprint)
            != (&self.account.endpoint, &self.account.key_fingerprint)
        {
            return Err(held_elsewhere(client_id));
        }
        let write = match write {
            Some(w) => w,
            None => serde_json::from_value(row.payload).map_err(|e| {
                CommandError::new(ErrorCode::Internal, format!("unreadable write: {e}"))
            })?,
        };
        let payload = write.payload();
        let hash = crate::outbox_write::payload_hash(&payload);
        self.cache
            .outbox_retry(client_id, write.kind(), &payload, &hash, &self.stamp())?
            .ok_or_else(not_open)?;
        self.send_now(client_id.to_owned(), false).await
    }

    async fn send_row(
        &self,
        row: &OutboxRow,
        write: &Write,
        sent_before: bool,
    ) -> Result<Verdict, CommandError> {
        let key = idempotency_key(row);
        let client = &self.client;
        Ok(match write {
            Write::CreateStore { input } => {
                // As for orders: the last try may have been applied with its answer lost.
                if sent_before {
                    let found = self.find_created_store(input).await;
                    self.observe(&found);
                    match found {
                        Ok(Some(store)) => {
                            let cached = self.store_answered(store)?;
                            return Ok(acked(Some(cached.store.id.clone()), json!(cached.store)));
                        }
                        Ok(None) => {}
                        Err(e) => return Ok(verdict_of(e, Effect::Create)),
                    }
                }
                let result = client.create_store_keyed(input, &key).await;
                self.observe(&result);
                match result {
                    Ok(store) => {
                        let cached = self.store_answered(store)?;
                        acked(Some(cached.store.id.clone()), json!(cached.store))
                    }
                    Err(e) => verdict_of(e, Effect::Create),
                }
            }
            Write::UpdateStore { id, input } => {
                let id = match self.resolve(id)? {
                    Ok(id) => id,
                    Err(v) => return Ok(v),
                };
                let result = client.update_store_keyed(&id, input, &key).await;
                self.observe(&result);
                match result {
                    Ok(store) => {
                        let cached = self.store_answered(store)?;
                        acked(Some(id), json!(cached.store))
                    }
                    Err(e) => self.store_refused(&id, e)?,
                }
            }
            Write::DeleteStore { id } => {
                let id = match self.resolve(id)? {
                    Ok(id) => id,
                    Err(v) => return Ok(v),
                };
                let result = client.delete_store_keyed(&id, &key).await;
                self.observe(&result);
                match result {
                    Ok(()) => {
                        self.cache.delete_store(&id)?;
                        acked(Some(id), Value::Null)
                    }
                    // Sent before, its answer lost: the store is gone because of that send.
                    Err(ClientError::NotFound { .. }) if sent_before => {
                        self.cache.delete_store(&id)?;
                        acked(Some(id), Value::Null)
                    }
                    Err(e) => self.store_refused(&id, e)?,
                }
            }
            Write::Estimate { kind, body } => {
                let result = match kind {
                    OrderKind::Delivery => client
                        .create_delivery_estimate_keyed(body, &key)
                        .await
                        .map(|e| (e.id.clone(), json!(e))),
                    OrderKind::Fetch => client
                        .create_fetch_estimate_keyed(body, &key)
                        .await
                        .map(|e| (e.id.clone(), json!(e))),
                };
                self.observe(&result);
                match result {
                    Ok((id, estimate)) => {
                        self.estimate_answered(*kind, &row.client_id, &estimate);
                        acked(id, estimate)
                    }
                    Err(e) => verdict_of(e, Effect::Create),
                }
            }
            Write::ReserveWindow {
                store_id,
                reserve_date,
                time_zone_id,
            } => {
                let store_id = match self.resolve(store_id)? {
                    Ok(id) => id,
                    Err(v) => return Ok(v),
                };
                let result = client
                    .reserve_window_keyed(&store_id, reserve_date, time_zone_id, &key)
                    .await;
                self.observe(&result);
                match result {
                    Ok(window) => {
                        self.window_reserved(&store_id, reserve_date, time_zone_id, &window);
                        acked(Some(window.id.clone()), json!(window))
                    }
                    Err(e) => verdict_of(e, Effect::Create),
                }
            }
            Write::CreateDelivery { body, window } => {
                let refs = write.order_references();
                self.send_create(row, OrderKind::Delivery, body, *window, &refs, sent_before)
                    .await?
            }
            Write::CreateFetch { body, window } => {
                let refs = write.order_references();
                self.send_create(row, OrderKind::Fetch, body, *window, &refs, sent_before)
                    .await?
            }
            Write::UpdateDelivery { id, body } => {
                self.send_update(OrderKind::Delivery, id, body, &key)
                    .await?
            }
            Write::UpdateFetch { id, body } => {
                self.send_update(OrderKind::Fetch, id, body, &key).await?
            }
            Write::CancelDelivery { id } => {
                self.send_cancel(OrderKind::Delivery, id, &key, sent_before)
                    .await?
            }
            Write::CancelFetch { id } => {
                self.send_cancel(OrderKind::Fetch, id, &key, sent_before)
                    .await?
            }
        })
    }

    /// The server id of a target; a target whose creating row was not applied is a conflict.
    fn resolve(&self, target: &Target) -> Result<Result<String, Verdict>, CommandError> {
        let client_id = match target {
            Target::Id(id) => return Ok(Ok(id.clone())),
            Target::Outbox(client_id) => client_id,
        };
        Ok(match self.cache.outbox_row(client_id)? {
            Some(OutboxRow {
                state: OutboxState::Acked,
                server_id: Some(id),
                ..
            }) => Ok(id),
            Some(row) => Err(conflict(
                ErrorCode::Conflict,
                format!(
                    "target: the write that creates it ({client_id}) is {}, not applied",
                    row.state.as_str()
                ),
            )),
            None => Err(conflict(
                ErrorCode::Conflict,
                format!("target: the write that creates it ({client_id}) was discarded"),
            )),
        })
    }

    /// A store the API says does not exist is dropped from the cache too.
    fn store_refused(&self, id: &str, e: ClientError) -> Result<Verdict, CommandError> {
        if matches!(e, ClientError::NotFound { .. }) {
            self.cache.delete_store(id)?;
        }
        Ok(verdict_of(e, Effect::Change))
    }

    async fn send_create(
        &self,
        row: &OutboxRow,
        kind: OrderKind,
        body: &Value,
        window: WindowChoice,
        refs: &[String],
        sent_before: bool,
    ) -> Result<Verdict, CommandError> {
        // The last try may have been applied with its answer lost. The key would replay that
        // answer, but only on a server that honours keys and within 24 h: look first.
        if sent_before && !refs.is_empty() {
            match self.find_created(kind, body, refs).await {
                Ok(Some(found)) => return self.order_acked(kind, found).await,
                Ok(None) => {}
                Err(e) => return Ok(verdict_of(e, Effect::Create)),
            }
        }
        let key = idempotency_key(row);
        let request = match (&row.request, window) {
            (Some(fixed), _) => fixed.clone(),
            (None, WindowChoice::Given) => body.clone(),
            (None, choice) => match self.pick_window(kind, body, choice, &key).await {
                Ok(Ok(window_id)) => {
                    let mut request = body.clone();
                    request[kind.window_id_field()] = json!(window_id);
                    // Fixed before it is sent: a resend under this key must carry this body.
                    self.cache
                        .outbox_set_request(row.seq, &request, &self.stamp())?;
                    request
                }
                Ok(Err(refused)) => return Ok(refused),
                Err(e) => return Ok(verdict_of(e, Effect::Create)),
            },
        };
        let result = match kind {
            OrderKind::Delivery => self
                .client
                .create_delivery_keyed(&request, &key)
                .await
                .map(|d| json!(d)),
            OrderKind::Fetch => self
                .client
                .create_fetch_keyed(&request, &key)
                .await
                .map(|f| json!(f)),
        };
        self.observe(&result);
        match result {
            Ok(created) => self.order_acked(kind, created).await,
            Err(e) => Ok(verdict_of(e, Effect::Create)),
        }
    }

    /// Estimates now and picks the window a create written offline asked for.
    async fn pick_window(
        &self,
        kind: OrderKind,
        body: &Value,
        choice: WindowChoice,
        key: &str,
    ) -> Result<Result<String, Verdict>, ClientError> {
        let estimate_key = format!("{key}.estimate");
        let result = match kind {
            OrderKind::Delivery => self
                .client
                .create_delivery_estimate_keyed(body, &estimate_key)
                .await
                .map(|e| {
                    self.estimate_answered(kind, &estimate_key, &json!(e));
                    e.delivery_windows
                }),
            OrderKind::Fetch => self
                .client
                .create_fetch_estimate_keyed(body, &estimate_key)
                .await
                .map(|e| {
                    self.estimate_answered(kind, &estimate_key, &json!(e));
                    e.fetch_windows
                }),
        };
        self.observe(&result);
        let windows = result?;
        let anytime = choice == WindowChoice::Anytime;
        Ok(windows
            .into_iter()
            .find(|w| w.starts_at.is_none() == anytime)
            .map(|w| w.id)
            .ok_or_else(|| Verdict::Refused {
                state: OutboxState::Failed,
                error: CommandError::new(
                    ErrorCode::BadRequest,
                    format!(
                        "window: the estimate offered no {}",
                        if anytime {
                            "AnytimeWindow"
                        } else {
                            "TimeWindow"
                        }
                    ),
                ),
            }))
    }

    /// A delivery or fetch of the same store carrying every order reference of the write.
    async fn find_created(
        &self,
        kind: OrderKind,
        body: &Value,
        refs: &[String],
    ) -> Result<Option<Value>, ClientError> {
        let query = OrderQuery {
            order_reference: Some(refs[0].clone()),
            store_id: body["store_id"].as_str().map(str::to_owned),
            ..OrderQuery::default()
        };
        let found = match kind {
            OrderKind::Delivery => self
                .client
                .all_deliveries(&query)
                .await
                .map(|ds| ds.into_iter().map(|d| json!(d)).collect::<Vec<_>>()),
            OrderKind::Fetch => self
                .client
                .all_fetches(&query)
                .await
                .map(|fs| fs.into_iter().map(|f| json!(f)).collect::<Vec<_>>()),
        };
        self.observe(&found);
        let mut wanted: Vec<&str> = refs.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        Ok(found?.into_iter().find(|o| {
            let mut has: Vec<&str> = o["packages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["order_reference"].as_str())
                .filter(|r| !r.is_empty())
                .collect();
            has.sort_unstable();
            has == wanted
        }))
    }

    /// A store with the write's name, address and phone (and its alias and postal code when
    /// it gives them): what a create whose answer was lost made. Another store with all of
    /// these the same would be taken for it — two stores alike in every one of them are the
    /// same store to a dispatcher.
    async fn find_created_store(&self, input: &StoreInput) -> Result<Option<Store>, ClientError> {
        let query = StoreQuery {
            store_name: input.store_name.clone(),
            store_phone: input.store_phone.clone(),
            ..StoreQuery::default()
        };
        let same = |wanted: &Option<String>, has: &str| wanted.as_deref().is_none_or(|w| w == has);
        Ok(self.client.all_stores(&query).await?.into_iter().find(|s| {
            input.store_name.as_deref() == Some(s.store_name.as_str())
                && input.store_phone.as_deref() == Some(s.store_phone.as_str())
                && input.store_address_prefecture.as_deref()
                    == Some(s.store_address_prefecture.as_str())
                && input.store_address_line_1.as_deref() == Some(s.store_address_line_1.as_str())
                && same(&input.store_address_line_2, &s.store_address_line_2)
                && same(&input.store_address_zipcode, &s.store_address_zipcode)
                && same(&input.id_alias, &s.id_alias)
        }))
    }

    async fn send_update(
        &self,
        kind: OrderKind,
        target: &Target,
        body: &Value,
        key: &str,
    ) -> Result<Verdict, CommandError> {
        let id = match self.resolve(target)? {
            Ok(id) => id,
            Err(v) => return Ok(v),
        };
        let result = match kind {
            OrderKind::Delivery => self
                .client
                .update_delivery_keyed(&id, body, key)
                .await
                .map(|d| json!(d)),
            OrderKind::Fetch => self
                .client
                .update_fetch_keyed(&id, body, key)
                .await
                .map(|f| json!(f)),
        };
        self.observe(&result);
        match result {
            Ok(updated) => self.order_acked(kind, updated).await,
            Err(e) => Ok(verdict_of(e, Effect::Change)),
        }
    }

    async fn send_cancel(
        &self,
        kind: OrderKind,
        target: &Target,
        key: &str,
        sent_before: bool,
    ) -> Result<Verdict, CommandError> {
        let id = match self.resolve(target)? {
            Ok(id) => id,
            Err(v) => return Ok(v),
        };
        let result = match kind {
            OrderKind::Delivery => self.client.cancel_delivery_keyed(&id, key).await,
            OrderKind::Fetch => self.client.cancel_fetch_keyed(&id, key).await,
        };
        self.observe(&result);
        match result {
            // Sent before, its answer lost: the 404 ("cannot be canceled") is that send having
            // canceled it; what the object is now is read back below.
            Err(ClientError::NotFound { .. }) if sent_before => {}
            Err(e) => return Ok(verdict_of(e, Effect::Change)),
            Ok(()) => {}
        }
        // DELETE answers 204: read the canceled object back for the board. The cancel stands
        // whether or not this read works; a later sync catches up if it does not.
        let current = match kind {
            OrderKind::Delivery => self.client.get_delivery(&id).await.map(|d| json!(d)),
            OrderKind::Fetch => self.client.get_fetch(&id).await.map(|f| json!(f)),
        };
        match current {
            Ok(object) => self.order_acked(kind, object).await,
            Err(e) => {
                tracing::warn!(
                    "canceled {} {id}, could not read it back: {e}",
                    kind.as_str()
                );
                Ok(acked(Some(id), Value::Null))
            }
        }
    }

    /// Puts the server's delivery or fetch into the cache (unless the cache already holds a
    /// newer `update` of it: a replayed answer can be older than a webhook) and acks with it.
    async fn order_acked(&self, kind: OrderKind, object: Value) -> Result<Verdict, CommandError> {
        self.hold_used(kind, &object);
        let id = object["id"].as_str().map(str::to_owned);
        if let Some(row) = self.cached_order(kind.as_str(), object.clone(), &self.stamp()) {
            // The same compare-and-write rule as syncs and webhook confirmations.
            let _writing = self.order_writes.lock().await;
            let newer_cached = self
                .cache
                .order(&row.id)?
                .is_some_and(|cached| is_newer(&cached.api_update, &row.api_update));
            if !newer_cached {
                self.cache
                    .upsert_orders(std::slice::from_ref(&row), StatusOrigin::WRITE)?;
                self.announce(Changes {
                    orders: vec![row.id.clone()],
                    ..Changes::default()
                });
            }
        }
        Ok(acked(id, object))
    }
}

/// The error of a row refused by an earlier replay, rebuilt from what the row kept.
/// Edit-and-retry of another account's write: it could only be sent to this one.
fn held_elsewhere(client_id: &str) -> CommandError {
    CommandError::new(
        ErrorCode::Conflict,
        format!(
            "outbox: write {client_id} was made for another account; set that account up again to send it, or discard it"
        ),
    )
}

/// The code the row kept (a row settled before the cache kept codes has none: a failed one
/// reads as the API's 400, a conflicting one as a conflict).
fn refusal_of(row: &OutboxRow) -> CommandError {
    let message = row.last_error.clone().unwrap_or_default();
    let code = row
        .last_error_code
        .as_deref()
        .and_then(|kept| ErrorCode::ALL.into_iter().find(|c| c.as_str() == kept));
    match (code, row.state) {
        (Some(ErrorCode::BadRequest), _) | (None, OutboxState::Failed) => {
            ClientError::BadRequest { message }.into()
        }
        (Some(ErrorCode::NotFound), _) => ClientError::NotFound { message }.into(),
        (Some(code), _) => CommandError::new(code, message),
        (None, _) => CommandError::new(ErrorCode::Conflict, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_of(v: &Verdict) -> &'static str {
        match v {
            Verdict::Acked { .. } => "acked",
            Verdict::Refused {
                state: OutboxState::Conflict,
                ..
            } => "conflict",
            Verdict::Refused { .. } => "failed",
            Verdict::Unanswered(_) => "pending",
        }
    }

    #[test]
    fn answers_settle_rows_by_what_the_write_does() {
        let server = |status| ClientError::Server {
            status,
            message: "m".into(),
        };
        let not_found = || ClientError::NotFound {
            message: "id: not found".into(),
        };
        let cases = [
            (
                ClientError::Transport("refused".into()),
                Effect::Create,
                "pending",
            ),
            (ClientError::Unauthorized, Effect::Change, "pending"),
            (server(503), Effect::Change, "pending"),
            (server(429), Effect::Create, "pending"),
            (server(409), Effect::Create, "pending"),
            (server(409), Effect::Change, "conflict"),
            (server(422), Effect::Create, "conflict"),
            (server(422), Effect::Change, "conflict"),
            (not_found(), Effect::Change, "conflict"),
            (not_found(), Effect::Create, "failed"),
            (
                ClientError::BadRequest {
                    message: "store_phone: is required".into(),
                },
                Effect::Create,
                "failed",
            ),
            (ClientError::Decode("eof".into()), Effect::Create, "failed"),
            (server(418), Effect::Change, "failed"),
        ];
        for (e, effect, want) in cases {
            let shown = format!("{e:?}");
            assert_eq!(state_of(&verdict_of(e, effect)), want, "{shown}");
        }
        let Verdict::Refused { error, .. } = verdict_of(
            ClientError::BadRequest {
                message: "store_phone: is required".into(),
            },
            Effect::Create,
        ) else {
            panic!()
        };
        assert_eq!(
            (error.code, error.field.as_deref()),
            (ErrorCode::BadRequest, Some("store_phone"))
        );
    }

    fn row(state: OutboxState, revision: u32, last_error: Option<&str>) -> OutboxRow {
        OutboxRow {
            seq: 1,
            client_id: "c-1".into(),
            kind: "create_store".into(),
            payload: Value::Null,
            payload_hash: String::new(),
            revision,
            request: None,
            state,
            attempts: 1,
            last_error: last_error.map(str::to_owned),
            last_error_code: None,
            server_id: None,
            response: None,
            created_at: String::new(),
            updated_at: String::new(),
            endpoint: String::new(),
            key_fingerprint: String::new(),
            held: false,
        }
    }

    #[test]
    fn each_revision_has_its_own_key() {
        assert_eq!(idempotency_key(&row(OutboxState::Pending, 0, None)), "c-1");
        assert_eq!(
            idempotency_key(&row(OutboxState::Pending, 2, None)),
            "c-1.r2"
        );
    }

    #[test]
    fn a_refusal_kept_in_the_row_is_rebuilt_with_its_field() {
        let e = refusal_of(&row(
            OutboxState::Failed,
            0,
            Some("store_phone: is required"),
        ));
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::BadRequest, Some("store_phone"))
        );
        let e = refusal_of(&row(OutboxState::Conflict, 0, Some("gone")));
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Conflict, "gone"));
    }

    #[test]
    fn a_refusal_kept_with_its_code_is_rebuilt_with_that_code() {
        let kept = |state, code: &str, message| OutboxRow {
            last_error_code: Some(code.into()),
            ..row(state, 0, Some(message))
        };
        // A reservation refused as unavailable (404) reads as not found, not as a 400.
        let e = refusal_of(&kept(
            OutboxState::Failed,
            "not_found",
            "window unavailable",
        ));
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::NotFound, "window unavailable")
        );
        let e = refusal_of(&kept(
            OutboxState::Failed,
            "bad_request",
            "store_phone: is required",
        ));
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::BadRequest, Some("store_phone"))
        );
        let e = refusal_of(&kept(
            OutboxState::Failed,
            "internal",
            "unreadable write: x",
        ));
        assert_eq!(e.code, ErrorCode::Internal);
        let e = refusal_of(&kept(OutboxState::Conflict, "not_found", "id: gone"));
        assert_eq!(e.code, ErrorCode::NotFound);
        // A code this build does not know reads as if none were kept.
        let e = refusal_of(&kept(OutboxState::Conflict, "teapot", "gone"));
        assert_eq!(e.code, ErrorCode::Conflict);
    }

    #[test]
    fn a_queued_write_reads_as_its_reason_for_callers_wanting_the_object() {
        let applied: Written<u8> = Written::Applied {
            client_id: "a".into(),
            value: 7,
        };
        assert_eq!(applied.client_id(), "a");
        assert_eq!(applied.applied(), Ok(7));
        let queued: Written<u8> = Written::Queued {
            client_id: "b".into(),
            reason: CommandError::new(ErrorCode::Transport, "could not reach the API: refused"),
        };
        assert_eq!(
            serde_json::to_value(&queued).unwrap()["state"],
            serde_json::json!("queued")
        );
        let e = queued.applied().unwrap_err();
        assert_eq!(e.code, ErrorCode::Transport);
        assert!(e.message.contains("queued (b)"), "{}", e.message);
        let mapped = Written::Applied {
            client_id: "c".into(),
            value: 1u8,
        }
        .try_map(|_| Err::<(), _>(CommandError::new(ErrorCode::Cache, "x")));
        assert_eq!(mapped.unwrap_err().code, ErrorCode::Cache);
    }
}
