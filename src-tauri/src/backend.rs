//! Wires the backend at start: which API (configured, or the embedded sandbox), the cache file
//! and the [`Dispatch`] the commands use. Files live in the app's data directory.

use std::sync::Arc;
use std::time::Duration;

use hakobu_cache::Cache;
use hakobu_diaq_client::DiaqClient;
use hakobu_dispatch::intake_timing::Stage;
use hakobu_dispatch::{
    ApiConfig, DataDirLock, Dispatch, ErrorCode, Mode, RouteMateLink, RouteMateSettings,
    SystemClock, WebhookReceiver, demo_driver, osrm_url,
};
use hakobu_geo::{Gazetteer, SharedGazetteer};
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};
use tauri::{AppHandle, Emitter, Manager};

/// How often the cached deliveries and fetches are refreshed from the API (recent windows).
const ORDER_SYNC_EVERY: Duration = Duration::from_secs(15);
/// Ticks of [`ORDER_SYNC_EVERY`] between prunings of old history (an hour).
const PRUNE_EVERY_TICKS: u64 = 240;

/// What the commands reach through `State`. Holding the sandbox and the webhook receiver
/// keeps them serving.
pub struct Backend {
    pub dispatch: Arc<Dispatch>,
    _sandbox: Option<RunningSandbox>,
    _webhooks: Option<WebhookReceiver>,
    _lock: DataDirLock,
}

pub fn start(app: &AppHandle) -> Result<Backend, Box<dyn std::error::Error>> {
    let data_dir = app.path().app_data_dir()?;
    // Before anything opens a file in it: one process per data directory.
    let lock = DataDirLock::acquire(&data_dir)?;
    let config_dir = app.path().app_config_dir()?;
    let api = ApiConfig::resolve(|k| std::env::var(k).ok(), &config_dir)?;
    let geo = load_gazetteer(app);
    let (api, mode, sandbox) = match api {
        Some(api) => (api, Mode::Remote, None),
        None => {
            // A fresh key each launch: only this process can talk to its sandbox. End-to-end
            // tests and benchmarks that drive its `/sandbox/*` routes (a driver's location, the
            // simulation) name one with HAKOBU_SANDBOX_API_KEY.
            let api_key = std::env::var("HAKOBU_SANDBOX_API_KEY")
                .ok()
                .filter(|k| !k.trim().is_empty())
                .unwrap_or_else(|| format!("sandbox_{}", uuid::Uuid::new_v4().simple()));
            let config = SandboxConfig {
                db_path: data_dir.join("sandbox").join("diaq.db"),
                api_key: api_key.clone(),
                seed: Some(Seed::TokyoDay),
                geo: geo.clone(),
                simulate: hakobu_dispatch::demo_speed(|k| std::env::var(k).ok(), &config_dir),
                bench_drivers: bench_drivers(),
                bench_for: bench_seconds().map(Duration::from_secs),
                ..SandboxConfig::default()
            };
            let running = tauri::async_runtime::block_on(hakobu_sandbox::start(
                &config,
                "127.0.0.1:0".parse()?,
            ))?;
            tracing::info!("embedded DIAq sandbox on {}", running.base_url());
            let api = ApiConfig {
                base_url: running.base_url(),
                api_key,
            };
            (api, Mode::Sandbox, Some(running))
        }
    };
    let cache = Arc::new(Cache::open(&data_dir.join("cache.db"))?);
    let client = DiaqClient::new(&api.base_url, &api.api_key)?;
    let mut dispatch = Dispatch::new(client, cache, mode, Arc::new(SystemClock), geo)?;
    if let Some(url) = osrm_url(|k| std::env::var(k).ok(), &config_dir)? {
        tracing::info!("road travel times from OSRM at {url}");
        dispatch = dispatch.with_osrm(hakobu_osrm::OsrmClient::new(
            &url,
            hakobu_osrm::DEFAULT_PROFILE,
        )?);
    }
    // RouteMate, for sending planned routes to drivers: the configured account, else the
    // embedded sandbox's RouteMate. Without either the app works; sending says it is not set up.
    let routemate = RouteMateSettings::resolve(|k| std::env::var(k).ok(), &config_dir)?;
    let embedded =
        matches!(mode, Mode::Sandbox).then(|| (api.base_url.as_str(), api.api_key.as_str()));
    match tauri::async_runtime::block_on(RouteMateLink::resolve(routemate.as_ref(), embedded)) {
        Ok(Some(link)) => dispatch = dispatch.with_routemate(link),
        Ok(None) => tracing::info!("RouteMate not configured"),
        Err(e) => tracing::warn!("RouteMate unavailable: {e}"),
    }
    // The embedded sandbox's RouteMate drivers are the demo fleet, saved once into an empty
    // fleet; what the dispatcher edits afterwards stays.
    if matches!(mode, Mode::Sandbox) {
        let demo: Vec<_> = hakobu_sandbox::demo_drivers()
            .iter()
            .map(|d| demo_driver(&d.email, &d.name, d.vehicle, d.start))
            .collect();
        if let Err(e) = dispatch.seed_fleet(&demo) {
            tracing::warn!("demo fleet not saved: {e}");
        }
    }
    let dispatch = Arc::new(dispatch);
    // The embedded sandbox posts status changes and driver moves to a receiver of ours, so
    // the board moves as they happen; a remote DIAq is kept current by the periodic sync.
    let webhooks = match mode {
        Mode::Sandbox => match tauri::async_runtime::block_on(dispatch.start_webhook_receiver()) {
            Ok(receiver) => {
                tracing::info!("webhooks received at {}", receiver.url());
                Some(receiver)
            }
            Err(e) => {
                tracing::warn!("no webhooks, periodic sync only: {e}");
                None
            }
        },
        Mode::Remote => None,
    };
    forward_changes(app.clone(), &dispatch);
    keep_orders_fresh(app.clone(), dispatch.clone());
    Ok(Backend {
        dispatch,
        _sandbox: sandbox,
        _webhooks: webhooks,
        _lock: lock,
    })
}

