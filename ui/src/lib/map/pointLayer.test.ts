// The point layer on a minimal map (Leaflet's own projection, frames run by hand) with its
// glyphs recorded instead of drawn: the selected point never joins a cluster, a cluster lists
// its members on click, an update touches only the points it names, and a click on a spot
// where several points are drawn on their own lists all of them.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import L from 'leaflet';
import type { DotStyle } from '$lib/map/dot';

/** A glyph as the layer drives it: where it is, how it looks, whether it is on the map. */
class FakeDot {
  static made: FakeDot[] = [];
  latlng: L.LatLng;
  dotStyle: DotStyle;
  onMap = false;
  moves = 0;
  restyles = 0;
  adds = 0;
  handlers = new Map<string, (e: unknown) => void>();
  constructor(latlng: L.LatLngTuple, style: DotStyle) {
    this.latlng = L.latLng(latlng);
    this.dotStyle = style;
    FakeDot.made.push(this);
  }
  get hitRadius(): number {
    return this.dotStyle.radius + 4.5; // Leaflet's stroke/2 + the canvas's 3 px tolerance
  }
  on(type: string, fn: (e: unknown) => void) {
    this.handlers.set(type, fn);
    return this;
  }
  fire(type: string, e: unknown = {}) {
    this.handlers.get(type)?.(e);
  }
  addTo() {
    this.onMap = true;
    this.adds += 1;
    return this;
  }
  remove() {
    this.onMap = false;
    return this;
  }
  moveTo(lat: number, lng: number) {
    if (lat !== this.latlng.lat || lng !== this.latlng.lng) {
      this.moves += 1;
      this.latlng = L.latLng(lat, lng);
    }
    return this;
  }
  setDotStyle(style: DotStyle) {
    this.restyles += 1;
    this.dotStyle = style;
    return this;
  }
  getLatLng() {
    return this.latlng;
  }
  bringToFront() {
    return this;
  }
}

vi.mock('$lib/map/dot', () => ({ Dot: FakeDot }));

const { PointLayer } = await import('$lib/map/pointLayer');

interface P {
  id: string;
  lat: number;
  lng: number;
}

/** A map at a zoom over central Tokyo: Leaflet's Web Mercator, layer pixels from 0. */
function stubMap(zoom: number) {
  const crs = L.CRS.EPSG3857;
  const map = {
    zoom,
    on: vi.fn(),
    off: vi.fn(),
    getZoom: () => map.zoom,
    getMinZoom: () => 5,
    getBounds: () => L.latLngBounds([35.4, 139.4], [35.9, 140.0]),
    latLngToLayerPoint: (ll: L.LatLngExpression) => crs.latLngToPoint(L.latLng(ll), map.zoom),
    layerPointToLatLng: (p: L.Point) => crs.pointToLatLng(p, map.zoom),
  };
  return map;
}

const frames: FrameRequestCallback[] = [];
/** Runs the frames the layer asked for (one layout per frame). */
function flush() {
  while (frames.length) frames.shift()!(0);
}

const dotStyle = (radius = 6.5): DotStyle => ({ shape: 'circle', radius, fill: '#000', stroke: '#fff', strokeWidth: 2, opacity: 1 });

function layer(zoom: number, extra: Record<string, unknown> = {}) {
  const map = stubMap(zoom);
  const style = vi.fn((_p: P, selected: boolean) => dotStyle(selected ? 8 : 6.5));
  const onclick = vi.fn();
  const onclusterclick = vi.fn();
  const onstackclick = vi.fn();
  const l = new PointLayer<P>(map as unknown as L.Map, {
    canvas: { renderer: {}, pane: 'points', place: vi.fn() } as never,
    rank: 3,
    style,
    clusterMaxZoom: 13,
    clusterRadius: 44,
    onclick,
    onclusterclick,
    onstackclick,
    ...extra,
  });
  return { l, map, style, onclick, onclusterclick, onstackclick };
}

/** The glyph a point is drawn with, if it has one of its own. */
const ownDot = (p: P) => FakeDot.made.find((d) => d.onMap && d.latlng.lat === p.lat && d.latlng.lng === p.lng && d.dotStyle.count == null);
const clusterDots = () => FakeDot.made.filter((d) => d.onMap && d.dotStyle.count != null);

