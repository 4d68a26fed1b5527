import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';

vi.mock('$lib/ipc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/ipc')>();
  return { ...actual, listStores: vi.fn(), syncStores: vi.fn(), appStatus: vi.fn() };
});

import { listStores, type CachedStore } from '$lib/ipc';
import { setLang } from '$i18n/index.svelte';
import { StatusState } from '$app/status.svelte';
import { StoresState } from '$features/stores/stores.svelte';
import StoresPage from '$features/stores/StoresPage.svelte';
import { focusSearch, keyboard } from '$app/keyboard.svelte';

const list = vi.mocked(listStores);

const shibuya: CachedStore = {
  id: 'a1',
  id_alias: 'S0001',
  store_name: '渋谷公園通り店',
  store_address_zipcode: '150-0041',
  store_address_prefecture: '東京都',
  store_address_line_1: '渋谷区神南1-1-1',
  store_address_line_2: '',
  store_phone: '03-1111-2222',
  store_type: 'in_mall_store',
  offers_delivery: true,
  offers_fetches: true,
  pickup_proof: 'signature',
  delivery_proof: 'signature',
  opening_time: '10:00',
  closing_time: '20:00',
  location: { lat: 35.664, lng: 139.698, level: 'town' },
  fetched_at: '2024-05-01T00:00:00Z',
};
const unlocated: CachedStore = { ...shibuya, id: 'b2', id_alias: 'S0002', store_name: '位置不明店', location: null };

describe('StoresPage', () => {
  beforeEach(() => {
    setLang('ja');
    vi.useFakeTimers();
    list.mockReset();
    list.mockResolvedValue([shibuya, unlocated]);
  });
  afterEach(() => vi.useRealTimers());

  async function renderPage() {
    const stores = new StoresState(new StatusState());
    await stores.reload();
    render(StoresPage, { stores });
    list.mockClear();
    return stores;
  }

  it('shows the rows with their labels, the count and the missing-location note', async () => {
    await renderPage();
    const rows = screen.getAllByTestId('store-row');
    expect(rows.map((r) => r.dataset.storeId)).toEqual(['a1', 'b2']);
    expect(rows[0]!.textContent).toContain('モール内');
    expect(rows[0]!.textContent).toContain('東京都渋谷区神南1-1-1');
    expect(rows[0]!.textContent).toContain('10:00–20:00');
    expect(screen.getByTestId('stores-count').textContent).toBe('2 件');
    expect(screen.getByTestId('stores-map-missing').textContent).toContain('1 件');
  });

  it('debounces the search box and lists with the query', async () => {
    await renderPage();
    const search = screen.getByTestId('stores-search');
    await fireEvent.input(search, { target: { value: '渋' } });
    await vi.advanceTimersByTimeAsync(80);
    await fireEvent.input(search, { target: { value: '渋谷' } });
    await vi.advanceTimersByTimeAsync(149);
    expect(list).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(list).toHaveBeenCalledTimes(1);
    expect(list).toHaveBeenCalledWith('渋谷');
  });

  it('lists every store again however the search box is emptied', async () => {
    await renderPage();
    const search = screen.getByTestId('stores-search') as HTMLInputElement;
    async function narrow(): Promise<void> {
      await fireEvent.input(search, { target: { value: '渋谷' } });
      await vi.advanceTimersByTimeAsync(150);
      expect(list).toHaveBeenLastCalledWith('渋谷');
      list.mockClear();
    }

    // Typing (or select-all + Backspace): an input event.
    await narrow();
    await fireEvent.input(search, { target: { value: '' } });
    await vi.advanceTimersByTimeAsync(150);
    expect(list).toHaveBeenCalledExactlyOnceWith(null);

    // WebDriver's clear in WebKit: the value goes, only change fires.
    await narrow();
    search.value = '';
    await fireEvent.change(search);
    await vi.advanceTimersByTimeAsync(150);
    expect(list).toHaveBeenCalledExactlyOnceWith(null);

    // The native clear button: a search event.
    await narrow();
    search.value = '';
    await fireEvent(search, new Event('search'));
    await vi.advanceTimersByTimeAsync(150);
    expect(list).toHaveBeenCalledExactlyOnceWith(null);
    expect(screen.getAllByTestId('store-row')).toHaveLength(2);
  });

  it('does not search twice when change follows input with the same text', async () => {
    await renderPage();
    const search = screen.getByTestId('stores-search') as HTMLInputElement;
    await fireEvent.input(search, { target: { value: '渋谷' } });
    await vi.advanceTimersByTimeAsync(150);
    await fireEvent.change(search);
    await vi.advanceTimersByTimeAsync(150);
    expect(list).toHaveBeenCalledExactlyOnceWith('渋谷');
  });

  it('keyboard: "/" focuses search, "n" opens the new-store form, Escape closes it', async () => {
    // The app's key map, as App.svelte wires it.
    keyboard.app = [{ keys: '/', labelKey: 'keys.search', run: focusSearch }];
    const onKey = (e: KeyboardEvent) => keyboard.handle(e);
    window.addEventListener('keydown', onKey);
    await renderPage();
    await fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(screen.getByTestId('stores-search'));
    (document.activeElement as HTMLElement).blur();
    await fireEvent.keyDown(document.body, { key: 'n' });
    expect(screen.getByTestId('store-form').dataset.mode).toBe('create');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('store-form')).toBeNull();
    window.removeEventListener('keydown', onKey);
  });

  it('clicking a row opens the edit form for that store', async () => {
    await renderPage();
    await fireEvent.click(screen.getAllByTestId('store-row')[0]!);
    const form = screen.getByTestId('store-form');
    expect(form.dataset.mode).toBe('edit');
    expect(form.querySelector<HTMLInputElement>('[name="store_name"]')?.value).toBe('渋谷公園通り店');
    expect(screen.getAllByTestId('store-row')[0]!.getAttribute('aria-selected')).toBe('true');
  });
});
