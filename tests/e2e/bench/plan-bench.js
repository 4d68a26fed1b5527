// The planning window's benchmark (issue 22): the release app on its embedded sandbox, the 計画
// view driven as a dispatcher does (a file picked, optimise pressed). Not a test: it writes
// ui/PLAN-BENCHMARKS.md. Run with `make plan-bench`.
//
//   first routes      the 300-stop Tokyo batch of the solver's bench generator (written as the
//                     view's CSV by `--example tokyo-batch`), 20 drivers, 10 s: the UI's own
//                     measures from the press of 最適化 — `plan:routes` (routes on screen) and,
//                     where the view has it, `plan:final` (the finished plan on screen)
//   2,000 stops       the same generator's 2,000 stops with a fleet big enough for them: the
//                     solve's wall time (press → finished plan on screen), the progress reports
//                     the page received and their spacing, and the frame times of a
//                     requestAnimationFrame loop during the solve, against the same loop with
//                     nothing running
//
// Settings (environment), defaults being the issue's: PLAN_BENCH_RUNS (5), PLAN_BENCH_SMALL_STOPS
// (300), PLAN_BENCH_SMALL_LIMIT_S (10), PLAN_BENCH_BIG_STOPS (2000), PLAN_BENCH_BIG_DRIVERS (150),
// PLAN_BENCH_BIG_LIMIT_S (30), PLAN_BENCH_OUT (ui/PLAN-BENCHMARKS.md). Anything else is a smoke
// run, and its file says so at the top.
import { execFileSync } from "node:child_process";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { byTestId, clickTestId, invoke, launch, newProfile, repoRoot, screenshot } from "../harness.js";

const env = (name, fallback) => (process.env[name] === undefined || process.env[name] === "" ? fallback : process.env[name]);
const RUNS = Number(env("PLAN_BENCH_RUNS", 5));
const SMALL_STOPS = Number(env("PLAN_BENCH_SMALL_STOPS", 300));
const SMALL_DRIVERS = 20;
const SMALL_LIMIT_S = Number(env("PLAN_BENCH_SMALL_LIMIT_S", 10));
const BIG_STOPS = Number(env("PLAN_BENCH_BIG_STOPS", 2000));
const BIG_DRIVERS = Number(env("PLAN_BENCH_BIG_DRIVERS", 150));
// The issue: the plan is on screen within 60 s. The solve's own limit leaves room for the
// matrices, the checker and the drawing of 2,000 stops; it must be one the view offers.
const BIG_LIMIT_S = Number(env("PLAN_BENCH_BIG_LIMIT_S", 30));
const OUT = env("PLAN_BENCH_OUT", path.join(repoRoot, "ui", "PLAN-BENCHMARKS.md"));
const SMOKE =
  RUNS !== 5 || SMALL_STOPS !== 300 || SMALL_LIMIT_S !== 10 || BIG_STOPS !== 2000 || BIG_DRIVERS !== 150 || BIG_LIMIT_S !== 30;
// The bench generator's reach: 300 stops as dispatch's quality benchmark places them; more need
// twice as many town points around one store, so a wider area (12 km; the file maker joins
// several of the generator's batches of 1,000 for 2,000).
const reachFor = (stops) => (stops <= 300 ? 5000 : 12000);

const batchBin = process.env.HAKOBU_TOKYO_BATCH_BIN;
if (!batchBin) throw new Error("HAKOBU_TOKYO_BATCH_BIN: the tokyo-batch example (make plan-bench builds it)");

function pct(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : "—");
const row = (what, values, target) =>
  `| ${what} | ${values.length} | ${f1(pct(values, 50))} | ${f1(pct(values, 95))} | ${f1(values.length ? Math.max(...values) : NaN)} | ${target} |`;

const work = mkdtempSync(path.join(tmpdir(), "hakobu-plan-bench-"));
/** The generator's stops as the view's CSV; returns its bytes and the generator's store. */
function batchFile(stops) {
  const file = path.join(work, `tokyo-${stops}.csv`);
  const store = execFileSync(batchBin, ["--stops", String(stops), "--reach-m", String(reachFor(stops)), "--out", file], {
    encoding: "utf8",
  }).trim();
  return { name: path.basename(file), bytes: readFileSync(file), store };
}

