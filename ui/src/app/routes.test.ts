import { describe, expect, it } from 'vitest';
import { hrefOf, matchHash, ROUTES } from '$app/routes';

describe('the route table', () => {
  it('matches literal routes and falls back to the board', () => {
    expect(matchHash('#/stores').route.id).toBe('stores');
    expect(matchHash('#/orders').route.id).toBe('orders');
    expect(matchHash('').route.id).toBe('board');
    expect(matchHash('#/nowhere/at/all').route.id).toBe('board');
  });

  it('reads parameters and the query of a deep link', () => {
    const m = matchHash('#/orders/delivery/abc%2F1');
    expect(m.route.id).toBe('order');
    expect(m.params).toEqual({ kind: 'delivery', id: 'abc/1' });
    const n = matchHash('#/new?store=s1&window=w1');
    expect(n.route.id).toBe('new');
    expect(n.query.get('store')).toBe('s1');
  });

  it('builds the hash a route is matched by', () => {
    const href = hrefOf('order', { kind: 'fetch', id: 'x y' });
    expect(href).toBe('#/orders/fetch/x%20y');
    expect(matchHash(href).params).toEqual({ kind: 'fetch', id: 'x y' });
    expect(hrefOf('new', {}, { store: 's' })).toBe('#/new?store=s');
  });

  it('opens the map, the calendar picker and one store\'s calendar', () => {
    expect(matchHash('#/map').route.id).toBe('map');
    expect(matchHash('#/calendar').route.id).toBe('calendar');
    const c = matchHash('#/calendar/8117ba12-ece6-462e-884a-8df46225fa73');
    expect(c.route.id).toBe('calendarStore');
    expect(c.params).toEqual({ storeId: '8117ba12-ece6-462e-884a-8df46225fa73' });
    expect(hrefOf('calendarStore', { storeId: 's 1' })).toBe('#/calendar/s%201');
    expect(ROUTES.find((r) => r.id === 'map')?.nav?.shortcut).toBe('m');
    expect(ROUTES.find((r) => r.id === 'calendar')?.nav?.shortcut).toBe('c');
    expect(matchHash('#/plan').route.id).toBe('plan');
    expect(ROUTES.find((r) => r.id === 'plan')?.nav?.shortcut).toBe('p');
  });

  it('gives every rail entry a distinct g-shortcut', () => {
    const keys = ROUTES.flatMap((r) => (r.nav?.shortcut ? [r.nav.shortcut] : []));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
