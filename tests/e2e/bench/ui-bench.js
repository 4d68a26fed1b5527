// The UI benchmark (issue 20): the release app in the real window over a cache of 50,000
// orders (2,000 on the busy day), timed with the UI's own performance marks read back through
// WebDriver. Not a test: it writes ui/BENCHMARKS.md. Run with `make ui-bench`.
//
//   list:open    switching from the board to the list until its first rows are painted
//   list:filter  a filter change (a status chip) until the list is repainted
//   scroll       frame times while the list scrolls through the 50,000 rows
//   board:render the board of the busy day (2,000 orders) from its query to the paint
import { spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, launch, newProfile, repoRoot, screenshot } from "../harness.js";

const TOTAL = 50_000;
const DAY_ORDERS = 2_000;
const RUNS = 10;

const benchCache = process.env.HAKOBU_BENCH_CACHE_BIN;
if (!benchCache) throw new Error("HAKOBU_BENCH_CACHE_BIN must name the bench-cache binary");

const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
// Nothing listens there: the app opens its cache offline and never syncs it away.
const deadUrl = `http://127.0.0.1:${await freePort()}`;
const profile = newProfile({ HAKOBU_DIAQ_URL: deadUrl, HAKOBU_DIAQ_API_KEY: "bench" });
const db = path.join(profile.env.XDG_DATA_HOME, "jp.hakobu.dispatcher", "cache.db");
const seeded = spawnSync(benchCache, [db, deadUrl, String(TOTAL), today, String(DAY_ORDERS)], { encoding: "utf8" });
if (seeded.status !== 0) throw new Error(`bench-cache failed: ${seeded.stderr}`);
console.log(seeded.stdout.trim());

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const app = await launch(profile);
const { browser } = app;
try {
  const go = (hash) => browser.execute((h) => (location.hash = h), hash);
  const clearMeasures = () => browser.execute(() => performance.clearMeasures());
  const measures = (name) =>
    browser.execute((n) => performance.getEntriesByName(n, "measure").map((m) => m.duration), name);
  async function waitMeasure(name, count) {
    await browser.waitUntil(async () => (await measures(name)).length >= count, {
      timeout: 30000,
      interval: 20,
      timeoutMsg: `${name} was measured`,
    });
  }
  const click = (testid) =>
    browser.execute((id) => document.querySelector(`[data-testid="${id}"]`).click(), testid);

  // The board of the busy day.
  await go("#/board");
  await (await browser.$('[data-testid="board-page"]')).waitForDisplayed({ timeout: 30000 });
  await waitMeasure("board:render", 1);
  const board = [];
  for (let i = 0; i < RUNS; i++) {
    await clearMeasures();
    await go("#/stores");
    await go("#/board");
    await waitMeasure("board:render", 1);
    board.push((await measures("board:render"))[0]);
  }
  const boardTotal = await browser.execute(
    () => document.querySelector('[data-testid="board-total"]')?.textContent ?? "",
  );
  await screenshot(browser, "bench-board-2000");

  // Switching to the list of every date (50,000 rows).
  await go("#/orders");
  await (await browser.$('[data-testid="list-page"]')).waitForDisplayed({ timeout: 30000 });
  await click("list-date-all");
  await browser.waitUntil(
    async () => (await browser.execute(() => document.querySelector('[data-testid="list-count"]')?.dataset.total)) === String(TOTAL),
    { timeout: 30000, timeoutMsg: "the list counts every cached order" },
  );
  const open = [];
  for (let i = 0; i < RUNS; i++) {
    await clearMeasures();
    await go("#/board");
    await waitMeasure("board:render", 1);
    await go("#/orders");
    await waitMeasure("list:open", 1);
    open.push((await measures("list:open"))[0]);
  }

  // A filter change: a status chip on, then off.
  const filter = [];
  for (let i = 0; i < RUNS; i++) {
    await clearMeasures();
    await click(i % 2 === 0 ? "list-status-delivered" : "list-status-all");
    await waitMeasure("list:filter", 1);
    filter.push((await measures("list:filter"))[0]);
  }

  // Scrolling: 300 frames, 160 px a frame, through the table; frame times from rAF.
  const frames = await browser.executeAsync((done) => {
    const scroller = document.querySelector('[data-testid="orders-table"] .scroller');
    const times = [];
    let last = performance.now();
    let n = 0;
    function step(now) {
      times.push(now - last);
      last = now;
      scroller.scrollTop += 160;
      if (++n < 300) requestAnimationFrame(step);
      else setTimeout(() => done(times.slice(2)), 0);
    }
    requestAnimationFrame(step);
  });
  await screenshot(browser, "bench-list-50000");

  // Baselines on the same window, to tell our work from the platform's: frames while nothing
  // happens, and while a bare element of the table's size scrolls the same way (the cost of
  // the scroll's repaint alone, with no row to render).
  const idle = await browser.executeAsync((done) => {
    const times = [];
    let last = performance.now();
    let n = 0;
    function step(now) {
      times.push(now - last);
      last = now;
      if (++n < 120) requestAnimationFrame(step);
      else done(times.slice(2));
    }
    requestAnimationFrame(step);
  });
  const bare = await browser.executeAsync((done) => {
    const table = document.querySelector('[data-testid="orders-table"] .scroller').getBoundingClientRect();
    const box = document.createElement("div");
    Object.assign(box.style, {
      position: "fixed", left: `${table.left}px`, top: `${table.top}px`, width: `${table.width}px`,
      height: `${table.height}px`, overflowY: "auto", background: "#fff", zIndex: 1000,
    });
    const inner = document.createElement("div");
    Object.assign(inner.style, {
      height: "1600000px",
      background: "repeating-linear-gradient(#fff 0 31px, #eef0f3 31px 32px)",
    });
    box.appendChild(inner);
    document.body.appendChild(box);
    const times = [];
    let last = performance.now();
    let n = 0;
    function step(now) {
      times.push(now - last);
      last = now;
      box.scrollTop += 160;
      if (++n < 300) requestAnimationFrame(step);
      else {
        box.remove();
        setTimeout(() => done(times.slice(2)), 0);
      }
    }
    requestAnimationFrame(step);
  });

  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Xvfb (software rendering), WebKitGTK through tauri-driver`;
  const row = (what, values, target) =>
    `| ${what} | ${values.length} | ${pct(values, 50).toFixed(1)} | ${pct(values, 95).toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${target} |`;
  const table = [
    "| measure | samples | p50 ms | p95 ms | max ms | target |",
    "|---|---|---|---|---|---|",
    row(`switch to the list, first rows painted (${TOTAL.toLocaleString("en")} cached)`, open, "≤ 300 ms"),
    row("status filter change, list repainted", filter, "≤ 100 ms"),
    row("scrolling the list, frame time", frames, "p95 ≤ 16 ms"),
    row("baseline: frame time with nothing happening", idle, "—"),
    row("baseline: a bare element of the table's size scrolling the same way", bare, "—"),
    row(`board of one day (${DAY_ORDERS.toLocaleString("en")} orders), rendered`, board, "≤ 300 ms"),
  ].join("\n");
  const text = `# UI benchmarks

Release build of the app in the real window, over a cache of ${TOTAL.toLocaleString("en")} orders
(${DAY_ORDERS.toLocaleString("en")} on the busy day; written by \`bench-cache\`), timed with the UI's
own \`performance.mark\`/\`measure\` (ui/src/lib/perf.ts: from the start of the work to the paint
after the result) and read back through WebDriver. \`make ui-bench\` rewrites this file.

Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}. Board header: ${boardTotal}.

${table}
`;
  writeFileSync(path.join(repoRoot, "ui", "BENCHMARKS.md"), text);
  console.log(text);
} finally {
  await app.stop();
}
