// Offline writes through the real window: with the DIAq API unreachable, a new store waits in
// the outbox (the status bar says so and the panel lists it); when the API comes up, "send now"
// applies it once and the store appears.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { byTestId, freePort, launch, newProfile, screenshot, startSandbox } from "./harness.js";

const API_KEY = "e2e-offline-key";
const STORE = {
  id_alias: "OFF01",
  store_name: "ハコブ商店 オフライン登録店",
  store_address_zipcode: "150-0043",
  store_address_prefecture: "東京都",
  store_address_line_1: "渋谷区道玄坂2-29-1",
  store_address_line_2: "",
  store_phone: "03-5555-0101",
};

async function fill(browser, values) {
  for (const [name, value] of Object.entries(values)) {
    const input = await browser.$(`${byTestId("store-form")} [name="${name}"]`);
    await input.waitForDisplayed({ timeout: 5000 });
    await input.clearValue();
    if (value !== "") await input.setValue(value);
  }
}

async function text(browser, testId) {
  return browser.execute((id) => document.querySelector(`[data-testid="${id}"]`)?.innerText ?? "", testId);
}

describe("writes made offline in the desktop window", () => {
  let port;
  let profile;
  let app;
  let sandbox;

  before(async () => {
    port = await freePort();
    profile = newProfile({
      HAKOBU_DIAQ_URL: `http://127.0.0.1:${port}`,
      HAKOBU_DIAQ_API_KEY: API_KEY,
    });
    app = await launch(profile);
    // The app opens on the board; these tests are about the stores page.
    await app.browser.execute(() => (location.hash = "#/stores"));
  });

  after(async () => {
    await app?.stop();
    await sandbox?.stop();
  });

  it("queues a new store while the API does not answer, and says so", async () => {
    const { browser } = app;
    await browser.waitUntil(async () => /オフライン/.test(await text(browser, "status-bar")), {
      timeout: 20000,
      timeoutMsg: "the status bar says offline",
    });
    await (await browser.$(byTestId("store-new"))).click();
    await (await browser.$(byTestId("store-form"))).waitForDisplayed({ timeout: 5000 });
    await fill(browser, STORE);
    await (await browser.$(byTestId("store-save"))).click();
    await (await browser.$(byTestId("store-form"))).waitForDisplayed({ reverse: true, timeout: 15000 });
    assert.match(await text(browser, "toast"), /保存待ち/);
    const pending = await browser.$(byTestId("status-pending-writes"));
    await pending.waitForDisplayed({ timeout: 10000 });
    assert.match(await text(browser, "status-pending-writes"), /保存待ち 1/);
    await (await browser.$(byTestId("status-outbox"))).click();
    await (await browser.$(byTestId("outbox-panel"))).waitForDisplayed({ timeout: 5000 });
    await browser.waitUntil(async () => (await text(browser, "outbox-rows")).includes(STORE.store_name), {
      timeout: 5000,
      timeoutMsg: "the panel lists the queued store",
    });
    assert.match(await text(browser, "outbox-rows"), /店舗の登録/);
    await screenshot(browser, "20-outbox-queued");
  });

  it("sends it once the API answers, and the store appears", async () => {
    const { browser } = app;
    sandbox = await startSandbox({ port, apiKey: API_KEY, db: path.join(profile.root, "api.db") });
    await (await browser.$(byTestId("outbox-send-now"))).click();
    await (await browser.$(byTestId("outbox-empty"))).waitForDisplayed({ timeout: 15000 });
    await browser.waitUntil(
      async () =>
        (await browser.execute(() =>
          Array.from(document.querySelectorAll('[data-testid="store-row"]'), (r) => r.innerText).join("\n"),
        )).includes(STORE.store_name),
      { timeout: 15000, timeoutMsg: "the sent store is in the list" },
    );
    await browser.waitUntil(async () => /オンライン/.test(await text(browser, "status-bar")), {
      timeout: 15000,
      timeoutMsg: "the status bar says online",
    });
    await screenshot(browser, "21-outbox-sent");
    await browser.keys("Escape");
    await (await browser.$(byTestId("status-pending-writes"))).waitForDisplayed({ reverse: true, timeout: 10000 });
  });
});
