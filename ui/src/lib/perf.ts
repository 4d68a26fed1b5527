// Performance measures the UI benchmark reads back through WebDriver (ui/BENCHMARKS.md): a view
// notes when it starts work and measures once the result is on screen — after the next frame
// has been painted, not when the data arrived.
//
// Starts are kept here, not as performance marks: a newer run of the same work (a reload
// overtaking another) replaces the start, and an answer that was dropped never measures.

const starts = new Map<string, number>();

/** Notes the start of `name` (e.g. `list:open`), replacing an older start of the same name. */
export function markStart(name: string): void {
  starts.set(name, performance.now());
}

/** Measures `name` from its start to the paint after this call (two frames: layout, paint). */
export function measureAfterPaint(name: string): void {
  const start = starts.get(name);
  if (start === undefined) return;
  starts.delete(name);
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        performance.measure(name, { start, end: performance.now() });
      } catch {
        // no User Timing Level 3 (measure with options): nothing to report
      }
    }),
  );
}
