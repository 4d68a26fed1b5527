// What the live map writes about a driver: the tooltip over its glyph, which carries the age of
// its fix like the panel does (its vehicle's name: $lib/vehicleName).
import { t } from '$i18n/index.svelte';
import type { Activity } from '$features/map/driverState';
import { ageText } from '$features/map/ageText';

/** 「田中 健太 · 配送中 · 12秒前」: who, doing what, and how old the position is. */
export function driverTip(p: { activity: Activity; driver: { name: string; located_at: string } }, now: number): string {
  return t('liveMap.tip', { name: p.driver.name, activity: t(`liveMap.activity.${p.activity}`), age: ageText(p.driver.located_at, now) });
}
