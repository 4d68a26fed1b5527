// The new-order form's values as typed (the draft), and the request bodies built from them.
// Pure: no Svelte, no IPC. Property names are the DIAq document's (配送見積, 配送依頼 作成, 回収).
import type {
  CustomerBody,
  EstimateBody,
  OrderCreateBody,
  OrderKind,
  PackageBody,
} from '$lib/ipc';
import { addDays, tokyoParts } from '$lib/time';

/** The document's service brands (data, not UI text): hakobu-diaq's SERVICE_BRANDS. */
export const SERVICE_BRANDS: readonly string[] = [
  'ポスト投函サイズ',
  '60サイズ',
  '80サイズ',
  '100サイズ',
  '120サイズ',
  '140サイズ',
  '160サイズ',
];

/** 1–10 packages: 個口番号 is "1~10の数値". */
export const MAX_PACKAGES = 10;
/** 備考: "200文字まで". */
export const ATTENTION_MAX = 200;
/** ready_by / deliver_by: "14日先の日付まで指定可能". */
export const HORIZON_DAYS = 14;
/** Added to each package's price when the TimeWindow is an extra-charge one (早朝・深夜). */
export const EXTRA_CHARGE_YEN = 330;

export interface PackageDraft {
  service_brand: string;
  order_reference: string;
  name: string;
  /** 個口数 1–10 (null: empty input) */
  boxes: number | null;
  /** 個口番号 1–10 */
  number: number | null;
  height: number | null;
  width: number | null;
  depth: number | null;
  weight: number | null;
  attention: string;
}

export interface CustomerDraft {
  address_zipcode: string;
  address_prefecture: string;
  address_line_1: string;
  address_line_2: string;
  last_name: string;
  first_name: string;
  business_name: string;
  phone: string;
  email: string;
}

export interface Draft {
  store_id: string;
  customer: CustomerDraft;
  packages: PackageDraft[];
  /** ready_by (deliveries) / deliver_by (fetches), Japan time: "YYYY-MM-DD" and "HH:mm". */
  ready_date: string;
  ready_time: string;
  pickup_comments: string;
  destination_comments: string;
  /** until (deliveries) / after (fetches): "HH:mm", AnytimeWindow only. */
  hint: string;
}

export const PACKAGE_FIELDS = [
  'service_brand',
  'order_reference',
  'name',
  'boxes',
  'number',
  'height',
  'width',
  'depth',
  'weight',
  'attention',
] as const satisfies readonly (keyof PackageDraft)[];

export const CUSTOMER_FIELDS = [
  'address_zipcode',
  'address_prefecture',
  'address_line_1',
  'address_line_2',
  'last_name',
  'first_name',
  'business_name',
  'phone',
  'email',
] as const satisfies readonly (keyof CustomerDraft)[];

export function emptyPackage(number = 1, boxes = 1): PackageDraft {
  return {
    service_brand: '80サイズ',
    order_reference: '',
    name: '',
    boxes,
    number,
    height: null,
    width: null,
    depth: null,
    weight: null,
    attention: '',
  };
}

export function emptyCustomer(): CustomerDraft {
  return {
    address_zipcode: '',
    address_prefecture: '',
    address_line_1: '',
    address_line_2: '',
    last_name: '',
    first_name: '',
    business_name: '',
    phone: '',
    email: '',
  };
}

/** Now rounded up to the next quarter hour, in Japan time. */
export function defaultReadyBy(now: Date): { date: string; time: string } {
  const quarter = 15 * 60 * 1000;
  const rounded = new Date(Math.ceil(now.getTime() / quarter) * quarter);
  return tokyoParts(rounded);
}

export function emptyDraft(now: Date = new Date()): Draft {
  const ready = defaultReadyBy(now);
  return {
    store_id: '',
    customer: emptyCustomer(),
    packages: [emptyPackage()],
    ready_date: ready.date,
    ready_time: ready.time,
    pickup_comments: '',
    destination_comments: '',
    hint: '',
  };
}

/** Nothing typed yet (the ready time alone is not worth keeping). */
export function isBlank(draft: Draft): boolean {
  const blankPackage = JSON.stringify(emptyPackage());
  return (
    draft.store_id === '' &&
    Object.values(draft.customer).every((v) => v.trim() === '') &&
    draft.packages.length === 1 &&
    JSON.stringify(draft.packages[0]) === blankPackage &&
    draft.pickup_comments.trim() === '' &&
    draft.destination_comments.trim() === '' &&
    draft.hint.trim() === ''
  );
}

/** The earliest and latest dates ready_by may take (today … today + 14, Japan time). */
export function readyDateRange(now: Date): { min: string; max: string } {
  const today = tokyoParts(now).date;
  return { min: today, max: addDays(today, HORIZON_DAYS) };
}

/** "2018-10-25T04:45:00+09:00" from the date and time inputs; null when either is empty. */
export function readyByIso(draft: Draft): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.ready_date)) return null;
  const time = /^(\d{2}):(\d{2})/.exec(draft.ready_time);
  if (!time) return null;
  return `${draft.ready_date}T${time[1]}:${time[2]}:00+09:00`;
}

/** The request property of the base time: deliveries `ready_by`, fetches `deliver_by`. */
export function baseField(kind: OrderKind): 'ready_by' | 'deliver_by' {
  return kind === 'delivery' ? 'ready_by' : 'deliver_by';
}

export function windowIdField(kind: OrderKind): 'delivery_window_id' | 'fetch_window_id' {
  return kind === 'delivery' ? 'delivery_window_id' : 'fetch_window_id';
}

