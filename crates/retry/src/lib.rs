//! Retrying requests that may safely run twice, shared by hakobu-diaq-client and
//! hakobu-routemate: exponential backoff with *full jitter* (each wait uniformly random in
//! [0, min(cap, base·2^(attempt-1))]), so many clients recovering from one outage don't retry
//! in lockstep.
//!
//! Retried: connection errors, timeouts, 429 and 5xx — for GET always, for writes only when
//! they carry an `Idempotency-Key` (the server then answers a repeat with the first answer).
//! Each client decides which of its requests may repeat; RouteMate's all may (job reads are
//! GETs, imports always carry a key, a repeated token request only issues a spare token).
//!
//! The two clients' other shared edge lives here too: what a refusal says and which field it
//! names ([`error_body`]), and the reqwest client with its redirect, endpoint and body-size
//! rules ([`edge`]).

pub mod edge;
pub mod error_body;

use std::time::Duration;

use reqwest::{Method, StatusCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 disables retries.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (after `attempt` failures, counting from 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.cap);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Whether a request of this kind may be sent again.
pub fn may_repeat(method: &Method, has_idempotency_key: bool) -> bool {
    *method == Method::GET || has_idempotency_key
}

/// Whether an answer (or its absence) is worth another try.
pub fn worth_retrying(status: Option<StatusCode>) -> bool {
    match status {
        None => true,
        Some(s) => s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_full_jitter_under_a_growing_capped_ceiling() {
        let p = RetryPolicy {
            max_attempts: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        for attempt in 1..=8 {
            let ceiling = Duration::from_millis((100u64 << (attempt - 1)).min(1000));
            let mut seen_low = false;
            for _ in 0..200 {
                let d = p.delay(attempt);
                assert!(d <= ceiling, "attempt {attempt}: {d:?} > {ceiling:?}");
                seen_low |= d < ceiling / 2;
            }
            assert!(seen_low, "attempt {attempt}: jitter reaches the lower half");
        }
    }

    #[test]
    fn what_is_retried() {
        assert!(may_repeat(&Method::GET, false));
        assert!(!may_repeat(&Method::POST, false));
        assert!(may_repeat(&Method::POST, true));
        assert!(worth_retrying(None));
        assert!(worth_retrying(Some(StatusCode::TOO_MANY_REQUESTS)));
        assert!(worth_retrying(Some(StatusCode::BAD_GATEWAY)));
        assert!(!worth_retrying(Some(StatusCode::BAD_REQUEST)));
        assert!(worth_retrying(Some(StatusCode::SERVICE_UNAVAILABLE)));
        assert!(!worth_retrying(Some(StatusCode::NOT_FOUND)));
        assert!(!worth_retrying(Some(StatusCode::UNAUTHORIZED)));
        assert!(!worth_retrying(Some(StatusCode::CONFLICT)));
    }
}
