// An officer's shift on a phone (375 × 667): sign in, start a patrol, log an engagement where a
// referral to support was offered and accepted, stop a kerb crawler, record the car, end the
// patrol. Every page passes axe-core and fits the screen without scrolling sideways.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addStaff, assertAccessible, assertNoHorizontalScroll, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../support/browser.ts";

const WIDTH = 375;
const HEIGHT = 667;

async function heading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

/** axe-core, no sideways scrolling, and a screenshot: what every page of the shift must pass. */
async function check(page: Page, name: string): Promise<void> {
  await assertAccessible(page, name);
  await assertNoHorizontalScroll(page, WIDTH, name);
  await screenshot(page, `officer-phone-${name}`);
}

describe("an officer's patrol on a phone", () => {
  let running: RunningApp;
  let browser: Browser;
  let officer: { email: string; name: string; password: string; id: number };
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let patrolId: number;

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
    officer = await addStaff(running.app, "officer");
    ({ context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript: true, width: WIDTH, height: HEIGHT }));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await running?.close();
  });

  const db = () => running.app.services.database.db;

  test("the officer signs in and opens On patrol from the menu", async () => {
    await page.goto("/staff/sign-in");
    await heading(page, "Sign in");
    await check(page, "sign-in");
    await page.getByLabel("Email address").fill(officer.email);
    await page.getByLabel("Password", { exact: true }).fill(officer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, `Signed in as ${officer.name}`);
    await check(page, "home");

    // On a phone the staff menu folds behind a button.
    const menu = page.getByRole("button", { name: "Menu" });
    await menu.click();
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "On patrol", exact: true }).click();
    await heading(page, "On patrol");
    await page.getByText("You are not on a patrol.").waitFor();
    await check(page, "on-patrol");
  });

  test("the officer starts a patrol in the target area", async () => {
    await page.getByRole("button", { name: "Start a patrol" }).click();
    await heading(page, "Start a patrol");
    await check(page, "start-patrol");
    await page.getByLabel("Target area").check();
    await page.getByRole("button", { name: "Start patrol" }).click();
    await page.getByText("Patrol started.").waitFor();
    await page.getByRole("button", { name: "End patrol" }).waitFor();
    await check(page, "patrol-started");
    const patrol = await db().selectFrom("patrols").selectAll().where("startedBy", "=", officer.id).executeTakeFirstOrThrow();
    assert.equal(patrol.areaRole, "target");
    assert.equal(patrol.endedAt, null);
    patrolId = patrol.id;
  });

  test("the officer logs an engagement where a referral to support was offered and accepted", async () => {
    await page.getByRole("button", { name: "Log an engagement" }).click();
    await heading(page, "Log an engagement");
    await check(page, "engagement");
    await page.getByLabel("Referral to support offered").check();
    await page.getByLabel("Accepted", { exact: true }).check();
    await page.getByLabel("Street or landmark (optional)").fill("Ambleside Drive, by the phone box");
    await page.getByRole("button", { name: "Save engagement" }).click();
    await page.getByText("Engagement logged.").waitFor();
    await check(page, "engagement-logged");
    const engagement = await db().selectFrom("engagements").selectAll().where("officerId", "=", officer.id).executeTakeFirstOrThrow();
    assert.equal(engagement.kind, "referral-offered");
    assert.equal(Boolean(engagement.referralOffered), true);
    assert.equal(engagement.referralResponse, "accepted");
    assert.equal(engagement.patrolId, patrolId, "logged against the patrol under way");
  });

  test("the officer logs a kerb-crawler stop against a buyer", async () => {
    await page.getByRole("button", { name: "Log an enforcement action" }).click();
    await heading(page, "Log an enforcement action");
    await check(page, "enforcement");
    await page.getByLabel("Action taken").selectOption({ label: "Kerb-crawler stop" });
    await page.getByLabel("Offence").selectOption({ label: "Soliciting for sexual services (Sexual Offences Act 2003, s.51A)" });
    await page.getByLabel("Buyer (kerb crawler)").check();
    await page.getByLabel("Outcome").selectOption({ label: "Warned" });
    await page.getByRole("button", { name: "Save action" }).click();
    await page.getByText("Enforcement action logged.").waitFor();
    await check(page, "enforcement-logged");
    const action = await db().selectFrom("enforcementActions").selectAll().where("officerId", "=", officer.id).executeTakeFirstOrThrow();
    assert.deepEqual(
      { action: action.action, offence: action.offence, targetGroup: action.targetGroup, outcome: action.outcome, patrolId: action.patrolId },
      { action: "kerb-crawler-stop", offence: "kerb-crawling", targetGroup: "buyer", outcome: "Warned", patrolId },
    );
  });

  test("the officer records the kerb crawler's car as a sighting on the patrol", async () => {
    await page.getByRole("button", { name: "Record a vehicle sighting" }).click();
    await heading(page, "Record a vehicle sighting");
    await check(page, "sighting");
    await page.getByLabel("Registration").fill("ab12 cde");
    await page.getByLabel("Make").fill("BMW");
    await page.getByLabel("Colour").selectOption({ label: "Black" });
    assert.equal(await page.getByLabel("I saw it myself").isChecked(), true, "an officer's own sighting is the default");
    await page.getByLabel("Street and nearest junction or landmark").fill("Ambleside Drive");
    await page.getByLabel("Target area").check();
    assert.equal(await page.getByLabel("Patrol", { exact: true }).inputValue(), String(patrolId), "the patrol under way is chosen");
    await page.getByRole("button", { name: "Save sighting" }).click();
    await page.getByText("Sighting saved.").waitFor();
    await heading(page, /AB12 CDE/);
    await check(page, "sighting-saved");
    const sighting = await db().selectFrom("vehicleSightings").selectAll().where("recordedBy", "=", officer.id).executeTakeFirstOrThrow();
    assert.deepEqual({ registration: sighting.registration, source: sighting.source, patrolId: sighting.patrolId, corroborated: Boolean(sighting.corroborated) }, { registration: "AB12CDE", source: "officer", patrolId, corroborated: true });
  });

  test("the officer ends the patrol", async () => {
    await page.goto("/staff/activity");
    await heading(page, "On patrol");
    // The running log of the patrol, and "End patrol" below it, behind a confirmation.
    const log = await page.locator("#patrol-log").innerText();
    assert.match(log, /Vehicle sighting recorded/);
    const buttons = await page.locator("main .govuk-button").allInnerTexts();
    assert.equal(buttons.at(-1)?.trim(), "End patrol", "End patrol comes last");
    await page.getByRole("button", { name: "End patrol" }).click();
    await heading(page, "End the patrol?");
    await check(page, "end-patrol-confirm");
    await page.getByRole("button", { name: "Yes, end the patrol" }).click();
    await page.getByText("Patrol ended.").waitFor();
    await page.getByText("You are not on a patrol.").waitFor();
    await check(page, "patrol-ended");
    const patrol = await db().selectFrom("patrols").selectAll().where("id", "=", patrolId).executeTakeFirstOrThrow();
    assert.ok(patrol.endedAt, "the patrol has an end time");
    const verified = await running.app.services.audit.verify();
    assert.equal(verified.ok, true, JSON.stringify(verified));
    assert.deepEqual(pageErrors, [], "no script error on any page of the shift");
  });
});
