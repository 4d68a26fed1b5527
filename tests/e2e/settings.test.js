// 設定 in the real window, one launch on the embedded sandbox: a malformed URL is refused at
// its field and a port nothing listens on is said refused there, in the window's language (the
// network's English in the tooltip); 接続テスト against a second sandbox (its own key) says reachable, key accepted and
// the latency, and a wrong key says refused at the key; a save writes the settings and the
// running app switches to that sandbox at once (its URL in the status bar, the sandbox banner
// gone, its orders — and only its — on the board, no restart); restarted, the app is still on
// it; a save the app cannot switch to (the embedded sandbox's database cannot be opened) says
// so with the part that failed and the app stays where it was. Screenshots in Japanese and English.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { byTestId, clickTestId, freePort, launch, newProfile, screenshot, startSandbox, textOf } from "./harness.js";

/** An element's tooltip (its title). */
async function titleOf(browser, testId) {
  return browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.title ?? "", testId);
}

const KEY = "e2e-settings-key";

/** Every order id the sandbox at `url` holds (deliveries and fetches, every page). */
async function orderIds(url) {
  const ids = new Set();
  for (const kind of ["deliveries", "fetches"]) {
    for (let page = 1; page <= 50; page++) {
      const res = await fetch(`${url}/v1/${kind}?page=${page}`, { headers: { "Api-Key": KEY } });
      assert.equal(res.status, 200, `${kind} page ${page}`);
      const found = (await res.text()).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
      const before = ids.size;
      for (const id of found) ids.add(id);
      if (ids.size === before) break;
    }
  }
  return ids;
}

/** The footer's line on where the secrets are, scrolled into view for a screenshot. */
async function showSecretsLine(browser, name) {
  await browser.execute(() => document.querySelector('[data-testid="settings-secrets"]').scrollIntoView());
  await screenshot(browser, name);
}

async function type(browser, testId, value) {
  const input = await browser.$(byTestId(testId));
  await input.waitForDisplayed({ timeout: 10000 });
  await input.clearValue();
  if (value !== "") await input.setValue(value);
}

