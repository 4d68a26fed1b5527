import { describe, expect, it } from 'vitest';
import type { OrderRow } from '$lib/ipc/board';
import { BOM } from '$lib/csv';
import { exportFileName, ordersCsv } from '$features/board/exportCsv';

const row: OrderRow = {
  id: 'd-1',
  kind: 'delivery',
  store_id: 's1',
  store_name: 'ハコブ商店, 麻布店',
  status: 'delivering',
  tracking_code: '031015293758',
  customer_name: '吉沢 "ケン" 健二',
  customer_phone: '090-1234-5678',
  customer_address: '東京都港区麻布十番1-2-3\n2階',
  window_starts_at: '2026-12-07T10:00:00+09:00',
  window_ends_at: '2026-12-07T11:00:00+09:00',
  window_date: '2026-12-07',
  driver_id: 7,
  driver_name: '佐藤',
  late: { level: 'late', reason: 'not_delivered', minutes: 12 },
  cancel_to: 'returning',
  queued: null,
};

describe('the orders CSV', () => {
  it('has a BOM, a header in the UI language and one quoted record per order', () => {
    const text = ordersCsv([row], 'ja');
    expect(text.startsWith(BOM)).toBe(true);
    const [header, record] = text.slice(1).split('\r\n');
    expect(header).toContain('追跡番号');
    expect(record).toContain('031015293758,配送,配送中,2026-12-07 10:00,2026-12-07 11:00');
    expect(record).toContain('"吉沢 ""ケン"" 健二"');
    expect(record).toContain('"ハコブ商店, 麻布店"');
    expect(text).toContain('"東京都港区麻布十番1-2-3\n2階"');
    expect(record).toContain(',遅延,d-1');
  });

  it('speaks English when the UI does', () => {
    const text = ordersCsv([row], 'en');
    expect(text.slice(1).split('\r\n')[0]).toContain('Tracking');
    expect(text).toContain('Delivering');
  });

  it('names the file after the Japan-time moment of the export', () => {
    expect(exportFileName(new Date('2026-12-07T01:30:00Z'))).toBe('hakobu-orders-2026-12-07-1030.csv');
  });
});
