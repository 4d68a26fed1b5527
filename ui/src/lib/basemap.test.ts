import { describe, expect, it, vi } from 'vitest';
import {
  basemapStyle,
  loadBasemap,
  metersPerPixel,
  parseBasemap,
  pickLabels,
  shortEnglish,
  textWidth,
  type BasemapLabel,
  type LabelView,
} from '$lib/basemap';

// The shape scripts/basemap-data.py writes, in miniature.
const FILE = {
  type: 'FeatureCollection',
  hakobu: { format: 1, build: 1, source: 'reversejp==0.2.1' },
  attribution: '出典：気象庁ホームページ',
  features: [
    {
      type: 'Feature',
      properties: { kind: 'land' },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [[[[139.6, 35.6], [139.9, 35.6], [139.9, 35.8], [139.6, 35.8], [139.6, 35.6]]]],
      },
    },
    {
      type: 'Feature',
      properties: { kind: 'municipal-boundary' },
      geometry: { type: 'MultiLineString', coordinates: [[[139.75, 35.6], [139.75, 35.8]]] },
    },
    {
      type: 'Feature',
      properties: { kind: 'prefecture-boundary' },
      geometry: { type: 'MultiLineString', coordinates: [[[139.6, 35.7], [139.9, 35.7]]] },
    },
    {
      type: 'Feature',
      properties: { kind: 'labels', level: 'prefecture', name: ['東京都'], en: ['Tokyo'], area: [2194] },
      geometry: { type: 'MultiPoint', coordinates: [[139.4, 35.7]] },
    },
    {
      type: 'Feature',
      properties: {
        kind: 'labels',
        level: 'municipality',
        name: ['世田谷区', '千代田区'],
        en: ['Setagaya City', ''],
        area: [58, 11],
      },
      geometry: { type: 'MultiPoint', coordinates: [[139.65, 35.64], [139.75, 35.69]] },
    },
  ],
};

describe('parseBasemap', () => {
  it('reads land, boundaries and labels', () => {
    const b = parseBasemap(FILE);
    expect(b).not.toBeNull();
    expect(b!.land).toHaveLength(1);
    expect(b!.municipal).toHaveLength(1);
    expect(b!.prefecture).toHaveLength(1);
    expect(b!.attribution).toBe('出典：気象庁ホームページ');
    expect(b!.source).toBe('reversejp==0.2.1');
    expect(b!.labels.map((l) => [l.level, l.name, l.en, l.area])).toEqual([
      ['prefecture', '東京都', 'Tokyo', 2194],
      ['municipality', '世田谷区', 'Setagaya City', 58],
      // an empty English name falls back to the Japanese one
      ['municipality', '千代田区', '千代田区', 11],
    ]);
    expect(b!.labels[2]).toMatchObject({ lat: 35.69, lng: 139.75 });
  });

  it('rejects what is not a basemap', () => {
    expect(parseBasemap(null)).toBeNull();
    expect(parseBasemap('<html>')).toBeNull();
    expect(parseBasemap({ type: 'FeatureCollection', features: [] })).toBeNull();
    expect(parseBasemap({ type: 'Feature' })).toBeNull();
  });
});

describe('loadBasemap', () => {
  it('parses a fetched file', async () => {
    const fetchFn = vi.fn(async () => new Response(JSON.stringify(FILE)));
    const b = await loadBasemap('/basemap.geojson', fetchFn);
    expect(fetchFn).toHaveBeenCalledWith('/basemap.geojson');
    expect(b?.labels).toHaveLength(3);
  });

  it('is null when the file is missing, unreadable or the fetch fails', async () => {
    expect(await loadBasemap('/x', async () => new Response('not found', { status: 404 }))).toBeNull();
    expect(await loadBasemap('/x', async () => new Response('{"truncated'))).toBeNull();
    expect(
      await loadBasemap('/x', async () => {
        throw new TypeError('blocked');
      }),
    ).toBeNull();
  });
});

describe('basemapStyle', () => {
  it('hides municipal lines at whole-country zooms and shows them closer in', () => {
    expect(basemapStyle(5).municipal.visible).toBe(false);
    expect(basemapStyle(6.5).municipal.visible).toBe(false);
    expect(basemapStyle(7).municipal.visible).toBe(true);
    expect(basemapStyle(11).municipal.visible).toBe(true);
  });

  it('keeps prefecture lines stronger than municipal ones at every zoom', () => {
    for (let zoom = 5; zoom <= 18; zoom += 0.5) {
      const s = basemapStyle(zoom);
      expect(s.prefecture.weight!).toBeGreaterThan(s.municipal.weight!);
      expect(s.land.fillOpacity).toBe(1);
      expect(s.land.interactive).toBe(false);
      expect(s.municipal.interactive).toBe(false);
      expect(s.prefecture.interactive).toBe(false);
    }
  });
});