describe("設定 in the desktop window", () => {
  let profile;
  let app;
  let sandbox;
  let port;

  before(async () => {
    port = await freePort();
    // No session bus (as under CI, even on a desktop that has one): the secrets go to the 0600
    // file, and the view must say so and why.
    profile = newProfile({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(os.tmpdir(), "hakobu-e2e-no-bus")}` });
    sandbox = await startSandbox({ port, apiKey: KEY, db: path.join(profile.root, "second.db"), seed: "tokyo-day" });
    app = await launch(profile);
    await app.browser.execute(() => (location.hash = "#/settings"));
  });

  after(async () => {
    await app?.stop();
    await sandbox?.stop();
  });

  it("refuses a malformed URL at its field, tests a key, saves, switches to the new API at once and stays on it after a restart", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("settings-page"))).waitForDisplayed({ timeout: 20000 });
    assert.ok(await browser.$(byTestId("sandbox-banner")).isExisting(), "starts on the embedded sandbox");
    await screenshot(browser, "settings-ja-empty");

    await type(browser, "settings-diaq_url", "api.dia-9.com");
    await type(browser, "settings-diaq_api_key", KEY);
    await clickTestId(browser, "settings-test-diaq");
    await browser.waitUntil(async () => (await textOf(browser, "settings-issue-diaq_url")) !== "", {
      timeout: 10000,
      timeoutMsg: "the malformed URL is refused at its field",
    });
    assert.equal(
      await textOf(browser, "settings-issue-diaq_url"),
      "https:// で始まる URL を入力してください（例: https://api.example.com）",
    );
    assert.match(await titleOf(browser, "settings-issue-diaq_url"), /must start with https:\/\//, "the English in the tooltip");
    await screenshot(browser, "settings-ja-malformed-url");

    // Nothing listens at this port: said refused, at the URL, in Japanese; the network's
    // English stays in the tooltip. In English likewise.
    const deadPort = await freePort();
    await type(browser, "settings-diaq_url", `http://127.0.0.1:${deadPort}`);
    await clickTestId(browser, "settings-test-diaq");
    await browser.waitUntil(async () => /接続を拒否されました/.test(await textOf(browser, "settings-issue-diaq_url")), {
      timeout: 20000,
      timeoutMsg: "a port nothing listens on is said refused at the URL",
    });
    assert.equal(
      await textOf(browser, "settings-issue-diaq_url"),
      `127.0.0.1:${deadPort} に接続を拒否されました。サービスが動いているか、ポートを確かめてください`,
    );
    assert.match(await titleOf(browser, "settings-issue-diaq_url"), /could not reach the API/);
    assert.match(await textOf(browser, "settings-check-diaq"), /接続できません/);
    await screenshot(browser, "settings-ja-unreachable");
    await clickTestId(browser, "lang-toggle");
    await browser.waitUntil(async () => /refused the connection/.test(await textOf(browser, "settings-issue-diaq_url")), {
      timeout: 5000,
      timeoutMsg: "reworded in English",
    });
    assert.equal(
      await textOf(browser, "settings-issue-diaq_url"),
      `127.0.0.1:${deadPort} refused the connection: is the service running on that port?`,
    );
    await screenshot(browser, "settings-en-unreachable");
    await clickTestId(browser, "lang-toggle");
    await browser.waitUntil(async () => /接続テスト/.test(await textOf(browser, "settings-page")), { timeout: 5000 });

    const url = `http://127.0.0.1:${port}`;
    await type(browser, "settings-diaq_url", url);
    await type(browser, "settings-diaq_api_key", "wrong-key");
    await clickTestId(browser, "settings-test-diaq");
    await browser.waitUntil(async () => /拒否/.test(await textOf(browser, "settings-check-diaq")), {
      timeout: 15000,
      timeoutMsg: "a wrong key is said refused",
    });
    assert.match(await textOf(browser, "settings-issue-diaq_api_key"), /このキーは受け付けられませんでした/);
    assert.match(
      await browser.execute(() => document.querySelector('[data-testid="settings-check-diaq"]').title),
      /unauthorized/,
      "the service's own words stay in the status line's tooltip",
    );
    await screenshot(browser, "settings-ja-key-refused");

    await type(browser, "settings-diaq_api_key", KEY);
    await clickTestId(browser, "settings-test-diaq");
    await browser.waitUntil(async () => /キーは有効です/.test(await textOf(browser, "settings-check-diaq")), {
      timeout: 15000,
      timeoutMsg: "the right key is accepted",
    });
    const check = await textOf(browser, "settings-check-diaq");
    assert.match(check, /接続できました/);
    assert.match(check, /応答 \d+ ms/);
    await screenshot(browser, "settings-ja-key-accepted");

    await clickTestId(browser, "settings-save");
    await browser.waitUntil(async () => (await textOf(browser, "settings-saved")) === "保存して接続しました", {
      timeout: 30000,
      timeoutMsg: "the save says it is saved and connected",
    });
    await browser.execute(() => document.querySelector('[data-testid="settings-saved"]').scrollIntoView());
    await screenshot(browser, "settings-ja-saved");
    const secretsJa = await textOf(browser, "settings-secrets");
    assert.match(secretsJa, /キーリングが使えないため/);
    assert.match(secretsJa, /0600/);
    assert.match(secretsJa, /secrets\.json/);
    // Why, in Japanese (no keyring service on a bus that points nowhere); the keyring's own
    // English in the tooltip.
    assert.match(secretsJa, /キーリングが使えない理由: OS のキーリング（Secret Service）が応答しません/);
    assert.doesNotMatch(secretsJa, /the OS keyring/);
    assert.match(await titleOf(browser, "settings-secrets-why"), /^the OS keyring: /);
    await showSecretsLine(browser, "settings-ja-secrets");
    // The running app is on the saved API now, without a restart: the status bar names it and
    // the sandbox banner is gone.
    await browser.waitUntil(async () => (await textOf(browser, "status-api-url")).includes(String(port)), {
      timeout: 15000,
      timeoutMsg: "the status bar names the saved API",
    });
    await browser.waitUntil(async () => !(await browser.$(byTestId("sandbox-banner")).isExisting()), {
      timeout: 15000,
      timeoutMsg: "the sandbox banner goes",
    });

    await clickTestId(browser, "lang-toggle");
    await browser.waitUntil(async () => /Test connection/.test(await textOf(browser, "settings-page")), {
      timeout: 5000,
    });
    assert.equal(await textOf(browser, "settings-saved"), "Saved and connected");
    await screenshot(browser, "settings-en-saved");
    assert.match(
      await textOf(browser, "settings-secrets"),
      /No OS keyring is available.*0600[\s\S]*Why no keyring: no OS keyring \(Secret Service\) answers/,
    );
    await showSecretsLine(browser, "settings-en-secrets");
    await clickTestId(browser, "lang-toggle");

    // The board shows the second sandbox's orders, and none of the embedded one's.
    const second = await orderIds(url);
    await browser.execute(() => (location.hash = "#/board"));
    await browser.waitUntil(
      async () => {
        const shown = await browser.execute(() =>
          [...document.querySelectorAll('[data-testid="board-card"]')].map((c) => c.dataset.orderId),
        );
        return shown.length > 0 && shown.every((id) => second.has(id));
      },
      { timeout: 60000, timeoutMsg: "the board shows only the second sandbox's orders" },
    );
    await screenshot(browser, "settings-ja-board-after-switch");

    await app.stop();
    app = await launch(profile);
    const again = app.browser;
    await again.waitUntil(async () => (await textOf(again, "status-api-url")).includes(String(port)), {
      timeout: 30000,
      timeoutMsg: "restarted on the saved API",
    });
    await again.waitUntil(async () => (await again.$$(byTestId("board-card"))).length > 0, {
      timeout: 60000,
      timeoutMsg: "the board shows the second sandbox's orders",
    });
    await again.execute(() => (location.hash = "#/settings"));
    await (await again.$(byTestId("settings-page"))).waitForDisplayed({ timeout: 20000 });
    const saved = await again.execute(() => document.querySelector('[data-testid="settings-diaq_url"]')?.value ?? "");
    assert.equal(saved, url);
    await screenshot(again, "settings-ja-after-restart");

    // Back to the embedded sandbox, which cannot open its database now (its directory is a
    // file): saved, not connected, the reason said, the app still on the second sandbox.
    const dataDir = path.join(profile.root, "data", "jp.hakobu.dispatcher");
    renameSync(path.join(dataDir, "sandbox"), path.join(dataDir, "sandbox.moved"));
    writeFileSync(path.join(dataDir, "sandbox"), "not a directory");
    // clearValue() fires no input event: the bound form would keep the URL.
    await again.execute(() => {
      const input = document.querySelector('[data-testid="settings-diaq_url"]');
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await clickTestId(again, "settings-save");
    await again.waitUntil(async () => /保存しましたが/.test(await textOf(again, "settings-not-connected")), {
      timeout: 30000,
      timeoutMsg: "the save says it could not connect",
    });
    const notConnected = await textOf(again, "settings-not-connected");
    assert.match(notConnected, /（内蔵サンドボックスを起動できません）/);
    assert.doesNotMatch(notConnected, /the embedded sandbox/);
    assert.match(notConnected, /以前の設定のまま動いています/);
    assert.match(await titleOf(again, "settings-not-connected"), /the embedded sandbox: .*sandbox\/diaq\.db: /, "the error in the tooltip");
    assert.ok((await textOf(again, "status-api-url")).includes(String(port)), "still on the second sandbox");
    assert.ok(!(await again.$(byTestId("sandbox-banner")).isExisting()));
    await again.execute(() => document.querySelector('[data-testid="settings-not-connected"]').scrollIntoView());
    await screenshot(again, "settings-ja-not-connected");
    await clickTestId(again, "lang-toggle");
    await again.waitUntil(async () => /Saved, but/.test(await textOf(again, "settings-not-connected")), { timeout: 5000 });
    assert.match(await textOf(again, "settings-not-connected"), /\(the embedded sandbox did not start\)/);
    await again.execute(() => document.querySelector('[data-testid="settings-not-connected"]').scrollIntoView());
    await screenshot(again, "settings-en-not-connected");
    await clickTestId(again, "lang-toggle");
  });
});
