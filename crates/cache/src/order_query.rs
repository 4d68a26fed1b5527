//! The board's queries over cached orders: which orders (a selection), in which order, a page
//! of them, how many, their keys, their counts per status. One filter builder serves them all,
//! so a page, its total and the columns' counts always agree.
//!
//! Pages are read in two steps (crates/dispatch/BENCHMARKS.md): the filters and the sort pick
//! the page's row ids, then only those rows are read. Sorting whole rows would drag every
//! matching row's API body (~1.5 KB) through the sorter.

use chrono::{DateTime, Utc};
use hakobu_diaq::Status;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::late_filter::{LateFilter, late_condition};
use crate::orders::{COLUMNS, bigram_query, from_row};
use crate::{Cache, CacheError, CachedOrder};

/// Most keys [`Cache::order_keys`] returns (select-all and export of a whole filter).
pub const MAX_KEYS: u32 = 100_000;

/// Which orders. Every set field narrows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderSelection {
    /// `delivery` or `fetch`.
    pub kind: Option<String>,
    /// Empty: every status.
    pub statuses: Vec<String>,
    pub store_id: Option<String>,
    /// `YYYY-MM-DD`, Japan time.
    pub window_date: Option<String>,
    /// 0–23: windows starting in that hour, Japan time. Anytime windows never match.
    pub window_hour: Option<u8>,
    /// Tracking code, order reference, customer name, phone or address (any part of them).
    pub search: Option<String>,
    pub late: LateFilter,
    /// The instant `late` is judged at.
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderSortKey {
    /// Window date and start (anytime windows after the timed ones of their day).
    #[default]
    Window,
    TrackingCode,
    /// Customer name as shown (family name first).
    Customer,
    /// Store name, as the order's object carries it.
    Store,
    /// Lifecycle order (created … returned).
    Status,
}

/// A sort; ties are broken by window, then tracking code, so paging is stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct OrderSort {
    pub key: OrderSortKey,
    /// Every term reversed: the exact reverse of the ascending order.
    pub descending: bool,
}

/// What the window order sorts by: date, timed before anytime, start, tracking code.
const WINDOW_TERMS: [&str; 4] = [
    "window_date",
    "window_starts_at IS NULL",
    "window_starts_at",
    "tracking_code",
];

impl OrderSort {
    fn order_by(self) -> String {
        let first: Vec<String> = match self.key {
            OrderSortKey::Window => Vec::new(),
            OrderSortKey::TrackingCode => vec!["tracking_code".into()],
            OrderSortKey::Customer => vec!["customer_name".into()],
            // The name the order's object carries (the same as the cached store's unless
            // the store was renamed since): an index holds it (cache migration 11).
            OrderSortKey::Store => vec![
                "json_extract(body, '$.store.store_name')".into(),
                "store_id".into(),
            ],
            OrderSortKey::Status => {
                let cases: String = Status::ALL
                    .iter()
                    .map(|s| format!(" WHEN '{}' THEN {}", s.as_str(), s.code()))
                    .collect();
                vec![format!("CASE status{cases} END")]
            }
        };
        let direction = if self.descending { " DESC" } else { "" };
        let terms: Vec<String> = first
            .into_iter()
            .chain(WINDOW_TERMS.iter().map(|t| (*t).to_owned()))
            // Last, the row itself: unique, and in every index, so an index can serve the
            // whole order.
            .chain(std::iter::once("orders.rowid".to_owned()))
            .map(|t| format!("{t}{direction}"))
            .collect();
        format!("ORDER BY {}", terms.join(", "))
    }
}

/// A selection as SQL: the condition, its arguments, and what to read from.
pub(crate) struct Filter {
    pub condition: String,
    pub args: Vec<Value>,
    /// `orders`, or the covering index a short search scans.
    pub from: &'static str,
}

