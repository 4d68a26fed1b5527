// The planning commands: the fleet, the batch import (a picked file's bytes, a dropped file's
// path, one row checked again), solving with progress, and the kept plans. Types are the
// generated ones (Rust is their one source).
import { Channel, invoke } from '@tauri-apps/api/core';
import { call, normaliseError } from './call';
import type {
  BatchReport,
  BatchRowEdit,
  DriverInput,
  FleetDriver,
  Plan,
  PlanEdit,
  PlanEvent,
  PlanJobProgress,
  PlanRequest,
  PlanRunning,
  PlanSent,
  OutsourceItem,
  OutsourceReport,
  PlanStarted,
  PlanSummary,
  RowReport,
} from './generated';

export type {
  BatchReport,
  BatchRowEdit,
  DriverInput,
  FleetDriver,
  Place,
  Plan,
  PlanEdit,
  PlanEvaluation,
  PlanEvent,
  PlanFinished,
  OutsourceItem,
  OutsourceReport,
  PlanJobProgress,
  PlanProblem,
  PlanProgress,
  PlanRunning,
  PlanSent,
  RouteProgress,
  RouteSent,
  PlanRequest,
  PlanRoute,
  PlanStarted,
  PlanSummary,
  PlanVisit,
  RowReport,
  StopSource,
  UnassignedStop,
} from './generated';

export type VehicleType = FleetDriver['vehicle_type'];

/** DIAq's five vehicle types, slowest first. */
export const VEHICLE_TYPES: readonly VehicleType[] = ['自転車', '原付', '小型二輪', 'バイク125cc超', '軽四輪'];

export function listFleet(): Promise<FleetDriver[]> {
  return call<FleetDriver[]>('list_fleet');
}

/** Adds a driver or replaces the one with the same login; refusals name their field. */
export function saveDriver(driver: DriverInput): Promise<FleetDriver> {
  return call<FleetDriver>('save_driver', { driver });
}

export function deleteDriver(email: string): Promise<void> {
  return call<void>('delete_driver', { email });
}

/** A file picked in the system dialog: its bytes go as the raw body, its name (for the
 *  extension) as a header, percent-encoded since headers are ASCII. The size cap is Rust's. */
export async function importBatchBytes(name: string, bytes: Uint8Array): Promise<BatchReport> {
  try {
    return await invoke<BatchReport>('import_batch_bytes', bytes, {
      headers: { 'x-file-name': encodeURIComponent(name) },
    });
  } catch (error) {
    throw normaliseError(error);
  }
}

/** A file dropped on the window (Tauri's drop event gives its path). */
export function importBatchPath(path: string): Promise<BatchReport> {
  return call<BatchReport>('import_batch', { path });
}

/** One row checked and geocoded again after an inline fix. */
export function recheckBatchRow(row: BatchRowEdit): Promise<RowReport> {
  return call<RowReport>('recheck_batch_row', { row });
}

/** Starts a solve; its progress, provisional plans and end come to `onEvent` down a channel of
 *  this call only (src-tauri/src/plan_commands.rs says why not as events). */
export function planBatch(request: PlanRequest, onEvent: (event: PlanEvent) => void): Promise<PlanStarted> {
  return call<PlanStarted>('plan_batch', { request, onEvent: new Channel<PlanEvent>(onEvent) });
}

/** Whether a solve was running; it ends as `cancelled` with its best plan so far. */
export function cancelPlan(planId: string): Promise<boolean> {
  return call<boolean>('cancel_plan', { planId });
}

/** The solve running now, joined: its latest figures in the answer, its further progress,
 *  previews and end down `onEvent`. `null` when none runs. A page reloaded mid-solve has lost
 *  the starting call's channel; this is how it hears the solve again. */
export function followPlan(onEvent: (event: PlanEvent) => void): Promise<PlanRunning | null> {
  return call<PlanRunning | null>('follow_plan', { onEvent: new Channel<PlanEvent>(onEvent) });
}

/** One version of a plan; the latest without `version`. */
export function getPlan(planId: string, version?: number): Promise<Plan> {
  return call<Plan>('get_plan', { planId, version: version ?? null });
}

/** Moves, locks, fixes, undoes or redoes: the new version with its evaluation. A move that
 *  breaks a rule is refused with the reason (field `edit`). */
export function planEdit(planId: string, edit: PlanEdit): Promise<Plan> {
  return call<Plan>('plan_edit', { planId, edit });
}

/** 残りを再最適化: a new version around locked routes and fixed stops; its events come to
 *  `onEvent` as for `planBatch`. */
export function reoptimisePlan(planId: string, timeLimitS: number | null, onEvent: (event: PlanEvent) => void): Promise<PlanStarted> {
  return call<PlanStarted>('reoptimise_plan', { planId, timeLimitS, onEvent: new Channel<PlanEvent>(onEvent) });
}

/** Each route to its driver through RouteMate (idempotent: a route sent again is the same
 *  job); a per-route result, a refused route not stopping the others. */
export function sendPlan(planId: string): Promise<PlanSent> {
  return call<PlanSent>('send_plan', { planId });
}

/** The sent routes' RouteMate jobs: status and stops per status, read again when reachable. */
export function planJobProgress(planId: string): Promise<PlanJobProgress> {
  return call<PlanJobProgress>('plan_job_progress', { planId });
}

/** Hands the stops to DIAq (a window that fits, then a delivery through the outbox); one item
 *  per stop, each also given to `onItem` as it is settled (a channel of this call only).
 *  Repeating it creates nothing twice. */
export function outsourceStops(planId: string, stopIds: string[], onItem: (item: OutsourceItem) => void): Promise<OutsourceReport> {
  return call<OutsourceReport>('outsource_stops', { planId, stopIds, onItem: new Channel<OutsourceItem>(onItem) });
}

/** Every version of every plan, newest first. */
export function listPlans(): Promise<PlanSummary[]> {
  return call<PlanSummary[]>('list_plans');
}

/** What a file dragged over the window is doing: Tauri's window takes the drop (the webview
 *  never sees HTML5 drop events) and names the files' paths. */
export type FileDrop =
  | { type: 'enter' | 'over'; x: number; y: number }
  | { type: 'drop'; paths: string[]; x: number; y: number }
  | { type: 'leave' };

/** Listens for files dropped on the window; resolves to the unlisten function. Outside Tauri
 *  (unit tests) it listens to nothing. */
export async function onFileDrop(handler: (drop: FileDrop) => void): Promise<() => void> {
  try {
    const { getCurrentWebview } = await import('@tauri-apps/api/webview');
    return await getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      // Physical pixels to CSS pixels, for hit-testing against the page.
      const scale = window.devicePixelRatio || 1;
      if (p.type === 'leave') handler({ type: 'leave' });
      else if (p.type === 'drop') handler({ type: 'drop', paths: p.paths, x: p.position.x / scale, y: p.position.y / scale });
      else handler({ type: p.type, x: p.position.x / scale, y: p.position.y / scale });
    });
  } catch {
    return () => {};
  }
}
