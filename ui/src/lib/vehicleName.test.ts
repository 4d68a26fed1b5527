import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '$i18n/index.svelte';
import { vehicleName } from '$lib/vehicleName';

afterEach(() => setLang('ja'));

describe("a driver's vehicle", () => {
  it("is named in the current language from the 計画 view's catalogue", () => {
    setLang('ja');
    expect(vehicleName('軽四輪')).toBe('軽四輪');
    setLang('en');
    expect(vehicleName('軽四輪')).toBe('Kei van');
    expect(vehicleName('バイク125cc超')).toBe('Motorbike >125 cc');
  });

  it('is shown as sent when DIAq names a type it does not document, and as none when absent', () => {
    setLang('en');
    expect(vehicleName('トラック')).toBe('トラック');
    expect(vehicleName(null)).toBe('—');
    expect(vehicleName('')).toBe('—');
  });
});
