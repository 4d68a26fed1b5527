// Which glyphs a click lands on. Leaflet's canvas hands a click to the top glyph only, so of
// drivers drawn on one spot (a demo's drivers back at the same store) only the top one could
// be clicked. The map asks this instead: every glyph whose circle (its radius and Leaflet's
// click tolerance) holds the pixel clicked — the same rule Leaflet applies to each
// (CircleMarker._containsPoint) — nearest first; more than one is a stack to list.

export interface Placed<T> {
  item: T;
  /** The glyph's centre, in the map's layer pixels. */
  x: number;
  y: number;
  /** How far from its centre a click still lands on it (pixels). */
  r: number;
}

/** The items whose glyph holds (x, y), nearest first (ties in the order given). */
export function hitsAt<T>(placed: Iterable<Placed<T>>, x: number, y: number): T[] {
  const hits: { item: T; d: number; n: number }[] = [];
  let n = 0;
  for (const p of placed) {
    const d = Math.hypot(p.x - x, p.y - y);
    if (d <= p.r) hits.push({ item: p.item, d, n });
    n += 1;
  }
  hits.sort((a, b) => a.d - b.d || a.n - b.n);
  return hits.map((h) => h.item);
}
