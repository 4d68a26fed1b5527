// The one door between the UI and the Rust backend (docs/ipc.md).
// Components never import @tauri-apps/api themselves: they call the typed functions below.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type StoreType = 'standalone_store' | 'in_mall_store' | 'consolidation_store';
export type PickupProof = 'barcode' | 'signature' | 'selfcheck';

export const STORE_TYPES: readonly StoreType[] = [
  'standalone_store',
  'in_mall_store',
  'consolidation_store',
];
export const PICKUP_PROOFS: readonly PickupProof[] = ['barcode', 'signature', 'selfcheck'];

/** Exactly the DIAq Store object (seed document field names). */
/** How precisely hakobu-geo placed an address: chome and town are the address's own block;
 * city and prefecture are only the area's centre. */
export type GeoLevel = 'chome' | 'town' | 'city' | 'prefecture';

/** Whether a located point is only an area's centre. */
export function isApproximate(level: GeoLevel): boolean {
  return level === 'city' || level === 'prefecture';
}

export interface Store {
  id: string;
  id_alias: string;
  store_name: string;
  store_address_zipcode: string;
  store_address_prefecture: string;
  store_address_line_1: string;
  store_address_line_2: string;
  store_phone: string;
  store_type: StoreType;
  offers_delivery: boolean;
  offers_fetches: boolean;
  pickup_proof: PickupProof;
  delivery_proof: 'signature';
  opening_time: string | null;
  closing_time: string | null;
}

export interface StoreLocation {
  lat: number;
  lng: number;
  level: GeoLevel;
}

/** A store as the cache holds it. */
export interface CachedStore extends Store {
  location: StoreLocation | null;
  /** RFC 3339, when this row was last read from the API. */
  fetched_at: string;
}

/** What the store form sends (POST and PUT take the same shape; null/omitted = not set). */
export interface StoreInput {
  id_alias?: string | null;
  store_name?: string | null;
  store_address_zipcode?: string | null;
  store_address_prefecture?: string | null;
  store_address_line_1?: string | null;
  store_address_line_2?: string | null;
  store_phone?: string | null;
  store_type?: StoreType | null;
  pickup_proof?: PickupProof | null;
  opening_time?: string | null;
  closing_time?: string | null;
}

export type StoreField = keyof StoreInput;

/** Every StoreInput field, in form order. */
export const STORE_FIELDS: readonly StoreField[] = [
  'id_alias',
  'store_name',
  'store_address_zipcode',
  'store_address_prefecture',
  'store_address_line_1',
  'store_address_line_2',
  'store_phone',
  'store_type',
  'pickup_proof',
  'opening_time',
  'closing_time',
];

export interface AppStatus {
  /** sandbox = embedded DIAq server on loopback */
  mode: 'sandbox' | 'remote';
  api_base_url: string;
  /** did the last API call get an answer */
  online: boolean;
  /** RFC 3339 of the last successful sync */
  last_sync: string | null;
  /** writes in the outbox not yet answered (pending or in flight) */
  pending_writes: number;
  /** writes the API refused (failed or conflicting), to fix or discard */
  refused_writes: number;
  /** writes made for another account (別アカウントの未送信): held, sent nowhere */
  held_writes: number;
}

export interface SyncResult {
  count: number;
  synced_at: string;
}

export interface StoresChangedPayload {
  count: number;
}

export * from './call';
import { call, normaliseError, type CommandError, type CommandErrorCode } from './call';

export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>('app_status');
}

/** Cache only. `search` matches name, alias, zipcode, address, phone; null lists everything. */
export function listStores(search: string | null): Promise<CachedStore[]> {
  return call<CachedStore[]>('list_stores', { search });
}

/** Pulls every page from the API into the cache. */
export function syncStores(): Promise<SyncResult> {
  return call<SyncResult>('sync_stores');
}

/**
 * What became of a write: applied by the API (`value` is its answer, as cached), or queued in
 * the outbox because the API did not answer (`reason`); a queued write is sent by itself when
 * the API is back. A refusal (400) rejects the promise instead and leaves nothing queued.
 */
export type Written<T> =
  | { state: 'applied'; client_id: string; value: T }
  | { state: 'queued'; client_id: string; reason: CommandError };

