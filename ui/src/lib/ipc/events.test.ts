import { describe, expect, it, vi } from 'vitest';

// The page's end of a Tauri channel: the hub's handler, to be called as the backend would.
const opened: { onmessage: (payload: unknown) => void }[] = [];
vi.mock('@tauri-apps/api/core', () => ({
  Channel: class {
    onmessage: (payload: unknown) => void;
    constructor(onmessage: (payload: unknown) => void) {
      this.onmessage = onmessage;
      opened.push(this);
    }
  },
  invoke: vi.fn(async () => undefined),
}));
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }));

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { BACKEND_EVENTS, EventHub, topicsOf } from '$lib/ipc/events.svelte';

describe('the event hub', () => {
  it('hears cache-changed down the channel it opens, not as an event, and no more once stopped', async () => {
    const hub = new EventHub();
    const map = hub.watchDrivers();
    map.take();
    await hub.start();
    expect(vi.mocked(listen).mock.calls.map((c) => c[0])).not.toContain('cache-changed');
    expect(vi.mocked(listen).mock.calls.map((c) => c[0])).toContain('orders-changed');
    expect(vi.mocked(invoke)).toHaveBeenCalledWith('watch_cache_changes', { channel: opened[0] });
    // Once the channel is open, unless the backend says nothing was dropped before it, every
    // view re-reads once: what changed before it is not missed.
    expect(hub.version.orders).toBe(1);
    expect(hub.version.drivers).toBe(1);
    expect(map.take()).toBeNull();
    opened[0]!.onmessage({ orders: [], drivers: [5] });
    expect(hub.version.drivers).toBe(2);
    expect(map.take()).toEqual([5]);
    hub.stop();
    opened[0]!.onmessage({ orders: [], drivers: [6] });
    expect(hub.version.drivers).toBe(2);
    // Started again (a reloaded page): a new channel, the old one's messages ignored.
    await hub.start();
    expect(opened).toHaveLength(2);
    expect(map.take()).toBeNull(); // the re-read once the new channel is open
    opened[0]!.onmessage({ orders: [], drivers: [7] });
    opened[1]!.onmessage({ orders: [], drivers: [8] });
    expect(map.take()).toEqual([8]);
  });

  it('re-reads once the channel is open only when the backend dropped a change before it', async () => {
    vi.mocked(invoke).mockResolvedValueOnce(false);
    const quiet = new EventHub();
    await quiet.start();
    expect(quiet.version.orders).toBe(0);
    expect(quiet.version.drivers).toBe(0);
    vi.mocked(invoke).mockResolvedValueOnce(true);
    const missed = new EventHub();
    await missed.start();
    expect(missed.version.orders).toBe(1);
    expect(missed.version.drivers).toBe(1);
  });

  it('maps each backend event to the topics it moves', () => {
    expect(topicsOf('stores-changed', { count: 3 })).toEqual(['stores']);
    expect(topicsOf('orders-changed', {})).toEqual(['orders']);
    expect(topicsOf('outbox-changed', {})).toEqual(['outbox', 'orders', 'stores']);
    expect(topicsOf('cache-changed', { orders: ['a'], drivers: [] })).toEqual(['orders']);
    expect(topicsOf('cache-changed', { orders: [], drivers: [7] })).toEqual(['drivers']);
    expect(topicsOf('cache-changed', { orders: [], drivers: [] })).toEqual(['orders', 'drivers']);
    expect(topicsOf('plan-finished', { plan_id: 'p' })).toEqual(['plan']);
    // A solve's progress and provisional plans come down its own channel, not through the hub.
    expect(topicsOf('plan-progress', { plan_id: 'p' })).toEqual([]);
    expect(topicsOf('plan-preview', { plan_id: 'p' })).toEqual([]);
    expect(BACKEND_EVENTS).not.toContain('plan-preview');
    expect(BACKEND_EVENTS).not.toContain('plan-progress');
    expect(topicsOf('something-else', {})).toEqual([]);
    expect(topicsOf('fleet-changed', null)).toEqual(['fleet']);
    // The API stopped answering or answers again: the status bar re-reads the status.
    expect(topicsOf('online-changed', false)).toEqual(['status']);
    expect(BACKEND_EVENTS).toContain('online-changed');
  });

  it('a switch to another configuration moves every data topic and re-reads every driver', () => {
    expect(topicsOf('backend-rewired', 'remote')).toEqual(['backend', 'stores', 'orders', 'outbox', 'drivers', 'routemate', 'fleet', 'status']);
    const hub = new EventHub();
    const map = hub.watchDrivers();
    expect(map.take()).toBeNull();
    hub.receive('cache-changed', { orders: [], drivers: [4] });
    hub.receive('backend-rewired', 'remote');
    expect(map.take()).toBeNull(); // everything, not just driver 4
    expect(hub.version.backend).toBe(1);
    expect(hub.version.plan).toBe(0);
    expect(hub.last['backend-rewired']).toBe('remote');
  });

  it('bumps a version per topic and keeps the last payload', () => {
    const hub = new EventHub();
    hub.receive('cache-changed', { orders: ['x'], drivers: [1] });
    hub.receive('orders-changed', { changed: ['y'] });
    expect(hub.version.orders).toBe(2);
    expect(hub.version.drivers).toBe(1);
    expect(hub.version.stores).toBe(0);
    expect(hub.last['orders-changed']).toEqual({ changed: ['y'] });
    // The driver moves' payloads (hundreds of rows, 20 a second) are the watchers', not kept.
    expect(hub.last['cache-changed']).toBeUndefined();
  });

  it('hands each driver watcher the ids cache-changed named since it last took them', () => {
    const hub = new EventHub();
    const map = hub.watchDrivers();
    const other = hub.watchDrivers();
    expect(map.take()).toBeNull(); // the first take reads everything
    hub.receive('cache-changed', { orders: [], drivers: [3, 1] });
    hub.receive('cache-changed', { orders: ['o'], drivers: [1, 7] });
    hub.receive('cache-changed', { orders: ['p'], drivers: [] });
    expect(map.take()?.sort()).toEqual([1, 3, 7]);
    expect(map.take()).toEqual([]);
    hub.receive('cache-changed', { orders: [], drivers: [] }); // reload all
    expect(map.take()).toBeNull();
    expect(other.take()).toBeNull();
    hub.unwatch(map);
    hub.receive('cache-changed', { orders: [], drivers: [9] });
    expect(map.take()).toEqual([]);
    expect(other.take()).toEqual([9]);
  });
});
