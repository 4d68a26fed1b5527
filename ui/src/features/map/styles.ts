// How the live map's points look, as pure functions of a point and the board's palette (the
// --st-<tone>-* colours of app.css, read once per map: the canvas cannot use CSS classes).
// Tested in styles.test.ts; the legend in MapPage.svelte draws the same glyphs in CSS.
import { toneColours, TONES, type Tone } from '$lib/ui/status';
import { statusTone } from '$lib/orderStatus';
import type { DotStyle } from '$lib/map/dot';
import type { ClusterSummary } from '$lib/map/pointLayer';
import { ACTIVITIES, ACTIVITY_TONE, FRESHNESS_OPACITY, type Activity, type Freshness } from '$features/map/driverState';

/** app.css's colours, for when they cannot be read (tests, a page without the sheet). */
const FALLBACK: Record<Tone, string> = {
  new: '#475366',
  progress: '#1f5fbf',
  near: '#0f4c9e',
  done: '#23804a',
  canceled: '#6b7482',
  returning: '#94600a',
  returned: '#7d6a45',
  unknown: '#5f4b8b',
};

export type Palette = Record<Tone, { fg: string; bg: string; bd: string }>;

export function readPalette(): Palette {
  const out = {} as Palette;
  for (const tone of TONES) {
    const c = typeof document === 'undefined' ? { fg: '', bg: '', bd: '' } : toneColours(tone);
    out[tone] = { fg: c.fg || FALLBACK[tone], bg: c.bg || '#ffffff', bd: c.bd || FALLBACK[tone] };
  }
  return out;
}

/** The halo of whatever is selected. */
export const SELECT_HALO = '#e0701b';

/** What a driver's glyph needs to know of it. */
export interface DriverLook {
  activity: Activity;
  freshness: Freshness;
}

/** The colour a driver is drawn in: its activity's, grey once its fix is lost. */
export function driverColour(p: DriverLook, palette: Palette): string {
  return palette[p.freshness === 'lost' ? 'canceled' : ACTIVITY_TONE[p.activity]].fg;
}

/** A driver: filled in its activity's colour (hollow on the way to a pickup), faded when its
 *  fix is stale, greyed and dashed with its age beside it when lost. */
export function driverStyle(p: DriverLook, selected: boolean, palette: Palette, ageLabel: string | null): DotStyle {
  const tone = palette[ACTIVITY_TONE[p.activity]];
  const lost = p.freshness === 'lost';
  const grey = palette.canceled;
  const hollow = p.activity === 'to_pickup';
  return {
    shape: 'circle',
    radius: selected ? 8 : 6.5,
    fill: lost ? grey.bd : hollow ? '#ffffff' : tone.fg,
    stroke: lost ? grey.fg : hollow ? tone.fg : '#ffffff',
    strokeWidth: hollow || lost ? 2.5 : 2,
    opacity: selected ? 1 : FRESHNESS_OPACITY[p.freshness],
    dashed: lost,
    halo: selected ? SELECT_HALO : null,
    label: ageLabel,
    labelColour: grey.fg,
  };
}

/** A cluster of drivers: its size, and a ring of what its members are doing (lost apart). */
export function driverClusterStyle(s: ClusterSummary, palette: Palette): DotStyle {
  const segments = [...ACTIVITIES, 'lost' as const].map((g) => ({
    colour: g === 'lost' ? palette.canceled.bd : palette[ACTIVITY_TONE[g]].fg,
    n: s.groups[g] ?? 0,
  }));
  return {
    shape: 'circle',
    radius: s.count < 10 ? 11 : s.count < 100 ? 14 : 17,
    fill: '#2b3645',
    stroke: '#ffffff',
    strokeWidth: 1.5,
    opacity: 0.95,
    count: String(s.count),
    segments,
  };
}

/** One of today's stops: a small dot in its order status's colour (the board's badge),
 *  delivered ones fainter (done, not to be looked for). */
export function stopStyle(status: string, selected: boolean, palette: Palette): DotStyle {
  const tone = palette[statusTone(status)];
  return {
    shape: 'circle',
    radius: selected ? 5 : 3.5,
    fill: tone.fg,
    stroke: '#ffffff',
    strokeWidth: 1,
    opacity: status === 'delivered' ? 0.55 : 0.85,
  };
}

/** A store: a dark square, under the drivers. */
export function storeStyle(selected: boolean): DotStyle {
  return {
    shape: 'square',
    radius: selected ? 6 : 5,
    fill: '#18212d',
    stroke: '#ffffff',
    strokeWidth: 1.5,
    opacity: 0.9,
    halo: selected ? SELECT_HALO : null,
  };
}
