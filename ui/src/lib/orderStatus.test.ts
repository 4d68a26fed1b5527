import { describe, expect, it } from 'vitest';
import { ja } from '$i18n/ja';
import { en } from '$i18n/en';
import { ORDER_STATUSES, statusLabelKey, statusTone } from '$lib/orderStatus';

describe('order statuses', () => {
  it('name a status the document does not list, in a tone of its own', () => {
    expect(statusTone('unknown')).toBe('unknown');
    expect(statusTone('lost_in_transit')).toBe('unknown');
    expect(ja[statusLabelKey('unknown')]).toBe('不明なステータス');
    expect(en[statusLabelKey('unknown')]).toBe('Unknown status');
    expect(ORDER_STATUSES).not.toContain('unknown');
  });

  it('are the ten DIAq statuses in lifecycle order', () => {
    expect(ORDER_STATUSES).toEqual([
      'created',
      'assigned',
      'collecting',
      'arrived_origin',
      'delivering',
      'arrived_goal',
      'delivered',
      'canceled',
      'returning',
      'returned',
    ]);
  });

  it('have the documented Japanese labels and an English label each', () => {
    const labels = Object.fromEntries(ORDER_STATUSES.map((s) => [s, ja[statusLabelKey(s)]]));
    expect(labels).toEqual({
      created: '受付',
      assigned: 'アンカー決定',
      collecting: '集荷へ移動中',
      arrived_origin: '集荷地点到着',
      delivering: '配送中',
      arrived_goal: '配送先到着',
      delivered: '配達完了',
      canceled: 'キャンセル',
      returning: '返送中',
      returned: '返送完了',
    });
    for (const s of ORDER_STATUSES) expect(en[statusLabelKey(s)], s).toMatch(/^[A-Z][a-z ]+$/);
  });

  it('map to calm colour families: in progress blue, delivered green, canceled grey, returns amber', () => {
    const tones = Object.fromEntries(ORDER_STATUSES.map((s) => [s, statusTone(s)]));
    expect(tones).toEqual({
      created: 'new',
      assigned: 'progress',
      collecting: 'progress',
      arrived_origin: 'progress',
      delivering: 'progress',
      arrived_goal: 'progress',
      delivered: 'done',
      canceled: 'canceled',
      returning: 'returning',
      returned: 'returned',
    });
    // A status the document does not list is not painted as a known one (issue 23 §3).
    expect(statusTone('something_new')).toBe('unknown');
  });
});
