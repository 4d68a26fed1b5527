// A sent route's job as the dispatcher reads it: stops done (completed), failed (不在 etc.),
// under way (en_route) and waiting (pending), out of the job's stops — RouteMate's stop statuses.
import type { RouteProgress } from '$lib/ipc/planning';

export interface JobShare {
  completed: number;
  failed: number;
  enRoute: number;
  pending: number;
  total: number;
}

export function jobShare(route: RouteProgress): JobShare {
  const c = route.status_counts ?? {};
  const completed = c['completed'] ?? 0;
  const failed = c['failed'] ?? 0;
  const enRoute = c['en_route'] ?? 0;
  const counted = completed + failed + enRoute + (c['pending'] ?? 0);
  const total = Math.max(route.stop_count ?? 0, counted);
  return { completed, failed, enRoute, pending: total - completed - failed - enRoute, total };
}
