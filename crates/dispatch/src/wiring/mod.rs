//! One configuration wired into a running backend — which DIAq (a configured one, or the
//! embedded sandbox), OSRM, RouteMate, the demo fleet, the webhook receiver and the background
//! loops — and the running app's switch from one configuration to the next, so that a saved
//! configuration takes effect without a restart (issue 23 §1).
//!
//! The edge (the app) gives what only it can: how to start the embedded sandbox (this crate
//! does not depend on it) and where notices go (the window). Everything else is here, where
//! tests drive it against real sandboxes.
//!
//! A switch ([`Live::rewire`]):
//! 1. Prepares the new configuration without touching the running one: its DIAq client and
//!    OSRM client are made (a malformed URL fails here), and an embedded sandbox is started
//!    when the running one is not embedded too. A failure leaves the running wiring as it was.
//! 2. Stops the running wiring's loops and webhook receiver, and waits for them: from here on
//!    nothing of the old account syncs into the cache, which the new account is about to claim
//!    ([`Dispatch::new`] empties another account's data). Two embedded sandboxes share one
//!    database, so the old one is stopped before the new one starts.
//! 3. Wires the new one (the cache claimed, RouteMate, the fleet, the receiver, the loops) and
//!    swaps it in; every command asks [`Live::dispatch`] afresh, so the next one uses it. The
//!    old sandbox is stopped.
//!
//! When step 3 fails, the previous configuration is wired again (it worked a moment ago) and
//! the error says what failed. Queued writes of the old account stay in the cache, held:
//! the new account's [`Dispatch`] never sends them (`account.rs`).

mod loops;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_geo::SharedGazetteer;
use serde::Serialize;
use tokio::task::JoinHandle;
use ts_rs::TS;

pub use loops::{Notice, Notify};

use crate::{
    ApiConfig, Clock, CommandError, ConfigError, Dispatch, DriverInput, Mode, RouteMateLink,
    RouteMateSettings, WebhookReceiver, demo_speed, osrm_url,
};

/// How often the cached orders are refreshed from the API in the app (recent windows).
pub const ORDER_SYNC_EVERY: Duration = Duration::from_secs(15);

/// What the app is configured to reach, read the way the app reads it at start: environment
/// variables first, field by field, then the settings the view saved.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// `None`: the embedded sandbox.
    pub api: Option<ApiConfig>,
    pub osrm: Option<String>,
    pub routemate: Option<RouteMateSettings>,
    /// The embedded sandbox's demo speed (`None`: no simulated drivers).
    pub demo_speed: Option<f64>,
}

impl Configuration {
    pub fn resolve(
        env: impl Fn(&str) -> Option<String>,
        config_dir: &Path,
    ) -> Result<Configuration, ConfigError> {
        Ok(Configuration {
            api: ApiConfig::resolve(&env, config_dir)?,
            osrm: osrm_url(&env, config_dir)?,
            routemate: RouteMateSettings::resolve(&env, config_dir)?,
            demo_speed: demo_speed(&env, config_dir),
        })
    }

    pub fn mode(&self) -> Mode {
        match self.api {
            Some(_) => Mode::Remote,
            None => Mode::Sandbox,
        }
    }

    /// Whether `other` would be wired exactly as this is (the demo speed matters only to the
    /// embedded sandbox), so saving it again changes nothing.
    fn wires_as(&self, other: &Configuration) -> bool {
        self.api == other.api
            && self.osrm == other.osrm
            && self.routemate == other.routemate
            && (self.api.is_some() || self.demo_speed == other.demo_speed)
    }
}

/// A future the wiring awaits, boxed: the edge's sandbox start and stop.
pub type Pending<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Starts the embedded DIAq at a demo speed (`None`: no simulated drivers).
pub type StartEmbedded =
    Arc<dyn Fn(Option<f64>) -> Pending<Result<EmbeddedApi, String>> + Send + Sync>;

/// An embedded DIAq the edge started.
pub struct EmbeddedApi {
    /// Where it listens and its key.
    pub api: ApiConfig,
    /// RouteMate's drivers there, saved once into an empty fleet.
    pub demo_fleet: Vec<DriverInput>,
    /// Stops it and resolves once it has stopped (its database is free again).
    pub stop: Box<dyn FnOnce() -> Pending<()> + Send>,
}

