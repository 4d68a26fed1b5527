//! The board (カンバン): one column per status in lifecycle order, each with its exact count
//! and its first cards, and the late-risk counts of the header. Reads the cache only.

use std::collections::HashMap;

use hakobu_cache::{LateFilter, OrderSelection, OrderSort};
use hakobu_diaq::{LateLevel, Status};
use serde::Serialize;
use ts_rs::TS;

use crate::order_query::{BoardFilter, BoardQuery};
use crate::order_row::{OrderRow, RowContext};
use crate::{CommandError, Dispatch};

/// Cards a column shows at most; its count is exact.
pub const BOARD_CARDS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Board {
    /// All ten statuses in lifecycle order (created … returned), empty ones too.
    pub columns: Vec<BoardColumn>,
    /// Orders on the board: the sum of the columns' counts.
    pub total: u64,
    /// At risk and late among the board's orders, whatever its `late` filter.
    pub late: LateSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BoardColumn {
    pub status: Status,
    pub count: u64,
    /// The first [`BOARD_CARDS`]: queued creates first, then by window start and tracking code.
    pub cards: Vec<OrderRow>,
}

/// The header's 遅延リスク: orders at risk (not yet late) and orders late.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct LateSummary {
    pub at_risk: u64,
    pub late: u64,
}

impl Dispatch {
    /// The board for `query`'s filters.
    pub fn board(&self, query: &BoardQuery) -> Result<Board, CommandError> {
        self.board_with_cards(query, BOARD_CARDS)
    }

    /// The board's counts without its cards: the list's status chips, which need every
    /// column's count but no card (reading 10 × 100 cards over 50,000 orders would cost the
    /// list's first paint for nothing).
    pub fn board_counts(&self, query: &BoardQuery) -> Result<Board, CommandError> {
        self.board_with_cards(query, 0)
    }

    fn board_with_cards(
        &self,
        query: &BoardQuery,
        per_column: usize,
    ) -> Result<Board, CommandError> {
        let filter = query.checked()?;
        let now = self.board_now();
        let context = RowContext::read(self, now)?;
        let selection = filter.selection(now);
        let counts: HashMap<String, u64> =
            self.cache.status_counts(&selection)?.into_iter().collect();
        let mut columns = Vec::with_capacity(Status::ALL.len());
        for status in Status::ALL {
            let queued: Vec<&OrderRow> = queued_rows(&context, &filter)
                .filter(|r| r.status == status)
                .collect();
            let mut cards: Vec<OrderRow> = queued
                .iter()
                .take(per_column)
                .map(|r| (*r).clone())
                .collect();
            let room = per_column - cards.len();
            if room > 0 {
                let column = OrderSelection {
                    statuses: vec![status.as_str().to_owned()],
                    ..selection.clone()
                };
                let page = self.cache.order_page(
                    &column,
                    OrderSort::default(),
                    0,
                    u32::try_from(room).unwrap_or(u32::MAX),
                )?;
                cards.extend(page.iter().filter_map(|o| context.row(o)));
            }
            columns.push(BoardColumn {
                status,
                count: counts.get(status.as_str()).copied().unwrap_or(0) + queued.len() as u64,
                cards,
            });
        }
        // Orders in statuses the document does not list (a status DIAq added later): one more
        // column, only when there are any, so they are seen rather than lost between columns.
        let unknown: Vec<String> = counts
            .keys()
            .filter(|k| Status::parse(k).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            let count = unknown.iter().map(|k| counts[k]).sum();
            let column = OrderSelection {
                statuses: unknown,
                ..selection.clone()
            };
            let page = self.cache.order_page(
                &column,
                OrderSort::default(),
                0,
                u32::try_from(per_column).unwrap_or(u32::MAX),
            )?;
            columns.push(BoardColumn {
                status: Status::Unknown,
                count,
                cards: page.iter().filter_map(|o| context.row(o)).collect(),
            });
        }
        let late = self.late_counts(
            &BoardFilter {
                late: LateFilter::Any,
                ..filter
            },
            &context,
        )?;
        Ok(Board {
            total: columns.iter().map(|c| c.count).sum(),
            columns,
            late,
        })
    }

    /// At risk and late over every cached order (and queued create) now: the header's count.
    pub fn late_summary(&self) -> Result<LateSummary, CommandError> {
        let context = RowContext::read(self, self.board_now())?;
        self.late_counts(&BoardFilter::default(), &context)
    }

    fn late_counts(
        &self,
        filter: &BoardFilter,
        context: &RowContext,
    ) -> Result<LateSummary, CommandError> {
        let count = |late| {
            let selection = OrderSelection {
                late,
                ..filter.selection(context.now)
            };
            self.cache.order_count(&selection)
        };
        let late = count(LateFilter::Late)?;
        let at_risk_or_late = count(LateFilter::AtRiskOrLate)?;
        let queued = |level| {
            queued_rows(context, filter)
                .filter(|r| r.late.level == level)
                .count() as u64
        };
        Ok(LateSummary {
            at_risk: at_risk_or_late - late + queued(LateLevel::AtRisk),
            late: late + queued(LateLevel::Late),
        })
    }
}

/// The queued creates `filter` keeps, oldest first.
fn queued_rows<'a>(
    context: &'a RowContext,
    filter: &'a BoardFilter,
) -> impl Iterator<Item = &'a OrderRow> {
    context
        .queued
        .creates
        .iter()
        .filter(|c| filter.matches(&c.row, &c.search_text))
        .map(|c| &c.row)
}
