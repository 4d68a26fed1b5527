// A delivery/fetch window as the board shows it, in Japan time:
// 「11/24 10:00–11:00」, or 「11/24 時間指定なし」 for an anytime window.
import { locale, translate, type Lang } from '$i18n/index.svelte';
import { formatShortDate, tokyoParts } from '$lib/time';

export interface WindowLike {
  window_starts_at: string | null;
  window_ends_at: string;
  window_date: string;
}

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "HH:mm" of the window's end; a window ending at midnight after its start date ends at "24:00". */
function endTime(end: Date, startDate: string): string {
  const { date, time } = tokyoParts(end);
  return date > startDate && time === '00:00' ? '24:00' : time;
}

export function formatOrderWindow(order: WindowLike, lang: Lang): string {
  const start = parse(order.window_starts_at);
  const end = parse(order.window_ends_at);
  if (!start || !end) {
    return translate(lang, 'orders.windowAnytime', {
      date: formatShortDate(order.window_date, locale(lang)),
    });
  }
  const s = tokyoParts(start);
  return translate(lang, 'orders.windowRange', {
    date: formatShortDate(s.date, locale(lang)),
    start: s.time,
    end: endTime(end, s.date),
  });
}
