// The embedded sandbox's demo day (48 orders from the twelve stores, simulated drivers moving
// them along) on the board and in the list, through the real window.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { byTestId, launch, newProfile, repoRoot, screenshot } from "./harness.js";

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

  it("shows the embedded demo day on the board and in the list", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("board-page"))).waitForDisplayed({ timeout: 20000 });
    // The demo's windows may fall today or tomorrow depending on the hour: look at all dates.
    await browser.execute(() => document.querySelector('[data-testid="board-date-all"]').click());
    await browser.waitUntil(
      async () => (await browser.execute(() => document.querySelectorAll('[data-testid="board-card"]').length)) >= 30,
      { timeout: 30000, interval: 250, timeoutMsg: "the demo day reaches the board" },
    );
    await screenshot(browser, "09-board-sandbox");
    await (await browser.$(byTestId("nav-orders"))).click();
    await (await browser.$(byTestId("list-page"))).waitForDisplayed({ timeout: 10000 });
    // The table draws only the rows in view: the count says how many there are.
    await browser.waitUntil(
      async () => Number(await browser.execute(() => document.querySelector('[data-testid="list-count"]')?.dataset.total)) >= 30,
      { timeout: 20000, interval: 250, timeoutMsg: "the demo day's orders are in the list" },
    );
    await waitForRows(browser, (t) => t.length >= 10, "the rows in view are drawn");
    const texts = await rowTexts(browser);
    assert.ok(texts.every((t) => /\d{12}/.test(t)), "each row shows its 12-digit tracking code");
    assert.ok(texts.some((t) => t.includes("ハコブ商店")), "store names resolved");
    await screenshot(browser, "10-list-sandbox");
  });

  it("filters the list by search and opens an order's details", async () => {
    const { browser } = app;
    const first = (await rowTexts(browser))[0];
    const code = first.match(/\d{12}/)[0];
    await (await browser.$(byTestId("list-search"))).setValue(code);
    await waitForRows(browser, (t) => t.length === 1 && t[0].includes(code), "search by tracking code");
    await browser.execute(() => document.querySelector('[data-testid="order-row"] [data-col="customer"]').click());
    const detail = await browser.$(byTestId("order-detail"));
    await detail.waitForDisplayed({ timeout: 5000 });
    await browser.waitUntil(
      async () => (await browser.execute(() => document.querySelector('[data-testid="order-detail"]')?.innerText ?? "")).includes(code),
      { timeout: 10000, timeoutMsg: "the detail shows the order" },
    );
    await screenshot(browser, "11-order-detail-sandbox");
  });

  it("switches to fetches", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("list-search"))).clearValue();
    await browser.execute(() => {
      const el = document.querySelector('[data-testid="list-search"]');
      el.value = "";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await browser.execute(() => document.querySelector('[data-testid="list-kind-fetch"]').click());
    await waitForRows(browser, (t) => t.length >= 6 && t.every((x) => /回収/.test(x)), "the demo day's fetches appear");
    await screenshot(browser, "12-fetches");
  });

  // The commands the live map and the window calendar will call, through the real IPC: the
  // simulated drivers' webhooks reach the cache, and the grid is drawn from the cache.
  it("answers the driver, time-zone and window-grid commands from the cache", async () => {
    const { browser } = app;
    const invoke = (command, args) =>
      browser.executeAsync(
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
    let drivers = [];
    await browser.waitUntil(
      async () => {
        drivers = (await invoke("list_drivers", {})).answer ?? [];
        return drivers.length > 0;
      },
      { timeout: 30000, interval: 500, timeoutMsg: "a simulated driver's location reached the cache" },
    );
    assert.ok(drivers.every((d) => d.lat > 35 && d.lat < 36.5 && d.lng > 139 && d.lng < 140.5), JSON.stringify(drivers));
    const trail = await invoke("driver_trail", { id: drivers[0].id });
    assert.ok(trail.answer.length >= 1, JSON.stringify(trail));

    const zones = await invoke("list_time_zones", {});
    assert.equal(zones.answer.length, 19, JSON.stringify(zones));

    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
    const grid = await invoke("slot_grid", { storeId: "5eed0000-0000-4000-8000-000000000001", startDate: today });
    assert.equal(grid.answer.days.length, 14);
    assert.ok(grid.answer.days.every((d) => d.cells.length === 18));
    const bad = await invoke("slot_grid", { storeId: "5eed0000-0000-4000-8000-000000000001", startDate: "24-11-2026" });
    const refusal = JSON.parse(bad.refusal);
    assert.equal(refusal.code, "bad_request");
    assert.equal(refusal.field, "start_date");

    // The planning import reads a spreadsheet's Shift_JIS export and reports every row.
    const fixture = path.join(repoRoot, "crates/dispatch/tests/fixtures/stops_shift_jis.csv");
    const report = await invoke("import_batch", { path: fixture });
    assert.equal(report.answer.encoding, "Shift_JIS", JSON.stringify(report));
    assert.ok(report.answer.summary.rows >= 3, JSON.stringify(report.answer.summary));
    assert.ok(report.answer.rows.some((r) => r.geocode?.result === "placed"));
    const missing = await invoke("import_batch", { path: "/nonexistent/stops.csv" });
    assert.equal(JSON.parse(missing.refusal).field, "file");
  });
});