describe('label geometry', () => {
  it('metersPerPixel halves with each zoom level and shrinks with latitude', () => {
    expect(metersPerPixel(0, 0)).toBeCloseTo(156543.03, 1);
    expect(metersPerPixel(11, 35.68) / metersPerPixel(12, 35.68)).toBeCloseTo(2);
    expect(metersPerPixel(11, 45)).toBeLessThan(metersPerPixel(11, 30));
  });

  it('textWidth counts CJK as full width and Latin as narrower', () => {
    expect(textWidth('千代田区', 10)).toBe(40);
    expect(textWidth('Tokyo', 10)).toBeCloseTo(29);
    expect(textWidth('', 10)).toBe(0);
  });
});

describe('shortEnglish', () => {
  it('drops the municipality-type suffix', () => {
    expect(shortEnglish('Setagaya City')).toBe('Setagaya');
    expect(shortEnglish('Okutama Town')).toBe('Okutama');
    expect(shortEnglish('Hinohara Village')).toBe('Hinohara');
    expect(shortEnglish('Tokyo')).toBe('Tokyo');
    expect(shortEnglish('City')).toBe('City');
  });
});

describe('pickLabels', () => {
  const label = (over: Partial<BasemapLabel>): BasemapLabel => ({
    level: 'municipality',
    name: '千代田区',
    en: 'Chiyoda City',
    area: 11,
    lat: 35.69,
    lng: 139.75,
    ...over,
  });
  // A flat projection: 1000 px per degree around (35.69, 139.75) at the centre of 800×600.
  const view = (zoom: number, lang: 'ja' | 'en' = 'ja'): LabelView => ({
    zoom,
    lang,
    width: 800,
    height: 600,
    project: (lat, lng) => ({ x: 400 + (lng - 139.75) * 1000, y: 300 - (lat - 35.69) * 1000 }),
  });

  it('shows prefecture names below zoom 9 and municipality names from zoom 9', () => {
    const labels = [
      label({ level: 'prefecture', name: '東京都', en: 'Tokyo', area: 2194 }),
      label({ area: 2000, lat: 35.6 }),
    ];
    expect(pickLabels(labels, view(6)).map((p) => p.label.level)).toEqual(['prefecture']);
    expect(pickLabels(labels, view(8.5)).map((p) => p.label.level)).toEqual(['prefecture']);
    expect(pickLabels(labels, view(9)).map((p) => p.label.level)).toEqual(['municipality']);
    expect(pickLabels(labels, view(10)).map((p) => p.label.level)).toEqual(['municipality']);
  });

  it('names an area only where it is wide enough on screen for the name', () => {
    const small = label({ area: 11 }); // a Tokyo ward, ~3.3 km across
    expect(pickLabels([small], view(9))).toHaveLength(0);
    expect(pickLabels([small], view(11.5))).toHaveLength(1);
  });

  it('uses the UI language', () => {
    expect(pickLabels([label({})], view(13, 'en'))[0]!.text).toBe('Chiyoda');
    expect(pickLabels([label({})], view(13, 'ja'))[0]!.text).toBe('千代田区');
  });

  it('never overlaps two names: the first (largest) wins', () => {
    const big = label({ name: '世田谷区', area: 58 });
    const near = label({ name: '目黒区', area: 15, lng: 139.7501 });
    const far = label({ name: '足立区', area: 53, lat: 35.6 });
    const placed = pickLabels([big, near, far], view(13));
    expect(placed.map((p) => p.text)).toEqual(['世田谷区', '足立区']);
  });

  it('skips names outside the view or cut by its edge', () => {
    expect(pickLabels([label({ lng: 141 })], view(13))).toHaveLength(0);
    // 千代田区 at 11 px is 44 px wide: centred 10 px from the right edge it would be cut.
    expect(pickLabels([label({ lng: 139.75 + 0.39 })], view(13))).toHaveLength(0);
    expect(pickLabels([label({ lng: 139.75 + 0.37 })], view(13))).toHaveLength(1);
  });
});
