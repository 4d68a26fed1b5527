-- 4: the outbox: one row per intended write, sent in `seq` order (AUTOINCREMENT: a seq is
-- never reused, so "in order" holds even after rows are discarded).
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id    TEXT NOT NULL UNIQUE,   -- ours; the Idempotency-Key of revision 0
    kind         TEXT NOT NULL,          -- which write (create_store, create_delivery, …)
    payload      TEXT NOT NULL,          -- the write as JSON
    payload_hash TEXT NOT NULL,          -- SHA-256 (hex) of the canonical payload
    revision     INTEGER NOT NULL DEFAULT 0,  -- bumped by edit-and-retry: a new key for a new body
    request      TEXT,                   -- the exact body sent, once fixed: resent verbatim
    state        TEXT NOT NULL
                 CHECK (state IN ('pending', 'in_flight', 'acked', 'failed', 'conflict')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    server_id    TEXT,                   -- the id of what the server created or changed
    response     TEXT,                   -- the server's answer (JSON) once acked
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX outbox_by_state ON outbox (state, seq);
