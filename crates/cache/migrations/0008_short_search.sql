-- 8: searches of one or two characters (a family name: 佐藤, 林) through an index instead of
-- a scan. The trigram index cannot answer them; this one holds every two-character piece of
-- each order's search text, and each word's last character, as tokens, written by the app
-- (orders.rs) on every upsert and removed here on delete. Two characters are a token; one
-- character is a one-character prefix (indexed: prefix = '1'), since every occurrence of it
-- starts a piece or ends a word. Contentless: the text itself is in `orders`.
CREATE VIRTUAL TABLE orders_bigrams USING fts5(
    grams, content = '', contentless_delete = 1, prefix = '1',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER orders_bigrams_delete AFTER DELETE ON orders BEGIN
    DELETE FROM orders_bigrams WHERE rowid = old.rowid;
END;
-- Orders cached before this step get their pieces when the cache is next opened.
INSERT INTO meta (key, value) VALUES ('bigrams_pending', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
