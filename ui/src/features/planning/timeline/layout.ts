// The timeline's geometry, without the DOM: a row per driver (the fleet's order, routes of
// drivers no longer in the fleet after them), each with its shift, its stops as blocks at their
// planned minutes, the travel between them, the waits and the windows; the tray of unassigned
// stops. Times are minutes since midnight (Japan time) of the plan's date, as the plan's seconds
// are; the component multiplies by its scale.
import type { FleetDriver, Miss, Plan, PlanVisit, StopSource, UnassignedStop } from '$lib/ipc/generated';

/** What the dispatcher calls the stop: the file's stop id or the order's tracking code. */
export function stopLabel(source: StopSource): string {
  return source.kind === 'file' ? source.external_stop_id : source.tracking_code;
}

/** One visit at a customer: the block that is dragged and that the menu acts on. */
export interface StopBlock {
  kind: 'stop';
  /** The plan's stop id (both visits of a stop share it; edits name it). */
  key: string;
  source: StopSource;
  label: string;
  /** Index among the row's stops (customer visits), the `position` of moves. */
  index: number;
  arrival: number;
  start: number;
  end: number;
  /** Service starts before the window opens: [arrival, start). */
  wait: [number, number] | null;
  window: [number, number] | null;
  /** Minutes after the window closes that service starts (0 when on time). */
  late: number;
  parcels: number;
  fixed: boolean;
}

/** Consecutive visits at one store (collecting the parcels of the stops that follow). */
export interface StoreBlock {
  kind: 'store';
  key: string;
  storeId: string;
  /** How many stops' parcels are collected or dropped here. */
  count: number;
  parcels: number;
  arrival: number;
  start: number;
  end: number;
  wait: [number, number] | null;
}

export type Block = StopBlock | StoreBlock;

export interface Row {
  driver: string;
  name: string;
  vehicle: FleetDriver['vehicle_type'];
  shift: [number, number];
  /** In time order; store and customer visits interleaved as driven. */
  blocks: Block[];
  /** The customer visits alone, in route order (what positions count). */
  stops: StopBlock[];
  /** Driving: from the shift's start (or the previous visit's end) to each arrival, and back. */
  travel: [number, number][];
  /** The route's arrival back at its end place; null without a route. */
  routeEnd: number | null;
  /** The row's driver is in the fleet (a route of a removed driver still shows). */
  inFleet: boolean;
  /** The plan has a route for the driver (only a route can be locked). */
  hasRoute: boolean;
  /** The route is kept as it is by edits and re-optimisation. */
  locked: boolean;
}

export interface TrayItem {
  key: string;
  source: StopSource;
  label: string;
  /** Worded with `trayReason`, with the two fields below. */
  cause: UnassignedStop['cause'];
  closestDriver: string | null;
  closestDriverName: string | null;
  misses: Miss[];
  /** The DIAq delivery it was handed over as. */
  diaqCode: string | null;
  window: [number, number] | null;
  parcels: number;
  fixed: boolean;
}

export interface TimelineLayout {
  rows: Row[];
  tray: TrayItem[];
  /** The axis: whole hours around every shift, visit and window. */
  from: number;
  to: number;
  /** Every stop's row and block, for the menu and keyboard. */
  where: Map<string, { row: number; block: number }>;
}

const toMin = (s: number): number => s / 60;

