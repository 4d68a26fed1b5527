// The offline basemap: JMA municipal areas simplified by scripts/basemap-data.py into
// data/geo/basemap.geojson, copied to ui/public/ by `make ui` and served by the app itself
// (same origin; no tiles, no network). Everything here is pure: parsing, styles, label choice.
import type { PathOptions } from 'leaflet';

export const BASEMAP_URL = `${import.meta.env.BASE_URL}basemap.geojson`;

/** GeoJSON position: [longitude, latitude]. */
export type Position = [number, number];

export type LabelLevel = 'prefecture' | 'municipality';

export interface BasemapLabel {
  level: LabelLevel;
  name: string;
  en: string;
  /** km², for the order of placement and whether the name fits. */
  area: number;
  lat: number;
  lng: number;
}

export interface Basemap {
  /** Land as one MultiPolygon (its outline is the coast). */
  land: Position[][][];
  municipal: Position[][];
  prefecture: Position[][];
  /** Largest first within each level. */
  labels: BasemapLabel[];
  attribution: string;
  source: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function geometryOf(feature: Json, type: string): unknown[] | null {
  const geometry = feature.geometry;
  if (!isObject(geometry) || geometry.type !== type || !Array.isArray(geometry.coordinates)) return null;
  return geometry.coordinates;
}

/** Reads the file written by scripts/basemap-data.py; null when it is not one. */
export function parseBasemap(json: unknown): Basemap | null {
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) return null;
  const meta = isObject(json.hakobu) ? json.hakobu : {};
  const basemap: Basemap = {
    land: [],
    municipal: [],
    prefecture: [],
    labels: [],
    attribution: typeof json.attribution === 'string' ? json.attribution : '',
    source: typeof meta.source === 'string' ? meta.source : '',
  };
  for (const feature of json.features as unknown[]) {
    if (!isObject(feature) || !isObject(feature.properties)) continue;
    const props = feature.properties;
    switch (props.kind) {
      case 'land':
        basemap.land.push(...((geometryOf(feature, 'MultiPolygon') ?? []) as Position[][][]));
        break;
      case 'municipal-boundary':
        basemap.municipal.push(...((geometryOf(feature, 'MultiLineString') ?? []) as Position[][]));
        break;
      case 'prefecture-boundary':
        basemap.prefecture.push(...((geometryOf(feature, 'MultiLineString') ?? []) as Position[][]));
        break;
      case 'labels': {
        const points = (geometryOf(feature, 'MultiPoint') ?? []) as Position[];
        const level: LabelLevel = props.level === 'prefecture' ? 'prefecture' : 'municipality';
        const names = Array.isArray(props.name) ? props.name : [];
        const ens = Array.isArray(props.en) ? props.en : [];
        const areas = Array.isArray(props.area) ? props.area : [];
        points.forEach((point, i) => {
          const name = names[i];
          if (typeof name !== 'string' || !Array.isArray(point)) return;
          const en = ens[i];
          const area = areas[i];
          basemap.labels.push({
            level,
            name,
            en: typeof en === 'string' && en !== '' ? en : name,
            area: typeof area === 'number' ? area : 0,
            lng: point[0],
            lat: point[1],
          });
        });
        break;
      }
    }
  }
  return basemap.land.length > 0 ? basemap : null;
}

/** Fetches and parses the basemap; null when it is missing or unreadable (the map works without). */
export async function loadBasemap(
  url: string = BASEMAP_URL,
  fetchFn: (url: string) => Promise<Response> = (u) => fetch(u),
): Promise<Basemap | null> {
  try {
    const response = await fetchFn(url);
    if (!response.ok) return null;
    return parseBasemap(await response.json());
  } catch {
    return null;
  }
}

// --- styles ---------------------------------------------------------------------------------

export const SEA_COLOR = '#d5e1ea';

