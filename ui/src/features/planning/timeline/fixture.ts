// A small plan for the timeline's tests (imported by tests only): two routes, a third driver
// without one, one stop left over.
import type { FleetDriver, Plan, PlanVisit, StopSource } from '$lib/ipc/generated';

const h = (hh: number, mm = 0): number => (hh * 60 + mm) * 60;

export const file = (line: number, id: string): StopSource => ({ kind: 'file', line, external_stop_id: id });

/** The plan's stop id of a source, as the backend makes it (`StopSource::key`). */
export const key = (source: StopSource): string =>
  source.kind === 'file' ? `line-${source.line}` : `${source.order_kind}-${source.id}`;

function visit(
  source: StopSource,
  arrival: number,
  start: number,
  opts: Partial<Omit<PlanVisit, 'stop_id'>> = {},
): PlanVisit {
  return {
    stop_id: key(source),
    source,
    role: 'delivery',
    store_id: null,
    lat: 35.68,
    lng: 139.76,
    arrival_s: arrival,
    start_s: start,
    service_s: 180,
    window: null,
    parcels: 1,
    fixed: false,
    ...opts,
  };
}

const store = (source: StopSource, at: number): PlanVisit =>
  visit(source, at, at, { role: 'pickup', store_id: 'ST1', service_s: 120 });

function driver(email: string, name: string, start: string, end: string): FleetDriver {
  const place = { kind: 'store' as const, store_id: 'ST1' };
  return {
    email,
    name,
    vehicle_type: '軽四輪',
    shift_start: start,
    shift_end: end,
    start: place,
    end: place,
    capacity: 30,
    speed_kmh: 20,
    updated_at: '2026-12-07T00:00:00Z',
  };
}

export const fleet: FleetDriver[] = [
  driver('a@hakobu.test', '佐藤', '09:00', '18:00'),
  driver('b@hakobu.test', '鈴木', '10:00', '17:00'),
  driver('c@hakobu.test', '高橋', '08:30', '12:00'),
];

export const S1 = file(2, 'S1');
export const S2 = file(3, 'S2');
export const S3 = file(4, 'S3');
export const S4 = file(5, 'S4');
export const S5 = file(6, 'S5');

/** The plan, with `locked` drivers' routes locked and `fixed` stops (ids) fixed. */
export function plan({ locked = [], fixed = [] }: { locked?: string[]; fixed?: string[] } = {}): Plan {
  const p: Plan = {
    plan_id: 'P1',
    version: 1,
    state: 'finished',
    date: '2026-12-07',
    created_at: '2026-12-07T00:00:00Z',
    finished_at: '2026-12-07T00:00:10Z',
    request: {
      plan_id: null,
      date: '2026-12-07',
      store_id: 'ST1',
      stops: [],
      orders: [],
      drivers: null,
      time_limit_s: 10,
      threads: null,
      seed: null,
    },
    routes: [
      {
        driver_email: 'a@hakobu.test',
        driver_name: '佐藤',
        vehicle_type: '軽四輪',
        shift_start_s: h(9),
        shift_end_s: h(18),
        visits: [
          store(S1, h(9, 10)),
          store(S2, h(9, 12)),
          store(S3, h(9, 14)),
          visit(S1, h(9, 30), h(9, 30), { window: [h(9), h(10)] }),
          visit(S2, h(9, 45), h(10), { window: [h(10), h(11)] }),
          visit(S3, h(10, 30), h(10, 30), { window: [h(9), h(10, 15)], parcels: 2 }),
        ],
        distance_m: 12000,
        end_s: h(11),
        locked: false,
      },
      {
        driver_email: 'b@hakobu.test',
        driver_name: '鈴木',
        vehicle_type: '軽四輪',
        shift_start_s: h(10),
        shift_end_s: h(17),
        visits: [store(S4, h(10, 5)), visit(S4, h(10, 40), h(10, 40))],
        distance_m: 5000,
        end_s: h(11, 10),
        locked: false,
      },
    ],
    unassigned: [
      {
        stop_id: key(S5),
        source: S5,
        lat: 35.7,
        lng: 139.7,
        parcels: 3,
        window: [h(19), h(19, 30)],
        cause: 'window',
        closest_driver: 'b@hakobu.test',
        closest_driver_name: '鈴木',
        closest_misses: [{ rule: 'late', amount: 25 }],
        fixed: false,
      },
    ],
    totals: {
      drivers_used: 2,
      stops: 4,
      unassigned: 1,
      parcels: 5,
      distance_m: 17000,
      duration_s: h(2) + h(1, 10),
      cost: 17000,
      iterations: 1000,
      elapsed_ms: 10000,
    },
    travel_source: 'great_circle',
    checked: true,
    error: null,
    evaluation: null,
    history: { from_version: null, made_by: 'solve', edit: null, undo: [], redo: [] },
  };
  for (const r of p.routes) {
    r.locked = locked.includes(r.driver_email);
    for (const v of r.visits) v.fixed = fixed.includes(v.stop_id);
  }
  for (const u of p.unassigned) u.fixed = fixed.includes(u.stop_id);
  return p;
}
