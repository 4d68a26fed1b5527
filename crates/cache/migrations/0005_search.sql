-- 5: search and board speed, measured in crates/dispatch/BENCHMARKS.md.
-- One search text per order (written by the app on every upsert, see orders.rs), with the
-- forms a dispatcher types besides the stored ones: a name without the space between family
-- and given name (佐藤太郎 for 佐藤 太郎) and a phone without hyphens (09012345678). The trigram
-- index moves onto it. A plain column, not a generated one: SQLite does not read an index on
-- a virtual column as covering, and a short search must scan the index, not the wide rows.
ALTER TABLE orders ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE orders SET search_text =
    tracking_code || ' ' || order_refs || ' ' || customer_name || ' '
    || replace(replace(customer_name, ' ', ''), '　', '') || ' '
    || customer_phone || ' ' || replace(customer_phone, '-', '') || ' ' || customer_address;
DROP TRIGGER orders_fts_insert;
DROP TRIGGER orders_fts_delete;
DROP TRIGGER orders_fts_update;
DROP TABLE orders_fts;
CREATE VIRTUAL TABLE orders_fts USING fts5(
    search_text, content = 'orders', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO orders_fts (orders_fts) VALUES ('rebuild');
CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
    INSERT INTO orders_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
    INSERT INTO orders_fts (orders_fts, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER orders_fts_update AFTER UPDATE ON orders BEGIN
    INSERT INTO orders_fts (orders_fts, rowid, search_text)
    VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO orders_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
-- Searches shorter than a trigram (a two-character family name) scan this index instead of
-- the rows with their full API bodies: it holds the search text and every column the board
-- filters and sorts on, so the scan never reads a row.
CREATE INDEX orders_search_text ON orders (
    search_text, kind, window_date, window_starts_at, tracking_code, status, store_id
);
-- The board's index, widened by the columns it sorts on, so picking a page of a busy day
-- reads the index alone.
DROP INDEX orders_board;
CREATE INDEX orders_board ON orders (
    kind, window_date, status, store_id, window_starts_at, tracking_code
);
-- The board's counters (orders per status of a kind, all dates): counted in index order.
CREATE INDEX orders_by_status ON orders (kind, status);
