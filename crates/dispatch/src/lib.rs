//! `hakobu-dispatch`: the app's core. Tauri commands are thin adapters over [`Dispatch`];
//! everything they do — reading the cache, syncing from DIAq, writing through it — is here,
//! where tests drive it against the real sandbox.

mod clock;
mod config;
mod error;
mod orders;
mod status;
mod stores;
mod travel;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hakobu_cache::Cache;
use hakobu_diaq_client::{ClientError, DiaqClient};
use hakobu_geo::Gazetteer;

pub use clock::{Clock, SystemClock, tokyo_rfc3339};
pub use config::{ApiConfig, ConfigError, SETTINGS_FILE, osrm_url};
pub use error::CommandError;
pub use orders::OrderSyncReport;
pub use status::{AppStatus, Mode};
pub use stores::SyncReport;
pub use travel::TravelMatrix;

/// Meta key: which API the cached rows came from.
const META_SOURCE: &str = "source";
/// Meta key: RFC 3339 time of the last successful full sync.
const META_LAST_SYNC: &str = "last_sync";

pub struct Dispatch {
    client: DiaqClient,
    cache: Arc<Cache>,
    mode: Mode,
    clock: Arc<dyn Clock>,
    /// Places stores on the map; `None` when the gazetteer file is missing (no locations).
    geo: Option<Arc<Gazetteer>>,
    /// Road travel times when an OSRM server is configured ([`Dispatch::with_osrm`]).
    osrm: Option<hakobu_osrm::OsrmClient>,
    online: AtomicBool,
}

impl Dispatch {
    /// `source` names where the data comes from ("sandbox", or the real API's URL). A cache
    /// filled from another source is emptied first: stores of one account must never show
    /// as another's.
    pub fn new(
        client: DiaqClient,
        cache: Arc<Cache>,
        mode: Mode,
        clock: Arc<dyn Clock>,
        geo: Option<Arc<Gazetteer>>,
    ) -> Result<Dispatch, CommandError> {
        let source = match mode {
            Mode::Sandbox => "sandbox".to_owned(),
            Mode::Remote => client.base_url().to_owned(),
        };
        if cache.meta(META_SOURCE)?.as_deref() != Some(source.as_str()) {
            cache.replace_stores(&[])?;
            cache.set_meta(META_SOURCE, &source)?;
            cache.set_meta(META_LAST_SYNC, "")?;
        }
        Ok(Dispatch {
            client,
            cache,
            mode,
            clock,
            geo,
            osrm: None,
            online: AtomicBool::new(false),
        })
    }

    /// Records whether the API answered, so the status bar can say online/offline.
    fn observe<T>(&self, result: &Result<T, ClientError>) {
        let answered = !matches!(result, Err(ClientError::Transport(_)));
        self.online.store(answered, Ordering::Relaxed);
    }
}
