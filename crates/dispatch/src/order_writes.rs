//! Creating and changing deliveries and fetches from the app's forms: checked here with the
//! document's rules (hakobu-diaq's readers, the ones the sandbox answers with), then written
//! through the outbox. A body that breaks a rule is refused before anything is queued.

use hakobu_cache::{CachedOrder, OutboxRow};
use hakobu_diaq::order::{EDITABLE_STATUS, names};
use hakobu_diaq::{OrderRequest, OrderUpdate};
use serde_json::{Value, json};

use crate::local_checks::first_broken;
use crate::outbox::Written;
use crate::outbox_write::{OrderKind, Target, WindowChoice, Write};
use crate::{CommandError, Dispatch, ErrorCode};

/// Stands in for the window id while checking a create whose window is chosen when it is
/// sent ([`WindowChoice::Earliest`], [`WindowChoice::Anytime`]): the rules about that id are
/// the server's then.
const WINDOW_CHOSEN_WHEN_SENT: &str = "00000000-0000-4000-8000-000000000000";

impl Dispatch {
    /// `POST /v1/deliveries/` or `/v1/fetches/` through the outbox. `window` says where the
    /// window comes from: `Given` — the body's `delivery_window_id`/`fetch_window_id`, a hold
    /// an estimate or `reserve_window` returned; `Earliest`/`Anytime` — estimated when the
    /// write is sent (written offline). Applied: the order as now cached.
    pub async fn create_order(
        &self,
        kind: OrderKind,
        body: Value,
        window: WindowChoice,
    ) -> Result<Written<CachedOrder>, CommandError> {
        self.check_new_order(kind, &body, window)?;
        let write = match kind {
            OrderKind::Delivery => Write::CreateDelivery { body, window },
            OrderKind::Fetch => Write::CreateFetch { body, window },
        };
        self.enqueue_write(write)
            .await?
            .try_map(|row| self.acked_order(kind, &row))
    }

    /// `PUT /v1/deliveries/{id}` or `/v1/fetches/{id}` through the outbox: `customer`,
    /// `packages`, `pickup_comments`, `destination_comments` (the document's 変更可能 table).
    /// The API takes a change only while the order is `created`; one the cache holds in any
    /// other status is refused here, naming `status`.
    pub async fn update_order(
        &self,
        kind: OrderKind,
        id: &str,
        body: Value,
    ) -> Result<Written<CachedOrder>, CommandError> {
        let cached = self.cached_target(kind, id)?;
        if cached.status != EDITABLE_STATUS.as_str() {
            return Err(CommandError::bad_field(
                "status",
                format!(
                    "status {}: the document allows changes only while created",
                    cached.status
                ),
            ));
        }
        OrderUpdate::from_json(&body, kind.purpose()).map_err(first_broken)?;
        let id = Target::Id(id.to_owned());
        let write = match kind {
            OrderKind::Delivery => Write::UpdateDelivery { id, body },
            OrderKind::Fetch => Write::UpdateFetch { id, body },
        };
        self.enqueue_write(write)
            .await?
            .try_map(|row| self.acked_order(kind, &row))
    }

    /// The cached order a change or cancel acts on: unknown is `not_found` naming `id`, one
    /// of the other kind `bad_request` naming `kind`.
    pub(crate) fn cached_target(
        &self,
        kind: OrderKind,
        id: &str,
    ) -> Result<CachedOrder, CommandError> {
        let cached = self.cache.order(id)?.ok_or_else(|| CommandError {
            field: Some("id".into()),
            ..CommandError::new(ErrorCode::NotFound, "id: not in the cache")
        })?;
        if cached.kind != kind.as_str() {
            return Err(CommandError::bad_field(
                "kind",
                format!("kind: {id} is a {}, not a {}", cached.kind, kind.as_str()),
            ));
        }
        Ok(cached)
    }

