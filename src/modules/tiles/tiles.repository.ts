import { sql, type Kysely } from "kysely";
import type { Schema } from "../../db/schema.ts";
import type { TileKey } from "../../domain/map-tiles.ts";

export interface StoredTile {
  contentType: string;
  body: Buffer;
  public: boolean;
}

export interface HeldTile extends TileKey {
  public: boolean;
  fetchedAt: string;
}

export interface NewTile extends TileKey {
  public: boolean;
  contentType: string;
  body: Buffer;
  fetchedAt: string;
}

export interface AreaToFetch {
  role: string;
  geometry: string;
  published: boolean;
}

const FETCH_ROW = 1;

export class TilesRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * One indexed read, whatever is asked: a tile outside the box takes the same query as one
   * inside. Staff-only tiles are filtered in the query, so for anyone else their bodies are
   * never read and they cost what a tile outside the box costs.
   */
  async find({ zoom, x, y }: TileKey, options: { staff: boolean }): Promise<StoredTile | undefined> {
    let query = this.db.selectFrom("mapTiles").select(["contentType", "body", "public"]).where("zoom", "=", zoom).where("x", "=", x).where("y", "=", y);
    if (!options.staff) query = query.where("public", "=", true);
    const row = await query.executeTakeFirst();
    return row && { contentType: row.contentType, body: Buffer.from(row.body), public: Boolean(row.public) };
  }

  async held(): Promise<HeldTile[]> {
    const rows = await this.db.selectFrom("mapTiles").select(["zoom", "x", "y", "public", "fetchedAt"]).execute();
    return rows.map((row) => ({ ...row, public: Boolean(row.public) }));
  }

  async save(tile: NewTile): Promise<void> {
    await this.db
      .insertInto("mapTiles")
      .values(tile)
      .onConflict((oc) => oc.columns(["zoom", "x", "y"]).doUpdateSet({ public: tile.public, contentType: tile.contentType, body: tile.body, fetchedAt: tile.fetchedAt }))
      .execute();
  }

  /** Brings held tiles in line with the plan: those it no longer holds go, the rest take its public flag. */
  async reconcile(removed: TileKey[], flagged: Array<TileKey & { public: boolean }>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const { zoom, x, y } of removed) await trx.deleteFrom("mapTiles").where("zoom", "=", zoom).where("x", "=", x).where("y", "=", y).execute();
      for (const tile of flagged) {
        await trx.updateTable("mapTiles").set({ public: tile.public }).where("zoom", "=", tile.zoom).where("x", "=", tile.x).where("y", "=", tile.y).execute();
      }
    });
  }

  /** Target, buffer and comparison areas of operations that have not ended. */
  async areasToFetch(today: string): Promise<AreaToFetch[]> {
    const rows = await this.db
      .selectFrom("areas")
      .innerJoin("operations", "operations.id", "areas.operationId")
      .select(["areas.role", "areas.geometry", "operations.published"])
      .where("operations.status", "!=", "ended")
      .where((eb) => eb.or([eb("operations.endsOn", "is", null), eb("operations.endsOn", ">=", today)]))
      .execute();
    return rows.map((row) => ({ ...row, published: Boolean(row.published) }));
  }

  // The fetch's coordination row.

  async request(): Promise<void> {
    await this.db.updateTable("mapTileFetches").set({ requested: sql`requested + 1` }).where("id", "=", FETCH_ROW).execute();
  }

  async state() {
    return this.db.selectFrom("mapTileFetches").selectAll().where("id", "=", FETCH_ROW).executeTakeFirstOrThrow();
  }

  /** Takes the lease unless another instance holds it; answers the request count it will answer, or null. */
  async lease(holder: string, now: string, until: string): Promise<number | null> {
    const row = await this.db
      .updateTable("mapTileFetches")
      .set({ holder, leaseUntil: until })
      .where("id", "=", FETCH_ROW)
      .where((eb) => eb.or([eb("leaseUntil", "is", null), eb("leaseUntil", "<", now), eb("holder", "=", holder)]))
      .returning("requested")
      .executeTakeFirst();
    return row ? row.requested : null;
  }

  /** Extends the lease; false when it was lost (it ran out and another instance took it). */
  async renew(holder: string, until: string): Promise<boolean> {
    const result = await this.db.updateTable("mapTileFetches").set({ leaseUntil: until }).where("id", "=", FETCH_ROW).where("holder", "=", holder).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async finish(holder: string, answered: number, now: string): Promise<void> {
    await this.db
      .updateTable("mapTileFetches")
      .set({ done: answered, finishedAt: now, holder: null, leaseUntil: null })
      .where("id", "=", FETCH_ROW)
      .where("holder", "=", holder)
      .execute();
  }

  async release(holder: string): Promise<void> {
    await this.db.updateTable("mapTileFetches").set({ holder: null, leaseUntil: null }).where("id", "=", FETCH_ROW).where("holder", "=", holder).execute();
  }
}
