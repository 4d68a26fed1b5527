// The header's 「N 遅延リスク」: orders at risk or late across the cache, re-read when orders
// change and every minute (the rule depends on the clock, not only on the data).
import { lateSummary, type LateSummary } from '$lib/ipc';

export const LATE_REFRESH_MS = 60_000;

export class LateWatch {
  summary = $state<LateSummary | null>(null);

  async refresh(): Promise<void> {
    try {
      this.summary = await lateSummary();
    } catch {
      // Keep the last figure; the status bar says when the backend is unreachable.
    }
  }

  get total(): number {
    return (this.summary?.at_risk ?? 0) + (this.summary?.late ?? 0);
  }
}

export const lateWatch = new LateWatch();
