// 設定 in the real window, one launch on the embedded sandbox: a malformed URL is refused at
// its field; 接続テスト against a second sandbox (its own key) says reachable, key accepted and
// the latency, and a wrong key says refused at the key; a save writes the settings and says
// they apply at the next start; restarted, the app is on that sandbox (its URL in the status
// bar, its orders on the board). Screenshots in Japanese and English.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { byTestId, clickTestId, freePort, launch, newProfile, screenshot, startSandbox, textOf } from "./harness.js";

const KEY = "e2e-settings-key";

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

  it("refuses a malformed URL at its field, tests a key, saves, and is on the new API after a restart", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("settings-page"))).waitForDisplayed({ timeout: 20000 });
    await screenshot(browser, "settings-ja-empty");

    await type(browser, "settings-diaq_url", "api.dia-9.com");
    await type(browser, "settings-diaq_api_key", KEY);
    await clickTestId(browser, "settings-test-diaq");
    await browser.waitUntil(async () => (await textOf(browser, "settings-issue-diaq_url")) !== "", {
      timeout: 10000,
      timeoutMsg: "the malformed URL is refused at its field",
    });
    assert.match(await textOf(browser, "settings-issue-diaq_url"), /https:\/\//);
    await screenshot(browser, "settings-ja-malformed-url");

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
    await browser.waitUntil(async () => /再起動/.test(await textOf(browser, "settings-saved")), {
      timeout: 20000,
      timeoutMsg: "the save says it applies at the next start",
    });
    await screenshot(browser, "settings-ja-saved");
    const secretsJa = await textOf(browser, "settings-secrets");
    assert.match(secretsJa, /キーリングが使えないため/);
    assert.match(secretsJa, /0600/);
    assert.match(secretsJa, /secrets\.json/);
    assert.match(secretsJa, /キーリングが使えない理由: the OS keyring: /);
    await showSecretsLine(browser, "settings-ja-secrets");
    // The running app keeps its configuration until restarted.
    assert.doesNotMatch(await textOf(browser, "status-api-url"), new RegExp(String(port)));

    await clickTestId(browser, "lang-toggle");
    await browser.waitUntil(async () => /Test connection/.test(await textOf(browser, "settings-page")), {
      timeout: 5000,
    });
    await screenshot(browser, "settings-en-saved");
    assert.match(await textOf(browser, "settings-secrets"), /No OS keyring is available.*0600[\s\S]*Why no keyring: the OS keyring: /);
    await showSecretsLine(browser, "settings-en-secrets");
    await clickTestId(browser, "lang-toggle");

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
  });
});
