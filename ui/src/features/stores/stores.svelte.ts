// The store list as the Stores page shows it: the current search, the rows, sync.
import {
  listStores,
  syncStores,
  type CachedStore,
  type CommandError,
  type SyncResult,
} from '$lib/ipc';
import type { StatusState } from '$app/status.svelte';

export const SEARCH_DEBOUNCE_MS = 150;

export class StoresState {
  stores = $state<CachedStore[]>([]);
  query = $state('');
  /** The query the rows currently shown answer. */
  shownQuery = $state('');
  loading = $state(false);
  loaded = $state(false);
  syncing = $state(false);
  error = $state<CommandError | null>(null);

  #status: StatusState;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  constructor(status: StatusState, delayMs: number = SEARCH_DEBOUNCE_MS) {
    this.#status = status;
    this.#delay = delayMs;
  }

  /** Stores in the whole cache (the status bar's count), whatever the search. */
  get storeTotal(): number | null {
    return this.#status.storeTotal;
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

  /** Reads the cache for the current query. Late answers to older queries are dropped. */
  async reload(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const seq = ++this.#seq;
    const query = this.query.trim();
    this.loading = true;
    try {
      const rows = await listStores(query === '' ? null : query);
      if (seq !== this.#seq) return;
      this.stores = rows;
      this.shownQuery = query;
      this.error = null;
      this.loaded = true;
      if (query === '') this.#status.storeTotal = rows.length;
    } catch (error) {
      if (seq !== this.#seq) return;
      this.error = error as CommandError;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Pulls every store from the API into the cache, then re-reads the cache. */
  async sync(): Promise<SyncResult> {
    this.syncing = true;
    try {
      const result = await syncStores();
      this.#status.storeTotal = result.count;
      await this.reload();
      return result;
    } finally {
      this.syncing = false;
      await this.#status.refresh();
    }
  }

  /** Re-reads AppStatus (e.g. after a failed write: the API may have gone away). */
  refreshStatus(): Promise<void> {
    return this.#status.refresh();
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#seq++;
  }
}