async function waitFor(browser, predicate, message, timeout = 60000) {
  await browser.waitUntil(predicate, { timeout, interval: 100, timeoutMsg: message });
}

const attr = (browser, testId, name) =>
  browser.execute((id, n) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute(n) ?? null, testId, name);

/** A file chosen in the file input, as the GTK chooser hands it over (see planning.test.js). */
async function pickFile(browser, name, bytes) {
  await browser.execute(
    (fileName, data) => {
      const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([raw], fileName, { type: "text/csv" }));
      const input = document.querySelector('[data-testid="plan-batch-file"]');
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    },
    name,
    bytes.toString("base64"),
  );
}

/** Imports `stops` generated stops; resolves with the row counts and the store the view picked. */
async function importBatch(browser, stops) {
  const file = batchFile(stops);
  await clickTestId(browser, "plan-tab-batch");
  await pickFile(browser, file.name, file.bytes);
  await waitFor(browser, async () => Number(await attr(browser, "plan-batch-counts", "data-rows")) === stops, `${stops} rows imported`, 180000);
  await waitFor(
    browser,
    async () => (await browser.execute(() => document.querySelector('[data-testid="plan-store"]')?.value ?? "")) !== "",
    "a store picked for the batch",
  );
  const storeId = await browser.execute(() => document.querySelector('[data-testid="plan-store"]').value);
  const errors = Number(await attr(browser, "plan-batch-counts", "data-errors"));
  const warnings = Number(await attr(browser, "plan-batch-counts", "data-warnings"));
  return { storeId, errors, warnings, generatorStore: file.store };
}

const VEHICLES = ["自転車", "原付", "小型二輪", "バイク125cc超", "軽四輪"];
/** Drivers `bench<k>@…` until the fleet has `total`, as the planning benchmark's: every vehicle
 *  type in turn, early (09–18) and late (11–20) shifts, from and back to the store. */
async function fleetOf(browser, total, storeId) {
  const fleet = await invoke(browser, "list_fleet", {});
  if (fleet.refusal) throw new Error(`list_fleet: ${fleet.refusal}`);
  let have = fleet.answer.length;
  for (let k = 0; have < total; k++) {
    const email = `bench${k}@routemate.example`;
    if (fleet.answer.some((d) => d.email === email)) continue;
    const saved = await invoke(browser, "save_driver", {
      driver: {
        email,
        name: `ベンチ${k}`,
        vehicle_type: VEHICLES[k % VEHICLES.length],
        shift_start: k % 2 === 0 ? "09:00" : "11:00",
        shift_end: k % 2 === 0 ? "18:00" : "20:00",
        start: { kind: "store", store_id: storeId },
        end: { kind: "store", store_id: storeId },
        capacity: null,
      },
    });
    if (saved.refusal) throw new Error(`save_driver ${email}: ${saved.refusal}`);
    have += 1;
  }
  return have;
}

async function setTimeLimit(browser, seconds) {
  const offered = await browser.execute(() =>
    Array.from(document.querySelector('[data-testid="plan-time-limit"]').options, (o) => Number(o.value)),
  );
  if (!offered.includes(seconds)) throw new Error(`time limit ${seconds} s: the view offers ${offered.join(", ")}`);
  await browser.execute((s) => {
    const select = document.querySelector('[data-testid="plan-time-limit"]');
    select.value = String(s);
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }, seconds);
}

/** In the page: a requestAnimationFrame loop recording frame deltas into window.__frames, and
 *  the moment the view shows a finished plan into window.__finishedAt. The solve's progress
 *  reports and provisional plans come down the channel of the view's call (no event to listen
 *  to): their arrival times are the view's `plan:progress-in` / `plan:preview-in` measures. */
