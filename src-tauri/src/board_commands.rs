//! `#[tauri::command]` adapters of the board's reads: the order list, the board, the late
//! counts, one order's detail. Cache only; they emit nothing. No logic lives here.

use hakobu_dispatch::{
    Board, BoardQuery, CommandError, LateSummary, OrderDetail, OrderKind, OrderPage, OrderQuery,
    OrderRef,
};
use tauri::State;

use crate::backend::Backend;

type Reply<T> = Result<T, CommandError>;

/// A page of the order list and the filter's exact total.
#[tauri::command]
pub fn order_page(backend: State<'_, Backend>, query: OrderQuery) -> Reply<OrderPage> {
    backend.dispatch.order_page(&query)
}

/// Every (kind, id) the filter holds, at most 100,000: select-all and export.
#[tauri::command]
pub fn order_keys(backend: State<'_, Backend>, query: OrderQuery) -> Reply<Vec<OrderRef>> {
    backend.dispatch.order_keys(&query)
}

/// Ten status columns with exact counts and their first cards.
#[tauri::command]
pub fn board(backend: State<'_, Backend>, query: BoardQuery) -> Reply<Board> {
    backend.dispatch.board(&query)
}

/// Every column's count for `query`, without cards (the list's status chips).
#[tauri::command]
pub fn board_counts(backend: State<'_, Backend>, query: BoardQuery) -> Reply<Board> {
    backend.dispatch.board_counts(&query)
}

/// At risk and late over every cached order now (the header).
#[tauri::command]
pub fn late_summary(backend: State<'_, Backend>) -> Reply<LateSummary> {
    backend.dispatch.late_summary()
}

/// One delivery or fetch in full (or a queued create, `outbox:<client_id>`).
#[tauri::command]
pub fn order_detail(
    backend: State<'_, Backend>,
    kind: OrderKind,
    id: String,
) -> Reply<OrderDetail> {
    backend.dispatch.order_detail(kind, &id)
}
