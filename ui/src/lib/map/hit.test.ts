// Which glyphs a click lands on: every one whose circle holds the pixel (Leaflet's own rule,
// radius plus click tolerance), nearest first, so drivers drawn on one spot can be listed.
import { describe, expect, it } from 'vitest';
import { hitsAt, type Placed } from '$lib/map/hit';

const at = (item: string, x: number, y: number, r = 10): Placed<string> => ({ item, x, y, r });

describe('what a click lands on', () => {
  it('lands on nothing away from every glyph', () => {
    expect(hitsAt([at('a', 0, 0), at('b', 100, 100)], 50, 50)).toEqual([]);
    expect(hitsAt([], 0, 0)).toEqual([]);
  });

  it('lands on one glyph alone when no other is within reach', () => {
    expect(hitsAt([at('a', 0, 0), at('b', 30, 0)], 2, 1)).toEqual(['a']);
  });

  it('lands on every glyph drawn on the spot, the nearest first', () => {
    // Two drivers back at one store (same pixel) and one a few pixels off: all three.
    const placed = [at('far', 100, 0), at('shop-1', 10, 10), at('shop-2', 10, 10), at('beside', 16, 10)];
    expect(hitsAt(placed, 14, 10)).toEqual(['beside', 'shop-1', 'shop-2']);
    // Ties keep the order given (the drawing order, stable between clicks).
    expect(hitsAt(placed, 10, 10)).toEqual(['shop-1', 'shop-2', 'beside']);
  });

  it('counts the edge of the circle in and a pixel beyond it out', () => {
    expect(hitsAt([at('a', 0, 0, 9.5)], 9.5, 0)).toEqual(['a']);
    expect(hitsAt([at('a', 0, 0, 9.5)], 6, 8)).toEqual([]); // 10 px away
    // Each glyph's own reach: a large one takes a click a small one beside it does not.
    expect(hitsAt([at('cluster', 0, 0, 20), at('dot', 30, 0, 10)], 15, 0)).toEqual(['cluster']);
  });
});
