// A DIAq hand-over (DIAq へ委託) as the dialog shows it while it runs: the stops asked, the items
// settled so far in the order they settled (each arrives on the command's channel), then the
// report, which replaces them, or the error, which keeps them. Pure values in, values out: the
// view holds the current one.
import type { CommandError } from '$lib/ipc';
import type { OutsourceItem, OutsourceReport, Plan } from '$lib/ipc/planning';

export interface HandOver {
  /** The stops sent, in the order sent. */
  readonly asked: readonly string[];
  /** Settled so far, in the order they settled. */
  readonly settled: readonly OutsourceItem[];
  readonly report: OutsourceReport | null;
  readonly error: CommandError | null;
}

export function begin(stopIds: readonly string[]): HandOver {
  return { asked: [...stopIds], settled: [], report: null, error: null };
}

/** One item settled. Ignored when its stop was already settled (an item is only ever sent once,
 *  but the list must not show a stop twice whatever arrives) and when it names a stop not asked.
 *  One that trails the report (the channel and the command's answer are not ordered) is counted
 *  but not shown: the report is the whole truth. */
export function settle(h: HandOver, item: OutsourceItem): HandOver {
  if (!h.asked.includes(item.stop_id) || h.settled.some((s) => s.stop_id === item.stop_id)) return h;
  return { ...h, settled: [...h.settled, item] };
}

export function finish(h: HandOver, report: OutsourceReport): HandOver {
  return { ...h, report, error: null };
}

/** The command failed: what was settled before stays (those deliveries exist on DIAq). */
export function fail(h: HandOver, error: CommandError): HandOver {
  return { ...h, error };
}

/** The items to list: the report's once it is in, else those settled so far. */
export function shown(h: HandOver): readonly OutsourceItem[] {
  return h.report ? h.report.items : h.settled;
}

/** The stops asked but not settled yet (waiting while it runs; not handed over after a failure). */
export function unsettled(h: HandOver): string[] {
  if (h.report) return [];
  const done = new Set(h.settled.map((s) => s.stop_id));
  return h.asked.filter((id) => !done.has(id));
}

/** `n / total` for the progress bar. */
export function progress(h: HandOver): { done: number; total: number } {
  return { done: h.report ? h.asked.length : h.settled.length, total: h.asked.length };
}

/** The plan with the stop of `item` marked in the tray as handed to DIAq, when DIAq has it
 *  (created now, or found made by an earlier run): shown the moment its item arrives, whatever
 *  becomes of the rest. The item is the backend's record of the stop (the outbox's answer); the
 *  backend's next version, read when the action ends or fails, marks it the same way. A stop
 *  still on a route is left to that version, which takes it off its route. The same plan back
 *  when nothing changes. */
export function handedOver(plan: Plan, item: OutsourceItem): Plan {
  if (item.outcome !== 'created') return plan;
  const at = plan.unassigned.findIndex((u) => u.stop_id === item.stop_id && !u.diaq_tracking_code);
  if (at < 0) return plan;
  const unassigned = plan.unassigned.slice();
  unassigned[at] = { ...unassigned[at]!, cause: 'manual', fixed: true, diaq_tracking_code: item.tracking_code };
  return { ...plan, unassigned };
}
