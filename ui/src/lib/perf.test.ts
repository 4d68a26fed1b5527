import { afterEach, describe, expect, it, vi } from 'vitest';
import { markStart, measureAfterPaint } from '$lib/perf';

describe('benchmark measures', () => {
  afterEach(() => performance.clearMeasures());

  it('measure from the latest start to the paint, once', () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    markStart('w');
    markStart('w');
    measureAfterPaint('w');
    measureAfterPaint('w'); // already measured: nothing
    while (frames.length) frames.shift()!(0);
    expect(performance.getEntriesByName('w', 'measure')).toHaveLength(1);
    vi.unstubAllGlobals();
  });
});
