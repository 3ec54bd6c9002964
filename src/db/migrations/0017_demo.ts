// Demo data that cannot be mistaken for real data, and real data that is not called demo:
// - police_crimes.is_demo marks synthetic police.uk rows (the demo's, written by the importer).
//   An operation marked as demo is evaluated on them only, and every other operation never
//   sees them, so synthetic crime can sit beside real crime at the same snap points.
// - operations.real_data_example marks an operation set up only to show openbeat on real
//   police.uk data (its dates illustrative, its crime figures real): tagged as such, not "Demo".
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  const no = t.dialect === "sqlite" ? 0 : false;
  await db.schema.alterTable("police_crimes").addColumn("is_demo", t.boolean, (c) => c.notNull().defaultTo(no)).execute();
  await db.schema.alterTable("operations").addColumn("real_data_example", t.boolean, (c) => c.notNull().defaultTo(no)).execute();
}
