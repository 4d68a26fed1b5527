// How the batch panel orders and fixes an import's rows: rows that cannot be planned (or are
// placed only roughly) first, and the row sent back to be checked again with its new address.
import type { BatchRowEdit, RowReport } from '$lib/ipc/planning';

/** Placed only at a municipality's or prefecture's centre, or not at all. */
export function geocodeProblem(row: RowReport): boolean {
  const g = row.geocode;
  if (!g) return row.errors.some((e) => e.field === 'address');
  return g.result === 'failed' || g.level === 'city' || g.level === 'prefecture';
}

function rank(row: RowReport): number {
  if (row.status === 'error') return 0;
  if (geocodeProblem(row)) return 1;
  if (row.status === 'warning') return 2;
  return 3;
}

/** Errors, then rough places, then warnings, then the rest; file order inside each. */
export function problemsFirst(rows: readonly RowReport[]): RowReport[] {
  return [...rows].sort((a, b) => rank(a) - rank(b) || a.line - b.line);
}

export interface RowCounts {
  rows: number;
  ok: number;
  warnings: number;
  errors: number;
  parcels: number;
}

/** The panel's counts, kept current as rows are fixed (the import's summary is of the file). */
export function countRows(rows: readonly RowReport[]): RowCounts {
  const c: RowCounts = { rows: rows.length, ok: 0, warnings: 0, errors: 0, parcels: 0 };
  for (const r of rows) {
    if (r.status === 'ok') c.ok += 1;
    else if (r.status === 'warning') c.warnings += 1;
    else c.errors += 1;
    if (r.status !== 'error') c.parcels += r.parcel_count ?? 0;
  }
  return c;
}

/** The row as the import read it, with a new address (and postal code), to be checked again. */
export function editOf(row: RowReport, address: string, postalCode: string | null): BatchRowEdit {
  return {
    line: row.line,
    external_stop_id: row.external_stop_id,
    address,
    postal_code: postalCode && postalCode.trim() !== '' ? postalCode.trim() : null,
    label: row.label,
    phone: row.phone,
    notes: row.notes,
    parcel_count: row.parcel_count,
    time_window: row.time_window ? `${row.time_window.start}-${row.time_window.end}` : null,
  };
}

/** The block numbers (and what follows) at the end of an address: `…3丁目5-1 ビル` → `5-1 ビル`.
 *  Kept when the dispatcher picks a town, since the town is what was wrong. */
export function blockPart(address: string): string {
  const m = /([0-9０-９]+(?:[-－ー‐][0-9０-９]+)*(?:\s.*)?)$/.exec(address.trim());
  return m ? m[1]!.trim() : '';
}

/** The address a picked town makes: prefecture, municipality, town, then the old numbers. */
export function addressWithTown(prefecture: string, city: string, town: string, oldAddress: string): string {
  const numbers = blockPart(oldAddress);
  return `${prefecture}${city}${town}${numbers}`;
}

/** The store nearest the middle of the stops: the likely pickup store of a file that names
 *  none (the dispatcher can pick another). Null without placed stops or stores on the map. */
export function nearestStore(
  stops: readonly { lat: number; lng: number }[],
  stores: readonly { id: string; location: { lat: number; lng: number } | null }[],
): string | null {
  if (stops.length === 0) return null;
  const lat = stops.reduce((s, p) => s + p.lat, 0) / stops.length;
  const lng = stops.reduce((s, p) => s + p.lng, 0) / stops.length;
  // Degrees of longitude shrink with latitude; near enough for picking the closest of a city's stores.
  const k = Math.cos((lat * Math.PI) / 180);
  let best: string | null = null;
  let bestD = Infinity;
  for (const s of stores) {
    if (!s.location) continue;
    const d = (s.location.lat - lat) ** 2 + ((s.location.lng - lng) * k) ** 2;
    if (d < bestD) {
      bestD = d;
      best = s.id;
    }
  }
  return best;
}