export function createStore(input: StoreInput): Promise<Written<CachedStore>> {
  return call<Written<CachedStore>>('create_store', { input });
}

export function updateStore(id: string, input: StoreInput): Promise<Written<CachedStore>> {
  return call<Written<CachedStore>>('update_store', { id, input });
}

export function deleteStore(id: string): Promise<Written<null>> {
  return call<Written<null>>('delete_store', { id });
}

/** `stores-changed`: after a sync or a write changed the cached stores. */
export async function onStoresChanged(
  handler: (payload: StoresChangedPayload) => void,
): Promise<UnlistenFn> {
  try {
    return await listen<StoresChangedPayload>('stores-changed', (event) => handler(event.payload));
  } catch (error) {
    throw normaliseError(error);
  }
}

// ---- Deliveries and fetches ("orders") ----

export type OrderKind = 'delivery' | 'fetch';

export type OrderStatus =
  | 'created'
  | 'assigned'
  | 'collecting'
  | 'arrived_origin'
  | 'delivering'
  | 'arrived_goal'
  | 'delivered'
  | 'canceled'
  | 'returning'
  | 'returned'
  /** A status the DIAq document does not list, kept and shown as such (not a filter). */
  | 'unknown';

/** Every status, in lifecycle order (the DIAq numeric codes 0–9). */
export const ORDER_STATUSES: readonly OrderStatus[] = [
  'created',
  'assigned',
  'collecting',
  'arrived_origin',
  'delivering',
  'arrived_goal',
  'delivered',
  'canceled',
  'returning',
  'returned',
];

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** A package as the DIAq delivery/fetch object carries it (`price` in yen, as a string). */
export interface OrderPackage {
  service_brand?: string;
  order_reference?: string;
  name?: string;
  boxes?: number;
  number?: number;
  price?: string | null;
  height?: number;
  width?: number;
  depth?: number;
  weight?: number;
  attention?: string;
}

export interface OrderCustomer {
  address_zipcode?: string;
  address_prefecture?: string;
  address_line_1?: string;
  address_line_2?: string;
  last_name?: string | null;
  first_name?: string | null;
  business_name?: string | null;
  phone?: string | null;
  email?: string | null;
}

export interface OrderDriver {
  id?: number | null;
  name?: string;
  phone?: string | null;
  vehicle_type?: string | null;
}

export interface OrderException {
  code?: number;
  description?: string;
  exception_comment?: string;
}

export interface OrderWindow {
  id?: string;
  starts_at?: string | null;
  ends_at?: string;
}

/**
 * The whole DIAq delivery/fetch object, as the cache keeps it. Read defensively: every field is
 * optional here because the UI only shows what is there.
 */
export interface OrderBody {
  id?: string;
  object?: string;
  tracking_code?: string;
  status?: string;
  ready_by?: string;
  deliver_by?: string;
  driver?: OrderDriver | null;
  delivered_at?: string | null;
  delivery_window?: OrderWindow;
  fetch_window?: OrderWindow;
  customer?: OrderCustomer;
  store?: { store_id?: string; store_name?: string; store_phone?: string };
  pickup_comments?: string;
  destination_comments?: string;
  pickup_driver_comments?: string;
  destination_driver_comments?: string;
  packages?: OrderPackage[];
  distance?: number;
  etc_price?: string;
  etc_price_reason?: string;
  exception?: OrderException | null;
  until?: string | null;
  after?: string | null;
  update?: string;
}

export interface CachedOrder {
  id: string;
  kind: OrderKind;
  store_id: string;
  status: OrderStatus;
  /** 12 digits */
  tracking_code: string;
  /** null = 時間指定なし (anytime window) */
  window_starts_at: string | null;
  window_ends_at: string;
  /** "2026-11-24", Japan time */
  window_date: string;
  customer_name: string;
  customer_phone: string;
  customer_address: string;
  order_refs: string[];
  customer_lat: number | null;
  customer_lng: number | null;
  api_update: string;
  body: OrderBody;
  fetched_at: string;
}

/** Every field optional; each set field narrows the list. */
export interface OrderFilter {
  kind?: OrderKind | null;
  statuses?: string[] | null;
  store_id?: string | null;
  /** "YYYY-MM-DD" */
  window_date?: string | null;
  /** tracking code, order reference, name, phone, address (any part) */
  search?: string | null;
  /** ≤ 1000 */
  limit?: number | null;
  offset?: number | null;
}

