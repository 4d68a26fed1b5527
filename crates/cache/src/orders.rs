//! Cached deliveries and fetches ("orders"): replaced per kind by a full sync, upserted by
//! incremental ones, filtered for the board and searched by what a dispatcher types.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use crate::{Cache, CacheError};

/// One delivery or fetch as the cache holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedOrder {
    pub id: String,
    /// `delivery` or `fetch`
    pub kind: String,
    pub store_id: String,
    pub status: String,
    pub tracking_code: String,
    pub window_starts_at: Option<String>,
    pub window_ends_at: String,
    /// The date (Japan time) the window falls on, `YYYY-MM-DD`.
    pub window_date: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub customer_address: String,
    pub order_refs: Vec<String>,
    pub customer_lat: Option<f64>,
    pub customer_lng: Option<f64>,
    /// The API object's `update`.
    pub api_update: String,
    /// The whole object as the API returned it.
    pub body: serde_json::Value,
    pub fetched_at: String,
}

/// What the board asks for. Every set field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderFilter {
    pub kind: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub store_id: Option<String>,
    pub window_date: Option<String>,
    /// Tracking code, order reference, customer name, phone or address (any part of them).
    pub search: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

const COLUMNS: &str = "id, kind, store_id, status, tracking_code, window_starts_at, \
    window_ends_at, window_date, customer_name, customer_phone, customer_address, order_refs, \
    customer_lat, customer_lng, api_update, body, fetched_at";

/// Largest page the board reads at once.
pub const MAX_LIMIT: u32 = 1000;

impl Cache {
    /// Makes the cached orders of `kind` exactly `orders` (a full sync), in one transaction.
    pub fn replace_orders(&self, kind: &str, orders: &[CachedOrder]) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM orders WHERE kind = ?1", [kind])?;
            for o in orders {
                upsert(&tx, o)?;
            }
            tx.commit()
        })
    }

    /// Adds or refreshes `orders` (an incremental sync or a webhook), in one transaction.
    pub fn upsert_orders(&self, orders: &[CachedOrder]) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            for o in orders {
                upsert(&tx, o)?;
            }
            tx.commit()
        })
    }

    pub fn order(&self, id: &str) -> Result<Option<CachedOrder>, CacheError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()
        })
    }

    /// Orders for the board: by window date and start, then tracking code.
    ///
    /// In two steps: the filters and the sort pick a page of row ids, then only that page's
    /// rows are read. Sorting whole rows would drag every matching row's API body through the
    /// sorter (a busy day is thousands of rows of ~1.5 KB); crates/dispatch/BENCHMARKS.md.
    pub fn orders(&self, f: &OrderFilter) -> Result<Vec<CachedOrder>, CacheError> {
        let mut filter = String::from("1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let search = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if let Some(k) = &f.kind {
            // With a search, the matches drive the query: `+` keeps the planner from walking
            // every order of the kind through the board index instead.
            filter.push_str(if search.is_some() {
                " AND +kind = ?"
            } else {
                " AND kind = ?"
            });
            args.push(k.clone().into());
        }
        if let Some(st) = f.statuses.as_ref().filter(|s| !s.is_empty()) {
            filter.push_str(&format!(
                " AND status IN ({})",
                vec!["?"; st.len()].join(", ")
            ));
            args.extend(st.iter().map(|s| s.clone().into()));
        }
        if let Some(s) = &f.store_id {
            filter.push_str(" AND store_id = ?");
            args.push(s.clone().into());
        }
        if let Some(d) = &f.window_date {
            filter.push_str(" AND window_date = ?");
            args.push(d.clone().into());
        }
        if let Some(q) = search {
            if q.chars().count() >= 3 {
                // Trigram index: any substring of three characters or more, any script.
                filter.push_str(
                    " AND rowid IN (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?)",
                );
                args.push(format!("\"{}\"", q.replace('"', "\"\"")).into());
            } else {
                // Shorter than a trigram: scan the narrow index of search texts (see `from`).
                filter.push_str(" AND instr(search_text, ?) > 0");
                args.push(q.to_owned().into());
            }
        }
        // A short search scans an index that covers every filter and sort column.
        let from = match search {
            Some(q) if q.chars().count() < 3 => "orders INDEXED BY orders_search_text",
            _ => "orders",
        };
        const ORDER: &str =
            "ORDER BY window_date, window_starts_at IS NULL, window_starts_at, tracking_code";
        let sql = format!(
            "SELECT {COLUMNS} FROM orders WHERE rowid IN \
             (SELECT rowid FROM {from} WHERE {filter} {ORDER} LIMIT ? OFFSET ?) {ORDER}"
        );
        args.push(i64::from(f.limit.unwrap_or(MAX_LIMIT).min(MAX_LIMIT)).into());
        args.push(i64::from(f.offset.unwrap_or(0)).into());
        self.with(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), from_row)?;
            rows.collect()
        })
    }

    /// (status, count) of `kind` (optionally on one window date), for the board's columns.
    pub fn order_counts(
        &self,
        kind: &str,
        window_date: Option<&str>,
    ) -> Result<Vec<(String, u64)>, CacheError> {
        self.with(|c| {
            // Two statements rather than `(?2 IS NULL OR window_date = ?2)`, which keeps
            // SQLite from using the date in the index.
            let (sql, args) = match window_date {
                Some(d) => (
                    "SELECT status, COUNT(*) FROM orders WHERE kind = ?1 AND window_date = ?2
                     GROUP BY status ORDER BY status",
                    vec![kind, d],
                ),
                None => (
                    "SELECT status, COUNT(*) FROM orders WHERE kind = ?1
                     GROUP BY status ORDER BY status",
                    vec![kind],
                ),
            };
            let mut stmt = c.prepare_cached(sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect()
        })
    }
}

