// Start and idle memory (issue 23 §5): the release app over a cache of 50,000 orders (2,000
// on today's board, written by `bench-cache`), offline (the API it names does not answer, so
// nothing syncs the cache away). Not a test: it writes ui/START-BENCHMARKS.md. Run with
// `make start-bench`.
//
//   cold start   from the process's start (/proc/<pid>/stat) to the paint of the board's first
//                rows (the board's own `board:render` measure, ui/src/lib/perf.ts), per launch;
//                the files are in the page cache after the first launch (a warm start of the
//                process — what a dispatcher who opens the app again sees)
//   idle memory  PSS of every process of the app, idle on the board after the start
//   where it goes  per launch, the moments between: the app's log lines (its first, the
//                backend started — the window's page cannot load before it —, each board read's
//                own query time) and the page's marks (its load, its document fetched, `start:*` marks
//                of ui/src/lib/perf.ts: the script running, the shell mounted and painted,
//                the board's chunk, its read sent and answered, its cards in the DOM, the rows
//                painted)
//   floor        the same two for `bare-window`: a Tauri window of the app's size, same Tauri,
//                same profile, nothing in it — what this machine costs before the app does anything
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, launch, newProfile, repoRoot, screenshot } from "../harness.js";
import { pssTree, totalMb } from "./memory.js";

const TOTAL = 50_000;
const DAY_ORDERS = 2_000;
/** Launches of the app (HAKOBU_START_LAUNCHES for a quicker look at the breakdown). */
const LAUNCHES = Number(process.env.HAKOBU_START_LAUNCHES) || 6;
/** How long the app is left alone before its memory is read. */
const IDLE_MS = 15_000;

const benchCache = process.env.HAKOBU_BENCH_CACHE_BIN;
if (!benchCache) throw new Error("HAKOBU_BENCH_CACHE_BIN must name the bench-cache binary");
const bareWindow = process.env.HAKOBU_BARE_WINDOW_BIN;
if (!bareWindow) throw new Error("HAKOBU_BARE_WINDOW_BIN must name the bare-window binary");
const appBin = process.env.HAKOBU_APP;

const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
const deadUrl = `http://127.0.0.1:${await freePort()}`;
const profile = newProfile({ HAKOBU_DIAQ_URL: deadUrl, HAKOBU_DIAQ_API_KEY: "bench" });
const db = path.join(profile.env.XDG_DATA_HOME, "jp.hakobu.dispatcher", "cache.db");
const seeded = spawnSync(benchCache, [db, deadUrl, String(TOTAL), today, String(DAY_ORDERS)], { encoding: "utf8" });
if (seeded.status !== 0) throw new Error(`bench-cache failed: ${seeded.stderr}`);
console.log(seeded.stdout.trim());

const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const bootMs = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))[1]) * 1000;

/** When `pid` started, in unix ms (to the clock tick, 10 ms here). */
function startedAt(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) — starttime is field 22.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return bootMs + (Number(fields[19]) / clockTicks) * 1000;
}

function newestPid(binary) {
  return Number(execFileSync("pgrep", ["-n", "-f", `${binary}$`], { encoding: "utf8" }).trim());
}

/** The app's tracing lines (`2026-12-07T21:10:00.123456Z  INFO target: message`, maybe coloured)
 *  as { at: unix ms, message }. */
function logLines(text) {
  const lines = [];
  // biome-ignore lint: the escape is the point
  for (const raw of text.replace(/\x1b\[[0-9;]*m/g, "").split("\n")) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s+\w+\s+[\w:]+: (.*)$/.exec(raw.trim());
    if (m) lines.push({ at: Date.parse(m[1]) + Number(`0.${(m[1].split(".")[1] ?? "0").slice(3, 6) || "0"}`), message: m[2] });
  }
  return lines;
}

/** Where one launch's start went: each moment in ms after the process started (null when it
 *  did not happen), and what the log says of the board's reads. */
