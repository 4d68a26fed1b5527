-- 13: every queued write names the account it was made for — the DIAq endpoint and a
-- fingerprint of its key — so a write made for one account is never sent to another after the
-- settings change. Rows queued before this step were made for the account the cache was
-- filled from (`meta.source`, the endpoint); their key was not recorded (''), and the app
-- adopts them for the current key only when the endpoint is unchanged (docs/decisions.md).
ALTER TABLE outbox ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT '';
UPDATE outbox SET endpoint = IFNULL((SELECT value FROM meta WHERE key = 'source'), '');
CREATE INDEX outbox_by_account ON outbox (endpoint, key_fingerprint, state, seq);
