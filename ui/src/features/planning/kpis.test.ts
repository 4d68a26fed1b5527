import { describe, expect, it } from 'vitest';
import { clock, hoursMinutes, kpisOf } from '$features/planning/kpis';
import type { Plan, PlanRoute, PlanVisit } from '$lib/ipc/planning';

const src = { kind: 'file' as const, line: 2, external_stop_id: 'A' };

function visit(role: 'pickup' | 'delivery', start: number, window: [number, number] | null, parcels = 1): PlanVisit {
  return { stop_id: 'f:A', source: src, role, store_id: role === 'pickup' ? 's1' : null, lat: 35.6, lng: 139.7, arrival_s: start, start_s: start, service_s: 60, window, parcels, fixed: false };
}

function route(email: string, visits: PlanVisit[], distance_m: number, end_s: number): PlanRoute {
  return { driver_email: email, driver_name: email, vehicle_type: '軽四輪', shift_start_s: 9 * 3600, shift_end_s: 18 * 3600, visits, distance_m, end_s, locked: false };
}

function plan(routes: PlanRoute[], unassigned = 0): Plan {
  return {
    routes,
    unassigned: Array.from({ length: unassigned }, () => ({ stop_id: 'x', source: src, lat: 0, lng: 0, parcels: 1, window: null, cause: 'window' as const, closest_driver: null, closest_driver_name: null, fixed: false, diaq_tracking_code: null })),
  } as unknown as Plan;
}

describe('the plan figures', () => {
  it('counts used drivers, km, hours, on-time deliveries and parcels per driver', () => {
    const p = plan(
      [
        route('a', [visit('pickup', 9.5 * 3600, null, 3), visit('delivery', 10 * 3600, [9 * 3600, 11 * 3600], 3), visit('delivery', 12 * 3600, [9 * 3600, 11 * 3600], 1)], 12_300, 13 * 3600),
        route('b', [visit('delivery', 10 * 3600, null, 2)], 4_700, 11 * 3600),
        route('c', [], 0, 9 * 3600),
      ],
      2,
    );
    const k = kpisOf(p);
    expect(k.driversUsed).toBe(2);
    expect(k.distanceKm).toBeCloseTo(17);
    expect(k.durationS).toBe(6 * 3600);
    expect(k.onTimeShare).toBeCloseTo(2 / 3); // the 12:00 delivery misses its 11:00 end
    expect(k.parcelsPerDriver).toBe(3);
    expect(k.stops).toBe(3);
    expect(k.unassigned).toBe(2);
  });

  it('does not count stops handed to DIAq as unassigned', () => {
    const p = plan([], 3);
    (p.unassigned[0] as { diaq_tracking_code: string | null }).diaq_tracking_code = '999932921790';
    expect(kpisOf(p).unassigned).toBe(2);
  });

  it('has no shares without deliveries', () => {
    const k = kpisOf(plan([], 4));
    expect(k.onTimeShare).toBeNull();
    expect(k.parcelsPerDriver).toBeNull();
  });

  it('formats hours and clock times', () => {
    expect(hoursMinutes(5 * 3600 + 12 * 60 + 20)).toEqual({ h: 5, m: 12 });
    expect(clock(9 * 3600 + 5 * 60)).toBe('09:05');
  });
});
