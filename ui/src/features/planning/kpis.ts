// The plan's figures a dispatcher compares versions by: drivers used, distance, time, the share
// of deliveries served inside their window, and parcels per driver. Read from the plan as kept
// (its routes and visits), so a manual edit that makes a stop late shows here at once.
import type { Plan } from '$lib/ipc/planning';

export interface Kpis {
  driversUsed: number;
  distanceKm: number;
  /** Sum over routes of the route's end minus its shift start, seconds. */
  durationS: number;
  /** Deliveries served inside their window (no window: on time), 0–1; null without deliveries. */
  onTimeShare: number | null;
  parcelsPerDriver: number | null;
  stops: number;
  /** On no route and not handed to DIAq. */
  unassigned: number;
}

/** A service start later than the window's end by less than this is rounding, not lateness. */
const LATE_SLACK_S = 0.5;

export function kpisOf(plan: Plan): Kpis {
  const used = plan.routes.filter((r) => r.visits.length > 0);
  let deliveries = 0;
  let onTime = 0;
  let parcels = 0;
  for (const route of used) {
    for (const v of route.visits) {
      if (v.role !== 'delivery') continue;
      deliveries += 1;
      parcels += v.parcels;
      if (!v.window || v.start_s <= v.window[1] + LATE_SLACK_S) onTime += 1;
    }
  }
  return {
    driversUsed: used.length,
    distanceKm: used.reduce((sum, r) => sum + r.distance_m, 0) / 1000,
    durationS: used.reduce((sum, r) => sum + Math.max(0, r.end_s - r.shift_start_s), 0),
    onTimeShare: deliveries > 0 ? onTime / deliveries : null,
    parcelsPerDriver: used.length > 0 ? parcels / used.length : null,
    stops: deliveries,
    // Stops handed to DIAq wait in the tray with their tracking code: they are not left over.
    unassigned: plan.unassigned.filter((u) => !u.diaq_tracking_code).length,
  };
}

/** `5時間12分` / `5 h 12 min` from seconds. */
export function hoursMinutes(seconds: number): { h: number; m: number } {
  const minutes = Math.round(seconds / 60);
  return { h: Math.floor(minutes / 60), m: minutes % 60 };
}

/** `HH:MM` of seconds since the plan day's midnight. */
export function clock(seconds: number): string {
  const m = Math.round(seconds / 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
