-- 7: estimates, the windows they and reserve_windows hold for us, and what they say is sold
-- out: the 枠カレンダー (14 days × 18 hourly slots per store) is drawn from these and the
-- cached orders, offline. Times are kept as the API wrote them and as unix seconds
-- (`*_epoch`), which is what comparisons with "now" use.

-- One row per estimate answer (`delivery_estimate` / `fetch_estimate`).
CREATE TABLE estimates (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,  -- recording order: the latest answer wins
    id             TEXT NOT NULL UNIQUE,  -- the API's id (the outbox client id when it sent none)
    kind           TEXT NOT NULL CHECK (kind IN ('delivery', 'fetch')),
    store_id       TEXT NOT NULL,
    base           TEXT NOT NULL,         -- the request's ready_by (deliveries) / deliver_by (fetches)
    distance       INTEGER NOT NULL,      -- metres
    price          INTEGER,               -- yen, the packages' prices summed; NULL when none had one
    -- The hourly slots this answer's `unavailable_windows` speak for: from its earliest
    -- candidate slot to the end of its 14-day horizon. NULL when it held no TimeWindow and
    -- listed nothing sold out (it then says nothing about the hourly slots).
    covers_from    INTEGER,
    covers_until   INTEGER,
    body           TEXT NOT NULL,         -- the whole answer
    fetched_at     TEXT NOT NULL,
    fetched_epoch  INTEGER NOT NULL
);
-- The grid's "which answer speaks for this slot": a store's answers whose horizon is not over.
CREATE INDEX estimates_by_store ON estimates (store_id, covers_until);
CREATE INDEX estimates_by_age ON estimates (fetched_epoch);

-- A window the API holds for us (an estimate's TimeWindow or AnytimeWindow, or a
-- reserve_windows answer): it counts against the slot's capacity until used or expired.
CREATE TABLE holds (
    id              TEXT PRIMARY KEY,      -- the window id a create names
    estimate_id     TEXT,                  -- NULL for reserve_windows
    store_id        TEXT NOT NULL,
    date            TEXT NOT NULL,         -- YYYY-MM-DD (Japan time) of the slot
    hour            INTEGER,               -- start hour 0–23 (Japan time); NULL: anytime
    time_zone_id    TEXT,                  -- the slot's time zone, when one matches
    starts_at       TEXT,                  -- NULL for an AnytimeWindow
    ends_at         TEXT NOT NULL,
    anytime         INTEGER NOT NULL,
    is_extra_charge INTEGER NOT NULL,
    expires_at      TEXT NOT NULL,
    expires_epoch   INTEGER NOT NULL,
    used_by         TEXT,                  -- the delivery/fetch created with it
    fetched_at      TEXT NOT NULL
);
-- The grid reads a store's unused holds over 14 dates.
CREATE INDEX holds_unused_by_store ON holds (store_id, date) WHERE used_by IS NULL;
CREATE INDEX holds_by_expiry ON holds (expires_epoch);

-- Sold-out hourly slots per store, as the latest answer covering them listed them: a newer
-- answer deletes the rows from its `covers_from` on and writes its own.
CREATE TABLE unavailable_windows (
    store_id     TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL,
    starts_epoch INTEGER NOT NULL,
    ends_epoch   INTEGER NOT NULL,
    estimate_id  TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (store_id, starts_epoch, ends_epoch)
) WITHOUT ROWID;
