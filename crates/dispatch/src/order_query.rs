//! What the board and the order list ask for: the filters (checked here, each refusal naming
//! its field), the sort and the page. The same filter selects cached orders in SQL and queued
//! creates in memory ([`BoardFilter::matches`]), so both kinds of row obey it alike.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use hakobu_cache::{LateFilter, MAX_LIMIT, OrderSelection, OrderSort};
use hakobu_diaq::{LateLevel, Status};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::order_row::OrderRow;
use crate::outbox_write::OrderKind;
use crate::{CommandError, Dispatch};

/// The order list's question: which orders, in which order, which page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderQuery {
    /// `null`: deliveries and fetches.
    pub kind: Option<OrderKind>,
    /// Empty: every status.
    #[serde(default)]
    pub statuses: Vec<Status>,
    pub store_id: Option<String>,
    /// `YYYY-MM-DD`, Japan time.
    pub window_date: Option<String>,
    /// 0–23: windows starting in that hour, Japan time. Anytime windows never match.
    pub window_hour: Option<u8>,
    /// Tracking code, order reference, customer name, phone or address (any part of them).
    pub search: Option<String>,
    #[serde(default)]
    pub late: LateFilter,
    #[serde(default)]
    pub sort: OrderSort,
    #[serde(default)]
    pub offset: u32,
    /// At most 1000.
    pub limit: u32,
}

/// The board's question: the list's filters without statuses (each column is one) or paging.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BoardQuery {
    /// `null`: deliveries and fetches.
    pub kind: Option<OrderKind>,
    pub store_id: Option<String>,
    pub window_date: Option<String>,
    pub window_hour: Option<u8>,
    pub search: Option<String>,
    #[serde(default)]
    pub late: LateFilter,
}

/// A checked filter: what both queries narrow by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BoardFilter {
    pub kind: Option<OrderKind>,
    pub statuses: Vec<Status>,
    pub store_id: Option<String>,
    pub window_date: Option<String>,
    pub window_hour: Option<u8>,
    pub search: Option<String>,
    pub late: LateFilter,
}

impl OrderQuery {
    /// The filter, checked; `limit` above [`MAX_LIMIT`] is refused too.
    pub(crate) fn checked(&self) -> Result<BoardFilter, CommandError> {
        if self.limit > MAX_LIMIT {
            return Err(CommandError::bad_field(
                "limit",
                format!("limit: must be at most {MAX_LIMIT}, got {}", self.limit),
            ));
        }
        BoardFilter {
            kind: self.kind,
            statuses: self.statuses.clone(),
            store_id: self.store_id.clone(),
            window_date: self.window_date.clone(),
            window_hour: self.window_hour,
            search: self.search.clone(),
            late: self.late,
        }
        .checked()
    }
}

impl BoardQuery {
    pub(crate) fn checked(&self) -> Result<BoardFilter, CommandError> {
        BoardFilter {
            kind: self.kind,
            statuses: Vec::new(),
            store_id: self.store_id.clone(),
            window_date: self.window_date.clone(),
            window_hour: self.window_hour,
            search: self.search.clone(),
            late: self.late,
        }
        .checked()
    }
}

impl BoardFilter {
    fn checked(self) -> Result<BoardFilter, CommandError> {
        if let Some(d) = &self.window_date
            && NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return Err(CommandError::bad_field(
                "window_date",
                format!("window_date: must be YYYY-MM-DD, got {d:?}"),
            ));
        }
        if let Some(h) = self.window_hour
            && h > 23
        {
            return Err(CommandError::bad_field(
                "window_hour",
                format!("window_hour: must be 0–23, got {h}"),
            ));
        }
        Ok(self)
    }

    /// The same filter for the cache's SQL, judged at `now`.
    pub(crate) fn selection(&self, now: DateTime<Utc>) -> OrderSelection {
        OrderSelection {
            kind: self.kind.map(|k| k.as_str().to_owned()),
            statuses: self
                .statuses
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            store_id: self.store_id.clone(),
            window_date: self.window_date.clone(),
            window_hour: self.window_hour,
            search: self.search.clone(),
            late: self.late,
            now,
        }
    }

    /// Whether a row built outside the cache (a queued create) passes the filter. `search_text`
    /// is what the search box looks in for it.
    pub(crate) fn matches(&self, row: &OrderRow, search_text: &str) -> bool {
        let hour = row
            .window_starts_at
            .as_deref()
            .and_then(hakobu_diaq::time::parse)
            .map(|t| t.format("%H").to_string());
        let search = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty());
        self.kind.is_none_or(|k| k == row.kind)
            && (self.statuses.is_empty() || self.statuses.contains(&row.status))
            && self.store_id.as_ref().is_none_or(|s| *s == row.store_id)
            && self
                .window_date
                .as_ref()
                .is_none_or(|d| *d == row.window_date)
            && self
                .window_hour
                .is_none_or(|h| hour.as_deref() == Some(format!("{h:02}").as_str()))
            && search.is_none_or(|q| search_text.to_lowercase().contains(&q.to_lowercase()))
            && match self.late {
                LateFilter::Any => true,
                LateFilter::AtRiskOrLate => row.late.level != LateLevel::None,
                LateFilter::Late => row.late.level == LateLevel::Late,
            }
    }
}

impl Dispatch {
    /// "Now" for late risk, in whole seconds: the cache's SQL compares whole-second window
    /// ends with it, and the cards must say what the counts say.
    pub(crate) fn board_now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(0)
    }
}
