// The auditor relies on `audit verify` to say when the log has lost, gained or changed anything,
// sealed segments included. Each test plays someone with SQL access to the database but not the
// audit key, starting from events 1–63 sealed into segment 1 by `retention run` with the clock
// 40 days ahead, as issue 13 (A1) found them erasable.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { sql } from "kysely";
import type { FastifyInstance } from "fastify";
import { createTestDatabase, testDialects, type TestDatabase } from "../../../test/support/databases.ts";
import { migrateTo, migrateToLatest } from "../../db/migrate.ts";
import { testApp } from "../../../test/support/app.ts";
import { withTriggersOff } from "../../../test/support/triggers.ts";
import { RETENTION_DEFAULTS_DAYS } from "../../domain/retention.ts";
import { AuditRepository } from "./audit.repository.ts";
import { AuditService, chainHash, GENESIS_HASH, type Anchor, type VerifyResult } from "./audit.service.ts";

const DAY = 86_400_000;
const daysAhead = (days: number) => new Date(Date.now() + days * DAY);
/** When `retention run` may expire segment 1: its last event is six years old. */
const EXPIRY_DUE = RETENTION_DEFAULTS_DAYS.auditExpireAfter + 41;
const AUDIT_TABLES = ["audit_events", "audit_segments", "audit_expired_hashes"];

function problemOf(result: VerifyResult): string {
  assert.equal(result.ok, false, "verify must report the change");
  return (result as { problem: string }).problem;
}

