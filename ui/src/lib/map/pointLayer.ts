// Many points on one map, drawn as Dots on the map's point canvas and clustered below a
// zoom with supercluster. Built for points that move: `upsert` touches only the points given,
// and a point that is not clustered is moved in place at once. While clusters show, the index
// (a few milliseconds and a few hundred kB of garbage for thousands of points) is rebuilt at
// once when points come or go, the selection or the view changes, but when points only moved
// at most every INDEX_EVERY_MS: with 2,000 drivers moving once a second, rebuilding it every
// frame was most of the page's work and its memory churn, and a cluster's glyph lagging a
// moment behind its members' moves of a few metres does not show. The cluster glyphs are
// reused, each redrawn only when it changed. The selected point is never clustered. A click
// on a spot where several points are drawn on their own (at any zoom: clusters stop at
// `clusterMaxZoom`, points on one spot never part) goes to `onstackclick` with all of them,
// so the ones under the top glyph can be chosen too (hit.ts).
// Knows nothing of drivers or orders: the caller says how each point and each cluster look.
import L from 'leaflet';
import Supercluster, { type ClusterFeature, type PointFeature } from 'supercluster';
import { Dot, type DotStyle } from '$lib/map/dot';
import { hitsAt, type Placed } from '$lib/map/hit';
import type { PointCanvas } from '$lib/map/pointCanvas';
import { measureSpan } from '$lib/perf';

export type PointId = string | number;

export interface MapPoint {
  id: PointId;
  lat: number;
  lng: number;
}

/** What a cluster holds: its size and its members per group (for the glyph's ring). */
export interface ClusterSummary {
  count: number;
  groups: Record<string, number>;
}

export interface PointLayerOptions<T extends MapPoint> {
  /** The map's point canvas (shared by every point layer, so all of them take clicks). */
  canvas: PointCanvas;
  /** Drawn above every layer of a lower rank. */
  rank: number;
  style: (point: T, selected: boolean) => DotStyle;
  clusterStyle?: (summary: ClusterSummary) => DotStyle;
  /** The group a point counts in inside a cluster summary. */
  group?: (point: T) => string;
  /** Clusters are formed up to this zoom (inclusive); null: never clustered. */
  clusterMaxZoom?: number | null;
  /** Cluster radius in pixels. */
  clusterRadius?: number;
  onclick?: (point: T) => void;
  onclusterclick?: (points: T[], at: L.LatLng) => void;
  /** A click on a spot where more than one point is drawn on its own: all of them, nearest
   *  the click first (without it, the top one goes to `onclick`, as Leaflet picks it). */
  onstackclick?: (points: T[], at: L.LatLng) => void;
  /** After each layout (which points are drawn on their own may have changed). */
  onlayout?: () => void;
  /** A User Timing measure of each layout under this name (`map:layout`), for benchmarks. */
  measure?: string;
  /** Tooltip text, if any (shown on hover). */
  tooltip?: (point: T) => string | null;
}

interface ClusterProps {
  minId: string;
  groups: Record<string, number>;
}

interface LeafProps {
  id: string;
  group: string;
}

const key = (id: PointId): string => String(id);

/** While points only move, the cluster index is rebuilt at most this often (ms). */
export const INDEX_EVERY_MS = 500;

/** No glyph takes a click farther than this from its centre (pixels): the widest cluster
 *  glyph's radius and Leaflet's tolerance, with room. Points farther are not projected. */
const MAX_HIT_PX = 32;

export class PointLayer<T extends MapPoint> {
  #map: L.Map;
  #opts: PointLayerOptions<T>;
  #points = new Map<string, T>();
  /** Dots of points drawn on their own, by id. */
  #dots = new Map<string, Dot>();
  /** Cluster glyphs in use, by their first member's id; spares are kept for reuse. */
  #clusterDots = new Map<string, { dot: Dot; clusterId: number }>();
  #spare: Dot[] = [];
  #index: Supercluster<LeafProps, ClusterProps> | null = null;
  #indexDirty = true;
  /** Dirty only because points moved (not came, went, or changed group or selection). */
  #onlyMoved = false;
  #indexedAt = -Infinity;
  #indexTimer: ReturnType<typeof setTimeout> | undefined;
  #frame = 0;
  #selected: string | null = null;
  #visible = true;
  #onView = () => this.#schedule(true);

