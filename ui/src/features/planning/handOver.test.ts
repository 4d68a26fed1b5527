import { describe, expect, it } from 'vitest';
import type { OutsourceItem, OutsourceReport } from '$lib/ipc/planning';
import { begin, fail, finish, handedOver, progress, settle, shown, unsettled } from '$features/planning/handOver';
import { plan as fixturePlan } from '$features/planning/timeline/fixture';

const created = (stopId: string, code: string): OutsourceItem => ({
  stop_id: stopId,
  source: { kind: 'file', line: 1, external_stop_id: `HK-${stopId}` },
  order_reference: `HK${stopId}`,
  outcome: 'created',
  delivery_id: `d-${stopId}`,
  tracking_code: code,
  window: { id: 'h1', starts_at: '2026-12-08T19:00:00+09:00', ends_at: '2026-12-08T20:00:00+09:00', expires_at: '2026-12-08T18:00:00+09:00' },
});
const refused = (stopId: string): OutsourceItem => ({
  stop_id: stopId,
  source: { kind: 'file', line: 1, external_stop_id: `HK-${stopId}` },
  order_reference: `HK${stopId}`,
  outcome: 'refused',
  error: { code: 'bad_request', message: 'customer.address_zipcode: required', field: 'customer.address_zipcode' },
});
const report = (items: OutsourceItem[]): OutsourceReport => ({
  plan_id: 'p1',
  version: 3,
  items,
  created: items.filter((i) => i.outcome === 'created').length,
});

describe('a DIAq hand-over followed item by item', () => {
  it('starts with every stop waiting and nothing settled', () => {
    const h = begin(['a', 'b', 'c']);
    expect(progress(h)).toEqual({ done: 0, total: 3 });
    expect(shown(h)).toEqual([]);
    expect(unsettled(h)).toEqual(['a', 'b', 'c']);
  });

  it('lists the items in the order they settle, the rest still waiting', () => {
    let h = begin(['a', 'b', 'c']);
    h = settle(h, created('c', '100000000003'));
    h = settle(h, refused('a'));
    expect(shown(h).map((i) => i.stop_id)).toEqual(['c', 'a']);
    expect(unsettled(h)).toEqual(['b']);
    expect(progress(h)).toEqual({ done: 2, total: 3 });
  });

  it('ignores a stop settled twice and a stop that was not asked', () => {
    let h = begin(['a', 'b']);
    h = settle(h, created('a', '100000000001'));
    const once = h;
    h = settle(h, refused('a'));
    expect(h).toBe(once);
    expect(shown(h)).toEqual([created('a', '100000000001')]);
    h = settle(h, created('z', '100000000026'));
    expect(h).toBe(once);
    expect(progress(h)).toEqual({ done: 1, total: 2 });
  });

  it('shows the report once it is in, in its order, a trailing item counted but not shown', () => {
    let h = begin(['a', 'b']);
    h = settle(h, created('b', '100000000002'));
    const final = report([created('a', '100000000001'), created('b', '100000000002')]);
    h = finish(h, final);
    expect(shown(h)).toBe(final.items);
    expect(unsettled(h)).toEqual([]);
    expect(progress(h)).toEqual({ done: 2, total: 2 });
    // What came one by one is still known (the window counts it), a trailing item too.
    expect(h.settled).toHaveLength(1);
    h = settle(h, created('a', '100000000001'));
    expect(h.settled).toHaveLength(2);
    expect(shown(h)).toBe(final.items);
    expect(progress(h)).toEqual({ done: 2, total: 2 });
  });

  it('keeps what was settled when the command fails part-way', () => {
    let h = begin(['a', 'b', 'c']);
    h = settle(h, created('a', '100000000001'));
    h = fail(h, { code: 'transport', message: 'DIAq did not answer', field: null });
    expect(h.error?.message).toBe('DIAq did not answer');
    expect(shown(h)).toEqual([created('a', '100000000001')]);
    expect(unsettled(h)).toEqual(['b', 'c']);
    expect(progress(h)).toEqual({ done: 1, total: 3 });
    // A message that trailed the failure is still a stop that was settled.
    h = settle(h, refused('b'));
    expect(shown(h).map((i) => i.stop_id)).toEqual(['a', 'b']);
  });
});

describe('the tray as each item settles', () => {
  it('marks a stop DIAq made as handed over with its tracking code, the moment its item arrives', () => {
    const plan = fixturePlan();
    const stop = plan.unassigned[0]!.stop_id;
    const marked = handedOver(plan, created(stop, '100000000009'));
    expect(marked.unassigned[0]).toMatchObject({ stop_id: stop, diaq_tracking_code: '100000000009', cause: 'manual', fixed: true });
    // A new plan object (the view's state is raw: a new object is what changes the screen); the
    // version it came from untouched.
    expect(marked).not.toBe(plan);
    expect(plan.unassigned[0]!.diaq_tracking_code).toBeUndefined();
    expect(marked.routes).toBe(plan.routes);
  });

  it('leaves the plan as it is for a refused stop, a stop not in the tray, or one already marked', () => {
    const plan = fixturePlan();
    const stop = plan.unassigned[0]!.stop_id;
    expect(handedOver(plan, refused(stop))).toBe(plan);
    expect(handedOver(plan, created('not-in-the-tray', '100000000001'))).toBe(plan);
    const marked = handedOver(plan, created(stop, '100000000009'));
    expect(handedOver(marked, created(stop, '100000000010'))).toBe(marked);
  });
});
