-- 14: every plan names the account it was made for — the DIAq endpoint and a fingerprint of its
-- key, as queued writes do since 13. Its stops are that account's orders and stores, and handing
-- its unassigned stops over writes to DIAq, so another account never sees or uses it; it is kept,
-- and shown again when the app is set up for its account. Plans made before this step were made
-- for the account the cache was filled from (`meta.source` and, when recorded, `meta.source_key`;
-- without it the app adopts them for the current key only when the endpoint is unchanged).
ALTER TABLE plans ADD COLUMN endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT '';
UPDATE plans SET
    endpoint = IFNULL((SELECT value FROM meta WHERE key = 'source'), ''),
    key_fingerprint = IFNULL((SELECT value FROM meta WHERE key = 'source_key'), '');
CREATE INDEX plans_by_account ON plans (endpoint, key_fingerprint, created_at);
