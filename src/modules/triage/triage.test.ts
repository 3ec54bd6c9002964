import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp, validReport } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";

const THRIVE = {
  "thrive-threat": "No threat now",
  "thrive-harm": "Distress to residents",
  "thrive-risk": "Repeat pattern",
  "thrive-investigation": "Check the vehicle register",
  "thrive-vulnerability": "Possible exploitation",
  "thrive-engagement": "Anonymous resident: public update",
};

describeEachDatabase("triage", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  async function newReport(extra: Record<string, unknown> = {}) {
    return (await app.inject({ method: "POST", url: "/api/reports", payload: validReport(extra) })).json() as { reference: string; receiptCode: string };
  }

  it("shows officers the queue, filtered by status and category", async () => {
    const { reference } = await newReport();
    const { client } = await signedInClient(app, "officer");
    const queue = await client.get("/staff/reports?status=received&category=kerb-crawling");
    assert.equal(queue.statusCode, 200);
    assert.match(queue.body, new RegExp(reference));
    assert.equal(queue.headers["cache-control"], "no-store");
    const other = await client.get("/staff/reports?category=drug-litter");
    assert.ok(!other.body.includes(reference));
  });

  it("grades with a THRIVE judgement, moves the report on, and closes it only with an outcome", async () => {
    const { reference, receiptCode } = await newReport();
    const { client } = await signedInClient(app, "officer");
    await client.get(`/staff/reports/${reference}`);
    const missing = await client.post(`/staff/reports/${reference}/grade`, { grade: "priority", "thrive-threat": "x" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Record your judgement on harm and why/);

    const graded = await client.post(`/staff/reports/${reference}/grade`, { grade: "priority", ...THRIVE, forceReference: "42/12345/26" });
    assert.equal(graded.statusCode, 302, graded.body.slice(0, 500));
    const report = await context().database.db.selectFrom("reports").selectAll().where("reference", "=", reference).executeTakeFirstOrThrow();
    assert.equal(report.status, "triaged");
    assert.equal(report.grade, "priority");
    assert.equal(report.forceReference, "42/12345/26");
    assert.equal(JSON.parse(report.thrive!).risk, "Repeat pattern");

    await client.get(`/staff/reports/${reference}`);
    const noOutcome = await client.post(`/staff/reports/${reference}/status`, { status: "closed", outcome: "" });
    assert.equal(noOutcome.statusCode, 400);
    assert.match(noOutcome.body, /Choose an outcome to close the report/);
    assert.equal((await client.post(`/staff/reports/${reference}/status`, { status: "in_progress" })).statusCode, 302);
    await client.get(`/staff/reports/${reference}`);
    assert.equal((await client.post(`/staff/reports/${reference}/status`, { status: "closed", outcome: "action-taken" })).statusCode, 302);

    const tracked = (await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode } })).json();
    assert.equal(tracked.status, "closed");
    assert.equal(tracked.outcome, "Officers took action");
    assert.equal(tracked.canReopen, true);

    const reopened = await app.inject({ method: "POST", url: "/api/track/additions", payload: { receiptCode, text: "It is happening again", reopen: true } });
    assert.equal(reopened.statusCode, 200, reopened.body);
    assert.equal(reopened.json().status, "in_progress");
  });

  it("shows a resident's email only for a stated reason, and logs the consultation", async () => {
    const { reference } = await newReport({ contact: { email: "resident@example.org" } });
    const { client, id } = await signedInClient(app, "officer");
    const page = await client.get(`/staff/reports/${reference}`);
    assert.ok(!page.body.includes("resident@example.org"));
    const noReason = await client.post(`/staff/reports/${reference}/contact`, { reasonCode: "", reasonReference: "" });
    assert.equal(noReason.statusCode, 400);
    assert.ok(!noReason.body.includes("resident@example.org"));
    const shown = await client.post(`/staff/reports/${reference}/contact`, { reasonCode: "contact-resident", reasonReference: "42/555/26" });
    assert.match(shown.body, /resident@example\.org/);
    const event = await context().database.db.selectFrom("auditEvents").selectAll().where("operation", "=", "consultation").where("actorId", "=", id).executeTakeFirstOrThrow();
    assert.equal(event.reasonCode, "contact-resident");
    assert.equal(event.reasonReference, "42/555/26");
    assert.ok(!JSON.stringify(event).includes("resident@example.org"), "the log never holds the personal data itself");
  });

  it("publishes a public update attached to several reports, which their residents then see", async () => {
    const first = await newReport();
    const second = await newReport();
    const { client } = await signedInClient(app, "operation-lead");
    const form = await client.get(`/staff/updates/new?reports=${first.reference}&reports=${second.reference}`);
    assert.match(form.body, new RegExp(first.reference));
    const published = await client.post("/staff/updates", {
      title: "Evening patrols added",
      body: "You said cars were circling. We added patrols.",
      reports: [first.reference, second.reference],
      moreReports: "",
      operationId: "",
      action: "publish",
    });
    assert.equal(published.statusCode, 302, published.body.slice(0, 1000));
    for (const { receiptCode } of [first, second]) {
      const tracked = (await app.inject({ method: "POST", url: "/api/track", payload: { receiptCode } })).json();
      assert.equal(tracked.updates[0].title, "Evening patrols added");
    }
    const publicList = await new PageClient(app).get("/updates");
    assert.match(publicList.body, /Evening patrols added/);
    const unknown = await client.post("/staff/updates", { title: "T", body: "B", moreReports: "OB-0000000" }, { csrf: client.csrf() || undefined });
    assert.ok([400, 403].includes(unknown.statusCode));
  });

  it("keeps residents and other roles out of the queue", async () => {
    const anonymous = new PageClient(app);
    const redirected = await anonymous.get("/staff/reports");
    assert.equal(redirected.statusCode, 302);
    assert.match(String(redirected.headers.location), /^\/staff\/sign-in\?next=/);
    const { client: analyst } = await signedInClient(app, "analyst");
    assert.equal((await analyst.get("/staff/reports")).statusCode, 403);
    const { reference } = await newReport();
    assert.equal((await analyst.get(`/staff/reports/${reference}`)).statusCode, 404, "a record a role may not read does not exist for it");
  });
});
