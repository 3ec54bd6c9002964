// The public dashboard: each published operation's figures are worked out once and kept as a
// snapshot, so a visit reads one row whatever the size of the police.uk tables. A change to
// what the figures come from bumps a version here; the next visit finds the snapshot out of date
// and works it out again. The operation lead's choices for the dashboard (whether the force
// publishes the budget) live in dashboard_settings rather than in other modules' tables.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("dashboard_settings")
    .addColumn("operation_id", "integer", (c) => c.primaryKey().notNull().references("operations.id").onDelete("cascade"))
    .addColumn("publish_budget", t.boolean, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_by", "integer", (c) => c.references("users.id"))
    .execute();

  // scope: "all" (a police.uk import can change every operation) or "operation:<id>".
  await db.schema
    .createTable("dashboard_changes")
    .addColumn("scope", "text", (c) => c.primaryKey().notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("changed_at", t.timestamp, (c) => c.notNull())
    .execute();

  // data is text, not jsonb: a finished document, read whole and never queried inside.
  await db.schema
    .createTable("dashboard_snapshots")
    .addColumn("operation_id", "integer", (c) => c.primaryKey().notNull().references("operations.id").onDelete("cascade"))
    .addColumn("freshness", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("computed_at", t.timestamp, (c) => c.notNull())
    .execute();
}
