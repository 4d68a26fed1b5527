import { describe, expect, it } from 'vitest';
import { jobShare } from '$features/planning/jobProgress';
import type { RouteProgress } from '$lib/ipc/planning';

const route = (counts: Record<string, number>, stopCount: number | null): RouteProgress => ({
  driver_email: 'a@x',
  driver_name: 'A',
  stops: 5,
  external_job_id: 'j',
  sent: true,
  job_id: '1',
  status: 'assigned',
  stop_count: stopCount,
  status_counts: counts,
  error: null,
});

describe("a sent route's job", () => {
  it('splits its stops by RouteMate status', () => {
    expect(jobShare(route({ completed: 2, failed: 1, en_route: 1, pending: 6 }, 10))).toEqual({
      completed: 2,
      failed: 1,
      enRoute: 1,
      pending: 6,
      total: 10,
    });
  });

  it('counts stops the counts leave out as pending, and trusts the counts over a missing total', () => {
    expect(jobShare(route({ completed: 1 }, 4)).pending).toBe(3);
    expect(jobShare(route({ completed: 1, pending: 2 }, null)).total).toBe(3);
  });
});
