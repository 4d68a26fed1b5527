// Reactive translation: `t(key)` reads the current language ($state), so any
// template or $derived that calls it re-renders when the language changes.
import { ja, type Catalogue, type MessageKey } from '$i18n/ja';
import { en } from '$i18n/en';

export type { MessageKey } from '$i18n/ja';
export type Lang = 'ja' | 'en';

export const STORAGE_KEY = 'hakobu.lang';
const catalogues: Record<Lang, Catalogue> = { ja, en };

function readStored(): Lang {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    return stored === 'en' || stored === 'ja' ? stored : 'ja';
  } catch {
    return 'ja';
  }
}

let current = $state<Lang>(readStored());

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // storage unavailable: the choice lasts for this session only
  }
}

export function toggleLang(): void {
  setLang(current === 'ja' ? 'en' : 'ja');
}

/** BCP 47 locale for Intl formatting. */
export function locale(lang: Lang = current): string {
  return lang === 'ja' ? 'ja-JP' : 'en-US';
}

export type Params = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const template = catalogues[lang][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}
