// police_crimes.row_key now starts with the month: "2018-01|<Crime ID>", or for rows without an id
// "2018-01|~<force>|<position>". A month's rows then sit side by side in the unique index, so
// importing a month writes into one end of it instead of into every page of an index on random
// hash ids: at 1M rows each file's commit rewrote most of that index (docs/performance.md).
// A crime belongs to its month in police.uk's files; the id alone is still in crime_id.
import { sql, type Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, _t: ColumnTypes): Promise<void> {
  await sql`UPDATE police_crimes SET row_key = month || '|' || crime_id WHERE crime_id IS NOT NULL`.execute(db);
  await sql`UPDATE police_crimes SET row_key = month || '|~' || falls_within || '|' || sequence WHERE crime_id IS NULL`.execute(db);
}
