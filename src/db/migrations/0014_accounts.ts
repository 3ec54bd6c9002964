// Accounts that hold (issue 13): sign-in slows down per email instead of locking the account,
// so the lock-out columns go; every account and audit event says which audit event issued the
// credentials it signs in with (an administrator's reset shows in all that follows); and the
// auditor role is given only with a second administrator's approval.
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

  // The audit event that recorded the account's creation or the last reset of its password or
  // second factor: whoever did that could be the one signing in since.
  await db.schema.alterTable("users").addColumn("credentials_event_id", "integer").execute();
  // The actor's credentials_event_id when the event was written (covered by the event's hash).
  await db.schema.alterTable("audit_events").addColumn("actor_credentials_event_id", "integer").execute();

  await t
    .id(db.schema.createTable("account_approvals"))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("email", "text")
    .addColumn("name", "text")
    .addColumn("role", "text")
    .addColumn("requested_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("requested_at", t.timestamp, (c) => c.notNull())
    .addColumn("decided_by", "integer", (c) => c.references("users.id"))
    .addColumn("decided_at", t.timestamp)
    .addColumn("decision", "text")
    .execute();
}
