import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

/**
 * police.uk street-level crimes and outcomes, the snap points they sit on, the months held per
 * force, areas defined from real data (LSOA codes, snap points) with their membership, the
 * evaluation's recorded designs, and import jobs.
 */
export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  // About 17,000 points carry Essex's 115,000 rows: geography is worked out once per point.
  await t
    .id(db.schema.createTable("snap_points"))
    .addColumn("key", "text", (c) => c.notNull().unique())
    .addColumn("longitude", t.real, (c) => c.notNull())
    .addColumn("latitude", t.real, (c) => c.notNull())
    .addColumn("location", "text", (c) => c.notNull())
    .addColumn("lsoa_code", "text")
    .addColumn("lsoa_name", "text")
    .addColumn("h3_cell", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("snap_points_lsoa").on("snap_points").column("lsoa_code").execute();
  await db.schema.createIndex("snap_points_position").on("snap_points").columns(["longitude", "latitude"]).execute();

  // row_key is the Crime ID, or for rows without one (anti-social behaviour) force|month|position,
  // so that importing a month again replaces those rows in place instead of adding to them.
  await t
    .id(db.schema.createTable("police_crimes"))
    .addColumn("row_key", "text", (c) => c.notNull().unique())
    .addColumn("crime_id", "text")
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("reported_by", "text", (c) => c.notNull())
    .addColumn("falls_within", "text", (c) => c.notNull())
    // No foreign key: only the importer writes this column, with ids it has just read or written
    // in the same transaction, and a per-row check would cost a third of a bulk load's time.
    .addColumn("snap_point_id", "integer")
    .addColumn("crime_type", "text", (c) => c.notNull())
    .addColumn("last_outcome_category", "text")
    .addColumn("context", "text")
    .addColumn("sequence", "integer")
    .execute();
  await db.schema.createIndex("police_crimes_point").on("police_crimes").columns(["snap_point_id", "month"]).execute();
  await db.schema.createIndex("police_crimes_force_month").on("police_crimes").columns(["falls_within", "month"]).execute();

  await t
    .id(db.schema.createTable("police_outcomes"))
    .addColumn("crime_id", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("falls_within", "text", (c) => c.notNull())
    .addColumn("outcome_type", "text", (c) => c.notNull())
    .addUniqueConstraint("police_outcomes_unique", ["crime_id", "month", "outcome_type"])
    .execute();

  // A month not listed here is "no data", never zero.
  await db.schema
    .createTable("police_months")
    .addColumn("falls_within", "text", (c) => c.notNull())
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("rows", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("police_months_pk", ["falls_within", "month", "kind"])
    .execute();

  // definition: null for areas drawn before this migration (treated as polygons), else
  // "polygon", "lsoas", "snap-points" or "ring" (a buffer drawn ring_metres around the target).
  await db.schema.alterTable("areas").addColumn("definition", "text").execute();
  await db.schema.alterTable("areas").addColumn("lsoa_codes", t.json).execute();
  await db.schema.alterTable("areas").addColumn("snap_point_ids", t.json).execute();
  await db.schema.alterTable("areas").addColumn("ring_metres", t.real).execute();
  await db.schema.alterTable("areas").addColumn("updated_at", t.timestamp).execute();

  await db.schema
    .createTable("area_snap_points")
    .addColumn("area_id", "integer", (c) => c.notNull().references("areas.id").onDelete("cascade"))
    .addColumn("snap_point_id", "integer", (c) => c.notNull().references("snap_points.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("area_snap_points_pk", ["area_id", "snap_point_id"])
    .execute();
  await db.schema.createIndex("area_snap_points_point").on("area_snap_points").column("snap_point_id").execute();

  await t
    .id(db.schema.createTable("evaluation_designs"))
    .addColumn("operation_id", "integer", (c) => c.notNull().references("operations.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("design", t.json, (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addUniqueConstraint("evaluation_designs_version", ["operation_id", "version"])
    .execute();

  await t
    .id(db.schema.createTable("import_jobs"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("file_names", t.json, (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.references("users.id"))
    .addColumn("total_bytes", t.real, (c) => c.notNull())
    .addColumn("done_bytes", t.real, (c) => c.notNull())
    .addColumn("rows_read", "integer", (c) => c.notNull())
    .addColumn("current_file", "text")
    .addColumn("summary", t.json)
    .addColumn("error", "text")
    .addColumn("created_at", t.timestamp, (c) => c.notNull())
    .addColumn("updated_at", t.timestamp, (c) => c.notNull())
    .addColumn("finished_at", t.timestamp)
    .execute();
  await db.schema.createIndex("import_jobs_created").on("import_jobs").column("created_at").execute();
}
