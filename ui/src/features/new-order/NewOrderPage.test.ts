import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';

vi.mock('$lib/ipc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/ipc')>();
  return {
    ...actual,
    listStores: vi.fn(),
    listTimeZones: vi.fn(),
    slotGrid: vi.fn(),
    postalLookup: vi.fn(),
    normalizeAddress: vi.fn(),
    estimateOrder: vi.fn(),
    reserveWindow: vi.fn(),
    createOrder: vi.fn(),
  };
});

import {
  createOrder,
  estimateOrder,
  listStores,
  normalizeAddress,
  postalLookup,
  reserveWindow,
  listTimeZones,
  slotGrid,
  type CachedOrder,
  type CachedStore,
  type EstimateView,
  type Hold,
} from '$lib/ipc';
import { setLang } from '$i18n/index.svelte';
import NewOrderPage from '$features/new-order/NewOrderPage.svelte';
import { draftStorageKey } from '$features/new-order/newOrder.svelte';

const stores = vi.mocked(listStores);
const postal = vi.mocked(postalLookup);
const normalize = vi.mocked(normalizeAddress);
const estimate = vi.mocked(estimateOrder);
const create = vi.mocked(createOrder);
const reserve = vi.mocked(reserveWindow);
const zones = vi.mocked(listTimeZones);
const grid = vi.mocked(slotGrid);

const azabu: CachedStore = {
  id: '1724e928-f458-468d-9987-1c38a227e172',
  id_alias: 'S0001',
  store_name: 'ライフスタイルショップ',
  store_address_zipcode: '106-0045',
  store_address_prefecture: '東京都',
  store_address_line_1: '港区麻布十番1-2-3',
  store_address_line_2: '',
  store_phone: '03-1111-2222',
  store_type: 'standalone_store',
  offers_delivery: true,
  offers_fetches: false,
  pickup_proof: 'barcode',
  delivery_proof: 'signature',
  opening_time: '09:00',
  closing_time: '18:00',
  location: { lat: 35.65, lng: 139.73, level: 'chome' },
  fetched_at: '2026-05-01T00:00:00Z',
};
const fetchOnly: CachedStore = { ...azabu, id: '8117ba12-ece6-462e-884a-8df46225fa73', id_alias: 'S0002', store_name: '新宿中央通り店', offers_delivery: false, offers_fetches: true };

function hold(id: string, startsAt: string | null, endsAt: string, expiresInMs: number): Hold {
  return { id, starts_at: startsAt, ends_at: endsAt, expires_at: new Date(Date.now() + expiresInMs).toISOString() };
}

function estimateView(expiresInMs = 30 * 60 * 1000, extra = false): EstimateView {
  return {
    id: 'cc8ffe5e-8f6d-44c9-9ab7-096565eb051f',
    kind: 'delivery',
    ready_by: '2026-11-24T09:00:00+09:00',
    time_window: hold('5db8a7e7-2052-45ed-9455-d7256fd5e77c', '2026-11-24T10:00:00+09:00', '2026-11-24T11:00:00+09:00', expiresInMs),
    anytime_window: hold('199458e9-f037-4fac-8f31-65452d83bb07', null, '2026-11-25T00:00:00+09:00', expiresInMs),
    unavailable_windows: [],
    distance: 3087,
    packages: [{ service_brand: '80サイズ', name: '衣料', boxes: 1, number: 1, price: extra ? 1210 : 880 }],
    total_price: extra ? 1210 : 880,
    extra_charge: extra,
    store: { id: azabu.id, name: azabu.store_name },
  };
}

function byTestId<T extends HTMLElement = HTMLInputElement>(id: string): T {
  return screen.getByTestId(id) as T;
}

async function type(testid: string, value: string): Promise<void> {
  await fireEvent.input(byTestId(testid), { target: { value } });
}

async function renderPage() {
  const result = render(NewOrderPage, { params: {} });
  await waitFor(() => expect(stores).toHaveBeenCalled());
  await waitFor(() => expect(byTestId<HTMLSelectElement>('new-order-store').options.length).toBeGreaterThan(1));
  return result;
}

