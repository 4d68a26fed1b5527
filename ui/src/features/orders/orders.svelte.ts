// The deliveries list as the Deliveries page shows it: the controls, the rows, the status counts.
import {
  listOrders,
  listStores,
  orderCounts,
  syncOrders,
  ORDER_LIST_LIMIT,
  type CachedOrder,
  type CachedStore,
  type CommandError,
  type OrderFilter,
  type OrderKind,
  type OrderStatus,
  type OrderSyncReport,
} from '$lib/ipc';
import { todayInTokyo } from '$lib/time';
import type { StatusState } from '$app/status.svelte';

export const ORDER_SEARCH_DEBOUNCE_MS = 200;

export class OrdersState {
  // The controls.
  kind = $state<OrderKind>('delivery');
  /** "YYYY-MM-DD" (Japan time), or null for every date. */
  date = $state<string | null>(todayInTokyo());
  storeId = $state<string | null>(null);
  statuses = $state<OrderStatus[]>([]);
  query = $state('');

  // What the controls answered.
  orders = $state<CachedOrder[]>([]);
  counts = $state<Partial<Record<string, number>>>({});
  /** The filter the rows shown answer. */
  shownFilter = $state<OrderFilter | null>(null);
  stores = $state<CachedStore[]>([]);
  loading = $state(false);
  loaded = $state(false);
  syncing = $state(false);
  error = $state<CommandError | null>(null);

  #status: StatusState | null;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  constructor(status: StatusState | null = null, delayMs: number = ORDER_SEARCH_DEBOUNCE_MS) {
    this.#status = status;
    this.#delay = delayMs;
  }

  /** The list_orders filter the controls describe. */
  get filter(): OrderFilter {
    const search = this.query.trim();
    return {
      kind: this.kind,
      statuses: this.statuses.length > 0 ? [...this.statuses] : null,
      store_id: this.storeId,
      window_date: this.date,
      search: search === '' ? null : search,
      limit: ORDER_LIST_LIMIT,
    };
  }

  /** Whether anything narrows the list beyond the kind. */
  get narrowed(): boolean {
    const f = this.shownFilter;
    return !!f && (f.window_date !== null || f.store_id !== null || f.statuses !== null || f.search !== null);
  }

  get limited(): boolean {
    return this.orders.length >= ORDER_LIST_LIMIT;
  }

  storeName(id: string): string | null {
    return this.stores.find((s) => s.id === id)?.store_name ?? null;
  }

  setKind(kind: OrderKind): void {
    if (kind === this.kind) return;
    this.kind = kind;
    void this.reload();
  }

  setDate(date: string | null): void {
    if (date === this.date) return;
    this.date = date;
    void this.reload();
  }

  setStore(id: string | null): void {
    if (id === this.storeId) return;
    this.storeId = id;
    void this.reload();
  }

  /** Adds or removes one status; an empty set means every status. */
  toggleStatus(status: OrderStatus): void {
    this.statuses = this.statuses.includes(status)
      ? this.statuses.filter((s) => s !== status)
      : [...this.statuses, status];
    void this.reload();
  }

  clearStatuses(): void {
    if (this.statuses.length === 0) return;
    this.statuses = [];
    void this.reload();
  }

  /** Updates the search text; the list is reloaded once typing pauses. */
  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.reload();
    }, this.#delay);
  }

  /** Back to every date, store, status and no search (the kind stays). */
  clearFilters(): void {
    this.date = null;
    this.storeId = null;
    this.statuses = [];
    this.query = '';
    void this.reload();
  }

  /** Reads the rows and the status counts from the cache. Late answers are dropped. */
  async reload(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const seq = ++this.#seq;
    const filter = this.filter;
    this.loading = true;
    try {
      const [rows, counts] = await Promise.all([
        listOrders(filter),
        orderCounts(filter.kind ?? 'delivery', filter.window_date ?? null),
      ]);
      if (seq !== this.#seq) return;
      this.orders = rows;
      this.counts = Object.fromEntries(counts.map((c) => [c.status, c.count]));
      this.shownFilter = filter;
      this.error = null;
      this.loaded = true;
    } catch (error) {
      if (seq !== this.#seq) return;
      this.error = error as CommandError;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** The store select's options (the whole cached store list). */
  async loadStores(): Promise<void> {
    try {
      this.stores = await listStores(null);
    } catch {
      // The select then offers only "every store"; rows fall back to the name in the order.
    }
  }

  /** `full`: every order from the API; otherwise the recent windows only. Then re-reads. */
  async sync(full: boolean): Promise<OrderSyncReport> {
    this.syncing = true;
    try {
      const report = await syncOrders(full);
      await this.reload();
      return report;
    } finally {
      this.syncing = false;
      await this.#status?.refresh();
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#seq++;
  }
}
