//! Standard Webhooks signatures (<https://www.standardwebhooks.com/>), the one home of the
//! rule for both ends: the sandbox signs what it sends, the app's receiver verifies what it
//! gets. The sender signs `"{webhook-id}.{webhook-timestamp}.{body}"` with HMAC-SHA256 under
//! the shared secret and sends `webhook-signature: v1,<base64>` (several, space-separated,
//! while keys rotate). The timestamp must be within [`TOLERANCE`] of the receiver's clock, so a
//! captured request cannot be replayed later. No I/O: time and randomness are passed in.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a `webhook-timestamp` may be from the receiver's clock, either way.
pub const TOLERANCE: chrono::Duration = chrono::Duration::minutes(5);

/// The message id header: the same on every retry of a message, so receivers de-duplicate.
pub const ID_HEADER: &str = "webhook-id";
/// Unix seconds of the attempt.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// `v1,<base64 HMAC-SHA256>`, possibly several space-separated.
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// Standard Webhooks' secret prefix.
const PREFIX: &str = "whsec_";
/// Key length of secrets we make: HMAC-SHA256's output size, the length its RFC recommends.
const KEY_BYTES: usize = 32;

/// A shared webhook secret: `whsec_` + base64 of the HMAC key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for WebhookSecret {
    // A credential: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("secret: must be \"whsec_\" followed by a base64 key")]
    BadSecret,
    #[error("{0}: header missing")]
    MissingHeader(&'static str),
    #[error("webhook-timestamp: not unix seconds")]
    BadTimestamp,
    #[error("webhook-timestamp: {seconds} s from our clock, more than the 300 s allowed")]
    Stale { seconds: i64 },
    #[error("webhook-signature: no v1 signature matches")]
    Mismatch,
}

/// The three headers, as received (`None`: absent or not text).
#[derive(Debug, Clone, Copy, Default)]
pub struct SignedHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

