import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';

vi.mock('$lib/ipc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/ipc')>();
  return {
    ...actual,
    listOrders: vi.fn(),
    orderCounts: vi.fn(),
    syncOrders: vi.fn(),
    onOrdersChanged: vi.fn(),
    onCacheChanged: vi.fn(() => Promise.resolve(() => {})),
    listStores: vi.fn(),
    appStatus: vi.fn(),
  };
});

import {
  listOrders,
  listStores,
  onOrdersChanged,
  orderCounts,
  syncOrders,
  type CachedOrder,
  type CachedStore,
  type OrderSyncReport,
} from '$lib/ipc';
import { setLang } from '$i18n/index.svelte';
import { OrdersState } from '$features/orders/orders.svelte';
import OrdersPage from '$features/orders/OrdersPage.svelte';

const list = vi.mocked(listOrders);
const counts = vi.mocked(orderCounts);
const sync = vi.mocked(syncOrders);
const listen = vi.mocked(onOrdersChanged);
const stores = vi.mocked(listStores);

const STORE_ID = '5eed0000-0000-4000-8000-000000000003';
const store = { id: STORE_ID, store_name: '渋谷道玄坂店' } as CachedStore;

const order: CachedOrder = {
  id: 'o1',
  kind: 'delivery',
  store_id: STORE_ID,
  status: 'delivering',
  tracking_code: '123456789012',
  window_starts_at: '2026-11-24T10:00:00+09:00',
  window_ends_at: '2026-11-24T11:00:00+09:00',
  window_date: '2026-11-24',
  customer_name: '吉沢 健二',
  customer_phone: '090-1234-5678',
  customer_address: '東京都渋谷区神宮前1-19-11 原宿ビル5F',
  order_refs: ['EC-1001'],
  customer_lat: 35.67,
  customer_lng: 139.7,
  api_update: '2026-11-24T09:00:00+09:00',
  body: {
    customer: { address_zipcode: '150-0001', address_prefecture: '東京都', address_line_1: '渋谷区神宮前1-19-11' },
    packages: [
      { service_brand: '60サイズ', order_reference: 'EC-1001', name: '靴', boxes: 2, number: 1, price: '660' },
      { service_brand: '80サイズ', order_reference: 'EC-1001', name: 'バッグ', boxes: 1, number: 1, price: '880' },
    ],
    driver: { name: '佐藤 一郎', phone: '080-0000-1111', vehicle_type: '原付' },
    destination_comments: '置き配不可',
    exception: null,
  },
  fetched_at: '2026-11-24T09:05:00+09:00',
};

const report: OrderSyncReport = { deliveries: 1, fetches: 0, scope: 'recent', synced_at: '2026-11-24T09:05:00+09:00', changed: [] };

