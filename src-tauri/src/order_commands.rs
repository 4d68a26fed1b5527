//! `#[tauri::command]` adapters of the order writes, estimates, address look-ups and the
//! export file: unpack arguments, call hakobu-dispatch, tell the UI what changed. No logic
//! lives here but where the export directory is.

use std::path::PathBuf;

use hakobu_cache::CachedOrder;
use hakobu_dispatch::{
    CancelOutcome, CancelResult, CommandError, EXPORT_DIR_ENV, ErrorCode, EstimateView, Hold,
    NormalizedAddress, OrderKind, OrderRef, OrdersChanged, PostalLookup, ReplayReport,
    WindowChoice, Written,
};
use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::backend::Backend;
use crate::off_main::off_main;

type Reply<T> = Result<T, CommandError>;

/// `orders-changed` with the ids a write changed, so the board and detail refresh them.
fn orders_changed(app: &AppHandle, changed: Vec<String>) {
    if changed.is_empty() {
        return;
    }
    if let Err(e) = app.emit("orders-changed", OrdersChanged { changed }) {
        tracing::warn!("could not emit orders-changed: {e}");
    }
}

/// `outbox-changed` when a write was queued: nothing was settled, `stopped` says why it waits.
fn write_queued(app: &AppHandle, reason: &CommandError) {
    let report = ReplayReport {
        stopped: Some(reason.clone()),
        ..ReplayReport::default()
    };
    if let Err(e) = app.emit("outbox-changed", &report) {
        tracing::warn!("could not emit outbox-changed: {e}");
    }
}

/// Tells the UI about a written order: applied, the order moved; queued, the outbox grew.
fn order_written(app: &AppHandle, written: &Written<CachedOrder>) {
    match written {
        Written::Applied { value, .. } => orders_changed(app, vec![value.id.clone()]),
        Written::Queued { reason, .. } => write_queued(app, reason),
    }
}

/// Cancels each order; one outcome per order, in order (see `CancelOutcome`).
#[tauri::command]
pub async fn cancel_orders(
    app: AppHandle,
    backend: State<'_, Backend>,
    orders: Vec<OrderRef>,
) -> Reply<Vec<CancelOutcome>> {
    let batch = backend.dispatch().cancel_orders(&orders).await;
    let sent = batch
        .outcomes
        .iter()
        .filter(|o| o.result == CancelResult::Sent)
        .map(|o| o.id.clone())
        .collect();
    orders_changed(&app, sent);
    if let Some(reason) = &batch.unanswered {
        write_queued(&app, reason);
    }
    Ok(batch.outcomes)
}

/// Changes a `created` delivery or fetch (customer, packages, comments).
#[tauri::command]
pub async fn update_order(
    app: AppHandle,
    backend: State<'_, Backend>,
    kind: OrderKind,
    id: String,
    body: Value,
) -> Reply<Written<CachedOrder>> {
    let written = backend.dispatch().update_order(kind, &id, body).await?;
    order_written(&app, &written);
    Ok(written)
}

/// Creates a delivery or fetch in the window `window` says.
#[tauri::command]
pub async fn create_order(
    app: AppHandle,
    backend: State<'_, Backend>,
    kind: OrderKind,
    body: Value,
    window: WindowChoice,
) -> Reply<Written<CachedOrder>> {
    let written = backend.dispatch().create_order(kind, body, window).await?;
    order_written(&app, &written);
    Ok(written)
}

/// Estimates now (never queued): the held windows, prices, sold-out slots.
#[tauri::command]
pub async fn estimate_order(
    backend: State<'_, Backend>,
    kind: OrderKind,
    body: Value,
) -> Reply<EstimateView> {
    backend.dispatch().estimate_order(kind, &body).await
}

/// Holds a chosen window (`reserve_windows`).
#[tauri::command]
pub async fn reserve_window(
    app: AppHandle,
    backend: State<'_, Backend>,
    store_id: String,
    reserve_date: String,
    time_zone_id: String,
) -> Reply<Written<Hold>> {
    let written = backend
        .dispatch()
        .reserve_window(&store_id, &reserve_date, &time_zone_id)
        .await?;
    if let Written::Queued { reason, .. } = &written {
        write_queued(&app, reason);
    }
    Ok(written)
}

/// Prefecture, city and towns of a postal code (offline gazetteer).
#[tauri::command]
pub async fn postal_lookup(backend: State<'_, Backend>, code: String) -> Reply<PostalLookup> {
    off_main(&backend, move |d| d.postal_lookup(&code)).await
}

/// An address line normalised, its building split off into line 2.
#[tauri::command]
pub async fn normalize_address(
    backend: State<'_, Backend>,
    prefecture: String,
    line_1: String,
) -> Reply<NormalizedAddress> {
    off_main(&backend, move |d| d.normalize_address(&prefecture, &line_1)).await
}

/// Writes a text file the UI built (a CSV) into the export directory; never over a file. On
/// the blocking pool: a plain `fn` command runs on the main thread, which also draws the
/// window, and a large export to a slow disk (a network home, a USB stick) would freeze it.
#[tauri::command]
pub async fn save_export(app: AppHandle, file_name: String, contents: String) -> Reply<String> {
    let dir = export_dir(&app)?;
    let path = tauri::async_runtime::spawn_blocking(move || {
        hakobu_dispatch::save_export(&dir, &file_name, &contents)
    })
    .await
    .map_err(|e| CommandError::new(ErrorCode::Internal, format!("export stopped: {e}")))??;
    Ok(path.to_string_lossy().into_owned())
}

/// `HAKOBU_EXPORT_DIR`, else the OS's download folder, else the home folder.
fn export_dir(app: &AppHandle) -> Reply<PathBuf> {
    if let Some(dir) = std::env::var_os(EXPORT_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let paths = app.path();
    paths
        .download_dir()
        .or_else(|_| paths.home_dir())
        .map_err(|e| {
            CommandError::new(
                ErrorCode::Config,
                format!("export: no download or home folder ({e}); set {EXPORT_DIR_ENV}"),
            )
        })
}
