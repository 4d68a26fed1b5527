import { describe, expect, it } from 'vitest';
import { formatDateTime } from '$lib/time';

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
