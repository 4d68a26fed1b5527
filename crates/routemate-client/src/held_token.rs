//! The token the client holds: it asks for the next a little before the server's expiry
//! ([`refresh_margin`]), or at once when the server refuses it.

use std::time::{Duration, Instant};

use hakobu_routemate::TokenResponse;

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
    fn the_held_token_never_prints() {
        let r = TokenResponse {
            access_token: "rm_at_t0ken".into(),
            token_type: "Bearer".into(),
            expires_in: 3600,
        };
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
}
