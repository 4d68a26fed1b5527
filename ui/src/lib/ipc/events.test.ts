import { describe, expect, it } from 'vitest';
import { EventHub, topicsOf } from '$lib/ipc/events.svelte';

describe('the event hub', () => {
  it('maps each backend event to the topics it moves', () => {
    expect(topicsOf('stores-changed', { count: 3 })).toEqual(['stores']);
    expect(topicsOf('orders-changed', {})).toEqual(['orders']);
    expect(topicsOf('outbox-changed', {})).toEqual(['outbox', 'orders', 'stores']);
    expect(topicsOf('cache-changed', { orders: ['a'], drivers: [] })).toEqual(['orders']);
    expect(topicsOf('cache-changed', { orders: [], drivers: [7] })).toEqual(['drivers']);
    expect(topicsOf('cache-changed', { orders: [], drivers: [] })).toEqual(['orders', 'drivers']);
    expect(topicsOf('something-else', {})).toEqual([]);
  });

  it('bumps a version per topic and keeps the last payload', () => {
    const hub = new EventHub();
    hub.receive('cache-changed', { orders: ['x'], drivers: [1] });
    hub.receive('orders-changed', { changed: ['y'] });
    expect(hub.version.orders).toBe(2);
    expect(hub.version.drivers).toBe(1);
    expect(hub.version.stores).toBe(0);
    expect(hub.last['orders-changed']).toEqual({ changed: ['y'] });
  });
});
