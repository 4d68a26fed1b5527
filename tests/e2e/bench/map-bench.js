// The live map's benchmark (issue 21): the release app on its embedded sandbox with 2,000
// extra simulated drivers each moving once a second (HAKOBU_SANDBOX_BENCH_DRIVERS), the map
// open. Not a test: it writes ui/MAP-BENCHMARKS.md. Run with `make map-bench`.
//
//   pan frames        frame times while the map is dragged (synthesised mouse drag, 300 frames),
//                     and the floor of this renderer: a bare Leaflet map of the same size (no
//                     basemap, no points) dragged the same way in the same window
//   fix to screen     from a driver's fix (stamped by the sandbox when sent) to the paint that
//                     shows it: every new fix (counted per millisecond in the page), the oldest
//                     new fix of each reading (ui/src/lib/perf.ts), and the UI's stages of a
//                     reading (map:read, map:apply, map:layout, map:draw)
//   memory            PSS of every process of the app (Rust and WebKit's), from /proc
import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { launch, newProfile, repoRoot, screenshot } from "../harness.js";
import { byName, pssTree, totalMb } from "./memory.js";

const DRIVERS = 2000;
// MAP_BENCH_SECONDS: how long moves are measured (30 s unless told; shorter for a profiling
// run on a busy machine). MAP_BENCH_DRY=1: print the tables, leave ui/MAP-BENCHMARKS.md alone.
const SECONDS = Number(process.env.MAP_BENCH_SECONDS ?? 30);
const DRY = process.env.MAP_BENCH_DRY === "1";
const profile = newProfile({ HAKOBU_SANDBOX_BENCH_DRIVERS: String(DRIVERS), HAKOBU_SANDBOX_BENCH_SECONDS: "600" });

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Drags `selector`'s element one step a frame for 300 frames (mouse events, as a hand
 *  would), and resolves with the frame times. Runs in the page. */
function panFrames(selector, done) {
  const map = document.querySelector(selector);
  const box = map.getBoundingClientRect();
  let x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const ev = (type, target) =>
    target.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0, buttons: 1 }));
  ev("mousedown", map);
  const times = [];
  let last = performance.now();
  let n = 0;
  let dir = 1;
  function step(now) {
    times.push(now - last);
    last = now;
    x += 12 * dir;
    if (x > box.right - 40 || x < box.left + 40) dir = -dir;
    ev("mousemove", document);
    if (++n < 300) requestAnimationFrame(step);
    else {
      ev("mouseup", document);
      setTimeout(() => done(times.slice(2)), 0);
    }
  }
  requestAnimationFrame(step);
}

// Leaflet as a plain script (it sets window.L), for the bare map the floor is measured on.
const leafletSrc = readFileSync(path.join(repoRoot, "ui", "node_modules", "leaflet", "dist", "leaflet.js"), "utf8");

