import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";
import { makeAppendOnly } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable("partner_agencies"))
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("services", t.json, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable("users"))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("must_change_password", t.boolean, (c) => c.notNull())
    .addColumn("failed_sign_ins", "integer", (c) => c.notNull())
    .addColumn("locked_until", t.timestamp)
    .addColumn("totp_secret", "text")
    .addColumn("partner_agency_id", "integer", (c) => c.references("partner_agencies.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("disabled_at", t.timestamp)
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey().notNull())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .addColumn("last_seen_at", t.timestamp, (c) => c.notNull())
    .addColumn("second_factor_done", t.boolean, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await t
    .id(db.schema.createTable("operations"))
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("objectives", t.json, (c) => c.notNull())
    .addColumn("categories_in_scope", t.json, (c) => c.notNull())
    .addColumn("starts_on", t.date, (c) => c.notNull())
    .addColumn("ends_on", t.date)
    .addColumn("planned_hours_per_week", t.real, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("published", t.boolean, (c) => c.notNull())
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable("areas"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("geometry", t.json, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("areas_operation").on("areas").columns(["operation_id", "role"]).execute();

  await db.schema
    .createTable("categories")
    .addColumn("code", "text", (c) => c.primaryKey().notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("hint", "text", (c) => c.notNull())
    .addColumn("guidance", "text", (c) => c.notNull())
    .addColumn("ask_vehicle", t.boolean, (c) => c.notNull())
    .addColumn("in_scope", t.boolean, (c) => c.notNull())
    .addColumn("sensitive", t.boolean, (c) => c.notNull())
    .addColumn("questions", t.json, (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable("reports"))
    .addColumn("reference", "text", (c) => c.notNull().unique())
    .addColumn("receipt_hash", "text", (c) => c.notNull().unique())
    .addColumn("category_code", "text", (c) => c.notNull().references("categories.code"))
    .addColumn("operation_id", "integer", (c) => c.references("operations.id").onDelete("set null"))
    .addColumn("area_role", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("occurred_at", t.timestamp, (c) => c.notNull())
    .addColumn("occurred_until", t.timestamp)
    .addColumn("latitude", t.real)
    .addColumn("longitude", t.real)
    .addColumn("accuracy_metres", t.real)
    .addColumn("h3_cell", "text")
    .addColumn("location_text", "text")
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("answers", t.json, (c) => c.notNull())
    .addColumn("grade", "text")
    .addColumn("thrive", t.json)
    .addColumn("force_reference", "text")
    .addColumn("outcome", "text")
    .addColumn("triaged_at", t.timestamp)
    .addColumn("triaged_by", "integer", (c) => c.references("users.id"))
    .addColumn("closed_at", t.timestamp)
    .addColumn("reopened_at", t.timestamp)
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("reports_queue").on("reports").columns(["status", "created_at"]).execute();
  await db.schema.createIndex("reports_operation").on("reports").columns(["operation_id", "created_at"]).execute();

  await db.schema
    .createTable("report_contacts")
    .addColumn("report_id", "integer", (c) => c.primaryKey().notNull().references("reports.id").onDelete("cascade"))
    .addColumn("email_encrypted", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable("vehicle_sightings"))
    .addColumn("registration", "text")
    .addColumn("registration_format", "text")
    .addColumn("make", "text")
    .addColumn("colour", "text")
    .addColumn("seen_at", t.timestamp, (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("report_id", "integer", (c) => c.references("reports.id").onDelete("cascade"))
    .addColumn("latitude", t.real)
    .addColumn("longitude", t.real)
    .addColumn("corroborated", t.boolean, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("vehicle_sightings_registration").on("vehicle_sightings").columns(["registration", "seen_at"]).execute();
  await db.schema.createIndex("vehicle_sightings_report").on("vehicle_sightings").column("report_id").execute();

  await t
    .id(db.schema.createTable("report_notes"))
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("author_id", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_notes_report").on("report_notes").column("report_id").execute();

  await t
    .id(db.schema.createTable("report_history"))
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addColumn("from_status", "text")
    .addColumn("to_status", "text", (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_history_report").on("report_history").column("report_id").execute();

  await t
    .id(db.schema.createTable("public_updates"))
    .addColumn("operation_id", "integer", (c) => c.references("operations.id").onDelete("set null"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("author_id", "integer", (c) => c.references("users.id"))
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("published_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("public_updates_operation").on("public_updates").columns(["operation_id", "published_at"]).execute();

  await db.schema
    .createTable("public_update_reports")
    .addColumn("public_update_id", "integer", (c) => c.notNull().references("public_updates.id").onDelete("cascade"))
    .addColumn("report_id", "integer", (c) => c.notNull().references("reports.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("public_update_reports_pk", ["public_update_id", "report_id"])
    .execute();
  await db.schema.createIndex("public_update_reports_report").on("public_update_reports").column("report_id").execute();

  await db.schema
    .createTable("report_drafts")
    .addColumn("id", "text", (c) => c.primaryKey().notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("report_drafts_expiry").on("report_drafts").column("expires_at").execute();

  await db.schema
    .createTable("rate_limits")
    .addColumn("key", "text", (c) => c.primaryKey().notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("expires_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("rate_limits_expiry").on("rate_limits").column("expires_at").execute();

  await db.schema.createTable("audit_expiry_permits").addColumn("segment", "integer", (c) => c.primaryKey().notNull()).execute();
  await t
    .id(db.schema.createTable("audit_events"))
    .addColumn("occurred_at", t.timestamp, (c) => c.notNull())
    .addColumn("actor_id", "integer")
    .addColumn("actor_role", "text")
    .addColumn("operation", "text", (c) => c.notNull())
    .addColumn("record_type", "text", (c) => c.notNull())
    // Text, not jsonb: the chain hashes these exact characters, and jsonb would re-space them.
    .addColumn("record_ids", "text", (c) => c.notNull())
    .addColumn("reason_code", "text")
    .addColumn("reason_reference", "text")
    .addColumn("recipients", "text")
    .addColumn("previous_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .execute();
  // Any permit let any event be deleted: 0013_audit_integrity narrows this to the permitted segment.
  await makeAppendOnly(db, t.dialect, "audit_events", { deleteWhen: "EXISTS (SELECT 1 FROM audit_expiry_permits)" });
}
