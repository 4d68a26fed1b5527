-- 9: window times in one form, and the late-risk index (docs/decisions.md "Late risk").
-- The board sorts windows and compares them with a threshold as text, which is only right when
-- every time is written alike. The app now stores them in the document's form — Japan time,
-- whole seconds, `2026-11-24T10:00:00+09:00` — whatever form the API used (orders.rs); rows
-- cached before this step are rewritten here. An unreadable time is left as it was.
UPDATE orders SET
    window_starts_at = COALESCE(
        strftime('%Y-%m-%dT%H:%M:%S+09:00', window_starts_at, '+9 hours'), window_starts_at),
    window_ends_at = COALESCE(
        strftime('%Y-%m-%dT%H:%M:%S+09:00', window_ends_at, '+9 hours'), window_ends_at);
-- Late counts over every order (the header's 遅延リスク): each rule of the filter is one
-- range of this index instead of a scan of every row.
CREATE INDEX orders_late ON orders (status, window_ends_at);