impl OrderSelection {
    /// The selection as SQL; `sort`: the order rows will be read in, when they will be.
    pub(crate) fn filter(&self, sort: Option<OrderSortKey>) -> Filter {
        let mut condition = String::from("1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let search = self
            .search
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty());
        match &self.kind {
            Some(k) => {
                // Something more selective than the kind, which half the orders match, drives
                // the query — the search's matches, the late-risk ranges (orders_late), or,
                // sorted by anything but the window, the sort's index (cache migration 11):
                // `+` keeps the planner from walking every order of the kind instead.
                let by_sort_index = sort.is_some_and(|s| s != OrderSortKey::Window);
                let driven = search.is_some() || self.late != LateFilter::Any || by_sort_index;
                condition.push_str(if driven {
                    " AND +kind = ?"
                } else {
                    " AND kind = ?"
                });
                args.push(k.clone().into());
            }
            // Both kinds: said outright (the table allows no other), so the board index, which
            // starts with the kind, serves a date and status without one (a board column took
            // 10 ms scanning every order without this; crates/dispatch/BENCHMARKS.md).
            None if search.is_none() && self.window_date.is_some() => {
                condition.push_str(" AND kind IN ('delivery', 'fetch')");
            }
            None => {}
        }
        if !self.statuses.is_empty() {
            condition.push_str(&format!(
                " AND status IN ({})",
                vec!["?"; self.statuses.len()].join(", ")
            ));
            args.extend(self.statuses.iter().map(|s| s.clone().into()));
        }
        if let Some(s) = &self.store_id {
            condition.push_str(" AND store_id = ?");
            args.push(s.clone().into());
        }
        if let Some(d) = &self.window_date {
            condition.push_str(" AND window_date = ?");
            args.push(d.clone().into());
        }
        if let Some(h) = self.window_hour {
            // Stored as `YYYY-MM-DDTHH:…+09:00` (orders.rs `window_time`): the hour is
            // characters 12–13, in Japan time. An anytime window's start is NULL: no match.
            condition.push_str(" AND substr(window_starts_at, 12, 2) = ?");
            args.push(format!("{h:02}").into());
        }
        if let Some((late, late_args)) = late_condition(self.late, self.now) {
            condition.push_str(" AND ");
            condition.push_str(&late);
            args.extend(late_args);
        }
        if let Some(q) = search {
            if q.chars().count() >= 3 {
                // Trigram index: any substring of three characters or more, any script.
                condition.push_str(
                    " AND rowid IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)",
                );
                args.push(format!("\"{}\"", q.replace('"', "\"\"")).into());
            } else if let Some(phrase) = bigram_query(q) {
                // One or two letters or digits: the short-search index.
                condition.push_str(
                    " AND rowid IN (SELECT rowid FROM orders_bigrams WHERE orders_bigrams MATCH ?)",
                );
                args.push(phrase.into());
            } else {
                // A space or hyphen among one or two characters: scan the narrow index of
                // search texts (see `from`).
                condition.push_str(" AND instr(search_text, ?) > 0");
                args.push(q.to_owned().into());
            }
        }
        // A scanning search reads an index that covers every filter and sort column.
        let from = match search {
            Some(q) if q.chars().count() < 3 && bigram_query(q).is_none() => {
                "orders INDEXED BY orders_search_text"
            }
            _ => "orders",
        };
        Filter {
            condition,
            args,
            from,
        }
    }
}

impl Cache {
    /// A page of the selection in `sort` order.
    pub fn order_page(
        &self,
        selection: &OrderSelection,
        sort: OrderSort,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<CachedOrder>, CacheError> {
        let Filter {
            condition,
            mut args,
            from,
        } = selection.filter(Some(sort.key));
        let order = sort.order_by();
        let sql = format!(
            "SELECT {COLUMNS} FROM orders WHERE rowid IN \
             (SELECT rowid FROM {from} WHERE {condition} {order} LIMIT ? OFFSET ?) {order}"
        );
        args.push(i64::from(limit).into());
        args.push(i64::from(offset).into());
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), from_row)?;
            rows.collect()
        })
    }

    /// How many orders the selection holds (exact).
    pub fn order_count(&self, selection: &OrderSelection) -> Result<u64, CacheError> {
        let Filter {
            condition,
            args,
            from,
        } = selection.filter(None);
        self.read(|c| {
            c.prepare_cached(&format!("SELECT COUNT(*) FROM {from} WHERE {condition}"))?
                .query_row(rusqlite::params_from_iter(args), |r| r.get(0))
        })
    }

    /// (kind, id) of every order of the selection in `sort` order, at most `limit` (capped at
    /// [`MAX_KEYS`]).
    pub fn order_keys(
        &self,
        selection: &OrderSelection,
        sort: OrderSort,
        limit: u32,
    ) -> Result<Vec<(String, String)>, CacheError> {
        let Filter {
            condition,
            mut args,
            from,
        } = selection.filter(Some(sort.key));
        let order = sort.order_by();
        args.push(i64::from(limit.min(MAX_KEYS)).into());
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT kind, id FROM {from} WHERE {condition} {order} LIMIT ?"
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect()
        })
    }

    /// (status, count) of the selection, for the board's columns; statuses without orders are
    /// left out.
    pub fn status_counts(
        &self,
        selection: &OrderSelection,
    ) -> Result<Vec<(String, u64)>, CacheError> {
        let Filter {
            condition,
            args,
            from,
        } = selection.filter(None);
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT status, COUNT(*) FROM {from} WHERE {condition} GROUP BY status"
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect()
        })
    }
}
