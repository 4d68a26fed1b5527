//! A [`Dispatch`] the running app has switched away from (`wiring`): a command that started on
//! it just before the switch may still be running. Once retired, it writes nothing more of its
//! account into the cache, which the next account claims — a sync's answer arriving late, or a
//! replayed write's, would otherwise show the old account's stores and orders as the new one's.

use std::sync::atomic::Ordering;

use crate::{CommandError, Dispatch, ErrorCode};

impl Dispatch {
    /// Stops this instance's writes into the cache and waits for any under way (a sync's
    /// write, a replay's row) to end. Writes it queued stay in the outbox, held for their
    /// account.
    pub async fn retire(&self) {
        self.retired.store(true, Ordering::SeqCst);
        // Whoever holds these is between its check and its write: let it finish first.
        drop(self.order_writes.lock().await);
        drop(self.replaying.lock().await);
    }

    /// Refuses a cache write once retired (checked under the write's lock).
    pub(crate) fn still_current(&self) -> Result<(), CommandError> {
        if self.retired.load(Ordering::SeqCst) {
            return Err(CommandError::new(
                ErrorCode::Config,
                "the app switched to another configuration meanwhile: try again",
            ));
        }
        Ok(())
    }
}
