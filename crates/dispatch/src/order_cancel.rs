//! Canceling many deliveries and fetches at once (the board's bulk action): each through the
//! outbox, each answered on its own, in the order asked.
//!
//! The document's cancel table ([`Status::canceled`]) decides which statuses may be canceled;
//! an order the cache holds in any other status is refused here and nothing is sent for it.

use hakobu_diaq::Status;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::outbox::Written;
use crate::outbox_write::{OrderKind, Target, Write};
use crate::{CommandError, Dispatch};

/// One order to cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderRef {
    pub kind: OrderKind,
    pub id: String,
}

/// What became of one cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CancelResult {
    /// The API took it.
    Sent,
    /// The API did not answer: it waits in the outbox.
    Queued,
    /// Not canceled: not cached, not cancellable by the document's table, or refused by the API.
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CancelOutcome {
    pub kind: OrderKind,
    pub id: String,
    /// Null when the order is not in the cache.
    pub tracking_code: Option<String>,
    pub result: CancelResult,
    /// When sent: the status after it (`canceled`, or `returning` once under way).
    pub status: Option<Status>,
    /// Why it was queued or refused.
    pub message: Option<String>,
}

/// What a bulk cancel did.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelBatch {
    /// One per order asked for, in that order.
    pub outcomes: Vec<CancelOutcome>,
    /// Why the queued ones wait (the API did not answer); `None` when none was queued.
    pub unanswered: Option<CommandError>,
}

impl Dispatch {
    /// Cancels each order, in order, and says what became of each; one refusal never stops
    /// the rest. Once one cancel finds the API not answering, the rest are queued behind it
    /// without asking again. Sent cancels are in the cache when this returns.
    pub async fn cancel_orders(&self, orders: &[OrderRef]) -> CancelBatch {
        let mut unanswered: Option<CommandError> = None;
        let mut outcomes = Vec::with_capacity(orders.len());
        for order in orders {
            outcomes.push(self.cancel_one(order, &mut unanswered).await);
        }
        CancelBatch {
            outcomes,
            unanswered,
        }
    }

    async fn cancel_one(
        &self,
        order: &OrderRef,
        unanswered: &mut Option<CommandError>,
    ) -> CancelOutcome {
        let outcome = |tracking_code: Option<String>, result, status, message| CancelOutcome {
            kind: order.kind,
            id: order.id.clone(),
            tracking_code,
            result,
            status,
            message,
        };
        let refused = |tracking_code, message| {
            outcome(tracking_code, CancelResult::Refused, None, Some(message))
        };
        let cached = match self.cached_target(order.kind, &order.id) {
            Ok(cached) => cached,
            Err(e) => return refused(None, e.message),
        };
        let tracking_code = Some(cached.tracking_code.clone());
        let Some(expected) = Status::parse(&cached.status).and_then(Status::canceled) else {
            return refused(
                tracking_code,
                format!(
                    "status {}: the document's cancel table allows no cancel",
                    cached.status
                ),
            );
        };
        let id = Target::Id(order.id.clone());
        let write = match order.kind {
            OrderKind::Delivery => Write::CancelDelivery { id },
            OrderKind::Fetch => Write::CancelFetch { id },
        };
        if let Some(reason) = unanswered {
            return match self.enqueue_unsent(&write) {
                Ok(_) => outcome(
                    tracking_code,
                    CancelResult::Queued,
                    None,
                    Some(reason.message.clone()),
                ),
                Err(e) => refused(tracking_code, e.message),
            };
        }
        match self.enqueue_write(write).await {
            Ok(Written::Applied { value: row, .. }) => {
                // The object read back after the 204; if that read failed the cancel still
                // stands, and the table says what it became.
                let status = row
                    .response
                    .as_ref()
                    .and_then(|r| r["status"].as_str())
                    .and_then(Status::parse)
                    .unwrap_or(expected);
                outcome(tracking_code, CancelResult::Sent, Some(status), None)
            }
            Ok(Written::Queued { reason, .. }) => {
                let message = reason.message.clone();
                *unanswered = Some(reason);
                outcome(tracking_code, CancelResult::Queued, None, Some(message))
            }
            Err(e) => refused(tracking_code, e.message),
        }
    }
}
