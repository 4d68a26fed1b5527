import { describe, expect, it } from 'vitest';
import { formatDateTime, tokyoParts } from '$lib/time';

describe('formatDateTime', () => {
  it('shows UTC instants in Japan time (ja-JP)', () => {
    expect(formatDateTime('2024-03-04T15:07:00Z', 'ja-JP')).toBe('2024/03/05 00:07');
  });

  it('keeps an explicit +09:00 offset as is', () => {
    expect(formatDateTime('2018-11-22T15:15:03+09:00', 'ja-JP')).toBe('2018/11/22 15:15');
  });

  it('formats English with a 24-hour clock in Japan time', () => {
    expect(formatDateTime('2024-12-31T23:30:00Z', 'en-US')).toBe('Jan 1, 2025, 08:30');
  });

  it('returns null for missing or invalid input', () => {
    expect(formatDateTime(null, 'ja-JP')).toBeNull();
    expect(formatDateTime('', 'ja-JP')).toBeNull();
    expect(formatDateTime('not a date', 'ja-JP')).toBeNull();
  });
});

describe('formatLongDate', () => {
  it('shows dates the Japanese way in ja, with the day of the week', async () => {
    const { formatLongDate } = await import('$lib/time');
    expect(formatLongDate('2026-12-07', 'ja-JP')).toBe('2026/12/07 (月)');
    expect(formatLongDate('2026-12-13', 'ja-JP')).toBe('2026/12/13 (日)');
    expect(formatLongDate('2026-12-07', 'en-US')).toBe('Mon 2026-12-07');
    expect(formatLongDate('not a date', 'ja-JP')).toBe('not a date');
  });
});

describe('age', () => {
  it('says how long ago in the largest whole unit', async () => {
    const { age } = await import('$lib/time');
    const now = Date.parse('2026-12-07T10:00:00+09:00');
    expect(age('2026-12-07T09:59:30+09:00', now)).toEqual({ unit: 'seconds', n: 30 });
    expect(age('2026-12-07T09:57:00+09:00', now)).toEqual({ unit: 'minutes', n: 3 });
    expect(age('2026-12-07T07:00:00+09:00', now)).toEqual({ unit: 'hours', n: 3 });
    expect(age('2026-12-05T10:00:00+09:00', now)).toEqual({ unit: 'days', n: 2 });
    expect(age('2026-12-07T10:00:05+09:00', now)).toEqual({ unit: 'seconds', n: 0 });
    expect(age(null, now)).toBeNull();
    expect(age('garbage', now)).toBeNull();
  });
});

describe('tokyoParts', () => {
  it('moves to the next day at 15:00 UTC', () => {
    expect(tokyoParts(new Date('2026-12-07T14:59:00Z'))).toEqual({ date: '2026-12-07', time: '23:59' });
    expect(tokyoParts(new Date('2026-12-07T15:00:00Z'))).toEqual({ date: '2026-12-08', time: '00:00' });
    expect(tokyoParts(new Date('2026-12-31T15:30:59Z'))).toEqual({ date: '2027-01-01', time: '00:30' });
  });

  it("answers as Intl's Asia/Tokyo clock for instants from 1952 to 2100", () => {
    const intl = new Intl.DateTimeFormat('en-US', {
      timeZone: 'Asia/Tokyo',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const from = Date.UTC(1952, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const instant = new Date(from + Math.floor((seed / 2147483648) * (to - from)));
      const p: Record<string, string> = {};
      for (const part of intl.formatToParts(instant)) p[part.type] = part.value;
      expect(tokyoParts(instant)).toEqual({ date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` });
    }
  });

  it('refuses an invalid date, as Intl did', () => {
    expect(() => tokyoParts(new Date('nonsense'))).toThrow(RangeError);
  });
});
