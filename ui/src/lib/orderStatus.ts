// How each delivery/fetch status looks: its catalogue label and a calm colour family.
import type { MessageKey } from '$i18n/ja';
import type { Tone } from '$lib/ui/status';
import { ORDER_STATUSES, type OrderStatus } from '$lib/ipc';

/**
 * new: waiting for a driver (neutral slate) · progress: a driver is on it (blue) ·
 * done: delivered (green) · canceled: grey · returning / returned: amber (returned muted).
 */
export type StatusTone = Tone;

const TONES: Record<OrderStatus, StatusTone> = {
  created: 'new',
  assigned: 'progress',
  collecting: 'progress',
  arrived_origin: 'progress',
  delivering: 'progress',
  arrived_goal: 'progress',
  delivered: 'done',
  canceled: 'canceled',
  returning: 'returning',
  returned: 'returned',
  unknown: 'unknown',
};

/** Any text the API may send: one the document does not list looks unknown. */
export function statusTone(status: string): StatusTone {
  return (TONES as Record<string, StatusTone | undefined>)[status] ?? 'unknown';
}

export function statusLabelKey(status: OrderStatus): MessageKey {
  return `orderStatus.${status}`;
}

export { ORDER_STATUSES };
