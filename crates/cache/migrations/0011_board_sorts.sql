-- 11: the list's customer and store sorts over every order, measured in
-- crates/dispatch/BENCHMARKS.md: without these, a page of 50,000 orders sorted by customer or
-- store read and sorted every row. Each holds its sort's every term (order_query.rs
-- `order_by`), so a page is a walk of the index.
CREATE INDEX orders_by_customer ON orders (
    customer_name, window_date, window_starts_at IS NULL, window_starts_at, tracking_code
);
-- The store's name as the order's object carries it (every DIAq delivery and fetch has its
-- store summary), so the sort needs no join with the stores table.
CREATE INDEX orders_by_store_name ON orders (
    json_extract(body, '$.store.store_name'), store_id, window_date, window_starts_at IS NULL,
    window_starts_at, tracking_code
);