export function hintField(kind: OrderKind): 'until' | 'after' {
  return kind === 'delivery' ? 'until' : 'after';
}

/** Full-width digits and hyphen-like marks to ASCII, 〒 and spaces dropped. */
export function asciiZipcode(input: string): string {
  return input
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[ー－−‐—–]/g, '-')
    .replace(/[〒\s]/g, '');
}

/** A complete postal code as typed (`1060045`, `106-0045`, full-width): ready to look up. */
export function isCompleteZipcode(input: string): boolean {
  return /^\d{3}-?\d{4}$/.test(asciiZipcode(input));
}

function text(value: string): string {
  return value.trim();
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

function num(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function packageBody(p: PackageDraft): PackageBody {
  const body: Record<string, unknown> = {
    service_brand: text(p.service_brand),
    order_reference: optional(p.order_reference),
    name: optional(p.name),
    boxes: num(p.boxes),
    number: num(p.number),
    height: num(p.height),
    width: num(p.width),
    depth: num(p.depth),
    weight: num(p.weight),
    attention: optional(p.attention),
  };
  return dropUndefined(body) as unknown as PackageBody;
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

function addressBody(c: CustomerDraft): CustomerBody {
  return dropUndefined({
    address_zipcode: text(c.address_zipcode),
    address_prefecture: text(c.address_prefecture),
    address_line_1: text(c.address_line_1),
    address_line_2: optional(c.address_line_2),
  }) as unknown as CustomerBody;
}

function contactBody(c: CustomerDraft): Partial<CustomerBody> {
  return dropUndefined({
    last_name: text(c.last_name),
    first_name: optional(c.first_name),
    business_name: optional(c.business_name),
    phone: text(c.phone),
    email: optional(c.email),
  });
}

/**
 * The estimate request. A delivery estimate's customer is the address only (its table); a
 * fetch estimate's table also lists name, phone and email, sent when typed.
 */
export function estimateBody(kind: OrderKind, draft: Draft): EstimateBody {
  const customer =
    kind === 'fetch'
      ? {
          ...addressBody(draft.customer),
          ...(dropUndefined({
            last_name: optional(draft.customer.last_name),
            first_name: optional(draft.customer.first_name),
            phone: optional(draft.customer.phone),
            email: optional(draft.customer.email),
          }) as Partial<CustomerBody>),
        }
      : addressBody(draft.customer);
  const body: Record<string, unknown> = {
    store_id: draft.store_id,
    [baseField(kind)]: readyByIso(draft) ?? undefined,
    customer,
    packages: draft.packages.map(packageBody),
  };
  return dropUndefined(body) as unknown as EstimateBody;
}

/** The create request for the held window `windowId`; `hint` only with an AnytimeWindow. */
export function createBody(
  kind: OrderKind,
  draft: Draft,
  windowId: string,
  anytime: boolean,
): OrderCreateBody {
  const body: Record<string, unknown> = {
    store_id: draft.store_id,
    [baseField(kind)]: readyByIso(draft) ?? undefined,
    [windowIdField(kind)]: windowId,
    customer: { ...addressBody(draft.customer), ...contactBody(draft.customer) },
    packages: draft.packages.map(packageBody),
    pickup_comments: optional(draft.pickup_comments),
    destination_comments: optional(draft.destination_comments),
    [hintField(kind)]: anytime ? optional(draft.hint) : undefined,
  };
  return dropUndefined(body) as unknown as OrderCreateBody;
}

/**
 * What an estimate's answer depends on: store, base time, where, and the package lines'
 * brands (the price is per line, whatever its boxes). Another value here makes the estimate
 * stale; names, phone and notes do not.
 */
export function estimateKey(kind: OrderKind, draft: Draft): string {
  const c = draft.customer;
  return JSON.stringify([
    kind,
    draft.store_id,
    readyByIso(draft),
    asciiZipcode(c.address_zipcode),
    c.address_prefecture.trim(),
    c.address_line_1.trim(),
    draft.packages.map((p) => p.service_brand),
  ]);
}

/** A draft read back from storage, or null when it is not one (another version, corrupt). */
export function readDraft(value: unknown): Draft | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const base = emptyDraft();
  const customer = v.customer;
  const packages = v.packages;
  if (typeof customer !== 'object' || customer === null || !Array.isArray(packages)) return null;
  const str = (x: unknown, fallback: string): string => (typeof x === 'string' ? x : fallback);
  const n = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  const c = customer as Record<string, unknown>;
  const draft: Draft = {
    store_id: str(v.store_id, ''),
    customer: Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, str(c[f], '')])) as unknown as CustomerDraft,
    packages: packages.slice(0, MAX_PACKAGES).map((raw) => {
      const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      return {
        service_brand: str(p.service_brand, '80サイズ'),
        order_reference: str(p.order_reference, ''),
        name: str(p.name, ''),
        boxes: n(p.boxes),
        number: n(p.number),
        height: n(p.height),
        width: n(p.width),
        depth: n(p.depth),
        weight: n(p.weight),
        attention: str(p.attention, ''),
      };
    }),
    ready_date: str(v.ready_date, base.ready_date),
    ready_time: str(v.ready_time, base.ready_time),
    pickup_comments: str(v.pickup_comments, ''),
    destination_comments: str(v.destination_comments, ''),
    hint: str(v.hint, ''),
  };
  if (draft.packages.length === 0) draft.packages.push(emptyPackage());
  return draft;
}
