import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import type { PageClient } from "../../../test/support/client.ts";
import type { Role } from "../auth/policy.ts";

const REASON = { reasonCode: "safeguarding", reasonReference: "SG-TEST-2" };
const REASON_QUERY = new URLSearchParams(REASON).toString();

describeEachDatabase("partner agencies and referrals", (context) => {
  let app: FastifyInstance;
  let lead: PageClient;
  let admin: PageClient;

  before(async () => {
    app = await testApp(context());
    lead = (await signedInClient(app, "safeguarding-lead")).client;
    admin = (await signedInClient(app, "administrator")).client;
  });
  after(async () => app.close());

  const db = () => context().database.db;
  const auditEvents = () => db().selectFrom("auditEvents").selectAll().orderBy("id").execute();

  let agencies = 0;
  async function addAgency(services: string[], name = `Agency ${++agencies}-${process.pid}`): Promise<number> {
    await admin.get("/staff/partners");
    const created = await admin.post("/staff/partners", { name, services });
    assert.equal(created.statusCode, 302, created.body);
    const id = Number(/\/staff\/partners\/(\d+)/.exec(String(created.headers.location))![1]);
    await admin.get(`/staff/partners/${id}`);
    const agreement = await admin.post(`/staff/partners/${id}/agreements`, {
      reference: `ISA/${id}/${agencies}`,
      "signedOn-day": "1",
      "signedOn-month": "4",
      "signedOn-year": "2025",
      "expiresOn-day": "31",
      "expiresOn-month": "3",
      "expiresOn-year": "2099",
    });
    assert.equal(agreement.statusCode, 302, agreement.body);
    return id;
  }

  /** A partner worker's signed-in client, attached to an agency. */
  async function workerOf(agencyId: number | null): Promise<PageClient> {
    const worker = await signedInClient(app, "partner-worker");
    if (agencyId !== null) await app.services.users.update(worker.id, { partnerAgencyId: agencyId });
    return worker.client;
  }

  async function caseWithReferral(agencyId: number, service: string, alias = "Rosa"): Promise<{ caseId: number; referralId: number }> {
    await lead.get("/safeguarding/cases/new");
    const opened = await lead.post("/safeguarding/cases", { alias, ageBand: "25-34", consent: "given", needsDetails: "Private needs text", ...REASON });
    assert.equal(opened.statusCode, 302, opened.body);
    const caseId = Number(/cases\/(\d+)/.exec(String(opened.headers.location))![1]);
    const referred = await lead.post(`/safeguarding/cases/${caseId}/referrals`, { ...REASON, service: `${agencyId}:${service}`, summary: `Shared summary for ${alias}` });
    assert.equal(referred.statusCode, 302, referred.body);
    const referral = await db().selectFrom("referrals").select("id").where("caseId", "=", caseId).executeTakeFirstOrThrow();
    return { caseId, referralId: referral.id };
  }

  it("lets an administrator add an agency, record its information-sharing agreement and attach a partner worker", async () => {
    const page = await admin.get("/staff/partners");
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers["cache-control"], "no-store");
    assert.match(page.body, /govuk-exit-this-page/);

    const empty = await admin.post("/staff/partners", { name: "" });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter the agency&#39;s name/);
    assert.match(empty.body, /Choose at least one service/);

    const created = await admin.post("/staff/partners", { name: "Southend Exit Project", services: ["exit-service", "housing"] });
    assert.equal(created.statusCode, 302);
    const id = Number(/(\d+)/.exec(String(created.headers.location))![1]);
    const again = await admin.post("/staff/partners", { name: "Southend Exit Project", services: ["housing"] });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /already an agency called/);

    const agencyPage = await admin.get(`/staff/partners/${id}`);
    assert.equal(agencyPage.headers["cache-control"], "no-store");
    assert.match(agencyPage.body, /govuk-exit-this-page/);
    const backwards = await admin.post(`/staff/partners/${id}/agreements`, {
      reference: "ISA/2026/001",
      "signedOn-day": "1",
      "signedOn-month": "4",
      "signedOn-year": "2025",
      "expiresOn-day": "1",
      "expiresOn-month": "1",
      "expiresOn-year": "2025",
    });
    assert.equal(backwards.statusCode, 400);
    assert.match(backwards.body, /expiry date must be after/);
    const recorded = await admin.post(`/staff/partners/${id}/agreements`, {
      reference: "ISA/2026/001",
      "signedOn-day": "1",
      "signedOn-month": "4",
      "signedOn-year": "2025",
      "expiresOn-day": "31",
      "expiresOn-month": "3",
      "expiresOn-year": "2099",
    });
    assert.equal(recorded.statusCode, 302, recorded.body);
    assert.match((await admin.get(`/staff/partners/${id}`)).body, /In force/);

    const officer = await signedInClient(app, "officer");
    await admin.get(`/staff/partners/${id}`);
    const wrongRole = await admin.post(`/staff/partners/${id}/workers`, { email: officer.email });
    assert.equal(wrongRole.statusCode, 400);
    assert.match(wrongRole.body, /only partner agency workers can be attached/);
    const worker = await signedInClient(app, "partner-worker");
    const attached = await admin.post(`/staff/partners/${id}/workers`, { email: worker.email.toUpperCase() });
    assert.equal(attached.statusCode, 302, attached.body);
    assert.equal((await app.services.users.findById(worker.id))?.partnerAgencyId, id);
    const event = (await auditEvents()).at(-1)!;
    assert.deepEqual([event.operation, event.recordType, JSON.parse(event.recordIds)], ["alteration", "user", [String(worker.id)]]);

    await admin.get(`/staff/partners/${id}`);
    const removed = await admin.post(`/staff/partners/${id}/workers/${worker.id}/remove`, {});
    assert.equal(removed.statusCode, 302);
    assert.equal((await app.services.users.findById(worker.id))?.partnerAgencyId, null);

    for (const role of ["officer", "safeguarding-lead", "partner-worker", "auditor"] as Role[]) {
      const { client } = await signedInClient(app, role);
      assert.equal((await client.get("/staff/partners")).statusCode, 403, role);
      assert.equal((await client.get(`/staff/partners/${id}`)).statusCode, 404, role); // a record the role may not read does not exist for it
    }
  });

  it("shows a partner worker only their own agency's referrals, and not found for any other", async () => {
    const mine = await addAgency(["housing"]);
    const theirs = await addAgency(["housing"]);
    const own = await caseWithReferral(mine, "housing", "Lily");
    const other = await caseWithReferral(theirs, "housing", "Marigold");
    const worker = await workerOf(mine);

    const list = await worker.get("/partner/referrals");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, new RegExp(`RF-0*${own.referralId}`));
    assert.doesNotMatch(list.body, new RegExp(`RF-0*${other.referralId}\\b`));
    assert.doesNotMatch(list.body, /Lily|Marigold/, "the list holds no personal data");

    const count = (await auditEvents()).length;
    const shown = await worker.get(`/partner/referrals/${own.referralId}`);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Lily/);
    assert.match(shown.body, /Shared summary for Lily/);
    assert.doesNotMatch(shown.body, /Private needs text/, "only what the referral shared is shown");
    const events = (await auditEvents()).slice(count);
    assert.deepEqual(
      events.map((e) => [e.operation, e.recordType, JSON.parse(e.recordIds)[0], e.reasonCode]),
      [["consultation", "referral", String(own.referralId), "partner-referral"]],
    );

    for (const url of [`/partner/referrals/${other.referralId}`, "/partner/referrals/999999", "/partner/referrals/abc"]) {
      const response = await worker.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /Marigold/);
    }
    await worker.get("/staff"); // a page with a form, for the CSRF token
    const csrf = worker.csrf();
    assert.equal((await worker.post(`/partner/referrals/${other.referralId}/response`, { decision: "accept" }, { csrf })).statusCode, 404);
    assert.equal((await worker.post(`/partner/referrals/${other.referralId}/updates`, { body: "Sneaky" }, { csrf })).statusCode, 404);
    assert.equal((await db().selectFrom("referrals").select("status").where("id", "=", other.referralId).executeTakeFirstOrThrow()).status, "sent");

    const unattached = await workerOf(null);
    assert.match((await unattached.get("/partner/referrals")).body, /not attached to a partner agency/);
    assert.equal((await unattached.get(`/partner/referrals/${own.referralId}`)).statusCode, 404);

    for (const role of ["officer", "analyst", "administrator", "safeguarding-lead"] as Role[]) {
      const { client } = await signedInClient(app, role);
      assert.equal((await client.get(`/partner/referrals/${own.referralId}`)).statusCode, 404, role);
      assert.equal((await client.get("/partner/referrals")).statusCode, 403, role);
    }
  });

  it("lets the agency accept, post updates and close with an outcome, and shows the updates to the safeguarding lead", async () => {
    const agency = await addAgency(["drug-service"]);
    const { caseId, referralId } = await caseWithReferral(agency, "drug-service", "Olive");
    const worker = await workerOf(agency);

    await worker.get(`/partner/referrals/${referralId}`);
    const early = await worker.post(`/partner/referrals/${referralId}/updates`, { body: "Tried to call" });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /Accept the referral before posting updates/);

    const accepted = await worker.post(`/partner/referrals/${referralId}/response`, { decision: "accept" });
    assert.equal(accepted.statusCode, 302, accepted.body);
    const page = await worker.get(accepted.headers.location!.toString());
    assert.match(page.body, /Referral accepted/);

    const update = await worker.post(`/partner/referrals/${referralId}/updates`, { body: "Assessed at the hub; starts a script on Monday", outcome: "" });
    assert.equal(update.statusCode, 302, update.body);
    const stored = await db().selectFrom("referralUpdates").selectAll().where("referralId", "=", referralId).executeTakeFirstOrThrow();
    assert.ok(!stored.bodyEncrypted.includes("script"));
    const collected = (await auditEvents()).at(-1)!;
    assert.deepEqual([collected.operation, collected.recordType, JSON.parse(collected.recordIds)], ["collection", "referral-update", [String(stored.id)]]);

    await worker.get(`/partner/referrals/${referralId}`);
    const closed = await worker.post(`/partner/referrals/${referralId}/updates`, { body: "Engaging well with treatment", outcome: "in-treatment" });
    assert.equal(closed.statusCode, 302);
    const referral = await db().selectFrom("referrals").selectAll().where("id", "=", referralId).executeTakeFirstOrThrow();
    assert.equal(referral.status, "closed");
    assert.equal(referral.outcome, "in-treatment");
    assert.doesNotMatch((await worker.get(`/partner/referrals/${referralId}`)).body, /Post update/);
    await worker.get("/staff");
    const late = await worker.post(`/partner/referrals/${referralId}/updates`, { body: "One more" });
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /no more updates can be posted/);

    const casePage = await lead.get(`/safeguarding/cases/${caseId}?${REASON_QUERY}`);
    assert.match(casePage.body, /starts a script on Monday/);
    assert.match(casePage.body, /Engaging well with treatment/);
    assert.match(casePage.body, /In drug or alcohol treatment/);

    const log = JSON.stringify(await auditEvents());
    for (const secret of ["script", "Engaging well", "Olive", "Shared summary"]) assert.ok(!log.includes(secret), `the audit log holds "${secret}"`);
  });

  it("needs a reason to decline, and a declined referral takes no updates", async () => {
    const agency = await addAgency(["exit-service"]);
    const { referralId } = await caseWithReferral(agency, "exit-service", "Pansy");
    const worker = await workerOf(agency);
    await worker.get(`/partner/referrals/${referralId}`);
    const noReason = await worker.post(`/partner/referrals/${referralId}/response`, { decision: "decline" });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Choose why your agency is declining/);
    const declined = await worker.post(`/partner/referrals/${referralId}/response`, { decision: "decline", declineReason: "no-capacity" });
    assert.equal(declined.statusCode, 302);
    assert.doesNotMatch((await worker.get(`/partner/referrals/${referralId}`)).body, /Send answer|Post update/);
    await worker.get("/staff");
    const csrf = worker.csrf();
    assert.equal((await worker.post(`/partner/referrals/${referralId}/response`, { decision: "accept" }, { csrf })).statusCode, 400);
    assert.equal((await worker.post(`/partner/referrals/${referralId}/updates`, { body: "Hello" }, { csrf })).statusCode, 400);
  });

  it("tells the agency when consent is withdrawn, and keeps what it was sent", async () => {
    const agency = await addAgency(["housing"]);
    const { caseId, referralId } = await caseWithReferral(agency, "housing", "Saffron");
    await lead.get(`/safeguarding/cases/${caseId}?${REASON_QUERY}`);
    const withdrawn = await lead.post(`/safeguarding/cases/${caseId}/consent`, { ...REASON, consent: "withdrawn" });
    assert.equal(withdrawn.statusCode, 302);
    const worker = await workerOf(agency);
    const page = await worker.get(`/partner/referrals/${referralId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /withdrawn their consent to share/);
    assert.match(page.body, /Shared summary for Saffron/);
  });

  it("sends no-store and offers Exit this page on every partner page", async () => {
    const agency = await addAgency(["housing"]);
    const { referralId } = await caseWithReferral(agency, "housing", "Tansy");
    const worker = await workerOf(agency);
    for (const url of ["/partner/referrals", `/partner/referrals/${referralId}`]) {
      const response = await worker.get(url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.headers["cache-control"], "no-store", url);
      assert.match(response.body, /govuk-exit-this-page/, url);
    }
    const home = await worker.get("/staff");
    assert.match(home.body, /href="\/partner\/referrals"/);
    assert.doesNotMatch(home.body, /href="\/safeguarding"/);
  });
});
