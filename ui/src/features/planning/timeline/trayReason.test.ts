import { describe, expect, it } from 'vitest';
import type { TrayItem } from './layout';
import { trayReason } from './trayReason';

const item = (over: Partial<TrayItem> = {}): TrayItem => ({
  key: 'line-3',
  source: { kind: 'file', line: 3, external_stop_id: 'HK-1003' },
  label: 'HK-1003',
  cause: 'shift',
  closestDriver: 'ito@hakobu.test',
  closestDriverName: '伊藤 さくら',
  misses: [{ rule: 'shift_end', amount: 82 }],
  diaqCode: null,
  window: null,
  parcels: 1,
  fixed: false,
  ...over,
});

describe('trayReason', () => {
  it('words the cause, the closest driver and each miss in the window language', () => {
    expect(trayReason(item(), 'ja')).toBe(
      '配達後、勤務終了までに戻れるドライバーがいません（最も近い: 伊藤 さくら、勤務終了を82分超過）',
    );
    expect(trayReason(item(), 'en')).toBe(
      'No driver can deliver it and be back before the shift ends (closest: 伊藤 さくら, 82 min past the shift end)',
    );
    const two = item({ cause: 'window', misses: [{ rule: 'late', amount: 5 }, { rule: 'capacity', amount: 2 }] });
    expect(trayReason(two, 'en')).toBe(
      'No driver reaches it within its time window (closest: 伊藤 さくら, 5 min late, 2 parcels over capacity)',
    );
    expect(trayReason(two, 'ja')).toContain('5分遅れ、積載量を2個超過');
  });

  it('leaves out what it does not know', () => {
    expect(trayReason(item({ misses: [] }), 'en')).toBe(
      'No driver can deliver it and be back before the shift ends (closest: 伊藤 さくら)',
    );
    expect(trayReason(item({ closestDriverName: null, closestDriver: null, misses: [] }), 'en')).toBe(
      'No driver can deliver it and be back before the shift ends',
    );
  });

  it('names the DIAq delivery a stop was handed over as', () => {
    const handed = item({ cause: 'manual', diaqCode: '856669589140' });
    expect(trayReason(handed, 'ja')).toBe('DIAq に委託済み（856669589140）');
    expect(trayReason(handed, 'en')).toBe('Handed to DIAq (856669589140)');
  });
});
