// Performance marks the UI benchmark reads back through WebDriver (BENCHMARKS.md): a view
// marks when it starts work and measures once the result is on screen — after the next frame
// has been painted, not when the data arrived.

/** Marks the start of `name` (e.g. `list:open`), replacing an older start of the same name. */
export function markStart(name: string): void {
  performance.clearMarks(`${name}:start`);
  performance.mark(`${name}:start`);
}

/** Measures `name` from its start to the paint after this call (two frames: layout, paint). */
export function measureAfterPaint(name: string): void {
  const start = `${name}:start`;
  if (performance.getEntriesByName(start, 'mark').length === 0) return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        performance.measure(name, start);
      } catch {
        // the start mark was cleared meanwhile: a newer run measures itself
      }
      performance.clearMarks(start);
    }),
  );
}

/** Most measures of one name kept: a view measuring every update must not grow without end. */
const MAX_MEASURES = 10_000;

/**
 * Measures `name` from `start` (a `performance.now()` time: when the first change now shown
 * arrived) to the paint after this call (two frames). For updates that keep coming (the live
 * map's driver moves), where a start mark per update would be replaced before it is measured.
 */
export function measureSinceAfterPaint(name: string, start: number): void {
  if (typeof requestAnimationFrame !== 'function') return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        if (performance.getEntriesByName(name, 'measure').length >= MAX_MEASURES) performance.clearMeasures(name);
        performance.measure(name, { start, end: performance.now() });
      } catch {
        // User Timing without measure options: nothing to record
      }
    }),
  );
}

/** Records how long a piece of work took (`start` from `performance.now()`), at once: for the
 *  parts of an update a benchmark wants to tell apart (`map:read`, `map:layout`). */
export function measureSpan(name: string, start: number): void {
  try {
    if (performance.getEntriesByName(name, 'measure').length >= MAX_MEASURES) performance.clearMeasures(name);
    performance.measure(name, { start, end: performance.now() });
  } catch {
    // no User Timing: nothing to record
  }
}