/** Three points a few hundred metres apart in 丸の内: one cluster at zoom 10. */
const near: P[] = [
  { id: 'a', lat: 35.681, lng: 139.767 },
  { id: 'b', lat: 35.682, lng: 139.768 },
  { id: 'c', lat: 35.683, lng: 139.766 },
];

beforeEach(() => {
  FakeDot.made = [];
  frames.length = 0;
  vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => frames.push(f));
  vi.stubGlobal('cancelAnimationFrame', () => {});
});

describe('clusters', () => {
  it('lists a cluster’s members when it is clicked', () => {
    const { l, onclusterclick } = layer(10);
    l.set(near);
    flush();
    const clusters = clusterDots();
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.dotStyle.count).toBe('3');
    for (const p of near) expect(l.isDrawn(p.id)).toBe(false);
    clusters[0]!.fire('click');
    expect(onclusterclick).toHaveBeenCalledTimes(1);
    const listed = (onclusterclick.mock.calls[0]![0] as P[]).map((p) => p.id).sort();
    expect(listed).toEqual(['a', 'b', 'c']);
  });

  it('keeps the selected point out of every cluster, drawn on its own', () => {
    const { l, onclusterclick } = layer(10);
    l.set(near);
    l.select('b');
    flush();
    expect(l.isDrawn('b')).toBe(true);
    expect(l.isDrawn('a')).toBe(false);
    const clusters = clusterDots();
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.dotStyle.count).toBe('2');
    clusters[0]!.fire('click');
    const listed = (onclusterclick.mock.calls[0]![0] as P[]).map((p) => p.id).sort();
    expect(listed).toEqual(['a', 'c']); // b is absent from the leaves
    // Unselected, it goes back in.
    l.select(null);
    flush();
    expect(l.isDrawn('b')).toBe(false);
    expect(clusterDots()[0]!.dotStyle.count).toBe('3');
  });

  it('draws every point on its own above the cluster zoom', () => {
    const { l } = layer(14);
    l.set(near);
    flush();
    expect(clusterDots()).toHaveLength(0);
    for (const p of near) expect(l.isDrawn(p.id)).toBe(true);
  });
});

describe('switching the layer', () => {
  it('off takes every glyph off the map and says so after the frame; on puts them back', () => {
    const onlayout = vi.fn();
    const { l } = layer(10, { onlayout });
    l.set([...near, { id: 'z', lat: 35.9, lng: 139.9 }]);
    flush();
    expect(l.drawnCount).toBe(2); // one cluster of three and z alone
    onlayout.mockClear();
    l.setVisible(false);
    expect(l.drawnCount).toBe(0);
    expect(FakeDot.made.some((d) => d.onMap)).toBe(false);
    flush();
    expect(onlayout).toHaveBeenCalledTimes(1);
    l.setVisible(true);
    flush();
    expect(l.drawnCount).toBe(2);
  });
});

describe('updates', () => {
  const fleet: P[] = Array.from({ length: 100 }, (_, i) => ({ id: `d${i}`, lat: 35.6 + (i % 10) * 0.01, lng: 139.6 + Math.floor(i / 10) * 0.01 }));

  it('touch only the points given: moved and restyled in place, no glyph made or re-added', () => {
    const { l, style } = layer(15);
    l.set(fleet);
    flush();
    expect(FakeDot.made).toHaveLength(100);
    const adds = FakeDot.made.reduce((n, d) => n + d.adds, 0);
    style.mockClear();
    for (const d of FakeDot.made) d.restyles = d.moves = 0;

    const moved = [
      { ...fleet[3]!, lat: fleet[3]!.lat + 0.0005 },
      { ...fleet[42]!, lng: fleet[42]!.lng + 0.0005 },
    ];
    l.upsert(moved);
    flush();
    expect(FakeDot.made).toHaveLength(100);
    expect(FakeDot.made.reduce((n, d) => n + d.adds, 0)).toBe(adds);
    expect(style.mock.calls.map(([p]) => p.id).sort()).toEqual(['d3', 'd42']);
    const touched = FakeDot.made.filter((d) => d.moves > 0 || d.restyles > 0);
    expect(touched).toHaveLength(2);
    expect(touched.map((d) => d.latlng)).toEqual(expect.arrayContaining([L.latLng(moved[0]!.lat, moved[0]!.lng), L.latLng(moved[1]!.lat, moved[1]!.lng)]));
  });

  it('while clusters show, move a point drawn on its own at once and leave the clusters be', () => {
    const { l, style } = layer(10);
    const alone = { id: 'z', lat: 35.9, lng: 139.9 };
    l.set([...near, alone]);
    flush();
    const cluster = clusterDots()[0]!;
    const made = FakeDot.made.length;
    cluster.restyles = cluster.moves = 0;
    style.mockClear();
    l.upsert([{ ...alone, lat: 35.9005 }]);
    // Moved before any frame: the point's own glyph, in place.
    expect(ownDot({ ...alone, lat: 35.9005 })).toBeDefined();
    flush();
    expect(FakeDot.made).toHaveLength(made);
    expect(style.mock.calls.map(([p]) => p.id)).toEqual(['z']);
    expect(cluster.moves).toBe(0);
  });

  it('take a removed point off the map and leave the rest', () => {
    const { l } = layer(15);
    l.set(near);
    flush();
    const b = ownDot(near[1]!)!;
    l.remove(['b']);
    flush();
    expect(b.onMap).toBe(false);
    expect(l.size).toBe(2);
    expect(l.isDrawn('a') && l.isDrawn('c')).toBe(true);
  });
});