export interface StatusCount {
  status: string;
  count: number;
}

export interface OrderSyncReport {
  deliveries: number;
  fetches: number;
  scope: 'full' | 'recent';
  synced_at: string;
  /** ids added or changed since the cache last had them, and (full sync) removed */
  changed: string[];
}

/** Largest page `list_orders` returns. */
export const ORDER_LIST_LIMIT = 1000;

/** Cache only, ordered by window date and start. */
export function listOrders(filter: OrderFilter): Promise<CachedOrder[]> {
  return call<CachedOrder[]>('list_orders', { filter });
}

/** (status, count) of one kind, optionally on one window date. */
export function orderCounts(kind: OrderKind, windowDate: string | null): Promise<StatusCount[]> {
  return call<StatusCount[]>('order_counts', { kind, windowDate });
}

/** `full`: every delivery and fetch; otherwise only windows ending from yesterday on. */
export function syncOrders(full: boolean): Promise<OrderSyncReport> {
  return call<OrderSyncReport>('sync_orders', { full });
}

/** `orders-changed`: after an order sync (the payload is the sync report). */
export async function onOrdersChanged(
  handler: (payload: OrderSyncReport) => void,
): Promise<UnlistenFn> {
  try {
    return await listen<OrderSyncReport>('orders-changed', (event) => handler(event.payload));
  } catch (error) {
    throw normaliseError(error);
  }
}

/** `cache-changed`: webhooks or a sync changed these cached rows (empty lists: reload all).
 *  It comes down the channel the event hub opens (events.svelte.ts), not as an event. */
export interface CacheChanges {
  orders: string[];
  drivers: number[];
}


// ---- The outbox: writes waiting for the API, or refused by it ----

export type OutboxState = 'pending' | 'in_flight' | 'acked' | 'failed' | 'conflict';

export interface OutboxRow {
  seq: number;
  client_id: string;
  /** what the write does, e.g. create_store, create_delivery, cancel_fetch */
  kind: string;
  payload: Record<string, unknown>;
  payload_hash: string;
  revision: number;
  request: unknown;
  state: OutboxState;
  attempts: number;
  /** the API's message (failed, conflict) or why it was not sent (pending) */
  last_error: string | null;
  /** that error's code, for the view to word it (null: no error, or kept before codes were) */
  last_error_code: CommandErrorCode | null;
  server_id: string | null;
  response: unknown;
  created_at: string;
  updated_at: string;
  /** the account it was made for: the DIAq endpoint ("sandbox" for the embedded one) … */
  endpoint: string;
  /** … and a fingerprint of its key (never the key) */
  key_fingerprint: string;
  /** made for another account than the current one: sent nowhere until that account is set up again */
  held: boolean;
}

export interface ReplayReport {
  acked: number;
  failed: number;
  conflicts: number;
  /** why rows are still pending; null when the queue emptied */
  stopped: CommandError | null;
}

/** Outbox rows, oldest first; an empty list of states means every row. */
export function outboxRows(states: OutboxState[]): Promise<OutboxRow[]> {
  return call<OutboxRow[]>('outbox_rows', { states });
}

/** Gives up a failed or conflicting write, or a held one of another account. */
export function discardWrite(clientId: string): Promise<null> {
  return call<null>('discard_write', { clientId });
}

/** Sends what is queued now (a timer does it too). */
export function replayOutbox(): Promise<ReplayReport> {
  return call<ReplayReport>('replay_outbox');
}

/** `outbox-changed`: a replay settled writes (sent, refused). */
export async function onOutboxChanged(handler: (payload: ReplayReport) => void): Promise<UnlistenFn> {
  try {
    return await listen<ReplayReport>('outbox-changed', (event) => handler(event.payload));
  } catch (error) {
    throw normaliseError(error);
  }
}

// ---- Drivers, time zones, the window grid (read from the cache; for the map and calendar) ----

export interface DriverJob {
  kind: OrderKind;
  id: string;
  status: string;
}

