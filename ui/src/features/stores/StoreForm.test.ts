import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';

vi.mock('$lib/ipc', async (importOriginal) => {
  const actual = await importOriginal<typeof import('$lib/ipc')>();
  return { ...actual, createStore: vi.fn(), updateStore: vi.fn(), deleteStore: vi.fn() };
});

import { createStore, deleteStore, updateStore, type CachedStore, type Written } from '$lib/ipc';
import { setLang } from '$i18n/index.svelte';
import StoreForm from '$features/stores/StoreForm.svelte';

const create = vi.mocked(createStore);
const update = vi.mocked(updateStore);
const remove = vi.mocked(deleteStore);

const existing: CachedStore = {
  id: '5b94dbd8-fd45-49ce-9755-763d93ab6cf9',
  id_alias: 'S0003',
  store_name: '新宿中央通り店',
  store_address_zipcode: '135-3456',
  store_address_prefecture: '東京都',
  store_address_line_1: '新宿区西新宿4-5-6',
  store_address_line_2: '西新宿ビル1階',
  store_phone: '03-3333-4444',
  store_type: 'consolidation_store',
  offers_delivery: true,
  offers_fetches: true,
  pickup_proof: 'barcode',
  delivery_proof: 'signature',
  opening_time: '09:00',
  closing_time: '18:00',
  location: { lat: 35.69, lng: 139.69, level: 'town' },
  fetched_at: '2024-05-01T00:00:00Z',
};

function field<T extends HTMLElement = HTMLInputElement>(form: HTMLElement, name: string): T {
  const el = form.querySelector<T>(`[name="${name}"]`);
  if (!el) throw new Error(`no control named ${name}`);
  return el;
}

function props(store: CachedStore | null) {
  return { store, onclose: vi.fn(), onsaved: vi.fn(), ondeleted: vi.fn(), onqueued: vi.fn() };
}

