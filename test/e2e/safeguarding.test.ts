// A safeguarding referral in real browsers: the demo safeguarding lead signs in with an
// authenticator code, opens a case for a stated reason, records the person's consent and refers
// them to the demo partner agency; the demo partner worker signs in the same way, accepts the
// referral and posts an update, which the lead then sees. A worker at another agency is told the
// referral does not exist. Every page passes axe-core, and afterwards the audit log verifies and
// holds each consultation and the disclosure.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { loadDemo, type DemoAccount } from "../../src/modules/demo/demo.service.ts";
import { codeFor, newTotpSecret } from "../../src/modules/auth/two-factor.ts";
import { addStaff, assertAccessible, launchBrowser, openPage, screenshot, startApp, type RunningApp } from "../support/browser.ts";

const REASON_REFERENCE = "SG-2026-0042";
const SHARED = "Maya would like help to leave. Reach her through the safeguarding lead, weekday mornings.";
const UPDATE = "We met Maya on Tuesday with the outreach nurse. She has a key worker and a place on the exit programme.";

async function heading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name: text }).waitFor();
}

/** Signs in through the real pages: password, then the authenticator code. */
async function signIn(page: Page, email: string, password: string, twoFactorKey: string): Promise<void> {
  await page.goto("/staff/sign-in");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(page, "Enter the code from your authenticator app");
  await assertAccessible(page, "authenticator code");
  await page.getByLabel("6-digit code").fill(codeFor(twoFactorKey));
  await page.getByRole("button", { name: "Continue" }).click();
  await heading(page, /^Signed in as /);
}

