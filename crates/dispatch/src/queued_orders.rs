//! Our writes the API has not applied yet, as the board shows them: a queued cancel or change
//! on the card of the order it targets, and a create written offline as a card of its own
//! (status `created`, id `outbox:<client_id>`, no tracking code yet), so what the dispatcher
//! did is on the board before the API has it.
//!
//! Unsettled means `pending`, `in_flight`, `failed` or `conflict`: a refused write stays on its
//! card until it is fixed or discarded.

use std::collections::HashMap;

use hakobu_cache::{OutboxRow, OutboxState, window_time};
use hakobu_diaq::Status;
use serde_json::Value;

use crate::order_row::{OrderRow, QueuedWrite, RowContext};
use crate::orders::{customer_address, customer_name, text};
use crate::outbox_write::{OrderKind, Target, Write};
use crate::{CommandError, Dispatch};

/// The id prefix of a create not yet sent: `outbox:<client_id>`.
pub const QUEUED_ID_PREFIX: &str = "outbox:";

/// Outbox rows read for the board at most. Far more than a day offline writes; past it the
/// oldest unsettled writes are left off the cards (they are still sent).
const UNSETTLED_READ: u32 = 100_000;

const UNSETTLED: [OutboxState; 4] = [
    OutboxState::Pending,
    OutboxState::InFlight,
    OutboxState::Failed,
    OutboxState::Conflict,
];

#[derive(Default)]
pub(crate) struct QueuedOrders {
    /// Order id (or `outbox:<client_id>` of a queued create) → the newest write on it.
    on: HashMap<String, QueuedWrite>,
    /// Creates not yet applied, oldest first, as rows.
    pub creates: Vec<QueuedCreate>,
}

/// A create not yet applied, as a row, with what it is searched by and what it asked for.
pub(crate) struct QueuedCreate {
    pub row: OrderRow,
    pub search_text: String,
    pub body: Value,
}

impl QueuedOrders {
    pub(crate) fn read(d: &Dispatch, context: &RowContext) -> Result<QueuedOrders, CommandError> {
        let mut queued = QueuedOrders::default();
        // Only this account's: another account's writes are held, not on their way here.
        for row in d
            .cache
            .outbox_rows_of(&UNSETTLED, UNSETTLED_READ, &d.account)?
        {
            let Ok(write) = serde_json::from_value::<Write>(row.payload.clone()) else {
                continue;
            };
            let target = match &write {
                Write::UpdateDelivery { id, .. }
                | Write::CancelDelivery { id }
                | Write::UpdateFetch { id, .. }
                | Write::CancelFetch { id } => Some(id),
                _ => None,
            };
            if let Some(target) = target {
                let key = match target {
                    Target::Id(id) => id.clone(),
                    Target::Outbox(client_id) => format!("{QUEUED_ID_PREFIX}{client_id}"),
                };
                // Oldest first: a later write on the same order replaces an earlier one.
                queued.on.insert(key, queued_write(&row));
            }
            let create = match write {
                Write::CreateDelivery { body, .. } => Some((OrderKind::Delivery, body)),
                Write::CreateFetch { body, .. } => Some((OrderKind::Fetch, body)),
                _ => None,
            };
            if let Some((kind, body)) = create {
                queued
                    .creates
                    .push(queued_create(d, context, kind, body, &row)?);
            }
        }
        // A create whose later cancel or change waits too shows that write, as an order does.
        for create in &mut queued.creates {
            if let Some(later) = queued.on.get(&create.row.id) {
                create.row.queued = Some(later.clone());
            }
        }
        Ok(queued)
    }

    /// The newest unsettled write on order `id`.
    pub(crate) fn on(&self, id: &str) -> Option<&QueuedWrite> {
        self.on.get(id)
    }

    /// The queued create `outbox:<client_id>`.
    pub(crate) fn create(&self, id: &str) -> Option<&QueuedCreate> {
        self.creates.iter().find(|c| c.row.id == id)
    }
}

fn queued_write(row: &OutboxRow) -> QueuedWrite {
    QueuedWrite {
        client_id: row.client_id.clone(),
        write_kind: row.kind.clone(),
        state: row.state,
        last_error: row.last_error.clone(),
    }
}

/// The row a create shows as: its customer from the body, its window from the hold it names
/// (cached when the estimate was), or only its date when the window is chosen when it is sent.
fn queued_create(
    d: &Dispatch,
    context: &RowContext,
    kind: OrderKind,
    body: Value,
    row: &OutboxRow,
) -> Result<QueuedCreate, CommandError> {
    let hold = match body[kind.window_id_field()].as_str() {
        Some(id) => d.cache.hold(id)?,
        None => None,
    };
    let base = match kind {
        OrderKind::Delivery => "ready_by",
        OrderKind::Fetch => "deliver_by",
    };
    let base_date = [base, "ready_by"]
        .into_iter()
        .find_map(|b| body[b].as_str().and_then(hakobu_diaq::time::parse))
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    // In the form the cache keeps window times in, as a cached order's are.
    let (starts_at, ends_at, date) = match hold {
        Some(h) => (
            h.starts_at.as_deref().map(window_time),
            window_time(&h.ends_at),
            h.date,
        ),
        None => (None, String::new(), base_date),
    };
    let customer = &body["customer"];
    let store_id = text(&body["store_id"]);
    let refs: Vec<String> = body["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| text(&p["order_reference"]))
        .collect();
    let order = OrderRow {
        id: format!("{QUEUED_ID_PREFIX}{}", row.client_id),
        kind,
        store_name: context.store_name(&store_id),
        store_id,
        status: Status::Created,
        tracking_code: String::new(),
        customer_name: customer_name(customer),
        customer_phone: text(&customer["phone"]),
        customer_address: customer_address(customer),
        late: context.late(Status::Created, &ends_at),
        window_starts_at: starts_at,
        window_ends_at: ends_at,
        window_date: date,
        driver_id: None,
        driver_name: None,
        cancel_to: Status::Created.canceled(),
        queued: Some(queued_write(row)),
    };
    let search_text = format!(
        "{} {} {} {} {}",
        refs.join(" "),
        order.customer_name,
        order.customer_name.replace([' ', '\u{3000}'], ""),
        order.customer_phone,
        order.customer_address
    ) + " "
        + &order.customer_phone.replace('-', "");
    Ok(QueuedCreate {
        row: order,
        search_text,
        body,
    })
}
