import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

/**
 * Sealed segments of the audit log. Retention deletes whole sealed segments; the segment row
 * stays, with the hash of its last event, so the chain still verifies from the next event on.
 */
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable("audit_segments"))
    .addColumn("first_event_id", "integer", (c) => c.notNull())
    .addColumn("last_event_id", "integer", (c) => c.notNull())
    .addColumn("event_count", "integer", (c) => c.notNull())
    .addColumn("head_hash", "text", (c) => c.notNull())
    .addColumn("sealed_at", t.timestamp, (c) => c.notNull())
    .addColumn("last_event_at", t.timestamp, (c) => c.notNull())
    .addColumn("mac", "text", (c) => c.notNull())
    .addColumn("expired_at", t.timestamp)
    .execute();
}
