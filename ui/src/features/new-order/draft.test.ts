import { describe, expect, it } from 'vitest';
import {
  createBody,
  defaultReadyBy,
  emptyDraft,
  estimateBody,
  estimateKey,
  isBlank,
  isCompleteZipcode,
  readDraft,
  readyByIso,
} from './draft';
import { describeOrderRule, fieldErrorView, fieldKeyOf } from './errors';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';

function filled() {
  const d = emptyDraft(new Date('2026-11-24T00:07:00Z'));
  d.store_id = 'store';
  d.customer = {
    ...d.customer,
    address_zipcode: '106-0045',
    address_prefecture: '東京都',
    address_line_1: ' 港区麻布十番1-2-3 ',
    last_name: '吉沢',
    phone: '03-1234-5678',
  };
  d.packages[0]!.name = '衣料';
  d.hint = '18:00';
  return d;
}

describe('new-order draft', () => {
  it('defaults ready_by to now rounded up to the next quarter hour, Japan time', () => {
    expect(defaultReadyBy(new Date('2026-11-24T00:07:00Z'))).toEqual({ date: '2026-11-24', time: '09:15' });
    expect(defaultReadyBy(new Date('2026-11-24T00:15:00Z'))).toEqual({ date: '2026-11-24', time: '09:15' });
    expect(defaultReadyBy(new Date('2026-11-24T14:50:00Z'))).toEqual({ date: '2026-11-25', time: '00:00' });
    expect(readyByIso(filled())).toBe('2026-11-24T09:15:00+09:00');
  });

  it('builds the estimate body with each kind’s names', () => {
    const delivery = estimateBody('delivery', filled());
    expect(delivery).toEqual({
      store_id: 'store',
      ready_by: '2026-11-24T09:15:00+09:00',
      customer: { address_zipcode: '106-0045', address_prefecture: '東京都', address_line_1: '港区麻布十番1-2-3' },
      packages: [{ service_brand: '80サイズ', name: '衣料', boxes: 1, number: 1 }],
    });
    const fetch = estimateBody('fetch', filled());
    expect(fetch).toHaveProperty('deliver_by', '2026-11-24T09:15:00+09:00');
    expect(fetch).not.toHaveProperty('ready_by');
    expect(fetch.customer).toMatchObject({ last_name: '吉沢', phone: '03-1234-5678' });
  });

  it('sends until/after only with an anytime window', () => {
    expect(createBody('delivery', filled(), 'w', false)).not.toHaveProperty('until');
    expect(createBody('delivery', filled(), 'w', true)).toHaveProperty('until', '18:00');
    const fetch = createBody('fetch', filled(), 'w', true);
    expect(fetch).toHaveProperty('after', '18:00');
    expect(fetch).toHaveProperty('fetch_window_id', 'w');
  });

  it('makes an estimate stale on the store, time, address or brands, not on names', () => {
    const d = filled();
    const key = estimateKey('delivery', d);
    d.customer.first_name = '健二';
    d.packages[0]!.name = '花瓶';
    expect(estimateKey('delivery', d)).toBe(key);
    d.packages[0]!.service_brand = '100サイズ';
    expect(estimateKey('delivery', d)).not.toBe(key);
  });

  it('reads back what it stored, and nothing else', () => {
    const d = filled();
    expect(readDraft(JSON.parse(JSON.stringify(d)))).toEqual(d);
    expect(readDraft('x')).toBeNull();
    expect(readDraft({ customer: {}, packages: [] })!.packages).toHaveLength(1);
    expect(isBlank(emptyDraft())).toBe(true);
    expect(isBlank(d)).toBe(false);
  });

  it('knows a complete postal code however it is typed', () => {
    for (const code of ['1060045', '106-0045', '１０６－００４５', '〒106-0045']) expect(isCompleteZipcode(code)).toBe(true);
    for (const code of ['106004', '106-00456', 'abc-defg']) expect(isCompleteZipcode(code)).toBe(false);
  });
});

describe('new-order field errors', () => {
  it('maps the API’s paths to the form’s fields', () => {
    expect(fieldKeyOf('packages[1].boxes')).toBe('packages[1].boxes');
    expect(fieldKeyOf('customer.address_zipcode')).toBe('customer.address_zipcode');
    expect(fieldKeyOf('address_zipcode')).toBe('customer.address_zipcode');
    expect(fieldKeyOf('deliver_by')).toBe('ready_by');
    expect(fieldKeyOf('fetch_window_id')).toBe('window');
    expect(fieldKeyOf('after')).toBe('hint');
    expect(fieldKeyOf('time_zone_id')).toBe('reserve');
    expect(fieldKeyOf('body')).toBeNull();
  });

  it('says the order rules in the UI’s language and keeps the API’s text', () => {
    const t = (key: MessageKey, params?: Record<string, string | number>) => translate('ja', key, params);
    const view = (message: string, field: string) => fieldErrorView({ code: 'bad_request', message, field });
    expect(describeOrderRule(view('ready_by: must be at most 14 days ahead', 'ready_by'), t)).toBe(
      '14日先までの日時を指定してください',
    );
    expect(describeOrderRule(view('customer.phone: is required', 'customer.phone'), t)).toBe('必須項目です');
    const expired = view('delivery_window_id: window expired (時間枠の違反); make a new estimate', 'delivery_window_id');
    expect(expired.ruleText).toBe('window expired (時間枠の違反); make a new estimate');
    expect(describeOrderRule(expired, t)).toContain('確保期限');
    expect(describeOrderRule(view('x: something new', 'x'), t)).toBeNull();
  });
});
