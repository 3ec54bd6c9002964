// Email alerts end to end, through a real SMTP server started here: subscribe, confirm from the
// email, a public update becomes an alert with a one-click unsubscribe, and unsubscribing erases
// the address. The queue survives restarts, retries with back-off, and sends each message once.
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, testApp } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";
import { testConfig } from "../../../test/support/config.ts";
import { createServices } from "../../services.ts";
import { runMailOnce } from "./sender.ts";
import { linkIn, startTestSmtp, type TestSmtp } from "./smtp.testing.ts";
import { inLastCompleteMonth, PLACES, reportAt } from "../open311/open311.testing.ts";

let counter = 0;
const address = () => `resident-${process.pid}-${++counter}@example.org`;
const square = (west: number, south: number, east: number, north: number) =>
  JSON.stringify({ type: "Polygon", coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] });

describeEachDatabase("email alerts", (context) => {
  let smtp: TestSmtp;
  let app: FastifyInstance;
  let operationId: number;

  before(async () => {
    smtp = await startTestSmtp();
    app = await testApp(context(), { smtpUrl: smtp.url });
    operationId = await activeOperation(app);
  });
  after(async () => {
    await app.close();
    await smtp.close();
  });

  async function subscribe(fields: Record<string, string>) {
    const client = new PageClient(app);
    await client.get("/alerts");
    return client.post("/alerts", fields);
  }

  it("confirms by email, sends an alert for a public update, and erases the address on one-click unsubscribe", async () => {
    const email = address();
    const page = await subscribe({ email, choice: `operation-${operationId}` });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /Check your email/);
    const before = smtp.received.length;

    // Nothing but the confirmation until the link in it is followed.
    await app.services.updates.publish({ title: "Too early", body: "Published before confirming.", operationId, reportReferences: [] }, null);
    await runMailOnce(app.services);
    const [confirmation] = (await smtp.waitFor(before + 1)).slice(before);
    assert.deepEqual(confirmation!.to, [email]);
    assert.match(confirmation!.subject, /Confirm/);
    assert.match(confirmation!.headers["list-unsubscribe"] ?? "", /^<https?:\/\/.+\/alerts\/unsubscribe\/.+>$/);

    const browser = new PageClient(app);
    const confirmPage = await browser.get(linkIn(confirmation!, "/alerts/confirm/"));
    assert.equal(confirmPage.statusCode, 200);
    assert.match(confirmPage.body, /Start my alerts/);
    const started = await browser.post(linkIn(confirmation!, "/alerts/confirm/"), {});
    assert.equal(started.statusCode, 200, started.body);
    assert.match(started.body, /have started/);

    await app.services.updates.publish({ title: "Extra patrols on Ambleside Drive", body: "Officers patrolled on four evenings this week.", operationId, reportReferences: [] }, null);
    const other = await activeOperation(app);
    await app.services.updates.publish({ title: "Another operation's news", body: "Not for this subscriber.", operationId: other, reportReferences: [] }, null);
    const summary = await runMailOnce(app.services);
    assert.equal(summary.queued, 1);
    const [alert] = (await smtp.waitFor(before + 2)).slice(before + 1);
    assert.deepEqual(alert!.to, [email]);
    assert.match(alert!.subject, /Extra patrols on Ambleside Drive/);
    assert.match(alert!.text, /four evenings/);
    assert.ok(!alert!.text.includes("Too early"));
    assert.equal(alert!.headers["list-unsubscribe-post"], "List-Unsubscribe=One-Click");
    assert.ok(!/<img|https?:\/\/[^\s]*\?(utm|track)/i.test(alert!.raw), "no tracking");
    const unsubscribe = linkIn(alert!, "/alerts/unsubscribe/");
    assert.ok(alert!.headers["list-unsubscribe"]!.includes(unsubscribe));

    // One click, as a mail program does it: a POST with no cookie and no form token.
    const stopped = await app.inject({ method: "POST", url: unsubscribe, payload: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(stopped.statusCode, 200, stopped.body);
    const { db } = context().database;
    const id = Number(unsubscribe.split("/").at(-1)!.split(".")[0]);
    const row = await db.selectFrom("alertSubscriptions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.equal(row.status, "unsubscribed");
    assert.equal(row.emailEncrypted, null, "the address is erased");
    const mail = await db.selectFrom("mailQueue").select(["recipientEncrypted"]).where("subscriptionId", "=", id).execute();
    assert.ok(mail.length >= 2 && mail.every((m) => m.recipientEncrypted === null), "no copy waits in the queue");
    const erasures = await app.services.audit.search({ recordType: "alert-subscriber", operation: "erasure", limit: 10 });
    assert.ok(erasures.some((e) => JSON.parse(e.recordIds).includes(String(id))));

    await app.services.updates.publish({ title: "After unsubscribing", body: "Never sent.", operationId, reportReferences: [] }, null);
    await runMailOnce(app.services);
    assert.equal(smtp.received.length, before + 2);
    assert.equal((await app.inject({ method: "POST", url: unsubscribe })).statusCode, 200, "the link keeps working");
  });

  it("alerts for an area drawn on the map, and refuses an area that could watch one home", async () => {
    const small = await subscribe({ email: address(), choice: "area", area: square(0.7274, 51.5383, 0.7284, 51.539) });
    assert.equal(small.statusCode, 400);
    assert.match(small.body, /too small/);
    const nothing = await subscribe({ email: address(), choice: "area", area: "" });
    assert.equal(nothing.statusCode, 400);
    const wrongEmail = await subscribe({ email: "not an address", choice: `operation-${operationId}` });
    assert.equal(wrongEmail.statusCode, 400);
    assert.match(wrongEmail.body, /correct format/);

    // One area over the operation's streets, one over streets no operation covers.
    const nearOperation = address();
    const elsewhere = address();
    const before = smtp.received.length;
    assert.equal((await subscribe({ email: nearOperation, choice: "area", area: square(0.715, 51.53, 0.74, 51.545) })).statusCode, 200);
    assert.equal((await subscribe({ email: elsewhere, choice: "area", area: square(0.64, 51.555, 0.66, 51.566) })).statusCode, 200);
    await runMailOnce(app.services);
    for (const confirmation of (await smtp.waitFor(before + 2)).slice(before)) {
      const browser = new PageClient(app);
      await browser.get(linkIn(confirmation, "/alerts/confirm/"));
      assert.equal((await browser.post(linkIn(confirmation, "/alerts/confirm/"), {})).statusCode, 200);
    }

    await app.services.updates.publish({ title: "Needles cleared near the park", body: "The council removed drug litter.", operationId, reportReferences: [] }, null);
    await app.services.updates.publish({ title: "Elsewhere entirely", body: "No operation, no reports.", operationId: null, reportReferences: [] }, null);
    // An update with no operation reaches an area through the reports it answers, placed as
    // published: at the centre of a cell-month that meets k (PLACES.b is outside the operation).
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) placed.push((await reportAt(app, inLastCompleteMonth(), PLACES.b)).reference);
    await app.services.updates.publish({ title: "Alley cleared", body: "The alley was cleaned.", operationId: null, reportReferences: [placed[0]!] }, null);
    const recent = await reportAt(app, new Date(), PLACES.b);
    await app.services.updates.publish({ title: "Too recent to place", body: "This month is not over.", operationId: null, reportReferences: [recent.reference] }, null);
    await runMailOnce(app.services);
    await smtp.waitFor(before + 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const subjects = (email: string) => smtp.received.slice(before + 2).filter((m) => m.to.includes(email)).map((m) => m.subject).sort();
    assert.deepEqual(subjects(nearOperation), ["openbeat: Needles cleared near the park"]);
    assert.deepEqual(subjects(elsewhere), ["openbeat: Alley cleared"]);
  });

  it("says alerts are not being sent when no mail server is set, and keeps the mail queued across a restart", async () => {
    // The same secrets as the running app: a restart keeps its configuration.
    const keys = { secret: app.services.config.secret, auditKey: app.services.config.auditKey };
    const quiet = await testApp(context(), keys);
    const client = new PageClient(quiet);
    const form = await client.get("/alerts");
    assert.match(form.body, /Alerts are not being sent at the moment/);
    const email = address();
    assert.equal((await client.post("/alerts", { email, choice: `operation-${operationId}` })).statusCode, 200);
    assert.deepEqual(await runMailOnce(quiet.services), { queued: 0, sent: 0, retrying: 0, failed: 0 });
    await quiet.close();

    // A new process on the same database, now with a mail server: the message is still there.
    const restarted = await testApp(context(), { ...keys, smtpUrl: smtp.url });
    const before = smtp.received.length;
    const summary = await runMailOnce(restarted.services);
    assert.ok(summary.sent >= 1);
    const arrived = (await smtp.waitFor(before + 1)).slice(before);
    assert.ok(arrived.some((m) => m.to.includes(email) && /Confirm/.test(m.subject)));
    await restarted.close();
  });

  it("takes over a message whose sender died holding it, once the lease runs out", async () => {
    const email = address();
    assert.equal((await subscribe({ email, choice: `operation-${operationId}` })).statusCode, 200);
    const { db } = context().database;
    const now = new Date();
    await db
      .updateTable("mailQueue")
      .set({ status: "sending", leaseUntil: new Date(now.getTime() + 60_000).toISOString(), attempts: 1 })
      .where("status", "=", "queued")
      .execute();
    const before = smtp.received.length;
    assert.equal((await app.services.mail.sendDue(now)).sent, 0, "a live lease is left alone");
    assert.equal((await app.services.mail.sendDue(new Date(now.getTime() + 120_000))).sent, 1);
    assert.deepEqual((await smtp.waitFor(before + 1)).slice(before)[0]!.to, [email]);
  });

  it("retries after an SMTP failure with back-off, recording no address", async () => {
    const email = address();
    assert.equal((await subscribe({ email, choice: `operation-${operationId}` })).statusCode, 200);
    const before = smtp.received.length;
    smtp.failNext(1);
    const now = new Date();
    const first = await app.services.mail.sendDue(now);
    assert.deepEqual(first, { sent: 0, retrying: 1, failed: 0 });
    const { db } = context().database;
    const [row] = await db.selectFrom("mailQueue").selectAll().where("status", "=", "queued").execute();
    assert.equal(row!.attempts, 1);
    assert.equal(new Date(row!.nextAttemptAt).getTime(), now.getTime() + 60_000, "the first retry waits a minute");
    assert.match(row!.lastError ?? "", /451/);
    assert.ok(!(row!.lastError ?? "").includes(email));
    assert.equal((await app.services.mail.sendDue(new Date(now.getTime() + 30_000))).sent, 0, "not before its time");
    smtp.failNext(1);
    assert.equal((await app.services.mail.sendDue(new Date(now.getTime() + 61_000))).retrying, 1);
    const [again] = await db.selectFrom("mailQueue").selectAll().where("id", "=", row!.id).execute();
    assert.equal(new Date(again!.nextAttemptAt).getTime(), now.getTime() + 61_000 + 120_000, "then twice as long");
    assert.equal((await app.services.mail.sendDue(new Date(now.getTime() + 182_000))).sent, 1);
    assert.deepEqual((await smtp.waitFor(before + 1)).slice(before)[0]!.to, [email]);
  });

  it("sends each message once when two instances send at the same time", async () => {
    const email = address();
    assert.equal((await subscribe({ email, choice: `operation-${operationId}` })).statusCode, 200);
    const other = createServices(testConfig(context().target, { smtpUrl: smtp.url, secret: app.services.config.secret }), context().database);
    const before = smtp.received.length;
    const results = await Promise.all([app.services.mail.sendDue(), other.mail.sendDue(), app.services.mail.sendDue()]);
    assert.equal(results.reduce((n, r) => n + r.sent, 0), 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(smtp.received.slice(before).filter((m) => m.to.includes(email)).length, 1);
  });
});
