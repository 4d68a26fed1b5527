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
