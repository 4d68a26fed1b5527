import { describe, expect, it } from 'vitest';
import { layoutTimeline } from './layout';
import { dropTarget, driverMove, movable, moveTo, PointerDrag, positionAt, stepMove, type DropGeometry } from './drag';
import { fleet, key, plan, S1, S2, S3, S4, S5 } from './fixture';

// Rows 40 px high from y = 100, the axis's first minute (08:00) at x = 200, 2 px a minute;
// the tray below the rows.
const geometry: DropGeometry = {
  rows: { left: 200, top: 100, right: 1200, bottom: 220 },
  originX: 200,
  originY: 100,
  rowHeight: 40,
  pxPerMin: 2,
  tray: { left: 0, top: 240, right: 1200, bottom: 400 },
};
const xAt = (hh: number, mm = 0): number => 200 + (hh * 60 + mm - 480) * 2;
const yOf = (row: number): number => 100 + row * 40 + 20;

describe('drop targets', () => {
  const layout = layoutTimeline(plan(), fleet);

  it('a point over a row gives its driver and the place among its stops by time', () => {
    expect(dropTarget(layout, geometry, key(S4), xAt(9), yOf(0))).toEqual({ toDriver: 'a@hakobu.test', position: 0 });
    expect(dropTarget(layout, geometry, key(S4), xAt(9, 50), yOf(0))).toEqual({ toDriver: 'a@hakobu.test', position: 1 });
    expect(dropTarget(layout, geometry, key(S4), xAt(12), yOf(0))).toEqual({ toDriver: 'a@hakobu.test', position: 3 });
    expect(dropTarget(layout, geometry, key(S1), xAt(11), yOf(1))).toEqual({ toDriver: 'b@hakobu.test', position: 1 });
    expect(dropTarget(layout, geometry, key(S1), xAt(11), yOf(2))).toEqual({ toDriver: 'c@hakobu.test', position: 0 });
  });

  it('the tray is the unassigned target; outside rows and tray is none', () => {
    expect(dropTarget(layout, geometry, key(S1), 50, 300)).toEqual({ toDriver: null, position: 0 });
    expect(dropTarget(layout, geometry, key(S1), 100, yOf(0))).toBeNull();
    expect(dropTarget(layout, geometry, key(S1), xAt(10), 230)).toBeNull();
  });

  it('a locked row takes no drop', () => {
    const locked = layoutTimeline(plan({ locked: ['b@hakobu.test'] }), fleet);
    expect(dropTarget(locked, geometry, key(S1), xAt(11), yOf(1))).toBeNull();
  });

  it('counts positions without the moved stop', () => {
    const a = layout.rows[0]!;
    // S1 dropped between S2 and S3 of its own route: after S2, the one other stop before it.
    expect(positionAt(a, 10 * 60 + 10, key(S1))).toBe(1);
    expect(positionAt(a, null, key(S1))).toBe(2);
  });
});

