import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutsourceItem, OutsourceReport, Plan } from '$lib/ipc/generated';
import { plan as fixturePlan } from '$features/planning/timeline/fixture';

// The store's boundary: the commands (answered here as the backend would) and the perf marks.
const getPlan = vi.fn();
const reoptimisePlan = vi.fn();
const outsourceStops = vi.fn();
vi.mock('$lib/ipc/planning', async (original) => ({
  ...(await original<typeof import('$lib/ipc/planning')>()),
  getPlan: (...args: unknown[]) => getPlan(...args),
  reoptimisePlan: (...args: unknown[]) => reoptimisePlan(...args),
  outsourceStops: (...args: unknown[]) => outsourceStops(...args),
}));
const measured: string[] = [];
vi.mock('$lib/perf', () => ({
  markStart: () => {},
  measureAfterPaint: (name: string) => measured.push(name),
}));

const { PlanView } = await import('$features/planning/planView.svelte');

const RUN = { plan_id: 'p1', version: 2, stops: 5, drivers: 3, threads: 2, time_limit_s: 10 };

function version(v: number, state: Plan['state'], cost: number, id = 'p1'): Plan {
  const p = fixturePlan();
  return { ...p, plan_id: id, version: v, state, totals: { ...p.totals, cost } };
}

/** A view whose plan (version 1) is being re-optimised as version 2. */
async function running(): Promise<InstanceType<typeof PlanView>> {
  const view = new PlanView();
  view.plan = version(1, 'finished', 900);
  reoptimisePlan.mockResolvedValue({ ...RUN });
  await view.reoptimise();
  expect(view.running).toEqual(RUN);
  return view;
}

const finished = { plan_id: 'p1', version: 2, state: 'finished', drivers_used: 2, unassigned: 1, elapsed_ms: 10_000, error: null } as const;

describe('provisional plans while a solve runs', () => {
  beforeEach(() => {
    measured.length = 0;
    getPlan.mockReset();
  });

  it('shows the running solve’s best so far, read-only, and measures the first routes once', async () => {
    const view = await running();
    const first = version(2, 'running', 800);
    view.onPreview(first);
    expect(view.plan).toEqual(first);
    expect(view.provisional).toBe(true);
    expect(view.canUndo).toBe(false);
    const better = version(2, 'running', 700);
    view.onPreview(better);
    expect(view.plan).toEqual(better);
    expect(measured).toEqual(['plan:routes']);
    // The same preview handed over again (each progress event does) changes nothing.
    const shown = view.plan;
    view.onPreview(better);
    expect(view.plan).toBe(shown);
  });

  it('ignores previews of another plan or another version', async () => {
    const view = await running();
    const before = view.plan;
    view.onPreview(version(2, 'running', 1, 'other'));
    view.onPreview(version(3, 'running', 1));
    view.onPreview(undefined);
    expect(view.plan).toBe(before);
    expect(view.provisional).toBe(false);
    expect(measured).toEqual([]);
  });

  it('drops a preview that arrives after its solve finished, and measures the final plan', async () => {
    const view = await running();
    view.onPreview(version(2, 'running', 800));
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v: number) => (v === 2 ? final : version(1, 'finished', 900)));
    await view.onFinished({ ...finished });
    expect(view.plan).toBe(final);
    expect(view.running).toBeNull();
    view.onPreview(version(2, 'running', 600));
    expect(view.plan).toBe(final);
    expect(view.provisional).toBe(false);
    expect(measured).toEqual(['plan:routes', 'plan:final']);
  });

  it('measures the first routes at the final plan when no preview came', async () => {
    const view = await running();
    getPlan.mockResolvedValue(version(2, 'finished', 650));
    await view.onFinished({ ...finished });
    expect(measured).toEqual(['plan:routes', 'plan:final']);
  });

  it('puts the plan from before back when the solve fails', async () => {
    const view = await running();
    const before = view.plan;
    view.onPreview(version(2, 'running', 800));
    await view.onFinished({ ...finished, state: 'failed', error: 'the solver refused the problem' });
    expect(view.plan).toBe(before);
    expect(view.planError?.message).toBe('the solver refused the problem');
    expect(getPlan).not.toHaveBeenCalled();
  });
});

