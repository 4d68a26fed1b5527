//! The order list: a page of a filter over every cached order (up to 50,000 and more) with its
//! exact total, and every key of a filter (select-all, export). Reads the cache only.
//!
//! Creates written offline and not yet applied come first, oldest first, in every sort (they
//! are not on the server, so they have no tracking code or driver to sort by); the cached
//! orders follow in the asked order. Offsets and the total count both.

use hakobu_cache::{MAX_KEYS, OrderSort};
use serde::Serialize;
use ts_rs::TS;

use crate::order_cancel::OrderRef;
use crate::order_query::OrderQuery;
use crate::order_row::{OrderRow, RowContext};
use crate::{CommandError, Dispatch};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OrderPage {
    /// Every order the filter holds, not just this page (exact).
    pub total: u64,
    pub offset: u32,
    pub rows: Vec<OrderRow>,
}

impl Dispatch {
    /// A page of the filter, in `query.sort` order. `limit` above 1000 is `bad_request`
    /// naming `limit`; a bad `window_date` or `window_hour` names that field.
    pub fn order_page(&self, query: &OrderQuery) -> Result<OrderPage, CommandError> {
        let filter = query.checked()?;
        let now = self.board_now();
        let context = RowContext::read(self, now)?;
        let queued: Vec<&OrderRow> = context
            .queued
            .creates
            .iter()
            .filter(|c| filter.matches(&c.row, &c.search_text))
            .map(|c| &c.row)
            .collect();
        let selection = filter.selection(now);
        let cached_total = self.cache.order_count(&selection)?;
        let offset = query.offset as usize;
        let limit = query.limit as usize;
        let mut rows: Vec<OrderRow> = queued
            .iter()
            .skip(offset)
            .take(limit)
            .map(|r| (*r).clone())
            .collect();
        let wanted = limit - rows.len();
        if wanted > 0 {
            let cached_offset = offset.saturating_sub(queued.len());
            let page = self.cache.order_page(
                &selection,
                query.sort,
                u32::try_from(cached_offset).unwrap_or(u32::MAX),
                u32::try_from(wanted).unwrap_or(u32::MAX),
            )?;
            rows.extend(page.iter().filter_map(|o| context.row(o)));
        }
        Ok(OrderPage {
            total: queued.len() as u64 + cached_total,
            offset: query.offset,
            rows,
        })
    }

    /// Every order the filter holds, as (kind, id), in `query.sort` order — queued creates
    /// (`outbox:<client_id>`) first — at most 100,000. `offset` and `limit` are not used.
    pub fn order_keys(&self, query: &OrderQuery) -> Result<Vec<OrderRef>, CommandError> {
        let filter = OrderQuery {
            offset: 0,
            limit: 0,
            ..query.clone()
        }
        .checked()?;
        let now = self.board_now();
        let context = RowContext::read(self, now)?;
        let mut keys: Vec<OrderRef> = context
            .queued
            .creates
            .iter()
            .filter(|c| filter.matches(&c.row, &c.search_text))
            .map(|c| OrderRef {
                kind: c.row.kind,
                id: c.row.id.clone(),
            })
            .collect();
        let room = MAX_KEYS.saturating_sub(u32::try_from(keys.len()).unwrap_or(MAX_KEYS));
        let sort: OrderSort = query.sort;
        for (kind, id) in self.cache.order_keys(&filter.selection(now), sort, room)? {
            let kind = match kind.as_str() {
                "fetch" => crate::OrderKind::Fetch,
                _ => crate::OrderKind::Delivery,
            };
            keys.push(OrderRef { kind, id });
        }
        keys.truncate(MAX_KEYS as usize);
        Ok(keys)
    }
}
