// Lines on a map, by key: a driver's trail today, the plan's routes later (one line per route,
// coloured per driver). Drawn on a canvas renderer of their own, under the points. Setting a
// line that exists moves its vertices; nothing else is redrawn.
import L from 'leaflet';

export interface LineStyle {
  colour: string;
  weight: number;
  opacity: number;
  dashed?: boolean;
}

export interface MapLine {
  key: string;
  points: readonly { lat: number; lng: number }[];
  style: LineStyle;
}

export class LineLayer {
  readonly renderer: L.Canvas;
  #map: L.Map;
  #pane: string;
  #lines = new Map<string, L.Polyline>();

  constructor(map: L.Map, pane: string, zIndex: number) {
    this.#map = map;
    this.#pane = pane;
    if (!map.getPane(pane)) map.createPane(pane).style.zIndex = String(zIndex);
    this.renderer = L.canvas({ pane, padding: 0.3 });
    this.renderer.addTo(map);
  }

  /** Adds or replaces the line with this key. */
  set(line: MapLine): void {
    const latlngs = line.points.map((p) => L.latLng(p.lat, p.lng));
    const options: L.PolylineOptions = {
      color: line.style.colour,
      weight: line.style.weight,
      opacity: line.style.opacity,
      dashArray: line.style.dashed ? '6 5' : undefined,
      lineCap: 'round',
      lineJoin: 'round',
      interactive: false,
    };
    const existing = this.#lines.get(line.key);
    if (existing) {
      existing.setLatLngs(latlngs);
      existing.setStyle(options);
      return;
    }
    const poly = L.polyline(latlngs, { ...options, renderer: this.renderer, pane: this.#pane });
    poly.addTo(this.#map);
    this.#lines.set(line.key, poly);
  }

  /** Replaces every line with these. */
  setAll(lines: MapLine[]): void {
    const keep = new Set(lines.map((l) => l.key));
    for (const k of [...this.#lines.keys()]) if (!keep.has(k)) this.delete(k);
    for (const l of lines) this.set(l);
  }

  delete(key: string): void {
    this.#lines.get(key)?.remove();
    this.#lines.delete(key);
  }

  has(key: string): boolean {
    return this.#lines.has(key);
  }

  /** The bounds of a line (to fit the view to it), or null. */
  bounds(key: string): L.LatLngBounds | null {
    const line = this.#lines.get(key);
    return line && line.getLatLngs().length > 0 ? line.getBounds() : null;
  }

  destroy(): void {
    for (const l of this.#lines.values()) l.remove();
    this.#lines.clear();
    this.renderer.remove();
  }
}