/** A driver as the map shows it: the latest position and the job under way. */
export interface CachedDriver {
  id: number;
  name: string;
  phone: string | null;
  vehicle_type: string | null;
  lat: number;
  lng: number;
  located_at: string;
  job: DriverJob | null;
  fetched_at: string;
}

export interface TrailPoint {
  lat: number;
  lng: number;
  located_at: string;
}

/** A DIAq time zone (`GET /v1/time_zones`). */
export interface TimeZone {
  id: string;
  starts: number;
  ends: number;
  status: 'anytime' | 'time';
  is_extra_charge: boolean;
}

export interface GridColumn {
  time_zone_id: string;
  starts: number;
  ends: number;
  is_extra_charge: boolean;
}

export interface SlotCell {
  time_zone_id: string;
  starts_at: string;
  ends_at: string;
  past: boolean;
  sold_out: boolean;
  /** when the latest estimate speaking for this slot was read; null: none has */
  known_as_of: string | null;
  stale: boolean;
  extra_charge: boolean;
  /** our unexpired, unused holds */
  held: number;
  held_expires_at: string | null;
  hold_ids: string[];
  /** our deliveries/fetches in the slot */
  booked: number;
}

export interface AnytimeCell {
  past: boolean;
  held: number;
  held_expires_at: string | null;
  hold_ids: string[];
  booked: number;
}

export interface GridDay {
  date: string;
  anytime: AnytimeCell;
  cells: SlotCell[];
}

/** A store's 14 days × 18 hourly slots. */
export interface SlotGrid {
  store_id: string;
  start_date: string;
  now: string;
  columns: GridColumn[];
  anytime_zone_id: string;
  days: GridDay[];
}

export function listDrivers(): Promise<CachedDriver[]> {
  return call<CachedDriver[]>('list_drivers');
}

/** The drivers among `ids` the cache knows, by id (those a `cache-changed` named). */
export function driversByIds(ids: number[]): Promise<CachedDriver[]> {
  return call<CachedDriver[]>('drivers_by_ids', { ids });
}

export function driverTrail(id: number): Promise<TrailPoint[]> {
  return call<TrailPoint[]>('driver_trail', { id });
}

export function listTimeZones(): Promise<TimeZone[]> {
  return call<TimeZone[]>('list_time_zones');
}

/** `startDate`: "YYYY-MM-DD" (Japan time), the grid's first day. */
export function slotGrid(storeId: string, startDate: string): Promise<SlotGrid> {
  return call<SlotGrid>('slot_grid', { storeId, startDate });
}

// ---- Batch import for planning ----

export interface FieldIssue {
  field: string;
  message: string;
}

export type BatchGeocode =
  | {
      result: 'placed';
      lat: number;
      lng: number;
      level: 'chome' | 'town' | 'postal' | 'city' | 'prefecture';
      prefecture: string;
      city: string;
      town: string;
      numbers: string;
      building: string;
    }
  | { result: 'failed'; reason: string };

export interface BatchRow {
  /** the line of the file the row starts on */
  line: number;
  status: 'ok' | 'warning' | 'error';
  external_stop_id: string | null;
  label: string | null;
  phone: string | null;
  notes: string | null;
  postal_code: string | null;
  address: string;
  normalized_address: string;
  geocode: BatchGeocode | null;
  parcel_count: number | null;
  time_window: { start: string; end: string } | null;
  errors: FieldIssue[];
  warnings: FieldIssue[];
}

/** The report of an imported file, every row in it (see docs/decisions.md, "Batch import"). */
export interface BatchReport {
  format: 'csv' | 'json';
  /** "UTF-8", "UTF-8 (BOM)", "Shift_JIS", … */
  encoding: string;
  /** CSV: each header column and the field it was read as */
  columns: { number: number; header: string; field: string | null }[];
  /** RouteMate JSON: the job's own properties */
  job: Record<string, unknown> | null;
  notices: string[];
  rows: BatchRow[];
  summary: { rows: number; ok: number; warnings: number; errors: number; blank_rows: number; parcels: number };
}

/** Reads a CSV (UTF-8 or Shift_JIS) or RouteMate JSON file and reports every row. */
export function importBatch(path: string): Promise<BatchReport> {
  return call<BatchReport>('import_batch', { path });
}

// ---- Per-feature command groups, one file each, all behind this one door ----
export * from './board';
export * from './orderWrites';
