// The installed package, started as a dispatcher would start it: `scripts/deb-check.sh`
// unpacks the .deb into a throwaway root and points HAKOBU_APP at its usr/bin/hakobu, with no
// HAKOBU_GEO_DATA and a working directory outside the checkout. Not named *.test.js: `make e2e`
// runs the debug build, this runs only through `make release-check`.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { byTestId, invoke, launch, newProfile, screenshot } from "../harness.js";

async function until(browser, read, message, timeout = 30000) {
  let last;
  await browser.waitUntil(
    async () => {
      last = await read();
      return last.ok;
    },
    { timeout, interval: 250, timeoutMsg: `${message} (last: ${JSON.stringify(last?.seen)})` },
  );
  return last.seen;
}

describe("the installed package", () => {
  const profile = newProfile();
  let app;

  before(async () => {
    app = await launch(profile);
  });

  after(async () => {
    await app?.stop();
  });

  it("opens on the embedded sandbox", async () => {
    const { browser } = app;
    const status = await until(
      browser,
      async () => {
        const seen = await invoke(browser, "app_status");
        return { ok: seen.answer?.mode === "sandbox", seen };
      },
      "app_status says sandbox",
    );
    assert.equal(status.answer.mode, "sandbox");
    await (await browser.$(byTestId("sandbox-banner"))).waitForDisplayed({ timeout: 20000 });
  });

  it("answers a postal lookup from the packaged gazetteer", async () => {
    const { browser } = app;
    // The gazetteer may still be loading in the background: a refusal until it is there.
    const lookup = await until(
      browser,
      async () => {
        const seen = await invoke(browser, "postal_lookup", { code: "106-0045" });
        return { ok: seen.answer !== undefined, seen };
      },
      "postal_lookup 106-0045 answers",
    );
    assert.equal(lookup.answer.prefecture, "東京都");
    assert.equal(lookup.answer.city, "港区");
    assert.ok(lookup.answer.towns.some((t) => t.includes("麻布十番")), JSON.stringify(lookup.answer));
    // And a bad code is still refused by name, so the answer above came from the data.
    const refused = await invoke(browser, "postal_lookup", { code: "12" });
    assert.match(refused.refusal ?? "", /address_zipcode/);
  });

  it("serves and draws the basemap it carries", async () => {
    const { browser } = app;
    // Not `{error}` in the result: WebDriver reads a result shaped like that as its own error.
    const served = await browser.executeAsync((done) =>
      fetch("/basemap.geojson")
        .then(async (r) => {
          const text = await r.text();
          try {
            return { status: r.status, features: JSON.parse(text).features.length };
          } catch (e) {
            return { status: r.status, failure: String(e), start: text.slice(0, 80) };
          }
        })
        .catch((e) => ({ status: 0, failure: String(e) }))
        .then((result) => setTimeout(() => done(result), 0)),
    );
    assert.equal(served.status, 200, JSON.stringify(served));
    assert.ok(served.features > 0, JSON.stringify(served));
    await browser.execute(() => (location.hash = "#/stores"));
    const credit = await browser.$(byTestId("map-attribution-basemap"));
    await credit.waitForDisplayed({ timeout: 20000 });
    assert.ok(
      await browser.execute(() => document.querySelector('[data-testid="stores-map"] canvas') !== null),
      "the basemap canvas is in the stores map",
    );
    await screenshot(browser, "release-installed-stores");
  });
});
