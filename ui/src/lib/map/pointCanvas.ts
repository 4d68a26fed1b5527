// One canvas for every point layer of a map. A canvas takes every click over it, so layers on
// canvases of their own would hide the ones below from the pointer; on one canvas Leaflet's
// renderer hit-tests them all. Each layer has a rank, and a dot is drawn above every dot of a
// lower rank however late it was added (stores under drivers even when a store comes later).
import L from 'leaflet';
import type { Dot } from '$lib/map/dot';
import { measureSpan } from '$lib/perf';

/** Leaflet's canvas keeps its paths in a linked list, drawn first to last. */
interface OrderNode {
  layer: L.Layer;
  prev: OrderNode | null;
  next: OrderNode | null;
}

interface CanvasInternals {
  _drawFirst: OrderNode | null;
  _drawLast: OrderNode | null;
}

const ranks = new WeakMap<L.Layer, number>();

export class PointCanvas {
  readonly renderer: L.Canvas;
  readonly pane: string;

  /** `measure`: a User Timing measure of each redraw under this name (`map:draw`). */
  constructor(map: L.Map, pane: string, zIndex: number, measure?: string) {
    this.pane = pane;
    if (!map.getPane(pane)) map.createPane(pane).style.zIndex = String(zIndex);
    this.renderer = L.canvas({ pane, padding: 0.3, tolerance: 3 });
    if (measure) {
      // Leaflet asks for `this._redraw` when it schedules a frame: timed on this canvas only.
      const r = this.renderer as unknown as { _redraw: () => void };
      const redraw = r._redraw;
      r._redraw = function (this: unknown) {
        const start = performance.now();
        redraw.call(this);
        measureSpan(measure, start);
      };
    }
    this.renderer.addTo(map);
  }

  /** Call right after a dot was added to the map: moves it below every dot of a higher rank. */
  place(dot: Dot, rank: number): void {
    ranks.set(dot, rank);
    const r = this.renderer as unknown as CanvasInternals;
    const node = (dot as unknown as { _order?: OrderNode })._order;
    if (!node) return;
    // Walk back from the end past every higher-ranked path (usually none: the top layer adds
    // at the end in one step).
    let after = node.prev;
    while (after && (ranks.get(after.layer) ?? 0) > rank) after = after.prev;
    if (after === node.prev) return;
    // Unlink…
    if (node.prev) node.prev.next = node.next;
    else r._drawFirst = node.next;
    if (node.next) node.next.prev = node.prev;
    else r._drawLast = node.prev;
    // …and link after `after` (or first).
    node.prev = after;
    node.next = after ? after.next : r._drawFirst;
    if (node.next) node.next.prev = node;
    else r._drawLast = node;
    if (after) after.next = node;
    else r._drawFirst = node;
  }

  destroy(): void {
    this.renderer.remove();
  }
}
