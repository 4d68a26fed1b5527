// From a pointer to a move: which row (driver) or the tray is under it, and where among the
// row's stops it lands. Pure, so a pointer sequence can be checked without a window; the
// component only measures its rectangles and feeds the pointer in.
import type { StopSource } from '$lib/ipc/generated';
import type { TimelineMove } from './events';
import type { Row, TimelineLayout } from './layout';

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** The rectangles a drop is judged against, in client pixels, as laid out and scrolled now. */
export interface DropGeometry {
  /** The visible part of the rows (a pointer outside it is over no row). */
  rows: Rect;
  /** Client x of the axis's first minute and client y of the first row's top (both scrolled). */
  originX: number;
  originY: number;
  rowHeight: number;
  pxPerMin: number;
  /** The unassigned tray, if shown. */
  tray: Rect | null;
}

const inside = (r: Rect, x: number, y: number): boolean =>
  x >= r.left && x < r.right && y >= r.top && y < r.bottom;

/**
 * Where a stop lands in a row at minute `at`: before the first other stop whose middle is
 * later. The moved stop is left out, so dropping it where it is keeps its index.
 */
export function positionAt(row: Row, at: number | null, moving: string): number {
  const others = row.stops.filter((s) => s.key !== moving);
  if (at === null) return others.length;
  const i = others.findIndex((s) => (s.start + s.end) / 2 > at);
  return i < 0 ? others.length : i;
}

export type DropTarget = { toDriver: string | null; position: number };

/** The target under the pointer; null over nothing, over a locked row, or outside. */
export function dropTarget(
  layout: TimelineLayout,
  g: DropGeometry,
  moving: string,
  x: number,
  y: number,
): DropTarget | null {
  if (g.tray && inside(g.tray, x, y)) return { toDriver: null, position: 0 };
  if (!inside(g.rows, x, y)) return null;
  const r = Math.floor((y - g.originY) / g.rowHeight);
  const row = layout.rows[r];
  if (!row || row.locked) return null;
  const minute = layout.from + (x - g.originX) / g.pxPerMin;
  return { toDriver: row.driver, position: positionAt(row, minute, moving) };
}

/** Where a stop is now, in the terms of a move. */
export function currentPlace(layout: TimelineLayout, key: string): { driver: string | null; position: number } | null {
  const at = layout.where.get(key);
  if (at) {
    const row = layout.rows[at.row]!;
    const block = row.blocks[at.block]!;
    return { driver: row.driver, position: block.kind === 'stop' ? block.index : 0 };
  }
  return layout.tray.some((t) => t.key === key) ? { driver: null, position: 0 } : null;
}

/** The move a target makes of a stop; null when it would leave the stop where it is. */
export function moveTo(layout: TimelineLayout, key: string, target: DropTarget): TimelineMove | null {
  const here = currentPlace(layout, key);
  if (!here) return null;
  if (here.driver === target.toDriver && (target.toDriver === null || here.position === target.position)) {
    return null;
  }
  const source = sourceOf(layout, key);
  if (!source) return null;
  return { stopId: key, source, fromDriver: here.driver, toDriver: target.toDriver, position: target.position };
}

function sourceOf(layout: TimelineLayout, key: string): StopSource | null {
  const at = layout.where.get(key);
  if (at) {
    const b = layout.rows[at.row]!.blocks[at.block]!;
    return b.kind === 'stop' ? b.source : null;
  }
  return layout.tray.find((t) => t.key === key)?.source ?? null;
}

/** Whether a stop may be moved at all: not fixed, and not on a locked route. */
export function movable(layout: TimelineLayout, key: string): boolean {
  const at = layout.where.get(key);
  if (at) {
    const row = layout.rows[at.row]!;
    const b = row.blocks[at.block]!;
    return !row.locked && !(b.kind === 'stop' && b.fixed);
  }
  const item = layout.tray.find((t) => t.key === key);
  return item !== undefined && !item.fixed;
}

/** The menu's 前へ / 後へ: one place earlier or later in its own route; null at the ends. */
export function stepMove(layout: TimelineLayout, key: string, step: -1 | 1): TimelineMove | null {
  const here = currentPlace(layout, key);
  if (!here || here.driver === null) return null;
  const row = layout.rows.find((r) => r.driver === here.driver)!;
  const position = here.position + step;
  if (position < 0 || position >= row.stops.length) return null;
  return moveTo(layout, key, { toDriver: here.driver, position });
}

/** The menu's ドライバーを変更…: to `driver`, at the place its current time (or window) fits. */
export function driverMove(layout: TimelineLayout, key: string, driver: string | null): TimelineMove | null {
  if (driver === null) return moveTo(layout, key, { toDriver: null, position: 0 });
  const row = layout.rows.find((r) => r.driver === driver);
  if (!row || row.locked) return null;
  const at = layout.where.get(key);
  let minute: number | null = null;
  if (at) {
    const b = layout.rows[at.row]!.blocks[at.block]!;
    minute = b.start;
  } else {
    minute = layout.tray.find((t) => t.key === key)?.window?.[0] ?? null;
  }
  return moveTo(layout, key, { toDriver: driver, position: positionAt(row, minute, key) });
}

/** A drag from pointerdown to pointerup; it becomes a drag only past a few pixels, so a click stays a click. */
export class PointerDrag {
  key: string | null = null;
  startX = 0;
  startY = 0;
  x = 0;
  y = 0;
  dragging = false;
  pointerId: number | null = null;

  constructor(readonly threshold: number = 4) {}

  down(key: string, pointerId: number, x: number, y: number): void {
    this.key = key;
    this.pointerId = pointerId;
    this.startX = this.x = x;
    this.startY = this.y = y;
    this.dragging = false;
  }

  /** True when this moves an armed or running drag. */
  move(pointerId: number, x: number, y: number): boolean {
    if (this.key === null || pointerId !== this.pointerId) return false;
    this.x = x;
    this.y = y;
    if (!this.dragging && Math.hypot(x - this.startX, y - this.startY) >= this.threshold) this.dragging = true;
    return true;
  }

  /** Ends the gesture: the move it makes, or null (a click, no target, no change). */
  up(pointerId: number, x: number, y: number, layout: TimelineLayout, g: DropGeometry): TimelineMove | null {
    if (this.key === null || pointerId !== this.pointerId) return null;
    this.move(pointerId, x, y);
    const key = this.key;
    const was = this.dragging;
    this.cancel();
    if (!was) return null;
    const target = dropTarget(layout, g, key, x, y);
    return target ? moveTo(layout, key, target) : null;
  }

  cancel(): void {
    this.key = null;
    this.pointerId = null;
    this.dragging = false;
  }
}
