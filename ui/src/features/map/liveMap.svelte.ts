// The live map's data and layers. Drivers: taken from the event hub's `cache-changed` rows
// when the event carried them (a webhook's move), read from the cache otherwise — one at a
// time, one asked for meanwhile runs once after it — and diffed against what is on screen, so only the drivers that changed are touched on the map.
// Their freshness is re-judged every few seconds (restyling only those that crossed a
// threshold). Today's stops come from the cached orders (re-read at most every few seconds
// while orders move), stores from the app's directory. The selected driver's trail is read
// once and then extended with each new fix.
import L from 'leaflet';
import { driverTrail, driversByIds, listDrivers, listOrders, ORDER_LIST_LIMIT, type CachedDriver, type CachedOrder, type CachedStore, type CommandError, type OrderStatus } from '$lib/ipc';
import { orderPage, type OrderRow } from '$lib/ipc/board';
import { todayInTokyo } from '$lib/time';
import { PointLayer } from '$lib/map/pointLayer';
import { LineLayer, type MapLine } from '$lib/map/lineLayer';
import { PointCanvas } from '$lib/map/pointCanvas';
import { driverClusterStyle, driverColour, driverStyle, readPalette, stopStyle, storeStyle, type Palette } from '$features/map/styles';
import { measureAgeAfterPaint, measureSinceAfterPaint, measureSpan, recordAgesAfterPaint } from '$lib/perf';
import type { ChangedIds } from '$lib/ipc/events.svelte';
import {
  activityOf,
  ageParts,
  driverChanged,
  fixAgeMs,
  fixProblem,
  freshnessOf,
  newFixTimes,
  type Activity,
  type FixProblem,
  type Freshness,
} from '$features/map/driverState';

export interface DriverPoint {
  id: number;
  lat: number;
  lng: number;
  driver: CachedDriver;
  activity: Activity;
  freshness: Freshness;
  /** Lost drivers: the age shown beside them, in whole units (re-drawn when it changes). */
  age: { unit: 'minutes' | 'hours' | 'days'; n: number } | null;
}

export interface StopPoint {
  id: string;
  lat: number;
  lng: number;
  order: CachedOrder;
}

export interface StorePoint {
  id: string;
  lat: number;
  lng: number;
  store: CachedStore;
}

export type Panel =
  | { kind: 'driver'; id: number }
  /** Drivers listed to choose from: a cluster's members, or (`stack`) the drivers drawn on
   *  one spot, which no zoom separates. */
  | { kind: 'cluster'; ids: number[]; at: { lat: number; lng: number }; stack?: boolean }
  | { kind: 'stop'; order: CachedOrder }
  | { kind: 'store'; store: CachedStore };

/** Statuses of a job a driver is on. */
const ACTIVE: OrderStatus[] = ['assigned', 'collecting', 'arrived_origin', 'delivering', 'arrived_goal', 'returning'];
/** How often freshness is re-judged. */
export const FRESHNESS_TICK_MS = 5_000;
/** Stops are re-read at most this often while orders move. */
const STOPS_EVERY_MS = 3_000;
/** Clusters form up to this zoom; closer, every driver is drawn on its own. */
const DRIVER_CLUSTER_MAX_ZOOM = 13;

export interface Labels {
  age: (a: { unit: 'minutes' | 'hours' | 'days'; n: number }) => string;
  /** A driver's tooltip (its name, what it is doing, how old its fix is) at this time;
   *  without it, its name. */
  tip?: (p: DriverPoint, now: number) => string;
}

const noCounts = (): Record<Activity | Freshness, number> => ({
  idle: 0,
  to_pickup: 0,
  delivering: 0,
  returning: 0,
  unknown: 0,
  fresh: 0,
  stale: 0,
  lost: 0,
});

