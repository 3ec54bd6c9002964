// Accounts that hold (issue 13): sign-in slows down per email instead of locking the account,
// so the lock-out columns go.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // Failed sign-ins per email (a keyed hash of it, known or not) and when the next may be checked.
  await db.schema
    .createTable("slowdowns")
    .addColumn("key", "text", (c) => c.primaryKey().notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("next_turn_at", t.timestamp)
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("slowdowns_expiry").on("slowdowns").column("expires_at").execute();
  await db.schema.alterTable("users").dropColumn("failed_sign_ins").execute();
  await db.schema.alterTable("users").dropColumn("locked_until").execute();
}