async function breakdownOf(app) {
  const page = await app.browser.execute(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const marks = performance
      .getEntriesByType("mark")
      .filter((m) => m.name.startsWith("start:"))
      .map((m) => [m.name, m.startTime]);
    const render = performance.getEntriesByName("board:render", "measure")[0];
    return {
      origin: performance.timeOrigin,
      documentLoaded: nav ? nav.responseEnd : null,
      marks,
      paintedAt: render ? render.startTime + render.duration : null,
    };
  });
  const since = (t) => (t === null || t === undefined ? null : page.origin + t - app.started);
  const first = (name) => since(page.marks.find(([n]) => n === name)?.[1]);
  const log = app.log();
  const logAt = (re) => {
    const line = log.find((l) => re.test(l.message));
    return line ? line.at - app.started : null;
  };
  const reads = log
    .map((l) => /^board read \d+: query ([\d.]+) ms, after ([\d.]+) ms/.exec(l.message))
    .filter(Boolean)
    .map((m) => ({ query: Number(m[1]), waited: Number(m[2]) }));
  return {
    steps: {
      "first log line": log.length ? log[0].at - app.started : null,
      "backend started": logAt(/^backend started in/),
      "page load starts": page.origin - app.started,
      "page's document fetched": since(page.documentLoaded),
      "script runs": first("start:script"),
      "app mounted": first("start:mounted"),
      "shell's onMount": first("start:shell"),
      "shell painted": first("start:shell-painted"),
      "board's chunk loaded": first("start:page-chunk"),
      "board read sent": first("start:board-sent"),
      "board read answered": first("start:board-answered"),
      "cards in the DOM": first("start:board-applied"),
      "first rows painted": since(page.paintedAt),
    },
    boardReadsSent: page.marks.filter(([n]) => n === "start:board-sent").length,
    channelOpen: first("start:channel-open"),
    reads,
  };
}

const fmt = (v) => (v === null || v === undefined ? "—" : v.toFixed(0));

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One launch of `binary` on `profile`: the WebDriver session, the app's pid and start, and
 *  its log so far (`log()`: the lines, each with its unix ms). */
async function launchOf(binary, prof) {
  const previous = process.env.HAKOBU_APP;
  process.env.HAKOBU_APP = binary;
  let text = "";
  try {
    const app = await launch(prof, 3, { onStderr: (chunk) => (text += chunk) });
    const pid = newestPid(binary);
    return { ...app, pid, started: startedAt(pid), log: () => logLines(text) };
  } finally {
    process.env.HAKOBU_APP = previous;
  }
}

// ---- the app ----
const starts = [];
const breakdowns = [];
let memory = null;
for (let i = 0; i < LAUNCHES; i++) {
  const app = await launchOf(appBin, profile);
  try {
    await app.browser.waitUntil(
      async () => (await app.browser.execute(() => performance.getEntriesByName("board:render", "measure").length)) > 0,
      { timeout: 60000, interval: 20, timeoutMsg: "the board's first rows were painted" },
    );
    const painted = await app.browser.execute(() => {
      const m = performance.getEntriesByName("board:render", "measure")[0];
      return performance.timeOrigin + m.startTime + m.duration;
    });
    const cards = await app.browser.execute(() => document.querySelectorAll('[data-testid="board-card"]').length);
    starts.push(painted - app.started);
    console.log(`launch ${i + 1}: ${(painted - app.started).toFixed(0)} ms to the first rows (${cards} cards)`);
    const b = await breakdownOf(app);
    breakdowns.push(b);
    console.log(
      `  ${Object.entries(b.steps)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(" · ")}\n  board reads sent by the first rows' paint: ${b.boardReadsSent}; the change channel open at ${fmt(b.channelOpen)}; ` +
        `the backend's board reads: ${b.reads.map((r) => `query ${r.query.toFixed(1)} ms (waited ${r.waited.toFixed(1)})`).join(", ") || "none logged"}`,
    );
    if (i === LAUNCHES - 1) {
      await sleep(IDLE_MS);
      await screenshot(app.browser, "bench-start-board");
      memory = pssTree(app.pid);
    }
  } finally {
    await app.stop();
  }
}

// ---- the floor: a bare Tauri window ----
const bareProfile = newProfile({ HAKOBU_DIAQ_URL: deadUrl, HAKOBU_DIAQ_API_KEY: "bench" });
const bareStarts = [];
let bareMemory = null;
for (let i = 0; i < 3; i++) {
  const bare = await launchOf(bareWindow, bareProfile);
  try {
    const shown = await bare.browser.execute(() => performance.timeOrigin);
    bareStarts.push(shown - bare.started);
    if (i === 2) {
      await sleep(IDLE_MS);
      bareMemory = pssTree(bare.pid);
    }
  } finally {
    await bare.stop();
  }
}

