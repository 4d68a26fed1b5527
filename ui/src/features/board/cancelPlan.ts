// What a cancel will do, told before it is sent: each order's outcome from the document's
// cancel table as the backend reports it on the row (`cancel_to`), counted for the dialog.
import type { OrderRow } from '$lib/ipc/board';

export interface CancelPlan {
  canceled: OrderRow[];
  returning: OrderRow[];
  refused: OrderRow[];
  /** Selected orders whose row is not loaded: their status is checked when sent. */
  unknown: number;
}

export function planCancel(rows: readonly OrderRow[], selectedCount: number): CancelPlan {
  const plan: CancelPlan = { canceled: [], returning: [], refused: [], unknown: Math.max(0, selectedCount - rows.length) };
  for (const r of rows) {
    if (r.cancel_to === 'canceled') plan.canceled.push(r);
    else if (r.cancel_to === 'returning') plan.returning.push(r);
    else plan.refused.push(r);
  }
  return plan;
}

/** Whether a card may be dropped on the キャンセル column (the drag's rule, same as the button's). */
export function canDropOnCancel(row: Pick<OrderRow, 'cancel_to' | 'queued'>): boolean {
  return row.cancel_to !== null && row.queued?.write_kind?.startsWith('cancel_') !== true;
}
