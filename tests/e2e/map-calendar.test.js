// 地図 and 枠カレンダー through the real window (issue 21). The map on the embedded sandbox, whose
// simulated drivers move and post webhooks: the demo's drivers are drawn and one moves between
// two screenshots; a driver clicked on the map opens its panel with its jobs and draws its
// trail. The calendar on a DIAq sandbox of its own (stopped and restarted by the test): a free
// window is reserved and shown held with its expiry, an order is created from the hold and
// the window counts it, a window sold out meanwhile refuses with the reason, a reservation
// made while the API is down waits in the outbox and is sent when it returns, and one the API
// refuses when it is sent turns its window sold out.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
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

async function waitFor(browser, predicate, message, timeout = 20000) {
  await browser.waitUntil(predicate, { timeout, interval: 200, timeoutMsg: message });
}

/** A screenshot once the page has painted what the test just did (two frames). */
async function shot(browser, name) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await screenshot(browser, name);
}

/** Sets a select as the user would leave it. */
const choose = (browser, testid, value) =>
  browser.execute(
    (id, value) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      el.value = value;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    },
    testid,
    value,
  );

const dataOf = (browser, testid) =>
  browser.execute((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    return el ? { ...el.dataset } : null;
  }, testid);

/** Zooms the map with its +/− buttons, one step at a time, each animation finished. */
async function zoomTo(browser, target) {
  for (let i = 0; i < 12; i++) {
    const zoom = Number((await dataOf(browser, "map-page")).zoom);
    if (zoom === target) return;
    await browser.execute((zoomIn) => document.querySelector(zoomIn ? ".leaflet-control-zoom-in" : ".leaflet-control-zoom-out").click(), zoom < target);
    await waitFor(browser, async () => Number((await dataOf(browser, "map-page")).zoom) !== zoom, "the map zooms", 5000);
  }
  throw new Error(`could not zoom to ${target}`);
}

/** Waits for the map to stop moving (a pan's animation), after the frame that may start one. */
async function settled(browser) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await waitFor(browser, async () => (await dataOf(browser, "map-page")).moving === "false", "the map comes to rest", 5000);
}

/** Web Mercator pixel of a point at a zoom (Leaflet's CRS). */
function pixel(lat, lng, zoom) {
  const scale = 256 * 2 ** zoom;
  const sin = Math.sin((lat * Math.PI) / 180);
  return { x: ((lng + 180) / 360) * scale, y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale };
}

/** Statuses in which a simulated driver rides (its position changes). */
const RIDING = ["collecting", "delivering", "returning"];

