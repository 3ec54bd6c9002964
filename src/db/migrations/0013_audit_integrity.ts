// A sealed segment of the audit log could be erased with ordinary data changes (issue 13, A1):
// any permit let any event be deleted, and the seal covered neither the segment's expiry nor its
// place in the chain. Now:
// - a permit lets through only the deletion of events inside the segment it names;
// - a segment row cannot be deleted, and only its expiry (once) and its seal can change;
// - the seal covers the hash the segment follows on from, a digest of its events' ids and
//   hashes, and the expiry;
// - expiring a segment keeps its events' hashes (no content), so anchors inside it still check.
// Segments sealed before this had a seal that did not cover their expiry. Those not expired lose
// nothing by being sealed again, since their events are all here: they are removed, and the next
// `retention run` seals the events afresh. Those already expired cannot be sealed again (their
// events are gone), and `audit verify` reports them as altered: it cannot vouch for them.
import { sql, type Kysely } from "kysely";
import { makeAppendOnly, type ColumnTypes } from "../columns.ts";

const SEGMENT_COLUMNS_FIXED = ["id", "first_event_id", "last_event_id", "event_count", "previous_hash", "head_hash", "events_digest", "sealed_at", "last_event_at"];

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await sql`DELETE FROM audit_segments WHERE expired_at IS NULL`.execute(db);
  await db.schema.alterTable("audit_segments").addColumn("previous_hash", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema.alterTable("audit_segments").addColumn("events_digest", "text", (c) => c.notNull().defaultTo("")).execute();
  await db.schema
    .createTable("audit_expired_hashes")
    .addColumn("event_id", "integer", (c) => c.primaryKey().notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();

  await makeAppendOnly(db, t.dialect, "audit_events", {
    deleteWhen: `EXISTS (SELECT 1 FROM audit_expiry_permits p JOIN audit_segments s ON s.id = p.segment
                         WHERE OLD.id BETWEEN s.first_event_id AND s.last_event_id)`,
  });
  await makeAppendOnly(db, t.dialect, "audit_segments", {
    updateWhen: `OLD.expired_at IS NULL AND NEW.expired_at IS NOT NULL AND ${SEGMENT_COLUMNS_FIXED.map((c) => `NEW.${c} = OLD.${c}`).join(" AND ")}`,
  });
  await makeAppendOnly(db, t.dialect, "audit_expired_hashes");
}
