// What the status bar and header show: the backend's AppStatus and the cached store count.
import { appStatus, type AppStatus, type CommandError } from '$lib/ipc';

export class StatusState {
  status = $state<AppStatus | null>(null);
  error = $state<CommandError | null>(null);
  /** Number of stores in the cache (not the filtered list). */
  storeTotal = $state<number | null>(null);

  async refresh(): Promise<void> {
    try {
      this.status = await appStatus();
      this.error = null;
    } catch (error) {
      this.error = error as CommandError;
    }
  }
}
