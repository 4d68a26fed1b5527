// The 新規依頼 form through the real window, on the embedded sandbox: a postal code fills the
// address from the offline gazetteer, line 1 is normalised, an estimate holds windows, API
// refusals land at their inputs (nested package paths included), the draft survives a restart,
// and a create lands on the new order's detail.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { byTestId, launch, newProfile, screenshot, waitForFileContaining } from "./harness.js";

/** Reads from the page (prefer these to WebDriver element calls: fewer round trips, no staleness). */
const read = (browser, testid, prop = "value") =>
  browser.execute(
    (id, prop) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return el ? (prop === "text" ? el.innerText : el[prop]) : null;
    },
    testid,
    prop,
  );

/** Sets a select, date or time input as the user would leave it (input + change events). */
const setField = (browser, testid, value) =>
  browser.execute(
    (id, value) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      el.focus();
      el.value = value;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    },
    testid,
    value,
  );

/** Types into a text input with real keystrokes after clearing it. */
async function typeInto(browser, testid, text) {
  const el = await browser.$(byTestId(testid));
  await el.scrollIntoView({ block: "center" });
  await el.click();
  await el.clearValue();
  await el.setValue(text);
}

const exists = (browser, testid) =>
  browser.execute((id) => document.querySelector(`[data-testid="${id}"]`) !== null, testid);

/** A screenshot once the page has painted what the test just did (the harness waits for it). */
async function shot(browser, name) {
  await screenshot(browser, name);
}

async function waitFor(browser, predicate, timeoutMsg, timeout = 20000) {
  await browser.waitUntil(predicate, { timeout, interval: 200, timeoutMsg });
}

async function openNewOrder(browser) {
  await (await browser.$(byTestId("nav-new"))).click();
  await (await browser.$(byTestId("new-order-page"))).waitForDisplayed({ timeout: 15000 });
  await waitFor(
    browser,
    async () => (await browser.execute(() => document.querySelector('[data-testid="new-order-store"]')?.options.length ?? 0)) > 1,
    "the cached stores fill the store select",
  );
}

