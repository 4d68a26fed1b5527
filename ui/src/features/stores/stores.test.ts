import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/ipc', () => ({ listStores: vi.fn(), syncStores: vi.fn(), appStatus: vi.fn() }));

import { listStores, syncStores, appStatus, type CachedStore } from '$lib/ipc';
import { StatusState } from '$app/status.svelte';
import { StoresState } from '$features/stores/stores.svelte';

const list = vi.mocked(listStores);

function store(id: string): CachedStore {
  return {
    id,
    id_alias: id,
    store_name: `店舗 ${id}`,
    store_address_zipcode: '100-0001',
    store_address_prefecture: '東京都',
    store_address_line_1: '千代田区千代田1-1',
    store_address_line_2: '',
    store_phone: '03-0000-0000',
    store_type: 'standalone_store',
    offers_delivery: true,
    offers_fetches: true,
    pickup_proof: 'signature',
    delivery_proof: 'signature',
    opening_time: null,
    closing_time: null,
    location: null,
    fetched_at: '2024-01-01T00:00:00Z',
  };
}

describe('StoresState search', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    list.mockReset();
    list.mockResolvedValue([]);
  });
  afterEach(() => vi.useRealTimers());

  it('debounces typing and lists with the final query', async () => {
    const state = new StoresState(new StatusState(), 150);
    state.setQuery('渋');
    await vi.advanceTimersByTimeAsync(100);
    state.setQuery('渋谷');
    await vi.advanceTimersByTimeAsync(149);
    expect(list).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(list).toHaveBeenCalledTimes(1);
    expect(list).toHaveBeenCalledWith('渋谷');
  });

  it('lists everything (null) for an empty or blank query', async () => {
    const state = new StoresState(new StatusState(), 150);
    state.setQuery('   ');
    await vi.advanceTimersByTimeAsync(150);
    expect(list).toHaveBeenCalledWith(null);
  });

  it('drops a late answer to an older query', async () => {
    let resolveOld: (rows: CachedStore[]) => void = () => {};
    list.mockImplementationOnce(() => new Promise((resolve) => (resolveOld = resolve)));
    list.mockResolvedValueOnce([store('new')]);
    const state = new StoresState(new StatusState(), 150);
    state.setQuery('a');
    await vi.advanceTimersByTimeAsync(150);
    state.setQuery('ab');
    await vi.advanceTimersByTimeAsync(150);
    resolveOld([store('old')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(state.stores.map((s) => s.id)).toEqual(['new']);
    expect(state.shownQuery).toBe('ab');
  });

  it('sync refreshes the cache view and the status', async () => {
    vi.mocked(syncStores).mockResolvedValue({ count: 2, synced_at: '2024-01-01T00:00:00Z' });
    vi.mocked(appStatus).mockResolvedValue({
      mode: 'sandbox',
      api_base_url: 'http://127.0.0.1:1',
      online: true,
      last_sync: '2024-01-01T00:00:00Z',
      pending_writes: 0,
      refused_writes: 0,
      held_writes: 0,
    });
    list.mockResolvedValue([store('a'), store('b')]);
    const status = new StatusState();
    const state = new StoresState(status, 150);
    const result = await state.sync();
    expect(result.count).toBe(2);
    expect(state.stores).toHaveLength(2);
    expect(status.storeTotal).toBe(2);
    expect(status.status?.online).toBe(true);
    expect(state.syncing).toBe(false);
  });
});
