//! `#[tauri::command]` adapters of the board's reads: the order list, the board, the late
//! counts, one order's detail. Cache only; they emit nothing. No logic lives here.
//! Each runs its cache work off the main thread (`off_main`).

use hakobu_dispatch::{
    Board, BoardQuery, CommandError, LateSummary, OrderDetail, OrderKind, OrderPage, OrderQuery,
    OrderRef,
};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use tauri::State;

use crate::backend::Backend;
use crate::off_main::off_main;

type Reply<T> = Result<T, CommandError>;

/// A page of the order list and the filter's exact total.
#[tauri::command]
pub async fn order_page(backend: State<'_, Backend>, query: OrderQuery) -> Reply<OrderPage> {
    off_main(&backend, move |d| d.order_page(&query)).await
}

/// Every (kind, id) the filter holds, at most 100,000: select-all and export.
#[tauri::command]
pub async fn order_keys(backend: State<'_, Backend>, query: OrderQuery) -> Reply<Vec<OrderRef>> {
    off_main(&backend, move |d| d.order_keys(&query)).await
}

/// Ten status columns with exact counts and their first cards.
#[tauri::command]
pub async fn board(backend: State<'_, Backend>, query: BoardQuery) -> Reply<Board> {
    let asked = Instant::now();
    off_main(&backend, move |d| {
        let began = Instant::now();
        let answer = d.board(&query);
        log_board_read(asked, began);
        answer
    })
    .await
}

/// Board reads logged at info: the start's first few, which the start benchmark reads back
/// (tests/e2e/bench/start-bench.js: how much of the start is the query, and whether it ran
/// twice). Later ones — each minute, each change — only at debug.
const LOGGED_BOARD_READS: u32 = 3;
static BOARD_READS: AtomicU32 = AtomicU32::new(0);

fn log_board_read(asked: Instant, began: Instant) {
    let n = BOARD_READS.fetch_add(1, Ordering::Relaxed) + 1;
    let query_ms = began.elapsed().as_secs_f64() * 1000.0;
    let waited_ms = began.duration_since(asked).as_secs_f64() * 1000.0;
    if n <= LOGGED_BOARD_READS {
        tracing::info!(
            "board read {n}: query {query_ms:.1} ms, after {waited_ms:.1} ms waiting for the pool"
        );
    } else {
        tracing::debug!(
            "board read {n}: query {query_ms:.1} ms, after {waited_ms:.1} ms waiting for the pool"
        );
    }
}

/// Every column's count for `query`, without cards (the list's status chips).
#[tauri::command]
pub async fn board_counts(backend: State<'_, Backend>, query: BoardQuery) -> Reply<Board> {
    off_main(&backend, move |d| d.board_counts(&query)).await
}

/// At risk and late over every cached order now (the header).
#[tauri::command]
pub async fn late_summary(backend: State<'_, Backend>) -> Reply<LateSummary> {
    off_main(&backend, |d| d.late_summary()).await
}

/// One delivery or fetch in full (or a queued create, `outbox:<client_id>`).
#[tauri::command]
pub async fn order_detail(
    backend: State<'_, Backend>,
    kind: OrderKind,
    id: String,
) -> Reply<OrderDetail> {
    off_main(&backend, move |d| d.order_detail(kind, &id)).await
}
