// What the live map writes about a driver: its vehicle in the current language (DIAq names
// the type in Japanese; the 計画 view's catalogue has each of the five in both languages) and
// the tooltip over its glyph, which carries the age of its fix like the panel does.
import { t } from '$i18n/index.svelte';
import { VEHICLE_TYPES, type VehicleType } from '$lib/ipc/planning';
import type { Activity } from '$features/map/driverState';
import { ageText } from '$features/map/ageText';

const isVehicleType = (v: string): v is VehicleType => (VEHICLE_TYPES as readonly string[]).includes(v);

/** DIAq's vehicle type in the current language; a type it does not document, as sent. */
export function vehicleName(type: string | null | undefined): string {
  if (!type) return t('common.none');
  return isVehicleType(type) ? t(`plan.vehicle.${type}`) : type;
}

/** 「田中 健太 · 配送中 · 12秒前」: who, doing what, and how old the position is. */
export function driverTip(p: { activity: Activity; driver: { name: string; located_at: string } }, now: number): string {
  return t('liveMap.tip', { name: p.driver.name, activity: t(`liveMap.activity.${p.activity}`), age: ageText(p.driver.located_at, now) });
}
