import { describe, expect, it } from 'vitest';
import { OVERSCAN, visibleRange } from '$lib/ui/DataTable.svelte';

describe('the virtual table window', () => {
  it('draws the rows in view and a few either side, never past the data', () => {
    expect(visibleRange(0, 320, 32, 50_000)).toEqual({ start: 0, end: 11 + OVERSCAN });
    const mid = visibleRange(32 * 1000, 320, 32, 50_000);
    expect(mid).toEqual({ start: 1000 - OVERSCAN, end: 1011 + OVERSCAN });
    expect(visibleRange(32 * 49_995, 320, 32, 50_000)).toEqual({ start: 49_995 - OVERSCAN, end: 50_000 });
    expect(visibleRange(0, 320, 32, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 320, 32, 3)).toEqual({ start: 0, end: 3 });
  });
});