const describe = (rows) =>
  rows.map((r) => `${r.name} ${(r.kb / 1024).toFixed(0)} (anonymous ${(r.anonKb / 1024).toFixed(0)}, files and libraries ${(r.fileKb / 1024).toFixed(0)})`).join(", ");
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Xvfb (software rendering), WebKitGTK through tauri-driver; load average ${loadavg()[0].toFixed(1)} when written (other work on the machine)`;
const row = (what, values, target) =>
  `| ${what} | ${values.length} | ${pct(values, 50).toFixed(0)} | ${Math.max(...values).toFixed(0)} | ${target} |`;
/** The breakdown's table: each step's p50 time after the process start, in the order of those
 *  times (a paint mark lands after later steps' marks), and the p50 of each step's own length
 *  (from the step before it in that order) with its share of the start's p50. */
function breakdownTable() {
  const p50At = (name) => {
    const at = breakdowns.map((b) => b.steps[name]).filter((v) => v !== null);
    return at.length ? pct(at, 50) : null;
  };
  const names = Object.keys(breakdowns[0]?.steps ?? {})
    .filter((name) => p50At(name) !== null)
    .sort((a, b) => p50At(a) - p50At(b));
  const total = pct(starts, 50);
  const rows = names.map((name, i) => {
    const previous = i === 0 ? null : names[i - 1];
    const spans = breakdowns
      .filter((b) => b.steps[name] !== null && (previous === null || b.steps[previous] !== null))
      .map((b) => (previous === null ? b.steps[name] : b.steps[name] - b.steps[previous]));
    const span = pct(spans, 50);
    return `| ${name} | ${p50At(name).toFixed(0)} | ${span.toFixed(0)} | ${((span / total) * 100).toFixed(0)} % |`;
  });
  const queries = breakdowns.flatMap((b) => b.reads.slice(0, 1).map((r) => r.query));
  const twice = breakdowns.filter((b) => b.boardReadsSent > 1).length;
  return `| step (each launch: the app's log lines and the page's marks) | p50 ms after the process start | p50 ms since the step before | share of the start's p50 |
|---|---|---|---|
${rows.join("\n")}

The board's first read, its own query in the backend: p50 ${queries.length ? pct(queries, 50).toFixed(1) : "—"} ms. Launches whose board sent more than one read before its first rows: ${twice} of ${breakdowns.length}.`;
}

const text = `# Start and memory benchmarks

Release build of the app over a cache of ${TOTAL.toLocaleString("en")} orders (${DAY_ORDERS.toLocaleString("en")} on today's board; written by
\`bench-cache\`), offline (its API does not answer, so the cache stays as written). The floor is
\`bare-window\` (src-tauri/examples/bare-window.rs): a Tauri window of the app's size with nothing
in it, same Tauri, same release profile. \`make start-bench\` rewrites this file.

Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}.

| measure | launches | p50 ms | max ms | target |
|---|---|---|---|---|
${row("start: process start → the board's first rows painted", starts, "≤ 1,000 ms")}
${row("floor: process start → a bare window's blank page starts loading", bareStarts, "—")}

Launches after the first find the files in the page cache (what a dispatcher reopening the app
sees); the first launch of the run is among them.

Where the start goes (the same launches):

${breakdownTable()}

| memory, idle on the board (PSS, MB) | in all | by process | target |
|---|---|---|---|
| the app, ${TOTAL.toLocaleString("en")} cached orders, ${IDLE_MS / 1000} s after the start | **${totalMb(memory).toFixed(0)}** | ${describe(memory)} | ≤ 300 MB |
| floor: a bare Tauri window | **${totalMb(bareMemory).toFixed(0)}** | ${describe(bareMemory)} | — |
`;
const file = path.join(repoRoot, "ui", "START-BENCHMARKS.md");
let history = "";
try {
  const before = readFileSync(file, "utf8");
  const at = before.indexOf("\n## ");
  if (at >= 0) history = before.slice(at);
} catch {
  // no file yet
}
writeFileSync(file, text + history);
console.log(text);
