// The dispatcher's filters, shared by the board and the list so switching views keeps them:
// kind, window date, store, window hour, search, late risk (and, for the list, statuses and
// the sort). One instance for the app.
import type { OrderKind, OrderStatus } from '$lib/ipc';
import { isOrderStatus } from '$lib/ipc';
import type { BoardQuery, LateFilter, OrderQuery, SortKey } from '$lib/ipc/board';
import { todayInTokyo } from '$lib/time';

export const SEARCH_DEBOUNCE_MS = 200;
const LATE_FILTERS: readonly LateFilter[] = ['any', 'at_risk_or_late', 'late'];

export class OrderFilters {
  kind = $state<OrderKind | null>(null);
  date = $state<string | null>(todayInTokyo());
  storeId = $state<string | null>(null);
  hour = $state<number | null>(null);
  /** What the search box shows, at once. */
  searchText = $state('');
  /** What the queries use: the search box once typing pauses. */
  search = $state('');
  late = $state<LateFilter>('any');
  statuses = $state<OrderStatus[]>([]);
  sort = $state<{ key: SortKey; descending: boolean }>({ key: 'window', descending: false });

  #timer: ReturnType<typeof setTimeout> | undefined;

  setSearch(text: string, delayMs: number = SEARCH_DEBOUNCE_MS): void {
    this.searchText = text;
    clearTimeout(this.#timer);
    if (text.trim() === '' || delayMs === 0) {
      this.search = text.trim();
      return;
    }
    this.#timer = setTimeout(() => {
      this.search = text.trim();
    }, delayMs);
  }

  toggleStatus(status: OrderStatus): void {
    this.statuses = this.statuses.includes(status)
      ? this.statuses.filter((s) => s !== status)
      : [...this.statuses, status];
  }

  sortBy(key: SortKey): void {
    this.sort = this.sort.key === key ? { key, descending: !this.sort.descending } : { key, descending: false };
  }

  /** Whether anything narrows the orders beyond the kind. */
  get narrowed(): boolean {
    return (
      this.date !== null ||
      this.storeId !== null ||
      this.hour !== null ||
      this.search !== '' ||
      this.late !== 'any' ||
      this.statuses.length > 0
    );
  }

  clear(): void {
    this.date = null;
    this.storeId = null;
    this.hour = null;
    this.setSearch('', 0);
    this.late = 'any';
    this.statuses = [];
  }

  /** Filters a link carries (`#/orders?late=late&status=created&date=…`). */
  apply(query: URLSearchParams): void {
    const late = query.get('late');
    if (late && (LATE_FILTERS as readonly string[]).includes(late)) {
      this.late = late as LateFilter;
      // Late orders of any day count: the header's figure is over the whole cache.
      this.date = null;
    }
    const status = query.get('status');
    if (status && isOrderStatus(status)) this.statuses = [status];
    const date = query.get('date');
    if (date && /^\d{4}-\d{2}-\d{2}$/.test(date)) this.date = date;
    const kind = query.get('kind');
    if (kind === 'delivery' || kind === 'fetch') this.kind = kind;
  }

  boardQuery(): BoardQuery {
    return {
      kind: this.kind,
      store_id: this.storeId,
      window_date: this.date,
      window_hour: this.hour,
      search: this.search === '' ? null : this.search,
      late: this.late,
    };
  }

  orderQuery(offset: number, limit: number): OrderQuery {
    return {
      ...this.boardQuery(),
      statuses: [...this.statuses],
      sort: { ...this.sort },
      offset,
      limit,
    };
  }
}

export const filters = new OrderFilters();

/** The key a row is selected by: kind and id (ids are unique per kind). */
export function rowKey(row: { kind: OrderKind; id: string }): string {
  return `${row.kind}:${row.id}`;
}

export function parseRowKey(key: string): { kind: OrderKind; id: string } | null {
  const i = key.indexOf(':');
  const kind = key.slice(0, i);
  if (kind !== 'delivery' && kind !== 'fetch') return null;
  return { kind, id: key.slice(i + 1) };
}
