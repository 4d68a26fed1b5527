// What the live map says about a driver, as pure rules (tested in driverState.test.ts):
// - what it is doing, from its job's status: 空き (no job, or the job is over), 集荷へ
//   (assigned … arrived_origin: on the way to, or at, the pickup), 配送中 (delivering,
//   arrived_goal: carrying the parcel), 返送中 (returning), 不明 (a status DIAq's document
//   does not list: the board says 不明なステータス, so the map does not guess 空き);
// - how much its position can be believed, from the age of the fix: fresh under 2 minutes,
//   stale from 2 to 10 minutes (faded), lost beyond 10 minutes (greyed, the age written beside);
// - which fixes are drawn at all: a latitude or longitude out of range, a time that does not
//   read, a time more than 2 minutes in the future (beyond clock skew), or a time older than
//   the one on screen is not drawn (the caller logs it once).
import { isOrderStatus, type CachedDriver, type DriverJob } from '$lib/ipc';
import type { Tone } from '$lib/ui/status';

export type Activity = 'idle' | 'to_pickup' | 'delivering' | 'returning' | 'unknown';
export const ACTIVITIES: readonly Activity[] = ['idle', 'to_pickup', 'delivering', 'returning', 'unknown'];

const ACTIVITY_OF_STATUS: Record<string, Activity> = {
  assigned: 'to_pickup',
  collecting: 'to_pickup',
  arrived_origin: 'to_pickup',
  delivering: 'delivering',
  arrived_goal: 'delivering',
  returning: 'returning',
};

/** A driver without a job, or whose job is over (delivered, canceled, returned) or not begun
 *  (created), is free; a job in a status the document does not list (the cache's `unknown`,
 *  or a text it never saw) leaves what the driver is doing unknown. */
export function activityOf(job: DriverJob | null | undefined): Activity {
  if (!job) return 'idle';
  const known = ACTIVITY_OF_STATUS[job.status];
  if (known) return known;
  return isOrderStatus(job.status) ? 'idle' : 'unknown';
}

/** The palette family each activity is drawn in: the board's tones for the same statuses
 *  (集荷へ the blue of a driver on it, 配送中 the deeper blue near the door, 返送中 amber);
 *  a free driver in the green of work done; unknown in the board's 不明なステータス tone (a
 *  slate violet: plain grey on this map means a lost fix). */
export const ACTIVITY_TONE: Record<Activity, Tone> = {
  idle: 'done',
  to_pickup: 'progress',
  delivering: 'near',
  returning: 'returning',
  unknown: 'unknown',
};

export type Freshness = 'fresh' | 'stale' | 'lost';
export const FRESHNESS: readonly Freshness[] = ['fresh', 'stale', 'lost'];

/** Under this age a fix is fresh. */
export const FRESH_MS = 2 * 60_000;
/** Beyond this age a driver is lost: its position is only where it was. */
export const LOST_MS = 10 * 60_000;
/** How far ahead of our clock a fix may be and still be believed (clock skew). */
export const CLOCK_SKEW_MS = 2 * 60_000;

/** The age of a fix in milliseconds (never negative), or null when the time does not read. */
export function fixAgeMs(locatedAt: string, now: number): number | null {
  const at = Date.parse(locatedAt);
  if (Number.isNaN(at)) return null;
  return Math.max(0, now - at);
}

/** fresh < 2 min ≤ stale ≤ 10 min < lost; an unreadable time is lost. */
export function freshnessOf(locatedAt: string, now: number): Freshness {
  const age = fixAgeMs(locatedAt, now);
  if (age === null) return 'lost';
  if (age < FRESH_MS) return 'fresh';
  if (age <= LOST_MS) return 'stale';
  return 'lost';
}

/** How opaque a driver is drawn: fresh fully, stale faded; lost is greyed (dashed, its age
 *  beside it) rather than faded, so it is still found on the map. */
export const FRESHNESS_OPACITY: Record<Freshness, number> = { fresh: 1, stale: 0.55, lost: 0.9 };

export type FixProblem = 'latitude' | 'longitude' | 'time' | 'future' | 'older';

export interface Fix {
  lat: number;
  lng: number;
  located_at: string;
}

/** Why a fix cannot be drawn, or null when it can. `shown` is the fix on screen now. */
export function fixProblem(fix: Fix, shown: Fix | null, now: number): FixProblem | null {
  if (!Number.isFinite(fix.lat) || fix.lat < -90 || fix.lat > 90) return 'latitude';
  if (!Number.isFinite(fix.lng) || fix.lng < -180 || fix.lng > 180) return 'longitude';
  const at = Date.parse(fix.located_at);
  if (Number.isNaN(at)) return 'time';
  if (at - now > CLOCK_SKEW_MS) return 'future';
  if (shown) {
    const before = Date.parse(shown.located_at);
    if (!Number.isNaN(before) && at < before) return 'older';
  }
  return null;
}

/** When each fix that a reading brings to the screen was taken (epoch ms): only fixes newer
 *  than the one shown count. A driver read again because its job changed keeps the fix already
 *  on screen, whose age says nothing about how fast updates arrive (the benchmark's "a location
 *  update reaches the screen"; counting those re-reads gave multi-second samples for drivers
 *  that had simply not moved). */
export function newFixTimes<F extends Fix>(list: readonly F[], shownAt: (fix: F) => string | null): number[] {
  const times: number[] = [];
  for (const fix of list) {
    const at = Date.parse(fix.located_at);
    if (Number.isNaN(at)) continue;
    const shown = shownAt(fix);
    const before = shown === null ? Number.NaN : Date.parse(shown);
    if (!Number.isNaN(before) && at <= before) continue;
    times.push(at);
  }
  return times;
}

/** Whether two readings of a driver differ in anything the map shows. */
export function driverChanged(a: CachedDriver, b: CachedDriver): boolean {
  return (
    a.lat !== b.lat ||
    a.lng !== b.lng ||
    a.located_at !== b.located_at ||
    a.name !== b.name ||
    a.phone !== b.phone ||
    a.vehicle_type !== b.vehicle_type ||
    (a.job?.id ?? null) !== (b.job?.id ?? null) ||
    (a.job?.status ?? null) !== (b.job?.status ?? null)
  );
}

/** The age label a lost driver carries on the map, in whole minutes/hours/days ("12分", "3時間"). */
export function ageParts(ms: number): { unit: 'minutes' | 'hours' | 'days'; n: number } {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return { unit: 'minutes', n: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'hours', n: hours };
  return { unit: 'days', n: Math.floor(hours / 24) };
}
