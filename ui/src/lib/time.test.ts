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
