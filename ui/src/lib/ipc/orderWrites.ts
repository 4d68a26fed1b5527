// Order writes from the new-order form: postal lookup, address normalisation, estimate,
// reserve, create (docs/ipc.md "Order writes"; hakobu-dispatch address_lookup.rs,
// estimate.rs, order_writes.rs). Bodies use the DIAq document's property names.
import { call } from './call';
import type { CachedOrder, OrderKind, Written } from './index';

/** What a postal code names (the offline gazetteer). */
export interface PostalLookup {
  /** `123-4567` */
  code: string;
  prefecture: string;
  city: string;
  /** The towns it covers; empty when it covers the whole municipality. */
  towns: string[];
}

/** How precisely an address was placed; null: not at all. */
export type AddressLevel = 'chome' | 'town' | 'city' | 'prefecture';

/** An address line normalised: what goes in `address_line_1` and `address_line_2`. */
export interface NormalizedAddress {
  /** The prefecture recognised; null if none was. */
  prefecture: string | null;
  /** From the municipality on, to the block numbers. */
  line_1: string;
  /** Building, floor, room: what followed the block numbers ("" when nothing did). */
  line_2: string;
  level: AddressLevel | null;
  lat: number | null;
  lng: number | null;
}

/** A window the API holds for us until `expires_at`: a TimeWindow, or an AnytimeWindow
 * (`starts_at` null, `ends_at` the midnight after its date). */
export interface Hold {
  id: string;
  starts_at: string | null;
  ends_at: string;
  expires_at: string;
}

/** A sold-out hourly slot. */
export interface SoldOutWindow {
  starts_at: string;
  ends_at: string;
}

/** One package line of an estimate, priced (yen, the line's price whatever its boxes). */
export interface EstimatePackage {
  service_brand: string;
  name: string;
  boxes: number;
  number: number;
  price: number;
}

export interface EstimateStore {
  id: string;
  name: string;
}

/** An estimate answer as the form shows it. */
export interface EstimateView {
  /** The API's estimate id (may be null). */
  id: string | null;
  kind: OrderKind;
  /** The request's base time: deliveries' `ready_by`, fetches' `deliver_by`. */
  ready_by: string;
  /** The earliest TimeWindow held, if the horizon had one with room. */
  time_window: Hold | null;
  /** The AnytimeWindow held, if the horizon had one with room. */
  anytime_window: Hold | null;
  unavailable_windows: SoldOutWindow[];
  /** Metres. */
  distance: number;
  packages: EstimatePackage[];
  /** Yen: the package lines' prices summed. */
  total_price: number;
  /** The held TimeWindow is in an extra-charge time zone (早朝・深夜): its prices include it. */
  extra_charge: boolean;
  store: EstimateStore;
}

/** One package line of a request (the document's 荷物 table). */
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
export type WindowChoice = 'given' | 'earliest' | 'anytime';

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
