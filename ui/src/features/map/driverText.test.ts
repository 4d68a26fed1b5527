// What the map writes about a driver: a tooltip that carries the age of its fix.
import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '$i18n/index.svelte';
import { driverTip } from '$features/map/driverText';

const NOW = Date.parse('2026-12-07T10:00:00+09:00');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

afterEach(() => setLang('ja'));

describe("a driver's tooltip", () => {
  const p = (activity: 'delivering' | 'unknown', msAgo: number) => ({ activity, driver: { name: '田中 健太', located_at: ago(msAgo) } });

  it('says who, what it is doing and how old its position is', () => {
    setLang('ja');
    expect(driverTip(p('delivering', 12_000), NOW)).toBe('田中 健太 · 配送中 · 12秒前');
    expect(driverTip(p('unknown', 61 * 60_000), NOW)).toBe('田中 健太 · ステータス不明 · 1時間前');
    setLang('en');
    expect(driverTip(p('delivering', 3 * 60_000), NOW)).toBe('田中 健太 · Delivering · 3 min ago');
  });
});
