import { beforeEach, describe, expect, it } from 'vitest';
import { getLang, setLang, STORAGE_KEY, t, toggleLang, translate } from '$i18n/index.svelte';

describe('t()', () => {
  beforeEach(() => setLang('ja'));

  it('defaults to Japanese and interpolates parameters', () => {
    expect(getLang()).toBe('ja');
    expect(t('stores.count', { count: 12 })).toBe('12 件');
  });

  it('toggles to English and remembers the choice', () => {
    toggleLang();
    expect(getLang()).toBe('en');
    expect(t('nav.stores')).toBe('Stores');
    expect(localStorage.getItem(STORAGE_KEY)).toBe('en');
  });

  it('leaves unknown placeholders alone', () => {
    expect(translate('ja', 'stores.count', {})).toBe('{count} 件');
  });
});