/// Every change written to the cache (webhooks applied, syncs that found something) reaches
/// the UI as `cache-changed` with the ids that moved.
fn forward_changes(app: AppHandle, dispatch: &Arc<Dispatch>) {
    let mut changes = dispatch.subscribe_changes();
    let dispatch = dispatch.clone();
    tauri::async_runtime::spawn(async move {
        // Batched: a flood of driver moves is one event per 50 ms, not one per move.
        while let Some(batch) =
            hakobu_dispatch::next_batch(&mut changes, hakobu_dispatch::CHANGE_BATCH).await
        {
            let emitting = std::time::Instant::now();
            if let Err(e) = app.emit("cache-changed", &batch) {
                tracing::warn!("could not emit cache-changed: {e}");
            }
            // Where the live map's time goes before the window has the event (the benchmark).
            let timing = dispatch.intake_timing();
            timing.note(Stage::Emit, emitting.elapsed());
            let oldest = batch
                .positions
                .iter()
                .filter_map(|p| hakobu_diaq::time::parse(&p.located_at))
                .map(|t| t.timestamp_millis())
                .min();
            if let Some(oldest) = oldest {
                timing.note_age(Stage::FixToEmit, oldest);
            }
        }
    });
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

/// Refreshes recent orders and RouteMate jobs and sends queued writes in the background, and
/// tells the UI; failures only mark the app offline (the status bar shows it) and are retried
/// on the next tick.
fn keep_orders_fresh(app: AppHandle, dispatch: Arc<Dispatch>) {
    tauri::async_runtime::spawn(async move {
        let mut first = true;
        let mut ticks: u64 = 0;
        loop {
            // Acked writes and webhook bodies past their age: at start, then hourly.
            if ticks.is_multiple_of(PRUNE_EVERY_TICKS) {
                match dispatch.prune_history() {
                    Ok(p) if p.acked_rows + p.webhook_bodies > 0 => tracing::info!(
                        "pruned {} acked writes, {} webhook bodies",
                        p.acked_rows,
                        p.webhook_bodies
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("pruning: {e}"),
                }
            }
            ticks += 1;
            // Writes first: what the user did offline reaches the API before we read it back.
            match dispatch.replay_outbox().await {
                Ok(report) if report.acked + report.failed + report.conflicts > 0 => {
                    if let Err(e) = app.emit("outbox-changed", &report) {
                        tracing::warn!("could not emit outbox-changed: {e}");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("outbox replay: {e}"),
            }
            if first {
                // The calendar's columns; the document's table stands in until this lands.
                if let Err(e) = dispatch.sync_time_zones().await {
                    tracing::info!("time zone sync: {e}");
                }
            }
            match dispatch.sync_orders(first).await {
                Ok(report) => {
                    // The first (full) sync always; later ones only when something moved.
                    if (first || !report.changed.is_empty())
                        && let Err(e) = app.emit("orders-changed", &report)
                    {
                        tracing::warn!("could not emit orders-changed: {e}");
                    }
                    first = false;
                }
                Err(e) => tracing::info!("order sync: {e}"),
            }
            // Jobs sent to RouteMate: their stop counts move as drivers work.
            match dispatch.refresh_routemate_jobs().await {
                Ok(r) if !r.changed.is_empty() || !r.gone.is_empty() => {
                    if let Err(e) = app.emit("routemate-jobs-changed", &r) {
                        tracing::warn!("could not emit routemate-jobs-changed: {e}");
                    }
                }
                Ok(_) => {}
                Err(e) if e.code == ErrorCode::Config => {}
                Err(e) => tracing::info!("RouteMate refresh: {e}"),
            }
            tokio::time::sleep(ORDER_SYNC_EVERY).await;
        }
    });
}
