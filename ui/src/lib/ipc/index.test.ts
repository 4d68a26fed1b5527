import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn() }));

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import {
  createStore,
  deleteStore,
  listOrders,
  listStores,
  normaliseError,
  COMMAND_ERROR_CODES,
  onOrdersChanged,
  onOutboxChanged,
  outboxRows,
  discardWrite,
  replayOutbox,
  listDrivers,
  driverTrail,
  listTimeZones,
  slotGrid,
  importBatch,
  onStoresChanged,
  orderCounts,
  syncOrders,
  syncStores,
  updateStore,
} from '$lib/ipc';

const invokeMock = vi.mocked(invoke);
const listenMock = vi.mocked(listen);

describe('normaliseError', () => {
  it('keeps every code Rust sends, conflict and config among them', () => {
    for (const code of ['conflict', 'config'] as const) {
      expect(normaliseError({ code, message: 'm', field: null }).code).toBe(code);
    }
    expect([...COMMAND_ERROR_CODES].sort()).toEqual(
      ['bad_request', 'cache', 'config', 'conflict', 'internal', 'not_found', 'transport', 'unauthorized'],
    );
  });

  it('turns a string rejection into an internal error', () => {
    expect(normaliseError('command list_stores not found')).toEqual({
      code: 'internal',
      message: 'command list_stores not found',
      field: null,
    });
  });

  it('keeps a CommandError as it is', () => {
    const error = { code: 'bad_request', message: 'store_phone: is invalid', field: 'store_phone' };
    expect(normaliseError(error)).toEqual(error);
  });

  it('keeps the facts of a refusal for the view to word, and drops a detail that is none', () => {
    const refused = {
      code: 'bad_request',
      message: 'edit: nothing to undo',
      field: 'edit',
      detail: { rule: 'nothing_to_undo' },
    };
    expect(normaliseError(refused)).toEqual(refused);
    expect(normaliseError({ ...refused, detail: 'nothing' })).toEqual({
      code: 'bad_request',
      message: 'edit: nothing to undo',
      field: 'edit',
    });
  });

  it('fills in a missing field and an unknown code', () => {
    expect(normaliseError({ code: 'teapot', message: 'short and stout' })).toEqual({
      code: 'internal',
      message: 'short and stout',
      field: null,
    });
  });

  it('handles Error objects and odd values', () => {
    expect(normaliseError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom', field: null });
    expect(normaliseError(undefined)).toEqual({ code: 'internal', message: '', field: null });
    expect(normaliseError(42)).toEqual({ code: 'internal', message: '42', field: null });
  });
});

describe('commands', () => {
  beforeEach(() => {
    invokeMock.mockReset();
    listenMock.mockReset();
  });

  it('pass the documented argument names', async () => {
    invokeMock.mockResolvedValue([]);
    await listStores(null);
    await listStores('渋谷');
    await syncStores();
    await createStore({ store_name: 'A' });
    await updateStore('id-1', { store_phone: '03-1111-2222' });
    await deleteStore('id-1');
    expect(invokeMock.mock.calls).toEqual([
      ['list_stores', { search: null }],
      ['list_stores', { search: '渋谷' }],
      ['sync_stores', undefined],
      ['create_store', { input: { store_name: 'A' } }],
      ['update_store', { id: 'id-1', input: { store_phone: '03-1111-2222' } }],
      ['delete_store', { id: 'id-1' }],
    ]);
  });

  it('reject with a CommandError when invoke rejects with a string', async () => {
    invokeMock.mockRejectedValue('unexpected panic');
    await expect(syncStores()).rejects.toEqual({ code: 'internal', message: 'unexpected panic', field: null });
  });

  it('pass a structured rejection through', async () => {
    const error = {
      code: 'bad_request',
      message: 'store_address_zipcode: must match \\A\\d{3}[-]\\d{4}\\z',
      field: 'store_address_zipcode',
    };
    invokeMock.mockRejectedValue(error);
    await expect(createStore({})).rejects.toEqual(error);
  });

  it('unwrap the stores-changed payload', async () => {
    const unlisten = vi.fn();
    listenMock.mockImplementation(async (_event, handler) => {
      handler({ event: 'stores-changed', id: 1, payload: { count: 7 } });
      return unlisten;
    });
    const seen: number[] = [];
    const stop = await onStoresChanged((payload) => seen.push(payload.count));
    expect(listenMock.mock.calls[0]?.[0]).toBe('stores-changed');
    expect(seen).toEqual([7]);
    expect(stop).toBe(unlisten);
  });

  it('pass the order commands\' arguments in camelCase', async () => {
    invokeMock.mockResolvedValue([]);
    await listOrders({ kind: 'delivery', window_date: '2026-11-24', limit: 1000 });
    await orderCounts('fetch', '2026-11-24');
    await orderCounts('delivery', null);
    await syncOrders(true);
    await syncOrders(false);
    expect(invokeMock.mock.calls).toEqual([
      ['list_orders', { filter: { kind: 'delivery', window_date: '2026-11-24', limit: 1000 } }],
      ['order_counts', { kind: 'fetch', windowDate: '2026-11-24' }],
      ['order_counts', { kind: 'delivery', windowDate: null }],
      ['sync_orders', { full: true }],
      ['sync_orders', { full: false }],
    ]);
  });

  it('pass the outbox, driver and window-grid commands\' arguments in camelCase', async () => {
    invokeMock.mockResolvedValue([]);
    await outboxRows(['failed', 'conflict']);
    await discardWrite('c-1');
    await replayOutbox();
    await listDrivers();
    await driverTrail(7);
    await listTimeZones();
    await slotGrid('store-1', '2026-11-24');
    await importBatch('/tmp/stops.csv');
    expect(invokeMock.mock.calls).toEqual([
      ['outbox_rows', { states: ['failed', 'conflict'] }],
      ['discard_write', { clientId: 'c-1' }],
      ['replay_outbox', undefined],
      ['list_drivers', undefined],
      ['driver_trail', { id: 7 }],
      ['list_time_zones', undefined],
      ['slot_grid', { storeId: 'store-1', startDate: '2026-11-24' }],
      ['import_batch', { path: '/tmp/stops.csv' }],
    ]);
  });

  it('unwrap the outbox-changed payload', async () => {
    const replay = { acked: 1, failed: 0, conflicts: 0, stopped: null };
    listenMock.mockImplementation(async (event, handler) => {
      handler({ event, id: 3, payload: replay });
      return () => {};
    });
    const seen: unknown[] = [];
    await onOutboxChanged((payload) => seen.push(payload));
    expect(listenMock.mock.calls.map((c) => c[0])).toEqual(['outbox-changed']);
    expect(seen).toEqual([replay]);
  });

  it('unwrap the orders-changed payload', async () => {
    const report = { deliveries: 3, fetches: 1, scope: 'recent', synced_at: '2026-11-24T10:00:00+09:00' };
    listenMock.mockImplementation(async (_event, handler) => {
      handler({ event: 'orders-changed', id: 2, payload: report });
      return () => {};
    });
    const seen: unknown[] = [];
    await onOrdersChanged((payload) => seen.push(payload));
    expect(listenMock.mock.calls[0]?.[0]).toBe('orders-changed');
    expect(seen).toEqual([report]);
  });
});
