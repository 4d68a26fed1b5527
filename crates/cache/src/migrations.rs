//! Numbered schema migrations. A landed migration is never edited: add the next one.
//! All pending steps run in one transaction, so a crash leaves the file at the old version or
//! the new one, never between; `PRAGMA user_version` records how many have been applied.

use rusqlite::Connection;

use crate::CacheError;

/// Migration N is `MIGRATIONS[N - 1]`.
const MIGRATIONS: &[&str] = &[
    // 1: stores as last read from the API, with where hakobu-geo placed them.
    r"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE stores (
        id                       TEXT PRIMARY KEY,
        id_alias                 TEXT NOT NULL,
        store_name               TEXT NOT NULL,
        store_address_zipcode    TEXT NOT NULL,
        store_address_prefecture TEXT NOT NULL,
        store_address_line_1     TEXT NOT NULL,
        store_address_line_2     TEXT NOT NULL,
        store_phone              TEXT NOT NULL,
        store_type               TEXT NOT NULL,
        offers_delivery          INTEGER NOT NULL,
        offers_fetches           INTEGER NOT NULL,
        pickup_proof             TEXT NOT NULL,
        delivery_proof           TEXT NOT NULL,
        opening_time             TEXT,
        closing_time             TEXT,
        lat                      REAL,
        lng                      REAL,
        geo_level                TEXT,
        fetched_at               TEXT NOT NULL
    );
    CREATE INDEX stores_by_alias ON stores (id_alias);
    ",
    // 2: deliveries and fetches as last read from the API (the full object in `body`), the
    // columns the board, calendar and map filter on, and trigram full-text search over what a
    // dispatcher types: tracking code, order reference, customer name, phone and address.
    r"
    CREATE TABLE orders (
        id               TEXT PRIMARY KEY,
        kind             TEXT NOT NULL CHECK (kind IN ('delivery', 'fetch')),
        store_id         TEXT NOT NULL,
        status           TEXT NOT NULL,
        tracking_code    TEXT NOT NULL,
        window_starts_at TEXT,
        window_ends_at   TEXT NOT NULL,
        window_date      TEXT NOT NULL,   -- YYYY-MM-DD (Japan time) the window falls on
        customer_name    TEXT NOT NULL,
        customer_phone   TEXT NOT NULL,
        customer_address TEXT NOT NULL,
        order_refs       TEXT NOT NULL,   -- package order references, space-separated
        customer_lat     REAL,
        customer_lng     REAL,
        api_update       TEXT NOT NULL,   -- the object's `update`
        body             TEXT NOT NULL,
        fetched_at       TEXT NOT NULL
    );
    CREATE INDEX orders_board ON orders (kind, window_date, status, store_id);
    CREATE INDEX orders_by_store ON orders (store_id, window_date);
    CREATE VIRTUAL TABLE orders_fts USING fts5(
        tracking_code, order_refs, customer_name, customer_phone, customer_address,
        content = 'orders', content_rowid = 'rowid', tokenize = 'trigram'
    );
    CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
        INSERT INTO orders_fts (rowid, tracking_code, order_refs, customer_name, customer_phone,
                                customer_address)
        VALUES (new.rowid, new.tracking_code, new.order_refs, new.customer_name,
                new.customer_phone, new.customer_address);
    END;
    CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
        INSERT INTO orders_fts (orders_fts, rowid, tracking_code, order_refs, customer_name,
                                customer_phone, customer_address)
        VALUES ('delete', old.rowid, old.tracking_code, old.order_refs, old.customer_name,
                old.customer_phone, old.customer_address);
    END;
    CREATE TRIGGER orders_fts_update AFTER UPDATE ON orders BEGIN
        INSERT INTO orders_fts (orders_fts, rowid, tracking_code, order_refs, customer_name,
                                customer_phone, customer_address)
        VALUES ('delete', old.rowid, old.tracking_code, old.order_refs, old.customer_name,
                old.customer_phone, old.customer_address);
        INSERT INTO orders_fts (rowid, tracking_code, order_refs, customer_name, customer_phone,
                                customer_address)
        VALUES (new.rowid, new.tracking_code, new.order_refs, new.customer_name,
                new.customer_phone, new.customer_address);
    END;
    ",
    // From 3 on, one file per step under crates/cache/migrations/.
    include_str!("../migrations/0003_live.sql"),
    include_str!("../migrations/0004_outbox.sql"),
    include_str!("../migrations/0005_search.sql"),
    include_str!("../migrations/0006_routemate_jobs.sql"),
    include_str!("../migrations/0007_windows.sql"),
    include_str!("../migrations/0008_short_search.sql"),
    include_str!("../migrations/0009_late_risk.sql"),
    include_str!("../migrations/0010_status_history.sql"),
    include_str!("../migrations/0011_board_sorts.sql"),
    include_str!("../migrations/0012_fleet_plans.sql"),
    include_str!("../migrations/0013_outbox_account.sql"),
    include_str!("../migrations/0014_plan_account.sql"),
    include_str!("../migrations/0015_outbox_error_code.sql"),
];

