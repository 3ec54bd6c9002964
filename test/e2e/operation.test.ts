// The operation lead's editor in a real browser: set up an operation by pasting GeoJSON, then
// change its buffer by drawing on the map; and the same pages with JavaScript off, where the
// GeoJSON box is the way in. axe-core checks every page with JavaScript on (it runs as a script).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { containsPoint, type Polygonal } from "../../src/domain/geo.ts";
import { addStaff, assertAccessible, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../support/browser.ts";

const box = (west: number, south: number, east: number, north: number) => ({
  type: "Polygon" as const,
  coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
});
const TARGET = box(0.722, 51.533, 0.744, 51.539);
const COMPARISON = box(0.6443, 51.5394, 0.6654, 51.5429);

async function heading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

async function signIn(page: Page, account: { email: string; password: string; name: string }): Promise<void> {
  await page.goto("/staff/sign-in");
  await page.getByLabel("Email address").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(page, `Signed in as ${account.name}`);
}

/** Fills in the operation's details on the new-operation page. */
async function fillDetails(page: Page, name: string): Promise<void> {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Objectives (optional)").fill("Reduce kerb crawling\nHelp women out of exploitation with partners");
  const starts = page.getByRole("group", { name: "Starts on" });
  await starts.getByLabel("Day").fill("1");
  await starts.getByLabel("Month").fill("4");
  await starts.getByLabel("Year").fill("2018");
  await page.getByLabel("Planned officer hours a week").fill("40");
  await page.getByLabel("Running", { exact: true }).check();
}

const operationIdOf = (page: Page) => Number(/\/staff\/operations\/(\d+)/.exec(page.url())![1]);

describe("the operation lead's operation editor in a browser", () => {
  let running: RunningApp;
  let browser: Browser;
  let lead: { email: string; name: string; password: string };

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
    lead = await addStaff(running.app, "operation-lead");
  });

  after(async () => {
    await browser?.close();
    await running?.close();
  });

  test("with JavaScript on, the lead sets up an operation by pasting GeoJSON, then draws its buffer on the map", async () => {
    const { context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript: true });
    try {
      await signIn(page, lead);
      await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Operations", exact: true }).click();
      await heading(page, "Operations");
      await assertAccessible(page, "operations list");
      await page.getByRole("button", { name: "Set up an operation" }).click();
      await heading(page, "Set up an operation");
      await assertAccessible(page, "new operation");

      await fillDetails(page, "Operation Hamstel Road");
      await page.getByLabel("Publish the operation").check();
      await page.getByRole("group", { name: "Target area", exact: true }).getByLabel("Draw it on the map, or paste GeoJSON").check();
      await page.locator("#target-map").waitFor({ state: "visible" });
      await page.getByLabel("GeoJSON of the target area").fill(JSON.stringify(TARGET));
      await page.getByLabel("GeoJSON of the target area").blur();
      await page.locator("#target-map-status").getByText("Area with 4 corners drawn.").waitFor();
      assert.equal(await page.getByLabel("A ring of some metres around the target").isChecked(), true, "the buffer is a 400 m ring unless changed");
      assert.equal(await page.getByLabel("Width of the ring").inputValue(), "400");
      // Without a comparison area the page says what is missing, and keeps what was given.
      await page.getByRole("button", { name: "Create operation" }).click();
      await page.locator(".govuk-error-summary").getByRole("link", { name: "Choose how to give the comparison area" }).waitFor();
      await assertAccessible(page, "new operation, comparison missing");
      await page.getByRole("group", { name: "Comparison area", exact: true }).getByLabel("Draw it on the map, or paste GeoJSON").check();
      await page.getByLabel("GeoJSON of the comparison area").fill(JSON.stringify({ type: "Feature", properties: {}, geometry: COMPARISON }));
      await assertAccessible(page, "new operation, filled in");
      await screenshot(page, "operation-new");
      await page.getByRole("button", { name: "Create operation" }).click();

      await heading(page, "Operation Hamstel Road");
      await page.getByText("Operation created.").waitFor();
      const id = operationIdOf(page);
      await page.locator(".ob-map .leaflet-interactive").first().waitFor();
      assert.ok((await page.locator(".ob-map path.leaflet-interactive").count()) >= 3, "the three areas are drawn on the map");
      await assertAccessible(page, "new operation's page");
      await screenshot(page, "operation-created");
      const operation = (await running.app.services.operations.find(id))!;
      assert.equal(operation.status, "active");
      assert.equal(Boolean(operation.published), true);
      assert.equal(Number(operation.plannedHoursPerWeek), 40);
      assert.deepEqual(JSON.parse(operation.objectives), ["Reduce kerb crawling", "Help women out of exploitation with partners"]);

      // The buffer, drawn: four corners around the target on the map.
      await page.getByRole("link", { name: "Change the buffer" }).click();
      await heading(page, "Change the buffer");
      await page.getByRole("group", { name: "How do you want to give the buffer?" }).getByLabel("Draw it on the map, or paste GeoJSON").check();
      const map = page.locator("#buffer-map");
      await map.waitFor({ state: "visible" });
      await map.locator("path.leaflet-interactive").first().waitFor();
      await assertAccessible(page, "change the buffer, map showing");
      const size = (await map.boundingBox())!;
      for (const [x, y] of [[0.08, 0.08], [0.92, 0.08], [0.92, 0.92], [0.08, 0.92]] as const) {
        await map.click({ position: { x: Math.round(size.width * x), y: Math.round(size.height * y) } });
      }
      await page.locator("#buffer-map-status").getByText("Area with 4 corners drawn.").waitFor();
      const drawn = JSON.parse(await page.getByLabel("GeoJSON of the buffer").inputValue()) as Polygonal & { type: "Polygon" };
      assert.equal(drawn.type, "Polygon");
      assert.equal(drawn.coordinates[0]!.length, 5, "four corners and the first again");
      assert.ok(containsPoint(drawn, 51.536, 0.733), "the drawn buffer surrounds the target");
      await page.getByLabel("Why is the buffer changing?").fill("Follow the streets kerb crawlers use to leave");
      await screenshot(page, "operation-buffer-drawn");
      await page.getByRole("button", { name: "Save the buffer" }).click();

      await heading(page, "Operation Hamstel Road");
      await page.getByText("The buffer is saved").waitFor();
      await assertAccessible(page, "operation after the buffer changed");
      const buffer = (await running.app.services.areas.describe(id)).find((a) => a.role === "buffer")!;
      assert.equal(buffer.definition, "polygon");
      assert.deepEqual(buffer.geometry, drawn);
      const designs = await running.app.services.database.db.selectFrom("evaluationDesigns").select("reason").where("operationId", "=", id).orderBy("version").execute();
      assert.deepEqual(designs.map((d) => d.reason).at(-1), "Follow the streets kerb crawlers use to leave");

      // Activity against plan, with the budget beside it, is one link away.
      await page.getByRole("link", { name: "Activity against plan" }).click();
      await heading(page, "Activity against plan");
      await page.getByRole("heading", { name: "Budget" }).waitFor();
      await page.getByText("The money runs out").waitFor();
      await assertAccessible(page, "activity against plan");
      await screenshot(page, "operation-activity");
      assert.deepEqual(pageErrors, [], "no script error on the editor's pages");
    } finally {
      await context.close();
    }
  });

  test("with JavaScript off, the lead is told what to fix in pasted GeoJSON, sets up the operation and pastes a new buffer", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: false });
    try {
      await signIn(page, lead);
      await page.goto("/staff/operations/new");
      await heading(page, "Set up an operation");
      assert.equal(await page.locator("#target-map").isVisible(), false, "without JavaScript the map stays hidden");
      assert.ok(await page.getByLabel("GeoJSON of the target area").isVisible(), "the GeoJSON box is there to paste into");

      await fillDetails(page, "Operation Ambleside North");
      await page.getByRole("group", { name: "Target area", exact: true }).getByLabel("Draw it on the map, or paste GeoJSON").check();
      const unclosed = { type: "Polygon", coordinates: [TARGET.coordinates[0]!.slice(0, 4)] };
      await page.getByLabel("GeoJSON of the target area").fill(JSON.stringify(unclosed));
      await page.getByRole("group", { name: "Comparison area", exact: true }).getByLabel("Draw it on the map, or paste GeoJSON").check();
      await page.getByLabel("GeoJSON of the comparison area").fill(JSON.stringify(COMPARISON));
      await page.getByRole("button", { name: "Create operation" }).click();

      const summary = page.locator(".govuk-error-summary");
      await summary.getByRole("heading", { name: "There is a problem" }).waitFor();
      await summary.getByRole("link", { name: /The target area's outline is not closed: end it with its first position again, \[0\.722, 51\.533\]/ }).waitFor();
      await screenshot(page, "operation-new-error");

      await page.getByLabel("GeoJSON of the target area").fill(JSON.stringify(TARGET));
      await page.getByRole("button", { name: "Create operation" }).click();
      await heading(page, "Operation Ambleside North");
      const id = operationIdOf(page);

      await page.getByRole("link", { name: "Change the buffer" }).click();
      await heading(page, "Change the buffer");
      await page.getByRole("group", { name: "How do you want to give the buffer?" }).getByLabel("Draw it on the map, or paste GeoJSON").check();
      const pasted = box(0.712, 51.527, 0.754, 51.545);
      await page.getByLabel("GeoJSON of the buffer").fill(JSON.stringify(pasted));
      await page.getByLabel("Why is the buffer changing?").fill("Take in the whole estate to the west");
      await page.getByRole("button", { name: "Save the buffer" }).click();
      await page.getByText("The buffer is saved").waitFor();
      const buffer = (await running.app.services.areas.describe(id)).find((a) => a.role === "buffer")!;
      assert.deepEqual(buffer.geometry, pasted);
    } finally {
      await context.close();
    }
  });
});
