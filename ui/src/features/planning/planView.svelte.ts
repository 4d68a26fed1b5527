// The 計画 view's state: the batch (an imported file's rows, fixed inline, and/or orders picked
// on the board), the fleet, the plan on screen and the one it is compared with, and a running
// solve's progress. One instance for the app (module scope): leaving the view and coming back
// finds the batch as it was, and the last plan is read from the cache when there is none.
import type { CommandError } from '$lib/ipc';
import {
  cancelPlan,
  deleteDriver,
  followPlan,
  getPlan,
  importBatchBytes,
  importBatchPath,
  listFleet,
  listPlans,
  planBatch,
  planEdit,
  planJobProgress,
  outsourceStops,
  reoptimisePlan,
  sendPlan,
  recheckBatchRow,
  saveDriver,
  type BatchReport,
  type DriverInput,
  type FleetDriver,
  type Plan,
  type PlanEdit,
  type PlanEvent,
  type PlanFinished,
  type PlanJobProgress,
  type PlanSent,
  type OutsourceReport,
  type PlanProgress,
  type PlanStarted,
  type RowReport,
} from '$lib/ipc/planning';
import type { BatchStop, OrderRef } from '$lib/ipc/generated';
import { markStart, measureAfterPaint, measureSpan } from '$lib/perf';
import { todayInTokyo } from '$lib/time';
import { basket } from '$features/planning/basket.svelte';
import { editOf } from '$features/planning/batchRows';
import { begin, fail, finish, handedOver, settle, type HandOver } from '$features/planning/handOver';

export const TIME_LIMITS_S: readonly number[] = [5, 10, 30, 60, 120, 300];
export const DEFAULT_TIME_LIMIT_S = 10;

function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && 'code' in e && 'message' in e;
}

function asError(e: unknown): CommandError {
  return isCommandError(e) ? e : { code: 'internal', message: String(e), field: null };
}

/** A row the solver can take: no errors, and placed on the map. */
function stopOf(row: RowReport): BatchStop | null {
  if (row.status === 'error' || row.geocode?.result !== 'placed' || !row.external_stop_id) return null;
  return {
    external_stop_id: row.external_stop_id,
    line: row.line,
    lat: row.geocode.lat,
    lng: row.geocode.lng,
    parcel_count: row.parcel_count ?? 1,
    time_window: row.time_window,
    service_s: null,
    // What RouteMate's driver app shows and geocodes: the address as the gazetteer read it.
    address: row.normalized_address || row.address,
    postal_code: row.postal_code,
    label: row.label,
    phone: row.phone,
    notes: row.notes,
  };
}

/** How often a running solve's figures change on screen. The backend reports about every
 *  250 ms; each change repaints the window, and on a software-composited window with the map's
 *  canvases a repaint took 50–80 ms (ui/PLAN-BENCHMARKS.md), a quarter of the frames at four a
 *  second. Once a second keeps the elapsed time ticking and the window free. */
export const PROGRESS_SHOWN_EVERY_MS = 1000;

/** One solve this view started: its channel's messages count while it is the view's current
 *  solve, and not after its end. */
interface Solve {
  readonly seq: number;
}

/** `plan-finished` as a key, to tell an end already handled from a new one. */
const endKey = (f: { plan_id: string; version: number }): string => `${f.plan_id}:${f.version}`;

/** A solve found running when the page loaded (started before a reload) is looked for this
 *  often, as well as heard as `plan-finished`: the page may have started listening just after
 *  it ended. For at most END_POLL_FOR_MS (the longest solve the view offers is 300 s). */
export const END_POLL_EVERY_MS = 2000;
const END_POLL_FOR_MS = 10 * 60_000;

