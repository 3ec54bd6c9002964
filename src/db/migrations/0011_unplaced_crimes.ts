// The evaluation counts a force's "No Location" rows in its months. Without this index that count
// read every row of the force (60 ms a page at 100k rows, and growing with each month imported);
// with it, only the few rows that have no snap point (about 0.2%).
import { sql, type Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, _t: ColumnTypes): Promise<void> {
  await db.schema.createIndex("police_crimes_unplaced").on("police_crimes").columns(["falls_within", "month"]).where(sql.ref("snap_point_id"), "is", null).execute();
}
