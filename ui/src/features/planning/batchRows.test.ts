import { describe, expect, it } from 'vitest';
import { addressWithTown, blockPart, countRows, editOf, geocodeProblem, nearestStore, problemsFirst } from '$features/planning/batchRows';
import type { RowReport } from '$lib/ipc/planning';

function row(line: number, status: RowReport['status'], level: 'chome' | 'city' | 'failed' = 'chome'): RowReport {
  return {
    line,
    status,
    external_stop_id: `T-${line}`,
    label: '山田',
    phone: null,
    notes: null,
    postal_code: '106-0032',
    address: '港区六本木6-10-1',
    normalized_address: '東京都港区六本木六丁目10-1',
    geocode:
      level === 'failed'
        ? { result: 'failed', reason: 'not found' }
        : { result: 'placed', lat: 35.66, lng: 139.73, level, prefecture: '東京都', city: '港区', town: '', numbers: '', building: '' },
    parcel_count: 2,
    time_window: { start: '14:00', end: '16:00' },
    errors: status === 'error' ? [{ field: 'address', rule: 'not_recognised', address: '港区六本木6-10-1', message: 'address: not found' }] : [],
    warnings: [],
  };
}

describe('the batch rows', () => {
  it('lists errors, then rough places, then warnings, then the rest, in file order', () => {
    const rows = [row(2, 'ok'), row(3, 'warning'), row(4, 'error', 'failed'), row(5, 'warning', 'city'), row(6, 'error', 'failed')];
    expect(problemsFirst(rows).map((r) => r.line)).toEqual([4, 6, 5, 3, 2]);
    expect(geocodeProblem(rows[3]!)).toBe(true);
    expect(geocodeProblem(rows[0]!)).toBe(false);
  });

  it('counts rows and the parcels that go to planning', () => {
    expect(countRows([row(2, 'ok'), row(3, 'warning'), row(4, 'error', 'failed')])).toEqual({
      rows: 3,
      ok: 1,
      warnings: 1,
      errors: 1,
      parcels: 4,
    });
  });

  it('sends a row back with its new address, its window as the file writes it', () => {
    const e = editOf(row(4, 'error', 'failed'), '東京都港区六本木6-10-1', ' ');
    expect(e).toMatchObject({ line: 4, external_stop_id: 'T-4', address: '東京都港区六本木6-10-1', postal_code: null, parcel_count: 2, time_window: '14:00-16:00' });
  });

  it('keeps the block numbers when a town is picked', () => {
    expect(blockPart('港区ろっぽんぎ6-10-1')).toBe('6-10-1');
    expect(blockPart('港区ろっぽんぎ')).toBe('');
    expect(addressWithTown('東京都', '港区', '六本木', '港区ろっぽんぎ6-10-1')).toBe('東京都港区六本木6-10-1');
  });

  it('picks the store nearest the middle of the stops, skipping stores off the map', () => {
    const stores = [
      { id: 'kichijoji', location: { lat: 35.7046, lng: 139.5797 } },
      { id: 'azabu', location: { lat: 35.6566, lng: 139.7358 } },
      { id: 'nowhere', location: null },
    ];
    expect(nearestStore([{ lat: 35.65, lng: 139.73 }, { lat: 35.66, lng: 139.75 }], stores)).toBe('azabu');
    expect(nearestStore([], stores)).toBeNull();
    expect(nearestStore([{ lat: 35.65, lng: 139.73 }], [{ id: 'x', location: null }])).toBeNull();
  });
});
