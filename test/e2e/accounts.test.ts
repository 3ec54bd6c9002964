// Two administrators make an auditor in a real browser, without JavaScript, on a 390-pixel
// phone: the one who asks is told it waits for another, and the other approves it from the
// staff accounts page and hands over the one-time password. axe-core (which needs the page's
// JavaScript to run) checks the same pages in a second pass.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addStaff, assertAccessible, assertNoHorizontalScroll, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../support/browser.ts";
import { codeFor, newTotpSecret } from "../../src/modules/auth/two-factor.ts";

const PHONE = 390;

async function heading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

describe("an auditor made by two administrators, on a phone without JavaScript", () => {
  let running: RunningApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** An administrator signed in through the real pages, with both factors. */
  async function administrator(javaScript = false): Promise<Page> {
    const account = await addStaff(running.app, "administrator");
    const key = newTotpSecret();
    await running.app.services.auth.setTwoFactorSecret(account.id, key);
    const { context, page } = await openPage(browser, running.baseUrl, { javaScript, width: PHONE, height: 800 });
    contexts.push(context);
    await page.goto("/staff/sign-in");
    await page.getByLabel("Email address").fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByLabel("6-digit code").fill(codeFor(key));
    await page.getByRole("button", { name: "Continue" }).click();
    await heading(page, /^Signed in as /);
    return page;
  }

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await running?.close();
  });

  /** Asks for an auditor account for `name` and waits for the answer page. */
  async function askForAuditor(page: Page, name: string, email: string): Promise<void> {
    await page.goto("/staff/users/new");
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Work email address").fill(email);
    await page.getByLabel("Auditor").check();
    await page.getByRole("button", { name: "Create account" }).click();
    await heading(page, "Waiting for a second administrator");
  }

  test("the first asks, the second approves and gets the one-time password", async () => {
    const asking = await administrator();
    await askForAuditor(asking, "Aisha Auditor", "aisha.auditor@e2e.openbeat.test");
    assert.match(await asking.locator("main").innerText(), /Create an auditor account for Aisha Auditor/);
    await assertNoHorizontalScroll(asking, PHONE, "waiting for a second administrator");
    await screenshot(asking, "accounts-waiting-390");

    const approving = await administrator();
    await approving.goto("/staff/users");
    await heading(approving, "Staff accounts");
    await assertNoHorizontalScroll(approving, PHONE, "staff accounts with a request waiting");
    await screenshot(approving, "accounts-approvals-390");
    await approving.getByRole("button", { name: "Approve" }).click();
    await approving.getByText("Account created").waitFor();
    assert.match(await approving.locator("#one-time-password").innerText(), /^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
    assert.equal((await running.app.services.users.findByEmail("aisha.auditor@e2e.openbeat.test"))?.role, "auditor");
  });

  test("the pages pass axe-core", async () => {
    const asking = await administrator(true);
    await askForAuditor(asking, "Bea Auditor", "bea.auditor@e2e.openbeat.test");
    await assertAccessible(asking, "waiting for a second administrator");
    const approving = await administrator(true);
    await approving.goto("/staff/users");
    await heading(approving, "Staff accounts");
    await assertAccessible(approving, "staff accounts with a request waiting");
  });
});
