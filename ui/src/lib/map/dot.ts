// A point drawn on Leaflet's canvas renderer with a glyph of our own: a circle, ring or square
// in given colours, faded, dashed, with a selection halo, a count in the middle (clusters), a
// ring of coloured segments (what a cluster holds) and a short text beside it ("12分前").
// One Dot is a CircleMarker to Leaflet: its renderer batches redraws per frame, redraws only
// the area that changed, and hit-tests clicks; no DOM element per point.
import L from 'leaflet';

export interface DotSegment {
  colour: string;
  n: number;
}

export interface DotStyle {
  shape: 'circle' | 'square';
  radius: number;
  fill: string;
  stroke: string;
  strokeWidth: number;
  /** 0–1, the whole glyph. */
  opacity: number;
  dashed?: boolean;
  /** A wide soft ring around it (selection), in this colour. */
  halo?: string | null;
  /** Drawn in the middle (a cluster's size). */
  count?: string | null;
  countColour?: string;
  /** A ring of arcs around the glyph, proportional to `n`. */
  segments?: DotSegment[] | null;
  /** Text to the right of the glyph. */
  label?: string | null;
  labelColour?: string;
}

const FONT = "600 11px 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic UI', sans-serif";
const HALO = 5;
const SEGMENT_RING = 3.5;

let measureCtx: CanvasRenderingContext2D | null | undefined;

/** The width of a label in the glyph's font (0 where there is no canvas: tests). */
export function labelWidth(text: string): number {
  if (measureCtx === undefined) {
    try {
      measureCtx = document.createElement('canvas').getContext('2d');
    } catch {
      measureCtx = null;
    }
  }
  if (!measureCtx) return text.length * 7;
  measureCtx.font = FONT;
  return Math.ceil(measureCtx.measureText(text).width);
}

export function sameStyle(a: DotStyle, b: DotStyle): boolean {
  return (
    a.shape === b.shape &&
    a.radius === b.radius &&
    a.fill === b.fill &&
    a.stroke === b.stroke &&
    a.strokeWidth === b.strokeWidth &&
    a.opacity === b.opacity &&
    (a.dashed ?? false) === (b.dashed ?? false) &&
    (a.halo ?? null) === (b.halo ?? null) &&
    (a.count ?? null) === (b.count ?? null) &&
    (a.label ?? null) === (b.label ?? null) &&
    (a.labelColour ?? null) === (b.labelColour ?? null) &&
    segmentsKey(a.segments) === segmentsKey(b.segments)
  );
}

function segmentsKey(s: DotSegment[] | null | undefined): string {
  return s ? s.map((x) => `${x.colour}:${x.n}`).join(',') : '';
}

/** What Leaflet keeps on a CircleMarker and its canvas renderer (not in its typings). */
interface Internals {
  _renderer: { _ctx: CanvasRenderingContext2D; _drawing: boolean; _bounds: L.Bounds } | undefined;
  _point: L.Point;
  _radius: number;
  _pxBounds: L.Bounds;
  _map: L.Map | null;
  _clickTolerance(): number;
}

export class Dot extends L.CircleMarker {
  dotStyle: DotStyle;
  #labelWidth = 0;

  constructor(latlng: L.LatLngExpression, style: DotStyle, renderer: L.Canvas, pane?: string) {
    super(latlng, {
      renderer,
      radius: style.radius,
      interactive: true,
      bubblingMouseEvents: false,
      ...(pane ? { pane } : {}),
    });
    this.dotStyle = style;
    this.#labelWidth = style.label ? labelWidth(style.label) : 0;
  }

  /** On a map now (not hidden in a cluster or removed). */
  get onMap(): boolean {
    return (this as unknown as Internals)._map != null;
  }

  /** How far from its centre a click lands on it (pixels): Leaflet's own rule for a circle
   *  on a canvas (its radius and the click tolerance), which the hit list (hit.ts) repeats. */
  get hitRadius(): number {
    return this.dotStyle.radius + (this as unknown as Internals)._clickTolerance();
  }

  /** Restyles; nothing is redrawn when the style is the same. */
  setDotStyle(style: DotStyle): this {
    if (sameStyle(style, this.dotStyle)) return this;
    const labelChanged = (style.label ?? null) !== (this.dotStyle.label ?? null);
    this.dotStyle = style;
    if (labelChanged) this.#labelWidth = style.label ? labelWidth(style.label) : 0;
    const self = this as unknown as Internals;
    self._radius = style.radius;
    this.options.radius = style.radius;
    this.redraw();
    return this;
  }

  /** Moves it; nothing is redrawn when it is where it was. */
  moveTo(lat: number, lng: number): this {
    const at = this.getLatLng();
    if (at.lat === lat && at.lng === lng) return this;
    return this.setLatLng([lat, lng]);
  }

  // The area the glyph covers (halo, segment ring and label included): what the renderer
  // clears and redraws when it changes, and what it tests against the view.
  _updateBounds(): void {
    const self = this as unknown as Internals;
    const s = this.dotStyle;
    const r = s.radius + Math.max(s.halo ? HALO : 0, s.segments ? SEGMENT_RING + 1 : 0) + s.strokeWidth + 1;
    const w = self._clickTolerance();
    const p = self._point;
    const right = s.label ? s.radius + 4 + this.#labelWidth : r;
    self._pxBounds = new L.Bounds(p.subtract([r + w, Math.max(r, 8) + w]), p.add([Math.max(r, right) + w, Math.max(r, 8) + w]));
  }

  _updatePath(): void {
    const self = this as unknown as Internals;
    const renderer = self._renderer;
    if (!renderer || !renderer._drawing || !self._map) return;
    if (!renderer._bounds.intersects(self._pxBounds)) return;
    const ctx = renderer._ctx;
    const s = this.dotStyle;
    const { x, y } = self._point;
    const r = s.radius;
    ctx.save();
    ctx.globalAlpha = s.opacity;
    if (s.halo) {
      ctx.beginPath();
      ctx.arc(x, y, r + HALO, 0, Math.PI * 2);
      ctx.fillStyle = s.halo;
      ctx.globalAlpha = 0.35 * s.opacity + 0.1;
      ctx.fill();
      ctx.globalAlpha = s.opacity;
    }
    if (s.segments && s.segments.length > 0) {
      const total = s.segments.reduce((sum, seg) => sum + seg.n, 0) || 1;
      let start = -Math.PI / 2;
      ctx.lineWidth = SEGMENT_RING;
      for (const seg of s.segments) {
        if (seg.n <= 0) continue;
        const end = start + (seg.n / total) * Math.PI * 2;
        ctx.beginPath();
        ctx.arc(x, y, r + SEGMENT_RING / 2 + 0.5, start, end);
        ctx.strokeStyle = seg.colour;
        ctx.stroke();
        start = end;
      }
    }
    ctx.beginPath();
    if (s.shape === 'square') ctx.rect(x - r, y - r, r * 2, r * 2);
    else ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fillStyle = s.fill;
    ctx.fill();
    if (s.strokeWidth > 0) {
      ctx.setLineDash(s.dashed ? [2.5, 2] : []);
      ctx.lineWidth = s.strokeWidth;
      ctx.strokeStyle = s.stroke;
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (s.count) {
      ctx.font = FONT;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = s.countColour ?? '#ffffff';
      ctx.fillText(s.count, x, y + 0.5);
    }
    if (s.label) {
      ctx.font = FONT;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.strokeText(s.label, x + r + 4, y + 0.5);
      ctx.fillStyle = s.labelColour ?? '#1d2530';
      ctx.fillText(s.label, x + r + 4, y + 0.5);
    }
    ctx.restore();
  }
}
