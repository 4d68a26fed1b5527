// Why a stop is on no route, in the UI's language: the solver's cause, the driver that came
// closest and what they missed by (minutes late or over, parcels over), or the DIAq delivery
// it was handed over as. Built from the plan's structured fields (the backend words nothing),
// for the tray and the DIAq hand-over's list alike.
import type { Lang, Params } from '$i18n/index.svelte';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';
import type { UnassignedStop } from '$lib/ipc/planning';
import type { TrayItem } from './layout';

/** What the wording needs of a tray item (or of an `UnassignedStop`, through `reasonOf`). */
export type Reasoned = Pick<TrayItem, 'cause' | 'closestDriverName' | 'misses' | 'diaqCode'>;

export function reasonOf(u: UnassignedStop): Reasoned {
  return {
    cause: u.cause,
    closestDriverName: u.closest_driver_name,
    misses: u.closest_misses ?? [],
    diaqCode: u.diaq_tracking_code ?? null,
  };
}

export function trayReason(item: Reasoned, lang: Lang): string {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  if (item.diaqCode) return t('timeline.reason.diaq', { code: item.diaqCode });
  const base = t(`timeline.reason.${item.cause}`);
  if (!item.closestDriverName) return base;
  const misses = item.misses
    .map((m) => t(`timeline.miss.${m.rule}`, { count: m.amount }))
    .join(t('timeline.reason.separator'));
  return misses
    ? t('timeline.reason.closestMissed', { reason: base, name: item.closestDriverName, misses })
    : t('timeline.reason.closest', { reason: base, name: item.closestDriverName });
}
