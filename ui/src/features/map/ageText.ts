// "12秒前" / "3 min ago": how old a fix is, in the current language.
import { t } from '$i18n/index.svelte';
import { age } from '$lib/time';

const KEYS = {
  seconds: 'liveMap.ageSeconds',
  minutes: 'liveMap.ageMinutes',
  hours: 'liveMap.ageHours',
  days: 'liveMap.ageDays',
} as const;

export function ageText(iso: string | null | undefined, now: number): string {
  const a = age(iso, now);
  return a ? t(KEYS[a.unit], { n: a.n }) : t('common.none');
}

export function ageUnitText(a: { unit: keyof typeof KEYS; n: number }): string {
  return t(KEYS[a.unit], { n: a.n });
}