describe('StoreForm', () => {
  beforeEach(() => {
    setLang('ja');
    create.mockReset();
    update.mockReset();
    remove.mockReset();
  });

  it('renders every StoreInput field with the create defaults', () => {
    render(StoreForm, props(null));
    const form = screen.getByTestId('store-form');
    for (const name of [
      'id_alias',
      'store_name',
      'store_address_zipcode',
      'store_address_prefecture',
      'store_address_line_1',
      'store_address_line_2',
      'store_phone',
      'store_type',
      'pickup_proof',
      'opening_time',
      'closing_time',
    ]) {
      expect(field(form, name)).toBeTruthy();
    }
    expect(field<HTMLSelectElement>(form, 'store_type').value).toBe('standalone_store');
    expect(field<HTMLSelectElement>(form, 'pickup_proof').value).toBe('signature');
    expect(field(form, 'store_name').value).toBe('');
    expect(screen.getByLabelText('店舗IDエイリアス')).toBe(field(form, 'id_alias'));
    expect(screen.getByLabelText('営業時間-終了')).toBe(field(form, 'closing_time'));
    const typeLabels = [...field<HTMLSelectElement>(form, 'store_type').options].map((o) => o.text);
    expect(typeLabels).toEqual(['路面店', 'モール内', 'ビルイン']);
    const proofLabels = [...field<HTMLSelectElement>(form, 'pickup_proof').options].map((o) => o.text);
    expect(proofLabels).toEqual(['バーコード読み取り', 'サイン', 'セルフチェック']);
    expect(screen.queryByTestId('store-delete')).toBeNull();
  });

  it('shows a field error under the right input, keeps what was typed and focuses it', async () => {
    const message = String.raw`store_address_zipcode: must match /\A\d{3}[-]\d{4}\z/`;
    create.mockRejectedValue({ code: 'bad_request', message, field: 'store_address_zipcode' });
    const p = props(null);
    render(StoreForm, p);
    const form = screen.getByTestId('store-form');

    await fireEvent.input(field(form, 'store_name'), { target: { value: '渋谷店' } });
    await fireEvent.input(field(form, 'store_address_zipcode'), { target: { value: '1500001' } });
    await fireEvent.input(field(form, 'store_phone'), { target: { value: '03-1234-5678' } });
    await fireEvent.change(field(form, 'pickup_proof'), { target: { value: 'barcode' } });
    await fireEvent.click(screen.getByTestId('store-save'));

    const error = await screen.findByTestId('field-error-store_address_zipcode');
    // A sentence in the UI's language, then the API's own rule text without the field name.
    expect(error.querySelector('.field-error-text')?.textContent).toBe(
      '「123-4567」の形式（半角数字とハイフン）で入力してください',
    );
    expect(error.querySelector('.field-error-rule')?.textContent).toBe(String.raw`must match /\A\d{3}[-]\d{4}\z/`);
    expect(error.textContent).toContain(String.raw`\d{3}[-]\d{4}`);
    expect(error.textContent).not.toContain('store_address_zipcode');
    // The message sits with its own input.
    expect(error.closest('.field')?.querySelector('[name="store_address_zipcode"]')).toBe(
      field(form, 'store_address_zipcode'),
    );
    expect(field(form, 'store_address_zipcode').getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(field(form, 'store_address_zipcode')));

    expect(field(form, 'store_name').value).toBe('渋谷店');
    expect(field(form, 'store_address_zipcode').value).toBe('1500001');
    expect(field(form, 'store_phone').value).toBe('03-1234-5678');
    expect(field<HTMLSelectElement>(form, 'pickup_proof').value).toBe('barcode');
    expect(screen.queryByTestId('form-error')).toBeNull();
    expect(p.onsaved).not.toHaveBeenCalled();
    expect((screen.getByTestId('store-save') as HTMLButtonElement).disabled).toBe(false);

    expect(create).toHaveBeenCalledWith({
      id_alias: null,
      store_name: '渋谷店',
      store_address_zipcode: '1500001',
      store_address_prefecture: null,
      store_address_line_1: null,
      store_address_line_2: null,
      store_phone: '03-1234-5678',
      store_type: 'standalone_store',
      pickup_proof: 'barcode',
      opening_time: null,
      closing_time: null,
    });
  });

  it('says how long the value is when it is too long', async () => {
    create.mockRejectedValue({
      code: 'bad_request',
      message: 'store_name: must be at most 100 characters',
      field: 'store_name',
    });
    render(StoreForm, props(null));
    const form = screen.getByTestId('store-form');
    await fireEvent.input(field(form, 'store_name'), { target: { value: `  ${'店'.repeat(101)} ` } });
    await fireEvent.click(screen.getByTestId('store-save'));
    const error = await screen.findByTestId('field-error-store_name');
    expect(error.querySelector('.field-error-text')?.textContent).toBe(
      '100文字以内で入力してください（現在 101 文字）',
    );
    expect(error.querySelector('.field-error-rule')?.textContent).toBe('must be at most 100 characters');
  });

  it('localises with the language and clears the error when the field is edited', async () => {
    create.mockRejectedValue({ code: 'bad_request', message: 'store_phone: is required', field: 'store_phone' });
    render(StoreForm, props(null));
    await fireEvent.click(screen.getByTestId('store-save'));
    const error = await screen.findByTestId('field-error-store_phone');
    expect(error.querySelector('.field-error-text')?.textContent).toBe('必須項目です');
    setLang('en');
    await waitFor(() => expect(error.querySelector('.field-error-text')?.textContent).toBe('Required'));
    expect(error.querySelector('.field-error-rule')?.textContent).toBe('is required');
    await fireEvent.input(field(screen.getByTestId('store-form'), 'store_phone'), { target: { value: '0' } });
    expect(screen.queryByTestId('field-error-store_phone')).toBeNull();
  });

  it('shows a message it cannot read as it came', async () => {
    const message = 'store_phone: is not a number we can dial';
    create.mockRejectedValue({ code: 'bad_request', message, field: 'store_phone' });
    render(StoreForm, props(null));
    await fireEvent.click(screen.getByTestId('store-save'));
    const error = await screen.findByTestId('field-error-store_phone');
    expect(error.textContent?.trim()).toBe(message);
    expect(error.querySelector('.field-error-rule')).toBeNull();
  });

  it('shows errors without a field at the top of the form', async () => {
    create.mockRejectedValue('connection refused');
    render(StoreForm, props(null));
    await fireEvent.click(screen.getByTestId('store-save'));
    const error = await screen.findByTestId('form-error');
    expect(error.textContent).toContain('connection refused');
    expect(error.textContent).toContain('内部エラーが発生しました');
  });

  it('disables the buttons while saving and reports the saved store', async () => {
    let finish: (written: Written<CachedStore>) => void = () => {};
    update.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const p = props(existing);
    render(StoreForm, p);
    const form = screen.getByTestId('store-form');
    await fireEvent.input(field(form, 'store_phone'), { target: { value: '03-3333-1111' } });
    await fireEvent.click(screen.getByTestId('store-save'));
    expect((screen.getByTestId('store-save') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('store-cancel') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('store-delete') as HTMLButtonElement).disabled).toBe(true);
    // Edit sends only what changed.
    expect(update).toHaveBeenCalledWith(existing.id, { store_phone: '03-3333-1111' });
    finish({ state: 'applied', client_id: 'c1', value: { ...existing, store_phone: '03-3333-1111' } });
    await waitFor(() => expect(p.onsaved).toHaveBeenCalledWith({ ...existing, store_phone: '03-3333-1111' }, false));
    expect(p.onqueued).not.toHaveBeenCalled();
  });

  it('reports a save the API could not take now as queued, not saved', async () => {
    const reason = { code: 'transport' as const, message: 'connection refused', field: null };
    update.mockResolvedValue({ state: 'queued', client_id: 'c2', reason });
    const p = props(existing);
    render(StoreForm, p);
    const form = screen.getByTestId('store-form');
    await fireEvent.input(field(form, 'store_phone'), { target: { value: '03-3333-1111' } });
    await fireEvent.click(screen.getByTestId('store-save'));
    await waitFor(() => expect(p.onqueued).toHaveBeenCalledWith(reason));
    expect(p.onsaved).not.toHaveBeenCalled();
  });

  it('reports a delete the API could not take now as queued', async () => {
    const reason = { code: 'transport' as const, message: 'connection refused', field: null };
    remove.mockResolvedValue({ state: 'queued', client_id: 'c3', reason });
    const p = props(existing);
    render(StoreForm, p);
    await fireEvent.click(screen.getByTestId('store-delete'));
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(p.onqueued).toHaveBeenCalledWith(reason));
    expect(p.ondeleted).not.toHaveBeenCalled();
  });

  it('deletes only after the in-app confirmation', async () => {
    remove.mockResolvedValue({ state: 'applied', client_id: 'c4', value: null });
    const p = props(existing);
    render(StoreForm, p);
    await fireEvent.click(screen.getByTestId('store-delete'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('新宿中央通り店');
    await fireEvent.click(screen.getByTestId('confirm-cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(remove).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('store-delete'));
    await fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(p.ondeleted).toHaveBeenCalledWith(existing.id));
    expect(remove).toHaveBeenCalledWith(existing.id);
  });

  it('Escape closes the form, or the confirmation first', async () => {
    const p = props(existing);
    render(StoreForm, p);
    await fireEvent.click(screen.getByTestId('store-delete'));
    await fireEvent.keyDown(screen.getByTestId('confirm-cancel'), { key: 'Escape' });
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(p.onclose).not.toHaveBeenCalled();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(p.onclose).toHaveBeenCalledTimes(1);
  });

  it('follows the language', async () => {
    setLang('en');
    render(StoreForm, props(null));
    expect(screen.getByLabelText('Store ID alias')).toBeTruthy();
    expect(screen.getByTestId('store-save').textContent?.trim()).toBe('Save');
  });
});