/** Store, an address the postal code fills, a name and phone. */
async function fillCustomer(): Promise<void> {
  postal.mockResolvedValueOnce({ code: '106-0045', prefecture: '東京都', city: '港区', towns: ['麻布十番'] });
  await fireEvent.change(byTestId('new-order-store'), { target: { value: azabu.id } });
  await type('new-order-zipcode', '1060045');
  await waitFor(() => expect(byTestId('new-order-line1').value).toBe('港区麻布十番'));
  await type('new-order-line1', '港区麻布十番1-2-3');
  await type('new-order-last-name', '吉沢');
  await type('new-order-phone', '03-1234-5678');
}

describe('NewOrderPage', () => {
  beforeEach(() => {
    setLang('ja');
    localStorage.clear();
    location.hash = '#/new';
    for (const mock of [stores, postal, normalize, estimate, create, reserve, zones, grid]) mock.mockReset();
    stores.mockResolvedValue([azabu, fetchOnly]);
    normalize.mockImplementation(async (_prefecture, line1) => ({
      prefecture: '東京都',
      line_1: line1,
      line_2: '',
      level: 'chome',
      lat: 35.65,
      lng: 139.73,
    }));
  });
  afterEach(() => {
    cleanup();
    localStorage.clear();
  });

  it('lists only the stores offering the kind, in the document’s field order', async () => {
    await renderPage();
    const options = [...byTestId<HTMLSelectElement>('new-order-store').options].map((o) => o.value);
    expect(options).toEqual(['', azabu.id]);
    await fireEvent.click(screen.getByTestId('new-order-kind-fetch'));
    await waitFor(() =>
      expect([...byTestId<HTMLSelectElement>('new-order-store').options].map((o) => o.value)).toEqual(['', fetchOnly.id]),
    );
    expect(screen.getByTestId('new-order-page').dataset.kind).toBe('fetch');
  });

  it('fills prefecture and line 1 from a postal code with one town', async () => {
    await renderPage();
    postal.mockResolvedValueOnce({ code: '106-0032', prefecture: '東京都', city: '港区', towns: ['六本木'] });
    await type('new-order-zipcode', '１０６００３２');
    await waitFor(() => expect(byTestId('new-order-line1').value).toBe('港区六本木'));
    expect(postal).toHaveBeenCalledWith('１０６００３２');
    expect(byTestId<HTMLSelectElement>('new-order-prefecture').value).toBe('東京都');
    expect(byTestId('new-order-zipcode').value).toBe('106-0032');
    expect(screen.queryByTestId('new-order-town-picker')).toBeNull();

    // Leaving line 1: normalised, the building moved to line 2, the level shown.
    normalize.mockResolvedValueOnce({
      prefecture: '東京都',
      line_1: '港区六本木6丁目10-1',
      line_2: '六本木ヒルズ森タワー',
      level: 'chome',
      lat: 35.66,
      lng: 139.73,
    });
    await type('new-order-line1', '港区六本木6-10-1 六本木ヒルズ森タワー');
    await fireEvent.blur(byTestId('new-order-line1'));
    await waitFor(() => expect(byTestId('new-order-line1').value).toBe('港区六本木6丁目10-1'));
    expect(normalize).toHaveBeenLastCalledWith('東京都', '港区六本木6-10-1 六本木ヒルズ森タワー');
    expect(byTestId('new-order-line2').value).toBe('六本木ヒルズ森タワー');
    expect(screen.getByTestId('new-order-geo-level').textContent?.trim()).toBe('町丁目まで特定');
  });

  it('asks which town when the postal code covers several, keeping what follows the town', async () => {
    await renderPage();
    postal.mockResolvedValueOnce({ code: '100-0001', prefecture: '東京都', city: '千代田区', towns: ['千代田', '皇居外苑'] });
    await type('new-order-zipcode', '100-0001');
    const picker = await screen.findByTestId('new-order-town-picker');
    const options = screen.getAllByTestId('new-order-town-option') as HTMLInputElement[];
    expect(options.map((o) => o.value)).toEqual(['千代田', '皇居外苑']);
    expect(picker.textContent).toContain('千代田区');
    expect(byTestId('new-order-line1').value).toBe('千代田区');
    expect(byTestId<HTMLSelectElement>('new-order-prefecture').value).toBe('東京都');

    await fireEvent.click(options[0]!);
    expect(byTestId('new-order-line1').value).toBe('千代田区千代田');
    await type('new-order-line1', '千代田区千代田1-1');
    await fireEvent.click(options[1]!);
    expect(byTestId('new-order-line1').value).toBe('千代田区皇居外苑1-1');
  });

  it('shows an unknown postal code at the field with the API’s rule', async () => {
    await renderPage();
    postal.mockRejectedValueOnce({
      code: 'bad_request',
      message: 'address_zipcode: 9999999 is not a Japanese postal code',
      field: 'address_zipcode',
    });
    await type('new-order-zipcode', '999-9999');
    const error = await screen.findByTestId('new-order-error-customer.address_zipcode');
    expect(error.textContent).toContain('この郵便番号は見つかりません');
    expect(error.textContent).toContain('9999999 is not a Japanese postal code');
    expect(byTestId('new-order-zipcode').getAttribute('aria-invalid')).toBe('true');
    expect(byTestId('new-order-zipcode').value).toBe('999-9999');
  });

  it('puts packages[1].boxes on the second package row and keeps everything typed', async () => {
    await renderPage();
    await fillCustomer();
    await type('new-order-package-0-name', '衣料');
    await fireEvent.click(screen.getByTestId('new-order-add-package'));
    expect(screen.getByTestId('new-order-package-1')).toBeTruthy();
    await type('new-order-package-1-name', '花瓶');
    await type('new-order-package-1-attention', '割れ物');
    estimate.mockResolvedValueOnce(estimateView());
    await fireEvent.click(screen.getByTestId('new-order-estimate'));
    await screen.findByTestId('new-order-window-time');

    create.mockRejectedValueOnce({
      code: 'bad_request',
      message: 'packages[1].boxes: must be an integer from 1 to 10',
      field: 'packages[1].boxes',
    });
    await fireEvent.click(screen.getByTestId('new-order-create'));

    const error = await screen.findByTestId('new-order-error-packages[1].boxes');
    expect(error.closest('[data-testid="new-order-package-1"]')).not.toBeNull();
    expect(error.textContent).toContain('1〜10の整数で入力してください');
    expect(error.textContent).toContain('must be an integer from 1 to 10');
    expect(byTestId('new-order-package-1-boxes').getAttribute('aria-invalid')).toBe('true');
    expect(byTestId('new-order-package-0-boxes').getAttribute('aria-invalid')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(byTestId('new-order-package-1-boxes')));

    expect(byTestId('new-order-package-0-name').value).toBe('衣料');
    expect(byTestId('new-order-package-1-name').value).toBe('花瓶');
    expect(byTestId('new-order-package-1-attention').value).toBe('割れ物');
    expect(byTestId('new-order-last-name').value).toBe('吉沢');
    expect(byTestId('new-order-phone').value).toBe('03-1234-5678');
    expect(byTestId('new-order-line1').value).toBe('港区麻布十番1-2-3');
    expect(location.hash).toBe('#/new');

    // The body sent: the document's names, the held window, two package lines.
    const [kind, body, window] = create.mock.calls[0]!;
    expect(kind).toBe('delivery');
    expect(window).toBe('given');
    expect(body).toMatchObject({
      store_id: azabu.id,
      delivery_window_id: '5db8a7e7-2052-45ed-9455-d7256fd5e77c',
      customer: {
        address_zipcode: '106-0045',
        address_prefecture: '東京都',
        address_line_1: '港区麻布十番1-2-3',
        last_name: '吉沢',
        phone: '03-1234-5678',
      },
      packages: [
        { service_brand: '80サイズ', name: '衣料', boxes: 2, number: 1 },
        { service_brand: '80サイズ', name: '花瓶', boxes: 2, number: 2, attention: '割れ物' },
      ],
    });
    expect(body.ready_by).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+09:00$/);
    expect(body).not.toHaveProperty('until');
  });

  it('counts the hold down and says when it has expired', async () => {
    await renderPage();
    await fillCustomer();
    estimate.mockResolvedValueOnce(estimateView(1500, true));
    await fireEvent.click(screen.getByTestId('new-order-estimate'));
    const expiry = await screen.findByTestId('new-order-expiry');
    expect(expiry.dataset.expired).toBe('false');
    expect(expiry.textContent).toMatch(/00:0[12]/);
    expect(screen.getByTestId('new-order-window-time').textContent).toContain('10:00–11:00');
    expect(screen.getByTestId('new-order-window-time').textContent).toContain('割増 ¥330');
    expect(screen.getByTestId('new-order-window-anytime').textContent).toContain('時間指定なし');
    expect(screen.getByTestId('new-order-total').textContent).toBe('¥1,210');
    // The anytime window has no surcharge.
    await fireEvent.click(screen.getByTestId('new-order-window-anytime'));
    expect(screen.getByTestId('new-order-total').textContent).toBe('¥880');
    expect((screen.getByTestId('new-order-create') as HTMLButtonElement).disabled).toBe(false);

    await waitFor(() => expect(screen.getByTestId('new-order-expiry').dataset.expired).toBe('true'), { timeout: 4000 });
    expect(screen.getByTestId('new-order-expiry').textContent).toContain('確保期限が切れました');
    expect((screen.getByTestId('new-order-create') as HTMLButtonElement).disabled).toBe(true);
  });

  it('keeps the draft across a remount and clears it after a create', async () => {
    const first = await renderPage();
    await fillCustomer();
    await type('new-order-package-0-name', '衣料');
    first.unmount();
    const saved = localStorage.getItem(draftStorageKey('delivery'));
    expect(saved).toContain('吉沢');

    await renderPage();
    await waitFor(() => expect(byTestId<HTMLSelectElement>('new-order-store').value).toBe(azabu.id));
    expect(byTestId('new-order-last-name').value).toBe('吉沢');
    expect(byTestId('new-order-line1').value).toBe('港区麻布十番1-2-3');
    expect(byTestId('new-order-package-0-name').value).toBe('衣料');

    estimate.mockResolvedValueOnce(estimateView());
    await fireEvent.click(screen.getByTestId('new-order-estimate'));
    await screen.findByTestId('new-order-window-time');
    create.mockResolvedValueOnce({
      state: 'applied',
      client_id: 'c1',
      value: { id: '9c591252-cc98-4820-b8cf-28e159283622', tracking_code: '031015293758' } as CachedOrder,
    });
    await fireEvent.click(screen.getByTestId('new-order-create'));
    await waitFor(() => expect(location.hash).toBe('#/orders/delivery/9c591252-cc98-4820-b8cf-28e159283622'));
    await waitFor(() => expect(localStorage.getItem(draftStorageKey('delivery'))).toBeNull());
  });

  it('says an estimate needs the API when offline and keeps the draft', async () => {
    await renderPage();
    await fillCustomer();
    estimate.mockRejectedValueOnce({
      code: 'transport',
      message: 'connection refused; an estimate needs the API (the server holds the windows): try again when online',
      field: null,
    });
    await fireEvent.click(screen.getByTestId('new-order-estimate'));
    const notice = await screen.findByTestId('new-order-offline');
    expect(notice.textContent).toContain('見積にはAPIへの接続が必要です');
    expect(byTestId('new-order-last-name').value).toBe('吉沢');
    expect(byTestId('new-order-line1').value).toBe('港区麻布十番1-2-3');
    expect((screen.getByTestId('new-order-create') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(localStorage.getItem(draftStorageKey('delivery'))).toContain('港区麻布十番1-2-3'));
  });

  it('goes to the board when the create is queued', async () => {
    await renderPage();
    await fillCustomer();
    estimate.mockResolvedValueOnce(estimateView());
    await fireEvent.click(screen.getByTestId('new-order-estimate'));
    await screen.findByTestId('new-order-window-time');
    create.mockResolvedValueOnce({
      state: 'queued',
      client_id: 'c2',
      reason: { code: 'transport', message: 'connection refused', field: null },
    });
    await fireEvent.click(screen.getByTestId('new-order-create'));
    await waitFor(() => expect(location.hash).toBe('#/board'));
  });

  it('reserves another slot and says when it is sold out', async () => {
    await renderPage();
    await fillCustomer();
    zones.mockResolvedValue([
      { id: '9fad40c3-1347-4ce8-bd06-61c180391f4b', starts: 0, ends: 24, status: 'anytime', is_extra_charge: false },
      { id: 'f30316b2-8e9e-40cf-827c-09a3e88c3ea3', starts: 12, ends: 13, status: 'time', is_extra_charge: false },
    ]);
    await fireEvent.click(screen.getByTestId('new-order-other-open'));
    await waitFor(() => expect(byTestId<HTMLSelectElement>('new-order-other-zone').options.length).toBe(3));
    await fireEvent.change(byTestId('new-order-other-zone'), { target: { value: 'f30316b2-8e9e-40cf-827c-09a3e88c3ea3' } });
    await fireEvent.input(byTestId('new-order-other-date'), { target: { value: '2026-11-26' } });

    reserve.mockRejectedValueOnce({ code: 'not_found', message: 'time_zone_id: sold out', field: null });
    await fireEvent.click(screen.getByTestId('new-order-other-reserve'));
    const problem = await screen.findByTestId('new-order-reserve-problem');
    expect(problem.dataset.kind).toBe('soldOut');
    expect(problem.textContent).toContain('売り切れ');

    reserve.mockResolvedValueOnce({
      state: 'applied',
      client_id: 'c3',
      value: hold('9937783e-c09d-4e13-93c5-a57fc6e05474', '2026-11-26T12:00:00+09:00', '2026-11-26T13:00:00+09:00', 60_000),
    });
    await fireEvent.click(screen.getByTestId('new-order-other-reserve'));
    const card = await screen.findByTestId('new-order-window-other');
    expect(reserve).toHaveBeenLastCalledWith(azabu.id, '2026-11-26', 'f30316b2-8e9e-40cf-827c-09a3e88c3ea3');
    expect(card.getAttribute('aria-pressed')).toBe('true');
    expect(card.textContent).toContain('12:00–13:00');
  });

  it('estimates on Ctrl+Enter, then moves to the create button without creating', async () => {
    await renderPage();
    await fillCustomer();
    estimate.mockResolvedValueOnce(estimateView());
    await fireEvent.keyDown(byTestId('new-order-phone'), { key: 'Enter', ctrlKey: true });
    await screen.findByTestId('new-order-window-time');
    expect(estimate).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(byTestId('new-order-phone'), { key: 'Enter', ctrlKey: true });
    expect(document.activeElement).toBe(screen.getByTestId('new-order-create'));
    expect(estimate).toHaveBeenCalledTimes(1);
    expect(create).not.toHaveBeenCalled();
  });

  it('takes the store and a hold handed over by the window calendar (?store=&window=)', async () => {
    const expires = new Date(Date.now() + 20 * 60_000).toISOString();
    const cell = {
      time_zone_id: 'f30316b2-8e9e-40cf-827c-09a3e88c3ea3',
      starts_at: '2026-11-26T12:00:00+09:00',
      ends_at: '2026-11-26T13:00:00+09:00',
      past: false,
      sold_out: false,
      known_as_of: null,
      stale: false,
      extra_charge: false,
      held: 1,
      held_expires_at: expires,
      hold_ids: ['9937783e-c09d-4e13-93c5-a57fc6e05474'],
      booked: 0,
    };
    grid.mockResolvedValue({
      store_id: fetchOnly.id,
      start_date: '2026-11-24',
      now: '2026-11-24T09:00:00+09:00',
      columns: [],
      anytime_zone_id: '9fad40c3-1347-4ce8-bd06-61c180391f4b',
      days: [
        {
          date: '2026-11-26',
          anytime: { past: false, held: 0, held_expires_at: null, hold_ids: [], booked: 0 },
          cells: [cell],
        },
      ],
    });
    location.hash = `#/new?store=${fetchOnly.id}&window=9937783e-c09d-4e13-93c5-a57fc6e05474`;
    await renderPage();
    const card = await screen.findByTestId('new-order-window-other');
    expect(card.textContent).toContain('12:00–13:00');
    expect(card.getAttribute('aria-pressed')).toBe('true');
    // The store offers fetches only: the form switched to 回収.
    expect(screen.getByTestId('new-order-page').dataset.kind).toBe('fetch');
    expect(byTestId<HTMLSelectElement>('new-order-store').value).toBe(fetchOnly.id);
    expect(grid).toHaveBeenCalledWith(fetchOnly.id, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/));
    expect(screen.getByTestId('new-order-expiry').textContent).toMatch(/(19|20):\d{2}/);
  });

  it('does not submit anything on Enter in the last package row', async () => {
    await renderPage();
    const input = byTestId('new-order-package-0-attention');
    input.focus();
    const form = input.closest('form')!;
    const submitted = vi.fn();
    form.addEventListener('submit', submitted);
    await fireEvent.keyDown(input, { key: 'Enter' });
    await fireEvent.submit(form);
    expect(estimate).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
    expect(submitted.mock.calls[0]![0].defaultPrevented).toBe(true);
  });
});