/** "HH:MM" → minutes; NaN when it is not a time. */
export function hhmmToMin(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes → "HH:mm" (hours past 24 stay past 24, as a shift into the night does). */
export function minToHhmm(min: number): string {
  const total = Math.round(min);
  const h = Math.floor(total / 60);
  const m = total - h * 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

function windowMin(w: [number, number] | null): [number, number] | null {
  return w ? [toMin(w[0]), toMin(w[1])] : null;
}

function blocksOf(visits: PlanVisit[]): { blocks: Block[]; stops: StopBlock[] } {
  const blocks: Block[] = [];
  const stops: StopBlock[] = [];
  for (const v of visits) {
    const arrival = toMin(v.arrival_s);
    const start = toMin(v.start_s);
    const end = toMin(v.start_s + v.service_s);
    const wait: [number, number] | null = start > arrival + 1e-9 ? [arrival, start] : null;
    if (v.store_id !== null) {
      const last = blocks[blocks.length - 1];
      // Collecting ten stops' parcels is one stay at the store, not ten slivers.
      if (last && last.kind === 'store' && last.storeId === v.store_id && start - last.end < 1) {
        last.count += 1;
        last.parcels += v.parcels;
        last.end = Math.max(last.end, end);
        continue;
      }
      blocks.push({
        kind: 'store',
        key: `store:${blocks.length}:${v.store_id}`,
        storeId: v.store_id,
        count: 1,
        parcels: v.parcels,
        arrival,
        start,
        end,
        wait,
      });
      continue;
    }
    const window = windowMin(v.window);
    const block: StopBlock = {
      kind: 'stop',
      key: v.stop_id,
      source: v.source,
      label: stopLabel(v.source),
      index: stops.length,
      arrival,
      start,
      end,
      wait,
      window,
      late: window && start > window[1] ? start - window[1] : 0,
      parcels: v.parcels,
      fixed: v.fixed,
    };
    blocks.push(block);
    stops.push(block);
  }
  return { blocks, stops };
}

function travelOf(shiftStart: number, blocks: Block[], routeEnd: number | null): [number, number][] {
  const travel: [number, number][] = [];
  let at = shiftStart;
  for (const b of blocks) {
    if (b.arrival > at) travel.push([at, b.arrival]);
    at = Math.max(at, b.end);
  }
  if (routeEnd !== null && routeEnd > at) travel.push([at, routeEnd]);
  return travel;
}

export function layoutTimeline(plan: Plan | null, fleet: readonly FleetDriver[]): TimelineLayout {
  const routes = new Map((plan?.routes ?? []).map((r) => [r.driver_email, r]));
  const rows: Row[] = [];
  const seen = new Set<string>();
  const push = (
    driver: string,
    name: string,
    vehicle: FleetDriver['vehicle_type'],
    shift: [number, number],
    inFleet: boolean,
  ): void => {
    seen.add(driver);
    const route = routes.get(driver);
    const { blocks, stops } = blocksOf(route?.visits ?? []);
    // The plan's shift is what the solver used; the fleet's may have been edited since.
    const rowShift: [number, number] = route ? [toMin(route.shift_start_s), toMin(route.shift_end_s)] : shift;
    const routeEnd = route && blocks.length > 0 ? toMin(route.end_s) : null;
    rows.push({
      driver,
      name,
      vehicle,
      shift: rowShift,
      blocks,
      stops,
      travel: travelOf(rowShift[0], blocks, routeEnd),
      routeEnd,
      inFleet,
      hasRoute: route !== undefined,
      locked: route?.locked ?? false,
    });
  };
  for (const d of fleet) {
    push(d.email, d.name, d.vehicle_type, [hhmmToMin(d.shift_start), hhmmToMin(d.shift_end)], true);
  }
  for (const r of plan?.routes ?? []) {
    if (!seen.has(r.driver_email)) {
      push(r.driver_email, r.driver_name, r.vehicle_type, [toMin(r.shift_start_s), toMin(r.shift_end_s)], false);
    }
  }

  const tray: TrayItem[] = (plan?.unassigned ?? []).map((u) => {
    return {
      key: u.stop_id,
      source: u.source,
      label: stopLabel(u.source),
      cause: u.cause,
      closestDriver: u.closest_driver,
      closestDriverName: u.closest_driver_name,
      misses: u.closest_misses ?? [],
      diaqCode: u.diaq_tracking_code ?? null,
      window: windowMin(u.window),
      parcels: u.parcels,
      fixed: u.fixed,
    };
  });

  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const see = (m: number): void => {
    if (!Number.isFinite(m)) return;
    lo = Math.min(lo, m);
    hi = Math.max(hi, m);
  };
  for (const row of rows) {
    see(row.shift[0]);
    see(row.shift[1]);
    if (row.routeEnd !== null) see(row.routeEnd);
    for (const b of row.blocks) {
      see(b.arrival);
      see(b.end);
      if (b.kind === 'stop' && b.window) {
        see(b.window[0]);
        see(b.window[1]);
      }
    }
  }
  for (const item of tray) {
    if (item.window) {
      see(item.window[0]);
      see(item.window[1]);
    }
  }
  // An empty day still shows a working day's axis.
  if (lo > hi) {
    lo = 9 * 60;
    hi = 18 * 60;
  }
  const from = Math.max(0, Math.floor(lo / 60) * 60);
  const to = Math.max(from + 60, Math.ceil(hi / 60) * 60);

  const where = new Map<string, { row: number; block: number }>();
  rows.forEach((row, r) => row.blocks.forEach((b, i) => b.kind === 'stop' && where.set(b.key, { row: r, block: i })));
  return { rows, tray, from, to, where };
}

/**
 * The hours the axis labels, from `from` to `to` inclusive: every hour, or every 2, 3, 4, 6 or
 * 12 when an hour is narrower than `minPx` at `pxPerMin` (labels would run into each other).
 */
export function hourTicks(from: number, to: number, pxPerMin: number = Infinity, minPx: number = 44): number[] {
  const step = [1, 2, 3, 4, 6, 12].find((h) => h * 60 * pxPerMin >= minPx) ?? 24;
  const ticks: number[] = [];
  for (let m = Math.ceil(from / (60 * step)) * 60 * step; m <= to; m += 60 * step) ticks.push(m);
  return ticks;
}

/** `now` as minutes since midnight in Japan time of `date` ("YYYY-MM-DD"); null if another day. */
export function nowOnDate(now: Date, date: string): number | null {
  // Japan has no daylight saving: +09:00 all year.
  const tokyo = new Date(now.getTime() + 9 * 3600_000);
  const day = tokyo.toISOString().slice(0, 10);
  if (day !== date) return null;
  return tokyo.getUTCHours() * 60 + tokyo.getUTCMinutes() + tokyo.getUTCSeconds() / 60;
}

/** The stops of a row in view between minutes `a` and `b` (blocks sorted by time): a slice. */
export function blocksInView(blocks: readonly Block[], a: number, b: number): readonly Block[] {
  // Blocks do not overlap (one driver), so ends are sorted as starts are.
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid]!.end < a) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < blocks.length && blocks[end]!.arrival <= b) end++;
  return blocks.slice(lo, end);
}