export class PlanView {
  // ---- the batch ----
  report = $state.raw<BatchReport | null>(null);
  /** The report's rows as fixed so far (a fix replaces its row). */
  rows = $state.raw<RowReport[]>([]);
  fileName = $state<string | null>(null);
  importing = $state(false);
  importError = $state<CommandError | null>(null);
  /** The line being checked again, and a refusal of the fix. */
  fixing = $state<number | null>(null);
  fixError = $state<{ line: number; error: CommandError } | null>(null);
  storeId = $state<string | null>(null);
  date = $state(todayInTokyo());
  timeLimitS = $state(DEFAULT_TIME_LIMIT_S);

  // ---- the fleet ----
  fleet = $state.raw<FleetDriver[]>([]);
  fleetError = $state<CommandError | null>(null);
  fleetLoaded = $state(false);

  // ---- the plan ----
  plan = $state.raw<Plan | null>(null);
  /** The version it is compared with: the one it was made from, else the one before. */
  previous = $state.raw<Plan | null>(null);
  planError = $state<CommandError | null>(null);
  running = $state.raw<PlanStarted | null>(null);
  progress = $state.raw<PlanProgress | null>(null);
  cancelling = $state(false);
  /** An edit in flight, and the last edit's refusal (its reason names the broken rule). */
  editing = $state(false);
  editError = $state<CommandError | null>(null);
  /** The last send's per-route results, and the jobs' progress against the plan. */
  sent = $state.raw<PlanSent | null>(null);
  sending = $state(false);
  sendError = $state<CommandError | null>(null);
  jobs = $state.raw<PlanJobProgress | null>(null);
  /** The last hand-over to DIAq, item by item as each is settled, then its report or error. */
  outsourcing = $state(false);
  handOver = $state.raw<HandOver | null>(null);
  #jobsSeq = 0;
  #loaded = false;
  /** The plan on screen before the running solve's first preview: back on screen if it fails. */
  #beforeRun: Plan | null = null;
  /** The solve whose channel is heard; null when none runs (an older one's messages dropped). */
  #solve: Solve | null = null;
  #solveSeq = 0;
  /** The ends handled (down a channel, as `plan-finished` or found by a poll): each once. */
  #endsHandled = new Set<string>();
  /** The poll for the end of a solve the page found running when it loaded. */
  #endPoll: ReturnType<typeof setTimeout> | null = null;
  /** Whether the running solve's first routes were measured (`plan:routes`). */
  #routesMeasured = true;
  /** The latest progress not yet on screen, when it was last changed there, and the timer
   *  that puts the latest up at the next turn (see PROGRESS_SHOWN_EVERY_MS). */
  #progressWaiting: { solve: Solve; progress: PlanProgress } | null = null;
  #progressShownAt = -Infinity;
  #progressTimer: ReturnType<typeof setTimeout> | null = null;

  /** Whether the plan on screen is a running solve's best so far (read-only, marked 暫定). */
  get provisional(): boolean {
    return this.plan?.state === 'running';
  }

  get stops(): BatchStop[] {
    return this.rows.map(stopOf).filter((s): s is BatchStop => s !== null);
  }

  /** Whether there is anything to plan and someone to plan it for. */
  get canOptimise(): boolean {
    const fileStops = this.stops.length > 0;
    return (
      this.running === null &&
      this.fleet.length > 0 &&
      (fileStops || basket.orders.length > 0) &&
      (!fileStops || this.storeId !== null)
    );
  }

