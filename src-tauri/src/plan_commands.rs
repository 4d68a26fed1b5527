//! `#[tauri::command]` adapters of the fleet and planning: the drivers table, starting and
//! cancelling a plan, reading plans back. A running plan's progress, previews and end go down
//! the starting call's channel (its end also to every page as `plan-finished`); a fleet change
//! goes out as `fleet-changed`.
//! No logic lives here.

use std::sync::Arc;

use hakobu_dispatch::{
    CommandError, DriverInput, FleetDriver, OutsourceItem, OutsourceReport, Plan, PlanEdit,
    PlanEvent, PlanJobProgress, PlanListener, PlanRequest, PlanRunning, PlanSent, PlanStarted,
    PlanSummary,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::backend::Backend;
use crate::off_main::off_main;
use crate::page_loads::PageLoads;

type Reply<T> = Result<T, CommandError>;

/// Every driver of the fleet, by name.
#[tauri::command]
pub async fn list_fleet(backend: State<'_, Backend>) -> Reply<Vec<FleetDriver>> {
    off_main(&backend, |d| d.list_fleet()).await
}

/// Tells every window the fleet changed, whoever changed it (the fleet panel, another window,
/// a script through IPC): the 計画 view re-reads its table and its tab's count.
fn fleet_changed(app: &AppHandle) {
    if let Err(e) = app.emit("fleet-changed", ()) {
        tracing::warn!("could not emit fleet-changed: {e}");
    }
}

/// Adds a driver or replaces the one with the same login; refusals name their field.
#[tauri::command]
pub async fn save_driver(
    app: AppHandle,
    backend: State<'_, Backend>,
    driver: DriverInput,
) -> Reply<FleetDriver> {
    let saved = off_main(&backend, move |d| d.save_driver(&driver)).await?;
    fleet_changed(&app);
    Ok(saved)
}

#[tauri::command]
pub async fn delete_driver(
    app: AppHandle,
    backend: State<'_, Backend>,
    email: String,
) -> Reply<()> {
    off_main(&backend, move |d| d.delete_driver(&email)).await?;
    fleet_changed(&app);
    Ok(())
}

/// Sends a solve's progress, provisional plans and end down the caller's channel, not as global
/// events: a preview is a whole plan (over 100 KB for 300 stops, several a second for 2,000),
/// and an event reaches the page as a script with the payload in its source, which WebKit's web
/// process keeps memory for (see change_channel.rs); a channel hands a payload over 8 KB to the
/// page as the answer of a fetch. The end also goes to every page as `plan-finished` (small,
/// once per version): a page reloaded while the solve ran has lost the channel and still shows
/// the plan when it ends. Nothing more goes down the channel once its page is gone (see
/// page_loads.rs): a preview sent to a reloaded page would be kept for the window's lifetime.
fn to_caller(app: AppHandle, on_event: Channel<PlanEvent>) -> PlanListener {
    let to_page = to_page(app.clone(), on_event);
    Arc::new(move |event: PlanEvent| {
        if let PlanEvent::Finished(f) = &event
            && let Err(e) = app.emit("plan-finished", f)
        {
            tracing::warn!("could not emit plan-finished: {e}");
        }
        to_page(event);
    })
}

/// Down `on_event` while the page that gave it is the window's page; nothing after a reload.
fn to_page(app: AppHandle, on_event: Channel<PlanEvent>) -> PlanListener {
    let page = app.state::<PageLoads>().current();
    Arc::new(move |event: PlanEvent| {
        if app.state::<PageLoads>().current() != page {
            return;
        }
        // A page that went away misses only this solve's progress: the plan is saved, and
        // the solve goes on for its other listeners.
        if let Err(e) = on_event.send(event) {
            tracing::warn!("could not send a plan event: {e}");
        }
    })
}

/// Starts solving; returns the plan id and version at once. Its progress, previews and end
/// follow down `on_event`.
#[tauri::command]
pub async fn plan_batch(
    app: AppHandle,
    backend: State<'_, Backend>,
    request: PlanRequest,
    on_event: Channel<PlanEvent>,
) -> Reply<PlanStarted> {
    backend
        .dispatch()
        .plan_batch(request, to_caller(app, on_event))
        .await
}

/// Re-optimises the plan's current version around its locked routes and fixed stops; like
/// `plan_batch`, returns at once and its events follow down `on_event`.
#[tauri::command]
pub async fn reoptimise_plan(
    app: AppHandle,
    backend: State<'_, Backend>,
    plan_id: String,
    time_limit_s: Option<u32>,
    on_event: Channel<PlanEvent>,
) -> Reply<PlanStarted> {
    backend
        .dispatch()
        .reoptimise_plan(&plan_id, time_limit_s, to_caller(app, on_event))
        .await
}

/// The solve running now, if any, with `on_event` joined to it: its latest figures in the
/// answer, its further progress, previews and end down the channel. A page reloaded mid-solve
/// (or the 計画 view opened again) shows the bar and 中止 again with it. Off the main thread:
/// joining waits for the running-set lock, which a solve's start or end holds while it writes
/// its version to the cache.
#[tauri::command]
pub async fn follow_plan(
    app: AppHandle,
    backend: State<'_, Backend>,
    on_event: Channel<PlanEvent>,
) -> Reply<Option<PlanRunning>> {
    let listener = to_page(app, on_event);
    off_main(&backend, move |d| Ok(d.follow_plan(listener))).await
}

/// Moves, locks, fixes, undoes or redoes; answers the new version with its evaluation. A
/// move that breaks a rule is refused (`bad_request`, field `edit`, the reason).
#[tauri::command]
pub async fn plan_edit(
    backend: State<'_, Backend>,
    plan_id: String,
    edit: PlanEdit,
) -> Reply<Plan> {
    backend.dispatch().plan_edit(&plan_id, edit).await
}

/// Stops the plan's running solve; it ends as `cancelled` with the best plan so far. Whether
/// one was running. Off the main thread, as [`follow_plan`].
#[tauri::command]
pub async fn cancel_plan(backend: State<'_, Backend>, plan_id: String) -> Reply<bool> {
    off_main(&backend, move |d| Ok(d.cancel_plan(&plan_id))).await
}

/// One version of a plan (the latest without `version`).
#[tauri::command]
pub async fn get_plan(
    backend: State<'_, Backend>,
    plan_id: String,
    version: Option<u32>,
) -> Reply<Plan> {
    off_main(&backend, move |d| d.get_plan(&plan_id, version)).await
}

/// Every version of every plan, newest first, without routes.
#[tauri::command]
pub async fn list_plans(backend: State<'_, Backend>) -> Reply<Vec<PlanSummary>> {
    off_main(&backend, |d| d.list_plans()).await
}

/// Sends each route of the plan's current version to its driver through RouteMate; one row
/// per route (sent, or why not). Sending again makes no second job.
#[tauri::command]
pub async fn send_plan(backend: State<'_, Backend>, plan_id: String) -> Reply<PlanSent> {
    backend.dispatch().send_plan(&plan_id).await
}

/// The RouteMate jobs of the plan's routes: status and stop counts, read again when
/// RouteMate answers.
#[tauri::command]
pub async fn plan_job_progress(
    backend: State<'_, Backend>,
    plan_id: String,
) -> Reply<PlanJobProgress> {
    backend.dispatch().plan_job_progress(&plan_id).await
}

/// Hands the stops to DIAq (a fitting window, then a delivery through the outbox); one item
/// per stop. Each item also goes down `on_item` as it is settled, to this caller only (a
/// per-call channel, not a global event: another window's hand-over is not ours to show).
/// Repeating it creates nothing twice.
#[tauri::command]
pub async fn outsource_stops(
    backend: State<'_, Backend>,
    plan_id: String,
    stop_ids: Vec<String>,
    on_item: Channel<OutsourceItem>,
) -> Reply<OutsourceReport> {
    let each = move |item: &OutsourceItem| {
        // The report still carries every item: a window that went away misses only progress.
        if let Err(e) = on_item.send(item.clone()) {
            tracing::warn!("could not send an outsource item: {e}");
        }
    };
    backend
        .dispatch()
        .outsource_stops(&plan_id, &stop_ids, &each)
        .await
}