describe("the live map in the desktop window (embedded sandbox, simulated drivers)", () => {
  const profile = newProfile();
  let app;

  before(async () => {
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
  });

  it("draws the demo's drivers, and one moves between two screenshots", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("nav-map"))).click();
    await (await browser.$(byTestId("map-page"))).waitForDisplayed({ timeout: 15000 });
    assert.equal(await browser.execute(() => location.hash), "#/map");
    // Drivers reach the cache by webhook once the simulation gives them jobs.
    await waitFor(
      browser,
      async () => Number((await dataOf(browser, "map-page")).drivers) >= 3,
      "the demo's drivers reach the map",
      60000,
    );
    const cached = (await invoke(browser, "list_drivers")).answer;
    await waitFor(
      browser,
      async () => Number((await dataOf(browser, "map-page")).drivers) >= cached.length,
      "every cached driver is on the map",
    );
    const legend = await textOf(browser, "map-legend");
    assert.match(legend, /空き/);
    assert.match(legend, /集荷へ/);
    assert.match(legend, /配送中/);
    assert.match(legend, /返送中/);
    assert.match(await textOf(browser, "map-total"), /ドライバー \d+ 人/);
    await shot(browser, "50-map-ja");

    // A riding driver, chosen from the keyboard's twin of a click (the driver picker).
    let riding;
    await waitFor(
      browser,
      async () => {
        const drivers = (await invoke(browser, "list_drivers")).answer;
        riding = drivers.find((d) => d.job && RIDING.includes(d.job.status));
        return riding !== undefined;
      },
      "a driver rides",
      60000,
    );
    await choose(browser, "map-find", String(riding.id));
    await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ timeout: 10000 });
    const before = await dataOf(browser, "driver-panel");
    assert.equal(before.driverId, String(riding.id));
    await clickTestId(browser, "driver-follow");
    await shot(browser, "51-map-driver-ja");
    await waitFor(
      browser,
      async () => {
        const now = await dataOf(browser, "driver-panel");
        return now.locatedAt !== before.locatedAt && (now.lat !== before.lat || now.lng !== before.lng);
      },
      "the driver moves on the map",
      30000,
    );
    await shot(browser, "52-map-driver-moved-ja");
    await clickTestId(browser, "driver-panel-close");
  });

  it("opens a driver clicked on the map: its jobs, its trail drawn", async () => {
    const { browser } = app;
    // Close enough that no driver is clustered.
    await zoomTo(browser, 14);
    let opened = null;
    for (let attempt = 0; attempt < 5 && !opened; attempt++) {
      // A driver with a job, centred by follow mode; then the panel closes (the map keeps its
      // centre) and the map's centre is clicked, where the driver is drawn.
      const drivers = (await invoke(browser, "list_drivers")).answer;
      const still = drivers.find((d) => d.job && !RIDING.includes(d.job.status)) ?? drivers.find((d) => d.job);
      await choose(browser, "map-find", String(still.id));
      await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ timeout: 10000 });
      await clickTestId(browser, "driver-follow");
      await settled(browser);
      await clickTestId(browser, "driver-panel-close");
      await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ reverse: true, timeout: 5000 });
      await (await browser.$(byTestId("live-map"))).click();
      const panel = await browser.$(byTestId("driver-panel"));
      if (await panel.waitForDisplayed({ timeout: 3000 }).then(() => true, () => false)) {
        opened = { expected: still.id, shown: Number((await dataOf(browser, "driver-panel")).driverId) };
      }
    }
    assert.ok(opened, "a click on the map opened a driver's panel");
    assert.equal(opened.shown, opened.expected, "the clicked driver's panel");
    await waitFor(browser, async () => (await browser.$$(byTestId("driver-job"))).length >= 1, "the driver's jobs");
    const job = await browser.execute(() => document.querySelector('[data-testid="driver-job-link"]').getAttribute("href"));
    assert.match(job, /^#\/orders\/(delivery|fetch)\/[0-9a-f-]{36}$/);
    await waitFor(browser, async () => Number((await dataOf(browser, "driver-trail")).count) >= 2, "the trail is drawn");
    assert.match(await textOf(browser, "driver-panel"), /電話番号/);
    assert.match(await textOf(browser, "driver-panel"), /担当中の依頼/);
    await shot(browser, "53-map-driver-clicked-ja");
  });

  it("reads in English", async () => {
    const { browser } = app;
    await clickTestId(browser, "lang-toggle");
    await waitFor(browser, async () => /Current jobs/.test(await textOf(browser, "driver-panel")), "English panel");
    assert.match(await textOf(browser, "map-legend"), /To pickup/);
    // DIAq names vehicle types in Japanese; the panel words them in the language shown.
    assert.doesNotMatch(await textOf(browser, "driver-panel-vehicle"), /[\u3040-\u30ff\u4e00-\u9fff]/);
    await shot(browser, "54-map-driver-en");
    await clickTestId(browser, "driver-panel-close");
    await zoomTo(browser, 11);
    await shot(browser, "55-map-en");
    await clickTestId(browser, "lang-toggle");
  });
});

