// Dates are shown in Japan time whatever the machine's time zone is.
export const TIME_ZONE = 'Asia/Tokyo';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string): Intl.DateTimeFormat {
  let f = formatters.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: locale.startsWith('ja') ? '2-digit' : 'short',
      day: locale.startsWith('ja') ? '2-digit' : 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(locale, f);
  }
  return f;
}

/**
 * Formats an RFC 3339 timestamp in Asia/Tokyo:
 * ja-JP → "2024/03/05 09:07", en-US → "Mar 5, 2024, 09:07".
 * Returns null for a missing or unparseable timestamp.
 */
export function formatDateTime(iso: string | null | undefined, locale: string): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return formatter(locale).format(date);
}

/** Japan's offset from UTC: +9 h all year (no daylight saving time since 1951). */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** An instant's calendar date ("YYYY-MM-DD") and clock time ("HH:mm") in Japan time. */
export interface TokyoParts {
  date: string;
  time: string;
}

/**
 * By the fixed offset, not `Intl.DateTimeFormat#formatToParts`: the board asks this twice per
 * card and the list twice per row, and in the app's WebKit 400 formatToParts calls took 15 ms
 * against well under 1 ms this way (ui/START-BENCHMARKS.md, session 6). The same answer for
 * every instant since 1951 (time.test.ts compares the two).
 */
export function tokyoParts(instant: Date): TokyoParts {
  const iso = new Date(instant.getTime() + JST_OFFSET_MS).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** Today's date in Japan time, "YYYY-MM-DD". */
export function todayInTokyo(now: Date = new Date()): string {
  return tokyoParts(now).date;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "YYYY-MM-DD" moved by `days` calendar days (no time zone involved). */
export function addDays(date: string, days: number): string {
  const m = ISO_DATE.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return d.toISOString().slice(0, 10);
}

const shortDateFormatters = new Map<string, Intl.DateTimeFormat>();

/** A calendar date as the board shows it: ja-JP "11/24", en-US "Nov 24". */
export function formatShortDate(date: string, locale: string): string {
  const m = ISO_DATE.exec(date);
  if (!m) return date;
  let f = shortDateFormatters.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: 'UTC',
      month: locale.startsWith('ja') ? 'numeric' : 'short',
      day: 'numeric',
    });
    shortDateFormatters.set(locale, f);
  }
  return f.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

const JA_WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
const EN_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A calendar date the way the date stepper shows it: ja 「2026/12/07 (月)」, en "Mon 2026-12-07". */
export function formatLongDate(date: string, locale: string): string {
  const m = ISO_DATE.exec(date);
  if (!m) return date;
  const weekday = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return locale.startsWith('ja')
    ? `${m[1]}/${m[2]}/${m[3]} (${JA_WEEKDAYS[weekday]})`
    : `${EN_WEEKDAYS[weekday]} ${m[1]}-${m[2]}-${m[3]}`;
}

/** How long ago an instant was, in the largest whole unit: for "位置 3分前". */
export function age(iso: string | null | undefined, now: number): { unit: 'seconds' | 'minutes' | 'hours' | 'days'; n: number } | null {
  if (!iso) return null;
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return null;
  const s = Math.max(0, Math.floor((now - at) / 1000));
  if (s < 60) return { unit: 'seconds', n: s };
  if (s < 3600) return { unit: 'minutes', n: Math.floor(s / 60) };
  if (s < 86400) return { unit: 'hours', n: Math.floor(s / 3600) };
  return { unit: 'days', n: Math.floor(s / 86400) };
}
