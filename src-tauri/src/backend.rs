//! Wires the backend: which API (configured, or the embedded sandbox), the cache file and the
//! [`Dispatch`] the commands use, at start and again when 設定 saves a new configuration
//! (`hakobu_dispatch::wiring` does the wiring; this is the app's side of it: the sandbox, the
//! window's events, the data directory). Files live in the app's data directory.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hakobu_cache::Cache;
use hakobu_dispatch::wiring::{
    Configuration, EmbeddedApi, Live, Notice, Notify, ORDER_SYNC_EVERY, Rewired, Shared,
    StartEmbedded, WiringError, WiringPart,
};
use hakobu_dispatch::{ApiConfig, DataDirLock, Dispatch, SystemClock, demo_driver};
use hakobu_geo::{Gazetteer, SharedGazetteer};
use hakobu_sandbox::{SandboxConfig, Seed};
use tauri::{AppHandle, Emitter, Manager};

/// The event that tells the window the app now runs on another configuration (its payload is
/// the mode, `sandbox` or `remote`): every view re-reads.
pub const REWIRED_EVENT: &str = "backend-rewired";

/// What the commands reach through `State`: the current wiring (replaced when a saved
/// configuration is switched to) and, for the process's life, the data directory's lock.
pub struct Backend {
    live: Live,
    config_dir: PathBuf,
    _lock: DataDirLock,
}

impl Backend {
    /// The [`Dispatch`] of the configuration running now; each command asks afresh.
    pub fn dispatch(&self) -> Arc<Dispatch> {
        self.live.dispatch()
    }

