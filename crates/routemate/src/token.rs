//! `POST /v1/integration-token`: client credentials → a bearer token valid `expires_in`
//! seconds (the document: one hour). The client keeps one token and asks for the next a
//! little before it expires ([`refresh_margin`]), or at once when the server refuses it.
//! Secrets and tokens print as `<redacted>`: they must never reach a log line.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// A client id and its secret, from the RouteMate dashboard (or the sandbox's
/// `POST /sandbox/routemate/clients`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// `rm_ci_…`
    pub client_id: String,
    /// `rm_cs_…`
    pub client_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// The token request body is the credentials themselves (the document's example).
pub type TokenRequest = Credentials;

/// The answer of `POST /v1/integration-token`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// `rm_at_…`, opaque.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds the token is valid (3600).
    pub expires_in: u64,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// The token the client holds, and when it stops using it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct HeldToken {
    pub(crate) value: String,
    /// When to fetch the next one: the server's expiry less [`refresh_margin`].
    pub(crate) renew_at: Instant,
}

impl std::fmt::Debug for HeldToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldToken")
            .field("value", &"<redacted>")
            .field("renew_at", &self.renew_at)
            .finish()
    }
}

/// How long before expiry a token is replaced: a minute, so a request started just before
/// the hour is up does not arrive with a dead token (and the two clocks may differ by a few
/// seconds), but never more than half the lifetime of a short-lived token.
pub(crate) fn refresh_margin(expires_in: Duration) -> Duration {
    Duration::from_secs(60).min(expires_in / 2)
}

/// The longest lifetime believed: a server claiming more (or a garbled number) gets its token
/// renewed daily rather than an `Instant` overflow.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

impl HeldToken {
    /// The token in `response`, received at `received`.
    pub(crate) fn new(response: TokenResponse, received: Instant) -> HeldToken {
        let lifetime = Duration::from_secs(response.expires_in).min(MAX_LIFETIME);
        HeldToken {
            value: response.access_token,
            renew_at: received + lifetime - refresh_margin(lifetime),
        }
    }

    pub(crate) fn is_fresh(&self, now: Instant) -> bool {
        now < self.renew_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_tokens_never_print() {
        let c = Credentials {
            client_id: "rm_ci_abc".into(),
            client_secret: "rm_cs_s3cret".into(),
        };
        let shown = format!("{c:?}");
        assert!(
            shown.contains("rm_ci_abc") && !shown.contains("s3cret"),
            "{shown}"
        );
        let r = TokenResponse {
            access_token: "rm_at_t0ken".into(),
            token_type: "Bearer".into(),
            expires_in: 3600,
        };
        assert!(!format!("{r:?}").contains("t0ken"));
        let held = HeldToken::new(r, Instant::now());
        assert!(!format!("{held:?}").contains("t0ken"));
    }

    #[test]
    fn a_token_is_replaced_a_minute_before_it_expires() {
        let t0 = Instant::now();
        let held = HeldToken::new(
            TokenResponse {
                access_token: "x".into(),
                token_type: "Bearer".into(),
                expires_in: 3600,
            },
            t0,
        );
        assert!(held.is_fresh(t0 + Duration::from_secs(3539)));
        assert!(!held.is_fresh(t0 + Duration::from_secs(3540)));
        assert_eq!(
            refresh_margin(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
        let forever = HeldToken::new(
            TokenResponse {
                access_token: "x".into(),
                token_type: "Bearer".into(),
                expires_in: u64::MAX,
            },
            t0,
        );
        assert!(
            !forever.is_fresh(t0 + MAX_LIFETIME),
            "capped, not overflowing"
        );
    }

    #[test]
    fn the_wire_names_are_the_documents() {
        let body = serde_json::to_value(Credentials {
            client_id: "rm_ci_your_client_id".into(),
            client_secret: "rm_cs_your_client_secret".into(),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"client_id": "rm_ci_your_client_id",
                               "client_secret": "rm_cs_your_client_secret"})
        );
        let r: TokenResponse = serde_json::from_str(
            r#"{"access_token": "rm_at_e5988dd1b91a", "token_type": "Bearer", "expires_in": 3600}"#,
        )
        .unwrap();
        assert_eq!(r.expires_in, 3600);
    }
}
