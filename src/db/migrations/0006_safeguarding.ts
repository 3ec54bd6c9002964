import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

/**
 * Safeguarding: pseudonymous cases, their notes and linked engagements, information-sharing
 * agreements with partner agencies, referrals and the partners' updates. Real names, needs,
 * notes, what a referral shared and partners' updates are stored encrypted.
 */
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await t
    .id(db.schema.createTable("safeguarding_cases"))
    .addColumn("alias", "text", (c) => c.notNull())
    .addColumn("real_name_encrypted", "text")
    .addColumn("age_band", "text", (c) => c.notNull())
    .addColumn("indicators", t.json, (c) => c.notNull())
    .addColumn("needs_encrypted", "text", (c) => c.notNull())
    .addColumn("consent_status", "text", (c) => c.notNull())
    .addColumn("consent_changed_at", t.timestamp)
    .addColumn("consent_given_at", t.timestamp)
    .addColumn("consent_withdrawn_at", t.timestamp)
    // Each duty of the urgent path: when it opened, when and how it was met, and by whom.
    .addColumn("urgent_duties", t.json, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("closure_reason", "text")
    .addColumn("opened_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("closed_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addColumn("closed_at", t.timestamp)
    .execute();
  await db.schema.createIndex("safeguarding_cases_status").on("safeguarding_cases").columns(["status", "created_at"]).execute();

  await t
    .id(db.schema.createTable("case_notes"))
    .addColumn("case_id", "integer", (c) => c.notNull().references("safeguarding_cases.id").onDelete("cascade"))
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("body_encrypted", "text", (c) => c.notNull())
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("case_notes_case").on("case_notes").column("case_id").execute();

  await db.schema
    .createTable("case_engagements")
    .addColumn("case_id", "integer", (c) => c.notNull().references("safeguarding_cases.id").onDelete("cascade"))
    .addColumn("engagement_id", "integer", (c) => c.notNull().references("engagements.id").onDelete("cascade"))
    .addColumn("linked_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("linked_at", t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("case_engagements_pk", ["case_id", "engagement_id"])
    .execute();
  await db.schema.createIndex("case_engagements_engagement").on("case_engagements").column("engagement_id").execute();

  await t
    .id(db.schema.createTable("information_sharing_agreements"))
    .addColumn("partner_agency_id", "integer", (c) => c.notNull().references("partner_agencies.id").onDelete("cascade"))
    .addColumn("reference", "text", (c) => c.notNull().unique())
    .addColumn("signed_on", t.date, (c) => c.notNull())
    .addColumn("expires_on", t.date, (c) => c.notNull())
    .addColumn("recorded_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("information_sharing_agreements_agency")
    .on("information_sharing_agreements")
    .columns(["partner_agency_id", "expires_on"])
    .execute();

  await t
    .id(db.schema.createTable("referrals"))
    .addColumn("case_id", "integer", (c) => c.notNull().references("safeguarding_cases.id").onDelete("cascade"))
    .addColumn("partner_agency_id", "integer", (c) => c.notNull().references("partner_agencies.id"))
    .addColumn("agreement_id", "integer", (c) => c.notNull().references("information_sharing_agreements.id"))
    .addColumn("service", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("legal_basis", "text", (c) => c.notNull())
    // What was disclosed to the agency, as it was when sent: later changes to the case are not shared.
    .addColumn("shared_encrypted", "text", (c) => c.notNull())
    .addColumn("decline_reason", "text")
    .addColumn("outcome", "text")
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("responded_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("responded_at", t.timestamp)
    .addColumn("closed_at", t.timestamp)
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("referrals_agency").on("referrals").columns(["partner_agency_id", "status", "created_at"]).execute();
  await db.schema.createIndex("referrals_case").on("referrals").column("case_id").execute();

  await t
    .id(db.schema.createTable("referral_updates"))
    .addColumn("referral_id", "integer", (c) => c.notNull().references("referrals.id").onDelete("cascade"))
    .addColumn("author_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("body_encrypted", "text", (c) => c.notNull())
    .addColumn("outcome", "text")
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("referral_updates_referral").on("referral_updates").column("referral_id").execute();
}
