//! A [`Dispatch`] the running app has switched away from (`wiring`): a command that started on
//! it just before the switch may still be running. Once retired, it writes nothing more of its
//! account into the cache, which the next account claims — a sync's answer arriving late, a
//! replayed write's, a driver fix its location writer still had queued, or a plan its solver
//! was still working on would otherwise show the old account's data as the new one's.

use crate::{CommandError, Dispatch, ErrorCode};

/// Why a plan solving on a retired [`Dispatch`] ended without a result.
pub(crate) const PLAN_INTERRUPTED: &str =
    "the app switched to another configuration while this plan was solving";

/// What a command refused because its [`Dispatch`] retired answers.
pub(crate) fn retired_error() -> CommandError {
    CommandError::new(
        ErrorCode::Config,
        "the app switched to another configuration meanwhile: try again",
    )
}

impl Dispatch {
    /// Stops this instance's writes into the cache and waits for any under way to end; when
    /// it returns, nothing of this instance is written into the cache any more. Each writer
    /// checks the flag under a lock this waits on (between its check and its write):
    /// - syncs and webhook confirmations under the order write lock;
    /// - the outbox replay under its lock; a row waiting on the API is given up at once (it
    ///   stays in flight, looked up before it is sent again, as after a crash), so this waits
    ///   for no HTTP request;
    /// - the location writer between batches: fixes still queued are refused;
    /// - plans: running solves are cancelled and their versions marked interrupted now; their
    ///   results, and new versions, are refused.
    ///
    /// Writes it queued stay in the outbox, held for their account.
    pub async fn retire(&self) {
        self.retired.send_replace(true);
        self.location_writes.close().await;
        let now = crate::tokyo_rfc3339(self.clock.now());
        self.running_plans.retire(&self.cache, &now);
        // Whoever holds these is between its check and its write: let it finish first.
        drop(self.order_writes.lock().await);
        drop(self.replaying.lock().await);
    }

    /// Refuses a cache write once retired (checked under the write's lock).
    pub(crate) fn still_current(&self) -> Result<(), CommandError> {
        if *self.retired.borrow() {
            return Err(retired_error());
        }
        Ok(())
    }

    /// Resolves once this instance is retired: what a write waiting on the API races.
    pub(crate) async fn retiring(&self) {
        let mut retired = self.retired.subscribe();
        // The sender lives as long as `self`, so this only ends by retiring.
        let _ = retired.wait_for(|r| *r).await;
    }
}
