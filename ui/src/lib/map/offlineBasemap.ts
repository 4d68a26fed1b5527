// The offline basemap on a Leaflet map: land, municipal and prefecture lines as canvas vectors
// (their own renderer and pane, under every data layer), place names that fit, and a graticule
// while the file is missing. The file is fetched and parsed once per app session.
import L from 'leaflet';
import { graticuleStep } from '$lib/graticule';
import { basemapStyle, loadBasemap, pickLabels, type Basemap, type PlacedLabel } from '$lib/basemap';

let shared: Promise<Basemap | null> | null = null;

/** The basemap file, read once and shared by every map (a missing file is asked for again). */
export function basemapOnce(): Promise<Basemap | null> {
  if (!shared) {
    shared = loadBasemap().then((b) => {
      if (!b) shared = null;
      return b;
    });
  }
  return shared;
}

/** The panes every map has, bottom to top: basemap vectors, place names, then Leaflet's own
 *  overlay pane (400) for data. */
export const BASEMAP_PANE = 'basemap';
export const LABEL_PANE = 'basemapLabels';

export class OfflineBasemap {
  /** The file once drawn; null while loading or when there is none (graticule instead). */
  basemap: Basemap | null = null;
  #map: L.Map;
  #lang: 'ja' | 'en';
  #grid: L.LayerGroup;
  #land: L.Polygon | null = null;
  #municipal: L.Polyline | null = null;
  #prefecture: L.Polyline | null = null;
  #labels: L.LayerGroup | null = null;
  #labelMarkers = new Map<string, L.Marker>();
  #alive = true;
  #onMove = () => {
    this.#drawGraticule();
    this.#drawLabels();
  };
  #onZoom = () => this.#restyle();

  constructor(map: L.Map, lang: 'ja' | 'en', onloaded?: (basemap: Basemap) => void) {
    this.#map = map;
    this.#lang = lang;
    map.createPane(BASEMAP_PANE).style.zIndex = '200';
    const labelPane = map.createPane(LABEL_PANE);
    labelPane.style.zIndex = '350';
    labelPane.style.pointerEvents = 'none';
    this.#grid = L.layerGroup().addTo(map);
    map.on('moveend zoomend resize', this.#onMove);
    map.on('zoomend', this.#onZoom);
    this.#drawGraticule();
    void basemapOnce().then((b) => {
      if (!this.#alive || !b) return;
      this.basemap = b;
      this.#draw(b);
      this.#drawGraticule();
      onloaded?.(b);
    });
  }

  setLang(lang: 'ja' | 'en'): void {
    if (lang === this.#lang) return;
    this.#lang = lang;
    for (const marker of this.#labelMarkers.values()) this.#labels?.removeLayer(marker);
    this.#labelMarkers.clear();
    this.#drawLabels();
  }

  destroy(): void {
    this.#alive = false;
    this.#map.off('moveend zoomend resize', this.#onMove);
    this.#map.off('zoomend', this.#onZoom);
    this.#labelMarkers.clear();
  }

  #draw(b: Basemap): void {
    const m = this.#map;
    const renderer = L.canvas({ pane: BASEMAP_PANE, padding: 0.5 });
    const style = basemapStyle(m.getZoom());
    const { visible: _visible, ...municipal } = style.municipal;
    this.#land = L.polygon(L.GeoJSON.coordsToLatLngs(b.land, 2), { ...style.land, renderer, pane: BASEMAP_PANE });
    this.#municipal = L.polyline(L.GeoJSON.coordsToLatLngs(b.municipal, 1), { ...municipal, renderer, pane: BASEMAP_PANE });
    this.#prefecture = L.polyline(L.GeoJSON.coordsToLatLngs(b.prefecture, 1), {
      ...style.prefecture,
      renderer,
      pane: BASEMAP_PANE,
    });
    this.#land.addTo(m);
    this.#municipal.addTo(m);
    this.#prefecture.addTo(m);
    this.#labels = L.layerGroup().addTo(m);
    this.#restyle();
    this.#drawLabels();
  }

  // Line weights and which lines show follow the zoom.
  #restyle(): void {
    const m = this.#map;
    if (!this.#land || !this.#municipal || !this.#prefecture) return;
    const style = basemapStyle(m.getZoom());
    const { visible, ...municipal } = style.municipal;
    this.#land.setStyle(style.land);
    this.#prefecture.setStyle(style.prefecture);
    this.#municipal.setStyle(municipal);
    if (visible && !m.hasLayer(this.#municipal)) {
      this.#municipal.addTo(m);
      this.#prefecture.bringToFront();
    } else if (!visible && m.hasLayer(this.#municipal)) {
      this.#municipal.remove();
    }
  }

  #drawGraticule(): void {
    const m = this.#map;
    this.#grid.clearLayers();
    if (this.basemap) return;
    const bounds = m.getBounds();
    const step = graticuleStep(bounds.getEast() - bounds.getWest());
    const south = Math.floor(bounds.getSouth() / step) * step;
    const west = Math.floor(bounds.getWest() / step) * step;
    const line: L.PolylineOptions = { color: '#d3d9e1', weight: 1, interactive: false, pane: BASEMAP_PANE };
    for (let lat = south; lat <= bounds.getNorth() + step; lat += step) {
      this.#grid.addLayer(L.polyline([[lat, bounds.getWest() - step], [lat, bounds.getEast() + step]], line));
    }
    for (let lng = west; lng <= bounds.getEast() + step; lng += step) {
      this.#grid.addLayer(L.polyline([[bounds.getSouth() - step, lng], [bounds.getNorth() + step, lng]], line));
    }
  }

  #labelIcon(placed: PlacedLabel): L.DivIcon {
    // Built with textContent: names come from a data file and must never become markup.
    const text = document.createElement('span');
    text.textContent = placed.text;
    text.setAttribute('aria-hidden', 'true');
    return L.divIcon({ className: `basemap-label ${placed.label.level}`, html: text, iconSize: [0, 0] });
  }

  #drawLabels(): void {
    const m = this.#map;
    if (!this.basemap || !this.#labels) return;
    const size = m.getSize();
    const placed = pickLabels(this.basemap.labels, {
      zoom: m.getZoom(),
      lang: this.#lang,
      width: size.x,
      height: size.y,
      project: (lat, lng) => m.latLngToContainerPoint([lat, lng]),
    });
    const keep = new Set<string>();
    for (const p of placed) {
      const key = `${p.label.level}|${p.label.lat},${p.label.lng}|${p.text}`;
      keep.add(key);
      if (this.#labelMarkers.has(key)) continue;
      const marker = L.marker([p.label.lat, p.label.lng], {
        icon: this.#labelIcon(p),
        pane: LABEL_PANE,
        interactive: false,
        keyboard: false,
      });
      this.#labels.addLayer(marker);
      this.#labelMarkers.set(key, marker);
    }
    for (const [key, marker] of this.#labelMarkers) {
      if (!keep.has(key)) {
        this.#labels.removeLayer(marker);
        this.#labelMarkers.delete(key);
      }
    }
  }
}
