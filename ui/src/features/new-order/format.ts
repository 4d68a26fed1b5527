// How the new-order form writes holds, prices, distances and the countdown (Japan time).
import type { Hold, TimeZone } from '$lib/ipc';
import { locale, translate, type Lang } from '$i18n/index.svelte';
import { formatShortDate, tokyoParts } from '$lib/time';

/** `mm:ss` left; `00:00` once expired. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** The hold's date in Japan time ("YYYY-MM-DD"): an AnytimeWindow ends at the midnight after it. */
export function holdDate(hold: Hold): string {
  if (hold.starts_at) return tokyoParts(new Date(hold.starts_at)).date;
  return tokyoParts(new Date(Date.parse(hold.ends_at) - 1000)).date;
}

/** "HH:mm–HH:mm" of a TimeWindow (a window ending at midnight ends at 24:00); null for anytime. */
export function holdTimes(hold: Hold): string | null {
  if (!hold.starts_at) return null;
  const start = tokyoParts(new Date(hold.starts_at));
  const end = tokyoParts(new Date(hold.ends_at));
  const endTime = end.date > start.date && end.time === '00:00' ? '24:00' : end.time;
  return `${start.time}–${endTime}`;
}

/** 「11/24 10:00–11:00」 or 「11/24 時間指定なし」. */
export function formatHold(hold: Hold, lang: Lang): string {
  const date = formatShortDate(holdDate(hold), locale(lang));
  const times = holdTimes(hold);
  return times
    ? translate(lang, 'newOrder.holdRange', { date, times })
    : translate(lang, 'newOrder.holdAnytime', { date });
}

export function formatYen(amount: number, lang: Lang): string {
  return translate(lang, 'newOrder.yen', { amount: amount.toLocaleString(locale(lang)) });
}

export function formatDistance(metres: number, lang: Lang): string {
  if (metres < 1000) return translate(lang, 'newOrder.distanceM', { m: metres });
  const km = (metres / 1000).toLocaleString(locale(lang), { maximumFractionDigits: 1 });
  return translate(lang, 'newOrder.distanceKm', { km });
}

/** A time zone as the slot picker lists it: 「10:00–11:00」, 「時間指定なし」, with 割増. */
export function formatZone(zone: TimeZone, lang: Lang): string {
  const label =
    zone.status === 'anytime'
      ? translate(lang, 'newOrder.zoneAnytime')
      : translate(lang, 'newOrder.zoneRange', {
          start: `${String(zone.starts).padStart(2, '0')}:00`,
          end: `${String(zone.ends === 0 ? 24 : zone.ends).padStart(2, '0')}:00`,
        });
  return zone.is_extra_charge ? translate(lang, 'newOrder.zoneExtra', { label }) : label;
}

/** Anytime first, then the hourly zones by start. */
export function sortZones(zones: readonly TimeZone[]): TimeZone[] {
  return [...zones].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'anytime' ? -1 : 1;
    return a.starts - b.starts;
  });
}
