// Why a stop is on no route, in the UI's language: the solver's cause, the driver that came
// closest and what they missed by (minutes late or over, parcels over), or the DIAq delivery
// it was handed over as. Built from the plan's structured fields, so an English window does
// not show the backend's Japanese `message` (kept for logs and exports).
import type { Lang, Params } from '$i18n/index.svelte';
import { translate } from '$i18n/index.svelte';
import type { MessageKey } from '$i18n/ja';
import type { TrayItem } from './layout';

export function trayReason(item: TrayItem, lang: Lang): string {
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
