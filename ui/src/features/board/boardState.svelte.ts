// The board's data: one call answers every column (its exact count and first cards) for the
// shared filters; re-read when the filters or the cached orders change, and every minute
// (late risk moves with the clock). Stale answers are dropped.
import { board as readBoard, type Board } from '$lib/ipc/board';
import type { CommandError } from '$lib/ipc';
import type { OrderFilters } from '$features/board/filters.svelte';
import { tick } from 'svelte';
import { markStart, markStartup, measureAfterPaint } from '$lib/perf';

export class BoardState {
  board = $state<Board | null>(null);
  error = $state<CommandError | null>(null);
  loading = $state(false);
  #seq = 0;
  #filters: OrderFilters;

  constructor(filters: OrderFilters) {
    this.#filters = filters;
  }

  async reload(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    markStart('board:render');
    markStartup('start:board-sent');
    try {
      const answer = await readBoard(this.#filters.boardQuery());
      markStartup('start:board-answered');
      if (seq !== this.#seq) return;
      this.board = answer;
      this.error = null;
      measureAfterPaint('board:render');
      // When the cards are in the DOM (Svelte's update done; layout and paint to come).
      void tick().then(() => markStartup('start:board-applied'));
    } catch (error) {
      if (seq === this.#seq) this.error = error as CommandError;
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
