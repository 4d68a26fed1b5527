// The one place that listens to the backend's events. Each event bumps the version of the
// topics it touches; views read `events.version.<topic>` inside an $effect and re-read their
// data from the cache when it moves. No view wires a listener of its own.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { CachedDriver } from './index';
import { markStartup } from '$lib/perf';

/** `backend`: the app switched to another configuration (another account's data).
 *  `status`: the API stopped answering, or answers again (the status bar, the map's note). */
export type Topic = 'stores' | 'orders' | 'outbox' | 'drivers' | 'routemate' | 'plan' | 'backend' | 'fleet' | 'status';

const TOPICS: readonly Topic[] = ['stores', 'orders', 'outbox', 'drivers', 'routemate', 'plan', 'backend', 'fleet', 'status'];

/** Which topics a backend event moves. `cache-changed` with both lists empty means "reload all". */
export function topicsOf(event: string, payload: unknown): Topic[] {
  switch (event) {
    case 'stores-changed':
      return ['stores'];
    case 'orders-changed':
      return ['orders'];
    case 'outbox-changed':
      // A replay settles writes: the orders and stores they touched move with them.
      return ['outbox', 'orders', 'stores'];
    case 'routemate-jobs-changed':
      return ['routemate'];
    // A driver of the planning fleet saved or removed, from whichever window or script.
    case 'fleet-changed':
      return ['fleet'];
    case 'online-changed':
      return ['status'];
    // A saved configuration was switched to: everything cached may be another account's.
    case 'backend-rewired':
      return ['backend', 'stores', 'orders', 'outbox', 'drivers', 'routemate', 'fleet', 'status'];
    // A solve ended (small: ids and counts). Its progress and provisional plans go down the
    // channel of the call that started it, never through here; the planning view reads
    // `last['plan-finished']` for a solve it has no channel of (started before a reload).
    case 'plan-finished':
      return ['plan'];
    case 'cache-changed': {
      const p = (payload ?? {}) as { orders?: unknown[]; drivers?: unknown[] };
      const orders = Array.isArray(p.orders) ? p.orders.length : 0;
      const drivers = Array.isArray(p.drivers) ? p.drivers.length : 0;
      if (orders === 0 && drivers === 0) return ['orders', 'drivers'];
      const topics: Topic[] = [];
      if (orders > 0) topics.push('orders');
      if (drivers > 0) topics.push('drivers');
      return topics;
    }
    default:
      return [];
  }
}

export const BACKEND_EVENTS = [
  'stores-changed',
  'orders-changed',
  'outbox-changed',
  'routemate-jobs-changed',
  'backend-rewired',
  'fleet-changed',
  'online-changed',
  'plan-finished',
] as const;

/** The ids of rows `cache-changed` named since their watcher last took them, so a view can
 *  re-read only those (the live map: the drivers that moved, not the fleet) — and the rows the
 *  event carried (`positions`), so most of them need no read at all. */
export class ChangedIds {
  #ids = new Set<number>();
  /** The newest row carried for an id; an id named later without one is read instead. */
  #rows = new Map<number, CachedDriver>();
  /** Everything may have changed: the first take, and after a "reload all". */
  #all = true;

  add(ids: readonly unknown[], rows: readonly unknown[] = []): void {
    const carried = new Map<number, CachedDriver>();
    for (const r of rows) {
      const row = r as CachedDriver;
      if (row && typeof row === 'object' && typeof row.id === 'number') carried.set(row.id, row);
    }
    for (const id of ids) {
      if (typeof id !== 'number') continue;
      this.#ids.add(id);
      const row = carried.get(id);
      if (row) this.#rows.set(id, row);
      else this.#rows.delete(id);
    }
  }

  everything(): void {
    this.#all = true;
    this.#ids.clear();
    this.#rows.clear();
  }

  /** The ids named since the last take (carried rows or not), or null: read them all. */
  take(): number[] | null {
    const taken = this.takeRows();
    return taken && [...taken.rows.map((r) => r.id), ...taken.ids];
  }

