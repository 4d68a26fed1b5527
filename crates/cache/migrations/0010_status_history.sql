-- 10: each order's statuses as the cache learned them, for the order detail's history. One
-- row whenever the cached status of an order changes, or the order is first cached, whoever
-- writes it (orders.rs `upsert`): a webhook (`at` = the event's created_at), a sync or a
-- write's answer (`at` = the object's `update`). Statuses the cache never saw (a sync that
-- jumped from created to delivering) are not invented.
CREATE TABLE order_status_history (
    order_id TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('delivery', 'fetch')),
    status   TEXT NOT NULL,
    at       TEXT NOT NULL,   -- when, as the source wrote it (RFC 3339)
    source   TEXT NOT NULL CHECK (source IN ('webhook', 'sync', 'write')),
    UNIQUE (order_id, status, at)
);
-- Orders cached before this step: their current status, as of their `update`.
INSERT OR IGNORE INTO order_status_history (order_id, kind, status, at, source)
    SELECT id, kind, status, api_update, 'sync' FROM orders;
