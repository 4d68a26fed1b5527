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
