import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { testApp } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";

function lastWeek() {
  const date = new Date(Date.now() - 7 * 86_400_000);
  return { "date-day": String(date.getUTCDate()), "date-month": String(date.getUTCMonth() + 1), "date-year": String(date.getUTCFullYear()) };
}

describeEachDatabase("the report form without JavaScript", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());
  const count = async (table: "reports" | "reportDrafts") =>
    Number((await context().database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

  it("sends someone in danger to 999 and saves nothing", async () => {
    const client = new PageClient(app);
    await client.get("/report");
    const [reportsBefore, draftsBefore] = [await count("reports"), await count("reportDrafts")];
    const response = await client.post("/report", { danger: "yes" });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /Call 999 now/);
    assert.match(response.body, /Nothing you have entered has been saved/);
    assert.equal(await count("reports"), reportsBefore);
    assert.equal(await count("reportDrafts"), draftsBefore);
    assert.ok(!client.cookies.has("ob_draft"));
  });

  it("asks the danger question first, with an error summary if it is not answered", async () => {
    const client = new PageClient(app);
    const start = await client.get("/report");
    assert.match(start.body, /Is it happening now, and is anyone in danger\?/);
    assert.match(start.body, /If someone is in danger now, call 999/);
    const response = await client.post("/report", {});
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /govuk-error-summary/);
    assert.match(response.body, /href="#danger"/);
  });

  it("walks every page to a receipt code, then deletes the draft and cannot send twice", async () => {
    const client = new PageClient(app);
    await client.get("/report");
    assert.equal((await client.post("/report", { danger: "no" })).headers.location, "/report/where");
    assert.ok(client.cookies.has("ob_draft"));
    await client.get("/report/where");
    const where = await client.post("/report/where", { locationText: "Ambleside Drive, by the junction with Hamstel Road", latitude: "", longitude: "" });
    assert.equal(where.headers.location, "/report/category");
    await client.get("/report/category");
    assert.equal((await client.post("/report/category", { category: "kerb-crawling" })).headers.location, "/report/details");
    const details = await client.get("/report/details");
    assert.match(details.body, /The vehicle \(optional\)/);
    assert.ok(!/appearance|ethnicity/i.test(details.body.replace(/Do not describe what anyone looks like/g, "")));
    const sent = await client.post("/report/details", {
      "answers-what": "circling",
      ...lastWeek(),
      time: "9:30pm",
      untilTime: "23:00",
      description: "A silver car circled the block five times.",
      registration: "ab12 cde",
      make: "Ford",
      colour: "Silver",
    });
    assert.equal(sent.headers.location, "/report/contact", sent.body.slice(0, 2000));
    await client.get("/report/contact");
    assert.equal((await client.post("/report/contact", { wantsContact: "no" })).headers.location, "/report/check");
    const check = await client.get("/report/check");
    assert.match(check.body, /Check your answers before sending your report/);
    assert.match(check.body, /A silver car circled the block five times\./);
    assert.match(check.body, /ab12 cde, Ford, Silver/);
    assert.match(check.body, /None: you stay anonymous/);

    const before = await count("reports");
    const token = client.csrf();
    const done = await client.post("/report/check", {});
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /Report sent/);
    const code = /id="receipt-code">([^<]+)</.exec(done.body)?.[1];
    assert.match(code ?? "", /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    assert.doesNotMatch(done.body, /OB-[0-9A-Z]{7}/, "one code only: the receipt code");
    assert.equal(done.headers["cache-control"], "no-store");
    assert.equal(await count("reports"), before + 1);
    assert.equal(await count("reportDrafts"), 0, "the draft is deleted on submission");

    // A reload of the confirmation page posts the same form again.
    const again = await client.post("/report/check", {}, { csrf: token });
    assert.equal(again.statusCode, 410);
    assert.match(again.body, /Your report has already been sent/);
    assert.doesNotMatch(again.body, /timed out/);
    // Back from "Report sent" to the check page: it was sent, not timed out.
    const back = await client.get("/report/check");
    assert.equal(back.headers.location, "/report?sent=1");
    const start = await client.get("/report?sent=1");
    assert.match(start.body, /Your report has been sent: there is no need to send it again/);
    assert.doesNotMatch(start.body, /timed out/);
    assert.equal(await count("reports"), before + 1, "a second send files nothing");

    const report = await context().database.db.selectFrom("reports").selectAll().orderBy("id", "desc").limit(1).executeTakeFirstOrThrow();
    assert.equal(report.locationText, "Ambleside Drive, by the junction with Hamstel Road");
    assert.equal(report.latitude, null);
    assert.ok(report.occurredUntil && report.occurredUntil > report.occurredAt);

    await client.get("/track");
    const tracked = await client.post("/track", { receiptCode: code! });
    assert.equal(tracked.statusCode, 200);
    assert.match(tracked.body, new RegExp(report.reference));
    assert.match(tracked.body, /Received/);
  });

  it("shows inline errors that say how to fix each answer, and keeps what was typed", async () => {
    const client = new PageClient(app);
    await client.get("/report");
    await client.post("/report", { danger: "no" });
    await client.get("/report/where");
    const noPlace = await client.post("/report/where", { locationText: "" });
    assert.equal(noPlace.statusCode, 400);
    assert.match(noPlace.body, /Say where it happened/);
    await client.post("/report/where", { locationText: "Ambleside Drive" });
    await client.get("/report/category");
    await client.post("/report/category", { category: "kerb-crawling" });
    await client.get("/report/details");
    const bad = await client.post("/report/details", { "date-day": "31", "date-month": "2", "date-year": "2026", time: "25:00", description: "It was <b>bad</b>", registration: "AB12 CD!" });
    assert.equal(bad.statusCode, 400);
    for (const message of [/must be a real date/, /Enter the time like 21:30/, /Remove anything written between &lt; and &gt;/, /letters and numbers/, /Answer “What happened\?”/]) {
      assert.match(bad.body, message);
    }
    assert.match(bad.body, /value="AB12 CD!"/, "what was typed is kept, escaped");
    // The summary lists the problems in the order of the fields on the page.
    const summary = [...bad.body.slice(0, bad.body.indexOf("govuk-error-summary__list") + 2000).matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]!);
    const onPage = [...summary].sort((a, b) => bad.body.search(new RegExp(`\\bid="${a}"`)) - bad.body.search(new RegExp(`\\bid="${b}"`)));
    assert.ok(summary.length >= 3);
    assert.deepEqual(summary, onPage);
  });

  it("returns to a page that is skipped, and to the start when the draft has gone", async () => {
    const client = new PageClient(app);
    assert.equal((await client.get("/report/details")).headers.location, "/report?expired=1");
    await client.get("/report");
    await client.post("/report", { danger: "no" });
    assert.equal((await client.get("/report/details")).headers.location, "/report/where");
  });

  it("refuses a form posted without its CSRF token", async () => {
    const client = new PageClient(app);
    await client.get("/report");
    const response = await client.post("/report", { danger: "no" }, { csrf: null });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /This form has expired or was sent from another site/);
    const forged = await client.post("/report", { danger: "no" }, { csrf: "forged-token-forged-token-forged-token-abc" });
    assert.equal(forged.statusCode, 403);
  });
});