/// What the search box matches: the stored fields, plus a name without the space between
/// family and given name and a phone without hyphens, as people type them.
fn search_text(o: &CachedOrder) -> String {
    let compact_name: String = o
        .customer_name
        .chars()
        .filter(|c| *c != ' ' && *c != '\u{3000}')
        .collect();
    format!(
        "{} {} {} {} {} {} {}",
        o.tracking_code,
        o.order_refs.join(" "),
        o.customer_name,
        compact_name,
        o.customer_phone,
        o.customer_phone.replace('-', ""),
        o.customer_address
    )
}

fn upsert(c: &Connection, o: &CachedOrder) -> rusqlite::Result<()> {
    c.prepare_cached(&format!(
        "INSERT INTO orders ({COLUMNS}, search_text) VALUES
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, store_id = excluded.store_id,
           status = excluded.status, tracking_code = excluded.tracking_code,
           window_starts_at = excluded.window_starts_at, window_ends_at = excluded.window_ends_at,
           window_date = excluded.window_date, customer_name = excluded.customer_name,
           customer_phone = excluded.customer_phone, customer_address = excluded.customer_address,
           order_refs = excluded.order_refs, customer_lat = excluded.customer_lat,
           customer_lng = excluded.customer_lng, api_update = excluded.api_update,
           body = excluded.body, fetched_at = excluded.fetched_at,
           search_text = excluded.search_text"
    ))?
    .execute(params![
        o.id,
        o.kind,
        o.store_id,
        o.status,
        o.tracking_code,
        o.window_starts_at,
        o.window_ends_at,
        o.window_date,
        o.customer_name,
        o.customer_phone,
        o.customer_address,
        o.order_refs.join(" "),
        o.customer_lat,
        o.customer_lng,
        o.api_update,
        o.body.to_string(),
        o.fetched_at,
        search_text(o),
    ])?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<CachedOrder> {
    let refs: String = r.get(11)?;
    let body: String = r.get(15)?;
    Ok(CachedOrder {
        id: r.get(0)?,
        kind: r.get(1)?,
        store_id: r.get(2)?,
        status: r.get(3)?,
        tracking_code: r.get(4)?,
        window_starts_at: r.get(5)?,
        window_ends_at: r.get(6)?,
        window_date: r.get(7)?,
        customer_name: r.get(8)?,
        customer_phone: r.get(9)?,
        customer_address: r.get(10)?,
        order_refs: refs.split_whitespace().map(str::to_owned).collect(),
        customer_lat: r.get(12)?,
        customer_lng: r.get(13)?,
        api_update: r.get(14)?,
        body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        fetched_at: r.get(16)?,
    })
}
