import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

/** The last TOTP time step each user signed in with, so a code cannot be used twice. */
export async function up(db: Kysely<any>, _t: ColumnTypes): Promise<void> {
  await db.schema.alterTable("users").addColumn("totp_last_step", "integer").execute();
}
