//! Cached deliveries and fetches ("orders"): replaced per kind by a full sync, upserted by
//! incremental ones, filtered for the board and searched by what a dispatcher types.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::order_history::record_status;
use crate::{Cache, CacheError, OrderSelection, OrderSort, StatusOrigin};

/// One delivery or fetch as the cache holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
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
    #[ts(type = "unknown")]
    pub body: serde_json::Value,
    pub fetched_at: String,
}

/// What the board asks for. Every set field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
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

pub(crate) const COLUMNS: &str = "id, kind, store_id, status, tracking_code, window_starts_at, \
    window_ends_at, window_date, customer_name, customer_phone, customer_address, order_refs, \
    customer_lat, customer_lng, api_update, body, fetched_at";

/// Largest page the board reads at once.
pub const MAX_LIMIT: u32 = 1000;

impl Cache {
    /// Makes the cached orders of `kind` exactly `orders` (a full sync), in one transaction.
    /// Status changes are recorded as the sync's; the history of orders no longer cached goes.
    pub fn replace_orders(&self, kind: &str, orders: &[CachedOrder]) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            let before: HashMap<String, String> = tx
                .prepare("SELECT id, status FROM orders WHERE kind = ?1")?
                .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            tx.execute("DELETE FROM orders WHERE kind = ?1", [kind])?;
            for o in orders {
                write_row(&tx, o)?;
                record_status(
                    &tx,
                    before.get(&o.id).map(String::as_str),
                    o,
                    StatusOrigin::SYNC,
                )?;
            }
            tx.execute(
                "DELETE FROM order_status_history
                 WHERE kind = ?1 AND order_id NOT IN (SELECT id FROM orders WHERE kind = ?1)",
                [kind],
            )?;
            tx.commit()
        })
    }

    /// Adds or refreshes `orders` (an incremental sync, a webhook, a write's answer), in one
    /// transaction; a status that changed (or a new order) is recorded as `origin` says.
    pub fn upsert_orders(
        &self,
        orders: &[CachedOrder],
        origin: StatusOrigin<'_>,
    ) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            for o in orders {
                let before: Option<String> = tx
                    .prepare_cached("SELECT status FROM orders WHERE id = ?1")?
                    .query_row([&o.id], |r| r.get(0))
                    .optional()?;
                write_row(&tx, o)?;
                record_status(&tx, before.as_deref(), o, origin)?;
            }
            tx.commit()
        })
    }

    pub fn order(&self, id: &str) -> Result<Option<CachedOrder>, CacheError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()
        })
    }

    /// Orders for the board: by window date and start, then tracking code (see
    /// [`Cache::order_page`], which this is with the window sort).
    pub fn orders(&self, f: &OrderFilter) -> Result<Vec<CachedOrder>, CacheError> {
        let selection = OrderSelection {
            kind: f.kind.clone(),
            statuses: f.statuses.clone().unwrap_or_default(),
            store_id: f.store_id.clone(),
            window_date: f.window_date.clone(),
            search: f.search.clone(),
            ..OrderSelection::default()
        };
        self.order_page(
            &selection,
            OrderSort::default(),
            f.offset.unwrap_or(0),
            f.limit.unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
        )
    }

    /// (status, count) of `kind` (optionally on one window date), for the board's columns.
    pub fn order_counts(
        &self,
        kind: &str,
        window_date: Option<&str>,
    ) -> Result<Vec<(String, u64)>, CacheError> {
        self.read(|c| {
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

/// A window time in the document's form — Japan time, whole seconds,
/// `2026-11-24T10:00:00+09:00` — whatever form the API wrote (`Z`, another offset,
/// milliseconds), so that window times sort and compare as text: the board's window order, the
/// late-risk thresholds, the hour filter (cache migration 9 rewrote older rows the same way).
/// An unreadable time is kept as it is.
pub fn window_time(t: &str) -> String {
    hakobu_diaq::time::parse(t).map_or_else(|| t.to_owned(), hakobu_diaq::time::format)
}

fn write_row(c: &Connection, o: &CachedOrder) -> rusqlite::Result<()> {
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
        o.window_starts_at.as_deref().map(window_time),
        window_time(&o.window_ends_at),
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
    let rowid: i64 = c
        .prepare_cached("SELECT rowid FROM orders WHERE id = ?1")?
        .query_row([&o.id], |r| r.get(0))?;
    write_bigrams(c, rowid, &search_text(o))
}

/// Replaces the order's two-character pieces (cache migration 8).
fn write_bigrams(c: &Connection, rowid: i64, text: &str) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM orders_bigrams WHERE rowid = ?1")?
        .execute([rowid])?;
    c.prepare_cached("INSERT INTO orders_bigrams (rowid, grams) VALUES (?1, ?2)")?
        .execute(params![rowid, bigrams(text)])?;
    Ok(())
}

/// Every two-character piece of `text` made of letters or digits (any script), and each
/// word's last character, once each, space-separated: the tokens of the short-search index.
/// Pieces across a space or a hyphen are left out, as a short search across them is not one
/// people type.
pub(crate) fn bigrams(text: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    let mut push = |gram: String| {
        if seen.insert(gram.clone()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&gram);
        }
    };
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        for pair in chars.windows(2) {
            push(pair.iter().collect());
        }
        if let Some(last) = chars.last() {
            push(last.to_string());
        }
    }
    out
}