describeEachDatabase("starting reports from one connection", (context) => {
  let app: FastifyInstance;
  before(async () => {
    // Drafts are limited to three times the reports a connection may send in an hour.
    app = await testApp(context(), { rateLimits: { reports: 2, tracking: 1000, signIn: 1000 } });
  });
  after(async () => app.close());
  const drafts = async () => Number((await context().database.db.selectFrom("reportDrafts").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

  it("stops new drafts past the limit with a kind page that still points to 999, keeping the ones started", async () => {
    const start = async () => {
      const client = new PageClient(app);
      await client.get("/report");
      return { client, response: await client.post("/report", { danger: "no" }) };
    };
    for (let i = 0; i < 6; i++) assert.equal((await start()).response.statusCode, 302);
    assert.equal(await drafts(), 6);

    const { client, response } = await start();
    assert.equal(response.statusCode, 429);
    assert.ok(Number(response.headers["retry-after"]) > 0, "says when to try again");
    assert.match(response.body, /If someone is in danger now, call 999/);
    assert.match(response.body, /started a lot of reports from this connection/);
    assert.match(response.body, /try again in \d+ minutes?/);
    assert.match(response.body, /101/);
    assert.ok(!client.cookies.has("ob_draft"));
    assert.equal(await drafts(), 6, "no draft is stored past the limit");

    // Someone in danger is never turned away by the limit.
    await client.get("/report");
    const danger = await client.post("/report", { danger: "yes" });
    assert.equal(danger.statusCode, 200);
    assert.match(danger.body, /Call 999 now/);
  });
});
