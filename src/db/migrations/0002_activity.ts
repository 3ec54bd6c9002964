import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

/** Police activity: patrols, engagements with people who may be vulnerable, enforcement, and s.34 authorisations. */
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable("patrols"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("area_role", "text", (c) => c.notNull())
    .addColumn("started_at", t.timestamp, (c) => c.notNull())
    .addColumn("ended_at", t.timestamp)
    .addColumn("started_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("patrols_operation").on("patrols").columns(["operation_id", "started_at"]).execute();

  await db.schema
    .createTable("patrol_officers")
    .addColumn("patrol_id", "integer", (c) => c.notNull().references("patrols.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("patrol_officers_pk", ["patrol_id", "user_id"])
    .execute();

  await t
    .id(db.schema.createTable("engagements"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("patrol_id", "integer", (c) => c.references("patrols.id").onDelete("set null"))
    .addColumn("occurred_at", t.timestamp, (c) => c.notNull())
    .addColumn("latitude", t.real)
    .addColumn("longitude", t.real)
    .addColumn("h3_cell", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("referral_offered", t.boolean, (c) => c.notNull())
    .addColumn("referral_response", "text")
    .addColumn("safeguarding_concern", t.boolean, (c) => c.notNull())
    .addColumn("officer_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("engagements_operation").on("engagements").columns(["operation_id", "occurred_at"]).execute();

  await t
    .id(db.schema.createTable("dispersal_authorisations"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("area_role", "text", (c) => c.notNull())
    .addColumn("starts_at", t.timestamp, (c) => c.notNull())
    .addColumn("ends_at", t.timestamp, (c) => c.notNull())
    .addColumn("grounds", "text", (c) => c.notNull())
    .addColumn("authorised_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable("enforcement_actions"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("patrol_id", "integer", (c) => c.references("patrols.id").onDelete("set null"))
    .addColumn("occurred_at", t.timestamp, (c) => c.notNull())
    .addColumn("latitude", t.real)
    .addColumn("longitude", t.real)
    .addColumn("h3_cell", "text")
    .addColumn("location_text", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("offence", "text", (c) => c.notNull())
    .addColumn("target_group", "text", (c) => c.notNull())
    .addColumn("subject_reference", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("prior_action_id", "integer", (c) => c.references("enforcement_actions.id"))
    .addColumn("dispersal_authorisation_id", "integer", (c) => c.references("dispersal_authorisations.id"))
    .addColumn("officer_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("is_demo", t.boolean, (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("enforcement_actions_operation").on("enforcement_actions").columns(["operation_id", "occurred_at"]).execute();
  await db.schema.createIndex("enforcement_actions_subject").on("enforcement_actions").columns(["subject_reference", "action"]).execute();
}