impl WebhookSecret {
    /// Parses `whsec_<base64>` (an empty key is refused: it would sign nothing).
    pub fn parse(secret: &str) -> Result<WebhookSecret, SignatureError> {
        let key = secret
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|k| !k.is_empty())
            .ok_or(SignatureError::BadSecret)?;
        Ok(WebhookSecret { key })
    }

    /// A fresh secret from `rng`, which must be a cryptographic one seeded from the OS in the
    /// app: a guessable secret lets any local process post events the receiver believes.
    pub fn generate(rng: &mut impl rand::CryptoRng) -> WebhookSecret {
        let mut key = vec![0u8; KEY_BYTES];
        rng.fill_bytes(&mut key);
        WebhookSecret { key }
    }

    /// The `whsec_…` text the sender is given.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// `v1,<base64>` for this message: what a sender puts in `webhook-signature`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// Checks a received message at `now`. Every `v1,` entry of the signature header is tried
    /// (others, e.g. asymmetric `v1a,`, are skipped), each compared in constant time.
    pub fn verify(
        &self,
        headers: SignedHeaders<'_>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        let id = headers.id.ok_or(SignatureError::MissingHeader(ID_HEADER))?;
        let timestamp = headers
            .timestamp
            .ok_or(SignatureError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature = headers
            .signature
            .ok_or(SignatureError::MissingHeader(SIGNATURE_HEADER))?;
        let seconds: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| SignatureError::BadTimestamp)?;
        let off = now.timestamp().saturating_sub(seconds);
        if off.saturating_abs() > TOLERANCE.num_seconds() {
            return Err(SignatureError::Stale { seconds: off });
        }
        let mac = self.mac(id, timestamp, body);
        let matches = signature
            .split(' ')
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .any(|tag| mac.clone().verify_slice(&tag).is_ok());
        if matches {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    // The specification's example (also in its reference libraries' tests).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> SignedHeaders<'a> {
        SignedHeaders {
            id: Some(id),
            timestamp: Some(ts),
            signature: Some(sig),
        }
    }

    fn spec() -> WebhookSecret {
        WebhookSecret::parse(SPEC_SECRET).unwrap()
    }

    #[test]
    fn the_specifications_example_verifies_and_signs_alike() {
        let ts = SPEC_TS.to_string();
        assert_eq!(
            spec().verify(
                headers(SPEC_ID, &ts, SPEC_SIG),
                SPEC_BODY.as_bytes(),
                at(SPEC_TS)
            ),
            Ok(())
        );
        assert_eq!(
            spec().sign(SPEC_ID, SPEC_TS, SPEC_BODY.as_bytes()),
            SPEC_SIG
        );
        assert_eq!(spec().expose(), SPEC_SECRET);
    }

    #[test]
    fn what_one_end_signs_the_other_verifies() {
        let secret = WebhookSecret::generate(&mut StdRng::seed_from_u64(7));
        let body = br#"{"event":"delivery.assigned"}"#;
        let signature = secret.sign("msg_1", 1_700_000_000, body);
        assert!(
            secret
                .verify(
                    headers("msg_1", "1700000000", &signature),
                    body,
                    at(1_700_000_000)
                )
                .is_ok()
        );
        // The sender is given the exposed text and parses it back to the same key.
        let sender = WebhookSecret::parse(&secret.expose()).unwrap();
        assert_eq!(sender.sign("msg_1", 1_700_000_000, body), signature);
    }

    #[test]
    fn any_one_of_several_signatures_may_match() {
        let ts = SPEC_TS.to_string();
        let several = format!("v1,bm90IGl0 v1a,c29tZXRoaW5n v1,%%% {SPEC_SIG}");
        assert!(
            spec()
                .verify(
                    headers(SPEC_ID, &ts, &several),
                    SPEC_BODY.as_bytes(),
                    at(SPEC_TS)
                )
                .is_ok()
        );
    }

    #[test]
    fn a_changed_body_id_timestamp_or_key_does_not_verify() {
        let ts = SPEC_TS.to_string();
        let body = SPEC_BODY.as_bytes();
        let now = at(SPEC_TS);
        let mismatch = Err(SignatureError::Mismatch);
        assert_eq!(
            spec().verify(
                headers(SPEC_ID, &ts, SPEC_SIG),
                br#"{"test": 2432232315}"#,
                now
            ),
            mismatch
        );
        assert_eq!(
            spec().verify(headers("msg_other", &ts, SPEC_SIG), body, now),
            mismatch
        );
        let next = (SPEC_TS + 1).to_string();
        assert_eq!(
            spec().verify(headers(SPEC_ID, &next, SPEC_SIG), body, now),
            mismatch
        );
        let other = WebhookSecret::parse("whsec_b3RoZXIga2V5").unwrap();
        assert_eq!(
            other.verify(headers(SPEC_ID, &ts, SPEC_SIG), body, now),
            mismatch
        );
        // Not v1, or not base64: no match either.
        let unversioned = SPEC_SIG.trim_start_matches("v1,");
        assert_eq!(
            spec().verify(headers(SPEC_ID, &ts, unversioned), body, now),
            mismatch
        );
        assert_eq!(
            spec().verify(headers(SPEC_ID, &ts, "v1,***"), body, now),
            mismatch
        );
        assert_eq!(
            spec().verify(headers(SPEC_ID, &ts, ""), body, now),
            mismatch
        );
    }

    #[test]
    fn timestamps_must_be_within_five_minutes_either_way() {
        let ts = SPEC_TS.to_string();
        let check = |now: i64| {
            spec().verify(
                headers(SPEC_ID, &ts, SPEC_SIG),
                SPEC_BODY.as_bytes(),
                at(now),
            )
        };
        assert!(check(SPEC_TS + 300).is_ok());
        assert!(check(SPEC_TS - 300).is_ok());
        assert_eq!(
            check(SPEC_TS + 301),
            Err(SignatureError::Stale { seconds: 301 })
        );
        assert_eq!(
            check(SPEC_TS - 301),
            Err(SignatureError::Stale { seconds: -301 }),
            "from the future"
        );
    }

    #[test]
    fn missing_headers_and_a_bad_timestamp_are_named() {
        let ts = SPEC_TS.to_string();
        let body = SPEC_BODY.as_bytes();
        let now = at(SPEC_TS);
        let without = |f: fn(&mut SignedHeaders<'_>)| {
            let mut h = headers(SPEC_ID, &ts, SPEC_SIG);
            f(&mut h);
            spec().verify(h, body, now)
        };
        assert_eq!(
            without(|h| h.id = None),
            Err(SignatureError::MissingHeader("webhook-id"))
        );
        assert_eq!(
            without(|h| h.timestamp = None),
            Err(SignatureError::MissingHeader("webhook-timestamp"))
        );
        assert_eq!(
            without(|h| h.signature = None),
            Err(SignatureError::MissingHeader("webhook-signature"))
        );
        assert_eq!(
            spec().verify(headers(SPEC_ID, "yesterday", SPEC_SIG), body, now),
            Err(SignatureError::BadTimestamp)
        );
    }

    #[test]
    fn secrets_need_the_prefix_and_a_non_empty_base64_key() {
        for bad in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_",
            "whsec_not base64!",
            "",
        ] {
            assert_eq!(
                WebhookSecret::parse(bad),
                Err(SignatureError::BadSecret),
                "{bad}"
            );
        }
        let made = WebhookSecret::generate(&mut StdRng::seed_from_u64(1));
        assert_eq!(WebhookSecret::parse(&made.expose()), Ok(made.clone()));
        assert_ne!(made, WebhookSecret::generate(&mut StdRng::seed_from_u64(2)));
        assert_eq!(format!("{made:?}"), "WebhookSecret(<redacted>)");
    }
}
