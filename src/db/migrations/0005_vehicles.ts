import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

/**
 * The kerb-crawler vehicle register: officers' and CCTV sightings beside residents', the
 * registered keeper's details (encrypted) typed in after a keeper check outside openbeat, and
 * warning letters with the sightings they list.
 */
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // One column per statement: SQLite adds a single column per ALTER TABLE.
  const sightingColumns: Array<[string, string, (c: any) => any]> = [
    ["patrol_id", "integer", (c) => c.references("patrols.id").onDelete("set null")],
    ["operation_id", "integer", (c) => c.references("operations.id").onDelete("set null")],
    ["area_role", "text", (c) => c],
    // An officer's own words for the place; residents' sightings keep theirs on the report.
    ["location_text", "text", (c) => c],
    ["recorded_by", "integer", (c) => c.references("users.id")],
  ];
  for (const [name, type, build] of sightingColumns) {
    await db.schema.alterTable("vehicle_sightings").addColumn(name, type as "text", build).execute();
  }
  await db.schema.createIndex("vehicle_sightings_seen").on("vehicle_sightings").column("seen_at").execute();

  await t
    .id(db.schema.createTable("vehicle_keepers"))
    .addColumn("registration", "text", (c) => c.notNull().unique())
    // Name and address together, sealed with the "vehicle-keepers" key.
    .addColumn("details_encrypted", "text", (c) => c.notNull())
    .addColumn("make", "text", (c) => c.notNull())
    .addColumn("colour", "text", (c) => c.notNull())
    // The reference of the keeper check made outside openbeat (a PNC or DVLA enquiry).
    .addColumn("check_reference", "text", (c) => c.notNull())
    .addColumn("entered_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("entered_at", t.timestamp, (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable("warning_letters"))
    .addColumn("registration", "text", (c) => c.notNull())
    .addColumn("operation_id", "integer", (c) => c.references("operations.id").onDelete("set null"))
    .addColumn("keeper_id", "integer", (c) => c.notNull().references("vehicle_keepers.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("sighting_ids", t.json, (c) => c.notNull())
    // The lines the letter lists (date, time, place), fixed at approval so the letter sent
    // can be produced again word for word.
    .addColumn("sightings", t.json, (c) => c.notNull())
    .addColumn("approved_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("approved_at", t.timestamp, (c) => c.notNull())
    .addColumn("sent_by", "integer", (c) => c.references("users.id"))
    .addColumn("sent_at", t.timestamp)
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("warning_letters_registration").on("warning_letters").columns(["registration", "created_at"]).execute();
}
