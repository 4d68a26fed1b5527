//! What the status bar shows.

use serde::Serialize;
use ts_rs::TS;

use crate::{CommandError, Dispatch, META_LAST_SYNC};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The embedded DIAq sandbox on loopback.
    Sandbox,
    /// A DIAq endpoint from the settings.
    Remote,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    pub mode: Mode,
    pub api_base_url: String,
    pub online: bool,
    pub last_sync: Option<String>,
    /// Writes in the outbox not yet answered (pending or in flight).
    pub pending_writes: u64,
    /// Writes the API refused (failed or conflicting), for the user to fix or discard.
    pub refused_writes: u64,
    /// Writes made for another account (別アカウントの未送信): sent nowhere until that
    /// account is set up again, or discarded.
    pub held_writes: u64,
}

impl Dispatch {
    pub fn status(&self) -> Result<AppStatus, CommandError> {
        let outbox = self.cache.outbox_counts(&self.account)?;
        Ok(AppStatus {
            mode: self.mode,
            api_base_url: self.client.base_url().to_owned(),
            online: *self.online.borrow(),
            last_sync: self.cache.meta(META_LAST_SYNC)?.filter(|s| !s.is_empty()),
            pending_writes: outbox.pending,
            refused_writes: outbox.failed + outbox.conflict,
            held_writes: outbox.held,
        })
    }
}
