//! `hakobu-sandbox`: a DIAq and RouteMate server over SQLite. It is the app's embedded default
//! (started in-process on loopback when no API is configured) and the peer every test talks to.

mod auth;
mod bench_drivers;
mod capacity;
mod clock;
mod db;
mod demo;
mod drivers;
mod error;
mod estimates;
mod extract;
mod idempotency;
pub mod openapi;
mod orders;
mod reserve;
pub mod routemate;
mod seed;
mod simulate;
mod simulation;
mod stores;
mod time_zones;
mod webhook;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use chrono::{DateTime, FixedOffset};
use hakobu_geo::SharedGazetteer;
use rand::SeedableRng;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use bench_drivers::{BENCH_DRIVERS_MAX, BENCH_FIRST_ID, BENCH_PACE, BENCH_RUN_FOR, BENCH_SEED};
pub use capacity::CapacityConfig;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AppError;
pub use routemate::{RouteMateClient, RouteMateConfig, RouteMateDriver, demo_drivers};
pub use seed::Seed;
pub use simulation::LOCATION_EVERY_S;
pub use webhook::{ATTEMPTS as WEBHOOK_ATTEMPTS, WebhookConfig};

/// What a sandbox needs to start.
#[derive(Clone, Default)]
pub struct SandboxConfig {
    /// The SQLite file that holds everything; created when missing, kept across restarts.
    pub db_path: PathBuf,
    /// The only `Api-Key` header value accepted.
    pub api_key: String,
    /// Demo data loaded into an empty database.
    pub seed: Option<Seed>,
    /// Slot capacities and hold lifetime.
    pub capacity: CapacityConfig,
    /// "Now" for the window rules; the system clock when `None`.
    pub clock: Option<Arc<dyn Clock>>,
    /// Places customers for `distance` (0 without it, and then any address is accepted); may
    /// still be loading when the sandbox starts (what geocodes waits for it).
    pub geo: SharedGazetteer,
    /// Where status changes and driver locations are POSTed; `PUT /sandbox/webhook` sets or
    /// replaces it at run time. Nothing is sent while there is none.
    pub webhook: Option<WebhookConfig>,
    /// Simulated drivers carry every `created` job through to `delivered`, this many times
    /// faster than real time (1.0 = real time). Off when `None`.
    pub simulate: Option<f64>,
    /// RouteMate client credentials and drivers stored at start (`--routemate-client`,
    /// `--driver`); the Tokyo seeds add two demo drivers.
    pub routemate: RouteMateConfig,
    /// Benchmark load for the live map (`--bench-drivers N`): this many more drivers, each
    /// moving once a second and posted as a signed `driver.location` to the webhook URL.
    /// 0: none; at most [`BENCH_DRIVERS_MAX`].
    pub bench_drivers: usize,
    /// How long the benchmark drivers run (`--bench-seconds`); [`BENCH_RUN_FOR`] when `None`.
    pub bench_for: Option<Duration>,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("db_path", &self.db_path)
            .field("api_key", &"<redacted>")
            .field("seed", &self.seed)
            .field("capacity", &self.capacity)
            .field("geo", &self.geo)
            .field("webhook", &self.webhook)
            .field("simulate", &self.simulate)
            .field("routemate", &self.routemate)
            .field("bench_drivers", &self.bench_drivers)
            .field("bench_for", &self.bench_for)
            .finish()
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct Sandbox {
    db: Arc<Mutex<rusqlite::Connection>>,
    api_key: Arc<str>,
    capacity: Arc<CapacityConfig>,
    clock: Arc<dyn Clock>,
    geo: SharedGazetteer,
    webhooks: Arc<webhook::Webhooks>,
    drivers: Arc<Mutex<drivers::Drivers>>,
    simulate: Option<f64>,
}

impl Sandbox {
    /// Opens (or creates) the database, migrates it and loads the seed into an empty one.
    pub fn open(config: &SandboxConfig) -> Result<Sandbox, AppError> {
        let mut conn = db::open(&config.db_path)?;
        if let Some(seed) = config.seed {
            seed::load_if_empty(&mut conn, seed)?;
        }
        if let Some(speed) = config.simulate
            && !(speed.is_finite() && speed > 0.0)
        {
            return Err(AppError::BadRequest(format!(
                "simulate: the speed must be a positive number, not {speed}"
            )));
        }
        if config.bench_drivers > BENCH_DRIVERS_MAX {
            return Err(AppError::BadRequest(format!(
                "bench_drivers: at most {BENCH_DRIVERS_MAX}, not {}",
                config.bench_drivers
            )));
        }
        let clock = config
            .clock
            .clone()
            .unwrap_or_else(|| Arc::new(SystemClock));
        routemate::apply_config(
            &mut conn,
            &config.routemate,
            config.seed,
            clock.now().timestamp(),
        )?;
        let sandbox = Sandbox {
            db: Arc::new(Mutex::new(conn)),
            api_key: config.api_key.clone().into(),
            capacity: Arc::new(config.capacity.clone()),
            drivers: Arc::new(Mutex::new(drivers::Drivers::new(clock.now()))),
            clock,
            geo: config.geo.clone(),
            webhooks: Arc::new(webhook::Webhooks::new(config.webhook.as_ref())?),
            simulate: config.simulate,
        };
        if config.seed == Some(Seed::TokyoDay) {
            demo::seed_day(&sandbox)?;
        }
        Ok(sandbox)
    }

    fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// Runs `f` with the database. Handlers keep this short and never hold it across an await.
    fn with_db<T>(&self, f: impl FnOnce(&mut rusqlite::Connection) -> T) -> T {
        let mut conn = self
            .db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut conn)
    }

    /// The drivers' positions and jobs. Taken after the database lock when both are needed,
    /// never the other way round, and never held across an await.
    fn drivers(&self) -> MutexGuard<'_, drivers::Drivers> {
        self.drivers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends the `delivery.<status>`/`fetch.<status>` event of a change just committed, with
    /// the full object (its driver in the webhook form: id and location added). Called under
    /// the database lock, so events are queued in commit order.
    fn announce(&self, purpose: hakobu_diaq::Purpose, object: &serde_json::Value) {
        let kind = orders::kind_name(purpose);
        let event = format!("{kind}.{}", orders::status_of(object).as_str());
        let mut shown = object.clone();
        {
            let mut drivers = self.drivers();
            drivers.note(purpose, object);
            shown["driver"] = drivers.webhook_driver(object);
        }
        let body = serde_json::json!({
            "event": event,
            "created_at": hakobu_diaq::time::format(self.now()),
            kind: shown,
        });
        self.webhooks.send(&event, &body);
    }
}

/// Every DIAq route, behind the `Api-Key` check. The routes themselves are listed once, in
/// [`openapi::routes`], which describes each of them too (`GET /openapi.json`).
pub fn router(sandbox: Sandbox) -> Router {
    let (routes, _) = openapi::routes().split_for_parts();
    routes
        .fallback(error::not_found)
        // Layers run outside-in from the last: the key check first, then idempotency.
        .layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            idempotency::replay_or_run,
        ))
        .layer(axum::middleware::from_fn_with_state(
            sandbox.clone(),
            auth::require_api_key,
        ))
        .with_state(sandbox)
}

/// A sandbox serving on a socket in the background, stopped by [`RunningSandbox::shutdown`]
/// or when dropped.
pub struct RunningSandbox {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// Ends the webhook sender and the simulated drivers.
    halt: watch::Sender<bool>,
    background: Vec<JoinHandle<()>>,
}

impl RunningSandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the base the DIAq paths (`/v1/...`) are appended to.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.halt.send_replace(true);
        for task in std::mem::take(&mut self.background) {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.halt.send_replace(true);
    }
}

/// Opens the sandbox and serves it on `addr` (port 0 picks a free port) on the current runtime.
pub async fn start(config: &SandboxConfig, addr: SocketAddr) -> Result<RunningSandbox, AppError> {
    let sandbox = Sandbox::open(config)?;
    let listener = TcpListener::bind(addr).await.map_err(AppError::internal)?;
    let addr = listener.local_addr().map_err(AppError::internal)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let (halt, halted) = watch::channel(false);
    let mut background = Vec::new();
    if let Some(inbox) = sandbox.webhooks.take_inbox() {
        background.push(tokio::spawn(webhook::deliver(
            sandbox.db.clone(),
            inbox,
            halted.clone(),
        )));
    }
    if let Some(speed) = sandbox.simulate {
        background.push(tokio::spawn(simulation::run(
            sandbox.clone(),
            speed,
            halted.clone(),
        )));
    }
    if config.bench_drivers > 0 {
        background.push(tokio::spawn(bench_drivers::run(
            sandbox.clone(),
            config.bench_drivers,
            config.bench_for.unwrap_or(BENCH_RUN_FOR),
            rand::rngs::SmallRng::seed_from_u64(BENCH_SEED),
            halted,
        )));
    }
    let app = router(sandbox);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!("sandbox server ended: {e}");
        }
    });
    Ok(RunningSandbox {
        addr,
        stop: Some(stop),
        task: Some(task),
        halt,
        background,
    })
}