describe('OrdersPage', () => {
  beforeEach(() => {
    setLang('ja');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-11-23T16:00:00Z')); // 2026-11-24 01:00 in Tokyo
    list.mockReset().mockResolvedValue([order]);
    counts.mockReset().mockResolvedValue([
      { status: 'delivering', count: 1 },
      { status: 'delivered', count: 4 },
    ]);
    sync.mockReset().mockResolvedValue(report);
    listen.mockReset().mockResolvedValue(() => {});
    stores.mockReset().mockResolvedValue([store]);
  });
  afterEach(() => vi.useRealTimers());

  async function renderPage() {
    const orders = new OrdersState();
    render(OrdersPage, { orders });
    await vi.advanceTimersByTimeAsync(0);
    return orders;
  }

  it('reads the cache for today in Tokyo, then syncs the recent windows in the background', async () => {
    await renderPage();
    expect(list).toHaveBeenNthCalledWith(1, {
      kind: 'delivery',
      statuses: null,
      store_id: null,
      window_date: '2026-11-24',
      search: null,
      limit: 1000,
    });
    expect(counts).toHaveBeenNthCalledWith(1, 'delivery', '2026-11-24');
    expect(sync).toHaveBeenCalledExactlyOnceWith(false);
    expect(listen).toHaveBeenCalledTimes(1);
    expect((screen.getByTestId('orders-date') as HTMLInputElement).value).toBe('2026-11-24');
  });

  it('shows the row with its window, status, store, packages and refs, and the counts', async () => {
    await renderPage();
    const [row] = screen.getAllByTestId('order-row');
    expect(row!.dataset.orderId).toBe('o1');
    const text = row!.textContent ?? '';
    for (const part of ['123456789012', '11/24 10:00–11:00', '配送中', '渋谷道玄坂店', '吉沢 健二', '2件・3箱', 'EC-1001']) {
      expect(text).toContain(part);
    }
    expect(screen.getByTestId('orders-count').textContent?.trim()).toBe('1 件');
    expect(screen.getByTestId('orders-status-delivered').textContent).toContain('4');
    expect(screen.getByTestId('orders-status-all').textContent).toContain('5');
  });

  it('builds the list_orders filter from every control', async () => {
    await renderPage();
    list.mockClear();
    counts.mockClear();

    await fireEvent.click(screen.getByTestId('orders-kind-fetch'));
    await fireEvent.click(screen.getByTestId('orders-date-next'));
    await fireEvent.change(screen.getByTestId('orders-store'), { target: { value: STORE_ID } });
    await fireEvent.click(screen.getByTestId('orders-status-delivering'));
    await fireEvent.click(screen.getByTestId('orders-status-returning'));
    await fireEvent.input(screen.getByTestId('orders-search'), { target: { value: '吉沢' } });
    await vi.advanceTimersByTimeAsync(199);
    expect(list).toHaveBeenCalledTimes(5); // the search waits for the pause
    await vi.advanceTimersByTimeAsync(1);

    expect(list).toHaveBeenLastCalledWith({
      kind: 'fetch',
      statuses: ['delivering', 'returning'],
      store_id: STORE_ID,
      window_date: '2026-11-25',
      search: '吉沢',
      limit: 1000,
    });
    expect(counts).toHaveBeenLastCalledWith('fetch', '2026-11-25');

    await fireEvent.click(screen.getByTestId('orders-date-all'));
    expect(list.mock.lastCall?.[0].window_date).toBeNull();
    expect(counts).toHaveBeenLastCalledWith('fetch', null);
    await fireEvent.click(screen.getByTestId('orders-date-prev'));
    expect(list.mock.lastCall?.[0].window_date).toBe('2026-11-23');
    await fireEvent.click(screen.getByTestId('orders-status-all'));
    expect(list.mock.lastCall?.[0].statuses).toBeNull();
  });

  it('the Sync button pulls everything', async () => {
    await renderPage();
    sync.mockClear();
    await fireEvent.click(screen.getByTestId('orders-sync'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sync).toHaveBeenCalledExactlyOnceWith(true);
  });

  it('reloads when orders-changed arrives', async () => {
    await renderPage();
    const handler = listen.mock.calls[0]![0];
    list.mockClear();
    handler(report);
    await vi.advanceTimersByTimeAsync(0);
    expect(list).toHaveBeenCalledTimes(1);
  });

  it('empty cache: tells to sync', async () => {
    list.mockResolvedValue([]);
    counts.mockResolvedValue([]);
    const orders = await renderPage();
    await fireEvent.click(screen.getByTestId('orders-date-all'));
    await vi.advanceTimersByTimeAsync(0);
    expect(orders.filter.window_date).toBeNull();
    const empty = screen.getByTestId('orders-empty');
    expect(empty.textContent).toContain('「同期」');
    expect(screen.queryByTestId('orders-empty-clear')).toBeNull();
    expect(screen.queryAllByTestId('order-row')).toHaveLength(0);
    expect(screen.getByTestId('orders-count').textContent?.trim()).toBe('0 件');
  });

  it('empty under filters: tells to change them, and clearing lists every date', async () => {
    list.mockResolvedValue([]);
    await renderPage();
    const empty = screen.getByTestId('orders-empty');
    expect(empty.textContent).toContain('条件を変える');
    list.mockClear();
    await fireEvent.click(screen.getByTestId('orders-empty-clear'));
    expect(list).toHaveBeenCalledExactlyOnceWith({
      kind: 'delivery',
      statuses: null,
      store_id: null,
      window_date: null,
      search: null,
      limit: 1000,
    });
  });

  it('clicking a row opens the read-only details; Escape closes them', async () => {
    await renderPage();
    await fireEvent.click(screen.getAllByTestId('order-row')[0]!);
    const detail = screen.getByTestId('order-detail');
    const text = detail.textContent ?? '';
    for (const part of ['123456789012', '〒150-0001', '靴', '¥660', '¥1,540', '佐藤 一郎', '原付', '置き配不可']) {
      expect(text).toContain(part);
    }
    expect(detail.querySelectorAll('input, select, textarea')).toHaveLength(0);
    expect(screen.getAllByTestId('order-row')[0]!.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('order-detail')).toBeNull();
  });
});
