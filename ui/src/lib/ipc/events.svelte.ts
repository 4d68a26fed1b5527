// The one place that listens to the backend's events. Each event bumps the version of the
// topics it touches; views read `events.version.<topic>` inside an $effect and re-read their
// data from the cache when it moves. No view wires a listener of its own.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type Topic = 'stores' | 'orders' | 'outbox' | 'drivers' | 'routemate';

const TOPICS: readonly Topic[] = ['stores', 'orders', 'outbox', 'drivers', 'routemate'];

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
  'cache-changed',
] as const;

export class EventHub {
  /** A counter per topic: it moves whenever the backend says that topic changed. */
  version = $state<Record<Topic, number>>(
    Object.fromEntries(TOPICS.map((t) => [t, 0])) as Record<Topic, number>,
  );
  /** The last payload of each backend event (e.g. the ids an `orders-changed` names). */
  last = $state<Record<string, unknown>>({});

  #unlisten: UnlistenFn[] = [];
  #started = false;

  /** Subscribes once to every backend event. Outside Tauri (tests, `vite dev`) it stays quiet. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    for (const name of BACKEND_EVENTS) {
      try {
        this.#unlisten.push(await listen(name, (event) => this.receive(name, event.payload)));
      } catch {
        // No Tauri runtime: views still load on demand.
      }
    }
  }

  receive(event: string, payload: unknown): void {
    this.last[event] = payload;
    for (const topic of topicsOf(event, payload)) this.bump(topic);
  }

  /** For writes the UI made itself: say the topic moved without waiting for the backend. */
  bump(topic: Topic): void {
    this.version[topic] += 1;
  }

  stop(): void {
    for (const u of this.#unlisten) u();
    this.#unlisten = [];
    this.#started = false;
  }
}

/** The app's hub: App.svelte starts it; views import it. */
export const events = new EventHub();