describe('points drawn on one spot', () => {
  // Two drivers back at one store, one a street away (about 45 px at zoom 16).
  const shop: P[] = [
    { id: 's1', lat: 35.6655, lng: 139.7605 },
    { id: 's2', lat: 35.6655, lng: 139.7605 },
    { id: 'street', lat: 35.6655, lng: 139.7615 },
  ];

  it('lists every point under a click on the spot; a point alone is taken as a click', () => {
    const { l, map, onclick, onstackclick } = layer(16);
    l.set(shop);
    flush();
    const at = map.latLngToLayerPoint([35.6655, 139.7605]);
    // The top glyph (s2's, made second) takes Leaflet's click; the layer lists both.
    FakeDot.made[1]!.fire('click', { layerPoint: at.add([2, 1]), latlng: L.latLng(35.6655, 139.7605) });
    expect(onclick).not.toHaveBeenCalled();
    expect(onstackclick).toHaveBeenCalledTimes(1);
    expect((onstackclick.mock.calls[0]![0] as P[]).map((p) => p.id)).toEqual(['s1', 's2']);

    const street = ownDot(shop[2]!)!;
    street.fire('click', { layerPoint: map.latLngToLayerPoint([shop[2]!.lat, shop[2]!.lng]), latlng: street.latlng });
    expect(onclick).toHaveBeenCalledExactlyOnceWith(shop[2]);
    expect(onstackclick).toHaveBeenCalledTimes(1);
  });

  it('lists them at any zoom, also beyond the cluster zoom', () => {
    for (const zoom of [14, 18]) {
      const { l, map } = layer(zoom);
      l.set(shop);
      flush();
      expect(l.pointsAt(map.latLngToLayerPoint([35.6655, 139.7605])).map((p) => p.id)).toEqual(['s1', 's2']);
    }
  });

  it('says which points share a point’s spot (itself first), and none while it is clustered', () => {
    const { l, map } = layer(16);
    l.set(shop);
    flush();
    expect(l.stackOf('s2').map((p) => p.id)).toEqual(['s2', 's1']);
    expect(l.stackOf('street').map((p) => p.id)).toEqual(['street']);
    map.zoom = 10;
    l.set(shop);
    flush();
    expect(l.stackOf('s1')).toEqual([]);
  });

  it('lists nothing hidden', () => {
    const { l, map } = layer(16);
    l.set(shop);
    flush();
    l.setVisible(false);
    expect(l.pointsAt(map.latLngToLayerPoint([35.6655, 139.7605]))).toEqual([]);
  });

  it('hands the top point to the click when the layer lists no stacks', () => {
    const onclick = vi.fn();
    const { l, map } = layer(16, { onstackclick: undefined, onclick });
    l.set(shop);
    flush();
    // Glyphs are made in the points' order: the second is s2's, drawn over s1's.
    FakeDot.made[1]!.fire('click', { layerPoint: map.latLngToLayerPoint([35.6655, 139.7605]) });
    expect(onclick).toHaveBeenCalledExactlyOnceWith(shop[1]);
  });
});
