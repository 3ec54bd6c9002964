import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { activeOperation, signedInClient, testApp } from "../../../test/support/app.ts";

describeEachDatabase("officers' activity", (context) => {
  let app: FastifyInstance;
  let operationId: number;
  before(async () => {
    app = await testApp(context());
    operationId = await activeOperation(app);
  });
  after(async () => app.close());

  it("starts and ends a patrol, and counts its hours against the plan", async () => {
    const { client, id } = await signedInClient(app, "officer");
    await client.get("/staff/patrols/new");
    const started = await client.post("/staff/patrols", { operationId: String(operationId), areaRole: "target" });
    assert.equal(started.headers.location, "/staff/activity?logged=patrol-started", started.body.slice(0, 500));
    const home = await client.get("/staff/activity");
    assert.match(home.body, /On patrol in the <strong>target<\/strong> area/);
    const patrol = await context().database.db.selectFrom("patrols").selectAll().where("startedBy", "=", id).executeTakeFirstOrThrow();
    await client.get("/staff/patrols/new");
    const twice = await client.post("/staff/patrols", { operationId: String(operationId), areaRole: "target" });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /already on a patrol/);
    // Make it a three-hour patrol, ended now.
    await context().database.db.updateTable("patrols").set({ startedAt: new Date(Date.now() - 3 * 3_600_000).toISOString() }).where("id", "=", patrol.id).execute();
    const confirm = await client.get(`/staff/patrols/${patrol.id}/end`);
    assert.match(confirm.body, /End the patrol\?/);
    assert.equal((await client.post(`/staff/patrols/${patrol.id}/end`, {})).statusCode, 302);
    const today = new Date().toISOString().slice(0, 10);
    const delivered = await app.services.planner.hoursDelivered(operationId, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), today);
    assert.ok(delivered >= 2.9 && delivered <= 3.1, `the planner counts the patrol's hours as delivered (${delivered})`);
    const totals = await app.services.activity.totals(operationId, new Date(Date.now() - 86_400_000).toISOString(), new Date().toISOString());
    assert.ok(totals.patrolHours >= 2.9, "the evaluation's police activity counts them too");
    const { client: lead } = await signedInClient(app, "operation-lead");
    const plan = await lead.get(`/staff/operations/${operationId}/activity`);
    assert.equal(plan.statusCode, 200);
    assert.match(plan.body, /Planned: 40 officer hours a week/);
    assert.match(plan.body, /<td class="govuk-table__cell govuk-table__cell--numeric">(3|2\.9|3\.1)\s/, "three hours delivered this week");
  });

  it("costs the patrol hours officers logged on the budget page, and says they come from the patrol log", async () => {
    const budgeted = await activeOperation(app);
    const { email } = await signedInClient(app, "officer");
    const officer = (await app.services.users.findByEmail(email))!;
    const user = { id: officer.id, email: officer.email, name: officer.name, role: "officer" as const, mustChangePassword: false, partnerAgencyId: null, twoFactorEnabled: false, twoFactorRequired: false };
    const ended = new Date(Date.now() - 86_400_000);
    const patrol = await app.services.activity.startPatrol(user, { operationId: budgeted, areaRole: "target", officerIds: [] }, new Date(ended.getTime() - 4 * 3_600_000));
    await app.services.activity.endPatrol(user, patrol, ended);
    const { client: lead, id: leadId } = await signedInClient(app, "operation-lead");
    await app.services.planner.saveSettings(
      budgeted,
      { capacityHoursPerWeek: "520", abstractionPercent: "25", emergencyHours: "2.5", priorityHours: "2", scheduledHours: "1.5", resolvedHours: "0", hourlyRate: "45" },
      { id: leadId },
    );
    const page = await lead.get(`/staff/operations/${budgeted}/planner/budget`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /4 hours delivered × £45\.00 = £180/, "the four hours patrolled are costed");
    assert.doesNotMatch(page.body, /not logged in openbeat yet/, "patrols are logged in openbeat");
    const plan = await lead.get(`/staff/operations/${budgeted}/activity`);
    assert.match(plan.body, /£180 of costed officer hours/);
  });

  it("logs an engagement without a name, audits it, and raises safeguarding at once", async () => {
    const { client, id } = await signedInClient(app, "officer");
    await client.get("/staff/engagements/new");
    const missing = await client.post("/staff/engagements", { operationId: String(operationId), kind: "referral-offered", areaRole: "target" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Say whether the referral was accepted or declined/);
    const logged = await client.post("/staff/engagements", { operationId: String(operationId), kind: "referral-offered", referralResponse: "accepted", safeguardingConcern: "yes", areaRole: "target", time: "" });
    assert.equal(logged.headers.location, "/staff/activity?logged=engagement-safeguarding");
    const page = await client.get(String(logged.headers.location));
    assert.match(page.body, /Tell the safeguarding lead now/);
    const engagement = await context().database.db.selectFrom("engagements").selectAll().where("officerId", "=", id).executeTakeFirstOrThrow();
    assert.equal(Boolean(engagement.safeguardingConcern), true);
    const event = await context().database.db.selectFrom("auditEvents").selectAll().where("recordType", "=", "engagement").where("actorId", "=", id).executeTakeFirst();
    assert.ok(event, "collection of an engagement is audited");
  });

  it("refuses a Community Protection Notice without a prior written warning to the same person", async () => {
    const { client } = await signedInClient(app, "officer");
    const base = { operationId: String(operationId), offence: "anti-social-behaviour", targetGroup: "buyer", outcome: "Notice served", areaRole: "target", time: "" };
    await client.get("/staff/enforcement/new");
    const refused = await client.post("/staff/enforcement", { ...base, action: "community-protection-notice", subjectReference: "PN/1234" });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /needs a written Community Protection Warning to the same person first/);
    const warned = await client.post("/staff/enforcement", { ...base, action: "community-protection-warning", outcome: "Warned", subjectReference: "pn/1234", time: "00:00" });
    assert.equal(warned.statusCode, 302, /govuk-error-message">([\s\S]*?)<\/p>/.exec(warned.body)?.[1]);
    await client.get("/staff/enforcement/new");
    const notice = await client.post("/staff/enforcement", { ...base, action: "community-protection-notice", subjectReference: " PN/1234 " });
    assert.equal(notice.statusCode, 302, /govuk-error-message">([\s\S]*?)<\/p>/.exec(notice.body)?.[1]);
    const rows = await context().database.db.selectFrom("enforcementActions").selectAll().where("action", "like", "community-protection-%").execute();
    assert.ok(rows.every((r) => r.subjectReference && !r.subjectReference.includes("1234")), "the reference is stored only as a keyed hash");
    const noticeRow = rows.find((r) => r.action === "community-protection-notice")!;
    assert.equal(noticeRow.priorActionId, rows.find((r) => r.action === "community-protection-warning")!.id);
  });

  it("refuses a dispersal direction until an inspector records an s.34 authorisation", async () => {
    const { client } = await signedInClient(app, "officer");
    const direction = { operationId: String(operationId), action: "dispersal-direction", offence: "anti-social-behaviour", targetGroup: "other", outcome: "Warned", areaRole: "target", subjectReference: "", time: "" };
    await client.get("/staff/enforcement/new");
    const refused = await client.post("/staff/enforcement", direction);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /needs an inspector&#39;s s.34 authorisation/);
    assert.equal((await client.get(`/staff/operations/${operationId}/dispersal`)).statusCode, 404, "officers cannot authorise");
    const { client: lead } = await signedInClient(app, "operation-lead");
    await lead.get(`/staff/operations/${operationId}/dispersal`);
    const tooLong = await lead.post(`/staff/operations/${operationId}/dispersal`, { areaRole: "target", startsTime: "", hours: "72", grounds: "Repeated intimidation of residents by groups at night near the alley." });
    assert.match(tooLong.body, /up to 48|48 hours at most/);
    const authorised = await lead.post(`/staff/operations/${operationId}/dispersal`, { areaRole: "target", startsTime: "", hours: "24", grounds: "Repeated intimidation of residents by groups at night near the alley." });
    assert.equal(authorised.statusCode, 302, authorised.body.slice(0, 500));
    await client.get("/staff/enforcement/new");
    const allowed = await client.post("/staff/enforcement", direction);
    assert.equal(allowed.statusCode, 302, allowed.body.slice(0, 800));
  });

  it("shows enforcement against people selling sex apart from the rest", async () => {
    const { client } = await signedInClient(app, "officer");
    await client.get("/staff/enforcement/new");
    await client.post("/staff/enforcement", { operationId: String(operationId), action: "kerb-crawler-stop", offence: "kerb-crawling", targetGroup: "buyer", outcome: "Warned", areaRole: "target", subjectReference: "", time: "" });
    await client.get("/staff/enforcement/new");
    await client.post("/staff/enforcement", { operationId: String(operationId), action: "warning-letter", offence: "loitering-soliciting", targetGroup: "seller", outcome: "Advice given", areaRole: "target", subjectReference: "", time: "" });
    const { rows } = await app.services.activity.againstPlan(operationId);
    const thisWeek = rows[rows.length - 1]!;
    assert.ok(thisWeek.enforcement.buyer >= 1);
    assert.equal(thisWeek.enforcement.seller, 1);
  });
});
