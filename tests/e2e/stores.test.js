// The walking skeleton through the real window: seeded stores, create, a validation error,
// edit, delete, restart and find every change persisted.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { byTestId, launch, newProfile, screenshot, textOf } from "./harness.js";

const SEEDED = 12;
const NEW_STORE = {
  id_alias: "E2E01",
  store_name: "ハコブ商店 六本木ヒルズ店",
  store_address_zipcode: "106-0032",
  store_address_prefecture: "東京都",
  store_address_line_1: "港区六本木6-10-1",
  store_address_line_2: "ヒルズ ウェストウォーク 3階",
  store_phone: "03-6406-6000",
};
const EDITED_NAME = "ハコブ商店 六本木ヒルズ東館";
const DELETED_ALIAS = "S0012";

async function rows(browser) {
  return browser.$$(byTestId("store-row"));
}

// innerText of every row, read in the page: WebKitWebDriver's element text comes back empty
// for table rows inside the scrolling table.
async function rowTexts(browser) {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="store-row"]'), (r) => r.innerText),
  );
}

async function waitForRows(browser, predicate, message) {
  await browser.waitUntil(async () => predicate(await rowTexts(browser)), {
    timeout: 15000,
    interval: 200,
    timeoutMsg: message,
  });
}

async function cellOfRowContaining(browser, text) {
  const texts = await rowTexts(browser);
  const index = texts.findIndex((t) => t.includes(text));
  if (index < 0) throw new Error(`no store row contains ${text}`);
  // The name cell, as a person clicks it: WebKitWebDriver will not click a <tr> itself.
  return (await rows(browser))[index].$("td:nth-child(2)");
}

async function fill(browser, values) {
  for (const [name, value] of Object.entries(values)) {
    const input = await browser.$(`${byTestId("store-form")} [name="${name}"]`);
    await input.waitForDisplayed({ timeout: 5000 });
    await input.clearValue();
    await input.setValue(value);
  }
}

async function formValue(browser, name) {
  return (await browser.$(`${byTestId("store-form")} [name="${name}"]`)).getValue();
}