describe('a running solve’s figures on screen', () => {
  const report = (elapsed_ms: number, version = 2) => ({
    plan_id: 'p1',
    version,
    cost: 1000 - elapsed_ms / 100,
    drivers_used: 2,
    unassigned: 0,
    iterations: elapsed_ms * 10,
    elapsed_ms,
    time_limit_ms: 10_000,
  });

  beforeEach(() => {
    vi.useFakeTimers();
    getPlan.mockReset();
  });

  it('changes at most once a second, and then shows the latest report', async () => {
    const view = await running();
    view.onProgress(report(250));
    expect(view.progress?.elapsed_ms).toBe(250);
    view.onProgress(report(500));
    view.onProgress(report(750));
    expect(view.progress?.elapsed_ms).toBe(250);
    vi.advanceTimersByTime(999);
    expect(view.progress?.elapsed_ms).toBe(250);
    vi.advanceTimersByTime(1);
    expect(view.progress?.elapsed_ms).toBe(750);
    // A report after a quiet second goes up at once.
    vi.advanceTimersByTime(1500);
    view.onProgress(report(3000));
    expect(view.progress?.elapsed_ms).toBe(3000);
    // Another run's report is not shown, now or later.
    view.onProgress(report(3250, 9));
    vi.advanceTimersByTime(2000);
    expect(view.progress?.elapsed_ms).toBe(3000);
    vi.useRealTimers();
  });

  it('drops a report still waiting when the solve ends', async () => {
    const view = await running();
    getPlan.mockResolvedValue(version(2, 'finished', 700));
    view.onProgress(report(250));
    view.onProgress(report(500));
    await view.onFinished({ ...finished });
    vi.advanceTimersByTime(2000);
    expect(view.running).toBeNull();
    expect(view.progress?.elapsed_ms).toBe(250);
    vi.useRealTimers();
  });
});

describe('a DIAq hand-over', () => {
  const item = (stopId: string, code: string): OutsourceItem => ({
    stop_id: stopId,
    label: stopId,
    order_reference: null,
    outcome: 'already_diaq',
    tracking_code: code,
  });

  beforeEach(() => {
    getPlan.mockReset();
    outsourceStops.mockReset();
  });

  it('follows each item the channel delivers while the command runs, then takes the report', async () => {
    const view = new PlanView();
    view.plan = version(1, 'finished', 900);
    let answer: (r: OutsourceReport) => void = () => {};
    let onItem: (i: OutsourceItem) => void = () => {};
    outsourceStops.mockImplementation((_plan: string, _stops: string[], each: (i: OutsourceItem) => void) => {
      onItem = each;
      return new Promise<OutsourceReport>((resolve) => (answer = resolve));
    });
    const done = view.outsource(['a', 'b']);
    expect(view.outsourcing).toBe(true);
    expect(view.handOver?.asked).toEqual(['a', 'b']);
    onItem(item('b', '100000000002'));
    expect(view.handOver?.settled.map((i) => i.stop_id)).toEqual(['b']);
    onItem(item('a', '100000000001'));
    const report = { plan_id: 'p1', version: 1, items: [item('a', '100000000001'), item('b', '100000000002')], created: 0 };
    answer(report);
    expect(await done).toEqual(report);
    expect(view.outsourcing).toBe(false);
    expect(view.handOver?.report).toEqual(report);
    expect(view.handOver?.settled).toHaveLength(2);
    expect(getPlan).not.toHaveBeenCalled();
  });

  it('keeps the settled items with the error when the command fails part-way', async () => {
    const view = new PlanView();
    view.plan = version(1, 'finished', 900);
    outsourceStops.mockImplementation(async (_plan: string, _stops: string[], each: (i: OutsourceItem) => void) => {
      each(item('a', '100000000001'));
      throw { code: 'transport', message: 'DIAq did not answer', field: null };
    });
    expect(await view.outsource(['a', 'b'])).toBeNull();
    expect(view.handOver?.error).toEqual({ code: 'transport', message: 'DIAq did not answer', field: null });
    expect(view.handOver?.settled.map((i) => i.stop_id)).toEqual(['a']);
    expect(view.handOver?.report).toBeNull();
    expect(view.outsourcing).toBe(false);
  });
});
