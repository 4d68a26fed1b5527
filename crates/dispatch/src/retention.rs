//! Keeping the cache from growing with history nobody needs to stay correct.

use hakobu_cache::{HISTORY_KEPT_SECS, Pruned};

use crate::{CommandError, Dispatch};

impl Dispatch {
    /// Drops acked writes and webhook bodies older than [`HISTORY_KEPT_SECS`]; unsent writes
    /// stay whatever their age. Called now and then by the app's background loop.
    pub fn prune_history(&self) -> Result<Pruned, CommandError> {
        let before = self.clock.now().timestamp() - HISTORY_KEPT_SECS;
        Ok(self.cache.prune_history(before)?)
    }
}
