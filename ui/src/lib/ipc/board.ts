// The board, the order list and the order detail (docs/ipc.md "Board"). Cache reads only.
import { call } from './call';
import type { OrderKind, OrderStatus } from './index';

export type LateLevel = 'none' | 'at_risk' | 'late';
export type LateReason = 'not_assigned' | 'not_picked_up' | 'not_delivered';

export interface LateRisk {
  level: LateLevel;
  reason: LateReason | null;
  /** late: minutes past the window's end; at risk: minutes left until it */
  minutes: number | null;
}

export interface QueuedWrite {
  client_id: string;
  write_kind: string;
  state: 'pending' | 'in_flight' | 'failed' | 'conflict' | 'acked';
  last_error: string | null;
}

/** One order as the board and the list show it (no raw API body). */
export interface OrderRow {
  id: string;
  kind: OrderKind;
  store_id: string;
  store_name: string;
  status: OrderStatus;
  tracking_code: string;
  customer_name: string;
  customer_phone: string;
  customer_address: string;
  window_starts_at: string | null;
  window_ends_at: string;
  window_date: string;
  driver_id: number | null;
  driver_name: string | null;
  late: LateRisk;
  /** what a cancel turns it into (the document's cancel table); null: not cancellable */
  cancel_to: OrderStatus | null;
  queued: QueuedWrite | null;
}

export type LateFilter = 'any' | 'at_risk_or_late' | 'late';
export type SortKey = 'window' | 'tracking_code' | 'customer' | 'store' | 'status';

export interface OrderQuery {
  kind: OrderKind | null;
  statuses: OrderStatus[];
  store_id: string | null;
  window_date: string | null;
  window_hour: number | null;
  search: string | null;
  late: LateFilter;
  sort: { key: SortKey; descending: boolean };
  offset: number;
  limit: number;
}

export interface OrderPage {
  total: number;
  offset: number;
  rows: OrderRow[];
}

export interface OrderKey {
  kind: OrderKind;
  id: string;
}

export interface BoardQuery {
  kind: OrderKind | null;
  store_id: string | null;
  window_date: string | null;
  window_hour: number | null;
  search: string | null;
  late: LateFilter;
}

export interface BoardColumn {
  status: OrderStatus;
  count: number;
  cards: OrderRow[];
}

export interface LateSummary {
  at_risk: number;
  late: number;
}

export interface Board {
  columns: BoardColumn[];
  total: number;
  late: LateSummary;
}

export interface HistoryEntry {
  status: OrderStatus;
  at: string;
  source: 'webhook' | 'sync' | 'write';
}

export interface OrderDetail {
  row: OrderRow;
  ready_by: string | null;
  deliver_by: string | null;
  delivered_at: string | null;
  store: { id: string; name: string; phone: string | null };
  customer: {
    name: string;
    phone: string | null;
    email: string | null;
    zipcode: string | null;
    prefecture: string | null;
    line_1: string | null;
    line_2: string | null;
  };
  packages: {
    service_brand: string | null;
    order_reference: string | null;
    name: string | null;
    boxes: number | null;
    number: number | null;
    price: string | null;
    height: number | null;
    width: number | null;
    depth: number | null;
    weight: number | null;
    attention: string | null;
  }[];
  distance: number | null;
  etc_price: string | null;
  etc_price_reason: string | null;
  comments: { pickup: string | null; destination: string | null; pickup_driver: string | null; destination_driver: string | null };
  driver: { id: number; name: string; phone: string | null; vehicle_type: string | null; lat: number | null; lng: number | null; located_at: string | null } | null;
  exception: { code: number | null; description: string | null; comment: string | null } | null;
  history: HistoryEntry[];
  editable: boolean;
  edit_lock: string | null;
  editable_fields: string[];
}

export const PAGE_LIMIT = 1000;

export function orderPage(query: OrderQuery): Promise<OrderPage> {
  return call<OrderPage>('order_page', { query });
}

export function orderKeys(query: OrderQuery): Promise<OrderKey[]> {
  return call<OrderKey[]>('order_keys', { query });
}

export function board(query: BoardQuery): Promise<Board> {
  return call<Board>('board', { query });
}

export function lateSummary(): Promise<LateSummary> {
  return call<LateSummary>('late_summary');
}

export function orderDetail(kind: OrderKind, id: string): Promise<OrderDetail> {
  return call<OrderDetail>('order_detail', { kind, id });
}

// ---- Writes from the board (cancel, edit) and the export ----

export interface CancelOutcome {
  kind: OrderKind;
  id: string;
  tracking_code: string;
  result: 'sent' | 'queued' | 'refused';
  status: OrderStatus | null;
  message: string | null;
}

export function cancelOrders(orders: OrderKey[]): Promise<CancelOutcome[]> {
  return call<CancelOutcome[]>('cancel_orders', { orders });
}

export function updateOrder(kind: OrderKind, id: string, body: Record<string, unknown>): Promise<unknown> {
  return call<unknown>('update_order', { kind, id, body });
}

/** Writes `contents` into the export folder; answers the file's full path. */
export function saveExport(fileName: string, contents: string): Promise<string> {
  return call<string>('save_export', { fileName, contents });
}
