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

/** Most measures of one name kept: a view measuring every update must not grow without end. */
const MAX_MEASURES = 10_000;

/** Measures recorded per name since its last clearing. Counted here rather than asked of the
 *  timeline: `getEntriesByName` copies every entry of the name into a new array, and at
 *  2,000 driver moves a second (six measures per reading) that was thousands of objects of
 *  garbage per reading. Counts run ahead when someone else clears (the benchmark does):
 *  then a clearing comes early, which is harmless. */
const counts = new Map<string, number>();

/** Records a measure of `name`, clearing that name's measures first once it holds MAX_MEASURES. */
function record(name: string, start: number, end: number): void {
  const n = counts.get(name) ?? 0;
  if (n >= MAX_MEASURES) {
    performance.clearMeasures(name);
    counts.set(name, 1);
  } else {
    counts.set(name, n + 1);
  }
  performance.measure(name, { start, end });
}

/**
 * Measures `name` from `start` (a `performance.now()` time: when the first change now shown
 * arrived) to the paint after this call (two frames). For updates that keep coming (the live
 * map's driver moves), where one start per name would be replaced before it is measured.
 */
export function measureSinceAfterPaint(name: string, start: number): void {
  if (typeof requestAnimationFrame !== 'function') return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        record(name, start, performance.now());
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
    record(name, start, performance.now());
  } catch {
    // no User Timing: nothing to record
  }
}

/** Measures `name` from a wall-clock instant (`epochMs`, e.g. when a driver's fix was taken,
 *  stamped by the server on this machine) to the paint after this call: the whole way from
 *  the source to the screen, not only the UI's part of it. */
export function measureAgeAfterPaint(name: string, epochMs: number): void {
  if (typeof requestAnimationFrame !== 'function' || !Number.isFinite(epochMs)) return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const end = performance.now();
      const start = end - (Date.now() - epochMs);
      try {
        record(name, Math.max(0, start), end);
      } catch {
        // no User Timing Level 3: nothing to record
      }
    }),
  );
}

/** Ages counted in 1 ms steps up to this; older ones are kept as they are (few, and the
 *  interesting ones). */
const AGE_STEPS = 10_000;
const MAX_OLD_AGES = 10_000;

/** How old many things were when they were painted: a count per whole millisecond, for
 *  updates too many to keep a measure each (2,000 driver moves a second). */
interface AgeCounts {
  steps: Uint32Array;
  older: number[];
}
const ages = new Map<string, AgeCounts>();

/**
 * Counts, for each wall-clock instant in `epochMs` (e.g. when each driver fix now shown was
 * taken, stamped by the server on this machine), its age at the paint after this call.
 * Read back by the benchmark as a distribution over every update, through `ageCounts`.
 */
export function recordAgesAfterPaint(name: string, epochMs: readonly number[]): void {
  if (typeof requestAnimationFrame !== 'function' || epochMs.length === 0) return;
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const now = Date.now();
      let counts = ages.get(name);
      if (!counts) {
        counts = { steps: new Uint32Array(AGE_STEPS), older: [] };
        ages.set(name, counts);
      }
      for (const at of epochMs) {
        const age = Math.max(0, Math.round(now - at));
        if (age < AGE_STEPS) counts.steps[age] = (counts.steps[age] ?? 0) + 1;
        else if (counts.older.length < MAX_OLD_AGES) counts.older.push(age);
      }
    }),
  );
}

/** The counts of `name` as [age ms, how many] pairs (ages with none left out), and forgets
 *  them when `clear` (the benchmark clears at the start of its window). */
export function ageCounts(name: string, clear = false): [number, number][] {
  const counts = ages.get(name);
  const out: [number, number][] = [];
  if (counts) {
    counts.steps.forEach((n, age) => {
      if (n > 0) out.push([age, n]);
    });
    for (const age of counts.older) out.push([age, 1]);
  }
  if (clear) ages.delete(name);
  return out;
}

// For the benchmark, which reads through WebDriver and cannot import modules.
if (typeof window !== 'undefined') {
  (window as unknown as { __hakobuAgeCounts?: typeof ageCounts }).__hakobuAgeCounts = ageCounts;
}

/** Most start marks kept: the board marks every read it sends, and after the start those go
 *  on (each minute, each change) — the start benchmark only wants the first ones. */
const MAX_START_MARKS = 64;
let startMarks = 0;

/**
 * Marks a moment of the app's start (`start:script`, `start:shell`, `start:board-sent`, …) as
 * a performance mark, which the start benchmark reads back with the marks' times: where the
 * time between the page's first byte and the board's first rows goes. Repeated names are kept
 * (a board read sent twice shows as two marks); after MAX_START_MARKS, nothing more is marked.
 */
export function markStartup(name: string): void {
  if (startMarks >= MAX_START_MARKS) return;
  startMarks += 1;
  try {
    performance.mark(name);
  } catch {
    // no User Timing: nothing to record
  }
}

/** `markStartup(name)` at the paint after this call (two frames: layout, then paint). */
export function markStartupAfterPaint(name: string): void {
  if (typeof requestAnimationFrame !== 'function') return;
  requestAnimationFrame(() => requestAnimationFrame(() => markStartup(name)));
}
