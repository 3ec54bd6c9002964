import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, it } from "node:test";
import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp, validReport } from "../../../test/support/app.ts";
import { withTriggersOff } from "../../../test/support/triggers.ts";
import { RETENTION_DEFAULTS_DAYS } from "../../domain/retention.ts";
import { chainHash, GENESIS_HASH } from "./audit.service.ts";

const daysAhead = (days: number) => new Date(Date.now() + days * 86_400_000);

describeEachDatabase("the audit log", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());
  const db = () => context().database.db;

  it("records collection, alteration, consultation and erasure of a resident's contact details", async () => {
    const { reference } = (await app.inject({ method: "POST", url: "/api/reports", payload: validReport({ contact: { email: "audit.me@example.org" } }) })).json();
    const report = await db().selectFrom("reports").select("id").where("reference", "=", reference).executeTakeFirstOrThrow();
    const { client } = await signedInClient(app, "officer");
    await client.get(`/staff/reports/${reference}`);
    await client.post(`/staff/reports/${reference}/grade`, { grade: "scheduled", "thrive-threat": "a", "thrive-harm": "b", "thrive-risk": "c", "thrive-investigation": "d", "thrive-vulnerability": "e", "thrive-engagement": "f" });
    await client.get(`/staff/reports/${reference}`);
    await client.post(`/staff/reports/${reference}/contact`, { reasonCode: "contact-resident", reasonReference: "INC-1" });
    await client.get(`/staff/reports/${reference}`);
    await client.post(`/staff/reports/${reference}/status`, { status: "closed", outcome: "cleared" });
    const closedLongAgo = new Date(Date.now() - 400 * 86_400_000).toISOString();
    await db().updateTable("reports").set({ closedAt: closedLongAgo }).where("id", "=", report.id).execute();
    await app.services.retention.run();
    assert.equal(await db().selectFrom("reportContacts").select("reportId").where("reportId", "=", report.id).executeTakeFirst(), undefined, "the email is erased");
    const events = await db().selectFrom("auditEvents").selectAll().execute();
    const about = (operation: string, recordType: string) => events.find((e) => e.operation === operation && e.recordType === recordType && JSON.parse(e.recordIds).includes(String(report.id)));
    assert.ok(about("collection", "report-contact"));
    assert.ok(about("alteration", "report"));
    assert.ok(about("consultation", "report-contact"));
    assert.ok(about("erasure", "report-contact"));
    assert.ok(about("erasure", "report-detail"), "old closed reports lose their words and exact point");
    const anonymised = await db().selectFrom("reports").selectAll().where("id", "=", report.id).executeTakeFirstOrThrow();
    assert.equal(anonymised.description, "");
    assert.equal(anonymised.latitude, null);
    assert.ok(anonymised.h3Cell, "the H3 cell stays for the public figures");
    assert.ok(!JSON.stringify(events).includes("audit.me@example.org"));
  });

  it("refuses UPDATE and DELETE on its events, whoever asks", async () => {
    await app.services.audit.record({ actor: null, operation: "collection", recordType: "test", recordIds: [1] });
    await assert.rejects(sql`UPDATE audit_events SET record_type = 'changed'`.execute(db()), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_events`.execute(db()), /append-only/);
  });

  it("detects an event changed directly in the database, and names it", async () => {
    const id = await app.services.audit.record({ actor: null, operation: "disclosure", recordType: "test", recordIds: [2], recipients: ["Partner"] });
    assert.equal((await app.services.audit.verify()).ok, true);
    // An attacker with database access lifts the guard and edits the row, then puts it back.
    const result = await withTriggersOff(context().database, ["audit_events"], async () => {
      await sql`UPDATE audit_events SET recipients = '["Someone else"]' WHERE id = ${id}`.execute(db());
      const verdict = await app.services.audit.verify();
      await sql`UPDATE audit_events SET recipients = '["Partner"]' WHERE id = ${id}`.execute(db());
      return verdict;
    });
    assert.equal(result.ok, false);
    assert.equal((result as { brokenAt: number }).brokenAt, id);
    assert.match((result as { problem: string }).problem, /content does not match its hash/);
    assert.equal((await app.services.audit.verify()).ok, true);
  });

  it("detects a chain rewritten without the key", async () => {
    const events = await db().selectFrom("auditEvents").selectAll().orderBy("id").execute();
    const forgedKey = crypto.randomBytes(32);
    let previous = GENESIS_HASH;
    const forged = events.map(({ id, hash: _hash, ...rest }) => {
      const event = { ...rest, previousHash: previous };
      previous = chainHash(forgedKey, event);
      return { id, hash: previous, previousHash: event.previousHash };
    });
    const result = await withTriggersOff(context().database, ["audit_events"], async () => {
      for (const f of forged) await db().updateTable("auditEvents").set({ hash: `${f.hash}`, previousHash: f.previousHash }).where("id", "=", f.id).execute();
      const verdict = await app.services.audit.verify();
      for (const e of events) await db().updateTable("auditEvents").set({ hash: e.hash, previousHash: e.previousHash }).where("id", "=", e.id).execute();
      return verdict;
    });
    assert.equal(result.ok, false);
    assert.equal((result as { brokenAt: number }).brokenAt, events[0]!.id);
  });

  it("checks anchors kept outside, and still verifies after whole sealed segments expire", async () => {
    const early = await app.services.audit.anchor();
    assert.ok(early);
    const sealed = await app.services.audit.seal(daysAhead(RETENTION_DEFAULTS_DAYS.auditSealAfter + 1));
    assert.ok(sealed);
    await app.services.audit.record({ actor: null, operation: "combination", recordType: "test", recordIds: [3] });
    const later = await app.services.audit.anchor();
    assert.equal((await app.services.audit.verify([early!, later!])).ok, true);
    const expiry = daysAhead(RETENTION_DEFAULTS_DAYS.auditExpireAfter + 1);
    const expired = await app.services.audit.expire(expiry);
    assert.equal(expired.segments, 1);
    assert.ok(expired.events > 0);
    const after = await app.services.audit.verify([early!, later!], expiry);
    assert.equal(after.ok, true, JSON.stringify(after));
    const wrongAnchor = await app.services.audit.verify([{ eventId: later!.eventId, hash: "0".repeat(64) }], expiry);
    assert.equal(wrongAnchor.ok, false);
    const missing = await app.services.audit.verify([{ eventId: later!.eventId + 1000, hash: later!.hash }], expiry);
    assert.match((missing as { problem: string }).problem, /missing/);
    await withTriggersOff(context().database, ["audit_segments"], () => db().updateTable("auditSegments").set({ headHash: "f".repeat(64) }).execute());
    assert.match(((await app.services.audit.verify([], expiry)) as { problem: string }).problem, /sealed segment \d+ \(events \d+–\d+\) has been altered/);
  });

  it("lets the auditor, and only the auditor, search and export it, logging each read", async () => {
    const { client: administrator } = await signedInClient(app, "administrator");
    assert.equal((await administrator.get("/staff/audit")).statusCode, 403);
    const { client, id } = await signedInClient(app, "auditor");
    const noReason = await client.get("/staff/audit?operation=consultation&reasonCode=&reasonReference=");
    assert.equal(noReason.statusCode, 400);
    const found = await client.get("/staff/audit?operation=consultation&reasonCode=audit&reasonReference=AUD-7");
    assert.equal(found.statusCode, 200);
    assert.match(found.body, /Events, newest first/);
    const csv = await client.get("/staff/audit/export.csv?reasonCode=audit&reasonReference=AUD-7");
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /^id,occurred_at,actor_id/);
    const reads = await db().selectFrom("auditEvents").selectAll().where("actorId", "=", id).execute();
    assert.deepEqual(reads.map((r) => r.recordType).sort(), ["audit-log", "audit-log-export"]);
    assert.ok(reads.every((r) => r.reasonCode === "audit" && r.reasonReference === "AUD-7"));
  });
});