for (const dialect of testDialects()) {
  describe(`a sealed audit segment against ordinary SQL [${dialect}]`, () => {
    let test: TestDatabase;
    let app: FastifyInstance;
    const key = crypto.randomBytes(32);
    const run = (statement: string) => sql.raw(statement).execute(test.database.db);
    const audit = () => app.services.audit;
    const eventHash = async (id: number) => (await test.database.db.selectFrom("auditEvents").select("hash").where("id", "=", id).executeTakeFirstOrThrow()).hash;
    const segmentRows = () => test.database.db.selectFrom("auditSegments").selectAll().orderBy("id").execute();
    const anchorAt = async (id: number): Promise<Anchor> => ({ eventId: id, hash: await eventHash(id) });

    async function recordEvents(count: number) {
      for (let i = 0; i < count; i++) await audit().record({ actor: null, operation: "consultation", recordType: "test", recordIds: [i], reason: { code: "audit", reference: "A1-TEST" } });
    }

    before(async () => {
      test = await createTestDatabase(dialect);
      app = await testApp(test, { auditKey: key });
    });
    after(async () => {
      await app.close();
      await test.drop();
    });

    /** Each test starts from an empty log whose ids start at 1 again, as in a new database. */
    async function emptyLog() {
      await withTriggersOff(test.database, AUDIT_TABLES, async () => {
        for (const table of [...AUDIT_TABLES, "audit_expiry_permits"]) await run(`delete from ${table}`);
      });
      for (const table of ["audit_events", "audit_segments"]) {
        await run(dialect === "sqlite" ? `delete from sqlite_sequence where name = '${table}'` : `alter table ${table} alter column id restart with 1`);
      }
    }

    beforeEach(async () => {
      await emptyLog();
      await recordEvents(63);
      const summary = await app.services.retention.run(daysAhead(40));
      assert.equal(summary.auditSegmentsSealed, 1);
      const [segment] = await segmentRows();
      assert.deepEqual([segment!.id, segment!.firstEventId, segment!.lastEventId], [1, 1, 63]);
    });
    it("refuses the issue's deletion: a permit naming no segment deletes nothing", async () => {
      const anchor = await anchorAt(63);
      await run("insert into audit_expiry_permits values (999)");
      await assert.rejects(run("delete from audit_events where id between 1 and 63"), /append-only/);
      await run("delete from audit_expiry_permits");
      assert.equal((await audit().verify([anchor])).ok, true);
    });

    it("refuses a permit for one segment to delete an event outside that segment", async () => {
      await recordEvents(1);
      await run("insert into audit_expiry_permits values (1)");
      await assert.rejects(run("delete from audit_events where id = 64"), /append-only/);
    });

    it("names the issue's attack when the permit names the sealed segment itself", async () => {
      const anchor = await anchorAt(63);
      await run("insert into audit_expiry_permits values (1)");
      await run("delete from audit_events where id between 1 and 63");
      await run("delete from audit_expiry_permits");
      await run(`update audit_segments set expired_at = '${daysAhead(40).toISOString()}' where id = 1`);
      assert.match(problemOf(await audit().verify()), /sealed segment 1 \(events 1–63\) has been altered/);
      assert.match(problemOf(await audit().verify([anchor])), /sealed segment 1 \(events 1–63\) has been altered/);
    });

    it("names events deleted from a sealed segment that is not expired, even at the end of the log", async () => {
      await run("insert into audit_expiry_permits values (1)");
      await run("delete from audit_events where id between 60 and 63");
      assert.match(problemOf(await audit().verify()), /sealed segment 1 \(events 1–63\) holds 59 of the 63 events it sealed/);
    });

    it("refuses an expiry that is not due, and names one that was made early", async () => {
      const expired = await audit().expire(daysAhead(40));
      assert.deepEqual(expired, { segments: 0, events: 0 }, "six years have not passed");
      assert.equal(await test.database.db.selectFrom("auditEvents").select("id").where("id", "=", 1).executeTakeFirst().then(Boolean), true);
      // A deployment that shortened the audit log's retention to 30 days, and restored it later.
      const shortened = new AuditService(new AuditRepository(test.database.db, dialect), key, { ...RETENTION_DEFAULTS_DAYS, auditExpireAfter: 30 });
      assert.equal((await shortened.expire(daysAhead(40))).segments, 1);
      assert.match(problemOf(await audit().verify([], daysAhead(41))), /sealed segment 1 \(events 1–63\) was expired on \d{4}-\d{2}-\d{2}, before it was due on \d{4}-\d{2}-\d{2} \(audit events are kept 2190 days\)/);
    });

    it("names an expiry dated in the future: the clock was ahead when it ran", async () => {
      assert.equal((await app.services.retention.run(daysAhead(EXPIRY_DUE))).auditSegmentsExpired, 1);
      assert.equal((await audit().verify([], daysAhead(EXPIRY_DUE))).ok, true);
      assert.match(problemOf(await audit().verify()), /sealed segment 1 \(events 1–63\) records its expiry on \d{4}-\d{2}-\d{2}, which is still to come/);
    });

    it("checks an anchor inside an expired segment against the hashes sealed with it", async () => {
      const anchors = [await anchorAt(40), await anchorAt(63)];
      await app.services.retention.run(daysAhead(EXPIRY_DUE));
      const when = daysAhead(EXPIRY_DUE);
      assert.equal((await audit().verify(anchors, when)).ok, true);
      assert.match(problemOf(await audit().verify([{ eventId: 40, hash: "a".repeat(64) }], when)), /anchored event's hash differs/);
    });

    it("names the hashes kept for an expired segment when they are changed", async () => {
      await app.services.retention.run(daysAhead(EXPIRY_DUE));
      await withTriggersOff(test.database, AUDIT_TABLES, () => run(`update audit_expired_hashes set hash = '${"b".repeat(64)}' where event_id = 40`));
      assert.match(problemOf(await audit().verify([], daysAhead(EXPIRY_DUE))), /the hashes kept for expired segment 1 \(events 1–63\) do not match its seal/);
    });

    it("names an event added inside an expired segment after its events were deleted", async () => {
      const [first] = await test.database.db.selectFrom("auditEvents").selectAll().where("id", "=", 5).execute();
      await app.services.retention.run(daysAhead(EXPIRY_DUE));
      const { id: _id, ...copy } = first!;
      await test.database.db.insertInto("auditEvents").values({ ...copy, id: 5, hash: "c".repeat(64) } as never).execute();
      assert.match(problemOf(await audit().verify([], daysAhead(EXPIRY_DUE))), /event 5 lies inside expired segment 1 \(events 1–63\), whose events were deleted/);
    });

    it("refuses to seal or expire events that do not verify, keeping the evidence", async () => {
      await withTriggersOff(test.database, AUDIT_TABLES, () => run("update audit_events set record_type = 'changed' where id = 10"));
      await assert.rejects(app.services.retention.run(daysAhead(EXPIRY_DUE)), /Refusing to expire sealed segment 1 \(events 1–63\): event 10: its content does not match its hash/);
      assert.equal((await test.database.db.selectFrom("auditEvents").select("id").execute()).length, 63);
      await recordEvents(1);
      await withTriggersOff(test.database, AUDIT_TABLES, () => run("update audit_events set record_type = 'changed' where id = 64"));
      await assert.rejects(audit().seal(daysAhead(80)), /Refusing to seal the audit log: event 64: its content does not match its hash/);
    });

    it("refuses to change or delete a segment row, and names a changed range, a missing segment or a copied seal", async () => {
      await assert.rejects(run("update audit_segments set last_event_id = 1000 where id = 1"), /append-only/);
      await assert.rejects(run("delete from audit_segments where id = 1"), /append-only/);
      await recordEvents(10);
      await app.services.retention.run(daysAhead(80));
      assert.deepEqual((await segmentRows()).map((s) => [s.firstEventId, s.lastEventId]), [[1, 63], [64, 73]]);
      assert.equal((await audit().verify()).ok, true);

      // An attacker who can lift the triggers swaps the two segments' ranges...
      await withTriggersOff(test.database, AUDIT_TABLES, async () => {
        await run("update audit_segments set first_event_id = 64, last_event_id = 73 where id = 1");
        await run("update audit_segments set first_event_id = 1, last_event_id = 63 where id = 2");
        assert.match(problemOf(await audit().verify()), /sealed segment \d \(events \d+–\d+\) has been altered/);
        await run("update audit_segments set first_event_id = 1, last_event_id = 63 where id = 1");
        await run("update audit_segments set first_event_id = 64, last_event_id = 73 where id = 2");
      });
      assert.equal((await audit().verify()).ok, true);

      // ...or, once both have expired, deletes the first segment's row...
      const when = daysAhead(EXPIRY_DUE + 40);
      assert.equal((await app.services.retention.run(when)).auditSegmentsExpired, 2);
      assert.equal((await audit().verify([], when)).ok, true);
      const [first] = await segmentRows();
      await withTriggersOff(test.database, AUDIT_TABLES, () => run("delete from audit_segments where id = 1"));
      assert.match(problemOf(await audit().verify([], when)), /sealed segment 2 \(events 64–73\) does not follow on from the segment before it: a segment was removed, added or reordered/);

      // ...or, having put it back, adds a copy of that genuine seal.
      await test.database.db.insertInto("auditSegments").values(first!).execute();
      assert.equal((await audit().verify([], when)).ok, true, "put back as it was, it verifies again");
      const { id: _id, ...copy } = first!;
      await test.database.db.insertInto("auditSegments").values(copy).execute();
      assert.match(problemOf(await audit().verify([], when)), /does not follow on from the segment before it/);
    });
  });
}

for (const dialect of testDialects()) {
  describe(`audit segments sealed before migration 0013 [${dialect}]`, () => {
    let test: TestDatabase | null = null;
    afterEach(async () => test?.drop());

    it("are sealed again by the next retention run, their events untouched", async () => {
      test = await createTestDatabase(dialect, { prepare: false });
      await migrateTo(test.database, "0012_month_first_row_keys");
      const app = await testApp(test);
      // Events as they were written then, straight into the table: today's code writes columns
      // that later migrations add, so it cannot run against the schema as it was at 0012.
      let previousHash = GENESIS_HASH;
      for (let i = 0; i < 3; i++) {
        const event = { occurredAt: new Date(Date.now() - (3 - i) * 1000).toISOString(), actorId: null, actorRole: null, operation: "collection", recordType: "test", recordIds: JSON.stringify([String(i)]), reasonCode: null, reasonReference: null, recipients: null, previousHash, actorCredentialsEventId: null };
        const hash = chainHash(app.services.config.auditKey, event);
        await sql`INSERT INTO audit_events (occurred_at, actor_id, actor_role, operation, record_type, record_ids, reason_code, reason_reference, recipients, previous_hash, hash)
                  VALUES (${event.occurredAt}, null, null, 'collection', 'test', ${event.recordIds}, null, null, null, ${previousHash}, ${hash})`.execute(test.database.db);
        previousHash = hash;
      }
      const events = await test.database.db.selectFrom("auditEvents").selectAll().orderBy("id").execute();
      // A segment as the old seal wrote it: its seal did not cover its expiry.
      await sql`INSERT INTO audit_segments (first_event_id, last_event_id, event_count, head_hash, sealed_at, last_event_at, mac)
                VALUES (1, 3, 3, ${events[2]!.hash}, ${new Date().toISOString()}, ${events[2]!.occurredAt}, ${"d".repeat(64)})`.execute(test.database.db);
      assert.ok((await migrateToLatest(test.database)).includes("0013_audit_integrity"));
      assert.equal((await test.database.db.selectFrom("auditSegments").selectAll().execute()).length, 0);
      const untouched = await test.database.db.selectFrom("auditEvents").selectAll().orderBy("id").execute();
      assert.deepEqual(untouched.map(({ actorCredentialsEventId: _, ...rest }) => rest), events, "the events are untouched");
      assert.equal((await app.services.retention.run(daysAhead(40))).auditSegmentsSealed, 1);
      assert.equal((await app.services.audit.verify()).ok, true);
      await app.close();
    });
  });
}
