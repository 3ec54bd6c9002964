// The planner's tables: calls for service (the demand the operation competes with), each
// operation's planning settings, and its budget (allocations and other spend, in pence).
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable("calls_for_service"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("occurred_at", t.timestamp, (c) => c.notNull())
    // The UK calendar date of the call, kept so weeks can be counted with a plain GROUP BY on both engines.
    .addColumn("local_date", t.date, (c) => c.notNull())
    .addColumn("grade", "text", (c) => c.notNull())
    .addColumn("area", "text")
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("imported_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("calls_for_service_operation_date").on("calls_for_service").columns(["operation_id", "local_date"]).execute();

  await db.schema
    .createTable("planning_settings")
    .addColumn("operation_id", "integer", (c) => c.primaryKey().references("operations.id").onDelete("cascade"))
    .addColumn("capacity_hours_per_week", t.real, (c) => c.notNull())
    .addColumn("abstraction_rate", t.real, (c) => c.notNull())
    .addColumn("emergency_hours", t.real, (c) => c.notNull())
    .addColumn("priority_hours", t.real, (c) => c.notNull())
    .addColumn("scheduled_hours", t.real, (c) => c.notNull())
    .addColumn("resolved_hours", t.real, (c) => c.notNull())
    .addColumn("hourly_rate_pence", "bigint", (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_by", "integer", (c) => c.references("users.id"))
    .execute();

  for (const [table, dateColumn] of [
    ["budget_allocations", "received_on"],
    ["budget_spend", "spent_on"],
  ] as const) {
    await t
      .id(db.schema.createTable(table))
      .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("amount_pence", "bigint", (c) => c.notNull())
      .addColumn(dateColumn, t.date, (c) => c.notNull())
      .addColumn("is_demo", t.boolean, (c) => c.notNull())
      .addColumn("created_at", t.timestamp, (c) => c.notNull())
      .addColumn("created_by", "integer", (c) => c.references("users.id"))
      .execute();
    await db.schema.createIndex(`${table}_operation`).on(table).column("operation_id").execute();
  }
}
