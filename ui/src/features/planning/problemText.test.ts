import { describe, expect, it } from 'vitest';
import type { CommandError } from '$lib/ipc';
import type { PlanProblem } from '$lib/ipc/planning';
import { problemsText, problemText, refusalText } from './problemText';

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

describe('refusalText', () => {
  const refused = (detail: CommandError['detail'], message = 'edit: (English)'): CommandError => ({
    code: 'bad_request',
    message,
    field: 'edit',
    detail,
  });

  it('words a move that would break a rule as the problem it would be', () => {
    const late = refused({ rule: 'plan_problem', problem: problem({}) });
    expect(refusalText(late, 'ja')).toBe('佐藤 一郎: HK-1007 への到着が12分遅れます（時間指定 14:00–16:00）');
    expect(refusalText(late, 'en')).toBe('佐藤 一郎: HK-1007 is 12 min late (time window 14:00–16:00)');
  });

  it('words a locked route, nothing to undo or redo, and a stop already in the tray', () => {
    const locked = refused({ rule: 'route_locked', driver_email: 'sato@hakobu.test', driver_name: '佐藤 一郎' });
    expect(refusalText(locked, 'ja')).toBe('佐藤 一郎 のルートは固定中です（変更するには固定を解除してください）');
    expect(refusalText(locked, 'en')).toBe('佐藤 一郎’s route is locked (unlock it to change it)');
    const nameless = refused({ rule: 'route_locked', driver_email: 'sato@hakobu.test', driver_name: '' });
    expect(refusalText(nameless, 'en')).toBe('sato@hakobu.test’s route is locked (unlock it to change it)');
    expect(refusalText(refused({ rule: 'nothing_to_undo' }), 'ja')).toBe('元に戻す変更がありません');
    expect(refusalText(refused({ rule: 'nothing_to_undo' }), 'en')).toBe('Nothing to undo');
    expect(refusalText(refused({ rule: 'nothing_to_redo' }), 'ja')).toBe('やり直す変更がありません');
    expect(refusalText(refused({ rule: 'nothing_to_redo' }), 'en')).toBe('Nothing to redo');
    const tray = refused({
      rule: 'already_unassigned',
      stop_id: 'line-7',
      stop: { kind: 'file', line: 7, external_stop_id: 'HK-1007' },
    });
    expect(refusalText(tray, 'ja')).toBe('HK-1007 はすでに未割当です');
    expect(refusalText(tray, 'en')).toBe('HK-1007 is already unassigned');
    expect(refusalText(refused({ rule: 'already_unassigned', stop_id: 'line-7', stop: null }), 'en')).toBe(
      'line-7 is already unassigned',
    );
  });

  it('shows the message as sent without facts, or with facts it does not know', () => {
    const plain: CommandError = { code: 'bad_request', message: 'stop_id: "x" is on no route', field: 'stop_id' };
    expect(refusalText(plain, 'ja')).toBe('stop_id: "x" is on no route');
    expect(refusalText({ ...plain, detail: null }, 'ja')).toBe('stop_id: "x" is on no route');
    const newer = refused({ rule: 'on_the_moon' } as unknown as CommandError['detail'], 'edit: on the Moon');
    expect(refusalText(newer, 'ja')).toBe('edit: on the Moon');
    const newerProblem = refused(
      { rule: 'plan_problem', problem: problem({ rule: 'gravity' as PlanProblem['rule'] }) },
      'edit: gravity: too strong',
    );
    expect(refusalText(newerProblem, 'en')).toBe('edit: gravity: too strong');
  });
});
