// One Hakobu per data directory, with the real binary: on a session bus of the test's own, a
// second launch on the same profile hands over to the running window — which says in its log
// that it restored, showed and focused itself — and exits at once, while
// a launch on another profile starts as its own instance; with no session bus the second
// launch is refused by the data directory's lock and says why. The running app keeps working
// throughout.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { appBinary, invoke, launch, newProfile } from "./harness.js";

/** A private D-Bus session bus; resolves { address, stop }. */
function startBus() {
  return new Promise((resolve, reject) => {
    const bus = spawn("dbus-daemon", ["--session", "--nofork", "--print-address=1"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    bus.stdout.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("unix:"));
      if (line) {
        resolve({
          address: line.trim(),
          stop: async () => {
            if (bus.exitCode === null && bus.signalCode === null) {
              const exited = new Promise((r) => bus.once("exit", r));
              bus.kill("SIGTERM");
              await exited;
            }
          },
        });
      }
    });
    bus.once("error", reject);
    bus.once("exit", (code) => reject(new Error(`dbus-daemon exited with ${code}: ${out}`)));
  });
}

/** Runs the app binary directly (no WebDriver) and resolves { code, stderr } when it exits,
 * or rejects if it is still running after `timeoutMs`, killing it. */
function runApp(env, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const child = spawn(appBinary(), [], {
      env: { ...process.env, HAKOBU_DIAQ_URL: "", HAKOBU_DIAQ_API_KEY: "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the second launch was still running after ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const lockFile = (profile) =>
  path.join(profile.env.XDG_DATA_HOME, "jp.hakobu.dispatcher", "hakobu.lock");

describe("one instance per data directory", () => {
  let bus;
  let profile;
  let app;
  /** The first instance's stderr (its log) so far. */
  let firstLog = "";

  before(async () => {
    bus = await startBus();
    profile = newProfile({ DBUS_SESSION_BUS_ADDRESS: bus.address });
    app = await launch(profile, 3, { onStderr: (chunk) => (firstLog += chunk) });
    await app.browser.waitUntil(async () => (await invoke(app.browser, "app_status")).answer !== undefined, {
      timeout: 20000,
      timeoutMsg: "the first instance answers",
    });
  });

  after(async () => {
    await app?.stop();
    await bus?.stop();
  });

  it("hands a second launch on the same profile to the running window, which comes forward", async () => {
    const forward = /window brought forward for a second launch: unminimized, shown, focused/;
    assert.doesNotMatch(firstLog, forward, "not before a second launch");
    const second = await runApp(profile.env);
    assert.equal(second.code, 0, `the second launch exits cleanly after handing over:\n${second.stderr}`);
    assert.match(second.stderr, /its window was brought forward/, second.stderr);
    // The first instance restored, showed and focused its window (a step that failed would be
    // left out of the line, and warned about).
    await app.browser.waitUntil(async () => forward.test(firstLog), {
      timeout: 10000,
      interval: 100,
      timeoutMsg: `the first instance says it brought its window forward; its log:\n${firstLog.slice(-3000)}`,
    });
    assert.equal(await app.browser.execute(() => document.visibilityState), "visible");
    assert.match(readFileSync(lockFile(profile), "utf8"), /^\d+$/, "the first instance still holds the lock");
    const status = await invoke(app.browser, "app_status");
    assert.ok(status.answer, `the first instance still answers: ${JSON.stringify(status)}`);
  });

  it("refuses a second launch by the data directory's lock where no session bus runs", async () => {
    const second = await runApp({ ...profile.env, DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/bus" });
    assert.notEqual(second.code, 0, "refused");
    assert.match(second.stderr, /already running/, second.stderr);
    assert.match(second.stderr, /jp\.hakobu\.dispatcher/, "the message names the data directory");
    const status = await invoke(app.browser, "app_status");
    assert.ok(status.answer, "the first instance is untouched");
  });

  it("starts another profile as an instance of its own on the same bus", async () => {
    const other = newProfile({ DBUS_SESSION_BUS_ADDRESS: bus.address });
    const child = spawn(appBinary(), [], {
      env: { ...process.env, HAKOBU_DIAQ_URL: "", HAKOBU_DIAQ_API_KEY: "", ...other.env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      await app.browser.waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`the other profile's app exited with ${child.exitCode}`);
          return existsSync(lockFile(other)) && readFileSync(lockFile(other), "utf8").trim() === String(child.pid);
        },
        { timeout: 30000, interval: 100, timeoutMsg: "the other profile's app takes its own lock" },
      );
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
