import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));

import { invoke } from '@tauri-apps/api/core';
import { board, cancelOrders, orderDetail, orderPage, type OrderQuery } from '$lib/ipc/board';

const mocked = vi.mocked(invoke);

const query: OrderQuery = {
  kind: null,
  statuses: ['created'],
  store_id: null,
  window_date: '2026-12-07',
  window_hour: 10,
  search: null,
  late: 'at_risk_or_late',
  sort: { key: 'window', descending: false },
  offset: 0,
  limit: 200,
};

describe('the board commands (generated types in use)', () => {
  beforeEach(() => mocked.mockReset());

  it('send the query the Rust command reads, under `query`', async () => {
    mocked.mockResolvedValue({ total: 0, offset: 0, rows: [] });
    await orderPage(query);
    expect(mocked).toHaveBeenCalledWith('order_page', { query });
    mocked.mockResolvedValue({ columns: [], total: 0, late: { at_risk: 0, late: 0 } });
    const { statuses: _s, sort: _o, offset: _f, limit: _l, ...boardQuery } = query;
    await board(boardQuery);
    expect(mocked).toHaveBeenLastCalledWith('board', { query: boardQuery });
  });

  it('name orders by kind and id', async () => {
    mocked.mockResolvedValue([]);
    await cancelOrders([{ kind: 'fetch', id: 'f1' }]);
    expect(mocked).toHaveBeenCalledWith('cancel_orders', { orders: [{ kind: 'fetch', id: 'f1' }] });
    await orderDetail('delivery', 'd1');
    expect(mocked).toHaveBeenLastCalledWith('order_detail', { kind: 'delivery', id: 'd1' });
  });
});
