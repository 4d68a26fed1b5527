// The live map's benchmark (issue 21): the release app on its embedded sandbox with 2,000
// extra simulated drivers each moving once a second (HAKOBU_SANDBOX_BENCH_DRIVERS), the map
// open. Not a test: it writes ui/MAP-BENCHMARKS.md. Run with `make map-bench`.
//
//   pan frames        frame times while the map is dragged (synthesised mouse drag, 300 frames)
//   fix to screen     from a driver's fix (stamped by the sandbox when sent) to the paint that
//                     shows it, per reading: the oldest fix in it (ui/src/lib/perf.ts)
//   memory            PSS of every process of the app (Rust and WebKit's), from /proc
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { launch, newProfile, repoRoot, screenshot } from "../harness.js";

const DRIVERS = 2000;
const profile = newProfile({ HAKOBU_SANDBOX_BENCH_DRIVERS: String(DRIVERS), HAKOBU_SANDBOX_BENCH_SECONDS: "600" });

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** PSS (kB) of `pid` and every descendant. */
function pssTree(pid) {
  const children = (p) => {
    try {
      return execFileSync("pgrep", ["-P", String(p)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const all = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    all.push(p);
    stack.push(...children(p));
  }
  const rows = all.map((p) => {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const kb = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      const name = readFileSync(`/proc/${p}/comm`, "utf8").trim();
      return { pid: p, name, kb };
    } catch {
      return { pid: p, name: "?", kb: 0 };
    }
  });
  return rows.filter((r) => r.kb > 0);
}

const app = await launch(profile);
const { browser } = app;
try {
  await browser.execute(() => (location.hash = "#/map"));
  await browser.waitUntil(
    async () => Number(await browser.execute(() => document.querySelector('[data-testid="map-page"]')?.dataset.drivers ?? 0)) >= DRIVERS,
    { timeout: 120000, interval: 500, timeoutMsg: `the map holds ${DRIVERS} drivers` },
  );
  // A minute of moves at once a second, measured as they reach the screen.
  await browser.execute(() => performance.clearMeasures());
  const started = Date.now();
  await browser.waitUntil(async () => Date.now() - started > 30000, { timeout: 40000, interval: 1000 });
  const fixToScreen = await browser.execute(() => performance.getEntriesByName("map:fix-to-screen", "measure").map((m) => m.duration));
  const update = await browser.execute(() => performance.getEntriesByName("map:update", "measure").map((m) => m.duration));

  // Panning: a synthesised mouse drag across the map, one step a frame, while drivers move.
  const pan = await browser.executeAsync((done) => {
    const map = document.querySelector(".leaflet-container");
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
  });
  await screenshot(browser, "bench-map-2000");

  const appPid = Number(execFileSync("pgrep", ["-n", "-f", "release/hakobu$"], { encoding: "utf8" }).trim());
  const pss = pssTree(appPid);
  const totalMb = pss.reduce((a, r) => a + r.kb, 0) / 1024;
  const byName = {};
  for (const r of pss) byName[r.name] = (byName[r.name] ?? 0) + r.kb / 1024;

  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB; Xvfb (software rendering), WebKitGTK through tauri-driver`;
  const row = (what, values, target) =>
    `| ${what} | ${values.length} | ${pct(values, 50).toFixed(1)} | ${pct(values, 95).toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${target} |`;
  const text = `# Live map benchmark

Release build of the app on its embedded sandbox with ${DRIVERS.toLocaleString("en")} extra simulated
drivers each moving once a second (signed \`driver.location\` webhooks), the map open at its
starting view. Timed with the UI's own measures (ui/src/lib/perf.ts) read back through WebDriver;
memory from /proc (PSS of the app's process and every process under it). \`make map-bench\`
rewrites this file.

Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}.

| measure | samples | p50 ms | p95 ms | max ms | target |
|---|---|---|---|---|---|
${row("a fix reaches the screen (oldest fix of each reading → paint)", fixToScreen, "p95 ≤ 250 ms")}
${row("the UI's part: event received → paint", update, "—")}
${row("frame time while panning", pan, "p95 ≤ 16 ms")}

Memory (PSS, MB), ${DRIVERS.toLocaleString("en")} drivers moving: **${totalMb.toFixed(0)} MB** in all (issue 23's budget: ≤ 300 MB) —
${Object.entries(byName).map(([n, mb]) => `${n} ${mb.toFixed(0)}`).join(", ")}.

Frame times here come from a software renderer (see ui/BENCHMARKS.md for a bare-scroll
baseline of the same window); they do not say what a GPU-composited desktop shows.
`;
  writeFileSync(path.join(repoRoot, "ui", "MAP-BENCHMARKS.md"), text);
  console.log(text);
} finally {
  await app.stop();
}
