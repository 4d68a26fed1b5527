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
