import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient } from "../../../test/support/app.ts";
import { testApp } from "../../../test/support/app.ts";
import type { PageClient } from "../../../test/support/client.ts";
import { fromJson } from "../../db/database.ts";
import type { UrgentDuties } from "../../domain/safeguarding.ts";
import type { Role } from "../auth/policy.ts";

const REASON = { reasonCode: "safeguarding", reasonReference: "SG-TEST-1" };
const REASON_QUERY = new URLSearchParams(REASON).toString();

function newCase(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    alias: "Rose",
    realName: "",
    ageBand: "25-34",
    needs: ["housing", "drugs-alcohol"],
    needsDetails: "Sleeping in a stairwell since January",
    consent: "given",
    ...REASON,
    ...overrides,
  };
}

describeEachDatabase("safeguarding cases", (context) => {
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
  const caseUrl = (id: number, path = "") => `/safeguarding/cases/${id}${path}?${REASON_QUERY}`;

  async function openCase(fields: Record<string, string | string[]> = {}): Promise<number> {
    await lead.get("/safeguarding/cases/new");
    const response = await lead.post("/safeguarding/cases", newCase(fields));
    assert.equal(response.statusCode, 302, response.body);
    const match = /^\/safeguarding\/cases\/(\d+)\?/.exec(String(response.headers.location));
    assert.ok(match, String(response.headers.location));
    return Number(match[1]);
  }

  /** Posts one of the case page's forms, with the stated reason, as the lead. */
  async function act(id: number, path: string, fields: Record<string, string | string[]>) {
    await lead.get(caseUrl(id));
    return lead.post(`/safeguarding/cases/${id}${path}`, { ...REASON, ...fields });
  }

  let agencyCount = 0;
  /** An agency with an agreement in force, added through the administrator's pages. */
  async function agencyWithAgreement(services: string[]): Promise<number> {
    await admin.get("/staff/partners");
    const created = await admin.post("/staff/partners", { name: `Agency ${++agencyCount} ${Math.random()}`, services });
    assert.equal(created.statusCode, 302, created.body);
    const id = Number(/\/staff\/partners\/(\d+)/.exec(String(created.headers.location))![1]);
    await admin.get(`/staff/partners/${id}`);
    const agreement = await admin.post(`/staff/partners/${id}/agreements`, {
      reference: `ISA/2026/${id}${agencyCount}`,
      "signedOn-day": "1",
      "signedOn-month": "1",
      "signedOn-year": "2025",
      "expiresOn-day": "31",
      "expiresOn-month": "12",
      "expiresOn-year": "2099",
    });
    assert.equal(agreement.statusCode, 302, agreement.body);
    return id;
  }

  it("opens a case only with a stated reason, and logs the collection with it", async () => {
    const before = (await db().selectFrom("safeguardingCases").select("id").execute()).length;
    await lead.get("/safeguarding/cases/new");
    const refused = await lead.post("/safeguarding/cases", newCase({ reasonReference: "" }));
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Give a reference with at least one number/);
    const named = await lead.post("/safeguarding/cases", newCase({ reasonReference: "Jane Smith" }));
    assert.equal(named.statusCode, 400, "a bare name cannot stand as a reason's reference");
    assert.equal((await db().selectFrom("safeguardingCases").select("id").execute()).length, before);

    const id = await openCase();
    const event = (await auditEvents()).at(-1)!;
    assert.equal(event.operation, "collection");
    assert.equal(event.recordType, "safeguarding-case");
    assert.deepEqual(JSON.parse(event.recordIds), [String(id)]);
    assert.equal(event.reasonCode, "safeguarding");
    assert.equal(event.reasonReference, "SG-TEST-1");
  });

  it("asks why before showing a case, and logs every read as a consultation with that reason", async () => {
    const id = await openCase({ alias: "Violet" });
    const count = (await auditEvents()).length;
    const asked = await lead.get(`/safeguarding/cases/${id}`);
    assert.equal(asked.statusCode, 200);
    assert.match(asked.body, /Why do you need case SG-0+\d+/);
    assert.doesNotMatch(asked.body, /Violet/, "nothing of the case shows before a reason is given");
    assert.equal((await auditEvents()).length, count, "asking is not a read");

    const bad = await lead.get(`/safeguarding/cases/${id}?reasonCode=safeguarding&reasonReference=Jane`);
    assert.equal(bad.statusCode, 400);
    assert.doesNotMatch(bad.body, /Violet/);

    const shown = await lead.get(caseUrl(id));
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Violet/);
    assert.match(shown.body, /Sleeping in a stairwell/);
    const event = (await auditEvents()).at(-1)!;
    assert.equal(event.operation, "consultation");
    assert.equal(event.recordType, "safeguarding-case");
    assert.deepEqual(JSON.parse(event.recordIds), [String(id)]);
    assert.equal(event.reasonCode, "safeguarding");
    assert.equal(event.reasonReference, "SG-TEST-1");

    assert.equal((await lead.get(`/safeguarding/cases/999999?${REASON_QUERY}`)).statusCode, 404);
    assert.equal((await lead.get(`/safeguarding/cases/999999`)).statusCode, 404);
  });

  it("opens the urgent path at once for a possible child, with no consent gate, and records each duty", async () => {
    const agency = await agencyWithAgreement(["sexual-violence-support", "adult-safeguarding"]);
    await lead.get("/safeguarding/cases/new");
    const opened = await lead.post("/safeguarding/cases", newCase({ alias: "Poppy", ageBand: "under-18", consent: "not-asked" }));
    assert.equal(opened.statusCode, 302);
    assert.match(String(opened.headers.location), /urgent=1/);
    const id = Number(/cases\/(\d+)/.exec(String(opened.headers.location))![1]);

    const row = await db().selectFrom("safeguardingCases").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const duties = fromJson<UrgentDuties>(row.urgentDuties, {});
    assert.deepEqual(Object.keys(duties).sort(), ["child-safeguarding", "duty-to-notify", "nrm"]);
    for (const duty of Object.values(duties)) assert.ok(duty.openedAt && duty.doneOn === null);

    const page = await lead.get(String(opened.headers.location));
    assert.match(page.body, /Urgent/);
    assert.match(page.body, /Child safeguarding referral/);
    assert.match(page.body, /National Referral Mechanism referral/);
    assert.match(page.body, /Modern Slavery Act 2015 s\.52/);

    // No consent was asked, yet the referral goes: the urgent path needs none.
    const referred = await act(id, "/referrals", { service: `${agency}:sexual-violence-support`, summary: "Needs an ISVA; reach her through the safeguarding lead." });
    assert.equal(referred.statusCode, 302, referred.body);
    const referral = await db().selectFrom("referrals").selectAll().where("caseId", "=", id).executeTakeFirstOrThrow();
    assert.equal(referral.legalBasis, "urgent");
    const adult = await act(id, "/referrals", { service: `${agency}:adult-safeguarding`, summary: "Check" });
    assert.equal(adult.statusCode, 400);
    assert.match(adult.body, /for a child, make the child safeguarding referral/);

    const early = await act(id, "/close", { closureReason: "support-in-place" });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /Record the Child safeguarding referral/);

    const child = await act(id, "/duties/nrm", { "duty-nrm-doneOn-day": "1", "duty-nrm-doneOn-month": "1", "duty-nrm-doneOn-year": "2026", "duty-nrm-reference": "NRM-2026-0001", "duty-nrm-outcome": "adult-did-not-consent" });
    assert.equal(child.statusCode, 400, "a child needs no consent for the NRM");
    assert.match(child.body, /A child needs no consent/);

    for (const [duty, reference] of [["child-safeguarding", "CSC/77/2026"], ["nrm", "NRM-2026-0001"], ["duty-to-notify", "NRM-2026-0001"]]) {
      const recorded = await act(id, `/duties/${duty}`, {
        [`duty-${duty}-doneOn-day`]: "2",
        [`duty-${duty}-doneOn-month`]: "1",
        [`duty-${duty}-doneOn-year`]: "2026",
        [`duty-${duty}-reference`]: reference!,
      });
      assert.equal(recorded.statusCode, 302, recorded.body);
    }
    const done = fromJson<UrgentDuties>((await db().selectFrom("safeguardingCases").select("urgentDuties").where("id", "=", id).executeTakeFirstOrThrow()).urgentDuties, {});
    assert.equal(done["child-safeguarding"]?.doneOn, "2026-01-02");
    assert.equal(done["child-safeguarding"]?.reference, "CSC/77/2026");
    assert.equal(done.nrm?.outcome, "referred");
    assert.ok(done["duty-to-notify"]?.recordedAt);

    const agencyName = (await db().selectFrom("partnerAgencies").select("name").where("id", "=", agency).executeTakeFirstOrThrow()).name;
    const disclosures = (await auditEvents()).filter((e) => e.operation === "disclosure" && JSON.parse(e.recordIds)[0] === String(id));
    assert.deepEqual(
      disclosures.map((e) => JSON.parse(e.recipients ?? "[]")[0]).sort(),
      ["Home Office", "Home Office Single Competent Authority", "Local authority children's social care", agencyName].sort(),
    );

    const closed = await act(id, "/close", { closureReason: "support-in-place" });
    assert.equal(closed.statusCode, 302, closed.body);
    const reopened = await act(id, "/reopen", {});
    assert.equal(reopened.statusCode, 302);
  });

  it("opens the NRM and the duty to notify for an adult with signs of trafficking, and lets the adult decline the NRM", async () => {
    const id = await openCase({ alias: "Iris", consent: "refused", indicators: ["documents-held", "survival-sex"] });
    const row = await db().selectFrom("safeguardingCases").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual(Object.keys(fromJson<UrgentDuties>(row.urgentDuties, {})).sort(), ["duty-to-notify", "nrm"]);
    const count = (await auditEvents()).length;
    const declined = await act(id, "/duties/nrm", {
      "duty-nrm-doneOn-day": "3",
      "duty-nrm-doneOn-month": "1",
      "duty-nrm-doneOn-year": "2026",
      "duty-nrm-reference": "MS1-0042",
      "duty-nrm-outcome": "adult-did-not-consent",
    });
    assert.equal(declined.statusCode, 302, declined.body);
    const events = (await auditEvents()).slice(count);
    assert.deepEqual(events.map((e) => e.operation), ["consultation", "alteration"], "no NRM referral was made, so nothing was disclosed");

    const future = await act(id, "/duties/duty-to-notify", { "duty-duty-to-notify-doneOn-day": "1", "duty-duty-to-notify-doneOn-month": "1", "duty-duty-to-notify-doneOn-year": "2999", "duty-duty-to-notify-reference": "MS1-0042" });
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /today or in the past/);
  });

  it("refuses a referral without consent and without the urgent path, saying what to do", async () => {
    const agency = await agencyWithAgreement(["housing"]);
    const id = await openCase({ alias: "Daisy", consent: "not-asked" });
    const page = await lead.get(caseUrl(id));
    assert.match(page.body, /A referral needs the person&#39;s consent to share/);
    const refused = await lead.post(`/safeguarding/cases/${id}/referrals`, { ...REASON, service: `${agency}:housing`, summary: "Needs a bed tonight" });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Record the person&#39;s consent to share before referring them/);
    assert.equal((await db().selectFrom("referrals").select("id").where("caseId", "=", id).execute()).length, 0);
  });

  it("stops further referrals once consent is withdrawn, and keeps what was already shared", async () => {
    const agency = await agencyWithAgreement(["housing", "drug-service"]);
    const id = await openCase({ alias: "Ivy", consent: "given" });
    const referred = await act(id, "/referrals", { service: `${agency}:housing`, summary: "Needs a hostel place" });
    assert.equal(referred.statusCode, 302, referred.body);
    const disclosure = (await auditEvents()).at(-1)!;
    assert.equal(disclosure.operation, "disclosure");
    assert.equal(disclosure.reasonCode, "partner-referral");
    assert.match(disclosure.reasonReference ?? "", /^ISA\/2026\//);
    assert.equal(JSON.parse(disclosure.recipients ?? "[]").length, 1);

    const duplicate = await act(id, "/referrals", { service: `${agency}:housing`, summary: "Again" });
    assert.equal(duplicate.statusCode, 400);
    assert.match(duplicate.body, /already has an open referral/);

    assert.equal((await act(id, "/consent", { consent: "withdrawn" })).statusCode, 302);
    const blocked = await lead.post(`/safeguarding/cases/${id}/referrals`, { ...REASON, service: `${agency}:drug-service`, summary: "Needs a script" });
    assert.equal(blocked.statusCode, 400);
    assert.match(blocked.body, /withdrew their consent to share/);
    assert.match(blocked.body, /What was shared before stays with the agencies it went to/);
    const referrals = await db().selectFrom("referrals").selectAll().where("caseId", "=", id).execute();
    assert.deepEqual(referrals.map((r) => [r.service, r.status]), [["housing", "sent"]]);

    assert.equal((await act(id, "/consent", { consent: "given" })).statusCode, 302);
    assert.equal((await act(id, "/referrals", { service: `${agency}:drug-service`, summary: "Needs a script" })).statusCode, 302);
  });

  it("keeps the real name encrypted and hidden until asked for with a reason, and logs its erasure", async () => {
    const id = await openCase({ alias: "Fern", realName: "Jane Testname" });
    const row = await db().selectFrom("safeguardingCases").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.ok(row.realNameEncrypted && !row.realNameEncrypted.includes("Testname"));
    assert.ok(!row.needsEncrypted.includes("stairwell"));

    const page = await lead.get(caseUrl(id));
    assert.doesNotMatch(page.body, /Testname/);
    assert.match(page.body, /Show real name/);
    const count = (await auditEvents()).length;
    const shown = await lead.post(`/safeguarding/cases/${id}/real-name`, REASON);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, /Jane Testname/);
    const looks = (await auditEvents()).slice(count).filter((e) => e.recordType === "safeguarding-case-real-name");
    assert.equal(looks.length, 1);
    assert.equal(looks[0]!.operation, "consultation");
    assert.equal(looks[0]!.reasonCode, "safeguarding");
    assert.equal(looks[0]!.reasonReference, "SG-TEST-1");

    const form = await lead.get(caseUrl(id, "/assessment"));
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /Testname/, "the assessment form never fills in the real name");
    const erased = await lead.post(`/safeguarding/cases/${id}/assessment`, { ...newCase({ alias: "Fern", needsDetails: "" }), removeRealName: "yes" });
    assert.equal(erased.statusCode, 302, erased.body);
    assert.equal((await db().selectFrom("safeguardingCases").select("realNameEncrypted").where("id", "=", id).executeTakeFirstOrThrow()).realNameEncrypted, null);
    const events = await auditEvents();
    assert.ok(events.some((e) => e.operation === "erasure" && e.recordType === "safeguarding-case-real-name" && JSON.parse(e.recordIds)[0] === String(id)));
  });

  it("opens the urgent path when a later assessment shows signs of trafficking", async () => {
    const id = await openCase({ alias: "Hazel" });
    const changed = await lead.post(`/safeguarding/cases/${id}/assessment`, newCase({ alias: "Hazel", indicators: ["debt-bondage"] }));
    assert.equal(changed.statusCode, 302);
    assert.match(String(changed.headers.location), /urgent=1/);
    const row = await db().selectFrom("safeguardingCases").select("urgentDuties").where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual(Object.keys(fromJson<UrgentDuties>(row.urgentDuties, {})).sort(), ["duty-to-notify", "nrm"]);
  });

  it("links an officer's engagement to the case, logged as a combination", async () => {
    const officer = await app.services.auth.addUser({ email: `pc-${Math.random()}@example.test`, name: "PC Link", role: "officer", password: "correct horse battery staple" });
    const now = new Date().toISOString();
    const operation = await db()
      .insertInto("operations")
      .values({ slug: `op-${Math.random()}`.replace(".", ""), name: "Operation Test", summary: "", objectives: "[]", categoriesInScope: "[]", startsOn: "2025-01-01", endsOn: null, plannedHoursPerWeek: 10, status: "active", published: false, isDemo: false, createdAt: now, updatedAt: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    const engagement = await db()
      .insertInto("engagements")
      .values({ operationId: operation.id, patrolId: null, occurredAt: new Date(Date.now() - 86_400_000).toISOString(), latitude: null, longitude: null, h3Cell: null, kind: "welfare-check", referralOffered: true, referralResponse: "accepted", safeguardingConcern: true, officerId: officer.id, isDemo: false, createdAt: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    const id = await openCase({ alias: "Holly" });
    const page = await lead.get(caseUrl(id));
    assert.match(page.body, new RegExp(`value="${engagement.id}"`));
    const linked = await lead.post(`/safeguarding/cases/${id}/engagements`, { ...REASON, engagementId: String(engagement.id) });
    assert.equal(linked.statusCode, 302, linked.body);
    const event = (await auditEvents()).at(-1)!;
    assert.equal(event.operation, "combination");
    assert.deepEqual(JSON.parse(event.recordIds), [`case:${id}`, `engagement:${engagement.id}`]);
    const shown = await lead.get(caseUrl(id));
    assert.match(shown.body, /Welfare check/);
    assert.match(shown.body, /Operation Test/);
    const again = await lead.post(`/safeguarding/cases/${id}/engagements`, { ...REASON, engagementId: String(engagement.id) });
    assert.equal(again.statusCode, 400);
  });

  it("encrypts notes, and writes no real name, alias, need or note into the audit log", async () => {
    const id = await openCase({ alias: "Juniper", realName: "Alexandra Secretname", needsDetails: "Pregnant, no GP" });
    const noted = await act(id, "/notes", { note: "Met at the drop-in; wants to talk about leaving" });
    assert.equal(noted.statusCode, 302);
    const note = await db().selectFrom("caseNotes").selectAll().where("caseId", "=", id).executeTakeFirstOrThrow();
    assert.ok(!note.bodyEncrypted.includes("drop-in"));
    assert.ok((await auditEvents()).some((e) => e.operation === "collection" && e.recordType === "case-note" && JSON.parse(e.recordIds)[0] === String(note.id)));
    assert.match((await lead.get(caseUrl(id))).body, /Met at the drop-in/);
    await lead.post(`/safeguarding/cases/${id}/real-name`, REASON);
    const log = JSON.stringify(await auditEvents());
    for (const secret of ["Secretname", "Juniper", "Pregnant", "drop-in", "stairwell"]) assert.ok(!log.includes(secret), `the audit log holds "${secret}"`);
  });

  it("lists cases, logged as a consultation of those listed", async () => {
    const id = await openCase({ alias: "Willow" });
    const list = await lead.get("/safeguarding");
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Willow/);
    const event = (await auditEvents()).at(-1)!;
    assert.equal(event.operation, "consultation");
    assert.ok(JSON.parse(event.recordIds).includes(String(id)));
  });

  it("sends no-store and offers Exit this page on every safeguarding page", async () => {
    const id = await openCase({ alias: "Aster" });
    for (const url of ["/safeguarding", "/safeguarding?status=closed", "/safeguarding/cases/new", `/safeguarding/cases/${id}`, caseUrl(id), caseUrl(id, "/assessment")]) {
      const response = await lead.get(url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.headers["cache-control"], "no-store", url);
      assert.match(response.body, /govuk-exit-this-page/, url);
    }
    const invalid = await lead.post(`/safeguarding/cases/${id}/notes`, { ...REASON, note: "" });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.headers["cache-control"], "no-store");
    assert.match(invalid.body, /govuk-exit-this-page/);
  });

  it("answers not found on every safeguarding page to every other role", async () => {
    const id = await openCase({ alias: "Clover" });
    const roles: Role[] = ["officer", "operation-lead", "analyst", "administrator", "auditor", "partner-worker"];
    for (const role of roles) {
      const { client } = await signedInClient(app, role);
      for (const url of ["/safeguarding", "/safeguarding/cases/new", `/safeguarding/cases/${id}`, caseUrl(id), caseUrl(id, "/assessment")]) {
        const response = await client.get(url);
        assert.equal(response.statusCode, 404, `${role} ${url}`);
        assert.doesNotMatch(response.body, /Clover/);
      }
      await client.get("/staff");
      for (const path of ["/safeguarding/cases", `/safeguarding/cases/${id}/real-name`, `/safeguarding/cases/${id}/referrals`, `/safeguarding/cases/${id}/consent`]) {
        const response = await client.post(path, { ...REASON, ...newCase() });
        assert.equal(response.statusCode, 404, `${role} POST ${path}`);
      }
    }
    const home = await lead.get("/staff");
    assert.match(home.body, /href="\/safeguarding"/, "the lead's menu links to the cases");
  });
});
