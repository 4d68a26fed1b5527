// The rows of a list selection for an action that needs more than the keys (計画に追加: the
// basket shows each order's tracking code and customer). The selection holds keys, kept across
// searches and filled by select-all, while the list has only the pages in view loaded: the
// rows not loaded are read one by one by key.
import type { CommandError, OrderKind } from '$lib/ipc';
import type { OrderRow } from '$lib/ipc/board';
import { parseRowKey, rowKey } from '$features/board/filters.svelte';

/** Every selected order's row, in the selection's order: a loaded one as it is, another read
 * with `read`. An order no longer in the cache (`not_found`) is left out; any other failure
 * is the caller's. */
export async function rowsOfSelection(
  keys: Iterable<string>,
  loaded: readonly OrderRow[],
  read: (kind: OrderKind, id: string) => Promise<OrderRow>,
): Promise<OrderRow[]> {
  const have = new Map(loaded.map((r) => [rowKey(r), r]));
  const out: OrderRow[] = [];
  for (const key of keys) {
    const row = have.get(key);
    if (row) {
      out.push(row);
      continue;
    }
    const k = parseRowKey(key);
    if (!k) continue;
    try {
      out.push(await read(k.kind, k.id));
    } catch (e) {
      if ((e as CommandError | null)?.code !== 'not_found') throw e;
    }
  }
  return out;
}
