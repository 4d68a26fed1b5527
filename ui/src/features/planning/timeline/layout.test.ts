import { describe, expect, it } from 'vitest';
import { blocksInView, hhmmToMin, hourTicks, layoutTimeline, minToHhmm, nowOnDate, stopLabel, type StopBlock } from './layout';
import { fleet, key, plan, S1, S3, S5 } from './fixture';

describe('layoutTimeline', () => {
  const layout = layoutTimeline(plan(), fleet);

  it('has a row per fleet driver in the fleet order, with or without a route', () => {
    expect(layout.rows.map((r) => [r.driver, r.name, r.inFleet])).toEqual([
      ['a@hakobu.test', '佐藤', true],
      ['b@hakobu.test', '鈴木', true],
      ['c@hakobu.test', '高橋', true],
    ]);
    // A driver without a route keeps the fleet's shift and has nothing on it.
    const c = layout.rows[2]!;
    expect(c.shift).toEqual([8 * 60 + 30, 12 * 60]);
    expect(c.blocks).toEqual([]);
    expect(c.travel).toEqual([]);
    expect(c.routeEnd).toBeNull();
  });

  it('merges consecutive store visits into one stay and numbers the customer stops', () => {
    const a = layout.rows[0]!;
    expect(a.blocks.map((b) => b.kind)).toEqual(['store', 'stop', 'stop', 'stop']);
    const stay = a.blocks[0]!;
    expect(stay.kind === 'store' && [stay.count, stay.parcels, stay.start, stay.end]).toEqual([
      3,
      3,
      9 * 60 + 10,
      9 * 60 + 16,
    ]);
    expect(a.stops.map((s) => [s.label, s.index])).toEqual([
      ['S1', 0],
      ['S2', 1],
      ['S3', 2],
    ]);
  });

  it('places blocks at their planned minutes, with the service as their length', () => {
    const s1 = layout.rows[0]!.stops[0]!;
    expect([s1.arrival, s1.start, s1.end]).toEqual([570, 570, 573]);
    expect(s1.window).toEqual([540, 600]);
  });

  it('draws the wait from arrival to the window opening, and no wait when service starts on arrival', () => {
    const [s1, s2] = layout.rows[0]!.stops;
    expect(s1!.wait).toBeNull();
    expect(s2!.wait).toEqual([585, 600]);
  });

  it('says how late service starts after the window closes', () => {
    const [s1, s2, s3] = layout.rows[0]!.stops;
    expect([s1!.late, s2!.late, s3!.late]).toEqual([0, 0, 15]);
  });

  it('has travel from the shift start to each arrival and back to the end place', () => {
    expect(layout.rows[0]!.travel).toEqual([
      [540, 550],
      [556, 570],
      [573, 585],
      [603, 630],
      [633, 660],
    ]);
  });

  it('lists the unassigned stops with their reason and the closest driver', () => {
    expect(layout.tray).toEqual([
      {
        key: key(S5),
        source: S5,
        label: 'S5',
        cause: 'window',
        closestDriver: 'b@hakobu.test',
        closestDriverName: '鈴木',
        misses: [{ rule: 'late', amount: 25 }],
        diaqCode: null,
        window: [1140, 1170],
        parcels: 3,
        fixed: false,
      },
    ]);
  });

  it('spans whole hours around shifts, visits and the tray windows', () => {
    expect([layout.from, layout.to]).toEqual([8 * 60, 20 * 60]);
  });

  it('keys stops by the plan\'s stop id', () => {
    expect(layout.rows[0]!.stops.map((s) => s.key)).toEqual(['line-2', 'line-3', 'line-4']);
    expect(layout.tray[0]!.key).toBe('line-6');
  });

  it('finds every stop by its key', () => {
    expect(layout.where.get(key(S3))).toEqual({ row: 0, block: 3 });
    expect(layout.where.has(key(S5))).toBe(false);
  });

  it('marks locked routes and fixed stops', () => {
    const l = layoutTimeline(plan({ locked: ['b@hakobu.test'], fixed: [key(S1), key(S5)] }), fleet);
    expect(l.rows.map((r) => r.locked)).toEqual([false, true, false]);
    // Only a driver with a route has one to lock.
    expect(l.rows.map((r) => r.hasRoute)).toEqual([true, true, false]);
    expect(l.rows[0]!.stops.map((s) => s.fixed)).toEqual([true, false, false]);
    expect(l.tray[0]!.fixed).toBe(true);
  });

  it('keeps a route whose driver left the fleet, after the fleet', () => {
    const l = layoutTimeline(plan(), fleet.slice(1));
    expect(l.rows.map((r) => [r.driver, r.inFleet])).toEqual([
      ['b@hakobu.test', true],
      ['c@hakobu.test', true],
      ['a@hakobu.test', false],
    ]);
  });

  it('shows an empty day from 09:00 to 18:00', () => {
    const l = layoutTimeline(null, []);
    expect([l.rows, l.tray, l.from, l.to]).toEqual([[], [], 540, 1080]);
  });
});

describe('stop keys and times', () => {
  it('labels a file row by its stop id and an order by its tracking code', () => {
    expect(stopLabel(S1)).toBe('S1');
    expect(stopLabel({ kind: 'order', order_kind: 'fetch', id: 'F9', tracking_code: 'T9' })).toBe('T9');
  });

  it('reads and writes HH:mm', () => {
    expect(hhmmToMin('09:05')).toBe(545);
    expect(hhmmToMin('9:5')).toBeNaN();
    expect(minToHhmm(545)).toBe('09:05');
    expect(minToHhmm(1500)).toBe('25:00');
    expect(minToHhmm(569.6)).toBe('09:30');
  });

  it('ticks every hour, or fewer when hours are narrow', () => {
    expect(hourTicks(540, 720)).toEqual([540, 600, 660, 720]);
    expect(hourTicks(540, 720, 1)).toEqual([540, 600, 660, 720]);
    // 0.5 px a minute: an hour is 30 px, two are 60.
    expect(hourTicks(540, 1080, 0.5)).toEqual([600, 720, 840, 960, 1080]);
    expect(hourTicks(0, 1440, 0.1)).toEqual([0, 720, 1440]);
    expect(hourTicks(0, 1440, 0.02)).toEqual([0, 1440]);
  });

  it('is now on the plan date in Japan time only', () => {
    // 2026-12-07 01:30 UTC is 10:30 in Tokyo.
    expect(nowOnDate(new Date('2026-12-07T01:30:00Z'), '2026-12-07')).toBe(630);
    // 2026-12-06 16:00 UTC is already the 7th in Tokyo.
    expect(nowOnDate(new Date('2026-12-06T16:00:00Z'), '2026-12-07')).toBe(60);
    expect(nowOnDate(new Date('2026-12-07T15:00:00Z'), '2026-12-07')).toBeNull();
  });
});

describe('blocksInView', () => {
  const blocks = layoutTimeline(plan(), fleet).rows[0]!.blocks;
  it('keeps only the blocks that reach into the minutes in view', () => {
    expect(blocksInView(blocks, 0, 24 * 60)).toHaveLength(4);
    expect(blocksInView(blocks, 574, 600).map((b) => (b as StopBlock).label)).toEqual(['S2']);
    expect(blocksInView(blocks, 700, 800)).toEqual([]);
    expect(blocksInView(blocks, 0, 500)).toEqual([]);
  });
});
