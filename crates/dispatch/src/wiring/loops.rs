//! The background work of one wiring: refreshing orders and RouteMate jobs and sending queued
//! writes on a timer, and handing the cache's changes on to whoever shows them (the window).
//! Each runs as a task the wiring aborts when it is replaced, so no loop of an old account
//! keeps syncing after a switch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::intake_timing::Stage;
use crate::{
    CHANGE_BATCH, Changes, Dispatch, ErrorCode, OrderSyncReport, ReplayReport, RouteMateRefresh,
    next_batch,
};

/// How often old history is pruned (in ticks of the loop, at least every tick).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// What the loops tell the window (each is one event there).
#[derive(Debug)]
pub enum Notice<'a> {
    /// `cache-changed`: webhooks applied, syncs that found something.
    CacheChanged(&'a Changes),
    /// `outbox-changed`: a replay settled writes.
    OutboxChanged(&'a ReplayReport),
    /// `orders-changed`: the first sync, and later ones that found something.
    OrdersChanged(&'a OrderSyncReport),
    /// `routemate-jobs-changed`: sent jobs moved.
    RouteMateJobsChanged(&'a RouteMateRefresh),
    /// `fleet-changed` (no payload, as when a driver is saved): the demo fleet was seeded.
    FleetChanged,
    /// `online-changed` (payload: whether the API answers): it stopped answering, or answers
    /// again. Without it the status bar and the map said "online" until something else made
    /// the window ask.
    OnlineChanged(bool),
}

impl Notice<'_> {
    /// The event's name in the window.
    pub fn event(&self) -> &'static str {
        match self {
            Notice::CacheChanged(_) => "cache-changed",
            Notice::OutboxChanged(_) => "outbox-changed",
            Notice::OrdersChanged(_) => "orders-changed",
            Notice::RouteMateJobsChanged(_) => "routemate-jobs-changed",
            Notice::FleetChanged => "fleet-changed",
            Notice::OnlineChanged(_) => "online-changed",
        }
    }
}

/// Where notices go: the app emits them to the window; tests count them.
pub type Notify = Arc<dyn Fn(Notice<'_>) + Send + Sync>;

/// Every change written to the cache reaches `notify`, batched: a flood of driver moves is one
/// notice per 50 ms, not one per move.
pub(super) fn forward_changes(dispatch: &Arc<Dispatch>, notify: Notify) -> JoinHandle<()> {
    let mut changes = dispatch.subscribe_changes();
    let dispatch = dispatch.clone();
    tokio::spawn(async move {
        while let Some(batch) = next_batch(&mut changes, CHANGE_BATCH).await {
            let emitting = Instant::now();
            notify(Notice::CacheChanged(&batch));
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
    })
}

/// Whether the API answers reaches `notify` once as the loops start (the wiring's first
/// requests, the RouteMate link and the webhook's registration, came before), then at each
/// flip: a request that got no answer, or the first that did again.
pub(super) fn forward_online(dispatch: &Arc<Dispatch>, notify: Notify) -> JoinHandle<()> {
    let mut online = dispatch.watch_online();
    online.mark_changed();
    tokio::spawn(async move {
        while online.changed().await.is_ok() {
            let now = *online.borrow_and_update();
            notify(Notice::OnlineChanged(now));
        }
    })
}

/// Refreshes recent orders and RouteMate jobs and sends queued writes every `every`; failures
/// only mark the app offline (the status bar shows it) and are retried on the next tick.
pub(super) fn keep_orders_fresh(
    dispatch: Arc<Dispatch>,
    notify: Notify,
    every: Duration,
) -> JoinHandle<()> {
    let prune_every = (PRUNE_EVERY.as_millis() / every.as_millis().max(1)).max(1) as u64;
    tokio::spawn(async move {
        // The first sync geocodes each order, and the gazetteer may still be loading: wait
        // for it on the blocking pool, so that meanwhile this task does not hold one of the
        // runtime's threads (the window's first reads need them).
        let geo = dispatch.shared_gazetteer();
        if !geo.is_settled() {
            let _ = tokio::task::spawn_blocking(move || geo.get()).await;
        }
        let mut first = true;
        let mut ticks: u64 = 0;
        loop {
            // Acked writes and webhook bodies past their age: at start, then hourly.
            if ticks.is_multiple_of(prune_every) {
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
                    notify(Notice::OutboxChanged(&report));
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
                    if first || !report.changed.is_empty() {
                        notify(Notice::OrdersChanged(&report));
                    }
                    first = false;
                }
                Err(e) => tracing::info!("order sync: {e}"),
            }
            // Jobs sent to RouteMate: their stop counts move as drivers work.
            match dispatch.refresh_routemate_jobs().await {
                Ok(r) if !r.changed.is_empty() || !r.gone.is_empty() => {
                    notify(Notice::RouteMateJobsChanged(&r));
                }
                Ok(_) => {}
                Err(e) if e.code == ErrorCode::Config => {}
                Err(e) => tracing::info!("RouteMate refresh: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