  /** The fleet, and the last plan when the view has none (reopened, maybe offline). */
  async load(): Promise<void> {
    await this.reloadFleet();
    if (this.#loaded) return;
    this.#loaded = true;
    if (this.plan) return;
    try {
      const plans = await listPlans();
      const last = plans.find((p) => p.state !== 'running' && p.state !== 'interrupted') ?? null;
      const solving = plans.find((p) => p.state === 'running');
      if (last) {
        await this.show(last.plan_id, last.version);
        // The day and store the plan was made for, so a re-run starts from them.
        const shown = this.plan as Plan | null;
        if (shown && this.rows.length === 0) {
          this.date = shown.date;
          this.storeId = shown.request.store_id ?? this.storeId;
        }
      }
      // A solve still running, started before the page was reloaded: joined, its bar and 中止
      // back with its latest figures (after the last plan is on screen: the solve's previews
      // and end replace it, never the other way round). One that no longer runs when asked
      // ended meanwhile, or is another process's: its plan shows when it ends.
      if (!(await this.#follow()) && solving) this.#pollForEnd(solving);
    } catch (e) {
      this.planError = asError(e);
    }
  }

  /** Joins the solve running now, if any: its channel's messages are heard as the view's own
   *  solve's. Whether one was running. */
  async #follow(): Promise<boolean> {
    if (this.#solve !== null) return false;
    this.#dropWaitingProgress();
    // Not measured: its start was another page's.
    this.#routesMeasured = true;
    const solve: Solve = { seq: ++this.#solveSeq };
    this.#solve = solve;
    try {
      const running = await followPlan((event) => this.#heard(solve, event));
      // Its end came down the channel before the answer: handled there.
      if (this.#solve !== solve) return running !== null;
      if (!running) {
        this.#solve = null;
        return false;
      }
      this.running = running.started;
      if (this.progress === null) this.progress = running.progress;
      // The limit it runs with, not the default a reloaded page starts from.
      if (TIME_LIMITS_S.includes(running.started.time_limit_s)) this.timeLimitS = running.started.time_limit_s;
      return true;
    } catch {
      if (this.#solve === solve) this.#solve = null;
      return false;
    }
  }

  async reloadFleet(): Promise<void> {
    try {
      this.fleet = await listFleet();
      this.fleetError = null;
    } catch (e) {
      this.fleetError = asError(e);
    } finally {
      this.fleetLoaded = true;
    }
  }

  /** Saves a driver; a refusal is returned (it names its field) rather than thrown. */
  async saveDriver(input: DriverInput): Promise<CommandError | null> {
    try {
      await saveDriver(input);
      await this.reloadFleet();
      return null;
    } catch (e) {
      return asError(e);
    }
  }

  async deleteDriver(email: string): Promise<CommandError | null> {
    try {
      await deleteDriver(email);
      await this.reloadFleet();
      return null;
    } catch (e) {
      return asError(e);
    }
  }

  // ---- import ----

  #took(name: string, report: BatchReport): void {
    this.report = report;
    this.rows = report.rows;
    this.fileName = name;
    this.importError = null;
    this.fixError = null;
  }

  /** A file picked in the system dialog. */
  async importFile(file: File): Promise<void> {
    this.importing = true;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      this.#took(file.name, await importBatchBytes(file.name, bytes));
    } catch (e) {
      this.importError = asError(e);
    } finally {
      this.importing = false;
    }
  }

  /** A file dropped on the window: Tauri's drop event names its path. */
  async importPath(path: string): Promise<void> {
    this.importing = true;
    try {
      const name = path.split(/[\\/]/).pop() ?? path;
      this.#took(name, await importBatchPath(path));
    } catch (e) {
      this.importError = asError(e);
    } finally {
      this.importing = false;
    }
  }

  clearFile(): void {
    this.report = null;
    this.rows = [];
    this.fileName = null;
    this.importError = null;
    this.fixError = null;
  }

  /** Checks a row again with a new address; the answer replaces the row. */
  async fixRow(line: number, address: string, postalCode: string | null): Promise<RowReport | null> {
    const row = this.rows.find((r) => r.line === line);
    if (!row) return null;
    this.fixing = line;
    try {
      const fixed = await recheckBatchRow(editOf(row, address, postalCode));
      this.rows = this.rows.map((r) => (r.line === line ? fixed : r));
      this.fixError = null;
      return fixed;
    } catch (e) {
      this.fixError = { line, error: asError(e) };
      return null;
    } finally {
      this.fixing = null;
    }
  }

  // ---- solving ----

  async optimise(): Promise<void> {
    if (!this.canOptimise) return;
    this.planError = null;
    this.progress = null;
    const stops = this.stops;
    const orders: OrderRef[] = basket.orders.map((o) => ({ kind: o.kind, id: o.id }));
    const solve = this.#solveStarts();
    await this.#started(
      solve,
      planBatch(
        {
          plan_id: null,
          date: this.date,
          store_id: stops.length > 0 ? this.storeId : null,
          stops,
          orders,
          drivers: null,
          time_limit_s: this.timeLimitS,
          threads: null,
          seed: null,
        },
        (event) => this.#heard(solve, event),
      ),
    );
  }

  /** 残りを再最適化: solves again around locked routes and fixed stops. */
  async reoptimise(): Promise<void> {
    if (!this.plan || this.running) return;
    this.planError = null;
    this.progress = null;
    const solve = this.#solveStarts();
    await this.#started(solve, reoptimisePlan(this.plan.plan_id, this.timeLimitS, (event) => this.#heard(solve, event)));
  }

  /** The command's answer: the solve is running, unless its end came down the channel first
   *  (a tiny problem) or a newer solve took over. */
  async #started(solve: Solve, answer: Promise<PlanStarted>): Promise<void> {
    try {
      const started = await answer;
      if (this.#solve === solve) this.running = started;
    } catch (e) {
      if (this.#solve !== solve) return;
      this.#solve = null;
      this.#routesMeasured = true;
      this.planError = asError(e);
      this.running = null;
    }
  }

  /** One edit (move, lock, fix, undo, redo); the answer is the new version on screen. */
  async edit(edit: PlanEdit): Promise<boolean> {
    if (!this.plan || this.editing) return false;
    this.editing = true;
    try {
      await this.took(await planEdit(this.plan.plan_id, edit));
      this.editError = null;
      return true;
    } catch (e) {
      this.editError = asError(e);
      return false;
    } finally {
      this.editing = false;
    }
  }

  /** Sends every route to its driver; the answer says what became of each. */
  async send(): Promise<PlanSent | null> {
    if (!this.plan || this.sending) return null;
    this.sending = true;
    this.sendError = null;
    try {
      const sent = await sendPlan(this.plan.plan_id);
      this.sent = sent;
      void this.readJobs();
      return sent;
    } catch (e) {
      this.sendError = asError(e);
      return null;
    } finally {
      this.sending = false;
    }
  }

  /** Hands these stops to DIAq, `handOver` following each stop as it is settled and the tray
   *  marking each stop DIAq made at once; the plan on screen becomes the version the hand-over
   *  made — also when it fails part-way (the backend keeps what was made as a version). */
  async outsource(stopIds: string[]): Promise<OutsourceReport | null> {
    const plan = this.plan;
    if (!plan || this.outsourcing || stopIds.length === 0) return null;
    this.outsourcing = true;
    // One run at a time (`outsourcing`), so the items of this call are the only ones arriving.
    this.handOver = begin(stopIds);
    const step = (next: (h: HandOver) => HandOver) => {
      if (this.handOver) this.handOver = next(this.handOver);
    };
    try {
      const report = await outsourceStops(plan.plan_id, stopIds, (item) => {
        step((h) => settle(h, item));
        // Only onto the version the hand-over started from (still on screen).
        if (this.plan?.plan_id === plan.plan_id && this.plan.version === plan.version) this.plan = handedOver(this.plan, item);
      });
      step((h) => finish(h, report));
      if (report.version !== plan.version) await this.show(plan.plan_id, report.version);
      return report;
    } catch (e) {
      step((h) => fail(h, asError(e)));
      // The stops made before the failure are in the plan's latest version, with their codes.
      await this.show(plan.plan_id);
      return null;
    } finally {
      this.outsourcing = false;
    }
  }

  /** The jobs' progress for the plan on screen (stale answers dropped). */
  async readJobs(): Promise<void> {
    const plan = this.plan;
    if (!plan) return;
    const seq = ++this.#jobsSeq;
    try {
      const jobs = await planJobProgress(plan.plan_id);
      if (seq === this.#jobsSeq) this.jobs = jobs;
    } catch {
      // No jobs to show is shown as none: the send's own answer says why a route failed.
      if (seq === this.#jobsSeq) this.jobs = null;
    }
  }

  /** Whether some route is out with its driver and not done: worth reading again. */
  get jobsMoving(): boolean {
    return (this.jobs?.routes ?? []).some((r) => r.sent && r.status !== 'completed' && r.status !== 'cancelled');
  }

  get canUndo(): boolean {
    return (this.plan?.history?.undo.length ?? 0) > 0 && !this.editing && this.running === null;
  }

  get canRedo(): boolean {
    return (this.plan?.history?.redo.length ?? 0) > 0 && !this.editing && this.running === null;
  }

  async cancel(): Promise<void> {
    if (!this.running) return;
    this.cancelling = true;
    try {
      await cancelPlan(this.running.plan_id);
    } catch (e) {
      this.planError = asError(e);
    } finally {
      this.cancelling = false;
    }
  }

  /** A solve starts: `plan:routes` runs to its first routes on screen (provisional or, if
   *  none came, the final plan), `plan:final` to the final plan on screen. */
  #solveStarts(): Solve {
    this.#dropWaitingProgress();
    markStart('plan:routes');
    markStart('plan:final');
    this.#routesMeasured = false;
    this.#solve = { seq: ++this.#solveSeq };
    return this.#solve;
  }

  /** A message down a solve's channel. Only the current solve's count: a solve the view moved
   *  on from (its answer failed, a newer one started) or one already ended says nothing. The
   *  channel keeps its messages in order, so nothing of a solve comes after its end. Arrivals
   *  are measured (`plan:progress-in`, `plan:preview-in`: arrival → handled) for the planning
   *  benchmark, which has no event to listen to. */
  #heard(solve: Solve, event: PlanEvent): void {
    if (solve !== this.#solve) return;
    const at = performance.now();
    switch (event.kind) {
      case 'progress':
        this.#onProgress(solve, event.data);
        measureSpan('plan:progress-in', at);
        break;
      case 'preview':
        this.#onPreview(event.data);
        measureSpan('plan:preview-in', at);
        break;
      case 'finished':
        void this.#onFinished(event.data);
        break;
    }
  }

  #measureRoutes(): void {
    if (this.#routesMeasured) return;
    this.#routesMeasured = true;
    measureAfterPaint('plan:routes');
  }

  /** The running solve's best plan so far: shown read-only until the final plan replaces it.
   *  `plan` is `$state.raw`: the object is the channel's, never made a deep proxy (the timeline
   *  and the map reading 2,000 stops through one would make a signal of every field). */
  #onPreview(p: Plan): void {
    if (!this.provisional) this.#beforeRun = this.plan;
    this.plan = p;
    this.#measureRoutes();
  }

  /** The running solve's report: on screen at once when the figures have not changed for
   *  PROGRESS_SHOWN_EVERY_MS, else the latest at the next turn. */
  #onProgress(solve: Solve, p: PlanProgress): void {
    this.#progressWaiting = { solve, progress: p };
    const wait = this.#progressShownAt + PROGRESS_SHOWN_EVERY_MS - Date.now();
    if (wait <= 0) {
      this.#showWaitingProgress();
    } else if (this.#progressTimer === null) {
      this.#progressTimer = setTimeout(() => {
        this.#progressTimer = null;
        this.#showWaitingProgress();
      }, wait);
    }
  }

  #showWaitingProgress(): void {
    const waiting = this.#progressWaiting;
    this.#progressWaiting = null;
    // A report that waited past its solve's end (or a new solve's start) is not shown.
    if (!waiting || waiting.solve !== this.#solve) return;
    this.progress = waiting.progress;
    this.#progressShownAt = Date.now();
  }

  #dropWaitingProgress(): void {
    if (this.#progressTimer !== null) clearTimeout(this.#progressTimer);
    this.#progressTimer = null;
    this.#progressWaiting = null;
    this.#progressShownAt = -Infinity;
  }

  /** The view's solve ended (down its channel): show its plan. */
  async #onFinished(f: PlanFinished): Promise<void> {
    this.#solve = null;
    this.#endsHandled.add(endKey(f));
    this.#dropWaitingProgress();
    this.running = null;
    // Interrupted: the app switched to another configuration mid-solve (nothing was written).
    if (f.state === 'failed' || f.state === 'interrupted') {
      this.planError = { code: 'internal', message: f.error ?? '', field: null };
      // Its provisional routes were never a plan: the one before comes back.
      if (this.provisional) this.plan = this.#beforeRun;
      this.#routesMeasured = true;
      return;
    }
    await this.show(f.plan_id, f.version);
    this.#measureRoutes();
    measureAfterPaint('plan:final');
  }

  /** A solve ended, as every page hears it (`plan-finished`, the hub's last). The view's own
   *  solves end down their channel; this one it has no channel of: started before the page was
   *  reloaded (or by a script). Its plan is shown — unless the view runs a solve of its own (its
   *  plan is the one coming; the other's end is then passed over for good), the end was already
   *  handled (the hub hands the same end over again when the page is opened again), or the
   *  solve failed (nothing to show). */
  async onPlanFinished(f: Pick<PlanFinished, 'plan_id' | 'version' | 'state'> | undefined): Promise<void> {
    if (!f) return;
    const key = endKey(f);
    if (this.#endsHandled.has(key)) return;
    this.#endsHandled.add(key);
    if (this.#solve !== null || f.state === 'failed' || f.state === 'interrupted') return;
    await this.show(f.plan_id, f.version);
  }

  /** Looks every END_POLL_EVERY_MS for the end of `solving` (found running as the page loaded),
   *  until it ends or `plan-finished` said so. */
  #pollForEnd(solving: { plan_id: string; version: number }): void {
    const key = endKey(solving);
    const until = Date.now() + END_POLL_FOR_MS;
    const poll = async (): Promise<void> => {
      this.#endPoll = null;
      if (this.#endsHandled.has(key) || Date.now() > until) return;
      try {
        const now = (await listPlans()).find((p) => endKey(p) === key);
        if (now && now.state !== 'running') {
          await this.onPlanFinished(now);
          return;
        }
      } catch {
        // Asked again at the next turn.
      }
      this.#endPoll = setTimeout(() => void poll(), END_POLL_EVERY_MS);
    };
    if (this.#endPoll !== null) clearTimeout(this.#endPoll);
    this.#endPoll = setTimeout(() => void poll(), END_POLL_EVERY_MS);
  }

  /** Puts a version on screen with the one it is compared with. */
  async show(planId: string, version?: number): Promise<void> {
    try {
      const plan = await getPlan(planId, version);
      const before = plan.history?.from_version ?? (plan.version > 1 ? plan.version - 1 : null);
      let previous: Plan | null = null;
      if (before !== null && before !== undefined) {
        try {
          previous = await getPlan(planId, before);
        } catch {
          // The comparison is a nicety: the plan shows without it.
          previous = null;
        }
      }
      this.plan = plan;
      this.previous = previous;
      this.planError = null;
    } catch (e) {
      this.planError = asError(e);
    }
  }

  /** Replaces the plan on screen with a version a command answered (an edit, undo, redo). */
  async took(plan: Plan): Promise<void> {
    const before = this.plan;
    this.plan = plan;
    const from = plan.history?.from_version ?? null;
    if (from !== null && before && before.plan_id === plan.plan_id && before.version === from) {
      this.previous = before;
    } else if (from !== null) {
      try {
        this.previous = await getPlan(plan.plan_id, from);
      } catch {
        this.previous = null;
      }
    }
  }
}

export const planView = new PlanView();
