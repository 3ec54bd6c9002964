import type { Insertable, Kysely, Selectable } from "kysely";
import type { AreasTable, OperationsTable, Schema } from "../../db/schema.ts";

export type AreaRow = Selectable<AreasTable>;

export interface PointRow {
  id: number;
  longitude: number;
  latitude: number;
  lsoaCode: string | null;
}

const CHUNK = 500;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class AreasRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  areasOf(operationId: number): Promise<AreaRow[]> {
    return this.db.selectFrom("areas").selectAll().where("operationId", "=", operationId).orderBy("id").execute();
  }

  find(id: number): Promise<AreaRow | undefined> {
    return this.db.selectFrom("areas").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async operationIdsWithAreas(): Promise<number[]> {
    const rows = await this.db.selectFrom("areas").select("operationId").distinct().execute();
    return rows.map((r) => r.operationId);
  }

  async pointsInLsoas(codes: string[]): Promise<PointRow[]> {
    const found: PointRow[] = [];
    for (const part of chunks(codes)) {
      found.push(...(await this.db.selectFrom("snapPoints").select(["id", "longitude", "latitude", "lsoaCode"]).where("lsoaCode", "in", part).execute()));
    }
    return found;
  }

  pointsInBox([west, south, east, north]: [number, number, number, number]): Promise<PointRow[]> {
    return this.db
      .selectFrom("snapPoints")
      .select(["id", "longitude", "latitude", "lsoaCode"])
      .where("longitude", ">=", west)
      .where("longitude", "<=", east)
      .where("latitude", ">=", south)
      .where("latitude", "<=", north)
      .execute();
  }

  async pointsById(ids: number[]): Promise<PointRow[]> {
    const found: PointRow[] = [];
    for (const part of chunks(ids)) {
      found.push(...(await this.db.selectFrom("snapPoints").select(["id", "longitude", "latitude", "lsoaCode"]).where("id", "in", part).execute()));
    }
    return found;
  }

  async memberIds(areaId: number): Promise<number[]> {
    const rows = await this.db.selectFrom("areaSnapPoints").select("snapPointId").where("areaId", "=", areaId).execute();
    return rows.map((r) => r.snapPointId);
  }

  async memberCounts(areaIds: number[]): Promise<Map<number, number>> {
    if (areaIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom("areaSnapPoints")
      .select(["areaId", (eb) => eb.fn.countAll<number>().as("count")])
      .where("areaId", "in", areaIds)
      .groupBy("areaId")
      .execute();
    return new Map(rows.map((r) => [r.areaId, Number(r.count)]));
  }

  /** Writes the areas' outlines and memberships together. */
  async save(updates: Array<{ id: number; geometry: string; members: number[]; changes?: Partial<Insertable<AreasTable>> }>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const update of updates) {
        await trx
          .updateTable("areas")
          .set({ geometry: update.geometry, ...(update.changes ?? {}) })
          .where("id", "=", update.id)
          .execute();
        await trx.deleteFrom("areaSnapPoints").where("areaId", "=", update.id).execute();
        for (const part of chunks(update.members)) {
          await trx
            .insertInto("areaSnapPoints")
            .values(part.map((snapPointId) => ({ areaId: update.id, snapPointId })))
            .execute();
        }
      }
    });
  }

  /** Creates an operation and its areas with their memberships in one transaction. */
  async createOperation(
    operation: Insertable<OperationsTable>,
    areas: Array<{ area: Omit<Insertable<AreasTable>, "operationId">; members: number[] }>,
  ): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx.insertInto("operations").values(operation).returning("id").executeTakeFirstOrThrow();
      for (const { area, members } of areas) {
        const { id: areaId } = await trx.insertInto("areas").values({ ...area, operationId: id }).returning("id").executeTakeFirstOrThrow();
        for (const part of chunks(members)) {
          await trx
            .insertInto("areaSnapPoints")
            .values(part.map((snapPointId) => ({ areaId, snapPointId })))
            .execute();
        }
      }
      return id;
    });
  }

  async slugTaken(slug: string): Promise<boolean> {
    return Boolean(await this.db.selectFrom("operations").select("id").where("slug", "=", slug).executeTakeFirst());
  }
}