/// The short-search index's query for one or two letters or digits: the two-character token,
/// or the one-character prefix (every occurrence of a character starts a piece or ends a
/// word). `None` for anything else (a space or hyphen inside is not indexed).
pub(crate) fn bigram_query(q: &str) -> Option<String> {
    let chars: Vec<char> = q.chars().flat_map(char::to_lowercase).collect();
    if chars.is_empty() || chars.len() > 2 || !chars.iter().all(|c| c.is_alphanumeric()) {
        return None;
    }
    let text: String = chars.iter().collect();
    Some(if chars.len() == 1 {
        format!("\"{text}\"*")
    } else {
        format!("\"{text}\"")
    })
}

/// Cache migration 8 added the two-character index: orders cached before it get their pieces
/// once, at the first open after it.
pub(crate) fn build_pending_bigrams(c: &mut Connection) -> rusqlite::Result<()> {
    let pending: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'bigrams_pending')",
        [],
        |r| r.get(0),
    )?;
    if !pending {
        return Ok(());
    }
    // IMMEDIATE, and asked again inside: another process opening the file at once may have
    // built them meanwhile, and a deferred read upgraded to a write would fail at once.
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let still_pending: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'bigrams_pending')",
        [],
        |r| r.get(0),
    )?;
    if !still_pending {
        return Ok(());
    }
    {
        let mut rows = tx.prepare("SELECT rowid, search_text FROM orders")?;
        let all = rows
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (rowid, text) in all {
            write_bigrams(&tx, rowid, &text)?;
        }
    }
    tx.execute("DELETE FROM meta WHERE key = 'bigrams_pending'", [])?;
    tx.commit()
}

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<CachedOrder> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_are_the_two_character_pieces_of_each_word_once() {
        let grams = bigrams("佐藤 太郎 佐藤太郎 ORD-01 090-12");
        let list: Vec<&str> = grams.split(' ').collect();
        for expected in ["佐藤", "太郎", "藤太", "or", "rd", "01", "09", "90", "12"] {
            assert!(list.contains(&expected), "{expected} in {grams}");
        }
        assert_eq!(
            list.iter().filter(|g| **g == "佐藤").count(),
            1,
            "once each"
        );
        assert!(!list.iter().any(|g| g.contains(' ') || g.contains('-')));
        assert!(!list.contains(&"d0"), "not across a hyphen");
        for last in ["郎", "d", "1", "2"] {
            assert!(
                list.contains(&last),
                "each word's last character: {last} in {grams}"
            );
        }
    }

    #[test]
    fn window_times_are_kept_in_the_documents_form() {
        assert_eq!(
            window_time("2026-11-24T01:00:00Z"),
            "2026-11-24T10:00:00+09:00"
        );
        assert_eq!(
            window_time("2026-11-24T10:00:00.000+09:00"),
            "2026-11-24T10:00:00+09:00"
        );
        assert_eq!(
            window_time("2026-11-24T10:00:00+09:00"),
            "2026-11-24T10:00:00+09:00"
        );
        assert_eq!(window_time("soon"), "soon");
    }

    #[test]
    fn only_one_or_two_letters_or_digits_use_the_short_search_index() {
        assert_eq!(bigram_query("佐藤").as_deref(), Some("\"佐藤\""));
        assert_eq!(bigram_query("AB").as_deref(), Some("\"ab\""));
        assert_eq!(bigram_query("D-"), None);
        assert_eq!(bigram_query("林").as_deref(), Some("\"林\"*"));
        assert_eq!(bigram_query("佐藤太"), None);
        assert_eq!(bigram_query(""), None);
    }
}
