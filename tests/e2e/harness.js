// Starts the real Hakobu binary through tauri-driver (which drives WebKitWebDriver) and hands
// the test a WebdriverIO browser. The app's data and config directories are a fresh temporary
// folder per test run, reused across restarts within it, so "restart and find the change" is
// a real restart on the same files.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, existsSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
export const screenshotDir = path.join(repoRoot, "target", "e2e");

/** The built app; `make e2e` passes it so the tests never pick up a stale binary by guess. */
export function appBinary() {
  const bin = process.env.HAKOBU_APP;
  if (!bin || !existsSync(bin)) {
    throw new Error(`HAKOBU_APP must name the built hakobu binary (got ${bin ?? "nothing"})`);
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    // A bare TCP connect: tauri-driver's /status would be proxied to a native driver that
    // only starts with the session.
    const up = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not listen on ${port} within ${timeoutMs} ms`);
}

/** Profiles made by this test file, removed when its process exits (each holds a cache, a
 * sandbox database and WebKit's data: tens of MB a launch). HAKOBU_E2E_KEEP=1 keeps them for
 * looking into a failure. */
const profileRoots = [];
process.on("exit", () => {
  if (process.env.HAKOBU_E2E_KEEP) return;
  for (const root of profileRoots) rmSync(root, { recursive: true, force: true });
});

/** One app profile (data + config dirs) that survives restarts within a test file; `env`
 * adds variables for the app (e.g. HAKOBU_DIAQ_URL for a DIAq server of the test's own). */
export function newProfile(env = {}) {
  const root = mkdtempSync(path.join(tmpdir(), "hakobu-e2e-"));
  profileRoots.push(root);
  const dirs = { XDG_DATA_HOME: path.join(root, "data"), XDG_CONFIG_HOME: path.join(root, "config") };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return { root, env: { ...dirs, ...env } };
}

/** A free loopback port (nothing listens on it until someone binds it). */
export { freePort };

/** The standalone sandbox binary; `make e2e` builds it and passes its path. */
export function sandboxBinary() {
  const bin = process.env.HAKOBU_SANDBOX_BIN;
  if (!bin || !existsSync(bin)) {
    throw new Error(`HAKOBU_SANDBOX_BIN must name the built hakobu-sandbox binary (got ${bin ?? "nothing"})`);
  }
  return bin;
}

/** Starts `hakobu-sandbox` on `port` and resolves once it listens; `stop()` ends it.
 * `seed`: `tokyo` (the twelve stores) or `tokyo-day` (and a day of orders, some under way);
 * `args`: more of its flags (`--capacity-per-hour 2`, `--simulate 10`). */
export function startSandbox({ port, apiKey, db, seed = "tokyo", args = [] }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      sandboxBinary(),
      ["--addr", `127.0.0.1:${port}`, "--db", db, "--api-key", apiKey, "--seed", seed, ...args],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("listening on")) {
        resolve({
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill("SIGTERM");
              await new Promise((r) => child.once("exit", r));
            }
          },
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`hakobu-sandbox exited with ${code}: ${out}`)));
  });
}

/** Resolves once no process of the group is left (the app holds its data directory's lock
 * until it has exited, so a restart on the same profile must wait for it); a group still
 * there after 10 s is killed. */
async function groupGone(pgid) {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 10000;
  while (alive()) {
    if (Date.now() > deadline) {
      process.kill(-pgid, "SIGKILL");
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Launches the app on `profile`; returns { browser, stop }. A session that fails to start
 * (WebKitWebDriver slow to come up on a busy machine) is retried twice, each time with a fresh
 * tauri-driver, and a driver whose session failed is always stopped: a failed launch must
 * neither hang the run nor leave processes behind. `onStderr`: also hands each piece of the
 * app's (and the driver's) stderr to this function (the start benchmark reads the app's log
 * lines); it is still written to ours. */
export async function launch(profile, attempts = 3, { onStderr } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    const nativePort = await freePort();
    const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
      env: {
        ...process.env,
        // The embedded sandbox (no API configured), unless the profile names an API.
        HAKOBU_DIAQ_URL: "",
        HAKOBU_DIAQ_API_KEY: "",
        ...profile.env,
      },
      stdio: ["ignore", "inherit", onStderr ? "pipe" : "inherit"],
      // Its own process group, which WebKitWebDriver and the app it starts join.
      detached: true,
    });
    driver.stderr?.on("data", (chunk) => {
      process.stderr.write(chunk);
      onStderr(chunk.toString());
    });
    // The whole group goes: an app that outlived its session (seen once in CI after a
    // restart test) keeps the test runner's output open, and the run never ends.
    const stopDriver = async () => {
      const running = driver.exitCode === null && driver.signalCode === null;
      const exited = running ? new Promise((r) => driver.once("exit", r)) : null;
      try {
        process.kill(-driver.pid, "SIGTERM");
      } catch {
        // the group is already gone
      }
      await exited;
      await groupGone(driver.pid);
    };
    try {
      await waitForPort(port, driver);
      const browser = await remote({
        hostname: "127.0.0.1",
        port,
        logLevel: "warn",
        connectionRetryCount: 0,
        capabilities: {
          "wdio:enforceWebDriverClassic": true,
          "tauri:options": { application: appBinary() },
        },
      });
      const stop = async () => {
        try {
          await browser.deleteSession();
        } catch {
          // the app may already be gone
        }
        await stopDriver();
      };
      return { browser, stop };
    } catch (e) {
      lastError = e;
      console.error(`launch attempt ${attempt} failed: ${e.message}`);
      await stopDriver();
    }
  }
  throw lastError;
}

/** A full-window screenshot named after the step, under target/e2e/. */
export async function screenshot(browser, name) {
  mkdirSync(screenshotDir, { recursive: true });
  // What the page just changed is painted first (two frames: layout, then paint).
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await browser.saveScreenshot(path.join(screenshotDir, `${name}.png`));
}

export const byTestId = (id) => `[data-testid="${id}"]`;

/** Calls a Tauri command from the page (the real IPC); resolves `{answer}` or `{refusal}`. */
export function invoke(browser, command, args = {}) {
  return browser.executeAsync(
    (command, args, done) =>
      window.__TAURI_INTERNALS__
        .invoke(command, args)
        // Not `{value}`/`{error}`: a script result shaped like that reads as a WebDriver error.
        .then((answer) => ({ answer }))
        .catch((refusal) => ({ refusal: JSON.stringify(refusal) }))
        .then((answer) => setTimeout(() => done(answer), 0)),
    command,
    args,
  );
}

/** innerText of an element by test id, read in the page (WebKitWebDriver's text is quirky). */
export function textOf(browser, testId) {
  return browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.innerText ?? "", testId);
}

/** Clicks an element by test id in the page (for elements WebKitWebDriver will not click). */
export function clickTestId(browser, testId) {
  return browser.execute((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    if (!el) throw new Error(`no element ${id}`);
    el.click();
  }, testId);
}

/** Resolves once some file under `dir` holds `needle` (bytes); rejects after `timeoutMs`. */
export async function waitForFileContaining(dir, needle, timeoutMs = 15000) {
  const { readdirSync, readFileSync, statSync } = await import("node:fs");
  const files = (d) =>
    readdirSync(d).flatMap((name) => {
      const p = path.join(d, name);
      try {
        return statSync(p).isDirectory() ? files(p) : [p];
      } catch {
        return [];
      }
    });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of files(dir)) {
      try {
        if (readFileSync(f).includes(needle)) return f;
      } catch {
        // a file being rewritten: look again next round
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no file under ${dir} holds the expected bytes within ${timeoutMs} ms`);
}
