// Map tiles kept in the database, so every instance answers the same tile the same way, and one
// instance at a time fetches them (map_tile_fetches holds its lease). The first start fetches.
import type { Kysely } from "kysely";
import type { ColumnTypes } from "../columns.ts";

export async function up(db: Kysely<any>, t: ColumnTypes): Promise<void> {
  await db.schema
    .createTable("map_tiles")
    .addColumn("zoom", "integer", (c) => c.notNull())
    .addColumn("x", "integer", (c) => c.notNull())
    .addColumn("y", "integer", (c) => c.notNull())
    .addColumn("public", t.boolean, (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("body", t.binary, (c) => c.notNull())
    .addColumn("fetched_at", t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("map_tiles_pkey", ["zoom", "x", "y"])
    .execute();

  await db.schema
    .createTable("map_tile_fetches")
    .addColumn("id", "integer", (c) => c.primaryKey().notNull())
    .addColumn("requested", "integer", (c) => c.notNull())
    .addColumn("done", "integer", (c) => c.notNull())
    .addColumn("holder", "text")
    .addColumn("lease_until", t.timestamp)
    .addColumn("finished_at", t.timestamp)
    .execute();
  await db.insertInto("map_tile_fetches").values({ id: 1, requested: 1, done: 0 }).execute();
}
