//! `#[tauri::command]` adapters: unpack arguments, call hakobu-dispatch, tell the UI what
//! changed. No logic lives here.

use hakobu_cache::{
    CachedDriver, CachedOrder, CachedStore, OrderFilter, OutboxRow, OutboxState, SlotGrid,
    TrailPoint,
};
use hakobu_diaq::{StoreInput, TimeZone};
use hakobu_dispatch::{
    AppStatus, CommandError, OrderSyncReport, ReplayReport, StatusCount, SyncReport, Written,
};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::backend::Backend;
use crate::off_main::off_main;

type Reply<T> = Result<T, CommandError>;

#[derive(Clone, Serialize)]
struct StoresChanged {
    count: usize,
}

fn stores_changed(app: &AppHandle, backend: &Backend) {
    let count = backend
        .dispatch()
        .list_stores(None)
        .map(|s| s.len())
        .unwrap_or(0);
    if let Err(e) = app.emit("stores-changed", StoresChanged { count }) {
        tracing::warn!("could not emit stores-changed: {e}");
    }
}

#[tauri::command]
pub async fn app_status(backend: State<'_, Backend>) -> Reply<AppStatus> {
    off_main(&backend, |d| d.status()).await
}

#[tauri::command]
pub async fn list_stores(
    backend: State<'_, Backend>,
    search: Option<String>,
) -> Reply<Vec<CachedStore>> {
    off_main(&backend, move |d| d.list_stores(search.as_deref())).await
}

#[tauri::command]
pub async fn sync_stores(app: AppHandle, backend: State<'_, Backend>) -> Reply<SyncReport> {
    let report = backend.dispatch().sync_stores().await?;
    stores_changed(&app, &backend);
    Ok(report)
}

/// Applied at once when the API answers; queued in the outbox (and said so) when it does not.
#[tauri::command]
pub async fn create_store(
    app: AppHandle,
    backend: State<'_, Backend>,
    input: StoreInput,
) -> Reply<Written<CachedStore>> {
    let written = backend.dispatch().create_store_or_queue(&input).await?;
    stores_changed(&app, &backend);
    Ok(written)
}

#[tauri::command]
pub async fn update_store(
    app: AppHandle,
    backend: State<'_, Backend>,
    id: String,
    input: StoreInput,
) -> Reply<Written<CachedStore>> {
    let written = backend.dispatch().update_store_or_queue(&id, &input).await;
    // A 404 also removed the row from the cache: the list must refresh either way.
    stores_changed(&app, &backend);
    written
}

#[tauri::command]
pub async fn delete_store(
    app: AppHandle,
    backend: State<'_, Backend>,
    id: String,
) -> Reply<Written<()>> {
    let written = backend.dispatch().delete_store_or_queue(&id).await;
    stores_changed(&app, &backend);
    written
}

/// The outbox, oldest first; no states means every row.
#[tauri::command]
pub async fn outbox_rows(
    backend: State<'_, Backend>,
    states: Vec<OutboxState>,
) -> Reply<Vec<OutboxRow>> {
    off_main(&backend, move |d| d.outbox_rows(&states)).await
}

/// Gives up a failed or conflicting write.
#[tauri::command]
pub async fn discard_write(backend: State<'_, Backend>, client_id: String) -> Reply<()> {
    off_main(&backend, move |d| d.discard_failed(&client_id)).await
}

/// Sends what is queued now (the "send now" button; a timer does it too).
#[tauri::command]
pub async fn replay_outbox(app: AppHandle, backend: State<'_, Backend>) -> Reply<ReplayReport> {
    let report = backend.dispatch().replay_outbox().await?;
    stores_changed(&app, &backend);
    Ok(report)
}

#[tauri::command]
pub async fn list_orders(
    backend: State<'_, Backend>,
    filter: OrderFilter,
) -> Reply<Vec<CachedOrder>> {
    off_main(&backend, move |d| d.list_orders(&filter)).await
}

#[tauri::command]
pub async fn order_counts(
    backend: State<'_, Backend>,
    kind: String,
    window_date: Option<String>,
) -> Reply<Vec<StatusCount>> {
    off_main(&backend, move |d| {
        Ok(d.order_counts(&kind, window_date.as_deref())?
            .into_iter()
            .map(|(status, count)| StatusCount { status, count })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn sync_orders(
    app: AppHandle,
    backend: State<'_, Backend>,
    full: bool,
) -> Reply<OrderSyncReport> {
    let report = backend.dispatch().sync_orders(full).await?;
    if let Err(e) = app.emit("orders-changed", &report) {
        tracing::warn!("could not emit orders-changed: {e}");
    }
    Ok(report)
}

/// Drivers with their latest position and job, from the cache (the live map).
#[tauri::command]
pub async fn list_drivers(backend: State<'_, Backend>) -> Reply<Vec<CachedDriver>> {
    off_main(&backend, |d| d.list_drivers()).await
}

/// The drivers among `ids` (those a `cache-changed` named), from the cache: the live map
/// re-reads what moved, not the fleet.
#[tauri::command]
pub async fn drivers_by_ids(
    backend: State<'_, Backend>,
    ids: Vec<u64>,
) -> Reply<Vec<CachedDriver>> {
    off_main(&backend, move |d| d.drivers_by_ids(&ids)).await
}

/// A driver's recent positions, oldest first (bounded), from the cache.
#[tauri::command]
pub async fn driver_trail(backend: State<'_, Backend>, id: u64) -> Reply<Vec<TrailPoint>> {
    off_main(&backend, move |d| d.driver_trail(id)).await
}

/// The DIAq time zones as last read (the calendar's columns).
#[tauri::command]
pub async fn list_time_zones(backend: State<'_, Backend>) -> Reply<Vec<TimeZone>> {
    off_main(&backend, |d| d.list_time_zones()).await
}

/// A store's 14 days × 18 hourly slots from `start_date` (`YYYY-MM-DD`, Japan time), from the
/// cache: sold out, held, booked, extra-charge, past.
#[tauri::command]
pub async fn slot_grid(
    backend: State<'_, Backend>,
    store_id: String,
    start_date: String,
) -> Reply<SlotGrid> {
    let date = chrono::NaiveDate::parse_from_str(&start_date, "%Y-%m-%d").map_err(|_| {
        CommandError::bad_field(
            "start_date",
            format!("start_date: must be YYYY-MM-DD, got {start_date:?}"),
        )
    })?;
    off_main(&backend, move |d| d.slot_grid(&store_id, date)).await
}
