// A public update can be changed or withdrawn after it is published. The earlier wording is kept
// (staff only: a change may be made to take out something that should never have been public),
// and the public page says that it changed, or that it was withdrawn and why.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema.alterTable("public_updates").addColumn("changed_at", t.timestamp).execute();
  await db.schema.alterTable("public_updates").addColumn("withdrawn_at", t.timestamp).execute();
  await db.schema.alterTable("public_updates").addColumn("withdrawal_reason", "text").execute();
  await t
    .id(db.schema.createTable("public_update_versions"))
    .addColumn("public_update_id", "integer", (c) => c.notNull().references("public_updates.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("replaced_at", t.timestamp, (c) => c.notNull())
    .addColumn("replaced_by", "integer", (c) => c.references("users.id"))
    .execute();
  await db.schema.createIndex("public_update_versions_update").on("public_update_versions").column("public_update_id").execute();
}
