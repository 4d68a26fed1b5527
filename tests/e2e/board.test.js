// The dispatcher's board through the real window (issue 20), on a DIAq sandbox of its own so
// the test can stop and restart the API: the board and its counts, an order's detail and edit,
// cancel from a card's menu (the drag's twin), a bulk cancel with a per-item report, CSV export
// read back, a deep link, and a cancel queued offline and sent when the API returns.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  byTestId,
  clickTestId,
  freePort,
  invoke,
  launch,
  newProfile,
  screenshot,
  startSandbox,
  textOf,
} from "./harness.js";

const API_KEY = "e2e-board-key";

/** Every card on the board: id, kind, status, tracking code, and which column holds it. */
function cards(browser) {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="board-card"]'), (c) => ({
      id: c.dataset.orderId,
      kind: c.dataset.kind,
      status: c.dataset.status,
      queued: c.dataset.queued ?? null,
      column: c.closest('[data-testid="board-column"]')?.dataset.column,
      code: c.querySelector('[data-testid="board-card-open"]')?.textContent.trim(),
    })),
  );
}

async function waitFor(browser, predicate, message, timeout = 20000) {
  await browser.waitUntil(predicate, { timeout, interval: 200, timeoutMsg: message });
}

/** Clicks a button inside the card of `id`. */
function clickInCard(browser, id, testId) {
  return browser.execute(
    (id, testId) => {
      const card = document.querySelector(`[data-testid="board-card"][data-order-id="${id}"]`);
      card.querySelector(`[data-testid="${testId}"]`).click();
    },
    id,
    testId,
  );
}