function installProbes(done) {
  const w = window;
  w.__frames = [];
  w.__frameEnds = [];
  w.__frameLoop = true;
  let last = performance.now();
  const step = (now) => {
    w.__frames.push(now - last);
    w.__frameEnds.push(now);
    last = now;
    if (w.__frameLoop) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
  w.__finishedAt = null;
  w.__pressedAt = null;
  if (!w.__observing) {
    w.__observing = true;
    // The end: the solve's cancel button gone again and a new plan (each press makes one)
    // shown finished.
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="plan-cancel"]')) w.__solving = true;
      else if (w.__solving) w.__solving = false;
      const v = document.querySelector('[data-testid="plan-version"]');
      if (
        w.__pressedAt !== null &&
        w.__finishedAt === null &&
        w.__solving === false &&
        v?.dataset.state === "finished" &&
        v.dataset.planId !== w.__planAtPress
      ) {
        w.__finishedAt = performance.now();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state", "data-version", "data-plan-id"] });
  }
  setTimeout(() => done(true), 0);
}

/** Presses 最適化 and waits for the finished plan on screen; returns what the probes saw. */
async function optimise(browser, limitS) {
  const measures = (name) => browser.execute((n) => performance.getEntriesByName(n, "measure").map((m) => m.duration), name);
  const before = { routes: (await measures("plan:routes")).length, final: (await measures("plan:final")).length };
  await browser.executeAsync(installProbes);
  await browser.execute(() => {
    window.__solving = null;
    window.__planAtPress = document.querySelector('[data-testid="plan-version"]')?.dataset.planId ?? null;
    window.__pressedAt = performance.now();
    document.querySelector('[data-testid="plan-optimise"]').click();
  });
  await waitFor(browser, async () => (await browser.execute(() => window.__finishedAt)) !== null, "the finished plan on screen", (limitS + 120) * 1000);
  const seen = await browser.execute(() => {
    window.__frameLoop = false;
    // Arrivals of this solve's messages (the view measures each from its arrival).
    const arrivals = (name) =>
      performance
        .getEntriesByName(name, "measure")
        .map((m) => m.startTime)
        .filter((t) => t >= window.__pressedAt && t <= window.__finishedAt);
    return {
      frames: window.__frames,
      frameEnds: window.__frameEnds,
      progress: arrivals("plan:progress-in"),
      previews: arrivals("plan:preview-in"),
      pressedAt: window.__pressedAt,
      finishedAt: window.__finishedAt,
    };
  });
  // `plan:final` is measured after the paint that follows the state the observer saw: give it
  // a moment (a view without the measure leaves the cell empty).
  await browser
    .waitUntil(async () => (await measures("plan:final")).length > before.final, { timeout: 5000, interval: 100 })
    .catch(() => {});
  const routes = (await measures("plan:routes")).slice(before.routes);
  const final = (await measures("plan:final")).slice(before.final);
  const progressAt = seen.progress.map((t) => t - seen.pressedAt);
  const gaps = progressAt.slice(1).map((t, k) => t - progressAt[k]);
  return {
    wallMs: seen.finishedAt - seen.pressedAt,
    // The frames between the press and the end, less the first two (the loop's start).
    frames: seen.frames.slice(2),
    // The same frames split: those that end within a second of a provisional plan's arrival
    // (drawing it) and the rest.
    ...splitByPreview(seen.frames.slice(2), seen.frameEnds.slice(2), seen.previews),
    ...splitByProgress(seen.frames.slice(2), seen.frameEnds.slice(2), seen.progress),
    previews: seen.previews.length,
    progress: progressAt,
    gaps,
    routes: routes.at(-1) ?? NaN,
    final: final.at(-1) ?? NaN,
    state: await attr(browser, "plan-version", "data-state"),
    lines: Number(await attr(browser, "plan-map-legend", "data-lines")),
    numbered: Number(await attr(browser, "plan-map-legend", "data-numbered")),
    grey: Number(await attr(browser, "plan-map-legend", "data-grey")),
  };
}

/** Frames (durations, with the times they ended) that end within a second after a provisional
 *  plan arrived, and the others. */
function splitByPreview(frames, ends, previews) {
  const near = (t) => previews.some((p) => t >= p && t - p <= 1000);
  const drawing = [];
  const other = [];
  frames.forEach((d, k) => (near(ends[k]) ? drawing : other).push(d));
  return { framesDrawingPreview: drawing, framesOther: other };
}

/** Frames that end within 150 ms after a progress report arrived (showing its figures), and the
 *  others. */
function splitByProgress(frames, ends, progress) {
  const near = (t) => progress.some((p) => t >= p && t - p <= 150);
  const showing = [];
  const rest = [];
  frames.forEach((d, k) => (near(ends[k]) ? showing : rest).push(d));
  return { framesShowingProgress: showing, framesNotProgress: rest };
}

/** `n` frames of the rAF loop with nothing running. */
const idleFrames = (browser, n) =>
  browser.executeAsync((count, done) => {
    const times = [];
    let last = performance.now();
    const step = (now) => {
      times.push(now - last);
      last = now;
      if (times.length < count) requestAnimationFrame(step);
      else done(times.slice(2));
    };
    requestAnimationFrame(step);
  }, n);

const loadStart = loadavg().map((l) => l.toFixed(2)).join(" ");
const app = await launch(newProfile({}));
const { browser } = app;
let small, big, smallRuns = [], bigRun, idle, idleBig, smallFleet, bigFleet;
try {
  await browser.setTimeout({ script: 180000 });
  await browser.execute(() => (location.hash = "#/plan"));
  await (await browser.$(byTestId("plan-page"))).waitForDisplayed({ timeout: 30000 });
  // Tomorrow: every generated window lies ahead, whatever the hour the benchmark runs at.
  await clickTestId(browser, "plan-date-next");

  small = await importBatch(browser, SMALL_STOPS);
  smallFleet = await fleetOf(browser, SMALL_DRIVERS, small.storeId);
  await setTimeLimit(browser, SMALL_LIMIT_S);
  await waitFor(browser, () => browser.execute(() => !document.querySelector('[data-testid="plan-optimise"]').disabled), "optimise enabled");
  idle = await idleFrames(browser, 240);
  for (let k = 0; k < RUNS; k++) {
    const run = await optimise(browser, SMALL_LIMIT_S);
    console.log(`first routes ${k + 1}/${RUNS}: plan:routes ${f1(run.routes)} ms, plan:final ${f1(run.final)} ms, wall ${f1(run.wallMs)} ms`);
    smallRuns.push(run);
  }
  await screenshot(browser, "bench-plan-300");

  big = await importBatch(browser, BIG_STOPS);
  bigFleet = await fleetOf(browser, BIG_DRIVERS, big.storeId);
  await setTimeLimit(browser, BIG_LIMIT_S);
  await waitFor(browser, () => browser.execute(() => !document.querySelector('[data-testid="plan-optimise"]').disabled), "optimise enabled");
  bigRun = await optimise(browser, BIG_LIMIT_S);
  console.log(`${BIG_STOPS} stops: wall ${f1(bigRun.wallMs)} ms, ${bigRun.progress.length} progress reports, frame p95 ${f1(pct(bigRun.frames, 95))} ms`);
  await screenshot(browser, `bench-plan-${BIG_STOPS}`);
  // The same loop once the solve is over, the big plan on screen: what drawing it costs a frame.
  idleBig = await idleFrames(browser, 240);
} finally {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
}
const loadEnd = loadavg().map((l) => l.toFixed(2)).join(" ");

const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Xvfb (software rendering), WebKitGTK through tauri-driver`;
const routes = smallRuns.map((r) => r.routes).filter(Number.isFinite);
const finals = smallRuns.map((r) => r.final).filter(Number.isFinite);
const walls = smallRuns.map((r) => r.wallMs);
const bigOk = bigRun.state === "finished";
const text = `# Planning window benchmark${SMOKE ? " — SMOKE RUN (not the issue's settings: these numbers say nothing about the targets)" : ""}

Release build of the app on its embedded sandbox, the 計画 view driven as a dispatcher does: a
CSV picked in the file input, the store the view picks for it, 最適化 pressed. Timed with the
UI's own measures (ui/src/lib/perf.ts) and probes installed in the page through WebDriver: a
requestAnimationFrame loop (frame deltas), the view's \`plan:progress-in\` / \`plan:preview-in\`
measures (when each progress report and provisional plan came down the solve's channel), and an
observer noting when the finished plan is on screen. \`make plan-bench\`
(tests/e2e/bench/plan-bench.js) rewrites this file.

Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC. Load average (1, 5, 15 min) at the start: ${loadStart}; at the end: ${loadEnd}.

The batches are the solver's bench generator's (\`hakobu_solver::tokyo\`, one store, one-hour DIAq
slots 9–20時, 1–3 boxes; \`cargo run -p hakobu-dispatch --example tokyo-batch\` writes them as the
view's CSV with each stop's town and a block number as its address, geocoded back to the
generator's town point by the import). Fleets: the
sandbox's two RouteMate drivers and more of every vehicle type in turn (early 09–18 and late 11–20
shifts, from and back to the batch's store).

## First routes on screen (target ≤ 1 s)

${SMALL_STOPS} stops (${small.errors} refused by the import, ${small.warnings} with warnings), ${smallFleet} drivers, ${SMALL_LIMIT_S} s, ${RUNS} runs.
\`plan:routes\`: from the press to the first routes painted; \`plan:final\`: to the finished plan
painted (absent where the view does not measure it); wall: from the press to the finished plan
seen by the observer.

| measure | samples | p50 ms | p95 ms | max ms | target |
|---|---|---|---|---|---|
${row("plan:routes (first routes on screen)", routes, "≤ 1,000 ms")}
${row("plan:final (finished plan on screen)", finals, "—")}
${row("wall: press → finished plan on screen", walls, "—")}

## ${BIG_STOPS.toLocaleString("en")} stops while the window stays responsive (targets: planned ≤ 60 s, frame p95 ≤ 50 ms)

${BIG_STOPS} stops (${big.errors} refused by the import, ${big.warnings} with warnings), ${bigFleet} drivers, time limit ${BIG_LIMIT_S} s.
The plan ended **${bigRun.state}** with ${bigRun.lines} routes on the map, ${bigRun.numbered} stops on routes and ${bigRun.grey} unassigned (grey).

| measure | value | target |
|---|---|---|
| wall: press → finished plan on screen | ${(bigRun.wallMs / 1000).toFixed(1)} s | ≤ 60 s${bigOk && bigRun.wallMs <= 60000 ? " (met)" : " (NOT met)"} |
| plan:routes (first routes on screen) | ${f1(bigRun.routes)} ms | — |
| progress reports received | ${bigRun.progress.length} (first at ${f1(bigRun.progress[0])} ms, last at ${f1(bigRun.progress.at(-1))} ms) | about every 250 ms |
| spacing of progress reports p50 / p95 / max | ${f1(pct(bigRun.gaps, 50))} / ${f1(pct(bigRun.gaps, 95))} / ${f1(bigRun.gaps.length ? Math.max(...bigRun.gaps) : NaN)} ms | — |

| frame times | samples | p50 ms | p95 ms | max ms | target |
|---|---|---|---|---|---|
${row(`during the ${BIG_STOPS}-stop solve (press → plan on screen)`, bigRun.frames, "p95 ≤ 50 ms")}
${row(`… of which ending within 1 s after one of the ${bigRun.previews} provisional plans arrived`, bigRun.framesDrawingPreview, "—")}
${row("… the others", bigRun.framesOther, "—")}
${row("… ending within 150 ms after a progress report arrived", bigRun.framesShowingProgress, "—")}
${row("… not", bigRun.framesNotProgress, "—")}
${row(`during the ${SMALL_STOPS}-stop solves (press → plan on screen)`, smallRuns.flatMap((r) => r.frames), "—")}
${row("baseline: nothing running (the 計画 view, batch loaded)", idle, "—")}
${row(`nothing running, the finished ${BIG_STOPS}-stop plan on screen`, idleBig, "—")}

Frame times come from a software renderer on Xvfb; they do not say what a GPU-composited desktop
shows, and the solver's threads share the same cores as WebKit's.
`;
// The hand-written history below the tables (what each run changed) is kept.
let history = "";
try {
  const before = readFileSync(OUT, "utf8");
  const at = before.indexOf("\n## How it got here");
  if (at >= 0) history = before.slice(at);
} catch {
  // no file yet
}
writeFileSync(OUT, text + history);
console.log(text);
console.log(`wrote ${OUT}`);
