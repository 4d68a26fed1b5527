//! `#[tauri::command]` adapters of the fleet and planning: the drivers table, starting and
//! cancelling a plan, reading plans back. A running plan's progress reaches the window as
//! `plan-progress` events and its end as `plan-finished`; a fleet change as `fleet-changed`.
//! No logic lives here.

use std::sync::Arc;

use hakobu_dispatch::{
    CommandError, DriverInput, FleetDriver, OutsourceItem, OutsourceReport, Plan, PlanEdit,
    PlanEvent, PlanJobProgress, PlanListener, PlanRequest, PlanSent, PlanStarted, PlanSummary,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Emitter, State};

use crate::backend::Backend;
use crate::off_main::off_main;

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

/// Sends a solve's progress, provisional plans and end to the window as `plan-progress`,
/// `plan-preview` and `plan-finished`.
fn to_window(app: AppHandle) -> PlanListener {
    Arc::new(move |event: PlanEvent| {
        let sent = match &event {
            PlanEvent::Progress(p) => app.emit("plan-progress", p),
            PlanEvent::Preview(plan) => app.emit("plan-preview", plan),
            PlanEvent::Finished(f) => app.emit("plan-finished", f),
        };
        if let Err(e) = sent {
            tracing::warn!("could not emit a plan event: {e}");
        }
    })
}

/// Starts solving; returns the plan id and version at once. Events follow.
#[tauri::command]
pub async fn plan_batch(
    app: AppHandle,
    backend: State<'_, Backend>,
    request: PlanRequest,
) -> Reply<PlanStarted> {
    backend.dispatch().plan_batch(request, to_window(app)).await
}

/// Re-optimises the plan's current version around its locked routes and fixed stops; like
/// `plan_batch`, returns at once and events follow.
#[tauri::command]
pub async fn reoptimise_plan(
    app: AppHandle,
    backend: State<'_, Backend>,
    plan_id: String,
    time_limit_s: Option<u32>,
) -> Reply<PlanStarted> {
    backend
        .dispatch()
        .reoptimise_plan(&plan_id, time_limit_s, to_window(app))
        .await
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
/// one was running.
#[tauri::command]
pub fn cancel_plan(backend: State<'_, Backend>, plan_id: String) -> bool {
    backend.dispatch().cancel_plan(&plan_id)
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
