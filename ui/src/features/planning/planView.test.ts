import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutsourceItem, OutsourceReport, Plan, PlanEvent, PlanFinished, PlanStarted } from '$lib/ipc/generated';
import { plan as fixturePlan } from '$features/planning/timeline/fixture';

// The store's boundary: the commands (answered here as the backend would, their channels driven
// by the test) and the perf marks.
const getPlan = vi.fn();
const listPlans = vi.fn();
const listFleet = vi.fn();
const planBatch = vi.fn();
const reoptimisePlan = vi.fn();
const outsourceStops = vi.fn();
const followPlan = vi.fn(async (): Promise<unknown> => null);
const cancelPlan = vi.fn(async () => true);
vi.mock('$lib/ipc/planning', async (original) => ({
  ...(await original<typeof import('$lib/ipc/planning')>()),
  getPlan: (...args: unknown[]) => getPlan(...args),
  listPlans: (...args: unknown[]) => listPlans(...args),
  listFleet: (...args: unknown[]) => listFleet(...args),
  planBatch: (...args: unknown[]) => planBatch(...args),
  reoptimisePlan: (...args: unknown[]) => reoptimisePlan(...args),
  outsourceStops: (...args: unknown[]) => outsourceStops(...args),
  followPlan: (...args: unknown[]) => followPlan(...(args as [])),
  cancelPlan: (...args: unknown[]) => cancelPlan(...(args as [])),
}));
const measured: string[] = [];
vi.mock('$lib/perf', () => ({
  markStart: () => {},
  measureAfterPaint: (name: string) => measured.push(name),
  measureSpan: (name: string) => measured.push(name),
}));

const { PlanView, END_POLL_EVERY_MS } = await import('$features/planning/planView.svelte');
type View = InstanceType<typeof PlanView>;
type Send = (event: PlanEvent) => void;

const RUN = { plan_id: 'p1', version: 2, stops: 5, drivers: 3, threads: 2, time_limit_s: 10 };

function version(v: number, state: Plan['state'], cost: number, id = 'p1'): Plan {
  const p = fixturePlan();
  return { ...p, plan_id: id, version: v, state, totals: { ...p.totals, cost } };
}

/** Re-optimises the view's plan; resolves with the call's channel once the command answered
 *  `answer` (the solve running). */
async function reoptimised(view: View, answer: PlanStarted = { ...RUN }): Promise<Send> {
  let send: Send = () => {};
  reoptimisePlan.mockImplementationOnce(async (_plan: string, _limit: number | null, onEvent: Send) => {
    send = onEvent;
    return answer;
  });
  await view.reoptimise();
  return send;
}

/** A view whose plan (version 1) is being re-optimised as version 2, and the solve's channel. */
async function running(): Promise<{ view: View; send: Send }> {
  const view = new PlanView();
  view.plan = version(1, 'finished', 900);
  const send = await reoptimised(view);
  expect(view.running).toEqual(RUN);
  return { view, send };
}

