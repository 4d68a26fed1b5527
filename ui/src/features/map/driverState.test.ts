import { describe, expect, it } from 'vitest';
import type { CachedDriver } from '$lib/ipc';
import {
  ACTIVITY_TONE,
  activityOf,
  ageParts,
  driverChanged,
  fixProblem,
  freshnessOf,
  FRESH_MS,
  LOST_MS,
  newFixTimes,
} from '$features/map/driverState';

const NOW = Date.parse('2026-12-07T10:00:00+09:00');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('what a driver is doing', () => {
  it('is free without a job, and when its job is over', () => {
    expect(activityOf(null)).toBe('idle');
    for (const status of ['delivered', 'canceled', 'returned', 'created']) {
      expect(activityOf({ kind: 'delivery', id: 'd', status }), status).toBe('idle');
    }
  });

  it('heads to the pickup from assigned until the parcel is picked up', () => {
    for (const status of ['assigned', 'collecting', 'arrived_origin']) {
      expect(activityOf({ kind: 'delivery', id: 'd', status }), status).toBe('to_pickup');
    }
  });

  it('delivers while carrying the parcel, returns when sent back', () => {
    expect(activityOf({ kind: 'fetch', id: 'f', status: 'delivering' })).toBe('delivering');
    expect(activityOf({ kind: 'delivery', id: 'd', status: 'arrived_goal' })).toBe('delivering');
    expect(activityOf({ kind: 'delivery', id: 'd', status: 'returning' })).toBe('returning');
  });

  it('is unknown, not free, when its job is in a status the document does not list', () => {
    // The board shows such a job as 不明なステータス; the map must not call its driver free.
    expect(activityOf({ kind: 'delivery', id: 'd', status: 'unknown' })).toBe('unknown');
    expect(activityOf({ kind: 'fetch', id: 'f', status: 'on_hold' })).toBe('unknown');
    expect(activityOf({ kind: 'delivery', id: 'd', status: '' })).toBe('unknown');
  });

  it('is drawn in the board palette: blue families on a job, amber returning, unknown as the board', () => {
    expect(ACTIVITY_TONE).toEqual({ idle: 'done', to_pickup: 'progress', delivering: 'near', returning: 'returning', unknown: 'unknown' });
  });
});

describe('how fresh a fix is', () => {
  it('is fresh under 2 minutes', () => {
    expect(freshnessOf(ago(0), NOW)).toBe('fresh');
    expect(freshnessOf(ago(FRESH_MS - 1), NOW)).toBe('fresh');
  });

  it('is stale from 2 to 10 minutes', () => {
    expect(freshnessOf(ago(FRESH_MS), NOW)).toBe('stale');
    expect(freshnessOf(ago(5 * 60_000), NOW)).toBe('stale');
    expect(freshnessOf(ago(LOST_MS), NOW)).toBe('stale');
  });

  it('is lost beyond 10 minutes, and when its time does not read', () => {
    expect(freshnessOf(ago(LOST_MS + 1), NOW)).toBe('lost');
    expect(freshnessOf(ago(60 * 60_000), NOW)).toBe('lost');
    expect(freshnessOf('yesterday', NOW)).toBe('lost');
  });

  it('takes a fix a little in the future (clock skew) as fresh', () => {
    expect(freshnessOf(new Date(NOW + 30_000).toISOString(), NOW)).toBe('fresh');
  });

  it('writes the age of a lost driver in whole units', () => {
    expect(ageParts(12 * 60_000 + 59_000)).toEqual({ unit: 'minutes', n: 12 });
    expect(ageParts(61 * 60_000)).toEqual({ unit: 'hours', n: 1 });
    expect(ageParts(50 * 3600_000)).toEqual({ unit: 'days', n: 2 });
  });
});

describe('which fixes are drawn', () => {
  const fix = { lat: 35.68, lng: 139.76, located_at: ago(10_000) };

  it('draws a fix in range, read, not from the future, not older than the one shown', () => {
    expect(fixProblem(fix, null, NOW)).toBeNull();
    expect(fixProblem(fix, { ...fix, located_at: ago(60_000) }, NOW)).toBeNull();
    expect(fixProblem(fix, fix, NOW)).toBeNull();
  });

  it('refuses coordinates out of range (never a marker in the sea off the map)', () => {
    expect(fixProblem({ ...fix, lat: 91 }, null, NOW)).toBe('latitude');
    expect(fixProblem({ ...fix, lat: Number.NaN }, null, NOW)).toBe('latitude');
    expect(fixProblem({ ...fix, lng: -180.5 }, null, NOW)).toBe('longitude');
  });

  it('refuses a time that does not read or lies beyond the clock skew', () => {
    expect(fixProblem({ ...fix, located_at: 'soon' }, null, NOW)).toBe('time');
    expect(fixProblem({ ...fix, located_at: new Date(NOW + 60_000).toISOString() }, null, NOW)).toBeNull();
    expect(fixProblem({ ...fix, located_at: new Date(NOW + 3 * 60_000).toISOString() }, null, NOW)).toBe('future');
  });

  it('refuses a fix older than the one on screen', () => {
    expect(fixProblem({ ...fix, located_at: ago(120_000) }, fix, NOW)).toBe('older');
  });
});

describe('what moved', () => {
  const driver: CachedDriver = {
    id: 1,
    name: '吉井 次郎',
    phone: null,
    vehicle_type: null,
    lat: 35.6,
    lng: 139.7,
    located_at: ago(0),
    job: { kind: 'delivery', id: 'd1', status: 'assigned' },
    fetched_at: ago(0),
  };

  it('sees a move, a new fix time, a job change; not a re-read of the same row', () => {
    expect(driverChanged(driver, { ...driver, fetched_at: ago(-5) })).toBe(false);
    expect(driverChanged(driver, { ...driver, lat: 35.61 })).toBe(true);
    expect(driverChanged(driver, { ...driver, located_at: ago(-1000) })).toBe(true);
    expect(driverChanged(driver, { ...driver, job: { kind: 'delivery', id: 'd1', status: 'collecting' } })).toBe(true);
    expect(driverChanged(driver, { ...driver, job: null })).toBe(true);
    expect(driverChanged(driver, { ...driver, phone: '090-0000-1111' })).toBe(true);
  });
});

describe('which fixes a reading brings to the screen', () => {
  const fix = (msAgo: number, shown: string | null = null) => ({ lat: 35.6, lng: 139.7, located_at: ago(msAgo), shown });
  const shownOf = (f: { shown: string | null }) => f.shown;

  it('counts only fixes newer than the one shown', () => {
    // Driver 0 moved (shown 3 s ago, now 1 s ago); driver 1 was read again for its job and
    // still has the fix shown 9 s ago; driver 2 is new to the map (fix 2 s ago).
    const list = [fix(1000, ago(3000)), fix(9000, ago(9000)), fix(2000)];
    expect(newFixTimes(list, shownOf)).toEqual([NOW - 1000, NOW - 2000]);
  });

  it('says none when nothing new arrives, or the times cannot be read', () => {
    expect(newFixTimes([fix(5000, ago(5000))], shownOf)).toEqual([]);
    expect(newFixTimes([fix(5000, ago(1000))], shownOf)).toEqual([]);
    expect(newFixTimes([{ lat: 1, lng: 1, located_at: 'soon', shown: null }], shownOf)).toEqual([]);
    expect(newFixTimes([], shownOf)).toEqual([]);
  });

  it('counts a fix whose shown time cannot be read', () => {
    expect(newFixTimes([fix(4000, 'garbled')], shownOf)).toEqual([NOW - 4000]);
  });
});
