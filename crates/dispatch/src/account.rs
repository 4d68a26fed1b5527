//! Which account the app is set up for, and what belongs to it. An account is a DIAq
//! endpoint and a key; the cache and every queued write name it by the endpoint and a
//! fingerprint of the key, so that switching account (a new endpoint, or a new key on the same
//! one) neither shows one account's data as another's nor sends one account's writes to
//! another. The embedded sandbox is one account of its own: its key is new each launch but its
//! database (and so its data) is the same.

use hakobu_cache::{Cache, OutboxAccount};
use sha2::{Digest, Sha256};

use crate::{CommandError, Dispatch, META_LAST_SYNC, META_SOURCE, Mode};

/// The endpoint the embedded sandbox's rows name (its URL changes each launch: port 0).
pub const SANDBOX_ENDPOINT: &str = "sandbox";
/// The embedded sandbox's key fingerprint stand-in (its key changes each launch).
const SANDBOX_KEY: &str = "embedded";
/// Meta key: the fingerprint of the key the cache was filled with (absent in caches from
/// before accounts had one: see [`claim_cache`]).
const META_SOURCE_KEY: &str = "source_key";

/// A short, one-way fingerprint of an API key: 16 hex digits of SHA-256 over a label and the
/// key. Enough to tell two keys apart (64 bits), too short to be worth searching a key by.
pub fn key_fingerprint(api_key: &str) -> String {
    let digest = Sha256::digest(format!("hakobu api key\n{api_key}").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The account of a [`Dispatch`] in `mode` reaching `base_url` with `api_key`.
pub fn account_of(mode: Mode, base_url: &str, api_key: &str) -> OutboxAccount {
    match mode {
        Mode::Sandbox => OutboxAccount {
            endpoint: SANDBOX_ENDPOINT.into(),
            key_fingerprint: SANDBOX_KEY.into(),
        },
        Mode::Remote => OutboxAccount {
            endpoint: base_url.trim_end_matches('/').to_owned(),
            key_fingerprint: key_fingerprint(api_key),
        },
    }
}

/// Makes `cache` `account`'s: a cache filled for another account (another endpoint, or the
/// same with another key) is emptied of what was read from the API. Queued writes and plans
/// are never emptied: they stay, held or unlisted, for their own account. A cache from before
/// keys were recorded, filled from this very endpoint, is taken as this key's, and so are its
/// queued writes and plans.
pub(crate) fn claim_cache(cache: &Cache, account: &OutboxAccount) -> Result<(), CommandError> {
    let same_endpoint = cache.meta(META_SOURCE)?.as_deref() == Some(account.endpoint.as_str());
    let source_key = cache.meta(META_SOURCE_KEY)?;
    if same_endpoint && source_key.as_deref() == Some(account.key_fingerprint.as_str()) {
        return Ok(());
    }
    if same_endpoint && source_key.is_none() {
        cache.outbox_adopt_unkeyed(account)?;
        cache.plans_adopt_unkeyed(account)?;
    }
    // Read again from the API: cheap, and never another key's orders on the board.
    cache.replace_stores(&[])?;
    cache.replace_orders("delivery", &[])?;
    cache.replace_orders("fetch", &[])?;
    cache.forget_drivers()?;
    cache.set_meta(META_LAST_SYNC, "")?;
    cache.set_meta(META_SOURCE, &account.endpoint)?;
    cache.set_meta(META_SOURCE_KEY, &account.key_fingerprint)?;
    Ok(())
}

impl Dispatch {
    /// The account this instance sends to and reads from.
    pub fn account(&self) -> &OutboxAccount {
        &self.account
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hakobu_cache::NewOutboxRow;
    use hakobu_diaq_client::DiaqClient;

    use super::*;
    use crate::SystemClock;

    #[test]
    fn a_fingerprint_tells_keys_apart_and_does_not_show_the_key() {
        let a = key_fingerprint("prod_secret_a");
        assert_eq!(a, key_fingerprint("prod_secret_a"));
        assert_ne!(a, key_fingerprint("prod_secret_b"));
        assert_eq!(a.len(), 16);
        assert!(!a.contains("secret"));
        let sandbox = account_of(Mode::Sandbox, "http://127.0.0.1:1234", "sandbox_x");
        assert_eq!(
            sandbox,
            account_of(Mode::Sandbox, "http://127.0.0.1:5678", "sandbox_y"),
            "the embedded sandbox is one account whatever its port and key"
        );
        assert_eq!(
            account_of(Mode::Remote, "https://api.dia-9.com/", "k").endpoint,
            "https://api.dia-9.com"
        );
    }

    fn open(cache: &Arc<Cache>, url: &str, key: &str) -> Dispatch {
        Dispatch::new(
            DiaqClient::new(url, key).unwrap(),
            cache.clone(),
            Mode::Remote,
            Arc::new(SystemClock),
            None,
        )
        .unwrap()
    }

    /// A cache from before keys were recorded: `source` is the endpoint, no `source_key`, and
    /// its queued row has no fingerprint (what migration 13 leaves).
    fn legacy_cache(url: &str) -> Arc<Cache> {
        let cache = Arc::new(Cache::in_memory().unwrap());
        cache.set_meta(META_SOURCE, url).unwrap();
        let payload = serde_json::json!({});
        cache
            .outbox_enqueue(&NewOutboxRow {
                account: &OutboxAccount {
                    endpoint: url.into(),
                    key_fingerprint: String::new(),
                },
                client_id: "old",
                kind: "create_store",
                payload: &payload,
                payload_hash: "h",
                now: "2026-11-23T10:00:00+09:00",
            })
            .unwrap();
        // And a plan made then, without a fingerprint (what migration 14 leaves).
        let unkeyed = OutboxAccount {
            endpoint: url.into(),
            key_fingerprint: String::new(),
        };
        cache
            .begin_plan_version(&unkeyed, "p-old", "2026-11-23", "{}", "t")
            .unwrap();
        cache
    }

    #[test]
    fn writes_queued_before_keys_were_recorded_go_with_their_endpoint_only() {
        let url = "https://api.dia-9.com";
        let cache = legacy_cache(url);
        let d = open(&cache, url, "k");
        assert!(
            !d.outbox_rows(&[]).unwrap()[0].held,
            "adopted by its endpoint"
        );
        assert_eq!(
            cache.meta(META_SOURCE_KEY).unwrap(),
            Some(key_fingerprint("k"))
        );
        // Adopted once: another key later does not take them over.
        let d = open(&cache, url, "k2");
        assert!(d.outbox_rows(&[]).unwrap()[0].held);

        let cache = legacy_cache(url);
        let d = open(&cache, "https://other.example", "k");
        assert!(
            d.outbox_rows(&[]).unwrap()[0].held,
            "another endpoint holds them"
        );
    }

    #[test]
    fn plans_kept_before_keys_were_recorded_go_with_their_endpoint_only() {
        let url = "https://api.dia-9.com";
        let plans = |cache: &Cache, d: &Dispatch| cache.plan_versions(d.account()).unwrap().len();
        let cache = legacy_cache(url);
        let d = open(&cache, url, "k");
        assert_eq!(plans(&cache, &d), 1, "adopted by its endpoint");
        let d = open(&cache, url, "k2");
        assert_eq!(
            plans(&cache, &d),
            0,
            "adopted once: another key does not see it"
        );
        let d = open(&cache, url, "k");
        assert_eq!(plans(&cache, &d), 1, "back with its key");

        let cache = legacy_cache(url);
        let d = open(&cache, "https://other.example", "k");
        assert_eq!(plans(&cache, &d), 0, "another endpoint does not see it");
    }
}
