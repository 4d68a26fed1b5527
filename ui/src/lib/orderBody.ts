// Reading the DIAq delivery/fetch object kept in a cached order's `body`.
import type { OrderBody, OrderPackage, OrderWindow } from '$lib/ipc';

export interface PackageTotals {
  /** Package lines in the order. */
  packages: number;
  /** Boxes over every line. */
  boxes: number;
  /** Sum of the lines' prices in yen, or null when no line carries a price. */
  price: number | null;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function packagesOf(body: OrderBody): OrderPackage[] {
  return Array.isArray(body.packages) ? body.packages : [];
}

/** The price of one package line in yen ("880" → 880), or null. */
export function packagePrice(p: OrderPackage): number | null {
  if (p.price === null || p.price === undefined || p.price === '') return null;
  const n = Number(p.price);
  return Number.isFinite(n) ? n : null;
}

export function packageTotals(body: OrderBody): PackageTotals {
  const lines = packagesOf(body);
  let boxes = 0;
  let price: number | null = null;
  for (const p of lines) {
    boxes += count(p.boxes, 1);
    const each = packagePrice(p);
    if (each !== null) price = (price ?? 0) + each;
  }
  return { packages: lines.length, boxes, price };
}

/** The order's window object (delivery_window or fetch_window). */
export function windowOf(body: OrderBody): OrderWindow | null {
  return body.delivery_window ?? body.fetch_window ?? null;
}

/** Yen with thousands separators: 1320 → "1,320". */
export function formatYen(amount: number): string {
  return amount.toLocaleString('ja-JP');
}

/** Trimmed text, or null when empty or not a string. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