describe("the board in the desktop window", () => {
  let port;
  let profile;
  let app;
  let sandbox;
  let exportDir;
  const db = () => path.join(profile.root, "api.db");

  before(async () => {
    port = await freePort();
    profile = newProfile({
      HAKOBU_DIAQ_URL: `http://127.0.0.1:${port}`,
      HAKOBU_DIAQ_API_KEY: API_KEY,
    });
    exportDir = path.join(profile.root, "exports");
    mkdirSync(exportDir, { recursive: true });
    profile.env.HAKOBU_EXPORT_DIR = exportDir;
    sandbox = await startSandbox({ port, apiKey: API_KEY, db: db(), seed: "tokyo-day" });
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
    await sandbox?.stop();
  });

  it("shows every order of the day in its status column, counts exact", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("board-page"))).waitForDisplayed({ timeout: 20000 });
    // The demo's windows fall today or tomorrow depending on the hour: every date.
    await clickTestId(browser, "board-date-all");
    await waitFor(browser, async () => (await cards(browser)).length >= 30, "the demo orders reach the board");
    const counts = await browser.execute(() =>
      Object.fromEntries(
        Array.from(document.querySelectorAll('[data-testid="board-column"]'), (c) => [c.dataset.column, Number(c.dataset.count)]),
      ),
    );
    const all = await cards(browser);
    assert.equal(Object.keys(counts).length, 10, "one column per lifecycle status");
    for (const [status, n] of Object.entries(counts)) {
      assert.equal(all.filter((c) => c.column === status).length, n, `${status}: cards = count`);
      assert.ok(all.filter((c) => c.column === status).every((c) => c.status === status));
    }
    assert.ok(counts.created > 0 && counts.delivering > 0 && counts.delivered > 0, JSON.stringify(counts));
    await screenshot(browser, "30-board-ja");
  });

  it("opens an order from its card and edits it while it is created", async () => {
    const { browser } = app;
    const created = (await cards(browser)).find((c) => c.status === "created" && c.kind === "delivery");
    await clickInCard(browser, created.id, "board-card-open");
    const detail = await browser.$(byTestId("order-detail"));
    await detail.waitForDisplayed({ timeout: 10000 });
    await waitFor(browser, async () => (await textOf(browser, "order-detail")).includes(created.code), "the detail shows the order");
    assert.ok(await (await browser.$(byTestId("order-detail-history"))).isExisting());
    await screenshot(browser, "31-order-detail-ja");

    await clickTestId(browser, "order-detail-edit");
    await (await browser.$(byTestId("edit-dialog"))).waitForDisplayed({ timeout: 5000 });
    const comments = await browser.$(byTestId("edit-destination_comments"));
    await comments.clearValue();
    await comments.setValue("宅配ボックスへ（E2E）");
    await screenshot(browser, "32-order-edit-ja");
    await clickTestId(browser, "edit-save");
    await (await browser.$(byTestId("edit-dialog"))).waitForDisplayed({ reverse: true, timeout: 15000 });
    await waitFor(browser, async () => (await textOf(browser, "order-detail")).includes("宅配ボックスへ（E2E）"), "the edit is shown");
  });

  it("cancels a created order from its card menu, and it moves to キャンセル", async () => {
    const { browser } = app;
    const target = (await cards(browser)).find((c) => c.status === "created");
    await clickInCard(browser, target.id, "board-card-menu");
    await clickInCard(browser, target.id, "board-card-cancel");
    await (await browser.$(byTestId("cancel-dialog"))).waitForDisplayed({ timeout: 5000 });
    const to = await browser.execute(() => document.querySelector('[data-testid="cancel-outcome"]')?.dataset.to);
    assert.equal(to, "canceled");
    await screenshot(browser, "33-cancel-confirm-ja");
    await clickTestId(browser, "cancel-confirm");
    await (await browser.$(byTestId("cancel-report"))).waitForDisplayed({ timeout: 15000 });
    const rows = await browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="cancel-report-row"]'), (r) => ({ ...r.dataset })),
    );
    assert.deepEqual(rows.map((r) => [r.id, r.result, r.status]), [[target.id, "sent", "canceled"]]);
    await clickTestId(browser, "cancel-report-close");
    await waitFor(
      browser,
      async () => (await cards(browser)).find((c) => c.id === target.id)?.column === "canceled",
      "the card moved to キャンセル",
    );
  });

  it("bulk-cancels three orders in the list and reports each: canceled, returning, refused", async () => {
    const { browser } = app;
    const all = await cards(browser);
    const created = all.find((c) => c.status === "created");
    const delivering = all.find((c) => c.status === "delivering");
    const delivered = all.find((c) => c.status === "delivered");
    assert.ok(created && delivering && delivered, JSON.stringify(all.map((c) => c.status)));
    await clickTestId(browser, "nav-orders");
    await (await browser.$(byTestId("list-page"))).waitForDisplayed({ timeout: 10000 });
    // Select each by searching its tracking code and ticking its row; the selection is kept
    // across searches (it holds keys, not rows).
    for (const order of [created, delivering, delivered]) {
      const search = await browser.$(byTestId("list-search"));
      await search.clearValue();
      await search.setValue(order.code);
      await waitFor(
        browser,
        async () =>
          (await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="order-row"]'), (r) => r.dataset.orderId))).join() === order.id,
        `the list shows only ${order.code}`,
      );
      await browser.execute(() => document.querySelector('[data-testid="order-row"] [data-col="select"]').click());
    }
    await (await browser.$(byTestId("list-search"))).clearValue();
    await browser.execute(() => {
      const el = document.querySelector('[data-testid="list-search"]');
      el.value = "";
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await waitFor(browser, async () => (await browser.execute(() => document.querySelector('[data-testid="list-bulk"]')?.dataset.selected)) === "3", "three selected");
    await screenshot(browser, "35-list-selected-ja");
    await clickTestId(browser, "list-cancel-selected");
    await (await browser.$(byTestId("cancel-dialog"))).waitForDisplayed({ timeout: 5000 });
    await screenshot(browser, "36-bulk-cancel-confirm-ja");
    await clickTestId(browser, "cancel-confirm");
    await (await browser.$(byTestId("cancel-report"))).waitForDisplayed({ timeout: 20000 });
    const rows = await browser.execute(() =>
      Array.from(document.querySelectorAll('[data-testid="cancel-report-row"]'), (r) => ({ ...r.dataset, text: r.innerText })),
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    assert.equal(rows.length, 3);
    assert.equal(byId[created.id].result, "sent");
    assert.equal(byId[created.id].status, "canceled");
    assert.equal(byId[delivering.id].result, "sent");
    assert.equal(byId[delivering.id].status, "returning");
    assert.equal(byId[delivered.id].result, "refused");
    assert.match(byId[delivered.id].text, /delivered/);
    assert.match(await textOf(browser, "cancel-report-summary"), /送信 2 件・送信待ち 0 件・拒否 1 件/);
    await screenshot(browser, "37-bulk-cancel-report-ja");
    await clickTestId(browser, "cancel-report-close");
  });

  it("exports the list as CSV with a BOM, one record per order", async () => {
    const { browser } = app;
    // Every date (the board set it already; the button toggles, so only press it when off).
    await browser.execute(() => {
      const all = document.querySelector('[data-testid="list-date-all"]');
      if (all.getAttribute("aria-pressed") !== "true") all.click();
    });
    await waitFor(browser, async () => Number(await browser.execute(() => document.querySelector('[data-testid="list-count"]')?.dataset.total)) >= 30, "the list counts every order");
    const total = Number(await browser.execute(() => document.querySelector('[data-testid="list-count"]').dataset.total));
    await clickTestId(browser, "list-export");
    await waitFor(browser, async () => readdirSync(exportDir).some((f) => f.endsWith(".csv")), "a CSV file is written");
    const file = readdirSync(exportDir).find((f) => f.endsWith(".csv"));
    const bytes = readFileSync(path.join(exportDir, file));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
    const text = bytes.toString("utf8").slice(1);
    const lines = text.split("\r\n").filter((l) => l !== "");
    assert.match(lines[0], /^追跡番号,種別,ステータス/);
    assert.equal(lines.length, total + 1, "a header and one record per order");
    assert.match(await textOf(browser, "toast"), /書き出しました/);
  });

  it("opens an order by deep link", async () => {
    const { browser } = app;
    const order = (await invoke(browser, "order_page", {
      query: { kind: "delivery", statuses: [], store_id: null, window_date: null, window_hour: null, search: null, late: "any", sort: { key: "window", descending: false }, offset: 0, limit: 1 },
    })).answer.rows[0];
    await browser.execute((id) => (location.hash = `#/orders/delivery/${id}`), order.id);
    await waitFor(
      browser,
      async () => (await browser.execute(() => document.querySelector('[data-testid="order-detail"]')?.dataset.orderId)) === order.id,
      "the deep link opens that order",
    );
    assert.match(await textOf(browser, "order-detail"), new RegExp(order.tracking_code));
  });

  it("queues a cancel while the API is down and sends it when it returns", async () => {
    const { browser } = app;
    const page = (await invoke(browser, "order_page", {
      query: { kind: "delivery", statuses: ["created"], store_id: null, window_date: null, window_hour: null, search: null, late: "any", sort: { key: "window", descending: false }, offset: 0, limit: 5 },
    })).answer;
    const order = page.rows.find((r) => r.queued === null);
    assert.ok(order, JSON.stringify(page));
    await sandbox.stop();
    await browser.execute((id) => (location.hash = `#/orders/delivery/${id}`), order.id);
    await (await browser.$(byTestId("order-detail-cancel"))).waitForEnabled({ timeout: 10000 });
    await clickTestId(browser, "order-detail-cancel");
    await (await browser.$(byTestId("cancel-dialog"))).waitForDisplayed({ timeout: 5000 });
    await clickTestId(browser, "cancel-confirm");
    await (await browser.$(byTestId("cancel-report"))).waitForDisplayed({ timeout: 30000 });
    const result = await browser.execute(() => document.querySelector('[data-testid="cancel-report-row"]').dataset.result);
    assert.equal(result, "queued");
    await screenshot(browser, "38-cancel-queued-ja");
    await clickTestId(browser, "cancel-report-close");
    await waitFor(browser, async () => /送信待ち/.test(await textOf(browser, "order-detail")), "the detail says a cancel waits");

    sandbox = await startSandbox({ port, apiKey: API_KEY, db: db(), seed: "tokyo-day" });
    const replay = await invoke(browser, "replay_outbox", {});
    assert.ok(replay.answer, JSON.stringify(replay));
    await waitFor(
      browser,
      async () => (await browser.execute(() => document.querySelector('[data-testid="order-detail"]')?.dataset.status)) === "canceled",
      "the queued cancel reached the API and the order is canceled",
      30000,
    );
  });

  it("reads in English, and lists its keys on ?", async () => {
    const { browser } = app;
    await clickTestId(browser, "lang-toggle");
    await browser.execute(() => (location.hash = "#/board"));
    await (await browser.$(byTestId("board-page"))).waitForDisplayed({ timeout: 10000 });
    await waitFor(browser, async () => (await cards(browser)).length > 0, "the board is drawn");
    await screenshot(browser, "40-board-en");
    const first = (await cards(browser))[0];
    await clickInCard(browser, first.id, "board-card-open");
    await (await browser.$(byTestId("order-detail"))).waitForDisplayed({ timeout: 10000 });
    await screenshot(browser, "41-order-detail-en");
    await clickTestId(browser, "nav-orders");
    await (await browser.$(byTestId("list-page"))).waitForDisplayed({ timeout: 10000 });
    await waitFor(browser, async () => (await browser.execute(() => document.querySelectorAll('[data-testid="order-row"]').length)) > 0, "the list is drawn");
    await screenshot(browser, "42-list-en");
    await clickTestId(browser, "shortcuts-open");
    await (await browser.$(byTestId("shortcuts-overlay"))).waitForDisplayed({ timeout: 5000 });
    assert.match(await textOf(browser, "shortcuts-overlay"), /Select all/);
    await screenshot(browser, "43-shortcuts-en");
    await clickTestId(browser, "shortcuts-close");
    await clickTestId(browser, "lang-toggle");
  });
});
