import { afterEach, describe, expect, it, vi } from 'vitest';
import { ageCounts, markStart, markStartup, measureAfterPaint, measureSpan, recordAgesAfterPaint } from '$lib/perf';

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

  it('keep at most 10,000 measures of a name, counted without reading the timeline back', () => {
    const read = vi.spyOn(performance, 'getEntriesByName');
    for (let i = 0; i < 10_001; i++) measureSpan('span', performance.now());
    // The 10,001st cleared the name first and is the only one left.
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
    expect(performance.getEntriesByName('span', 'measure')).toHaveLength(1);
    for (let i = 0; i < 5; i++) measureSpan('span', performance.now());
    expect(performance.getEntriesByName('span', 'measure')).toHaveLength(6);
  });

  it('count every age at the paint, in whole milliseconds, and forget them when cleared', () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    vi.spyOn(Date, 'now').mockReturnValue(100_000);
    recordAgesAfterPaint('age', [99_900, 99_900, 99_750, 80_000]);
    recordAgesAfterPaint('age', []);
    expect(ageCounts('age')).toEqual([]); // nothing before the paint
    while (frames.length) frames.shift()!(0);
    expect(ageCounts('age', true)).toEqual([
      [100, 2],
      [250, 1],
      [20_000, 1],
    ]);
    expect(ageCounts('age')).toEqual([]);
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('keep the start marks, repeats too, and stop marking after 64', () => {
    markStartup('start:a');
    markStartup('start:a');
    expect(performance.getEntriesByName('start:a', 'mark')).toHaveLength(2);
    for (let i = 0; i < 100; i++) markStartup('start:b');
    expect(performance.getEntriesByName('start:b', 'mark')).toHaveLength(62);
    performance.clearMarks();
  });
});