describe("stores in the desktop window", () => {
  const profile = newProfile();
  let app;

  before(async () => {
    app = await launch(profile);
    // The app opens on the board; these tests are about the stores page.
    await app.browser.execute(() => (location.hash = "#/stores"));
  });

  after(async () => {
    await app?.stop();
  });

  it("shows the sandbox banner and the seeded Tokyo stores in Japanese", async () => {
    const { browser } = app;
    const banner = await browser.$(byTestId("sandbox-banner"));
    await banner.waitForDisplayed({ timeout: 20000 });
    assert.match(await banner.getText(), /サンドボックス/);
    await waitForRows(browser, (t) => t.length === SEEDED, `expected ${SEEDED} seeded stores`);
    const texts = await rowTexts(browser);
    assert.ok(texts.some((t) => t.includes("麻布十番")), texts.join("\n"));
    // innerText read in the page: WebKitWebDriver's getText() comes back empty for rail links.
    assert.match(await textOf(browser, "nav-stores"), /店舗/);
    assert.match(await (await browser.$(byTestId("status-bar"))).getText(), /オンライン/);
    // The offline basemap: served by the app itself, fetched under its CSP, drawn on a canvas.
    const credit = await browser.$(byTestId("map-attribution-basemap"));
    await credit.waitForDisplayed({ timeout: 10000 });
    assert.match(await credit.getText(), /出典：気象庁ホームページ/);
    assert.ok(
      await browser.execute(() => document.querySelector('[data-testid="stores-map"] canvas') !== null),
      "the basemap canvas is in the map",
    );
    await screenshot(browser, "01-seeded-stores");
  });

  it("creates a store through the form", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("store-new"))).click();
    await (await browser.$(byTestId("store-form"))).waitForDisplayed({ timeout: 5000 });
    assert.equal(await formValue(browser, "store_type"), "standalone_store", "document default");
    assert.equal(await formValue(browser, "pickup_proof"), "signature", "document default");
    await fill(browser, NEW_STORE);
    await screenshot(browser, "02-create-form");
    await (await browser.$(byTestId("store-save"))).click();
    await (await browser.$(byTestId("toast"))).waitForDisplayed({ timeout: 10000 });
    await waitForRows(browser, (t) => t.length === SEEDED + 1, "the new store appears");
    const created = (await rowTexts(browser)).find((t) => t.includes(NEW_STORE.store_name));
    assert.match(created, /106-0032/);
    await screenshot(browser, "03-store-created");
  });

  it("shows the API's error under a bad zipcode and keeps what was typed", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("store-new"))).click();
    const typed = { ...NEW_STORE, id_alias: "E2E02", store_name: "郵便番号まちがい店", store_address_zipcode: "1060032" };
    await fill(browser, typed);
    await (await browser.$(byTestId("store-save"))).click();
    const error = await browser.$(byTestId("field-error-store_address_zipcode"));
    await error.waitForDisplayed({ timeout: 10000 });
    assert.match(await error.getText(), /\\d\{3\}\[-\]\\d\{4\}/);
    assert.equal(await formValue(browser, "store_name"), typed.store_name);
    assert.equal(await formValue(browser, "store_address_zipcode"), "1060032");
    assert.ok(await (await browser.$(byTestId("store-form"))).isDisplayed(), "the form stays open");
    await screenshot(browser, "04-zipcode-error");
    await (await browser.$(byTestId("store-cancel"))).click();
    await (await browser.$(byTestId("store-form"))).waitForDisplayed({ reverse: true, timeout: 5000 });
    assert.equal((await rows(browser)).length, SEEDED + 1, "nothing was created");
  });

  it("edits the new store", async () => {
    const { browser } = app;
    await (await cellOfRowContaining(browser, NEW_STORE.store_name)).click();
    await (await browser.$(byTestId("store-form"))).waitForDisplayed({ timeout: 5000 });
    assert.equal(await formValue(browser, "store_name"), NEW_STORE.store_name);
    await fill(browser, { store_name: EDITED_NAME, store_phone: "0364066001" });
    await (await browser.$(byTestId("store-save"))).click();
    await waitForRows(browser, (t) => t.some((x) => x.includes(EDITED_NAME)), "the edited name shows");
    const edited = (await rowTexts(browser)).find((t) => t.includes(EDITED_NAME));
    assert.match(edited, /0364066001/);
    await screenshot(browser, "05-store-edited");
  });

  it("deletes a store after confirming", async () => {
    const { browser } = app;
    await (await cellOfRowContaining(browser, DELETED_ALIAS)).click();
    await (await browser.$(byTestId("store-delete"))).click();
    const dialog = await browser.$(byTestId("confirm-dialog"));
    await dialog.waitForDisplayed({ timeout: 5000 });
    await screenshot(browser, "06-confirm-delete");
    await (await browser.$(byTestId("confirm-ok"))).click();
    await waitForRows(browser, (t) => !t.some((x) => x.includes(DELETED_ALIAS)), "the deleted store goes");
    assert.equal((await rows(browser)).length, SEEDED);
  });

  it("finds every change after a restart", async () => {
    await app.stop();
    app = await launch(profile);
    // The app opens on the board; these tests are about the stores page.
    await app.browser.execute(() => (location.hash = "#/stores"));
    const { browser } = app;
    await (await browser.$(byTestId("sandbox-banner"))).waitForDisplayed({ timeout: 20000 });
    await waitForRows(browser, (t) => t.length === SEEDED, "the same stores after restart");
    const texts = await rowTexts(browser);
    assert.ok(texts.some((t) => t.includes(EDITED_NAME)), "edit persisted");
    assert.ok(!texts.some((t) => t.includes(DELETED_ALIAS)), "delete persisted");
    assert.ok(!texts.some((t) => t.includes("郵便番号まちがい店")), "the rejected store never existed");
    await screenshot(browser, "07-after-restart");
  });

  it("searches the cached stores and switches to English", async () => {
    const { browser } = app;
    const search = await browser.$(byTestId("stores-search"));
    await search.setValue("吉祥寺");
    await waitForRows(browser, (t) => t.length === 1 && t[0].includes("吉祥寺"), "search narrows to one");
    await search.clearValue();
    await waitForRows(browser, (t) => t.length === SEEDED, "clearing the search lists every store again");
    await (await browser.$(byTestId("lang-toggle"))).click();
    await browser.waitUntil(async () => /Stores/.test(await textOf(browser, "nav-stores")), {
      timeout: 5000,
      timeoutMsg: "navigation switches to English",
    });
    assert.match(await (await browser.$(byTestId("sandbox-banner"))).getText(), /[Ss]andbox/);
    await screenshot(browser, "08-english");
  });
});