describe("a driver whose last fix is an hour old (embedded sandbox, no simulation)", () => {
  const SANDBOX_KEY = "e2e-map-sandbox-key";
  // The embedded sandbox with a key the test knows (its /sandbox routes set a driver's fix)
  // and no simulated drivers to move it again.
  const profile = newProfile({ HAKOBU_SANDBOX_API_KEY: SANDBOX_KEY, HAKOBU_SANDBOX_SPEED: "0" });
  let app;
  let base;

  before(async () => {
    app = await launch(profile);
    await waitFor(app.browser, async () => (await invoke(app.browser, "app_status")).answer?.mode === "sandbox", "the app is up");
    base = (await invoke(app.browser, "app_status")).answer.api_base_url;
  });

  after(async () => {
    await app?.stop();
  });

  const place = async (id, latitude, longitude, ageMs) => {
    const r = await fetch(`${base}/sandbox/drivers/${id}/location`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Api-Key": SANDBOX_KEY },
      body: JSON.stringify({ latitude, longitude, update: new Date(Date.now() - ageMs).toISOString() }),
    });
    assert.equal(r.status, 200, await r.text());
  };

  it("says no driver has a position yet, before any is placed", async () => {
    const { browser } = app;
    await browser.execute(() => (location.hash = "#/map"));
    await (await browser.$(byTestId("map-page"))).waitForDisplayed({ timeout: 15000 });
    await waitFor(browser, async () => (await dataOf(browser, "map-page")).loaded === "true", "the first reading of the drivers");
    await (await browser.$(byTestId("map-empty"))).waitForDisplayed({ timeout: 5000 });
    assert.equal((await dataOf(browser, "map-page")).drivers, "0");
    assert.deepEqual((await invoke(browser, "list_drivers")).answer, []);
    assert.match(await textOf(browser, "map-empty"), /位置情報はまだありません/);
    assert.match(await textOf(browser, "map-newest"), /位置情報はまだありません/);
    await shot(browser, "59a-map-empty-ja");
  });

  it("draws it greyed with its age; fresh and stale ones beside it", async () => {
    const { browser } = app;
    await browser.execute(() => (location.hash = "#/map"));
    await (await browser.$(byTestId("map-page"))).waitForDisplayed({ timeout: 15000 });
    await place(5, 35.6896, 139.7006, 61 * 60_000); // 新宿, an hour ago
    await place(2, 35.6812, 139.7671, 0); // 東京駅, now
    await place(3, 35.6586, 139.7454, 5 * 60_000); // 芝公園, five minutes ago
    await waitFor(browser, async () => Number((await dataOf(browser, "map-page")).drivers) === 3, "the three drivers reach the map");
    const count = async (id) => Number(await textOf(browser, id));
    await waitFor(browser, async () => (await count("map-count-lost")) === 1, "one driver lost");
    assert.equal(await count("map-count-stale"), 1);
    assert.equal(await count("map-count-fresh"), 1);
    // Close in (no clusters), so each is drawn on its own with the age beside the lost one.
    await zoomTo(browser, 13);
    await choose(browser, "map-find", "5");
    await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ timeout: 10000 });
    const panel = await dataOf(browser, "driver-panel");
    assert.equal(panel.freshness, "lost");
    assert.match(await textOf(browser, "driver-panel-lost"), /1時間前/);
    assert.match(await textOf(browser, "driver-panel-fix"), /1時間前/);
    await shot(browser, "56-map-lost-driver-ja");
    // Follow centres the map on it; closing the panel keeps that centre.
    await clickTestId(browser, "driver-follow");
    await settled(browser);
    await clickTestId(browser, "driver-panel-close");
    await shot(browser, "57-map-freshness-ja");
  });

  it("clusters them when zoomed out; a cluster click lists who is in it", async () => {
    const { browser } = app;
    await zoomTo(browser, 9);
    // The map is centred on driver 5 (新宿); the three are one cluster at their mean.
    const centre = pixel(35.6896, 139.7006, 9);
    const lat = (35.6896 + 35.6812 + 35.6586) / 3;
    const lng = (139.7006 + 139.7671 + 139.7454) / 3;
    const at = pixel(lat, lng, 9);
    await (await browser.$(byTestId("live-map"))).click({ x: Math.round(at.x - centre.x), y: Math.round(at.y - centre.y) });
    await (await browser.$(byTestId("cluster-panel"))).waitForDisplayed({ timeout: 5000 });
    const ids = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="cluster-driver"]'), (b) => b.dataset.driverId).sort());
    assert.deepEqual(ids, ["2", "3", "5"]);
    await shot(browser, "58-map-cluster-ja");
    await browser.execute(() => document.querySelector('[data-testid="cluster-driver"][data-driver-id="3"]').click());
    await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ timeout: 5000 });
    assert.equal((await dataOf(browser, "driver-panel")).freshness, "stale");
  });

  it("lists drivers drawn on one spot at any zoom: from the driver's panel, and from a click there; its tooltip gives the fix's age", async () => {
    const { browser } = app;
    const listed = () => browser.execute(() => Array.from(document.querySelectorAll('[data-testid="cluster-driver"]'), (b) => b.dataset.driverId).sort());
    await clickTestId(browser, "driver-panel-close");
    // Two drivers back at one spot (浜松町), as the demo's drivers come back to a store.
    await place(1, 35.6555, 139.757, 0);
    await place(4, 35.6555, 139.757, 30_000);
    await waitFor(browser, async () => Number((await dataOf(browser, "map-page")).drivers) === 5, "five drivers on the map");
    assert.equal(await browser.$(byTestId("map-empty")).isExisting(), false);
    // Closer than clusters form (13) and than the cluster panel zooms (16): still one spot.
    await zoomTo(browser, 17);

    // The keyboard's path: the picker selects one; its panel says another is drawn with it.
    await choose(browser, "map-find", "1");
    await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ timeout: 10000 });
    await waitFor(browser, async () => (await dataOf(browser, "driver-stack"))?.count === "1", "the panel names the driver on its spot");
    assert.match(await textOf(browser, "driver-stack"), /同じ地点にほか 1 人/);
    await shot(browser, "59b-map-stack-driver-ja");
    await clickTestId(browser, "driver-stack");
    await (await browser.$(byTestId("cluster-panel"))).waitForDisplayed({ timeout: 5000 });
    assert.equal((await dataOf(browser, "cluster-panel")).stack, "true");
    assert.deepEqual(await listed(), ["1", "4"]);
    assert.match(await textOf(browser, "cluster-panel"), /この地点のドライバー/);
    assert.match(await textOf(browser, "cluster-panel"), /秒前/); // each with the age of its fix
    // Zooming cannot part them: no zoom button here.
    assert.equal(await browser.$(byTestId("cluster-zoom")).isExisting(), false);
    await shot(browser, "59c-map-stack-list-ja");

    // Choosing one selects it as a click on it would; its panel names the other.
    await browser.execute(() => document.querySelector('[data-testid="cluster-driver"][data-driver-id="4"]').click());
    await (await browser.$(byTestId("driver-panel"))).waitForDisplayed({ timeout: 5000 });
    assert.equal((await dataOf(browser, "driver-panel")).driverId, "4");
    await waitFor(browser, async () => (await dataOf(browser, "driver-stack"))?.count === "1", "driver 4's panel names driver 1");

    // The pointer's path: follow centres the map on the spot, the panel closes, the spot is
    // clicked: the same list, not the top driver alone.
    await clickTestId(browser, "driver-follow");
    await settled(browser);
    let clicked = null;
    for (let attempt = 0; attempt < 3 && !clicked; attempt++) {
      if (await browser.$(byTestId("driver-panel")).isExisting()) await clickTestId(browser, "driver-panel-close");
      if (await browser.$(byTestId("cluster-panel")).isExisting()) await clickTestId(browser, "cluster-panel-close");
      // The map widens as the panel goes and keeps its centre (Leaflet pans by the change).
      await new Promise((r) => setTimeout(r, 300));
      await settled(browser);
      await (await browser.$(byTestId("live-map"))).click();
      const panel = await browser.$(byTestId("cluster-panel"));
      if (await panel.waitForDisplayed({ timeout: 3000 }).then(() => true, () => false)) clicked = await listed();
    }
    assert.deepEqual(clicked, ["1", "4"], "a click on the spot lists both drivers");
    assert.equal((await dataOf(browser, "cluster-panel")).stack, "true");

    // The pointer over the spot: the top driver's tooltip says what it is doing and how old
    // its position is, on the map itself.
    await settled(browser);
    const tipText = () => browser.execute(() => document.querySelector(".leaflet-tooltip.map-tip")?.innerText ?? "");
    let tip = "";
    for (let attempt = 0; attempt < 3 && !tip; attempt++) {
      await (await browser.$(byTestId("map-total"))).moveTo();
      await (await browser.$(byTestId("live-map"))).moveTo();
      tip = await browser.waitUntil(tipText, { timeout: 3000, interval: 200 }).catch(() => "");
    }
    assert.match(tip, /^(吉井 次郎|高橋 美咲) · (空き|集荷へ|配送中|返送中|ステータス不明) · \d+(秒|分)前$/);
    await shot(browser, "59c2-map-stack-tooltip-ja");

    await clickTestId(browser, "lang-toggle");
    await waitFor(browser, async () => /Drivers at this spot/.test(await textOf(browser, "cluster-panel")), "English list");
    assert.match(await textOf(browser, "cluster-panel"), / ago/);
    await shot(browser, "59d-map-stack-list-en");
    await clickTestId(browser, "lang-toggle");
    await clickTestId(browser, "cluster-panel-close");
  });
});

