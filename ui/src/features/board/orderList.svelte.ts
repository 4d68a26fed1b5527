// The list's rows, read from the cache page by page as they scroll into view: the table asks
// for the rows in view, pages of PAGE_SIZE are fetched once, a new filter starts over. Stale
// answers (a filter changed meanwhile) are dropped.
import { orderKeys, orderPage, type OrderRow } from '$lib/ipc/board';
import type { CommandError } from '$lib/ipc';
import type { OrderFilters } from '$features/board/filters.svelte';
import { rowKey } from '$features/board/filters.svelte';
import { markStart, measureAfterPaint } from '$lib/perf';
import { clickSelect, EMPTY_SELECTION, selectAll, toggleOne, type ClickMods, type Selection } from '$lib/selection';

export const PAGE_SIZE = 200;
export const KEYS_LIMIT = 100_000;

export class OrderList {
  total = $state(0);
  loaded = $state(false);
  error = $state<CommandError | null>(null);
  selection = $state<Selection>(EMPTY_SELECTION);
  cursor = $state(-1);
  /** Pages by index; a version counter makes `rowAt` reactive without copying pages. */
  #pages = new Map<number, OrderRow[]>();
  #pending = new Set<number>();
  pagesVersion = $state(0);
  #generation = 0;
  #keys: string[] | null = null;
  #filters: OrderFilters;

  constructor(filters: OrderFilters) {
    this.#filters = filters;
  }

  /** Starts over for the current filters (keeps the selection: keys survive). */
  async reset(): Promise<void> {
    // The benchmark's "filter change repaints" (list:filter) and, on the first load, "the list
    // paints its first rows" (list:open, started when the page mounts).
    if (this.loaded) markStart('list:filter');
    this.#generation++;
    this.#pages = new Map();
    this.#pending = new Set();
    this.#keys = null;
    this.pagesVersion++;
    await this.#load(0);
  }

  /** Re-reads the pages already shown (the backend said orders changed). */
  async refresh(): Promise<void> {
    const shown = [...this.#pages.keys()];
    this.#generation++;
    this.#pending = new Set();
    this.#keys = null;
    if (shown.length === 0) shown.push(0);
    await Promise.all(shown.map((p) => this.#load(p)));
  }

  rowAt(index: number): OrderRow | undefined {
    void this.pagesVersion;
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** The table says rows start..end are in view: fetch their pages. */
  ensure(start: number, end: number): void {
    if (end <= start) return;
    const first = Math.floor(start / PAGE_SIZE);
    const last = Math.floor((end - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) {
      if (!this.#pages.has(p) && !this.#pending.has(p)) void this.#load(p);
    }
  }

  async #load(page: number): Promise<void> {
    const generation = this.#generation;
    this.#pending.add(page);
    try {
      const answer = await orderPage(this.#filters.orderQuery(page * PAGE_SIZE, PAGE_SIZE));
      if (generation !== this.#generation) return;
      this.#pages.set(page, answer.rows);
      this.total = answer.total;
      this.error = null;
      const first = !this.loaded;
      this.loaded = true;
      if (this.cursor >= this.total) this.cursor = this.total - 1;
      this.pagesVersion++;
      if (page === 0) measureAfterPaint(first ? 'list:open' : 'list:filter');
    } catch (error) {
      if (generation === this.#generation) this.error = error as CommandError;
    } finally {
      if (generation === this.#generation) this.#pending.delete(page);
    }
  }

  /** Every key of the current filter, in list order (fetched once per filter). */
  async allKeys(): Promise<string[]> {
    if (this.#keys) return this.#keys;
    const generation = this.#generation;
    const keys = (await orderKeys(this.#filters.orderQuery(0, KEYS_LIMIT))).map(rowKey);
    if (generation === this.#generation) this.#keys = keys;
    return keys;
  }

  /** Loaded rows of the selection (what a bulk action can describe before sending). */
  selectedRows(): OrderRow[] {
    void this.pagesVersion;
    const out: OrderRow[] = [];
    for (const rows of this.#pages.values()) for (const r of rows) if (this.selection.keys.has(rowKey(r))) out.push(r);
    return out;
  }

  async click(index: number, row: OrderRow, mods: ClickMods): Promise<void> {
    this.cursor = index;
    const key = rowKey(row);
    if (mods.shift && this.selection.anchor >= 0) {
      const keys = await this.allKeys();
      this.selection = clickSelect(this.selection, index, key, mods, (a, b) => keys.slice(a, b + 1));
    } else {
      this.selection = clickSelect(this.selection, index, key, mods, () => []);
    }
  }

  toggleCursor(): void {
    const row = this.cursor >= 0 ? this.rowAt(this.cursor) : undefined;
    if (row) this.selection = toggleOne(this.selection, this.cursor, rowKey(row));
  }

  async selectAll(): Promise<void> {
    this.selection = selectAll(await this.allKeys());
  }

  clearSelection(): void {
    this.selection = EMPTY_SELECTION;
  }

  move(by: number): void {
    if (this.total === 0) return;
    this.cursor = Math.min(this.total - 1, Math.max(0, (this.cursor < 0 ? -1 : this.cursor) + by));
  }
}
