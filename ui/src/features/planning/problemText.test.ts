import { describe, expect, it } from 'vitest';
import type { PlanProblem } from '$lib/ipc/planning';
import { problemsText, problemText } from './problemText';

const problem = (over: Partial<PlanProblem>): PlanProblem => ({
  rule: 'window',
  driver_email: 'sato@hakobu.test',
  driver_name: '佐藤 一郎',
  stop_id: 'line-7',
  stop: { kind: 'file', line: 7, external_stop_id: 'HK-1007' },
  over: 720,
  amount: 12,
  window: [14 * 3600, 16 * 3600],
  capacity: null,
  detail: null,
  ...over,
});

describe('problemText', () => {
  it('words a late stop with its driver, its code and its window, in Japanese and English', () => {
    expect(problemText(problem({}), 'ja')).toBe('佐藤 一郎: HK-1007 への到着が12分遅れます（時間指定 14:00–16:00）');
    expect(problemText(problem({}), 'en')).toBe('佐藤 一郎: HK-1007 is 12 min late (time window 14:00–16:00)');
    const order = problem({ stop: { kind: 'order', order_kind: 'delivery', id: '42', tracking_code: '100000000042' } });
    expect(problemText(order, 'en')).toContain('100000000042 is 12 min late');
    // A version kept before problems carried the window: no 00:00–00:00.
    expect(problemText(problem({ window: null }), 'ja')).toBe('佐藤 一郎: HK-1007 への到着が12分遅れます');
    expect(problemText(problem({ window: null }), 'en')).toBe('佐藤 一郎: HK-1007 is 12 min late');
  });

  it('words the shift, the working time and the capacity', () => {
    const shift = problem({ rule: 'shift', stop_id: null, stop: null, window: null, amount: 35 });
    expect(problemText(shift, 'ja')).toBe('佐藤 一郎: 勤務終了を35分超過します');
    expect(problemText(shift, 'en')).toBe('佐藤 一郎: 35 min past the end of the shift');
    const long = problem({ rule: 'max_duration', stop_id: null, stop: null, window: null, amount: 5 });
    expect(problemText(long, 'ja')).toBe('佐藤 一郎: 最大運行時間を5分超過します');
    expect(problemText(long, 'en')).toBe('佐藤 一郎: 5 min over the maximum working time');
    const heavy = problem({ rule: 'capacity', stop_id: null, stop: null, window: null, amount: 3, capacity: 20 });
    expect(problemText(heavy, 'ja')).toBe('佐藤 一郎: 積載量を3個超過します（20個まで）');
    expect(problemText(heavy, 'en')).toBe('佐藤 一郎: 3 parcels over the vehicle’s capacity (20 at most)');
    expect(problemText({ ...heavy, amount: 1 }, 'en')).toBe('佐藤 一郎: 1 parcel over the vehicle’s capacity (20 at most)');
  });

  it('names the driver by login when the name is missing, and joins several problems', () => {
    const shift = problem({ rule: 'shift', driver_name: null, amount: 1 });
    expect(problemText(shift, 'en')).toBe('sato@hakobu.test: 1 min past the end of the shift');
    expect(problemsText([problem({}), shift], 'ja')).toBe(
      '佐藤 一郎: HK-1007 への到着が12分遅れます（時間指定 14:00–16:00） / sato@hakobu.test: 勤務終了を1分超過します',
    );
    const other = problem({ rule: 'other', detail: 'UnknownJob { job: 9 }' });
    expect(problemText(other, 'ja')).toBe('計画に食い違いがあります（UnknownJob { job: 9 }）');
    expect(problemText(other, 'en')).toBe('The plan does not add up (UnknownJob { job: 9 })');
  });
});