/// What every wiring of one process shares: the cache file, the gazetteer (loaded once), the
/// clock, how the embedded sandbox starts and where notices go.
#[derive(Clone)]
pub struct Shared {
    pub cache: Arc<Cache>,
    pub geo: SharedGazetteer,
    pub clock: Arc<dyn Clock>,
    pub start_embedded: StartEmbedded,
    pub notify: Notify,
    /// The loops' period ([`ORDER_SYNC_EVERY`] in the app; short in tests).
    pub sync_every: Duration,
}

/// Which part of a wiring failed, and why (`message`: its own words, English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {message}")]
pub struct WiringError {
    pub part: WiringPart,
    pub message: String,
}

/// The part of a switch that failed, as a fact the settings view words; `Display` is the
/// English the error's message starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WiringPart {
    /// The saved settings, read again as at start (the app's side, before any wiring).
    Settings,
    Cache,
    Osrm,
    Diaq,
    EmbeddedSandbox,
}

impl std::fmt::Display for WiringPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WiringPart::Settings => "the saved settings",
            WiringPart::Cache => "the cache",
            WiringPart::Osrm => "OSRM",
            WiringPart::Diaq => "DIAq",
            WiringPart::EmbeddedSandbox => "the embedded sandbox",
        })
    }
}

fn failed(part: WiringPart) -> impl FnOnce(String) -> WiringError {
    move |message| WiringError { part, message }
}

/// One configuration, wired and running.
pub struct Wiring {
    configuration: Configuration,
    dispatch: Arc<Dispatch>,
    running: Mutex<Running>,
}

/// What a wiring runs, taken out when it stops.
#[derive(Default)]
struct Running {
    loops: Vec<JoinHandle<()>>,
    webhooks: Option<WebhookReceiver>,
    embedded: Option<Box<dyn FnOnce() -> Pending<()> + Send>>,
}

impl Drop for Running {
    /// A wiring dropped without [`Wiring::stop`] still stops its loops (a dropped task handle
    /// would leave them running); the receiver and the sandbox stop on their own drop.
    fn drop(&mut self) {
        for task in &self.loops {
            task.abort();
        }
    }
}

impl Wiring {
    /// Wires `configuration` from nothing (the app's start).
    pub async fn wire(
        shared: &Shared,
        configuration: Configuration,
    ) -> Result<Wiring, WiringError> {
        let prepared = prepare(shared, configuration, true).await?;
        finish(shared, prepared).await
    }

    /// `previous`'s configuration with nothing running: no loops, no receiver, no sandbox;
    /// its API client kept, so the status says offline while it does not answer.
    fn offline(shared: &Shared, previous: &Wiring) -> Result<Wiring, WiringError> {
        let dispatch = Dispatch::new(
            previous.dispatch.client.clone(),
            shared.cache.clone(),
            previous.configuration.mode(),
            shared.clock.clone(),
            shared.geo.clone(),
        )
        .map_err(|e| failed(WiringPart::Cache)(e.to_string()))?;
        Ok(Wiring {
            configuration: previous.configuration.clone(),
            dispatch: Arc::new(dispatch),
            running: Mutex::new(Running::default()),
        })
    }

    pub fn dispatch(&self) -> &Arc<Dispatch> {
        &self.dispatch
    }

    pub fn configuration(&self) -> &Configuration {
        &self.configuration
    }

    fn running(&self) -> std::sync::MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the loops and the webhook receiver, and waits until they have: nothing of this
    /// wiring syncs into the cache afterwards. A loop stopped mid-send leaves its row in
    /// flight, which the account's next replay looks up before sending again (`outbox.rs`).
    async fn stop_background(&self) {
        let (loops, webhooks) = {
            let mut running = self.running();
            (std::mem::take(&mut running.loops), running.webhooks.take())
        };
        for task in loops {
            task.abort();
            let _ = task.await;
        }
        if let Some(receiver) = webhooks {
            receiver.shutdown().await;
        }
    }

    /// Stops the embedded sandbox, if this wiring started one, and waits until it has.
    async fn stop_embedded(&self) {
        let stop = self.running().embedded.take();
        if let Some(stop) = stop {
            stop().await;
        }
    }

    /// Stops everything this wiring runs.
    pub async fn stop(&self) {
        self.stop_background().await;
        self.stop_embedded().await;
    }
}

/// The API half of a prepared configuration.
enum PreparedApi {
    Remote(DiaqClient),
    Embedded(EmbeddedApi),
    /// Started in [`finish`], after the running embedded sandbox has stopped.
    EmbeddedLater,
}

struct Prepared {
    configuration: Configuration,
    api: PreparedApi,
    osrm: Option<hakobu_osrm::OsrmClient>,
    /// RouteMate, when it could be linked before the switch: a configured one, or the
    /// embedded sandbox's when that is already running. `None`: linked in [`finish`] (an
    /// embedded sandbox started there).
    routemate: Option<Result<Option<RouteMateLink>, CommandError>>,
}

