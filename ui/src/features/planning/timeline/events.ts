// What the timeline tells the planning page; the page turns each into a `plan_edit`.
import type { StopSource } from '$lib/ipc/generated';

/** Move a stop to a driver's route at `position`, or back to the tray (`toDriver` null). */
export interface TimelineMove {
  stopId: string;
  source: StopSource;
  /** Where it is now: a driver's login, or null in the tray. */
  fromDriver: string | null;
  toDriver: string | null;
  /** Index among the target route's stops (customer visits), the moved stop left out. */
  position: number;
}

/** Lock or unlock a driver's route; fix or unfix a stop on its driver and place. */
export type TimelineLock =
  | { kind: 'route'; driver: string; locked: boolean }
  | { kind: 'stop'; stopId: string; source: StopSource; fixed: boolean };