describe("the live map's layers and its offline state (its own sandbox, a day of orders)", () => {
  const KEY = "e2e-map-layers-key";
  let port;
  let profile;
  let app;
  let sandbox;

  before(async () => {
    port = await freePort();
    profile = newProfile({ HAKOBU_DIAQ_URL: `http://127.0.0.1:${port}`, HAKOBU_DIAQ_API_KEY: KEY });
    sandbox = await startSandbox({ port, apiKey: KEY, db: path.join(profile.root, "api.db"), seed: "tokyo-day" });
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
    await sandbox?.stop();
  });

  /** Today's cached orders the map draws as stops: placed, not canceled (as the page reads them). */
  async function todaysStops(browser) {
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
    const orders = [];
    for (let offset = 0; ; offset += 1000) {
      const page = (await invoke(browser, "list_orders", { filter: { window_date: today, limit: 1000, offset } })).answer;
      orders.push(...page);
      if (page.length < 1000) break;
    }
    return orders.filter((o) => o.customer_lat !== null && o.customer_lng !== null && o.status !== "canceled");
  }

  it("draws a stop for each of today's cached orders and each store, and each layer switches off and on", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("nav-map"))).click();
    await (await browser.$(byTestId("map-page"))).waitForDisplayed({ timeout: 15000 });
    // Positions come by webhook only from the embedded sandbox: none here.
    await waitFor(browser, async () => (await dataOf(browser, "map-page")).loaded === "true", "the first reading of the drivers");
    await (await browser.$(byTestId("map-empty"))).waitForDisplayed({ timeout: 5000 });

    // The demo day reaches the cache by sync; the map re-reads its stops as orders move.
    let expected = [];
    await waitFor(
      browser,
      async () => {
        expected = await todaysStops(browser);
        const page = await dataOf(browser, "map-page");
        return expected.length > 0 && Number(page.stops) === expected.length && Number(page.stopsDrawn) === expected.length;
      },
      "a stop for each of today's orders",
      60000,
    );
    assert.match(await textOf(browser, "map-page"), new RegExp(`今日の配達先\\s*${expected.length} 件`));
    const stores = (await invoke(browser, "list_stores", { search: null })).answer.filter((s) => s.location);
    assert.ok(stores.length > 0);
    await waitFor(browser, async () => Number((await dataOf(browser, "map-page")).storesDrawn) === stores.length, "a square for each store");
    await shot(browser, "59e-map-stops-stores-ja");

    // Today's stops off: none drawn (the count still says how many there are); the stores stay.
    await clickTestId(browser, "map-layer-stops");
    await waitFor(browser, async () => (await dataOf(browser, "map-page")).stopsDrawn === "0", "no stop drawn");
    assert.equal(await browser.execute(() => document.querySelector('[data-testid="map-layer-stops"]').checked), false);
    assert.equal(Number((await dataOf(browser, "map-page")).storesDrawn), stores.length);
    // The stores off too: nothing left but the basemap.
    await clickTestId(browser, "map-layer-stores");
    await waitFor(browser, async () => (await dataOf(browser, "map-page")).storesDrawn === "0", "no store drawn");
    await shot(browser, "59f-map-layers-off-ja");
    // Back on: all of them again.
    await clickTestId(browser, "map-layer-stops");
    await clickTestId(browser, "map-layer-stores");
    await waitFor(
      browser,
      async () => {
        const page = await dataOf(browser, "map-page");
        return Number(page.stopsDrawn) === expected.length && Number(page.storesDrawn) === stores.length;
      },
      "stops and stores drawn again",
    );
  });

  it("says it is offline when the API stops answering, and claims nothing live", async () => {
    const { browser } = app;
    assert.equal(await browser.$(byTestId("map-offline")).isExisting(), false);
    await sandbox.stop();
    await (await browser.$(byTestId("map-offline"))).waitForDisplayed({ timeout: 60000 });
    assert.match(await textOf(browser, "map-offline"), /オフライン/);
    assert.match(await textOf(browser, "map-offline"), /更新されません/);
    await shot(browser, "59g-map-offline-ja");
    await clickTestId(browser, "lang-toggle");
    await waitFor(browser, async () => /Offline/.test(await textOf(browser, "map-offline")), "English offline note");
    assert.match(await textOf(browser, "map-offline"), /not updating/);
    await shot(browser, "59h-map-offline-en");
    await clickTestId(browser, "lang-toggle");
  });
});

