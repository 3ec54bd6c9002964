// The public dashboard in a real browser, as a resident, a councillor or a journalist meets it:
// from the start page, with and without JavaScript, with the keyboard alone, on a 320 pixel
// wide screen; axe-core checks every view. The Ambleside operation runs on the real Essex data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { policeUkTestData } from "../../../test/fixtures/police-uk/data.ts";
import { assertAccessible, assertNoHorizontalScroll, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../../../test/support/browser.ts";

const browserTests = process.env.OPENBEAT_TEST_BROWSER !== "0";

/** Presses Tab until the element has focus; fails if it is never reached. */
async function tabTo(page: Page, selector: string, limit = 200): Promise<void> {
  const target = page.locator(selector);
  await target.waitFor({ state: "attached" });
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  assert.fail(`${selector} was not reached with ${limit} presses of Tab`);
}

describe("the public dashboard in a browser", { skip: browserTests ? false : "OPENBEAT_TEST_BROWSER=0" }, () => {
  let running: RunningApp;
  let browser: Browser;
  const slug = "ambleside";

  before(async () => {
    running = await startApp();
    const { services } = running.app;
    await services.imports.run([policeUkTestData().folder], { source: "cli" });
    const id = await services.areas.createOperation({
      name: "Ambleside",
      startsOn: "2018-04-01",
      summary: "Kerb crawling, street prostitution and drug dealing around Ambleside Drive, Southend-on-Sea.",
      target: { definition: { kind: "lsoas", lsoaCodes: ["E01015840", "E01015894"] } },
      buffer: { definition: { kind: "ring", metres: 400 } },
      comparison: { definition: { kind: "lsoas", lsoaCodes: ["E01015917", "E01015848"] } },
    });
    await services.database.db.updateTable("operations").set({ published: true, updatedAt: new Date().toISOString() }).where("id", "=", id).execute();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await running?.close();
  });

  test("with JavaScript, from the start page to the dashboard, its map, its method and its data", async () => {
    const { context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript: true });
    await page.goto("/");
    await page.getByRole("link", { name: "Ambleside", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Ambleside" }).waitFor();
    await page.locator("#verdict").waitFor();
    await assertAccessible(page, "dashboard");
    await screenshot(page, "dashboard");
    assert.ok((await page.locator("#map-table tbody tr").count()) >= 5, "a row for every cell beside the map");
    assert.equal(await page.locator("svg.ob-chart").first().getAttribute("role"), "img");

    await page.getByLabel("Show on the map").selectOption("anti-social-behaviour");
    await page.getByRole("button", { name: "Show on the map" }).click();
    await page.getByRole("heading", { level: 3, name: /^Anti-social behaviour,/ }).waitFor();
    await assertAccessible(page, "dashboard, anti-social behaviour on the map");

    const csv = await page.request.get(`/operations/${slug}/data.csv`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()["content-type"]!, /^text\/csv/);
    assert.match(await csv.text(), /Open Government Licence/);

    await page.getByRole("link", { name: "How these figures are made", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "How the figures are made" }).waitFor();
    await assertAccessible(page, "methodology");
    await screenshot(page, "dashboard-methodology");
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test("without JavaScript, with the keyboard alone, a category and a map layer can be chosen", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: false });
    await page.goto(`/operations/${slug}`);
    await page.getByRole("heading", { level: 1, name: "Ambleside" }).waitFor();

    await tabTo(page, "#crime");
    await page.keyboard.press("End");
    const chosen = await page.locator("#crime").inputValue();
    await tabTo(page, "form:has(#crime) button");
    await page.keyboard.press("Enter");
    await page.waitForURL(/crime=/);
    assert.equal(await page.locator("#crime").inputValue(), chosen, "the chosen category is shown");
    assert.match(await page.locator("#police-trend-table caption").innerText(), new RegExp(chosen.replace(/[()]/g, ".")));

    await tabTo(page, "#layer");
    await page.keyboard.press("End");
    await tabTo(page, "form:has(#layer) button");
    await page.keyboard.press("Enter");
    await page.waitForURL(/layer=reports/);
    await page.getByRole("heading", { level: 3, name: /^Residents' reports,/ }).waitFor();
    await screenshot(page, "dashboard-nojs-reports");
    // axe-core needs script to run: the same page is checked with it on.
    const address = page.url();
    await context.close();
    const scripted = await openPage(browser, running.baseUrl, { javaScript: true });
    await scripted.page.goto(address);
    await assertAccessible(scripted.page, "dashboard with a category and residents' reports on the map");
    await scripted.context.close();
  });

  test("reads at 320 CSS pixels without scrolling sideways", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: true, width: 320, height: 640 });
    for (const path of [`/operations/${slug}`, `/operations/${slug}/methodology`, "/operations"]) {
      await page.goto(path);
      await assertNoHorizontalScroll(page, 320, path);
      await assertAccessible(page, `${path} at 320 pixels`);
    }
    await page.goto(`/operations/${slug}`);
    await screenshot(page, "dashboard-320");
    await context.close();
  });
});
