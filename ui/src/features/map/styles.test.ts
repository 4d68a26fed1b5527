// How the live map's points look: today's stops in their order status's colour (the board's
// badge tones), drivers by what they are doing (unknown apart from free and from lost).
import { describe, expect, it } from 'vitest';
import { driverStyle, readPalette, stopStyle } from '$features/map/styles';
import { statusTone } from '$lib/orderStatus';

const palette = readPalette();

describe("today's stops", () => {
  it('are drawn in the tone the board gives their status', () => {
    for (const status of ['created', 'assigned', 'delivering', 'arrived_goal', 'delivered', 'returning', 'returned', 'unknown']) {
      expect(stopStyle(status, false, palette).fill, status).toBe(palette[statusTone(status)].fg);
    }
    // Waiting, under way, done and sent back each read apart.
    const fills = new Set(['created', 'delivering', 'delivered', 'returning'].map((s) => stopStyle(s, false, palette).fill));
    expect(fills.size).toBe(4);
  });

  it('show a status the document does not list in the unknown tone', () => {
    expect(stopStyle('on_hold', false, palette).fill).toBe(palette.unknown.fg);
  });

  it('fade once delivered: done, not to be looked for', () => {
    expect(stopStyle('delivered', false, palette).opacity).toBeLessThan(stopStyle('delivering', false, palette).opacity);
    expect(stopStyle('created', false, palette).opacity).toBe(stopStyle('delivering', false, palette).opacity);
  });

  it('are small beside drivers, a little larger when selected', () => {
    const stop = stopStyle('created', false, palette);
    expect(stop.radius).toBeLessThan(driverStyle({ activity: 'idle', freshness: 'fresh' }, false, palette, null).radius);
    expect(stopStyle('created', true, palette).radius).toBeGreaterThan(stop.radius);
  });
});

describe('drivers', () => {
  it('with an unknown activity are drawn in the unknown tone: neither free nor lost', () => {
    const unknown = driverStyle({ activity: 'unknown', freshness: 'fresh' }, false, palette, null);
    expect(unknown.fill).toBe(palette.unknown.fg);
    expect(unknown.fill).not.toBe(driverStyle({ activity: 'idle', freshness: 'fresh' }, false, palette, null).fill);
    const lost = driverStyle({ activity: 'unknown', freshness: 'lost' }, false, palette, '12分前');
    expect(lost).toMatchObject({ fill: palette.canceled.bd, dashed: true, label: '12分前' });
    expect(unknown.dashed).toBe(false);
  });
});