    /// The document's rules for a new order's body, and `until`/`after` only with an
    /// AnytimeWindow (the API answers 400 otherwise): refused for `Earliest`, and for a
    /// `Given` window the cache knows as a TimeWindow hold.
    fn check_new_order(
        &self,
        kind: OrderKind,
        body: &Value,
        window: WindowChoice,
    ) -> Result<(), CommandError> {
        let n = names(kind.purpose());
        let mut checked = body.clone();
        if window != WindowChoice::Given {
            if body.get(n.window_id).is_some_and(|v| !v.is_null()) {
                return Err(CommandError::bad_field(
                    n.window_id,
                    format!(
                        "{}: not with window {}: the window is chosen when the write is sent",
                        n.window_id,
                        json!(window)
                    ),
                ));
            }
            if let Some(map) = checked.as_object_mut() {
                map.insert(n.window_id.to_owned(), json!(WINDOW_CHOSEN_WHEN_SENT));
            }
        }
        OrderRequest::from_json(&checked, kind.purpose(), self.now_jst()).map_err(first_broken)?;
        let hint_given = body
            .get(n.hint)
            .and_then(Value::as_str)
            .is_some_and(|h| !h.is_empty());
        if !hint_given {
            return Ok(());
        }
        let anytime = match window {
            WindowChoice::Earliest => Some(false),
            WindowChoice::Anytime => Some(true),
            WindowChoice::Given => body[n.window_id]
                .as_str()
                .map(|id| self.cache.hold(id))
                .transpose()?
                .flatten()
                .map(|hold| hold.anytime),
        };
        if anytime == Some(false) {
            return Err(CommandError::bad_field(
                n.hint,
                format!("{}: only with an AnytimeWindow, not a TimeWindow", n.hint),
            ));
        }
        Ok(())
    }

    /// The order an acked create or update wrote, as now cached (or, if a full sync dropped
    /// it meanwhile, as the server answered).
    fn acked_order(&self, kind: OrderKind, row: &OutboxRow) -> Result<CachedOrder, CommandError> {
        if let Some(cached) = row
            .server_id
            .as_deref()
            .map(|id| self.cache.order(id))
            .transpose()?
            .flatten()
        {
            return Ok(cached);
        }
        row.response
            .clone()
            .and_then(|answer| self.cached_order(kind.as_str(), answer, &row.updated_at))
            .ok_or_else(|| CommandError::new(ErrorCode::Internal, "acked order without its object"))
    }

    /// Now in Japan time, as hakobu-diaq's rules take it (the 14-day horizon).
    pub(crate) fn now_jst(&self) -> chrono::DateTime<chrono::FixedOffset> {
        hakobu_diaq::time::from_utc(self.clock.now())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hakobu_cache::{Cache, OutboxState};
    use hakobu_diaq_client::DiaqClient;

    use super::*;
    use crate::{Mode, SystemClock};

    #[test]
    fn an_acked_row_without_an_object_is_an_internal_error() {
        let d = Dispatch::new(
            DiaqClient::new("http://127.0.0.1:9", "k").unwrap(),
            Arc::new(Cache::in_memory().unwrap()),
            Mode::Sandbox,
            Arc::new(SystemClock),
            None,
        )
        .unwrap();
        let row = OutboxRow {
            seq: 1,
            client_id: "c-1".into(),
            kind: "update_delivery".into(),
            payload: Value::Null,
            payload_hash: String::new(),
            revision: 0,
            request: None,
            state: OutboxState::Acked,
            attempts: 1,
            last_error: None,
            last_error_code: None,
            server_id: Some("not-cached".into()),
            response: Some(json!({"id": "not-cached"})),
            created_at: String::new(),
            updated_at: String::new(),
            endpoint: String::new(),
            key_fingerprint: String::new(),
            held: false,
        };
        let e = d.acked_order(OrderKind::Delivery, &row).unwrap_err();
        assert_eq!(e.code, ErrorCode::Internal);
    }
}
