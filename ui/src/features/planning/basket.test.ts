import { describe, expect, it } from 'vitest';
import { PlanBasket } from '$features/planning/basket.svelte';

const order = (id: string, kind: 'delivery' | 'fetch' = 'delivery') => ({
  kind,
  id,
  tracking_code: `0000000000${id}`,
  customer_name: '山田',
  store_id: 's1',
});

describe('the plan basket', () => {
  it('adds each order once and says how many were new', () => {
    const b = new PlanBasket();
    expect(b.add([order('1'), order('2')])).toBe(2);
    expect(b.add([order('2'), order('3'), order('3')])).toBe(1);
    expect(b.add([order('2', 'fetch')])).toBe(1);
    expect(b.orders.map((o) => `${o.kind}:${o.id}`)).toEqual(['delivery:1', 'delivery:2', 'delivery:3', 'fetch:2']);
    b.remove({ kind: 'delivery', id: '2' });
    expect(b.orders).toHaveLength(3);
    b.clear();
    expect(b.orders).toEqual([]);
  });
});