export interface BasemapStyle {
  land: PathOptions;
  municipal: PathOptions & { visible: boolean };
  prefecture: PathOptions;
}

/** Calm and light: land a warm off-white, the coast a soft blue-grey, municipal lines faint
 *  (hidden at the whole-country zooms, where they would only be noise), prefecture lines firmer. */
export function basemapStyle(zoom: number): BasemapStyle {
  return {
    land: {
      stroke: true,
      color: '#a7bccc',
      weight: zoom < 8 ? 0.6 : 1,
      opacity: 1,
      fill: true,
      fillColor: '#f6f5f1',
      fillOpacity: 1,
      interactive: false,
    },
    municipal: {
      visible: zoom >= 7,
      color: '#bdb7ab',
      weight: zoom < 9 ? 0.5 : zoom < 12 ? 0.8 : 1.1,
      opacity: zoom < 9 ? 0.6 : 0.9,
      fill: false,
      interactive: false,
    },
    prefecture: {
      color: '#8f897f',
      weight: zoom < 7 ? 0.7 : zoom < 10 ? 1.2 : 1.6,
      opacity: zoom < 7 ? 0.75 : 0.9,
      dashArray: zoom < 9 ? undefined : '7 3 1.5 3',
      fill: false,
      interactive: false,
    },
  };
}

// --- labels ---------------------------------------------------------------------------------

/** Ground resolution of Web Mercator (metres per CSS pixel) at a zoom and latitude. */
export function metersPerPixel(zoom: number, lat: number): number {
  return (156543.03392 * Math.cos((lat * Math.PI) / 180)) / 2 ** zoom;
}

/** Estimated width in pixels: CJK and full-width characters 1 em, the rest about 0.58 em. */
export function textWidth(text: string, fontPx: number): number {
  let em = 0;
  for (const ch of text) {
    em += /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 1 : 0.58;
  }
  return em * fontPx;
}

/** 'Setagaya City' -> 'Setagaya', as English basemaps name places; the suffix only costs room. */
export function shortEnglish(name: string): string {
  return name.replace(/ (City|Town|Village|Ward)$/, '') || name;
}

export const LABEL_FONT_PX: Record<LabelLevel, number> = { prefecture: 12, municipality: 11 };

export interface PlacedLabel {
  label: BasemapLabel;
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelView {
  zoom: number;
  lang: 'ja' | 'en';
  /** Container pixel size. */
  width: number;
  height: number;
  /** Lat/lng → container pixel. */
  project: (lat: number, lng: number) => { x: number; y: number };
}

/** Prefecture names below zoom 9, municipality names from zoom 9, each only where its area is
 *  wide enough on screen for the name; larger areas first, never overlapping. */
export function pickLabels(labels: readonly BasemapLabel[], view: LabelView): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const margin = 4;
  for (const label of labels) {
    if (label.level === 'prefecture' ? view.zoom >= 9 : view.zoom < 9) continue;
    const text = view.lang === 'en' ? shortEnglish(label.en) : label.name;
    const font = LABEL_FONT_PX[label.level];
    const width = textWidth(text, font);
    const height = font * 1.3;
    const areaWidthPx = (Math.sqrt(Math.max(label.area, 0)) * 1000) / metersPerPixel(view.zoom, label.lat);
    if (areaWidthPx < width * (label.level === 'prefecture' ? 0.6 : 0.9)) continue;
    const { x, y } = view.project(label.lat, label.lng);
    // Whole names only: one cut by the map's edge reads as a different name.
    if (x - width / 2 < 0 || x + width / 2 > view.width || y - height / 2 < 0 || y + height / 2 > view.height) {
      continue;
    }
    const clash = placed.some(
      (p) => Math.abs(p.x - x) * 2 < p.width + width + margin * 2 && Math.abs(p.y - y) * 2 < p.height + height + margin * 2,
    );
    if (!clash) placed.push({ label, text, x, y, width, height });
  }
  return placed;
}
