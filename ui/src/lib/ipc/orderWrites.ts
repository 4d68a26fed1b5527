// Order writes from the new-order form: postal lookup, address normalisation, estimate,
// reserve, create (docs/ipc.md "Order writes"; hakobu-dispatch address_lookup.rs,
// estimate.rs, order_writes.rs). Bodies use the DIAq document's property names.
import { call } from './call';
import type { CachedOrder, OrderKind, Written } from './index';

/** What a postal code names (the offline gazetteer). */
// The answers' types are Rust's (generated.ts); the request bodies are the document's JSON,
// checked on the Rust side by hakobu-diaq's own readers.
export type {
  AddressLevel,
  EstimatePackage,
  EstimateStore,
  EstimateView,
  Hold,
  NormalizedAddress,
  PostalLookup,
  SoldOutWindow,
} from './generated';
import type { EstimateView, Hold, NormalizedAddress, PostalLookup, WindowChoice } from './generated';

export interface PackageBody {
  service_brand: string;
  order_reference?: string;
  name?: string;
  boxes: number;
  number: number;
  height?: number;
  width?: number;
  depth?: number;
  weight?: number;
  attention?: string;
}

export interface CustomerAddressBody {
  address_zipcode: string;
  address_prefecture: string;
  address_line_1: string;
  address_line_2?: string;
}

/** The customer of a delivery or fetch (a fetch estimate may carry the contact too). */
export interface CustomerBody extends CustomerAddressBody {
  last_name?: string;
  first_name?: string;
  business_name?: string;
  phone?: string;
  email?: string;
}

/** `POST /v1/delivery_estimates/` (`ready_by`) or `/v1/fetch_estimates/` (`deliver_by`). */
export interface EstimateBody {
  store_id: string;
  ready_by?: string;
  deliver_by?: string;
  customer: CustomerBody;
  packages: PackageBody[];
}

/** `POST /v1/deliveries/` or `/v1/fetches/`. */
export interface OrderCreateBody extends EstimateBody {
  delivery_window_id?: string;
  fetch_window_id?: string;
  pickup_comments?: string;
  destination_comments?: string;
  /** Deliveries, AnytimeWindow only: `HH:mm`. */
  until?: string;
  /** Fetches, AnytimeWindow only: `HH:mm`. */
  after?: string;
}

/** Where a new order's window comes from: `given` — the body's window id (a hold);
 * `earliest` / `anytime` — estimated when the write is sent (written offline). */
export type { WindowChoice } from './generated';

/** Prefecture, city and towns of a postal code (`1060045`, `106-0045`, full-width …).
 * Malformed or unknown: `bad_request` naming `address_zipcode`. */
export function postalLookup(code: string): Promise<PostalLookup> {
  return call<PostalLookup>('postal_lookup', { code });
}

/** Normalises prefecture + line 1 and splits the building off into line 2. */
export function normalizeAddress(prefecture: string, line1: string): Promise<NormalizedAddress> {
  return call<NormalizedAddress>('normalize_address', { prefecture, line1 });
}

/** Sent at once, never queued: offline is a `transport` error. */
export function estimateOrder(kind: OrderKind, body: EstimateBody): Promise<EstimateView> {
  return call<EstimateView>('estimate_order', { kind, body });
}

/** Holds `timeZoneId` on `reserveDate` (`YYYY-MM-DD`) at the store. Cannot be held (started,
 * beyond the horizon, sold out): `not_found`. */
export function reserveWindow(
  storeId: string,
  reserveDate: string,
  timeZoneId: string,
): Promise<Written<Hold>> {
  return call<Written<Hold>>('reserve_window', { storeId, reserveDate, timeZoneId });
}

/** Through the outbox: applied (the order as now cached) or queued. */
export function createOrder(
  kind: OrderKind,
  body: OrderCreateBody,
  window: WindowChoice,
): Promise<Written<CachedOrder>> {
  return call<Written<CachedOrder>>('create_order', { kind, body, window });
}