/// Everything that can fail without touching the cache or the running wiring.
async fn prepare(
    shared: &Shared,
    configuration: Configuration,
    start_embedded_now: bool,
) -> Result<Prepared, WiringError> {
    let osrm = match &configuration.osrm {
        Some(url) => Some(
            hakobu_osrm::OsrmClient::new(url, hakobu_osrm::DEFAULT_PROFILE)
                .map_err(|e| failed(WiringPart::Osrm)(e.to_string()))?,
        ),
        None => None,
    };
    let api = match &configuration.api {
        Some(api) => PreparedApi::Remote(
            DiaqClient::new(&api.base_url, &api.api_key)
                .map_err(|e| failed(WiringPart::Diaq)(e.to_string()))?,
        ),
        None if start_embedded_now => PreparedApi::Embedded(
            (shared.start_embedded)(configuration.demo_speed)
                .await
                .map_err(failed(WiringPart::EmbeddedSandbox))?,
        ),
        None => PreparedApi::EmbeddedLater,
    };
    // Linked here rather than in `finish`, which runs while the running wiring is already
    // stopped: the embedded sandbox's link is a round trip to it (new client credentials),
    // and the switch's stopped window should hold nothing that can wait.
    let routemate = match &api {
        PreparedApi::Remote(_) => {
            Some(RouteMateLink::resolve(configuration.routemate.as_ref(), None).await)
        }
        PreparedApi::Embedded(embedded) => Some(
            RouteMateLink::resolve(
                configuration.routemate.as_ref(),
                Some((&embedded.api.base_url, &embedded.api.api_key)),
            )
            .await,
        ),
        PreparedApi::EmbeddedLater => None,
    };
    Ok(Prepared {
        configuration,
        api,
        osrm,
        routemate,
    })
}

/// Claims the cache for the prepared account and starts its receiver and loops. What it
/// started is stopped again when a later step fails.
async fn finish(shared: &Shared, prepared: Prepared) -> Result<Wiring, WiringError> {
    let Prepared {
        configuration,
        api,
        osrm,
        routemate,
    } = prepared;
    let (client, embedded) = match api {
        PreparedApi::Remote(client) => (client, None),
        PreparedApi::Embedded(embedded) => (embedded_client(&embedded)?, Some(embedded)),
        PreparedApi::EmbeddedLater => {
            let embedded = (shared.start_embedded)(configuration.demo_speed)
                .await
                .map_err(failed(WiringPart::EmbeddedSandbox))?;
            (embedded_client(&embedded)?, Some(embedded))
        }
    };
    let mode = configuration.mode();
    let dispatch = match Dispatch::new(
        client,
        shared.cache.clone(),
        mode,
        shared.clock.clone(),
        shared.geo.clone(),
    ) {
        Ok(d) => d,
        Err(e) => {
            if let Some(embedded) = embedded {
                (embedded.stop)().await;
            }
            return Err(failed(WiringPart::Cache)(e.message));
        }
    };
    let mut dispatch = match osrm {
        Some(osrm) => dispatch.with_osrm(osrm),
        None => dispatch,
    };
    // RouteMate, for sending planned routes to drivers: the configured account, else the
    // embedded sandbox's. Without either the app works; sending says it is not set up.
    let routemate = match routemate {
        Some(linked) => linked,
        None => {
            let embedded_api = embedded
                .as_ref()
                .map(|e| (e.api.base_url.as_str(), e.api.api_key.as_str()));
            RouteMateLink::resolve(configuration.routemate.as_ref(), embedded_api).await
        }
    };
    match routemate {
        Ok(Some(link)) => dispatch = dispatch.with_routemate(link),
        Ok(None) => tracing::info!("RouteMate not configured"),
        Err(e) => tracing::warn!("RouteMate unavailable: {e}"),
    }
    // The embedded sandbox's RouteMate drivers are the demo fleet, saved once into an empty
    // fleet; what the dispatcher edits afterwards stays. A fleet tab already open hears of
    // it as of any saved driver: the page can load before the seeding is done.
    if let Some(embedded) = &embedded {
        match dispatch.seed_fleet(&embedded.demo_fleet) {
            Ok(0) => {}
            Ok(_) => (shared.notify)(Notice::FleetChanged),
            Err(e) => tracing::warn!("demo fleet not saved: {e}"),
        }
    }
    let dispatch = Arc::new(dispatch);
    // The embedded sandbox posts status changes and driver moves to a receiver of ours, so
    // the board moves as they happen; a remote DIAq is kept current by the periodic sync.
    let webhooks = match embedded {
        Some(_) => match dispatch.start_webhook_receiver().await {
            Ok(receiver) => {
                tracing::info!("webhooks received at {}", receiver.url());
                Some(receiver)
            }
            Err(e) => {
                tracing::warn!("no webhooks, periodic sync only: {e}");
                None
            }
        },
        None => None,
    };
    let loops = vec![
        loops::forward_changes(&dispatch, shared.notify.clone()),
        loops::forward_online(&dispatch, shared.notify.clone()),
        loops::keep_orders_fresh(dispatch.clone(), shared.notify.clone(), shared.sync_every),
    ];
    Ok(Wiring {
        configuration,
        dispatch,
        running: Mutex::new(Running {
            loops,
            webhooks,
            embedded: embedded.map(|e| e.stop),
        }),
    })
}