  constructor(map: L.Map, options: PointLayerOptions<T>) {
    this.#map = map;
    this.#opts = options;
    map.on('moveend zoomend', this.#onView);
  }

  get size(): number {
    return this.#points.size;
  }

  get(id: PointId): T | undefined {
    return this.#points.get(key(id));
  }

  all(): IterableIterator<T> {
    return this.#points.values();
  }

  /** Replaces every point (the first load); later changes go through `upsert`/`remove`. */
  set(points: T[]): void {
    const next = new Map(points.map((p) => [key(p.id), p]));
    for (const id of this.#points.keys()) if (!next.has(id)) this.#dropDot(id);
    this.#points = next;
    for (const id of this.#dots.keys()) this.#refresh(id);
    this.#markDirty(false);
    this.#schedule(true);
  }

  /** Adds or changes these points only. */
  upsert(points: T[]): void {
    if (points.length === 0) return;
    const group = this.#opts.group;
    let structural = false;
    for (const p of points) {
      const id = key(p.id);
      const before = this.#points.get(id);
      // New, or counted in another group of a cluster's ring: the index must know at once.
      if (!before || (group && group(before) !== group(p))) structural = true;
      this.#points.set(id, p);
      if (this.#dots.has(id)) this.#refresh(id);
    }
    this.#markDirty(!structural);
    if (this.#clustering()) this.#schedule(false);
    else this.#schedule(true);
  }

  remove(ids: PointId[]): void {
    for (const raw of ids) {
      const id = key(raw);
      if (!this.#points.delete(id)) continue;
      this.#dropDot(id);
    }
    this.#markDirty(false);
    this.#schedule(false);
  }

  /** Re-asks the style of these points (or all): e.g. when their age crossed a threshold. */
  restyle(ids?: Iterable<PointId>): void {
    for (const raw of ids ?? this.#dots.keys()) this.#refresh(key(raw));
    if (this.#clustering()) {
      this.#markDirty(false);
      this.#schedule(false);
    }
  }

  select(id: PointId | null): void {
    const next = id === null ? null : key(id);
    if (next === this.#selected) return;
    const previous = this.#selected;
    this.#selected = next;
    if (previous !== null) this.#refresh(previous);
    if (next !== null) this.#refresh(next);
    this.#markDirty(false);
    this.#schedule(true);
    if (next !== null) this.#dots.get(next)?.bringToFront();
  }

  setVisible(visible: boolean): void {
    if (visible === this.#visible) return;
    this.#visible = visible;
    if (visible) {
      this.#schedule(true);
    } else {
      for (const id of [...this.#dots.keys()]) this.#hideDot(id);
      for (const { dot } of this.#clusterDots.values()) this.#retire(dot);
      this.#clusterDots.clear();
      this.#schedule(false); // nothing to lay out, but `onlayout` hears of it
    }
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#indexTimer);
    this.#map.off('moveend zoomend', this.#onView);
    for (const dot of this.#dots.values()) dot.remove();
    for (const { dot } of this.#clusterDots.values()) dot.remove();
    this.#dots.clear();
    this.#clusterDots.clear();
    this.#spare = [];
  }

  /** Whether a point has a glyph of its own on the map now (not inside a cluster). */
  isDrawn(id: PointId): boolean {
    return this.#dots.get(key(id))?.onMap === true;
  }

  /** How many glyphs are on the map now: points drawn on their own and cluster glyphs. */
  get drawnCount(): number {
    let n = this.#clusterDots.size;
    for (const dot of this.#dots.values()) if (dot.onMap) n += 1;
    return n;
  }

  /** The points drawn on their own whose glyph takes a click at this layer pixel, nearest
   *  first. Clustered and hidden points are not there to click. */
  pointsAt(at: L.Point): T[] {
    if (!this.#visible) return [];
    const map = this.#map;
    // Only points within MAX_HIT_PX of the pixel can hold it: a box in degrees first.
    const a = map.layerPointToLatLng(L.point(at.x - MAX_HIT_PX, at.y - MAX_HIT_PX));
    const b = map.layerPointToLatLng(L.point(at.x + MAX_HIT_PX, at.y + MAX_HIT_PX));
    const south = Math.min(a.lat, b.lat);
    const north = Math.max(a.lat, b.lat);
    const west = Math.min(a.lng, b.lng);
    const east = Math.max(a.lng, b.lng);
    const placed: Placed<T>[] = [];
    for (const [id, dot] of this.#dots) {
      if (!dot.onMap) continue;
      const p = this.#points.get(id);
      if (!p || p.lat < south || p.lat > north || p.lng < west || p.lng > east) continue;
      const px = map.latLngToLayerPoint([p.lat, p.lng]);
      placed.push({ item: p, x: px.x, y: px.y, r: dot.hitRadius });
    }
    return hitsAt(placed, at.x, at.y);
  }

  /** The points a click on the centre of this point's glyph lands on (itself first), or
   *  none when it is not drawn on its own. */
  stackOf(id: PointId): T[] {
    const p = this.#points.get(key(id));
    if (!p || !this.isDrawn(id)) return [];
    const at = this.#map.latLngToLayerPoint([p.lat, p.lng]);
    const hits = this.pointsAt(at);
    const self = hits.indexOf(p);
    if (self > 0) hits.unshift(...hits.splice(self, 1));
    return hits;
  }

  // ---- drawing ----

  #clustering(): boolean {
    const max = this.#opts.clusterMaxZoom;
    return max !== null && max !== undefined && Math.floor(this.#map.getZoom()) <= max;
  }

  #viewChanged = false;

  /** One layout per frame, however many changes arrived. */
  #schedule(view: boolean): void {
    this.#viewChanged ||= view;
    if (this.#frame) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: FrameRequestCallback) => setTimeout(() => f(0), 16) as unknown as number;
    this.#frame = raf(() => {
      this.#frame = 0;
      const start = performance.now();
      this.#layout();
      if (this.#opts.measure) measureSpan(this.#opts.measure, start);
      this.#opts.onlayout?.();
    });
  }

  #layout(): void {
    const view = this.#viewChanged;
    this.#viewChanged = false;
    if (!this.#visible) return;
    if (!this.#clustering()) {
      for (const { dot } of this.#clusterDots.values()) this.#retire(dot);
      this.#clusterDots.clear();
      for (const id of this.#points.keys()) this.#showDot(id);
      return;
    }
    const index = this.#rebuild(view);
    const bounds = this.#map.getBounds().pad(0.25);
    const features = index.getClusters(
      [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()],
      Math.floor(this.#map.getZoom()),
    );
    const single = new Set<string>();
    const clusters = new Map<string, ClusterFeature<ClusterProps>>();
    for (const f of features) {
      if ('cluster' in f.properties && f.properties.cluster) {
        const c = f as ClusterFeature<ClusterProps>;
        clusters.set(c.properties.minId, c);
      } else {
        single.add((f as PointFeature<LeafProps>).properties.id);
      }
    }
    if (this.#selected !== null && this.#points.has(this.#selected)) single.add(this.#selected);
    for (const id of [...this.#dots.keys()]) if (!single.has(id)) this.#hideDot(id);
    for (const id of single) this.#showDot(id);
    // Cluster glyphs: kept by their first member, moved and restyled only when they changed.
    for (const [k, used] of this.#clusterDots) {
      if (!clusters.has(k)) {
        this.#retire(used.dot);
        this.#clusterDots.delete(k);
      }
    }
    for (const [k, c] of clusters) {
      const [lng, lat] = c.geometry.coordinates as [number, number];
      const style = this.#clusterStyle({ count: c.properties.point_count, groups: c.properties.groups });
      const used = this.#clusterDots.get(k);
      if (used) {
        used.clusterId = c.properties.cluster_id;
        used.dot.moveTo(lat, lng).setDotStyle(style);
      } else {
        const dot = this.#spare.pop()?.moveTo(lat, lng).setDotStyle(style) ?? this.#newClusterDot(lat, lng, style, k);
        this.#clusterDots.set(k, { dot, clusterId: c.properties.cluster_id });
        this.#add(dot);
      }
    }
    if (this.#selected !== null) this.#dots.get(this.#selected)?.bringToFront();
  }

  /** The index no longer matches the points; `onlyMoved`: only because some moved. */
  #markDirty(onlyMoved: boolean): void {
    this.#onlyMoved = this.#indexDirty ? this.#onlyMoved && onlyMoved : onlyMoved;
    this.#indexDirty = true;
  }

  #rebuild(view: boolean): Supercluster<LeafProps, ClusterProps> {
    if (this.#index && !this.#indexDirty) return this.#index;
    const now = performance.now();
    // Zooming or panning (a view change) rebuilds at once, as do points that came or went.
    if (this.#index && this.#onlyMoved && !view && now - this.#indexedAt < INDEX_EVERY_MS) {
      if (this.#indexTimer === undefined) {
        this.#indexTimer = setTimeout(() => {
          this.#indexTimer = undefined;
          this.#schedule(false);
        }, INDEX_EVERY_MS - (now - this.#indexedAt));
      }
      return this.#index;
    }
    this.#indexedAt = now;
    this.#onlyMoved = false;
    const group = this.#opts.group ?? (() => '');
    const features: PointFeature<LeafProps>[] = [];
    for (const [id, p] of this.#points) {
      if (id === this.#selected) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
        properties: { id, group: group(p) },
      });
    }
    this.#index = new Supercluster<LeafProps, ClusterProps>({
      radius: this.#opts.clusterRadius ?? 44,
      // Leaflet's tiles are 256 px: with supercluster's default 512 the radius would be half.
      extent: 256,
      // No levels below what the map can show (its getClusters clamps to this).
      minZoom: Math.min(Math.max(0, Math.floor(this.#map.getMinZoom?.() ?? 0)), this.#opts.clusterMaxZoom ?? 0),
      maxZoom: this.#opts.clusterMaxZoom ?? 0,
      map: (p) => ({ minId: p.id, groups: { [p.group]: 1 } }),
      reduce: (acc, p) => {
        if (p.minId < acc.minId) acc.minId = p.minId;
        const groups = { ...acc.groups };
        for (const [g, n] of Object.entries(p.groups)) groups[g] = (groups[g] ?? 0) + n;
        acc.groups = groups;
      },
    }).load(features);
    this.#indexDirty = false;
    return this.#index;
  }

  #clusterStyle(summary: ClusterSummary): DotStyle {
    return (
      this.#opts.clusterStyle?.(summary) ?? {
        shape: 'circle',
        radius: 12,
        fill: '#475366',
        stroke: '#ffffff',
        strokeWidth: 2,
        opacity: 0.95,
        count: String(summary.count),
      }
    );
  }

  #newClusterDot(lat: number, lng: number, style: DotStyle, k: string): Dot {
    const dot = new Dot([lat, lng], style, this.#opts.canvas.renderer, this.#opts.canvas.pane);
    dot.on('click', () => {
      const entry = [...this.#clusterDots.values()].find((c) => c.dot === dot);
      if (!entry || !this.#index) return;
      const leaves = this.#index.getLeaves(entry.clusterId, Infinity);
      const points = leaves.map((l) => this.#points.get(l.properties.id)).filter((p): p is T => p !== undefined);
      this.#opts.onclusterclick?.(points, dot.getLatLng());
    });
    void k;
    return dot;
  }

  #retire(dot: Dot): void {
    dot.remove();
    if (this.#spare.length < 200) this.#spare.push(dot);
  }

  #showDot(id: string): void {
    const p = this.#points.get(id);
    if (!p) return;
    let dot = this.#dots.get(id);
    if (!dot) {
      dot = new Dot([p.lat, p.lng], this.#opts.style(p, id === this.#selected), this.#opts.canvas.renderer, this.#opts.canvas.pane);
      dot.on('click', (e: L.LeafletMouseEvent) => {
        const point = this.#points.get(id);
        if (!point) return;
        const stack = this.#opts.onstackclick && e.layerPoint ? this.pointsAt(e.layerPoint) : [];
        if (stack.length > 1) this.#opts.onstackclick?.(stack, e.latlng ?? L.latLng(point.lat, point.lng));
        else this.#opts.onclick?.(point);
      });
      const tip = this.#opts.tooltip;
      if (tip) {
        dot.on('mouseover', () => {
          const point = this.#points.get(id);
          const text = point ? tip(point) : null;
          if (!text || !dot) return;
          dot.unbindTooltip();
          dot.bindTooltip(text, { direction: 'top', offset: [0, -6], className: 'map-tip' }).openTooltip();
        });
        dot.on('mouseout', () => dot?.closeTooltip());
      }
      this.#dots.set(id, dot);
    }
    if (!dot.onMap) this.#add(dot);
  }

  #add(dot: Dot): void {
    dot.addTo(this.#map);
    this.#opts.canvas.place(dot, this.#opts.rank);
  }

  #hideDot(id: string): void {
    this.#dots.get(id)?.remove();
  }

  #dropDot(id: string): void {
    const dot = this.#dots.get(id);
    if (!dot) return;
    dot.remove();
    this.#dots.delete(id);
  }

  /** Moves and restyles a point's own dot from its current data. */
  #refresh(id: string): void {
    const dot = this.#dots.get(id);
    const p = this.#points.get(id);
    if (!dot || !p) return;
    dot.moveTo(p.lat, p.lng).setDotStyle(this.#opts.style(p, id === this.#selected));
  }
}