const app = await launch(profile);
const { browser } = app;
try {
  // 300 frames of a software renderer under load can take longer than WebDriver's 30 s.
  await browser.setTimeout({ script: 180000 });
  await browser.execute(() => (location.hash = "#/map"));
  await browser.waitUntil(
    async () => Number(await browser.execute(() => document.querySelector('[data-testid="map-page"]')?.dataset.drivers ?? 0)) >= DRIVERS,
    { timeout: 120000, interval: 500, timeoutMsg: `the map holds ${DRIVERS} drivers` },
  );
  // A minute of moves at once a second, measured as they reach the screen.
  await browser.execute(() => {
    performance.clearMeasures();
    window.__hakobuAgeCounts?.("map:fix-age", true);
  });
  // Memory at the window's start and end: the slope says whether something is kept per move.
  const appPidEarly = Number(execFileSync("pgrep", ["-n", "-f", "release/hakobu$"], { encoding: "utf8" }).trim());
  const treeBefore = pssTree(appPidEarly);
  const pssBefore = totalMb(treeBefore);
  const started = Date.now();
  await browser.waitUntil(async () => Date.now() - started > SECONDS * 1000, { timeout: SECONDS * 1000 + 10000, interval: 1000 });
  const treeAfter = pssTree(appPidEarly);
  const pssAfter = totalMb(treeAfter);
  console.log("PSS by process, start / end of the window (MB):", JSON.stringify(byName(treeBefore)), JSON.stringify(byName(treeAfter)));
  console.log(`PSS over the ${SECONDS} s window: ${pssBefore.toFixed(0)} → ${pssAfter.toFixed(0)} MB (${((pssAfter - pssBefore) / SECONDS).toFixed(2)} MB/s); perf entries: ${await browser.execute(() => performance.getEntries().length)}`);
  const fixToScreen = await browser.execute(() => performance.getEntriesByName("map:fix-to-screen", "measure").map((m) => m.duration));
  const update = await browser.execute(() => performance.getEntriesByName("map:update", "measure").map((m) => m.duration));
  // Every new fix's age at its paint, counted per millisecond in the page (ui/src/lib/perf.ts).
  const fixAges = await browser.execute(() => (window.__hakobuAgeCounts ? window.__hakobuAgeCounts("map:fix-age") : null));
  if (!Array.isArray(fixAges) || fixAges.length === 0) throw new Error("the page counted no fix ages (ui/src/lib/perf.ts ageCounts)");

  const stage = await browser.execute(() =>
    Object.fromEntries(
      ["map:read", "map:apply", "map:layout", "map:draw"].map((n) => [n, performance.getEntriesByName(n, "measure").map((m) => m.duration)]),
    ),
  );

  // Panning: a synthesised mouse drag across the map, one step a frame, while drivers move.
  const pan = await browser.executeAsync(panFrames, ".leaflet-container");
  await screenshot(browser, "bench-map-2000");

  // The floor: a bare Leaflet map (no basemap, no points) of the same size over the same
  // window, dragged the same way while the app underneath keeps receiving moves.
  await browser.execute(`${leafletSrc}
    ;(() => {
      const under = document.querySelector(".leaflet-container").getBoundingClientRect();
      const div = document.createElement("div");
      div.id = "bench-bare-map";
      Object.assign(div.style, { position: "fixed", left: under.left + "px", top: under.top + "px", width: under.width + "px", height: under.height + "px", zIndex: 100000, background: "#eceff3" });
      document.body.appendChild(div);
      window.L.map(div, { zoomControl: false, attributionControl: false }).setView([35.681, 139.767], 11);
    })();`);
  const barePan = await browser.executeAsync(panFrames, "#bench-bare-map");
  await browser.execute(() => document.getElementById("bench-bare-map")?.remove());
  const idle = await browser.executeAsync((done) => {
    const times = [];
    let last = performance.now();
    function step(now) {
      times.push(now - last);
      last = now;
      if (times.length < 120) requestAnimationFrame(step);
      else done(times.slice(2));
    }
    requestAnimationFrame(step);
  });


  const appPid = Number(execFileSync("pgrep", ["-n", "-f", "release/hakobu$"], { encoding: "utf8" }).trim());
  const pss = pssTree(appPid);
  const total = totalMb(pss);
  const parts = pss
    .map((r) => `${r.name} ${(r.kb / 1024).toFixed(0)} (anonymous ${(r.anonKb / 1024).toFixed(0)}, files and libraries ${(r.fileKb / 1024).toFixed(0)})`)
    .join(", ");

  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Xvfb (software rendering), WebKitGTK through tauri-driver; load average ${loadavg()[0].toFixed(1)} when written (other work on the machine)`;
  const row = (what, values, target) =>
    `| ${what} | ${values.length} | ${pct(values, 50).toFixed(1)} | ${pct(values, 95).toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${target} |`;
  const countsRow = (what, counts, target) => {
    const n = counts.reduce((s, [, c]) => s + c, 0);
    if (n === 0) return `| ${what} | 0 | — | — | — | ${target} |`;
    const sorted = [...counts].sort((a, b) => a[0] - b[0]);
    const at = (p) => {
      const want = Math.ceil((p / 100) * n);
      let seen = 0;
      for (const [age, c] of sorted) if ((seen += c) >= want) return age;
      return sorted[sorted.length - 1][0];
    };
    return `| ${what} | ${n} | ${at(50).toFixed(1)} | ${at(95).toFixed(1)} | ${sorted[sorted.length - 1][0].toFixed(1)} | ${target} |`;
  };
  const text = `# Live map benchmark

Release build of the app on its embedded sandbox with ${DRIVERS.toLocaleString("en")} extra simulated
drivers each moving once a second (signed \`driver.location\` webhooks), the map open at its
starting view. Timed with the UI's own measures (ui/src/lib/perf.ts) read back through WebDriver;
memory from /proc (PSS of the app's process and every process under it). \`make map-bench\`
rewrites this file.

Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}.

| measure | samples | p50 ms | p95 ms | max ms | target |
|---|---|---|---|---|---|
${countsRow("a location update reaches the screen (each new fix → the paint that shows it)", fixAges, "p95 ≤ 250 ms")}
${row("the worst of each reading (its oldest new fix → paint)", fixToScreen, "—")}
${row("the UI's part: event received → paint", update, "—")}
${row("frame time while panning", pan, "p95 ≤ 16 ms")}
${row("baseline: a bare Leaflet map of the same size panned the same way", barePan, "—")}
${row("baseline: frame time with nothing happening", idle, "—")}

The UI's stages of each reading (ms): taking the rows the events carried, or reading the rest
from the cache (map:read); diffing them against the map (map:apply); clustering and placing
the dots, once a frame (map:layout); redrawing the point canvas (map:draw).

| stage | samples | p50 ms | p95 ms | max ms |
|---|---|---|---|---|
${Object.entries(stage).map(([n, v]) => `| ${n} | ${v.length} | ${pct(v, 50).toFixed(1)} | ${pct(v, 95).toFixed(1)} | ${Math.max(...v).toFixed(1)} |`).join("\n")}

Memory (PSS, MB), ${DRIVERS.toLocaleString("en")} drivers moving: **${total.toFixed(0)} MB** in all (issue 23's budget: ≤ 300 MB) —
${parts}.

Frame times here come from a software renderer (see ui/BENCHMARKS.md for a bare-scroll
baseline of the same window); they do not say what a GPU-composited desktop shows.
`;
  // The hand-written history below the table (what each run changed) is kept.
  const file = path.join(repoRoot, "ui", "MAP-BENCHMARKS.md");
  let history = "";
  try {
    const before = readFileSync(file, "utf8");
    const at = before.indexOf("\n## How it got here");
    if (at >= 0) history = before.slice(at);
  } catch {
    // no file yet
  }
  if (!DRY) writeFileSync(file, text + history);
  console.log(text);
} finally {
  await app.stop();
}