describe("new order in the desktop window", () => {
  const profile = newProfile();
  let app;
  let storeId;

  before(async () => {
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
  });

  it("opens an empty form with the stores offering deliveries", async () => {
    const { browser } = app;
    await openNewOrder(browser);
    assert.equal(await browser.execute(() => location.hash), "#/new");
    storeId = await browser.execute(() => document.querySelector('[data-testid="new-order-store"]').options[1].value);
    assert.match(storeId, /^[0-9a-f-]{36}$/);
    assert.match(await read(browser, "new-order-ready-date"), /^\d{4}-\d{2}-\d{2}$/);
    assert.match(await read(browser, "new-order-ready-time"), /^\d{2}:(00|15|30|45)$/);
    assert.equal(await read(browser, "new-order-create", "disabled"), true);
    await shot(browser, "30-new-order-empty");
  });

  it("offers a town picker when one postal code covers several towns", async () => {
    const { browser } = app;
    // 028-8407 (岩手県下閉伊郡田野畑村) covers four towns in Japan Post's list.
    await typeInto(browser, "new-order-zipcode", "0288407");
    await waitFor(browser, () => exists(browser, "new-order-town-picker"), "the town picker");
    const towns = await browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="new-order-town-option"]'), (o) => o.value),
    );
    assert.ok(towns.length >= 4 && towns.includes("和野"), JSON.stringify(towns));
    await screenshot(browser, "29-new-order-town-picker");
    await browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="new-order-town-option"]')).find((o) => o.value === "和野").click(),
    );
    await waitFor(browser, async () => (await read(browser, "new-order-line1")).includes("和野"), "the picked town fills line 1");
    assert.equal(await read(browser, "new-order-prefecture"), "岩手県");
  });

  it("fills the address from the postal code and normalises line 1", async () => {
    const { browser } = app;
    await setField(browser, "new-order-store", storeId);
    await typeInto(browser, "new-order-zipcode", "1060045");
    await waitFor(browser, async () => (await read(browser, "new-order-line1")) === "港区麻布十番", "postal autofill of line 1");
    assert.equal(await read(browser, "new-order-prefecture"), "東京都");
    assert.equal(await read(browser, "new-order-zipcode"), "106-0045");

    await typeInto(browser, "new-order-line1", "港区麻布十番1-4-6 麻布ビル3階");
    await (await browser.$(byTestId("new-order-last-name"))).click(); // leaves line 1
    await waitFor(browser, () => exists(browser, "new-order-geo-level"), "the geocode level after normalising");
    assert.equal(await read(browser, "new-order-line2"), "麻布ビル3階");
    assert.ok(!(await read(browser, "new-order-line1")).includes("麻布ビル"), await read(browser, "new-order-line1"));
    assert.equal((await read(browser, "new-order-geo-level", "text")).trim(), "町丁目まで特定");

    await typeInto(browser, "new-order-last-name", "吉沢");
    await typeInto(browser, "new-order-first-name", "健二");
    await typeInto(browser, "new-order-phone", "03-1234-5678");
    await typeInto(browser, "new-order-package-0-name", "衣料");
  });

  it("keeps the draft across a restart", async () => {
    await waitFor(
      app.browser,
      async () => ((await app.browser.execute(() => localStorage.getItem("hakobu.newOrderDraft.delivery"))) ?? "").includes("衣料"),
      "the whole draft is in localStorage",
    );
    // WebKit writes localStorage to disk on its own schedule (about once a second) and the
    // harness ends the app with SIGTERM: wait until the draft is in a file of the profile.
    await waitForFileContaining(profile.env.XDG_DATA_HOME, Buffer.from("麻布ビル3階", "utf16le"));
    await app.stop();
    app = await launch(profile);
    const { browser } = app;
    await openNewOrder(browser);
    await waitFor(browser, async () => (await read(browser, "new-order-last-name")) === "吉沢", "the draft comes back");
    assert.equal(await read(browser, "new-order-store"), storeId);
    assert.equal(await read(browser, "new-order-line2"), "麻布ビル3階");
    assert.equal(await read(browser, "new-order-package-0-name"), "衣料");
  });

  it("puts a package's refused field on its row and keeps what was typed", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("new-order-add-package"))).click();
    await typeInto(browser, "new-order-package-1-name", "花瓶");
    await typeInto(browser, "new-order-package-1-attention", "割れ物");
    await typeInto(browser, "new-order-package-1-boxes", "11");
    // Enter in the last package row submits nothing.
    await browser.keys(["Enter"]);
    await (await browser.$(byTestId("new-order-estimate"))).click();
    const errorId = "new-order-error-packages[1].boxes";
    await waitFor(browser, () => exists(browser, errorId), "the boxes error under package 2");
    const inRow = await browser.execute(
      (id) => document.querySelector(`[data-testid="${id}"]`).closest('[data-testid="new-order-package-1"]') !== null,
      errorId,
    );
    assert.ok(inRow, "the error sits in the second package's row");
    assert.match(await read(browser, errorId, "text"), /1〜10の整数/);
    assert.match(await read(browser, errorId, "text"), /must be an integer from 1 to 10/);
    assert.equal(await read(browser, "new-order-package-1-name"), "花瓶");
    assert.equal(await read(browser, "new-order-package-1-attention"), "割れ物");
    assert.equal(await read(browser, "new-order-last-name"), "吉沢");
    await browser.execute(() => document.querySelector(`[data-testid="${"new-order-package-1"}"]`).scrollIntoView({ block: "center" }));
    await shot(browser, "31-new-order-field-error");
    await typeInto(browser, "new-order-package-1-boxes", "2");
    assert.equal(await exists(browser, errorId), false);
  });

  it("estimates: both held windows, the price, distance and a countdown", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("new-order-estimate"))).click();
    await waitFor(browser, () => exists(browser, "new-order-window-time"), "the held time window", 30000);
    assert.match(await read(browser, "new-order-window-time", "text"), /\d{1,2}\/\d{1,2}\s+\d{2}:\d{2}–\d{2}:\d{2}/);
    assert.match(await read(browser, "new-order-window-anytime", "text"), /時間指定なし/);
    assert.equal(await read(browser, "new-order-window-time", "ariaPressed"), "true");
    assert.match(await read(browser, "new-order-total", "text"), /^¥[\d,]+$/);
    const first = await read(browser, "new-order-expiry", "text");
    assert.match(first, /\d{2}:\d{2}/);
    await waitFor(browser, async () => (await read(browser, "new-order-expiry", "text")) !== first, "the countdown moves", 5000);
    assert.equal(await read(browser, "new-order-create", "disabled"), false);
    await browser.execute(() => document.querySelector('[data-testid="new-order-page"]')?.scrollTo(0, 0));
    await shot(browser, "32-new-order-estimated");
  });

  it("reads in English too", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("lang-toggle"))).click();
    await waitFor(browser, async () => /Estimate/.test(await read(browser, "new-order-estimate", "text")), "English labels");
    assert.match(await read(browser, "new-order-window-anytime", "text"), /anytime/i);
    await shot(browser, "33-new-order-english");
    await browser.execute(() => document.querySelector(`[data-testid="new-order-package-1"]`).scrollIntoView({ block: "center" }));
    await shot(browser, "34-new-order-english-packages");
    await (await browser.$(byTestId("lang-toggle"))).click();
    await waitFor(browser, async () => /見積/.test(await read(browser, "new-order-estimate", "text")), "Japanese labels again");
  });

  it("puts a refused phone at its input, then creates and lands on the order's detail", async () => {
    const { browser } = app;
    await typeInto(browser, "new-order-phone", "03-1234");
    await (await browser.$(byTestId("new-order-create"))).click();
    const errorId = "new-order-error-customer.phone";
    await waitFor(browser, () => exists(browser, errorId), "the phone error at its input");
    assert.match(await read(browser, errorId, "text"), /03-1234-5678/);
    assert.equal(await browser.execute(() => location.hash), "#/new");
    await shot(browser, "35-new-order-phone-error");

    await typeInto(browser, "new-order-phone", "03-1234-5678");
    await (await browser.$(byTestId("new-order-create"))).click();
    await waitFor(
      browser,
      async () => /^#\/orders\/delivery\/[0-9a-f-]{36}$/.test(await browser.execute(() => location.hash)),
      "the order's deep link",
    );
    const id = (await browser.execute(() => location.hash)).split("/").pop();
    // The draft is gone once the order exists.
    assert.equal(await browser.execute(() => localStorage.getItem("hakobu.newOrderDraft.delivery")), null);
    await waitFor(
      browser,
      () => browser.execute((id) => document.querySelector(`[data-testid="order-detail"][data-order-id="${id}"]`) !== null, id),
      "the new order's detail",
    );
    await waitFor(browser, async () => /^\d{12}$/.test((await read(browser, "order-detail-code", "text")) ?? ""), "its tracking code");
    await shot(browser, "36-new-order-created");
  });

  it("estimates and creates a fetch (回収, deliver_by) the same way", async () => {
    const { browser } = app;
    await openNewOrder(browser);
    await (await browser.$(byTestId("new-order-kind-fetch"))).click();
    await waitFor(browser, async () => (await browser.execute(() => document.querySelector('[data-testid="new-order-page"]').dataset.kind)) === "fetch", "the fetch form");
    const fetchStore = await browser.execute(() => document.querySelector('[data-testid="new-order-store"]').options[1]?.value ?? null);
    assert.ok(fetchStore, "a store offers fetches");
    await setField(browser, "new-order-store", fetchStore);
    await typeInto(browser, "new-order-zipcode", "1500002");
    await waitFor(browser, async () => (await read(browser, "new-order-line1")).startsWith("渋谷区"), "postal autofill");
    await typeInto(browser, "new-order-line1", `${await read(browser, "new-order-line1")}2-21-1`);
    await typeInto(browser, "new-order-last-name", "鈴木");
    await typeInto(browser, "new-order-phone", "0398765432");
    await (await browser.$(byTestId("new-order-estimate"))).click();
    await waitFor(browser, () => exists(browser, "new-order-window-anytime"), "a held window for the fetch", 30000);
    await (await browser.$(byTestId("new-order-window-anytime"))).click();
    await typeInto(browser, "new-order-hint", "10:00");
    await shot(browser, "37-new-order-fetch-estimated");
    await (await browser.$(byTestId("new-order-create"))).click();
    await waitFor(
      browser,
      async () => /^#\/orders\/fetch\/[0-9a-f-]{36}$/.test(await browser.execute(() => location.hash)),
      "the fetch's deep link",
    );
  });
});
