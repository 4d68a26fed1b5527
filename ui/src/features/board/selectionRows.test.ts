import { describe, expect, it, vi } from 'vitest';
import type { OrderKind } from '$lib/ipc';
import type { OrderRow } from '$lib/ipc/board';
import { rowsOfSelection } from '$features/board/selectionRows';

function row(kind: OrderKind, id: string): OrderRow {
  return {
    id,
    kind,
    store_id: 's',
    store_name: '',
    status: 'created',
    tracking_code: `T-${id}`,
    customer_name: `C-${id}`,
    customer_phone: '',
    customer_address: '',
    window_starts_at: null,
    window_ends_at: '2026-12-08T00:00:00+09:00',
    window_date: '2026-12-08',
    driver_id: null,
    driver_name: null,
    late: { level: 'none', reason: null, minutes: null },
    cancel_to: null,
    queued: null,
  };
}

describe('the rows of a list selection (計画に追加)', () => {
  it('takes the loaded rows as they are and reads the others by key, in the selection’s order', async () => {
    // d1 ticked under another search (not loaded now), d2 and f3 loaded.
    const read = vi.fn(async (kind: OrderKind, id: string) => row(kind, id));
    const rows = await rowsOfSelection(['delivery:d1', 'delivery:d2', 'fetch:f3'], [row('fetch', 'f3'), row('delivery', 'd2'), row('delivery', 'x')], read);
    expect(rows.map((r) => `${r.kind}:${r.id}:${r.tracking_code}`)).toEqual(['delivery:d1:T-d1', 'delivery:d2:T-d2', 'fetch:f3:T-f3']);
    expect(read.mock.calls).toEqual([['delivery', 'd1']]);
  });

  it('leaves out an order no longer cached and a key it cannot read', async () => {
    const read = vi.fn(async (kind: OrderKind, id: string) => {
      if (id === 'gone') throw { code: 'not_found', message: 'no delivery gone', field: null };
      return row(kind, id);
    });
    const rows = await rowsOfSelection(['delivery:gone', 'bogus', 'delivery:d1'], [], read);
    expect(rows.map((r) => r.id)).toEqual(['d1']);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('fails as a whole when the cache cannot be read', async () => {
    const refusal = { code: 'cache', message: 'database is locked', field: null };
    const read = vi.fn(async () => {
      throw refusal;
    });
    await expect(rowsOfSelection(['delivery:d1'], [], read)).rejects.toBe(refusal);
  });
});
