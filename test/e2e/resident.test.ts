// The resident's journey in a real browser: report with JavaScript on (a pin on the map) and off
// (a street description), the "call 999" path, inline errors, following the report with the
// receipt code, the keyboard alone, and a 320 pixel wide screen. axe-core checks every page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { assertAccessible, assertNoHorizontalScroll, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../support/browser.ts";

/** Yesterday's date in London: always in the past, always within the last 12 months. */
function yesterday(): { day: string; month: string; year: string } {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", day: "numeric", month: "numeric", year: "numeric" }).formatToParts(new Date(Date.now() - 86_400_000));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { day: part("day"), month: part("month"), year: part("year") };
}

const PLACE = "Ambleside Drive, by the junction with Hamstel Road";
const WHAT_HAPPENED = "A car circled the block four times slowly and stopped by the alley.";

async function heading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

async function count(running: RunningApp, table: "reports" | "reportDrafts"): Promise<number> {
  const row = await running.app.services.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

interface Receipt {
  reference: string;
  receiptCode: string;
}

interface JourneyOptions {
  /** With JavaScript on, drop the pin by clicking the map instead of describing the place. */
  pin: boolean;
  /** Called on every page of the journey once it has loaded, with a short name for it. */
  visit: (name: string) => Promise<void>;
  running: RunningApp;
}

/** The whole report form with the mouse: start → where → category → details → contact → check → sent. */
async function reportWithMouse(page: Page, { pin, visit, running }: JourneyOptions): Promise<Receipt> {
  await page.goto("/report");
  await heading(page, "Make a report");
  await visit("start");
  await page.getByLabel("No", { exact: true }).check();
  await page.getByRole("button", { name: "Continue" }).click();

  await heading(page, "Where did it happen?");
  await visit("where");
  if (pin) {
    const map = page.locator("[data-location-map]");
    await map.waitFor({ state: "visible" });
    await map.click();
    await page.waitForFunction(() => (document.getElementById("latitude") as HTMLInputElement).value !== "");
    assert.match(await page.locator("#pin-status").innerText(), /Pin placed/);
    assert.match(await page.locator("#latitude").inputValue(), /^51\.\d+$/);
    assert.match(await page.locator("#longitude").inputValue(), /^0\.\d+$/);
    await visit("where-pinned");
  } else {
    await page.getByLabel("Describe the place").fill(PLACE);
  }
  await page.getByRole("button", { name: "Continue" }).click();

  await heading(page, "What are you reporting?");
  await visit("category");
  await page.getByLabel("Kerb crawling", { exact: true }).check();
  await page.getByRole("button", { name: "Continue" }).click();

  await heading(page, "What happened?");
  await visit("details");
  await page.getByLabel("A vehicle was circling or stopping repeatedly").check();
  const date = yesterday();
  await page.getByLabel("Day").fill(date.day);
  await page.getByLabel("Month").fill(date.month);
  await page.getByLabel("Year").fill(date.year);
  await page.getByLabel("Time", { exact: true }).fill("21:30");
  await page.getByLabel("Tell us what happened").fill(WHAT_HAPPENED);
  await page.getByLabel("Registration").fill("ab12 cde");
  await page.getByLabel("Make", { exact: true }).fill("BMW");
  await page.getByRole("button", { name: "Continue" }).click();

  await heading(page, "Can we contact you about this report?");
  await visit("contact");
  await page.getByLabel("No, keep me anonymous").check();
  await page.getByRole("button", { name: "Continue" }).click();

  await heading(page, "Check your answers before sending your report");
  await visit("check");
  const summary = page.locator(".govuk-summary-list");
  await summary.getByText(pin ? "A pin on the map" : PLACE).waitFor();
  await summary.getByText("Kerb crawling").waitFor();
  await summary.getByText(WHAT_HAPPENED).waitFor();
  await summary.getByText("None: you stay anonymous").waitFor();
  await page.getByRole("button", { name: "Send report" }).click();

  await heading(page, "Report sent");
  await visit("confirmation");
  return readReceipt(page, running);
}

async function readReceipt(page: Page, running: RunningApp): Promise<Receipt> {
  const receiptCode = (await page.locator("#receipt-code").innerText()).trim();
  assert.doesNotMatch(await page.locator("main").innerText(), /OB-[0-9A-Z]{7}/, "one code only: the receipt code");
  // The reference is for officers: the test reads it as they would, from the newest report.
  const { reference } = await running.app.services.database.db.selectFrom("reports").select("reference").orderBy("id", "desc").limit(1).executeTakeFirstOrThrow();
  assert.match(reference, /^OB-[0-9A-Z]{7}$/);
  assert.match(receiptCode, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
  return { reference, receiptCode };
}

/** Presses Tab until the element has focus; fails if it is not reached (not in the tab order). */
async function tabTo(page: Page, target: Locator, what: string, limit = 60): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  assert.fail(`${what} was not reached with ${limit} presses of Tab`);
}

describe("the resident's journey in a browser", () => {
  let running: RunningApp;
  let browser: Browser;
  let sentWithJavaScript: Receipt | null = null;

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await running?.close();
  });

  test("with JavaScript on, a resident reports with a pin on the map, and every page passes axe-core", async () => {
    const { context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript: true });
    const [before, drafts] = [await count(running, "reports"), await count(running, "reportDrafts")];
    const receipt = await reportWithMouse(page, {
      running,
      pin: true,
      visit: async (name) => {
        await assertAccessible(page, name);
        await screenshot(page, `resident-${name}`);
      },
    });
    assert.equal(await count(running, "reports"), before + 1);
    const stored = await running.app.services.database.db.selectFrom("reports").selectAll().where("reference", "=", receipt.reference).executeTakeFirstOrThrow();
    assert.equal(stored.categoryCode, "kerb-crawling");
    assert.equal(stored.areaRole, "target", "the pin at the centre of the map falls in the operation's target area");
    assert.ok(stored.latitude && stored.longitude, "the pin's position was stored");
    assert.equal(await count(running, "reportDrafts"), drafts, "the draft is deleted once the report is sent");
    assert.deepEqual(pageErrors, []);
    sentWithJavaScript = receipt;
    await context.close();
  });

  test("with JavaScript off, a resident reports by describing the street", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: false });
    const before = await count(running, "reports");
    const receipt = await reportWithMouse(page, {
      running,
      pin: false,
      visit: async (name) => {
        if (name === "where") assert.equal(await page.locator("[data-location-map]").isVisible(), false, "without JavaScript the map stays hidden");
        if (["start", "where", "details", "check", "confirmation"].includes(name)) await screenshot(page, `resident-nojs-${name}`);
      },
    });
    assert.equal(await count(running, "reports"), before + 1);
    const stored = await running.app.services.database.db.selectFrom("reports").selectAll().where("reference", "=", receipt.reference).executeTakeFirstOrThrow();
    assert.equal(stored.locationText, PLACE);
    assert.equal(stored.latitude, null);
    await context.close();
  });

  test("answering that someone is in danger now says to call 999 and saves nothing", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: true });
    const [reports, drafts] = [await count(running, "reports"), await count(running, "reportDrafts")];
    await page.goto("/report");
    await page.getByLabel("Yes, it is happening now and someone is in danger").check();
    await page.getByRole("button", { name: "Continue" }).click();
    await heading(page, "Call 999 now");
    await page.getByText("Nothing you have entered has been saved.").waitFor();
    await assertAccessible(page, "call 999");
    await screenshot(page, "resident-call-999");
    assert.equal(await count(running, "reports"), reports);
    assert.equal(await count(running, "reportDrafts"), drafts);
    assert.equal((await context.cookies()).some((cookie) => cookie.path === "/report"), false, "no draft cookie was set");
    await context.close();
  });

  test("a page sent empty shows the error summary with a link to the field, and an inline message", async () => {
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: true });
    const expectError = async (name: string, message: string, fieldId: string) => {
      const summary = page.locator(".govuk-error-summary");
      await summary.getByRole("heading", { name: "There is a problem" }).waitFor();
      const link = summary.getByRole("link", { name: message });
      assert.equal(await link.getAttribute("href"), `#${fieldId}`);
      assert.equal(await page.locator(`#${fieldId}`).count(), 1, `the error link's target #${fieldId} exists`);
      await page.locator(".govuk-error-message").filter({ hasText: message }).waitFor();
      assert.match(await page.title(), /^Error: /);
      await assertAccessible(page, `${name} with an error`);
      await screenshot(page, `resident-error-${name}`);
      // GOV.UK Frontend moves focus to the field when the link is followed.
      await link.click();
      assert.ok(await page.locator(`#${fieldId}`).evaluate((element) => element === document.activeElement), `following the link focuses #${fieldId}`);
    };
    const proceed = () => page.getByRole("button", { name: "Continue" }).click();

    await page.goto("/report");
    await proceed();
    await expectError("start", "Say whether it is happening now and anyone is in danger", "danger");
    await page.getByLabel("No", { exact: true }).check();
    await proceed();

    await heading(page, "Where did it happen?");
    await proceed();
    await expectError("where", "Say where it happened: the street and the nearest house number, junction or landmark", "locationText");
    await page.getByLabel("Describe the place").fill(PLACE);
    await proceed();

    await heading(page, "What are you reporting?");
    await proceed();
    await expectError("category", "Choose what you are reporting", "category");
    await page.getByLabel("Kerb crawling", { exact: true }).check();
    await proceed();

    await heading(page, "What happened?");
    await proceed();
    await expectError("details", "Enter the date it happened", "date-day");
    const summary = page.locator(".govuk-error-summary");
    for (const message of ["Enter the time it happened, like 21:30", "Tell us what happened", "Answer “What happened?”"]) {
      await summary.getByRole("link", { name: message }).waitFor();
    }
    await context.close();
  });

  test("the resident follows the report with the receipt code, adds information, and a wrong code is refused", async () => {
    assert.ok(sentWithJavaScript, "the report sent with JavaScript on gave a receipt code");
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: true });
    await page.goto("/track");
    await heading(page, "Follow a report");
    await assertAccessible(page, "track");
    await screenshot(page, "resident-track");
    await page.getByLabel("Receipt code").fill(sentWithJavaScript.receiptCode.toLowerCase());
    await page.getByRole("button", { name: "Find my report" }).click();

    await heading(page, `Report ${sentWithJavaScript.reference}`);
    await page.locator(".govuk-summary-list").getByText("Received", { exact: true }).first().waitFor();
    await page.getByText("No public update has been written about this report yet.").waitFor();
    await assertAccessible(page, "tracked report");
    await screenshot(page, "resident-tracked");

    await page.getByLabel("What do you want to add?").fill("It happened again the next night at about 22:00.");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Your information has been added to the report.").waitFor();
    await page.getByText("You added information on").waitFor();
    await assertAccessible(page, "information added");
    await screenshot(page, "resident-information-added");

    await page.goto("/track");
    await page.getByLabel("Receipt code").fill("AAAA-BBBB-CCCC-DDDD");
    await page.getByRole("button", { name: "Find my report" }).click();
    await page.locator(".govuk-error-summary").getByRole("link", { name: /We could not find a report with that receipt code/ }).waitFor();
    await page.locator(".govuk-error-message").filter({ hasText: "We could not find a report with that receipt code" }).waitFor();
    await assertAccessible(page, "wrong receipt code");
    await screenshot(page, "resident-track-wrong-code");
    await context.close();
  });

  test("the whole journey can be done with the keyboard alone (JavaScript on, street description)", async () => {
    const { context, page, pageErrors } = await openPage(browser, running.baseUrl, { javaScript: true });
    const continueButton = page.getByRole("button", { name: "Continue" });

    await page.goto("/");
    await tabTo(page, page.getByRole("link", { name: "Skip to main content" }), "The skip link", 1);
    await page.keyboard.press("Enter");
    await tabTo(page, page.getByRole("button", { name: "Make a report" }), "The start button");
    await page.keyboard.press("Enter");

    await heading(page, "Make a report");
    await tabTo(page, page.getByLabel("Yes, it is happening now and someone is in danger"), "The first danger answer");
    await page.keyboard.press("ArrowDown");
    assert.ok(await page.getByLabel("No", { exact: true }).isChecked(), "the arrow key chose No");
    await tabTo(page, continueButton, "Continue");
    await page.keyboard.press("Enter");

    await heading(page, "Where did it happen?");
    // The map is in the tab order (Enter would drop a pin); Tab goes past it to the description.
    await tabTo(page, page.getByLabel("Describe the place"), "The place description");
    await page.keyboard.type(PLACE);
    assert.equal(await page.locator("#latitude").inputValue(), "", "tabbing past the map dropped no pin");
    await tabTo(page, continueButton, "Continue");
    await page.keyboard.press("Enter");

    await heading(page, "What are you reporting?");
    // A radio group is one tab stop, entered at its first choice; the arrow keys move and choose.
    await tabTo(page, page.getByLabel("Kerb crawling", { exact: true }), "The first category");
    const needles = page.getByLabel("Needles or drug litter", { exact: true });
    for (let i = 0; i < 8 && !(await needles.isChecked()); i++) await page.keyboard.press("ArrowDown");
    assert.ok(await needles.isChecked(), "the arrow keys chose Needles or drug litter");
    await tabTo(page, continueButton, "Continue");
    await page.keyboard.press("Enter");

    await heading(page, "What happened?");
    await tabTo(page, page.getByLabel("Yes", { exact: true }), "The needles question");
    await page.keyboard.press("Space");
    const date = yesterday();
    await tabTo(page, page.getByLabel("Day"), "Day");
    await page.keyboard.type(date.day);
    await tabTo(page, page.getByLabel("Month"), "Month", 1);
    await page.keyboard.type(date.month);
    await tabTo(page, page.getByLabel("Year"), "Year", 1);
    await page.keyboard.type(date.year);
    await tabTo(page, page.getByLabel("Time", { exact: true }), "Time");
    await page.keyboard.type("7:15am");
    await tabTo(page, page.getByLabel("Tell us what happened"), "The description");
    await page.keyboard.type("Two needles in the grass verge next to the bus stop.");
    await tabTo(page, continueButton, "Continue");
    await page.keyboard.press("Enter");

    await heading(page, "Can we contact you about this report?");
    assert.ok(await page.getByLabel("No, keep me anonymous").isChecked(), "staying anonymous is the default");
    await tabTo(page, continueButton, "Continue");
    await page.keyboard.press("Enter");

    await heading(page, "Check your answers before sending your report");
    await tabTo(page, page.getByRole("button", { name: "Send report" }), "Send report");
    await page.keyboard.press("Enter");

    await heading(page, "Report sent");
    const receipt = await readReceipt(page, running);
    const stored = await running.app.services.database.db.selectFrom("reports").selectAll().where("reference", "=", receipt.reference).executeTakeFirstOrThrow();
    assert.equal(stored.categoryCode, "drug-litter");
    assert.equal(stored.locationText, PLACE);
    assert.equal(stored.latitude, null);
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test("at 320 CSS pixels wide no page of the journey scrolls sideways", async () => {
    const width = 320;
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript: true, width, height: 640 });
    const receipt = await reportWithMouse(page, {
      running,
      pin: false,
      visit: async (name) => {
        await assertNoHorizontalScroll(page, width, name);
        if (["start", "where", "details", "check", "confirmation"].includes(name)) await screenshot(page, `resident-320-${name}`);
      },
    });
    await page.goto("/report");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.locator(".govuk-error-summary").waitFor();
    await assertNoHorizontalScroll(page, width, "start with an error");

    await page.goto("/track");
    await assertNoHorizontalScroll(page, width, "track");
    await page.getByLabel("Receipt code").fill(receipt.receiptCode);
    await page.getByRole("button", { name: "Find my report" }).click();
    await heading(page, `Report ${receipt.reference}`);
    await assertNoHorizontalScroll(page, width, "tracked report");
    await screenshot(page, "resident-320-tracked");

    await context.close();
  });
});