/// How many steps a current file has applied (its `user_version`).
#[cfg(test)]
pub fn count() -> usize {
    MIGRATIONS.len()
}

pub fn apply(conn: &mut Connection) -> Result<(), CacheError> {
    apply_list(conn, MIGRATIONS)
}

fn apply_list(conn: &mut Connection, migrations: &[&str]) -> Result<(), CacheError> {
    // IMMEDIATE: the write lock is taken before `user_version` is read, so two processes
    // opening one file at once cannot both read "not applied" and both run a step; the second
    // waits (busy timeout) and then finds the steps done.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if applied > migrations.len() {
        return Err(CacheError::NewerSchema {
            found: applied,
            known: migrations.len(),
        });
    }
    for sql in &migrations[applied..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", migrations.len())?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_apply_once_in_order() {
        let mut conn = Connection::open_in_memory().unwrap();
        let steps = ["CREATE TABLE a (x);", "INSERT INTO a VALUES (1);"];
        apply_list(&mut conn, &steps[..1]).unwrap();
        apply_list(&mut conn, &steps).unwrap();
        apply_list(&mut conn, &steps).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "step 2 ran exactly once");
    }

    #[test]
    fn a_failing_step_rolls_back_every_pending_step() {
        let mut conn = Connection::open_in_memory().unwrap();
        let steps = ["CREATE TABLE a (x);", "this is not sql"];
        assert!(apply_list(&mut conn, &steps).is_err());
        let version: usize = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 0);
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'a'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0, "step 1 was rolled back with step 2");
    }

    #[test]
    fn step_5_reindexes_orders_cached_before_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..4]).unwrap();
        conn.execute_batch(
            "INSERT INTO orders (id, kind, store_id, status, tracking_code, window_ends_at,
                window_date, customer_name, customer_phone, customer_address, order_refs,
                api_update, body, fetched_at)
             VALUES ('d1', 'delivery', 's', 'created', '123456789012', '2026-11-24T11:00:00+09:00',
                '2026-11-24', '佐藤 一郎', '03-1234-5678', '東京都港区東麻布1-5-2', 'R1',
                '', '{}', '')",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let hits: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM orders_fts WHERE orders_fts MATCH '\"佐藤一郎\"'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            hits, 1,
            "the order cached before step 5 is found by the new index"
        );
    }

    #[test]
    fn step_8_indexes_two_character_pieces_of_orders_cached_before_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..7]).unwrap();
        conn.execute_batch(
            "INSERT INTO orders (id, kind, store_id, status, tracking_code, window_ends_at,
                window_date, customer_name, customer_phone, customer_address, order_refs,
                api_update, body, fetched_at, search_text)
             VALUES ('d1', 'delivery', 's', 'created', '123456789012', '2026-11-24T11:00:00+09:00',
                '2026-11-24', '林田 一郎', '03-1234-5678', '東京都港区東麻布1-5-2', 'R1',
                '', '{}', '', '123456789012 R1 林田 一郎 林田一郎 03-1234-5678 0312345678')",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        crate::orders::build_pending_bigrams(&mut conn).unwrap();
        let hits = |q: &str| -> i64 {
            conn.query_row(
                "SELECT COUNT(*) FROM orders_bigrams WHERE orders_bigrams MATCH ?1",
                [q],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(
            hits("\"林田\""),
            1,
            "the order cached before step 8 is indexed"
        );
        assert_eq!(hits("\"田一\""), 1, "the name without its space too");
        let pending: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM meta WHERE key = 'bigrams_pending'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(pending, 0, "built once");
        conn.execute("DELETE FROM orders", []).unwrap();
        assert_eq!(hits("\"林田\""), 0, "a deleted order leaves the index");
    }

    #[test]
    fn step_9_writes_window_times_of_orders_cached_before_it_in_one_form() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..8]).unwrap();
        for (id, starts, ends) in [
            (
                "utc",
                "'2026-11-24T01:00:00Z'",
                "'2026-11-24T02:00:00.000Z'",
            ),
            (
                "ms",
                "'2026-11-24T10:00:00.000+09:00'",
                "'2026-11-24T11:00:00.000+09:00'",
            ),
            ("anytime", "NULL", "'2026-11-25T00:00:00+09:00'"),
            ("unreadable", "NULL", "'soon'"),
        ] {
            conn.execute_batch(&format!(
                "INSERT INTO orders (id, kind, store_id, status, tracking_code, window_starts_at,
                    window_ends_at, window_date, customer_name, customer_phone, customer_address,
                    order_refs, api_update, body, fetched_at)
                 VALUES ('{id}', 'delivery', 's', 'created', '{id}', {starts}, {ends},
                    '2026-11-24', '', '', '', '', '', '{{}}', '')"
            ))
            .unwrap();
        }
        apply(&mut conn).unwrap();
        let times = |id: &str| -> (Option<String>, String) {
            conn.query_row(
                "SELECT window_starts_at, window_ends_at FROM orders WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        let jst = |s: &str| Some(s.to_owned());
        assert_eq!(
            times("utc"),
            (
                jst("2026-11-24T10:00:00+09:00"),
                "2026-11-24T11:00:00+09:00".into()
            )
        );
        assert_eq!(
            times("ms"),
            (
                jst("2026-11-24T10:00:00+09:00"),
                "2026-11-24T11:00:00+09:00".into()
            )
        );
        assert_eq!(times("anytime"), (None, "2026-11-25T00:00:00+09:00".into()));
        assert_eq!(times("unreadable"), (None, "soon".into()));
    }

    #[test]
    fn step_10_starts_the_history_of_orders_cached_before_it_at_their_status() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..9]).unwrap();
        conn.execute_batch(
            "INSERT INTO orders (id, kind, store_id, status, tracking_code, window_ends_at,
                window_date, customer_name, customer_phone, customer_address, order_refs,
                api_update, body, fetched_at)
             VALUES ('d1', 'delivery', 's', 'collecting', '123456789012',
                '2026-11-24T11:00:00+09:00', '2026-11-24', '', '', '', '',
                '2026-11-24T09:30:00.000+09:00', '{}', '')",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let row: (String, String, String) = conn
            .query_row(
                "SELECT status, at, source FROM order_status_history WHERE order_id = 'd1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "collecting".into(),
                "2026-11-24T09:30:00.000+09:00".into(),
                "sync".into()
            )
        );
    }

    #[test]
    fn step_13_names_the_endpoint_the_cache_was_filled_from_on_rows_queued_before_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..12]).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('source', 'https://api.dia-9.com');
             INSERT INTO outbox (client_id, kind, payload, payload_hash, state, created_at,
                updated_at)
             VALUES ('c1', 'create_store', '{}', 'h', 'pending', 't', 't');",
        )
        .unwrap();
        apply_list(&mut conn, &MIGRATIONS[..13]).unwrap();
        let row: (String, String) = conn
            .query_row(
                "SELECT endpoint, key_fingerprint FROM outbox WHERE client_id = 'c1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(row, ("https://api.dia-9.com".into(), String::new()));
    }

    #[test]
    fn step_14_names_the_account_the_cache_was_filled_from_on_plans_made_before_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..13]).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('source', 'https://api.dia-9.com');
             INSERT INTO meta (key, value) VALUES ('source_key', '0123456789abcdef');
             INSERT INTO plans (plan_id, version, state, plan_date, request, created_at)
             VALUES ('p1', 1, 'finished', '2026-12-08', '{}', 't');",
        )
        .unwrap();
        apply_list(&mut conn, &MIGRATIONS[..14]).unwrap();
        let row: (String, String) = conn
            .query_row(
                "SELECT endpoint, key_fingerprint FROM plans WHERE plan_id = 'p1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            ("https://api.dia-9.com".into(), "0123456789abcdef".into())
        );
    }

    #[test]
    fn step_15_leaves_rows_settled_before_it_without_an_error_code() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_list(&mut conn, &MIGRATIONS[..14]).unwrap();
        conn.execute_batch(
            "INSERT INTO outbox (client_id, kind, payload, payload_hash, state, last_error,
                created_at, updated_at)
             VALUES ('c1', 'reserve_window', '{}', 'h', 'failed', 'not found', 't', 't');",
        )
        .unwrap();
        apply_list(&mut conn, &MIGRATIONS[..15]).unwrap();
        let row: (String, Option<String>) = conn
            .query_row(
                "SELECT last_error, last_error_code FROM outbox WHERE client_id = 'c1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(row, ("not found".into(), None));
    }

    #[test]
    fn a_file_from_a_newer_app_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            apply(&mut conn),
            Err(CacheError::NewerSchema { found: 99, .. })
        ));
    }
}
