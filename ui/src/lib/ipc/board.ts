// The board, the order list and the order detail (docs/ipc.md "Board"). Cache reads only.
import { call } from './call';

// The types are Rust's (generated.ts): OrderRow and OrderDetail are view models, never cache
// rows or API bodies.
export type {
  Board,
  BoardColumn,
  BoardQuery,
  LateFilter,
  LateLevel,
  LateReason,
  LateRisk,
  LateSummary,
  OrderDetail,
  OrderPage,
  OrderQuery,
  OrderRow,
  OrderSort,
  OrderSortKey as SortKey,
  QueuedWrite,
  StatusChange as HistoryEntry,
  CancelOutcome,
  OrderRef as OrderKey,
} from './generated';
import type {
  Board,
  BoardQuery,
  CancelOutcome,
  LateSummary,
  OrderDetail,
  OrderKind,
  OrderPage,
  OrderQuery,
  OrderRef,
} from './generated';

export const PAGE_LIMIT = 1000;

export function orderPage(query: OrderQuery): Promise<OrderPage> {
  return call<OrderPage>('order_page', { query });
}

export function orderKeys(query: OrderQuery): Promise<OrderRef[]> {
  return call<OrderRef[]>('order_keys', { query });
}

export function board(query: BoardQuery): Promise<Board> {
  return call<Board>('board', { query });
}

/** Every column's count, no cards: the list's status chips. */
export function boardCounts(query: BoardQuery): Promise<Board> {
  return call<Board>('board_counts', { query });
}

export function lateSummary(): Promise<LateSummary> {
  return call<LateSummary>('late_summary');
}

export function orderDetail(kind: OrderKind, id: string): Promise<OrderDetail> {
  return call<OrderDetail>('order_detail', { kind, id });
}

// ---- Writes from the board (cancel, edit) and the export ----

export function cancelOrders(orders: OrderRef[]): Promise<CancelOutcome[]> {
  return call<CancelOutcome[]>('cancel_orders', { orders });
}

export function updateOrder(kind: OrderKind, id: string, body: Record<string, unknown>): Promise<unknown> {
  return call<unknown>('update_order', { kind, id, body });
}

/** Writes `contents` into the export folder; answers the file's full path. */
export function saveExport(fileName: string, contents: string): Promise<string> {
  return call<string>('save_export', { fileName, contents });
}