export class LiveMap {
  /** Drivers on the map, by activity and by freshness (the legend's counts). */
  counts = $state<Record<Activity | Freshness, number>>(noCounts());
  total = $state(0);
  /** The newest fix of any driver (RFC 3339), for "最新の位置 5秒前". */
  newestFix = $state<string | null>(null);
  /** Names for the driver picker: changes only when drivers come, go or are renamed. */
  roster = $state.raw<{ id: number; name: string }[]>([]);
  loaded = $state(false);
  error = $state<CommandError | null>(null);
  panel = $state<Panel | null>(null);
  /** The selected driver as last read (the panel's data). */
  selected = $state.raw<DriverPoint | null>(null);
  follow = $state(false);
  /** Other drivers drawn on the selected driver's spot (a click there lists them all). */
  stack = $state.raw<number[]>([]);
  trailCount = $state(0);
  jobs = $state.raw<OrderRow[] | null>(null);
  jobsError = $state<CommandError | null>(null);
  showStores = $state(true);
  showStops = $state(true);
  stopCount = $state(0);
  /** Glyphs of stops and stores on the map now (0 with the layer off): the page's data-*. */
  drawn = $state({ stops: 0, stores: 0 });
  /** The map's zoom, and whether it is moving (the page's data-zoom/data-moving: tests wait on them). */
  zoom = $state(0);
  moving = $state(false);

  #map: L.Map | null = null;
  #drivers: PointLayer<DriverPoint> | null = null;
  #stops: PointLayer<StopPoint> | null = null;
  #stores: PointLayer<StorePoint> | null = null;
  #lines: LineLayer | null = null;
  #routes: LineLayer | null = null;
  #routeLines: MapLine[] = [];
  #canvas: PointCanvas | null = null;
  #palette: Palette = readPalette();
  #labels: Labels;
  #shown = new Map<number, DriverPoint>();
  #logged = new Set<string>();
  #reading = false;
  #again = false;
  #pendingSince: number | null = null;
  #stopsTimer: ReturnType<typeof setTimeout> | undefined;
  #stopsReadAt = 0;
  #stopsSeq = 0;
  #jobsSeq = 0;
  #trail: { lat: number; lng: number }[] = [];
  #trailFor: number | null = null;
  #alive = true;

  #watch: ChangedIds | null;

  /** `watch`: the hub's driver ids (events.watchDrivers()): reads then fetch only the drivers
   *  a change named; without it every read is the whole fleet. */
  constructor(labels: Labels, watch: ChangedIds | null = null) {
    this.#labels = labels;
    this.#watch = watch;
  }

  // ---- the map ----

