//! What the status bar shows.

use std::sync::atomic::Ordering;

use serde::Serialize;

use crate::{CommandError, Dispatch, META_LAST_SYNC};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The embedded DIAq sandbox on loopback.
    Sandbox,
    /// A DIAq endpoint from the settings.
    Remote,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppStatus {
    pub mode: Mode,
    pub api_base_url: String,
    pub online: bool,
    pub last_sync: Option<String>,
}

impl Dispatch {
    pub fn status(&self) -> Result<AppStatus, CommandError> {
        Ok(AppStatus {
            mode: self.mode,
            api_base_url: self.client.base_url().to_owned(),
            online: self.online.load(Ordering::Relaxed),
            last_sync: self.cache.meta(META_LAST_SYNC)?.filter(|s| !s.is_empty()),
        })
    }
}
