//! The sandbox's SQLite file: connection settings and its schema.

use std::path::Path;

use rusqlite::Connection;

use crate::error::AppError;

/// Schema steps, applied in order, each once; the file's `user_version` is the count applied.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE stores (
    seq                      INTEGER PRIMARY KEY AUTOINCREMENT,
    id                       TEXT NOT NULL UNIQUE,
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
    closing_time             TEXT
);
",
    // 2: capacity holds, estimates, and deliveries/fetches ("orders") with their full object.
    r"
CREATE TABLE holds (
    id          TEXT PRIMARY KEY,
    store_id    TEXT NOT NULL,
    slot_date   TEXT NOT NULL,      -- YYYY-MM-DD, Japan time
    slot_hour   INTEGER NOT NULL,   -- 6..23, or -1 for the anytime zone
    created_at  INTEGER NOT NULL,   -- unix seconds
    expires_at  INTEGER NOT NULL,
    used_by     TEXT                -- the order that used it
);
CREATE INDEX holds_by_slot ON holds (store_id, slot_date, slot_hour);
CREATE TABLE estimates (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,            -- delivery | fetch
    body  TEXT NOT NULL             -- the response object
);
CREATE TABLE orders (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL,   -- delivery | fetch
    store_id       TEXT NOT NULL,
    status         TEXT NOT NULL,
    tracking_code  TEXT NOT NULL UNIQUE,
    slot_date      TEXT NOT NULL,
    slot_hour      INTEGER NOT NULL,
    window_ends_at INTEGER NOT NULL,
    order_refs     TEXT NOT NULL,   -- every package's order_reference, one per line
    body           TEXT NOT NULL,   -- the response object
    updated_at     INTEGER NOT NULL
);
CREATE INDEX orders_by_slot ON orders (store_id, slot_date, slot_hour);
CREATE INDEX orders_by_kind ON orders (kind, seq);
",
    // 3: Idempotency-Key: the first request under a key and its answer, kept 24 h.
    r"
CREATE TABLE idempotency_keys (
    key         TEXT PRIMARY KEY,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    request     BLOB NOT NULL,
    status      INTEGER,            -- NULL while the first request is running
    response    BLOB,
    created_at  INTEGER NOT NULL
);
",
    // 4: webhook deliveries, one row per attempt (wall-clock milliseconds).
    r"
CREATE TABLE webhook_attempts (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   TEXT NOT NULL,     -- webhook-id, the same for every attempt of a message
    event        TEXT NOT NULL,     -- delivery.assigned, driver.location, ...
    url          TEXT NOT NULL,
    attempt      INTEGER NOT NULL,  -- 1..5
    attempted_at INTEGER NOT NULL,  -- unix milliseconds
    status       INTEGER,           -- the receiver's HTTP status; NULL without an answer
    error        TEXT,              -- why there was no answer (refused, timeout, ...)
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_by_message ON webhook_attempts (message_id);
",
    // 5: per-slot load counters, so finding a slot with room costs the same after a million
    // holds as after one. A hold is `counted` until it is used or swept as expired.
    r"
ALTER TABLE holds ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
UPDATE holds SET counted = 1
 WHERE used_by IS NULL AND expires_at > CAST(strftime('%s', 'now') AS INTEGER);
CREATE INDEX holds_counted_by_expiry ON holds (counted, expires_at);
CREATE TABLE slot_load (
    store_id   TEXT NOT NULL,
    slot_date  TEXT NOT NULL,
    slot_hour  INTEGER NOT NULL,
    holds      INTEGER NOT NULL DEFAULT 0,   -- live, unused holds
    jobs       INTEGER NOT NULL DEFAULT 0,   -- deliveries/fetches not canceled
    PRIMARY KEY (store_id, slot_date, slot_hour)
) WITHOUT ROWID;
INSERT INTO slot_load (store_id, slot_date, slot_hour, holds)
SELECT store_id, slot_date, slot_hour, COUNT(*) FROM holds WHERE counted = 1
 GROUP BY store_id, slot_date, slot_hour;
INSERT INTO slot_load (store_id, slot_date, slot_hour, jobs)
SELECT store_id, slot_date, slot_hour, COUNT(*) FROM orders WHERE status != 'canceled'
 GROUP BY store_id, slot_date, slot_hour
 ON CONFLICT (store_id, slot_date, slot_hour) DO UPDATE SET jobs = excluded.jobs;
",
    // 6: RouteMate: client credentials and tokens (SHA-256 only), drivers, imported jobs with
    // their stops in driving order.
    r"
CREATE TABLE routemate_clients (
    client_id     TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,    -- hex; the secret itself is never stored
    created_at    INTEGER NOT NULL
);
CREATE TABLE routemate_tokens (
    token_sha256  TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL,
    expires_at    INTEGER NOT NULL  -- unix seconds, sandbox clock
);
CREATE INDEX routemate_tokens_by_expiry ON routemate_tokens (expires_at);
CREATE TABLE routemate_drivers (
    email         TEXT PRIMARY KEY, -- lower-case
    name          TEXT NOT NULL,
    vehicle_type  TEXT NOT NULL,    -- hakobu-geo's names (軽四輪, ...)
    latitude      REAL NOT NULL,    -- where routes start
    longitude     REAL NOT NULL
);
CREATE TABLE routemate_jobs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    external_job_id TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    driver_email    TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,  -- SHA-256 of the normalised request: same id, same body?
    response        TEXT NOT NULL,  -- the import's answer, replayed for the same body
    created_at      INTEGER NOT NULL
);
CREATE TABLE routemate_stops (
    job_id           TEXT NOT NULL REFERENCES routemate_jobs (id),
    sequence         INTEGER NOT NULL,  -- 1-based driving order
    external_stop_id TEXT NOT NULL,
    label            TEXT,
    address          TEXT NOT NULL,
    parcel_count     INTEGER NOT NULL,
    latitude         REAL NOT NULL,
    longitude        REAL NOT NULL,
    leg_m            INTEGER NOT NULL,  -- road metres from the previous point
    arrival_s        INTEGER NOT NULL,  -- planned seconds from departure
    status           TEXT NOT NULL,     -- pending | en_route | completed | failed
    failure_reason   TEXT,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (job_id, sequence)
) WITHOUT ROWID;
CREATE INDEX routemate_stops_by_status ON routemate_stops (status, job_id);
",
    // 7: since slot_load (5) counts each slot's holds, nothing looks holds up by slot; the
    // index only cost every hold an extra b-tree insert and the commit an extra page.
    r"
DROP INDEX holds_by_slot;
",
];

pub fn open(path: &Path) -> Result<Connection, AppError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(AppError::internal)?;
    }
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), AppError> {
    let tx = conn.transaction()?;
    let applied: usize = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for sql in MIGRATIONS.iter().skip(applied) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()?;
    Ok(())
}
