// Open311 client apps and their keys, staff personal access tokens, email alert subscriptions
// and the mail queue they are sent from. Keys and tokens are stored only as hashes; a
// subscriber's address only encrypted, and only until they unsubscribe.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable("api_clients"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("key_hint", "text", (c) => c.notNull())
    .addColumn("terms_version", "text", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("last_used_at", t.timestamp)
    .addColumn("revoked_at", t.timestamp)
    .execute();

  await t
    .id(db.schema.createTable("staff_tokens"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .addColumn("last_used_at", t.timestamp)
    .addColumn("revoked_at", t.timestamp)
    .execute();
  await db.schema.createIndex("staff_tokens_user").on("staff_tokens").column("user_id").execute();

  await t
    .id(db.schema.createTable("alert_subscriptions"))
    .addColumn("email_encrypted", "text")
    .addColumn("operation_id", "integer", (c) => c.references("operations.id").onDelete("cascade"))
    .addColumn("area", t.json)
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("last_update_id", "integer", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("confirmed_at", t.timestamp)
    .addColumn("ended_at", t.timestamp)
    .execute();
  await db.schema.createIndex("alert_subscriptions_status").on("alert_subscriptions").column("status").execute();

  await t
    .id(db.schema.createTable("mail_queue"))
    .addColumn("subscription_id", "integer", (c) => c.references("alert_subscriptions.id").onDelete("set null"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("recipient_encrypted", "text")
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("unsubscribe_url", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", t.timestamp, (c) => c.notNull())
    .addColumn("lease_until", t.timestamp)
    .addColumn("last_error", "text")
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("sent_at", t.timestamp)
    .execute();
  await db.schema.createIndex("mail_queue_due").on("mail_queue").columns(["status", "next_attempt_at"]).execute();
  await db.schema.createIndex("mail_queue_subscription").on("mail_queue").column("subscription_id").execute();
}