    /// Switches the running app to the configuration as saved — read exactly as at start
    /// (environment variables still win) — and tells the window. On failure the app keeps the
    /// previous configuration and the error says what failed.
    pub async fn apply_saved(&self, app: &AppHandle) -> Result<Rewired, WiringError> {
        let configuration =
            Configuration::resolve(env, &self.config_dir).map_err(|e| WiringError {
                part: WiringPart::Settings,
                message: e.to_string(),
            })?;
        let rewired = self.live.rewire(configuration).await?;
        if rewired.switched
            && let Err(e) = app.emit(REWIRED_EVENT, rewired.mode)
        {
            tracing::warn!("could not emit {REWIRED_EVENT}: {e}");
        }
        Ok(rewired)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

pub fn start(app: &AppHandle) -> Result<Backend, Box<dyn std::error::Error>> {
    // Tauri creates the window before this runs, but its page cannot start loading until this
    // returns (the event loop is not running yet): its time is start time (start-bench reads it).
    let began = std::time::Instant::now();
    let data_dir = app.path().app_data_dir()?;
    // Before anything opens a file in it: one process per data directory.
    let lock = DataDirLock::acquire(&data_dir)?;
    let config_dir = app.path().app_config_dir()?;
    let configuration = Configuration::resolve(env, &config_dir)?;
    // Once per process: every wiring shares the one load.
    let geo = load_gazetteer(app);
    let shared = Shared {
        cache: Arc::new(Cache::open(&data_dir.join("cache.db"))?),
        geo: geo.clone(),
        clock: Arc::new(SystemClock),
        start_embedded: embedded_sandbox(data_dir, geo),
        notify: to_window(app.clone()),
        sync_every: ORDER_SYNC_EVERY,
    };
    let live = tauri::async_runtime::block_on(Live::start(shared, configuration))?;
    tracing::info!(
        "backend started in {:.1} ms",
        began.elapsed().as_secs_f64() * 1000.0
    );
    Ok(Backend {
        live,
        config_dir,
        _lock: lock,
    })
}

/// How the embedded DIAq sandbox starts (in-process, on loopback), at start and whenever a
/// saved configuration names none (or a new demo speed).
fn embedded_sandbox(data_dir: PathBuf, geo: SharedGazetteer) -> StartEmbedded {
    Arc::new(move |speed| {
        let db_path = data_dir.join("sandbox").join("diaq.db");
        let geo = geo.clone();
        Box::pin(async move {
            // A fresh key each start: only this process can talk to its sandbox. End-to-end
            // tests and benchmarks that drive its `/sandbox/*` routes (a driver's location,
            // the simulation) name one with HAKOBU_SANDBOX_API_KEY.
            let api_key = env("HAKOBU_SANDBOX_API_KEY")
                .filter(|k| !k.trim().is_empty())
                .unwrap_or_else(|| format!("sandbox_{}", uuid::Uuid::new_v4().simple()));
            let config = SandboxConfig {
                db_path: db_path.clone(),
                api_key: api_key.clone(),
                seed: Some(Seed::TokyoDay),
                geo,
                simulate: speed,
                bench_drivers: bench_drivers(),
                bench_for: bench_seconds().map(Duration::from_secs),
                ..SandboxConfig::default()
            };
            let running =
                hakobu_sandbox::start(&config, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
                    .await
                    // Its own errors hide the path (an API's 5xx must not show it); here it
                    // is the user's own file, and what to look at.
                    .map_err(|e| format!("{}: {e}", db_path.display()))?;
            tracing::info!("embedded DIAq sandbox on {}", running.base_url());
            let demo_fleet = hakobu_sandbox::demo_drivers()
                .iter()
                .map(|d| demo_driver(&d.email, &d.name, d.vehicle, d.start))
                .collect();
            Ok(EmbeddedApi {
                api: ApiConfig {
                    base_url: running.base_url(),
                    api_key,
                },
                demo_fleet,
                stop: Box::new(move || Box::pin(running.shutdown())),
            })
        })
    })
}

/// The wiring's notices, as the window's events.
fn to_window(app: AppHandle) -> Notify {
    Arc::new(move |notice: Notice<'_>| {
        let event = notice.event();
        let sent = match notice {
            // Down the window's channel, not as an event: see change_channel.rs.
            Notice::CacheChanged(batch) => crate::change_channel::send(&app, batch),
            Notice::OutboxChanged(report) => app.emit(event, report),
            Notice::OrdersChanged(report) => app.emit(event, report),
            Notice::RouteMateJobsChanged(refresh) => app.emit(event, refresh),
            Notice::FleetChanged => app.emit(event, ()),
            Notice::OnlineChanged(online) => app.emit(event, online),
        };
        if let Err(e) = sent {
            tracing::warn!("could not emit {event}: {e}");
        }
    })
}

/// The offline gazetteer, parsed on its own thread while the window opens (issue 23: the
/// start waits for nothing it does not need; parsing the 17 MB file is ~120 ms of a quiet
/// machine's start). Only geocoding waits for it. Without the file the app still works;
/// stores just have no map position.
fn load_gazetteer(app: &AppHandle) -> SharedGazetteer {
    let path = gazetteer_path(app);
    let (shared, settle) = SharedGazetteer::loading();
    let spawned = std::thread::Builder::new()
        .name("gazetteer".into())
        .spawn(move || {
            // At a lower priority: at the window's, on two cores, the parse took the slices
            // WebKit needed to load and paint the board — the first rows came ~300 ms later
            // than without a gazetteer (ui/START-BENCHMARKS.md, session 6). It still gets every
            // idle cycle, and the window is idle within a second of the start.
            hakobu_dispatch::thread_priority::lower_this_thread(GAZETTEER_NICE);
            let loaded = match Gazetteer::load(&path) {
                Ok(g) => {
                    tracing::info!("gazetteer: {}", path.display());
                    Some(Arc::new(g))
                }
                Err(e) => {
                    tracing::warn!("no geocoding: {e}");
                    None
                }
            };
            settle.done(loaded);
        });
    // The closure, and with it `settle`, is dropped when the thread could not start: the
    // gazetteer settles as absent and nothing waits.
    if let Err(e) = spawned {
        tracing::warn!("no geocoding: the gazetteer's thread did not start: {e}");
    }
    shared
}

/// The gazetteer's parse at start runs at this nice value (as the solver's threads: 0 is
/// normal, 19 the lowest). At 19 it took 3.5 s instead of ~1 s to finish with other work on
/// the machine, and the embedded sandbox's first sync waits for it.
const GAZETTEER_NICE: i32 = 10;

/// Where the gazetteer is read from: `HAKOBU_GEO_DATA` when set, else the installed package's
/// copy in the resource directory (`/usr/lib/Hakobu/geo/` beside `/usr/bin/hakobu`), else the
/// checkout's places (beside the executable, the working directory, the build path).
fn gazetteer_path(app: &AppHandle) -> std::path::PathBuf {
    let configured = std::env::var_os(hakobu_geo::DATA_ENV).is_some_and(|p| !p.is_empty());
    let installed = app
        .path()
        .resource_dir()
        .ok()
        .map(|dir| dir.join("geo").join("gazetteer.tsv"))
        .filter(|p| p.is_file());
    match installed {
        Some(path) if !configured => path,
        _ => Gazetteer::default_path(),
    }
}

/// `HAKOBU_SANDBOX_BENCH_DRIVERS`: benchmark load for the live map (the sandbox's
/// `--bench-drivers`), 0 or unset for none. More than the sandbox allows stops the start
/// with its message.
fn bench_drivers() -> usize {
    std::env::var("HAKOBU_SANDBOX_BENCH_DRIVERS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// `HAKOBU_SANDBOX_BENCH_SECONDS`: how long they run (the sandbox's default when unset).
fn bench_seconds() -> Option<u64> {
    std::env::var("HAKOBU_SANDBOX_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}
