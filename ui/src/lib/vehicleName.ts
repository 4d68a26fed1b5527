// A vehicle type in the current language. DIAq names its five types in Japanese (軽四輪,
// バイク125cc超, …); the catalogue has each in both languages (`plan.vehicle.*`), used by the
// 計画 view, the live map and the board's order detail alike.
import { t } from '$i18n/index.svelte';
import { VEHICLE_TYPES, type VehicleType } from '$lib/ipc/planning';

const isVehicleType = (v: string): v is VehicleType => (VEHICLE_TYPES as readonly string[]).includes(v);

/** DIAq's vehicle type in the current language; a type it does not document, as sent. */
export function vehicleName(type: string | null | undefined): string {
  if (!type) return t('common.none');
  return isVehicleType(type) ? t(`plan.vehicle.${type}`) : type;
}
