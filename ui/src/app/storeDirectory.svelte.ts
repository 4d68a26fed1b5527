// Every cached store, loaded once for the whole app (pickers, names on cards and rows) and
// re-read when the event hub says stores changed. Pages never load the store list themselves.
import { listStores, type CachedStore, type CommandError } from '$lib/ipc';

export class StoreDirectory {
  all = $state<CachedStore[]>([]);
  error = $state<CommandError | null>(null);
  #byId = $derived(new Map(this.all.map((s) => [s.id, s])));

  async reload(): Promise<void> {
    try {
      this.all = await listStores(null);
      this.error = null;
    } catch (error) {
      this.error = error as CommandError;
    }
  }

  get(id: string): CachedStore | undefined {
    return this.#byId.get(id);
  }

  name(id: string): string | null {
    return this.#byId.get(id)?.store_name ?? null;
  }

  /** `{value, label}` options for a store picker, by name. */
  get options(): { value: string; label: string }[] {
    return [...this.all]
      .sort((a, b) => a.store_name.localeCompare(b.store_name, 'ja'))
      .map((s) => ({ value: s.id, label: s.store_name }));
  }
}