const API_KEY = "e2e-calendar-key";

/** The calendar's cells as the page shows them. */
function cells(browser) {
  return browser.execute(() =>
    Array.from(document.querySelectorAll('[data-testid="calendar-cell"]'), (c) => ({
      row: Number(c.dataset.row),
      col: Number(c.dataset.col),
      date: c.dataset.date,
      zone: c.dataset.zone,
      anytime: c.dataset.anytime === "true",
      state: c.dataset.state,
      booked: Number(c.dataset.booked),
      held: Number(c.dataset.held),
    })),
  );
}

const cellState = async (browser, date, zone) =>
  (await cells(browser)).find((c) => c.date === date && c.zone === zone);

const clickCell = (browser, date, zone) =>
  browser.execute(
    (date, zone) => document.querySelector(`[data-testid="calendar-cell"][data-date="${date}"][data-zone="${zone}"]`).click(),
    date,
    zone,
  );

describe("the window calendar in the desktop window (its own sandbox)", () => {
  let port;
  let profile;
  let app;
  let sandbox;
  let storeId;
  const db = () => path.join(profile.root, "api.db");
  const sandboxArgs = ["--capacity-per-hour", "2"];

  before(async () => {
    port = await freePort();
    profile = newProfile({ HAKOBU_DIAQ_URL: `http://127.0.0.1:${port}`, HAKOBU_DIAQ_API_KEY: API_KEY });
    sandbox = await startSandbox({ port, apiKey: API_KEY, db: db(), seed: "tokyo", args: sandboxArgs });
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
    await sandbox?.stop();
  });

  /** A window of tomorrow (a column the clock cannot close during the test) in a given hour. */
  async function tomorrowAt(browser, hour) {
    const all = await cells(browser);
    const dates = [...new Set(all.map((c) => c.date))];
    const zones = (await invoke(browser, "list_time_zones")).answer;
    const zone = zones.find((z) => z.status === "time" && z.starts === hour);
    return { date: dates[1], zone: zone.id };
  }

  it("picks a store and draws 14 days × 18 hourly windows and the anytime row", async () => {
    const { browser } = app;
    await (await browser.$(byTestId("nav-calendar"))).click();
    await (await browser.$(byTestId("calendar-pick"))).waitForDisplayed({ timeout: 15000 });
    await waitFor(browser, async () => (await browser.$$(byTestId("calendar-pick-store"))).length > 0, "the stores to pick from");
    storeId = await browser.execute(() => document.querySelector('[data-testid="calendar-pick-store"]').dataset.storeId);
    await clickTestId(browser, "calendar-pick-store");
    await waitFor(browser, async () => (await cells(browser)).length === 14 * 19, "the grid of 14 days × 19 rows");
    assert.equal(await browser.execute(() => location.hash), `#/calendar/${storeId}`);
    const all = await cells(browser);
    assert.equal(all.filter((c) => c.anytime).length, 14);
    const head = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="calendar-grid"] thead th.day'), (th) => th.innerText));
    assert.equal(head.length, 14);
    assert.ok(head.some((h) => /[月火水木金土日]/.test(h)), head.join(" | "));
    assert.match(head[0], /今日/);
    // Keyboard: one tab stop, arrows move it.
    const tabStops = await browser.execute(() => document.querySelectorAll('[data-testid="calendar-cell"][tabindex="0"]').length);
    assert.equal(tabStops, 1);
    await shot(browser, "60-calendar-ja");
  });

  it("reserves a free window with the keyboard: held, with its expiry, listed", async () => {
    const { browser } = app;
    const slot = await tomorrowAt(browser, 12);
    // Focus tomorrow's 12時 cell through the grid's arrow keys from wherever the tab stop is.
    await browser.execute(() => document.querySelector('[data-testid="calendar-cell"][tabindex="0"]').focus());
    const start = await browser.execute(() => {
      const c = document.activeElement;
      return { row: Number(c.dataset.row), col: Number(c.dataset.col) };
    });
    const target = (await cells(browser)).find((c) => c.date === slot.date && c.zone === slot.zone);
    const keys = [];
    for (let c = start.col; c < target.col; c++) keys.push("ArrowRight");
    for (let c = start.col; c > target.col; c--) keys.push("ArrowLeft");
    for (let r = start.row; r < target.row; r++) keys.push("ArrowDown");
    for (let r = start.row; r > target.row; r--) keys.push("ArrowUp");
    for (const k of keys) await browser.keys([k]);
    const focused = await browser.execute(() => ({ ...document.activeElement.dataset }));
    assert.equal(focused.date, slot.date);
    assert.equal(focused.zone, slot.zone);
    await browser.keys(["Enter"]);
    await waitFor(browser, async () => (await cellState(browser, slot.date, slot.zone))?.state === "held", "the window is held");
    const outcome = await dataOf(browser, "calendar-outcome");
    assert.equal(outcome.kind, "held");
    assert.match(await textOf(browser, "calendar-outcome"), /確保しました（\d{2}:\d{2} まで有効）/);
    assert.match(await textOf(browser, "calendar-detail-expiry"), /残り (2\d|30):\d{2}/);
    const holds = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="calendar-hold"]'), (h) => ({ ...h.dataset })));
    assert.equal(holds.length, 1);
    assert.equal(holds[0].date, slot.date);
    await shot(browser, "61-calendar-held-ja");
  });

  it("creates a delivery from the hold, and the window counts one booking", async () => {
    const { browser } = app;
    const slot = await tomorrowAt(browser, 12);
    const holdId = await browser.execute(() => document.querySelector('[data-testid="calendar-hold"]').dataset.holdId);
    await clickTestId(browser, "calendar-hold-create");
    await (await browser.$(byTestId("new-order-page"))).waitForDisplayed({ timeout: 15000 });
    assert.equal(await browser.execute(() => location.hash), `#/new?store=${storeId}&window=${holdId}`);
    const typeInto = async (testid, text) => {
      const el = await browser.$(byTestId(testid));
      await el.click();
      await el.clearValue();
      await el.setValue(text);
    };
    await typeInto("new-order-zipcode", "1060045");
    await waitFor(browser, async () => (await browser.execute(() => document.querySelector('[data-testid="new-order-line1"]').value)) === "港区麻布十番", "postal autofill");
    await typeInto("new-order-line1", "港区麻布十番1-4-6");
    await typeInto("new-order-last-name", "吉沢");
    await typeInto("new-order-first-name", "健二");
    await typeInto("new-order-phone", "03-1234-5678");
    await typeInto("new-order-package-0-name", "衣料");
    await shot(browser, "62-calendar-new-order-ja");
    await (await browser.$(byTestId("new-order-create"))).waitForEnabled({ timeout: 10000 });
    await clickTestId(browser, "new-order-create");
    await waitFor(
      browser,
      async () => /^#\/orders\/delivery\/[0-9a-f-]{36}$/.test(await browser.execute(() => location.hash)),
      "the new order's detail",
      30000,
    );
    await browser.execute((id) => (location.hash = `#/calendar/${id}`), storeId);
    await waitFor(
      browser,
      async () => {
        const c = await cellState(browser, slot.date, slot.zone);
        return c?.booked === 1 && c.state !== "held";
      },
      "the window counts the order, not the used hold",
    );
    assert.equal(Number((await dataOf(browser, "calendar-holds")).count), 0);
    await shot(browser, "63-calendar-booked-ja");
  });

  it("refuses a window sold out meanwhile, with the reason", async () => {
    const { browser } = app;
    const slot = await tomorrowAt(browser, 15);
    // Another client fills the window (2 per hour in this sandbox) behind the app's back.
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/reserve_windows`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Api-Key": API_KEY },
        body: JSON.stringify({ store_id: storeId, reserve_date: slot.date, time_zone_id: slot.zone }),
      });
      assert.equal(r.status, 200, await r.text());
    }
    assert.notEqual((await cellState(browser, slot.date, slot.zone)).state, "sold_out");
    await clickCell(browser, slot.date, slot.zone);
    await waitFor(browser, async () => (await cellState(browser, slot.date, slot.zone))?.state === "sold_out", "the window turns sold out");
    const outcome = await dataOf(browser, "calendar-outcome");
    assert.equal(outcome.kind, "refused");
    assert.equal(outcome.reason, "sold_out");
    assert.equal(outcome.code, "not_found");
    const text = await textOf(browser, "calendar-outcome");
    assert.match(text, /満枠のため確保できません/);
    // The reason in the page's language; the API's own words only in the tooltip.
    assert.equal(await textOf(browser, "calendar-outcome-why"), "API の回答：この時間枠は予約できません。");
    assert.doesNotMatch(text, /[a-z]{3,}/, text);
    await shot(browser, "64-calendar-sold-out-ja");
    // Clicked again, it refuses at once, saying why.
    await clickCell(browser, slot.date, slot.zone);
    assert.equal((await dataOf(browser, "calendar-outcome")).reason, "sold_out");
    assert.match(await textOf(browser, "calendar-detail"), /確保を断られました/);
  });

  it("queues a reservation while the API is down, and sends it when it returns", async () => {
    const { browser } = app;
    const slot = await tomorrowAt(browser, 18);
    await sandbox.stop();
    await clickCell(browser, slot.date, slot.zone);
    await waitFor(browser, async () => (await cellState(browser, slot.date, slot.zone))?.state === "pending", "the reservation waits", 40000);
    assert.equal((await dataOf(browser, "calendar-outcome")).kind, "queued");
    assert.match(await textOf(browser, "calendar-outcome"), /送信待ち/);
    assert.equal(await textOf(browser, "calendar-outcome-why"), "API に接続できません。");
    await shot(browser, "65-calendar-queued-ja");

    sandbox = await startSandbox({ port, apiKey: API_KEY, db: db(), seed: "tokyo", args: sandboxArgs });
    const replay = await invoke(browser, "replay_outbox");
    assert.ok(replay.answer && replay.answer.acked >= 1, JSON.stringify(replay));
    await waitFor(browser, async () => (await cellState(browser, slot.date, slot.zone))?.state === "held", "the queued reservation is held once sent");
    assert.equal((await dataOf(browser, "calendar-outcome")).kind, "sent");
    assert.match(await textOf(browser, "calendar-outcome"), /送信待ちだった.*確保しました/);
    const holds = await browser.execute(() => Array.from(document.querySelectorAll('[data-testid="calendar-hold"]'), (h) => h.dataset.date + "|" + h.dataset.zone));
    assert.ok(holds.includes(`${slot.date}|${slot.zone}`), holds.join());
  });

  it("turns a window sold out when its queued reservation is refused once sent", async () => {
    const { browser } = app;
    const slot = await tomorrowAt(browser, 20);
    // Another client fills the window while the app still sees it open (no estimate spoke
    // for it); then the API goes down and the app's reservation of it waits in the outbox.
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/v1/reserve_windows`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Api-Key": API_KEY },
        body: JSON.stringify({ store_id: storeId, reserve_date: slot.date, time_zone_id: slot.zone }),
      });
      assert.equal(r.status, 200, await r.text());
    }
    assert.notEqual((await cellState(browser, slot.date, slot.zone)).state, "sold_out");
    await sandbox.stop();
    await clickCell(browser, slot.date, slot.zone);
    await waitFor(browser, async () => (await cellState(browser, slot.date, slot.zone))?.state === "pending", "the reservation waits", 40000);
    assert.equal((await dataOf(browser, "calendar-outcome")).kind, "queued");

    // Back, the API answers the queued reservation 404 (the window cannot be reserved).
    sandbox = await startSandbox({ port, apiKey: API_KEY, db: db(), seed: "tokyo", args: sandboxArgs });
    await invoke(browser, "replay_outbox");
    await waitFor(browser, async () => (await cellState(browser, slot.date, slot.zone))?.state === "sold_out", "the window turns sold out once the reservation is refused");
    const refused = (await invoke(browser, "outbox_rows", { states: ["failed"] })).answer.filter(
      (r) => r.kind === "reserve_window" && r.payload.reserve_date === slot.date && r.payload.time_zone_id === slot.zone,
    );
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0].last_error_code, "not_found");
    const outcome = await dataOf(browser, "calendar-outcome");
    assert.equal(outcome.kind, "sent");
    assert.equal(outcome.held, "false");
    assert.equal(outcome.reason, "sold_out");
    assert.equal(outcome.code, "not_found");
    const text = await textOf(browser, "calendar-outcome");
    assert.match(text, /送信待ちだった.*の確保は、満枠のため受け付けられませんでした。/);
    assert.equal(await textOf(browser, "calendar-outcome-why"), "API の回答：この時間枠は予約できません。");
    assert.doesNotMatch(text, /[a-z]{3,}/, text);
    // The selected window says it was refused; clicked again, it refuses at once.
    assert.equal((await dataOf(browser, "calendar-detail")).state, "sold_out");
    assert.match(await textOf(browser, "calendar-detail"), /確保を断られました/);
    await shot(browser, "65b-calendar-queued-refused-ja");
    await clickTestId(browser, "lang-toggle");
    await waitFor(browser, async () => /refused: the window is sold out/.test(await textOf(browser, "calendar-outcome")), "English outcome");
    assert.equal(await textOf(browser, "calendar-outcome-why"), "The API answered: this window cannot be reserved.");
    await shot(browser, "65c-calendar-queued-refused-en");
    await clickTestId(browser, "lang-toggle");
    await waitFor(browser, async () => /満枠/.test(await textOf(browser, "calendar-outcome")), "Japanese again");
    await clickCell(browser, slot.date, slot.zone);
    assert.equal((await dataOf(browser, "calendar-outcome")).kind, "refused");
    assert.equal((await dataOf(browser, "calendar-outcome")).reason, "sold_out");
  });

  it("reads in English, and lists its keys on ?", async () => {
    const { browser } = app;
    await clickTestId(browser, "lang-toggle");
    await waitFor(browser, async () => /Held windows/.test(await textOf(browser, "calendar-holds")), "English side panel");
    const head = await browser.execute(() => document.querySelector('[data-testid="calendar-grid"] thead th.day').innerText);
    assert.match(head, /Today/);
    await shot(browser, "66-calendar-en");
    await clickTestId(browser, "shortcuts-open");
    await (await browser.$(byTestId("shortcuts-overlay"))).waitForDisplayed({ timeout: 5000 });
    assert.match(await textOf(browser, "shortcuts-overlay"), /Reserve or open the selected window/);
    await shot(browser, "67-calendar-shortcuts-en");
    await clickTestId(browser, "shortcuts-close");
    await clickTestId(browser, "lang-toggle");
  });
});