const finished: PlanFinished = { plan_id: 'p1', version: 2, state: 'finished', drivers_used: 2, unassigned: 1, elapsed_ms: 10_000, error: null };
const preview = (plan: Plan): PlanEvent => ({ kind: 'preview', data: plan });
const end = (f: PlanFinished = finished): PlanEvent => ({ kind: 'finished', data: f });
/** Lets the view's reads (`getPlan`, answered at once) settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('provisional plans while a solve runs', () => {
  beforeEach(() => {
    measured.length = 0;
    getPlan.mockReset();
  });

  it('shows the running solve’s best so far, read-only, each preview replacing the last, and measures the first routes once', async () => {
    const { view, send } = await running();
    const first = version(2, 'running', 800);
    send(preview(first));
    // The channel's object itself: no copy, no deep proxy.
    expect(view.plan).toBe(first);
    expect(view.provisional).toBe(true);
    expect(view.canUndo).toBe(false);
    const better = version(2, 'running', 700);
    send(preview(better));
    expect(view.plan).toBe(better);
    expect(measured.filter((m) => m === 'plan:routes')).toEqual(['plan:routes']);
    expect(measured.filter((m) => m === 'plan:preview-in')).toHaveLength(2);
  });

  it('shows the finished plan and measures it; the channel says nothing more', async () => {
    const { view, send } = await running();
    send(preview(version(2, 'running', 800)));
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v: number) => (v === 2 ? final : version(1, 'finished', 900)));
    send(end());
    expect(view.running).toBeNull();
    await settled();
    expect(view.plan).toBe(final);
    expect(view.previous?.version).toBe(1);
    expect(view.provisional).toBe(false);
    expect(measured.filter((m) => m.startsWith('plan:') && !m.endsWith('-in'))).toEqual(['plan:routes', 'plan:final']);
    // Past its end the solve is not the view's: a message it still sent changes nothing.
    send(preview(version(2, 'running', 600)));
    expect(view.plan).toBe(final);
  });

  it('measures the first routes at the final plan when no preview came', async () => {
    const { send } = await running();
    getPlan.mockResolvedValue(version(2, 'finished', 650));
    send(end());
    await settled();
    expect(measured).toEqual(['plan:routes', 'plan:final']);
  });

  it('puts the plan from before back when the solve fails', async () => {
    const { view, send } = await running();
    const before = view.plan;
    send(preview(version(2, 'running', 800)));
    send(end({ ...finished, state: 'failed', error: 'the solver refused the problem' }));
    await settled();
    expect(view.plan).toBe(before);
    expect(view.running).toBeNull();
    expect(view.planError?.message).toBe('the solver refused the problem');
    expect(getPlan).not.toHaveBeenCalled();
  });

  it('puts the plan from before back when the app switched configuration mid-solve', async () => {
    const { view, send } = await running();
    const before = view.plan;
    send(preview(version(2, 'running', 800)));
    send(end({ ...finished, state: 'interrupted', error: 'the app switched to another configuration while this plan was solving' }));
    await settled();
    expect(view.plan).toBe(before);
    expect(view.running).toBeNull();
    expect(view.planError?.message).toContain('switched');
    expect(getPlan).not.toHaveBeenCalled();
  });

  it('ignores an older solve’s channel once a newer solve started', async () => {
    const { view, send: old } = await running();
    // The first solve's end is not heard (its answer failed, say); the dispatcher runs another.
    view.running = null;
    const send = await reoptimised(view, { ...RUN, version: 3 });
    const runningVersion = (v: View) => v.running?.version;
    expect(runningVersion(view)).toBe(3);
    const before = view.plan;
    old(preview(version(2, 'running', 1)));
    old({ kind: 'progress', data: { plan_id: 'p1', version: 2, cost: 1, drivers_used: 1, unassigned: 0, iterations: 9, elapsed_ms: 900, time_limit_ms: 10_000 } });
    old(end());
    await settled();
    expect(view.plan).toBe(before);
    expect(view.progress).toBeNull();
    expect(runningVersion(view)).toBe(3);
    expect(getPlan).not.toHaveBeenCalled();
    // The newer one's messages are heard.
    const latest = version(3, 'running', 500);
    send(preview(latest));
    expect(view.plan).toBe(latest);
  });

  it('takes messages that come before the command’s answer, and an end before it leaves nothing running', async () => {
    const view = new PlanView();
    view.plan = version(1, 'finished', 900);
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v: number) => (v === 2 ? final : version(1, 'finished', 900)));
    const early = version(2, 'running', 700);
    reoptimisePlan.mockImplementationOnce(async (_plan: string, _limit: number | null, onEvent: Send) => {
      onEvent(preview(early));
      expect(view.plan).toBe(early);
      onEvent(end());
      return { ...RUN };
    });
    await view.reoptimise();
    await settled();
    expect(view.running).toBeNull();
    expect(view.plan).toBe(final);
  });

  it('a refused start leaves nothing running and says why', async () => {
    const view = new PlanView();
    view.plan = version(1, 'finished', 900);
    let send: Send = () => {};
    reoptimisePlan.mockImplementationOnce(async (_plan: string, _limit: number | null, onEvent: Send) => {
      send = onEvent;
      throw { code: 'conflict', message: 'every route is locked', field: null };
    });
    await view.reoptimise();
    expect(view.running).toBeNull();
    expect(view.planError?.code).toBe('conflict');
    send(preview(version(2, 'running', 1)));
    expect(view.plan?.version).toBe(1);
  });

  it('optimise passes a channel of its own and shows what comes down it', async () => {
    const view = new PlanView();
    view.fleet = [{ email: 'a@routemate.example' } as never];
    view.rows = [
      {
        line: 1,
        status: 'ok',
        external_stop_id: 's1',
        geocode: { result: 'placed', lat: 35.6, lng: 139.7 },
        parcel_count: 1,
        time_window: null,
        address: '東京都',
        normalized_address: '東京都',
        postal_code: null,
        label: null,
        phone: null,
        notes: null,
      } as never,
    ];
    view.storeId = 'store-1';
    let send: Send = () => {};
    planBatch.mockImplementationOnce(async (_request: unknown, onEvent: Send) => {
      send = onEvent;
      return { ...RUN, plan_id: 'p9', version: 1 };
    });
    await view.optimise();
    expect(planBatch.mock.calls[0]![0]).toMatchObject({ store_id: 'store-1', stops: [{ external_stop_id: 's1' }] });
    expect(view.running?.plan_id).toBe('p9');
    const first = version(1, 'running', 800, 'p9');
    send(preview(first));
    expect(view.plan).toBe(first);
  });
});

describe('an end heard as plan-finished (a solve without this page’s channel)', () => {
  beforeEach(() => {
    getPlan.mockReset();
  });

  it('shows the plan of a solve started before the page was reloaded, once', async () => {
    const view = new PlanView();
    view.plan = version(1, 'finished', 900);
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v: number) => (v === 2 ? final : version(1, 'finished', 900)));
    await view.onPlanFinished({ ...finished });
    expect(view.plan).toBe(final);
    // The hub hands the same end over again when the page is opened again: not shown again.
    view.plan = version(1, 'finished', 900);
    await view.onPlanFinished({ ...finished });
    expect(view.plan?.version).toBe(1);
    expect(getPlan).toHaveBeenCalledTimes(2); // version 2 and the one it is compared with
  });

  it('shows nothing for a failed solve or none', async () => {
    const view = new PlanView();
    await view.onPlanFinished(undefined);
    await view.onPlanFinished({ ...finished, state: 'failed' });
    expect(view.plan).toBeNull();
    expect(getPlan).not.toHaveBeenCalled();
  });

  it('looks for the end of a solve found running as the page loaded, in case plan-finished came before the page listened', async () => {
    const summary = (v: number, state: Plan['state']) => ({
      plan_id: 'p1',
      version: v,
      state,
      date: '2026-12-08',
      created_at: '',
      finished_at: null,
      stops: 5,
      error: null,
    });
    listFleet.mockResolvedValue([]);
    listPlans.mockResolvedValue([summary(2, 'running'), summary(1, 'finished')]);
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v: number) => (v === 2 ? final : version(1, 'finished', 900)));
    vi.useFakeTimers();
    const view = new PlanView();
    await view.load();
    expect(view.plan?.version).toBe(1);
    // Still running at the first look.
    await vi.advanceTimersByTimeAsync(END_POLL_EVERY_MS);
    expect(view.plan?.version).toBe(1);
    listPlans.mockResolvedValue([summary(2, 'finished'), summary(1, 'finished')]);
    await vi.advanceTimersByTimeAsync(END_POLL_EVERY_MS);
    expect(view.plan).toBe(final);
    // Found once: no more looking, and its plan-finished arriving late changes nothing.
    const looks = listPlans.mock.calls.length;
    await vi.advanceTimersByTimeAsync(END_POLL_EVERY_MS * 3);
    expect(listPlans.mock.calls.length).toBe(looks);
    view.plan = version(1, 'finished', 900);
    await view.onPlanFinished({ ...finished });
    expect(view.plan?.version).toBe(1);
    vi.useRealTimers();
  });

  it('leaves the view’s own solve to its channel, before and after its end', async () => {
    const { view, send } = await running();
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v: number) => (v === 2 ? final : version(1, 'finished', 900)));
    // Another solve's end while ours runs: ours is the plan coming.
    await view.onPlanFinished({ ...finished, plan_id: 'other', version: 1 });
    // Our own end as an event, before the channel's.
    await view.onPlanFinished({ ...finished });
    expect(getPlan).not.toHaveBeenCalled();
    send(end());
    await settled();
    expect(view.plan).toBe(final);
    const reads = getPlan.mock.calls.length;
    // ... and after it.
    await view.onPlanFinished({ ...finished });
    expect(getPlan.mock.calls.length).toBe(reads);
  });
});

describe('a solve running when the page loaded (started before a reload)', () => {
  const summary = (v: number, state: Plan['state']) => ({
    plan_id: 'p1',
    version: v,
    state,
    date: '2026-12-08',
    created_at: '',
    finished_at: null,
    stops: 5,
    error: null,
  });
  const progress = (elapsed_ms: number) => ({
    plan_id: 'p1',
    version: 2,
    cost: 900,
    drivers_used: 2,
    unassigned: 1,
    iterations: 10,
    elapsed_ms,
    time_limit_ms: 60_000,
  });

  beforeEach(() => {
    getPlan.mockReset();
    followPlan.mockReset();
    cancelPlan.mockClear();
    listFleet.mockResolvedValue([]);
    listPlans.mockResolvedValue([summary(2, 'running'), summary(1, 'finished')]);
  });

  it('is joined: its bar with the latest figures, its further reports, 中止 through it, and its plan at its end', async () => {
    let send: Send = () => {};
    followPlan.mockImplementationOnce(async (...args: unknown[]) => {
      send = args[0] as Send;
      return { started: { ...RUN, time_limit_s: 60 }, progress: progress(4000) };
    });
    const final = version(2, 'cancelled', 650);
    getPlan.mockImplementation(async (_id: string, v?: number) => (v === 2 ? final : version(1, 'finished', 900)));
    const view = new PlanView();
    await view.load();
    // The last plan is on screen first, then the solve joined.
    expect(view.plan?.version).toBe(1);
    expect(view.running).toEqual({ ...RUN, time_limit_s: 60 });
    expect(view.progress?.elapsed_ms).toBe(4000);
    expect(view.timeLimitS).toBe(60); // the limit it runs with, not the reloaded page's default
    vi.useFakeTimers();
    send({ kind: 'progress', data: progress(6000) });
    vi.advanceTimersByTime(1000);
    expect(view.progress?.elapsed_ms).toBe(6000);
    vi.useRealTimers();
    const provisional = version(2, 'running', 700);
    send(preview(provisional));
    expect(view.plan).toBe(provisional);
    await view.cancel();
    expect(cancelPlan).toHaveBeenCalledWith('p1');
    send(end({ ...finished, state: 'cancelled' }));
    await settled();
    expect(view.running).toBeNull();
    expect(view.plan).toBe(final);
  });

  it('is looked for by polling when it no longer runs as the page asks (it ends meanwhile)', async () => {
    followPlan.mockResolvedValueOnce(null);
    getPlan.mockImplementation(async () => version(1, 'finished', 900));
    vi.useFakeTimers();
    const view = new PlanView();
    await view.load();
    expect(view.running).toBeNull();
    const looks = listPlans.mock.calls.length;
    await vi.advanceTimersByTimeAsync(END_POLL_EVERY_MS);
    expect(listPlans.mock.calls.length).toBe(looks + 1);
    vi.useRealTimers();
  });

  it('whose end comes down the channel before the join is answered shows its plan, and no bar', async () => {
    const final = version(2, 'finished', 650);
    getPlan.mockImplementation(async (_id: string, v?: number) => (v === 2 ? final : version(1, 'finished', 900)));
    followPlan.mockImplementationOnce(async (...args: unknown[]) => {
      (args[0] as Send)(end());
      return { started: { ...RUN }, progress: progress(9000) };
    });
    const view = new PlanView();
    await view.load();
    await settled();
    expect(view.running).toBeNull();
    expect(view.progress).toBeNull();
    expect(view.plan).toBe(final);
  });
});

describe('a running solve’s figures on screen', () => {
  const report = (elapsed_ms: number): PlanEvent => ({
    kind: 'progress',
    data: {
      plan_id: 'p1',
      version: 2,
      cost: 1000 - elapsed_ms / 100,
      drivers_used: 2,
      unassigned: 0,
      iterations: elapsed_ms * 10,
      elapsed_ms,
      time_limit_ms: 10_000,
    },
  });

  beforeEach(() => {
    getPlan.mockReset();
  });

  it('changes at most once a second, and then shows the latest report', async () => {
    const { view, send } = await running();
    vi.useFakeTimers();
    send(report(250));
    expect(view.progress?.elapsed_ms).toBe(250);
    send(report(500));
    send(report(750));
    expect(view.progress?.elapsed_ms).toBe(250);
    vi.advanceTimersByTime(999);
    expect(view.progress?.elapsed_ms).toBe(250);
    vi.advanceTimersByTime(1);
    expect(view.progress?.elapsed_ms).toBe(750);
    // A report after a quiet second goes up at once.
    vi.advanceTimersByTime(1500);
    send(report(3000));
    expect(view.progress?.elapsed_ms).toBe(3000);
    vi.useRealTimers();
  });

  it('drops a report still waiting when the solve ends', async () => {
    const { view, send } = await running();
    getPlan.mockResolvedValue(version(2, 'finished', 700));
    vi.useFakeTimers();
    send(report(250));
    send(report(500));
    send(end());
    vi.advanceTimersByTime(2000);
    expect(view.running).toBeNull();
    expect(view.progress?.elapsed_ms).toBe(250);
    vi.useRealTimers();
  });
});

describe('a DIAq hand-over', () => {
  const item = (stopId: string, code: string): OutsourceItem => ({
    stop_id: stopId,
    source: { kind: 'file', line: 1, external_stop_id: stopId },
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

  it('keeps the settled items with the error when the command fails part-way, the made stops in the tray at once and then from the kept version', async () => {
    const view = new PlanView();
    const before = version(1, 'finished', 900);
    const stop = before.unassigned[0]!.stop_id;
    view.plan = before;
    const made: OutsourceItem = {
      stop_id: stop,
      source: { kind: 'file', line: 1, external_stop_id: stop },
      order_reference: 'HK1',
      outcome: 'created',
      delivery_id: 'd1',
      tracking_code: '100000000001',
      window: { id: 'h1', starts_at: null, ends_at: '2026-12-08T20:00:00+09:00', expires_at: '2026-12-08T18:00:00+09:00' },
    };
    // The version the backend kept before answering the failure.
    const kept = version(2, 'finished', 900);
    kept.unassigned = [{ ...kept.unassigned[0]!, cause: 'manual', fixed: true, diaq_tracking_code: '100000000001' }];
    kept.history = { ...kept.history, from_version: 1, made_by: 'outsource' };
    getPlan.mockImplementation(async (_id: string, v?: number) => (v === undefined ? kept : before));
    let inTray: string | null | undefined;
    outsourceStops.mockImplementation(async (_plan: string, _stops: string[], each: (i: OutsourceItem) => void) => {
      each(made);
      inTray = view.plan?.unassigned.find((u) => u.stop_id === stop)?.diaq_tracking_code;
      throw { code: 'transport', message: 'DIAq did not answer', field: null };
    });
    expect(await view.outsource([stop, 'b'])).toBeNull();
    expect(inTray).toBe('100000000001');
    expect(view.handOver?.error).toEqual({ code: 'transport', message: 'DIAq did not answer', field: null });
    expect(view.handOver?.settled.map((i) => i.stop_id)).toEqual([stop]);
    expect(view.handOver?.report).toBeNull();
    expect(view.outsourcing).toBe(false);
    expect(getPlan).toHaveBeenCalledWith('p1', undefined);
    expect(view.plan).toBe(kept);
    expect(view.previous).toBe(before);
  });
});
