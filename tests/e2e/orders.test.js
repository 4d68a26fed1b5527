// The deliveries page through the real window, on the embedded sandbox's demo day (48 orders
// from the twelve stores, simulated drivers moving them along).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { byTestId, launch, newProfile, screenshot } from "./harness.js";

async function rowTexts(browser) {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="order-row"]'), (r) => r.innerText),
  );
}

async function waitForRows(browser, predicate, message) {
  await browser.waitUntil(async () => predicate(await rowTexts(browser)), {
    timeout: 20000,
    interval: 250,
    timeoutMsg: message,
  });
}

describe("deliveries in the desktop window", () => {
  const profile = newProfile();
  let app;

  before(async () => {
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
  });

  it("lists the demo day's deliveries from the cache after a sync", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("nav-orders"))).click();
    await (await browser.$(byTestId("orders-page"))).waitForDisplayed({ timeout: 10000 });
    // The demo's windows may fall today or tomorrow depending on the hour: look at all dates.
    await (await browser.$(byTestId("orders-date-all"))).click();
    await waitForRows(browser, (t) => t.length >= 30, "the demo day's deliveries appear");
    const texts = await rowTexts(browser);
    assert.ok(texts.every((t) => /\d{12}/.test(t)), "each row shows its 12-digit tracking code");
    assert.ok(texts.some((t) => t.includes("ハコブ商店")), "store names resolved");
    await screenshot(browser, "10-deliveries");
  });

  it("filters by search and opens a delivery's details", async () => {
    const { browser } = app;
    const first = (await rowTexts(browser))[0];
    const code = first.match(/\d{12}/)[0];
    await (await browser.$(byTestId("orders-search"))).setValue(code);
    await waitForRows(browser, (t) => t.length === 1 && t[0].includes(code), "search by tracking code");
    const row = (await browser.$$(byTestId("order-row")))[0];
    await (await row.$("td:nth-child(2)")).click();
    const detail = await browser.$(byTestId("order-detail"));
    await detail.waitForDisplayed({ timeout: 5000 });
    assert.match(await detail.getText(), new RegExp(code));
    await screenshot(browser, "11-delivery-detail");
  });

  it("switches to fetches", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("orders-search"))).clearValue();
    await browser.keys(["Escape"]);
    await (await browser.$(byTestId("orders-kind-fetch"))).click();
    await waitForRows(browser, (t) => t.length >= 6, "the demo day's fetches appear");
    await screenshot(browser, "12-fetches");
  });
});
