import { describe, expect, it } from 'vitest';
import type { OrderRow, QueuedWrite } from '$lib/ipc/board';
import { canDropOnCancel, planCancel } from '$features/board/cancelPlan';

function row(id: string, cancel_to: OrderRow['cancel_to'], queued: QueuedWrite | null = null): OrderRow {
  return {
    id,
    kind: 'delivery',
    store_id: 's',
    store_name: '',
    status: 'created',
    tracking_code: id,
    customer_name: '',
    customer_phone: '',
    customer_address: '',
    window_starts_at: null,
    window_ends_at: '2026-12-08T00:00:00+09:00',
    window_date: '2026-12-07',
    driver_id: null,
    driver_name: null,
    late: { level: 'none', reason: null, minutes: null },
    cancel_to,
    queued,
  };
}

describe('the cancel plan (what the dialog says before sending)', () => {
  it('sorts each order by what the cancel table does to it, and counts the unloaded', () => {
    const plan = planCancel([row('a', 'canceled'), row('b', 'returning'), row('c', null), row('d', 'canceled')], 6);
    expect(plan.canceled.map((r) => r.id)).toEqual(['a', 'd']);
    expect(plan.returning.map((r) => r.id)).toEqual(['b']);
    expect(plan.refused.map((r) => r.id)).toEqual(['c']);
    expect(plan.unknown).toBe(2);
  });

  it('lets a card be dropped on キャンセル only when the table allows a cancel and none is queued', () => {
    expect(canDropOnCancel(row('a', 'canceled'))).toBe(true);
    expect(canDropOnCancel(row('b', 'returning'))).toBe(true);
    expect(canDropOnCancel(row('c', null))).toBe(false);
    const queued: QueuedWrite = { client_id: 'x', write_kind: 'cancel_delivery', state: 'pending', last_error: null };
    expect(canDropOnCancel(row('d', 'canceled', queued))).toBe(false);
    const edit: QueuedWrite = { client_id: 'y', write_kind: 'update_delivery', state: 'pending', last_error: null };
    expect(canDropOnCancel(row('e', 'canceled', edit))).toBe(true);
  });
});
