import { describe, expect, it } from 'vitest';
import { formatOrderWindow } from '$lib/orderWindow';
import { addDays, formatShortDate, todayInTokyo } from '$lib/time';

describe('formatOrderWindow', () => {
  it('shows an hourly window in Japan time', () => {
    const w = {
      window_starts_at: '2026-11-24T10:00:00+09:00',
      window_ends_at: '2026-11-24T11:00:00+09:00',
      window_date: '2026-11-24',
    };
    expect(formatOrderWindow(w, 'ja')).toBe('11/24 10:00–11:00');
    expect(formatOrderWindow(w, 'en')).toBe('Nov 24 10:00–11:00');
  });

  it('converts UTC instants to Japan time, including across midnight UTC', () => {
    expect(
      formatOrderWindow(
        {
          window_starts_at: '2026-11-23T22:00:00Z',
          window_ends_at: '2026-11-23T23:00:00Z',
          window_date: '2026-11-24',
        },
        'ja',
      ),
    ).toBe('11/24 07:00–08:00');
  });

  it('ends a window at the following midnight as 24:00', () => {
    expect(
      formatOrderWindow(
        {
          window_starts_at: '2026-11-24T23:00:00+09:00',
          window_ends_at: '2026-11-25T00:00:00+09:00',
          window_date: '2026-11-24',
        },
        'ja',
      ),
    ).toBe('11/24 23:00–24:00');
  });

  it('says 時間指定なし for an anytime window, on its window date', () => {
    const anytime = {
      window_starts_at: null,
      window_ends_at: '2026-11-25T00:00:00+09:00',
      window_date: '2026-11-24',
    };
    expect(formatOrderWindow(anytime, 'ja')).toBe('11/24 時間指定なし');
    expect(formatOrderWindow(anytime, 'en')).toBe('Nov 24 anytime');
  });
});

describe('Japan-time dates', () => {
  it('today is the date in Tokyo, whatever the UTC date', () => {
    expect(todayInTokyo(new Date('2026-11-23T15:30:00Z'))).toBe('2026-11-24');
    expect(todayInTokyo(new Date('2026-11-23T14:59:00Z'))).toBe('2026-11-23');
  });

  it('moves a date by whole days across months and years', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('formats a short date per language', () => {
    expect(formatShortDate('2026-01-05', 'ja-JP')).toBe('1/5');
    expect(formatShortDate('2026-01-05', 'en-US')).toBe('Jan 5');
  });
});