describe("a safeguarding referral to a partner agency", () => {
  let running: RunningApp;
  let browser: Browser;
  let accounts: DemoAccount[];
  let lead: { context: BrowserContext; page: Page; pageErrors: string[] };
  let caseId: number;
  let caseUrl: string;
  let referralId: number;
  const account = (role: DemoAccount["role"]) => accounts.find((a) => a.role === role)!;
  const userId = async (email: string) => (await running.app.services.users.findByEmail(email))!.id;

  before(async () => {
    running = await startApp();
    browser = await launchBrowser();
    // Loading the demo again gives its accounts new passwords and authenticator keys, and returns them.
    ({ accounts } = await loadDemo(running.app.services));
    lead = await openPage(browser, running.baseUrl, { javaScript: true });
  });

  after(async () => {
    await lead?.context.close();
    await browser?.close();
    await running?.close();
  });

  test("the safeguarding lead signs in with an authenticator code and opens a case for a stated reason", async () => {
    const { page } = lead;
    const { email, password, twoFactorKey } = account("safeguarding-lead");
    await signIn(page, email, password, twoFactorKey!);
    await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Safeguarding", exact: true }).click();
    await heading(page, "Safeguarding cases");
    await assertAccessible(page, "safeguarding cases");
    await page.getByRole("button", { name: "Open a case" }).click();
    await heading(page, "Open a safeguarding case");
    await assertAccessible(page, "open a case");

    await page.getByLabel("Alias").fill("Maya");
    await page.getByLabel("25 to 34").check();
    await page.getByLabel("Not asked yet").check();
    await page.getByLabel("Reason", { exact: true }).selectOption({ label: "Safeguarding a person at risk" });
    await page.getByLabel("Reference", { exact: true }).fill(REASON_REFERENCE);
    await page.getByRole("button", { name: "Open case" }).click();
    await page.getByText("Case opened").waitFor();
    await heading(page, /^Maya/);
    caseId = Number(/\/safeguarding\/cases\/(\d+)/.exec(page.url())![1]);
    await assertAccessible(page, "case opened");
    await screenshot(page, "safeguarding-case-opened");
  });

  test("the lead records the person's consent and refers her to the demo partner agency", async () => {
    const { page } = lead;
    await page.getByLabel("They agreed to their information being shared").check();
    await page.getByRole("button", { name: "Record decision" }).click();
    await page.getByText("Consent recorded").waitFor();
    await assertAccessible(page, "consent recorded");

    await page.getByLabel("Refer to").selectOption({ label: "Southend Exit Project (demo): Exit service (support to leave sex work)" });
    await page.getByLabel("What to share with the agency").fill(SHARED);
    await page.getByRole("button", { name: "Send referral" }).click();
    await page.getByText("Referral sent to the partner agency").waitFor();
    await assertAccessible(page, "referral sent");
    await screenshot(page, "safeguarding-referral-sent");
    caseUrl = new URL(page.url()).pathname + new URL(page.url()).search;
    const referral = await running.app.services.database.db.selectFrom("referrals").select(["id", "status"]).where("caseId", "=", caseId).executeTakeFirstOrThrow();
    referralId = referral.id;
  });

  test("the demo partner worker signs in with an authenticator code, accepts the referral and posts an update", async () => {
    const partner = await openPage(browser, running.baseUrl, { javaScript: true });
    try {
      const { page } = partner;
      const { email, password, twoFactorKey } = account("partner-worker");
      await signIn(page, email, password, twoFactorKey!);
      await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Referrals", exact: true }).click();
      await heading(page, "Referrals to your agency");
      await assertAccessible(page, "partner referrals");
      await page.getByRole("link", { name: `RF-${String(referralId).padStart(6, "0")}` }).click();
      await heading(page, /for Maya/);
      await page.getByText(SHARED).waitFor();
      await assertAccessible(page, "partner referral");

      await page.getByLabel("Accept", { exact: true }).check();
      await page.getByRole("button", { name: "Send answer" }).click();
      await page.getByText("Referral accepted").waitFor();
      await assertAccessible(page, "referral accepted");

      await page.getByLabel("Post an update for the safeguarding lead").fill(UPDATE);
      await page.getByRole("button", { name: "Post update" }).click();
      await page.getByText("Update posted").waitFor();
      await page.getByText(UPDATE).waitFor();
      await assertAccessible(page, "update posted");
      await screenshot(page, "safeguarding-partner-update");
      assert.deepEqual(partner.pageErrors, []);
    } finally {
      await partner.context.close();
    }
  });

  test("the lead sees the partner's update on the case", async () => {
    const { page } = lead;
    await page.goto(caseUrl);
    await heading(page, /^Maya/);
    await page.getByText(UPDATE).waitFor();
    await assertAccessible(page, "case with the partner's update");
    await screenshot(page, "safeguarding-lead-sees-update");
    assert.deepEqual(lead.pageErrors, []);
  });

  test("a partner worker at another agency is told the referral does not exist", async () => {
    const otherAgency = await running.app.services.partners.createAgency({ name: "Another Agency (test)", services: ["housing"] });
    const worker = await addStaff(running.app, "partner-worker");
    const twoFactorKey = newTotpSecret();
    await running.app.services.auth.setTwoFactorSecret(worker.id, twoFactorKey);
    await running.app.services.users.update(worker.id, { partnerAgencyId: otherAgency });

    const other = await openPage(browser, running.baseUrl, { javaScript: true });
    try {
      const { page } = other;
      await signIn(page, worker.email, worker.password, twoFactorKey);
      await page.goto("/partner/referrals");
      await heading(page, "Referrals to your agency");
      assert.equal(await page.getByRole("link", { name: /^RF-/ }).count(), 0, "no referral to the demo agency is listed");
      const response = await page.goto(`/partner/referrals/${referralId}`);
      assert.equal(response!.status(), 404);
      await heading(page, "Page not found");
      assert.equal(await page.getByText(SHARED).count(), 0);
      await assertAccessible(page, "another agency's referral");
      await screenshot(page, "safeguarding-other-agency-not-found");
    } finally {
      await other.context.close();
    }
  });

  test("the audit log verifies, and holds the consultations and the disclosure", async () => {
    const verified = await running.app.services.audit.verify();
    assert.equal(verified.ok, true, JSON.stringify(verified));
    const events = await running.app.services.database.db.selectFrom("auditEvents").selectAll().orderBy("id").execute();
    const leadId = await userId(account("safeguarding-lead").email);
    const partnerId = await userId(account("partner-worker").email);
    const about = (recordType: string, id: number) => events.filter((e) => e.recordType === recordType && (JSON.parse(e.recordIds) as Array<number | string>).map(String).includes(String(id)));

    const caseEvents = about("safeguarding-case", caseId);
    const consultations = caseEvents.filter((e) => e.operation === "consultation");
    assert.ok(consultations.length >= 3, "each time the lead saw the case is logged");
    for (const event of consultations) {
      assert.equal(event.actorId, leadId);
      assert.deepEqual([event.reasonCode, event.reasonReference], ["safeguarding", REASON_REFERENCE], "with the reason the lead gave");
    }
    assert.ok(caseEvents.some((e) => e.operation === "collection" && e.actorId === leadId), "opening the case is logged as a collection");
    const disclosures = caseEvents.filter((e) => e.operation === "disclosure");
    assert.equal(disclosures.length, 1, "the referral is the one disclosure");
    assert.equal(disclosures[0]!.actorId, leadId);
    assert.deepEqual(JSON.parse(disclosures[0]!.recipients!), ["Southend Exit Project (demo)"]);
    assert.deepEqual([disclosures[0]!.reasonCode, disclosures[0]!.reasonReference], ["partner-referral", "ISA/DEMO/001"]);

    const referralEvents = about("referral", referralId);
    const partnerReads = referralEvents.filter((e) => e.operation === "consultation");
    assert.ok(partnerReads.length >= 3, "each time the partner worker saw the referral is logged");
    assert.ok(partnerReads.every((e) => e.actorId === partnerId && e.reasonCode === "partner-referral"));
    assert.ok(referralEvents.some((e) => e.operation === "alteration" && e.actorId === partnerId), "accepting it is logged");
    assert.ok(events.some((e) => e.recordType === "referral-update" && e.operation === "collection" && e.actorId === partnerId), "the update is logged");
    const otherWorker = events.filter((e) => e.recordType === "referral" && e.actorId !== partnerId && e.actorId !== leadId);
    assert.deepEqual(otherWorker, [], "the other agency's worker read nothing");
  });
});
