// The list as a CSV file: the columns a dispatcher hands on (tracking code, kind, status,
// window, customer, phone, address, store, driver, late risk), in the UI's language.
import { translate, type Lang } from '$i18n/index.svelte';
import type { OrderRow } from '$lib/ipc/board';
import { toCsv } from '$lib/csv';
import { statusLabelKey } from '$lib/orderStatus';
import { tokyoParts } from '$lib/time';

function time(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const { date, time } = tokyoParts(d);
  return `${date} ${time}`;
}

export function ordersCsv(rows: readonly OrderRow[], lang: Lang): string {
  const tr = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate(lang, key, params);
  const header = [
    tr('list.colTracking'),
    tr('list.colKind'),
    tr('list.colStatus'),
    tr('list.colWindow'),
    `${tr('list.colWindow')} (end)`,
    tr('list.colCustomer'),
    tr('orderDetail.phone'),
    tr('list.colAddress'),
    tr('list.colStore'),
    tr('list.colDriver'),
    tr('list.colLate'),
    'id',
  ];
  const body = rows.map((r) => [
    r.tracking_code,
    tr(`orders.kind.${r.kind}`),
    tr(statusLabelKey(r.status)),
    r.window_starts_at ? time(r.window_starts_at) : `${r.window_date} ${tr('orders.windowAnytime', { date: '' }).trim()}`,
    time(r.window_ends_at),
    r.customer_name,
    r.customer_phone,
    r.customer_address,
    r.store_name,
    r.driver_name ?? '',
    r.late.level === 'none' ? '' : tr(r.late.level === 'late' ? 'late.late' : 'late.at_risk'),
    r.id,
  ]);
  return toCsv(header, body);
}

/** `hakobu-orders-2026-12-07-1030.csv`, from the local Japan time of the export. */
export function exportFileName(now: Date): string {
  const { date, time } = tokyoParts(now);
  return `hakobu-orders-${date}-${time.replace(':', '')}.csv`;
}