describe('a pointer drag', () => {
  const layout = layoutTimeline(plan(), fleet);

  it('ending over another row moves the stop to that driver at the place under the pointer', () => {
    const drag = new PointerDrag();
    drag.down(key(S2), 1, xAt(10), yOf(0));
    expect(drag.move(1, xAt(10, 5), yOf(0) + 20)).toBe(true);
    expect(drag.dragging).toBe(true);
    drag.move(1, xAt(10, 20), yOf(1));
    expect(drag.up(1, xAt(10, 20), yOf(1), layout, geometry)).toEqual({
      stopId: key(S2),
      source: S2,
      fromDriver: 'a@hakobu.test',
      toDriver: 'b@hakobu.test',
      position: 0,
    });
    expect(drag.key).toBeNull();
  });

  it('along its own row changes its place', () => {
    const drag = new PointerDrag();
    drag.down(key(S1), 7, xAt(9, 30), yOf(0));
    expect(drag.up(7, xAt(11), yOf(0), layout, geometry)).toMatchObject({ toDriver: 'a@hakobu.test', fromDriver: 'a@hakobu.test', position: 2 });
  });

  it('from the tray onto a row assigns it; from a row onto the tray unassigns it', () => {
    const drag = new PointerDrag();
    drag.down(key(S5), 1, 50, 300);
    expect(drag.up(1, xAt(11), yOf(2), layout, geometry)).toMatchObject({ stopId: key(S5), fromDriver: null, toDriver: 'c@hakobu.test', position: 0 });
    drag.down(key(S4), 1, xAt(10, 40), yOf(1));
    expect(drag.up(1, 500, 300, layout, geometry)).toMatchObject({ stopId: key(S4), fromDriver: 'b@hakobu.test', toDriver: null });
  });

  it('a click (under the threshold), a drop in place or on nothing, or another pointer moves nothing', () => {
    const drag = new PointerDrag();
    drag.down(key(S1), 1, xAt(9, 30), yOf(0));
    expect(drag.up(1, xAt(9, 30) + 2, yOf(0) + 1, layout, geometry)).toBeNull();
    drag.down(key(S1), 1, xAt(9, 30), yOf(0));
    expect(drag.up(1, xAt(9, 32), yOf(0) + 10, layout, geometry)).toBeNull();
    drag.down(key(S1), 1, xAt(9, 30), yOf(0));
    expect(drag.up(1, 100, 10, layout, geometry)).toBeNull();
    drag.down(key(S1), 1, xAt(9, 30), yOf(0));
    expect(drag.move(2, xAt(12), yOf(1))).toBe(false);
    expect(drag.up(2, xAt(12), yOf(1), layout, geometry)).toBeNull();
    expect(drag.dragging).toBe(false);
  });
});

describe('the menu twins', () => {
  const layout = layoutTimeline(plan(), fleet);

  it('前へ / 後へ move one place in the route and stop at its ends', () => {
    expect(stepMove(layout, key(S2), -1)).toMatchObject({ toDriver: 'a@hakobu.test', position: 0 });
    expect(stepMove(layout, key(S2), 1)).toMatchObject({ toDriver: 'a@hakobu.test', position: 2 });
    expect(stepMove(layout, key(S1), -1)).toBeNull();
    expect(stepMove(layout, key(S3), 1)).toBeNull();
    expect(stepMove(layout, key(S5), 1)).toBeNull();
  });

  it('ドライバーを変更 places the stop by its current time, a tray stop by its window', () => {
    expect(driverMove(layout, key(S3), 'b@hakobu.test')).toMatchObject({ fromDriver: 'a@hakobu.test', toDriver: 'b@hakobu.test', position: 0 });
    expect(driverMove(layout, key(S5), 'a@hakobu.test')).toMatchObject({ fromDriver: null, toDriver: 'a@hakobu.test', position: 3 });
    expect(driverMove(layout, key(S1), null)).toMatchObject({ toDriver: null });
    // Its own driver: nothing to do; an unknown or locked driver: refused.
    expect(driverMove(layout, key(S1), 'a@hakobu.test')).toBeNull();
    expect(driverMove(layout, key(S1), 'nobody@hakobu.test')).toBeNull();
    const locked = layoutTimeline(plan({ locked: ['b@hakobu.test'] }), fleet);
    expect(driverMove(locked, key(S1), 'b@hakobu.test')).toBeNull();
  });

  it('a stop already in the tray is not moved to the tray', () => {
    expect(moveTo(layout, key(S5), { toDriver: null, position: 0 })).toBeNull();
    expect(moveTo(layout, 'file:99:nope', { toDriver: 'a@hakobu.test', position: 0 })).toBeNull();
  });

  it('fixed stops and the stops of a locked route do not move', () => {
    const l = layoutTimeline(plan({ locked: ['b@hakobu.test'], fixed: [key(S1)] }), fleet);
    expect(movable(l, key(S1))).toBe(false);
    expect(movable(l, key(S4))).toBe(false);
    expect(movable(l, key(S2))).toBe(true);
    expect(movable(l, key(S5))).toBe(true);
    expect(movable(l, 'file:99:nope')).toBe(false);
  });
});