  /** Like `take`, split: `rows` the events carried, `ids` the rest (to be read). */
  takeRows(): { ids: number[]; rows: CachedDriver[] } | null {
    const all = this.#all;
    const rows = [...this.#rows.values()];
    const ids = [...this.#ids].filter((id) => !this.#rows.has(id));
    this.#all = false;
    this.#ids.clear();
    this.#rows.clear();
    return all ? null : { ids, rows };
  }
}

export class EventHub {
  /** A counter per topic: it moves whenever the backend says that topic changed. */
  version = $state<Record<Topic, number>>(
    Object.fromEntries(TOPICS.map((t) => [t, 0])) as Record<Topic, number>,
  );
  /** The last payload of each backend event (e.g. the ids an `orders-changed` names). */
  last = $state<Record<string, unknown>>({});

  #unlisten: UnlistenFn[] = [];
  #driverWatchers = new Set<ChangedIds>();
  #started = false;
  /** The channel `cache-changed` comes down (src-tauri/src/change_channel.rs says why it is
   *  not an event); messages of a channel this hub no longer holds are ignored. */
  #changes: Channel<unknown> | null = null;

  /** Subscribes once to every backend event. Outside Tauri (tests, `vite dev`) it stays quiet. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // The cache's changes first: until the channel is open the backend drops them (nobody
    // would fetch them), and views read meanwhile. Once it is, every view re-reads once if the
    // backend says it dropped a change since this page started, so one applied in between (a
    // webhook's status) is not missed until the next one — and only then: at a quiet start the
    // views' first reads stand (the board's over 50,000 orders is not sent twice).
    const changes = new Channel<unknown>((payload) => {
      if (this.#changes === changes) this.receive('cache-changed', payload);
    });
    this.#changes = changes;
    const opened = invoke<boolean>('watch_cache_changes', { channel: changes }).then(
      (missed) => {
        markStartup('start:channel-open');
        // Anything but a plain `false` (an older backend answers nothing): re-read.
        if (missed !== false && this.#changes === changes) this.receive('cache-changed', { orders: [], drivers: [] });
      },
      () => {
        // No Tauri runtime: views still load on demand.
      },
    );
    const listening = BACKEND_EVENTS.map((name) =>
      listen(name, (event) => this.receive(name, event.payload)).then(
        (unlisten) => {
          this.#unlisten.push(unlisten);
        },
        () => {
          // No Tauri runtime: views still load on demand.
        },
      ),
    );
    await Promise.all([opened, ...listening]);
  }

  /** A watcher of the driver ids `cache-changed` names (taken before the version moves). */
  watchDrivers(): ChangedIds {
    const w = new ChangedIds();
    this.#driverWatchers.add(w);
    return w;
  }

  unwatch(w: ChangedIds): void {
    this.#driverWatchers.delete(w);
  }

  receive(event: string, payload: unknown): void {
    // Not `cache-changed`: up to 20 of those a second carry hundreds of driver rows, nobody
    // reads them from here (the watchers take them below), and each kept one is made reactive.
    if (event !== 'cache-changed') this.last[event] = payload;
    if (event === 'cache-changed' && this.#driverWatchers.size > 0) {
      const p = (payload ?? {}) as { orders?: unknown[]; drivers?: unknown[]; positions?: unknown[] };
      const drivers = Array.isArray(p.drivers) ? p.drivers : [];
      const orders = Array.isArray(p.orders) ? p.orders : [];
      const positions = Array.isArray(p.positions) ? p.positions : [];
      for (const w of this.#driverWatchers) {
        if (drivers.length > 0) w.add(drivers, positions);
        else if (orders.length === 0) w.everything();
      }
    }
    // Another account: the watchers re-read every driver.
    if (event === 'backend-rewired') for (const w of this.#driverWatchers) w.everything();
    for (const topic of topicsOf(event, payload)) this.version[topic] += 1;
  }

  /** For writes the UI made itself: say the topic moved without waiting for the backend. */
  bump(topic: Topic): void {
    // Nothing says which drivers: the watchers re-read them all.
    if (topic === 'drivers') for (const w of this.#driverWatchers) w.everything();
    this.version[topic] += 1;
  }

  stop(): void {
    for (const u of this.#unlisten) u();
    this.#unlisten = [];
    this.#changes = null;
    this.#started = false;
  }
}

/** The app's hub: App.svelte starts it; views import it. */
export const events = new EventHub();
