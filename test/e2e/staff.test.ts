// An officer's side in a real browser: sign in, filter the triage queue, grade a report with
// THRIVE, move it on and close it, answer it with a public update from the queue, and the
// resident then sees the update and the closed status with the receipt code. axe-core checks
// every staff page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { validReport } from "../support/app.ts";
import { addStaff, assertAccessible, assertNoHorizontalScroll, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../support/browser.ts";

const THRIVE = {
  Threat: "Low: no threat to anyone now; the car had driven off.",
  Harm: "Distress to the resident who was propositioned.",
  Risk: "Repeat kerb crawling at this junction in the evenings.",
  Investigation: "Registration given: check it against earlier sightings.",
  Vulnerability: "The resident walks home alone late; no child at risk seen.",
  Engagement: "Add this junction to the evening patrol briefing.",
};
const UPDATE = {
  title: "Evening patrols at the Hamstel Road junction",
  body: "You told us about cars circling near Hamstel Road. We patrolled there on four evenings and spoke to two drivers.",
};

async function heading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

/** The value in a GOV.UK summary list row, found by its key. */
function summaryValue(page: Page, key: string) {
  return page.locator(".govuk-summary-list__row").filter({ has: page.locator(".govuk-summary-list__key", { hasText: new RegExp(`^\\s*${key}\\s*$`) }) }).locator(".govuk-summary-list__value");
}

describe("an officer's triage in a browser", () => {
  let running: RunningApp;
  let browser: Browser;
  let officer: { email: string; name: string; password: string };
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let receipt: { reference: string; receiptCode: string };

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
    officer = await addStaff(running.app, "officer");
    const response = await fetch(`${running.baseUrl}/api/reports`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(validReport({ locationText: "Ambleside Drive, by the junction with Hamstel Road" })),
    });
    assert.equal(response.status, 201);
    receipt = (await response.json()) as { reference: string; receiptCode: string };
    ({ context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript: true }));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await running?.close();
  });

  test("an officer signs in through the sign-in page", async () => {
    await page.goto("/staff/sign-in");
    await heading(page, "Sign in");
    await assertAccessible(page, "sign-in");
    await screenshot(page, "staff-sign-in");
    await page.getByLabel("Email address").fill(officer.email);
    await page.getByLabel("Password", { exact: true }).fill(officer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, `Signed in as ${officer.name}`);
    assert.equal(new URL(page.url()).pathname, "/staff");
    await assertAccessible(page, "staff home");
    await screenshot(page, "staff-home");
  });

  test("the officer filters the triage queue and opens the new report", async () => {
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Reports", exact: true }).click();
    await heading(page, "Residents' reports");
    await assertAccessible(page, "triage queue");
    await screenshot(page, "staff-queue");

    await page.getByLabel("Status").selectOption({ label: "Received" });
    await page.getByLabel("Category").selectOption({ label: "Kerb crawling" });
    await page.getByLabel("Area").selectOption({ label: "Target area" });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("status") === "received");
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get("category"), "kerb-crawling");
    assert.equal(query.get("area"), "target");
    assert.equal(await page.getByLabel("Status").inputValue(), "received", "the filter keeps its choice");

    const rows = page.locator(".ob-queue-table tbody tr");
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent!.trim())));
    assert.ok(cells.length >= 1);
    for (const row of cells) {
      assert.match(row[2]!, /^Kerb crawling/);
      assert.equal(row[4], "Received");
      assert.equal(row[6], "Target");
    }
    assert.ok(cells.some((row) => row[1]!.startsWith(receipt.reference)), "the new report is in the filtered queue");
    await assertAccessible(page, "filtered triage queue");
    await screenshot(page, "staff-queue-filtered");

    await page.getByRole("link", { name: receipt.reference, exact: true }).click();
    await heading(page, new RegExp(`^Report ${receipt.reference}`));
    assert.equal(await summaryValue(page, "Status").innerText(), "Received");
    await assertAccessible(page, "report in triage");
    await screenshot(page, "staff-report");
  });

  test("the officer grades the report with a THRIVE assessment and a force reference", async () => {
    await page.getByLabel("Priority", { exact: true }).check();
    for (const [heading, text] of Object.entries(THRIVE)) await page.getByLabel(heading, { exact: true }).fill(text);
    await page.getByLabel("Force incident or crime reference (optional)").fill("42/12345/26");
    await page.getByRole("button", { name: "Grade report" }).click();
    await page.waitForURL((url) => url.searchParams.get("saved") === "graded");
    assert.equal(await summaryValue(page, "Status").innerText(), "Triaged");
    assert.equal(await summaryValue(page, "Force reference").innerText(), "42/12345/26");
    assert.ok(await page.getByLabel("Priority", { exact: true }).isChecked(), "the grade is shown as saved");
    assert.equal(await page.getByLabel("Engagement", { exact: true }).inputValue(), THRIVE.Engagement);
    await assertAccessible(page, "graded report");

    const stored = await running.app.services.database.db.selectFrom("reports").selectAll().where("reference", "=", receipt.reference).executeTakeFirstOrThrow();
    assert.equal(stored.grade, "priority");
    assert.equal(stored.status, "triaged");
  });

  test("the officer moves the report to in progress, then closes it with an outcome", async () => {
    await page.getByLabel("In progress", { exact: true }).check();
    await page.getByRole("button", { name: "Update status" }).click();
    await page.waitForURL((url) => url.searchParams.get("saved") === "moved");
    assert.equal(await summaryValue(page, "Status").innerText(), "In progress");

    // Closing needs an outcome: without one the page says so and links to the field.
    await page.getByLabel("Closed", { exact: true }).check();
    await page.getByRole("button", { name: "Update status" }).click();
    const summary = page.locator(".govuk-error-summary");
    await summary.getByRole("heading", { name: "There is a problem" }).waitFor();
    assert.ok((await summary.getByRole("link").count()) >= 1);
    await assertAccessible(page, "closing without an outcome");
    await screenshot(page, "staff-report-error");

    await page.getByLabel("Closed", { exact: true }).check();
    await page.getByLabel("Outcome").selectOption({ label: "Officers took action" });
    await page.getByRole("button", { name: "Update status" }).click();
    await page.waitForURL((url) => url.searchParams.get("saved") === "moved");
    assert.equal(await summaryValue(page, "Status").innerText(), "Closed (Officers took action)");
    await assertAccessible(page, "closed report");
    await screenshot(page, "staff-report-closed");
  });

  test("the officer selects reports in the queue and publishes a public update about them", async () => {
    await page.goto("/staff/reports");
    await heading(page, "Residents' reports");
    const other = await page.locator(".ob-queue-table tbody tr a.govuk-link").evaluateAll((links, ours) => links.map((a) => a.textContent!.trim()).find((r) => r !== ours), receipt.reference);
    assert.ok(other, "the queue holds another report to answer together");
    await page.getByLabel(`Select ${receipt.reference}`).check();
    await page.getByLabel(`Select ${other}`).check();
    await page.getByRole("button", { name: "Write a public update about the selected reports" }).click();

    await heading(page, "Write a public update");
    assert.deepEqual(new URL(page.url()).searchParams.getAll("reports").sort(), [receipt.reference, other].sort());
    assert.ok(await page.getByLabel(receipt.reference, { exact: true }).isChecked(), "the selected reports are ticked");
    assert.ok(await page.getByLabel(other, { exact: true }).isChecked());
    await assertAccessible(page, "new public update");
    await screenshot(page, "staff-update-new");

    await page.getByLabel("Title").fill(UPDATE.title);
    await page.getByLabel("What was done").fill(UPDATE.body);
    await page.getByRole("button", { name: "Preview the update" }).click();
    await heading(page, "Check the update before it is published");
    await page.locator("#preview").getByText(UPDATE.body).waitFor();
    await assertAccessible(page, "public update preview");
    await page.getByRole("button", { name: "Publish the update" }).click();
    await heading(page, UPDATE.title);
    await page.getByText("The update is published.").waitFor();
    assert.match(new URL(page.url()).pathname, /^\/updates\/\d+$/);
    await page.getByText(UPDATE.body).waitFor();
    await assertAccessible(page, "published update");
    await screenshot(page, "staff-update-published");
  });

  test("the resident's tracking page shows the update and the closed status", async () => {
    const resident = await openPage(browser, running.baseUrl, { javaScript: true });
    try {
      const tracking = resident.page;
      await tracking.goto("/track");
      await tracking.getByLabel("Receipt code").fill(receipt.receiptCode);
      await tracking.getByRole("button", { name: "Find my report" }).click();
      await heading(tracking, `Report ${receipt.reference}`);
      assert.equal(await summaryValue(tracking, "Status").innerText(), "Closed");
      assert.equal(await summaryValue(tracking, "Outcome").innerText(), "Officers took action");
      await tracking.getByRole("heading", { name: UPDATE.title }).waitFor();
      await tracking.getByText(UPDATE.body).waitFor();
      await tracking.getByRole("heading", { name: "Reopen or add information" }).waitFor();
      await assertAccessible(tracking, "tracked closed report");
      await screenshot(tracking, "staff-resident-sees-update");
    } finally {
      await resident.context.close();
    }
  });

  test("the officer's pages fit a 320 pixel wide screen: the queue's table scrolls in its own box", async () => {
    const width = 320;
    await page.setViewportSize({ width, height: 640 });
    for (const path of ["/staff", "/staff/reports", `/staff/reports/${receipt.reference}`, "/staff/updates/new"]) {
      await page.goto(path);
      await assertNoHorizontalScroll(page, width, path);
    }
    await screenshot(page, "staff-320-update-new");
    assert.deepEqual(pageErrors, [], "no script error on any staff page");
  });
});
