-- 15: a settled or unanswered write keeps the code of the error beside its message
-- (`bad_request`, `not_found`, `conflict`, `transport`, …: the app's ErrorCode), so the UI can
-- tell why the API refused it without reading the API's words — a reservation refused as
-- unavailable (404) turns its slot sold out in the 枠カレンダー — and a caller that finds its
-- write already refused hears the same code as the one whose replay refused it. Rows settled
-- before this step have none (NULL).
ALTER TABLE outbox ADD COLUMN last_error_code TEXT;