fn embedded_client(embedded: &EmbeddedApi) -> Result<DiaqClient, WiringError> {
    DiaqClient::new(&embedded.api.base_url, &embedded.api.api_key)
        .map_err(|e| failed(WiringPart::EmbeddedSandbox)(e.to_string()))
}

/// What a switch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rewired {
    /// The mode now running.
    pub mode: Mode,
    /// False when the configuration would be wired as the running one is: nothing restarted.
    pub switched: bool,
}

/// The running app's wiring, switched as a whole when a new configuration is saved.
pub struct Live {
    shared: Shared,
    current: RwLock<Arc<Wiring>>,
    /// One switch at a time.
    switching: tokio::sync::Mutex<()>,
}

impl Live {
    pub async fn start(shared: Shared, configuration: Configuration) -> Result<Live, WiringError> {
        let wiring = Wiring::wire(&shared, configuration).await?;
        Ok(Live {
            shared,
            current: RwLock::new(Arc::new(wiring)),
            switching: tokio::sync::Mutex::new(()),
        })
    }

    /// The wiring the app runs on now.
    pub fn current(&self) -> Arc<Wiring> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The [`Dispatch`] commands use now; ask again for each command (a switch replaces it).
    pub fn dispatch(&self) -> Arc<Dispatch> {
        self.current().dispatch.clone()
    }

    fn swap(&self, wiring: Wiring) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(wiring);
    }

    /// Switches to `configuration` (see the module's comment for the steps). On failure the
    /// app runs on the previous configuration — as it was, or wired again — and the error says
    /// what failed.
    pub async fn rewire(&self, configuration: Configuration) -> Result<Rewired, WiringError> {
        let _one = self.switching.lock().await;
        let old = self.current();
        if old.configuration.wires_as(&configuration) {
            return Ok(Rewired {
                mode: old.configuration.mode(),
                switched: false,
            });
        }
        let both_embedded = old.configuration.api.is_none() && configuration.api.is_none();
        let prepared = prepare(&self.shared, configuration, !both_embedded).await?;
        old.stop_background().await;
        // A command that began on the old one just before finishes without writing.
        old.dispatch.retire().await;
        if both_embedded {
            old.stop_embedded().await;
        }
        match finish(&self.shared, prepared).await {
            Ok(new) => {
                let mode = new.configuration.mode();
                self.swap(new);
                old.stop_embedded().await;
                tracing::info!("switched to the saved configuration ({mode:?})");
                Ok(Rewired {
                    mode,
                    switched: true,
                })
            }
            Err(error) => {
                tracing::warn!(
                    "the saved configuration did not start: {error}; back to the previous one"
                );
                old.stop_embedded().await;
                match Wiring::wire(&self.shared, old.configuration.clone()).await {
                    Ok(again) => self.swap(again),
                    Err(e) => {
                        // Neither starts (the embedded sandbox's database, say): the previous
                        // configuration without its API rather than the retired instance,
                        // which refuses everything. The cache reads as offline, writes queue
                        // for the account, and a later save switches as usual.
                        match Wiring::offline(&self.shared, &old) {
                            Ok(offline) => self.swap(offline),
                            Err(e) => tracing::error!("no wiring left to run on: {e}"),
                        }
                        return Err(WiringError {
                            part: error.part,
                            message: format!(
                                "{}; the previous configuration did not start again either ({e})",
                                error.message
                            ),
                        });
                    }
                }
                Err(error)
            }
        }
    }

    /// Stops the running wiring (tests; the app ends with its process).
    pub async fn stop(&self) {
        self.current().stop().await;
    }
}