  /** Puts the layers on a map; returns their removal. */
  attach(map: L.Map): () => void {
    this.#map = map;
    this.#palette = readPalette();
    // Planned routes (the planning view hands them over with setRoutes), under the trail.
    this.#routes = new LineLayer(map, 'routes', 402);
    this.#routes.setAll(this.#routeLines);
    this.#lines = new LineLayer(map, 'trail', 405);
    const canvas = (this.#canvas = new PointCanvas(map, 'points', 450, 'map:draw'));
    this.#stops = new PointLayer<StopPoint>(map, {
      canvas,
      rank: 1,
      style: (p, selected) => stopStyle(p.order.status, selected, this.#palette),
      // Small and static: never clustered (a cluster glyph would read as a driver).
      clusterMaxZoom: null,
      onclick: (p) => this.open({ kind: 'stop', order: p.order }),
      onlayout: () => this.#countDrawn(),
      tooltip: (p) => `${p.order.tracking_code} ${p.order.customer_name}`,
    });
    this.#stores = new PointLayer<StorePoint>(map, {
      canvas,
      rank: 2,
      style: (_p, selected) => storeStyle(selected),
      clusterMaxZoom: null,
      onclick: (p) => this.open({ kind: 'store', store: p.store }),
      onlayout: () => this.#countDrawn(),
      tooltip: (p) => p.store.store_name,
    });
    this.#drivers = new PointLayer<DriverPoint>(map, {
      canvas,
      rank: 3,
      style: (p, selected) => driverStyle(p, selected, this.#palette, p.age ? this.#labels.age(p.age) : null),
      clusterStyle: (s) => driverClusterStyle(s, this.#palette),
      group: (p) => (p.freshness === 'lost' ? 'lost' : p.activity),
      clusterMaxZoom: DRIVER_CLUSTER_MAX_ZOOM,
      clusterRadius: 44,
      measure: 'map:layout',
      onclick: (p) => this.selectDriver(p.id),
      onclusterclick: (points, at) => this.open({ kind: 'cluster', ids: points.map((p) => p.id), at: { lat: at.lat, lng: at.lng } }),
      onstackclick: (points, at) => this.open({ kind: 'cluster', ids: points.map((p) => p.id), at: { lat: at.lat, lng: at.lng }, stack: true }),
      onlayout: () => this.#updateStack(),
      tooltip: (p) => this.#labels.tip?.(p, Date.now()) ?? p.driver.name,
    });
    this.#stops.setVisible(this.showStops);
    this.#stores.setVisible(this.showStores);
    // Dragging the map is taking the wheel back from follow mode.
    const stopFollow = () => (this.follow = false);
    const zoomed = () => (this.zoom = map.getZoom());
    const moves = () => (this.moving = true);
    const rests = () => (this.moving = false);
    map.on('dragstart', stopFollow);
    map.on('zoomend', zoomed);
    map.on('movestart', moves);
    map.on('moveend', rests);
    zoomed();
    if (this.#shown.size > 0) this.#drivers.set([...this.#shown.values()]);
    return () => {
      map.off('dragstart', stopFollow);
      map.off('zoomend', zoomed);
      map.off('movestart', moves);
      map.off('moveend', rests);
      this.#drivers?.destroy();
      this.#stops?.destroy();
      this.#stores?.destroy();
      this.#lines?.destroy();
      this.#routes?.destroy();
      this.#routes = null;
      this.#canvas?.destroy();
      this.#canvas = null;
      this.#drivers = this.#stops = this.#stores = null;
      this.#lines = null;
      this.#map = null;
    };
  }

  dispose(): void {
    this.#alive = false;
    clearTimeout(this.#stopsTimer);
  }

  // ---- drivers ----

  /** The event hub said drivers moved (or the page opened): read them, once at a time. */
  requestDrivers(at: number = performance.now()): void {
    this.#pendingSince ??= at;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    void this.#readDrivers();
  }

  async #readDrivers(): Promise<void> {
    this.#reading = true;
    try {
      do {
        this.#again = false;
        const since = this.#pendingSince;
        this.#pendingSince = null;
        try {
          const asked = performance.now();
          // Moves the events carried are drawn as they are; only drivers named without a row
          // (a sync, a job change) are read back, and the whole fleet on the first take.
          const taken = this.#watch ? this.#watch.takeRows() : null;
          if (taken !== null && taken.ids.length === 0 && taken.rows.length === 0) continue;
          let list: CachedDriver[];
          let ids: number[] | null;
          if (taken === null) {
            list = await listDrivers();
            ids = null;
          } else {
            const read = taken.ids.length > 0 ? await driversByIds(taken.ids) : [];
            list = [...taken.rows, ...read];
            ids = [...taken.rows.map((r) => r.id), ...taken.ids];
          }
          if (!this.#alive) return;
          const read = performance.now();
          measureSpan('map:read', asked);
          // Taken before the reading replaces what is shown.
          const arriving = ids !== null ? newFixTimes(list, (d) => this.#shown.get(d.id)?.driver.located_at ?? null) : [];
          this.#apply(list, Date.now(), ids);
          measureSpan('map:apply', read);
          this.error = null;
          if (since !== null) measureSinceAfterPaint('map:update', since);
          // The benchmark's "a location update reaches the screen": from each new fix in this
          // reading (stamped by the sender) to the paint that shows it; and the oldest of them,
          // the reading's worst, as a measure of its own.
          if (arriving.length > 0) {
            recordAgesAfterPaint('map:fix-age', arriving);
            measureAgeAfterPaint('map:fix-to-screen', Math.min(...arriving));
          }
        } catch (error) {
          this.error = error as CommandError;
          this.#watch?.everything(); // what that read would have brought is re-read whole
        }
        this.loaded = true;
      } while (this.#again && this.#alive);
    } finally {
      this.#reading = false;
    }
  }

  /** Applies a reading (`asked`: the ids read, null: the whole fleet); only drivers that
   *  changed reach the layer. Exposed for tests. */
  apply(list: CachedDriver[], now: number, asked: number[] | null = null): void {
    this.#apply(list, now, asked);
  }

  #apply(list: CachedDriver[], now: number, asked: number[] | null): void {
    const changed: DriverPoint[] = [];
    const seen = new Set<number>();
    let rosterChanged = false;
    for (const incoming of list) {
      seen.add(incoming.id);
      const shown = this.#shown.get(incoming.id);
      if (shown && !driverChanged(shown.driver, incoming)) continue;
      let d = incoming;
      const problem = fixProblem(d, shown?.driver ?? null, now);
      if (problem) {
        this.#logOnce(d, problem);
        if (!shown) continue;
        // Keep the position on screen; the rest (job, phone) may still be news.
        d = { ...d, lat: shown.driver.lat, lng: shown.driver.lng, located_at: shown.driver.located_at };
        if (!driverChanged(shown.driver, d)) continue;
      }
      if (!shown || shown.driver.name !== d.name) rosterChanged = true;
      const point = this.#point(d, now);
      this.#shown.set(d.id, point);
      changed.push(point);
    }
    // Gone: not in a whole-fleet reading, or asked for by id and not found.
    const gone: number[] = [];
    for (const id of asked ?? this.#shown.keys()) if (!seen.has(id) && this.#shown.has(id)) gone.push(id);
    for (const id of gone) this.#shown.delete(id);
    if (gone.length > 0) rosterChanged = true;
    this.#drivers?.upsert(changed);
    this.#drivers?.remove(gone);
    if (rosterChanged) {
      this.roster = [...this.#shown.values()]
        .map((p) => ({ id: p.id, name: p.driver.name }))
        .sort((a, b) => a.name.localeCompare(b.name, 'ja') || a.id - b.id);
    }
    if (changed.length > 0 || gone.length > 0) this.#summarise();
    const sel = this.panel?.kind === 'driver' ? this.panel.id : null;
    if (sel !== null) {
      const current = this.#shown.get(sel) ?? null;
      if (current !== this.selected) this.#selectedMoved(current);
    }
  }

  /** Re-reads who else is drawn on the selected driver's spot (after each layout: moves,
   *  zooms and pans all end in one). */
  #updateStack(): void {
    const sel = this.panel?.kind === 'driver' ? this.panel.id : null;
    const next = sel === null || !this.#drivers ? [] : this.#drivers.stackOf(sel).map((p) => p.id).filter((id) => id !== sel);
    const before = this.stack;
    if (next.length !== before.length || next.some((id, i) => id !== before[i])) this.stack = next;
  }

  /** Lists the selected driver and the others drawn on its spot, as a click there would. */
  openStack(): void {
    const p = this.selected;
    if (!p || this.stack.length === 0) return;
    this.open({ kind: 'cluster', ids: [p.id, ...this.stack], at: { lat: p.lat, lng: p.lng }, stack: true });
  }

  #point(d: CachedDriver, now: number): DriverPoint {
    const freshness = freshnessOf(d.located_at, now);
    const ms = fixAgeMs(d.located_at, now);
    return {
      id: d.id,
      lat: d.lat,
      lng: d.lng,
      driver: d,
      activity: activityOf(d.job),
      freshness,
      age: freshness === 'lost' && ms !== null ? ageParts(ms) : null,
    };
  }

  #logOnce(d: CachedDriver, problem: FixProblem): void {
    const key = `${d.id}:${problem}`;
    if (this.#logged.has(key)) return;
    this.#logged.add(key);
    console.warn(`map: driver ${d.id} fix not drawn (${problem}): ${d.lat},${d.lng} at ${d.located_at}`);
  }

  #summarise(): void {
    const counts = noCounts();
    let newest: string | null = null;
    let newestMs = -Infinity;
    for (const p of this.#shown.values()) {
      counts[p.activity] += 1;
      counts[p.freshness] += 1;
      const at = Date.parse(p.driver.located_at);
      if (at > newestMs) {
        newestMs = at;
        newest = p.driver.located_at;
      }
    }
    this.counts = counts;
    this.total = this.#shown.size;
    this.newestFix = newest;
  }

  /** Re-judges every driver's freshness against the clock; restyles those that changed. */
  tick(now: number = Date.now()): void {
    const changed: DriverPoint[] = [];
    for (const p of this.#shown.values()) {
      const next = this.#point(p.driver, now);
      if (next.freshness !== p.freshness || next.age?.n !== p.age?.n || next.age?.unit !== p.age?.unit) {
        this.#shown.set(p.id, next);
        changed.push(next);
      }
    }
    if (changed.length === 0) return;
    this.#drivers?.upsert(changed);
    this.#summarise();
    const sel = this.selected;
    if (sel && changed.some((p) => p.id === sel.id)) this.selected = this.#shown.get(sel.id) ?? null;
  }

  /** The language changed: labels drawn on the canvas are re-made. */
  relabel(): void {
    this.#drivers?.restyle();
  }

  driver(id: number): DriverPoint | undefined {
    return this.#shown.get(id);
  }

  // ---- selection, panel, follow, trail ----

  open(panel: Panel | null): void {
    const previous = this.panel?.kind === 'driver' ? this.panel.id : null;
    this.panel = panel;
    const next = panel?.kind === 'driver' ? panel.id : null;
    if (next !== previous) {
      this.#drivers?.select(next);
      this.follow = false;
      this.#loadTrail(next);
      this.selected = next === null ? null : (this.#shown.get(next) ?? null);
      this.stack = [];
      this.jobs = null;
      this.jobsError = null;
      if (next !== null) void this.loadJobs();
    }
  }

  selectDriver(id: number | null): void {
    if (id === null) {
      this.open(null);
      return;
    }
    this.open({ kind: 'driver', id });
    const p = this.#shown.get(id);
    const m = this.#map;
    if (p && m && !m.getBounds().pad(-0.1).contains([p.lat, p.lng])) m.panTo([p.lat, p.lng]);
  }

  setFollow(on: boolean): void {
    this.follow = on;
    const p = this.selected;
    if (on && p) this.#map?.panTo([p.lat, p.lng]);
  }

  zoomTo(points: { lat: number; lng: number }[]): void {
    const m = this.#map;
    if (!m || points.length === 0) return;
    m.fitBounds(L.latLngBounds(points.map((p) => [p.lat, p.lng] as L.LatLngTuple)), { padding: [60, 60], maxZoom: 16 });
  }

  #selectedMoved(next: DriverPoint | null): void {
    const before = this.selected;
    this.selected = next;
    if (!next) return;
    if (before && (before.lat !== next.lat || before.lng !== next.lng) && this.#trailFor === next.id) {
      this.#trail.push({ lat: next.lat, lng: next.lng });
      if (this.#trail.length > 201) this.#trail.shift();
      this.#drawTrail(next);
    }
    if (this.follow && before && (before.lat !== next.lat || before.lng !== next.lng)) {
      this.#map?.panTo([next.lat, next.lng]);
    }
  }

  #loadTrail(id: number | null): void {
    this.#trailFor = id;
    this.#trail = [];
    this.trailCount = 0;
    this.#lines?.delete('trail');
    if (id === null) return;
    driverTrail(id)
      .then((points) => {
        if (this.#trailFor !== id) return;
        this.#trail = points.map((p) => ({ lat: p.lat, lng: p.lng }));
        const p = this.#shown.get(id);
        const last = this.#trail[this.#trail.length - 1];
        if (p && (!last || last.lat !== p.lat || last.lng !== p.lng)) this.#trail.push({ lat: p.lat, lng: p.lng });
        this.#drawTrail(p ?? null);
      })
      .catch(() => {
        // No trail is no harm: the panel says there is none.
      });
  }

  #drawTrail(p: DriverPoint | null): void {
    this.trailCount = this.#trail.length;
    if (!this.#lines || this.#trail.length < 2) return;
    const colour = p ? driverColour(p, this.#palette) : '#475366';
    this.#lines.set({ key: 'trail', points: this.#trail, style: { colour, weight: 3, opacity: 0.75 } });
  }

  /** The selected driver's current jobs: active orders the board says it carries, and the
   *  job the driver itself names (also when the board does not know it yet). */
  async loadJobs(): Promise<void> {
    const id = this.panel?.kind === 'driver' ? this.panel.id : null;
    if (id === null) return;
    const seq = ++this.#jobsSeq;
    try {
      const page = await orderPage({
        kind: null,
        statuses: ACTIVE,
        store_id: null,
        window_date: null,
        window_hour: null,
        search: null,
        late: 'any',
        sort: { key: 'window', descending: false },
        offset: 0,
        limit: 1000,
      });
      if (seq !== this.#jobsSeq) return;
      this.jobs = page.rows.filter((r) => r.driver_id === id);
      this.jobsError = null;
    } catch (error) {
      if (seq !== this.#jobsSeq) return;
      this.jobs = [];
      this.jobsError = error as CommandError;
    }
  }

  /** The hook for planned routes: one line per route (the plan's driver colours), drawn
   *  under the trail and the points; an empty list takes them away. */
  setRoutes(lines: MapLine[]): void {
    this.#routeLines = lines;
    this.#routes?.setAll(lines);
  }

  // ---- stops and stores ----

  /** Orders moved: re-read today's stops, at most every few seconds. */
  requestStops(): void {
    clearTimeout(this.#stopsTimer);
    const wait = Math.max(0, this.#stopsReadAt + STOPS_EVERY_MS - Date.now());
    this.#stopsTimer = setTimeout(() => void this.#readStops(), wait);
  }

  async #readStops(): Promise<void> {
    const seq = ++this.#stopsSeq;
    this.#stopsReadAt = Date.now();
    const date = todayInTokyo();
    const orders: CachedOrder[] = [];
    try {
      for (let offset = 0; ; offset += ORDER_LIST_LIMIT) {
        const page = await listOrders({ window_date: date, limit: ORDER_LIST_LIMIT, offset });
        orders.push(...page);
        if (page.length < ORDER_LIST_LIMIT) break;
      }
    } catch {
      return; // the stops stay as they were; the drivers are what the map is for
    }
    if (seq !== this.#stopsSeq || !this.#alive) return;
    const points: StopPoint[] = [];
    for (const o of orders) {
      if (o.customer_lat === null || o.customer_lng === null || o.status === 'canceled') continue;
      points.push({ id: `${o.kind}:${o.id}`, lat: o.customer_lat, lng: o.customer_lng, order: o });
    }
    this.#setStops(points);
  }

  #setStops(points: StopPoint[]): void {
    const layer = this.#stops;
    this.stopCount = points.length;
    if (!layer) return;
    const next = new Map(points.map((p) => [p.id, p]));
    const changed: StopPoint[] = [];
    for (const p of points) {
      const old = layer.get(p.id);
      if (!old || old.lat !== p.lat || old.lng !== p.lng || old.order.status !== p.order.status) changed.push(p);
    }
    const gone: string[] = [];
    for (const old of layer.all()) if (!next.has(old.id)) gone.push(old.id);
    layer.upsert(changed);
    layer.remove(gone);
  }

  setStores(stores: CachedStore[]): void {
    const points: StorePoint[] = [];
    for (const s of stores) {
      if (s.location) points.push({ id: s.id, lat: s.location.lat, lng: s.location.lng, store: s });
    }
    this.#stores?.set(points);
  }

  #countDrawn(): void {
    const stops = this.#stops?.drawnCount ?? 0;
    const stores = this.#stores?.drawnCount ?? 0;
    if (stops !== this.drawn.stops || stores !== this.drawn.stores) this.drawn = { stops, stores };
  }

  toggleStores(on: boolean = !this.showStores): void {
    this.showStores = on;
    this.#stores?.setVisible(on);
  }

  toggleStops(on: boolean = !this.showStops): void {
    this.showStops = on;
    this.#stops?.setVisible(on);
  }

  // ---- how things look (the board's palette) ----

  colourOf(p: DriverPoint): string {
    return driverColour(p, this.#palette);
  }
}
