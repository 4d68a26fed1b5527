//! `#[tauri::command]` adapters: unpack arguments, call hakobu-dispatch, tell the UI what
//! changed. No logic lives here.

use hakobu_cache::{CachedOrder, CachedStore, OrderFilter};
use hakobu_diaq::StoreInput;
use hakobu_dispatch::{AppStatus, CommandError, OrderSyncReport, SyncReport};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::backend::Backend;

type Reply<T> = Result<T, CommandError>;

#[derive(Clone, Serialize)]
struct StoresChanged {
    count: usize,
}

fn stores_changed(app: &AppHandle, backend: &Backend) {
    let count = backend
        .dispatch
        .list_stores(None)
        .map(|s| s.len())
        .unwrap_or(0);
    if let Err(e) = app.emit("stores-changed", StoresChanged { count }) {
        tracing::warn!("could not emit stores-changed: {e}");
    }
}

#[tauri::command]
pub fn app_status(backend: State<'_, Backend>) -> Reply<AppStatus> {
    backend.dispatch.status()
}

#[tauri::command]
pub fn list_stores(backend: State<'_, Backend>, search: Option<String>) -> Reply<Vec<CachedStore>> {
    backend.dispatch.list_stores(search.as_deref())
}

#[tauri::command]
pub async fn sync_stores(app: AppHandle, backend: State<'_, Backend>) -> Reply<SyncReport> {
    let report = backend.dispatch.sync_stores().await?;
    stores_changed(&app, &backend);
    Ok(report)
}

#[tauri::command]
pub async fn create_store(
    app: AppHandle,
    backend: State<'_, Backend>,
    input: StoreInput,
) -> Reply<CachedStore> {
    let store = backend.dispatch.create_store(&input).await?;
    stores_changed(&app, &backend);
    Ok(store)
}

#[tauri::command]
pub async fn update_store(
    app: AppHandle,
    backend: State<'_, Backend>,
    id: String,
    input: StoreInput,
) -> Reply<CachedStore> {
    let store = backend.dispatch.update_store(&id, &input).await?;
    stores_changed(&app, &backend);
    Ok(store)
}

#[tauri::command]
pub async fn delete_store(app: AppHandle, backend: State<'_, Backend>, id: String) -> Reply<()> {
    let result = backend.dispatch.delete_store(&id).await;
    // A 404 also removed the row from the cache: the list must refresh either way.
    stores_changed(&app, &backend);
    result
}

#[tauri::command]
pub fn list_orders(backend: State<'_, Backend>, filter: OrderFilter) -> Reply<Vec<CachedOrder>> {
    backend.dispatch.list_orders(&filter)
}

#[derive(Serialize)]
pub struct StatusCount {
    status: String,
    count: u64,
}

#[tauri::command]
pub fn order_counts(
    backend: State<'_, Backend>,
    kind: String,
    window_date: Option<String>,
) -> Reply<Vec<StatusCount>> {
    Ok(backend
        .dispatch
        .order_counts(&kind, window_date.as_deref())?
        .into_iter()
        .map(|(status, count)| StatusCount { status, count })
        .collect())
}

#[tauri::command]
pub async fn sync_orders(
    app: AppHandle,
    backend: State<'_, Backend>,
    full: bool,
) -> Reply<OrderSyncReport> {
    let report = backend.dispatch.sync_orders(full).await?;
    if let Err(e) = app.emit("orders-changed", &report) {
        tracing::warn!("could not emit orders-changed: {e}");
    }
    Ok(report)
}
